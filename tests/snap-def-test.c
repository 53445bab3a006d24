/*
 * Domain snapshot XML tests.
 *
 * Golden files: tests/snapxml2xml/NAME.xml through golden_run() (see
 * golden.h), parsed with schema validation. Also: snapshot names.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "golden.h"
#include "snap-def.h"
#include "util.h"
#include "xml-util.h"
#include "xmalloc.h"

static char *snap_schema;

static void *
snap_parse(const char *xml)
{
	return snap_def_parse_string(xml, SNAP_PARSE_VALIDATE);
}

static char *
snap_format(const void *def)
{
	return snap_def_format(def, 0);
}

static void *
snap_copy(const void *def)
{
	return snap_def_copy(def);
}

static void
snap_free(void *def)
{
	snap_def_free(def);
}

static void
test_golden(const char *srcdir)
{
	const struct golden_ops ops = {
		.label = "snapxml2xml", .schema_path = snap_schema,
		.parse = snap_parse, .format = snap_format,
		.copy = snap_copy, .free = snap_free,
	};
	VR_AUTOFREE char *dir = xprintf("%s/tests/snapxml2xml", srcdir);
	int acc, ref;

	golden_run(&ops, dir, &acc, &ref);
	check(acc >= 4 && ref >= 6, "snapxml2xml: at least 4 accepted and 6 "
	    "refused cases");
}

static void
test_names(void)
{
	static const char *const good[] = { "a", "s1", "before-upgrade",
	    "x.y:z+1_2" };
	static const char *const bad[] = { "", "..", ".hidden", "-x", "a/b",
	    "a..b", "../etc", "sp ace", "x\ny",
	    "a1234567890123456789012345678901234567890123456789012345678901234"
	};
	size_t i;

	for (i = 0; i < nitems(good); i++)
		check(snap_name_check(VR_ERR_INVALID_ARG, good[i]) == 0,
		    "names: '%s' accepted", good[i]);
	for (i = 0; i < nitems(bad); i++) {
		vr_error_reset();
		check(snap_name_check(VR_ERR_INVALID_ARG, bad[i]) < 0 &&
		    vr_error_code() == VR_ERR_INVALID_ARG,
		    "names: '%s' refused", bad[i]);
	}
	check(strstr(vr_error_message(), "invalid snapshot name") != NULL,
	    "names: the message says which kind of name");
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
	snap_schema = xprintf("%s/domainsnapshot.rng", schema_dir);
	vr_xml_set_schema_dir(schema_dir);
	vr_xml_init();

	test_names();
	test_golden(srcdir);

	vr_xml_cleanup();
	free(snap_schema);
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail != 0;
}
