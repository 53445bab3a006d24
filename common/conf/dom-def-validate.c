/*
 * Semantic checks of a domain definition: what the schema cannot say.
 * Each error names the field. Also run by dom_def_parse_*().
 */
#include "config.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "dom-def.h"
#include "err.h"
#include "util.h"

#define UNIX_PATH_MAX	108	/* sizeof(sun_path) */

/* [A-Za-z0-9._-]+ plus extra: safe inside QEMU option strings. */
static bool
dom_word_valid(const char *s, const char *extra)
{
	const char *p;

	if (s == NULL || *s == '\0')
		return false;
	for (p = s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("._-", *p) != NULL ||
		    (extra != NULL && strchr(extra, *p) != NULL))
			continue;
		return false;
	}
	return true;
}

static int
dom_path_check(const char *what, const char *path)
{
	if (path != NULL && path[0] != '/') {
		vr_error(VR_ERR_XML, "%s '%s' must be an absolute path", what,
		    path);
		return -1;
	}
	return 0;
}

static int
dom_ifname_check(const char *what, const char *name)
{
	if (name != NULL && (strlen(name) >= IF_NAMESIZE ||
	    !dom_word_valid(name, NULL))) {
		vr_error(VR_ERR_XML, "%s '%s' is not a valid interface name",
		    what, name);
		return -1;
	}
	return 0;
}

static int
dom_validate_general(const struct dom_def *def)
{
	size_t i;

	if (!vr_name_valid(def->name)) {
		vr_error(VR_ERR_XML, "invalid domain name '%s': expected 1 to "
		    "64 of A-Z a-z 0-9 _ . + - :, not starting with '.' or '-'",
		    def->name != NULL ? def->name : "");
		return -1;
	}
	if (def->title != NULL && strchr(def->title, '\n') != NULL) {
		vr_error(VR_ERR_XML, "title must be a single line");
		return -1;
	}
	if (def->mem_kib == 0) {
		vr_error(VR_ERR_XML, "memory must be greater than 0");
		return -1;
	}
	if (def->cur_mem_kib == 0) {
		vr_error(VR_ERR_XML, "currentMemory must be greater than 0");
		return -1;
	}
	if (def->cur_mem_kib > def->mem_kib) {
		vr_error(VR_ERR_XML, "currentMemory (%llu KiB) exceeds memory "
		    "(%llu KiB)", def->cur_mem_kib, def->mem_kib);
		return -1;
	}
	if (def->max_mem_kib != 0 && def->mem_kib > def->max_mem_kib) {
		vr_error(VR_ERR_XML, "memory (%llu KiB) exceeds maxMemory "
		    "(%llu KiB)", def->mem_kib, def->max_mem_kib);
		return -1;
	}
	if (def->max_mem_kib != 0 && def->max_mem_slots == 0) {
		vr_error(VR_ERR_XML, "maxMemory needs slots greater than 0");
		return -1;
	}
	if (def->vcpus == 0) {
		vr_error(VR_ERR_XML, "vcpu must be greater than 0");
		return -1;
	}
	if (def->vcpus_current == 0) {
		vr_error(VR_ERR_XML, "vcpu current must be greater than 0");
		return -1;
	}
	if (def->vcpus_current > def->vcpus) {
		vr_error(VR_ERR_XML, "vcpu current (%u) exceeds maximum (%u)",
		    def->vcpus_current, def->vcpus);
		return -1;
	}
	if (def->vcpu_cpuset != NULL &&
	    def->vcpu_placement == DOM_VCPU_PLACEMENT_AUTO) {
		vr_error(VR_ERR_XML, "vcpu cpuset cannot be used with "
		    "placement='auto'");
		return -1;
	}
	for (i = 0; i < def->nvcpupins; i++) {
		if (def->vcpupins[i].vcpu >= def->vcpus) {
			vr_error(VR_ERR_XML, "vcpupin: vcpu %u does not exist "
			    "(the maximum is %u vCPUs)", def->vcpupins[i].vcpu,
			    def->vcpus);
			return -1;
		}
		if (i > 0 && def->vcpupins[i].vcpu ==
		    def->vcpupins[i - 1].vcpu) {
			vr_error(VR_ERR_XML, "vcpupin: vcpu %u is pinned "
			    "twice", def->vcpupins[i].vcpu);
			return -1;
		}
	}
	return 0;
}

static int
dom_validate_os_cpu(const struct dom_def *def)
{
	unsigned long long n;

	if (def->os_machine != NULL && !dom_word_valid(def->os_machine, NULL)) {
		vr_error(VR_ERR_XML, "invalid os machine '%s'",
		    def->os_machine);
		return -1;
	}
	if (dom_path_check("kernel", def->kernel) < 0 ||
	    dom_path_check("initrd", def->initrd) < 0 ||
	    dom_path_check("emulator", def->emulator) < 0)
		return -1;
	if (def->kernel == NULL && (def->initrd != NULL ||
	    def->cmdline != NULL)) {
		vr_error(VR_ERR_XML, "%s requires a kernel",
		    def->initrd != NULL ? "initrd" : "cmdline");
		return -1;
	}
	if (def->cpu_model != NULL && !dom_word_valid(def->cpu_model, NULL)) {
		vr_error(VR_ERR_XML, "invalid cpu model '%s'", def->cpu_model);
		return -1;
	}
	if (def->cpu_sockets == 0 && def->cpu_cores == 0 &&
	    def->cpu_threads == 0)
		return 0;
	if (def->cpu_sockets == 0 || def->cpu_dies == 0 ||
	    def->cpu_cores == 0 || def->cpu_threads == 0) {
		vr_error(VR_ERR_XML, "cpu topology values must be greater "
		    "than 0");
		return -1;
	}
	n = (unsigned long long)def->cpu_sockets * def->cpu_dies *
	    def->cpu_cores * def->cpu_threads;
	if (n != def->vcpus) {
		vr_error(VR_ERR_XML, "cpu topology (%llu CPUs) does not match "
		    "vcpu count %u", n, def->vcpus);
		return -1;
	}
	return 0;
}

/* vda, sdb, hdc, sdaa: a known prefix and 1 to 3 lowercase letters. */
static bool
dom_disk_target_valid(const char *dev)
{
	size_t n;

	if (strncmp(dev, "vd", 2) != 0 && strncmp(dev, "sd", 2) != 0 &&
	    strncmp(dev, "hd", 2) != 0)
		return false;
	n = strspn(dev + 2, "abcdefghijklmnopqrstuvwxyz");
	return n >= 1 && n <= 3 && dev[2 + n] == '\0';
}

static int
dom_validate_disk(const struct dom_def *def, const struct dom_disk *d,
    size_t idx)
{
	const char *t = d->target_dev;
	size_t i;

	if (!dom_disk_target_valid(t)) {
		vr_error(VR_ERR_XML, "disk target '%s' is invalid: expected "
		    "vd, sd or hd and letters, like vda", t);
		return -1;
	}
	for (i = 0; i < idx; i++) {
		if (strcmp(def->disks[i].target_dev, t) == 0) {
			vr_error(VR_ERR_XML, "duplicate disk target '%s'", t);
			return -1;
		}
	}
	if (d->device != DOM_DISK_DEVICE_CDROM && d->src_path == NULL &&
	    d->src_volume == NULL) {
		vr_error(VR_ERR_XML, "disk '%s' has no <source>", t);
		return -1;
	}
	if (d->device == DOM_DISK_DEVICE_CDROM &&
	    d->bus == DOM_DISK_BUS_VIRTIO) {
		vr_error(VR_ERR_XML, "disk '%s': a cdrom cannot use "
		    "bus='virtio'", t);
		return -1;
	}
	if (d->src_path != NULL && d->src_path[0] != '/') {
		vr_error(VR_ERR_XML, "disk '%s': source '%s' must be an "
		    "absolute path", t, d->src_path);
		return -1;
	}
	if ((d->src_pool != NULL && !vr_name_valid(d->src_pool)) ||
	    (d->src_volume != NULL && !vr_name_valid(d->src_volume))) {
		vr_error(VR_ERR_XML, "disk '%s': invalid pool or volume name",
		    t);
		return -1;
	}
	if (d->serial != NULL && (strlen(d->serial) > 36 ||
	    !dom_word_valid(d->serial, " +"))) {
		vr_error(VR_ERR_XML, "disk '%s': invalid serial '%s'", t,
		    d->serial);
		return -1;
	}
	if ((d->addr.type == DOM_ADDR_PCI) != (d->bus == DOM_DISK_BUS_VIRTIO) &&
	    d->addr.type != DOM_ADDR_NONE) {
		vr_error(VR_ERR_XML, "disk '%s': address type '%s' does not "
		    "fit bus '%s'", t, dom_addr_type_to_string(d->addr.type),
		    dom_disk_bus_to_string(d->bus));
		return -1;
	}
	return 0;
}

/* Boot orders are unique, and exclude <os><boot dev=.../>. */
static int
dom_validate_boot(const struct dom_def *def)
{
	unsigned int orders[256];
	size_t n = 0, i, j;

	for (i = 0; i < def->ndisks; i++)
		if (def->disks[i].boot_order != 0 && n < nitems(orders))
			orders[n++] = def->disks[i].boot_order;
	for (i = 0; i < def->nnets; i++)
		if (def->nets[i].boot_order != 0 && n < nitems(orders))
			orders[n++] = def->nets[i].boot_order;
	if (n > 0 && def->nboot > 0) {
		vr_error(VR_ERR_XML, "per-device <boot order=...> cannot be "
		    "used together with <os><boot dev=...>");
		return -1;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++) {
			if (orders[i] == orders[j]) {
				vr_error(VR_ERR_XML, "boot order %u is used by "
				    "more than one device", orders[i]);
				return -1;
			}
		}
	}
	return 0;
}

static int
dom_validate_controllers(const struct dom_def *def)
{
	const struct dom_controller *c;
	bool root;
	size_t i, j;

	for (i = 0; i < def->ncontrollers; i++) {
		c = &def->controllers[i];
		for (j = 0; j < i; j++) {
			if (def->controllers[j].type == c->type &&
			    def->controllers[j].index == c->index) {
				vr_error(VR_ERR_XML, "duplicate controller "
				    "type='%s' index='%u'",
				    dom_controller_type_to_string(c->type),
				    c->index);
				return -1;
			}
		}
		if (c->type != DOM_CONTROLLER_PCI)
			continue;
		root = c->model == DOM_CONTROLLER_MODEL_PCI_ROOT ||
		    c->model == DOM_CONTROLLER_MODEL_PCIE_ROOT;
		if (root != (c->index == 0)) {
			vr_error(VR_ERR_XML, "pci controller index %u: index 0 "
			    "must be, and only it can be, pci-root or "
			    "pcie-root", c->index);
			return -1;
		}
		if (root && c->addr.type != DOM_ADDR_NONE) {
			vr_error(VR_ERR_XML, "pci controller index 0 cannot "
			    "have an address");
			return -1;
		}
	}
	return 0;
}

static int
dom_validate_nets(const struct dom_def *def)
{
	static const unsigned char zero[6];
	const struct dom_net *net;
	char mac[18];
	size_t i, j;

	for (i = 0; i < def->nnets; i++) {
		net = &def->nets[i];
		dom_mac_format(net->mac, mac);
		if (net->mac[0] & 1) {
			vr_error(VR_ERR_XML, "interface MAC %s is a multicast "
			    "address: expected unicast", mac);
			return -1;
		}
		if (memcmp(net->mac, zero, 6) == 0) {
			vr_error(VR_ERR_XML, "interface MAC %s is invalid",
			    mac);
			return -1;
		}
		for (j = 0; j < i; j++) {
			if (memcmp(def->nets[j].mac, net->mac, 6) == 0) {
				vr_error(VR_ERR_XML, "duplicate interface MAC "
				    "%s", mac);
				return -1;
			}
		}
		if (net->type == DOM_NET_NETWORK &&
		    !vr_name_valid(net->source)) {
			vr_error(VR_ERR_XML, "interface %s: invalid network "
			    "name '%s'", mac, net->source);
			return -1;
		}
		if ((net->type == DOM_NET_BRIDGE &&
		    dom_ifname_check("bridge", net->source) < 0) ||
		    dom_ifname_check("interface target", net->target_dev) < 0)
			return -1;
	}
	return 0;
}

static int
dom_validate_chrs(const struct dom_def *def)
{
	const struct dom_chr *chr;
	const char *kind;
	size_t i, j, nconsoles = 0;

	for (i = 0; i < def->nchrs; i++) {
		chr = &def->chrs[i];
		kind = dom_chr_kind_to_string(chr->kind);
		if (chr->path != NULL && chr->path[0] != '/') {
			vr_error(VR_ERR_XML, "%s path '%s' must be absolute",
			    kind, chr->path);
			return -1;
		}
		if (chr->type == DOM_CHR_UNIX && chr->path != NULL &&
		    strlen(chr->path) >= UNIX_PATH_MAX) {
			vr_error(VR_ERR_XML, "%s socket path '%s' is too long",
			    kind, chr->path);
			return -1;
		}
		if (chr->target_name != NULL &&
		    !dom_word_valid(chr->target_name, NULL)) {
			vr_error(VR_ERR_XML, "invalid channel name '%s'",
			    chr->target_name);
			return -1;
		}
		if (chr->kind == DOM_CHR_KIND_CONSOLE && nconsoles++ > 0 &&
		    chr->target_type == DOM_CHR_TARGET_SERIAL) {
			vr_error(VR_ERR_XML, "only the first console can be "
			    "a serial console");
			return -1;
		}
		if (chr->kind != DOM_CHR_KIND_SERIAL)
			continue;
		for (j = 0; j < i; j++) {
			if (def->chrs[j].kind == DOM_CHR_KIND_SERIAL &&
			    def->chrs[j].port == chr->port) {
				vr_error(VR_ERR_XML, "duplicate serial port %u",
				    chr->port);
				return -1;
			}
		}
	}
	return 0;
}

static int
dom_validate_graphics(const struct dom_def *def)
{
	const struct dom_graphics *g;
	unsigned char buf[16];

	if (def->ngraphics > 1) {
		vr_error(VR_ERR_XML, "only one <graphics type='vnc'> is "
		    "supported");
		return -1;
	}
	if (def->ngraphics == 0)
		return 0;
	g = &def->graphics[0];
	if (!g->autoport && (g->port < 5900 || g->port > 65535)) {
		vr_error(VR_ERR_XML, "VNC port %d is out of range 5900 to "
		    "65535", g->port);
		return -1;
	}
	if (g->listen != NULL && inet_pton(AF_INET, g->listen, buf) != 1 &&
	    inet_pton(AF_INET6, g->listen, buf) != 1) {
		vr_error(VR_ERR_XML, "VNC listen address '%s' is not an IP "
		    "address", g->listen);
		return -1;
	}
	return 0;
}

static int
dom_validate_devices(const struct dom_def *def)
{
	const struct dom_balloon *b = &def->balloon;
	const struct dom_input *in;
	size_t i, nprimary = 0;

	for (i = 0; i < def->nvideos; i++) {
		nprimary += def->videos[i].primary;
		if (def->videos[i].model == DOM_VIDEO_NONE &&
		    def->nvideos > 1) {
			vr_error(VR_ERR_XML, "video model 'none' must be the "
			    "only video device");
			return -1;
		}
	}
	if (nprimary > 1) {
		vr_error(VR_ERR_XML, "only one video device can be primary");
		return -1;
	}
	if (b->model == DOM_BALLOON_NONE && (b->autodeflate ||
	    b->stats_period != 0 || b->addr.type != DOM_ADDR_NONE)) {
		vr_error(VR_ERR_XML, "memballoon model 'none' takes no "
		    "autodeflate, stats or address");
		return -1;
	}
	for (i = 0; i < def->ninputs; i++) {
		in = &def->inputs[i];
		if (in->type == DOM_INPUT_TABLET &&
		    in->bus == DOM_INPUT_BUS_PS2) {
			vr_error(VR_ERR_XML, "input tablet cannot use "
			    "bus='ps2'");
			return -1;
		}
		if ((in->addr.type == DOM_ADDR_USB &&
		    in->bus != DOM_INPUT_BUS_USB) ||
		    (in->addr.type == DOM_ADDR_PCI &&
		    in->bus != DOM_INPUT_BUS_VIRTIO)) {
			vr_error(VR_ERR_XML, "input %s: address type '%s' "
			    "needs bus='%s'",
			    dom_input_type_to_string(in->type),
			    dom_addr_type_to_string(in->addr.type),
			    in->addr.type == DOM_ADDR_USB ? "usb" : "virtio");
			return -1;
		}
	}
	for (i = 0; i < def->nrngs; i++) {
		if (strcmp(def->rngs[i].backend_path, "/dev/urandom") != 0 &&
		    strcmp(def->rngs[i].backend_path, "/dev/random") != 0) {
			vr_error(VR_ERR_XML, "rng backend '%s' is not allowed: "
			    "expected /dev/urandom or /dev/random",
			    def->rngs[i].backend_path);
			return -1;
		}
		if (def->rngs[i].rate_bytes == 0 && def->rngs[i].rate_period) {
			vr_error(VR_ERR_XML, "rng rate needs bytes greater "
			    "than 0");
			return -1;
		}
	}
	for (i = 0; i < def->nwatchdogs; i++) {
		if (def->watchdogs[i].model != DOM_WATCHDOG_I6300ESB &&
		    def->watchdogs[i].addr.type != DOM_ADDR_NONE) {
			vr_error(VR_ERR_XML, "watchdog '%s' is not a PCI "
			    "device", dom_watchdog_model_to_string(
			    def->watchdogs[i].model));
			return -1;
		}
	}
	return 0;
}

/* For definitions built in code: parsing already bounds the iobase. */
static int
dom_validate_panic(const struct dom_def *def)
{
	if (def->panic_iobase > 0xffff) {
		vr_error(VR_ERR_XML, "panic iobase 0x%x is not an I/O port "
		    "(0x0 to 0xffff)", def->panic_iobase);
		return -1;
	}
	if (!def->panic && def->panic_iobase != 0) {
		vr_error(VR_ERR_XML, "panic iobase 0x%x without a panic "
		    "device", def->panic_iobase);
		return -1;
	}
	return 0;
}

/* Every PCI address in the definition, for the duplicate check. */
static size_t
dom_pci_addrs(const struct dom_def *def, const struct dom_addr **out,
    size_t max)
{
	size_t n = 0, i;

#define ADD(a)	do {						\
	if ((a)->type == DOM_ADDR_PCI && n < max)		\
		out[n++] = (a);					\
} while (0)
	for (i = 0; i < def->ndisks; i++)
		ADD(&def->disks[i].addr);
	for (i = 0; i < def->ncontrollers; i++)
		ADD(&def->controllers[i].addr);
	for (i = 0; i < def->nnets; i++)
		ADD(&def->nets[i].addr);
	for (i = 0; i < def->nvideos; i++)
		ADD(&def->videos[i].addr);
	for (i = 0; i < def->ninputs; i++)
		ADD(&def->inputs[i].addr);
	for (i = 0; i < def->nrngs; i++)
		ADD(&def->rngs[i].addr);
	for (i = 0; i < def->nwatchdogs; i++)
		ADD(&def->watchdogs[i].addr);
	ADD(&def->balloon.addr);
#undef ADD
	return n;
}

static int
dom_validate_pci(const struct dom_def *def)
{
	const struct dom_addr *addrs[512], *a, *b;
	size_t n = dom_pci_addrs(def, addrs, nitems(addrs)), i, j;

	for (i = 0; i < n; i++) {
		a = addrs[i];
		for (j = 0; j < i; j++) {
			b = addrs[j];
			if (a->domain == b->domain && a->bus == b->bus &&
			    a->slot == b->slot && a->function == b->function) {
				vr_error(VR_ERR_XML, "PCI address %04x:%02x:"
				    "%02x.%x is used by more than one device",
				    a->domain, a->bus, a->slot, a->function);
				return -1;
			}
		}
	}
	return 0;
}

int
dom_def_validate(const struct dom_def *def)
{
	size_t i;

	if (dom_validate_general(def) < 0 || dom_validate_os_cpu(def) < 0)
		return -1;
	for (i = 0; i < def->ndisks; i++)
		if (dom_validate_disk(def, &def->disks[i], i) < 0)
			return -1;
	if (dom_validate_boot(def) < 0 || dom_validate_controllers(def) < 0 ||
	    dom_validate_nets(def) < 0 || dom_validate_chrs(def) < 0 ||
	    dom_validate_graphics(def) < 0 || dom_validate_devices(def) < 0 ||
	    dom_validate_panic(def) < 0 || dom_validate_pci(def) < 0)
		return -1;
	return 0;
}
