#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/element-info.sh: latency of `bin/element-info -d` from a cold JVM (a new java process
# per run, as a user or disk-image-create gets it), on a realistic element set: upstream's
# element library (python3-diskimage-builder) as ELEMENTS_PATH, expanding `ubuntu vm
# block-device-mbr` (what `disk-image-create ubuntu vm` expands; vm alone needs a
# block-device provider, and both upstream and dib refuse `ubuntu vm` without one).
# Prints the median. Target: under 1.5 s on the project's 2-core machine.
#
# Environment:
#   RUNS=N                   timed runs (default 15)
#   DIB_BENCH_ELEMENTS=DIR   the element library (default: upstream's)
#   DIB_BENCH_SET="E ..."    the elements to expand (default: ubuntu vm block-device-mbr)
#   DIB_JAVA_OPTS            passed through to bin/dib (to try launcher options)
# Not a test: it never fails on a slow result, only on a broken command.
set -euo pipefail

top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
lib=${DIB_BENCH_ELEMENTS:-/usr/lib/python3/dist-packages/diskimage_builder/elements}
runs=${RUNS:-15}
read -r -a set <<<"${DIB_BENCH_SET:-ubuntu vm block-device-mbr}"
target=1.5

if [ ! -d "$lib" ]; then
    echo "bench: no element library at $lib (install python3-diskimage-builder, or set DIB_BENCH_ELEMENTS)" >&2
    exit 1
fi
export ELEMENTS_PATH=$lib

# one untimed run: builds the runtime if needed, unpacks the bundle elements into the cache,
# warms the page cache, and proves the command works
echo "bench: bin/element-info -d ${set[*]} (ELEMENTS_PATH=$lib)"
echo "bench: -> $("$top/bin/element-info" -d "${set[@]}")"
export DIB_NO_BUILD=1

times=()
if command -v hyperfine >/dev/null; then
    json=$(mktemp)
    trap 'rm -f "$json"' EXIT
    hyperfine --style basic --shell=none --warmup 1 --runs "$runs" --export-json "$json" \
        -- "$top/bin/element-info -d ${set[*]}" >&2
    mapfile -t times < <(python3 -c 'import json,sys; [print(t) for t in json.load(open(sys.argv[1]))["results"][0]["times"]]' "$json")
else
    for ((i = 0; i < runs; i++)); do
        t0=$(date +%s%N)
        "$top/bin/element-info" -d "${set[@]}" >/dev/null
        t1=$(date +%s%N)
        times+=("$(awk -v n=$((t1 - t0)) 'BEGIN { printf "%.6f", n / 1e9 }')")
    done
fi

printf '%s\n' "${times[@]}" | sort -g | awk -v target="$target" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" \
    -v cpus="$(nproc)" '
    { t[NR] = $1 }
    END {
        median = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
        printf "median %.3f s (min %.3f, max %.3f, %d runs; %d cpus, load %s): %s the %.1f s target\n",
            median, t[1], t[NR], NR, cpus, load, median < target ? "under" : "OVER", target
    }'
