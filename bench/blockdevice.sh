#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/blockdevice.sh [RUNS]: the block-device step, tree -> compressed qcow2, of dib
# against the machine's floor and against upstream diskimage-builder, same tree, same
# machine, same run. Run as root; needs `bin/dib-setup-host --test` (upstream DIB, sudo).
#
# The tree: the busybox fixture with the host's kernel and modules and a copy of /usr/bin
# (about 770 MiB), copied in by a root.d hook of a throw-away element. Both tools build
# `-n -t qcow2 fixture-busybox bench-tree` (a bare ext4 image, upstream's default layout:
# upstream's partitioned layouts need kpartx, which this kernel cannot serve) with the build
# in tmpfs. The step is timed from the build log: from dib's "block device: creating the
# image" / upstream's "Calculating image size" to "Image file ... created" (sizing, mkfs,
# copying the tree, the empty finalise and cleanup phases, unmount, qemu-img convert -c).
#
# The floor, in a tmpfs of a private mount namespace: `mkfs.ext4 -d TREE` into a file of
# dib's image size, then `qemu-img convert -c -O qcow2` (as defined: default options) and,
# for reference, `qemu-img convert -c -m 8 -W` (what dib runs: both cores compress).
# Prints seconds and the ratios dib/floor (target <= 1.3) and dib/upstream.
set -euo pipefail
RUNS=${1:-2}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/dib-bench-bd.XXXXXX)
trap 'umount -q "$work/floor" 2>/dev/null || true; rm -rf --one-file-system "$work"' EXIT
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# --- the tree and the element that copies it in
tree=$work/tree
mkdir -p "$tree"
TARGET_ROOT=$tree DIB_FIXTURE_KERNEL=1 DIB_FIXTURE_BASH=1 \
    bash "$top/test-elements/fixture-busybox/root.d/10-fixture-busybox"
mkdir -p "$tree/usr/lib/bench"
cp -a /usr/bin "$tree/usr/lib/bench/"
mkdir -p "$work/elements/bench-tree/root.d"
cp -a "$top/test-elements/fixture-busybox" "$work/elements/"
cat > "$work/elements/bench-tree/root.d/20-bench-tree" <<'HOOK'
#!/bin/bash
set -eu
cp -a "$BENCH_TREE"/. "$TARGET_ROOT"/
HOOK
chmod +x "$work/elements/bench-tree/root.d/20-bench-tree"
tree_mib=$(du -s -x --block-size=1M "$tree" | cut -f1)

"$top/bin/dib" element-info -d fixture-busybox >/dev/null 2>&1 || true   # builds the runtime if needed

stamp() {   # $1 log, $2 pattern: seconds since the epoch of the first matching line
    local line
    line=$(grep -m1 -- "$2" "$1" | cut -c1-23)
    [ -n "$line" ] || { echo "no '$2' in $1" >&2; exit 1; }
    date -d "$line" +%s.%N
}

ours() {   # $1 run: prints step seconds; leaves the image size in $work/size.kib
    local log=$work/ours-$1.log
    (cd "$work" && BENCH_TREE=$tree ELEMENTS_PATH=$work/elements TMP_DIR=$work \
        "$top/bin/disk-image-create" -n -t qcow2 -o "$work/ours-$1" fixture-busybox bench-tree) >"$log" 2>&1 ||
        { echo "dib failed:" >&2; tail -20 "$log" >&2; exit 1; }
    sed -n 's/.*block device: image size \([0-9]*\) KiB.*/\1/p' "$log" | head -1 > "$work/size.kib"
    echo "$(stamp "$log" 'Image file .*qcow2 created') - $(stamp "$log" 'block device: creating the image')" | bc -l
}

upstream() {   # $1 run: prints step seconds
    local log=$work/upstream-$1.log
    (cd "$work" && BENCH_TREE=$tree ELEMENTS_PATH=$work/elements TMP_DIR=$work \
        disk-image-create -n -t qcow2 -o "$work/upstream-$1" fixture-busybox bench-tree) >"$log" 2>&1 ||
        { echo "upstream failed:" >&2; tail -20 "$log" >&2; exit 1; }
    echo "$(stamp "$log" 'Image file .*qcow2 created') - $(stamp "$log" 'Calculating image size')" | bc -l
}

floor() {   # $1 qemu-img options: prints mkfs seconds and convert seconds
    local kib
    kib=$(cat "$work/size.kib")
    mkdir -p "$work/floor"
    unshare --mount --propagation private bash -c '
        set -eu
        f=$1; tree=$2; kib=$3; shift 3
        mount -t tmpfs -o mode=0755 tmpfs "$f"
        cp -a "$tree" "$f/tree"
        truncate -s "${kib}K" "$f/img.raw"
        t0=$(date +%s.%N)
        mkfs.ext4 -q -F -d "$f/tree" "$f/img.raw" >/dev/null
        t1=$(date +%s.%N)
        qemu-img convert -c "$@" -f raw -O qcow2 "$f/img.raw" "$f/img.qcow2"
        t2=$(date +%s.%N)
        echo "$(echo "$t1 - $t0" | bc -l) $(echo "$t2 - $t1" | bc -l)"
    ' floor "$work/floor" "$tree" "$kib" $1
}

printf 'tree: %d MiB (busybox fixture, host kernel and modules, a copy of /usr/bin); %s, %s cores\n' \
    "$tree_mib" "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)"
ours warm >/dev/null   # warm the page cache and the runtime
for r in $(seq 1 "$RUNS"); do
    o=$(ours "$r")
    read -r fm fc < <(floor "")
    read -r pm pc < <(floor "-m 8 -W")
    u=$(upstream "$r")
    f=$(echo "$fm + $fc" | bc -l)
    p=$(echo "$pm + $pc" | bc -l)
    printf 'run %d: dib %6.2f s | floor %6.2f s (mkfs.ext4 -d %5.2f + convert -c %5.2f) | floor -m 8 -W %6.2f s | upstream %6.2f s\n' \
        "$r" "$o" "$f" "$fm" "$fc" "$p" "$u"
    printf '       dib/floor %.2f   dib/floor(-m 8 -W) %.2f   dib/upstream %.2f\n' \
        "$(echo "$o / $f" | bc -l)" "$(echo "$o / $p" | bc -l)" "$(echo "$o / $u" | bc -l)"
done
