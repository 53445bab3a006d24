/*
 * Device hotplug: attach, detach and update disks and interfaces of a
 * domain, live (QMP) and/or in its persistent definition.
 *
 * Live attach: the device joins a copy of the live definition with a free
 * PCI address, qemu_argv_disk_args()/qemu_argv_net_args() turn it into the
 * same properties a start would use, then blockdev-add (storage, format)
 * or getfd + netdev_add, then device_add. Any failure undoes the earlier
 * steps. Live detach: device_del, then the guest must let go: we wait for
 * DEVICE_DELETED (UNPLUG_WAIT_MS); only then are the backends deleted
 * (blockdev-del, netdev_del), the tap released, the files given back, and
 * the device dropped from the live definition. A guest that does not
 * answer in time keeps the device (QEMU still has it); if it lets go
 * later, the event finishes the removal then (on a thread, with the job);
 * a daemon restart in between forgets that (the device stays listed).
 * The status file is rewritten after each change. Cdrom media and link
 * state changes are in qemu-hotplug-update.c.
 *
 * PCI addresses: on pc (i440fx) a hot-plugged device takes the first free
 * slot on pci.0 (from slot 3, as at start) in QEMU's own view (query-pci).
 * On q35, pcie.0 takes no hotplug: the device goes to the first
 * pcie-root-port of the definition with nothing behind it. Vireo adds no
 * spare root ports by itself: a q35 domain that wants hotplug declares
 * them (<controller type='pci' model='pcie-root-port'/>, one per device).
 * With --config too, the persistent definition gets the same address, so
 * the next boot puts the device where the guest saw it.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libxml/tree.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "qemu-argv.h"
#include "qemu-domain.h"
#include "qemu-hotplug-priv.h"
#include "qmp.h"
#include "util.h"
#include "xml-util.h"
#include "xmalloc.h"

VR_LOG_MODULE("qemu.hotplug");

#define UNPLUG_WAIT_MS	10000
#define QMP_FD_TIMEOUT_MS 30000
#define PCI_FIRST_SLOT_PC 3
#define PCI_NSLOT	32

/* A device_del whose DEVICE_DELETED came too late for its detach. */
struct qemu_unplug {
	char			*id;		/* QEMU device id */
	enum hp_kind		 kind;
	char			*key;		/* disk target, interface MAC */
	char			*netdev;	/* hostnetN (interfaces) */
	struct qemu_unplug	*next;
};

void
hp_match_clear(struct hp_match *m)
{
	free(m->target);
	memset(m, 0, sizeof *m);
}

void
hp_err_save(struct hp_err *e)
{
	e->code = vr_error_code();
	snprintf(e->msg, sizeof e->msg, "%s", vr_error_message());
}

void
hp_err_restore(const struct hp_err *e)
{
	vr_error(e->code != VR_ERR_OK ? e->code : VR_ERR_INTERNAL, "%s",
	    e->msg);
}

/* device XML */

static int
hp_kind_of(const xmlNode *root, enum hp_kind *kind)
{
	if (xmlStrcmp(root->name, BAD_CAST "disk") == 0)
		*kind = HP_DISK;
	else if (xmlStrcmp(root->name, BAD_CAST "interface") == 0)
		*kind = HP_NET;
	else {
		vr_error(VR_ERR_UNSUPPORTED, "device <%s> cannot be attached "
		    "or detached (only <disk> and <interface>)",
		    (const char *)root->name);
		return -1;
	}
	return 0;
}

/*
 * One <disk> or <interface>, parsed as the domain parser would inside
 * <devices>: a definition holding just that device.
 */
struct dom_def *
hp_parse_device(const char *xml, enum hp_kind *kind)
{
	VR_AUTO_XMLDOC doc = NULL;
	VR_AUTOFREE char *wrapped = NULL;
	struct dom_def *def;
	xmlBuffer *buf;
	xmlNode *root;

	if ((doc = vr_xml_parse_string(xml)) == NULL)
		return NULL;
	if ((root = xmlDocGetRootElement(doc)) == NULL) {
		vr_error(VR_ERR_XML, "empty device XML");
		return NULL;
	}
	if (hp_kind_of(root, kind) < 0)
		return NULL;
	buf = xmlBufferCreate();
	xmlNodeDump(buf, doc, root, 0, 0);
	wrapped = xprintf("<domain type='qemu'><name>device</name>"
	    "<memory>65536</memory><os><type>hvm</type></os>"
	    "<devices>%s</devices></domain>",
	    (const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	if ((def = dom_def_parse_string(wrapped, DOM_PARSE_VALIDATE)) == NULL)
		return NULL;
	if ((*kind == HP_DISK && def->ndisks != 1) ||
	    (*kind == HP_NET && def->nnets != 1)) {
		dom_def_free(def);
		vr_error(VR_ERR_XML, "expected one <%s>", *kind == HP_DISK ?
		    "disk" : "interface");
		return NULL;
	}
	return def;
}

static char *
hp_child_attr(xmlNode *root, const char *elem, const char *attr)
{
	xmlNode *n;
	xmlChar *v;
	char *s;

	for (n = root->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE ||
		    xmlStrcmp(n->name, BAD_CAST elem) != 0)
			continue;
		if ((v = xmlGetProp(n, BAD_CAST attr)) == NULL)
			return NULL;
		s = xstrdup((const char *)v);
		xmlFree(v);
		return s;
	}
	return NULL;
}

/*
 * What a detach request names: a disk by its target, an interface by its
 * MAC, else by its type (which must then be unique). Nothing else of the
 * XML matters, as with libvirt.
 */
int
hp_parse_match(const char *xml, struct hp_match *m)
{
	VR_AUTO_XMLDOC doc = NULL;
	VR_AUTOFREE char *mac = NULL;
	xmlNode *root;
	xmlChar *type;

	memset(m, 0, sizeof *m);
	m->net_type = -1;
	if ((doc = vr_xml_parse_string(xml)) == NULL)
		return -1;
	if ((root = xmlDocGetRootElement(doc)) == NULL) {
		vr_error(VR_ERR_XML, "empty device XML");
		return -1;
	}
	if (hp_kind_of(root, &m->kind) < 0)
		return -1;
	if (m->kind == HP_DISK) {
		m->target = hp_child_attr(root, "target", "dev");
		if (m->target == NULL) {
			vr_error(VR_ERR_XML, "<disk> needs <target dev=...> "
			    "to name the disk");
			return -1;
		}
		return 0;
	}
	if ((mac = hp_child_attr(root, "mac", "address")) != NULL) {
		if (dom_mac_parse(mac, m->mac) < 0) {
			vr_error(VR_ERR_XML, "interface MAC '%s' is invalid",
			    mac);
			return -1;
		}
		m->has_mac = true;
	}
	if ((type = xmlGetProp(root, BAD_CAST "type")) != NULL) {
		m->net_type = dom_net_type_from_string((const char *)type);
		if (m->net_type < 0)
			vr_error(VR_ERR_XML, "interface type '%s' is not "
			    "supported", (const char *)type);
		xmlFree(type);
		if (m->net_type < 0)
			return -1;
	}
	return 0;
}

/* Index of the device m names in def; -1 with an error naming it. */
int
hp_find(const struct qemu_dom *d, const struct dom_def *def,
    const struct hp_match *m)
{
	char mac[18];
	size_t i;
	int found = -1;

	if (m->kind == HP_DISK) {
		for (i = 0; i < def->ndisks; i++)
			if (strcmp(def->disks[i].target_dev, m->target) == 0)
				return (int)i;
		vr_error(VR_ERR_INVALID_ARG, "domain '%s' has no disk '%s'",
		    d->name, m->target);
		return -1;
	}
	for (i = 0; i < def->nnets; i++) {
		const struct dom_net *n = &def->nets[i];

		if (m->has_mac && memcmp(n->mac, m->mac, 6) != 0)
			continue;
		if (m->net_type >= 0 && (int)n->type != m->net_type)
			continue;
		if (found >= 0) {
			vr_error(VR_ERR_INVALID_ARG, "domain '%s' has more "
			    "than one interface of type '%s'; name one with "
			    "--mac", d->name,
			    dom_net_type_to_string(n->type));
			return -1;
		}
		found = (int)i;
	}
	if (found >= 0)
		return found;
	if (m->has_mac) {
		dom_mac_format(m->mac, mac);
		vr_error(VR_ERR_INVALID_ARG, "domain '%s' has no interface "
		    "with MAC %s", d->name, mac);
	} else
		vr_error(VR_ERR_INVALID_ARG, "domain '%s' has no interface%s%s",
		    d->name, m->net_type >= 0 ? " of type " : "",
		    m->net_type >= 0 ? dom_net_type_to_string(m->net_type) :
		    "");
	return -1;
}

/* Drop device i of kind from def (its members freed by dom_def_free). */
static void
hp_remove(struct dom_def *def, enum hp_kind kind, size_t i)
{
	struct dom_def *tmp = xcalloc(1, sizeof *tmp);

	if (kind == HP_DISK) {
		tmp->disks = xcalloc(1, sizeof *tmp->disks);
		tmp->disks[0] = def->disks[i];
		tmp->ndisks = 1;
		memmove(&def->disks[i], &def->disks[i + 1],
		    (def->ndisks - i - 1) * sizeof *def->disks);
		def->ndisks--;
	} else {
		tmp->nets = xcalloc(1, sizeof *tmp->nets);
		tmp->nets[0] = def->nets[i];
		tmp->nnets = 1;
		memmove(&def->nets[i], &def->nets[i + 1],
		    (def->nnets - i - 1) * sizeof *def->nets);
		def->nnets--;
	}
	dom_def_free(tmp);
}

/* Move the one device of dev (from hp_parse_device) to the end of def. */
static size_t
hp_append(struct dom_def *def, struct dom_def *dev, enum hp_kind kind)
{
	if (kind == HP_DISK) {
		def->disks = xreallocarray(def->disks, def->ndisks + 1,
		    sizeof *def->disks);
		def->disks[def->ndisks] = dev->disks[0];
		memset(&dev->disks[0], 0, sizeof dev->disks[0]);
		dev->ndisks = 0;
		return def->ndisks++;
	}
	def->nets = xreallocarray(def->nets, def->nnets + 1,
	    sizeof *def->nets);
	def->nets[def->nnets] = dev->nets[0];
	memset(&dev->nets[0], 0, sizeof dev->nets[0]);
	dev->nnets = 0;
	return def->nnets++;
}

static struct dom_addr *
hp_addr(struct dom_def *def, enum hp_kind kind, size_t i)
{
	return kind == HP_DISK ? &def->disks[i].addr : &def->nets[i].addr;
}

static bool
hp_is_pci(const struct dom_def *def, enum hp_kind kind, size_t i)
{
	return kind == HP_NET || def->disks[i].bus == DOM_DISK_BUS_VIRTIO;
}

static bool
hp_q35(const struct dom_def *def)
{
	return def->os_machine != NULL &&
	    strstr(def->os_machine, "q35") != NULL;
}

/* QMP */


struct json_object *
hp_args1(const char *key, const char *val)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, key, json_object_new_string(val));
	return o;
}

/* Undo steps: errors are logged, the first error stays the caller's. */
static void
hp_qmp_quiet(struct qemu_dom *d, const char *cmd, struct json_object *args)
{
	struct hp_err e;

	hp_err_save(&e);
	if (qemu_process_qmp(d, cmd, args, NULL) < 0)
		log_warn("domain '%s': %s: %s", d->name, cmd,
		    vr_error_message());
	hp_err_restore(&e);
}

void
hp_blockdev_del(struct qemu_dom *d, const char *id, const char *node)
{
	char name[64];

	snprintf(name, sizeof name, "%s-%s", id, node);
	hp_qmp_quiet(d, "blockdev-del", hp_args1("node-name", name));
}

/* PCI addresses */

static const char *
hp_jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int64_t
hp_jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return -1;
	return json_object_get_int64(v);
}

/* The devices of bus 0 from query-pci; NULL with an error. */
static struct json_object *
hp_pci_root_devices(struct json_object *r)
{
	struct json_object *bus, *devs;
	size_t i;

	for (i = 0; r != NULL && json_object_is_type(r, json_type_array) &&
	    i < json_object_array_length(r); i++) {
		bus = json_object_array_get_idx(r, i);
		if (hp_jint(bus, "bus") == 0 &&
		    json_object_object_get_ex(bus, "devices", &devs))
			return devs;
	}
	vr_error(VR_ERR_QEMU, "query-pci: no bus 0");
	return NULL;
}

/* Does a root port (qdev id) have anything behind it? */
static bool
hp_port_busy(struct json_object *devs, const char *qdev_id)
{
	struct json_object *dev, *br, *sub;
	size_t i;

	for (i = 0; i < json_object_array_length(devs); i++) {
		const char *id;

		dev = json_object_array_get_idx(devs, i);
		if ((id = hp_jstr(dev, "qdev_id")) == NULL ||
		    strcmp(id, qdev_id) != 0)
			continue;
		if (!json_object_object_get_ex(dev, "pci_bridge", &br))
			return true;	/* not a bridge: unusable */
		return json_object_object_get_ex(br, "devices", &sub) &&
		    json_object_array_length(sub) > 0;
	}
	return true;	/* not in QEMU */
}

static bool
hp_addr_used(const struct dom_def *live, unsigned int bus, unsigned int slot)
{
	size_t i;

	for (i = 0; i < live->ndisks; i++)
		if (live->disks[i].addr.type == DOM_ADDR_PCI &&
		    live->disks[i].addr.bus == bus &&
		    live->disks[i].addr.slot == slot)
			return true;
	for (i = 0; i < live->nnets; i++)
		if (live->nets[i].addr.type == DOM_ADDR_PCI &&
		    live->nets[i].addr.bus == bus &&
		    live->nets[i].addr.slot == slot)
			return true;
	for (i = 0; i < live->ncontrollers; i++)
		if (live->controllers[i].addr.type == DOM_ADDR_PCI &&
		    live->controllers[i].addr.bus == bus &&
		    live->controllers[i].addr.slot == slot)
			return true;
	return false;
}

/*
 * A free PCI address for a device hot-plugged into the running domain,
 * from QEMU's view of its buses (see the top of this file).
 */
static int
hp_pci_pick(struct qemu_dom *d, const struct dom_def *live,
    struct dom_addr *addr)
{
	struct json_object *r = NULL, *devs;
	bool used[PCI_NSLOT] = { false };
	char id[32];
	size_t i;
	int ret = -1;

	if (qemu_process_qmp(d, "query-pci", NULL, &r) < 0)
		return -1;
	if ((devs = hp_pci_root_devices(r)) == NULL)
		goto out;
	memset(addr, 0, sizeof *addr);
	addr->type = DOM_ADDR_PCI;
	if (hp_q35(live)) {
		for (i = 0; i < live->ncontrollers; i++) {
			const struct dom_controller *c = &live->controllers[i];

			if (c->type != DOM_CONTROLLER_PCI || c->model !=
			    DOM_CONTROLLER_MODEL_PCIE_ROOT_PORT)
				continue;
			snprintf(id, sizeof id, "pci.%u", c->index);
			if (hp_port_busy(devs, id) ||
			    hp_addr_used(live, c->index, 0))
				continue;
			addr->bus = c->index;
			ret = 0;
			goto out;
		}
		vr_error(VR_ERR_UNSUPPORTED, "domain '%s' (machine '%s') has "
		    "no free pcie-root-port for a hot-plugged device: add "
		    "<controller type='pci' model='pcie-root-port'/> to its "
		    "definition (one per device)", d->name, live->os_machine);
		goto out;
	}
	for (i = 0; i < json_object_array_length(devs); i++) {
		int64_t s = hp_jint(json_object_array_get_idx(devs, i),
		    "slot");

		if (s >= 0 && s < PCI_NSLOT)
			used[s] = true;
	}
	for (i = PCI_FIRST_SLOT_PC; i < PCI_NSLOT; i++) {
		if (!used[i] && !hp_addr_used(live, 0, (unsigned int)i)) {
			addr->slot = (unsigned int)i;
			ret = 0;
			goto out;
		}
	}
	vr_error(VR_ERR_UNSUPPORTED, "domain '%s': no free PCI slot left on "
	    "bus 0 for a hot-plugged device", d->name);
out:
	json_object_put(r);
	return ret;
}

/* Interfaces: ids in QEMU */

/* The ids of /machine/peripheral (user-named devices); NULL on error. */
static struct json_object *
hp_peripherals(struct qemu_dom *d)
{
	struct json_object *r = NULL;

	if (qemu_process_qmp(d, "qom-list",
	    hp_args1("path", "/machine/peripheral"), &r) < 0)
		return NULL;
	return r;
}

/* The lowest N with no device netN. */
static int
hp_net_new_id(struct qemu_dom *d, unsigned int *id)
{
	struct json_object *r;
	char name[32];
	unsigned int n;
	size_t i;
	bool taken;

	if ((r = hp_peripherals(d)) == NULL)
		return -1;
	for (n = 0;; n++) {
		snprintf(name, sizeof name, "net%u", n);
		taken = false;
		for (i = 0; i < json_object_array_length(r); i++) {
			const char *pn = hp_jstr(json_object_array_get_idx(r,
			    i), "name");

			if (pn != NULL && strcmp(pn, name) == 0)
				taken = true;
		}
		if (!taken)
			break;
	}
	json_object_put(r);
	*id = n;
	return 0;
}

static char *
hp_qom_get_str(struct qemu_dom *d, const char *dev, const char *prop)
{
	struct json_object *args = json_object_new_object(), *r = NULL;
	char *path = xprintf("/machine/peripheral/%s", dev);
	char *s = NULL;

	json_object_object_add(args, "path", json_object_new_string(path));
	json_object_object_add(args, "property", json_object_new_string(prop));
	free(path);
	if (qemu_process_qmp(d, "qom-get", args, &r) < 0)
		return NULL;
	if (json_object_is_type(r, json_type_string))
		s = xstrdup(json_object_get_string(r));
	else
		vr_error(VR_ERR_QEMU, "qom-get %s %s: not a string", dev, prop);
	json_object_put(r);
	return s;
}

/* The QEMU id (netN) and netdev of the NIC with this MAC. */
int
hp_net_find_id(struct qemu_dom *d, const unsigned char mac[6],
    char **id, char **netdev)
{
	struct json_object *r;
	char want[18];
	size_t i;
	int ret = -1;

	*id = *netdev = NULL;
	if ((r = hp_peripherals(d)) == NULL)
		return -1;
	dom_mac_format(mac, want);
	for (i = 0; i < json_object_array_length(r); i++) {
		const char *pn = hp_jstr(json_object_array_get_idx(r, i),
		    "name");
		char *m;

		if (pn == NULL || strncmp(pn, "net", 3) != 0)
			continue;
		if ((m = hp_qom_get_str(d, pn, "mac")) == NULL)
			continue;
		if (strcasecmp(m, want) == 0) {
			free(m);
			*id = xstrdup(pn);
			*netdev = hp_qom_get_str(d, pn, "netdev");
			ret = *netdev != NULL ? 0 : -1;
			break;
		}
		free(m);
	}
	json_object_put(r);
	if (ret < 0 && *id == NULL)
		vr_error(VR_ERR_INTERNAL, "domain '%s': QEMU has no NIC with "
		    "MAC %s", d->name, want);
	if (ret < 0) {
		free(*id);
		*id = NULL;
	}
	return ret;
}

/* Security: volumes resolved, so that QEMU's user gets the real files. */

int
hp_resolve(const struct dom_def *def, struct dom_def **resolved,
    const struct dom_def **use)
{
	if (qemu_volumes_resolve(def, resolved) < 0)
		return -1;
	*use = *resolved != NULL ? *resolved : def;
	return 0;
}

/* Give back what disk i of def held, unless other disks of def use it. */
void
hp_release_disk(struct qemu_dom *d, const struct dom_def *def, size_t i)
{
	VR_AUTO(dom_def) resolved = NULL;
	const struct dom_def *use;
	struct hp_err e;

	hp_err_save(&e);
	if (hp_resolve(def, &resolved, &use) < 0)
		log_warn("domain '%s': disk '%s' not given back: %s", d->name,
		    def->disks[i].target_dev, vr_error_message());
	else
		qemu_security_release_disk(d, use, i);
	hp_err_restore(&e);
}

/* Live attach */

static int
hp_attach_disk_live(struct qemu_dom *d, const struct dom_def *newlive,
    size_t i)
{
	VR_AUTO(dom_def) resolved = NULL;
	const struct dom_def *use;
	const struct dom_disk *disk = &newlive->disks[i];
	struct qemu_dev_args a;
	struct json_object *o;
	bool storage = false, format = false, granted = false;
	struct hp_err e;

	if (disk->bus != DOM_DISK_BUS_VIRTIO && disk->bus != DOM_DISK_BUS_SCSI) {
		vr_error(VR_ERR_UNSUPPORTED, "disk '%s': bus '%s' has no "
		    "hotplug (use virtio or scsi)", disk->target_dev,
		    dom_disk_bus_to_string(disk->bus));
		return -1;
	}
	if (hp_resolve(newlive, &resolved, &use) < 0 ||
	    qemu_argv_disk_args(use, i, &a) < 0)
		return -1;
	if (qemu_security_grant_disk(d, &use->disks[i]) < 0)
		goto fail;
	granted = true;
	if (a.backend != NULL) {
		o = vr_steal(&a.backend);
		if (qemu_process_qmp(d, "blockdev-add", o, NULL) < 0)
			goto fail;
		storage = true;
		o = vr_steal(&a.format);
		if (qemu_process_qmp(d, "blockdev-add", o, NULL) < 0)
			goto fail;
		format = true;
	}
	o = vr_steal(&a.device);
	if (qemu_process_qmp(d, "device_add", o, NULL) < 0)
		goto fail;
	log_info("domain '%s': disk '%s' attached as %s", d->name,
	    disk->target_dev, a.id);
	qemu_dev_args_clear(&a);
	return 0;
fail:
	hp_err_save(&e);
	if (format)
		hp_blockdev_del(d, a.id, "format");
	if (storage)
		hp_blockdev_del(d, a.id, "storage");
	if (granted)
		qemu_security_release_disk(d, use, i);
	qemu_dev_args_clear(&a);
	hp_err_restore(&e);
	return -1;
}

static int
hp_attach_net_live(struct qemu_dom *d, struct dom_def *newlive, size_t i)
{
	struct dom_net *net = &newlive->nets[i];
	struct qemu_dev_args a = { 0 };
	struct json_object *o;
	char fdname[32];
	char *tap = NULL;
	unsigned int id;
	bool has_port, fd_given = false, netdev = false;
	int fd = -1;
	struct hp_err e;

	has_port = net->type != DOM_NET_USER;
	if (hp_net_new_id(d, &id) < 0)
		return -1;
	snprintf(fdname, sizeof fdname, "fd-net%u", id);
	if (has_port) {
		if (qemu_drv.env.net_port_open == NULL) {
			vr_error(VR_ERR_UNSUPPORTED, "interface type '%s' "
			    "needs the network driver",
			    dom_net_type_to_string(net->type));
			return -1;
		}
		if (qemu_drv.env.net_port_open(net, d->name, &fd, &tap) < 0)
			return -1;
		free(net->target_dev);
		net->target_dev = tap;
	}
	if (qemu_argv_net_args(newlive, i, id, has_port ? fdname : NULL,
	    &a) < 0)
		goto fail;
	if (has_port) {
		if (qemu_process_qmp_fd(d, "getfd", hp_args1("fdname", fdname), fd,
		    NULL, QMP_FD_TIMEOUT_MS) < 0)
			goto fail;
		fd_given = true;
		close(fd);
		fd = -1;
	}
	o = vr_steal(&a.backend);
	if (qemu_process_qmp(d, "netdev_add", o, NULL) < 0)
		goto fail;
	netdev = true;
	fd_given = false;	/* the netdev holds it now */
	o = vr_steal(&a.device);
	if (qemu_process_qmp(d, "device_add", o, NULL) < 0)
		goto fail;
	if (net->link == DOM_NET_LINK_DOWN && hp_set_link(d, a.id, false) < 0)
		log_warn("domain '%s': %s: link not set down: %s", d->name,
		    a.id, vr_error_message());
	log_info("domain '%s': interface %s attached as net%u", d->name,
	    net->target_dev != NULL ? net->target_dev : "(user)", id);
	qemu_dev_args_clear(&a);
	return 0;
fail:
	hp_err_save(&e);
	if (netdev) {
		snprintf(fdname, sizeof fdname, "hostnet%u", id);
		hp_qmp_quiet(d, "netdev_del", hp_args1("id", fdname));
	} else if (fd_given)
		hp_qmp_quiet(d, "closefd", hp_args1("fdname", fdname));
	if (fd >= 0)
		close(fd);
	if (has_port && net->target_dev != NULL &&
	    qemu_drv.env.net_port_close != NULL)
		qemu_drv.env.net_port_close(net, d->name, net->target_dev);
	qemu_dev_args_clear(&a);
	hp_err_restore(&e);
	return -1;
}

/* Live detach */

/* What a removal needs once the guest let go. */
struct hp_gone {
	enum hp_kind	 kind;
	const char	*key;		/* disk target, interface MAC */
	const char	*id;		/* QEMU device id */
	const char	*netdev;	/* interfaces */
};

/*
 * The guest released the device: delete its backends, give back what it
 * held, drop it from the live definition. Job held.
 */
static void
hp_unplug_finish(struct qemu_dom *d, const struct hp_gone *g)
{
	struct hp_match m = { .kind = g->kind, .net_type = -1 };
	struct dom_def *live;
	int idx;

	if (g->kind == HP_DISK) {
		m.target = xstrdup(g->key);
	} else {
		m.has_mac = true;
		(void)dom_mac_parse(g->key, m.mac);
	}
	pthread_mutex_lock(&d->lock);
	live = d->live != NULL ? dom_def_copy(d->live) : NULL;
	pthread_mutex_unlock(&d->lock);
	if (live == NULL || (idx = hp_find(d, live, &m)) < 0) {
		dom_def_free(live);
		hp_match_clear(&m);
		return;
	}
	if (g->kind == HP_DISK) {
		hp_blockdev_del(d, g->id, "format");
		hp_blockdev_del(d, g->id, "storage");
		hp_release_disk(d, live, (size_t)idx);
	} else {
		const struct dom_net *n = &live->nets[idx];

		hp_qmp_quiet(d, "netdev_del", hp_args1("id", g->netdev));
		if (n->type != DOM_NET_USER && n->target_dev != NULL &&
		    qemu_drv.env.net_port_close != NULL)
			qemu_drv.env.net_port_close(n, d->name,
			    n->target_dev);
	}
	hp_remove(live, g->kind, (size_t)idx);
	pthread_mutex_lock(&d->lock);
	if (d->live != NULL) {
		dom_def_free(d->live);
		d->live = vr_steal(&live);
		qemu_status_write_locked(d);
	}
	pthread_mutex_unlock(&d->lock);
	log_info("domain '%s': %s '%s' detached", d->name,
	    g->kind == HP_DISK ? "disk" : "interface", g->key);
	dom_def_free(live);
	hp_match_clear(&m);
}

static void
hp_late_free(struct qemu_unplug *u)
{
	free(u->id);
	free(u->key);
	free(u->netdev);
	free(u);
}

struct hp_late {
	struct qemu_dom		*d;	/* referenced */
	struct qemu_unplug	*u;
};

static void *
hp_late_thread(void *arg)
{
	struct hp_late *late = arg;
	struct qemu_unplug *u = late->u;
	struct qemu_dom *d = late->d;
	struct hp_gone g;

	free(late);
	g.kind = u->kind;
	g.key = u->key;
	g.id = u->id;
	g.netdev = u->netdev;
	if (qemu_dom_job_begin(d, "unplug") == 0) {
		log_info("domain '%s': guest released '%s' late", d->name,
		    u->key);
		hp_unplug_finish(d, &g);
		qemu_dom_job_end(d);
	} else
		log_warn("domain '%s': cannot finish unplug of '%s': %s",
		    d->name, u->key, vr_error_message());
	qemu_dom_unref(d);
	hp_late_free(u);
	return NULL;
}

void
qemu_hotplug_device_deleted_locked(struct qemu_dom *d,
    struct json_object *data)
{
	struct qemu_unplug **pp, *u;
	const char *id = hp_jstr(data, "device");
	struct hp_late *late;
	pthread_t t;

	if (id == NULL)
		return;
	if (d->unplug_wait != NULL && strcmp(d->unplug_wait, id) == 0) {
		d->unplug_done = true;
		pthread_cond_broadcast(&d->cond);
		return;
	}
	for (pp = &d->unplug_late; (u = *pp) != NULL; pp = &u->next) {
		if (strcmp(u->id, id) != 0)
			continue;
		*pp = u->next;
		u->next = NULL;
		__atomic_add_fetch(&d->refs, 1, __ATOMIC_SEQ_CST);
		late = xcalloc(1, sizeof *late);
		late->d = d;
		late->u = u;
		if (pthread_create(&t, NULL, hp_late_thread, late) != 0) {
			log_error("domain '%s': cannot finish unplug of '%s'",
			    d->name, u->key);
			/* not the last reference: the caller has one */
			__atomic_sub_fetch(&d->refs, 1, __ATOMIC_SEQ_CST);
			hp_late_free(u);
			free(late);
			return;
		}
		pthread_detach(t);
		return;
	}
}

void
qemu_hotplug_forget_locked(struct qemu_dom *d)
{
	struct qemu_unplug *u;

	while ((u = d->unplug_late) != NULL) {
		d->unplug_late = u->next;
		hp_late_free(u);
	}
	free(d->unplug_wait);
	d->unplug_wait = NULL;
}

static int
hp_detach_live(struct qemu_dom *d, const struct hp_match *m)
{
	VR_AUTO(dom_def) live = NULL;
	VR_AUTOFREE char *id = NULL;
	VR_AUTOFREE char *netdev = NULL;
	struct timespec deadline;
	struct hp_gone g;
	char key[64];
	bool done;
	int idx, rc = 0;

	pthread_mutex_lock(&d->lock);
	live = d->live != NULL ? dom_def_copy(d->live) : NULL;
	pthread_mutex_unlock(&d->lock);
	if (live == NULL) {
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' is not "
		    "running", d->name);
		return -1;
	}
	if ((idx = hp_find(d, live, m)) < 0)
		return -1;
	if (m->kind == HP_DISK) {
		const struct dom_disk *disk = &live->disks[idx];

		snprintf(key, sizeof key, "%s", disk->target_dev);
		if (disk->bus != DOM_DISK_BUS_VIRTIO &&
		    disk->bus != DOM_DISK_BUS_SCSI) {
			vr_error(VR_ERR_UNSUPPORTED, "disk '%s': bus '%s' has "
			    "no hotplug (use virtio or scsi)", key,
			    dom_disk_bus_to_string(disk->bus));
			return -1;
		}
		id = xmalloc(64);
		if (qemu_argv_disk_id(live, (size_t)idx, id, 64) < 0)
			return -1;
	} else {
		dom_mac_format(live->nets[idx].mac, key);
		if (hp_net_find_id(d, live->nets[idx].mac, &id, &netdev) < 0)
			return -1;
	}
	pthread_mutex_lock(&d->lock);
	free(d->unplug_wait);
	d->unplug_wait = xstrdup(id);
	d->unplug_done = false;
	pthread_mutex_unlock(&d->lock);
	if (qemu_process_qmp(d, "device_del", hp_args1("id", id), NULL) < 0) {
		pthread_mutex_lock(&d->lock);
		free(d->unplug_wait);
		d->unplug_wait = NULL;
		pthread_mutex_unlock(&d->lock);
		return -1;
	}
	vr_deadline_after_ms(&deadline, UNPLUG_WAIT_MS);
	pthread_mutex_lock(&d->lock);
	while (!d->unplug_done && d->mon != NULL && rc == 0)
		rc = pthread_cond_clockwait(&d->cond, &d->lock,
		    CLOCK_MONOTONIC, &deadline);
	done = d->unplug_done;
	free(d->unplug_wait);
	d->unplug_wait = NULL;
	if (!done && d->mon != NULL) {
		struct qemu_unplug *u = xcalloc(1, sizeof *u);

		/* QEMU keeps it until the guest lets go: finish then */
		u->id = xstrdup(id);
		u->kind = m->kind;
		u->key = xstrdup(key);
		u->netdev = xstrdup_null(netdev);
		u->next = d->unplug_late;
		d->unplug_late = u;
	}
	pthread_mutex_unlock(&d->lock);
	if (!done) {
		vr_error(VR_ERR_TIMEOUT, "guest did not release device '%s' "
		    "within %d s (is the guest OS running with ACPI hotplug "
		    "support?)", key, UNPLUG_WAIT_MS / 1000);
		return -1;
	}
	g.kind = m->kind;
	g.key = key;
	g.id = id;
	g.netdev = netdev;
	hp_unplug_finish(d, &g);
	return 0;
}

/* Requests */

/*
 * Look up, take the job, resolve the flags (VR_DOM_AFFECT_*: neither is
 * "current", PERSISTENT the config and, if running, the live domain) and
 * check the domain can take them. Job held on success.
 */
struct qemu_dom *
hp_begin(const char *key, const char *job, unsigned int *flags)
{
	struct qemu_dom *d;
	unsigned int f = *flags;
	bool active;

	if ((d = qemu_dom_lookup(key)) == NULL)
		return NULL;
	if (qemu_dom_job_begin(d, job) < 0) {
		qemu_dom_unref(d);
		return NULL;
	}
	pthread_mutex_lock(&d->lock);
	active = d->live != NULL && d->mon != NULL;
	if (f & VR_DOM_AFFECT_PERSISTENT)
		f = VR_DOM_AFFECT_CONFIG | (active ? VR_DOM_AFFECT_LIVE : 0);
	if ((f & (VR_DOM_AFFECT_LIVE | VR_DOM_AFFECT_CONFIG)) == 0)
		f = active ? VR_DOM_AFFECT_LIVE : VR_DOM_AFFECT_CONFIG;
	if ((f & VR_DOM_AFFECT_LIVE) && !active) {
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' is not "
		    "running", d->name);
		goto fail;
	}
	if ((f & VR_DOM_AFFECT_CONFIG) && d->def == NULL) {
		vr_error(VR_ERR_OPERATION_INVALID, "cannot change the "
		    "persistent config of transient domain '%s'", d->name);
		goto fail;
	}
	pthread_mutex_unlock(&d->lock);
	*flags = f;
	return d;
fail:
	pthread_mutex_unlock(&d->lock);
	qemu_dom_job_end(d);
	qemu_dom_unref(d);
	return NULL;
}

void
hp_end(struct qemu_dom *d)
{
	qemu_dom_job_end(d);
	qemu_dom_unref(d);
}

/* A new persistent definition must still start (taps and volumes aside). */
int
hp_config_check(const struct dom_def *def)
{
	VR_AUTO(dom_def) copy = dom_def_copy(def);
	size_t i;

	for (i = 0; i < copy->ndisks; i++)
		if (copy->disks[i].type == DOM_DISK_TYPE_VOLUME &&
		    copy->disks[i].src_path == NULL)
			copy->disks[i].src_path = xstrdup("/volume");
	if (dom_def_validate(copy) < 0 ||
	    qemu_argv_check(copy, qemu_drv.env.qemu_binary) < 0) {
		vr_error_prefix("persistent definition of '%s'", def->name);
		return -1;
	}
	return 0;
}

/* Job held: the new persistent definition, saved, replaces the old. */
int
hp_config_commit(struct qemu_dom *d, struct dom_def **newdef)
{
	if (qemu_dom_save_config(*newdef) < 0)
		return -1;
	pthread_mutex_lock(&d->lock);
	dom_def_free(d->def);
	d->def = vr_steal(newdef);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

/* Job held: the new live definition replaces the old; status rewritten. */
void
hp_live_commit(struct qemu_dom *d, struct dom_def **newlive)
{
	pthread_mutex_lock(&d->lock);
	if (d->live != NULL) {
		dom_def_free(d->live);
		d->live = vr_steal(newlive);
		qemu_status_write_locked(d);
	}
	pthread_mutex_unlock(&d->lock);
}

static int
hp_attach_live(struct qemu_dom *d, struct dom_def *newlive, enum hp_kind kind,
    size_t i)
{
	if (dom_def_validate(newlive) < 0)
		return -1;
	if (hp_is_pci(newlive, kind, i) &&
	    hp_addr(newlive, kind, i)->type == DOM_ADDR_NONE &&
	    hp_pci_pick(d, newlive, hp_addr(newlive, kind, i)) < 0)
		return -1;
	if (kind == HP_DISK)
		return hp_attach_disk_live(d, newlive, i);
	return hp_attach_net_live(d, newlive, i);
}

int
qemu_attach_device(const char *key, const char *xml, unsigned int flags)
{
	VR_AUTO(dom_def) dev = NULL;
	VR_AUTO(dom_def) devcfg = NULL;
	VR_AUTO(dom_def) newlive = NULL;
	VR_AUTO(dom_def) newdef = NULL;
	struct dom_addr addr = { .type = DOM_ADDR_NONE };
	enum hp_kind kind;
	struct qemu_dom *d;
	size_t i, j = 0;
	int ret = -1;

	if ((dev = hp_parse_device(xml, &kind)) == NULL)
		return -1;
	if ((d = hp_begin(key, "attach-device", &flags)) == NULL)
		return -1;
	pthread_mutex_lock(&d->lock);
	if (flags & VR_DOM_AFFECT_LIVE)
		newlive = dom_def_copy(d->live);
	if (flags & VR_DOM_AFFECT_CONFIG)
		newdef = dom_def_copy(d->def);
	pthread_mutex_unlock(&d->lock);
	if (newdef != NULL) {
		devcfg = dom_def_copy(dev);	/* the same MAC */
		j = hp_append(newdef, devcfg, kind);
		if (hp_config_check(newdef) < 0)
			goto end;
	}
	if (newlive != NULL) {
		i = hp_append(newlive, dev, kind);
		if (hp_attach_live(d, newlive, kind, i) < 0)
			goto end;
		addr = *hp_addr(newlive, kind, i);
		hp_live_commit(d, &newlive);
	}
	if (newdef != NULL) {
		/* where the guest saw it, so the next boot matches */
		if (addr.type == DOM_ADDR_PCI &&
		    hp_addr(newdef, kind, j)->type == DOM_ADDR_NONE) {
			*hp_addr(newdef, kind, j) = addr;
			if (hp_config_check(newdef) < 0)
				goto end;
		}
		if (hp_config_commit(d, &newdef) < 0)
			goto end;
	}
	ret = 0;
end:
	hp_end(d);
	return ret;
}

int
qemu_detach_device(const char *key, const char *xml, unsigned int flags)
{
	VR_AUTO(dom_def) newdef = NULL;
	struct hp_match m;
	struct qemu_dom *d;
	int idx, ret = -1;

	if (hp_parse_match(xml, &m) < 0) {
		hp_match_clear(&m);
		return -1;
	}
	if ((d = hp_begin(key, "detach-device", &flags)) == NULL) {
		hp_match_clear(&m);
		return -1;
	}
	if (flags & VR_DOM_AFFECT_CONFIG) {
		pthread_mutex_lock(&d->lock);
		newdef = dom_def_copy(d->def);
		pthread_mutex_unlock(&d->lock);
		if ((idx = hp_find(d, newdef, &m)) < 0)
			goto end;
		hp_remove(newdef, m.kind, (size_t)idx);
	}
	if ((flags & VR_DOM_AFFECT_LIVE) && hp_detach_live(d, &m) < 0)
		goto end;
	if (newdef != NULL && hp_config_commit(d, &newdef) < 0)
		goto end;
	ret = 0;
end:
	hp_match_clear(&m);
	hp_end(d);
	return ret;
}
