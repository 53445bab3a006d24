#!/bin/bash
# save, restore, managedsave, managedsave-remove and save-image-dumpxml on
# the real test guest (one boot shared by every check): the guest's serial
# counter goes on across save/restore and managed save (no reboot), a
# managed image survives a daemon restart, refusals are clear, and a daemon
# killed during a save leaves no file under the final name.
. "$(dirname "$0")/lib.sh"

guest_prepare || { echo "cannot build the test guest"; exit 1; }
# vireo-qemu may use the read-write socket: a client other than root.
printf 'unix_sock_group = "vireo-qemu"\nunix_sock_rw_perms = "0660"\n' \
	>"$E2E_ROOT/save.conf"
E2E_DAEMON_ARGS="--config $E2E_ROOT/save.conf"
daemon_start || exit 1
name=e2e-$E2E_TAG
serial=$E2E_ROOT/serial.log
managed=$E2E_ROOT/lib/qemu/save/$name.save
# Two vCPUs, one online at boot (setvcpus plugs the other), and a virtio
# disk: its queue count follows the vCPUs QEMU booted with.
truncate -s 16M "$E2E_ROOT/disk.img"
# memcheck (tests/guest/memcheck.c): every restore must bring back every
# page as it was saved.
E2E_GUEST_CMDLINE="console=ttyS0 panic=-1 quiet vireo.memcheck=64" \
guest_xml "$name" "$serial" 256 |
	sed -e "s|<vcpu>1</vcpu>|<vcpu current='1'>2</vcpu>|" \
		-e "s|<devices>|<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='$E2E_ROOT/disk.img'/><target dev='vdb' bus='virtio'/></disk>|" \
		>"$E2E_ROOT/dom.xml"
state() { vireo domstate --reason "$name" 2>&1; }
qemu_pid() { pgrep -f -- "guest=$name" | head -1; }
lines() { wc -l <"$serial"; }
# Serial lines printed after line $1.
since() { tail -n +"$(($1 + 1))" "$serial" | tr -d '\r'; }
# counter_after LINE VALUE: a counter above VALUE printed after LINE.
counter_after() {
	since "$1" | grep -Eo 'VIREO-COUNTER [0-9]+' |
		awk -v v="$2" '$2 > v {f = 1} END {exit !f}'
}
# no_reboot LINE: no boot since LINE (no READY marker, no counter 1).
no_reboot() {
	! since "$1" | grep -Eq 'VIREO-GUEST-READY|VIREO-COUNTER 1$'
}
now_ms() { date +%s%3N; }

check "define" vireo define "$E2E_ROOT/dom.xml"
check "start" vireo start "$name"
check "counter reaches 3" wait_for "$serial" "VIREO-COUNTER 3" 90

# Refusals while it runs: the guest goes on untouched.
expect_fail "save into a missing directory is refused" \
	"directory '$E2E_ROOT/nodir' does not exist" \
	vireo save "$name" "$E2E_ROOT/nodir/x.save"
touch "$E2E_ROOT/exists.save"
expect_fail "save over an existing file is refused" "already exists" \
	vireo save "$name" "$E2E_ROOT/exists.save"
expect_fail "save --running --paused is refused" "mutually exclusive" \
	vireo save "$name" "$E2E_ROOT/y.save" --running --paused
# A save that fails in QEMU (file system full): the guest runs on, no file.
mkdir "$E2E_ROOT/small"
if mount -t tmpfs -o size=16m vireo-e2e-save "$E2E_ROOT/small"; then
	mark=$(lines)
	c=$(last_counter "$serial")
	expect_fail "save to a full file system fails" "cannot save domain" \
		vireo save "$name" "$E2E_ROOT/small/full.save"
	check "nothing is left on the full file system" \
		test -z "$(ls -A "$E2E_ROOT/small")"
	umount -l "$E2E_ROOT/small"
	check "the guest runs on after the failed save" \
		test "$(state)" = "running (booted)"
	check "its counter goes on (> $c)" wait_until 30 counter_after "$mark" "$c"
else
	not_ok "cannot mount a small tmpfs for the failed save"
fi
check "still running after the refusals" test "$(state)" = "running (booted)"

# domjobinfo and domjobabort during a save: the target's file system is
# frozen once the save is under way, so QEMU's writes stall; the abort
# cancels the save, and after the thaw the guest runs on and no file is
# left.
mkdir "$E2E_ROOT/frozen"
truncate -s 512M "$E2E_ROOT/frozen.img"
if mkfs.ext4 -q -F "$E2E_ROOT/frozen.img" &&
	mount -o loop "$E2E_ROOT/frozen.img" "$E2E_ROOT/frozen"; then
	mark=$(lines)
	c=$(last_counter "$serial")
	vireo save "$name" "$E2E_ROOT/frozen/f.save" >"$E2E_ROOT/fsave.out" 2>&1 &
	sp=$!
	# Look as often as possible: the whole stream takes a few hundred ms.
	saving() {
		local end=$((SECONDS + 20))
		until "$VIREO" -c "vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock" \
			domjobinfo "$name" 2>/dev/null | grep -q '^Operation: *Save'; do
			[ $SECONDS -lt $end ] || return 1
		done
	}
	if saving && fsfreeze -f "$E2E_ROOT/frozen"; then
		out_has "domjobinfo shows the save" "^Job type: +Unbounded" \
			vireo domjobinfo "$name"
		check "domjobabort cancels the save" vireo domjobabort "$name"
		fsfreeze -u "$E2E_ROOT/frozen"
		wait "$sp"
		rc=$?
		check "the aborted save fails" test "$rc" -ne 0
		check "and says it was cancelled" \
			grep -q "cancelled by domjobabort" "$E2E_ROOT/fsave.out"
		check "no save file is left" \
			test -z "$(ls -A "$E2E_ROOT/frozen" | grep -v lost+found)"
		check "the guest runs again after the aborted save" \
			wait_until 10 bash -c "[ \"\$('$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate $name)\" = running ]"
		check "its counter goes on (> $c)" wait_until 30 counter_after "$mark" "$c"
		out_has "domjobinfo --completed says cancelled" \
			"^Job type: +Cancelled" vireo domjobinfo --completed "$name"
	else
		fsfreeze -u "$E2E_ROOT/frozen" 2>/dev/null
		wait "$sp"
		not_ok "the save was not seen under way ($(cat "$E2E_ROOT/fsave.out"))"
	fi
	umount "$E2E_ROOT/frozen"
else
	not_ok "cannot mount an ext4 file system for the aborted save"
fi
rm -f "$E2E_ROOT/frozen.img"
check "read-only socket cannot save" bash -c "! '$VIREO' -r -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' save $name $E2E_ROOT/ro.save 2>/dev/null && [ ! -e $E2E_ROOT/ro.save ]"

# save: QEMU gone, shut off (saved), a complete image.
pid=$(qemu_pid)
t0=$(now_ms)
out_has "save" "Domain '$name' saved to" vireo save "$name" "$E2E_ROOT/a.save"
save_ms=$(($(now_ms) - t0))
saved=$(last_counter "$serial")
check "QEMU is gone after save" wait_until 10 bash -c "! kill -0 $pid 2>/dev/null"
check "shut off (saved)" test "$(state)" = "shut off (saved)"
check "the image exists" test -s "$E2E_ROOT/a.save"
check "no temporary file is left" bash -c "! ls -A '$E2E_ROOT' | grep -q vireo-save"
out_has "save-image-dumpxml prints the definition" "<name>$name</name>" \
	vireo save-image-dumpxml "$E2E_ROOT/a.save"
expect_fail "save-image-dumpxml needs a read-write connection" \
	"read-only|readonly" vireo_ro save-image-dumpxml "$E2E_ROOT/a.save"
expect_fail "save of an inactive domain is refused" \
	"domain '$name' is not running" vireo save "$name" "$E2E_ROOT/b.save"

# restore: the counter goes on.
mark=$(lines)
t0=$(now_ms)
out_has "restore" "Domain restored from" vireo restore "$E2E_ROOT/a.save"
restore_ms=$(($(now_ms) - t0))
check "running (restored)" test "$(state)" = "running (restored)"
check "counter continues after restore (> $saved)" \
	wait_until 30 counter_after "$mark" "$saved"
check "no reboot across save/restore" no_reboot "$mark"
memcheck_after() { since "$1" | grep -q 'VIREO-MEMCHECK pass=[0-9]* ok'; }
check "memcheck goes on after the restore" wait_until 30 memcheck_after "$mark"
check "every page came back (memcheck)" memcheck_clean "$serial"
expect_fail "restore of a running domain is refused" "already active" \
	vireo restore "$E2E_ROOT/a.save"
# A client other than root may only name files it could open itself.
cp "$VIREO" "$E2E_ROOT/vireo-user"
chmod 755 "$E2E_ROOT/vireo-user"
as_user() {
	setpriv --reuid=vireo-qemu --regid=vireo-qemu --init-groups \
		"$E2E_ROOT/vireo-user" \
		-c "vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock" "$@"
}
mkdir "$E2E_ROOT/user"
chown vireo-qemu:vireo-qemu "$E2E_ROOT/user"
expect_fail "a non-root client cannot save where it cannot write" \
	"Permission denied" as_user save "$name" "$E2E_ROOT/u.save"
check "nothing was created there" test ! -e "$E2E_ROOT/u.save"
expect_fail "a non-root client cannot restore a file it cannot read" \
	"Permission denied" as_user restore "$E2E_ROOT/a.save"
expect_fail "nor read the definition in it" "Permission denied" \
	as_user save-image-dumpxml "$E2E_ROOT/a.save"
check "still running (restored)" test "$(state)" = "running (restored)"
saved=$(last_counter "$serial")
out_has "a non-root client saves into its own directory" "saved to" \
	as_user save "$name" "$E2E_ROOT/user/u.save"
check "the image belongs to that client" \
	test "$(stat -c %U "$E2E_ROOT/user/u.save")" = vireo-qemu
mark=$(lines)
out_has "and restores it" "Domain restored" \
	as_user restore "$E2E_ROOT/user/u.save"
check "counter continues after its restore" \
	wait_until 30 counter_after "$mark" "$saved"

echo "info: 256 MiB guest: save ${save_ms} ms, restore ${restore_ms} ms" \
	"(whole vireo commands), image $(stat -c %s "$E2E_ROOT/a.save") bytes"

# managedsave: shut off (saved), kept across a daemon restart, resumed by start.
out_has "managedsave" "state saved" vireo managedsave "$name"
saved=$(last_counter "$serial")
check "managed image in the state directory" test -s "$managed"
out_has "dominfo: managed save yes" "^Managed save: +yes" vireo dominfo "$name"
out_has "read-only dominfo sees it too" "^Managed save: +yes" \
	vireo_ro dominfo "$name"
out_has "list --all: shut off" "$name +shut off" vireo list --all
check "shut off (saved) after managedsave" test "$(state)" = "shut off (saved)"
expect_fail "undefine with a managed image is refused" "managed save image" \
	vireo undefine "$name"
daemon_stop
# As if the daemon had died while a start was loading the image (QEMU
# gone): the image is the managed save image again.
mv "$managed" "$managed.restoring"
daemon_start || exit 1
check "an interrupted start from the image puts it back" \
	test -s "$managed" -a ! -e "$managed.restoring"
out_has "managed save found again after a daemon restart" \
	"^Managed save: +yes" vireo dominfo "$name"
check "still shut off (saved) after the restart" test "$(state)" = "shut off (saved)"
expect_fail "restore while a managed image exists is refused" \
	"has a managed save image" vireo restore "$E2E_ROOT/a.save"
mark=$(lines)
check "start resumes from the managed image" vireo start "$name"
check "running (restored) after start" test "$(state)" = "running (restored)"
check "counter continues after managed save (> $saved)" \
	wait_until 30 counter_after "$mark" "$saved"
check "no reboot across managed save" no_reboot "$mark"
check "the managed image is deleted after start" test ! -e "$managed"
out_has "dominfo: managed save no" "^Managed save: +no" vireo dominfo "$name"
# As if the daemon had died while a start was loading the image and QEMU
# went on: the guest runs from it, the image is stale and goes.
daemon_stop
cp "$E2E_ROOT/a.save" "$managed.restoring"
daemon_start || exit 1
check "a stale image of a running guest is removed at start-up" \
	test ! -e "$managed.restoring" -a ! -e "$managed"
check "the guest runs on" wait_until 20 bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate $name | grep -qx running"

# managedsave-remove: the next start boots afresh.
check "managedsave again" vireo managedsave "$name"
out_has "managedsave-remove" "Removed managedsave image" \
	vireo managedsave-remove "$name"
check "the image is gone" test ! -e "$managed"
out_has "managedsave-remove without an image" "removal skipped" \
	vireo managedsave-remove "$name"
mark=$(lines)
check "start after managedsave-remove" vireo start "$name"
check "it boots afresh (counter restarts at 1)" \
	wait_until 90 bash -c "tail -n +$((mark + 1)) '$serial' | tr -d '\r' | grep -q 'VIREO-COUNTER 1\$'"
check "counter reaches 2 again" wait_until 30 bash -c "tail -n +$((mark + 1)) '$serial' | tr -d '\r' | grep -q 'VIREO-COUNTER 2\$'"

# vireod killed with -9 during a save: no file under the final name. QEMU
# is stopped (SIGSTOP) so that the save is caught after it created its
# temporary file and before QEMU answers.
pid=$(qemu_pid)
kill -STOP "$pid"
vireo save "$name" "$E2E_ROOT/k.save" >/dev/null 2>&1 &
client=$!
check "the save started (temporary file)" wait_until 10 bash -c "ls -A '$E2E_ROOT' | grep -q '^\.k\.save\.vireo-save-'"
kill -9 "$E2E_DAEMON_PID"
wait "$E2E_DAEMON_PID" 2>/dev/null
E2E_DAEMON_PID=
kill -CONT "$pid"
wait "$client" 2>/dev/null
check "no file under the final name after kill -9" test ! -e "$E2E_ROOT/k.save"
daemon_start || exit 1
check "the guest survived the killed save" wait_until 20 bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate $name | grep -Eq 'running|paused'"
if [ "$(vireo domstate "$name")" = paused ]; then vireo resume "$name" >/dev/null; fi
check "running again" wait_until 10 bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate $name | grep -qx running"

# A saved domain no longer defined comes back transient; --paused. A vCPU
# plugged since boot is plugged back before the stream is loaded.
mark=$(lines)
check "setvcpus 2 --live" vireo setvcpus "$name" 2 --live
check "the guest onlines the plugged vCPU" \
	wait_until 60 bash -c "tail -n +$((mark + 1)) '$serial' | tr -d '\r' | grep -q 'VIREO-CPUS online=2'"
c=$(last_counter "$serial")
wait_until 10 counter_after 0 "$c" >/dev/null
check "save to a relative path (the client's directory)" \
	bash -c "cd '$E2E_ROOT' && '$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' save $name t.save >/dev/null"
check "the relative path was made absolute" test -s "$E2E_ROOT/t.save"
saved=$(last_counter "$serial")
check "undefine" vireo undefine "$name"
mark=$(lines)
check "restore --paused of an undefined domain" vireo restore --paused "$E2E_ROOT/t.save"
check "paused after restore --paused" test "$(vireo domstate "$name")" = paused
out_has "restored as a transient domain" "^Persistent: +no" vireo dominfo "$name"
expect_fail "managedsave of a transient domain is refused" \
	"managed save of transient domain" vireo managedsave "$name"
check "resume" vireo resume "$name"
out_has "two vCPUs after the restore" "^current +live +2" \
	vireo vcpucount "$name"
check "counter continues after the transient restore (> $saved)" \
	wait_until 30 counter_after "$mark" "$saved"
check "no reboot across the transient restore" no_reboot "$mark"
check "destroy" vireo destroy "$name"
expect_fail "the transient domain is gone" "domain not found" vireo dominfo "$name"

# Bad images: clear refusals, nothing left defined.
head -c 1000000 /dev/urandom >"$E2E_ROOT/garbage.save"
expect_fail "restore of a garbage file" "is not a Vireo save image" \
	vireo restore "$E2E_ROOT/garbage.save"
head -c 5000000 "$E2E_ROOT/t.save" >"$E2E_ROOT/trunc.save"
expect_fail "restore of a truncated image" "is truncated: 5000000 of" \
	vireo restore "$E2E_ROOT/trunc.save"
head -c 40 "$E2E_ROOT/t.save" >"$E2E_ROOT/short.save"
expect_fail "restore of an image cut in its header" "is truncated" \
	vireo restore "$E2E_ROOT/short.save"
cp "$E2E_ROOT/t.save" "$E2E_ROOT/ver.save"
printf '\x63' | dd of="$E2E_ROOT/ver.save" bs=1 seek=16 conv=notrunc 2>/dev/null
expect_fail "restore of another version" "has version 99" \
	vireo restore "$E2E_ROOT/ver.save"
expect_fail "restore of a missing file" "No such file" \
	vireo restore "$E2E_ROOT/missing.save"
expect_fail "restore of a directory" "not a regular file" \
	vireo restore "$E2E_ROOT/etc"
cp "$E2E_ROOT/t.save" "$E2E_ROOT/bad.save"
dd if=/dev/zero of="$E2E_ROOT/bad.save" bs=4096 seek=1 count=16 conv=notrunc 2>/dev/null
expect_fail "restore of a corrupt stream (QEMU refuses it)" \
	"could not load the saved state" vireo restore "$E2E_ROOT/bad.save"
expect_fail "nothing stays defined after the failed restore" \
	"domain not found" vireo dominfo "$name"
check "no QEMU left after the failed restore" test -z "$(qemu_pid)"

# undefine --managed-save removes the image too; a failed managed start
# keeps the image and says so.
check "define again" vireo define "$E2E_ROOT/dom.xml"
check "start --paused" vireo start --paused "$name"
check "managedsave of a paused domain" vireo managedsave "$name"
cp "$managed" "$E2E_ROOT/m.save"
dd if=/dev/zero of="$managed" bs=4096 seek=1 count=16 conv=notrunc 2>/dev/null
expect_fail "start from a corrupt managed image fails" \
	"which is kept .*managedsave-remove" vireo start "$name"
check "the corrupt managed image is kept" test -s "$managed"
expect_fail "undefine without --managed-save is refused" "managed save image" \
	vireo undefine "$name"
out_has "undefine --managed-save" "has been undefined" \
	vireo undefine --managed-save "$name"
check "the managed image went with it" test ! -e "$managed"
expect_fail "the domain is gone" "domain not found" vireo dominfo "$name"

check "no page went stale in any restore (memcheck)" \
	memcheck_clean "$serial"
e2e_finish
