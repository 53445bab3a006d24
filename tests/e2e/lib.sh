# Shared helpers for end-to-end tests: a private vireod under a temporary
# root, the real vireo client, the real test guest. Source from a test.
# shellcheck shell=bash

set -u

: "${abs_top_builddir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${abs_top_srcdir:=$abs_top_builddir}"
: "${VR_SCHEMA_DIR:=$abs_top_srcdir/xml-schemas}"
export VR_SCHEMA_DIR
VIREOD=$abs_top_builddir/vireod
VIREO=$abs_top_builddir/vireo
: "${VIREO_GUEST_DIR:=/var/cache/vireo-test-guest}"
export VIREO_GUEST_DIR

E2E_PASS=0
E2E_FAIL=0
E2E_NAME=$(basename "$0" .sh)
E2E_ROOT=$(mktemp -d "/tmp/vireo-e2e-$E2E_NAME.XXXXXX")
# QEMU runs as vireo-qemu: it must reach the serial logs under the root.
chmod 755 "$E2E_ROOT"
# Domain names carry the run's tag: concurrent runs never touch each other.
E2E_TAG=${E2E_ROOT##*.}-$E2E_NAME
E2E_DAEMON_PID=

ok() {
	E2E_PASS=$((E2E_PASS + 1))
	echo "ok: $*"
}

not_ok() {
	E2E_FAIL=$((E2E_FAIL + 1))
	echo "FAIL: $*"
}

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# expect_fail DESCRIPTION PATTERN COMMAND...: the command must fail (exit
# 1) and print PATTERN (extended regex) on stderr.
expect_fail() {
	local what=$1 pattern=$2 rc err
	shift 2
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -ne 0 ] && grep -Eq -- "$pattern" <<<"$err"; then
		ok "$what"
	else
		not_ok "$what (exit $rc, stderr: $err)"
	fi
}

# out_has DESCRIPTION REGEX COMMAND...: the command succeeds and its output
# matches REGEX (extended).
out_has() {
	local what=$1 re=$2 out
	shift 2
	if out=$("$@" 2>&1) && grep -Eq -- "$re" <<<"$out"; then
		ok "$what"
	else
		not_ok "$what (output: $out)"
	fi
}

vireo() {
	"$VIREO" -c "vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock" "$@"
}

vireo_ro() {
	"$VIREO" -r -c "vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock" "$@"
}

# Start vireod on the private root and wait for its pidfile.
# In an ASan build, leak reports show whole allocation stacks: json-c has
# no frame pointers, so the fast unwinder stops at its first frame.
: "${E2E_VIREOD_ASAN_OPTIONS:=fast_unwind_on_malloc=0:malloc_context_size=30}"
daemon_start() {
	local i
	rm -f "$E2E_ROOT/run/vireod.pid"
	ASAN_OPTIONS=${ASAN_OPTIONS:-$E2E_VIREOD_ASAN_OPTIONS} \
		${E2E_DAEMON_WRAPPER:-} "$VIREOD" --root "$E2E_ROOT" ${E2E_DAEMON_ARGS:-} \
		>>"$E2E_ROOT/vireod.log" 2>&1 &
	E2E_DAEMON_PID=$!
	for i in $(seq 1 500); do
		if [ -s "$E2E_ROOT/run/vireod.pid" ]; then
			return 0
		fi
		if ! kill -0 "$E2E_DAEMON_PID" 2>/dev/null; then
			echo "vireod exited at start:"
			tail -20 "$E2E_ROOT/vireod.log"
			return 1
		fi
		sleep 0.02
	done
	echo "vireod did not become ready"
	return 1
}

daemon_alive() {
	kill -0 "$E2E_DAEMON_PID" 2>/dev/null
}

daemon_stop() {
	if [ -n "$E2E_DAEMON_PID" ] && daemon_alive; then
		kill -TERM "$E2E_DAEMON_PID"
		wait "$E2E_DAEMON_PID" 2>/dev/null
	fi
	E2E_DAEMON_PID=
}

# Kill every QEMU this test's daemon started (by its monitor path).
kill_guests() {
	pkill -9 -f -- "-name guest=e2e-$E2E_TAG" 2>/dev/null || true
	pkill -9 -f -- "$E2E_ROOT" 2>/dev/null || true
}

# Sanitizer reports from any vireod this test ran are failures.
sanitizer_check() {
	if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
		"$E2E_ROOT/vireod.log" 2>/dev/null; then
		not_ok "vireod sanitizer report (see below)"
		grep -E -A25 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
			"$E2E_ROOT/vireod.log" | head -80
	fi
}

e2e_cleanup() {
	daemon_stop
	kill_guests
	[ -n "${E2E_SANITIZER_CHECKED:-}" ] || sanitizer_check
	if [ "$E2E_FAIL" -ne 0 ]; then
		echo "--- vireod log (last 40 lines) ---"
		tail -40 "$E2E_ROOT/vireod.log" 2>/dev/null
		for f in "$E2E_ROOT"/log/qemu/*.log; do
			[ -f "$f" ] || continue
			echo "--- $f ---"
			tail -15 "$f"
		done
	fi
	if [ "${E2E_KEEP:-0}" = 1 ]; then
		echo "kept $E2E_ROOT"
	else
		rm -rf "$E2E_ROOT"
	fi
}
trap e2e_cleanup EXIT

e2e_finish() {
	daemon_stop
	sanitizer_check
	E2E_SANITIZER_CHECKED=1
	echo "$E2E_NAME: $E2E_PASS passed, $E2E_FAIL failed"
	[ "$E2E_FAIL" -eq 0 ]
	exit $?
}

# The accelerator for test guests: KVM only with kvm_intel/kvm_amd.
guest_virt_type() {
	if [ -e /sys/module/kvm_intel ] || [ -e /sys/module/kvm_amd ]; then
		echo kvm
	else
		echo qemu
	fi
}

# Build (or reuse) the cached test guest.
guest_prepare() {
	"$abs_top_srcdir/tests/guest/build.sh" "$VIREO_GUEST_DIR" >/dev/null
}

# guest_xml NAME SERIAL_LOG [MEM_MIB]: a domain booting the test guest.
# E2E_GUEST_CMDLINE replaces the guest's kernel command line (e.g. without
# "quiet" to see a guest oops on its serial log).
guest_xml() {
	local name=$1 serial=$2 mem=${3:-256}
	cat <<XML
<domain type='$(guest_virt_type)'>
  <name>$name</name>
  <memory unit='MiB'>$mem</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$VIREO_GUEST_DIR/vmlinuz</kernel>
    <initrd>$VIREO_GUEST_DIR/initrd.gz</initrd>
    <cmdline>${E2E_GUEST_CMDLINE:-console=ttyS0 panic=-1 quiet}</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <serial type='file'>
      <source path='$serial' append='on'/>
      <target port='0'/>
    </serial>
    <memballoon model='virtio' autodeflate='on'>
      <stats period='1'/>
    </memballoon>
  </devices>
</domain>
XML
}

# wait_for FILE REGEX TIMEOUT_S: poll a serial log for a line.
wait_for() {
	local file=$1 re=$2 timeout=$3 end
	end=$((SECONDS + timeout))
	while [ $SECONDS -lt $end ]; do
		if [ -f "$file" ] && tr -d '\r' <"$file" | grep -Eq -- "$re"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# The last counter the guest printed (0 if none).
last_counter() {
	tr -d '\r' <"$1" 2>/dev/null | grep -Eo 'VIREO-COUNTER [0-9]+' |
		tail -1 | awk '{n = $2} END {print n + 0}'
}

# memcheck_clean FILE: the guest's memcheck (vireo.memcheck=) found no
# stale page in this serial log.
memcheck_clean() { ! tr -d '\r' <"$1" | grep -q 'MEMCHECK BAD'; }

# wait_until TIMEOUT_S COMMAND...: poll a command until it succeeds.
wait_until() {
	local timeout=$1 end
	shift
	end=$((SECONDS + timeout))
	while [ $SECONDS -lt $end ]; do
		if "$@"; then return 0; fi
		sleep 0.1
	done
	return 1
}
