#!/bin/bash
# A running guest's display, keyboard and monitor: screenshot (a real PNG
# of the VGA display), send-key, qemu-monitor-command (QMP and HMP, taint
# in the domain's log), and their refusals: no video device, unknown keys,
# bad JSON, inactive domains, the read-only socket (client and daemon).
. "$(dirname "$0")/lib.sh"

guest_prepare || { echo "cannot build the test guest"; exit 1; }
daemon_start || exit 1
name=e2e-$E2E_TAG
novid=e2e-$E2E_TAG-novideo
serial=$E2E_ROOT/serial.log
qlog=$E2E_ROOT/log/qemu/$name.log
# The test guest with a VGA card (and its primary display).
guest_xml "$name" "$serial" 128 |
	sed "s|</devices>|<video><model type='vga'/></video></devices>|" \
	>"$E2E_ROOT/dom.xml"
guest_xml "$novid" "$E2E_ROOT/serial-novideo.log" 128 >"$E2E_ROOT/novideo.xml"
RO_URI="vireo+unix:///system?socket=$E2E_ROOT/run/vireod-ro.sock"

# png_size FILE: "WIDTHxHEIGHT" from a PNG's IHDR, or nothing if FILE is
# not a PNG (magic bytes, then the IHDR chunk first).
png_size() {
	local hex
	hex=$(od -An -tx1 -N24 "$1" 2>/dev/null | tr -d ' \n')
	[ "${hex:0:16}" = 89504e470d0a1a0a ] || return 1
	[ "${hex:24:8}" = 49484452 ] || return 1
	echo "$((16#${hex:32:8}))x$((16#${hex:40:8}))"
}

check "define the guest with video" vireo define "$E2E_ROOT/dom.xml"
check "define the guest without video" vireo define "$E2E_ROOT/novideo.xml"

# Refusals on an inactive domain.
expect_fail "screenshot of an inactive domain" "domain '$name' is not running" \
	vireo screenshot "$name" "$E2E_ROOT/x.png"
expect_fail "send-key to an inactive domain" "domain '$name' is not running" \
	vireo send-key "$name" KEY_A
expect_fail "qemu-monitor-command on an inactive domain" \
	"domain '$name' is not running" \
	vireo qemu-monitor-command "$name" '{"execute":"query-status"}'
check "no file left by a failed screenshot" test ! -e "$E2E_ROOT/x.png"

check "start --paused" vireo start --paused "$name"
check "start the no-video guest --paused" vireo start --paused "$novid"

# screenshot: a PNG of the paused VGA display.
out=$(cd "$E2E_ROOT" && vireo screenshot "$name" shot.png 2>&1)
if [ $? -eq 0 ] && grep -q "Screenshot saved to shot.png" <<<"$out"; then
	ok "screenshot (paused guest)"
else
	not_ok "screenshot (paused guest): $out"
fi
size=$(png_size "$E2E_ROOT/shot.png")
if [[ $size =~ ^[1-9][0-9]*x[1-9][0-9]*$ ]]; then
	ok "the screenshot is a PNG ($size)"
else
	not_ok "the screenshot is not a PNG: $(od -An -tx1 -N24 "$E2E_ROOT/shot.png" 2>&1)"
fi
mkdir "$E2E_ROOT/cwd"
(cd "$E2E_ROOT/cwd" && vireo screenshot "$name" >/dev/null 2>&1)
deffile=$(ls "$E2E_ROOT/cwd")
if [[ $deffile =~ ^$name-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}:[0-9]{2}:[0-9]{2}\.png$ ]] &&
	png_size "$E2E_ROOT/cwd/$deffile" >/dev/null; then
	ok "screenshot without a file: NAME-DATE.png ($deffile)"
else
	not_ok "screenshot without a file: '$deffile'"
fi
expect_fail "screenshot without a video device" "has no video device" \
	vireo screenshot "$novid" "$E2E_ROOT/novideo.png"
check "no file for the refused screenshot" test ! -e "$E2E_ROOT/novideo.png"
expect_fail "screenshot into a missing directory" "cannot create file" \
	vireo screenshot "$name" "$E2E_ROOT/no/such/dir.png"
out=$(vireo --json screenshot "$name" "$E2E_ROOT/j.png" 2>&1)
if grep -q '"format": "png"' <<<"$out" && ! grep -q '"data"' <<<"$out"; then
	ok "screenshot --json: format and file, not the data"
else
	not_ok "screenshot --json: $out"
fi

# send-key
check "send-key KEY_A" vireo send-key "$name" KEY_A
check "send-key a chord with a hold time" \
	vireo send-key "$name" --holdtime 50 KEY_LEFTCTRL KEY_LEFTALT KEY_F1
check "send-key by linux number" vireo send-key "$name" 30
check "send-key --codeset qcode" vireo send-key "$name" --codeset qcode ctrl a
check "send-key --codeset xt" vireo send-key "$name" --codeset xt 0x1e 0xe01c
expect_fail "send-key with an unknown key name" \
	"invalid keycode 'KEY_BOGUS' in codeset 'linux'" \
	vireo send-key "$name" KEY_A KEY_BOGUS
expect_fail "send-key with an unknown codeset" "unknown codeset 'ebcdic'" \
	vireo send-key "$name" --codeset ebcdic 30
expect_fail "send-key with 17 keys" "1 to 16 keys" \
	vireo send-key "$name" $(printf 'KEY_A %.0s' $(seq 17))
expect_fail "send-key with a bad hold time" "invalid hold time" \
	vireo send-key "$name" --holdtime soon KEY_A

# qemu-monitor-command: QMP, HMP, taint.
check "the log has no taint yet" bash -c "! grep -q tainted '$qlog'"
out=$(vireo qemu-monitor-command "$name" '{"execute":"query-status"}' 2>&1)
if grep -Eq '"status":"(prelaunch|paused)"' <<<"$out" &&
	grep -q '"running":false' <<<"$out"; then
	ok "qemu-monitor-command query-status"
else
	not_ok "qemu-monitor-command query-status: $out"
fi
check "the domain's log shows the taint" \
	grep -q "is tainted: custom-monitor (query-status)" "$qlog"
out=$(vireo qemu-monitor-command "$name" --pretty \
	'{"execute":"query-name"}' 2>&1)
if grep -q "\"name\": \"$name\"" <<<"$out"; then
	ok "qemu-monitor-command --pretty"
else
	not_ok "qemu-monitor-command --pretty: $out"
fi
out=$(vireo qemu-monitor-command "$name" --hmp info status 2>&1)
if grep -q "VM status: paused" <<<"$out"; then
	ok "qemu-monitor-command --hmp 'info status'"
else
	not_ok "qemu-monitor-command --hmp: $out"
fi
n=$(vireo qemu-monitor-command "$name" '{"execute":"query-qmp-schema"}' | wc -c)
if [ "$n" -gt 100000 ]; then
	ok "a large reply comes whole (query-qmp-schema, $n bytes)"
else
	not_ok "query-qmp-schema: $n bytes"
fi
expect_fail "qemu-monitor-command with text that is not JSON" "not a JSON object" \
	vireo qemu-monitor-command "$name" query-status
expect_fail "qemu-monitor-command without execute" "needs \"execute\"" \
	vireo qemu-monitor-command "$name" '{"arguments":{}}'
expect_fail "qemu-monitor-command of an unknown QMP command" \
	"QEMU refused 'no-such-command'" \
	vireo qemu-monitor-command "$name" '{"execute":"no-such-command"}'
expect_fail "--hmp and --pretty together" "mutually exclusive" \
	vireo qemu-monitor-command "$name" --hmp --pretty 'info status'

# The read-only socket: refused by vireo -r before connecting, and by the
# daemon when the read-only socket is named directly.
for cmd in "screenshot $name $E2E_ROOT/ro.png" "send-key $name KEY_A" \
	"qemu-monitor-command $name {\"execute\":\"query-status\"}"; do
	# shellcheck disable=SC2086
	expect_fail "-r refuses ${cmd%% *}" "not allowed on a read-only" \
		vireo_ro $cmd
	# shellcheck disable=SC2086
	expect_fail "the read-only socket refuses ${cmd%% *}" \
		"forbidden on a read-only connection" "$VIREO" -c "$RO_URI" $cmd
done
check "no file from the read-only screenshots" test ! -e "$E2E_ROOT/ro.png"
check "the read-only socket still reads" "$VIREO" -c "$RO_URI" dominfo "$name"

# A running guest: the monitor sees it run, the screenshot still works.
check "resume" vireo resume "$name"
check "the guest boots" wait_for "$serial" VIREO-GUEST-READY 90
out=$(vireo qemu-monitor-command "$name" '{"execute":"query-status"}' 2>&1)
if grep -q '"status":"running"' <<<"$out"; then
	ok "qemu-monitor-command sees the running guest"
else
	not_ok "query-status of the running guest: $out"
fi
check "screenshot of the running guest" vireo screenshot "$name" "$E2E_ROOT/run.png"
check "a PNG again" png_size "$E2E_ROOT/run.png"
check "the guest watches its keyboard" wait_for "$serial" "VIREO-KEYBOARD event" 30
check "send-key KEY_ENTER to the running guest" vireo send-key "$name" KEY_ENTER
check "the guest got KEY_ENTER (28)" wait_for "$serial" "VIREO-KEY code=28" 30
check "send-key --codeset qcode b" vireo send-key "$name" --codeset qcode b
check "the guest got KEY_B (48)" wait_for "$serial" "VIREO-KEY code=48" 30
check "send-key by xt scan code 0x1e (A)" vireo send-key "$name" --codeset xt 0x1e
check "the guest got KEY_A (30)" wait_for "$serial" "VIREO-KEY code=30" 30
check "the guest still counts after the keys" \
	wait_until 30 bash -c "[ \$(tr -d '\r' <'$serial' | grep -c VIREO-COUNTER) -ge 2 ]"
check "domstate: running" test "$(vireo domstate "$name")" = running

check "destroy" vireo destroy "$name"
check "destroy the no-video guest" vireo destroy "$novid"
e2e_finish
