# QEMU command line golden tests (tests/qemuxml2argv/NAME.xml -> NAME.args
# or NAME.err), each accepted case also started paused in a real QEMU.
# VR_TEST_REGENERATE=1 rewrites the expectations; VR_TEST_NO_QEMU=1 skips
# the real QEMU; VR_TEST_QEMU_JOBS=N runs N QEMUs at a time (default 4).
check_PROGRAMS += tests/qemu-argv-test
TESTS += tests/qemu-argv-test
tests_qemu_argv_test_SOURCES = tests/qemu-argv-test.c
tests_qemu_argv_test_LDADD = drivers/qemu/libvrqemu.a $(VR_COMMON_LIBS)
EXTRA_DIST += tests/qemuxml2argv
