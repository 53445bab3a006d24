#!/bin/bash
# Save/restore benchmark: boots the test guest (256 MiB, TCG unless KVM is
# usable), then SAVE_N times: save to a file, restore from it. Prints the
# median and maximum of each whole vireo command, vireod's own figures
# (from its log) and the image size. Asserts nothing.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILDDIR:-$(pwd)}
[ -x "$build/vireod" ] || build=$top/build
export VR_SCHEMA_DIR=$top/xml-schemas
N=${SAVE_N:-5}
MEM=${SAVE_MEM_MIB:-256}
guest=${VIREO_GUEST_DIR:-/var/cache/vireo-test-guest}
root=$(mktemp -d /tmp/vireo-save-bench.XXXXXX)
chmod 755 "$root"
sock=$root/run/vireod.sock
name=bench-save-$$
dpid=

cleanup() {
	[ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	pkill -9 -f -- "guest=$name" 2>/dev/null || true
	rm -rf "$root"
}
trap cleanup EXIT

vireo() { "$build/vireo" -c "vireo+unix:///system?socket=$sock" "$@"; }
now_us() { echo $(( $(date +%s%N) / 1000 )); }
# median and max of the numbers on stdin
stats() { sort -n | awk '{a[NR] = $1} END {printf "median %.0f ms, max %.0f ms", a[int((NR + 1) / 2)], a[NR]}'; }

"$top/tests/guest/build.sh" "$guest" >/dev/null
virt=qemu
[ -e /sys/module/kvm_intel ] || [ -e /sys/module/kvm_amd ] && virt=kvm
"$build/vireod" --root "$root" >>"$root/vireod.log" 2>&1 &
dpid=$!
until vireo hostname >/dev/null 2>&1; do sleep 0.01; done
cat >"$root/dom.xml" <<XML
<domain type='$virt'>
  <name>$name</name>
  <memory unit='MiB'>$MEM</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$guest/vmlinuz</kernel>
    <initrd>$guest/initrd.gz</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet</cmdline>
  </os>
  <devices>
    <serial type='file'>
      <source path='$root/serial.log' append='on'/>
      <target port='0'/>
    </serial>
    <memballoon model='virtio'/>
  </devices>
</domain>
XML
vireo define "$root/dom.xml" >/dev/null
vireo start "$name" >/dev/null
for _ in $(seq 1 900); do
	grep -q 'VIREO-COUNTER 3' "$root/serial.log" 2>/dev/null && break
	sleep 0.1
done

: >"$root/save.ms"
: >"$root/restore.ms"
for ((i = 0; i < N; i++)); do
	rm -f "$root/img.save"
	t0=$(now_us)
	vireo save "$name" "$root/img.save" >/dev/null
	t1=$(now_us)
	vireo restore "$root/img.save" >/dev/null
	t2=$(now_us)
	echo $(((t1 - t0) / 1000)) >>"$root/save.ms"
	echo $(((t2 - t1) / 1000)) >>"$root/restore.ms"
	sleep 1		# let the guest run (and print) between rounds
done
size=$(stat -c %s "$root/img.save")
printf '%-34s %s\n' "save ($MEM MiB guest, $virt), vireo:" "$(stats <"$root/save.ms")"
printf '%-34s %s\n' "restore, vireo:" "$(stats <"$root/restore.ms")"
printf '%-34s %s\n' "save, inside vireod:" "$(grep -o 'saved to .* (\([0-9]*\) ms)' "$root/vireod.log" | grep -o '[0-9]* ms' | grep -o '[0-9]*' | stats)"
printf '%-34s %s\n' "restore, inside vireod:" "$(grep -o 'restored (running, [0-9]* ms)' "$root/vireod.log" | grep -o '[0-9]* ms' | grep -o '[0-9]*' | stats)"
printf '%-34s %s bytes (%s MiB)\n' "image size:" "$size" "$((size / 1048576))"
