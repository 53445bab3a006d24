#!/bin/bash
# Slow and hoarding clients never block the daemon: tests/slowloris drives
# a vireod started with a short frame_timeout_ms and a small max_clients.
. "$(dirname "$0")/lib.sh"

printf 'frame_timeout_ms = 1500\nmax_clients = 48\n' >"$E2E_ROOT/vireod.conf"
E2E_DAEMON_ARGS="--config $E2E_ROOT/vireod.conf"
daemon_start || exit 1
"$abs_top_builddir/tests/slowloris" "$E2E_ROOT/run/vireod.sock" 1500 48 \
	>"$E2E_ROOT/out" 2>&1
rc=$?
# Each of its checks counts here.
while IFS= read -r line; do
	case $line in
	"ok: "*) ok "${line#ok: }" ;;
	"FAIL: "*) not_ok "${line#FAIL: }" ;;
	*) echo "$line" ;;
	esac
done <"$E2E_ROOT/out"
[ "$rc" -eq 0 ] || not_ok "slowloris exited with status $rc"
check "the daemon is still up" daemon_alive
check "it logged why it cut the tricklers" \
	grep -q "frame not finished in time" "$E2E_ROOT/vireod.log"
e2e_finish
