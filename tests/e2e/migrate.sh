#!/bin/bash
# Live migration between two vireod on one machine (different --root act
# as two hosts, the stream stays on 127.0.0.1): the guest's serial counter
# goes on across the move (no reboot), the source QEMU is gone, both lists
# agree; back again; through ssh (a private sshd, the source vireod runs
# ssh to vireo-relay) and back; an aborted migration and a dead destination leave the
# guest running on the source; shared storage missing on the destination
# is refused; a source that vanishes mid-way leaves nothing on the
# destination.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ssh-lib.sh"

guest_prepare || { echo "cannot build the test guest"; exit 1; }
# A mutation waiting behind the migration's job gives up soon.
cat >"$E2E_ROOT/vireod.conf" <<'CONF'
job_wait_timeout_ms = 1000
CONF
E2E_DAEMON_ARGS="--config $E2E_ROOT/vireod.conf"
daemon_start || exit 1

# Host B: a second vireod under its own root.
B_ROOT=$E2E_ROOT/b
mkdir -p "$B_ROOT"
chmod 755 "$B_ROOT"
B_PID=
b_start() {
	rm -f "$B_ROOT/run/vireod.pid"
	"$VIREOD" --root "$B_ROOT" >>"$E2E_ROOT/vireod-b.log" 2>&1 &
	B_PID=$!
	wait_until 10 test -s "$B_ROOT/run/vireod.pid"
}
b_stop() {
	if [ -n "$B_PID" ] && kill -0 "$B_PID" 2>/dev/null; then
		kill -TERM "$B_PID"
		wait "$B_PID" 2>/dev/null
	fi
	B_PID=
}
trap 'b_stop; sshd_stop; e2e_cleanup' EXIT
sshd_ready || exit 1
b_start || { echo "vireod B did not start"; tail "$E2E_ROOT/vireod-b.log"; exit 1; }

URI_A="vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock"
URI_B="vireo+unix:///system?socket=$B_ROOT/run/vireod.sock"
vireo_b() { "$VIREO" -c "$URI_B" "$@"; }

name=e2e-$E2E_TAG
serial=$E2E_ROOT/serial.log
# memcheck (tests/guest/memcheck.c) keeps 16 MiB of pages that it checks
# on every pass: a page a move failed to carry shows up as MEMCHECK BAD.
E2E_GUEST_CMDLINE="console=ttyS0 panic=-1 quiet vireo.memcheck=16" \
	guest_xml "$name" "$serial" 256 >"$E2E_ROOT/dom.xml"
# Under TCG a live move that completes may lose guest writes (QEMU's own
# doing, bench/migrate-soak.sh): vireo refuses it without --unsafe, and
# the moves that must arrive whole copy the guest paused. Moves that are
# cancelled or fail leave the source as it was: those stay live, with
# --unsafe under TCG. Under KVM every move is live.
if [ "$(guest_virt_type)" = qemu ]; then
	LIVE= UNSAFE=--unsafe
else
	LIVE=--live UNSAFE=
fi
LIVE_FAILING="--live $UNSAFE"
memcheck_passes() {
	tr -d '\r' <"$serial" | grep -c 'VIREO-MEMCHECK pass=[0-9]* ok'
}
# memcheck_on N: memcheck reported a pass after the N before (5 s each).
memcheck_on() { [ "$(memcheck_passes)" -gt "$1" ]; }
state_a() { vireo domstate "$name" 2>&1; }
state_b() { vireo_b domstate "$name" 2>&1; }
# qemu_pid ROOT: the guest's QEMU started by the vireod of ROOT.
qemu_pid() {
	local p
	for p in $(pgrep -f -- "guest=$name,debug"); do
		if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null |
			grep -qx "VIREO_RUN_DIR=$1/run"; then
			echo "$p"
			return
		fi
	done
}
no_qemu_on_b() { [ -z "$(qemu_pid "$B_ROOT")" ]; }
ready_count() { tr -d '\r' <"$serial" | grep -c VIREO-GUEST-READY; }
restarts() { tr -d '\r' <"$serial" | grep -c 'VIREO-COUNTER 1$'; }
counter_above() { [ "$(last_counter "$serial")" -gt "$1" ]; }

check "define on A" vireo define "$E2E_ROOT/dom.xml"
check "start on A" vireo start "$name"
check "guest boots on A" wait_for "$serial" 'VIREO-COUNTER 2$' 90
pid_a=$(qemu_pid "$E2E_ROOT")

# Errors that leave the guest alone.
expect_fail "destination daemon down: clear error" \
	"destination '.*': failed to connect to the daemon at" \
	vireo migrate "$name" "vireo+unix:///system?socket=$E2E_ROOT/nothing.sock" --live
check "guest untouched after the refused migration" test "$(state_a)" = running
check "same QEMU on A" test "$(qemu_pid "$E2E_ROOT")" = "$pid_a"
expect_fail "unknown URI scheme" "unsupported URI scheme" \
	vireo migrate "$name" "qemu:///system" --live
expect_fail "ssh destination without vireod: plain words" \
	"vireod not running on host 127.0.0.1" \
	vireo migrate "$name" "vireo+ssh://root@127.0.0.1:$SSHD_PORT/system?socket=$E2E_ROOT/nothing.sock&$SSH_PARAMS" --live
check "guest untouched after that either" test "$(state_a)" = running
expect_fail "bad --migrateuri" "invalid migration URI" \
	vireo migrate "$name" "$URI_B" --live --migrateuri 'tcp:;x'
expect_fail "domjobabort without a job" "no job is running" \
	vireo domjobabort "$name"
out_has "domjobinfo without a job" "^Job type: +None" vireo domjobinfo "$name"

# Shared storage: a disk missing on the destination is refused (its file
# is removed once the paused guest has it open).
other=$name-disk
qemu-img create -f raw "$E2E_ROOT/other.img" 1M >/dev/null
guest_xml "$other" "$E2E_ROOT/other.log" 64 |
	sed "s|<devices>|<devices><disk type='file' device='disk'><source file='$E2E_ROOT/other.img'/><target dev='vda' bus='virtio'/></disk>|" \
		>"$E2E_ROOT/other.xml"
check "create a paused guest with a disk" vireo create --paused "$E2E_ROOT/other.xml"
rm -f "$E2E_ROOT/other.img"
expect_fail "unreachable disk on the destination is refused" \
	"disk 'vda': '$E2E_ROOT/other.img' is not reachable on the destination" \
	vireo migrate "$other" "$URI_B" --live
check "that guest stays on A" test "$(vireo domstate "$other")" = paused
expect_fail "and B has nothing" "domain not found" vireo_b dominfo "$other"
vireo destroy "$other" >/dev/null

check "memcheck runs in the guest" wait_for "$serial" 'VIREO-MEMCHECK pass=[0-9]+ ok' 30
if [ "$(guest_virt_type)" = qemu ]; then
	expect_fail "a running TCG guest is refused live migration" \
		"cannot migrate live: it runs under TCG.*without --live.*--unsafe" \
		vireo migrate "$name" "$URI_B" --live
	check "and keeps running on A" test "$(state_a)" = running
fi

# A -> B (live under KVM).
c0=$(last_counter "$serial")
m0=$(memcheck_passes)
out=$(vireo migrate "$name" "$URI_B" $LIVE --verbose 2>&1)
rc=$?
check "migrate ${LIVE:-(paused copy)} A -> B" test "$rc" -eq 0
if grep -q 'Migration: \[100 %\]' <<<"$out"; then ok "--verbose progress"; else not_ok "--verbose progress ($out)"; fi
check "running on B" test "$(state_b)" = running
check "shut off on A (still defined there)" test "$(state_a)" = "shut off"
out_has "A's reason is migrated" "migrated" vireo domstate --reason "$name"
check "A's QEMU is gone" wait_until 10 bash -c "! kill -0 $pid_a 2>/dev/null"
check "B has a QEMU" test -n "$(qemu_pid "$B_ROOT")"
check "list on A: not running" bash -c "! '$VIREO' -c '$URI_A' list --name | grep -qx '$name'"
check "list on B: running" bash -c "'$VIREO' -c '$URI_B' list --name | grep -qx '$name'"
check "counter goes on after the move" wait_until 20 counter_above $((c0 + 2))
check "no reboot: one READY marker" test "$(ready_count)" -eq 1
check "no reboot: the counter never restarted" test "$(restarts)" -eq 1
check "memcheck goes on on B" wait_until 20 memcheck_on "$m0"
check "every page arrived (memcheck)" memcheck_clean "$serial"
out_has "domjobinfo --completed on A" "^Job type: +Completed" \
	vireo domjobinfo --completed "$name"
out_has "completed job has a downtime" "^Total downtime: +[0-9]+ +ms" \
	vireo domjobinfo --completed "$name"
out_has "completed job has QEMU's stream time" "^Stream time: +[1-9][0-9]* +ms" \
	vireo domjobinfo --completed "$name"
if [ -z "$LIVE" ]; then
	# Paused for the whole copy: down at least as long as the stream.
	job_ms() { vireo domjobinfo --completed "$name" | awk -v k="$1" \
		'index($0, k) == 1 { print $(NF - 1) }'; }
	check "a paused copy's downtime covers the stream" \
		test "$(job_ms 'Total downtime:')" -ge "$(job_ms 'Stream time:')"
fi

# B -> A again; A still has the definition.
c1=$(last_counter "$serial")
check "migrate back B -> A" vireo_b migrate "$name" "$URI_A" $LIVE
check "running on A again" test "$(state_a)" = running
expect_fail "transient on B: gone" "domain not found" vireo_b dominfo "$name"
check "B's QEMU is gone" wait_until 10 no_qemu_on_b
check "counter goes on after the move back" wait_until 20 counter_above $((c1 + 2))
check "still no reboot" test "$(restarts)" -eq 1
# A QEMU that came in by migration still reports that one as completed:
# B must have followed its own outgoing stream, not that leftover.
check "B followed its own stream" grep -Eq "'$name' migrated \([0-9]+ ms, stream [1-9]" "$E2E_ROOT/vireod-b.log"

# A -> B through ssh (the source vireod runs ssh to vireo-relay), back.
URI_B_SSH="vireo+ssh://root@127.0.0.1:$SSHD_PORT/system?socket=$B_ROOT/run/vireod.sock&$SSH_PARAMS"
c2=$(last_counter "$serial")
check "migrate A -> B through ssh" vireo migrate "$name" "$URI_B_SSH" $LIVE
check "running on B after the ssh migration" test "$(state_b)" = running
check "counter goes on after the ssh move" wait_until 20 counter_above $((c2 + 2))
check "migrate back B -> A" vireo_b migrate "$name" "$URI_A" $LIVE
check "running on A once more" test "$(state_a)" = running
check "no reboot across the ssh round trip" test "$(restarts)" -eq 1
m1=$(memcheck_passes)
check "memcheck goes on after the round trips" wait_until 20 memcheck_on "$m1"
check "every page arrived, four moves on (memcheck)" memcheck_clean "$serial"

# Abort mid-way: 1 MiB/s makes it slow; domjobinfo never waits for the
# job, domjobabort cancels it while the migration holds it.
pid_a=$(qemu_pid "$E2E_ROOT")
vireo migrate "$name" "$URI_B" $LIVE_FAILING --bandwidth 1 >"$E2E_ROOT/abort.out" 2>&1 &
mig=$!
if wait_until 30 bash -c "'$VIREO' -c '$URI_A' domjobinfo $name | grep -q Unbounded"; then
	ok "domjobinfo shows the running migration"
else
	not_ok "domjobinfo shows the running migration"
fi
out_has "domjobinfo reports data processed" "^Data processed: +[0-9.]+ [KMG]?i?B" \
	vireo domjobinfo "$name"
t0=$(date +%s%N)
vireo domjobinfo "$name" >/dev/null
t1=$(date +%s%N)
check "domjobinfo answers within 1 s while the job is held" test $(((t1 - t0) / 1000000)) -lt 1000
expect_fail "other mutations wait for the job" "job 'migrate-out'" \
	timeout 60 "$VIREO" -c "$URI_A" suspend "$name"
out_has "B shows the incoming guest paused" "paused" vireo_b domstate "$name"
check "domjobabort" vireo domjobabort "$name"
wait "$mig"
rc=$?
check "the aborted migrate fails" test "$rc" -ne 0
check "and says it was cancelled" grep -q "cancelled by domjobabort" "$E2E_ROOT/abort.out"
check "guest still runs on A" test "$(state_a)" = running
check "same QEMU on A after the abort" test "$(qemu_pid "$E2E_ROOT")" = "$pid_a"
expect_fail "nothing left on B" "domain not found" vireo_b dominfo "$name"
check "no QEMU left on B" wait_until 10 no_qemu_on_b
c2=$(last_counter "$serial")
check "guest counts on after the abort" wait_until 20 counter_above $((c2 + 1))
out_has "domjobinfo --completed says cancelled" "^Job type: +Cancelled" \
	vireo domjobinfo --completed "$name"

# The destination vireod dies mid-way: the source cancels, the guest runs
# on; B's QEMU goes with its stream and the restarted B adopts nothing.
pid_a=$(qemu_pid "$E2E_ROOT")
vireo migrate "$name" "$URI_B" $LIVE_FAILING --bandwidth 1 >"$E2E_ROOT/bdead.out" 2>&1 &
mig=$!
streaming() { vireo domjobinfo --json "$name" 2>/dev/null | grep -Eq '"data_processed": *[1-9]'; }
check "the stream flows" wait_until 30 streaming
kill -9 "$B_PID"
wait "$B_PID" 2>/dev/null
B_PID=
wait "$mig"
rc=$?
check "migrate fails when the destination dies" test "$rc" -ne 0
check "and says the destination went away" grep -q "destination daemon went away" "$E2E_ROOT/bdead.out"
check "guest still runs on A (B died)" test "$(state_a)" = running
check "same QEMU on A (B died)" test "$(qemu_pid "$E2E_ROOT")" = "$pid_a"
check "B's orphan QEMU goes with its stream" wait_until 15 no_qemu_on_b
b_start || { not_ok "vireod B restarts"; }
expect_fail "restarted B has nothing" "domain not found" vireo_b dominfo "$name"

# The source vireod dies mid-way: B kills its incoming QEMU; the guest
# runs on in A's QEMU, which A's restarted vireod adopts.
vireo migrate "$name" "$URI_B" $LIVE_FAILING --bandwidth 1 >/dev/null 2>&1 &
mig=$!
check "B has the incoming guest" wait_until 30 bash -c "'$VIREO' -c '$URI_B' domstate $name 2>/dev/null | grep -q paused"
kill -9 "$E2E_DAEMON_PID"
wait "$E2E_DAEMON_PID" 2>/dev/null
wait "$mig" 2>/dev/null
if wait_until 15 bash -c "! '$VIREO' -c '$URI_B' dominfo $name >/dev/null 2>&1"; then
	ok "B dropped the incoming guest when the source vanished"
else
	not_ok "B dropped the incoming guest when the source vanished"
fi
check "no QEMU left on B after the source vanished" wait_until 10 no_qemu_on_b
check "A's QEMU survived" kill -0 "$pid_a"
daemon_start || exit 1
check "restarted A: still running" wait_until 10 bash -c "[ \"\$('$VIREO' -c '$URI_A' domstate $name)\" = running ]"
c3=$(last_counter "$serial")
check "guest counts on" wait_until 20 counter_above $((c3 + 1))

# Both daemons die mid-way: the QEMUs stream on without them; the
# restarted B stops its half-received copy (still "inmigrate" from a
# socket), so A's QEMU keeps the guest, which the restarted A adopts.
vireo migrate "$name" "$URI_B" $LIVE_FAILING --bandwidth 1 >/dev/null 2>&1 &
mig=$!
check "the stream flows (3)" wait_until 30 streaming
# Stopped first, so neither sees the other go (one kill lands before the
# other, and the survivor would rightly cancel or drop the migration).
kill -STOP "$E2E_DAEMON_PID" "$B_PID"
kill -9 "$E2E_DAEMON_PID" "$B_PID"
wait "$E2E_DAEMON_PID" "$B_PID" "$mig" 2>/dev/null
B_PID=
check "B's QEMU outlived its daemon" test -n "$(qemu_pid "$B_ROOT")"
b_start || not_ok "vireod B restarts (2)"
check "restarted B stops the half-received guest" wait_until 15 no_qemu_on_b
expect_fail "restarted B has nothing (2)" "domain not found" vireo_b dominfo "$name"
daemon_start || exit 1
check "restarted A runs the guest" wait_until 10 bash -c "[ \"\$('$VIREO' -c '$URI_A' domstate $name)\" = running ]"
check "same QEMU on A after both daemons died" test "$(qemu_pid "$E2E_ROOT")" = "$pid_a"
c5=$(last_counter "$serial")
check "guest counts on (both died)" wait_until 20 counter_above $((c5 + 1))
m2=$(memcheck_passes)
check "memcheck goes on after the failed moves" wait_until 20 memcheck_on "$m2"
check "failed moves harmed no page (memcheck)" memcheck_clean "$serial"

# --timeout pauses the guest here so the (throttled) stream completes; it
# runs there afterwards. --persistent and --undefinesource move the
# definition too. Under TCG this live move is --unsafe: memcheck is not
# asked about it.
c4=$(last_counter "$serial")
t0=$SECONDS
check "migrate --timeout 1 --bandwidth 20 --persistent --undefinesource" \
	vireo migrate "$name" "$URI_B" $LIVE_FAILING --timeout 1 \
	--bandwidth 20 --persistent --undefinesource
check "the timeout paused the guest on A" grep -q "pausing the guest" "$E2E_ROOT/vireod.log"
check "running on B after --timeout" test "$(state_b)" = running
out_has "persistent on B" "^Persistent: +yes" vireo_b dominfo "$name"
expect_fail "undefined on A" "domain not found" vireo dominfo "$name"
check "counter goes on after the timed move" wait_until 20 counter_above $((c4 + 2))
# Not live (paused while copied), --suspend: paused on arrival.
check "migrate --suspend (not live) B -> A" vireo_b migrate "$name" "$URI_A" --suspend
out_has "paused on A" "^paused" vireo domstate "$name"
check "still defined on B, shut off" test "$(state_b)" = "shut off"
check "resume on A" vireo resume "$name"
check "still no reboot at the end" test "$(restarts)" -eq 1

check "destroy" vireo destroy "$name"

# A hot-plugged vCPU moves as it was: B boots QEMU with the boot vCPU and
# plugs the other as device vcpu1, as setvcpus did (a QEMU booted with
# both would make it a boot vCPU that can never be unplugged).
cpu=$name-cpu
cpulog=$E2E_ROOT/cpu.log
guest_xml "$cpu" "$cpulog" 128 |
	sed "s|<vcpu>1</vcpu>|<vcpu current='1'>2</vcpu>|" >"$E2E_ROOT/cpu.xml"
check "start a guest with 1 of 2 vCPUs" vireo create "$E2E_ROOT/cpu.xml"
check "it boots" wait_for "$cpulog" 'VIREO-COUNTER 2$' 90
check "plug its second vCPU" vireo setvcpus "$cpu" 2 --live
check "the guest brings it online" wait_for "$cpulog" "VIREO-CPUS online=2" 60
hp_cpus() {	# hp_cpus URI: where QEMU has its vCPUs
	"$VIREO" -c "$1" qemu-monitor-command "$cpu" \
		'{"execute":"query-hotpluggable-cpus"}'
}
check "migrate it to B" vireo migrate "$cpu" "$URI_B" $LIVE
out_has "B plugged vCPU 1 as device vcpu1" '/machine/peripheral/vcpu1' \
	hp_cpus "$URI_B"
out_has "vcpucount on B: 2 live" '^current +live +2$' vireo_b vcpucount "$cpu"
c6=$(last_counter "$cpulog")
cpu_counter_above() { [ "$(last_counter "$cpulog")" -gt "$1" ]; }
check "its counter goes on on B" wait_until 20 cpu_counter_above $((c6 + 1))
check "and back to A" vireo_b migrate "$cpu" "$URI_A" $LIVE
out_has "A plugged it again" '/machine/peripheral/vcpu1' hp_cpus "$URI_A"
check "no reboot of that guest" test "$(tr -d '\r' <"$cpulog" | grep -c 'VIREO-COUNTER 1$')" -eq 1
check "destroy it" vireo destroy "$cpu"
b_stop
if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
	"$E2E_ROOT/vireod-b.log"; then
	not_ok "vireod B sanitizer report"
	grep -E -A25 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
		"$E2E_ROOT/vireod-b.log" | head -60
fi
e2e_finish
