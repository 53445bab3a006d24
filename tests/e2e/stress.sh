#!/bin/bash
# 32 clients x 200 mixed operations on 20 domains (QEMU without a kernel,
# kept paused mostly) against a private vireod: no deadlock, no unexpected
# reply, final states and QEMU processes as the model says (tests/stress.c).
# VR_STRESS_SEED=N replays a run's operation sequences; VR_STRESS_ARGS adds
# options (-c clients, -n operations, -d domains, -t call timeout in s).
. "$(dirname "$0")/lib.sh"

STRESS=$abs_top_builddir/tests/stress
[ -x "$STRESS" ] || { echo "$STRESS not built (make check builds it)"; exit 1; }
daemon_start || exit 1
p=e2e-${E2E_TAG:-$E2E_NAME}
seed=${VR_STRESS_SEED:+-s $VR_STRESS_SEED}
# shellcheck disable=SC2086
if nice "$STRESS" -p "$p" $seed ${VR_STRESS_ARGS:-} \
	"$E2E_ROOT/run/vireod.sock" "$E2E_ROOT"; then
	ok "stress run matched the model"
else
	not_ok "stress run (rerun with VR_STRESS_SEED=<the seed above>)"
fi
check "vireod survived the stress run" daemon_alive

# Clean up through the daemon: destroy whatever the run left active.
for d in $(vireo list --name 2>/dev/null); do
	vireo destroy "$d" >/dev/null || not_ok "destroy $d after the run"
done
left=$(pgrep -f -- "guest=$p-" | wc -l)
check "no QEMU left after destroying all ($left)" test "$left" -eq 0
e2e_finish
