/*
 * libFuzzer target for the domain XML parser (common/conf/dom-def.c).
 *
 * Each input is parsed twice, without and with DOM_PARSE_VALIDATE (the
 * RelaxNG schema from $VR_SCHEMA_DIR, else the source tree's xml-schemas).
 * Refusals are fine; crashes, leaks and sanitizer reports are bugs. When an
 * input parses, parse and format must be mirrors:
 *
 *   format(def) parses again, and format(parse(format(def))) == format(def)
 *   format(dom_def_copy(def)) == format(def)
 *   the same without DOM_FORMAT_SECURE (the VNC password left out)
 *
 * A broken mirror aborts, printing both texts: that is a real bug, not a
 * harness problem. With VR_FUZZ_VERBOSE set, each refusal and each
 * formatted text is printed (to see what a seed exercises).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dom-def.h"
#include "err.h"
#include "xml-util.h"
#include "xmalloc.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool verbose;

static void __attribute__((noreturn))
mirror_broken(const char *what, const char *first, const char *second)
{
	fprintf(stderr, "fuzz-domxml: %s\n--- first format ---\n%s"
	    "--- second %s ---\n%s\n", what, first,
	    second != NULL ? "format" : "parse error",
	    second != NULL ? second : vr_error_message());
	abort();
}

/* format -> parse -> format must give the same text. */
static void
check_mirror(const struct dom_def *def, unsigned int parse_flags,
    unsigned int format_flags)
{
	VR_AUTOFREE char *first = NULL, *second = NULL, *copied = NULL;
	VR_AUTO(dom_def) again = NULL;
	VR_AUTO(dom_def) copy = NULL;

	first = dom_def_format(def, -1, format_flags);
	if (verbose)
		fprintf(stderr, "fuzz-domxml: formatted (parse flags %u, "
		    "format flags %u):\n%s", parse_flags, format_flags, first);
	if ((again = dom_def_parse_string(first, parse_flags)) == NULL)
		mirror_broken("the formatted XML does not parse", first, NULL);
	second = dom_def_format(again, -1, format_flags);
	if (strcmp(first, second) != 0)
		mirror_broken("format(parse(format(def))) differs", first,
		    second);
	copy = dom_def_copy(def);
	copied = dom_def_format(copy, -1, format_flags);
	if (strcmp(first, copied) != 0)
		mirror_broken("format(dom_def_copy(def)) differs", first,
		    copied);
}

static void
fuzz_one(const char *xml, unsigned int parse_flags)
{
	VR_AUTO(dom_def) def = NULL;

	vr_error_reset();
	if ((def = dom_def_parse_string(xml, parse_flags)) == NULL) {
		/* Refusals are reported once, with a message. */
		if (vr_error_code() == VR_ERR_OK) {
			fprintf(stderr, "fuzz-domxml: parse failed without "
			    "an error\n");
			abort();
		}
		if (verbose)
			fprintf(stderr, "fuzz-domxml: refused (parse flags "
			    "%u): %s\n", parse_flags, vr_error_message());
		return;
	}
	check_mirror(def, parse_flags, DOM_FORMAT_SECURE);
	check_mirror(def, parse_flags, 0);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("VR_SCHEMA_DIR");

	(void)argc;
	(void)argv;
	dom_def_set_schema_dir(dir != NULL && *dir != '\0' ? dir :
	    VR_FUZZ_SCHEMA_DIR);
	vr_xml_init();
	verbose = getenv("VR_FUZZ_VERBOSE") != NULL;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	VR_AUTOFREE char *xml = NULL;

	/* The parser takes a C string, as the daemon hands it. */
	xml = xmalloc(size + 1);
	memcpy(xml, data, size);
	xml[size] = '\0';
	fuzz_one(xml, 0);
	fuzz_one(xml, DOM_PARSE_VALIDATE);
	return 0;
}
