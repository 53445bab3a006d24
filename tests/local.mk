# Test programs and scripts. Unit/golden tests link the common library;
# end-to-end tests (tests/e2e/*.sh) drive the real vireod and vireo.
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	abs_top_srcdir='$(abs_top_srcdir)'; export abs_top_srcdir; \
	abs_top_builddir='$(abs_top_builddir)'; export abs_top_builddir; \
	VR_SCHEMA_DIR='$(abs_top_srcdir)/xml-schemas'; export VR_SCHEMA_DIR;

include tests/domxml.mk
include tests/qemuargv.mk
include tests/fuzz.mk
include tests/storagexml.mk
include tests/netxml.mk
# Snapshots (issue 7)
include tests/snapxml.mk

check_PROGRAMS += tests/rpc-abuse tests/dispatch-table-test
tests_rpc_abuse_SOURCES = tests/rpc-abuse.c
tests_rpc_abuse_LDADD = $(VR_COMMON_LIBS)

# Every procedure number has a dispatch entry.
tests_dispatch_table_test_SOURCES = tests/dispatch-table-test.c \
	daemon/dispatch.c daemon/node.c daemon/proc-net.c \
	daemon/proc-storage.c daemon/server.c daemon/workers.c \
	daemon/proc-device.c daemon/proc-stream.c daemon/stream.c \
	daemon/proc-stats.c daemon/proc-save.c daemon/proc-snapshot.c \
	daemon/proc-guest.c daemon/peer.c daemon/proc-migrate.c
tests_dispatch_table_test_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon
tests_dispatch_table_test_LDADD = drivers/storage/libvrstorage.a \
	drivers/qemu/libvrqemu.a $(VR_COMMON_LIBS)
TESTS += tests/dispatch-table-test

E2E_TESTS = tests/e2e/lifecycle.sh tests/e2e/concurrency.sh \
	tests/e2e/operations.sh tests/e2e/restart.sh \
	tests/e2e/events.sh tests/e2e/actions.sh tests/e2e/storage.sh \
	tests/e2e/storage-fs.sh tests/e2e/network.sh tests/e2e/config.sh \
	tests/e2e/ioerror.sh tests/e2e/slowloris.sh
# device hotplug
E2E_TESTS += tests/e2e/hotplug.sh
# vCPUs and statistics
E2E_TESTS += tests/e2e/vcpu.sh tests/e2e/stats.sh
# Snapshots (issue 7)
E2E_TESTS += tests/e2e/snapshot.sh
TESTS += $(E2E_TESTS)
EXTRA_DIST += $(E2E_TESTS) tests/e2e/lib.sh tests/e2e/ssh-lib.sh \
	tests/guest/build.sh \
	tests/guest/init tests/guest/boot-check.sh tests/guest/README.md

# Data streams: vol-upload/vol-download, the console (tmux).
E2E_TESTS += tests/e2e/streams.sh tests/e2e/console.sh
# Shell integration: screenshot, send-key, qemu-monitor-command; the
# interactive shell and completion.
E2E_TESTS += tests/e2e/misc.sh tests/e2e/shell.sh
# Live migration between two vireod (issue 6), also through ssh.
E2E_TESTS += tests/e2e/migrate.sh

# Robustness: 32 clients checked against an exact model (tests/stress,
# driven by stress.sh).
check_PROGRAMS += tests/stress
tests_stress_SOURCES = tests/stress.c
tests_stress_LDADD = $(VR_COMMON_LIBS)
E2E_TESTS += tests/e2e/stress.sh
# kill -9 of vireod mid-workload (VR_CRASH_ITERATIONS=100 for the full run).
E2E_TESTS += tests/e2e/crash.sh

# Slow and hoarding clients (run by tests/e2e/slowloris.sh).
check_PROGRAMS += tests/slowloris
tests_slowloris_SOURCES = tests/slowloris.c
tests_slowloris_LDADD = $(VR_COMMON_LIBS)
# Save images without QEMU (qemu-save-image.c).
check_PROGRAMS += tests/save-image-test
TESTS += tests/save-image-test
tests_save_image_test_SOURCES = tests/save-image-test.c tests/golden.c \
	tests/golden.h
tests_save_image_test_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/drivers/qemu
tests_save_image_test_LDADD = drivers/qemu/libvrqemu.a $(VR_COMMON_LIBS)
# save, restore and managed save on the test guest.
E2E_TESTS += tests/e2e/save.sh
# Remote management: vireo+ssh:// through a real sshd started by the test
# (openssh-server), vireo-relay and a private vireod.
E2E_TESTS += tests/e2e/remote.sh
