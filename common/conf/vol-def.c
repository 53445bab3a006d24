/*
 * Storage volume definitions: parse, validate and format libvirt's
 * volume XML (see vol-def.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "util.h"
#include "vol-def.h"
#include "xml-util.h"
#include "xmalloc.h"

VR_ENUM_IMPL(vol_type, VOL_TYPE_LAST, "file")
VR_ENUM_IMPL(vol_format, VOL_FORMAT_LAST, "raw", "qcow2")

/* <format type='raw|qcow2'/> inside parent; absent: *fmt untouched. */
static int
vol_parse_format(xmlNode *parent, enum vol_format *fmt, bool *has)
{
	xmlNode *n = vr_xml_child(parent, "format");
	int v;

	if (n == NULL)
		return 0;
	if ((v = vr_xml_attr_enum(n, "type", VR_XML_ENUM(vol_format,
	    VOL_FORMAT_LAST), VR_XML_ALL, VR_XML_REQUIRED)) < 0)
		return -1;
	*fmt = v;
	if (has != NULL)
		*has = true;
	return 0;
}

static int
vol_parse_sizes(struct vol_def *def, xmlNode *root)
{
	xmlNode *n;

	if ((n = vr_xml_child(root, "capacity")) != NULL) {
		if (vr_xml_text_bytes(n, "bytes", &def->capacity) < 0)
			return -1;
		def->has_capacity = true;
	}
	if ((n = vr_xml_child(root, "allocation")) != NULL) {
		if (vr_xml_text_bytes(n, "bytes", &def->allocation) < 0)
			return -1;
		def->has_allocation = true;
	}
	if ((n = vr_xml_child(root, "physical")) != NULL) {
		if (vr_xml_text_bytes(n, "bytes", &def->physical) < 0)
			return -1;
		def->has_physical = true;
	}
	if (!def->has_capacity &&
	    vr_xml_child(root, "backingStore") == NULL) {
		vr_xml_error(root, "missing element <capacity> in <volume>");
		return -1;
	}
	return 0;
}

static int
vol_parse_target(struct vol_def *def, xmlNode *root)
{
	xmlNode *target = vr_xml_child(root, "target"), *n;

	def->format = VOL_FORMAT_RAW;
	def->perms.mode = -1;
	def->perms.owner = -1;
	def->perms.group = -1;
	if (target == NULL)
		return 0;
	if ((n = vr_xml_child(target, "path")) != NULL)
		def->target_path = vr_xml_text(n);
	if (vol_parse_format(target, &def->format, NULL) < 0)
		return -1;
	return pool_perms_parse(target, &def->perms);
}

static int
vol_parse_backing(struct vol_def *def, xmlNode *root)
{
	xmlNode *bs = vr_xml_child(root, "backingStore"), *n;

	if (bs == NULL)
		return 0;
	if ((n = vr_xml_child_req(bs, "path")) == NULL)
		return -1;
	def->backing_path = vr_xml_text(n);
	return vol_parse_format(bs, &def->backing_format,
	    &def->has_backing_format);
}

static int
vol_parse_root(struct vol_def *def, xmlNode *root)
{
	xmlNode *n;
	int v;

	if ((v = vr_xml_attr_enum(root, "type", VR_XML_ENUM(vol_type,
	    VOL_TYPE_LAST), VR_XML_ALL, VOL_TYPE_FILE)) < 0)
		return -1;
	def->type = v;
	if ((n = vr_xml_child_req(root, "name")) == NULL)
		return -1;
	def->name = vr_xml_text(n);
	def->key = vr_xml_child_text(root, "key");
	if (vol_parse_sizes(def, root) < 0 ||
	    vol_parse_target(def, root) < 0 ||
	    vol_parse_backing(def, root) < 0)
		return -1;
	return vr_xml_check_consumed(root);
}

int
vol_def_validate(const struct vol_def *def)
{
	if (pool_name_check(VR_ERR_XML, "volume", def->name) < 0)
		return -1;
	if (def->backing_path != NULL && def->format != VOL_FORMAT_QCOW2) {
		vr_error(VR_ERR_XML, "volume '%s': a backing store needs "
		    "format qcow2, not %s", def->name,
		    vol_format_to_string(def->format));
		return -1;
	}
	if (def->backing_path != NULL && def->backing_path[0] == '\0') {
		vr_error(VR_ERR_XML, "volume '%s': empty backing store path",
		    def->name);
		return -1;
	}
	return 0;
}

struct vol_def *
vol_def_parse_string(const char *xml, unsigned int flags)
{
	VR_AUTO_XMLDOC doc = NULL;
	VR_AUTO(vol_def) def = NULL;
	VR_AUTOFREE char *schema = NULL;
	xmlNode *root;

	if ((doc = vr_xml_parse_string(xml)) == NULL ||
	    (root = vr_xml_root(doc, "volume")) == NULL)
		return NULL;
	def = xcalloc(1, sizeof *def);
	if (vol_parse_root(def, root) < 0 || vol_def_validate(def) < 0)
		return NULL;
	schema = pool_schema_path("storagevol.rng");
	if ((flags & VOL_PARSE_VALIDATE) && vr_xml_validate(doc, schema) < 0)
		return NULL;
	return vr_steal(&def);
}

char *
vol_def_format(const struct vol_def *def)
{
	struct vr_buf b = { 0 };

	vr_buf_line(&b, "<volume type='%s'>", vol_type_to_string(def->type));
	b.indent++;
	vr_xml_fmt_text(&b, "name", def->name);
	vr_xml_fmt_text(&b, "key", def->key);
	if (def->has_capacity)
		vr_xml_fmt_bytes(&b, "capacity", def->capacity);
	if (def->has_allocation)
		vr_xml_fmt_bytes(&b, "allocation", def->allocation);
	if (def->has_physical)
		vr_xml_fmt_bytes(&b, "physical", def->physical);
	vr_buf_line(&b, "<target>");
	b.indent++;
	vr_xml_fmt_text(&b, "path", def->target_path);
	vr_buf_line(&b, "<format type='%s'/>",
	    vol_format_to_string(def->format));
	pool_perms_format(&b, &def->perms);
	vr_xml_fmt_close(&b, "target");
	if (def->backing_path != NULL) {
		vr_buf_line(&b, "<backingStore>");
		b.indent++;
		vr_xml_fmt_text(&b, "path", def->backing_path);
		if (def->has_backing_format)
			vr_buf_line(&b, "<format type='%s'/>",
			    vol_format_to_string(def->backing_format));
		vr_xml_fmt_close(&b, "backingStore");
	}
	vr_xml_fmt_close(&b, "volume");
	return vr_buf_steal(&b);
}

struct vol_def *
vol_def_copy(const struct vol_def *src)
{
	struct vol_def *def = xmalloc(sizeof *def);

	*def = *src;
	def->name = xstrdup_null(src->name);
	def->key = xstrdup_null(src->key);
	def->target_path = xstrdup_null(src->target_path);
	def->backing_path = xstrdup_null(src->backing_path);
	return def;
}

void
vol_def_free(struct vol_def *def)
{
	if (def == NULL)
		return;
	free(def->name);
	free(def->key);
	free(def->target_path);
	free(def->backing_path);
	free(def);
}
