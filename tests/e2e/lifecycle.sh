#!/bin/bash
# A real guest through its whole life: define, start, suspend, resume,
# setmem, shutdown, start, destroy, undefine; plus the refusals around it.
. "$(dirname "$0")/lib.sh"

guest_prepare || { echo "cannot build the test guest"; exit 1; }
daemon_start || exit 1
echo "accelerator: $(guest_virt_type)"

name=e2e-$E2E_TAG
serial=$E2E_ROOT/serial.log
guest_xml "$name" "$serial" 256 >"$E2E_ROOT/dom.xml"

check "define" vireo define "$E2E_ROOT/dom.xml"
check "list --all shows it shut off" \
	bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' list --all | grep -Eq '$name +shut off'"
expect_fail "define of the same name with another uuid is refused" \
	"already exists" vireo define <(sed "s|<name>|<uuid>6f1c0b5e-4c1d-4bb6-9a8e-0c2d6d1f5a11</uuid><name>|" "$E2E_ROOT/dom.xml")

t0=$(date +%s%N)
check "start" vireo start "$name"
check "domstate running" bash -c "[ \"\$('$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate $name)\" = running ]"
if wait_for "$serial" "VIREO-GUEST-READY" 60; then
	ok "guest booted ($(( ($(date +%s%N) - t0) / 1000000 )) ms to READY marker)"
else
	not_ok "guest booted: no READY marker"
fi
wait_for "$serial" "VIREO-COUNTER 2" 20
expect_fail "start of a running domain is refused" "already active" \
	vireo start "$name"

check "suspend" vireo suspend "$name"
check "domstate --reason paused (user)" bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate --reason $name | grep -q 'paused (user)'"
c1=$(last_counter "$serial")
sleep 2.5
c2=$(last_counter "$serial")
if [ "$c1" = "$c2" ]; then ok "counter stopped while paused ($c1)"; else not_ok "counter moved while paused ($c1 -> $c2)"; fi
check "resume" vireo resume "$name"
if wait_until 10 bash -c "[ \$(tr -d '\r' <'$serial' | grep -Eo 'VIREO-COUNTER [0-9]+' | tail -1 | awk '{print \$2}') -gt $c2 ]"; then
	ok "counter moves after resume"
else
	not_ok "counter did not move after resume"
fi

used_kib() {
	vireo dominfo "$name" | awk '/^Used memory:/ {print $3}'
}
expect_fail "setmem above the maximum is refused" "higher than its maximum" \
	vireo setmem "$name" 512M
before=$(used_kib)
check "setmem 128M" vireo setmem "$name" 128M
used=$before
end=$((SECONDS + 20))
while [ $SECONDS -lt $end ] && [ "$used" -gt 140000 ]; do
	sleep 0.2
	used=$(used_kib)
done
if [ "$used" -le 140000 ]; then
	ok "balloon gave memory back: used memory $before -> $used KiB"
else
	not_ok "used memory did not follow setmem: $used KiB"
fi
check "setmem back to 256M" vireo setmem "$name" 262144

# Read-only socket: reads work, every mutation is refused.
check "read-only list" vireo_ro list --all
for cmd in "suspend $name" "destroy $name" "undefine $name" "start $name" \
	"setmem $name 200M" "define $E2E_ROOT/dom.xml"; do
	# shellcheck disable=SC2086
	expect_fail "read-only socket refuses '$cmd'" "read-only" vireo_ro $cmd
done

check "shutdown (ACPI)" vireo shutdown "$name"
if wait_until 30 bash -c "[ \"\$('$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate --reason $name)\" = 'shut off (shutdown)' ]"; then
	ok "guest powered off: shut off (shutdown)"
else
	not_ok "guest did not power off: $(vireo domstate --reason "$name" 2>&1)"
fi
check "power button line on the console" wait_for "$serial" "power button" 1

: >"$serial"
check "start again" vireo start "$name"
check "guest boots again" wait_for "$serial" "VIREO-GUEST-READY" 60
id=$(vireo domid "$name")
check "dominfo by id $id" bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' dominfo $id | grep -q '$name'"
expect_fail "unknown domain name" "domain not found" vireo dominfo no-such-domain
t0=$(date +%s%N)
check "destroy" vireo destroy "$name"
echo "destroy took $(( ($(date +%s%N) - t0) / 1000000 )) ms"
check "domstate shut off (destroyed)" bash -c "[ \"\$('$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate --reason $name)\" = 'shut off (destroyed)' ]"
if pgrep -f -- "guest=$name" >/dev/null; then not_ok "QEMU gone after destroy"; else ok "QEMU gone after destroy"; fi
expect_fail "suspend of a shut off domain is refused" "not running" \
	vireo suspend "$name"
check "undefine" vireo undefine "$name"
expect_fail "unknown domain" "domain not found" vireo dominfo "$name"
if [ -e "$E2E_ROOT/etc/qemu/$name.xml" ]; then not_ok "definition file removed"; else ok "definition file removed"; fi

# Malformed XML names the line.
printf '<domain type="qemu">\n  <name>bad</name>\n  <memory>1024\n</domain>\n' >"$E2E_ROOT/bad.xml"
expect_fail "malformed XML is refused with its line" "line [0-9]+" \
	vireo define "$E2E_ROOT/bad.xml"
sed 's|<vcpu>1</vcpu>|<vcpu>1</vcpu><frobnicate/>|' "$E2E_ROOT/dom.xml" >"$E2E_ROOT/unknown.xml"
expect_fail "unknown element is refused by name" "frobnicate" \
	vireo define "$E2E_ROOT/unknown.xml"

# Raw protocol abuse: garbage, oversized frames, disconnect mid-call.
check "protocol abuse is answered and survived" \
	"$abs_top_builddir/tests/rpc-abuse" "$E2E_ROOT/run/vireod.sock" "$E2E_ROOT/run/vireod-ro.sock"
check "daemon still up" daemon_alive
check "daemon still answers" vireo list --all

e2e_finish
