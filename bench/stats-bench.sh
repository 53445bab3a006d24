#!/bin/bash
# domstats of 1000 defined domains (each with a disk and an interface),
# all inactive, then with 3 of them running (paused test guests): each
# figure a whole `vireo` process, mean of N runs. Prints figures; asserts
# nothing. Run from the build directory (`make bench-stats`).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILDDIR:-$(pwd)}
[ -x "$build/vireod" ] || build=$top/build
export VR_SCHEMA_DIR=$top/xml-schemas
guest=${VIREO_GUEST_DIR:-/var/cache/vireo-test-guest}
root=$(mktemp -d /tmp/vireo-bench-stats.XXXXXX)
chmod 755 "$root"
sock=$root/run/vireod.sock
N=${BENCH_N:-20}
NDOM=${BENCH_DOMAINS:-1000}
dpid=

cleanup() {
	[ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	pkill -9 -f -- "$root" 2>/dev/null || true
	rm -rf "$root"
}
trap cleanup EXIT

vireo() { "$build/vireo" -c "vireo+unix:///system?socket=$sock" "$@"; }
. "$top/bench/lib.sh"

# stats LABEL ARGS...: the whole command (mean), then the daemon's own time
# for the call (median of its "dom-get-stats done (N us)" log lines).
stats() {
	local label=$1 before
	shift
	before=$(grep -c "dom-get-stats done" "$root/vireod.log" || true)
	avg_ms "$label" "-" vireo domstats "$@"
	grep "dom-get-stats done" "$root/vireod.log" | tail -n +$((before + 1)) |
		awk '{ print substr($(NF - 1), 2) }' | sort -n |
		awk '{ v[NR] = $1 } END { printf "%-42s %8.2f ms\n",
		    "  in vireod (median)", v[int((NR + 1) / 2)] / 1000 }'
}

dom_xml() {
	cat <<XML
<domain type='qemu'><name>$1</name><memory unit='MiB'>128</memory>
<vcpu current='1'>2</vcpu><os><type arch='x86_64' machine='pc'>hvm</type>
<kernel>$guest/vmlinuz</kernel><initrd>$guest/initrd.gz</initrd>
<cmdline>console=ttyS0 quiet</cmdline></os>
<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/>
<source file='$root/disk-$1.raw'/><target dev='vda' bus='virtio'/></disk>
<interface type='user'/>
<memballoon model='virtio'><stats period='1'/></memballoon></devices></domain>
XML
}

echo "machine: $(nproc) CPUs, $(uname -r), load $(cut -d' ' -f1 /proc/loadavg); $NDOM domains, N=$N"
"$build/vireod" --root "$root" --verbose >>"$root/vireod.log" 2>&1 &
dpid=$!
until vireo hostname >/dev/null 2>&1; do sleep 0.01; done
for i in $(seq 1 "$NDOM"); do
	truncate -s 64M "$root/disk-s$i.raw"
	dom_xml "s$i" >"$root/s$i.xml"
	vireo define "$root/s$i.xml" >/dev/null
done

avg_ms "list --all (reference)" "-" vireo list --all
stats "domstats --state, all inactive" --state
stats "domstats (all groups), all inactive"
stats "domstats --json, all inactive" --json
bytes=$(vireo domstats | wc -c)
printf '%-42s %8d bytes\n' "  text output" "$bytes"

for i in 1 2 3; do vireo start --paused "s$i" >/dev/null; done
stats "domstats (all groups), 3 running"
stats "domstats --list-active, 3 running" --list-active
stats "domstats of 1 running domain" s1
avg_ms "dominfo (one RPC, reference)" "-" vireo dominfo s1
rss=$(awk '/VmRSS/ {print $2}' "/proc/$dpid/status")
printf '%-42s %8.2f MiB\n' "daemon RSS after the runs" \
	"$(echo "$rss / 1024" | bc -l)"
