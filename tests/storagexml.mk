# Storage pool and volume XML: golden files (tests/poolxml2xml/,
# tests/volxml2xml/; see tests/golden.h) and unit tests of pool-def.c and
# vol-def.c. VR_TEST_REGENERATE=1 rewrites the expectations.
check_PROGRAMS += tests/storage-def-test
TESTS += tests/storage-def-test
tests_storage_def_test_SOURCES = tests/storage-def-test.c tests/golden.c \
	tests/golden.h
tests_storage_def_test_LDADD = $(VR_COMMON_LIBS)
EXTRA_DIST += tests/poolxml2xml tests/volxml2xml

# The storage driver on a private root with the real qemu-img.
check_PROGRAMS += tests/storage-driver-test
TESTS += tests/storage-driver-test
tests_storage_driver_test_SOURCES = tests/storage-driver-test.c \
	tests/golden.c tests/golden.h
tests_storage_driver_test_LDADD = drivers/storage/libvrstorage.a \
	drivers/qemu/libvrqemu.a $(VR_COMMON_LIBS)
