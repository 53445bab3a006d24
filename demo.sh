#!/bin/bash
# Install what is missing, build, start vireod with a private root and boot
# the demo guest; then show `vireo list --all` and `vireo dominfo demo`.
# The daemon keeps running; stop it with: kill $(cat /tmp/vireo-demo/run/vireod.pid)
set -euo pipefail
top=$(cd "$(dirname "$0")" && pwd)
root=${VIREO_DEMO_ROOT:-/tmp/vireo-demo}
guest=${VIREO_GUEST_DIR:-/var/cache/vireo-test-guest}

"$top/scripts/deps.sh"
"$top/scripts/build.sh" "$top/build"
"$top/tests/guest/build.sh" "$guest" >/dev/null

vireo() { "$top/build/vireo" -c "vireo+unix:///system?socket=$root/run/vireod.sock" "$@"; }

if [ -s "$root/run/vireod.pid" ] && kill -0 "$(cat "$root/run/vireod.pid")" 2>/dev/null; then
	echo "vireod already running for $root"
else
	mkdir -p "$root"
	VR_SCHEMA_DIR=$top/xml-schemas nohup "$top/build/vireod" --root "$root" \
		>>"$root/vireod.log" 2>&1 &
	for _ in $(seq 1 250); do
		[ -s "$root/run/vireod.pid" ] && break
		sleep 0.02
	done
	echo "vireod started (root $root, log $root/vireod.log)"
fi

if [ -e /sys/module/kvm_intel ] || [ -e /sys/module/kvm_amd ]; then
	virt=kvm
else
	virt=qemu	# /dev/kvm here is not usable for guests: TCG
fi
echo "accelerator: $virt"
# Run again, define updates the same domain: keep its UUID.
uuid=$(vireo domuuid demo 2>/dev/null || cat /proc/sys/kernel/random/uuid)
cat >"$root/demo.xml" <<XML
<domain type='$virt'>
  <name>demo</name>
  <uuid>$uuid</uuid>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$guest/vmlinuz</kernel>
    <initrd>$guest/initrd.gz</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <serial type='file'>
      <source path='$root/demo-serial.log'/>
      <target port='0'/>
    </serial>
    <memballoon model='virtio' autodeflate='on'/>
  </devices>
</domain>
XML
vireo define "$root/demo.xml"
if [ "$(vireo domstate demo)" != running ]; then
	: >"$root/demo-serial.log"
	vireo start demo
fi
for _ in $(seq 1 600); do
	tr -d '\r' <"$root/demo-serial.log" | grep -q VIREO-GUEST-READY && break
	sleep 0.1
done
tr -d '\r' <"$root/demo-serial.log" | grep -E 'VIREO-(GUEST-READY|COUNTER)' | tail -2
echo
vireo list --all
vireo dominfo demo
echo "serial console log: $root/demo-serial.log"
