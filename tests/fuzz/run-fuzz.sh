#!/bin/sh
# make check: build the libFuzzer targets, replay the seeds and
# tests/fuzz/regressions/, and fuzz each target for VR_FUZZ_SECONDS
# (default 30; 0 replays only). Exit 77 (SKIP) when clang with libFuzzer
# cannot be installed. The build goes to $abs_top_builddir/build-fuzz.
top=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${abs_top_builddir:-$top}
VR_FUZZ_BUILDDIR=${VR_FUZZ_BUILDDIR:-$builddir/build-fuzz}
export VR_FUZZ_BUILDDIR
exec bash "$top/scripts/fuzz.sh" "${VR_FUZZ_SECONDS:-30}"
