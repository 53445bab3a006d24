/*
 * Disks on the QEMU command line: where each sits (IDE, SATA, SCSI
 * addresses; virtio on PCI), its -blockdev nodes (storage, then format)
 * and its -device. Part of qemu-argv.c's build (qemu-argv-priv.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "err.h"
#include "qemu-argv-priv.h"
#include "xmalloc.h"

/* disks: placement */

/* vda -> 0, sdb -> 1, hdaa -> 26; -1 when the name has no index. */
static int
disk_index(const char *dev)
{
	const char *p;
	long idx = 0;

	if (dev == NULL || strlen(dev) < 3 || strlen(dev) > 8)
		return -1;
	for (p = dev + 2; *p != '\0'; p++) {
		if (*p < 'a' || *p > 'z')
			return -1;
		idx = idx * 26 + (*p - 'a' + 1);
	}
	return (int)(idx - 1);
}

static int
disk_place_drive(const struct dom_disk *d, int idx,
    struct disk_place *p)
{
	const struct dom_addr *a = &d->addr;
	bool drv = a->type == DOM_ADDR_DRIVE;

	switch (d->bus) {
	case DOM_DISK_BUS_IDE:
		p->ctrl = drv ? a->controller : 0;
		p->bus = drv ? a->drive_bus : (unsigned int)idx / 2;
		p->unit = drv ? a->unit : (unsigned int)idx % 2;
		if (p->ctrl != 0 || p->bus > 1 || p->unit > 1 ||
		    (drv && a->target != 0)) {
			vr_error(VR_ERR_XML, "disk '%s': IDE address out of "
			    "range (controller 0, bus 0-1, unit 0-1)",
			    d->target_dev);
			return -1;
		}
		snprintf(p->alias, sizeof p->alias, "ide0-%u-%u", p->bus,
		    p->unit);
		return 0;
	case DOM_DISK_BUS_SATA:
		p->ctrl = drv ? a->controller : (unsigned int)idx / 6;
		p->unit = drv ? a->unit : (unsigned int)idx % 6;
		if (p->ctrl >= MAX_CTRL_INDEX || p->unit > 5 ||
		    (drv && (a->drive_bus != 0 || a->target != 0))) {
			vr_error(VR_ERR_XML, "disk '%s': SATA address out of "
			    "range (controller 0-31, bus 0, unit 0-5)",
			    d->target_dev);
			return -1;
		}
		snprintf(p->alias, sizeof p->alias, "sata%u-0-%u", p->ctrl,
		    p->unit);
		return 0;
	case DOM_DISK_BUS_SCSI:
		p->ctrl = drv ? a->controller : 0;
		p->bus = drv ? a->drive_bus : 0;
		p->target = drv ? a->target : 0;
		p->unit = drv ? a->unit : (unsigned int)idx;
		if (p->ctrl >= MAX_CTRL_INDEX || p->bus != 0 ||
		    p->target > 255 || p->unit > 16383) {
			vr_error(VR_ERR_XML, "disk '%s': SCSI address out of "
			    "range (controller 0-31, bus 0, target 0-255, "
			    "unit 0-16383)", d->target_dev);
			return -1;
		}
		snprintf(p->alias, sizeof p->alias, "scsi%u-%u-%u-%u", p->ctrl,
		    p->bus, p->target, p->unit);
		return 0;
	case DOM_DISK_BUS_VIRTIO:
	case DOM_DISK_BUS_LAST:
		break;
	}
	vr_error(VR_ERR_INTERNAL, "disk '%s': bad bus", d->target_dev);
	return -1;
}

static int
disk_place(struct qb *qb, const struct dom_disk *d, struct disk_place *p)
{
	char what[64];
	int idx;

	snprintf(what, sizeof what, "disk '%s'", d->target_dev);
	idx = disk_index(d->target_dev);
	if (idx < 0) {
		vr_error(VR_ERR_XML, "disk '%s': target dev must be a prefix "
		    "and a letter index such as 'vda' or 'sdb'",
		    d->target_dev != NULL ? d->target_dev : "");
		return -1;
	}
	if (d->bus == DOM_DISK_BUS_VIRTIO) {
		if (d->device == DOM_DISK_DEVICE_CDROM) {
			vr_error(VR_ERR_UNSUPPORTED, "disk '%s': device "
			    "'cdrom' is not supported on bus 'virtio'",
			    d->target_dev);
			return -1;
		}
		snprintf(p->alias, sizeof p->alias, "virtio-disk%d", idx);
		return pci_reserve(qb, &d->addr, what);
	}
	if (d->bus == DOM_DISK_BUS_IDE && qb->q35) {
		vr_error(VR_ERR_UNSUPPORTED, "disk '%s': bus 'ide' is not "
		    "available on machine '%s'", d->target_dev,
		    machine_name(qb));
		return -1;
	}
	if (d->readonly && d->device == DOM_DISK_DEVICE_DISK &&
	    (d->bus == DOM_DISK_BUS_IDE || d->bus == DOM_DISK_BUS_SATA)) {
		vr_error(VR_ERR_UNSUPPORTED, "disk '%s': readonly is not "
		    "supported on bus '%s'", d->target_dev,
		    dom_disk_bus_to_string(d->bus));
		return -1;
	}
	if (no_pci_addr(&d->addr, what) < 0 ||
	    disk_place_drive(d, idx, p) < 0)
		return -1;
	if (d->bus == DOM_DISK_BUS_SATA &&
	    ctrl_find(qb->def, DOM_CONTROLLER_SATA, p->ctrl) == NULL &&
	    !(qb->q35 && p->ctrl == 0))
		qb->need_sata |= 1u << p->ctrl;
	if (d->bus == DOM_DISK_BUS_SCSI &&
	    ctrl_find(qb->def, DOM_CONTROLLER_SCSI, p->ctrl) == NULL)
		qb->need_scsi |= 1u << p->ctrl;
	return 0;
}

int
disks_place(struct qb *qb)
{
	const struct dom_def *def = qb->def;
	size_t i, j;

	qb->places = xcalloc(def->ndisks != 0 ? def->ndisks : 1,
	    sizeof *qb->places);
	for (i = 0; i < def->ndisks; i++) {
		if (disk_place(qb, &def->disks[i], &qb->places[i]) < 0)
			return -1;
		for (j = 0; j < i; j++) {
			if (strcmp(qb->places[i].alias,
			    qb->places[j].alias) == 0) {
				vr_error(VR_ERR_XML, "disk '%s': same address "
				    "as disk '%s' (%s)",
				    def->disks[i].target_dev,
				    def->disks[j].target_dev,
				    qb->places[i].alias);
				return -1;
			}
		}
	}
	return 0;
}

/* disks */

/* libvirt's mapping of cache modes; -1: leave QEMU's default */
static void
disk_cache(enum dom_disk_cache cache, int *direct, int *no_flush, int *wce)
{
	*direct = *no_flush = *wce = -1;
	switch (cache) {
	case DOM_DISK_CACHE_DEFAULT:
	case DOM_DISK_CACHE_LAST:
		return;
	case DOM_DISK_CACHE_NONE:
		*direct = 1, *no_flush = 0, *wce = 1;
		return;
	case DOM_DISK_CACHE_WRITETHROUGH:
		*direct = 0, *no_flush = 0, *wce = 0;
		return;
	case DOM_DISK_CACHE_WRITEBACK:
		*direct = 0, *no_flush = 0, *wce = 1;
		return;
	case DOM_DISK_CACHE_DIRECTSYNC:
		*direct = 1, *no_flush = 0, *wce = 0;
		return;
	case DOM_DISK_CACHE_UNSAFE:
		*direct = 0, *no_flush = 1, *wce = 1;
		return;
	}
}

static void
json_add_cache_discard(struct json_object *o, const struct dom_disk *d)
{
	struct json_object *c;
	int direct, no_flush, wce;

	disk_cache(d->cache, &direct, &no_flush, &wce);
	if (direct >= 0) {
		c = json_object_new_object();
		json_object_object_add(c, "direct",
		    json_object_new_boolean(direct));
		json_object_object_add(c, "no-flush",
		    json_object_new_boolean(no_flush));
		json_object_object_add(o, "cache", c);
	}
	if (d->discard == DOM_DISK_DISCARD_UNMAP)
		json_object_object_add(o, "discard",
		    json_object_new_string("unmap"));
	else if (d->discard == DOM_DISK_DISCARD_IGNORE)
		json_object_object_add(o, "discard",
		    json_object_new_string("ignore"));
}

static int
disk_aio(const struct dom_disk *d, const char **aio)
{
	*aio = NULL;
	switch (d->io) {
	case DOM_DISK_IO_DEFAULT:
	case DOM_DISK_IO_LAST:
		return 0;
	case DOM_DISK_IO_NATIVE:
		if (d->cache != DOM_DISK_CACHE_NONE &&
		    d->cache != DOM_DISK_CACHE_DIRECTSYNC) {
			vr_error(VR_ERR_UNSUPPORTED, "disk '%s': io 'native' "
			    "needs cache 'none' or 'directsync'",
			    d->target_dev);
			return -1;
		}
		*aio = "native";
		return 0;
	case DOM_DISK_IO_THREADS:
		*aio = "threads";
		return 0;
	case DOM_DISK_IO_URING:
		*aio = "io_uring";
		return 0;
	}
	return 0;
}

/*
 * The two -blockdev nodes of a disk with a source: ALIAS-storage (the
 * file or device) and ALIAS-format on it. The same objects are the
 * arguments of blockdev-add at hotplug and change-media.
 */
int
disk_blockdev_props(const struct dom_disk *d, const char *alias,
    struct json_object **storage, struct json_object **format)
{
	struct json_object *o;
	const char *driver, *aio;
	char node[64];
	bool cdrom = d->device == DOM_DISK_DEVICE_CDROM;

	*storage = *format = NULL;
	if (disk_aio(d, &aio) < 0)
		return -1;
	if (d->type == DOM_DISK_TYPE_BLOCK)
		driver = cdrom ? "host_cdrom" : "host_device";
	else
		driver = "file";
	o = json_object_new_object();
	json_object_object_add(o, "driver", json_object_new_string(driver));
	json_object_object_add(o, "filename",
	    json_object_new_string(d->src_path));
	snprintf(node, sizeof node, "%s-storage", alias);
	json_object_object_add(o, "node-name", json_object_new_string(node));
	json_object_object_add(o, "auto-read-only",
	    json_object_new_boolean(1));
	if (aio != NULL)
		json_object_object_add(o, "aio", json_object_new_string(aio));
	json_add_cache_discard(o, d);
	*storage = o;

	o = json_object_new_object();
	snprintf(node, sizeof node, "%s-format", alias);
	json_object_object_add(o, "node-name", json_object_new_string(node));
	json_object_object_add(o, "read-only",
	    json_object_new_boolean(d->readonly || cdrom));
	json_add_cache_discard(o, d);
	json_object_object_add(o, "driver", json_object_new_string(
	    d->format == DOM_DISK_FORMAT_QCOW2 ? "qcow2" : "raw"));
	snprintf(node, sizeof node, "%s-storage", alias);
	json_object_object_add(o, "file", json_object_new_string(node));
	*format = o;
	return 0;
}

static void
props_str(struct json_object *o, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
props_str(struct json_object *o, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvprintf(fmt, ap);
	va_end(ap);
	json_object_object_add(o, key, json_object_new_string(s));
	free(s);
}

static void
props_uint(struct json_object *o, const char *key, unsigned int v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

static void
disk_bus_props(const struct qb *qb, const struct dom_disk *d,
    const struct disk_place *p, struct json_object *o)
{
	bool cd = d->device == DOM_DISK_DEVICE_CDROM;

	switch (d->bus) {
	case DOM_DISK_BUS_IDE:
		props_str(o, "driver", "%s", cd ? "ide-cd" : "ide-hd");
		props_str(o, "bus", "ide.%u", p->bus);
		props_uint(o, "unit", p->unit);
		return;
	case DOM_DISK_BUS_SATA:
		props_str(o, "driver", "%s", cd ? "ide-cd" : "ide-hd");
		if (qb->q35 && p->ctrl == 0)
			props_str(o, "bus", "ide.%u", p->unit);
		else
			props_str(o, "bus", "sata%u.%u", p->ctrl, p->unit);
		return;
	case DOM_DISK_BUS_SCSI:
		props_str(o, "driver", "%s", cd ? "scsi-cd" : "scsi-hd");
		props_str(o, "bus", "scsi%u.0", p->ctrl);
		props_uint(o, "channel", p->bus);
		props_uint(o, "scsi-id", p->target);
		props_uint(o, "lun", p->unit);
		return;
	case DOM_DISK_BUS_VIRTIO:
	case DOM_DISK_BUS_LAST:
		break;
	}
}

static int
disk_source(const struct dom_disk *d)
{
	if (d->type == DOM_DISK_TYPE_VOLUME && d->src_path == NULL) {
		vr_error(VR_ERR_UNSUPPORTED, "disk '%s': source pool '%s' "
		    "volume '%s' has not been resolved to a path",
		    d->target_dev, d->src_pool != NULL ? d->src_pool : "",
		    d->src_volume != NULL ? d->src_volume : "");
		return -1;
	}
	if (d->src_path == NULL && d->device != DOM_DISK_DEVICE_CDROM) {
		vr_error(VR_ERR_XML, "disk '%s': <source> is required",
		    d->target_dev);
		return -1;
	}
	return 0;
}

/* The -device of a disk (device_add at hotplug); NULL on error. */
struct json_object *
disk_device_props(struct qb *qb, const struct dom_disk *d,
    const struct disk_place *p)
{
	struct json_object *o = json_object_new_object();
	char what[64];
	int direct, no_flush, wce;

	if (d->bus == DOM_DISK_BUS_VIRTIO) {
		snprintf(what, sizeof what, "disk '%s'", d->target_dev);
		props_str(o, "driver", "virtio-blk-pci");
		if (pci_addr_props(qb, o, &d->addr, -1, what) < 0) {
			json_object_put(o);
			return NULL;
		}
	} else
		disk_bus_props(qb, d, p, o);
	if (d->src_path != NULL)
		props_str(o, "drive", "%s-format", p->alias);
	props_str(o, "id", "%s", p->alias);
	if (d->boot_order != 0)
		props_uint(o, "bootindex", d->boot_order);
	disk_cache(d->cache, &direct, &no_flush, &wce);
	if (wce >= 0 && d->device == DOM_DISK_DEVICE_DISK)
		props_str(o, "write-cache", "%s", wce ? "on" : "off");
	if (d->shareable)
		json_object_object_add(o, "share-rw",
		    json_object_new_boolean(1));
	if (d->serial != NULL)
		props_str(o, "serial", "%s", d->serial);
	return o;
}

static int
build_disk(struct qb *qb, const struct dom_disk *d, const struct disk_place *p)
{
	struct qb_capture *cap = qb->capture;
	struct json_object *storage, *format, *dev;

	if (cap != NULL && cap->disk != d)
		cap = NULL;
	if (disk_source(d) < 0)
		return -1;
	if (d->src_path != NULL) {
		if (disk_blockdev_props(d, p->alias, &storage, &format) < 0)
			return -1;
		if (cap != NULL) {
			cap->out->backend = json_object_get(storage);
			cap->out->format = json_object_get(format);
		}
		qb_add(qb, "-blockdev");
		qb_add_json(qb, storage);
		qb_add(qb, "-blockdev");
		qb_add_json(qb, format);
	}
	if ((dev = disk_device_props(qb, d, p)) == NULL)
		return -1;
	if (cap != NULL) {
		cap->out->device = json_object_get(dev);
		snprintf(cap->out->id, sizeof cap->out->id, "%s", p->alias);
	}
	qb_add_props(qb, "-device", dev);
	return 0;
}

int
build_disks(struct qb *qb)
{
	size_t i;

	for (i = 0; i < qb->def->ndisks; i++)
		if (build_disk(qb, &qb->def->disks[i], &qb->places[i]) < 0)
			return -1;
	return 0;
}
