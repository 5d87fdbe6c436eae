#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/engine.sh [N]: the build engine's per-hook overhead against upstream
# diskimage-builder (Debian's python3-diskimage-builder), same elements, same machine,
# same run.
#
# Each tool builds `-n -t tar fixture-busybox bench-hooks` twice: once with N trivial hooks
# in extra-data.d (outside the chroot) and N in install.d (inside the chroot), once with
# none. Per-hook overhead = (time with hooks - time without) / (2 N). Prints both wall times
# and the ratio ours/upstream (target: <= 0.33). Run as root; needs
# `bin/dib-setup-host --test` (upstream DIB, sudo). Default N=100.
set -euo pipefail
N=${1:-100}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/dib-bench-engine.XXXXXX)
trap 'rm -rf "$work"' EXIT
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

make_elements() {   # $1 = dir, $2 = number of hooks
    mkdir -p "$1"
    cp -a "$top/test-elements/fixture-busybox" "$1/"
    local e=$1/bench-hooks i
    mkdir -p "$e/extra-data.d" "$e/install.d"
    for i in $(seq -w 1 "$2"); do
        printf '#!/bin/sh\n:\n' > "$e/extra-data.d/10-hook-$i"
        printf '#!/bin/sh\n:\n' > "$e/install.d/10-hook-$i"
    done
    chmod +x "$e"/*.d/* 2>/dev/null || true
}
make_elements "$work/el-n" "$N"
make_elements "$work/el-0" 0

"$top/bin/dib" element-info -d base >/dev/null 2>&1 || true   # builds the runtime if needed

seconds() {   # runs "$@" quietly, prints wall seconds
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >"$work/last.log" 2>&1 || { echo "FAILED: $*" >&2; tail -20 "$work/last.log" >&2; exit 1; }
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}

ours() {   # $1 elements dir
    (cd "$work" && DIB_FIXTURE_BASH=1 ELEMENTS_PATH=$1 DIB_QUIET=1 TMP_DIR=$work \
        "$top/bin/disk-image-create" -n -t tar --image-size 1 -o "$work/ours" fixture-busybox bench-hooks)
}
upstream() {   # $1 elements dir
    (cd "$work" && DIB_FIXTURE_BASH=1 ELEMENTS_PATH=$1 TMP_DIR=$work \
        disk-image-create -n -t tar --image-size 1 -o "$work/up" fixture-busybox bench-hooks)
}

ours "$work/el-0" >/dev/null   # warm the page cache and the runtime once
o0=$(seconds ours "$work/el-0");   oN=$(seconds ours "$work/el-n")
u0=$(seconds upstream "$work/el-0"); uN=$(seconds upstream "$work/el-n")
po=$(echo "($oN - $o0) / (2 * $N)" | bc -l)
pu=$(echo "($uN - $u0) / (2 * $N)" | bc -l)
printf 'hooks per phase: %d (extra-data.d outside + install.d in the chroot)\n' "$N"
printf 'dib       : %6.2f s without hooks, %6.2f s with, %7.2f ms per hook\n' "$o0" "$oN" "$(echo "$po*1000" | bc -l)"
printf 'upstream  : %6.2f s without hooks, %6.2f s with, %7.2f ms per hook\n' "$u0" "$uN" "$(echo "$pu*1000" | bc -l)"
printf 'ratio per-hook overhead dib/upstream: %.3f (target <= 0.333)\n' "$(echo "$po / $pu" | bc -l)"
printf 'ratio whole build (with hooks) dib/upstream: %.3f\n' "$(echo "$oN / $uN" | bc -l)"
