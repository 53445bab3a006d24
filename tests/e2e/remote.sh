#!/bin/bash
# vireo+ssh://: a real sshd (started here on 127.0.0.1 with a temporary host
# key and an authorized key for root), the real ssh client, vireo-relay on
# the far side and a private vireod. Lifecycle, streams of events, large
# messages, the read-only socket and the plain-words errors.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ssh-lib.sh"
trap 'sshd_stop; e2e_cleanup' EXIT

guest_prepare || { echo "cannot build the test guest"; exit 1; }
sshd_ready || exit 1
daemon_start || exit 1

SOCK=$E2E_ROOT/run/vireod.sock
# ssh_uri [SOCKET [PARAMS [PORT]]]
ssh_uri() {
	echo "vireo+ssh://root@127.0.0.1:${3:-$SSHD_PORT}/system?socket=${1:-$SOCK}&${2:-$SSH_PARAMS}"
}
URI=$(ssh_uri)
rvireo() { "$VIREO" -c "$URI" "$@"; }
rvireo_ro() { "$VIREO" -r -c "$URI" "$@"; }

name=e2e-$E2E_TAG
serial=$E2E_ROOT/serial.log
guest_xml "$name" "$serial" 128 >"$E2E_ROOT/dom.xml"

# --- commands through ssh ---
check "hostname through ssh" test "$(rvireo hostname)" = "$(hostname)"
out_has "version through ssh" "QEMU" rvireo version
check "define through ssh" rvireo define "$E2E_ROOT/dom.xml"
check "start --paused through ssh" rvireo start "$name" --paused
out_has "list shows it paused" "$name +paused" rvireo list --all
out_has "dominfo through ssh" "^State: +paused" rvireo dominfo "$name"
out_has "dumpxml through ssh" "<name>$name</name>" rvireo dumpxml "$name"
check "same answer as the local socket" test \
	"$(rvireo dumpxml --inactive "$name")" = "$(vireo dumpxml --inactive "$name")"
out_has "-r: list through the remote read-only socket" "$name" \
	rvireo_ro list --all
out_has "-r: dominfo" "^State: +paused" rvireo_ro dominfo "$name"
check "destroy through ssh" rvireo destroy "$name"
out_has "shut off after destroy" "^State: +shut off" rvireo dominfo "$name"

# --- the read-only socket refuses mutations: a raw frame through ssh ---
# (vireo -r refuses them before connecting; proc 15 is RPC_PROC_DOM_DESTROY)
body='{"type":"call","version":1,"id":1,"proc":15,"args":{"dom":"'$name'"}}'
frame() {
	printf '\0\0'
	printf "\\$(printf '%03o' $((${#1} / 256)))"
	printf "\\$(printf '%03o' $((${#1} % 256)))"
	printf '%s' "$1"
}
# raw_call [--readonly]: the frame above through ssh and the relay; prints
# the reply's JSON. The stream stays open until the reply is read (the
# daemon drops a client that half-closes).
raw_call() {
	local rfd wfd len
	coproc RAW { ssh -T -o BatchMode=yes -i "$SSHDIR/client_key" \
		-o IdentitiesOnly=yes -o UserKnownHostsFile="$SSHDIR/known_hosts" \
		-p "$SSHD_PORT" root@127.0.0.1 "'$RELAY' $* --socket '$SOCK'" \
		2>>"$E2E_ROOT/raw.err"; }
	exec {rfd}<&"${RAW[0]}" {wfd}>&"${RAW[1]}"
	# Only the copies stay open: closing them is ssh's EOF.
	eval "exec ${RAW[0]}<&- ${RAW[1]}>&-"
	frame "$body" >&"$wfd"
	# shellcheck disable=SC2046
	set -- $(timeout 20 head -c 4 <&"$rfd" | od -An -tu1)
	if [ $# -eq 4 ]; then
		len=$(($3 * 256 + $4))
		timeout 20 head -c "$len" <&"$rfd"
	fi
	exec {wfd}>&- {rfd}<&-
	wait "$RAW_PID" 2>/dev/null
}
reply=$(raw_call --readonly)
if grep -q "forbidden on a read-only connection" <<<"$reply"; then
	ok "remote read-only socket refuses dom-destroy"
else
	not_ok "remote read-only socket refuses dom-destroy (reply: $reply; $(cat "$E2E_ROOT/raw.err"))"
fi
reply=$(raw_call)
if grep -q "is not running" <<<"$reply"; then
	ok "the read-write socket takes the same frame (domain not running)"
else
	not_ok "read-write socket through the relay (reply: $reply; $(cat "$E2E_ROOT/raw.err"))"
fi
expect_fail "-r refuses a mutation before connecting" \
	"not allowed on a read-only connection" rvireo_ro start "$name"
# -r picks vireod-ro.sock beside the socket on the host: here only the
# read-write one is linked.
mkdir -p "$E2E_ROOT/rwonly"
ln -s "$SOCK" "$E2E_ROOT/rwonly/vireod.sock"
check "a directory with only vireod.sock works read-write" \
	"$VIREO" -c "$(ssh_uri "$E2E_ROOT/rwonly/vireod.sock")" hostname
expect_fail "-r asks for vireod-ro.sock on the host" \
	"vireod not running on host 127.0.0.1 \(socket $E2E_ROOT/rwonly/vireod-ro.sock: No such file or directory\)" \
	"$VIREO" -r -c "$(ssh_uri "$E2E_ROOT/rwonly/vireod.sock")" list

# The relay connects as the user it runs as: the sockets' permissions
# decide (vireod.sock is 0600, vireod-ro.sock 0666). Run as nobody here
# (what an unprivileged ssh login would get).
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$RELAY" "$@" \
		</dev/null >/dev/null 2>"$E2E_ROOT/nobody.err"
}
as_nobody --socket "$SOCK"
rc=$?
if [ "$rc" -eq 4 ] && grep -q "^vireo-relay: $SOCK: Permission denied" \
	"$E2E_ROOT/nobody.err"; then
	ok "an unprivileged user is refused the read-write socket (exit 4)"
else
	not_ok "unprivileged relay on the read-write socket: exit $rc, $(cat "$E2E_ROOT/nobody.err")"
fi
check "an unprivileged user gets the read-only socket" as_nobody \
	--readonly --socket "$SOCK"
check "... and the relay said so" grep -qx "vireo-relay: connected" \
	"$E2E_ROOT/nobody.err"

# The same through ssh: a relay= wrapper drops to nobody on the host.
cat >"$E2E_ROOT/relay-nobody" <<EOF
#!/bin/sh
exec setpriv --reuid=nobody --regid=nogroup --clear-groups '$RELAY' "\$@"
EOF
chmod 755 "$E2E_ROOT/relay-nobody"
NOBODY_URI=$(ssh_uri "$SOCK" "keyfile=$SSHDIR/client_key&known_hosts=$SSHDIR/known_hosts&relay=$E2E_ROOT/relay-nobody")
expect_fail "unprivileged through ssh: permission denied on host" \
	"permission denied on host 127.0.0.1 \(socket $SOCK: Permission denied\) \(use -r" \
	"$VIREO" -c "$NOBODY_URI" list
out_has "unprivileged through ssh with -r: read-only works" "$name" \
	"$VIREO" -r -c "$NOBODY_URI" list --all

# --- paths reach the host as they are, never as shell syntax ---
odd="$E2E_ROOT/it's \$(false) dir"
ln -s "$E2E_ROOT/run" "$odd"
enc=$(sed -e 's/%/%25/g' -e "s/'/%27/g" -e 's/ /%20/g' -e 's/\$/%24/g' \
	-e 's/&/%26/g' <<<"$odd")
check "a socket path with quotes, \$( ) and spaces" \
	"$VIREO" -c "$(ssh_uri "$enc/vireod.sock")" hostname

# --- streams: events pushed through ssh ---
"$VIREO" -c "$URI" event --loop --timeout 40 \
	>"$E2E_ROOT/events.out" 2>&1 &
evpid=$!
# The listener subscribes once its ssh is up: define and undefine a probe
# domain until it hears.
probe=e2e-$E2E_TAG-probe
guest_xml "$probe" "$serial" 128 >"$E2E_ROOT/probe.xml"
got=no
for i in $(seq 1 40); do
	rvireo define "$E2E_ROOT/probe.xml" >/dev/null 2>&1
	rvireo undefine "$probe" >/dev/null 2>&1
	if grep -q "event 'lifecycle' for domain '$probe': Defined Added" \
		"$E2E_ROOT/events.out"; then
		got=yes
		break
	fi
	sleep 0.25
done
check "events stream through ssh" test "$got" = yes
: >"$E2E_ROOT/events.mark"
check "start --paused with a listener" rvireo start "$name" --paused
check "the listener hears Started" wait_until 20 grep -q \
	"for domain '$name': Started" "$E2E_ROOT/events.out"
check "destroy with a listener" rvireo destroy "$name"
check "the listener hears Stopped" wait_until 20 grep -q \
	"for domain '$name': Stopped" "$E2E_ROOT/events.out"
kill "$evpid" 2>/dev/null
wait "$evpid" 2>/dev/null

# --- large messages both ways (800 KB up in define, down in dumpxml) ---
big=e2e-$E2E_TAG-big
head -c 600000 /dev/urandom | base64 -w 0 >"$E2E_ROOT/big.txt"
echo >>"$E2E_ROOT/big.txt"
guest_xml "$big" "$serial" 128 >"$E2E_ROOT/big0.xml"
{
	sed -n '1,/<name>/p' "$E2E_ROOT/big0.xml"
	printf '<description>'
	tr -d '\n' <"$E2E_ROOT/big.txt"
	printf '</description>\n'
	sed '1,/<name>/d' "$E2E_ROOT/big0.xml"
} >"$E2E_ROOT/big.xml"
check "define with an 800 KB description" rvireo define "$E2E_ROOT/big.xml"
rvireo dumpxml --inactive "$big" >"$E2E_ROOT/big.out"
check "dumpxml brings the 800 KB back intact" bash -c \
	"sed -n 's|.*<description>\\(.*\\)</description>.*|\\1|p' '$E2E_ROOT/big.out' | cmp -s - '$E2E_ROOT/big.txt'"
check "undefine the big domain" rvireo undefine "$big"

# --- errors in plain words ---
expect_fail "wrong key: permission denied" \
	"ssh login as root@127.0.0.1 refused: permission denied \(publickey\)" \
	"$VIREO" -c "$(ssh_uri "$SOCK" "keyfile=$SSHDIR/other_key&known_hosts=$SSHDIR/known_hosts&relay=$RELAY")" list
closed=$(free_port)
expect_fail "closed port: connection refused" \
	"host 127.0.0.1 refused the connection on port $closed: connection refused" \
	"$VIREO" -c "$(ssh_uri "$SOCK" "$SSH_PARAMS" "$closed")" list
expect_fail "daemon not running: vireod not running on host" \
	"vireod not running on host 127.0.0.1 \(socket $E2E_ROOT/none/vireod.sock: No such file or directory\)" \
	"$VIREO" -c "$(ssh_uri "$E2E_ROOT/none/vireod.sock")" list
: >"$SSHDIR/empty_known_hosts"
expect_fail "unknown host key: host key verification failed" \
	"ssh host key of 127.0.0.1 is unknown or has changed" \
	"$VIREO" -c "$(ssh_uri "$SOCK" "keyfile=$SSHDIR/client_key&known_hosts=$SSHDIR/empty_known_hosts&relay=$RELAY")" list
expect_fail "relay missing on the host" \
	"cannot run $E2E_ROOT/no-relay on host 127.0.0.1: not found" \
	"$VIREO" -c "$(ssh_uri "$SOCK" "keyfile=$SSHDIR/client_key&known_hosts=$SSHDIR/known_hosts&relay=$E2E_ROOT/no-relay")" list
# An empty network namespace has no route anywhere (lo is down).
expect_fail "no network: host unreachable" \
	"host 192.0.2.1 is unreachable \(network is unreachable\)" \
	unshare -n "$VIREO" -c "vireo+ssh://192.0.2.1/system?known_hosts=$SSHDIR/known_hosts" list
expect_fail "unreachable route: no route to host" \
	"host 192.0.2.1 is unreachable \(no route to host\)" \
	unshare -n sh -c 'ip link set lo up &&
		ip route add unreachable 192.0.2.0/24 && exec "$@"' sh \
	"$VIREO" -c "vireo+ssh://192.0.2.1/system?known_hosts=$SSHDIR/known_hosts" list
expect_fail "unresolvable host name" \
	"cannot resolve the host name 'no-such-host.invalid'" \
	"$VIREO" -c "vireo+ssh://no-such-host.invalid/system?known_hosts=$SSHDIR/known_hosts" list

# --- the daemon stops while a client listens, then is not there ---
"$VIREO" -c "$URI" event --loop --timeout 60 >"$E2E_ROOT/ev2.out" 2>&1 &
evpid=$!
wait_until 20 pgrep -f -- "$RELAY' '--socket' '$SOCK" >/dev/null
daemon_stop
if wait_until 20 bash -c "! kill -0 $evpid 2>/dev/null"; then
	wait "$evpid"
	rc=$?
	if [ "$rc" -eq 1 ] && grep -Eq "daemon closed the connection|vireod not running on host" \
		"$E2E_ROOT/ev2.out"; then
		ok "a listener ends when the remote daemon stops"
	else
		not_ok "listener after the daemon stopped: exit $rc, $(cat "$E2E_ROOT/ev2.out")"
	fi
else
	not_ok "the listener still runs after the remote daemon stopped"
	kill "$evpid"
fi
expect_fail "stopped daemon: vireod not running on host" \
	"vireod not running on host 127.0.0.1 \(socket $SOCK: (Connection refused|No such file or directory)\)" \
	rvireo list

# Every ssh and relay this test started has ended.
if pgrep -f -- "$RELAY.*$E2E_ROOT" >/dev/null ||
	pgrep -f -- "ssh .*-p $SSHD_PORT " >/dev/null; then
	not_ok "ssh or vireo-relay left behind: $(pgrep -af -- "$RELAY.*$E2E_ROOT|ssh .*-p $SSHD_PORT ")"
else
	ok "no ssh or vireo-relay left behind"
fi

# Latency (VR_REMOTE_BENCH=1, not a check): a whole `vireo hostname`
# through ssh and locally; with bench/loadgen built (make bench), the
# parts: ssh open, one call on the open stream, close.
if [ "${VR_REMOTE_BENCH:-0}" = 1 ]; then
	daemon_start || exit 1
	t0=$(date +%s%N)
	for i in 1 2 3 4 5 6 7 8 9 10; do rvireo hostname >/dev/null; done
	t1=$(date +%s%N)
	for i in 1 2 3 4 5 6 7 8 9 10; do vireo hostname >/dev/null; done
	t2=$(date +%s%N)
	echo "latency: vireo hostname over ssh $(((t1 - t0) / 10000000)) ms," \
		"local $(((t2 - t1) / 10000)) us (mean of 10; load $(cut -d' ' -f1 /proc/loadavg))"
	if [ -x "$abs_top_builddir/bench/loadgen" ]; then
		"$abs_top_builddir/bench/loadgen" transport "$URI" 1000
	fi
fi

sshd_stop
e2e_finish
