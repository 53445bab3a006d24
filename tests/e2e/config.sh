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
e2e_finish
