#!/bin/sh
# Client-only behaviour of vireo: command line parsing, usage errors, URIs,
# connection failures and the man page's synopses. No daemon is started;
# the end-to-end tests (tests/e2e/) drive vireo against a real vireod.
#
# Run by `make check` (abs_top_builddir/abs_top_srcdir exported), or by hand:
#   sh tests/cli-test.sh        from the top build directory

: "${abs_top_builddir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${abs_top_srcdir:=$abs_top_builddir}"
VIREO=$abs_top_builddir/vireo
MAN=$abs_top_srcdir/man/vireo.1
LC_ALL=C
export LC_ALL
unset VIREO_DEFAULT_URI

if [ ! -x "$VIREO" ]; then
	echo "FAIL: $VIREO is not built"
	echo "0 passed, 1 failed"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vireo-cli-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# A socket nobody listens on: connecting must fail.
SOCK=$tmp/vireod.sock
NODAEMON="vireo+unix:///system?socket=$SOCK"

pass=0
fail=0

ok() {
	pass=$((pass + 1))
	echo "PASS: $1"
}

ko() {
	fail=$((fail + 1))
	echo "FAIL: $1"
	if [ -n "$2" ] && [ -s "$2" ]; then
		sed 's/^/    | /' "$2"
	fi
}

# check NAME EXIT TEXT ARGS...: run vireo ARGS, expect exit status EXIT and
# (unless TEXT is empty) the fixed string TEXT in its stdout or stderr.
check() {
	name=$1
	want=$2
	text=$3
	shift 3
	"$VIREO" "$@" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		ko "$name: exit $rc, expected $want" "$tmp/out"
	elif [ -n "$text" ] && ! grep -qF -- "$text" "$tmp/out"; then
		ko "$name: output lacks '$text'" "$tmp/out"
	else
		ok "$name"
	fi
}

# check_stream NAME STREAM TEXT ARGS...: TEXT must be on STREAM (out|err).
check_stream() {
	name=$1
	stream=$2
	text=$3
	shift 3
	"$VIREO" "$@" >"$tmp/out" 2>"$tmp/err"
	if grep -qF -- "$text" "$tmp/$stream"; then
		ok "$name"
	else
		cat "$tmp/err" >>"$tmp/out"
		ko "$name: std$stream lacks '$text'" "$tmp/out"
	fi
}

# --- global options ---
# No command: the shell, reading commands from a non-terminal stdin.
if "$VIREO" </dev/null >"$tmp/out" 2>&1 && [ ! -s "$tmp/out" ]; then
	ok "no command, empty input: the shell ends at EOF, exit 0"
else
	ko "no command, empty input: exit $?" "$tmp/out"
fi
printf 'help quit\nbogus\nuri\n' | "$VIREO" >"$tmp/out" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -qF "unknown command: 'bogus'" "$tmp/out" &&
    grep -qF "quit - quit this interactive terminal" "$tmp/out" &&
    grep -qxF "vireo:///system" "$tmp/out"; then
	ok "shell on a pipe: runs each line, exit status of the last failure"
else
	ko "shell on a pipe: exit $rc" "$tmp/out"
fi
check "-h prints usage and commands" 0 "Grouped commands:" -h
check "--help prints usage" 0 "usage: vireo" --help
check "-v prints the version" 0 "." -v
check "unknown global option" 2 "unknown option" --bogus list
check "-c without a value" 2 "needs a value" -c

# --- commands and their options ---
check "unknown command: exit 2" 2 "unknown command: 'frobnicate'" frobnicate
check "missing required argument: exit 2" 2 \
    "command 'start' requires <domain> option" start
check "missing argument prints the usage" 2 "usage: vireo start <domain>" \
    start
check "unknown option: exit 2" 2 "doesn't support option --bogus" \
    list --bogus
check "too many arguments: exit 2" 2 "unexpected data 'b'" \
    -c "$NODAEMON" start a b
check "option given twice: exit 2" 2 "already seen" \
    -c "$NODAEMON" start --domain a --domain b
check "option without its value: exit 2" 2 "expected syntax: --domain" \
    start --domain
check "bool option with a value: exit 2" 2 "takes no value" \
    -c "$NODAEMON" start --paused=yes a
check "bad size: exit 2" 2 "invalid size" -c "$NODAEMON" setmem x 12Q
check "bad size by name: exit 2" 2 "invalid size" \
    -c "$NODAEMON" setmaxmem --domain x --size=1.5QiB
check "--current with --live: exit 2" 2 "mutually exclusive" \
    -c "$NODAEMON" setmem x 1G --current --live
check "domxml-to-native wants qemu-argv" 2 "qemu-argv" \
    -c "$NODAEMON" domxml-to-native native-argv /dev/null
check "help of a command" 0 "setmem <domain> <size>" help setmem
check "help of a group" 0 "Domain Monitoring" help monitor
check "help of an unknown command" 1 "doesn't exist" help frobnicate
check "COMMAND --help" 0 "SYNOPSIS" start --help
check_stream "help goes to stdout" out "Grouped commands:" help
check_stream "usage errors go to stderr" err "usage: vireo start" start

# --- URIs and connecting ---
check "daemon not running: exit 1" 1 \
    "error: failed to connect to the daemon at $SOCK: No such file or directory (is vireod running?)" \
    -c "$NODAEMON" list
check "-r uses vireod-ro.sock beside vireod.sock" 1 \
    "failed to connect to the daemon at $tmp/vireod-ro.sock:" \
    -r -c "$NODAEMON" list
check "-r keeps another socket name" 1 \
    "failed to connect to the daemon at $tmp/other.sock:" \
    -r -c "vireo+unix:///system?socket=$tmp/other.sock" list
check "-r refuses a read-write command before connecting" 1 \
    "not allowed on a read-only connection" -r -c "$NODAEMON" start vm1
check "unknown URI scheme: exit 1" 1 "unsupported URI scheme 'qemu'" \
    -c qemu:///system list
check "malformed URI" 1 "malformed URI" -c "not-a-uri" list
check "unsupported URI path" 1 "only /system" -c "vireo:///session" list
check "unknown URI parameter" 1 "unknown parameter 'sock'" \
    -c "vireo+unix:///system?sock=/x" list
check "relative socket path" 1 "must be absolute" \
    -c "vireo+unix:///system?socket=x.sock" list
check "host with the unix transport" 1 "takes no host" \
    -c "vireo://example.org/system" list
check "ssh URI" 0 "vireo+ssh://root@example.org:2222/system" \
    -c "vireo+ssh://root@example.org:2222/system?socket=/x.sock&keyfile=/k&known_hosts=/kh&relay=/r" uri
check "ssh URI without a host" 1 "vireo+ssh:// needs a host" \
    -c "vireo+ssh:///system" uri
check "ssh host that looks like an option" 1 "bad host name '-oProxyCommand" \
    -c "vireo+ssh://-oProxyCommand=x/system" uri
check "ssh user with a space" 1 "bad user name 'a b'" \
    -c "vireo+ssh://a%20b@h/system" uri
check "ssh parameters are for ssh only" 1 "'keyfile' is for vireo+ssh:// only" \
    -c "vireo:///system?keyfile=/k" uri
check "relative relay path" 1 "must be absolute" \
    -c "vireo+ssh://h/system?relay=vireo-relay" uri
check "no_verify is 0 or 1" 1 "'no_verify' is 0 or 1" \
    -c "vireo+ssh://h/system?no_verify=yes" uri
check "uri needs no daemon" 0 "$NODAEMON" -c "$NODAEMON" uri
check "default URI" 0 "vireo:///system" uri
VIREO_DEFAULT_URI=$NODAEMON
export VIREO_DEFAULT_URI
check "VIREO_DEFAULT_URI is used" 1 "daemon at $SOCK:" list
check "-c wins over VIREO_DEFAULT_URI" 0 "vireo:///system" \
    -c vireo:///system uri
unset VIREO_DEFAULT_URI
check "--json after the command" 0 "\"uri\": \"vireo:///system\"" uri --json
check "files are read before connecting" 1 "cannot open '$tmp/none.xml'" \
    -c "$NODAEMON" define "$tmp/none.xml"
printf '<domain/>' >"$tmp/vm.xml"
check "define connects after reading" 1 "failed to connect" \
    -c "$NODAEMON" define "$tmp/vm.xml"

# --- the table drives help and the man page ---
if "$VIREO" help --synopsis >"$tmp/synopsis" 2>"$tmp/err" &&
    [ -s "$tmp/synopsis" ]; then
	ok "help --synopsis"
else
	ko "help --synopsis failed" "$tmp/err"
fi
# The man page writes '-' as '\-' and may use font escapes.
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g' "$MAN" >"$tmp/man"
"$VIREO" help >"$tmp/help" 2>&1
while IFS= read -r line; do
	cmd=${line%% *}
	if grep -qxF -- "$line" "$tmp/man"; then
		ok "man page has: $line"
	else
		ko "man/vireo.1 lacks the synopsis line: $line"
	fi
	if grep -qE "^    $cmd +" "$tmp/help"; then
		ok "help lists $cmd"
	else
		ko "'vireo help' does not list $cmd"
	fi
	check "$cmd --help" 0 "$line" "$cmd" --help
done <"$tmp/synopsis"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
