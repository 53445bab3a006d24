/*
 * Network XML tests: golden files in tests/netxml2xml (see golden.h:
 * NAME.xml, NAME.out.xml, NAME.err), and unit tests of the address
 * helpers and of the <host> element net-update passes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "net-def.h"
#include "golden.h"
#include "util.h"
#include "xml-util.h"
#include "xmalloc.h"

static void *
golden_parse(const char *xml)
{
	return net_def_parse_string(xml, NET_PARSE_VALIDATE);
}

static char *
golden_format(const void *def)
{
	return net_def_format(def);
}

static void *
golden_copy(const void *def)
{
	return net_def_copy(def);
}

static void
golden_free(void *def)
{
	net_def_free(def);
}

static void
test_addresses(void)
{
	static const char *const bad[] = { "", "1.2.3", "1.2.3.256",
	    "01.2.3.4x", "::1", "a.b.c.d", NULL };
	char buf[16];
	uint32_t ip;
	size_t i;

	check(net_ip_parse("192.168.122.1", &ip) == 0 && ip == 0xc0a87a01,
	    "ip: parse 192.168.122.1");
	net_ip_format(0x0a000001, buf);
	check(strcmp(buf, "10.0.0.1") == 0, "ip: format 10.0.0.1");
	for (i = 0; bad[i] != NULL; i++)
		check(net_ip_parse(bad[i], &ip) < 0, "ip: '%s' refused",
		    bad[i]);
	check(net_prefix_mask(24) == 0xffffff00 && net_prefix_mask(0) == 0 &&
	    net_prefix_mask(32) == 0xffffffff && net_prefix_mask(1) ==
	    0x80000000, "ip: prefix masks");
}

static void
test_dhcp_host(void)
{
	VR_AUTO(net_def) def = net_def_parse_string("<network><name>n</name>"
	    "<ip address='10.1.2.1' prefix='24'/></network>", 0);
	struct net_dhcp_host h;
	struct vr_buf b = { 0 };

	check(def != NULL, "dhcp host: network parsed");
	if (def == NULL)
		return;
	check(net_dhcp_host_parse(def, "<host mac='52:54:00:aa:bb:cc' "
	    "name='web' ip='10.1.2.10'/>", &h) == 0, "dhcp host: parse");
	net_dhcp_host_format(&b, &h);
	check(strcmp(vr_buf_str(&b), "<host mac='52:54:00:aa:bb:cc' "
	    "name='web' ip='10.1.2.10'/>") == 0, "dhcp host: format");
	vr_buf_free(&b);
	net_dhcp_host_clear(&h);
	check(net_dhcp_host_parse(def, "<host mac='52:54:00:aa:bb:cc' "
	    "ip='10.1.3.10'/>", &h) < 0 && strstr(vr_error_message(),
	    "outside network 'n'") != NULL, "dhcp host: other subnet refused");
	check(net_dhcp_host_parse(def, "<host ip='10.1.2.10'/>", &h) < 0 &&
	    strstr(vr_error_message(), "needs a mac or a name") != NULL,
	    "dhcp host: needs mac or name");
	check(net_dhcp_host_parse(def, "<host mac='52:54:00:aa:bb:cc' "
	    "ip='10.1.2.10' foo='1'/>", &h) < 0 && strstr(vr_error_message(),
	    "unsupported attribute 'foo'") != NULL,
	    "dhcp host: unknown attribute refused");
}

int
main(int argc, char **argv)
{
	const char *srcdir = getenv("abs_top_srcdir");
	const char *env_schema = getenv("VR_SCHEMA_DIR");
	VR_AUTOFREE char *schema_dir = NULL;
	VR_AUTOFREE char *schema_path = NULL;
	VR_AUTOFREE char *data_dir = NULL;
	struct golden_ops ops = {
		.label = "netxml2xml", .parse = golden_parse,
		.format = golden_format, .copy = golden_copy,
		.free = golden_free,
	};
	int nacc = 0, nerr = 0;

	if (srcdir == NULL)
		srcdir = ".";
	data_dir = argc > 1 ? xstrdup(argv[1]) :
	    xprintf("%s/tests/netxml2xml", srcdir);
	schema_dir = env_schema != NULL ? xstrdup(env_schema) :
	    xprintf("%s/xml-schemas", srcdir);
	schema_path = xprintf("%s/network.rng", schema_dir);
	vr_xml_set_schema_dir(schema_dir);
	vr_xml_init();
	ops.schema_path = schema_path;

	test_addresses();
	test_dhcp_host();
	golden_run(&ops, data_dir, &nacc, &nerr);
	check(nacc >= 8 && nerr >= 10, "golden: at least 8 accepted and 10 "
	    "refused cases");

	vr_xml_cleanup();
	return test_done();
}
