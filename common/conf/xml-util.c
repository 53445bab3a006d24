/*
 * XML helpers: safe parsing, consumption marking, typed getters, RelaxNG.
 *
 * Errors: each parse and validation collects the first error in its own
 * buffer through libxml2's structured handlers (the context's, and the
 * calling thread's while it runs), so threads never see each other's
 * messages and nothing is printed.
 *
 * Marking uses the _private pointer libxml2 leaves to applications: a getter
 * sets it on what it read (element, attribute, text node), and
 * vr_xml_check_consumed() reports the first node left without it.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/globals.h>
#include <libxml/xmlerror.h>

#include "buf.h"
#include "err.h"
#include "util.h"
#include "xml-util.h"
#include "xmalloc.h"

static char xml_consumed_mark;
#define XML_CONSUMED	((void *)&xml_consumed_mark)

#define XML_MSG_MAX	512

/* The first error of one parse or validation. */
struct xml_errbuf {
	int	 line;
	bool	 refused;	/* a DOCTYPE: the document is discarded */
	char	 msg[XML_MSG_MAX];
};

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

void
vr_xml_init(void)
{
	pthread_once(&xml_once, xmlInitParser);
}

/* Copy a libxml2 message without its trailing newline. */
static void
xml_errbuf_set(struct xml_errbuf *eb, int line, const char *msg)
{
	size_t len;

	if (eb->msg[0] != '\0')
		return;		/* keep the first */
	eb->line = line;
	snprintf(eb->msg, sizeof eb->msg, "%s", msg != NULL ? msg : "error");
	len = strlen(eb->msg);
	while (len > 0 && isspace((unsigned char)eb->msg[len - 1]))
		eb->msg[--len] = '\0';
	if (eb->msg[0] == '\0')
		snprintf(eb->msg, sizeof eb->msg, "error");
}

/* Structured error handler of a parser context (data: the context). */
static void
xml_parse_error(void *data, xmlErrorPtr err)
{
	xmlParserCtxtPtr ctxt = data;

	if (ctxt == NULL || ctxt->_private == NULL || err == NULL ||
	    err->level < XML_ERR_ERROR)
		return;
	xml_errbuf_set(ctxt->_private, err->line, err->message);
}

/*
 * SAX internalSubset: called at "<!DOCTYPE name ...", before the internal
 * subset or any external DTD is read. We stop there, so no entity is ever
 * declared, expanded or loaded (XXE, billion laughs, network DTDs).
 */
static void
xml_refuse_doctype(void *data, const xmlChar *name, const xmlChar *ext_id,
    const xmlChar *sys_id)
{
	xmlParserCtxtPtr ctxt = data;
	struct xml_errbuf *eb = ctxt->_private;

	(void)name;
	(void)ext_id;
	(void)sys_id;
	eb->msg[0] = '\0';
	xml_errbuf_set(eb, xmlSAX2GetLineNumber(ctxt),
	    "DOCTYPE declarations are not allowed");
	eb->refused = true;
	xmlStopParser(ctxt);
}

xmlDoc *
vr_xml_parse_string(const char *xml)
{
	struct xml_errbuf eb = { 0 };
	xmlStructuredErrorFunc old_fn;
	xmlParserCtxtPtr ctxt;
	void *old_ctx;
	xmlDoc *doc;
	size_t len;

	vr_xml_init();
	len = strlen(xml);
	if (len > VR_XML_MAX_LEN) {
		vr_error(VR_ERR_XML, "XML document is too large (%zu bytes, "
		    "at most %d)", len, VR_XML_MAX_LEN);
		return NULL;
	}
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		vr_error(VR_ERR_INTERNAL, "cannot create an XML parser");
		return NULL;
	}
	ctxt->_private = &eb;
	ctxt->sax->serror = xml_parse_error;
	ctxt->sax->internalSubset = xml_refuse_doctype;
	ctxt->sax->externalSubset = NULL;
	/*
	 * NONET: no network. No NOENT (entities stay unexpanded), no DTDLOAD,
	 * DTDATTR or DTDVALID (nothing external is read), no HUGE (libxml2's
	 * depth and text size limits stay on).
	 */
	old_fn = xmlStructuredError;	/* errors raised without the context */
	old_ctx = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(ctxt, xml_parse_error);
	doc = xmlCtxtReadMemory(ctxt, xml, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT |
	    XML_PARSE_BIG_LINES);
	xmlSetStructuredErrorFunc(old_ctx, old_fn);
	if (doc == NULL || eb.refused || eb.msg[0] != '\0' ||
	    !ctxt->wellFormed) {
		if (eb.msg[0] == '\0')
			xml_errbuf_set(&eb, 0, "cannot parse XML");
		vr_error(VR_ERR_XML, "line %d: %s", eb.line, eb.msg);
		if (doc != NULL)
			xmlFreeDoc(doc);
		doc = NULL;
	}
	ctxt->_private = NULL;
	xmlFreeParserCtxt(ctxt);
	return doc;
}

/* "name" or "prefix:name" */
static void
xml_node_name(const xmlNode *n, char *buf, size_t len)
{
	if (n->ns != NULL && n->ns->prefix != NULL)
		snprintf(buf, len, "%s:%s", n->ns->prefix, n->name);
	else
		snprintf(buf, len, "%s", n->name);
}

xmlNode *
vr_xml_root(xmlDoc *doc, const char *name)
{
	xmlNode *root = xmlDocGetRootElement(doc);
	char found[128];

	if (root == NULL) {
		vr_error(VR_ERR_XML, "line 1: no root element");
		return NULL;
	}
	if (!vr_xml_is(root, name)) {
		xml_node_name(root, found, sizeof found);
		vr_xml_error(root, "root element is <%s>, expected <%s>", found,
		    name);
		return NULL;
	}
	vr_xml_mark(root);
	return root;
}

int
vr_xml_line(const xmlNode *n)
{
	long line = xmlGetLineNo(n);

	return line > 0 && line < INT_MAX ? (int)line : 0;
}

void
vr_xml_error(const xmlNode *n, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	vr_error(VR_ERR_XML, "line %d: %s", vr_xml_line(n), msg);
}

bool
vr_xml_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns == NULL &&
	    strcmp((const char *)n->name, name) == 0;
}

static xmlNode *
xml_element_from(xmlNode *n)
{
	for (; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

xmlNode *
vr_xml_first(const xmlNode *n)
{
	return xml_element_from(n->children);
}

xmlNode *
vr_xml_next(const xmlNode *n)
{
	return xml_element_from(n->next);
}

void
vr_xml_mark(xmlNode *n)
{
	n->_private = XML_CONSUMED;
}

xmlNode *
vr_xml_child(xmlNode *parent, const char *name)
{
	xmlNode *c;

	for (c = vr_xml_first(parent); c != NULL; c = vr_xml_next(c)) {
		if (vr_xml_is(c, name)) {
			vr_xml_mark(c);
			return c;
		}
	}
	return NULL;
}

xmlNode *
vr_xml_child_req(xmlNode *parent, const char *name)
{
	xmlNode *c;

	if ((c = vr_xml_child(parent, name)) == NULL)
		vr_xml_error(parent, "missing element <%s> in <%s>", name,
		    parent->name);
	return c;
}

const char *
vr_xml_attr(xmlNode *n, const char *name)
{
	xmlAttr *a;

	for (a = n->properties; a != NULL; a = a->next) {
		if (a->ns != NULL || strcmp((const char *)a->name, name) != 0)
			continue;
		a->_private = XML_CONSUMED;
		/*
		 * Without a DTD there are no entity references left in
		 * attributes: the value is one text node (or none if empty).
		 */
		if (a->children == NULL || a->children->content == NULL)
			return "";
		return (const char *)a->children->content;
	}
	return NULL;
}

const char *
vr_xml_attr_req(xmlNode *n, const char *name)
{
	const char *v;

	if ((v = vr_xml_attr(n, name)) == NULL)
		vr_xml_error(n, "missing attribute '%s' on <%s>", name,
		    n->name);
	return v;
}

char *
vr_xml_attr_dup(xmlNode *n, const char *name)
{
	return xstrdup_null(vr_xml_attr(n, name));
}

void
vr_xml_attr_invalid(const xmlNode *n, const char *name, const char *value,
    const char *what)
{
	vr_xml_error(n, "invalid value '%s' for <%s %s=...>: %s", value,
	    n->name, name, what);
}

/* Strict unsigned: digits only (or 0x hex with base 0), no sign or space. */
static int
xml_parse_ull(const char *s, int base, unsigned long long *v)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	*v = strtoull(s, &end, base);
	if (errno != 0 || end == s || *end != '\0')
		return -1;
	return 0;
}

int
vr_xml_attr_uint(xmlNode *n, const char *name, int base, unsigned int max,
    unsigned int *out)
{
	const char *s = vr_xml_attr(n, name);
	unsigned long long v;
	char what[64];

	if (s == NULL)
		return 0;
	if (xml_parse_ull(s, base, &v) < 0 || v > max) {
		snprintf(what, sizeof what, "expected an integer from 0 to %u",
		    max);
		vr_xml_attr_invalid(n, name, s, what);
		return -1;
	}
	*out = (unsigned int)v;
	return 1;
}

int
vr_xml_attr_int(xmlNode *n, const char *name, int min, int max, int *out)
{
	const char *s = vr_xml_attr(n, name);
	char what[64], *end;
	long v;

	if (s == NULL)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (!(isdigit((unsigned char)s[0]) || (s[0] == '-' &&
	    isdigit((unsigned char)s[1]))) || errno != 0 || *end != '\0' ||
	    v < min || v > max) {
		snprintf(what, sizeof what, "expected an integer from %d to %d",
		    min, max);
		vr_xml_attr_invalid(n, name, s, what);
		return -1;
	}
	*out = (int)v;
	return 1;
}

int
vr_xml_attr_bool(xmlNode *n, const char *name, enum vr_xml_bool style,
    bool *out)
{
	const char *t = style == VR_XML_ONOFF ? "on" : "yes";
	const char *f = style == VR_XML_ONOFF ? "off" : "no";
	const char *s = vr_xml_attr(n, name);
	char what[32];

	if (s == NULL)
		return 0;
	if (strcmp(s, t) == 0)
		*out = true;
	else if (strcmp(s, f) == 0)
		*out = false;
	else {
		snprintf(what, sizeof what, "expected %s or %s", t, f);
		vr_xml_attr_invalid(n, name, s, what);
		return -1;
	}
	return 1;
}

/* Name of value i: from a VR_ENUM to_string or a NULL-terminated list. */
struct xml_names {
	const char	*(*to_string)(int);
	const char *const *list;
	int		 last;
	unsigned long long allowed;
};

static const char *
xml_names_get(const struct xml_names *nm, int i)
{
	if (i >= 64 || !(nm->allowed & VR_XML_BIT(i)))
		return NULL;
	return nm->to_string != NULL ? nm->to_string(i) : nm->list[i];
}

static int
xml_names_find(const struct xml_names *nm, const char *s)
{
	const char *name;
	int i;

	for (i = 0; i < nm->last; i++)
		if ((name = xml_names_get(nm, i)) != NULL &&
		    strcmp(name, s) == 0)
			return i;
	return -1;
}

/* "expected a, b, c" */
static void
xml_names_expected(const struct xml_names *nm, char *buf, size_t len)
{
	struct vr_buf b = { 0 };
	const char *name;
	int i;

	vr_buf_puts(&b, "expected ");
	for (i = 0; i < nm->last; i++) {
		if ((name = xml_names_get(nm, i)) == NULL)
			continue;
		if (b.len > strlen("expected "))
			vr_buf_puts(&b, ", ");
		vr_buf_puts(&b, name);
	}
	snprintf(buf, len, "%s", vr_buf_str(&b));
	vr_buf_free(&b);
}

static int
xml_attr_names(xmlNode *n, const char *name, const struct xml_names *nm,
    int dflt)
{
	const char *s = vr_xml_attr(n, name);
	char what[512];
	int v;

	if (s == NULL) {
		if (dflt == VR_XML_REQUIRED) {
			vr_xml_error(n, "missing attribute '%s' on <%s>", name,
			    n->name);
			return -1;
		}
		return dflt;
	}
	if ((v = xml_names_find(nm, s)) < 0) {
		xml_names_expected(nm, what, sizeof what);
		vr_xml_attr_invalid(n, name, s, what);
		return -1;
	}
	return v;
}

int
vr_xml_attr_enum(xmlNode *n, const char *name, const char *(*to_string)(int),
    int last, unsigned long long allowed, int dflt)
{
	struct xml_names nm = { to_string, NULL, last, allowed };

	return xml_attr_names(n, name, &nm, dflt);
}

int
vr_xml_attr_choice(xmlNode *n, const char *name, const char *const *choices,
    int dflt)
{
	struct xml_names nm = { NULL, choices, 0, VR_XML_ALL };

	while (choices[nm.last] != NULL)
		nm.last++;
	return xml_attr_names(n, name, &nm, dflt);
}

void
vr_xml_skip(xmlNode *n)
{
	xmlAttr *a;
	xmlNode *c;

	n->_private = XML_CONSUMED;
	for (a = n->properties; a != NULL; a = a->next)
		a->_private = XML_CONSUMED;
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE)
			vr_xml_skip(c);
		else
			c->_private = XML_CONSUMED;
	}
}

char *
vr_xml_text(xmlNode *n)
{
	struct vr_buf b = { 0 };
	xmlNode *c;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_TEXT_NODE &&
		    c->type != XML_CDATA_SECTION_NODE)
			continue;
		c->_private = XML_CONSUMED;
		if (c->content != NULL)
			vr_buf_puts(&b, (const char *)c->content);
	}
	return vr_buf_steal(&b);
}

char *
vr_xml_child_text(xmlNode *n, const char *name)
{
	xmlNode *c = vr_xml_child(n, name);

	return c != NULL ? vr_xml_text(c) : NULL;
}

/* Text with surrounding white space removed, in buf; -1 if too long. */
static int
xml_text_trim(xmlNode *n, char *buf, size_t len)
{
	VR_AUTOFREE char *s = vr_xml_text(n);
	char *p = s, *e;

	while (isspace((unsigned char)*p))
		p++;
	e = p + strlen(p);
	while (e > p && isspace((unsigned char)e[-1]))
		*--e = '\0';
	if ((size_t)(e - p) >= len) {
		vr_xml_error(n, "invalid value for <%s>: too long", n->name);
		return -1;
	}
	memcpy(buf, p, (size_t)(e - p) + 1);
	return 0;
}

int
vr_xml_text_ull(xmlNode *n, unsigned long long *v)
{
	char s[64];

	if (xml_text_trim(n, s, sizeof s) < 0)
		return -1;
	if (xml_parse_ull(s, 10, v) < 0) {
		vr_xml_error(n, "invalid value '%s' for <%s>: expected an "
		    "unsigned integer", s, n->name);
		return -1;
	}
	return 0;
}

int
vr_xml_text_uint(xmlNode *n, unsigned int *v)
{
	unsigned long long ull;

	if (vr_xml_text_ull(n, &ull) < 0)
		return -1;
	if (ull > UINT_MAX) {
		vr_xml_error(n, "invalid value '%llu' for <%s>: expected an "
		    "integer from 0 to %u", ull, n->name, UINT_MAX);
		return -1;
	}
	*v = (unsigned int)ull;
	return 0;
}

int
vr_xml_text_bytes(xmlNode *n, const char *default_unit,
    unsigned long long *bytes)
{
	const char *unit = vr_xml_attr(n, "unit");
	unsigned long long v;
	char msg[256];

	if (vr_xml_text_ull(n, &v) < 0)
		return -1;
	if (vr_scale_to_bytes(v, unit, default_unit, bytes) < 0) {
		snprintf(msg, sizeof msg, "%s", vr_error_message());
		vr_xml_error(n, "<%s>: %s", n->name, msg);
		return -1;
	}
	return 0;
}

int
vr_xml_text_uuid(xmlNode *n, unsigned char uuid[16])
{
	VR_AUTOFREE char *s = vr_xml_text(n);

	if (vr_uuid_parse(s, uuid) == 0)
		return 0;
	vr_xml_error(n, "invalid value '%s' for <%s>: expected a UUID like "
	    "8f1c2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b", s, n->name);
	return -1;
}

int
vr_xml_name_uuid(xmlNode *root, char **name, unsigned char uuid[16])
{
	xmlNode *n;

	if ((n = vr_xml_child_req(root, "name")) == NULL)
		return -1;
	*name = vr_xml_text(n);
	if ((n = vr_xml_child(root, "uuid")) == NULL) {
		vr_uuid_generate(uuid);
		return 0;
	}
	return vr_xml_text_uuid(n, uuid);
}

int
vr_xml_text_kib(xmlNode *n, const char *default_unit,
    unsigned long long *kib)
{
	unsigned long long bytes;

	if (vr_xml_text_bytes(n, default_unit, &bytes) < 0)
		return -1;
	*kib = bytes / 1024 + (bytes % 1024 != 0);
	return 0;
}

int
vr_xml_text_enum(xmlNode *n, const char *(*to_string)(int), int last,
    unsigned long long allowed)
{
	struct xml_names nm = { to_string, NULL, last, allowed };
	char s[64], what[512];
	int v;

	if (xml_text_trim(n, s, sizeof s) < 0)
		return -1;
	if ((v = xml_names_find(&nm, s)) < 0) {
		xml_names_expected(&nm, what, sizeof what);
		vr_xml_error(n, "invalid value '%s' for <%s>: %s", s, n->name,
		    what);
		return -1;
	}
	return v;
}

static bool
xml_blank(const xmlChar *s)
{
	if (s == NULL)
		return true;
	for (; *s != '\0'; s++)
		if (!isspace(*s))
			return false;
	return true;
}

/* Marks n, its attributes and everything under it consumed. */
static void
xml_mark_tree(xmlNode *n)
{
	xmlAttr *a;
	xmlNode *c;

	n->_private = XML_CONSUMED;
	if (n->type != XML_ELEMENT_NODE)
		return;
	for (a = n->properties; a != NULL; a = a->next)
		a->_private = XML_CONSUMED;
	for (c = n->children; c != NULL; c = c->next)
		xml_mark_tree(c);
}

/*
 * n serialized. An element is first copied into a document of its own:
 * libxml2 then declares on the copy the namespaces it used from outside.
 * That document says UTF-8, or non-ASCII in attributes would come out as
 * character references.
 */
static char *
xml_dump_node(xmlNode *n)
{
	xmlDoc *doc = NULL;
	xmlNode *copy = n;
	xmlBuffer *xb;
	char *s = NULL;

	if (n->type == XML_ELEMENT_NODE) {
		if ((doc = xmlNewDoc(BAD_CAST "1.0")) == NULL ||
		    (doc->encoding = xmlStrdup(BAD_CAST "UTF-8")) == NULL ||
		    (copy = xmlDocCopyNode(n, doc, 1)) == NULL)
			goto out;
		xmlDocSetRootElement(doc, copy);
	}
	if ((xb = xmlBufferCreate()) == NULL)
		goto out;
	if (xmlNodeDump(xb, doc != NULL ? doc : n->doc, copy, 0, 0) >= 0)
		s = xstrdup((const char *)xmlBufferContent(xb));
	xmlBufferFree(xb);
out:
	if (doc != NULL)
		xmlFreeDoc(doc);
	if (s == NULL)
		vr_error(VR_ERR_INTERNAL, "line %d: cannot serialize <%s>",
		    vr_xml_line(n), n->name);
	return s;
}

int
vr_xml_dump_children(xmlNode *n, char ***out, size_t *count)
{
	char **v = NULL, *s;
	size_t nv = 0, i;
	xmlNode *c;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE &&
		    c->type != XML_COMMENT_NODE && c->type != XML_PI_NODE)
			continue;
		if ((s = xml_dump_node(c)) == NULL) {
			for (i = 0; i < nv; i++)
				free(v[i]);
			free(v);
			return -1;
		}
		xml_mark_tree(c);
		v = xreallocarray(v, nv + 1, sizeof *v);
		v[nv++] = s;
	}
	*out = v;
	*count = nv;
	return 0;
}

/*
 * Stray text for a message: white space collapsed, cut after 30 bytes. Its
 * line is that of its first visible character: libxml2 numbers a (short)
 * text node with the line where it ends.
 */
static void
xml_text_snippet(const xmlNode *t, char *buf, size_t len, int *line)
{
	const char *p = (const char *)t->content, *first;
	size_t n = 0;
	int nl = 0;

	while (isspace((unsigned char)*p))
		p++;
	first = p;
	for (; *p != '\0' && n + 4 < len; p++) {
		if (!isspace((unsigned char)*p))
			buf[n++] = *p;
		else if (buf[n - 1] != ' ')
			buf[n++] = ' ';
	}
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	if (*p != '\0' && !xml_blank((const xmlChar *)p))
		buf[n++] = '.', buf[n++] = '.', buf[n++] = '.';
	buf[n] = '\0';
	for (p = first; *p != '\0'; p++)
		nl += *p == '\n';
	*line = vr_xml_line(t) - nl;
	if (*line < 1)
		*line = vr_xml_line(t);
}

/* An element nobody read: unknown, or a repeated one read only once. */
static void
xml_report_element(xmlNode *n)
{
	char name[128], parent[128];
	xmlNode *s;

	xml_node_name(n, name, sizeof name);
	xml_node_name(n->parent, parent, sizeof parent);
	for (s = vr_xml_first(n->parent); s != NULL; s = vr_xml_next(s)) {
		if (s != n && s->_private == XML_CONSUMED &&
		    s->ns == n->ns && xmlStrEqual(s->name, n->name)) {
			vr_error(VR_ERR_XML, "element <%s> appears more than "
			    "once (line %d, in <%s>)", name, vr_xml_line(n),
			    parent);
			return;
		}
	}
	vr_error(VR_ERR_XML, "unsupported element <%s> (line %d, in <%s>)",
	    name, vr_xml_line(n), parent);
}

/* The attributes of element n, then its children, in document order. */
static int
xml_check_node(xmlNode *n)
{
	char name[128], text[40];
	xmlAttr *a;
	xmlNode *c;
	int line;

	for (a = n->properties; a != NULL; a = a->next) {
		if (a->_private == XML_CONSUMED)
			continue;
		xml_node_name(n, name, sizeof name);
		if (a->ns != NULL && a->ns->prefix != NULL)
			vr_error(VR_ERR_XML, "unsupported attribute '%s:%s' on "
			    "<%s> (line %d)", a->ns->prefix, a->name, name,
			    vr_xml_line(n));
		else
			vr_error(VR_ERR_XML, "unsupported attribute '%s' on "
			    "<%s> (line %d)", a->name, name, vr_xml_line(n));
		return -1;
	}
	for (c = n->children; c != NULL; c = c->next) {
		switch (c->type) {
		case XML_ELEMENT_NODE:
			if (c->_private != XML_CONSUMED) {
				xml_report_element(c);
				return -1;
			}
			if (xml_check_node(c) < 0)
				return -1;
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (c->_private == XML_CONSUMED ||
			    xml_blank(c->content))
				break;
			xml_node_name(n, name, sizeof name);
			xml_text_snippet(c, text, sizeof text, &line);
			vr_error(VR_ERR_XML, "unexpected text '%s' in <%s> "
			    "(line %d)", text, name, line);
			return -1;
		case XML_COMMENT_NODE:
		case XML_PI_NODE:
			break;
		default:
			xml_node_name(n, name, sizeof name);
			vr_error(VR_ERR_XML, "unsupported XML content in <%s> "
			    "(line %d)", name, vr_xml_line(n));
			return -1;
		}
	}
	return 0;
}

int
vr_xml_check_consumed(xmlNode *root)
{
	if (root->_private != XML_CONSUMED) {
		vr_error(VR_ERR_XML, "unsupported element <%s> (line %d)",
		    root->name, vr_xml_line(root));
		return -1;
	}
	return xml_check_node(root);
}

/*
 * RelaxNG: schemas are compiled once per path and kept for the life of the
 * process. One lock covers the cache and validation: libxml2 does not
 * document a compiled schema as safe for concurrent validations, and
 * validation only runs when a definition is submitted, not on load.
 */
struct xml_schema {
	char			*path;
	xmlRelaxNGPtr		 rng;
	struct xml_schema	*next;
};

static pthread_mutex_t xml_schema_lock = PTHREAD_MUTEX_INITIALIZER;
static struct xml_schema *xml_schemas;

static void
xml_rng_error(void *data, xmlErrorPtr err)
{
	struct xml_errbuf *eb = data;
	int line;

	if (err == NULL || err->level < XML_ERR_ERROR)
		return;
	/*
	 * "Extra element devices in interleave" comes without a line; the
	 * error that follows it names the element, with its line.
	 */
	line = err->line;
	if (line <= 0 && err->node != NULL)
		line = vr_xml_line(err->node);
	if (eb->msg[0] != '\0' && eb->line <= 0)
		eb->line = line;
	xml_errbuf_set(eb, line, err->message);
}

static xmlRelaxNGPtr
xml_schema_get(const char *path)
{
	struct xml_errbuf eb = { 0 };
	xmlRelaxNGParserCtxtPtr pctxt;
	xmlStructuredErrorFunc old_fn;
	struct xml_schema *s;
	xmlRelaxNGPtr rng;
	void *old_ctx;

	for (s = xml_schemas; s != NULL; s = s->next)
		if (strcmp(s->path, path) == 0)
			return s->rng;
	if (access(path, R_OK) < 0) {
		vr_error_system(errno, "cannot read schema '%s'", path);
		return NULL;
	}
	if ((pctxt = xmlRelaxNGNewParserCtxt(path)) == NULL) {
		vr_error(VR_ERR_INTERNAL, "cannot load schema '%s'", path);
		return NULL;
	}
	/* loading the schema file reports through the thread's handler */
	old_fn = xmlStructuredError;
	old_ctx = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(&eb, xml_rng_error);
	xmlRelaxNGSetParserStructuredErrors(pctxt, xml_rng_error, &eb);
	rng = xmlRelaxNGParse(pctxt);
	xmlRelaxNGFreeParserCtxt(pctxt);
	xmlSetStructuredErrorFunc(old_ctx, old_fn);
	if (rng == NULL) {
		vr_error(VR_ERR_INTERNAL, "cannot load schema '%s': line %d: "
		    "%s", path, eb.line, eb.msg[0] != '\0' ? eb.msg :
		    "invalid");
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	s->rng = rng;
	s->next = xml_schemas;
	xml_schemas = s;
	return rng;
}

int
vr_xml_validate(xmlDoc *doc, const char *path)
{
	struct xml_errbuf eb = { 0 };
	xmlRelaxNGValidCtxtPtr vctxt;
	xmlRelaxNGPtr rng;
	const char *base;
	int rc = -1;

	vr_xml_init();
	pthread_mutex_lock(&xml_schema_lock);
	if ((rng = xml_schema_get(path)) == NULL)
		goto out;
	if ((vctxt = xmlRelaxNGNewValidCtxt(rng)) == NULL) {
		vr_error(VR_ERR_INTERNAL, "cannot create a RelaxNG validator");
		goto out;
	}
	xmlRelaxNGSetValidStructuredErrors(vctxt, xml_rng_error, &eb);
	rc = xmlRelaxNGValidateDoc(vctxt, doc);
	xmlRelaxNGFreeValidCtxt(vctxt);
	if (rc != 0) {
		base = strrchr(path, '/');
		vr_error(VR_ERR_XML, "line %d: %s (schema %s)", eb.line,
		    eb.msg[0] != '\0' ? eb.msg : "document is not valid",
		    base != NULL ? base + 1 : path);
		rc = -1;
	}
out:
	pthread_mutex_unlock(&xml_schema_lock);
	return rc;
}

static char *xml_schema_dir;

void
vr_xml_set_schema_dir(const char *dir)
{
	free(xml_schema_dir);
	xml_schema_dir = xstrdup(dir);
}

int
vr_xml_validate_schema(xmlDoc *doc, const char *file)
{
	VR_AUTOFREE char *path = xprintf("%s/%s", xml_schema_dir != NULL ?
	    xml_schema_dir : VR_SCHEMADIR, file);

	return vr_xml_validate(doc, path);
}

void
vr_xml_cleanup(void)
{
	struct xml_schema *s;

	pthread_mutex_lock(&xml_schema_lock);
	while ((s = xml_schemas) != NULL) {
		xml_schemas = s->next;
		xmlRelaxNGFree(s->rng);
		free(s->path);
		free(s);
	}
	pthread_mutex_unlock(&xml_schema_lock);
}

static void
xml_escape(struct vr_buf *b, const char *s, bool attr)
{
	const char *p, *rep;

	for (p = s; *p != '\0'; p++) {
		switch (*p) {
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '&':
			rep = "&amp;";
			break;
		case '\'':
			rep = "&apos;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\r':
			rep = "&#13;";
			break;
		case '\n':
			rep = attr ? "&#10;" : NULL;
			break;
		case '\t':
			rep = attr ? "&#9;" : NULL;
			break;
		default:
			rep = NULL;
			break;
		}
		if (rep != NULL)
			vr_buf_puts(b, rep);
		else
			vr_buf_add(b, p, 1);
	}
}

void
vr_xml_escape_attr(struct vr_buf *b, const char *s)
{
	xml_escape(b, s, true);
}

void
vr_xml_escape_text(struct vr_buf *b, const char *s)
{
	xml_escape(b, s, false);
}

void
vr_xml_buf_attr(struct vr_buf *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	vr_buf_printf(b, " %s='", name);
	vr_xml_escape_attr(b, value);
	vr_buf_add(b, "'", 1);
}

/* Indentation and "<" then the printf-formatted start of a tag. */
void
vr_xml_fmt_start(struct vr_buf *b, const char *fmt, ...)
{
	va_list ap;
	int i;

	for (i = 0; i < b->indent; i++)
		vr_buf_add(b, "  ", 2);
	vr_buf_add(b, "<", 1);
	va_start(ap, fmt);
	vr_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/* End the tag: "/>" or ">" and indent its children. */
void
vr_xml_fmt_end(struct vr_buf *b, bool children)
{
	if (children) {
		vr_buf_add(b, ">\n", 2);
		b->indent++;
	} else
		vr_buf_add(b, "/>\n", 3);
}

void
vr_xml_fmt_close(struct vr_buf *b, const char *name)
{
	b->indent--;
	vr_buf_line(b, "</%s>", name);
}

/* <name>text</name>, nothing if text is NULL. */
void
vr_xml_fmt_text(struct vr_buf *b, const char *name, const char *text)
{
	if (text == NULL)
		return;
	vr_xml_fmt_start(b, "%s>", name);
	vr_xml_escape_text(b, text);
	vr_buf_printf(b, "</%s>\n", name);
}

void
vr_xml_fmt_bytes(struct vr_buf *b, const char *name, unsigned long long v)
{
	vr_buf_line(b, "<%s unit='bytes'>%llu</%s>", name, v, name);
}
