#!/bin/bash
# fs pools end to end: an ext4 file system made by pool-build on an image
# file, mounted by pool-start on the pool's directory, volumes in it,
# unmounted by pool-destroy (refused while a file in it is open), and
# mounted again after a vireod restart. Skipped where loop mounts are not
# allowed.
. "$(dirname "$0")/lib.sh"

img=$E2E_ROOT/fs.img
mnt=$E2E_ROOT/mnt
pool=e2e-fs
trap 'umount "$mnt" 2>/dev/null; e2e_cleanup' EXIT

mounted() { grep -q " $mnt " /proc/self/mounts; }

truncate -s 64M "$img"
mkdir -p "$E2E_ROOT/probe"
truncate -s 8M "$E2E_ROOT/probe.img"
mkfs.ext4 -q -F "$E2E_ROOT/probe.img" >/dev/null 2>&1
if ! mount "$E2E_ROOT/probe.img" "$E2E_ROOT/probe" 2>/dev/null; then
	echo "SKIP: loop mounts are not allowed here"
	exit 77
fi
umount "$E2E_ROOT/probe"
daemon_start || exit 1

cat >"$E2E_ROOT/pool.xml" <<XML
<pool type='fs'>
  <name>$pool</name>
  <source>
    <device path='$img'/>
    <format type='ext4'/>
  </source>
  <target>
    <path>$mnt</path>
  </target>
</pool>
XML
check "pool-define of an fs pool" vireo pool-define "$E2E_ROOT/pool.xml"
out_has "pool-dumpxml keeps the source" "<device path='$img'/>" \
	vireo pool-dumpxml "$pool"
expect_fail "pool-start without its directory says how to fix it" \
	"create it with 'vireo pool-build $pool'" vireo pool-start "$pool"
check "pool-build makes the directory and the file system" \
	vireo pool-build "$pool"
out_has "the image holds ext4" "TYPE=\"ext4\"" blkid "$img"
check "pool-start" vireo pool-start "$pool"
check "the file system is mounted on the pool's directory" mounted
check "vol-create-as in it" vireo vol-create-as "$pool" v.qcow2 8M --format qcow2
out_has "vol-list shows the volume, not lost+found" "^ v.qcow2 +$mnt/v.qcow2$" \
	vireo vol-list "$pool"
out_has "pool-info has the file system's size" "^Capacity: +[5-6][0-9]\.[0-9]+ MiB$" \
	vireo pool-info "$pool"

exec 3<"$mnt/v.qcow2"
expect_fail "pool-destroy while a file is open says so" "busy" \
	vireo pool-destroy "$pool"
check "the pool stays active" bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' pool-info $pool | grep -q 'State: *running'"
exec 3<&-

daemon_stop
umount "$mnt"
daemon_start || exit 1
check "after a restart the pool is mounted again" mounted
out_has "and its volume is there" "^ v.qcow2 " vireo vol-list "$pool"

check "pool-destroy unmounts" vireo pool-destroy "$pool"
if mounted; then not_ok "unmounted after pool-destroy"; else ok "unmounted after pool-destroy"; fi
check "pool-build keeps an existing file system" vireo pool-build "$pool"
check "pool-start" vireo pool-start "$pool"
check "the volume survived the rebuild" test -f "$mnt/v.qcow2"
check "vol-delete" vireo vol-delete v.qcow2 --pool "$pool"
check "pool-destroy" vireo pool-destroy "$pool"
check "pool-delete removes the directory" vireo pool-delete "$pool"
check "the directory is gone" test ! -e "$mnt"
check "pool-undefine" vireo pool-undefine "$pool"

e2e_finish
