#!/bin/bash
# Data streams end to end: vol-upload and vol-download of 256 MiB of random
# data through a dir pool (checksums compared, throughput printed),
# offsets and lengths, the refusals (qcow2, too much data, a volume a
# running domain uses, a volume being uploaded), and a client killed
# mid-upload leaving the daemon healthy and the volume usable.
. "$(dirname "$0")/lib.sh"

guest_prepare || { echo "cannot build the test guest"; exit 1; }
daemon_start || exit 1

pool=e2e-pool
dir=$E2E_ROOT/pools/images
name=e2e-$E2E_TAG
src=$E2E_ROOT/src.bin
dst=$E2E_ROOT/dst.bin
SIZE_MIB=${VR_STREAM_MIB:-256}

now_ns() { date +%s%N; }
# rate BYTES START_NS: MiB/s
rate() {
	awk -v b="$1" -v t=$(( $(now_ns) - $2 )) \
		'BEGIN { printf "%.0f", (b / 1048576) / (t / 1e9) }'
}

check "pool-define-as" vireo pool-define-as "$pool" dir --target "$dir"
check "pool-build" vireo pool-build "$pool"
check "pool-start" vireo pool-start "$pool"
check "vol-create-as ${SIZE_MIB}M raw" vireo vol-create-as "$pool" big.raw \
	"${SIZE_MIB}M"
head -c "${SIZE_MIB}M" /dev/urandom >"$src"

# 256 MiB each way
hwm_before=$(awk '/VmHWM/ { print $2 }' "/proc/$E2E_DAEMON_PID/status")
t0=$(now_ns)
check "vol-upload ${SIZE_MIB} MiB" vireo vol-upload big.raw "$src" --pool "$pool"
echo "upload: $(rate $((SIZE_MIB * 1048576)) "$t0") MiB/s"
check "the volume file holds the data" cmp -s "$src" "$dir/big.raw"
t0=$(now_ns)
check "vol-download ${SIZE_MIB} MiB" vireo vol-download big.raw "$dst" --pool "$pool"
echo "download: $(rate $((SIZE_MIB * 1048576)) "$t0") MiB/s"
sum_src=$(sha256sum <"$src" | cut -d' ' -f1)
sum_dst=$(sha256sum <"$dst" | cut -d' ' -f1)
check "sha256 of the download is the upload's" test "$sum_src" = "$sum_dst"
rm -f "$dst"

# Progress: on a terminal only (tmux gives vireo one).
err=$(vireo vol-download big.raw /dev/null --pool "$pool" 2>&1 >/dev/null)
check "no progress line when stderr is not a terminal" test -z "$err"
TMUX_SOCK=$E2E_ROOT/tmux.sock
trap 'tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; e2e_cleanup' EXIT
tmux -S "$TMUX_SOCK" new-session -d -s p -x 120 -y 10 \
	"'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' \
	vol-download big.raw /dev/null --pool $pool; echo EXIT=\$?; sleep 60"
progress_done() {
	tmux -S "$TMUX_SOCK" capture-pane -p -t p | grep -Eq \
		"Downloading: $SIZE_MIB.0 of $SIZE_MIB.0 MiB \(100%\), [0-9.]+ MiB/s"
}
check "a progress line on a terminal, ending at 100%" wait_until 30 progress_done
tmux -S "$TMUX_SOCK" kill-server 2>/dev/null
hwm_after=$(awk '/VmHWM/ { print $2 }' "/proc/$E2E_DAEMON_PID/status")
echo "vireod peak RSS: $hwm_before KiB before the streams, $hwm_after KiB after"
# ASan keeps freed chunks in quarantine: only the plain build is bounded.
if ldd "$VIREOD" | grep -q libasan; then
	echo "note: vireod peak RSS not bounded under ASan (its quarantine)"
else
	check "the daemon's peak RSS grew by less than 32 MiB (no file in memory)" \
		test $((hwm_after - hwm_before)) -lt 32768
fi

# Offsets and lengths
check "vol-create-as small.raw" vireo vol-create-as "$pool" small.raw 1M
printf 'hello streams' >"$E2E_ROOT/hello"
check "vol-upload at an offset" vireo vol-upload small.raw "$E2E_ROOT/hello" \
	--pool "$pool" --offset 4096
check "vol-download of that range" vireo vol-download small.raw \
	"$E2E_ROOT/range" --pool "$pool" --offset 4096 --length 13
check "the range reads back" cmp -s "$E2E_ROOT/hello" "$E2E_ROOT/range"
check "the rest stays zero" cmp -s -n 4096 "$dir/small.raw" /dev/zero
out_has "a whole download is the volume's size" '^1048576$' bash -c \
	"'$VIREO' -c 'vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock' \
	vol-download small.raw /dev/stdout --pool $pool | wc -c"

# Refusals
head -c 2M /dev/urandom >"$E2E_ROOT/two"
expect_fail "more data than the volume holds is refused" \
	"more than the 1048576 bytes" \
	vireo vol-upload small.raw "$E2E_ROOT/two" --pool "$pool"
expect_fail "an offset past the end is refused" "past the end" \
	vireo vol-upload small.raw "$E2E_ROOT/hello" --pool "$pool" --offset 2M
check "vol-create-as qcow2" vireo vol-create-as "$pool" img.qcow2 8M \
	--format qcow2
expect_fail "upload into a qcow2 volume is refused" \
	"only raw volumes take uploads" \
	vireo vol-upload img.qcow2 "$E2E_ROOT/hello" --pool "$pool"
check "a qcow2 volume downloads as its image" vireo vol-download img.qcow2 \
	"$E2E_ROOT/img" --pool "$pool"
out_has "the image is a qcow2" "file format: qcow2" \
	qemu-img info "$E2E_ROOT/img"
expect_fail "unknown volume" "storage volume not found" \
	vireo vol-download nope.raw "$E2E_ROOT/x" --pool "$pool"
check "a failed download leaves no file behind" test ! -e "$E2E_ROOT/x"
expect_fail "read-only: vol-download refused" "read-only" \
	vireo_ro vol-download small.raw "$E2E_ROOT/x" --pool "$pool"
expect_fail "read-only: vol-upload refused" "read-only" \
	vireo_ro vol-upload small.raw "$E2E_ROOT/hello" --pool "$pool"

# Hostile stream traffic on the real sockets (overwrites small.raw)
out_has "rpc-abuse with streams" "rpc-abuse: [0-9]+ passed, 0 failed" \
	"$abs_top_builddir/tests/rpc-abuse" "$E2E_ROOT/run/vireod.sock" \
	"$E2E_ROOT/run/vireod-ro.sock" "$pool" small.raw

# A running (paused) domain on the volume
guest_xml "$name" "$E2E_ROOT/serial.log" 128 | sed "s|<devices>|<devices>\\
    <disk type='volume' device='disk'>\\
      <source pool='$pool' volume='small.raw'/>\\
      <target dev='vda' bus='virtio'/>\\
    </disk>|" >"$E2E_ROOT/dom.xml"
check "define a domain on small.raw" vireo define "$E2E_ROOT/dom.xml"
check "start it paused" vireo start "$name" --paused
expect_fail "vol-upload of a volume in use names the domain" \
	"in use by running domain '$name'" \
	vireo vol-upload small.raw "$E2E_ROOT/hello" --pool "$pool"
check "destroy" vireo destroy "$name"

# A client killed mid-upload: a FIFO that gives 8 MiB, then stalls.
sed -e "s|<name>$name</name>|<name>$name-2</name>|" -e 's/small.raw/big.raw/' \
	"$E2E_ROOT/dom.xml" >"$E2E_ROOT/dom2.xml"
fifo=$E2E_ROOT/fifo
mkfifo "$fifo"
head -c 8M "$src" >"$E2E_ROOT/8m"
{ cat "$E2E_ROOT/8m"; exec sleep 600; } >"$fifo" &
feeder=$!
"$VIREO" -c "vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock" \
	vol-upload big.raw "$fifo" --pool "$pool" 2>"$E2E_ROOT/up.err" &
uploader=$!
# The second upload of big.raw (the first was the 256 MiB one).
uploads_started() {
	[ "$(grep -c "big.raw': upload of [0-9]* bytes at offset 0 started" \
		"$E2E_ROOT/vireod.log")" -ge 2 ]
}
check "the upload started" wait_until 20 uploads_started
expect_fail "vol-delete during an upload: busy" "'upload' is in progress" \
	vireo vol-delete big.raw --pool "$pool"
expect_fail "a domain cannot start on a volume being uploaded" \
	"'upload' is in progress" vireo create "$E2E_ROOT/dom2.xml" --paused
kill -9 "$uploader"
wait "$uploader" 2>/dev/null
kill "$feeder" 2>/dev/null
wait "$feeder" 2>/dev/null
check "the daemon is alive after the client died" daemon_alive
check "the daemon aborted the upload" wait_for "$E2E_ROOT/vireod.log" \
	"big.raw': upload aborted after [0-9]+ bytes" 20
check "upload again after the abort" vireo vol-upload big.raw "$src" \
	--pool "$pool"
check "download again" vireo vol-download big.raw "$dst" --pool "$pool"
check "checksums match again" test "$(sha256sum <"$dst" | cut -d' ' -f1)" = \
	"$sum_src"

# Flow control: a downloader that stops reading (it writes into a FIFO
# nobody reads) must not make the daemon buffer the volume.
slow=$E2E_ROOT/slow
mkfifo "$slow"
exec 8<>"$slow"		# a reader that never reads
rss_kib() { awk '/VmRSS/ { print $2 }' "/proc/$E2E_DAEMON_PID/status"; }
rss0=$(rss_kib)
ndl=$(grep -c "big.raw': download of" "$E2E_ROOT/vireod.log")
"$VIREO" -c "vireo+unix:///system?socket=$E2E_ROOT/run/vireod.sock" \
	vol-download big.raw "$slow" --pool "$pool" 2>/dev/null &
stalled=$!
downloads_started() {
	[ "$(grep -c "big.raw': download of" "$E2E_ROOT/vireod.log")" -gt "$ndl" ]
}
check "a download into a stalled reader starts" wait_until 20 downloads_started
sleep 2		# let every buffer on the way fill up
rss1=$(rss_kib)
echo "vireod RSS with a stalled download: $rss0 KiB before, $rss1 KiB after"
if ldd "$VIREOD" | grep -q libasan; then
	echo "note: vireod RSS not bounded under ASan (its quarantine)"
else
	check "the daemon does not buffer a stalled download" \
		test $((rss1 - rss0)) -lt 16384
fi
check "other clients are served meanwhile" vireo vol-info big.raw --pool "$pool"
kill "$stalled"
wait "$stalled" 2>/dev/null
exec 8<&-
check "the stalled download is aborted once its client goes" \
	wait_for "$E2E_ROOT/vireod.log" "big.raw': download aborted after" 20

rm -f "$dst" "$src"
check "vol-delete after the streams" vireo vol-delete big.raw --pool "$pool"
check "hostname answers" vireo hostname
check "daemon still up" daemon_alive

e2e_finish
