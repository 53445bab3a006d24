#!/bin/bash
# vireod dies (kill -9) or stops while guests run: on restart it takes every
# living QEMU back with its state, without rebooting it, and cleans up the
# domains whose QEMU died meanwhile.
. "$(dirname "$0")/lib.sh"

guest_prepare || { echo "cannot build the test guest"; exit 1; }
daemon_start || exit 1
p=e2e-$E2E_TAG
for n in a b c d; do
	guest_xml "$p-$n" "$E2E_ROOT/$n.log" 128 >"$E2E_ROOT/$n.xml"
done
for n in a b d; do
	check "define $n" vireo define "$E2E_ROOT/$n.xml"
	check "start $n" vireo start "$p-$n"
done
check "create c (transient)" vireo create "$E2E_ROOT/c.xml"
guest_xml "$p-e" "$E2E_ROOT/e.log" 64 >"$E2E_ROOT/e.xml"
check "define e" vireo define "$E2E_ROOT/e.xml"
check "start e --paused (never resumed)" vireo start --paused "$p-e"
for n in a b c d; do
	check "$n boots" wait_for "$E2E_ROOT/$n.log" VIREO-GUEST-READY 90
done
check "suspend b" vireo suspend "$p-b"
ida=$(vireo domid "$p-a")
qa=$(pgrep -f -- "guest=$p-a," | head -1)

kill -9 "$E2E_DAEMON_PID"
wait "$E2E_DAEMON_PID" 2>/dev/null
# A QEMU this daemon spawned but died before recording (marked by its
# environment): the restarted daemon must kill it.
env VIREO_RUN_DIR="$E2E_ROOT/run" /usr/bin/qemu-system-x86_64 -S \
	-machine none -nodefaults -display none -name guest="$p-orphan" &
orphan=$!
qd=$(pgrep -f -- "guest=$p-d," | head -1)
kill -9 "$qd"
ca=$(last_counter "$E2E_ROOT/a.log")

daemon_start || exit 1
check "an unrecorded QEMU of this daemon is killed" wait_until 5 \
	bash -c "! kill -0 $orphan 2>/dev/null"
wait "$orphan" 2>/dev/null
check "a is running again under its old id" test "$(vireo domid "$p-a")" = "$ida"
check "e, started paused, is still paused (not killed)" wait_until 10 bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate $p-e | grep -qx paused"
check "destroy e" vireo destroy "$p-e"
check "a's QEMU is the same process" test "$(pgrep -f -- "guest=$p-a," | head -1)" = "$qa"
check "b is still paused" wait_until 10 bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate $p-b | grep -qx paused"
check "c (transient) is back" wait_until 10 bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate $p-c | grep -qx running"
check "d, whose QEMU died meanwhile, is shut off (crashed)" wait_until 10 bash -c "[ \"\$('$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate --reason $p-d)\" = 'shut off (crashed)' ]"
check "a's counter kept going (no reboot)" wait_until 30 bash -c "[ \$(tr -d '\r' <'$E2E_ROOT/a.log' | grep -Eo 'VIREO-COUNTER [0-9]+' | tail -1 | awk '{print \$2}') -gt $ca ]"
check "a booted once only" test "$(tr -d '\r' <"$E2E_ROOT/a.log" | grep -c VIREO-GUEST-READY)" = 1
check "new ids do not collide" bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' start $p-d >/dev/null && [ \$('$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domid $p-d) -gt 4 ]"

# The adopted QEMUs are fully controlled.
check "resume b" vireo resume "$p-b"
check "suspend a" vireo suspend "$p-a"
check "resume a" vireo resume "$p-a"
check "setmem a" vireo setmem "$p-a" 100M
check "destroy c" vireo destroy "$p-c"
expect_fail "destroyed transient c is gone" "domain not found" vireo dominfo "$p-c"
check "shutdown a (ACPI)" vireo shutdown "$p-a"
check "a powers off: shut off (shutdown)" wait_until 30 bash -c "[ \"\$('$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate --reason $p-a)\" = 'shut off (shutdown)' ]"
qb=$(pgrep -f -- "guest=$p-b," | head -1)
kill -9 "$qb"
check "an adopted QEMU's death is noticed" wait_until 5 bash -c "[ \"\$('$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate --reason $p-b)\" = 'shut off (crashed)' ]"

# A clean stop and start too.
daemon_stop
daemon_start || exit 1
check "d running after a clean restart" wait_until 10 bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate $p-d | grep -qx running"
check "destroy d" vireo destroy "$p-d"
orphans=$(pgrep -f -- "guest=$p-" | wc -l)
check "no QEMU left behind ($orphans)" test "$orphans" -eq 0
check "no status file left behind" bash -c "! ls '$E2E_ROOT'/run/qemu/*.status 2>/dev/null | grep -q ."
e2e_finish
