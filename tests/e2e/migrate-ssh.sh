#!/bin/bash
# Live migration through the ssh transport: the source vireod runs ssh (a
# real sshd started here on 127.0.0.1, vireo-relay on the far side) to
# reach the destination vireod; the stream itself goes to the URI's host
# (127.0.0.1). The guest's counter goes on, the source QEMU is gone, and
# a wrong key is a clear error that leaves the guest alone.
. "$(dirname "$0")/lib.sh"

SSHD=/usr/sbin/sshd
RELAY=$abs_top_builddir/vireo-relay
if [ ! -x "$SSHD" ] || ! command -v ssh >/dev/null; then
	echo "openssh-server and openssh-client are needed (scripts/deps.sh)"
	exit 1
fi

SSHDIR=$E2E_ROOT/ssh
SSHD_PID=
mkdir -p "$SSHDIR"
# sshd refuses to start without its privilege separation directory.
mkdir -p /run/sshd

sshd_stop() {
	if [ -n "$SSHD_PID" ] && kill -0 "$SSHD_PID" 2>/dev/null; then
		kill -TERM "$SSHD_PID"
		wait "$SSHD_PID" 2>/dev/null
	fi
	SSHD_PID=
}

# A TCP port nobody listens on (checked, then used at once).
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		if [ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]; then
			echo "$p"
			return
		fi
	done
}

ssh-keygen -q -t ed25519 -N '' -C vireo-test-host -f "$SSHDIR/host_key"
ssh-keygen -q -t ed25519 -N '' -C vireo-test -f "$SSHDIR/client_key"
cp "$SSHDIR/client_key.pub" "$SSHDIR/authorized_keys"
cat >"$SSHDIR/sshd_config" <<EOF
HostKey $SSHDIR/host_key
AuthorizedKeysFile $SSHDIR/authorized_keys
PidFile none
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
LogLevel VERBOSE
EOF

# Start sshd on a free port; wait for its "Server listening" line.
sshd_start() {
	local try i
	for try in 1 2 3 4 5; do
		SSHD_PORT=$(free_port)
		: >"$SSHDIR/sshd.log"
		"$SSHD" -D -e -f "$SSHDIR/sshd_config" -p "$SSHD_PORT" \
			-o ListenAddress=127.0.0.1 2>>"$SSHDIR/sshd.log" &
		SSHD_PID=$!
		for i in $(seq 1 100); do
			if grep -q "Server listening on 127.0.0.1 port $SSHD_PORT" \
				"$SSHDIR/sshd.log"; then
				return 0
			fi
			kill -0 "$SSHD_PID" 2>/dev/null || break
			sleep 0.05
		done
		sshd_stop
	done
	echo "sshd did not start:"
	cat "$SSHDIR/sshd.log"
	return 1
}

B_ROOT=$E2E_ROOT/b
B_PID=
b_stop() {
	if [ -n "$B_PID" ] && kill -0 "$B_PID" 2>/dev/null; then
		kill -TERM "$B_PID"
		wait "$B_PID" 2>/dev/null
	fi
	B_PID=
}
trap 'b_stop; sshd_stop; e2e_cleanup' EXIT

guest_prepare || { echo "cannot build the test guest"; exit 1; }
sshd_start || exit 1
daemon_start || exit 1
mkdir -p "$B_ROOT"
chmod 755 "$B_ROOT"
"$VIREOD" --root "$B_ROOT" >>"$E2E_ROOT/vireod-b.log" 2>&1 &
B_PID=$!
wait_until 10 test -s "$B_ROOT/run/vireod.pid" || { echo "vireod B did not start"; exit 1; }
echo "[127.0.0.1]:$SSHD_PORT $(cat "$SSHDIR/host_key.pub")" >"$SSHDIR/known_hosts"

URI_B="vireo+unix:///system?socket=$B_ROOT/run/vireod.sock"
SSH_B="vireo+ssh://root@127.0.0.1:$SSHD_PORT/system?socket=$B_ROOT/run/vireod.sock&keyfile=$SSHDIR/client_key&known_hosts=$SSHDIR/known_hosts&relay=$RELAY"
vireo_b() { "$VIREO" -c "$URI_B" "$@"; }

name=e2e-$E2E_TAG
serial=$E2E_ROOT/serial.log
guest_xml "$name" "$serial" 256 >"$E2E_ROOT/dom.xml"
counter_above() { [ "$(last_counter "$serial")" -gt "$1" ]; }

check "create on A" vireo create "$E2E_ROOT/dom.xml"
check "guest boots on A" wait_for "$serial" 'VIREO-COUNTER 2$' 90
qpid=$(pgrep -f -- "guest=$name,debug" | head -1)

ssh-keygen -q -t ed25519 -N '' -C vireo-test-wrong -f "$SSHDIR/wrong_key"
expect_fail "a key the host refuses: clear error" "cannot connect to the destination daemon" \
	vireo migrate "$name" "${SSH_B/client_key/wrong_key}" --live
check "guest untouched on A" test "$(vireo domstate "$name")" = running

c0=$(last_counter "$serial")
check "migrate --live through ssh" vireo migrate "$name" "$SSH_B" --live
check "running on B" test "$(vireo_b domstate "$name")" = running
expect_fail "gone from A (transient)" "domain not found" vireo dominfo "$name"
check "A's QEMU is gone" wait_until 10 bash -c "! kill -0 $qpid 2>/dev/null"
check "the source ran ssh" grep -q "Accepted publickey for root" "$SSHDIR/sshd.log"
check "counter goes on after the move" wait_until 30 counter_above $((c0 + 2))
check "no reboot" test "$(tr -d '\r' <"$serial" | grep -c 'VIREO-COUNTER 1$')" -eq 1
check "destroy on B" vireo_b destroy "$name"
b_stop
if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
	"$E2E_ROOT/vireod-b.log"; then
	not_ok "vireod B sanitizer report"
	grep -E -A25 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
		"$E2E_ROOT/vireod-b.log" | head -60
fi
e2e_finish
