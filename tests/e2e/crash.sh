#!/bin/bash
# Crash consistency: a sequential workload with the real vireo (define,
# undefine, start --paused, destroy, suspend, resume, setmem --config) on a
# few domains, vireod killed with SIGKILL at a random moment, restarted,
# and checked against a model of every acknowledged call: acknowledged
# definitions present and parseable, acknowledged undefines absent, states
# as the model says, no temporary file visible, every active domain with
# exactly one QEMU and no QEMU without an active domain. The one call in
# flight at the kill may have happened or not: its domain may be in either
# state, which the model then adopts.
#
# VR_CRASH_ITERATIONS (default 10; 100 for the full run), VR_CRASH_SEED
# replays the operation sequence (kill moments are timing, not replayed).
. "$(dirname "$0")/lib.sh"

iterations=${VR_CRASH_ITERATIONS:-10}
seed=${VR_CRASH_SEED:-$(( ($(date +%s%N) / 1000) % 32768 ))}
RANDOM=$seed
echo "crash: seed $seed (rerun: VR_CRASH_SEED=$seed), $iterations iterations"

p=e2e-${E2E_TAG:-$E2E_NAME}
NAMES=()
for i in 0 1 2 3 4 5; do
	NAMES+=("$p-$i")
	cat >"$E2E_ROOT/$p-$i.xml" <<XML
<domain type='qemu'>
  <name>$p-$i</name>
  <uuid>6c1f7e2a-0d3b-4c59-9a1e-00000000000$i</uuid>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><memballoon model='none'/></devices>
</domain>
XML
done

# The model: exists (0/1), persistent (0/1), state, config memory (KiB).
declare -A M_EX M_PE M_ST M_MEM
for n in "${NAMES[@]}"; do
	M_EX[$n]=0 M_PE[$n]=0 M_ST[$n]=- M_MEM[$n]=-
done

tuple() {
	local n=$1
	if [ "${M_EX[$n]}" = 1 ]; then
		echo "${M_EX[$n]} ${M_PE[$n]} ${M_ST[$n]} ${M_MEM[$n]}"
	else
		echo 0
	fi
}

set_tuple() {
	local n=$1
	read -r "M_EX[$n]" "M_PE[$n]" "M_ST[$n]" "M_MEM[$n]" <<<"$2"
	: "${M_PE[$n]:=0}" "${M_ST[$n]:=-}" "${M_MEM[$n]:=-}"
}

# apply NAME OP ARG: the model after OP succeeds.
apply() {
	local n=$1 op=$2 arg=${3:-}
	case $op in
	define)
		[ "${M_EX[$n]}" = 1 ] || M_ST[$n]=shutoff
		M_EX[$n]=1 M_PE[$n]=1 M_MEM[$n]=65536 ;;
	undefine)
		M_PE[$n]=0 M_MEM[$n]=-
		[ "${M_ST[$n]}" = shutoff ] && M_EX[$n]=0 M_ST[$n]=- ;;
	start) M_ST[$n]=paused ;;
	suspend) M_ST[$n]=paused ;;
	resume) M_ST[$n]=running ;;
	destroy)
		M_ST[$n]=shutoff
		[ "${M_PE[$n]}" = 0 ] && M_EX[$n]=0 M_ST[$n]=- ;;
	setmem) M_MEM[$n]=$arg ;;
	esac
}

# expect_error NAME OP: the error the model predicts, or "" for success.
expect_error() {
	local n=$1 op=$2
	if [ "${M_EX[$n]}" = 0 ]; then
		[ "$op" = define ] || echo "domain not found"
		return
	fi
	case $op in
	undefine)
		[ "${M_PE[$n]}" = 1 ] || echo "cannot undefine transient" ;;
	start)
		[ "${M_ST[$n]}" = shutoff ] || echo "is already active" ;;
	destroy|suspend|resume)
		[ "${M_ST[$n]}" = shutoff ] && echo "is not running" ;;
	setmem)
		[ "${M_PE[$n]}" = 1 ] ||
			echo "cannot change the persistent config of transient" ;;
	esac
}

# pick NAME: an operation, mostly ones the model says will succeed, paused
# guests preferred to running ones.
pick() {
	local n=$1 ops
	if [ "${M_EX[$n]}" = 0 ]; then
		ops="define define define define define define define start undefine setmem"
	elif [ "${M_PE[$n]}" = 0 ]; then
		ops="destroy destroy destroy define define suspend resume undefine setmem start"
	else
		case ${M_ST[$n]} in
		shutoff) ops="start start start start undefine undefine setmem define destroy resume" ;;
		paused) ops="destroy destroy destroy resume suspend setmem undefine define start setmem" ;;
		running) ops="suspend suspend suspend destroy destroy setmem undefine define resume start" ;;
		esac
	fi
	# shellcheck disable=SC2206
	ops=($ops)
	echo "${ops[RANDOM % ${#ops[@]}]}"
}

XMLLINT=$(command -v xmllint)
CONN_ERR='failed to connect to the daemon|closed the connection|cannot (read from|send to) the daemon'
INFLIGHT='' INFLIGHT_PRE='' INFLIGHT_POST='' INFLIGHT_DESC=''
iter_ops=0 iter_bad=0

# run_op NAME OP: run it with vireo and check the reply against the model.
# Returns 1 when the daemon went away (the call is the one in flight).
run_op() {
	local n=$1 op=$2 arg='' want err rc pre post
	local -a cmd
	case $op in
	define) cmd=(define "$E2E_ROOT/$n.xml") ;;
	start) cmd=(start --paused "$n") ;;
	setmem)
		arg=$(( (2 + RANDOM % 3) * 16384 ))
		cmd=(setmem --config "$n" "$((arg / 1024))M") ;;
	*) cmd=("$op" "$n") ;;
	esac
	want=$(expect_error "$n" "$op")
	err=$(vireo "${cmd[@]}" 2>&1 >/dev/null)
	rc=$?
	iter_ops=$((iter_ops + 1))
	if [ "$rc" -ne 0 ] && grep -Eq -- "$CONN_ERR" <<<"$err"; then
		pre=$(tuple "$n")
		[ -n "$want" ] || apply "$n" "$op" "$arg"
		post=$(tuple "$n")
		set_tuple "$n" "$pre"
		INFLIGHT=$n INFLIGHT_PRE=$pre INFLIGHT_POST=$post
		INFLIGHT_DESC="vireo ${cmd[*]##*/}"
		# The killer marks the kill before sending it.
		[ -e "$E2E_ROOT/killing" ] || died_alone=1
		return 1
	fi
	if [ -z "$want" ] && [ "$rc" -eq 0 ]; then
		apply "$n" "$op" "$arg"
	elif [ -n "$want" ] && [ "$rc" -ne 0 ] && grep -q -- "$want" <<<"$err"; then
		:
	else
		iter_bad=$((iter_bad + 1))
		not_ok "vireo ${cmd[*]##*/}: exit $rc, '$err'; model $(tuple "$n") expected ${want:-success}"
		resync "$n"
	fi
	return 0
}

# observe NAME: the daemon's view as a model tuple, in OBS; "?" if unclear.
observe() {
	local n=$1 info err st pe mem xml
	if info=$(vireo dominfo "$n" 2>"$E2E_ROOT/obs.err"); then
		st=$(sed -n 's/^State: *//p' <<<"$info")
		[ "$st" = "shut off" ] && st=shutoff
		pe=$(sed -n 's/^Persistent: *//p' <<<"$info")
		if [ "$pe" = yes ]; then
			pe=1
			xml=$(vireo dumpxml --inactive "$n" 2>"$E2E_ROOT/obs.err")
			if ! grep -q "<name>$n</name>" <<<"$xml" || { [ -n "$XMLLINT" ] &&
				! "$XMLLINT" --noout - <<<"$xml" 2>/dev/null; }; then
				OBS="? unparseable definition: $xml"
				return
			fi
			mem=$(sed -n "s|.*<currentMemory unit='KiB'>\([0-9]*\)<.*|\1|p" <<<"$xml")
		else
			pe=0 mem=-
		fi
		OBS="1 $pe $st $mem"
	else
		err=$(cat "$E2E_ROOT/obs.err")
		if grep -q "domain not found" <<<"$err"; then
			OBS=0
		else
			OBS="? $err"
		fi
	fi
}

resync() {
	observe "$1"
	case $OBS in
	\?*) not_ok "cannot read $1 back: $OBS" ;;
	*) set_tuple "$1" "$OBS" ;;
	esac
}

# QEMU processes of this root (stderr is ROOT/log/qemu/NAME.log), one
# domain name per line.
qemu_names() {
	local pid link
	for pid in $(pgrep -f -- "guest=$p-"); do
		link=$(readlink "/proc/$pid/fd/2" 2>/dev/null) || continue
		case $link in "$E2E_ROOT"/*) ;; *) continue ;; esac
		tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null |
			sed -n 's/^guest=\([^,]*\),.*/\1/p'
	done
}

qemu_pids_of() {
	local pid link
	for pid in $(pgrep -f -- "guest=$1,"); do
		link=$(readlink "/proc/$pid/fd/2" 2>/dev/null) || continue
		case $link in "$E2E_ROOT"/*) echo "$pid" ;; esac
	done
}

# check_dom NAME: the daemon and the processes agree with the model (for
# the domain in flight at the kill: with either outcome). Sets BAD.
check_dom() {
	local n=$1 want q
	want=$(tuple "$n")
	observe "$n"
	q=$(qemu_names | grep -cx -- "$n")
	BAD=
	case $OBS in \?*) BAD="cannot read it back: $OBS"; return ;; esac
	if [ "$n" = "$INFLIGHT" ]; then
		if [ "$OBS" != "$INFLIGHT_PRE" ] && [ "$OBS" != "$INFLIGHT_POST" ]; then
			BAD="is '$OBS' after '$INFLIGHT_DESC' in flight: expected '$INFLIGHT_PRE' or '$INFLIGHT_POST'"
		fi
	elif [ "$OBS" != "$want" ]; then
		BAD="is '$OBS', model '$want'"
	fi
	# Inactive domains with a QEMU are counted below as orphans.
	case $OBS in
	*\ paused\ *|*\ running\ *) [ "$q" -eq 1 ] || BAD="$BAD${BAD:+; }active with $q QEMU processes" ;;
	esac
}

# Start vireod again; wait for the reconnect of each adopted domain, which
# holds the domain's job: a no-op mutation (autostart stays off in this
# test) queues behind it.
restart() {
	daemon_start || { not_ok "iteration $it: vireod does not restart"; return 1; }
	for n in "${NAMES[@]}"; do
		vireo autostart --disable "$n" >/dev/null 2>&1
	done
	return 0
}

kills=0 survived=0 defs_checked=0 lost=0 orphans=0 mismatches=0 tmp_seen=0 ops_total=0
inflight_pre=0 inflight_post=0 slowest_restart=0
daemon_start || exit 1
for it in $(seq 1 "$iterations"); do
	iter_ops=0 iter_bad=0 INFLIGHT='' INFLIGHT_DESC='' died_alone=0
	delay=$((50 + RANDOM % 1450))
	rm -f "$E2E_ROOT/killing"
	(
		sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
		: >"$E2E_ROOT/killing"
		kill -9 "$E2E_DAEMON_PID"
	) &
	killer=$!
	end=$((SECONDS + 20))
	# bash reports the killed daemon job ("Killed") on stderr: drop that.
	{
		while [ $SECONDS -lt $end ]; do
			n=${NAMES[RANDOM % ${#NAMES[@]}]}
			run_op "$n" "$(pick "$n")" || break
		done
		wait "$killer"
		wait "$E2E_DAEMON_PID"
	} 2>"$E2E_ROOT/workload.err"
	grep -v ' Killed  ' "$E2E_ROOT/workload.err" >&2
	[ $SECONDS -lt $end ] || not_ok "iteration $it: the workload never saw the kill"
	if [ "$died_alone" = 1 ]; then
		not_ok "iteration $it: vireod died before it was killed"
		tail -20 "$E2E_ROOT/vireod.log"
	fi
	kills=$((kills + 1))
	ops_total=$((ops_total + iter_ops))
	# Temporary files a kill left behind; the restart must remove them.
	tmp_seen=$((tmp_seen + $(find "$E2E_ROOT/etc/qemu" "$E2E_ROOT/run/qemu" \
		-name '*.tmp.*' 2>/dev/null | wc -l)))
	loglines=$(wc -l <"$E2E_ROOT/vireod.log")
	t0=$(date +%s%N)
	restart || break
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$ms" -gt "$slowest_restart" ] && slowest_restart=$ms
	if ! vireo list --all >/dev/null 2>&1; then
		not_ok "iteration $it: vireod died after its restart; it said:"
		tail -n +"$((loglines + 1))" "$E2E_ROOT/vireod.log" | tail -12
		{ kill -9 "$E2E_DAEMON_PID"; wait "$E2E_DAEMON_PID"; } 2>/dev/null
		restart || break
		if ! vireo list --all >/dev/null 2>&1; then
			not_ok "vireod dies again at its next start: giving up"
			break
		fi
		for n in "${NAMES[@]}"; do resync "$n"; done
		continue
	fi
	survived=$((survived + 1))

	left=$(find "$E2E_ROOT/etc/qemu" "$E2E_ROOT/run/qemu" -name '*.tmp.*' 2>/dev/null)
	[ -z "$left" ] || not_ok "iteration $it: temporary files visible after restart: $left"
	if tail -n +"$((loglines + 1))" "$E2E_ROOT/vireod.log" | grep -q "ignoring '"; then
		not_ok "iteration $it: vireod ignored a definition: $(tail -n +"$((loglines + 1))" "$E2E_ROOT/vireod.log" | grep "ignoring '")"
	fi
	bad=0
	for n in "${NAMES[@]}"; do
		check_dom "$n"
		if [ -n "$BAD" ] && [ "$n" = "$INFLIGHT" ]; then
			# Its QEMU may still be dying after a destroy in flight.
			for _ in $(seq 1 20); do
				sleep 0.1
				check_dom "$n"
				[ -z "$BAD" ] && break
			done
		fi
		[ "${M_PE[$n]}" = 1 ] && [ "$n" != "$INFLIGHT" ] &&
			defs_checked=$((defs_checked + 1))
		if [ "$n" = "$INFLIGHT" ] && [ -z "$BAD" ]; then
			if [ "$OBS" = "$INFLIGHT_POST" ]; then
				inflight_post=$((inflight_post + 1))
			else
				inflight_pre=$((inflight_pre + 1))
			fi
		fi
		if [ -n "$BAD" ]; then
			bad=$((bad + 1))
			not_ok "iteration $it: $n $BAD"
			case $(tuple "$n") in
			"1 1 "*) case $OBS in "1 1 "*|\?*) ;; *)
				[ "$n" != "$INFLIGHT" ] && lost=$((lost + 1)) ;; esac ;;
			esac
			mismatches=$((mismatches + 1))
		fi
		case $OBS in \?*) ;; *) set_tuple "$n" "$OBS" ;; esac
	done
	# QEMU processes of this root whose domain is not active: orphans.
	for q in $(qemu_names | sort | uniq -c | awk '{print $1 ":" $2}'); do
		cnt=${q%%:*} n=${q#*:}
		case $(tuple "$n") in
		"1 "?" paused "*|"1 "?" running "*) cnt=$((cnt - 1)) ;;
		esac
		if [ "$cnt" -gt 0 ]; then
			orphans=$((orphans + cnt))
			bad=$((bad + 1))
			not_ok "iteration $it: $cnt orphan QEMU process(es) of $n (pid $(qemu_pids_of "$n" | tr '\n' ' '); status file: $(ls "$E2E_ROOT/run/qemu/$n.status" 2>/dev/null || echo none)); vireod said:"
			grep "'$n'" "$E2E_ROOT/vireod.log" | tail -4
			# Kill them so later iterations start clean.
			case $(tuple "$n") in
			"1 "?" paused "*|"1 "?" running "*) ;;
			*) qemu_pids_of "$n" | xargs -r kill -9 ;;
			esac
		fi
	done
	if [ "$bad" -eq 0 ] && [ "$iter_bad" -eq 0 ]; then
		ok "iteration $it: killed after $delay ms, $iter_ops calls, in flight: ${INFLIGHT_DESC:-none}"
	else
		echo "   iteration $it: killed after $delay ms, $iter_ops calls, in flight: ${INFLIGHT_DESC:-none}"
	fi
done

# Clean up through the daemon.
for n in "${NAMES[@]}"; do
	case ${M_ST[$n]} in paused|running) vireo destroy "$n" >/dev/null ;; esac
done
left=$(qemu_names | wc -l)
check "no QEMU left after destroying all ($left)" test "$left" -eq 0
echo "crash: $kills kills, $survived survived, $ops_total calls, $defs_checked definitions checked, $lost definitions lost, $orphans orphans, $mismatches state mismatches"
echo "crash: in-flight calls that took effect: $inflight_post, that did not: $inflight_pre; temporary files left by kills (removed at restart): $tmp_seen; slowest restart + reconnect: $slowest_restart ms"
e2e_finish
