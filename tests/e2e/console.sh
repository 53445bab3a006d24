#!/bin/bash
# vireo console end to end, driven through tmux as a person would: the test
# guest with <serial type='pty'> + <console type='pty'> and a busybox shell
# on ttyS0 (vireo.shell=ttyS0); type a command, read its answer; a second
# console is refused, --force takes it over; Ctrl+] leaves with the
# terminal restored; the console ends when the domain stops.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || { echo "tmux is missing (scripts/deps.sh)"; exit 1; }
guest_prepare || { echo "cannot build the test guest"; exit 1; }
daemon_start || exit 1

name=e2e-$E2E_TAG
URI="vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock"
TMUX_SOCK=$E2E_ROOT/tmux.sock
tmx() { tmux -S "$TMUX_SOCK" "$@"; }
console_cleanup() { tmx kill-server 2>/dev/null; e2e_cleanup; }
trap console_cleanup EXIT

# A pane (-S -300: its history too) as text.
pane() { tmx capture-pane -p -J -S -300 -t "$1" 2>/dev/null; }
pane_has() { pane "$1" | grep -Eq -- "$2"; }
# console_in SESSION ARGS...: vireo console in a new tmux session; the
# pane then says how it exited and whether the terminal is cooked again.
console_in() {
	local s=$1
	shift
	tmx new-session -d -s "$s" -x 132 -y 50 \
		"'$VIREO' -c '$URI' console $*; echo CONSOLE-EXIT=\$?; \
		stty -a | tr ' ' '\\n' | grep -x -- '-\\?icanon' | sed 's/^/TTY-/'; \
		sleep 120"
}

guest_xml "$name" /dev/null 128 | sed \
	-e 's|console=ttyS0|console=ttyS0 vireo.shell=ttyS0|' \
	-e "/<serial type='file'>/,/<\/serial>/c\\
    <serial type='pty'><target port='0'/></serial>\\
    <console type='pty'><target type='serial' port='0'/></console>" \
	>"$E2E_ROOT/dom.xml"
check "define a guest with a pty serial console" vireo define "$E2E_ROOT/dom.xml"
check "start it" vireo start "$name"
out_has "the live XML names the pty" "<source path='/dev/pts/[0-9]+'/>" \
	vireo dumpxml "$name"

console_in c1 "$name"
check "console prints virsh's greeting" wait_until 10 pane_has c1 \
	"Escape character is \\^\\]"
check "the guest's output comes through" wait_until 90 pane_has c1 \
	"VIREO-COUNTER [0-9]+"
t0=$SECONDS
answered=false
for try in 1 2 3; do
	tmx send-keys -t c1 'echo hello-$((6*7))' Enter
	if wait_until 10 pane_has c1 "hello-42"; then
		answered=true
		break
	fi
done
check "typed 'echo hello-\$((6*7))', the guest's shell answered hello-42 ($((SECONDS - t0)) s)" $answered

expect_fail "a second console is refused without --force" \
	"in use by another client" timeout 10 "$VIREO" -c "$URI" console "$name"
expect_fail "console0 and serial0 are one device: refused too" \
	"the console 'serial0' of domain '$name' is in use by another client" \
	timeout 10 "$VIREO" -c "$URI" console "$name" --devname serial0
expect_fail "read-only: console refused" "read-only" \
	timeout 10 "$VIREO" -r -c "$URI" console "$name"
expect_fail "no such device" "has no character device 'serial7'" \
	timeout 10 "$VIREO" -c "$URI" console "$name" --devname serial7

console_in c2 "$name" --force
check "--force takes the console over" wait_until 10 pane_has c2 \
	"Escape character is"
check "the first client is told and exits 1" wait_until 10 pane_has c1 \
	"taken over by another client"
check "the first client's exit status" wait_until 5 pane_has c1 \
	"CONSOLE-EXIT=1"
check "the first client's terminal is cooked again" wait_until 5 \
	pane_has c1 "TTY-icanon"
answered=false
for try in 1 2 3; do
	tmx send-keys -t c2 'echo forced-$((2*3))' Enter
	if wait_until 10 pane_has c2 "forced-6"; then
		answered=true
		break
	fi
done
check "the new holder types into the shell" $answered

tmx send-keys -t c2 C-]
check "Ctrl+] leaves the console (exit 0)" wait_until 10 pane_has c2 \
	"CONSOLE-EXIT=0"
check "the terminal is restored after Ctrl+]" wait_until 5 \
	pane_has c2 "TTY-icanon"
check "the console is free again (stdin at EOF ends the session)" \
	timeout 10 "$VIREO" -c "$URI" console "$name" </dev/null

# The pty is in the status file: a restarted daemon still finds it.
daemon_stop
daemon_start || exit 1
out_has "after a daemon restart the live XML still names the pty" \
	"<source path='/dev/pts/[0-9]+'/>" vireo dumpxml "$name"
console_in c3 "$name" --devname serial0
check "--devname serial0" wait_until 10 pane_has c3 "Escape character is"
answered=false
for try in 1 2 3; do
	tmx send-keys -t c3 'echo again-$((1+1))' Enter
	if wait_until 10 pane_has c3 "again-2"; then
		answered=true
		break
	fi
done
check "after the restart the shell still answers" $answered
check "destroy" vireo destroy "$name"
check "the console ends when the domain stops" wait_until 10 pane_has c3 \
	"CONSOLE-EXIT=0"
expect_fail "no console on a shut off domain" "is not running" \
	timeout 10 "$VIREO" -c "$URI" console "$name"

# start --console (paused: the guest need not run)
tmx new-session -d -s c4 -x 132 -y 50 "'$VIREO' -c '$URI' start $name \
	--paused --console; echo CONSOLE-EXIT=\$?; sleep 120"
check "start --console starts, then connects" wait_until 20 pane_has c4 \
	"Escape character is"
check "start --console said it started" pane_has c4 "Domain '$name' started"
tmx send-keys -t c4 C-]
check "Ctrl+] leaves it" wait_until 10 pane_has c4 "CONSOLE-EXIT=0"
check "destroy again" vireo destroy "$name"

# A serial that is a file is not a console one can connect to.
guest_xml "$name-file" "$E2E_ROOT/serial.log" 128 >"$E2E_ROOT/file.xml"
check "start a guest with a file serial, paused" vireo create \
	"$E2E_ROOT/file.xml" --paused
expect_fail "its console is refused by type" "is of type 'file'" \
	timeout 10 "$VIREO" -c "$URI" console "$name-file"
check "destroy it" vireo destroy "$name-file"
check "daemon still up" daemon_alive

e2e_finish
