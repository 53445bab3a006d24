#!/bin/bash
# Migration benchmark: the same 256 MiB test guest migrated live on this
# machine (stream over 127.0.0.1), first QEMU to QEMU by hand over QMP
# (socat), then vireod A to vireod B with `vireo migrate --live`. For each,
# BENCH_N runs (guest moved back and forth) and the medians of:
#   total     wall time from the start of the destination QEMU (raw) or of
#             `vireo migrate` (vireo) until the guest runs on the
#             destination and the source QEMU has quit
#   stream    QEMU's "total-time" on the source: migrate to completed
#   downtime  QEMU's own figure (query-migrate "downtime" on the source)
#   paused    source STOP to destination running: QEMU event timestamps
#             (raw), `vireo event --timestamp` of both daemons (vireo, ms)
# Both use the same QEMU settings: events on, no bandwidth limit (1 TiB/s),
# QEMU's default downtime limit. Prints figures; asserts nothing. Run from
# the build directory (`make bench-migrate`) or with BUILDDIR set.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILDDIR:-$(pwd)}
[ -x "$build/vireod" ] || build=$top/build
export VR_SCHEMA_DIR=$top/xml-schemas
: "${VIREO_GUEST_DIR:=/var/cache/vireo-test-guest}"
N=${BENCH_N:-5}
MEM=${BENCH_MEM_MIB:-256}
root=$(mktemp -d /tmp/vireo-mig-bench.XXXXXX)
chmod 755 "$root"
name=mig-bench-${root##*.}
qemu=/usr/bin/qemu-system-x86_64
pids=()

cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	pkill -9 -f -- "guest=$name" 2>/dev/null || true
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$root"
}
trap cleanup EXIT
. "$top/bench/lib.sh"

"$top/tests/guest/build.sh" "$VIREO_GUEST_DIR" >/dev/null
# --unsafe under TCG: QEMU's TCG may lose guest writes; this guest idles.
bench_accel

wait_file() {	# wait_file FILE REGEX TIMEOUT_S
	local end=$((SECONDS + $3))
	while [ $SECONDS -lt $end ]; do
		if [ -e "$1" ] && tr -d '\r' <"$1" 2>/dev/null | grep -Eq -- "$2"
		then
			return 0
		fi
		sleep 0.05
	done
	echo "timeout waiting for '$2' in $1" >&2
	return 1
}

# QMP over socat and two fifos: qmp_open TAG SOCKET, then qmp TAG JSON
# prints the reply line; events seen meanwhile go to $root/TAG.events.
declare -A qw qr
qmp_open() {
	local tag=$1 sock=$2 line end=$((SECONDS + 20)) w r
	while [ ! -S "$sock" ] && [ $SECONDS -lt $end ]; do sleep 0.01; done
	rm -f "$root/$tag.in" "$root/$tag.out"
	mkfifo "$root/$tag.in" "$root/$tag.out"
	socat - "UNIX-CONNECT:$sock" <"$root/$tag.in" >"$root/$tag.out" &
	pids+=($!)
	exec {w}>"$root/$tag.in"
	exec {r}<"$root/$tag.out"
	qw[$tag]=$w
	qr[$tag]=$r
	read -r line <&"$r"	# greeting
	qmp "$tag" '{"execute":"qmp_capabilities"}' >/dev/null
}
qmp() {
	local tag=$1 line
	echo "$2" >&"${qw[$tag]}"
	while read -r line <&"${qr[$tag]}"; do
		case $line in
		*'"event"'*) echo "$line" >>"$root/$tag.events" ;;
		*) echo "$line"; return 0 ;;
		esac
	done
	return 1
}
qmp_close() {
	local tag=$1
	exec {qw[$tag]}>&- {qr[$tag]}<&-
}
# The wall time (µs) of the last EVENT in TAG's events.
event_us() {
	local s us
	read -r s us < <(grep "\"event\": *\"$2\"" "$root/$1.events" |
		tail -1 | sed -E \
		's/.*"seconds": *([0-9]+), *"microseconds": *([0-9]+).*/\1 \2/')
	echo $((s * 1000000 + 10#$us))
}
json_num() { grep -Eo "\"$1\": *[0-9]+" | head -1 | grep -Eo '[0-9]+$'; }
# Wall clock in µs (event timestamps are wall clock too).
wall_us() { echo $(( $(date +%s%N) / 1000 )); }

raw_qemu() {	# raw_qemu TAG [ARGS...]
	local tag=$1
	shift
	"$qemu" -name "guest=$name,debug-threads=on" -accel "$accel" \
		-machine pc,usb=off,dump-guest-core=off -m "$MEM" -smp 1 \
		-nodefaults -no-user-config -msg timestamp=on -rtc base=utc \
		-sandbox on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny \
		-display none -kernel "$VIREO_GUEST_DIR/vmlinuz" \
		-initrd "$VIREO_GUEST_DIR/initrd.gz" \
		-append 'console=ttyS0 panic=-1 quiet' \
		-chardev "file,id=ser0,path=$root/raw-serial.log,append=on" \
		-serial chardev:ser0 -device virtio-balloon-pci \
		-qmp "unix:$root/$tag.qmp,server=on,wait=off" "$@" \
		>>"$root/$tag.log" 2>&1 &
	pids+=($!)
	echo $! >"$root/$tag.pid"
}

echo "machine: $(nproc) CPUs, $(uname -r), $($qemu --version | head -1)"
echo "guest: $MEM MiB, 1 vCPU, accel $accel; $N migrations each way"

# Raw QEMU to QEMU.
raw_total=() raw_down=() raw_paused=() raw_stream=()
raw_qemu src0
qmp_open src0 "$root/src0.qmp"
qmp src0 '{"execute":"cont"}' >/dev/null
wait_file "$root/raw-serial.log" 'VIREO-COUNTER 2$' 120
src=src0
caps='{"execute":"migrate-set-capabilities","arguments":{"capabilities":[{"capability":"events","state":true}]}}'
# One raw migration: src to a new QEMU.
raw_once() {
	dst=raw$i
	t0=$(wall_us)
	raw_qemu "$dst" -incoming defer
	qmp_open "$dst" "$root/$dst.qmp"
	qmp "$dst" "$caps" >/dev/null
	qmp "$dst" '{"execute":"migrate-incoming","arguments":{"uri":"tcp:127.0.0.1:0"}}' >/dev/null
	port=$(qmp "$dst" '{"execute":"query-migrate"}' | grep -Eo '"port": *"[0-9]+"' | grep -Eo '[0-9]+')
	qmp "$src" "$caps" >/dev/null
	qmp "$src" '{"execute":"migrate-set-parameters","arguments":{"max-bandwidth":1099511627776}}' >/dev/null
	qmp "$src" "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"tcp:127.0.0.1:$port\"}}" >/dev/null
	# Wait for the completed (or failed) event, reading every line.
	while read -r line <&"${qr[$src]}"; do
		case $line in *'"event"'*) echo "$line" >>"$root/$src.events" ;; esac
		case $line in *'"status": "completed"'*|*'"status": "failed"'*) break ;; esac
	done
	until qmp "$dst" '{"execute":"query-migrate"}' | grep -q '"completed"'; do
		sleep 0.001
	done
	qmp "$dst" '{"execute":"cont"}' >/dev/null
	r=$(qmp "$src" '{"execute":"query-migrate"}')
	qmp "$src" '{"execute":"quit"}' >/dev/null || true
	qmp_close "$src"
	while kill -0 "$(cat "$root/$src.pid")" 2>/dev/null; do sleep 0.001; done
	t1=$(wall_us)
	qmp "$dst" '{"execute":"query-status"}' >/dev/null	# flush events
	down=$(json_num downtime <<<"$r")
	stream=$(json_num total-time <<<"$r")
	sent=$(( $(json_num transferred <<<"$r") / 1024 ))
	paused=$(( ($(event_us "$dst" RESUME) - $(event_us "$src" STOP)) ))
	printf 'raw   run %d: total %7.1f ms, stream %5d ms, %6d KiB, downtime %4d ms, paused %7.1f ms\n' \
		"$i" "$(echo "($t1 - $t0) / 1000" | bc -l)" "$stream" "$sent" "$down" \
		"$(echo "$paused / 1000" | bc -l)"
	raw_total+=($((t1 - t0)))
	raw_down+=($((down * 1000)))
	raw_paused+=($paused)
	raw_stream+=($((stream * 1000)))
	src=$dst
}

# vireo: vireod A and B, the same guest.
daemon "$root/a"
daemon "$root/b"
cat >"$root/dom.xml" <<XML
<domain type='$virt'>
  <name>$name</name>
  <memory unit='MiB'>$MEM</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$VIREO_GUEST_DIR/vmlinuz</kernel>
    <initrd>$VIREO_GUEST_DIR/initrd.gz</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <serial type='file'>
      <source path='$root/vireo-serial.log' append='on'/>
      <target port='0'/>
    </serial>
    <memballoon model='virtio'/>
  </devices>
</domain>
XML
v a create "$root/dom.xml" >/dev/null
wait_file "$root/vireo-serial.log" 'VIREO-COUNTER 2$' 120
for h in a b; do
	v "$h" event --loop --timestamp --domain "$name" >"$root/$h.ev" \
		2>/dev/null &
	pids+=($!)
done
sleep 0.5
ms_of() {	# "2026-11-22 10:53:39.229+0000: ..." -> ms since the epoch
	local d=${1%%+0000*}
	echo $(( $(date -u -d "${d%.*}" +%s) * 1000 + 10#${d##*.} ))
}
vir_total=() vir_down=() vir_paused=() vir_stream=()
from=a to=b
# One vireo migration: from to to.
vir_once() {
	t0=$(wall_us)
	v "$from" migrate --live $unsafe "$name" "$(uri "$to")"
	t1=$(wall_us)
	# The source's figure (the domain is gone there if transient).
	line=$(grep -Eo "'$name' migrated \([0-9]+ ms, stream [0-9]+ ms, downtime [0-9]+ ms, [0-9]+ KiB" \
		"$root/$from.log" | tail -1)
	stream=$(grep -Eo 'stream [0-9]+' <<<"$line" | grep -Eo '[0-9]+')
	down=$(grep -Eo 'downtime [0-9]+' <<<"$line" | grep -Eo '[0-9]+')
	sent=$(grep -Eo '[0-9]+ KiB' <<<"$line" | grep -Eo '[0-9]+')
	sleep 0.3	# the events reach the two `vireo event`
	stop=$(grep "Suspended Migration" "$root/$from.ev" | tail -1)
	run=$(grep "Started Migrated" "$root/$to.ev" | tail -1)
	paused=$(( ($(ms_of "$run") - $(ms_of "$stop")) * 1000 ))
	printf 'vireo run %d: total %7.1f ms, stream %5d ms, %6d KiB, downtime %4d ms, paused %7.1f ms\n' \
		"$i" "$(echo "($t1 - $t0) / 1000" | bc -l)" "$stream" "$sent" "$down" \
		"$(echo "$paused / 1000" | bc -l)"
	vir_total+=($((t1 - t0)))
	vir_down+=($((down * 1000)))
	vir_paused+=($paused)
	vir_stream+=($((stream * 1000)))
	tmp=$from from=$to to=$tmp
}

# Alternate the two so that the load of the machine weighs on both alike.
for ((i = 1; i <= N; i++)); do
	raw_once
	vir_once
done
c=$(tr -d '\r' <"$root/raw-serial.log" | grep -c 'VIREO-COUNTER 1$')
[ "$c" -eq 1 ] || echo "warning: the raw guest rebooted"
qmp "$src" '{"execute":"quit"}' >/dev/null || true
qmp_close "$src"

c=$(tr -d '\r' <"$root/vireo-serial.log" | grep -c 'VIREO-COUNTER 1$')
[ "$c" -eq 1 ] || echo "warning: the vireo guest rebooted"
v "$from" destroy "$name" >/dev/null

# median µs... -> ms
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1}
	END {m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	printf "%.1f\n", m / 1000}'; }
rt=$(median "${raw_total[@]}") vt=$(median "${vir_total[@]}")
printf '%-34s %9s %9s %6s\n' "median of $N" raw vireo ratio
printf '%-34s %9.1f %9.1f %6.2f   (target <= 1.10)\n' "total (ms)" \
	"$rt" "$vt" "$(echo "$vt / $rt" | bc -l)"
st=$(median "${raw_stream[@]}") sv=$(median "${vir_stream[@]}")
printf '%-34s %9.1f %9.1f %6.2f\n' "stream, QEMU's total-time (ms)" \
	"$st" "$sv" "$(echo "$sv / $st" | bc -l)"
printf '%-34s %9.1f %9.1f\n' "downtime, QEMU's figure (ms)" \
	"$(median "${raw_down[@]}")" "$(median "${vir_down[@]}")"
printf '%-34s %9.1f %9.1f\n' "paused, STOP to running (ms)" \
	"$(median "${raw_paused[@]}")" "$(median "${vir_paused[@]}")"
