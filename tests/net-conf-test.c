/*
 * Generated helper configuration (drivers/network/nw-conf.c): for each
 * tests/netxml2conf/NAME.xml, the dnsmasq config, hosts files and nftables
 * ruleset are compared with NAME.conf, NAME.hostsfile, NAME.addnhosts and
 * NAME.nft (absent when no rules are generated). As root, with nft(8) and
 * unshare(1), every ruleset is also checked by `nft -c -f` inside a new
 * network namespace, so nothing touches the host's tables.
 * VR_TEST_REGENERATE=1 rewrites the expectations.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "net-def.h"
#include "nw-conf.h"
#include "spawn.h"
#include "golden.h"
#include "util.h"
#include "xml-util.h"
#include "xmalloc.h"

#define NFT	"/usr/sbin/nft"
#define UNSHARE	"/usr/bin/unshare"

static bool nft_usable;

static void
check_nft_syntax(const char *name, const char *path)
{
	const char *argv[] = { UNSHARE, "-n", NFT, "-c", "-f", path, NULL };
	VR_AUTOFREE char *err = NULL;
	int rc;

	if (!nft_usable)
		return;
	rc = vr_run(argv, NULL, &err);
	check(rc == 0, "netxml2conf/%s: nft -c -f accepts the ruleset", name);
	if (rc != 0)
		printf("#   %s\n", rc < 0 ? vr_error_message() : err);
}

static void
test_case(const char *dir, const char *name)
{
	VR_AUTOFREE char *xml_path = xprintf("%s/%s.xml", dir, name);
	VR_AUTOFREE char *p_conf = xprintf("%s/%s.conf", dir, name);
	VR_AUTOFREE char *p_hosts = xprintf("%s/%s.hostsfile", dir, name);
	VR_AUTOFREE char *p_addn = xprintf("%s/%s.addnhosts", dir, name);
	VR_AUTOFREE char *p_nft = xprintf("%s/%s.nft", dir, name);
	VR_AUTOFREE char *conf = NULL, *hosts = NULL, *addn = NULL;
	VR_AUTOFREE char *nft = NULL, *what = NULL;
	VR_AUTO(net_def) def = net_def_parse_file(xml_path, NET_PARSE_VALIDATE);
	struct nw_dnsmasq_paths p = {
		"/run/vireo/network/NAME.pid", "/var/lib/vireo/network/"
		"NAME.leases", "/run/vireo/network/NAME.hostsfile",
		"/run/vireo/network/NAME.addnhosts", "vireo-dnsmasq",
	};

	if (def == NULL) {
		check(false, "netxml2conf/%s: parse: %s", name,
		    vr_error_message());
		return;
	}
	if (nw_conf_needs_dnsmasq(def)) {
		conf = nw_conf_dnsmasq(def, &p);
		hosts = nw_conf_dhcp_hosts(def);
		addn = nw_conf_addn_hosts(def);
		what = xprintf("netxml2conf/%s: dnsmasq config", name);
		check_golden_file(what, p_conf, conf);
		free(what);
		what = xprintf("netxml2conf/%s: dhcp hosts file", name);
		check_golden_file(what, p_hosts, hosts);
		free(what);
		what = xprintf("netxml2conf/%s: addn-hosts file", name);
		check_golden_file(what, p_addn, addn);
		free(what);
		what = NULL;
	} else
		check(access(p_conf, F_OK) < 0, "netxml2conf/%s: no dnsmasq",
		    name);
	if ((nft = nw_conf_nft(def)) == NULL) {
		if (regenerate())
			unlink(p_nft);
		check(access(p_nft, F_OK) < 0, "netxml2conf/%s: no nft rules",
		    name);
		return;
	}
	what = xprintf("netxml2conf/%s: nft ruleset", name);
	check_golden_file(what, p_nft, nft);
	check_nft_syntax(name, p_nft);
}

static void
test_table_names(void)
{
	static const struct {
		const char *net, *table;
	} cases[] = {
		{ "default", "vireo_default" },
		{ "a-b.c", "vireo_a-b.c" },
		{ "a_b", "vireo_a__b" },
		{ "a:b+c", "vireo_a_x3ab_x2bc" },
	};
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		VR_AUTOFREE char *t = nw_conf_nft_table(cases[i].net);

		check(strcmp(t, cases[i].table) == 0, "nft table of '%s' is "
		    "%s (got %s)", cases[i].net, cases[i].table, t);
	}
}

static void
test_leases(void)
{
	static const char text[] =
	    "1700000000 52:54:00:aa:bb:01 192.168.122.10 guest1 "
	    "01:52:54:00:aa:bb:01\n"
	    "0 52:54:00:aa:bb:02 192.168.122.11 * *\n"
	    "duid 00:01:00:01:2c:aa:bb:cc:52:54:00:00:00:01\n"
	    "1700000100 1234567 2001:db8:ca2:2::1a2 guest1 "
	    "00:01:00:01:2c:aa:bb:cc:52:54:00:aa:bb:01\n"
	    "1700000200 89 2001:db8:ca2:2::1a3 * 00:03:00:01:52:54:00:aa:bb:03\n"
	    "1700000300 90 2001:db8:ca2:2::1a4 other "
	    "00:02:00:00:ab:11:61:62:63\n"
	    "1700000400 notanumber 2001:db8:ca2:2::1a5 x 00:03:00:01\n"
	    "garbage\n";
	VR_AUTOFREE struct nw_lease *l = NULL;
	size_t n = 0;

	check(nw_conf_parse_leases(text, NULL, &l, &n) == 0 && n == 5,
	    "leases: two DHCPv4 and three DHCPv6 parsed");
	if (n == 5) {
		check(l[2].ipv6 && !l[0].ipv6 && strcmp(l[2].ip,
		    "2001:db8:ca2:2::1a2") == 0 && l[2].expiry == 1700000100 &&
		    strcmp(l[2].hostname, "guest1") == 0,
		    "leases: DHCPv6 fields");
		check(strcmp(l[2].mac, "52:54:00:aa:bb:01") == 0,
		    "leases: the MAC of a DUID-LLT");
		check(strcmp(l[3].mac, "52:54:00:aa:bb:03") == 0 &&
		    l[3].hostname[0] == '\0', "leases: the MAC of a DUID-LL");
		check(l[4].mac[0] == '\0' && strcmp(l[4].client_id,
		    "00:02:00:00:ab:11:61:62:63") == 0,
		    "leases: a DUID-EN has no MAC");
	}
	if (n >= 2) {
		check(l[0].expiry == 1700000000 && strcmp(l[0].ip,
		    "192.168.122.10") == 0 && strcmp(l[0].hostname,
		    "guest1") == 0 && strcmp(l[0].client_id,
		    "01:52:54:00:aa:bb:01") == 0, "leases: fields");
		check(l[1].expiry == 0 && l[1].hostname[0] == '\0' &&
		    l[1].client_id[0] == '\0', "leases: '*' is empty");
	}
	free(l);
	l = NULL;
	check(nw_conf_parse_leases(text, "52:54:00:AA:BB:02", &l, &n) == 0 &&
	    n == 1 && strcmp(l[0].ip, "192.168.122.11") == 0,
	    "leases: filtered by MAC");
	free(l);
	l = NULL;
	check(nw_conf_parse_leases(text, "52:54:00:aa:bb:01", &l, &n) == 0 &&
	    n == 2 && !l[0].ipv6 && l[1].ipv6,
	    "leases: a MAC selects its DHCPv4 and DHCPv6 leases");
}

int
main(int argc, char **argv)
{
	const char *srcdir = getenv("abs_top_srcdir");
	const char *env_schema = getenv("VR_SCHEMA_DIR");
	VR_AUTOFREE char *schema_dir = NULL;
	VR_AUTOFREE char *dir = NULL;
	struct dirent **list;
	int n, i;

	if (srcdir == NULL)
		srcdir = ".";
	dir = argc > 1 ? xstrdup(argv[1]) :
	    xprintf("%s/tests/netxml2conf", srcdir);
	{
		/* nft runs with / as its working directory */
		char *abs = realpath(dir, NULL);

		if (abs != NULL) {
			free(dir);
			dir = abs;
		}
	}
	schema_dir = env_schema != NULL ? xstrdup(env_schema) :
	    xprintf("%s/xml-schemas", srcdir);
	vr_xml_set_schema_dir(schema_dir);
	vr_xml_init();
	nft_usable = geteuid() == 0 && access(NFT, X_OK) == 0 &&
	    access(UNSHARE, X_OK) == 0;
	if (!nft_usable)
		printf("# nft -c checks skipped (needs root, %s, %s)\n", NFT,
		    UNSHARE);

	test_table_names();
	test_leases();
	if ((n = scandir(dir, &list, golden_filter, alphasort)) < 0) {
		check(false, "cannot list %s: %s", dir, strerror(errno));
		return test_done();
	}
	for (i = 0; i < n; i++) {
		VR_AUTOFREE char *name = xstrndup(list[i]->d_name,
		    strlen(list[i]->d_name) - 4);

		test_case(dir, name);
		free(list[i]);
	}
	free(list);
	vr_xml_cleanup();
	return test_done();
}
