#!/bin/bash
# Lifecycle actions: a guest panic (pvpanic) triggers on_crash (destroy,
# restart, preserve, coredump-destroy); a guest power-off triggers
# on_poweroff=restart.
. "$(dirname "$0")/lib.sh"

guest_prepare || { echo "cannot build the test guest"; exit 1; }
daemon_start || exit 1
p=e2e-$E2E_TAG

# mk NAME ON_CRASH ON_POWEROFF PANIC_AT
mk() {
	guest_xml "$p-$1" "$E2E_ROOT/$1.log" 128 |
		sed -e "s|quiet</cmdline>|quiet${4:+ vireo.panic=$4}</cmdline>|" \
			-e "s|<on_poweroff>destroy</on_poweroff>|<on_poweroff>$3</on_poweroff><on_crash>$2</on_crash>|" \
			-e "s|</devices>|<panic model='isa'/></devices>|" >"$E2E_ROOT/$1.xml"
	vireo define "$E2E_ROOT/$1.xml" >/dev/null && vireo start "$p-$1" >/dev/null
}
reason() { vireo domstate --reason "$p-$1" 2>&1; }
boots() { tr -d '\r' <"$E2E_ROOT/$1.log" 2>/dev/null | grep -c VIREO-GUEST-READY; }

check "start: panic -> destroy" mk destroy destroy destroy 2
check "start: panic -> restart" mk restart restart destroy 2
check "start: panic -> preserve" mk preserve preserve destroy 2
check "start: poweroff -> restart" mk poweroff destroy restart ""
check "start: panic -> coredump-destroy" mk dump coredump-destroy destroy 2

check "on_crash=destroy: shut off (crashed)" wait_until 90 \
	bash -c "[ \"\$('$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate --reason $p-destroy)\" = 'shut off (crashed)' ]"
check "the guest did panic" wait_for "$E2E_ROOT/destroy.log" "VIREO-GUEST: panicking" 1
check "on_crash=preserve: crashed (panicked), QEMU kept" wait_until 90 \
	bash -c "[ \"\$('$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate --reason $p-preserve)\" = 'crashed (panicked)' ] && pgrep -f -- 'guest=$p-preserve,' >/dev/null"
check "on_crash=restart: the guest boots again" wait_until 120 \
	bash -c "[ \$(tr -d '\r' <'$E2E_ROOT/restart.log' | grep -c VIREO-GUEST-READY) -ge 2 ]"
check "on_crash=coredump-destroy: shut off (crashed)" wait_until 120 \
	bash -c "[ \"\$('$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate --reason $p-dump)\" = 'shut off (crashed)' ]"
core=$(ls "$E2E_ROOT/lib/qemu/dump/$p-dump-"*.core 2>/dev/null | head -1)
check "the memory dump is an ELF core of the guest's 128 MiB (${core##*/})" \
	test -n "$core" -a "$(head -c 4 "$core" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' \
	-a "$(stat -c %s "$core" 2>/dev/null || echo 0)" -ge 134217728
check "the dump file is private (0600)" test "$(stat -c %a "$core" 2>/dev/null)" = 600
check "poweroff guest boots" wait_for "$E2E_ROOT/poweroff.log" VIREO-GUEST-READY 90
check "shutdown the on_poweroff=restart guest" vireo shutdown "$p-poweroff"
check "on_poweroff=restart: it boots again" wait_until 90 \
	bash -c "[ \$(tr -d '\r' <'$E2E_ROOT/poweroff.log' | grep -c VIREO-GUEST-READY) -ge 2 ]"
check "and runs" wait_until 10 bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate $p-poweroff | grep -qx running"
for n in restart preserve poweroff; do
	vireo destroy "$p-$n" >/dev/null 2>&1
done
for n in destroy restart preserve poweroff dump; do
	check "undefine $n" vireo undefine "$p-$n"
done
e2e_finish
