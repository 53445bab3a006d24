# libFuzzer targets for the domain XML parser and the RPC frame reader
# (tests/fuzz/README.md). scripts/fuzz.sh builds them with clang, outside
# automake; make check replays the seeds and regressions and fuzzes each
# target for VR_FUZZ_SECONDS (default 30), or skips without clang.
TESTS += tests/fuzz/run-fuzz.sh
EXTRA_DIST += scripts/fuzz.sh tests/fuzz/run-fuzz.sh tests/fuzz/README.md \
	tests/fuzz/fuzz-domxml.c tests/fuzz/fuzz-rpc.c \
	tests/fuzz/domxml.dict tests/fuzz/rpc.dict \
	tests/fuzz/gen-rpc-corpus.sh tests/fuzz/corpus-domxml \
	tests/fuzz/corpus-rpc tests/fuzz/regressions
