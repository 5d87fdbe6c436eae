# SPDX-License-Identifier: Apache-2.0
# The bootloader reads DIB_BLOCK_DEVICE; an MBR disk cannot boot an arm64 machine.
if [[ "arm64 aarch64" =~ ${ARCH:-amd64} ]]; then
    echo "block-device-mbr does not work on ${ARCH}: use block-device-efi" >&2
    exit 1
fi
export DIB_BLOCK_DEVICE=mbr
