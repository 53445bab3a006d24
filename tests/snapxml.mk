# Domain snapshot XML: golden files (tests/snapxml2xml/; see
# tests/golden.h) and unit tests of snap-def.c. VR_TEST_REGENERATE=1
# rewrites the expectations.
check_PROGRAMS += tests/snap-def-test
TESTS += tests/snap-def-test
tests_snap_def_test_SOURCES = tests/snap-def-test.c tests/golden.c \
	tests/golden.h
tests_snap_def_test_LDADD = $(VR_COMMON_LIBS)
EXTRA_DIST += tests/snapxml2xml
