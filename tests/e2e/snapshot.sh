#!/bin/bash
# Snapshots on a real guest booted (TCG) with a qcow2 disk attached:
# internal snapshots with memory state (revert takes the serial counter
# back), of a shut-off domain (qemu-img), the tree, current, info,
# dumpxml; an external --disk-only snapshot of the running guest (it
# keeps running on the overlay); deleting never removes an image that a
# domain, another snapshot or a volume still needs; refusals.
. "$(dirname "$0")/lib.sh"

guest_prepare || { echo "cannot build the test guest"; exit 1; }
cat >"$E2E_ROOT/vireod.conf" <<'CONF'
job_wait_timeout_ms = 500
CONF
E2E_DAEMON_ARGS="--config $E2E_ROOT/vireod.conf"
daemon_start || exit 1

name=e2e-$E2E_TAG
serial=$E2E_ROOT/serial.log
img=$E2E_ROOT/img
mkdir -p "$img"
chmod 755 "$img"
qemu-img create -q -f qcow2 "$img/vm.qcow2" 64M
qemu-img create -q -f raw "$img/raw.img" 16M

# guest_with_disk NAME SERIAL FILE FORMAT: the test guest with disk vda.
guest_with_disk() {
	guest_xml "$1" "$2" 256 | sed "s|<devices>|<devices>\\
    <disk type='file' device='disk'>\\
      <driver name='qemu' type='$4'/>\\
      <source file='$3'/>\\
      <target dev='vda' bus='virtio'/>\\
    </disk>|"
}
guest_with_disk "$name" "$serial" "$img/vm.qcow2" qcow2 >"$E2E_ROOT/dom.xml"
state() { vireo domstate "$name" 2>&1; }
tags() { qemu-img snapshot -U -l "$1" 2>&1; }
# Counter lines printed after line $1 of the serial log.
counters_after() {
	tr -d '\r' <"$serial" | tail -n +"$(($1 + 1))" |
		grep -Eo 'VIREO-COUNTER [0-9]+' | awk '{print $2}'
}
lines() { wc -l <"$serial"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

check "define" vireo define "$E2E_ROOT/dom.xml"

# A shut-off domain: a disk-only internal snapshot through qemu-img.
out_has "snapshot-create-as of a shut-off domain" \
	"^Domain snapshot off1 created$" \
	vireo snapshot-create-as "$name" off1 --description "before boot"
out_has "the tag is in the image" "off1" tags "$img/vm.qcow2"
out_has "state shutoff" "<state>shutoff</state>" \
	vireo snapshot-dumpxml "$name" off1
out_has "no memory state" "<memory snapshot='no'/>" \
	vireo snapshot-dumpxml "$name" off1

# Boot from the qcow2-disk domain.
check "start" vireo start "$name"
check "guest boots" wait_for "$serial" VIREO-GUEST-READY 90
check "counter reaches 3" wait_until 60 \
	bash -c "[ \$(tr -d '\r' <'$serial' | grep -Eo 'VIREO-COUNTER [0-9]+' | tail -1 | awk '{print \$2}') -ge 3 ] 2>/dev/null"

# Internal snapshot with memory at counter ~n1.
t0=$(now_ms)
out_has "internal snapshot of the running guest" "^Domain snapshot s1 created$" \
	vireo snapshot-create-as "$name" s1 --description "counter test"
n1=$(last_counter "$serial")
echo "# snapshot s1 (256 MiB guest, memory) at counter $n1: $(($(now_ms) - t0)) ms"
check "running after the snapshot" test "$(state)" = running
out_has "s1 has memory state" "<memory snapshot='internal'/>" \
	vireo snapshot-dumpxml "$name" s1
out_has "s1 records the running state" "<state>running</state>" \
	vireo snapshot-dumpxml "$name" s1
out_has "s1's parent is off1" "<parent>" vireo snapshot-dumpxml "$name" s1
out_has "s1 carries the domain" "<domain type=" \
	vireo snapshot-dumpxml "$name" s1
check "counter goes on 5 past the snapshot" wait_until 60 \
	bash -c "[ \$(tr -d '\r' <'$serial' | grep -Eo 'VIREO-COUNTER [0-9]+' | tail -1 | awk '{print \$2}') -ge $((n1 + 5)) ]"
out_has "second snapshot s2" "^Domain snapshot s2 created$" \
	vireo snapshot-create-as "$name" s2
out_has "snapshot-current is s2" "^s2$" vireo snapshot-current "$name" --name
out_has "snapshot-current prints its XML" "<name>s2</name>" \
	vireo snapshot-current "$name"

# The tree: off1 -> s1 -> s2.
tree=$(vireo snapshot-list "$name" --tree 2>&1)
echo "$tree" | sed 's/^/# /'
if [ "$(echo "$tree" | grep -n 'off1' | cut -d: -f1)" = 1 ] &&
	echo "$tree" | grep -Eq '^  \+- s1$' &&
	echo "$tree" | grep -Eq '^      \+- s2$'; then
	ok "snapshot-list --tree shows off1 > s1 > s2"
else
	not_ok "snapshot-list --tree shows off1 > s1 > s2"
fi
out_has "snapshot-list table" "^ s1 +[0-9-]+ [0-9:]+ [-+][0-9]+ +running" \
	vireo snapshot-list "$name"
out_has "snapshot-list --parent" "^ s2 .* s1 *$" \
	vireo snapshot-list "$name" --parent
info=$(vireo snapshot-info "$name" s1 2>&1)
if grep -Eq '^Parent: +off1$' <<<"$info" &&
	grep -Eq '^Children: +1$' <<<"$info" &&
	grep -Eq '^Location: +internal$' <<<"$info" &&
	grep -Eq '^Current: +no$' <<<"$info" &&
	grep -Eq '^State: +running$' <<<"$info"; then
	ok "snapshot-info s1"
else
	not_ok "snapshot-info s1 ($info)"
fi
out_has "snapshot-info off1: 2 descendants" "^Descendants: +2$" \
	vireo snapshot-info "$name" off1
out_has "snapshot-info --current" "^Name: +s2$" \
	vireo snapshot-info "$name" --current
out_has "read-only connections list snapshots" "s1" \
	vireo_ro snapshot-list "$name" --name
expect_fail "read-only connections cannot snapshot" "read-only" \
	vireo_ro snapshot-create-as "$name" ro

# Revert to s1: the guest resumes where s1 was taken.
before=$(last_counter "$serial")
mark=$(lines)
t0=$(now_ms)
check "snapshot-revert s1" vireo snapshot-revert "$name" s1
echo "# snapshot-revert s1 (running): $(($(now_ms) - t0)) ms"
# The guest may still print a line or two before the revert stops it:
# the first counter below the one before is the reverted guest's.
went_back() { counters_after "$mark" | awk -v b="$before" '$1 < b' | head -1; }
reverted() { [ -n "$(went_back)" ]; }
check "counter printed after the revert" wait_until 30 reverted
after=$(went_back)
echo "# counter $before before the revert, $after after (s1 at $n1)"
if [ -n "$after" ] && [ "$after" -gt 1 ] && [ "$after" -le $((n1 + 2)) ] &&
	[ "$after" -lt "$before" ]; then
	ok "counter went back to about the snapshot's ($after, s1 at $n1)"
else
	not_ok "counter after revert: '$after' (s1 at $n1, before $before)"
fi
check "running after the revert" test "$(state)" = running
out_has "snapshot-current is s1 after the revert" "^s1$" \
	vireo snapshot-current "$name" --name

# A paused guest's snapshot comes back paused.
check "suspend" vireo suspend "$name"
check "snapshot of the paused guest" vireo snapshot-create-as "$name" p1
out_has "p1 records the paused state" "<state>paused</state>" \
	vireo snapshot-dumpxml "$name" p1
check "resume" vireo resume "$name"
check "snapshot-revert --current (p1)" vireo snapshot-revert "$name" --current
check "paused after the revert to p1" test "$(state)" = paused
check "resume after p1" vireo resume "$name"

# Refusals.
expect_fail "revert to a missing snapshot" "has no snapshot named 'nope'" \
	vireo snapshot-revert "$name" nope
expect_fail "duplicate name" "already has a snapshot named 's1'" \
	vireo snapshot-create-as "$name" s1
expect_fail "a name with '/'" "invalid snapshot name 'a/b'" \
	vireo snapshot-create-as "$name" a/b
expect_fail "the name '..'" "invalid snapshot name '\.\.'" \
	vireo snapshot-create-as "$name" ..
expect_fail "dumpxml of a missing snapshot" "has no snapshot named 'nope'" \
	vireo snapshot-dumpxml "$name" nope
expect_fail "delete of a missing snapshot" "has no snapshot named 'nope'" \
	vireo snapshot-delete "$name" nope
expect_fail "snapshot of a missing domain" "domain not found" \
	vireo snapshot-create-as "$name-nope" x
rawdom=$name-raw
guest_with_disk "$rawdom" "$E2E_ROOT/raw.log" "$img/raw.img" raw >"$E2E_ROOT/raw.xml"
check "define a domain with a raw disk" vireo define "$E2E_ROOT/raw.xml"
expect_fail "internal snapshot with a raw disk" \
	"disk 'vda' is raw: internal snapshots need qcow2" \
	vireo snapshot-create-as "$rawdom" r1
expect_fail "undefine of a domain with snapshots" \
	"has 4 snapshots.*--snapshots-metadata" vireo undefine "$name"

# A domain whose job is held (its start waits for "go"): refused.
slow=$name-slow
cat >"$E2E_ROOT/slow-qemu" <<SH
#!/bin/sh
while [ ! -e "$E2E_ROOT/go" ]; do sleep 0.05; done
exec /usr/bin/qemu-system-x86_64 "\$@"
SH
chmod +x "$E2E_ROOT/slow-qemu"
guest_with_disk "$slow" "$E2E_ROOT/slow.log" "$img/raw.img" raw |
	sed "s|<devices>|<devices><emulator>$E2E_ROOT/slow-qemu</emulator>|" >"$E2E_ROOT/slow.xml"
check "define the slow domain" vireo define "$E2E_ROOT/slow.xml"
vireo start "$slow" --paused >/dev/null 2>&1 &
spid=$!
check "the start holds the job" wait_until 10 \
	bash -c "pgrep -f '$E2E_ROOT/slow-qemu' >/dev/null"
expect_fail "snapshot while a job runs" "job 'start' has held it" \
	vireo snapshot-create-as "$slow" busy
touch "$E2E_ROOT/go"
wait "$spid"
vireo destroy "$slow" >/dev/null 2>&1
vireo undefine "$slow" >/dev/null 2>&1

# Revert of a shut-off domain to a snapshot with memory starts it there.
check "destroy" vireo destroy "$name"
mark=$(lines)
t0=$(now_ms)
check "revert the shut-off domain to s1" vireo snapshot-revert "$name" s1
echo "# snapshot-revert s1 (shut off: start + load): $(($(now_ms) - t0)) ms"
check "running from s1" test "$(state)" = running
check "counter printed after the start from s1" wait_until 30 \
	bash -c "[ -n \"\$(tr -d '\r' <'$serial' | tail -n +$((mark + 1)) | grep -Eo 'VIREO-COUNTER [0-9]+')\" ]"
after=$(counters_after "$mark" | head -1)
if [ -n "$after" ] && [ "$after" -gt 1 ] && [ "$after" -le $((n1 + 2)) ]; then
	ok "started from the snapshot's memory (counter $after, s1 at $n1)"
else
	not_ok "counter after the start from s1: '$after' (s1 at $n1)"
fi
if tr -d '\r' <"$serial" | tail -n +"$((mark + 1))" | grep -q VIREO-GUEST-READY; then
	not_ok "no fresh boot"
else
	ok "no fresh boot"
fi

# A snapshot without memory: the guest is shut off, the disk rewound.
check "revert to the shut-off snapshot off1" vireo snapshot-revert "$name" off1
check "shut off after the revert to off1" test "$(state)" = "shut off"
out_has "snapshot-current is off1" "^off1$" vireo snapshot-current "$name" --name
check "revert to s1 starts it again" vireo snapshot-revert "$name" s1
check "running from s1 again" test "$(state)" = running

# Deleting an internal snapshot removes its tag only.
out_has "snapshot-delete s2" "^Domain snapshot s2 deleted$" \
	vireo snapshot-delete "$name" s2
if tags "$img/vm.qcow2" | grep -qw s2; then
	not_ok "the tag s2 is gone from the image"
else
	ok "the tag s2 is gone from the image"
fi
out_has "the tag s1 stays" "s1" tags "$img/vm.qcow2"

# External, disk-only: an existing file is never overwritten.
echo keep >"$img/vm.busy"
expect_fail "an overlay over an existing file is refused" \
	"cannot create overlay '$img/vm.busy': the file exists" \
	vireo snapshot-create-as "$name" busy --disk-only
check "the existing file is untouched" grep -qx keep "$img/vm.busy"
out_has "the guest stays on its image" "<source file='$img/vm.qcow2'/>" \
	vireo dumpxml "$name"

# External, disk-only: the running guest moves to an overlay.
mark=$(lines)
t0=$(now_ms)
out_has "external snapshot of the running guest" \
	"^Domain snapshot ext1 created$" \
	vireo snapshot-create-as "$name" ext1 --disk-only
echo "# snapshot-create-as --disk-only (running): $(($(now_ms) - t0)) ms"
check "the overlay exists" test -f "$img/vm.ext1"
out_has "the overlay's backing file is the image" \
	"backing file: $img/vm.qcow2" qemu-img info -U "$img/vm.ext1"
out_has "dumpxml names the overlay" "<source file='$img/vm.ext1'/>" \
	vireo dumpxml "$name"
out_has "the persistent definition too" "<source file='$img/vm.ext1'/>" \
	vireo dumpxml "$name" --inactive
# The live XML shows the chain QEMU has open, as libvirt's does.
chain=$(vireo dumpxml "$name" | tr -d '\n' | sed 's/>  */>/g')
if grep -q "<source file='$img/vm.ext1'/><backingStore type='file'><format type='qcow2'/><source file='$img/vm.qcow2'/><backingStore/></backingStore>" <<<"$chain"; then
	ok "the live XML shows the backing chain"
else
	not_ok "the live XML shows the backing chain: $(vireo dumpxml "$name" | grep -A6 '<disk')"
fi
check "the inactive XML has no chain" bash -c "! '$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' dumpxml $name --inactive | grep -q backingStore"
out_has "ext1 is external" "snapshot='external'" \
	vireo snapshot-dumpxml "$name" ext1
out_has "snapshot-info: external" "^Location: +external$" \
	vireo snapshot-info "$name" ext1
check "the guest keeps running" wait_until 30 \
	bash -c "[ \$(tr -d '\r' <'$serial' | tail -n +$((mark + 1)) | grep -c VIREO-COUNTER) -ge 3 ]"
check "still running" test "$(state)" = running
qpid=$(pgrep -f -- "guest=$name," | head -1)
out_has "QEMU has the overlay open" "$img/vm.ext1" ls -l "/proc/$qpid/fd"
expect_fail "revert to s1 would write under the overlay" \
	"image '$img/vm.qcow2' is in the backing chain of disk 'vda' of running domain '$name'" \
	vireo snapshot-revert "$name" s1
expect_fail "revert to an external snapshot is refused" \
	"snapshot 'ext1': it is external" vireo snapshot-revert "$name" ext1

# Delete safety: ext1's overlay is the running disk, its base the
# backing file: both stay, the reply says why.
out_has "deleting ext1 keeps the overlay in use" \
	"kept '$img/vm.ext1': disk 'vda' of running domain '$name' uses it" \
	vireo snapshot-delete "$name" ext1
check "the overlay survives" test -f "$img/vm.ext1"
check "the base image survives" test -f "$img/vm.qcow2"
if vireo snapshot-list "$name" --name | grep -qx ext1; then
	not_ok "ext1's metadata is gone"
else
	ok "ext1's metadata is gone"
fi
check "the guest still runs" test "$(state)" = running
out_has "qemu-img check of the overlay" "No errors" \
	qemu-img check -U "$img/vm.ext1"

# A hot-plugged disk gets an overlay too; detaching it closes both.
qemu-img create -q -f qcow2 "$img/hp.qcow2" 16M
check "attach-disk vdb" vireo attach-disk "$name" "$img/hp.qcow2" vdb \
	--subdriver qcow2
check "the guest sees vdb" wait_for "$serial" "VIREO-BLOCK vda vdb" 30
check "external snapshot ext2 with the hot-plugged disk" \
	vireo snapshot-create-as "$name" ext2 --disk-only
out_has "vdb's overlay" "backing file: $img/hp.qcow2" \
	qemu-img info -U "$img/hp.ext2"
out_has "vdb runs on its overlay" "$img/hp.ext2" ls -l "/proc/$qpid/fd"
mark=$(lines)
check "detach-disk vdb" vireo detach-disk "$name" vdb
check "the guest lost vdb" wait_until 30 bash -c \
	"tr -d '\r' <'$serial' | tail -n +$((mark + 1)) | grep -q 'VIREO-BLOCK vda\$'"
if wait_until 10 bash -c "! ls -l /proc/$qpid/fd | grep -q '$img/hp\.'"; then
	ok "QEMU closed vdb's overlay and image"
else
	not_ok "QEMU still has vdb's files open: $(ls -l /proc/$qpid/fd | grep "$img/hp\.")"
fi
out_has "deleting ext2: vda's overlay is kept" \
	"kept '$img/vm.ext2': disk 'vda' of running domain '$name' uses it" \
	vireo snapshot-delete "$name" ext2
check "vdb's unused overlay was deleted" test ! -e "$img/hp.ext2"
check "vdb's image stays" test -f "$img/hp.qcow2"

# An inactive domain: chains of overlays, a volume, a domain using them.
d2=$name-two
qemu-img create -q -f qcow2 "$img/d2.qcow2" 16M
guest_with_disk "$d2" "$E2E_ROOT/d2.log" "$img/d2.qcow2" qcow2 >"$E2E_ROOT/d2.xml"
check "define a second domain" vireo define "$E2E_ROOT/d2.xml"
check "external snapshot e2 of the inactive domain" \
	vireo snapshot-create-as "$d2" e2 --disk-only
check "external snapshot e3 on top" \
	vireo snapshot-create-as "$d2" e3 --disk-only
out_has "the definition names the newest overlay" \
	"<source file='$img/d2.e3'/>" vireo dumpxml "$d2"
out_has "e3's overlay sits on e2's" "backing file: $img/d2.e2" \
	qemu-img info -U "$img/d2.e3"
out_has "deleting e2 keeps its overlay: the disk's backing chain" \
	"kept '$img/d2.e2': disk 'vda' of domain '$d2' uses it" \
	vireo snapshot-delete "$d2" e2
check "e2's overlay survives" test -f "$img/d2.e2"
out_has "e3's parent moved up to the root" "^e3$" \
	vireo snapshot-list "$d2" --tree
# The user goes back to the base image by hand; a pool volume is made
# on e3's overlay: e3's overlay is still needed.
# back_to_base: redefine the second domain on its base image (same UUID).
back_to_base() {
	vireo dumpxml "$d2" --inactive |
		sed "s|<source file='[^']*'/>|<source file='$img/d2.qcow2'/>|" >"$E2E_ROOT/d2b.xml" &&
		vireo define "$E2E_ROOT/d2b.xml" >/dev/null
}
check "redefine the domain on its base image" back_to_base
pool=$name-pool
mkdir -p "$E2E_ROOT/pool"
check "pool-define-as" vireo pool-define-as "$pool" dir --target "$E2E_ROOT/pool"
check "pool-start" vireo pool-start "$pool"
check "a volume on e3's overlay" vireo vol-create-as "$pool" top.qcow2 16M \
	--format qcow2 --backing-vol "$img/d2.e3"
out_has "deleting e3 keeps the overlay a volume needs (--children)" \
	"kept '$img/d2.e3': the backing chain of volume '$pool/top.qcow2' uses it" \
	vireo snapshot-delete "$d2" e3 --children
check "e3's overlay survives" test -f "$img/d2.e3"
# Snapshots sharing images: f1 (internal, on the base) stays; its image
# is not deleted with f2's metadata.
check "vol-delete the volume" vireo vol-delete top.qcow2 --pool "$pool"
check "external snapshot f1 again" vireo snapshot-create-as "$d2" f1 --disk-only
check "redefine on the base image" back_to_base
out_has "an unused overlay is deleted" "deleted overlay '$img/d2.f1'" \
	vireo snapshot-delete "$d2" f1
check "the unused overlay is gone" test ! -e "$img/d2.f1"
check "the base image stays" test -f "$img/d2.qcow2"
# Another snapshot's overlay sits on k1's: k1's overlay stays.
check "external snapshot k1" vireo snapshot-create-as "$d2" k1 --disk-only
check "external snapshot k2 on top" vireo snapshot-create-as "$d2" k2 --disk-only
check "back on the base image" back_to_base
out_has "deleting k1 keeps the overlay another snapshot's overlay needs" \
	"kept '$img/d2.k1': the overlay of disk 'vda' of snapshot 'k2' of domain '$d2' uses it" \
	vireo snapshot-delete "$d2" k1
check "k1's overlay survives" test -f "$img/d2.k1"
out_has "k2's overlay still reads its backing file" "No errors" \
	qemu-img check "$img/d2.k2"
out_has "k2's unused overlay is deleted with k2" "deleted overlay '$img/d2.k2'" \
	vireo snapshot-delete "$d2" k2
check "external snapshot g1 for --metadata" \
	vireo snapshot-create-as "$d2" g1 --disk-only
check "redefine on the base image again" back_to_base
check "snapshot-delete --metadata" vireo snapshot-delete "$d2" g1 --metadata
check "--metadata leaves the overlay" test -f "$img/d2.g1"

# Undefine: refused with snapshots, --snapshots-metadata drops them.
check "internal snapshot h1 of the inactive domain" \
	vireo snapshot-create-as "$d2" h1
expect_fail "undefine with a snapshot" "has 1 snapshots" vireo undefine "$d2"
check "undefine --snapshots-metadata" vireo undefine "$d2" --snapshots-metadata
check "the image keeps its internal snapshot" bash -c "qemu-img snapshot -U -l '$img/d2.qcow2' | grep -qw h1"

# Metadata survives a daemon restart; the guest too.
daemon_stop
daemon_start || exit 1
out_has "snapshots after a daemon restart" "^s1$" \
	vireo snapshot-list "$name" --name
out_has "current after a daemon restart" "^s1$" \
	vireo snapshot-current "$name" --name

expect_fail "a running domain's backing file keeps its tags" \
	"image '$img/vm.qcow2' is a backing file now" \
	vireo snapshot-delete "$name" s1 --children
check "destroy" vireo destroy "$name"
check "snapshot-delete s1 --children (shut off)" \
	vireo snapshot-delete "$name" s1 --children
if tags "$img/vm.qcow2" | grep -qw s1; then
	not_ok "the tag s1 is gone from the backing file"
else
	ok "the tag s1 is gone from the backing file"
fi
out_has "the overlay is still sound" "No errors" qemu-img check "$img/vm.ext1"
# The domain starts again on its overlay (QEMU reads the base through it).
: >"$serial"
check "start on the overlay" vireo start "$name"
check "boots from the overlay" wait_for "$serial" VIREO-GUEST-READY 90
out_has "QEMU opened the overlay" "$img/vm.ext1" \
	ls -l "/proc/$(pgrep -f -- "guest=$name," | head -1)/fd"
check "destroy" vireo destroy "$name"
out_has "off1 is left" "^off1$" vireo snapshot-list "$name" --name
check "undefine --snapshots-metadata" vireo undefine "$name" --snapshots-metadata
check "undefine the raw domain" vireo undefine "$rawdom"
vireo pool-destroy "$pool" >/dev/null 2>&1
e2e_finish
