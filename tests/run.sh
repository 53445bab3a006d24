#!/bin/bash
# Install what is missing, build, and run the whole test suite twice: once
# in a -Werror build, once in an ASan+UBSan build. Ends with the line
# "N passed, N failed" summing every test's own counts.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

"$top/scripts/deps.sh" || { echo "0 passed, 1 failed"; exit 1; }
# The test guest is built once and shared by both builds.
export VIREO_GUEST_DIR=${VIREO_GUEST_DIR:-/var/cache/vireo-test-guest}
if ! "$top/tests/guest/build.sh" "$VIREO_GUEST_DIR"; then
	echo "cannot build the test guest"
	echo "0 passed, 1 failed"
	exit 1
fi

total_pass=0
total_fail=0
status=0

# run_suite NAME BUILDDIR CONFIGURE-ARGS...
run_suite() {
	local name=$1 dir=$2 p f trs log line
	shift 2
	echo "=== $name build ==="
	if ! "$top/scripts/build.sh" "$dir" "$@"; then
		echo "$name: build failed"
		total_fail=$((total_fail + 1))
		status=1
		return
	fi
	echo "=== $name tests ==="
	make -C "$dir" -j2 check >"$dir/check.out" 2>&1 || status=1
	grep -E '^(PASS|FAIL|XFAIL|XPASS|ERROR|SKIP):' "$dir/check.out"
	for trs in $(find "$dir/tests" -name '*.trs'); do
		log=${trs%.trs}.log
		line=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
		if [ -n "$line" ]; then
			p=${line%% passed*}
			f=${line#*passed, }
			f=${f%% failed*}
		else
			p=0
			f=0
		fi
		if grep -q ':test-result: \(FAIL\|ERROR\)' "$trs"; then
			[ "$f" -eq 0 ] && f=1
			echo "--- $name: $(basename "$log") ---"
			tail -40 "$log"
		fi
		total_pass=$((total_pass + p))
		total_fail=$((total_fail + f))
	done
}

run_suite werror "$top/build"
run_suite sanitizers "$top/build-asan" --enable-sanitizers

[ "$total_fail" -eq 0 ] || status=1
echo "$total_pass passed, $total_fail failed"
exit $status
