#!/bin/bash
# Device hotplug against a real guest (pc machine): attach-disk /
# detach-disk (the guest sees vdb come and go), attach-interface /
# detach-interface (eth1), change-media and update-device on an IDE cdrom,
# --config on an inactive domain, the status file across a daemon
# restart, a guest that does not release a device in time (paused), the
# refusals, and one q35 check (a free pcie-root-port is needed).
. "$(dirname "$0")/lib.sh"

# With root and ip, vireod runs in a network namespace of its own, where
# an interface of type network gets a real tap on a real bridge.
NS=vireo-e2e-hotplug-$$
IN_NS=()
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null && ip netns add "$NS"; then
	IN_NS=(ip netns exec "$NS")
	"${IN_NS[@]}" ip link set lo up
	E2E_DAEMON_WRAPPER="${IN_NS[*]}"
	hp_cleanup() {
		e2e_cleanup
		ip netns del "$NS" 2>/dev/null
	}
	trap hp_cleanup EXIT
fi

guest_prepare || { echo "cannot build the test guest"; exit 1; }
daemon_start || exit 1
name=e2e-$E2E_TAG
serial=$E2E_ROOT/serial.log
img=$E2E_ROOT/disk1.qcow2
root=$E2E_ROOT/root.raw
iso1=$E2E_ROOT/media1.iso
iso2=$E2E_ROOT/media2.iso

qemu-img create -q -f qcow2 "$img" 16M
qemu-img create -q -f raw "$root" 1M
chmod 600 "$img"
head -c 1048576 /dev/urandom >"$iso1"
head -c 2097152 /dev/urandom >"$iso2"
chmod 600 "$iso1" "$iso2"

# The test guest with a disk (vda), a user-mode NIC (eth0) and an empty
# IDE cdrom (hdc). The guest names virtio disks in probe order: the
# hot-plugged one is its vdb.
guest_xml "$name" "$serial" 256 | sed "s|<devices>|<devices>\\
    <disk type='file' device='disk'>\\
      <driver name='qemu' type='raw'/>\\
      <source file='$root'/>\\
      <target dev='vda' bus='virtio'/>\\
    </disk>\\
    <disk type='file' device='cdrom'>\\
      <driver name='qemu' type='raw'/>\\
      <target dev='hdc' bus='ide'/>\\
      <readonly/>\\
    </disk>\\
    <interface type='user'><mac address='52:54:00:aa:bb:00'/>\\
      <model type='virtio'/><link state='down'/></interface>|" \
	>"$E2E_ROOT/dom.xml"
check "define" vireo define "$E2E_ROOT/dom.xml"

# Inactive domain: --config only; --live is refused.
expect_fail "attach-disk --live on an inactive domain is refused" \
	"domain '$name' is not running" \
	vireo attach-disk "$name" "$img" vdb --subdriver qcow2 --live
check "attach-disk --config on an inactive domain" \
	vireo attach-disk "$name" "$img" vdc --subdriver qcow2 --config
out_has "dumpxml --inactive has vdc" "<target dev='vdc' bus='virtio'/>" \
	vireo dumpxml --inactive "$name"
check "detach-disk --config" vireo detach-disk "$name" vdc --config
if vireo dumpxml --inactive "$name" | grep -q "dev='vdc'"; then
	not_ok "vdc still in the config after detach-disk --config"
else
	ok "vdc gone from the config"
fi
expect_fail "detach of a disk that does not exist" \
	"domain '$name' has no disk 'vdz'" vireo detach-disk "$name" vdz
expect_fail "attach-interface --live on an inactive domain is refused" \
	"is not running" vireo attach-interface "$name" user --live
expect_fail "a cdrom cannot be on virtio" "cdrom" \
	vireo attach-disk "$name" "$iso1" vdd --type cdrom --config

expect_fail "the read-only socket refuses attach-device" "read-only" \
	vireo_ro attach-disk "$name" "$img" vdc --config

# Boot.
check "start" vireo start "$name"
check "boots" wait_for "$serial" VIREO-GUEST-READY 90
qpid=$(pgrep -f -- "guest=$name" | head -1)

# attach-disk live: the guest sees vdb and its size.
check "attach-disk vdb (qcow2, live)" \
	vireo attach-disk "$name" "$img" vdb --subdriver qcow2
check "guest sees vdb" wait_for "$serial" "VIREO-BLOCK vda vdb" 20
check "guest sees its size (16 MiB)" wait_for "$serial" \
	"VIREO-DISK vdb size=32768" 20
out_has "live XML has vdb with a PCI address" \
	"<target dev='vdb' bus='virtio'/>" vireo dumpxml "$name"
check "QEMU's user got the image" test "$(stat -c %U "$img")" != root
check "status file has vdb" grep -q "vdb" "$E2E_ROOT/run/qemu/$name.status"
if vireo dumpxml --inactive "$name" | grep -q "dev='vdb'"; then
	not_ok "a live-only attach changed the config"
else
	ok "a live-only attach leaves the config alone"
fi
expect_fail "attach of a target already in use" "duplicate disk target" \
	vireo attach-disk "$name" "$img" vdb --subdriver qcow2

# The definition survives a daemon restart (status file).
daemon_stop
daemon_start || exit 1
out_has "vdb still there after a daemon restart" "dev='vdb'" \
	vireo dumpxml "$name"

# detach-disk live: vdb goes away, the image is given back.
n0=$(tr -d '\r' <"$serial" | grep -c "VIREO-BLOCK")
check "detach-disk vdb" vireo detach-disk "$name" vdb
check "guest no longer sees vdb" wait_until 20 bash -c \
	"tr -d '\r' <'$serial' | grep 'VIREO-BLOCK' | tail -1 | grep -q 'VIREO-BLOCK vda *\$' && [ \$(tr -d '\r' <'$serial' | grep -c VIREO-BLOCK) -gt $n0 ]"
if vireo dumpxml "$name" | grep -q "dev='vdb'"; then
	not_ok "vdb still in the live XML"
else
	ok "vdb gone from the live XML"
fi
check "image given back to root" test "$(stat -c %U "$img")" = root
expect_fail "detach of a disk no longer there" "has no disk 'vdb'" \
	vireo detach-disk "$name" vdb

# Interfaces: eth1 comes and goes.
mac=52:54:00:aa:bb:01
check "attach-interface user" \
	vireo attach-interface "$name" user --model virtio --mac $mac
check "guest sees eth1" wait_for "$serial" "VIREO-NETS eth0 eth1" 20
out_has "live XML has the MAC" "$mac" vireo dumpxml "$name"
expect_fail "detach-interface without --mac needs a unique type" \
	"more than one interface of type 'user'" \
	vireo detach-interface "$name" user
check "detach-interface --mac" vireo detach-interface "$name" user --mac $mac
check "guest sees eth1 go" wait_until 20 bash -c \
	"tr -d '\r' <'$serial' | grep 'VIREO-NETS' | tail -1 | grep -q 'VIREO-NETS eth0 *\$'"
expect_fail "detach of an interface that does not exist" \
	"has no interface with MAC $mac" \
	vireo detach-interface "$name" user --mac $mac

# An interface on a virtual network: a tap from the network driver,
# passed to QEMU with getfd, released at detach.
if [ ${#IN_NS[@]} -gt 0 ]; then
	cat >"$E2E_ROOT/net.xml" <<XML
<network>
  <name>e2ehp</name>
  <bridge name='vbr-e2ehp'/>
</network>
XML
	check "net-create a network" vireo net-create "$E2E_ROOT/net.xml"
	mac2=52:54:00:aa:bb:02
	check "attach-interface network" \
		vireo attach-interface "$name" network e2ehp --mac $mac2
	check "guest sees eth1 on the network" wait_for "$serial" \
		"VIREO-NETS eth0 eth1" 20
	tap=$(vireo dumpxml "$name" | grep -A4 "$mac2" |
		sed -n "s/.*<target dev='\([^']*\)'.*/\1/p")
	check "live XML names the tap ($tap)" test -n "$tap"
	check "the tap is on the bridge" bash -c \
		"ip netns exec $NS ip link show '$tap' | grep -q 'master vbr-e2ehp'"
	check "detach-interface network" \
		vireo detach-interface "$name" network --mac $mac2
	check "the tap is gone" wait_until 10 bash -c \
		"! ip netns exec $NS ip link show '$tap' >/dev/null 2>&1"
	check "net-destroy" vireo net-destroy e2ehp
else
	echo "not root or no ip netns: interface type network not checked"
fi

# A volume disk resolves through the storage driver, as at start.
check "pool-define-as" vireo pool-define-as hp dir --target "$E2E_ROOT/pool"
check "pool-build" vireo pool-build hp
check "pool-start" vireo pool-start hp
check "vol-create-as" vireo vol-create-as hp vol.qcow2 8M --format qcow2
cat >"$E2E_ROOT/vol.xml" <<XML
<disk type='volume' device='disk'>
  <driver name='qemu' type='qcow2'/>
  <source pool='hp' volume='vol.qcow2'/>
  <target dev='vdc' bus='virtio'/>
</disk>
XML
check "attach-device of a volume disk" \
	vireo attach-device "$name" "$E2E_ROOT/vol.xml"
check "guest sees the volume (8 MiB)" wait_for "$serial" \
	"VIREO-DISK vdb size=16384" 20
check "detach-device of the volume disk" \
	vireo detach-device "$name" "$E2E_ROOT/vol.xml"
check "guest lost it" wait_until 20 bash -c \
	"tr -d '\r' <'$serial' | grep 'VIREO-BLOCK' | tail -1 | grep -q 'VIREO-BLOCK vda *\$'"

# Link state: eth0 started with its link down (set_link at start).
out_has "eth0 started with its link down" "<link state='down'/>" \
	vireo dumpxml "$name"
cat >"$E2E_ROOT/link.xml" <<XML
<interface type='user'>
  <mac address='52:54:00:aa:bb:00'/>
  <model type='virtio'/>
  <link state='up'/>
</interface>
XML
check "update-device sets the link up" \
	vireo update-device "$name" "$E2E_ROOT/link.xml"
out_has "live XML: link up" "<link state='up'/>" vireo dumpxml "$name"
out_has "config still down (live only)" "<link state='down'/>" \
	vireo dumpxml --inactive "$name"
sed -i "s/state='up'/state='down'/" "$E2E_ROOT/link.xml"
check "update-device --persistent sets it down" \
	vireo update-device "$name" "$E2E_ROOT/link.xml" --persistent
out_has "live XML: link down" "<link state='down'/>" vireo dumpxml "$name"
sed -i "s/type='virtio'/type='e1000'/" "$E2E_ROOT/link.xml"
expect_fail "update-device cannot change the model" \
	"only <link state> can be updated" \
	vireo update-device "$name" "$E2E_ROOT/link.xml"

# change-media on the IDE cdrom: QEMU opens and closes the files.
qemu_has() { ls -l "/proc/$qpid/fd" 2>/dev/null | grep -q -- "$1"; }
check "change-media --insert" vireo change-media "$name" hdc "$iso1" --insert
check "QEMU opened media1" qemu_has media1.iso
out_has "live XML has the medium" "media1.iso" vireo dumpxml "$name"
check "change-media --update (by source path)" \
	vireo change-media "$name" "$iso1" "$iso2" --update
check "QEMU opened media2" qemu_has media2.iso
check "QEMU closed media1" bash -c "! ls -l /proc/$qpid/fd | grep -q media1.iso"
check "media1 given back" test "$(stat -c %U "$iso1")" = root
check "change-media --eject" vireo change-media "$name" hdc --eject
check "QEMU closed media2" bash -c "! ls -l /proc/$qpid/fd | grep -q media2.iso"
if vireo dumpxml "$name" | grep -q "media2.iso"; then
	not_ok "ejected medium still in the live XML"
else
	ok "ejected medium gone from the live XML"
fi
cat >"$E2E_ROOT/cd.xml" <<XML
<disk type='file' device='cdrom'>
  <driver name='qemu' type='raw'/>
  <source file='$iso1'/>
  <target dev='hdc' bus='ide'/>
  <readonly/>
</disk>
XML
check "update-device inserts a medium" \
	vireo update-device "$name" "$E2E_ROOT/cd.xml"
check "QEMU opened media1 again" qemu_has media1.iso
expect_fail "change-media on a disk that is not a cdrom" "not a cdrom" \
	vireo change-media "$name" vda "$iso2" --insert --config
echo "<interface type='user'/>" >"$E2E_ROOT/if.xml"
expect_fail "update-device of an interface needs its MAC" "needs <mac" \
	vireo update-device "$name" "$E2E_ROOT/if.xml"
echo "<disk type='file'><source file='$img'/><target dev='vda'/></disk>" \
	>"$E2E_ROOT/vda.xml"
expect_fail "update-device of a plain disk is refused" \
	"medium of a cdrom or the link state" \
	vireo update-device "$name" "$E2E_ROOT/vda.xml"

# --persistent: live and config, with the address the guest saw.
check "attach-disk --persistent" \
	vireo attach-disk "$name" "$img" vdb --subdriver qcow2 --persistent
check "guest sees vdb again" wait_until 20 bash -c \
	"tr -d '\r' <'$serial' | grep 'VIREO-BLOCK' | tail -1 | grep -q 'vda vdb'"
slot=$(vireo dumpxml "$name" | grep -A3 "dev='vdb'" | grep -o "slot='[^']*'")
out_has "config has vdb at the live address ($slot)" "$slot" \
	bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' dumpxml --inactive $name | grep -A3 \"dev='vdb'\""

# A guest that does not release the device (paused) in time.
check "suspend" vireo suspend "$name"
t0=$SECONDS
expect_fail "detach from a paused guest times out with a clear message" \
	"guest did not release device 'vdb' within 10 s \(is the guest OS running with ACPI hotplug support\?\)" \
	vireo detach-disk "$name" vdb --live
check "the wait is bounded (~10 s)" test $((SECONDS - t0)) -le 20
out_has "vdb stays in the live XML meanwhile" "dev='vdb'" vireo dumpxml "$name"
check "resume" vireo resume "$name"
check "late release finishes the detach" wait_until 30 bash -c \
	"! '$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' dumpxml $name | grep -q \"dev='vdb'\""
check "guest lost vdb" wait_until 20 bash -c \
	"tr -d '\r' <'$serial' | grep 'VIREO-BLOCK' | tail -1 | grep -q 'VIREO-BLOCK vda *\$'"
out_has "config kept vdb (--live only)" "dev='vdb'" \
	vireo dumpxml --inactive "$name"
check "destroy" vireo destroy "$name"
check "image given back after the late release" \
	test "$(stat -c %U "$img")" = root

# q35: a hot-plugged device needs a free pcie-root-port (paused guest:
# the address is QEMU's business, not the guest's).
q35=$name-q35
guest_xml "$q35" "$E2E_ROOT/q35.log" 256 | sed \
	-e "s|machine='pc'|machine='q35'|" \
	-e "s|<devices>|<devices><controller type='pci' index='1' model='pcie-root-port'/>|" \
	>"$E2E_ROOT/q35.xml"
check "q35: define" vireo define "$E2E_ROOT/q35.xml"
check "q35: start paused" vireo start "$q35" --paused
check "q35: attach-disk goes to the root port" \
	vireo attach-disk "$q35" "$img" vdb --subdriver qcow2
out_has "q35: vdb on bus 1" "bus='0x01'" vireo dumpxml "$q35"
expect_fail "q35: no second free root port" "no free pcie-root-port" \
	vireo attach-interface "$q35" user
check "q35: destroy" vireo destroy "$q35"

e2e_finish
