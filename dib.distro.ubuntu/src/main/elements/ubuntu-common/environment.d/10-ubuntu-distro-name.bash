# SPDX-License-Identifier: Apache-2.0
export DISTRO_NAME=${DISTRO_NAME:-ubuntu}
export DIB_RELEASE=${DIB_RELEASE:-noble}
export DIB_DEBIAN_COMPONENTS=${DIB_DEBIAN_COMPONENTS:-main,universe}
export EFI_BOOT_DIR="EFI/ubuntu"

# Ubuntu keeps architectures other than amd64 and i386 on the ports archive.
case "${ARCH:-}" in
    arm64|armhf|powerpc|ppc64el|s390x|riscv64) _dib_ubuntu_mirror=http://ports.ubuntu.com/ubuntu-ports ;;
    *) _dib_ubuntu_mirror=http://archive.ubuntu.com/ubuntu ;;
esac
export DIB_DISTRIBUTION_MIRROR=${DIB_DISTRIBUTION_MIRROR:-$_dib_ubuntu_mirror}
unset _dib_ubuntu_mirror
