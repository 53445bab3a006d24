/*
 * XML helpers shared by every XML object (domains, networks, pools...).
 *
 * Parsing is safe for untrusted input: no network access, no DTD, no entity
 * declarations (a DOCTYPE is refused before anything in it is read), a size
 * cap. Errors are VR_ERR_XML with the line: "line 3: Opening and ending tag
 * mismatch: disk line 2 and devices".
 *
 * Refusing what we do not support is one mechanism: every getter below marks
 * the element, attribute or text it reads as consumed; after parsing,
 * vr_xml_check_consumed() walks the tree and reports the first thing nobody
 * read: "unsupported element <foo> (line 12, in <devices>)",
 * "unsupported attribute 'bar' on <disk> (line 7)". An object parser thus
 * supports exactly what it reads, in the context where it reads it.
 *
 * Getters returning int: 1 when the attribute is present and valid, 0 when
 * absent (output untouched), -1 on error (reported with its line).
 */
#ifndef VR_XML_UTIL_H
#define VR_XML_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "buf.h"

/* Largest document we parse. */
#define VR_XML_MAX_LEN		(4 * 1024 * 1024)

/* dflt for a required enum attribute or text (see vr_xml_attr_enum). */
#define VR_XML_REQUIRED		(-2)
/* "to_string, last" of a VR_ENUM table, for the enum getters. */
#define VR_XML_ENUM(name, last)	name##_to_string, (int)(last)
/* allowed mask for the enum getters: every value. */
#define VR_XML_ALL		(~0ULL)
#define VR_XML_BIT(v)		(1ULL << (v))

enum vr_xml_bool {
	VR_XML_YESNO,		/* 'yes' / 'no' */
	VR_XML_ONOFF,		/* 'on' / 'off' */
};

/*
 * X_parse_file() of an XML object from its X_parse_string(): reads at
 * most VR_XML_MAX_LEN and prefixes errors with the path.
 */
#define VR_XML_PARSE_FILE_IMPL(type)					\
	struct type *type##_parse_file(const char *path,		\
	    unsigned int flags)						\
	{								\
		char *xml = vr_file_read(path, VR_XML_MAX_LEN, NULL);	\
		struct type *def = NULL;				\
									\
		if (xml != NULL &&					\
		    (def = type##_parse_string(xml, flags)) == NULL)	\
			vr_error_prefix("%s", path);			\
		free(xml);						\
		return def;						\
	}

/* Thread safe; call before creating threads, or let parse do it. */
void	 vr_xml_init(void);
/* Free the schema cache (at exit, for leak checkers). */
void	 vr_xml_cleanup(void);

/* Parse a document; NULL with VR_ERR_XML on error. Caller frees. */
xmlDoc	*vr_xml_parse_string(const char *xml);
/* The root element, which must be <name>; marked. */
xmlNode	*vr_xml_root(xmlDoc *, const char *name);

static inline void
vr_xml_doc_freep(xmlDoc **docp)
{
	if (*docp != NULL)
		xmlFreeDoc(*docp);
}
#define VR_AUTO_XMLDOC	__attribute__((cleanup(vr_xml_doc_freep))) xmlDoc *

/* VR_ERR_XML "line N: ..." */
void	 vr_xml_error(const xmlNode *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 vr_xml_line(const xmlNode *);

/* Elements. */
bool	 vr_xml_is(const xmlNode *, const char *name);
/* Element children in order (unmarked): for (c = first(n); c; c = next(c)) */
xmlNode	*vr_xml_first(const xmlNode *);
xmlNode	*vr_xml_next(const xmlNode *);
void	 vr_xml_mark(xmlNode *);
/* Read and deliberately ignored: n with its attributes and all it holds. */
void	 vr_xml_skip(xmlNode *);
/* First child element <name>, marked; NULL if absent. */
xmlNode	*vr_xml_child(xmlNode *, const char *name);
/* As vr_xml_child; reports "missing element <name> in <parent>". */
xmlNode	*vr_xml_child_req(xmlNode *, const char *name);

/* Attributes; strings are borrowed from the document. */
const char *vr_xml_attr(xmlNode *, const char *name);
const char *vr_xml_attr_req(xmlNode *, const char *name);
/* Copy of the attribute or NULL. */
char	*vr_xml_attr_dup(xmlNode *, const char *name);
/* base 10, or 0 for libvirt's "0x1f"/"017"/"31"; value must be <= max. */
int	 vr_xml_attr_uint(xmlNode *, const char *name, int base,
	    unsigned int max, unsigned int *);
int	 vr_xml_attr_int(xmlNode *, const char *name, int min, int max, int *);
int	 vr_xml_attr_bool(xmlNode *, const char *name, enum vr_xml_bool,
	    bool *);
/*
 * An attribute named by a VR_ENUM table (pass VR_XML_ENUM(name, last)):
 * returns its value, dflt when absent (VR_XML_REQUIRED: an error), -1 on
 * error, e.g. "line 9: invalid value 'foo' for <target bus=...>: expected
 * virtio, sata, ide, scsi". Only values whose VR_XML_BIT is in allowed are
 * accepted (VR_XML_ALL: every value); NULL table entries never match.
 */
int	 vr_xml_attr_enum(xmlNode *, const char *name,
	    const char *(*to_string)(int), int last, unsigned long long allowed,
	    int dflt);
/* As vr_xml_attr_enum over a NULL-terminated list of strings. */
int	 vr_xml_attr_choice(xmlNode *, const char *name,
	    const char *const *choices, int dflt);
/* "line 9: invalid value 'x' for <node attr=...>: what" */
void	 vr_xml_attr_invalid(const xmlNode *, const char *name,
	    const char *value, const char *what);

/* Text content, marked. Never NULL: "" when empty. Caller frees. */
char	*vr_xml_text(xmlNode *);
/* Text of child <name>, or NULL when absent. */
char	*vr_xml_child_text(xmlNode *, const char *name);
/* Numbers in text, surrounding white space allowed: -1 or 0. */
int	 vr_xml_text_ull(xmlNode *, unsigned long long *);
int	 vr_xml_text_uint(xmlNode *, unsigned int *);
/* A size with a unit= attribute (libvirt units), in KiB. */
int	 vr_xml_text_kib(xmlNode *, const char *default_unit,
	    unsigned long long *kib);
/* A size with a unit= attribute (libvirt units), in bytes, exact. */
int	 vr_xml_text_bytes(xmlNode *, const char *default_unit,
	    unsigned long long *bytes);
/* A UUID in the text: "invalid value 'x' for <uuid>: expected ..." */
int	 vr_xml_text_uuid(xmlNode *, unsigned char uuid[16]);
/*
 * The <name> (required; caller frees *name) and <uuid> (generated when
 * absent) children of an object's root.
 */
int	 vr_xml_name_uuid(xmlNode *root, char **name, unsigned char uuid[16]);
/* As vr_xml_attr_enum for the text: "invalid value 'x' for <on_crash>". */
int	 vr_xml_text_enum(xmlNode *, const char *(*to_string)(int), int last,
	    unsigned long long allowed);

/*
 * Foreign content kept as is (libvirt's <metadata>): the element, comment
 * and processing-instruction children of n, each serialized on its own as
 * well-formed XML (namespaces declared outside it are declared on it),
 * with everything inside them byte for byte, and all of it marked
 * consumed. Blank text between them is dropped; other text directly in n
 * is left unread, to be refused. Sets *out (NULL when there is nothing;
 * caller frees each string and the array) and *count; -1 on error.
 */
int	 vr_xml_dump_children(xmlNode *n, char ***out, size_t *count);

/*
 * Report the first element, attribute or non-blank text under (and
 * including) root that no getter consumed. 0 if everything was read.
 */
int	 vr_xml_check_consumed(xmlNode *root);

/*
 * RelaxNG validation against the schema at path (compiled once, cached,
 * shared by all threads). Reports the first error with its line.
 */
int	 vr_xml_validate(xmlDoc *, const char *schema_path);
/*
 * Where the schemas live: set once at startup (default: the installed
 * schema directory); tests point it at $(srcdir)/xml-schemas.
 */
void	 vr_xml_set_schema_dir(const char *);
/* vr_xml_validate against file ("domain.rng") in that directory. */
int	 vr_xml_validate_schema(xmlDoc *, const char *file);

/*
 * Format helpers: escape for a single-quoted attribute value (also tab,
 * newline and carriage return, which attribute normalization would eat)
 * or for text content.
 */
void	 vr_xml_escape_attr(struct vr_buf *, const char *);
void	 vr_xml_escape_text(struct vr_buf *, const char *);
/* " name='value'" escaped; nothing when value is NULL. */
void	 vr_xml_buf_attr(struct vr_buf *, const char *name, const char *value);

/*
 * Elements, indented by the buffer's indent (two spaces a level):
 * vr_xml_fmt_start(b, "disk type='%s'", t) writes the indentation, "<"
 * and the start of the tag; vr_xml_fmt_end() closes it with "/>" or, with
 * children, ">" and indents them until vr_xml_fmt_close(b, "disk").
 */
void	 vr_xml_fmt_start(struct vr_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 vr_xml_fmt_end(struct vr_buf *, bool children);
void	 vr_xml_fmt_close(struct vr_buf *, const char *name);
/* <name>text</name> escaped; nothing when text is NULL. */
void	 vr_xml_fmt_text(struct vr_buf *, const char *name, const char *text);
/* <name unit='bytes'>v</name> */
void	 vr_xml_fmt_bytes(struct vr_buf *, const char *name,
	    unsigned long long v);

#endif
