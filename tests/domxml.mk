# Domain XML: golden files (tests/domxml2xml/NAME.xml parsed, formatted and
# compared with NAME.out.xml or NAME.xml; NAME.err for refusals) and unit
# tests of common/conf/xml-util.c. VR_TEST_REGENERATE=1 rewrites the
# expectations: review the diff.
check_PROGRAMS += tests/dom-def-test
TESTS += tests/dom-def-test
tests_dom_def_test_SOURCES = tests/dom-def-test.c \
	tests/test-util.c tests/test-util.h
tests_dom_def_test_LDADD = $(VR_COMMON_LIBS)
EXTRA_DIST += tests/domxml2xml
