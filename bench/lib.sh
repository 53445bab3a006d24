# Shared by the benchmark scripts: timing helpers. Set N (runs) first.
# shellcheck shell=bash

now_us() { echo $(( $(date +%s%N) / 1000 )); }

# avg_ms LABEL TARGET COMMAND...: run N times, print the mean.
avg_ms() {
	local label=$1 target=$2 i t0 t1
	shift 2
	t0=$(now_us)
	for ((i = 0; i < N; i++)); do "$@" >/dev/null; done
	t1=$(now_us)
	printf '%-42s %8.2f ms   (target %s)\n' "$label" \
		"$(echo "($t1 - $t0) / $N / 1000" | bc -l)" "$target"
}

# The guest's accelerator as vireod would choose it for a one-vCPU guest
# (qemu-argv.c): virt (domain type), accel (-accel) and unsafe (what
# `vireo migrate --live` needs: --unsafe under TCG, qemu-migrate.c).
bench_accel() {
	virt=qemu accel=tcg,thread=single unsafe=--unsafe
	if [ -e /sys/module/kvm_intel ] || [ -e /sys/module/kvm_amd ]; then
		virt=kvm accel=kvm unsafe=
	fi
}

# Two vireod on one machine as two hosts (migration benchmarks): $build
# holds the binaries, $root the hosts' roots; daemon's pid joins pids.
# daemon ROOT: start a vireod under ROOT and wait until it answers.
daemon() {	# daemon ROOT
	mkdir -p "$1"
	chmod 755 "$1"
	"$build/vireod" --root "$1" >>"$1.log" 2>&1 &
	pids+=($!)
	local end=$((SECONDS + 10))
	while [ ! -s "$1/run/vireod.pid" ] && [ $SECONDS -lt $end ]; do
		sleep 0.02
	done
}
# uri HOST: its socket (HOST a directory under $root); v HOST ARGS...
uri() { echo "vireo+unix:///system?socket=$root/$1/run/vireod.sock"; }
v() { local h=$1; shift; "$build/vireo" -c "$(uri "$h")" "$@"; }
