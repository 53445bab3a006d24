#!/bin/bash
# Storage benchmark: a dir pool of 10,000 volumes (9,000 sparse raw files,
# 1,000 qcow2 images on a backing file), then pool-start, pool-refresh and
# vol-list timed through the real vireo, each a whole process as an
# operator would type it. Prints figures; asserts nothing. Run from the
# build directory (`make bench-storage`) or with BUILDDIR set.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILDDIR:-$(pwd)}
[ -x "$build/vireod" ] || build=$top/build
export VR_SCHEMA_DIR=$top/xml-schemas
root=$(mktemp -d /tmp/vireo-stg-bench.XXXXXX)
sock=$root/run/vireod.sock
pool=$root/pool
NVOL=${BENCH_VOLUMES:-10000}
NQCOW=$((NVOL / 10))
N=${BENCH_N:-20}
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

# once_ms LABEL TARGET COMMAND...
once_ms() {
	local label=$1 target=$2 t0
	shift 2
	t0=$(now_us)
	"$@" >/dev/null
	printf '%-42s %8.2f ms   (target %s)\n' "$label" \
		"$(echo "($(now_us) - $t0) / 1000" | bc -l)" "$target"
}

# The daemon's own figure for the last scan of the pool.
scan_us() {
	grep -Eo "storage pool 'bench': [0-9]+ volumes \([0-9]+ us\)" \
		"$root/vireod.log" | tail -1 | sed 's/.*(\([0-9]*\) us)/\1/'
}

echo "machine: $(nproc) CPUs, $(uname -r); pool on $(df --output=fstype "$root" | tail -1)"
mkdir -p "$pool"
t0=$(now_us)
(cd "$pool" && seq -f 'raw-%05g.img' 1 $((NVOL - NQCOW)) |
	xargs truncate -s 1G)
qemu-img create -q -f raw "$root/base.raw" 1G
qemu-img create -q -f qcow2 -b "$root/base.raw" -F raw "$root/t.qcow2" 2G
mapfile -t qcows < <(seq -f "$pool/vm-%05g.qcow2" 1 "$NQCOW")
tee "${qcows[@]}" <"$root/t.qcow2" >/dev/null
printf 'made %d files (%d qcow2) in %.1f s\n' "$(ls "$pool" | wc -l)" "$NQCOW" \
	"$(echo "($(now_us) - $t0) / 1000000" | bc -l)"

"$build/vireod" --root "$root" >>"$root/vireod.log" 2>&1 &
dpid=$!
until vireo hostname >/dev/null 2>&1; do sleep 0.01; done
vireo pool-define-as bench dir --target "$pool" >/dev/null
avg_ms "floor: connect + one RPC (hostname)" "<= 2 ms" vireo hostname

once_ms "pool-start ($NVOL vols, first scan)" "<= 1000 ms" \
	vireo pool-start bench
printf '%-42s %8.2f ms\n' "  of which the scan in vireod" \
	"$(echo "$(scan_us) / 1000" | bc -l)"
avg_ms "pool-refresh ($NVOL volumes)" "<= 1000 ms" vireo pool-refresh bench
printf '%-42s %8.2f ms\n' "  of which the last scan in vireod" \
	"$(echo "$(scan_us) / 1000" | bc -l)"
avg_ms "vol-list ($NVOL volumes)" "<= 50 ms" vireo vol-list bench
avg_ms "vol-list --details" "<= 50 ms" vireo vol-list bench --details
avg_ms "vol-list --json" "" vireo vol-list bench --json
avg_ms "vol-info (one qcow2)" "<= 2 ms" vireo vol-info vm-00500.qcow2 \
	--pool bench
avg_ms "pool-info" "<= 2 ms" vireo pool-info bench
once_ms "vol-create-as qcow2 (qemu-img)" "" \
	vireo vol-create-as bench new.qcow2 1G --format qcow2
n=$(vireo vol-list bench | tail -n +3 | wc -l)
echo "volumes listed: $n"
rss=$(awk '/VmRSS/ {print $2}' "/proc/$dpid/status")
printf '%-42s %8.2f MiB\n' "daemon RSS ($n volumes)" \
	"$(echo "$rss / 1024" | bc -l)"
