# SPDX-License-Identifier: Apache-2.0
export DISTRO_NAME=fedora
export DIB_RELEASE=${DIB_RELEASE:-42}
export EFI_BOOT_DIR="EFI/fedora"
