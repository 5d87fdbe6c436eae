# SPDX-License-Identifier: Apache-2.0
# The bootloader reads DIB_BLOCK_DEVICE; Power machines do not boot from an ESP.
if [[ "ppc64 ppc64le ppc64el" =~ ${ARCH:-amd64} ]]; then
    echo "block-device-efi does not work on ${ARCH}: use block-device-gpt or block-device-mbr" >&2
    exit 1
fi
export DIB_BLOCK_DEVICE=efi
