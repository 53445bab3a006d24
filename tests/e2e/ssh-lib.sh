# A private sshd for tests of the ssh transport: on 127.0.0.1, a free
# port, temporary host and client keys, an authorized key for root. Source
# after lib.sh; call sshd_start (sets SSHD_PORT, writes SSHDIR/known_hosts)
# and sshd_stop (in the caller's EXIT trap). SSH_PARAMS holds the URI
# parameters a vireo+ssh:// URI needs to use them (key, known hosts, relay).
# shellcheck shell=bash

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
ssh-keygen -q -t ed25519 -N '' -C vireo-test-other -f "$SSHDIR/other_key"
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

# sshd_start, then the URI parameters for vireo+ssh://root@127.0.0.1:PORT.
sshd_ready() {
	sshd_start || return 1
	echo "[127.0.0.1]:$SSHD_PORT $(cat "$SSHDIR/host_key.pub")" >"$SSHDIR/known_hosts"
	SSH_PARAMS="keyfile=$SSHDIR/client_key&known_hosts=$SSHDIR/known_hosts&relay=$RELAY"
}
