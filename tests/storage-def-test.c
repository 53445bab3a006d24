/*
 * Storage pool and volume XML tests.
 *
 * Golden files: tests/poolxml2xml/NAME.xml and tests/volxml2xml/NAME.xml
 * through golden_run() (see golden.h), parsed with schema validation.
 * Also: names, target paths, permissions, units in bytes.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "golden.h"
#include "pool-def.h"
#include "util.h"
#include "vol-def.h"
#include "xml-util.h"
#include "xmalloc.h"

static char *pool_schema;
static char *vol_schema;

static void *
pool_parse(const char *xml)
{
	return pool_def_parse_string(xml, POOL_PARSE_VALIDATE);
}

static char *
pool_format(const void *def)
{
	return pool_def_format(def);
}

static void *
pool_copy(const void *def)
{
	return pool_def_copy(def);
}

static void
pool_free(void *def)
{
	pool_def_free(def);
}

static void *
vol_parse(const char *xml)
{
	return vol_def_parse_string(xml, VOL_PARSE_VALIDATE);
}

static char *
vol_format(const void *def)
{
	return vol_def_format(def);
}

static void *
vol_copy(const void *def)
{
	return vol_def_copy(def);
}

static void
vol_free(void *def)
{
	vol_def_free(def);
}

static void
test_golden(const char *srcdir)
{
	const struct golden_ops pool_ops = {
		.label = "poolxml2xml", .schema_path = pool_schema,
		.parse = pool_parse, .format = pool_format,
		.copy = pool_copy, .free = pool_free,
	};
	const struct golden_ops vol_ops = {
		.label = "volxml2xml", .schema_path = vol_schema,
		.parse = vol_parse, .format = vol_format,
		.copy = vol_copy, .free = vol_free,
	};
	VR_AUTOFREE char *pool_dir = xprintf("%s/tests/poolxml2xml", srcdir);
	VR_AUTOFREE char *vol_dir = xprintf("%s/tests/volxml2xml", srcdir);
	int acc, ref;

	golden_run(&pool_ops, pool_dir, &acc, &ref);
	check(acc >= 4 && ref >= 8, "poolxml2xml: at least 4 accepted and 8 "
	    "refused cases");
	golden_run(&vol_ops, vol_dir, &acc, &ref);
	check(acc >= 5 && ref >= 8, "volxml2xml: at least 5 accepted and 8 "
	    "refused cases");
}

static void
test_names(void)
{
	static const char *const good[] = { "a", "vm1.qcow2", "a-b_c+d:e",
	    "x.y.z" };
	static const char *const bad[] = { "", "..", ".hidden", "-x", "a/b",
	    "a..b", "../etc", "sp ace", "x\ny" };
	size_t i;

	for (i = 0; i < nitems(good); i++)
		check(pool_name_check(VR_ERR_INVALID_ARG, "volume",
		    good[i]) == 0, "names: '%s' accepted", good[i]);
	for (i = 0; i < nitems(bad); i++) {
		vr_error_reset();
		check(pool_name_check(VR_ERR_INVALID_ARG, "volume",
		    bad[i]) < 0 && vr_error_code() == VR_ERR_INVALID_ARG,
		    "names: '%s' refused", bad[i]);
	}
	check(strstr(vr_error_message(), "invalid volume name") != NULL,
	    "names: the message says which kind of name");
}

/* A dir pool with target path p: its normalized path or NULL. */
static char *
pool_path(const char *p)
{
	VR_AUTOFREE char *xml = xprintf("<pool type='dir'><name>p</name>"
	    "<target><path>%s</path></target></pool>", p);
	VR_AUTO(pool_def) def = pool_def_parse_string(xml, 0);

	return def != NULL ? xstrdup(def->target_path) : NULL;
}

static void
test_paths(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "/var/lib/vireo/images", "/var/lib/vireo/images" },
		{ "/var//lib/images/", "/var/lib/images" },
		{ "/srv/.images", "/srv/.images" },
		{ "/srv/a..b", "/srv/a..b" },
		{ "/srv/../etc", NULL },
		{ "/srv/./x", NULL },
		{ "/srv/x/..", NULL },
		{ "relative/dir", NULL },
		{ "/", NULL },
	};
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		VR_AUTOFREE char *got = pool_path(cases[i].in);

		check(cases[i].out != NULL ? got != NULL &&
		    strcmp(got, cases[i].out) == 0 : got == NULL,
		    "paths: '%s' -> %s", cases[i].in,
		    cases[i].out != NULL ? cases[i].out : "refused");
	}
}

static void
test_units(void)
{
	unsigned long long b = 0;

	check(vr_parse_size_bytes("10G", "B", &b) == 0 && b == 10ULL << 30,
	    "units: 10G in bytes");
	check(vr_parse_size_bytes("4097", "B", &b) == 0 && b == 4097,
	    "units: bytes by default, exact");
	check(vr_parse_size_bytes("1.5KiB", "B", &b) == 0 && b == 1536,
	    "units: a fraction");
	check(vr_parse_size_bytes("20E", "B", &b) < 0, "units: overflow");
	check(vr_scale_to_bytes(3, "MB", "bytes", &b) == 0 && b == 3000000,
	    "units: scale MB");
}

static void
test_volume_sizes(void)
{
	VR_AUTO(vol_def) def = vol_def_parse_string("<volume><name>v</name>"
	    "<capacity unit='G'>2</capacity><allocation>4097</allocation>"
	    "</volume>", 0);

	check(def != NULL && def->capacity == 2ULL << 30 &&
	    def->has_allocation && def->allocation == 4097 &&
	    def->format == VOL_FORMAT_RAW && def->perms.mode == -1,
	    "volume: sizes in bytes, raw by default");
}

int
main(void)
{
	const char *srcdir = getenv("abs_top_srcdir");
	const char *env_schema = getenv("VR_SCHEMA_DIR");
	VR_AUTOFREE char *schema_dir = NULL;

	if (srcdir == NULL)
		srcdir = ".";
	schema_dir = env_schema != NULL ? xstrdup(env_schema) :
	    xprintf("%s/xml-schemas", srcdir);
	pool_schema = xprintf("%s/storagepool.rng", schema_dir);
	vol_schema = xprintf("%s/storagevol.rng", schema_dir);
	pool_def_set_schema_dir(schema_dir);
	vr_xml_init();

	test_names();
	test_paths();
	test_units();
	test_volume_sizes();
	test_golden(srcdir);

	vr_xml_cleanup();
	free(pool_schema);
	free(vol_schema);
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail != 0;
}
