#!/bin/bash
# A slow job on one domain delays neither reads of it nor work on other
# domains; a mutation waiting for the job fails with the job's name; a
# kill -9 of the daemon loses no definition; guests outlive the daemon.
. "$(dirname "$0")/lib.sh"

guest_prepare || { echo "cannot build the test guest"; exit 1; }
cat >"$E2E_ROOT/vireod.conf" <<'CONF'
job_wait_timeout_ms = 500
CONF
E2E_DAEMON_ARGS="--config $E2E_ROOT/vireod.conf"
daemon_start || exit 1

# An emulator that becomes QEMU only once the test creates "go": until
# then the start job holds the domain (no timing assumptions).
cat >"$E2E_ROOT/slow-qemu" <<SH
#!/bin/sh
while [ ! -e "$E2E_ROOT/go" ]; do sleep 0.05; done
exec /usr/bin/qemu-system-x86_64 "\$@"
SH
chmod +x "$E2E_ROOT/slow-qemu"
slow=e2e-$E2E_TAG-slow
fast=e2e-$E2E_TAG-fast
guest_xml "$slow" "$E2E_ROOT/slow.log" 128 |
	sed "s|<devices>|<devices><emulator>$E2E_ROOT/slow-qemu</emulator>|" >"$E2E_ROOT/slow.xml"
guest_xml "$fast" "$E2E_ROOT/fast.log" 128 >"$E2E_ROOT/fast.xml"
check "define slow" vireo define "$E2E_ROOT/slow.xml"
check "define fast" vireo define "$E2E_ROOT/fast.xml"

vireo start "$slow" >"$E2E_ROOT/slow-start.out" 2>&1 &
spid=$!
wait_until 10 bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate --reason $slow | grep -q 'starting up'"
# The job is held until "go": a read that waited for it would hang here.
worst=0 hung=0
for i in $(seq 1 10); do
	for cmd in "dominfo $slow" "domstate $slow" "dumpxml $slow" "list --all"; do
		t0=$(date +%s%N)
		# shellcheck disable=SC2086
		timeout 10 "$VIREO" -c "vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock" $cmd >/dev/null || hung=$((hung + 1))
		ms=$(( ($(date +%s%N) - t0) / 1000000 ))
		[ "$ms" -gt "$worst" ] && worst=$ms
	done
done
if [ "$hung" -eq 0 ] && kill -0 "$spid" 2>/dev/null; then
	ok "40 reads answered while the start job held the domain (worst $worst ms)"
else
	not_ok "reads during the start job: $hung failed or hung"
fi
expect_fail "a mutation waiting for the job fails naming it" "job 'start'" \
	vireo suspend "$slow"
t0=$(date +%s%N)
check "another domain starts meanwhile" vireo start "$fast"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if kill -0 "$spid" 2>/dev/null; then
	ok "fast start ($ms ms) finished while the slow one still ran"
else
	not_ok "the slow start had already finished: test proves nothing"
fi
touch "$E2E_ROOT/go"
wait "$spid"
check "slow start succeeded" grep -q "started" "$E2E_ROOT/slow-start.out"
check "slow guest boots" wait_for "$E2E_ROOT/slow.log" VIREO-GUEST-READY 60

# Guests outlive the daemon.
qpid=$(pgrep -f -- "guest=$fast" | head -1)
daemon_stop
if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
	ok "QEMU keeps running after vireod stops"
else
	not_ok "QEMU died with vireod"
fi
kill_guests

# kill -9 in the middle of defines loses nothing that was acknowledged.
daemon_start || exit 1
: >"$E2E_ROOT/acked"
(
	for i in $(seq 1 200); do
		guest_xml "crash$i" /dev/null 64 >"$E2E_ROOT/c$i.xml"
		timeout 20 "$VIREO" -c "vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock" \
			define "$E2E_ROOT/c$i.xml" >/dev/null 2>>"$E2E_ROOT/define.err" &&
			echo "crash$i" >>"$E2E_ROOT/acked"
	done
) &
wpid=$!
# Kill mid-workload: after a few acknowledged defines (a loaded machine
# may be slow to answer the first), at a random moment.
if ! wait_until 30 bash -c "[ \$(wc -l <'$E2E_ROOT/acked') -ge 5 ]"; then
	echo "no define acknowledged in 30 s; first errors:"
	head -3 "$E2E_ROOT/define.err"
	# What is the daemon doing?
	gdb -p "$E2E_DAEMON_PID" -batch -ex "thread apply all bt" 2>/dev/null |
		grep -E "^#|^Thread" | head -60
fi
sleep "0.$((RANDOM % 5))"
kill -9 "$E2E_DAEMON_PID"
wait "$E2E_DAEMON_PID" 2>/dev/null
wait "$wpid" 2>/dev/null
acked=$(wc -l <"$E2E_ROOT/acked")
daemon_start || exit 1
lost=0
while read -r n; do
	vireo dominfo "$n" >/dev/null 2>&1 || lost=$((lost + 1))
done <"$E2E_ROOT/acked"
if [ "$acked" -gt 0 ] && [ "$lost" -eq 0 ]; then
	ok "kill -9: $acked acknowledged defines, 0 lost"
else
	not_ok "kill -9: $acked acknowledged, $lost lost"
fi
if ls "$E2E_ROOT/etc/qemu/" | grep -q '\.tmp\.'; then
	not_ok "a half-written temp file is still visible after restart"
else
	ok "no half-written file visible after restart"
fi
check "every file in etc/qemu parses (daemon loaded them all)" \
	bash -c "! grep -q 'ignoring' '$E2E_ROOT/vireod.log'"

e2e_finish
