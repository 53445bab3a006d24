#!/bin/bash
# Lifecycle events reach subscribers, in order, with increasing sequence
# numbers; read-only connections may subscribe; filters work.
. "$(dirname "$0")/lib.sh"

guest_prepare || { echo "cannot build the test guest"; exit 1; }
daemon_start || exit 1
name=e2e-$E2E_TAG
serial=$E2E_ROOT/serial.log
guest_xml "$name" "$serial" 128 >"$E2E_ROOT/dom.xml"
guest_xml other "$E2E_ROOT/other.log" 64 >"$E2E_ROOT/other.xml"

vireo_ro event --loop --timeout 120 --json >"$E2E_ROOT/all.json" &
all=$!
vireo event --domain "$name" --loop --timeout 120 --timestamp >"$E2E_ROOT/mine.txt" &
mine=$!
vireo event --timeout 120 >"$E2E_ROOT/first.txt" &
first=$!
# Subscriptions are in place once the daemon has three extra clients; a
# define of another domain is the probe.
sleep 0.5
check "define other" vireo define "$E2E_ROOT/other.xml"
check "define" vireo define "$E2E_ROOT/dom.xml"
check "start" vireo start "$name"
check "guest boots" wait_for "$serial" VIREO-GUEST-READY 60
check "suspend" vireo suspend "$name"
check "resume" vireo resume "$name"
check "shutdown" vireo shutdown "$name"
check "shut off" wait_until 30 bash -c "'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstate $name | grep -qx 'shut off'"
check "start again" vireo start "$name"
check "destroy" vireo destroy "$name"
check "undefine" vireo undefine "$name"
check "undefine other" vireo undefine other
sleep 0.5
kill "$all" "$mine" 2>/dev/null
wait "$first" 2>/dev/null

got=$(grep -o '"domain":"'"$name"'","type":"[a-z]*","detail":"[a-z ]*"' "$E2E_ROOT/all.json" |
	sed 's/.*"type":"\([a-z]*\)","detail":"\([a-z ]*\)"/\1:\2/' | tr '\n' ' ')
want="defined:added started:booted suspended:user resumed:unpaused shutdown:finished stopped:shutdown started:booted stopped:destroyed undefined:removed "
if [ "$got" = "$want" ]; then
	ok "lifecycle events in order on the read-only socket"
else
	not_ok "events: got '$got', want '$want'"
fi
seqs=$(grep -o '"seq":[0-9]*' "$E2E_ROOT/all.json" | cut -d: -f2 | tr '\n' ' ')
check "sequence numbers increase" bash -c "prev=0; for s in $seqs; do [ \$s -gt \$prev ] || exit 1; prev=\$s; done"
check "--domain filters other domains out" bash -c "! grep -q \"domain 'other'\" '$E2E_ROOT/mine.txt' && grep -q \"for domain '$name': Started Booted\" '$E2E_ROOT/mine.txt'"
check "--timestamp prefixes a time" grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} ' "$E2E_ROOT/mine.txt"
check "without --loop: the first event, then the count" bash -c "head -1 '$E2E_ROOT/first.txt' | grep -q \"domain 'other': Defined Added\" && grep -q 'events received: 1' '$E2E_ROOT/first.txt'"
e2e_finish
