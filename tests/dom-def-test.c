/*
 * Domain XML tests.
 *
 * Golden files: tests/domxml2xml/NAME.xml through golden_run() (see
 * golden.h), parsed with DOM_PARSE_VALIDATE.
 *
 * Also unit tests of xml-util (errors, refusal of DOCTYPEs, consumption
 * marking, getters), unit scaling, MACs, threads, and a timing line.
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parserInternals.h>

#include "buf.h"
#include "dom-def.h"
#include "err.h"
#include "golden.h"
#include "util.h"
#include "xml-util.h"
#include "xmalloc.h"

static char *data_dir;
static char *schema_path;

/* ---- xml-util ---- */

static int entity_loads;

static xmlParserInputPtr
test_entity_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)id;
	(void)ctxt;
	entity_loads++;
	printf("# external entity loader called for %s\n", url ? url : "?");
	return NULL;
}

static void
test_xml_parse(void)
{
	static const struct {
		const char *xml, *err;
	} bad[] = {
		{ "<a>\n<b>\n</a>",
		    "line 3: Opening and ending tag mismatch: b line 2 and a" },
		{ "", "line 1: Document is empty" },
		{ "<a>&foo;</a>", "line 1: Entity 'foo' not defined" },
		{ "<?xml version='1.0'?>\n<!DOCTYPE a [\n<!ENTITY x SYSTEM "
		    "\"file:///etc/passwd\">\n]>\n<a>&x;</a>",
		    "line 2: DOCTYPE declarations are not allowed" },
		{ "<!DOCTYPE a SYSTEM \"http://127.0.0.1:9/a.dtd\"><a/>",
		    "line 1: DOCTYPE declarations are not allowed" },
		{ "<!DOCTYPE a [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> "
		    "%p;]><a/>", "line 1: DOCTYPE declarations are not "
		    "allowed" },
	};
	xmlExternalEntityLoader old = xmlGetExternalEntityLoader();
	VR_AUTOFREE char *big = NULL;
	xmlDoc *doc;
	size_t i;

	xmlSetExternalEntityLoader(test_entity_loader);
	for (i = 0; i < nitems(bad); i++) {
		vr_error_reset();
		doc = vr_xml_parse_string(bad[i].xml);
		check(doc == NULL, "xml: bad document %zu refused", i);
		if (doc != NULL)
			xmlFreeDoc(doc);
		check_error("xml: bad document error message", bad[i].err);
	}
	check(entity_loads == 0, "xml: no external entity was ever loaded");
	xmlSetExternalEntityLoader(old);

	big = xmalloc(VR_XML_MAX_LEN + 16);
	memset(big, ' ', VR_XML_MAX_LEN + 15);
	memcpy(big, "<a>", 3);
	memcpy(big + VR_XML_MAX_LEN + 11, "</a>", 5);
	doc = vr_xml_parse_string(big);
	check(doc == NULL && strstr(vr_error_message(), "too large") != NULL,
	    "xml: documents over VR_XML_MAX_LEN are refused");

	doc = vr_xml_parse_string("<b/>");
	check(doc != NULL && vr_xml_root(doc, "a") == NULL,
	    "xml: wrong root element refused");
	check_error("xml: wrong root message",
	    "line 1: root element is <b>, expected <a>");
	xmlFreeDoc(doc);
}

/* Parse doc, read what reader reads, then check what is left. */
static void
check_consumed(const char *label, const char *xml, void (*reader)(xmlNode *),
    const char *err)
{
	VR_AUTO_XMLDOC doc = vr_xml_parse_string(xml);
	xmlNode *root;
	int rc;

	if (doc == NULL || (root = vr_xml_root(doc, "r")) == NULL) {
		check(false, "consumed: %s: parse", label);
		return;
	}
	reader(root);
	vr_error_reset();
	rc = vr_xml_check_consumed(root);
	if (err == NULL) {
		check(rc == 0, "consumed: %s: all read", label);
		return;
	}
	check(rc < 0, "consumed: %s: refused", label);
	check_error("consumed: message", err);
}

static void
read_a_and_x(xmlNode *root)
{
	xmlNode *a;

	if ((a = vr_xml_child(root, "a")) != NULL) {
		vr_xml_attr(a, "x");
		free(vr_xml_text(a));
	}
}

static void
test_xml_consumed(void)
{
	check_consumed("everything read", "<r><a x='1'>t</a><!-- c --> </r>",
	    read_a_and_x, NULL);
	check_consumed("unknown attribute", "<r>\n<a x='1' y='2'/></r>",
	    read_a_and_x, "unsupported attribute 'y' on <a> (line 2)");
	check_consumed("unknown element", "<r>\n<a/>\n<b><c/></b></r>",
	    read_a_and_x, "unsupported element <b> (line 3, in <r>)");
	check_consumed("repeated element", "<r><a/>\n<a/></r>", read_a_and_x,
	    "element <a> appears more than once (line 2, in <r>)");
	check_consumed("stray text", "<r>\n  junk<a/></r>", read_a_and_x,
	    "unexpected text 'junk' in <r> (line 2)");
	check_consumed("namespaced element", "<r xmlns:q='urn:q'><a/>\n<q:a/>"
	    "</r>", read_a_and_x, "unsupported element <q:a> (line 2, in <r>)");
	check_consumed("namespaced attribute", "<r xmlns:q='urn:q'><a q:x='1'/>"
	    "</r>", read_a_and_x,
	    "unsupported attribute 'q:x' on <a> (line 1)");
	check_consumed("CDATA text", "<r><a><![CDATA[text]]></a></r>",
	    read_a_and_x, NULL);
}

/* Foreign content: standalone, namespaces carried along, all consumed. */
static void
test_xml_dump_children(void)
{
	static const char *const want[] = {
		"<q:a xmlns:q=\"urn:q\" q:x=\"1\" y=\"&lt;&amp;\">t <!--c-->"
		    "<b xmlns=\"urn:d\"><c/></b></q:a>",
		"<!--top-->",
		"<q:e xmlns:q=\"urn:q\"/>",
	};
	VR_AUTO_XMLDOC doc = vr_xml_parse_string("<r xmlns:q='urn:q'><m>\n"
	    "  <q:a q:x='1' y='&lt;&amp;'>t <!--c--><b xmlns='urn:d'><c>"
	    "</c></b></q:a><!--top-->\n  <q:e/>\n</m></r>");
	VR_AUTO_XMLDOC text = vr_xml_parse_string("<r><m><a/>\nx</m></r>");
	xmlNode *root, *m;
	char **out = NULL;
	size_t n = 0, i;
	bool same;

	if (doc == NULL || (root = vr_xml_root(doc, "r")) == NULL ||
	    (m = vr_xml_child(root, "m")) == NULL) {
		check(false, "dump children: parse");
		return;
	}
	check(vr_xml_dump_children(m, &out, &n) == 0 && n == nitems(want),
	    "dump children: elements and comments, blanks dropped");
	for (i = 0; i < n && i < nitems(want); i++) {
		same = strcmp(out[i], want[i]) == 0;
		check(same, "dump children: child %zu standalone", i);
		if (!same)
			printf("#   want: %s\n#   got:  %s\n", want[i], out[i]);
	}
	for (i = 0; i < n; i++)
		free(out[i]);
	free(out);
	check(vr_xml_check_consumed(root) == 0,
	    "dump children: everything inside is consumed");

	if (text == NULL || (root = vr_xml_root(text, "r")) == NULL ||
	    (m = vr_xml_child(root, "m")) == NULL) {
		check(false, "dump children: parse text");
		return;
	}
	check(vr_xml_dump_children(m, &out, &n) == 0 && n == 1,
	    "dump children: text beside elements");
	for (i = 0; i < n; i++)
		free(out[i]);
	free(out);
	check(vr_xml_check_consumed(root) < 0,
	    "dump children: text directly inside is left unread");
	check_error("dump children: text message",
	    "unexpected text 'x' in <m> (line 2)");
}

static const char *
test_enum_to_string(int v)
{
	static const char *const names[] = { NULL, "virtio", "sata", "ide" };

	return v >= 0 && v < 4 ? names[v] : NULL;
}

static void
test_xml_getters(void)
{
	static const char *const choices[] = { "a", "b", NULL };
	VR_AUTO_XMLDOC doc = vr_xml_parse_string("<r\nh='0x1f' d='31' "
	    "o='017' n='-1' big='4294967296' sp=' 1' y='yes' on='on' bad='x' "
	    "e='sata' e2='scsi' i='-1' c='b'/>");
	xmlNode *r;
	unsigned int u = 0;
	int i = 0;
	bool b = false;

	if (doc == NULL || (r = vr_xml_root(doc, "r")) == NULL) {
		check(false, "getters: parse");
		return;
	}
	check(vr_xml_attr_uint(r, "h", 0, 255, &u) == 1 && u == 31,
	    "getters: hex with base 0");
	check(vr_xml_attr_uint(r, "d", 10, 255, &u) == 1 && u == 31,
	    "getters: decimal");
	check(vr_xml_attr_uint(r, "o", 0, 255, &u) == 1 && u == 15,
	    "getters: octal with base 0, as libvirt");
	check(vr_xml_attr_uint(r, "missing", 10, 5, &u) == 0 && u == 15,
	    "getters: absent attribute leaves the value");
	check(vr_xml_attr_uint(r, "n", 10, 255, &u) < 0, "getters: negative");
	check_error("getters: negative message", "line 2: invalid value '-1' "
	    "for <r n=...>: expected an integer from 0 to 255");
	check(vr_xml_attr_uint(r, "big", 10, 4294967295U, &u) < 0,
	    "getters: overflow");
	check(vr_xml_attr_uint(r, "sp", 10, 9, &u) < 0,
	    "getters: white space in numbers");
	check(vr_xml_attr_uint(r, "h", 10, 255, &u) < 0,
	    "getters: hex refused in base 10");
	check(vr_xml_attr_int(r, "i", -1, 5, &i) == 1 && i == -1,
	    "getters: signed");
	check(vr_xml_attr_bool(r, "y", VR_XML_YESNO, &b) == 1 && b,
	    "getters: yes");
	check(vr_xml_attr_bool(r, "on", VR_XML_ONOFF, &b) == 1 && b,
	    "getters: on");
	check(vr_xml_attr_bool(r, "y", VR_XML_ONOFF, &b) < 0,
	    "getters: yes is not on");
	check_error("getters: bool message", "line 2: invalid value 'yes' for "
	    "<r y=...>: expected on or off");
	check(vr_xml_attr_enum(r, "e", test_enum_to_string, 4, VR_XML_ALL,
	    VR_XML_REQUIRED) == 2, "getters: enum");
	check(vr_xml_attr_enum(r, "e2", test_enum_to_string, 4, VR_XML_ALL,
	    VR_XML_REQUIRED) < 0, "getters: bad enum");
	check_error("getters: enum message", "line 2: invalid value 'scsi' for "
	    "<r e2=...>: expected virtio, sata, ide");
	check(vr_xml_attr_enum(r, "e", test_enum_to_string, 4,
	    VR_XML_BIT(1) | VR_XML_BIT(3), 0) < 0, "getters: enum mask");
	check_error("getters: enum mask message", "line 2: invalid value "
	    "'sata' for <r e=...>: expected virtio, ide");
	check(vr_xml_attr_enum(r, "none", test_enum_to_string, 4, VR_XML_ALL,
	    3) == 3, "getters: enum default");
	check(vr_xml_attr_enum(r, "none", test_enum_to_string, 4, VR_XML_ALL,
	    VR_XML_REQUIRED) < 0, "getters: required enum");
	check_error("getters: required message",
	    "line 2: missing attribute 'none' on <r>");
	check(vr_xml_attr_choice(r, "c", choices, VR_XML_REQUIRED) == 1,
	    "getters: choice");
	check(vr_xml_attr_choice(r, "bad", choices, 0) < 0,
	    "getters: bad choice");
	check_error("getters: choice message",
	    "line 2: invalid value 'x' for <r bad=...>: expected a, b");
}

static void
test_xml_escape(void)
{
	struct vr_buf b = { 0 };

	vr_xml_buf_attr(&b, "a", "x<'&\">\n\t\ry");
	vr_buf_puts(&b, "|");
	vr_xml_escape_text(&b, "x<'\n\r");
	check(strcmp(vr_buf_str(&b), " a='x&lt;&apos;&amp;&quot;&gt;&#10;&#9;"
	    "&#13;y'|x&lt;&apos;\n&#13;") == 0, "xml: escaping");
	vr_buf_free(&b);
}

/* ---- units, MACs, UUIDs ---- */

static void
test_units(void)
{
	static const struct {
		unsigned long long value;
		const char *unit;
		unsigned long long kib;
	} cases[] = {
		{ 1025, "b", 2 }, { 2048, "bytes", 2 }, { 3, "k", 3 },
		{ 3, "KiB", 3 }, { 1024, "KB", 1000 }, { 1, "M", 1024 },
		{ 2, "MiB", 2048 }, { 1, "MB", 977 }, { 1, "G", 1048576 },
		{ 1, "GiB", 1048576 }, { 1, "GB", 976563 },
		{ 1, "T", 1ULL << 30 }, { 1, "TiB", 1ULL << 30 },
		{ 1, "TB", 976562500 }, { 1, "P", 1ULL << 40 },
		{ 1, "PiB", 1ULL << 40 }, { 1, "PB", 976562500000ULL },
		{ 1, "E", 1ULL << 50 }, { 1, "EiB", 1ULL << 50 },
		{ 1, "EB", 976562500000000ULL }, { 5, "K", 5 },
		{ 7, NULL, 7 },
	};
	unsigned long long kib;
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		kib = 0;
		check(vr_scale_to_kib(cases[i].value, cases[i].unit, "KiB",
		    &kib) == 0 && kib == cases[i].kib, "units: %llu %s = %llu "
		    "KiB (got %llu)", cases[i].value,
		    cases[i].unit ? cases[i].unit : "(default)", cases[i].kib,
		    kib);
	}
	check(vr_scale_to_kib(1, "parsec", "KiB", &kib) < 0,
	    "units: unknown unit refused");
	check(vr_scale_to_kib(16, "E", "KiB", &kib) < 0,
	    "units: overflow refused");
}

static void
test_mac(void)
{
	static const char *const bad[] = { "52:54:00:12:34",
	    "52-54-00-12-34-56", "52:54:00:12:34:5g", "52:54:00:12:34:567",
	    "", NULL };
	unsigned char mac[6];
	char buf[18];
	size_t i;

	check(dom_mac_parse("52:54:00:AB:cd:0f", mac) == 0 && mac[3] == 0xab &&
	    mac[5] == 0x0f, "mac: parse");
	dom_mac_format(mac, buf);
	check(strcmp(buf, "52:54:00:ab:cd:0f") == 0, "mac: format lowercase");
	for (i = 0; i < nitems(bad); i++)
		check(dom_mac_parse(bad[i], mac) < 0, "mac: '%s' refused",
		    bad[i] ? bad[i] : "NULL");
}

static const char generated_xml[] =
	"<domain type='kvm'><name>gen</name><memory>1024</memory>"
	"<os><type>hvm</type></os><devices><interface type='user'/>"
	"<interface type='user'/></devices></domain>";

static void
test_generated(void)
{
	VR_AUTO(dom_def) a = dom_def_parse_string(generated_xml, 0);
	VR_AUTO(dom_def) b = dom_def_parse_string(generated_xml, 0);

	if (a == NULL || b == NULL) {
		check(false, "generated: parse: %s", vr_error_message());
		return;
	}
	check(!vr_uuid_is_null(a->uuid) &&
	    memcmp(a->uuid, b->uuid, 16) != 0, "generated: random UUIDs");
	check(a->nets[0].mac[0] == 0x52 && a->nets[0].mac[1] == 0x54 &&
	    a->nets[0].mac[2] == 0x00 && a->nets[1].mac[0] == 0x52,
	    "generated: MACs are 52:54:00:xx:xx:xx");
	check(memcmp(a->nets[0].mac, a->nets[1].mac, 6) != 0 &&
	    memcmp(a->nets[0].mac, b->nets[0].mac, 6) != 0,
	    "generated: MACs differ");
}

static void
test_format_flags(void)
{
	static const char xml[] =
	    "<domain type='kvm'><name>vnc</name><memory>1024</memory>"
	    "<os><type>hvm</type></os><devices>"
	    "<graphics type='vnc' passwd='s3cr&apos;t'/></devices></domain>";
	VR_AUTO(dom_def) def = dom_def_parse_string(xml, 0);
	VR_AUTO(dom_def) again = NULL;
	VR_AUTOFREE char *plain = NULL, *secure = NULL, *live = NULL;
	VR_AUTOFREE char *secure2 = NULL;

	if (def == NULL) {
		check(false, "format: parse: %s", vr_error_message());
		return;
	}
	plain = dom_def_format(def, -1, 0);
	secure = dom_def_format(def, -1, DOM_FORMAT_SECURE);
	live = dom_def_format(def, 7, 0);
	check(strstr(plain, "passwd") == NULL, "format: no passwd by default");
	check(strstr(secure, " passwd='s3cr&apos;t'") != NULL,
	    "format: passwd with DOM_FORMAT_SECURE");
	check(strncmp(live, "<domain type='kvm' id='7'>\n", 27) == 0,
	    "format: id of a running domain");
	again = dom_def_parse_string(secure, DOM_PARSE_VALIDATE);
	secure2 = again != NULL ? dom_def_format(again, -1,
	    DOM_FORMAT_SECURE) : NULL;
	check(secure2 != NULL && strcmp(secure, secure2) == 0,
	    "format: secure output round-trips");
}

/* The live <backingStore> chain: nested, ended by an empty one, never
 * copied, and accepted (and dropped) when parsed back. */
static void
test_backing_chain(void)
{
	static const char xml[] =
	    "<domain type='kvm'><name>chain</name><memory>1024</memory>"
	    "<os><type>hvm</type></os><devices>"
	    "<disk type='file' device='disk'><driver name='qemu' "
	    "type='qcow2'/><source file='/i/top.qcow2'/>"
	    "<target dev='vda' bus='virtio'/></disk></devices></domain>";
	static const char want[] =
	    "      <source file='/i/top.qcow2'/>\n"
	    "      <backingStore type='file'>\n"
	    "        <format type='qcow2'/>\n"
	    "        <source file='/i/mid.qcow2'/>\n"
	    "        <backingStore type='block'>\n"
	    "          <format type='raw'/>\n"
	    "          <source dev='/dev/vg/base'/>\n"
	    "          <backingStore/>\n"
	    "        </backingStore>\n"
	    "      </backingStore>\n"
	    "      <target dev='vda' bus='virtio'/>\n";
	VR_AUTO(dom_def) def = dom_def_parse_string(xml, 0);
	VR_AUTO(dom_def) copy = NULL;
	VR_AUTO(dom_def) again = NULL;
	VR_AUTOFREE char *out = NULL, *plain = NULL, *copied = NULL;
	VR_AUTOFREE char *back = NULL;
	struct dom_disk *disk;

	if (def == NULL) {
		check(false, "backing: parse: %s", vr_error_message());
		return;
	}
	plain = dom_def_format(def, -1, 0);
	disk = &def->disks[0];
	disk->backing = xcalloc(2, sizeof *disk->backing);
	disk->backing[0].path = xstrdup("/i/mid.qcow2");
	disk->backing[0].format = xstrdup("qcow2");
	disk->backing[1].path = xstrdup("/dev/vg/base");
	disk->backing[1].format = xstrdup("raw");
	disk->nbacking = 2;
	disk->chain_known = true;
	out = dom_def_format(def, 3, 0);
	check(strstr(out, want) != NULL, "backing: nested chain formatted");
	copy = dom_def_copy(def);
	copied = dom_def_format(copy, -1, 0);
	check(strcmp(copied, plain) == 0, "backing: a copy has no chain");
	again = dom_def_parse_string(out, DOM_PARSE_VALIDATE);
	back = again != NULL ? dom_def_format(again, -1, 0) : NULL;
	check(back != NULL && strcmp(back, plain) == 0,
	    "backing: parsed back, the chain is dropped");
	dom_disk_backing_clear(disk);
	check(disk->backing == NULL && disk->nbacking == 0 &&
	    !disk->chain_known, "backing: cleared");
}

static void
test_parse_file(void)
{
	VR_AUTOFREE char *path = xprintf("%s/minimal.xml", data_dir);
	VR_AUTO(dom_def) def = dom_def_parse_file(path, DOM_PARSE_VALIDATE);
	VR_AUTO(dom_def) none = NULL;
	VR_AUTOFREE char *missing = xprintf("%s/no-such-file.xml", data_dir);

	check(def != NULL && strcmp(def->name, "minimal") == 0,
	    "file: parse %s", path);
	none = dom_def_parse_file(missing, 0);
	check(none == NULL && vr_error_code() == VR_ERR_SYSTEM,
	    "file: missing file reported");
}

/* <panic>: the iobase forms, the default address, checks in code */
static void
test_panic(void)
{
	static const struct {
		const char *iobase;
		int want;		/* -1: refused */
	} cases[] = {
		{ "0x505", 0x505 }, { "0X1F", 0x1f }, { "0x0000ffff", 0xffff },
		{ "1285", 1285 }, { "01285", 1285 }, { "65535", 0xffff },
		{ "0", 0 }, { "0x0", 0 },
		{ "0x10000", -1 }, { "65536", -1 }, { "0x", -1 }, { "", -1 },
		{ "-1", -1 }, { "+5", -1 }, { " 5", -1 }, { "5 ", -1 },
		{ "5a", -1 }, { "0x5g", -1 }, { "abc", -1 },
		{ "99999999999999999999", -1 }, { "0x-1", -1 },
		{ "0x0x5", -1 }, { "0x 5", -1 }, { "0x+5", -1 },
	};
	static const char head[] = "<domain type='kvm'><name>p</name>"
	    "<memory>1024</memory><os><type>hvm</type></os><devices>";
	VR_AUTOFREE char *out = NULL;
	struct dom_def *def;
	size_t i;
	char *xml;

	for (i = 0; i < nitems(cases); i++) {
		vr_error_reset();
		xml = xprintf("%s<panic model='isa'><address type='isa' "
		    "iobase='%s'/></panic></devices></domain>", head,
		    cases[i].iobase);
		def = dom_def_parse_string(xml, DOM_PARSE_VALIDATE);
		if (cases[i].want < 0)
			check(def == NULL && strstr(vr_error_message(),
			    "for <address iobase=...>: expected an I/O port")
			    != NULL, "panic: iobase '%s' refused (%s)",
			    cases[i].iobase, vr_error_message());
		else
			check(def != NULL && def->panic &&
			    def->panic_iobase == (unsigned int)cases[i].want,
			    "panic: iobase '%s' is 0x%x", cases[i].iobase,
			    (unsigned int)cases[i].want);
		dom_def_free(def);
		free(xml);
	}

	/* no iobase: the default, formatted without an address */
	xml = xprintf("%s<panic><address type='isa'/></panic></devices>"
	    "</domain>", head);
	def = dom_def_parse_string(xml, DOM_PARSE_VALIDATE);
	free(xml);
	out = def != NULL ? dom_def_format(def, -1, 0) : NULL;
	check(out != NULL && def->panic && def->panic_iobase == 0 &&
	    strstr(out, "    <panic model='isa'/>\n  </devices>") != NULL,
	    "panic: <address type='isa'/> is the default address");
	if (def == NULL) {
		check(false, "panic: parse: %s", vr_error_message());
		return;
	}

	/* definitions built in code */
	def->panic_iobase = 0x10000;
	check(dom_def_validate(def) < 0, "panic: iobase 0x10000 invalid");
	check_error("panic: iobase range message",
	    "panic iobase 0x10000 is not an I/O port (0x0 to 0xffff)");
	def->panic = false;
	def->panic_iobase = 0x506;
	check(dom_def_validate(def) < 0, "panic: iobase without device");
	check_error("panic: iobase without device message",
	    "panic iobase 0x506 without a panic device");
	def->panic_iobase = 0;
	check(dom_def_validate(def) == 0, "panic: none is valid");
	dom_def_free(def);
}

/* ---- threads: per-thread errors and a shared schema ---- */

static const char thread_good[] =
	"<domain type='kvm'><name>t</name><memory unit='MiB'>64</memory>"
	"<os><type>hvm</type></os></domain>";
static const char thread_bad[] =
	"<domain type='kvm'>\n<name>t</name>\n<memory>64</memory>\n"
	"<os><type>hvm</type></os>\n<devices><bogus/></devices></domain>";
static const char thread_malformed[] = "<domain>\n\n<name>t</domain>";

static void *
thread_main(void *arg)
{
	struct dom_def *def;
	int i, *failures = arg;

	for (i = 0; i < 200; i++) {
		def = dom_def_parse_string(thread_good, i % 10 == 0 ?
		    DOM_PARSE_VALIDATE : 0);
		if (def == NULL || def->mem_kib != 65536)
			(*failures)++;
		dom_def_free(def);
		if (dom_def_parse_string(thread_bad, DOM_PARSE_VALIDATE) !=
		    NULL || strcmp(vr_error_message(), "unsupported element "
		    "<bogus> (line 5, in <devices>)") != 0)
			(*failures)++;
		if (dom_def_parse_string(thread_malformed, 0) != NULL ||
		    strcmp(vr_error_message(), "line 3: Opening and ending "
		    "tag mismatch: name line 3 and domain") != 0)
			(*failures)++;
	}
	return NULL;
}

static void
test_threads(void)
{
	pthread_t t[4];
	int failures[4] = { 0 }, total = 0;
	size_t i;

	for (i = 0; i < nitems(t); i++)
		pthread_create(&t[i], NULL, thread_main, &failures[i]);
	for (i = 0; i < nitems(t); i++) {
		pthread_join(t[i], NULL);
		total += failures[i];
	}
	check(total == 0, "threads: 4 x 600 parses, errors per thread "
	    "(%d wrong)", total);
}

static void
test_schema(void)
{
	VR_AUTO_XMLDOC doc = vr_xml_parse_string(thread_bad);
	VR_AUTO_XMLDOC good = vr_xml_parse_string(thread_good);
	VR_AUTOFREE char *missing = xprintf("%s.missing", schema_path);

	check(doc != NULL && vr_xml_validate(doc, schema_path) < 0,
	    "schema: an unknown device is invalid");
	check_error("schema: first error with its line", "line 5: Extra "
	    "element devices in interleave (schema domain.rng)");
	check(good != NULL && vr_xml_validate(good, schema_path) == 0,
	    "schema: a minimal domain is valid");
	check(good != NULL && vr_xml_validate(good, missing) < 0 &&
	    vr_error_code() == VR_ERR_SYSTEM, "schema: missing schema file");
}

/* ---- golden files ---- */

static void *
golden_parse(const char *xml)
{
	return dom_def_parse_string(xml, DOM_PARSE_VALIDATE);
}

static char *
golden_format(const void *def)
{
	return dom_def_format(def, -1, 0);
}

static void *
golden_copy(const void *def)
{
	return dom_def_copy(def);
}

static void
golden_free(void *def)
{
	dom_def_free(def);
}

static void
test_golden(void)
{
	struct golden_ops ops = {
		.label = "domxml2xml", .schema_path = schema_path,
		.parse = golden_parse, .format = golden_format,
		.copy = golden_copy, .free = golden_free,
	};
	int accepted, refused;

	golden_run(&ops, data_dir, &accepted, &refused);
	check(accepted >= 30 && refused >= 15, "golden: at least 30 accepted "
	    "and 15 refused cases");
}

/* Not a pass/fail check: machines differ. The target is < 50 us. */
static void
test_timing(void)
{
	VR_AUTOFREE char *path = xprintf("%s/typical.xml", data_dir);
	VR_AUTOFREE char *xml = read_opt(path);
	struct dom_def *def;
	uint64_t start, parse_us, format_us;
	char *out;
	int i, n = 1000;

	if (xml == NULL)
		return;
	start = vr_time_us();
	for (i = 0; i < n; i++)
		dom_def_free(dom_def_parse_string(xml, 0));
	parse_us = vr_time_us() - start;
	def = dom_def_parse_string(xml, 0);
	start = vr_time_us();
	for (i = 0; i < n && def != NULL; i++) {
		out = dom_def_format(def, -1, 0);
		free(out);
	}
	format_us = vr_time_us() - start;
	dom_def_free(def);
	printf("# timing: %d parses of typical.xml in %.1f ms (%.1f us each),"
	    " %d formats in %.1f ms\n", n, parse_us / 1000.0,
	    (double)parse_us / n, n, format_us / 1000.0);
}

int
main(int argc, char **argv)
{
	const char *srcdir = getenv("abs_top_srcdir");
	const char *env_schema = getenv("VR_SCHEMA_DIR");
	VR_AUTOFREE char *schema_dir = NULL;

	if (srcdir == NULL)
		srcdir = ".";
	data_dir = argc > 1 ? xstrdup(argv[1]) :
	    xprintf("%s/tests/domxml2xml", srcdir);
	schema_dir = env_schema != NULL ? xstrdup(env_schema) :
	    xprintf("%s/xml-schemas", srcdir);
	schema_path = xprintf("%s/domain.rng", schema_dir);
	dom_def_set_schema_dir(schema_dir);
	vr_xml_init();

	test_xml_parse();
	test_xml_consumed();
	test_xml_dump_children();
	test_xml_getters();
	test_xml_escape();
	test_units();
	test_mac();
	test_generated();
	test_format_flags();
	test_backing_chain();
	test_parse_file();
	test_panic();
	test_threads();
	test_schema();
	test_golden();
	test_timing();

	vr_xml_cleanup();
	free(data_dir);
	free(schema_path);
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail != 0;
}
