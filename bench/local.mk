# Benchmarks: built by `make bench`, run by bench/bench.sh; never timed tests.
EXTRA_PROGRAMS = bench/loadgen
bench_loadgen_SOURCES = bench/loadgen.c
bench_loadgen_LDADD = $(VR_COMMON_LIBS)
EXTRA_DIST += bench/bench.sh bench/net-bench.sh
CLEANFILES += bench/loadgen
bench: bench/loadgen vireod vireo
	$(SHELL) $(srcdir)/bench/bench.sh
	$(SHELL) $(srcdir)/bench/net-bench.sh
.PHONY: bench
