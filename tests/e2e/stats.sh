#!/bin/bash
# Statistics on a real guest: dommemstat (the balloon driver's numbers),
# domblklist, domiflist, domblkstat, domifstat (a tap, from the guest's
# side; a user-mode interface has no counters), domblkinfo, domstats for
# all or several domains in one call (and bounded when QEMU is stopped),
# top in batch mode; refusals. In a network namespace of its own (the
# guest's tap lives there).
. "$(dirname "$0")/lib.sh"

NS=vireo-e2e-stats-$$
IN_NS=(ip netns exec "$NS")
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
	echo "needs root and ip: skipped"
	exit 77
fi
if ! ip netns add "$NS"; then
	echo "cannot create a network namespace: skipped"
	exit 77
fi
stats_cleanup() {
	e2e_cleanup
	ip netns del "$NS" 2>/dev/null
}
trap stats_cleanup EXIT
"${IN_NS[@]}" ip link set lo up

guest_prepare || { echo "cannot build the test guest"; exit 1; }
# a short job wait: a mutation behind a held job fails fast (see below)
echo "job_wait_timeout_ms = 300" >"$E2E_ROOT/vireod.conf"
E2E_DAEMON_ARGS="--config $E2E_ROOT/vireod.conf" \
	E2E_DAEMON_WRAPPER="${IN_NS[*]}" daemon_start || exit 1
name=e2e-$E2E_TAG
serial=$E2E_ROOT/serial.log
truncate -s 16M "$E2E_ROOT/disk.raw"
mac_user=52:54:00:e2:5a:02
guest_xml "$name" "$serial" 256 |
	sed -e "s|quiet</cmdline>|quiet vireo.net=dhcp</cmdline>|" \
	    -e "s|<devices>|<devices>\\
    <disk type='file' device='disk'>\\
      <driver name='qemu' type='raw'/>\\
      <source file='$E2E_ROOT/disk.raw'/>\\
      <target dev='vda' bus='virtio'/>\\
    </disk>\\
    <interface type='ethernet'>\\
      <mac address='52:54:00:e2:5a:01'/>\\
    </interface>\\
    <interface type='user'>\\
      <mac address='$mac_user'/>\\
    </interface>|" >"$E2E_ROOT/dom.xml"
for i in 1 2; do
	guest_xml "$name-idle$i" /dev/null 128 >"$E2E_ROOT/idle$i.xml"
	vireo define "$E2E_ROOT/idle$i.xml" >/dev/null
done
stat_of() { awk -v k="$2" '$2 == k { print $3 }' <<<"$1"; }

check "define" vireo define "$E2E_ROOT/dom.xml"
out_has "domblklist shows vda and its file" "^ vda +$E2E_ROOT/disk.raw" \
	vireo domblklist "$name"
out_has "domblklist --details" "^ file +disk +vda " \
	vireo domblklist "$name" --details
out_has "domiflist: the user interface has no host device" \
	"^ - +user +- +virtio +$mac_user" vireo domiflist "$name"
out_has "domblkinfo on a shut off domain: capacity" "^Capacity: +16777216$" \
	vireo domblkinfo "$name" vda
out_has "domblkinfo --all --human" "^ vda +16.00 MiB" \
	vireo domblkinfo "$name" --all --human
out_has "domstats --state of a shut off domain" "state.state=5" \
	vireo domstats "$name" --state
expect_fail "dommemstat of a shut off domain" "is not running" \
	vireo dommemstat "$name"
expect_fail "domblkstat of a shut off domain" "not running" \
	vireo domblkstat "$name" vda
expect_fail "domstats of an unknown domain" "domain not found" \
	vireo domstats "nosuch-$E2E_TAG"
expect_fail "domstats of a list with an unknown domain names it" \
	"no domain with matching name.*nosuch-$E2E_TAG" \
	vireo domstats "$name,nosuch-$E2E_TAG"

check "start" vireo start "$name"
check "boots" wait_for "$serial" VIREO-GUEST-READY 90
tap=$(vireo domiflist "$name" | awk '$2 == "ethernet" { print $1 }')
check "domiflist names the tap of the ethernet interface" \
	"${IN_NS[@]}" test -e "/sys/class/net/$tap"

# Memory: the guest's balloon driver reports every second (<stats period='1'/>).
check "dommemstat: the guest's statistics arrive" wait_until 30 bash -c \
	"'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' dommemstat $name | grep -q '^usable [1-9]'"
ms=$(vireo dommemstat "$name")
check "dommemstat: actual is the balloon size (262144)" test "$(awk '$1 == "actual" { print $2 }' <<<"$ms")" = 262144
check "dommemstat: available is the guest's total memory" \
	test "$(awk '$1 == "available" { print $2 }' <<<"$ms")" -gt 100000
check "dommemstat: rss of QEMU" test "$(awk '$1 == "rss" { print $2 }' <<<"$ms")" -gt 10000
check "dommemstat: no unreported value shown as a huge number" \
	test -z "$(awk '$2 > 1e12' <<<"$ms")"
check "dommemstat --period 2 --live" vireo dommemstat "$name" --period 2 --live
expect_fail "dommemstat --period on a read-only connection" "read-only" \
	vireo_ro dommemstat "$name" --period 1
out_has "dommemstat on a read-only connection" "^actual 262144" \
	vireo_ro dommemstat "$name"

# Disks: the guest read its disk at boot (partition scan).
bs=$(vireo domblkstat "$name" vda)
check "domblkstat: reads at boot (rd_req > 0)" test "$(stat_of "$bs" rd_req)" -gt 0
check "domblkstat: read bytes > 0" test "$(stat_of "$bs" rd_bytes)" -gt 0
check "domblkstat: all eight counters" test "$(wc -l <<<"$bs")" = 8
expect_fail "domblkstat of a disk the domain lacks" "has no disk 'vdz'" \
	vireo domblkstat "$name" vdz

# Interfaces: udhcpc in the guest sends DHCP discovers on eth0 (the tap).
tx_pkts() { vireo domifstat "$name" "$tap" | awk '$2 == "tx_packets" { print $3 }'; }
check "domifstat: the guest's transmitted packets (udhcpc)" \
	wait_until 60 bash -c "[ \"\$('$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domifstat $name $tap | awk '\$2 == \"tx_packets\" { print \$3 }')\" -gt 0 ]"
hostrx=$("${IN_NS[@]}" cat "/sys/class/net/$tap/statistics/rx_packets")
check "domifstat swaps the tap's rx into the guest's tx" \
	test "$(tx_pkts)" -ge "$hostrx"
out_has "domifstat by MAC address" "^$tap rx_bytes " \
	vireo domifstat "$name" 52:54:00:e2:5a:01
expect_fail "domifstat of a user-mode interface" "no host device" \
	vireo domifstat "$name" "$mac_user"
expect_fail "domifstat of an unknown interface" "has no interface" \
	vireo domifstat "$name" vnet999

# domstats: all domains in one call.
all=$(vireo domstats)
check "domstats: every domain" test "$(grep -c "^Domain: '$name" <<<"$all")" = 3
check "domstats: the running one first, running" bash -c \
	"grep -A1 '^Domain:' <<<'$all' | head -2 | tail -1 | grep -q 'state.state=1'"
for k in cpu.time balloon.current balloon.rss vcpu.0.time net.0.rx.bytes \
	block.0.rd.reqs block.0.capacity; do
	check "domstats has $k" grep -q "^  $k=" <<<"$all"
done
out_has "domstats of two domains" "^Domain: '$name-idle2'" \
	vireo domstats "$name,$name-idle2" --state
check "domstats --list-inactive leaves the running one out" bash -c \
	"! '$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstats --list-inactive | grep -q \"^Domain: '$name'\$\""
out_has "domstats --json" '"state.state": 1' vireo domstats "$name" --json
out_has "domstats on a read-only connection" "state.state=1" \
	vireo_ro domstats "$name" --state

# A QEMU that does not answer, and a job held meanwhile (setmem waits on
# QEMU): domstats neither waits for the job nor hangs on the monitor; it
# returns in bounded time with what it knows and a warning.
pid=$(pgrep -f -- "guest=$name" | head -1)
kill -STOP "$pid"
vireo setmem "$name" 200M --live >/dev/null 2>&1 &
setmem_pid=$!
# the probe takes the job only for an instant when it is free (it fails its
# own check at once) and reports the holder when it is not
job_held() { vireo setvcpus "$name" 5 --live 2>&1 | grep -q "job 'setmem'"; }
check "a job is held on the domain (setmem waits on the stopped QEMU)" \
	wait_until 10 job_held
t0=$(date +%s%N)
out=$(vireo domstats 2>&1)
t1=$(date +%s%N)
kill -CONT "$pid"
check "domstats with QEMU stopped and a job held: $(( (t1 - t0) / 1000000 )) ms (< 5 s)" \
	test $(( (t1 - t0) / 1000000 )) -lt 5000
check "... still has the state" grep -q "state.state=1" <<<"$out"
check "... and warns" grep -q "did not answer in time" <<<"$out"
check "the held setmem completes once QEMU runs" wait "$setmem_pid"
check "domstats works again once QEMU runs" bash -c \
	"'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' domstats $name 2>&1 | grep -q block.0.rd.reqs"

# top, batch mode.
top=$(vireo top --batch --iterations 2 --delay 0.5)
check "top: two frames" test "$(grep -c '^vireo top' <<<"$top")" = 2
check "top: a row for the running domain" grep -Eq "^$name +running +[0-9.]+ +[0-9.]+" <<<"$top"
check "top: no escape sequences in batch mode" bash -c "! grep -q $'\\033' <<<'$top'"
expect_fail "top with a bad delay" "invalid delay" vireo top --delay 0
expect_fail "top with a bad sort key" "invalid sort key" vireo top --sort foo

check "destroy" vireo destroy "$name"
e2e_finish
