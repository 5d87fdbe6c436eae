#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/debian.sh [OUTDIR]: the warm-cache Debian qcow2 build, dib against upstream
# diskimage-builder 3.13 (Debian's python3-diskimage-builder), same machine, same run,
# same settings (bookworm from the host's Debian mirror, main only, security from the
# host's debian-security mirror, debootstrap tarball and apt .deb caches on).
#
#   dib:      bin/disk-image-create -o debian.qcow2 debian vm
#   upstream: disk-image-create -o debian.qcow2 debian-minimal vm   (its own cache)
#   (BENCH_SAME_ELEMENTS=1 also times dib's debian-minimal vm, the like-for-like pair)
#
# Each tool builds once to fill its caches (skipped when they are warm already), then once
# timed. Prints both wall times and the ratio dib/upstream (target: <= 0.6). Run as root on
# an otherwise idle machine; needs `bin/dib-setup-host --test` (upstream DIB, sudo, qemu).
# On kernels without device-mapper, upstream needs kpartx/dmsetup stand-ins: this script
# installs them in /usr/local/sbin for its run and removes them afterwards.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-/var/tmp/dib-bench-debian}")
mkdir -p "$out"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# ------------------------------------------------------------------ shared settings
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | tr ' ' '\n' \
    | grep -m1 '/debian/\?$' || echo http://deb.debian.org/debian)
export DIB_RELEASE=bookworm DIB_DEBIAN_COMPONENTS=main
export DIB_DISTRIBUTION_MIRROR=${DIB_DISTRIBUTION_MIRROR:-${mirror%/}}
export DIB_DEBIAN_SECURITY_MIRROR=${DIB_DEBIAN_SECURITY_MIRROR:-${DIB_DISTRIBUTION_MIRROR%/debian}/debian-security}
export DIB_DEBIAN_SECURITY_SUBPATH=-security     # upstream 3.13 would write bookworm/updates
export DIB_APT_LOCAL_CACHE=1 DIB_DEBOOTSTRAP_CACHE=1 DIB_DEBIAN_USE_DEBOOTSTRAP_CACHE=1
dib_cache=$out/dib-cache
up_cache=$out/upstream-cache

command -v disk-image-create >/dev/null || { echo "upstream DIB is missing: bin/dib-setup-host --test" >&2; exit 1; }
up_dic=$(command -v disk-image-create)

# ------------------------------------------------------------------ device-mapper stand-ins
MARK='# dib bench/debian.sh stand-in'
remove_standins() {
    local f
    for f in /usr/local/sbin/kpartx /usr/local/sbin/dmsetup; do
        if [ -f "$f" ] && grep -q "$MARK" "$f"; then rm -f "$f"; fi
    done
}
if ! /usr/sbin/dmsetup version >/dev/null 2>&1; then
    trap remove_standins EXIT
    # kpartx -a/-d DEV: each partition of DEV becomes a loop device over DEV's backing file
    # at the partition's offset, linked as /dev/mapper/<dev>pN (the name upstream expects).
    cat > /usr/local/sbin/kpartx <<STANDIN
#!/bin/bash
$MARK
set -eu
dev=\${!#}; base=\$(basename "\$dev"); op=
for a in "\${@:1:\$#-1}"; do case \$a in -*d*) op=del ;; -*a*|-*u*) op=add ;; esac; done
mkdir -p /dev/mapper
if [ "\$op" = add ]; then
    file=\$(losetup -n -O BACK-FILE "\$dev" | sed 's/ *\$//')
    partx -g -o NR,START,SECTORS "\$dev" | while read -r n start len; do
        [ -e "/dev/mapper/\${base}p\$n" ] && continue
        ln -s "\$(losetup --show -f -o \$((start * 512)) --sizelimit \$((len * 512)) "\$file")" "/dev/mapper/\${base}p\$n"
    done
elif [ "\$op" = del ]; then
    for l in /dev/mapper/\${base}p*; do
        [ -L "\$l" ] || continue
        losetup -d "\$(readlink "\$l")" || true
        rm -f "\$l"
    done
fi
STANDIN
    cat > /usr/local/sbin/dmsetup <<STANDIN
#!/bin/bash
$MARK
for a in "\$@"; do [ "\$a" = mknodes ] && exit 0; done
exec /usr/sbin/dmsetup "\$@"
STANDIN
    chmod 0755 /usr/local/sbin/kpartx /usr/local/sbin/dmsetup
fi

# ------------------------------------------------------------------ runs
"$top/bin/dib" element-info -d base >/dev/null 2>&1 || true   # builds the runtime if needed

# wall seconds of "$@" (log in $out/NAME.log); a failure stops the benchmark
timed() {
    local name=$1 t0 t1
    shift
    rm -rf "${out:?}/img-$name"
    mkdir -p "$out/img-$name"
    sync
    t0=$(date +%s.%N)
    local TIMEFORMAT='%U %S' rc=0
    # the redirections go inside the subshell: on the timed command they would take time's
    # report along
    { time (cd "$out/img-$name" && "$@" >"$out/$name.log" 2>&1) || rc=$?; } 2>"$out/$name.cpu"
    if [ "$rc" != 0 ]; then
        echo "FAILED: $name ($*); last lines of $out/$name.log:" >&2
        tail -n 15 "$out/$name.log" >&2
        exit 1
    fi
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}
dib() {       # elements...
    DIB_IMAGE_CACHE=$dib_cache TMP_DIR=$out "$top/bin/disk-image-create" -o debian.qcow2 "$@"
}
upstream() {  # elements...
    DIB_IMAGE_CACHE=$up_cache HOME=$out/upstream-home "$up_dic" --image-cache "$up_cache" -o debian.qcow2 "$@"
}
mkdir -p "$out/upstream-home"

[ -f "$dib_cache/debootstrap-debian-bookworm-amd64.tar.gz" ] || timed dib-warmup dib debian vm >/dev/null
[ -f "$up_cache/debootstrap-debian-bookworm-amd64.tar.gz" ] || timed upstream-warmup upstream debian-minimal vm >/dev/null

busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
load0=$(cut -d' ' -f1-3 /proc/loadavg)
b0=$(busy)
t_dib=$(timed dib dib debian vm)
b1=$(busy)
t_up=$(timed upstream upstream debian-minimal vm)
b2=$(busy)
if [ "${BENCH_SAME_ELEMENTS:-0}" = 1 ]; then
    t_dibmin=$(timed dib-minimal dib debian-minimal vm)
fi

hz=$(getconf CLK_TCK)
size() { du -m "$1" | cut -f1; }
printf 'machine: %s, %d cores, %s GiB; load average before the timed runs: %s, after: %s\n' "$(uname -r)" \
    "$(nproc)" "$(free -g | awk '/Mem:/{print $2}')" "$load0" "$(cut -d' ' -f1-3 /proc/loadavg)"
# CPU seconds (user + sys) of the build's own process tree, as far as its processes wait
# for their children: the fairer measure when other work shares the machine
cpu() { awk '{printf "%.0f", $1 + $2}' "$out/$1.cpu"; }
printf 'dib      debian vm          : %7.1f s wall, %4s CPU-s  (%s MiB qcow2; machine busy %.0f CPU-s)\n' "$t_dib" \
    "$(cpu dib)" "$(size "$out/img-dib/debian.qcow2")" "$(echo "($b1 - $b0) / $hz" | bc -l)"
printf 'upstream debian-minimal vm  : %7.1f s wall, %4s CPU-s  (%s MiB qcow2; machine busy %.0f CPU-s)\n' "$t_up" \
    "$(cpu upstream)" "$(size "$out/img-upstream/debian.qcow2")" "$(echo "($b2 - $b1) / $hz" | bc -l)"
if [ -n "${t_dibmin:-}" ]; then
    printf 'dib      debian-minimal vm  : %7.1f s  (ratio to upstream %.2f)\n' "$t_dibmin" \
        "$(echo "$t_dibmin / $t_up" | bc -l)"
fi
printf 'ratio dib/upstream: %.2f wall (target <= 0.60), %.2f CPU\n' "$(echo "$t_dib / $t_up" | bc -l)" \
    "$(echo "$(cpu dib) / $(cpu upstream)" | bc -l)"
echo "logs: $out/{dib,upstream}.log; dib's phase table is at the end of its log"
