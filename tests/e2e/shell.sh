#!/bin/bash
# The interactive shell (vireo without a command) fed through a pipe:
# commands, quoting, ';' and comments, connect, errors and exit status;
# completion through the hidden `vireo complete --` (what the shell's Tab
# and the bash completion use), the bash completion script itself, and
# once the real terminal shell through tmux (when tmux is installed).
. "$(dirname "$0")/lib.sh"

guest_prepare || { echo "cannot build the test guest"; exit 1; }
daemon_start || exit 1
a=e2e-$E2E_TAG-alpha
b=e2e-$E2E_TAG-beta
URI="vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock"
NOURI="vireo+unix:///system?socket=$E2E_ROOT/nothing.sock"
guest_xml "$a" "$E2E_ROOT/serial-a.log" 128 >"$E2E_ROOT/a.xml"
guest_xml "$b" "$E2E_ROOT/serial-b.log" 128 >"$E2E_ROOT/b.xml"
export VIREO_HISTORY=

# sh_run NAME STATUS REGEX INPUT [VIREO ARGS...]: pipe INPUT into vireo
# (no command); it must exit with STATUS and print REGEX (stdout+stderr).
sh_run() {
	local what=$1 want=$2 re=$3 input=$4 out rc
	shift 4
	out=$(printf '%s\n' "$input" | "$VIREO" "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq "$want" ] && grep -Eq -- "$re" <<<"$out"; then
		ok "$what"
	else
		not_ok "$what (exit $rc, output: $out)"
	fi
}

sh_run "define two domains from the shell" 0 "Domain '$b' defined" \
	"define $E2E_ROOT/a.xml
define $E2E_ROOT/b.xml" -c "$URI"
sh_run "start one paused" 0 "Domain '$a' started" "start $a --paused" -c "$URI"
sh_run "list --all" 0 "1 +$a +paused" "list --all" -c "$URI"
sh_run "list shows the inactive one" 0 "$b +shut off" "list --all" -c "$URI"
sh_run "dominfo" 0 "State: +paused" "dominfo $a" -c "$URI"
out=$(printf 'uri\ndomstate %s\n' "$a" | "$VIREO" -c "$URI" 2>&1)
check "no prompt, no banner: only the commands' output" \
	test "$out" = "$URI"$'\n'paused

# Quoting as virsh: '...', "...", backslashes, ';' and comments.
sh_run "single quotes" 0 "Name: +$a" "dominfo '$a'" -c "$URI"
sh_run "double quotes" 0 "Name: +$a" "dominfo \"$a\"" -c "$URI"
sh_run "a backslash escapes" 0 "Name: +$a" "dominfo ${a//-/\\-}" -c "$URI"
sh_run "quotes inside a word" 0 "Name: +$a" "dominfo e2e'-'\"$E2E_TAG\"-alpha" -c "$URI"
sh_run "';' separates commands" 0 "shut off" "domstate $a ; domstate $b" -c "$URI"
sh_run "a comment is ignored" 0 "^paused$" "domstate $a # dominfo nothing
# a whole line of comment" -c "$URI"
sh_run "empty and blank lines are skipped" 0 "^paused$" "

  domstate $a" -c "$URI"
sh_run "an open quote is an error (exit 2)" 2 "missing closing ' quote" \
	"dominfo '$a" -c "$URI"
sh_run "a quoted ';' is not a separator" 1 "domain not found.*'x;y'" \
	"dominfo 'x;y'" -c "$URI"
sh_run "JSON survives single quotes" 0 '"status":"prelaunch"' \
	"qemu-monitor-command $a '{\"execute\": \"query-status\"}'" -c "$URI"

# Errors: the shell goes on; the exit status is the last failure's.
sh_run "unknown command, then the next line runs" 2 "^paused$" \
	"frobnicate
domstate $a" -c "$URI"
sh_run "a failing command: exit 1" 1 "domain not found" \
	"dominfo nosuch
uri" -c "$URI"
sh_run "the last failure decides: usage after error" 2 "requires <domain>" \
	"dominfo nosuch
dominfo" -c "$URI"
sh_run "all succeed: exit 0" 0 "^paused$" "uri; domstate $a" -c "$URI"
sh_run "quit stops reading" 0 "run/vireod.sock$" "uri
quit
dominfo nosuch" -c "$URI"
sh_run "exit stops reading" 0 "run/vireod.sock$" "uri; exit; dominfo nosuch" -c "$URI"

# connect
sh_run "no daemon at the first URI" 1 "failed to connect" "list" -c "$NOURI"
sh_run "connect URI, then commands use it" 0 "$a +paused" \
	"connect $URI
list" -c "$NOURI"
sh_run "a failed connect keeps the connection" 1 "^vireo\+unix.*vireod.sock$" \
	"connect $URI
connect $NOURI
domstate $a
uri" -c "$NOURI"
sh_run "a failed connect is reported" 1 "failed to connect" \
	"connect $URI
connect $NOURI
domstate $a" -c "$NOURI"
sh_run "connect --readonly refuses changes" 1 \
	"command 'suspend' changes state and is not allowed" \
	"connect $URI --readonly
dominfo $a
suspend $a" -c "$URI"
sh_run "connect --readonly still reads" 1 "State: +paused" \
	"connect $URI --readonly
dominfo $a
suspend $a" -c "$URI"
sh_run "-r applies to every command" 1 "not allowed on a read-only" \
	"domstate $a; start $b" -r -c "$URI"
sh_run "--json applies to every command" 0 '"state": "paused"' \
	"dominfo $a" --json -c "$URI"
out=$(printf 'domstate %s --json\ndomstate %s\n' "$a" "$a" | "$VIREO" -c "$URI" 2>&1)
if grep -q '"state": "paused"' <<<"$out" && grep -qx paused <<<"$out"; then
	ok "a command's --json is its own"
else
	not_ok "a command's --json is its own: $out"
fi
sh_run "help inside the shell" 0 "connect \[<name>\] \[--readonly\]" \
	"help connect" -c "$URI"
sh_run "help lists connect, quit and exit" 0 "quit +quit this interactive" \
	"help vireo" -c "$URI"

# Completion: the hidden command (the shell's Tab runs the same code).
comp() { "$VIREO" -c "$URI" complete -- "$@" 2>&1; }
comp_is() {
	local what=$1 want=$2 got
	shift 2
	got=$(comp "$@" | tr '\n' ' ')
	if [ "$got" = "$want" ]; then ok "$what"; else not_ok "$what: got '$got', want '$want'"; fi
}
comp_is "commands by prefix" "domstate domstats " domst
comp_is "domain names for dominfo" "$a $b " dominfo ""
comp_is "domain names by prefix" "$b " dominfo "${b%beta}b"
comp_is "domain names after --domain" "$a $b " start --domain ""
comp_is "options of send-key" "--codeset --domain --holdtime --keycode " send-key --
comp_is "the domain given by position is left out" \
	"--codeset --holdtime --keycode " send-key "$a" --
comp_is "options already given are left out" "--holdtime --keycode " \
	send-key "$a" --codeset qcode --
comp_is "codesets" "linux qcode qnum xt " send-key "$a" --codeset ""
comp_is "linux key names" \
	"KEY_F1 KEY_F10 KEY_F11 KEY_F12 KEY_F13 KEY_F14 KEY_F15 KEY_F16 KEY_F17 KEY_F18 KEY_F19 " \
	send-key "$a" KEY_A KEY_F1
comp_is "qcode key names after --codeset" "ctrl ctrl_r " send-key "$a" --codeset qcode ct
comp_is "qcode key names after --codeset=" "ctrl ctrl_r " send-key "$a" --codeset=qcode ct
comp_is "no names for numeric codesets" "" send-key "$a" --codeset xt ""
comp_is "--name=VALUE" "--codeset=qcode --codeset=qnum " send-key "$a" --codeset=q
comp_is "--domain=NAME" "--domain=$a " dominfo --domain="${a%alpha}"a
comp_is "help completes command names" "send-key setmaxmem setmem setvcpus " help se
comp_is "global options" "--readonly " --re
comp_is "after global options, commands" "screenshot " -r --json scr
comp_is "nothing for a file argument" "" define ""
comp_is "nothing for an unknown command" "" frobnicate ""
comp_is "the hidden command is not offered" "" compl
comp_is "a second positional is not a domain" "" screenshot "$a" ""
got=$("$VIREO" -c "$NOURI" complete -- dominfo "" 2>&1; echo "rc=$?")
check "no daemon: no names, no error, exit 0" test "$got" = "rc=0"
got=$("$VIREO" -c "$NOURI" complete -- -c "$URI" dominfo "e2e-$E2E_TAG-a" 2>&1)
check "the -c in the words picks the daemon" test "$got" = "$a"

# The bash completion script, with and without bash-completion loaded.
BC=$abs_top_srcdir/client/vireo.bash-completion
# bash_comp LOAD_BASH_COMPLETION WORDS...: COMPREPLY for the line of
# WORDS (the last being completed) as bash would set it up.
bash_comp() {
	bash -c '
		[ "$1" = 1 ] && source /usr/share/bash-completion/bash_completion
		source "$2"
		shift 2
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		# bash splits words at COMP_WORDBREAKS too: "--a=b" is 3 words
		read -ra COMP_WORDS <<<"${COMP_LINE//=/ = }"
		[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_vireo
		printf "%s\n" "${COMPREPLY[@]}"' _ "$@" | tr '\n' ' '
}
got=$(bash_comp 0 "$BC" "$VIREO" -c "$URI" dominfo "")
check "bash completion: domain names (plain bash)" test "$got" = "$a $b "
got=$(bash_comp 0 "$BC" "$VIREO" -c "$URI" send-key "$a" --codeset=q)
check "bash completion: --codeset=q (plain bash)" test "$got" = "qcode qnum "
if [ -r /usr/share/bash-completion/bash_completion ]; then
	got=$(bash_comp 1 "$BC" "$VIREO" -c "$URI" send-key "$a" --codeset q)
	check "bash completion: codesets (with bash-completion)" \
		test "$got" = "qcode qnum "
	got=$(bash_comp 1 "$BC" "$VIREO" -c "$URI" send-key "$a" --codeset=q)
	check "bash completion: --codeset=q (with bash-completion)" \
		test "$got" = "qcode qnum "
	got=$(bash_comp 1 "$BC" "$VIREO" -c "$URI" start "")
	check "bash completion: domain names (with bash-completion)" \
		test "$got" = "$a $b "
	got=$(bash -c '
		source /usr/share/bash-completion/bash_completion
		source "$1"
		complete -p vireo' _ "$BC")
	check "bash completion: registered for vireo" \
		grep -q -- "-F _vireo vireo" <<<"$got"
else
	echo "skip: bash-completion is not installed"
fi

# The real terminal: prompt, Tab, history (tmux).
if command -v tmux >/dev/null; then
	sock=$E2E_ROOT/tmux.sock
	hist=$E2E_ROOT/history
	pane() { tmux -S "$sock" capture-pane -p -t vt 2>/dev/null; }
	screen_has() { pane | grep -Eq -- "$1"; }
	tmux -S "$sock" new-session -d -s vt -x 150 -y 40 \
		"VIREO_HISTORY='$hist' '$VIREO' -c '$URI'; echo \$? >'$E2E_ROOT/tmux.rc'; sleep 30"
	# (capture-pane drops the spaces at the end of a line)
	check "tmux: the prompt" wait_until 10 screen_has '^vireo [#$]$'
	check "tmux: the welcome" screen_has "Welcome to vireo"
	tmux -S "$sock" send-keys -t vt "domstat" Tab "e" Tab
	check "tmux: Tab completes a command" wait_until 10 screen_has 'vireo [#$] domstate$'
	tmux -S "$sock" send-keys -t vt "${a%alpha}a" Tab
	check "tmux: Tab completes a domain name" \
		wait_until 10 screen_has "vireo [#$] domstate $a\$"
	tmux -S "$sock" send-keys -t vt Enter
	check "tmux: the command runs" wait_until 10 screen_has '^paused$'
	tmux -S "$sock" send-keys -t vt "send-key $a --h" Tab
	check "tmux: Tab completes an option" \
		wait_until 10 screen_has "send-key $a --holdtime\$"
	tmux -S "$sock" send-keys -t vt C-u "quit" Enter
	check "tmux: quit, exit status 0" \
		wait_until 10 bash -c "grep -qx 0 '$E2E_ROOT/tmux.rc' 2>/dev/null"
	# libedit writes a space in the history file as \040
	check "tmux: the history has the commands" \
		grep -Eq "^domstate( |\\\\040)$a" "$hist"
	tmux -S "$sock" kill-server 2>/dev/null
else
	echo "skip: tmux is not installed"
fi

# The daemon restarts between two commands: the shell connects again.
out=$E2E_ROOT/reconnect.out
exec 3> >("$VIREO" -c "$URI" >"$out" 2>&1)
echo "domstate $a" >&3
check "before the restart" wait_until 10 grep -qx paused "$out"
daemon_stop
daemon_start || exit 1
echo "domstate $a" >&3
exec 3>&-
check "after the restart, the shell connects again" \
	wait_until 10 bash -c "[ \$(grep -cx paused '$out') -eq 2 ]"
check "vireo connect URI (not in the shell) only tries" \
	"$VIREO" -c "$NOURI" connect "$URI"
expect_fail "vireo connect to nothing fails" "failed to connect" \
	"$VIREO" connect "$NOURI"

sh_run "destroy" 0 "destroyed" "destroy $a" -c "$URI"
e2e_finish
