#!/bin/bash
# Storage pools and volumes end to end: a dir pool in the test root, raw
# and qcow2 volumes (one on a backing volume) made with the real qemu-img,
# resize, clone, wipe, delete; the test guest booting on a volume and
# seeing its size; the refusals around them; pools after a restart.
. "$(dirname "$0")/lib.sh"

guest_prepare || { echo "cannot build the test guest"; exit 1; }
daemon_start || exit 1

pool=e2e-pool
dir=$E2E_ROOT/pools/images
name=e2e-$E2E_NAME
serial=$E2E_ROOT/serial.log
SOCK="vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock"

# Pools
check "pool-define-as" vireo pool-define-as "$pool" dir --target "$dir"
expect_fail "pool-start without its directory says how to fix it" \
	"does not exist; create it with 'vireo pool-build $pool'" \
	vireo pool-start "$pool"
check "pool-build" vireo pool-build "$pool"
check "pool-build made the directory" test -d "$dir"
check "pool-start" vireo pool-start "$pool"
check "pool-autostart" vireo pool-autostart "$pool"
out_has "pool-list shows it active and autostarted" "^ $pool +active +yes$" \
	vireo pool-list
out_has "pool-info: running" "^State: +running$" vireo pool-info "$pool"
out_has "pool-list --details --json has its sizes" '"capacity": [1-9]' \
	vireo pool-list --details --json
expect_fail "unknown pool" "storage pool not found" vireo pool-info no-such-pool
expect_fail "a second pool on the same directory is refused" \
	"already uses directory" vireo pool-define-as other dir --target "$dir"

# Volumes
check "vol-create-as raw" vireo vol-create-as "$pool" base.raw 64M
check "vol-create-as qcow2 on a backing volume" vireo vol-create-as "$pool" \
	disk.qcow2 96M --format qcow2 --backing-vol base.raw \
	--backing-vol-format raw
out_has "vol-dumpxml shows the backing store" "<path>$dir/base.raw</path>" \
	vireo vol-dumpxml disk.qcow2 --pool "$pool"
out_has "qemu-img agrees on the backing file" "backing file: $dir/base.raw" \
	qemu-img info -U "$dir/disk.qcow2"
check "vol-resize +32M" vireo vol-resize disk.qcow2 32M --delta --pool "$pool"
out_has "vol-info: 128 MiB" "^Capacity: +128.00 MiB$" \
	vireo vol-info disk.qcow2 --pool "$pool"
expect_fail "shrinking needs --shrink" "without --shrink" \
	vireo vol-resize base.raw 1M --pool "$pool"
check "vol-clone" vireo vol-clone disk.qcow2 clone.qcow2 --pool "$pool"
out_has "the clone is a qcow2 of 128 MiB" '"capacity": 134217728' \
	vireo vol-info --json clone.qcow2 --pool "$pool"
printf 'some data' | dd of="$dir/base.raw" bs=1 seek=4096 conv=notrunc \
	status=none
check "vol-wipe raw" vireo vol-wipe base.raw --pool "$pool"
check "the wiped volume reads zeros" \
	cmp -s -n 1048576 "$dir/base.raw" /dev/zero
check "vol-wipe qcow2" vireo vol-wipe clone.qcow2 --pool "$pool"
out_has "vol-path" "^$dir/clone.qcow2$" vireo vol-path clone.qcow2 --pool "$pool"
out_has "vol-key" "^$dir/clone.qcow2$" vireo vol-key clone.qcow2 --pool "$pool"
out_has "vol-name by path" "^clone.qcow2$" vireo vol-name "$dir/clone.qcow2"
check "vol-delete by path" vireo vol-delete "$dir/clone.qcow2"
check "the file is gone" test ! -e "$dir/clone.qcow2"
cat >"$E2E_ROOT/vol.xml" <<XML
<volume>
  <name>fromxml.raw</name>
  <capacity unit='M'>2</capacity>
  <allocation unit='M'>2</allocation>
  <target><permissions><mode>0640</mode></permissions></target>
</volume>
XML
check "vol-create from XML" vireo vol-create "$pool" "$E2E_ROOT/vol.xml"
check "its mode is the XML's" test "$(stat -c %a "$dir/fromxml.raw")" = 640
expect_fail "names with '/' are refused" "invalid volume name" \
	vireo vol-create-as "$pool" 'a/b' 1M
expect_fail "names with '..' are refused" "invalid volume name" \
	vireo vol-create-as "$pool" '..' 1M

# Format probing: a guest that writes a qcow2 header (backing file of its
# choice) into its raw volume must not turn it into a qcow2 one.
check "vol-create-as raw for the trap" vireo vol-create-as "$pool" trap.raw 8M
qemu-img create -q -f qcow2 -b /etc/hostname -F raw "$E2E_ROOT/evil.qcow2" 8M
dd if="$E2E_ROOT/evil.qcow2" of="$dir/trap.raw" bs=64k count=1 conv=notrunc \
	status=none
check "pool-refresh" vireo pool-refresh "$pool"
if vireo vol-dumpxml trap.raw --pool "$pool" | grep -q "format type='qcow2'"; then
	not_ok "its XML says raw, not qcow2"
else
	ok "its XML says raw, not qcow2"
fi
if vireo vol-dumpxml trap.raw --pool "$pool" | grep -q "/etc/hostname"; then
	not_ok "the planted backing file is ignored"
else
	ok "the planted backing file is ignored"
fi
# A file the administrator puts there himself is probed.
cp "$E2E_ROOT/evil.qcow2" "$dir/found.qcow2"
check "pool-refresh" vireo pool-refresh "$pool"
out_has "a file put in the pool by hand is probed" "<format type='qcow2'/>" \
	vireo vol-dumpxml found.qcow2 --pool "$pool"
check "vol-delete the trap" vireo vol-delete trap.raw --pool "$pool"
check "vol-delete the found one" vireo vol-delete found.qcow2 --pool "$pool"
expect_fail "unknown volume" "storage volume not found" \
	vireo vol-info no-such-vol --pool "$pool"
: >"$dir/made-by-hand.img"
check "pool-refresh" vireo pool-refresh "$pool"
out_has "vol-list sees files made behind our back" "^ made-by-hand.img " \
	vireo vol-list "$pool"
check "read-only vol-list" vireo_ro vol-list "$pool" --details
expect_fail "read-only socket refuses vol-delete" "read-only" \
	vireo_ro vol-delete base.raw --pool "$pool"

# A guest on a volume
guest_xml "$name" "$serial" 128 | sed "s|<devices>|<devices>\\
    <disk type='volume' device='disk'>\\
      <source pool='$pool' volume='disk.qcow2'/>\\
      <target dev='vda' bus='virtio'/>\\
    </disk>|" >"$E2E_ROOT/dom.xml"
check "define a domain with a volume disk" vireo define "$E2E_ROOT/dom.xml"
out_has "domxml-to-native resolves the volume" "\"filename\":\"$dir/disk.qcow2\"" \
	vireo domxml-to-native qemu-argv "$E2E_ROOT/dom.xml"
check "start" vireo start "$name"
if wait_for "$serial" "VIREO-DISK vda size=" 90; then
	sectors=$(tr -d '\r' <"$serial" | sed -n 's/.*VIREO-DISK vda size=\([0-9]*\).*/\1/p' | head -1)
	check "the guest sees the volume's 128 MiB ($sectors sectors)" \
		test "$sectors" = 262144
else
	not_ok "the guest printed no VIREO-DISK line"
fi
out_has "dumpxml keeps the volume form" "<source pool='$pool' volume='disk.qcow2'/>" \
	vireo dumpxml "$name"
expect_fail "vol-delete of a volume in use names the domain" \
	"in use by running domain '$name'" vireo vol-delete disk.qcow2 --pool "$pool"
expect_fail "vol-wipe of a volume in use names the domain" \
	"in use by running domain '$name'" vireo vol-wipe disk.qcow2 --pool "$pool"
expect_fail "vol-resize of a volume in use names the domain" \
	"in use by running domain '$name'" vireo vol-resize disk.qcow2 1G --pool "$pool"

# Pools survive a restart of vireod, volumes stay in use.
daemon_stop
daemon_start || exit 1
out_has "after a restart the pool is active" "^State: +running$" \
	vireo pool-info "$pool"
expect_fail "after a restart the volume is still in use" \
	"in use by running domain '$name'" vireo vol-delete disk.qcow2 --pool "$pool"
check "destroy" vireo destroy "$name"
check "pool-destroy" vireo pool-destroy "$pool"
expect_fail "a domain on a volume of an inactive pool does not start" \
	"storage pool '$pool' is not active; start it with" vireo start "$name"
check "pool-start again" vireo pool-start "$pool"
expect_fail "pool-delete of a directory with volumes" "not empty" \
	bash -c "'$VIREO' -c '$SOCK' pool-destroy $pool && '$VIREO' -c '$SOCK' pool-delete $pool"
check "pool-start once more" vireo pool-start "$pool"
for v in disk.qcow2 base.raw fromxml.raw made-by-hand.img; do
	check "vol-delete $v" vireo vol-delete "$v" --pool "$pool"
done
check "undefine the domain" vireo undefine "$name"
check "pool-destroy" vireo pool-destroy "$pool"
check "pool-delete" vireo pool-delete "$pool"
check "the directory is gone" test ! -e "$dir"
check "pool-undefine" vireo pool-undefine "$pool"
expect_fail "the pool is gone" "storage pool not found" vireo pool-info "$pool"
check "daemon still up" daemon_alive

e2e_finish
