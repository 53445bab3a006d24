# Benchmarks: built by `make bench`, run by bench/bench.sh; never timed tests.
EXTRA_PROGRAMS = bench/loadgen
bench_loadgen_SOURCES = bench/loadgen.c
bench_loadgen_LDADD = $(VR_COMMON_LIBS)
EXTRA_DIST += bench/bench.sh bench/storage-bench.sh bench/lib.sh \
	bench/net-bench.sh bench/stats-bench.sh bench/migrate-bench.sh \
	bench/stream-bench.sh
CLEANFILES += bench/loadgen
bench: bench/loadgen vireod vireo
	$(SHELL) $(srcdir)/bench/bench.sh
	$(SHELL) $(srcdir)/bench/net-bench.sh
# A dir pool of 10,000 volumes: refresh and vol-list (no guest needed).
bench-storage: vireod vireo
	$(SHELL) $(srcdir)/bench/storage-bench.sh
# domstats of 1000 domains in one call (vCPUs and statistics).
bench-stats: vireod vireo
	$(SHELL) $(srcdir)/bench/stats-bench.sh
# Save and restore of a 256 MiB test guest (boots it).
EXTRA_DIST += bench/save-bench.sh
bench-save: vireod vireo
	$(SHELL) $(srcdir)/bench/save-bench.sh
# Live migration of a 256 MiB guest: vireod to vireod next to raw QEMU to
# QEMU (issue 6).
bench-migrate: vireod vireo
	$(SHELL) $(srcdir)/bench/migrate-bench.sh
# Guests moved back and forth until one is harmed or the rounds run out
# (SOAK_GUESTS, SOAK_ROUNDS, SOAK_LOAD, SOAK_MODE=vireo|raw).
EXTRA_DIST += bench/migrate-soak.sh
bench-migrate-soak: vireod vireo
	$(SHELL) $(srcdir)/bench/migrate-soak.sh
# vol-upload/vol-download throughput against a plain cp (no guest needed).
bench-streams: vireod vireo
	$(SHELL) $(srcdir)/bench/stream-bench.sh
.PHONY: bench bench-storage bench-stats bench-save bench-migrate \
	bench-migrate-soak bench-streams
