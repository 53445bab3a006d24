# Network XML: golden files (tests/netxml2xml/NAME.xml parsed, formatted
# and compared with NAME.out.xml or NAME.xml; NAME.err for refusals).
# VR_TEST_REGENERATE=1 rewrites the expectations: review the diff.
check_PROGRAMS += tests/net-def-test
TESTS += tests/net-def-test
tests_net_def_test_SOURCES = tests/net-def-test.c \
	tests/test-util.c tests/test-util.h
tests_net_def_test_LDADD = $(VR_COMMON_LIBS)
EXTRA_DIST += tests/netxml2xml
