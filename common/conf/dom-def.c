/*
 * Domain definitions: parse libvirt's domain XML into struct dom_def.
 *
 * Each dom_parse_*() reads what it supports through the xml-util getters,
 * which mark it consumed; whatever is left is refused afterwards by
 * vr_xml_check_consumed() with its name and line. Formatting is in
 * dom-def-format.c, semantic checks in dom-def-validate.c.
 *
 * The domain-wide settings (<metadata>, <resource>, <cpu>, <features>,
 * <clock>, lifecycle, <pm>) are in dom-def-platform.c.
 *
 * Accepted and ignored (runtime or no-op in libvirt's own output):
 * <domain id=...> (live XML; the id comes from the running state),
 * <audio type='none'> (no audio backend is what we do anyway); see also
 * dom-def-platform.c.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dom-def-priv.h"
#include "dom-def.h"
#include "err.h"
#include "util.h"
#include "xml-util.h"
#include "xmalloc.h"

VR_ENUM_IMPL(dom_virt, DOM_VIRT_LAST, "qemu", "kvm")
VR_ENUM_IMPL(dom_vcpu_placement, DOM_VCPU_PLACEMENT_LAST,
    NULL, "static", "auto")
VR_ENUM_IMPL(dom_boot_dev, DOM_BOOT_LAST, "hd", "cdrom", "network", "fd")
VR_ENUM_IMPL(dom_cpu_mode, DOM_CPU_MODE_LAST,
    NULL, "custom", "host-model", "host-passthrough", "maximum")
VR_ENUM_IMPL(dom_clock_offset, DOM_CLOCK_LAST, "utc", "localtime")
VR_ENUM_IMPL(dom_lifecycle_action, DOM_LIFECYCLE_LAST,
    "destroy", "restart", "preserve", "rename-restart", "coredump-destroy",
    "coredump-restart")
VR_ENUM_IMPL(dom_addr_type, DOM_ADDR_LAST,
    NULL, "pci", "drive", "virtio-serial", "usb")
VR_ENUM_IMPL(dom_disk_type, DOM_DISK_TYPE_LAST, "file", "block", "volume")
VR_ENUM_IMPL(dom_disk_device, DOM_DISK_DEVICE_LAST, "disk", "cdrom")
VR_ENUM_IMPL(dom_disk_format, DOM_DISK_FORMAT_LAST, NULL, "raw", "qcow2")
VR_ENUM_IMPL(dom_disk_cache, DOM_DISK_CACHE_LAST,
    NULL, "none", "writethrough", "writeback", "directsync", "unsafe")
VR_ENUM_IMPL(dom_disk_io, DOM_DISK_IO_LAST,
    NULL, "native", "threads", "io_uring")
VR_ENUM_IMPL(dom_disk_discard, DOM_DISK_DISCARD_LAST, NULL, "unmap", "ignore")
VR_ENUM_IMPL(dom_disk_bus, DOM_DISK_BUS_LAST, "virtio", "sata", "ide", "scsi")
VR_ENUM_IMPL(dom_controller_type, DOM_CONTROLLER_LAST,
    "usb", "sata", "scsi", "virtio-serial", "pci", "ide")
VR_ENUM_IMPL(dom_controller_model, DOM_CONTROLLER_MODEL_LAST,
    NULL, "qemu-xhci", "nec-xhci", "piix3-uhci", "ich9-ehci1", "none",
    "virtio-scsi", "pci-root", "pcie-root", "pcie-root-port", "pci-bridge")
VR_ENUM_IMPL(dom_net_type, DOM_NET_LAST, "user", "network", "bridge",
    "ethernet")
VR_ENUM_IMPL(dom_net_model, DOM_NET_MODEL_LAST,
    NULL, "virtio", "e1000", "e1000e", "rtl8139")
VR_ENUM_IMPL(dom_net_link, DOM_NET_LINK_LAST, NULL, "up", "down")
VR_ENUM_IMPL(dom_net_driver, DOM_NET_DRIVER_LAST, NULL, "qemu", "vhost")
VR_ENUM_IMPL(dom_chr_type, DOM_CHR_LAST, "pty", "file", "unix", "null")
VR_ENUM_IMPL(dom_chr_kind, DOM_CHR_KIND_LAST, "serial", "console", "channel")
VR_ENUM_IMPL(dom_chr_target, DOM_CHR_TARGET_LAST,
    NULL, "isa-serial", "serial", "virtio")
VR_ENUM_IMPL(dom_graphics_type, DOM_GRAPHICS_LAST, "vnc")
VR_ENUM_IMPL(dom_video_model, DOM_VIDEO_LAST,
    "vga", "cirrus", "virtio", "qxl", "bochs", "none")
VR_ENUM_IMPL(dom_balloon_model, DOM_BALLOON_LAST, "virtio", "none")
VR_ENUM_IMPL(dom_input_type, DOM_INPUT_LAST, "tablet", "mouse", "keyboard")
VR_ENUM_IMPL(dom_input_bus, DOM_INPUT_BUS_LAST, NULL, "ps2", "usb", "virtio")
VR_ENUM_IMPL(dom_watchdog_model, DOM_WATCHDOG_LAST, "i6300esb", "ib700",
    "itco")
VR_ENUM_IMPL(dom_watchdog_action, DOM_WATCHDOG_ACTION_LAST,
    "reset", "shutdown", "poweroff", "pause", "none", "dump", "inject-nmi")

/* Append a zeroed element to array arr of n elements; evaluates to it. */
#define DOM_APPEND(arr, n)						\
	((arr) = xreallocarray((arr), (n) + 1, sizeof *(arr)),		\
	    memset(&(arr)[(n)], 0, sizeof *(arr)), &(arr)[(n)++])

#define BIT(v)		VR_XML_BIT(v)
#define ALL		VR_XML_ALL
#define REQUIRED	VR_XML_REQUIRED

void
dom_def_set_schema_dir(const char *dir)
{
	vr_xml_set_schema_dir(dir);
}

/* <address type=...> of a device, if any; allowed: VR_XML_BITs of types. */
static int
dom_parse_addr(xmlNode *dev, struct dom_addr *addr, unsigned long long allowed)
{
	xmlNode *n = vr_xml_child(dev, "address");
	const char *port, *p;
	char *end;
	unsigned long v;
	int type, i;

	if (n == NULL)
		return 0;
	if ((type = vr_xml_attr_enum(n, "type",
	    VR_XML_ENUM(dom_addr_type, DOM_ADDR_LAST), allowed, REQUIRED)) < 0)
		return -1;
	addr->type = type;
	switch (addr->type) {
	case DOM_ADDR_PCI:
		if (vr_xml_attr_uint(n, "domain", 0, 0xffff,
		    &addr->domain) < 0 ||
		    vr_xml_attr_uint(n, "bus", 0, 0xff, &addr->bus) < 0 ||
		    vr_xml_attr_uint(n, "slot", 0, 0x1f, &addr->slot) < 0 ||
		    vr_xml_attr_uint(n, "function", 0, 7,
		    &addr->function) < 0 ||
		    vr_xml_attr_bool(n, "multifunction", VR_XML_ONOFF,
		    &addr->multifunction) < 0)
			return -1;
		break;
	case DOM_ADDR_DRIVE:
		if (vr_xml_attr_uint(n, "controller", 10, 255,
		    &addr->controller) < 0 ||
		    vr_xml_attr_uint(n, "bus", 10, 255, &addr->drive_bus) < 0 ||
		    vr_xml_attr_uint(n, "target", 10, 255, &addr->target) < 0 ||
		    vr_xml_attr_uint(n, "unit", 10, 255, &addr->unit) < 0)
			return -1;
		break;
	case DOM_ADDR_VIRTIO_SERIAL:
		if (vr_xml_attr_uint(n, "controller", 10, 255,
		    &addr->controller) < 0 ||
		    vr_xml_attr_uint(n, "bus", 10, 255,
		    &addr->serial_bus) < 0 ||
		    vr_xml_attr_uint(n, "port", 10, 31, &addr->port) < 0)
			return -1;
		break;
	case DOM_ADDR_USB:
		if (vr_xml_attr_uint(n, "bus", 10, 255, &addr->usb_bus) < 0)
			return -1;
		if ((port = vr_xml_attr(n, "port")) == NULL)
			break;
		/* "1" or "1.2": up to 4 hub levels, each 1..255 */
		for (p = port, i = 0; i < 4; i++, p = end + 1) {
			if (*p < '0' || *p > '9')
				break;
			v = strtoul(p, &end, 10);
			if (v < 1 || v > 255)
				break;
			addr->usb_port[i] = (unsigned int)v;
			if (*end != '.')
				break;
		}
		if (i == 4 || addr->usb_port[i] == 0 || *end != '\0') {
			vr_xml_attr_invalid(n, "port", port,
			    "expected a USB port like 1 or 1.2");
			return -1;
		}
		break;
	case DOM_ADDR_NONE:
	case DOM_ADDR_LAST:
		break;
	}
	return 0;
}

/* <boot order='N'/> of a device. */
static int
dom_parse_boot_order(xmlNode *dev, unsigned int *order)
{
	xmlNode *n = vr_xml_child(dev, "boot");

	if (n == NULL)
		return 0;
	if (vr_xml_attr_req(n, "order") == NULL ||
	    vr_xml_attr_uint(n, "order", 10, 65535, order) < 0)
		return -1;
	if (*order == 0) {
		vr_xml_attr_invalid(n, "order", "0",
		    "expected an integer from 1 to 65535");
		return -1;
	}
	return 0;
}

/* "0-3,^2,8": CPU numbers below 4096, at least one left. */
static bool
dom_cpuset_valid(const char *s)
{
	unsigned char set[4096 / 8] = { 0 };
	unsigned long a, b, i;
	bool neg, any = false;
	char *end;

	for (;;) {
		neg = *s == '^';
		if (neg)
			s++;
		if (*s < '0' || *s > '9')
			return false;
		a = b = strtoul(s, &end, 10);
		if (*end == '-' && !neg) {
			if (end[1] < '0' || end[1] > '9')
				return false;
			b = strtoul(end + 1, &end, 10);
		}
		if (a > b || b >= 4096)
			return false;
		for (i = a; i <= b; i++) {
			if (neg)
				set[i / 8] &= (unsigned char)~(1U << (i % 8));
			else
				set[i / 8] |= (unsigned char)(1U << (i % 8));
		}
		if (*end == '\0')
			break;
		if (*end != ',')
			return false;
		s = end + 1;
	}
	for (i = 0; i < sizeof set; i++)
		any = any || set[i] != 0;
	return any;
}

static int
dom_parse_header(struct dom_def *def, xmlNode *root)
{
	int v, id;

	if ((v = vr_xml_attr_enum(root, "type",
	    VR_XML_ENUM(dom_virt, DOM_VIRT_LAST), ALL, REQUIRED)) < 0)
		return -1;
	def->virt = v;
	/* Live XML carries id=; the id is runtime state, not definition. */
	if (vr_xml_attr_int(root, "id", -1, INT_MAX, &id) < 0)
		return -1;
	if (vr_xml_name_uuid(root, &def->name, def->uuid) < 0)
		return -1;
	def->title = vr_xml_child_text(root, "title");
	def->description = vr_xml_child_text(root, "description");
	return 0;
}

static int
dom_parse_memory(struct dom_def *def, xmlNode *root)
{
	xmlNode *n;

	if ((n = vr_xml_child(root, "maxMemory")) != NULL) {
		if (vr_xml_text_kib(n, "KiB", &def->max_mem_kib) < 0 ||
		    vr_xml_attr_req(n, "slots") == NULL ||
		    vr_xml_attr_uint(n, "slots", 10, 255,
		    &def->max_mem_slots) < 0)
			return -1;
	}
	if ((n = vr_xml_child_req(root, "memory")) == NULL ||
	    vr_xml_text_kib(n, "KiB", &def->mem_kib) < 0)
		return -1;
	def->cur_mem_kib = def->mem_kib;
	if ((n = vr_xml_child(root, "currentMemory")) != NULL &&
	    vr_xml_text_kib(n, "KiB", &def->cur_mem_kib) < 0)
		return -1;
	return 0;
}

static int
dom_parse_vcpu(struct dom_def *def, xmlNode *root)
{
	xmlNode *n = vr_xml_child(root, "vcpu");
	const char *cpuset;
	int v, has_current;

	def->vcpus = 1;
	if (n == NULL) {
		def->vcpus_current = 1;
		return 0;
	}
	if ((v = vr_xml_attr_enum(n, "placement", VR_XML_ENUM(
	    dom_vcpu_placement, DOM_VCPU_PLACEMENT_LAST), ALL,
	    DOM_VCPU_PLACEMENT_DEFAULT)) < 0)
		return -1;
	def->vcpu_placement = v;
	if ((cpuset = vr_xml_attr(n, "cpuset")) != NULL) {
		if (!dom_cpuset_valid(cpuset)) {
			vr_xml_attr_invalid(n, "cpuset", cpuset, "expected a "
			    "list of CPUs below 4096 like 0-3,^2,8");
			return -1;
		}
		def->vcpu_cpuset = xstrdup(cpuset);
	}
	if ((has_current = vr_xml_attr_uint(n, "current", 10, UINT_MAX,
	    &def->vcpus_current)) < 0 || vr_xml_text_uint(n, &def->vcpus) < 0)
		return -1;
	if (!has_current)
		def->vcpus_current = def->vcpus;
	return 0;
}

static int
dom_parse_pin(xmlNode *n, char **cpuset)
{
	const char *s;

	if ((s = vr_xml_attr_req(n, "cpuset")) == NULL)
		return -1;
	if (!dom_cpuset_valid(s)) {
		vr_xml_attr_invalid(n, "cpuset", s, "expected a list of CPUs "
		    "below 4096 like 0-3,^2,8");
		return -1;
	}
	*cpuset = xstrdup(s);
	return 0;
}

static int
dom_vcpupin_cmp(const void *a, const void *b)
{
	const struct dom_vcpupin *x = a, *y = b;

	return x->vcpu < y->vcpu ? -1 : x->vcpu > y->vcpu;
}

/* <cputune>: vcpupin and emulatorpin; anything else is refused after. */
static int
dom_parse_cputune(struct dom_def *def, xmlNode *root)
{
	xmlNode *ct = vr_xml_child(root, "cputune"), *n;
	struct dom_vcpupin *p;

	if (ct == NULL)
		return 0;
	for (n = vr_xml_first(ct); n != NULL; n = vr_xml_next(n)) {
		if (vr_xml_is(n, "emulatorpin")) {
			if (def->emulatorpin != NULL) {
				vr_xml_error(n, "only one <emulatorpin> is "
				    "allowed");
				return -1;
			}
			vr_xml_mark(n);
			if (dom_parse_pin(n, &def->emulatorpin) < 0)
				return -1;
			continue;
		}
		if (!vr_xml_is(n, "vcpupin"))
			continue;	/* refused afterwards */
		vr_xml_mark(n);
		def->vcpupins = xreallocarray(def->vcpupins,
		    def->nvcpupins + 1, sizeof *def->vcpupins);
		p = &def->vcpupins[def->nvcpupins];
		p->cpuset = NULL;
		if (vr_xml_attr_req(n, "vcpu") == NULL ||
		    vr_xml_attr_uint(n, "vcpu", 10, 4095, &p->vcpu) < 0 ||
		    dom_parse_pin(n, &p->cpuset) < 0)
			return -1;
		def->nvcpupins++;
	}
	if (def->nvcpupins > 1)
		qsort(def->vcpupins, def->nvcpupins, sizeof *def->vcpupins,
		    dom_vcpupin_cmp);
	return 0;
}

static int
dom_parse_os_type(struct dom_def *def, xmlNode *os)
{
	VR_AUTOFREE char *type = NULL;
	const char *arch;
	xmlNode *n;

	if ((n = vr_xml_child_req(os, "type")) == NULL)
		return -1;
	type = vr_xml_text(n);
	if (strcmp(type, "hvm") != 0) {
		vr_xml_error(n, "invalid value '%s' for <type>: expected hvm",
		    type);
		return -1;
	}
	if ((arch = vr_xml_attr(n, "arch")) != NULL) {
		if (strcmp(arch, "x86_64") != 0) {
			vr_xml_attr_invalid(n, "arch", arch, "expected x86_64");
			return -1;
		}
		def->os_arch = xstrdup(arch);
	}
	def->os_machine = vr_xml_attr_dup(n, "machine");
	return 0;
}

static int
dom_parse_os(struct dom_def *def, xmlNode *root)
{
	xmlNode *os, *n;
	size_t i;
	int v;

	if ((os = vr_xml_child_req(root, "os")) == NULL ||
	    dom_parse_os_type(def, os) < 0)
		return -1;
	def->kernel = vr_xml_child_text(os, "kernel");
	def->initrd = vr_xml_child_text(os, "initrd");
	def->cmdline = vr_xml_child_text(os, "cmdline");
	for (n = vr_xml_first(os); n != NULL; n = vr_xml_next(n)) {
		if (!vr_xml_is(n, "boot"))
			continue;
		vr_xml_mark(n);
		if ((v = vr_xml_attr_enum(n, "dev", VR_XML_ENUM(dom_boot_dev,
		    DOM_BOOT_LAST), ALL, REQUIRED)) < 0)
			return -1;
		for (i = 0; i < def->nboot; i++) {
			if (def->boot[i] == (enum dom_boot_dev)v) {
				vr_xml_error(n, "boot device '%s' is listed "
				    "twice", dom_boot_dev_to_string(v));
				return -1;
			}
		}
		def->boot[def->nboot++] = v;
	}
	if ((n = vr_xml_child(os, "bootmenu")) != NULL &&
	    (vr_xml_attr_req(n, "enable") == NULL ||
	    vr_xml_attr_bool(n, "enable", VR_XML_YESNO, &def->bootmenu) < 0))
		return -1;
	return 0;
}

static int
dom_parse_emulator(struct dom_def *def, xmlNode *n)
{
	if (def->emulator != NULL) {
		vr_xml_error(n, "only one <emulator> is allowed");
		return -1;
	}
	def->emulator = vr_xml_text(n);
	return 0;
}

static int
dom_parse_disk_driver(struct dom_disk *disk, xmlNode *dev)
{
	static const char *const names[] = { "qemu", NULL };
	xmlNode *n = vr_xml_child(dev, "driver");
	int v;

	if (n == NULL)
		return 0;
	disk->has_driver = true;
	if (vr_xml_attr_choice(n, "name", names, 0) < 0)
		return -1;
	if ((v = vr_xml_attr_enum(n, "type", VR_XML_ENUM(dom_disk_format,
	    DOM_DISK_FORMAT_LAST), ALL, DOM_DISK_FORMAT_DEFAULT)) < 0)
		return -1;
	disk->format = v;
	if ((v = vr_xml_attr_enum(n, "cache", VR_XML_ENUM(dom_disk_cache,
	    DOM_DISK_CACHE_LAST), ALL, DOM_DISK_CACHE_DEFAULT)) < 0)
		return -1;
	disk->cache = v;
	if ((v = vr_xml_attr_enum(n, "io", VR_XML_ENUM(dom_disk_io,
	    DOM_DISK_IO_LAST), ALL, DOM_DISK_IO_DEFAULT)) < 0)
		return -1;
	disk->io = v;
	if ((v = vr_xml_attr_enum(n, "discard", VR_XML_ENUM(dom_disk_discard,
	    DOM_DISK_DISCARD_LAST), ALL, DOM_DISK_DISCARD_DEFAULT)) < 0)
		return -1;
	disk->discard = v;
	return 0;
}

static int
dom_parse_disk_source(struct dom_disk *disk, xmlNode *dev)
{
	xmlNode *n = vr_xml_child(dev, "source");
	const char *s;

	if (n == NULL)
		return 0;
	/* libvirt numbers the images of a running chain: ignored, as is
	 * <backingStore>. */
	(void)vr_xml_attr(n, "index");
	switch (disk->type) {
	case DOM_DISK_TYPE_FILE:
	case DOM_DISK_TYPE_BLOCK:
		s = disk->type == DOM_DISK_TYPE_FILE ? "file" : "dev";
		if ((s = vr_xml_attr_req(n, s)) == NULL)
			return -1;
		disk->src_path = xstrdup(s);
		break;
	case DOM_DISK_TYPE_VOLUME:
		if (vr_xml_attr_req(n, "pool") == NULL ||
		    vr_xml_attr_req(n, "volume") == NULL)
			return -1;
		disk->src_pool = vr_xml_attr_dup(n, "pool");
		disk->src_volume = vr_xml_attr_dup(n, "volume");
		break;
	case DOM_DISK_TYPE_LAST:
		break;
	}
	return 0;
}

/* libvirt's default bus from the target name: vdX, sdX, hdX. */
static int
dom_disk_bus_default(const char *dev)
{
	if (strncmp(dev, "vd", 2) == 0)
		return DOM_DISK_BUS_VIRTIO;
	if (strncmp(dev, "sd", 2) == 0)
		return DOM_DISK_BUS_SCSI;
	if (strncmp(dev, "hd", 2) == 0)
		return DOM_DISK_BUS_IDE;
	return -1;
}

static int
dom_parse_disk(struct dom_def *def, xmlNode *dev)
{
	struct dom_disk *disk = DOM_APPEND(def->disks, def->ndisks);
	xmlNode *n;
	const char *tdev;
	int v;

	if ((v = vr_xml_attr_enum(dev, "type", VR_XML_ENUM(dom_disk_type,
	    DOM_DISK_TYPE_LAST), ALL, DOM_DISK_TYPE_FILE)) < 0)
		return -1;
	disk->type = v;
	if ((v = vr_xml_attr_enum(dev, "device", VR_XML_ENUM(dom_disk_device,
	    DOM_DISK_DEVICE_LAST), ALL, DOM_DISK_DEVICE_DISK)) < 0)
		return -1;
	disk->device = v;
	if (dom_parse_disk_driver(disk, dev) < 0 ||
	    dom_parse_disk_source(disk, dev) < 0)
		return -1;
	if ((n = vr_xml_child_req(dev, "target")) == NULL ||
	    (tdev = vr_xml_attr_req(n, "dev")) == NULL)
		return -1;
	disk->target_dev = xstrdup(tdev);
	/* without a known prefix, bus= is required */
	v = dom_disk_bus_default(tdev);
	if ((v = vr_xml_attr_enum(n, "bus", VR_XML_ENUM(dom_disk_bus,
	    DOM_DISK_BUS_LAST), ALL, v >= 0 ? v : REQUIRED)) < 0)
		return -1;
	disk->bus = v;
	/* a CD-ROM is read-only; libvirt says so explicitly */
	disk->readonly = vr_xml_child(dev, "readonly") != NULL ||
	    disk->device == DOM_DISK_DEVICE_CDROM;
	disk->shareable = vr_xml_child(dev, "shareable") != NULL;
	/*
	 * The backing chain a running domain's XML shows: what the images
	 * say, found again at each start (as libvirt does), so an input one
	 * is accepted and ignored.
	 */
	if ((n = vr_xml_child(dev, "backingStore")) != NULL)
		vr_xml_skip(n);
	disk->serial = vr_xml_child_text(dev, "serial");
	if (dom_parse_boot_order(dev, &disk->boot_order) < 0 ||
	    dom_parse_addr(dev, &disk->addr,
	    BIT(DOM_ADDR_PCI) | BIT(DOM_ADDR_DRIVE)) < 0)
		return -1;
	return 0;
}

static unsigned long long
dom_controller_models(enum dom_controller_type type)
{
	switch (type) {
	case DOM_CONTROLLER_USB:
		return BIT(DOM_CONTROLLER_MODEL_QEMU_XHCI) |
		    BIT(DOM_CONTROLLER_MODEL_NEC_XHCI) |
		    BIT(DOM_CONTROLLER_MODEL_PIIX3_UHCI) |
		    BIT(DOM_CONTROLLER_MODEL_ICH9_EHCI1) |
		    BIT(DOM_CONTROLLER_MODEL_NONE);
	case DOM_CONTROLLER_SCSI:
		return BIT(DOM_CONTROLLER_MODEL_VIRTIO_SCSI);
	case DOM_CONTROLLER_PCI:
		return BIT(DOM_CONTROLLER_MODEL_PCI_ROOT) |
		    BIT(DOM_CONTROLLER_MODEL_PCIE_ROOT) |
		    BIT(DOM_CONTROLLER_MODEL_PCIE_ROOT_PORT) |
		    BIT(DOM_CONTROLLER_MODEL_PCI_BRIDGE);
	case DOM_CONTROLLER_SATA:
	case DOM_CONTROLLER_VIRTIO_SERIAL:
	case DOM_CONTROLLER_IDE:
	case DOM_CONTROLLER_LAST:
		break;
	}
	return 0;
}

/* pcie-root-port and pci-bridge: <model name=.../> and <target .../> */
static int
dom_parse_pci_controller(struct dom_controller *c, xmlNode *dev)
{
	const char *model = dom_controller_model_to_string(c->model);
	unsigned int v;
	const char *s;
	xmlNode *n;
	int rc;

	if ((n = vr_xml_child(dev, "model")) != NULL) {
		if ((s = vr_xml_attr_req(n, "name")) == NULL)
			return -1;
		if (strcmp(s, model) != 0) {
			vr_xml_attr_invalid(n, "name", s, model);
			return -1;
		}
	}
	if ((n = vr_xml_child(dev, "target")) == NULL)
		return 0;
	if (c->model == DOM_CONTROLLER_MODEL_PCI_BRIDGE) {
		if ((rc = vr_xml_attr_uint(n, "chassisNr", 10, 255, &v)) < 0)
			return -1;
		if (rc > 0 && v == 0) {
			vr_xml_attr_invalid(n, "chassisNr", "0",
			    "expected an integer from 1 to 255");
			return -1;
		}
		c->chassis_nr = rc > 0 ? (int)v : -1;
		return 0;
	}
	if ((rc = vr_xml_attr_uint(n, "chassis", 0, 255, &v)) < 0)
		return -1;
	c->chassis = rc > 0 ? (int)v : -1;
	if ((rc = vr_xml_attr_uint(n, "port", 0, 255, &v)) < 0)
		return -1;
	c->target_port = rc > 0 ? (int)v : -1;
	return 0;
}

static int
dom_parse_controller(struct dom_def *def, xmlNode *dev)
{
	struct dom_controller *c = DOM_APPEND(def->controllers,
	    def->ncontrollers);
	unsigned long long models;
	size_t i;
	int v;

	c->chassis_nr = c->chassis = c->target_port = -1;
	if ((v = vr_xml_attr_enum(dev, "type", VR_XML_ENUM(dom_controller_type,
	    DOM_CONTROLLER_LAST), ALL, REQUIRED)) < 0)
		return -1;
	c->type = v;
	if ((v = vr_xml_attr_uint(dev, "index", 10, 255, &c->index)) < 0)
		return -1;
	if (v == 0) {
		/* libvirt: the next free index of this type */
		for (i = 0; i + 1 < def->ncontrollers; i++)
			if (def->controllers[i].type == c->type &&
			    def->controllers[i].index >= c->index)
				c->index = def->controllers[i].index + 1;
	}
	if ((models = dom_controller_models(c->type)) != 0) {
		if ((v = vr_xml_attr_enum(dev, "model", VR_XML_ENUM(
		    dom_controller_model, DOM_CONTROLLER_MODEL_LAST), models,
		    c->type == DOM_CONTROLLER_PCI ? REQUIRED :
		    DOM_CONTROLLER_MODEL_DEFAULT)) < 0)
			return -1;
		c->model = v;
	}
	if ((c->type == DOM_CONTROLLER_USB ||
	    c->type == DOM_CONTROLLER_VIRTIO_SERIAL) &&
	    vr_xml_attr_uint(dev, "ports", 10, 255, &c->ports) < 0)
		return -1;
	if ((c->model == DOM_CONTROLLER_MODEL_PCIE_ROOT_PORT ||
	    c->model == DOM_CONTROLLER_MODEL_PCI_BRIDGE) &&
	    dom_parse_pci_controller(c, dev) < 0)
		return -1;
	return dom_parse_addr(dev, &c->addr, BIT(DOM_ADDR_PCI));
}

static int
dom_parse_net(struct dom_def *def, xmlNode *dev)
{
	struct dom_net *net = DOM_APPEND(def->nets, def->nnets);
	const char *mac, *s;
	unsigned char rnd[16];
	xmlNode *n;
	int v;

	if ((v = vr_xml_attr_enum(dev, "type", VR_XML_ENUM(dom_net_type,
	    DOM_NET_LAST), ALL, REQUIRED)) < 0)
		return -1;
	net->type = v;
	if ((n = vr_xml_child(dev, "mac")) != NULL) {
		if ((mac = vr_xml_attr_req(n, "address")) == NULL)
			return -1;
		if (dom_mac_parse(mac, net->mac) < 0) {
			vr_xml_attr_invalid(n, "address", mac, "expected a MAC "
			    "address like 52:54:00:12:34:56");
			return -1;
		}
	} else {
		/* QEMU's OUI and three random bytes, as libvirt does */
		vr_uuid_generate(rnd);
		net->mac[0] = 0x52;
		net->mac[1] = 0x54;
		net->mac[2] = 0x00;
		memcpy(net->mac + 3, rnd, 3);
	}
	switch (net->type) {
	case DOM_NET_NETWORK:
	case DOM_NET_BRIDGE:
		s = net->type == DOM_NET_NETWORK ? "network" : "bridge";
		if ((n = vr_xml_child_req(dev, "source")) == NULL ||
		    (s = vr_xml_attr_req(n, s)) == NULL)
			return -1;
		net->source = xstrdup(s);
		/* FALLTHROUGH */
	case DOM_NET_ETHERNET:
		if ((n = vr_xml_child(dev, "target")) != NULL) {
			if ((s = vr_xml_attr_req(n, "dev")) == NULL)
				return -1;
			net->target_dev = xstrdup(s);
		}
		break;
	case DOM_NET_USER:
	case DOM_NET_LAST:
		break;
	}
	if ((n = vr_xml_child(dev, "model")) != NULL) {
		if ((v = vr_xml_attr_enum(n, "type", VR_XML_ENUM(dom_net_model,
		    DOM_NET_MODEL_LAST), ALL, REQUIRED)) < 0)
			return -1;
		net->model = v;
	}
	if ((n = vr_xml_child(dev, "link")) != NULL) {
		if ((v = vr_xml_attr_enum(n, "state", VR_XML_ENUM(dom_net_link,
		    DOM_NET_LINK_LAST), ALL, REQUIRED)) < 0)
			return -1;
		net->link = v;
	}
	if ((n = vr_xml_child(dev, "driver")) != NULL) {
		if ((v = vr_xml_attr_enum(n, "name", VR_XML_ENUM(dom_net_driver,
		    DOM_NET_DRIVER_LAST), ALL, DOM_NET_DRIVER_DEFAULT)) < 0)
			return -1;
		net->driver = v;
	}
	if (dom_parse_boot_order(dev, &net->boot_order) < 0 ||
	    dom_parse_addr(dev, &net->addr, BIT(DOM_ADDR_PCI)) < 0)
		return -1;
	return 0;
}

static int
dom_parse_chr_source(struct dom_chr *chr, xmlNode *dev)
{
	static const char *const modes[] = { "connect", "bind", NULL };
	bool channel = chr->kind == DOM_CHR_KIND_CHANNEL;
	const char *path;
	xmlNode *n;
	int v;

	switch (chr->type) {
	case DOM_CHR_FILE:
		if ((n = vr_xml_child_req(dev, "source")) == NULL ||
		    (path = vr_xml_attr_req(n, "path")) == NULL ||
		    vr_xml_attr_bool(n, "append", VR_XML_ONOFF,
		    &chr->append) < 0)
			return -1;
		chr->path = xstrdup(path);
		break;
	case DOM_CHR_UNIX:
		/*
		 * A channel may leave the socket to the driver, which then
		 * listens on it (libvirt: <source mode='bind'/>).
		 */
		n = channel ? vr_xml_child(dev, "source") :
		    vr_xml_child_req(dev, "source");
		if (n == NULL) {
			chr->listen = true;
			return channel ? 0 : -1;
		}
		if ((path = channel ? vr_xml_attr(n, "path") :
		    vr_xml_attr_req(n, "path")) == NULL && !channel)
			return -1;
		if ((v = vr_xml_attr_choice(n, "mode", modes,
		    path != NULL ? 0 : 1)) < 0)
			return -1;
		chr->listen = v == 1;
		if (path == NULL && !chr->listen) {
			vr_xml_error(n, "<source mode='connect'> needs a path");
			return -1;
		}
		chr->path = xstrdup_null(path);
		break;
	case DOM_CHR_PTY:
		/* Live XML: the pty QEMU made (libvirt's form). */
		if ((n = vr_xml_child(dev, "source")) != NULL)
			chr->path = xstrdup_null(vr_xml_attr(n, "path"));
		break;
	case DOM_CHR_NULL:
	case DOM_CHR_LAST:
		break;
	}
	return 0;
}

static int
dom_parse_chr_target(struct dom_def *def, struct dom_chr *chr, xmlNode *dev)
{
	static const char *const models[] = { "isa-serial", NULL };
	unsigned long long types = 0;
	xmlNode *n, *m;
	size_t i;
	int v, dflt = DOM_CHR_TARGET_DEFAULT, has_port = 0;

	switch (chr->kind) {
	case DOM_CHR_KIND_SERIAL:
		types = BIT(DOM_CHR_TARGET_ISA_SERIAL);
		dflt = DOM_CHR_TARGET_ISA_SERIAL;
		break;
	case DOM_CHR_KIND_CONSOLE:
		types = BIT(DOM_CHR_TARGET_SERIAL) | BIT(DOM_CHR_TARGET_VIRTIO);
		dflt = DOM_CHR_TARGET_SERIAL;
		break;
	case DOM_CHR_KIND_CHANNEL:
		/* <target type='virtio' name=.../> is required */
		if ((n = vr_xml_child_req(dev, "target")) == NULL ||
		    (v = vr_xml_attr_enum(n, "type", VR_XML_ENUM(dom_chr_target,
		    DOM_CHR_TARGET_LAST), BIT(DOM_CHR_TARGET_VIRTIO),
		    REQUIRED)) < 0)
			return -1;
		chr->target_type = v;
		chr->target_name = vr_xml_attr_dup(n, "name");
		return 0;
	case DOM_CHR_KIND_LAST:
		break;
	}
	chr->target_type = dflt;
	if ((n = vr_xml_child(dev, "target")) != NULL) {
		if ((v = vr_xml_attr_enum(n, "type", VR_XML_ENUM(dom_chr_target,
		    DOM_CHR_TARGET_LAST), types, dflt)) < 0 ||
		    (has_port = vr_xml_attr_uint(n, "port", 10, 255,
		    &chr->port)) < 0)
			return -1;
		chr->target_type = v;
		/* libvirt formats <model name='isa-serial'/> in the target */
		if (chr->kind == DOM_CHR_KIND_SERIAL &&
		    (m = vr_xml_child(n, "model")) != NULL &&
		    vr_xml_attr_choice(m, "name", models, REQUIRED) < 0)
			return -1;
	}
	if (has_port)
		return 0;
	/* the port defaults to the next one of the same kind */
	for (i = 0; &def->chrs[i] != chr; i++)
		if (def->chrs[i].kind == chr->kind &&
		    def->chrs[i].port >= chr->port)
			chr->port = def->chrs[i].port + 1;
	return 0;
}

static int
dom_parse_chr(struct dom_def *def, xmlNode *dev, enum dom_chr_kind kind)
{
	struct dom_chr *chr = DOM_APPEND(def->chrs, def->nchrs);
	int v;

	chr->kind = kind;
	if ((v = vr_xml_attr_enum(dev, "type", VR_XML_ENUM(dom_chr_type,
	    DOM_CHR_LAST), ALL, DOM_CHR_PTY)) < 0)
		return -1;
	chr->type = v;
	if (dom_parse_chr_source(chr, dev) < 0 ||
	    dom_parse_chr_target(def, chr, dev) < 0)
		return -1;
	if (kind == DOM_CHR_KIND_CHANNEL &&
	    dom_parse_addr(dev, &chr->addr, BIT(DOM_ADDR_VIRTIO_SERIAL)) < 0)
		return -1;
	return 0;
}

static int
dom_parse_serial(struct dom_def *def, xmlNode *dev)
{
	return dom_parse_chr(def, dev, DOM_CHR_KIND_SERIAL);
}

static int
dom_parse_console(struct dom_def *def, xmlNode *dev)
{
	return dom_parse_chr(def, dev, DOM_CHR_KIND_CONSOLE);
}

static int
dom_parse_channel(struct dom_def *def, xmlNode *dev)
{
	return dom_parse_chr(def, dev, DOM_CHR_KIND_CHANNEL);
}

static int
dom_parse_graphics(struct dom_def *def, xmlNode *dev)
{
	static const char *const types[] = { "address", NULL };
	struct dom_graphics *g = DOM_APPEND(def->graphics, def->ngraphics);
	const char *listen, *addr;
	xmlNode *n;
	bool autoport = false;
	int v, has_autoport;

	if ((v = vr_xml_attr_enum(dev, "type", VR_XML_ENUM(dom_graphics_type,
	    DOM_GRAPHICS_LAST), ALL, REQUIRED)) < 0)
		return -1;
	g->type = v;
	g->port = -1;
	if (vr_xml_attr_int(dev, "port", -1, 65535, &g->port) < 0 ||
	    (has_autoport = vr_xml_attr_bool(dev, "autoport", VR_XML_YESNO,
	    &autoport)) < 0)
		return -1;
	/* libvirt: port -1 means autoport; autoport overrides the port */
	if (g->port == -1) {
		if (has_autoport && !autoport) {
			vr_xml_error(dev, "<graphics autoport='no'> needs a "
			    "port");
			return -1;
		}
		autoport = true;
	}
	g->autoport = autoport;
	if (autoport)
		g->port = -1;
	listen = vr_xml_attr(dev, "listen");
	g->passwd = vr_xml_attr_dup(dev, "passwd");
	if ((n = vr_xml_child(dev, "listen")) != NULL) {
		if (vr_xml_attr_choice(n, "type", types, REQUIRED) < 0)
			return -1;
		if ((addr = vr_xml_attr(n, "address")) != NULL &&
		    listen != NULL && strcmp(addr, listen) != 0) {
			vr_xml_error(n, "<listen address='%s'> does not match "
			    "<graphics listen='%s'>", addr, listen);
			return -1;
		}
		if (listen == NULL)
			listen = addr;
	}
	g->listen = xstrdup_null(listen);
	return 0;
}

static int
dom_parse_video(struct dom_def *def, xmlNode *dev)
{
	struct dom_video *video = DOM_APPEND(def->videos, def->nvideos);
	xmlNode *n;
	int v;

	if ((n = vr_xml_child_req(dev, "model")) == NULL)
		return -1;
	if ((v = vr_xml_attr_enum(n, "type", VR_XML_ENUM(dom_video_model,
	    DOM_VIDEO_LAST), ALL, REQUIRED)) < 0)
		return -1;
	video->model = v;
	if (vr_xml_attr_uint(n, "vram", 10, UINT_MAX, &video->vram_kib) < 0 ||
	    vr_xml_attr_uint(n, "heads", 10, 16, &video->heads) < 0 ||
	    vr_xml_attr_bool(n, "primary", VR_XML_YESNO, &video->primary) < 0)
		return -1;
	return dom_parse_addr(dev, &video->addr, BIT(DOM_ADDR_PCI));
}

static int
dom_parse_balloon(struct dom_def *def, xmlNode *dev)
{
	struct dom_balloon *b = &def->balloon;
	xmlNode *n;
	int v;

	if (def->has_balloon_elem) {
		vr_xml_error(dev, "only one <memballoon> is allowed");
		return -1;
	}
	def->has_balloon_elem = true;
	if ((v = vr_xml_attr_enum(dev, "model", VR_XML_ENUM(dom_balloon_model,
	    DOM_BALLOON_LAST), ALL, REQUIRED)) < 0)
		return -1;
	b->model = v;
	if (vr_xml_attr_bool(dev, "autodeflate", VR_XML_ONOFF,
	    &b->autodeflate) < 0)
		return -1;
	if ((n = vr_xml_child(dev, "stats")) != NULL &&
	    (vr_xml_attr_req(n, "period") == NULL ||
	    vr_xml_attr_uint(n, "period", 10, INT_MAX, &b->stats_period) < 0))
		return -1;
	return dom_parse_addr(dev, &b->addr, BIT(DOM_ADDR_PCI));
}

static int
dom_parse_input(struct dom_def *def, xmlNode *dev)
{
	struct dom_input *in = DOM_APPEND(def->inputs, def->ninputs);
	int v;

	if ((v = vr_xml_attr_enum(dev, "type", VR_XML_ENUM(dom_input_type,
	    DOM_INPUT_LAST), ALL, REQUIRED)) < 0)
		return -1;
	in->type = v;
	if ((v = vr_xml_attr_enum(dev, "bus", VR_XML_ENUM(dom_input_bus,
	    DOM_INPUT_BUS_LAST), ALL, DOM_INPUT_BUS_DEFAULT)) < 0)
		return -1;
	/* libvirt's defaults on x86: USB tablets, PS/2 mouse and keyboard */
	if (v == DOM_INPUT_BUS_DEFAULT)
		v = in->type == DOM_INPUT_TABLET ? DOM_INPUT_BUS_USB :
		    DOM_INPUT_BUS_PS2;
	in->bus = v;
	return dom_parse_addr(dev, &in->addr,
	    BIT(DOM_ADDR_USB) | BIT(DOM_ADDR_PCI));
}

static int
dom_parse_rng(struct dom_def *def, xmlNode *dev)
{
	static const char *const models[] = { "virtio", NULL };
	static const char *const backends[] = { "random", NULL };
	struct dom_rng *rng = DOM_APPEND(def->rngs, def->nrngs);
	xmlNode *n;

	if (vr_xml_attr_choice(dev, "model", models, REQUIRED) < 0)
		return -1;
	if ((n = vr_xml_child(dev, "rate")) != NULL) {
		if (vr_xml_attr_req(n, "bytes") == NULL ||
		    vr_xml_attr_uint(n, "bytes", 10, INT_MAX,
		    &rng->rate_bytes) < 0 ||
		    vr_xml_attr_uint(n, "period", 10, INT_MAX,
		    &rng->rate_period) < 0)
			return -1;
	}
	if ((n = vr_xml_child_req(dev, "backend")) == NULL ||
	    vr_xml_attr_choice(n, "model", backends, REQUIRED) < 0)
		return -1;
	rng->backend_path = vr_xml_text(n);
	if (rng->backend_path[0] == '\0') {
		free(rng->backend_path);
		rng->backend_path = xstrdup("/dev/urandom");
	}
	return dom_parse_addr(dev, &rng->addr, BIT(DOM_ADDR_PCI));
}

static int
dom_parse_watchdog(struct dom_def *def, xmlNode *dev)
{
	struct dom_watchdog *wd = DOM_APPEND(def->watchdogs, def->nwatchdogs);
	int v;

	if ((v = vr_xml_attr_enum(dev, "model", VR_XML_ENUM(dom_watchdog_model,
	    DOM_WATCHDOG_LAST), ALL, REQUIRED)) < 0)
		return -1;
	wd->model = v;
	if ((v = vr_xml_attr_enum(dev, "action", VR_XML_ENUM(
	    dom_watchdog_action, DOM_WATCHDOG_ACTION_LAST), ALL,
	    DOM_WATCHDOG_ACTION_RESET)) < 0)
		return -1;
	wd->action = v;
	return dom_parse_addr(dev, &wd->addr, BIT(DOM_ADDR_PCI));
}

/*
 * <address type='isa' iobase=.../> of the panic device: 0x505 (as libvirt
 * writes it) or 1285; 0 or no iobase is QEMU's default port, 0x505.
 * Beware: libvirt reads a bare number as hex (iobase='505' is 0x505 there),
 * here it is decimal; 0x-prefixed values mean the same to both.
 */
static int
dom_parse_panic_iobase(struct dom_def *def, xmlNode *dev)
{
	static const char *const types[] = { "isa", NULL };
	xmlNode *n = vr_xml_child(dev, "address");
	const char *s, *digits, *allowed;
	unsigned long v = ULONG_MAX;
	bool hex;

	if (n == NULL)
		return 0;
	if (vr_xml_attr_choice(n, "type", types, REQUIRED) < 0)
		return -1;
	if ((s = vr_xml_attr(n, "iobase")) == NULL)
		return 0;
	hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	digits = hex ? s + 2 : s;
	allowed = hex ? "0123456789abcdefABCDEF" : "0123456789";
	/* digits only: strtoul would take a sign, blanks or a second 0x */
	if (digits[0] != '\0' && digits[strspn(digits, allowed)] == '\0') {
		errno = 0;
		v = strtoul(digits, NULL, hex ? 16 : 10);
		if (errno != 0)
			v = ULONG_MAX;
	}
	if (v > 0xffff) {
		vr_xml_attr_invalid(n, "iobase", s, "expected an I/O port "
		    "from 0x0 to 0xffff, in hex (0x505) or decimal (1285)");
		return -1;
	}
	def->panic_iobase = (unsigned int)v;
	return 0;
}

/* <panic model='isa'>: QEMU's pvpanic; at most one. */
static int
dom_parse_panic(struct dom_def *def, xmlNode *dev)
{
	const char *model = vr_xml_attr(dev, "model");

	/* libvirt's default on x86 is isa, and it writes it out */
	if (model != NULL && strcmp(model, "isa") != 0) {
		vr_xml_error(dev, "panic model '%s' is not supported: use "
		    "<panic model='isa'> (the ISA pvpanic device)", model);
		return -1;
	}
	if (def->panic) {
		vr_xml_error(dev, "only one <panic> is allowed");
		return -1;
	}
	def->panic = true;
	return dom_parse_panic_iobase(def, dev);
}

/* libvirt adds <audio id='1' type='none'/> with VNC: no audio, accepted. */
static int
dom_parse_audio(struct dom_def *def, xmlNode *dev)
{
	static const char *const types[] = { "none", NULL };
	unsigned int id;

	(void)def;
	if (vr_xml_attr_choice(dev, "type", types, REQUIRED) < 0 ||
	    vr_xml_attr_uint(dev, "id", 10, INT_MAX, &id) < 0)
		return -1;
	return 0;
}

static const struct {
	const char	*name;
	int		(*parse)(struct dom_def *, xmlNode *);
} dom_devices[] = {
	{ "emulator", dom_parse_emulator },
	{ "disk", dom_parse_disk },
	{ "controller", dom_parse_controller },
	{ "interface", dom_parse_net },
	{ "serial", dom_parse_serial },
	{ "console", dom_parse_console },
	{ "channel", dom_parse_channel },
	{ "input", dom_parse_input },
	{ "graphics", dom_parse_graphics },
	{ "audio", dom_parse_audio },
	{ "video", dom_parse_video },
	{ "watchdog", dom_parse_watchdog },
	{ "memballoon", dom_parse_balloon },
	{ "rng", dom_parse_rng },
	{ "panic", dom_parse_panic },
};

/*
 * SPICE is refused as a whole, naming the first device that needs it: a
 * virt-manager guest lists its spicevmc channel before its <graphics>, and
 * "invalid value 'spicevmc' for <channel type=...>" would not say why.
 */
static int
dom_refuse_spice(xmlNode *devices)
{
	xmlNode *n;
	xmlChar *type;
	bool spice;

	for (n = vr_xml_first(devices); n != NULL; n = vr_xml_next(n)) {
		if ((type = xmlGetNoNsProp(n, BAD_CAST "type")) == NULL)
			continue;
		spice = xmlStrEqual(type, BAD_CAST "spice") ||
		    xmlStrEqual(type, BAD_CAST "spicevmc") ||
		    xmlStrEqual(type, BAD_CAST "spiceport");
		if (spice)
			vr_xml_error(n, "SPICE is not supported (<%s "
			    "type='%s'>): use <graphics type='vnc'>, without "
			    "spice channels, redirdevs or audio", n->name,
			    (const char *)type);
		xmlFree(type);
		if (spice)
			return -1;
	}
	return 0;
}

static int
dom_parse_devices(struct dom_def *def, xmlNode *root)
{
	xmlNode *devices = vr_xml_child(root, "devices"), *n;
	size_t i;

	if (devices == NULL)
		return 0;
	if (dom_refuse_spice(devices) < 0)
		return -1;
	for (n = vr_xml_first(devices); n != NULL; n = vr_xml_next(n)) {
		for (i = 0; i < nitems(dom_devices); i++) {
			if (!vr_xml_is(n, dom_devices[i].name))
				continue;
			vr_xml_mark(n);
			if (dom_devices[i].parse(def, n) < 0)
				return -1;
			break;
		}
		/* unknown devices stay unmarked: refused afterwards */
	}
	return 0;
}

/* Insert at index at a device with the type and source of chrs[from]. */
static void
dom_chr_insert(struct dom_def *def, size_t at, size_t from,
    enum dom_chr_kind kind, enum dom_chr_target target)
{
	struct dom_chr chr = { 0 };

	chr.kind = kind;
	chr.type = def->chrs[from].type;
	chr.path = xstrdup_null(def->chrs[from].path);
	chr.listen = def->chrs[from].listen;
	chr.append = def->chrs[from].append;
	chr.target_type = target;
	DOM_APPEND(def->chrs, def->nchrs);
	memmove(&def->chrs[at + 1], &def->chrs[at],
	    (def->nchrs - 1 - at) * sizeof *def->chrs);
	def->chrs[at] = chr;
}

/*
 * libvirt's console compatibility: the first <console> with target type
 * 'serial' is the first <serial> port, not a device of its own. With no
 * <serial>, it becomes one; with one, it takes the serial's source; and a
 * domain with an ISA serial port always gets that console alias. Drivers
 * skip consoles whose target_type is DOM_CHR_TARGET_SERIAL.
 */
static void
dom_console_compat(struct dom_def *def)
{
	struct dom_chr *serial = NULL, *console = NULL;
	size_t i, iserial = 0, at = def->nchrs;

	for (i = 0; i < def->nchrs; i++) {
		if (def->chrs[i].kind == DOM_CHR_KIND_SERIAL &&
		    serial == NULL) {
			serial = &def->chrs[i];
			iserial = i;
		}
		if (def->chrs[i].kind == DOM_CHR_KIND_CONSOLE &&
		    console == NULL) {
			console = &def->chrs[i];
			at = i;
		}
	}
	if (console != NULL && console->target_type == DOM_CHR_TARGET_SERIAL) {
		console->port = 0;
		if (serial == NULL) {
			dom_chr_insert(def, at, at, DOM_CHR_KIND_SERIAL,
			    DOM_CHR_TARGET_ISA_SERIAL);
			return;
		}
		free(console->path);
		console->type = serial->type;
		console->path = xstrdup_null(serial->path);
		console->listen = serial->listen;
		console->append = serial->append;
		return;
	}
	if (serial != NULL && serial->target_type == DOM_CHR_TARGET_ISA_SERIAL)
		dom_chr_insert(def, at, iserial, DOM_CHR_KIND_CONSOLE,
		    DOM_CHR_TARGET_SERIAL);
}

static bool
dom_has_device_boot(const struct dom_def *def)
{
	size_t i;

	for (i = 0; i < def->ndisks; i++)
		if (def->disks[i].boot_order != 0)
			return true;
	for (i = 0; i < def->nnets; i++)
		if (def->nets[i].boot_order != 0)
			return true;
	return false;
}

/* Defaults libvirt makes explicit after parsing. */
static void
dom_def_post_parse(struct dom_def *def)
{
	if (def->nboot == 0 && !dom_has_device_boot(def))
		def->boot[def->nboot++] = DOM_BOOT_HD;
	if (!def->has_balloon_elem)
		def->balloon.model = DOM_BALLOON_VIRTIO;
	dom_console_compat(def);
}

static int
dom_parse_root(struct dom_def *def, xmlNode *root)
{
	if (dom_parse_header(def, root) < 0 ||
	    dom_parse_metadata(def, root) < 0 ||
	    dom_parse_memory(def, root) < 0 ||
	    dom_parse_vcpu(def, root) < 0 ||
	    dom_parse_cputune(def, root) < 0 ||
	    dom_parse_os(def, root) < 0 ||
	    dom_parse_resource(def, root) < 0 ||
	    dom_parse_cpu(def, root) < 0 ||
	    dom_parse_platform(def, root) < 0 ||
	    dom_parse_devices(def, root) < 0)
		return -1;
	return vr_xml_check_consumed(root);
}

struct dom_def *
dom_def_parse_string(const char *xml, unsigned int flags)
{
	VR_AUTO_XMLDOC doc = NULL;
	VR_AUTO(dom_def) def = NULL;
	xmlNode *root;

	if ((doc = vr_xml_parse_string(xml)) == NULL ||
	    (root = vr_xml_root(doc, "domain")) == NULL)
		return NULL;
	def = xcalloc(1, sizeof *def);
	if (dom_parse_root(def, root) < 0)
		return NULL;
	dom_def_post_parse(def);
	/* our own messages first: they name the field */
	if (dom_def_validate(def) < 0)
		return NULL;
	if ((flags & DOM_PARSE_VALIDATE) && vr_xml_validate_schema(doc, "domain.rng") < 0)
		return NULL;
	return vr_steal(&def);
}

VR_XML_PARSE_FILE_IMPL(dom_def)

static void
dom_chr_clear(struct dom_chr *chr)
{
	free(chr->path);
	free(chr->target_name);
}

void
dom_disk_backing_clear(struct dom_disk *disk)
{
	size_t i;

	for (i = 0; i < disk->nbacking; i++) {
		free(disk->backing[i].path);
		free(disk->backing[i].format);
	}
	free(disk->backing);
	disk->backing = NULL;
	disk->nbacking = 0;
	disk->chain_known = false;
}

void
dom_def_free(struct dom_def *def)
{
	size_t i;

	if (def == NULL)
		return;
	free(def->name);
	free(def->title);
	free(def->description);
	for (i = 0; i < def->nmetadata; i++)
		free(def->metadata[i]);
	free(def->metadata);
	free(def->vcpu_cpuset);
	for (i = 0; i < def->nvcpupins; i++)
		free(def->vcpupins[i].cpuset);
	free(def->vcpupins);
	free(def->emulatorpin);
	free(def->os_arch);
	free(def->os_machine);
	free(def->kernel);
	free(def->initrd);
	free(def->cmdline);
	free(def->cpu_model);
	free(def->emulator);
	for (i = 0; i < def->ndisks; i++) {
		free(def->disks[i].src_path);
		free(def->disks[i].src_pool);
		free(def->disks[i].src_volume);
		free(def->disks[i].target_dev);
		free(def->disks[i].serial);
		dom_disk_backing_clear(&def->disks[i]);
	}
	free(def->disks);
	free(def->controllers);
	for (i = 0; i < def->nnets; i++) {
		free(def->nets[i].source);
		free(def->nets[i].target_dev);
	}
	free(def->nets);
	for (i = 0; i < def->nchrs; i++)
		dom_chr_clear(&def->chrs[i]);
	free(def->chrs);
	for (i = 0; i < def->ngraphics; i++) {
		free(def->graphics[i].listen);
		free(def->graphics[i].passwd);
	}
	free(def->graphics);
	free(def->videos);
	free(def->inputs);
	for (i = 0; i < def->nrngs; i++)
		free(def->rngs[i].backend_path);
	free(def->rngs);
	free(def->watchdogs);
	free(def);
}

#define DOM_DUP(arr, n)	xmemdup_array((arr), (n), sizeof *(arr))

struct dom_def *
dom_def_copy(const struct dom_def *src)
{
	struct dom_def *def = xmalloc(sizeof *def);
	size_t i;

	*def = *src;
	def->name = xstrdup_null(src->name);
	def->title = xstrdup_null(src->title);
	def->description = xstrdup_null(src->description);
	def->metadata = DOM_DUP(src->metadata, src->nmetadata);
	for (i = 0; i < def->nmetadata; i++)
		def->metadata[i] = xstrdup(src->metadata[i]);
	def->vcpu_cpuset = xstrdup_null(src->vcpu_cpuset);
	def->vcpupins = DOM_DUP(src->vcpupins, src->nvcpupins);
	for (i = 0; i < def->nvcpupins; i++)
		def->vcpupins[i].cpuset = xstrdup(src->vcpupins[i].cpuset);
	def->emulatorpin = xstrdup_null(src->emulatorpin);
	def->os_arch = xstrdup_null(src->os_arch);
	def->os_machine = xstrdup_null(src->os_machine);
	def->kernel = xstrdup_null(src->kernel);
	def->initrd = xstrdup_null(src->initrd);
	def->cmdline = xstrdup_null(src->cmdline);
	def->cpu_model = xstrdup_null(src->cpu_model);
	def->emulator = xstrdup_null(src->emulator);
	def->disks = DOM_DUP(src->disks, src->ndisks);
	for (i = 0; i < def->ndisks; i++) {
		def->disks[i].src_path = xstrdup_null(src->disks[i].src_path);
		def->disks[i].src_pool = xstrdup_null(src->disks[i].src_pool);
		def->disks[i].src_volume =
		    xstrdup_null(src->disks[i].src_volume);
		def->disks[i].target_dev =
		    xstrdup_null(src->disks[i].target_dev);
		def->disks[i].serial = xstrdup_null(src->disks[i].serial);
		def->disks[i].backing = NULL;
		def->disks[i].nbacking = 0;
		def->disks[i].chain_known = false;
	}
	def->controllers = DOM_DUP(src->controllers, src->ncontrollers);
	def->nets = DOM_DUP(src->nets, src->nnets);
	for (i = 0; i < def->nnets; i++) {
		def->nets[i].source = xstrdup_null(src->nets[i].source);
		def->nets[i].target_dev = xstrdup_null(src->nets[i].target_dev);
	}
	def->chrs = DOM_DUP(src->chrs, src->nchrs);
	for (i = 0; i < def->nchrs; i++) {
		def->chrs[i].path = xstrdup_null(src->chrs[i].path);
		def->chrs[i].target_name =
		    xstrdup_null(src->chrs[i].target_name);
	}
	def->graphics = DOM_DUP(src->graphics, src->ngraphics);
	for (i = 0; i < def->ngraphics; i++) {
		def->graphics[i].listen = xstrdup_null(src->graphics[i].listen);
		def->graphics[i].passwd = xstrdup_null(src->graphics[i].passwd);
	}
	def->videos = DOM_DUP(src->videos, src->nvideos);
	def->inputs = DOM_DUP(src->inputs, src->ninputs);
	def->rngs = DOM_DUP(src->rngs, src->nrngs);
	for (i = 0; i < def->nrngs; i++)
		def->rngs[i].backend_path =
		    xstrdup_null(src->rngs[i].backend_path);
	def->watchdogs = DOM_DUP(src->watchdogs, src->nwatchdogs);
	return def;
}

void
dom_mac_format(const unsigned char mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
	    mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

static int
dom_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
dom_mac_parse(const char *s, unsigned char mac[6])
{
	int i, hi, lo;

	if (s == NULL || strlen(s) != 17)
		return -1;
	for (i = 0; i < 6; i++) {
		if ((hi = dom_hex(s[i * 3])) < 0 ||
		    (lo = dom_hex(s[i * 3 + 1])) < 0 ||
		    (i < 5 && s[i * 3 + 2] != ':'))
			return -1;
		mac[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}
