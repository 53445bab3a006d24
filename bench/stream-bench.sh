#!/bin/bash
# Data stream benchmark: vol-upload and vol-download of a BENCH_MIB
# (default 512) MiB raw volume through the real vireo and vireod, next to
# a plain cp of the same file into the same directory (the ceiling), and
# vireod's CPU time per GiB moved. Each figure is the median of N runs
# (default 3). Prints figures; asserts nothing. Run from the build
# directory (`make bench-streams`) or with BUILDDIR set.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILDDIR:-$(pwd)}
[ -x "$build/vireod" ] || build=$top/build
export VR_SCHEMA_DIR=$top/xml-schemas
root=$(mktemp -d /tmp/vireo-stream-bench.XXXXXX)
sock=$root/run/vireod.sock
pool=$root/pool
MIB=${BENCH_MIB:-512}
N=${BENCH_N:-3}
dpid=

cleanup() {
	if [ -n "$dpid" ]; then
		kill "$dpid" 2>/dev/null || true
		wait "$dpid" 2>/dev/null || true
	fi
	rm -rf "$root"
}
trap cleanup EXIT

vireo() { "$build/vireo" -c "vireo+unix:///system?socket=$sock" "$@"; }
. "$top/bench/lib.sh"

# CPU time of vireod so far, in ms.
daemon_cpu_ms() {
	awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' \
		"/proc/$dpid/stat"
}

# rate LABEL COMMAND...: N runs; the median MiB/s, and vireod's CPU.
rate() {
	local label=$1 i t0 c0 rates=() cpu=0
	shift
	for ((i = 0; i < N; i++)); do
		c0=$(daemon_cpu_ms)
		t0=$(now_us)
		"$@" >/dev/null
		rates+=("$(echo "$MIB / (($(now_us) - $t0) / 1000000)" | bc -l)")
		cpu=$((cpu + $(daemon_cpu_ms) - c0))
	done
	printf '%-34s %8.0f MiB/s   vireod CPU %5.0f ms/GiB\n' "$label" \
		"$(printf '%s\n' "${rates[@]}" | sort -g | sed -n "$(((N + 1) / 2))p")" \
		"$(echo "$cpu / $N * 1024 / $MIB" | bc -l)"
}

"$build/vireod" --root "$root" >"$root/vireod.log" 2>&1 &
dpid=$!
for _ in $(seq 1 500); do [ -S "$sock" ] && break; sleep 0.01; done
vireo pool-define-as bench dir --target "$pool" >/dev/null
vireo pool-build bench >/dev/null
vireo pool-start bench >/dev/null
vireo vol-create-as bench v.raw "${MIB}M" >/dev/null
head -c "${MIB}M" /dev/urandom >"$root/src"

echo "data streams, $MIB MiB, median of $N runs ($(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)):"
rate "cp into the pool's directory" cp "$root/src" "$pool/copy.raw"
rm -f "$pool/copy.raw"
rate "vol-upload" vireo vol-upload v.raw "$root/src" --pool bench
rate "vol-download to /dev/null" vireo vol-download v.raw /dev/null --pool bench
rate "vol-download to a file" vireo vol-download v.raw "$root/dst" --pool bench
echo "vireod peak RSS: $(awk '/VmHWM/ { print $2 }' "/proc/$dpid/status") KiB"
