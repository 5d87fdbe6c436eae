# SPDX-License-Identifier: Apache-2.0
export DISTRO_NAME=rhel
export DIB_RELEASE=${DIB_RELEASE:-9}
export EFI_BOOT_DIR="EFI/redhat"
