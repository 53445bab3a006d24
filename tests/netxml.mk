# Network XML: golden files (tests/netxml2xml/NAME.xml parsed, formatted
# and compared with NAME.out.xml or NAME.xml; NAME.err for refusals).
# VR_TEST_REGENERATE=1 rewrites the expectations: review the diff.
check_PROGRAMS += tests/net-def-test
TESTS += tests/net-def-test
tests_net_def_test_SOURCES = tests/net-def-test.c \
	tests/golden.c tests/golden.h
tests_net_def_test_LDADD = $(VR_COMMON_LIBS)
EXTRA_DIST += tests/netxml2xml

# Generated dnsmasq and nftables configuration (tests/netxml2conf), the
# rulesets also checked by `nft -c -f` in a private network namespace.
check_PROGRAMS += tests/net-conf-test
TESTS += tests/net-conf-test
tests_net_conf_test_SOURCES = tests/net-conf-test.c \
	tests/golden.c tests/golden.h
tests_net_conf_test_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/drivers/network
tests_net_conf_test_LDADD = $(VR_NETWORK_LIBS) $(VR_COMMON_LIBS)
EXTRA_DIST += tests/netxml2conf
