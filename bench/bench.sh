#!/bin/bash
# Vireo benchmarks. Prints figures; asserts nothing. Run from the build
# directory (`make bench`) or with BUILDDIR set. Each client operation is a
# whole `vireo` process, as an operator would type it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILDDIR:-$(pwd)}
[ -x "$build/vireod" ] || build=$top/build
export VR_SCHEMA_DIR=$top/xml-schemas
guest=${VIREO_GUEST_DIR:-/var/cache/vireo-test-guest}
root=$(mktemp -d /tmp/vireo-bench.XXXXXX)
sock=$root/run/vireod.sock
N=${BENCH_N:-200}
dpid=

cleanup() {
	[ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	pkill -9 -f -- "$root" 2>/dev/null || true
	rm -rf "$root"
}
trap cleanup EXIT

vireo() { "$build/vireo" -c "vireo+unix:///system?socket=$sock" "$@"; }
. "$top/bench/lib.sh"

# Sets dpid and start_us (start to first answer).
start_daemon() {
	local t0
	t0=$(now_us)
	"$build/vireod" --root "$root" >>"$root/vireod.log" 2>&1 &
	dpid=$!
	until vireo hostname >/dev/null 2>&1; do sleep 0.001; done
	start_us=$(( $(now_us) - t0 ))
}

dom_xml() {
	cat <<XML
<domain type='qemu'><name>$1</name><memory unit='MiB'>64</memory>
<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os></domain>
XML
}

echo "machine: $(nproc) CPUs, $(uname -r)"
start_daemon

avg_ms "connect + one RPC (vireo hostname)" "<= 2 ms" vireo hostname
for i in $(seq 1 1000); do dom_xml "b$i" >"$root/b$i.xml"; done
i=0
t0=$(now_us)
for i in $(seq 1 1000); do vireo define "$root/b$i.xml" >/dev/null; done
printf '%-42s %8.2f ms   (target %s)\n' "define" \
	"$(echo "($(now_us) - $t0) / 1000 / 1000" | bc -l)" "<= 3 ms"
avg_ms "list --all (1000 defined)" "<= 5 ms" vireo list --all
avg_ms "dominfo" "<= 2 ms" vireo dominfo b500
"$build/bench/loadgen" rpc "$sock" 16 50 b500 | sed 's/^/16 clients: /'
printf '%-42s %8s     (target %s)\n' "  (target for 16 x 50 dominfo)" "" ">= 1000 ops/s"

kill "$dpid"; wait "$dpid" 2>/dev/null || true
start_daemon
printf '%-42s %8.2f ms   (target %s)\n' "daemon start to answering (1000 defined)" \
	"$(echo "$start_us / 1000" | bc -l)" "<= 50 ms"
rss=$(awk '/VmRSS/ {print $2}' "/proc/$dpid/status")
printf '%-42s %8.2f MiB  (target %s)\n' "daemon RSS (1000 defined)" \
	"$(echo "$rss / 1024" | bc -l)" "<= 8 MiB"

# Start: a domain that boots nothing, against QEMU spawned by hand.
accel=tcg virt=qemu
if [ -e /sys/module/kvm_intel ] || [ -e /sys/module/kvm_amd ]; then
	accel=kvm virt=kvm
fi
cat >"$root/s.xml" <<XML
<domain type='$virt'><name>s</name><memory unit='MiB'>256</memory>
<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>
</domain>
XML
vireo define "$root/s.xml" >/dev/null
SN=${BENCH_START_N:-10}
tot=0 dtot=0 ops=0
for ((i = 0; i < SN; i++)); do
	t0=$(now_us); vireo start s >/dev/null; t1=$(now_us)
	tot=$((tot + t1 - t0))
	t0=$(now_us); vireo suspend s >/dev/null; vireo resume s >/dev/null; t1=$(now_us)
	ops=$((ops + t1 - t0))
	t0=$(now_us); vireo destroy s >/dev/null; t1=$(now_us)
	dtot=$((dtot + t1 - t0))
done
printf '%-42s %8.2f ms   (accel %s)\n' "start to running (boots nothing)" \
	"$(echo "$tot / $SN / 1000" | bc -l)" "$accel"
floor=0
for ((i = 0; i < SN; i++)); do
	f=$("$build/bench/loadgen" qemu-floor /usr/bin/qemu-system-x86_64 "$accel" |
		awk '{print $(NF-1)}')
	floor=$(echo "$floor + $f" | bc -l)
done
printf '%-42s %8.2f ms   (target: start within 1.2x)\n' \
	"  floor: raw QEMU + QMP handshake + cont" "$(echo "$floor / $SN" | bc -l)"
printf '%-42s %8.2f ms   (target %s)\n' "suspend or resume" \
	"$(echo "$ops / $SN / 2 / 1000" | bc -l)" "<= 3 ms"
printf '%-42s %8.2f ms   (target %s)\n' "destroy" \
	"$(echo "$dtot / $SN / 1000" | bc -l)" "<= 25 ms"
vireo start s >/dev/null
avg_ms "setmem (live balloon)" "<= 3 ms" vireo setmem s 200M
vireo destroy s >/dev/null
