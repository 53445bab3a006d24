/*
 * Checks and the golden-file runner shared by the XML object tests (see
 * golden.h).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "golden.h"
#include "util.h"
#include "xml-util.h"
#include "xmalloc.h"

int npass, nfail, ntest;

void
check(bool ok, const char *fmt, ...)
{
	va_list ap;

	ntest++;
	printf("%s %d - ", ok ? "ok" : "not ok", ntest);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (ok)
		npass++;
	else
		nfail++;
}

void
check_error(const char *what, const char *msg)
{
	bool ok = vr_error_code() == VR_ERR_XML &&
	    strcmp(vr_error_message(), msg) == 0;

	check(ok, "%s", what);
	if (!ok)
		printf("#   expected: %s\n#   got:      [%s] %s\n", msg,
		    vr_error_code_name(vr_error_code()), vr_error_message());
}

char *
read_opt(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return NULL;
	return vr_file_read(path, VR_XML_MAX_LEN, NULL);
}

void
write_file(const char *path, const char *data)
{
	if (vr_file_write_atomic(path, data, strlen(data), 0644) < 0)
		printf("# cannot write %s: %s\n", path, vr_error_message());
	else
		printf("# wrote %s\n", path);
}

bool
regenerate(void)
{
	const char *regen = getenv("VR_TEST_REGENERATE");

	return regen != NULL && strcmp(regen, "1") == 0;
}

/* Replace "<uuid>X</uuid>" and "address='M'" values not in input. */
static char *
mask_generated(const char *out, const char *input)
{
	static const struct {
		const char *open, *close, *mask;
	} pats[] = {
		{ "<uuid>", "</uuid>", "@UUID@" },
		{ "<mac address='", "'", "@MAC@" },
	};
	struct vr_buf b = { 0 };
	const char *p = out, *best, *s, *e;
	VR_AUTOFREE char *value = NULL;
	size_t i, bi = 0;

	for (;;) {
		best = NULL;
		for (i = 0; i < nitems(pats); i++) {
			s = strstr(p, pats[i].open);
			if (s != NULL && (best == NULL || s < best)) {
				best = s;
				bi = i;
			}
		}
		if (best == NULL)
			break;
		s = best + strlen(pats[bi].open);
		e = strstr(s, pats[bi].close);
		if (e == NULL)
			break;
		vr_buf_add(&b, p, (size_t)(s - p));
		free(value);
		value = xstrndup(s, (size_t)(e - s));
		vr_buf_puts(&b, strcasestr(input, value) != NULL ? value :
		    pats[bi].mask);
		p = e;
	}
	vr_buf_puts(&b, p);
	return vr_buf_steal(&b);
}

char *
chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '\n')
		s[--n] = '\0';
	return s;
}

void
show_diff(const char *want, const char *got)
{
	int line = 1;
	const char *w = want, *g = got;

	while (*w != '\0' && *w == *g) {
		if (*w == '\n') {
			line++;
			want = w + 1;
			got = g + 1;
		}
		w++;
		g++;
	}
	printf("#   line %d differs:\n#   want: %.*s\n#   got:  %.*s\n", line,
	    (int)strcspn(want, "\n"), want, (int)strcspn(got, "\n"), got);
}

/* A refused case whose message is structural must fail the schema too. */
static void
check_schema_refuses(const struct golden_ops *ops, const char *name,
    const char *xml, const char *msg)
{
	VR_AUTO_XMLDOC doc = NULL;
	const char *base = strrchr(ops->schema_path, '/');

	if (strncmp(msg, "unsupported ", 12) != 0 &&
	    strstr(msg, ": invalid value '") == NULL &&
	    strstr(msg, ": missing ") == NULL)
		return;
	if ((doc = vr_xml_parse_string(xml)) == NULL)
		return;
	check(vr_xml_validate(doc, ops->schema_path) < 0,
	    "%s/%s: %s refuses it too", ops->label, name,
	    base != NULL ? base + 1 : ops->schema_path);
}

static void
golden_refused(const struct golden_ops *ops, const char *name,
    const char *xml, const char *err_path, const char *want)
{
	VR_AUTOFREE char *got = NULL;
	void *def;
	int code;

	vr_error_reset();
	if ((def = ops->parse(xml)) != NULL) {
		ops->free(def);
		check(false, "%s/%s: refused", ops->label, name);
		return;
	}
	got = xstrdup(vr_error_message());
	code = vr_error_code();
	if (regenerate() && strcmp(got, want) != 0) {
		VR_AUTOFREE char *data = xprintf("%s\n", got);

		write_file(err_path, data);
		want = got;
	}
	check(code == VR_ERR_XML && strcmp(got, want) == 0,
	    "%s/%s: refused", ops->label, name);
	if (code != VR_ERR_XML || strcmp(got, want) != 0)
		printf("#   expected: %s\n#   got:      [%s] %s\n", want,
		    vr_error_code_name(code), got);
	check_schema_refuses(ops, name, xml, want);
}

/* format, parse, format again, and a copy: all the same text. */
static void
golden_stable(const struct golden_ops *ops, const char *name, void *def,
    const char *out)
{
	VR_AUTOFREE char *out2 = NULL, *out3 = NULL;
	void *again, *copy;

	if ((again = ops->parse(out)) != NULL) {
		out2 = ops->format(again);
		ops->free(again);
	}
	check(out2 != NULL && strcmp(out, out2) == 0,
	    "%s/%s: format, parse, format is idempotent", ops->label, name);
	if (out2 == NULL)
		printf("#   reparse: %s\n", vr_error_message());
	else if (strcmp(out, out2) != 0)
		show_diff(out, out2);

	copy = ops->copy(def);
	out3 = ops->format(copy);
	ops->free(copy);
	check(strcmp(out, out3) == 0, "%s/%s: copy formats the same",
	    ops->label, name);
}

static void
golden_accepted(const struct golden_ops *ops, const char *name,
    const char *xml, const char *out_path, const char *want_out)
{
	VR_AUTOFREE char *out = NULL, *masked = NULL;
	const char *want = want_out != NULL ? want_out : xml;
	void *def;

	vr_error_reset();
	if ((def = ops->parse(xml)) == NULL) {
		check(false, "%s/%s: parse: %s", ops->label, name,
		    vr_error_message());
		return;
	}
	out = ops->format(def);
	masked = mask_generated(out, xml);
	if (regenerate() && strcmp(masked, want) != 0) {
		if (strcmp(masked, xml) == 0) {
			if (unlink(out_path) == 0)
				printf("# removed %s\n", out_path);
		} else
			write_file(out_path, masked);
		want = masked;
	}
	check(strcmp(masked, want) == 0, "%s/%s: format matches %s",
	    ops->label, name, want == xml ? "the input" : "NAME.out.xml");
	if (strcmp(masked, want) != 0)
		show_diff(want, masked);
	golden_stable(ops, name, def, out);
	ops->free(def);
}

int
golden_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && strcmp(d->d_name + n - 4, ".xml") == 0 &&
	    (n < 8 || strcmp(d->d_name + n - 8, ".out.xml") != 0);
}

static bool
golden_one(const struct golden_ops *ops, const char *dir, const char *file)
{
	VR_AUTOFREE char *name = xstrndup(file, strlen(file) - 4);
	VR_AUTOFREE char *xml_path = xprintf("%s/%s.xml", dir, name);
	VR_AUTOFREE char *err_path = xprintf("%s/%s.err", dir, name);
	VR_AUTOFREE char *out_path = xprintf("%s/%s.out.xml", dir, name);
	VR_AUTOFREE char *xml = read_opt(xml_path);
	VR_AUTOFREE char *err = read_opt(err_path);
	VR_AUTOFREE char *out = read_opt(out_path);

	if (xml == NULL) {
		check(false, "%s/%s: read", ops->label, name);
		return false;
	}
	if (err != NULL) {
		golden_refused(ops, name, xml, err_path, chomp(err));
		return true;
	}
	golden_accepted(ops, name, xml, out_path, out);
	return false;
}

void
golden_run(const struct golden_ops *ops, const char *dir, int *accepted,
    int *refused)
{
	struct dirent **list;
	int n, i, nerr = 0;

	*accepted = *refused = 0;
	if ((n = scandir(dir, &list, golden_filter, alphasort)) < 0) {
		check(false, "%s: cannot list %s: %s", ops->label, dir,
		    strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		if (golden_one(ops, dir, list[i]->d_name))
			nerr++;
		free(list[i]);
	}
	free(list);
	printf("# %s: %d golden cases: %d accepted, %d refused\n", ops->label,
	    n, n - nerr, nerr);
	*accepted = n - nerr;
	*refused = nerr;
}

void
check_golden_file(const char *what, const char *path, const char *got)
{
	VR_AUTOFREE char *want = read_opt(path);

	if (regenerate() && (want == NULL || strcmp(want, got) != 0)) {
		write_file(path, got);
		free(want);
		want = xstrdup(got);
	}
	check(want != NULL && strcmp(want, got) == 0, "%s", what);
	if (want == NULL)
		printf("#   missing %s (VR_TEST_REGENERATE=1 writes it)\n",
		    path);
	else if (strcmp(want, got) != 0)
		show_diff(want, got);
}

int
test_done(void)
{
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail != 0;
}
