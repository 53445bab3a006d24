#!/bin/bash
# A guest whose disk runs out of space: QEMU stops it (werror=enospc, its
# default) and vireod must say why: "paused (I/O error)", also after a
# daemon restart; once space is back, resume finishes the write.
#
# The disk is a sparse 32 MiB raw file on a 1 MiB tmpfs. The guest's
# serial port is a Unix socket with a shell on it (vireo.shell=ttyS0):
# the test types a dd into it. Skipped where tmpfs cannot be mounted.
. "$(dirname "$0")/lib.sh"

mnt=$E2E_ROOT/small
trap 'exec 3>&- 2>/dev/null; [ -n "${SOCAT_PID:-}" ] && kill "$SOCAT_PID" 2>/dev/null; umount "$mnt" 2>/dev/null; e2e_cleanup' EXIT

command -v socat >/dev/null || { echo "socat missing (scripts/deps.sh)"; exit 1; }
mkdir -p "$mnt"
if ! mount -t tmpfs -o size=1m,mode=0755 tmpfs "$mnt" 2>/dev/null; then
	echo "ioerror: cannot mount tmpfs here; skipped"
	echo "ioerror: 0 passed, 0 failed, 1 skipped"
	exit 77
fi
truncate -s 32M "$mnt/disk.raw"

guest_prepare || exit 1
daemon_start || exit 1

name=e2e-$E2E_TAG
# QEMU (user vireo-qemu) binds the socket: a directory it may write.
mkdir -m 0700 "$E2E_ROOT/chr"
chown vireo-qemu: "$E2E_ROOT/chr"
sock=$E2E_ROOT/chr/serial.sock
out=$E2E_ROOT/serial.log
guest_xml "$name" /unused |
	sed -e "s|<cmdline>console=ttyS0 |<cmdline>console=ttyS0 vireo.shell=ttyS0 |" \
	    -e "s|<serial type='file'>|<serial type='unix'>|" \
	    -e "s|<source path='/unused' append='on'/>|<source mode='bind' path='$sock'/>|" \
	    -e "s|<devices>|<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='$mnt/disk.raw'/><target dev='vda' bus='virtio'/></disk>|" \
	>"$E2E_ROOT/dom.xml"
check "create a guest with its disk on a full-to-be tmpfs" \
	vireo create "$E2E_ROOT/dom.xml"

# The serial line (QEMU serves one connection): input from fd 3.
mkfifo "$E2E_ROOT/in"
exec 3<>"$E2E_ROOT/in"
socat - UNIX-CONNECT:"$sock" <"$E2E_ROOT/in" >"$out" 2>/dev/null &
SOCAT_PID=$!
check "guest booted (accelerator $(guest_virt_type))" \
	wait_for "$out" 'VIREO-GUEST-READY' 120

state() { vireo domstate --reason "$name" 2>&1; }
paused_ioerror() { [ "$(state)" = "paused (I/O error)" ]; }

echo 'dd if=/dev/zero of=/dev/vda bs=64k count=64 conv=fsync && echo DD-DONE' >&3
if wait_until 60 paused_ioerror; then
	ok "ENOSPC paused the guest: $(state)"
else
	not_ok "guest not paused for the I/O error (state: $(state))"
fi
out_has "list shows it paused" "$name +paused" vireo list
check "the daemon log names the disk and the error" \
	grep -Eq "I/O error on disk virtio-disk0 \(write\): No space left" \
	"$E2E_ROOT/vireod.log"

daemon_stop
daemon_start || exit 1
check "after a daemon restart the reason is still I/O error" \
	wait_until 20 paused_ioerror

mount -o remount,size=64m "$mnt"
check "resume once space is back" vireo resume "$name"
out_has "running again" "^running \(unpaused\)$" vireo domstate --reason "$name"
check "the guest's write finished" wait_for "$out" '^DD-DONE' 60

check "destroy" vireo destroy "$name"
e2e_finish
