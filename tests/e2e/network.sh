#!/bin/bash
# Virtual networks end to end. Everything runs inside a network namespace
# this test creates (and deletes): vireod, so its bridges, taps, addresses,
# nft tables and dnsmasqs, and the guests. No packet leaves the namespace:
# guests only talk to the bridge and to each other.
#
# A NAT network like libvirt's default with DHCP: a guest gets a lease with
# busybox udhcpc and pings the bridge; net-dhcp-leases shows the lease. An
# isolated network: two guests with static DHCP hosts ping each other.
# net-destroy removes bridge, taps, dnsmasq and the nft table. Plus the
# refusals, a daemon crash, a dnsmasq that dies, and interfaces of type
# ethernet.
. "$(dirname "$0")/lib.sh"

NS=vireo-e2e-net-$$
IN_NS=(ip netns exec "$NS")

if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null ||
	[ ! -x /usr/sbin/dnsmasq ] || [ ! -x /usr/sbin/nft ]; then
	echo "needs root, ip, dnsmasq and nft (scripts/deps.sh): skipped"
	exit 77
fi
if ! ip netns add "$NS"; then
	echo "cannot create a network namespace: skipped"
	exit 77
fi
net_cleanup() {
	e2e_cleanup
	ip netns del "$NS" 2>/dev/null
}
trap net_cleanup EXIT
"${IN_NS[@]}" ip link set lo up
fwd0=$("${IN_NS[@]}" cat /proc/sys/net/ipv4/ip_forward)

guest_prepare || { echo "cannot build the test guest"; exit 1; }
E2E_DAEMON_WRAPPER="${IN_NS[*]}" daemon_start || exit 1

ns_has_link() { "${IN_NS[@]}" ip link show "$1" >/dev/null 2>&1; }
ns_has_table() { "${IN_NS[@]}" nft list tables 2>/dev/null | grep -qx "table inet $1"; }
# (functions, not bash -c: pgrep -f would find the pattern in bash's argv)
dnsmasq_of() { pgrep -f -- "--conf-file=$E2E_ROOT/run/network/$1.conf"; }
no_dnsmasq() { ! pgrep -f -- "--conf-file=$E2E_ROOT/run/network/$1" >/dev/null; }
dnsmasq_replaced() { local p; p=$(dnsmasq_of "$1") && [ "$p" != "$2" ]; }
bridge_of() { vireo net-info "$1" | awk '/^Bridge:/ {print $2}'; }

# net_guest_xml NAME SERIAL MAC SOURCE-TYPE SOURCE CMDLINE-EXTRA
net_guest_xml() {
	local attr=network
	[ "$4" = bridge ] && attr=bridge
	cat <<XML
<domain type='$(guest_virt_type)'>
  <name>$1</name>
  <memory unit='MiB'>192</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$VIREO_GUEST_DIR/vmlinuz</kernel>
    <initrd>$VIREO_GUEST_DIR/initrd.gz</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet $6</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <interface type='$4'>
      <mac address='$3'/>
      <source $attr='$5'/>
      <model type='virtio'/>
    </interface>
    <serial type='file'>
      <source path='$2'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
XML
}

# --- a NAT network like libvirt's default ---
cat >"$E2E_ROOT/nat.xml" <<'XML'
<network>
  <name>e2enat</name>
  <forward mode='nat'/>
  <ip address='192.168.150.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.150.100' end='192.168.150.199'/>
    </dhcp>
  </ip>
  <ip family='ipv6' address='fd00:e2e:150::1' prefix='64'/>
</network>
XML
check "net-define" vireo net-define "$E2E_ROOT/nat.xml"
check "net-list --all shows it inactive" \
	bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' net-list --all | grep -Eq 'e2enat +inactive +no +yes'"
t0=$(date +%s%N)
check "net-start" vireo net-start e2enat
echo "net-start of a NAT network with DHCP: $(( ($(date +%s%N) - t0) / 1000000 )) ms (vireo included)"
br=$(bridge_of e2enat)
check "bridge $br exists in the namespace" ns_has_link "$br"
check "its address" bash -c "ip netns exec $NS ip -4 addr show $br | grep -q 192.168.150.1/24"
check "its IPv6 address" bash -c "ip netns exec $NS ip -6 addr show $br | grep -q fd00:e2e:150::1/64"
check "dnsmasq sends router advertisements" grep -qx enable-ra "$E2E_ROOT/run/network/e2enat.conf"
check "the nft table forwards the IPv6 subnet" bash -c "ip netns exec $NS nft list table inet vireo_e2enat | grep -q 'ip6 saddr fd00:e2e:150::/64'"
check "IPv6 forwarding is on in the namespace" \
	bash -c "[ \$(ip netns exec $NS cat /proc/sys/net/ipv6/conf/all/forwarding) = 1 ]"
check "nft table vireo_e2enat" ns_has_table vireo_e2enat
check "dnsmasq runs" eval 'dnsmasq_of e2enat >/dev/null'
check "dnsmasq runs as vireo-dnsmasq, not root" \
	test "$(ps -o user= -p "$(dnsmasq_of e2enat | head -1)" 2>/dev/null)" = vireo-dnsmasq
check "forwarding is on in the namespace" \
	bash -c "[ \$(ip netns exec $NS cat /proc/sys/net/ipv4/ip_forward) = 1 ]"
expect_fail "net-start of an active network" "already active" \
	vireo net-start e2enat
check "net-info --json" bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' net-info e2enat --json | grep -q '\"active\": true'"
check "net-name of its uuid" bash -c "[ \"\$('$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' net-name \$('$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' net-uuid e2enat))\" = e2enat ]"

# Refusals
sed -e 's/e2enat/e2eover/' -e 's/192.168.150/192.168.150/' -e '/ipv6/d' \
	"$E2E_ROOT/nat.xml" >"$E2E_ROOT/over.xml"
check "define an overlapping network" vireo net-define "$E2E_ROOT/over.xml"
expect_fail "overlapping subnet refused" "overlaps network 'e2enat'" \
	vireo net-start e2eover
sed -e 's/e2enat/e2esame/' -e "s|<forward mode='nat'/>|<bridge name='$br'/>|" \
	-e 's/192.168.150/192.168.151/g' -e '/ipv6/d' "$E2E_ROOT/nat.xml" >"$E2E_ROOT/same.xml"
check "define a network on the same bridge" vireo net-define "$E2E_ROOT/same.xml"
expect_fail "bridge in use refused" "bridge '$br' is in use" \
	vireo net-start e2esame
"${IN_NS[@]}" ip route add 10.77.0.0/16 dev lo
sed -e 's/e2enat/e2eroute/' -e 's/192.168.150/10.77.3/g' -e '/ipv6/d' \
	"$E2E_ROOT/nat.xml" >"$E2E_ROOT/route.xml"
check "define a network under a host route" vireo net-define "$E2E_ROOT/route.xml"
expect_fail "host route overlap refused" "overlaps the host route 10.77.0.0/16" \
	vireo net-start e2eroute
check "refused starts left no bridge behind" bash -c "! ip netns exec $NS ip -br link | grep -q virbr[1-9]"
sed -e 's/192.168.150.1\x27/192.168.150.300\x27/' "$E2E_ROOT/nat.xml" \
	>"$E2E_ROOT/bad.xml"
expect_fail "invalid address refused with its line" "line 4: invalid value '192.168.150.300'" \
	vireo net-define "$E2E_ROOT/bad.xml"
for n in e2eover e2esame e2eroute; do vireo net-undefine "$n" >/dev/null; done

# A guest on it: DHCP lease and ping of the bridge
g1=e2e-$E2E_NAME-g1
mac1=52:54:00:e2:e0:01
net_guest_xml "$g1" "$E2E_ROOT/g1.log" "$mac1" network e2enat \
	"vireo.net=dhcp vireo.ping=192.168.150.1" >"$E2E_ROOT/g1.xml"
check "define a guest on the network" vireo define "$E2E_ROOT/g1.xml"
check "start it" vireo start "$g1"
tap1=$(vireo dumpxml "$g1" | sed -n "s/.*<target dev='\([^']*\)'.*/\1/p")
check "live XML names its tap ($tap1)" test -n "$tap1"
check "tap $tap1 is on $br" bash -c "ip netns exec $NS ip link show $tap1 | grep -q 'master $br'"
if wait_for "$E2E_ROOT/g1.log" "VIREO-DHCP eth0 ip=192.168.150.1[0-9][0-9]/24" 180; then
	ok "guest got a lease: $(tr -d '\r' <"$E2E_ROOT/g1.log" | grep -o 'VIREO-DHCP.*')"
else
	not_ok "guest got no DHCP lease"
	tr -d '\r' <"$E2E_ROOT/g1.log" | grep -v COUNTER | tail -5
fi
check "guest pings the bridge" wait_for "$E2E_ROOT/g1.log" "VIREO-PING 192.168.150.1 ok" 60
# SLAAC from dnsmasq's router advertisement: the address follows the MAC.
g1v6=fd00:e2e:150::5054:ff:fee2:e001
check "the guest took $g1v6 from the RA and answers ping from the namespace" \
	wait_until 60 ip netns exec "$NS" ping -6 -c1 -W1 "$g1v6"
check "net-dhcp-leases shows it" bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' net-dhcp-leases e2enat | grep -E '$mac1 +ipv4 +192.168.150.1[0-9]{2}/24'"
check "net-dhcp-leases --mac --json" bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' net-dhcp-leases e2enat --mac $mac1 --json | grep -q '\"mac\": \"$mac1\"'"
expect_fail "net-destroy of a network in use" "in use by running domains: $g1" \
	vireo net-destroy e2enat
check "destroy the guest" vireo destroy "$g1"
check "its tap is gone" bash -c "! ip netns exec $NS ip link show $tap1 2>/dev/null"

# net-update: a static host, live and in the config
check "net-update add ip-dhcp-host" vireo net-update e2enat add ip-dhcp-host \
	"<host mac='52:54:00:e2:e0:09' name='static9' ip='192.168.150.9'/>" --live --config
check "hosts file has it" grep -q "52:54:00:e2:e0:09,192.168.150.9,static9" \
	"$E2E_ROOT/run/network/e2enat.hostsfile"
check "persistent XML has it" bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' net-dumpxml --inactive e2enat | grep -q \"ip='192.168.150.9'\""
check "net-update delete" vireo net-update e2enat delete ip-dhcp-host \
	"<host mac='52:54:00:e2:e0:09' ip='192.168.150.9'/>" --live --config
check "hosts file lost it" bash -c "! grep -q static9 '$E2E_ROOT/run/network/e2enat.hostsfile'"

# dnsmasq that dies is restarted
old=$(dnsmasq_of e2enat)
kill -9 "$old"
if wait_until 10 dnsmasq_replaced e2enat "$old"; then
	ok "dnsmasq restarted after it died"
else
	not_ok "dnsmasq not restarted"
fi

# A daemon crash: the network stays, the new daemon takes it back
kill -9 "$E2E_DAEMON_PID"
wait "$E2E_DAEMON_PID" 2>/dev/null
E2E_DAEMON_WRAPPER="${IN_NS[*]}" daemon_start || exit 1
check "active again after a daemon crash" \
	bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' net-list | grep -Eq 'e2enat +active'"

t0=$(date +%s%N)
check "net-destroy" vireo net-destroy e2enat
echo "net-destroy took $(( ($(date +%s%N) - t0) / 1000000 )) ms"
check "bridge $br removed" bash -c "! ip netns exec $NS ip link show $br 2>/dev/null"
check "nft table removed" bash -c "! ip netns exec $NS nft list tables | grep -q vireo_e2enat"
check "dnsmasq stopped" no_dnsmasq e2enat
check "forwarding as it was before ($fwd0)" \
	bash -c "[ \$(ip netns exec $NS cat /proc/sys/net/ipv4/ip_forward) = $fwd0 ]"
expect_fail "a guest on an inactive network is refused" \
	"network 'e2enat' is not active" vireo start "$g1"

# --- an isolated network: two guests ping each other ---
mac2=52:54:00:e2:e1:02
mac3=52:54:00:e2:e1:03
cat >"$E2E_ROOT/iso.xml" <<XML
<network>
  <name>e2eiso</name>
  <bridge name='vbr-e2eiso'/>
  <ip address='10.231.0.1' prefix='24'>
    <dhcp>
      <host mac='$mac2' name='g2' ip='10.231.0.12'/>
      <host mac='$mac3' name='g3' ip='10.231.0.13'/>
    </dhcp>
  </ip>
</network>
XML
check "net-create an isolated network" vireo net-create "$E2E_ROOT/iso.xml"
check "its nft table rejects forwarding" bash -c "ip netns exec $NS nft list table inet vireo_e2eiso | grep -q reject"
g2=e2e-$E2E_NAME-g2
g3=e2e-$E2E_NAME-g3
net_guest_xml "$g2" "$E2E_ROOT/g2.log" "$mac2" network e2eiso \
	"vireo.net=dhcp vireo.ping=10.231.0.13" >"$E2E_ROOT/g2.xml"
net_guest_xml "$g3" "$E2E_ROOT/g3.log" "$mac3" bridge vbr-e2eiso \
	"vireo.net=dhcp vireo.ping=10.231.0.12" >"$E2E_ROOT/g3.xml"
check "create guest 2 (type network)" vireo create "$E2E_ROOT/g2.xml"
check "create guest 3 (type bridge)" vireo create "$E2E_ROOT/g3.xml"
sed -e "s/$g2/e2e-$E2E_NAME-dup/" -e 's/<uuid>[^<]*<\/uuid>//' \
	"$E2E_ROOT/g2.xml" >"$E2E_ROOT/dup.xml"
expect_fail "a second guest with the same MAC is refused" \
	"MAC address $mac2 is already used" vireo create "$E2E_ROOT/dup.xml"
# generous: two guests boot at once under TCG on a busy machine
check "guest 2 pings guest 3" wait_for "$E2E_ROOT/g2.log" "VIREO-PING 10.231.0.13 ok" 240
check "guest 3 pings guest 2" wait_for "$E2E_ROOT/g3.log" "VIREO-PING 10.231.0.12 ok" 120
for g in g2 g3; do
	if ! tr -d '\r' <"$E2E_ROOT/$g.log" | grep -q "VIREO-PING .* ok"; then
		echo "--- $g console ---"
		tr -d '\r' <"$E2E_ROOT/$g.log" | grep -v COUNTER | tail -5
	fi
done
check "net-destroy --force with guests on it" vireo net-destroy --force e2eiso
check "transient network gone" bash -c "! '$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' net-info e2eiso 2>/dev/null"
check "bridge vbr-e2eiso removed" bash -c "! ip netns exec $NS ip link show vbr-e2eiso 2>/dev/null"
vireo destroy "$g2" >/dev/null
vireo destroy "$g3" >/dev/null
check "no tap left" bash -c "! ip netns exec $NS ip -br link | grep -q '^vnet'"
check "no nft table left" bash -c "[ -z \"\$(ip netns exec $NS nft list tables)\" ]"
check "no dnsmasq left" no_dnsmasq ""

# --- type ethernet: an existing tap is used and left; else one of ours ---
"${IN_NS[@]}" ip tuntap add dev e2etap0 mode tap
g4=e2e-$E2E_NAME-g4
net_guest_xml "$g4" "$E2E_ROOT/g4.log" 52:54:00:e2:e4:01 ethernet x "" |
	sed -e "s|<source network='x'/>|<target dev='e2etap0'/>|" \
	>"$E2E_ROOT/g4.xml"
check "create a guest on an existing tap (paused)" \
	vireo create --paused "$E2E_ROOT/g4.xml"
check "destroy it" vireo destroy "$g4"
check "the existing tap is left alone" ns_has_link e2etap0
sed -e "s|<target dev='e2etap0'/>||" "$E2E_ROOT/g4.xml" >"$E2E_ROOT/g5.xml"
check "create a guest with a tap of its own (paused)" \
	vireo create --paused "$E2E_ROOT/g5.xml"
tap5=$(vireo dumpxml "$g4" | sed -n "s/.*<target dev='\([^']*\)'.*/\1/p")
check "its tap $tap5 exists, on no bridge" bash -c "ip netns exec $NS ip link show $tap5 >/dev/null && ! ip netns exec $NS ip link show $tap5 | grep -q master"
check "destroy it too" vireo destroy "$g4"
check "its tap is gone" bash -c "! ip netns exec $NS ip link show $tap5 2>/dev/null"

check "undefine the guest" vireo undefine "$g1"
check "net-undefine" vireo net-undefine e2enat
check "definition removed" test ! -e "$E2E_ROOT/etc/network/e2enat.xml"
check "daemon still up" daemon_alive

e2e_finish
