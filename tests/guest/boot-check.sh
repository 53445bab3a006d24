#!/bin/bash
# Boot the Vireo test guest in plain QEMU (TCG) and check it works:
#   ready marker, counters, virtio disk, balloon, ACPI power button.
#
#   tests/guest/boot-check.sh [OUTDIR]
#
# OUTDIR (default $VIREO_GUEST_DIR, else /var/cache/vireo-test-guest)
# holds vmlinuz and initrd.gz from build.sh.  Needs qemu-system-x86_64
# and socat (installed with apt-get when missing, if running as root).
# VIREO_GUEST_APPEND overrides the kernel command line,
# VIREO_GUEST_QEMU_ARGS adds QEMU arguments (e.g. "-machine q35"),
# VIREO_BOOT_CHECK_LOG=FILE keeps a copy of the guest's serial log.
# Ends with "boot-check: N passed, N failed"; exit status 0 iff all passed.
set -euo pipefail

OUTDIR=${1:-${VIREO_GUEST_DIR:-/var/cache/vireo-test-guest}}
APPEND=${VIREO_GUEST_APPEND:-console=ttyS0 panic=-1 quiet}
# Extra QEMU arguments, split on spaces (e.g. "-machine q35").
read -r -a EXTRA <<<"${VIREO_GUEST_QEMU_ARGS:-}"
READY_TIMEOUT=${VIREO_GUEST_READY_TIMEOUT:-60}  # s; TCG on a busy CI box
MEM_MIB=256
BALLOON_MIB=128       # do not go below ~80 MiB: the guest panics (OOM)
POWEROFF_TIMEOUT=10   # s from system_powerdown to QEMU exit

log() { echo "boot-check: $*"; }
die() { echo "boot-check: error: $*" >&2; exit 1; }

for f in vmlinuz initrd.gz; do
    [ -s "$OUTDIR/$f" ] || die "$OUTDIR/$f missing (run tests/guest/build.sh)"
done

need() {  # need COMMAND DEBIAN-PACKAGE
    command -v "$1" >/dev/null && return 0
    [ "$(id -u)" = 0 ] || die "$1 missing: apt-get install $2"
    apt-get install -y -qq "$2" >/dev/null 2>&1 || {
        apt-get update -qq && apt-get install -y -qq "$2" >/dev/null
    } || die "cannot install $2"
}
need qemu-system-x86_64 qemu-system-x86
need socat socat

PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); log "ok: $*"; }
bad() { FAIL=$((FAIL + 1)); log "FAIL: $*"; }

T=$(mktemp -d /tmp/vireo-boot-check.XXXXXX)
LOG=$T/serial.log
SOCK=$T/qmp.sock
QPID=""
cleanup() {
    if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then
        kill "$QPID" 2>/dev/null || true
        wait "$QPID" 2>/dev/null || true
    fi
    if [ -n "${QMP_PID:-}" ]; then
        kill "$QMP_PID" 2>/dev/null || true
    fi
    if [ -n "${VIREO_BOOT_CHECK_LOG:-}" ] && [ -f "$LOG" ]; then
        cp "$LOG" "$VIREO_BOOT_CHECK_LOG" || true
    fi
    rm -rf "$T"
}
trap cleanup EXIT

truncate -s 8M "$T/disk.img"   # 16384 sectors
: >"$LOG"

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# Serial output has \r\n line ends (and may carry firmware escape codes),
# so never anchor on line ends.
serial() { tr -d '\r' <"$LOG"; }
wait_for() {  # wait_for REGEX TIMEOUT_S -> 0 when the serial log matches
    local deadline=$(($(now_ms) + $2 * 1000))
    while [ "$(now_ms)" -lt "$deadline" ]; do
        serial | grep -aEq "$1" && return 0
        kill -0 "$QPID" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

T0=$(now_ms)
qemu-system-x86_64 -accel tcg -m "$MEM_MIB" -smp 1 \
    -nodefaults -no-user-config -display none \
    -serial "file:$LOG" \
    -kernel "$OUTDIR/vmlinuz" -initrd "$OUTDIR/initrd.gz" -append "$APPEND" \
    -device virtio-balloon-pci,id=balloon0 \
    -drive "file=$T/disk.img,if=none,id=d0,format=raw" \
    -device virtio-blk-pci,drive=d0 \
    -netdev user,id=n0,restrict=on \
    -device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56 \
    -qmp "unix:$SOCK,server=on,wait=off" ${EXTRA[@]+"${EXTRA[@]}"} &
QPID=$!

if wait_for 'VIREO-GUEST-READY' "$READY_TIMEOUT"; then
    READY_MS=$(($(now_ms) - T0))
    ok "VIREO-GUEST-READY after ${READY_MS} ms (QEMU start to marker)"
else
    bad "no VIREO-GUEST-READY within ${READY_TIMEOUT}s"
    serial | tail -n 30
    log "$PASS passed, $FAIL failed"
    exit 1
fi

if wait_for 'VIREO-COUNTER 2' 10; then
    ok "counters: $(serial | grep -aoE 'VIREO-COUNTER [0-9]+' | tr '\n' ' ')"
else
    bad "no VIREO-COUNTER 2 within 10s"
fi
if serial | grep -aqE 'VIREO-DISK vda size=16384'; then
    ok "virtio disk: $(serial | grep -aoE 'VIREO-DISK [^ ]+ size=[0-9]+')"
else
    bad "no 'VIREO-DISK vda size=16384' line"
fi
if serial | grep -aqE 'VIREO-NET [^ ]+ mac=52:54:00:12:34:56'; then
    ok "virtio net: $(serial | grep -aoE 'VIREO-NET [^ ]+ mac=[0-9a-f:]+')"
else
    bad "no 'VIREO-NET ... mac=52:54:00:12:34:56' line"
fi
mem_lines() { serial | grep -ac 'VIREO-MEM total_kib=' || true; }
MEM0=$(serial | grep -m1 -aoE 'VIREO-MEM total_kib=[0-9]+' | cut -d= -f2)

# --- QMP ------------------------------------------------------------------
coproc QMP { exec socat - "UNIX-CONNECT:$SOCK"; }
QIN=${QMP[1]}
QOUT=${QMP[0]}
REPLY=""
qmp() {  # qmp JSON -> REPLY = the command's {"return"...}/{"error"...} line
    local line
    echo "$1" >&"$QIN"
    while IFS= read -r -t 10 line <&"$QOUT"; do
        case $line in
        *'"return"'* | *'"error"'*) REPLY=$line; return 0 ;;
        esac   # asynchronous events ({"event": ...}) are skipped
    done
    die "no QMP reply to $1"
}
IFS= read -r -t 10 greeting <&"$QOUT" || die "no QMP greeting"
case $greeting in *'"QMP"'*) ;; *) die "unexpected QMP greeting: $greeting" ;; esac
qmp '{"execute":"qmp_capabilities"}'

# Balloon: ask for BALLOON_MIB and watch "actual" come down.
TARGET=$((BALLOON_MIB * 1024 * 1024))
qmp "{\"execute\":\"balloon\",\"arguments\":{\"value\":$TARGET}}"
actual=0
deadline=$(($(now_ms) + 30000))
while [ "$(now_ms)" -lt "$deadline" ]; do
    qmp '{"execute":"query-balloon"}'
    actual=$(sed -n 's/.*"actual": *\([0-9]*\).*/\1/p' <<<"$REPLY")
    [ -n "$actual" ] && [ "$actual" -le $((TARGET + 4 * 1024 * 1024)) ] && break
    sleep 0.5
done
if [ -n "$actual" ] && [ "$actual" -le $((TARGET + 4 * 1024 * 1024)) ]; then
    ok "balloon: query-balloon actual=$actual ($((actual / 1048576)) MiB)"
else
    bad "balloon: actual=${actual:-?} did not reach ~$TARGET"
fi
# The guest prints VIREO-MEM every 5 counters; MemTotal drops too.
n=$(mem_lines)
deadline=$(($(now_ms) + 7000))
while [ "$(mem_lines)" -le "$n" ] && [ "$(now_ms)" -lt "$deadline" ]; do
    sleep 0.2
done
MEM1=$(serial | grep -aoE 'VIREO-MEM total_kib=[0-9]+' | tail -n1 | cut -d= -f2)
log "guest MemTotal: ${MEM0:-?} KiB at boot, ${MEM1:-?} KiB now (informational)"

# Power button: system_powerdown -> ACPI PWRF -> acpid -> poweroff -f.
qmp '{"execute":"system_powerdown"}'
T1=$(now_ms)
exited=0
while [ $(($(now_ms) - T1)) -lt $((POWEROFF_TIMEOUT * 1000)) ]; do
    if ! kill -0 "$QPID" 2>/dev/null; then exited=1; break; fi
    sleep 0.1
done
if [ "$exited" = 1 ]; then
    rc=0; wait "$QPID" || rc=$?
    QPID=""
    ok "QEMU exited (status $rc) $(($(now_ms) - T1)) ms after system_powerdown"
else
    bad "QEMU still running ${POWEROFF_TIMEOUT}s after system_powerdown"
fi
if serial | grep -aq 'VIREO-GUEST: power button, powering off'; then
    ok "guest printed 'VIREO-GUEST: power button, powering off'"
else
    bad "no power button line on the serial console"
fi

if [ "$FAIL" != 0 ]; then
    log "serial log tail:"
    serial | tail -n 20
fi
log "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
