#!/bin/bash
# vireod.conf: --check-config, socket group and modes, peer checks.
. "$(dirname "$0")/lib.sh"

printf 'unix_sock_group = "vireo-qemu"\nunix_sock_rw_perms = "0660"\njob_wait_timeout_ms = 100\n' \
	>"$E2E_ROOT/good.conf"
printf 'max_clients = 0\n' >"$E2E_ROOT/bad.conf"
check "--check-config accepts a good file" \
	"$VIREOD" --check-config --config "$E2E_ROOT/good.conf"
if out=$("$VIREOD" --check-config --config "$E2E_ROOT/bad.conf" 2>&1); then
	not_ok "--check-config refuses max_clients = 0"
elif grep -q "bad.conf:1: max_clients" <<<"$out"; then
	ok "--check-config names the file and line: $out"
else
	not_ok "--check-config message: $out"
fi

# As "nobody" (not in the group): read-only socket yes, read-write no.
# The client is copied where any user can run it (the build tree may sit
# in a private home directory).
cp "$VIREO" "$E2E_ROOT/vireo"
chmod 755 "$E2E_ROOT/vireo"
VIREO=$E2E_ROOT/vireo
as_user() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"
}
daemon_start || exit 1
check "without a socket group the read-write socket is 0600" \
	test "$(stat -c %a "$E2E_ROOT/run/vireod.sock")" = 600
check "nobody may read through the read-only socket" \
	as_user nobody "$VIREO" -r -c "vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock" list --all
if as_user nobody "$VIREO" -c "vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock" list --all >/dev/null 2>&1; then
	not_ok "nobody is refused on the read-write socket"
else
	ok "nobody is refused on the read-write socket"
fi
daemon_stop

E2E_DAEMON_ARGS="--config $E2E_ROOT/good.conf"
daemon_start || exit 1
check "with unix_sock_group the read-write socket is root:vireo-qemu 0660" \
	test "$(stat -c %U:%G:%a "$E2E_ROOT/run/vireod.sock")" = root:vireo-qemu:660
check "a member of the group may use the read-write socket" \
	as_user vireo-qemu "$VIREO" -c "vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock" list --all
daemon_stop

# Path keys: runtime state, logs and sockets where the file says.
alt=$E2E_ROOT/alt
printf 'run_dir = "%s/run"\nlog_dir = "%s/log"\nstate_dir = "%s/lib"\nunix_sock_dir = "%s/sock"\n' \
	"$alt" "$alt" "$alt" "$alt" >"$E2E_ROOT/paths.conf"
printf 'run_dir = "relative"\n' >"$E2E_ROOT/badpath.conf"
expect_fail "--check-config refuses a relative run_dir" \
	"badpath.conf:1: run_dir must be a quoted absolute path" \
	"$VIREOD" --check-config --config "$E2E_ROOT/badpath.conf"
E2E_DAEMON_ARGS="--config $E2E_ROOT/paths.conf --pidfile $E2E_ROOT/run/vireod.pid"
daemon_start || exit 1
valt() { "$VIREO" -c "vireo+unix:///system?socket=$alt/sock/vireod.sock" "$@"; }
check "the sockets are in unix_sock_dir" \
	test -S "$alt/sock/vireod.sock" -a -S "$alt/sock/vireod-ro.sock" \
	-a ! -e "$E2E_ROOT/run/vireod.sock"
name=e2e-$E2E_TAG-paths
guest_xml "$name" "$E2E_ROOT/serial.log" >"$E2E_ROOT/dom.xml"
check "define and start (paused) through the moved socket" \
	sh -c "'$VIREO' -c 'vireo+unix:///system?socket=$alt/sock/vireod.sock' define '$E2E_ROOT/dom.xml' >/dev/null &&
	'$VIREO' -c 'vireo+unix:///system?socket=$alt/sock/vireod.sock' start --paused '$name' >/dev/null"
check "the status file is under run_dir" test -s "$alt/run/qemu/$name.status"
check "the QEMU log is under log_dir" test -s "$alt/log/qemu/$name.log"
check "the state directory exists" test -d "$alt/lib"
check "destroy" valt destroy "$name"
e2e_finish
