#!/bin/bash
# Network benchmark: net-start of a NAT network with DHCP (bridge,
# address, nft table, forwarding, dnsmasq started and serving), then
# net-destroy, NET_N times. Runs vireod inside a network namespace of its
# own, removed at the end. Prints figures; asserts nothing. Target:
# net-start <= 100 ms.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILDDIR:-$(pwd)}
[ -x "$build/vireod" ] || build=$top/build
export VR_SCHEMA_DIR=$top/xml-schemas
N=${NET_N:-20}
ns=vireo-bench-net-$$
root=$(mktemp -d /tmp/vireo-net-bench.XXXXXX)
sock=$root/run/vireod.sock
dpid=

cleanup() {
	[ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	pkill -9 -f -- "$root" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$root"
}
trap cleanup EXIT

vireo() { "$build/vireo" -c "vireo+unix:///system?socket=$sock" "$@"; }
now_us() { echo $(( $(date +%s%N) / 1000 )); }

if [ "$(id -u)" != 0 ] || ! ip netns add "$ns"; then
	echo "net-start: skipped (needs root and network namespaces)"
	exit 0
fi
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" "$build/vireod" --root "$root" >>"$root/vireod.log" 2>&1 &
dpid=$!
until vireo hostname >/dev/null 2>&1; do sleep 0.001; done
cat >"$root/net.xml" <<'XML'
<network>
  <name>bench</name>
  <forward mode='nat'/>
  <ip address='192.168.124.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.124.2' end='192.168.124.254'/>
    </dhcp>
  </ip>
</network>
XML
vireo net-define "$root/net.xml" >/dev/null

starts=()
destroys=()
for ((i = 0; i < N; i++)); do
	t0=$(now_us)
	vireo net-start bench >/dev/null
	t1=$(now_us)
	vireo net-destroy bench >/dev/null
	t2=$(now_us)
	starts+=($((t1 - t0)))
	destroys+=($((t2 - t1)))
done
# median and maximum in ms
stats() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
	    END { printf "median %6.1f ms   max %6.1f ms", v[int((NR + 1) / 2)] / 1000, v[NR] / 1000 }'
}
daemon=$(grep -o "network 'bench' started (bridge [^,]*, [0-9]* us)" \
	"$root/vireod.log" | grep -o '[0-9]* us' | awk '{print $1}')
printf '%-42s %s   (target <= 100 ms)\n' "net-start NAT+DHCP (vireo, $N runs)" \
	"$(stats "${starts[@]}")"
# shellcheck disable=SC2086
printf '%-42s %s\n' "net-start inside vireod" "$(stats $daemon)"
printf '%-42s %s\n' "net-destroy (vireo)" "$(stats "${destroys[@]}")"
