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
