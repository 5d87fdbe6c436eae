#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/ramdisk.sh [RUNS]: ramdisk assembly (finished tree -> kernel + initramfs) of dib
# against upstream diskimage-builder 3.13 (Debian's python3-diskimage-builder), on the same
# Debian bookworm tree, same machine, same run. Prints both times, both sizes and the
# ratios ours/upstream. Run as root after `bin/dib-setup-host --test`.
#
# The tree: debootstrap minbase + busybox udev kmod tgt curl cpio isc-dhcp-client iproute2
# (cached as a tarball under ${DIB_TEST_CACHE:-~/.cache/dib-test}/ramdisk, shared with
# dib.ramdisk's tests), plus the host's kernel and its whole module tree (~400 MB), as
# upstream copies it. Elements: upstream's ramdisk (+ ramdisk-base, deploy-tgtadm) against
# dib's ramdisk (+ ramdisk-base) and deploy-tgtadm, both also asked for dhclient and ip.
#
# dib runs the real `bin/ramdisk-image-create` on an element whose root.d unpacks the tree;
# its assembly time is the post-root hook 99-ramdisk-build plus cleanup's copy out, from
# the build's own timing table. Upstream's assembly is its post-install hooks
# 01-ensure-binaries and 99-build-ramdisk run in a chroot of the same tree as its
# ramdisk-image-create runs them (with the variables its 3.13 release needs to work at
# all: _BASE_ELEMENT_DIR, TMP_IMAGE_PATH, EXTRA_DETACH=), plus cleanup's copy out; upstream's
# whole ramdisk-image-create cannot run on a prepared tree (it needs a distribution
# element and pkg-map/python in the image).
set -euo pipefail
RUNS=${1:-2}
top=$(cd "$(dirname "$0")/.." && pwd)
up=/usr/lib/python3/dist-packages/diskimage_builder
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
[ "$(id -u)" = 0 ] || { echo "bench/ramdisk.sh: run as root" >&2; exit 1; }
[ -d "$up/elements/ramdisk" ] || { echo "bench/ramdisk.sh: upstream DIB missing (bin/dib-setup-host --test)" >&2; exit 1; }

work=$(mktemp -d /tmp/dib-bench-ramdisk.XXXXXX)
cleanup() { rm -rf --one-file-system "$work"; }
trap cleanup EXIT

cache=${DIB_TEST_CACHE:-$HOME/.cache/dib-test}/ramdisk
tarball=$cache/bookworm-minbase-ramdisk-v2.tar.gz
if [ ! -f "$tarball" ]; then
    mirror=${DIB_DISTRIBUTION_MIRROR:-$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)}
    mkdir -p "$cache"
    echo "making the Debian tree (debootstrap from ${mirror:-http://deb.debian.org/debian}, once)..." >&2
    unshare --mount --propagation private debootstrap --variant=minbase \
        --include=busybox,udev,kmod,tgt,curl,cpio,isc-dhcp-client,iproute2 \
        bookworm "$work/debootstrap" "${mirror:-http://deb.debian.org/debian}" >"$work/debootstrap.log" 2>&1 \
        || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
    tar -C "$work/debootstrap" --numeric-owner -czf "$tarball.part" . && mv "$tarball.part" "$tarball"
    rm -rf --one-file-system "$work/debootstrap"
fi
kver=$(ls -1 /boot/vmlinuz-* | sed 's|/boot/vmlinuz-||' | sort -V | tail -1)

# ---------------------------------------------------------------- the tree element
el=$work/elements/bench-ramdisk-tree
mkdir -p "$el/root.d" "$el/binary-deps.d" "$el/environment.d"
echo operating-system > "$el/element-provides"
printf 'Benchmark: the Debian tree of bench/ramdisk.sh.\n' > "$el/README.rst"
printf 'export DISTRO_NAME=debian\nexport DIB_RELEASE=bookworm\n' > "$el/environment.d/10-bench-ramdisk-tree"
printf 'dhclient\nip\n' > "$el/binary-deps.d/bench-ramdisk-tree"
cat > "$el/root.d/10-bench-ramdisk-tree" <<EOF
#!/bin/bash
set -eu
tar -C "\$TARGET_ROOT" --numeric-owner -xzf "$tarball"
cp /boot/vmlinuz-$kver "\$TARGET_ROOT/boot/"
mkdir -p "\$TARGET_ROOT/lib/modules"
cp -a /lib/modules/$kver "\$TARGET_ROOT/lib/modules/"
# upstream copies a 'shutdown' program unconditionally (systemd's in a full image), which
# minbase lacks: both get the same small stand-in
printf '#!/bin/sh\nexec /bin/busybox poweroff "\$@"\n' > "\$TARGET_ROOT/usr/local/sbin/shutdown"
chmod 755 "\$TARGET_ROOT/usr/local/sbin/shutdown"
EOF
chmod +x "$el/root.d/10-bench-ramdisk-tree"

"$top/bin/dib" element-info -d base >/dev/null 2>&1 || true   # builds the runtime if needed

# ---------------------------------------------------------------- dib
ours() {   # prints "assembly_seconds wall_seconds initramfs_bytes"
    local out=$work/ours t0 t1 asm
    mkdir -p "$work/tmp"
    t0=$(date +%s.%N)
    (cd "$work" && ELEMENTS_PATH=$work/elements TMP_DIR=$work/tmp DIB_NO_TIMESTAMP=1 \
        "$top/bin/ramdisk-image-create" -t tar -o "$out" bench-ramdisk-tree deploy-tgtadm) >"$work/ours.log" 2>&1 \
        || { echo "dib failed:" >&2; tail -20 "$work/ours.log" >&2; exit 1; }
    t1=$(date +%s.%N)
    asm=$(awk '$3 == "99-ramdisk-build" || $3 == "99-ramdisk-extract" { s += $4 } END { print s }' "$work/ours.log")
    echo "$asm $(echo "$t1 - $t0" | bc -l) $(stat -c %s "$out.initramfs")"
    rm -f "$out.tar" "$out.initramfs" "$out.kernel"
}

# ---------------------------------------------------------------- upstream
upstream() {   # prints "assembly_seconds initramfs_bytes"
    local t=$work/up-tree e t0 t1
    mkdir -p "$t"
    TARGET_ROOT=$t "$el/root.d/10-bench-ramdisk-tree"
    # extra-data: what upstream's ramdisk-base/01-inject-ramdisk-build-files puts in the tree
    mkdir -p "$t/tmp/ramdisk-build" "$t/tmp/in_target.d"
    for f in common-defaults common-functions ramdisk-defaults ramdisk-functions img-defaults img-functions; do
        cp "$up/lib/$f" "$t/tmp/ramdisk-build/"
    done
    cp -r "$up/elements/ramdisk-base/extra-data.d/scripts" "$t/tmp/ramdisk-build/"
    cp -r "$up/elements/deploy-tgtadm/extra-data.d/scripts/." "$t/tmp/ramdisk-build/scripts/d/"
    # the merged hooks of ramdisk, ramdisk-base, deploy-tgtadm and the tree element
    for e in ramdisk ramdisk-base deploy-tgtadm; do
        for d in binary-deps.d init.d udev.d post-install.d; do
            [ -d "$up/elements/$e/$d" ] || continue
            mkdir -p "$t/tmp/in_target.d/$d"
            cp -a "$up/elements/$e/$d/." "$t/tmp/in_target.d/$d/"
        done
    done
    cp "$el/binary-deps.d/bench-ramdisk-tree" "$t/tmp/in_target.d/binary-deps.d/"
    t0=$(date +%s.%N)
    unshare --mount --propagation private bash -c '
        set -e
        t=$1; base=$2
        mount -t proc proc "$t/proc"; mount --bind /dev "$t/dev"; mount -t sysfs sysfs "$t/sys"
        for h in 01-ensure-binaries 99-build-ramdisk; do
            env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
                DIB_DEBUG_TRACE=0 DISTRO_NAME=debian DIB_RELEASE=bookworm ARCH=amd64 \
                DIB_NO_TMPFS=1 DIB_MIN_TMPFS=1 \
                _BASE_ELEMENT_DIR="$base" TMP_IMAGE_PATH=/tmp/dib-ramdisk.cpio.gz EXTRA_DETACH= \
                chroot "$t" "/tmp/in_target.d/post-install.d/$h"
        done
        # cleanup.d/99-extract-ramdisk-files
        cp "$t/tmp/ramdisk" "$3.initramfs"
        cp "$t/tmp/kernel" "$3.kernel"
    ' bench "$t" "$up/elements" "$work/up" >"$work/up.log" 2>&1 \
        || { echo "upstream failed:" >&2; tail -20 "$work/up.log" >&2; exit 1; }
    t1=$(date +%s.%N)
    echo "$(echo "$t1 - $t0" | bc -l) $(stat -c %s "$work/up.initramfs")"
    rm -rf --one-file-system "$t" "$work/up.initramfs" "$work/up.kernel"
}

ours >/dev/null   # warm the runtime and the page cache once
best_o=; best_u=
for i in $(seq 1 "$RUNS"); do
    read -r oa ow os < <(ours)
    read -r ua us < <(upstream)
    printf 'run %d: dib %6.2f s assembly (%6.2f s whole ramdisk-image-create), %6.1f MiB | upstream %6.2f s, %6.1f MiB\n' \
        "$i" "$oa" "$ow" "$(echo "$os/1048576" | bc -l)" "$ua" "$(echo "$us/1048576" | bc -l)"
    if [ -z "$best_o" ] || [ "$(echo "$oa < $best_o" | bc)" = 1 ]; then best_o=$oa; fi
    if [ -z "$best_u" ] || [ "$(echo "$ua < $best_u" | bc)" = 1 ]; then best_u=$ua; fi
done
printf 'kernel %s, modules %s\n' "$kver" "$(du -sh "/lib/modules/$kver" | cut -f1)"
printf 'best: dib %.2f s, upstream %.2f s; ratio dib/upstream time %.2f; size ratio %.3f\n' \
    "$best_o" "$best_u" "$(echo "$best_o / $best_u" | bc -l)" "$(echo "$os / $us" | bc -l)"
