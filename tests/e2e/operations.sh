#!/bin/bash
# The other lifecycle operations on a real guest: create (transient),
# --paused, reboot, reset, autostart across a daemon restart, config-only
# memory changes, dumpxml round trips, host information.
. "$(dirname "$0")/lib.sh"

guest_prepare || { echo "cannot build the test guest"; exit 1; }
daemon_start || exit 1
name=e2e-$E2E_TAG
serial=$E2E_ROOT/serial.log
guest_xml "$name" "$serial" 256 >"$E2E_ROOT/dom.xml"
ready_count() { tr -d '\r' <"$serial" 2>/dev/null | grep -c VIREO-GUEST-READY; }
state() { vireo domstate --reason "$name" 2>&1; }

# Host information.
check "version names QEMU" bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' version | grep -q QEMU"
check "nodeinfo reports the KVM module" bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' nodeinfo | grep -q '^KVM'"
check "capabilities is XML" bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' capabilities | grep -q '<capabilities>'"
check "hostname" test "$(vireo hostname)" = "$(hostname)"

# domxml-to-native: the argv, with nothing started.
if vireo domxml-to-native qemu-argv "$E2E_ROOT/dom.xml" | grep -q -- "-accel tcg\|-accel kvm"; then
	ok "domxml-to-native prints the argv"
else
	not_ok "domxml-to-native prints the argv"
fi
expect_fail "nothing was defined by domxml-to-native" "domain not found" vireo dominfo "$name"

# create --paused: transient, paused, gone once destroyed.
check "create --paused" vireo create "$E2E_ROOT/dom.xml" --paused
check "created paused" test "$(state)" = "paused (user)"
check "persistent: no" bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' dominfo $name | grep -Eq '^Persistent: +no'"
expect_fail "create of an existing name is refused" "already exists" \
	vireo create "$E2E_ROOT/dom.xml"
check "resume the created domain" vireo resume "$name"
check "created guest boots" wait_for "$serial" VIREO-GUEST-READY 60
check "destroy the transient domain" vireo destroy "$name"
expect_fail "a destroyed transient domain is gone" "domain not found" \
	vireo dominfo "$name"

# Reboot (ACPI, guest cooperates) and reset (hard).
: >"$serial"
check "define" vireo define "$E2E_ROOT/dom.xml"
check "start" vireo start "$name"
check "boots" wait_for "$serial" VIREO-GUEST-READY 60
qpid=$(pgrep -f -- "guest=$name" | head -1)
check "reboot" vireo reboot "$name"
if wait_until 60 bash -c "[ \$(tr -d '\r' <'$serial' | grep -c VIREO-GUEST-READY) -ge 2 ]"; then
	ok "guest rebooted (second READY marker)"
else
	not_ok "no second boot after reboot"
fi
check "same QEMU after reboot" test "$(pgrep -f -- "guest=$name" | head -1)" = "$qpid"
check "running after reboot" wait_until 10 bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate $name | grep -qx running"
check "reset" vireo reset "$name"
if wait_until 60 bash -c "[ \$(tr -d '\r' <'$serial' | grep -c VIREO-GUEST-READY) -ge 3 ]"; then
	ok "guest reset (third READY marker)"
else
	not_ok "no boot after reset"
fi

# Memory: config-only changes while running.
expect_fail "setmaxmem on a running domain (live) is refused" "maximum memory" \
	vireo setmaxmem "$name" 300M --live
check "setmaxmem --config" vireo setmaxmem "$name" 300M --config
check "setmem --config" vireo setmem "$name" 200M --config
check "inactive XML has the new sizes" bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' dumpxml --inactive $name | grep -q \"<memory unit='KiB'>307200</memory>\" && '$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' dumpxml --inactive $name | grep -q \"<currentMemory unit='KiB'>204800</currentMemory>\""
check "live XML keeps the running size" bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' dumpxml $name | grep -q \"<memory unit='KiB'>262144</memory>\""
check "live XML carries the id" bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' dumpxml $name | grep -q \"id='\""

# dumpxml round trip: redefining the output changes nothing.
vireo dumpxml --inactive "$name" >"$E2E_ROOT/a.xml"
check "redefine from dumpxml" vireo define "$E2E_ROOT/a.xml"
vireo dumpxml --inactive "$name" >"$E2E_ROOT/b.xml"
check "dumpxml is stable across define" cmp -s "$E2E_ROOT/a.xml" "$E2E_ROOT/b.xml"

# Autostart across a daemon restart.
check "destroy" vireo destroy "$name"
check "autostart" vireo autostart "$name"
check "dominfo shows autostart" bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' dominfo $name | grep -Eq '^Autostart: +enable'"
daemon_stop
: >"$serial"
daemon_start || exit 1
check "autostarted at daemon start" wait_until 20 bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate $name | grep -qx running"
check "autostarted guest boots with the new memory" wait_for "$serial" VIREO-GUEST-READY 60
check "autostart --disable" vireo autostart --disable "$name"

# QEMU dies under us: noticed at once, shut off (crashed), daemon fine.
qpid=$(pgrep -f -- "guest=$name" | head -1)
kill -9 "$qpid"
t0=$(date +%s%N)
if wait_until 5 bash -c "[ \"\$('$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate --reason $name)\" = 'shut off (crashed)' ]"; then
	ok "QEMU killed: shut off (crashed) seen after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
else
	not_ok "QEMU killed: state is $(state)"
fi
check "start after a crash" vireo start "$name"
check "destroy" vireo destroy "$name"

# type='kvm' on a host without usable KVM: a clear refusal, no hang.
if [ "$(guest_virt_type)" = qemu ]; then
	sed "s/type='qemu'/type='kvm'/; s/<name>$name</<name>$name-kvm</" \
		"$E2E_ROOT/dom.xml" | grep -v '<uuid>' >"$E2E_ROOT/kvm.xml"
	check "define a type='kvm' domain" vireo define "$E2E_ROOT/kvm.xml"
	expect_fail "type='kvm' without usable KVM is refused clearly" \
		"KVM is not usable|no KVM" vireo start "$name-kvm"
	check "undefine it" vireo undefine "$name-kvm"
fi
check "undefine" vireo undefine "$name"

# QEMU runs as the unprivileged user; files are lent to it and given back.
truncate -s 1M "$E2E_ROOT/disk.img"
chmod 600 "$E2E_ROOT/disk.img"
sed "s|<devices>|<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='$E2E_ROOT/disk.img'/><target dev='vda' bus='virtio'/></disk>|" \
	"$E2E_ROOT/dom.xml" >"$E2E_ROOT/disk.xml"
check "define with a root-only disk" vireo define "$E2E_ROOT/disk.xml"
check "start" vireo start "$name"
qpid=$(pgrep -f -- "guest=$name," | head -1)
check "QEMU runs as vireo-qemu" test "$(ps -o user= -p "$qpid")" = vireo-qemu
check "the disk is lent to vireo-qemu while running" \
	test "$(stat -c %U "$E2E_ROOT/disk.img")" = vireo-qemu
check "the guest sees the disk" wait_for "$serial" "VIREO-DISK vda size=2048" 60
check "destroy" vireo destroy "$name"
check "the disk is given back to root" \
	test "$(stat -c %U:%a "$E2E_ROOT/disk.img")" = root:600
check "undefine" vireo undefine "$name"
mkdir -m 700 "$E2E_ROOT/private"
sed "s|$serial|$E2E_ROOT/private/serial.log|" "$E2E_ROOT/dom.xml" >"$E2E_ROOT/private.xml"
check "define with a serial log in a private directory" vireo define "$E2E_ROOT/private.xml"
expect_fail "start names the directory QEMU's user cannot reach" \
	"'$E2E_ROOT/private' is not searchable" vireo start "$name"
check "still shut off" test "$(state)" = "shut off (unknown)"
check "undefine" vireo undefine "$name"

e2e_finish
