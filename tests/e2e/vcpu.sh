#!/bin/bash
# vCPUs on a real guest: vcpucount, setvcpus (--config, --maximum, live
# hot-plug seen by the guest), <cputune> applied at start, vcpupin and
# emulatorpin live (checked in /proc), vcpuinfo; refusals.
. "$(dirname "$0")/lib.sh"

guest_prepare || { echo "cannot build the test guest"; exit 1; }
daemon_start || exit 1
name=e2e-$E2E_TAG
serial=$E2E_ROOT/serial.log
guest_xml "$name" "$serial" 256 |
	sed "s|<vcpu>1</vcpu>|<vcpu current='1'>2</vcpu>|" >"$E2E_ROOT/dom.xml"
count() { vireo vcpucount "$name" | awk -v a="$1" -v b="$2" '$1 == a && $2 == b { print $3 }'; }
cpus_allowed() { awk '/^Cpus_allowed_list/ { print $2 }' "/proc/$1/task/$2/status"; }
vcpu_tid() { vireo vcpuinfo "$name" --json | tr -d ' \n' | grep -o "\"tid\":[0-9]*,\"vcpu\":$1[,}]" | grep -o '[0-9]*' | head -1; }

check "define with <vcpu current='1'>2</vcpu>" vireo define "$E2E_ROOT/dom.xml"
check "vcpucount: maximum config 2" test "$(count maximum config)" = 2
check "vcpucount: current config 1" test "$(count current config)" = 1
check "vcpucount: no live rows while shut off" test -z "$(count current live)"
expect_fail "setvcpus --live on a shut off domain" "is not running" \
	vireo setvcpus "$name" 2 --live
expect_fail "setvcpus above the maximum" "more than its maximum of 2" \
	vireo setvcpus "$name" 3 --config
expect_fail "setvcpus 0" "at least 1" vireo setvcpus "$name" 0 --config
expect_fail "setvcpus on an unknown domain" "domain not found" \
	vireo setvcpus nosuch-$E2E_TAG 1
check "setvcpus --maximum --config 3" vireo setvcpus "$name" 3 --maximum --config
check "vcpucount: maximum config 3" test "$(count maximum config)" = 3
check "setvcpus --maximum --config 2 again" vireo setvcpus "$name" 2 --maximum --config
check "vcpupin --config" vireo vcpupin "$name" 0 0 --config
check "emulatorpin --config" vireo emulatorpin "$name" 1 --config
out_has "inactive XML has <cputune>" "<vcpupin vcpu='0' cpuset='0'/>" \
	vireo dumpxml --inactive "$name"
out_has "inactive XML has <emulatorpin>" "<emulatorpin cpuset='1'/>" \
	vireo dumpxml --inactive "$name"
expect_fail "vcpupin to a CPU the host lacks" "does not exist on this host" \
	vireo vcpupin "$name" 0 64 --config
expect_fail "vcpupin of a vCPU beyond the maximum" "has no vCPU 5" \
	vireo vcpupin "$name" 5 0 --config
out_has "vcpupin query (config)" "^ 0 +0 *$" vireo vcpupin "$name" --config
expect_fail "setvcpus on a read-only connection" "read-only|readonly" \
	vireo_ro setvcpus "$name" 2 --config
expect_fail "vcpupin on a read-only connection" "read-only" \
	vireo_ro vcpupin "$name" 0 1 --config
expect_fail "emulatorpin on a read-only connection" "read-only" \
	vireo_ro emulatorpin "$name" 0 --config
out_has "vcpupin query on a read-only connection" "^ 0 +0 *$" \
	vireo_ro vcpupin "$name" --config
out_has "vcpucount on a read-only connection" "^maximum +config +2" \
	vireo_ro vcpucount "$name"

check "start" vireo start "$name"
check "boots" wait_for "$serial" VIREO-GUEST-READY 90
pid=$(pgrep -f -- "guest=$name" | head -1)
tid0=$(vcpu_tid 0)
check "<cputune> vcpupin applied at start (vCPU 0 thread on CPU 0)" \
	test "$(cpus_allowed "$pid" "$tid0")" = 0
check "<cputune> emulatorpin applied at start (main thread on CPU 1)" \
	test "$(cpus_allowed "$pid" "$pid")" = 1
check "vcpucount: current live 1" test "$(count current live)" = 1
out_has "domstats --vcpu: vCPU 1 offline" "vcpu.1.state=0" \
	vireo domstats "$name" --vcpu
out_has "vcpuinfo shows vCPU 0 and its affinity" "CPU Affinity: +y-" \
	vireo vcpuinfo "$name"
out_has "vcpuinfo: the host CPU it last ran on" "^CPU: +[01]$" \
	vireo vcpuinfo "$name"
expect_fail "setvcpus --live above the maximum" "more than its maximum" \
	vireo setvcpus "$name" 3 --live
expect_fail "setvcpus --maximum --live" "use --config" \
	vireo setvcpus "$name" 2 --maximum --live

: >"$serial"
check "setvcpus 2 --live (hot-plug)" vireo setvcpus "$name" 2 --live
check "the guest onlines the new vCPU" wait_for "$serial" "VIREO-CPUS online=2" 60
check "vcpucount: current live 2" test "$(count current live)" = 2
check "vcpucount: current config still 1" test "$(count current config)" = 1
out_has "vcpuinfo lists vCPU 1" "^VCPU: +1" vireo vcpuinfo "$name"
out_has "domstats --vcpu: vCPU 1 running" "vcpu.1.state=1" \
	vireo domstats "$name" --vcpu
tid1=$(vcpu_tid 1)
check "vcpupin 1 0 --live" vireo vcpupin "$name" 1 0 --live
check "vCPU 1 thread now allowed on CPU 0 only" \
	test "$(cpus_allowed "$pid" "$tid1")" = 0
out_has "vcpupin query shows the live pin" "^ 1 +0 *$" vireo vcpupin "$name"
check "emulatorpin 0-1 --live" vireo emulatorpin "$name" 0-1 --live
check "emulator thread allowed on 0-1" test "$(cpus_allowed "$pid" "$pid")" = 0-1
check "vCPU 0 keeps its pin" test "$(cpus_allowed "$pid" "$tid0")" = 0
out_has "emulatorpin query" "\*: 0-1" vireo emulatorpin "$name"
# the live definition (status file) keeps the count across a restart
daemon_stop
daemon_start || exit 1
check "vcpucount after restart: current live 2" \
	wait_until 10 bash -c "[ \"\$('$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' vcpucount $name | awk '\$1 == \"current\" && \$2 == \"live\" { print \$3 }')\" = 2 ]"

# the guest printed online=1 at boot: only what follows counts
: >"$serial"
if [ "$(guest_virt_type)" = kvm ]; then
	check "setvcpus 1 --live (unplug)" vireo setvcpus "$name" 1 --live
	check "the guest sees one vCPU again" wait_for "$serial" "VIREO-CPUS online=1" 60
	check "vcpucount: current live 1 after unplug" test "$(count current live)" = 1
else
	# QEMU would crash at the next memory-map change (a device_add, a
	# migration): TCG unplug is refused and the guest keeps both.
	expect_fail "setvcpus 1 --live refused under TCG" \
		"TCG guest cannot be unplugged.*--config" \
		vireo setvcpus "$name" 1 --live
	check "vcpucount: still 2 live" test "$(count current live)" = 2
	check "still running" test "$(vireo domstate "$name")" = running
fi
check "destroy" vireo destroy "$name"
e2e_finish
