#!/bin/bash
# Migration soak: SOAK_GUESTS test guests (default 2) moved live back and
# forth between two vireod on this machine, all at once, SOAK_ROUNDS times
# (default 30), while SOAK_LOAD busy loops (default 0) load the machine.
# After every round each guest's serial log must show its counter still
# rising, no reboot (a second "VIREO-COUNTER 1"), no kernel oops or
# panic, and no page that memcheck found stale (tests/guest/memcheck.c:
# a page the migration did not carry); the first guest that fails stops the soak and its log tail is
# printed. SOAK_MODE=raw does the same with QEMU alone (QMP by socat, the
# argv vireod would use), to tell our sequencing from QEMU's own doing.
# SOAK_MIGRATE_FLAGS (default --live --unsafe) are vireo migrate's flags
# ("" copies the guest paused); SOAK_ACCEL replaces raw QEMU's -accel.
# Found with it (QEMU 7.2, TCG): stale guest pages after live moves, raw
# QEMU and vireod alike, within a few moves; none in paused copies.
# Prints what it saw; run from the build directory (`make
# bench-migrate-soak`) or with BUILDDIR set. Exit status 1 on a failure.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILDDIR:-$(pwd)}
[ -x "$build/vireod" ] || build=$top/build
export VR_SCHEMA_DIR=$top/xml-schemas
: "${VIREO_GUEST_DIR:=/var/cache/vireo-test-guest}"
G=${SOAK_GUESTS:-2}
ROUNDS=${SOAK_ROUNDS:-30}
LOAD=${SOAK_LOAD:-0}
MODE=${SOAK_MODE:-vireo}
MEM=${SOAK_MEM_MIB:-256}
CMDLINE=${SOAK_CMDLINE:-console=ttyS0 panic=-1 vireo.memcheck=16}
root=$(mktemp -d /tmp/vireo-mig-soak.XXXXXX)
chmod 755 "$root"
tag=soak-${root##*.}
qemu=/usr/bin/qemu-system-x86_64
pids=()
loadpids=()

cleanup() {
	local p
	for p in "${loadpids[@]}" "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${loadpids[@]}" "${pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	pkill -9 -f -- "guest=$tag" 2>/dev/null || true
	[ "${SOAK_KEEP:-0}" = 1 ] || rm -rf "$root"
}
trap cleanup EXIT
. "$top/bench/lib.sh"

"$top/tests/guest/build.sh" "$VIREO_GUEST_DIR" >/dev/null
# Live by default: under TCG with --unsafe, which is what this is about.
bench_accel
: "${SOAK_MIGRATE_FLAGS=--live $unsafe}"
echo "machine: $(nproc) CPUs, $(uname -r), $($qemu --version | head -1)"
echo "soak: $MODE, $G guests of $MEM MiB, $ROUNDS rounds, $LOAD busy" \
	"loops, accel $accel"
for ((i = 0; i < LOAD; i++)); do
	sh -c 'while :; do :; done' &
	loadpids+=($!)
done

serial() { echo "$root/serial-$1.log"; }
counter() {
	tr -d '\r' <"$1" 2>/dev/null | grep -Eo 'VIREO-COUNTER [0-9]+' |
		tail -1 | awk '{n = $2} END {print n + 0}'
}
wait_counter() {	# wait_counter GUEST N TIMEOUT_S
	local end=$((SECONDS + $3))
	while [ $SECONDS -lt $end ]; do
		[ "$(counter "$(serial "$1")")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
declare -A last
# check GUEST: the guest lives on, unharmed, since the last check.
check() {
	local g=$1 f n
	f=$(serial "$g")
	if tr -d '\r' <"$f" | grep -Eq \
		'Oops|general protection|Kernel panic|BUG:|RIP:|Call Trace|MEMCHECK BAD'; then
		echo "guest $g: kernel trouble" >&2
		return 1
	fi
	if [ "$(tr -d '\r' <"$f" | grep -c 'VIREO-COUNTER 1$')" -ne 1 ]; then
		echo "guest $g rebooted" >&2
		return 1
	fi
	# Rising: one more counter than at the last check (10 s at most).
	if ! wait_counter "$g" $((${last[$g]:-0} + 1)) 10; then
		echo "guest $g: counter stuck at $(counter "$f")" >&2
		return 1
	fi
	last[$g]=$(counter "$f")
}
fail() {
	local g=$1
	echo "FAILED in round $round, guest $g; serial tail:"
	tr -d '\r' <"$(serial "$g")" | tail -60
	SOAK_KEEP=1
	echo "kept: $root"
	exit 1
}

# vireo: vireod A and B, each guest moved by `vireo migrate` with the flags.
dom_xml() {	# dom_xml GUEST
	cat <<XML
<domain type='$virt'>
  <name>$tag-$1</name>
  <memory unit='MiB'>$MEM</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$VIREO_GUEST_DIR/vmlinuz</kernel>
    <initrd>$VIREO_GUEST_DIR/initrd.gz</initrd>
    <cmdline>$CMDLINE</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <serial type='file'>
      <source path='$(serial "$1")' append='on'/>
      <target port='0'/>
    </serial>
    <memballoon model='virtio' autodeflate='on'>
      <stats period='1'/>
    </memballoon>
  </devices>
</domain>
XML
}
declare -A host
vireo_setup() {
	local g
	daemon "$root/a"
	daemon "$root/b"
	for ((g = 0; g < G; g++)); do
		dom_xml "$g" >"$root/dom-$g.xml"
		v a create "$root/dom-$g.xml" >/dev/null
		host[$g]=a
	done
}
vireo_move() {	# vireo_move GUEST
	local g=$1 from=${host[$1]} to
	to=$([ "$from" = a ] && echo b || echo a)
	v "$from" migrate $SOAK_MIGRATE_FLAGS "$tag-$g" "$(uri "$to")" \
		>"$root/move-$g.out" 2>&1
}
vireo_moved() { host[$1]=$([ "${host[$1]}" = a ] && echo b || echo a); }

# raw: the same QEMU options as vireod's (its argv log), QMP by socat.
raw_qemu() {	# raw_qemu GUEST INSTANCE [ARGS...]
	local g=$1 n=$2
	shift 2
	"$qemu" -name "guest=$tag-$g,debug-threads=on" -accel "${SOAK_ACCEL:-$accel}" \
		-machine pc,usb=off,dump-guest-core=off -m "$MEM" -smp 1 \
		-nodefaults -no-user-config -msg timestamp=on -rtc base=utc \
		-display none -kernel "$VIREO_GUEST_DIR/vmlinuz" \
		-initrd "$VIREO_GUEST_DIR/initrd.gz" -append "$CMDLINE" \
		-chardev "file,id=ser0,path=$(serial "$g"),append=on" \
		-serial chardev:ser0 \
		-device virtio-balloon-pci,id=balloon0,deflate-on-oom=on \
		-qmp "unix:$root/q-$g-$n.sock,server=on,wait=off" "$@" \
		>>"$root/qemu-$g.log" 2>&1 &
	pids+=($!)
}
qmp() {	# qmp SOCKET JSON...: run the commands, print the replies
	local sock=$1
	shift
	{
		echo '{"execute":"qmp_capabilities"}'
		printf '%s\n' "$@"
		sleep 0.2
	} | socat -t 5 - "UNIX-CONNECT:$sock" | grep -v '"event"' |
		tail -n "$#"
}
declare -A inst
caps='{"execute":"migrate-set-capabilities","arguments":{"capabilities":[{"capability":"events","state":true}]}}'
raw_setup() {
	local g
	for ((g = 0; g < G; g++)); do
		inst[$g]=0
		raw_qemu "$g" 0
		sleep 0.3
		qmp "$root/q-$g-0.sock" \
			'{"execute":"qom-set","arguments":{"path":"/machine/peripheral/balloon0","property":"guest-stats-polling-interval","value":1}}' \
			'{"execute":"cont"}' >/dev/null
	done
}
raw_move() {	# raw_move GUEST
	local g=$1 n=${inst[$1]} m port src dst
	m=$((n + 1))
	src=$root/q-$g-$n.sock dst=$root/q-$g-$m.sock
	raw_qemu "$g" "$m" -incoming defer
	for _ in $(seq 100); do [ -S "$dst" ] && break; sleep 0.05; done
	port=$(qmp "$dst" "$caps" \
		'{"execute":"migrate-incoming","arguments":{"uri":"tcp:127.0.0.1:0"}}' \
		'{"execute":"query-migrate"}' | tail -1 |
		grep -Eo '"port": *"[0-9]+"' | grep -Eo '[0-9]+')
	qmp "$src" "$caps" \
		"{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"tcp:127.0.0.1:$port\"}}" \
		>/dev/null
	until qmp "$src" '{"execute":"query-migrate"}' |
		grep -Eq '"status": "(completed|failed|cancelled)"'; do
		sleep 0.05
	done
	qmp "$src" '{"execute":"query-migrate"}' | grep -q '"completed"' ||
		return 1
	until qmp "$dst" '{"execute":"query-migrate"}' |
		grep -q '"completed"'; do
		sleep 0.01
	done
	qmp "$dst" '{"execute":"qom-set","arguments":{"path":"/machine/peripheral/balloon0","property":"guest-stats-polling-interval","value":1}}' \
		'{"execute":"cont"}' >/dev/null
	qmp "$src" '{"execute":"quit"}' >/dev/null || true
}
raw_moved() { inst[$1]=$((${inst[$1]} + 1)); }

"${MODE}_setup"
for ((g = 0; g < G; g++)); do
	wait_counter "$g" 2 180 || { round=0; fail "$g"; }
	last[$g]=$(counter "$(serial "$g")")
done
t0=$SECONDS
for ((round = 1; round <= ROUNDS; round++)); do
	mpids=()
	for ((g = 0; g < G; g++)); do
		"${MODE}_move" "$g" &
		mpids+=($!)
	done
	for ((g = 0; g < G; g++)); do
		if ! wait "${mpids[$g]}"; then
			echo "round $round: guest $g did not move:" \
				"$(cat "$root/move-$g.out" 2>/dev/null)"
		else
			"${MODE}_moved" "$g"
		fi
	done
	for ((g = 0; g < G; g++)); do
		check "$g" || fail "$g"
	done
	printf 'round %d: ok (counters' "$round"
	for ((g = 0; g < G; g++)); do printf ' %s' "${last[$g]}"; done
	printf ', load %s)\n' "$(cut -d' ' -f1 /proc/loadavg)"
done
echo "$((G * ROUNDS)) migrations in $((SECONDS - t0)) s, no guest harmed"
