/*
 * Domain snapshot definitions: parse, validate and format libvirt's
 * domainsnapshot XML (see snap-def.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "snap-def.h"
#include "util.h"
#include "xml-util.h"
#include "xmalloc.h"

VR_ENUM_IMPL(snap_state, SNAP_STATE_LAST, "running", "paused", "shutoff",
    "disk-snapshot")
VR_ENUM_IMPL(snap_location, SNAP_LOC_LAST, NULL, "no", "internal",
    "external")

int
snap_name_check(int code, const char *name)
{
	if (vr_name_valid(name) && strstr(name, "..") == NULL)
		return 0;
	vr_error(code, "invalid snapshot name '%s': expected 1 to 64 of A-Z "
	    "a-z 0-9 _ . + - :, not starting with '.' or '-', without '..'",
	    name != NULL ? name : "");
	return -1;
}

const struct snap_disk *
snap_def_disk(const struct snap_def *def, const char *dev)
{
	size_t i;

	for (i = 0; i < def->ndisks; i++)
		if (strcmp(def->disks[i].name, dev) == 0)
			return &def->disks[i];
	return NULL;
}

/* Everything under n read: the embedded <domain> is parsed on its own. */
static void
mark_tree(xmlNode *n)
{
	xmlAttr *a;
	xmlNode *c;

	vr_xml_mark(n);
	if (n->type != XML_ELEMENT_NODE)
		return;
	for (a = n->properties; a != NULL; a = a->next)
		(void)vr_xml_attr(n, (const char *)a->name);
	for (c = n->children; c != NULL; c = c->next)
		mark_tree(c);
}

static int
snap_parse_domain(struct snap_def *def, xmlNode *root)
{
	xmlNode *n = vr_xml_child(root, "domain");
	xmlBuffer *xb;
	char *xml;

	if (n == NULL)
		return 0;
	if ((xb = xmlBufferCreate()) == NULL)
		fatal("out of memory");
	if (xmlNodeDump(xb, n->doc, n, 0, 0) < 0) {
		xmlBufferFree(xb);
		vr_xml_error(n, "cannot read <domain>");
		return -1;
	}
	xml = xstrdup((const char *)xmlBufferContent(xb));
	xmlBufferFree(xb);
	mark_tree(n);
	def->dom = dom_def_parse_string(xml, 0);
	free(xml);
	if (def->dom == NULL) {
		vr_error_prefix("in <domain> (line %d)", vr_xml_line(n));
		return -1;
	}
	return 0;
}

static int
snap_parse_disk(struct snap_disk *disk, xmlNode *n)
{
	xmlNode *c;
	int v;

	if ((disk->name = vr_xml_attr_dup(n, "name")) == NULL) {
		vr_xml_error(n, "missing attribute 'name' on <disk>");
		return -1;
	}
	if ((v = vr_xml_attr_enum(n, "snapshot", VR_XML_ENUM(snap_location,
	    SNAP_LOC_LAST), VR_XML_ALL, SNAP_LOC_DEFAULT)) < 0)
		return -1;
	disk->snapshot = v;
	if (disk->snapshot != SNAP_LOC_EXTERNAL) {
		if (vr_xml_first(n) != NULL) {
			vr_xml_error(n, "disk '%s': only an external snapshot "
			    "has a <source> or <driver>", disk->name);
			return -1;
		}
		return 0;
	}
	if (vr_xml_attr_choice(n, "type", (const char *const[]){ "file",
	    NULL }, 0) < 0)
		return -1;
	if ((c = vr_xml_child(n, "driver")) != NULL) {
		if ((v = vr_xml_attr_enum(c, "type",
		    VR_XML_ENUM(dom_disk_format, DOM_DISK_FORMAT_LAST),
		    VR_XML_BIT(DOM_DISK_FORMAT_QCOW2), VR_XML_REQUIRED)) < 0)
			return -1;
		disk->format = v;
	} else
		disk->format = DOM_DISK_FORMAT_QCOW2;
	if ((c = vr_xml_child(n, "source")) != NULL &&
	    (disk->src_path = vr_xml_attr_dup(c, "file")) == NULL) {
		vr_xml_error(c, "missing attribute 'file' on <source>");
		return -1;
	}
	return 0;
}

static int
snap_parse_disks(struct snap_def *def, xmlNode *root)
{
	xmlNode *disks = vr_xml_child(root, "disks"), *n;
	size_t cnt = 0;

	if (disks == NULL)
		return 0;
	for (n = vr_xml_first(disks); n != NULL; n = vr_xml_next(n))
		cnt++;
	def->disks = xcalloc(cnt + 1, sizeof *def->disks);
	for (n = vr_xml_first(disks); n != NULL; n = vr_xml_next(n)) {
		if (!vr_xml_is(n, "disk"))
			continue;	/* refused by check_consumed */
		vr_xml_mark(n);
		if (snap_parse_disk(&def->disks[def->ndisks++], n) < 0)
			return -1;
	}
	return 0;
}

static int
snap_parse_root(struct snap_def *def, xmlNode *root)
{
	xmlNode *n;
	unsigned long long t;
	int v;

	if ((n = vr_xml_child_req(root, "name")) == NULL)
		return -1;
	def->name = vr_xml_text(n);
	def->description = vr_xml_child_text(root, "description");
	if ((n = vr_xml_child(root, "state")) != NULL) {
		if ((v = vr_xml_text_enum(n, VR_XML_ENUM(snap_state,
		    SNAP_STATE_LAST), VR_XML_ALL)) < 0)
			return -1;
		def->state = v;
		def->has_state = true;
	}
	if ((n = vr_xml_child(root, "parent")) != NULL) {
		xmlNode *pn = vr_xml_child_req(n, "name");

		if (pn == NULL)
			return -1;
		def->parent = vr_xml_text(pn);
	}
	if ((n = vr_xml_child(root, "creationTime")) != NULL) {
		if (vr_xml_text_ull(n, &t) < 0 || t > (1ULL << 62)) {
			vr_xml_error(n, "invalid <creationTime>: expected "
			    "seconds since the epoch");
			return -1;
		}
		def->creation_time = (long long)t;
	}
	if ((n = vr_xml_child(root, "memory")) != NULL) {
		if ((v = vr_xml_attr_enum(n, "snapshot",
		    VR_XML_ENUM(snap_location, SNAP_LOC_LAST),
		    VR_XML_BIT(SNAP_LOC_NO) | VR_XML_BIT(SNAP_LOC_INTERNAL),
		    VR_XML_REQUIRED)) < 0)
			return -1;
		def->memory = v;
	}
	if (snap_parse_disks(def, root) < 0 ||
	    snap_parse_domain(def, root) < 0)
		return -1;
	return vr_xml_check_consumed(root);
}

static bool
dom_has_disk(const struct dom_def *dom, const char *dev)
{
	size_t i;

	for (i = 0; i < dom->ndisks; i++)
		if (dom->disks[i].target_dev != NULL &&
		    strcmp(dom->disks[i].target_dev, dev) == 0)
			return true;
	return false;
}

int
snap_def_validate(const struct snap_def *def)
{
	size_t i, j;

	if (snap_name_check(VR_ERR_XML, def->name) < 0)
		return -1;
	if (def->parent != NULL && snap_name_check(VR_ERR_XML,
	    def->parent) < 0)
		return -1;
	if (def->parent != NULL && strcmp(def->parent, def->name) == 0) {
		vr_error(VR_ERR_XML, "snapshot '%s' cannot be its own parent",
		    def->name);
		return -1;
	}
	for (i = 0; i < def->ndisks; i++) {
		const struct snap_disk *d = &def->disks[i];

		for (j = 0; j < i; j++)
			if (strcmp(def->disks[j].name, d->name) == 0) {
				vr_error(VR_ERR_XML, "snapshot '%s': disk '%s' "
				    "is listed twice", def->name, d->name);
				return -1;
			}
		if (d->src_path != NULL && d->src_path[0] != '/') {
			vr_error(VR_ERR_XML, "snapshot '%s': disk '%s': the "
			    "overlay '%s' must be an absolute path",
			    def->name, d->name, d->src_path);
			return -1;
		}
		if (d->snapshot == SNAP_LOC_EXTERNAL &&
		    def->memory == SNAP_LOC_INTERNAL) {
			vr_error(VR_ERR_XML, "snapshot '%s': disk '%s': an "
			    "external disk snapshot cannot go with an "
			    "internal memory snapshot", def->name, d->name);
			return -1;
		}
		if (def->dom != NULL && !dom_has_disk(def->dom, d->name)) {
			vr_error(VR_ERR_XML, "snapshot '%s': disk '%s' is not "
			    "a disk of domain '%s'", def->name, d->name,
			    def->dom->name);
			return -1;
		}
	}
	return 0;
}

struct snap_def *
snap_def_parse_string(const char *xml, unsigned int flags)
{
	VR_AUTO_XMLDOC doc = NULL;
	VR_AUTO(snap_def) def = NULL;
	xmlNode *root;

	if ((doc = vr_xml_parse_string(xml)) == NULL ||
	    (root = vr_xml_root(doc, "domainsnapshot")) == NULL)
		return NULL;
	def = xcalloc(1, sizeof *def);
	if (snap_parse_root(def, root) < 0 || snap_def_validate(def) < 0)
		return NULL;
	if ((flags & SNAP_PARSE_VALIDATE) &&
	    vr_xml_validate_schema(doc, "domainsnapshot.rng") < 0)
		return NULL;
	return vr_steal(&def);
}

VR_XML_PARSE_FILE_IMPL(snap_def)

static void
snap_format_disk(struct vr_buf *b, const struct snap_disk *d)
{
	vr_xml_fmt_start(b, "disk");
	vr_xml_buf_attr(b, "name", d->name);
	vr_xml_buf_attr(b, "snapshot", snap_location_to_string(d->snapshot));
	if (d->snapshot != SNAP_LOC_EXTERNAL) {
		vr_xml_fmt_end(b, false);
		return;
	}
	vr_xml_buf_attr(b, "type", "file");
	vr_xml_fmt_end(b, true);
	vr_buf_line(b, "<driver type='%s'/>",
	    dom_disk_format_to_string(d->format != DOM_DISK_FORMAT_DEFAULT ?
	    d->format : DOM_DISK_FORMAT_QCOW2));
	if (d->src_path != NULL) {
		vr_xml_fmt_start(b, "source");
		vr_xml_buf_attr(b, "file", d->src_path);
		vr_xml_fmt_end(b, false);
	}
	vr_xml_fmt_close(b, "disk");
}

/* The domain's lines, indented one level. */
static void
snap_format_domain(struct vr_buf *b, const struct dom_def *dom,
    unsigned int flags)
{
	VR_AUTOFREE char *xml = dom_def_format(dom, -1, flags);
	char *line = xml, *nl;

	while (line != NULL && *line != '\0') {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		vr_buf_line(b, "%s", line);
		line = nl != NULL ? nl + 1 : NULL;
	}
}

char *
snap_def_format(const struct snap_def *def, unsigned int flags)
{
	struct vr_buf b = { 0 };
	size_t i;

	vr_buf_line(&b, "<domainsnapshot>");
	b.indent++;
	vr_xml_fmt_text(&b, "name", def->name);
	vr_xml_fmt_text(&b, "description", def->description);
	if (def->has_state)
		vr_buf_line(&b, "<state>%s</state>",
		    snap_state_to_string(def->state));
	if (def->parent != NULL) {
		vr_buf_line(&b, "<parent>");
		b.indent++;
		vr_xml_fmt_text(&b, "name", def->parent);
		vr_xml_fmt_close(&b, "parent");
	}
	if (def->creation_time != 0)
		vr_buf_line(&b, "<creationTime>%lld</creationTime>",
		    def->creation_time);
	if (def->memory != SNAP_LOC_DEFAULT)
		vr_buf_line(&b, "<memory snapshot='%s'/>",
		    snap_location_to_string(def->memory));
	if (def->ndisks != 0) {
		vr_buf_line(&b, "<disks>");
		b.indent++;
		for (i = 0; i < def->ndisks; i++)
			snap_format_disk(&b, &def->disks[i]);
		vr_xml_fmt_close(&b, "disks");
	}
	if (def->dom != NULL)
		snap_format_domain(&b, def->dom, flags);
	vr_xml_fmt_close(&b, "domainsnapshot");
	return vr_buf_steal(&b);
}

struct snap_def *
snap_def_copy(const struct snap_def *src)
{
	struct snap_def *def = xmalloc(sizeof *def);
	size_t i;

	*def = *src;
	def->name = xstrdup_null(src->name);
	def->description = xstrdup_null(src->description);
	def->parent = xstrdup_null(src->parent);
	def->disks = xcalloc(src->ndisks + 1, sizeof *def->disks);
	for (i = 0; i < src->ndisks; i++) {
		def->disks[i] = src->disks[i];
		def->disks[i].name = xstrdup_null(src->disks[i].name);
		def->disks[i].src_path = xstrdup_null(src->disks[i].src_path);
	}
	def->dom = src->dom != NULL ? dom_def_copy(src->dom) : NULL;
	return def;
}

void
snap_def_free(struct snap_def *def)
{
	size_t i;

	if (def == NULL)
		return;
	free(def->name);
	free(def->description);
	free(def->parent);
	for (i = 0; i < def->ndisks; i++) {
		free(def->disks[i].name);
		free(def->disks[i].src_path);
	}
	free(def->disks);
	dom_def_free(def->dom);
	free(def);
}
