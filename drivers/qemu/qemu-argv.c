/*
 * struct dom_def -> qemu-system-x86_64 argv. See qemu-argv.h for the
 * policy; tests/qemuxml2argv holds one golden file per feature, each also
 * started in a real QEMU by tests/qemu-argv-test.c. Disks are in
 * qemu-argv-disk.c, interfaces in qemu-argv-net.c (qemu-argv-priv.h).
 *
 * Values in QEMU's key=value syntax have their commas doubled (buf_esc);
 * -blockdev takes JSON, so disk paths need no escaping there. -kernel,
 * -initrd and -append are plain strings to QEMU.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "err.h"
#include "qemu-argv.h"
#include "qemu-argv-priv.h"
#include "xmalloc.h"

#define VNC_PORT_MIN	5900
#define PVPANIC_IOPORT	0x505	/* QEMU's default */

/* argv helpers */

void
qb_add(struct qb *qb, const char *s)
{
	if (qb->n + 2 > qb->cap) {
		qb->cap = qb->cap != 0 ? qb->cap * 2 : 64;
		qb->v = xreallocarray(qb->v, qb->cap, sizeof *qb->v);
	}
	qb->v[qb->n++] = xstrdup(s);
	qb->v[qb->n] = NULL;
}

void
qb_addf(struct qb *qb, const char *opt, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvprintf(fmt, ap);
	va_end(ap);
	qb_add(qb, opt);
	qb_add(qb, s);
	free(s);
}

/* Adds opt and the buffer's contents, and empties the buffer. */
void
qb_add_buf(struct qb *qb, const char *opt, struct vr_buf *b)
{
	qb_add(qb, opt);
	qb_add(qb, vr_buf_str(b));
	vr_buf_free(b);
}

/* Appends s with commas doubled, as QEMU's option parser wants. */
void
buf_esc(struct vr_buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == ',')
			vr_buf_add(b, ",", 1);
		vr_buf_add(b, s, 1);
	}
}

/* Appends ",key=value" for each member of o, in order. */
void
props_append(struct vr_buf *b, struct json_object *o)
{
	json_object_object_foreach(o, key, val) {
		vr_buf_printf(b, ",%s=", key);
		switch (json_object_get_type(val)) {
		case json_type_boolean:
			vr_buf_puts(b, json_object_get_boolean(val) ? "on" :
			    "off");
			break;
		case json_type_int:
			vr_buf_printf(b, "%lld",
			    (long long)json_object_get_int64(val));
			break;
		case json_type_string:
			buf_esc(b, json_object_get_string(val));
			break;
		case json_type_null:
		case json_type_double:
		case json_type_object:
		case json_type_array:
			buf_esc(b, json_object_to_json_string(val));
			break;
		}
	}
}

/* "TYPE,key=value,...": the first member's value, then the others. */
static void
props_format(struct vr_buf *b, struct json_object *o)
{
	struct json_object *rest = json_object_new_object();
	const char *first = NULL;

	json_object_object_foreach(o, key, val) {
		if (first == NULL)
			first = json_object_get_string(val);
		else
			json_object_object_add(rest, key,
			    json_object_get(val));
	}
	if (first != NULL)
		buf_esc(b, first);
	props_append(b, rest);
	json_object_put(rest);
}

void
qb_add_props(struct qb *qb, const char *opt, struct json_object *o)
{
	struct vr_buf b = { 0 };

	props_format(&b, o);
	json_object_put(o);
	qb_add_buf(qb, opt, &b);
}

void
qb_add_json(struct qb *qb, struct json_object *o)
{
	char *s = json_take_string(o);

	qb_add(qb, s);
	free(s);
}

char *
json_take_string(struct json_object *o)
{
	char *s;

	s = xstrdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

static bool
str_is(const char *s, const char *allowed)
{
	if (s == NULL || *s == '\0')
		return false;
	return s[strspn(s, allowed)] == '\0';
}

#define CHARS_ALNUM	"abcdefghijklmnopqrstuvwxyz" \
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/* machine */

const char *
machine_name(const struct qb *qb)
{
	return qb->def->os_machine != NULL ? qb->def->os_machine : "pc";
}

static int
machine_check(struct qb *qb)
{
	const char *m = machine_name(qb);
	const char *arch = qb->def->os_arch;

	if (arch != NULL && strcmp(arch, "x86_64") != 0) {
		vr_error(VR_ERR_UNSUPPORTED,
		    "os arch '%s' is not supported (only x86_64)", arch);
		return -1;
	}
	if (strcmp(m, "q35") == 0 || (strncmp(m, "pc-q35-", 7) == 0 &&
	    str_is(m + 7, "0123456789."))) {
		qb->q35 = true;
		return 0;
	}
	if (strcmp(m, "pc") == 0 || (strncmp(m, "pc-i440fx-", 10) == 0 &&
	    str_is(m + 10, "0123456789.")))
		return 0;
	vr_error(VR_ERR_UNSUPPORTED, "machine '%s' is not supported (pc, "
	    "pc-i440fx-*, q35, pc-q35-*)", m);
	return -1;
}

/* PCI addresses */

static bool
pci_ctrl_is_bus(const struct dom_controller *c)
{
	return c->type == DOM_CONTROLLER_PCI &&
	    (c->model == DOM_CONTROLLER_MODEL_PCI_BRIDGE ||
	    c->model == DOM_CONTROLLER_MODEL_PCIE_ROOT_PORT);
}

const struct dom_controller *
ctrl_find(const struct dom_def *def, enum dom_controller_type type,
    unsigned int index)
{
	size_t i;

	for (i = 0; i < def->ncontrollers; i++)
		if (def->controllers[i].type == type &&
		    def->controllers[i].index == index)
			return &def->controllers[i];
	return NULL;
}

/* Marks an explicit PCI address used; checks the bus exists. */
int
pci_reserve(struct qb *qb, const struct dom_addr *a, const char *what)
{
	const struct dom_controller *c;

	if (a->type == DOM_ADDR_NONE)
		return 0;
	if (a->type != DOM_ADDR_PCI) {
		vr_error(VR_ERR_XML, "%s: address type '%s' is not valid for a "
		    "PCI device", what, dom_addr_type_to_string(a->type));
		return -1;
	}
	if (a->domain != 0 || a->bus >= PCI_NBUS || a->slot >= PCI_NSLOT ||
	    a->function > 7) {
		vr_error(VR_ERR_XML, "%s: PCI address %04x:%02x:%02x.%x is out "
		    "of range (domain 0, bus 0-255, slot 0-31, function 0-7)",
		    what, a->domain, a->bus, a->slot, a->function);
		return -1;
	}
	if (a->bus != 0) {
		c = ctrl_find(qb->def, DOM_CONTROLLER_PCI, a->bus);
		if (c == NULL || !pci_ctrl_is_bus(c)) {
			vr_error(VR_ERR_XML, "%s: PCI bus %u does not "
			    "exist (no pci-bridge or pcie-root-port "
			    "controller with index %u)", what, a->bus, a->bus);
			return -1;
		}
		if (c->model == DOM_CONTROLLER_MODEL_PCIE_ROOT_PORT &&
		    a->slot != 0) {
			vr_error(VR_ERR_XML, "%s: pcie-root-port 'pci.%u' has "
			    "only slot 0", what, a->bus);
			return -1;
		}
	}
	if (qb->pci[a->bus][a->slot] & (1u << a->function)) {
		vr_error(VR_ERR_XML, "%s: PCI address %02x:%02x.%x is already "
		    "in use", what, a->bus, a->slot, a->function);
		return -1;
	}
	qb->pci[a->bus][a->slot] |= 1u << a->function;
	return 0;
}

/* Takes a free slot on bus 0, trying pref first (0: none). -1 if full. */
static int
pci_take(struct qb *qb, unsigned int pref)
{
	unsigned int s;

	if (pref != 0 && qb->pci[0][pref] == 0) {
		qb->pci[0][pref] = 0xff;
		return (int)pref;
	}
	for (s = qb->first_slot; s < PCI_NSLOT; s++) {
		if (qb->pci[0][s] == 0) {
			qb->pci[0][s] = 0xff;
			return (int)s;
		}
	}
	return -1;
}

static void
pci_bus_name(const struct qb *qb, unsigned int bus, struct vr_buf *b)
{
	if (bus == 0)
		vr_buf_puts(b, qb->q35 ? "pcie.0" : "pci.0");
	else
		vr_buf_printf(b, "pci.%u", bus);
}

int
pci_addr_props(struct qb *qb, struct json_object *o, const struct dom_addr *a,
    int slot, const char *what)
{
	struct vr_buf b = { 0 };
	unsigned int bus = 0;

	if (a->type == DOM_ADDR_PCI) {
		bus = a->bus;
		slot = (int)a->slot;
	} else if (slot < 0 && (slot = pci_take(qb, 0)) < 0) {
		vr_error(VR_ERR_UNSUPPORTED, "%s: no free PCI slot left on "
		    "bus 0; add a pci-bridge or pcie-root-port", what);
		return -1;
	}
	pci_bus_name(qb, bus, &b);
	json_object_object_add(o, "bus", json_object_new_string(
	    vr_buf_str(&b)));
	vr_buf_free(&b);
	vr_buf_printf(&b, "0x%x", (unsigned int)slot);
	if (a->type == DOM_ADDR_PCI && a->function != 0)
		vr_buf_printf(&b, ".0x%x", a->function);
	json_object_object_add(o, "addr", json_object_new_string(
	    vr_buf_str(&b)));
	vr_buf_free(&b);
	if (a->type == DOM_ADDR_PCI && a->multifunction)
		json_object_object_add(o, "multifunction",
		    json_object_new_boolean(1));
	return 0;
}

int
pci_addr(struct qb *qb, struct vr_buf *b, const struct dom_addr *a,
    int slot, const char *what)
{
	struct json_object *o = json_object_new_object();

	if (pci_addr_props(qb, o, a, slot, what) < 0) {
		json_object_put(o);
		return -1;
	}
	props_append(b, o);
	json_object_put(o);
	return 0;
}

/* Devices that do not sit on PCI must not carry a PCI address. */
int
no_pci_addr(const struct dom_addr *a, const char *what)
{
	if (a->type == DOM_ADDR_PCI) {
		vr_error(VR_ERR_XML, "%s: a PCI address is not valid here",
		    what);
		return -1;
	}
	return 0;
}

/* virtio-serial ports */

static const char *const chr_kinds[DOM_CHR_KIND_LAST] = {
	[DOM_CHR_KIND_SERIAL] = "serial",
	[DOM_CHR_KIND_CONSOLE] = "console",
	[DOM_CHR_KIND_CHANNEL] = "channel",
};

#define VSERIAL_NPORT	256

static bool
vserial_test_set(struct qb *qb, unsigned int nr)
{
	bool used = qb->vserial_used[nr / 8] & (1u << (nr % 8));

	qb->vserial_used[nr / 8] |= (uint8_t)(1u << (nr % 8));
	return used;
}

/* Checks a channel's virtio-serial address; marks its port used. */
static int
vserial_reserve(struct qb *qb, const struct dom_chr *c, const char *what)
{
	const struct dom_addr *a = &c->addr;

	if (a->type == DOM_ADDR_NONE)
		return 0;
	if (a->type != DOM_ADDR_VIRTIO_SERIAL || c->kind ==
	    DOM_CHR_KIND_SERIAL) {
		vr_error(VR_ERR_XML, "%s: address type '%s' is not valid here",
		    what, dom_addr_type_to_string(a->type));
		return -1;
	}
	if (a->controller != 0 || a->serial_bus != 0 || a->port == 0 ||
	    a->port >= VSERIAL_NPORT) {
		vr_error(VR_ERR_UNSUPPORTED, "%s: virtio-serial address must "
		    "be controller 0, bus 0, port 1-%d", what,
		    VSERIAL_NPORT - 1);
		return -1;
	}
	if (vserial_test_set(qb, a->port)) {
		vr_error(VR_ERR_XML, "%s: virtio-serial port %u is already in "
		    "use", what, a->port);
		return -1;
	}
	return 0;
}

/* pre-pass: explicit PCI addresses, implicit controllers */

static bool
ctrl_is_pci_device(const struct qb *qb, const struct dom_controller *c)
{
	switch (c->type) {
	case DOM_CONTROLLER_USB:
		return c->model != DOM_CONTROLLER_MODEL_NONE;
	case DOM_CONTROLLER_SATA:
		return !(qb->q35 && c->index == 0);
	case DOM_CONTROLLER_SCSI:
	case DOM_CONTROLLER_VIRTIO_SERIAL:
		return true;
	case DOM_CONTROLLER_PCI:
		return pci_ctrl_is_bus(c);
	case DOM_CONTROLLER_IDE:
	case DOM_CONTROLLER_LAST:
		break;
	}
	return false;
}

/*
 * A built-in controller may carry the address libvirt's XML gives it:
 * ICH9 AHCI 00:1f.2 (q35 sata 0), PIIX3 IDE 00:01.1 (pc ide 0).
 */
static int
ctrl_builtin_addr(const struct qb *qb, const struct dom_controller *c,
    const char *what)
{
	const struct dom_addr *a = &c->addr;
	unsigned int slot, fn;

	if (c->type == DOM_CONTROLLER_SATA && qb->q35 && c->index == 0)
		slot = 0x1f, fn = 2;
	else if (c->type == DOM_CONTROLLER_IDE && !qb->q35 && c->index == 0)
		slot = 1, fn = 1;
	else
		return no_pci_addr(a, what);
	if (a->type == DOM_ADDR_PCI && (a->domain != 0 || a->bus != 0 ||
	    a->slot != slot || a->function != fn)) {
		vr_error(VR_ERR_XML, "%s is built in at PCI address "
		    "0000:00:%02x.%x, not %04x:%02x:%02x.%x", what, slot, fn,
		    a->domain, a->bus, a->slot, a->function);
		return -1;
	}
	return 0;
}

static int
reserve_controllers(struct qb *qb)
{
	const struct dom_def *def = qb->def;
	char what[64];
	size_t i;

	for (i = 0; i < def->ncontrollers; i++) {
		const struct dom_controller *c = &def->controllers[i];

		snprintf(what, sizeof what, "controller %s index %u",
		    dom_controller_type_to_string(c->type), c->index);
		if (!ctrl_is_pci_device(qb, c)) {
			if (ctrl_builtin_addr(qb, c, what) < 0)
				return -1;
			continue;
		}
		if (pci_reserve(qb, &c->addr, what) < 0)
			return -1;
	}
	return 0;
}

static bool
input_is_usb(const struct dom_input *in)
{
	return in->bus == DOM_INPUT_BUS_USB ||
	    (in->bus == DOM_INPUT_BUS_DEFAULT && in->type == DOM_INPUT_TABLET);
}

static int
reserve_chrs(struct qb *qb)
{
	const struct dom_def *def = qb->def;
	size_t i, k, n;
	char what[64];

	for (k = 0; k < DOM_CHR_KIND_LAST; k++) {
		n = 0;
		for (i = 0; i < def->nchrs; i++) {
			const struct dom_chr *c = &def->chrs[i];

			if (c->kind != (enum dom_chr_kind)k)
				continue;
			snprintf(what, sizeof what, "%s '%s%zu'", chr_kinds[k],
			    chr_kinds[k], n++);
			if (vserial_reserve(qb, c, what) < 0)
				return -1;
			if (c->target_type == DOM_CHR_TARGET_VIRTIO)
				qb->need_vserial = true;
		}
	}
	return 0;
}

static int
reserve_devices(struct qb *qb)
{
	const struct dom_def *def = qb->def;
	char what[64];
	size_t i;

	for (i = 0; i < def->nnets; i++) {
		snprintf(what, sizeof what, "interface 'net%zu'", i);
		if (pci_reserve(qb, &def->nets[i].addr, what) < 0)
			return -1;
	}
	for (i = 0; i < def->nvideos; i++) {
		snprintf(what, sizeof what, "video 'video%zu'", i);
		if (def->videos[i].model != DOM_VIDEO_NONE &&
		    pci_reserve(qb, &def->videos[i].addr, what) < 0)
			return -1;
	}
	if (def->balloon.model == DOM_BALLOON_VIRTIO &&
	    pci_reserve(qb, &def->balloon.addr, "memballoon") < 0)
		return -1;
	for (i = 0; i < def->ninputs; i++) {
		snprintf(what, sizeof what, "input 'input%zu'", i);
		if (def->inputs[i].bus == DOM_INPUT_BUS_VIRTIO) {
			if (pci_reserve(qb, &def->inputs[i].addr, what) < 0)
				return -1;
		} else if (no_pci_addr(&def->inputs[i].addr, what) < 0)
			return -1;
		if (input_is_usb(&def->inputs[i]))
			qb->need_usb = true;
	}
	for (i = 0; i < def->nrngs; i++) {
		snprintf(what, sizeof what, "rng 'rng%zu'", i);
		if (pci_reserve(qb, &def->rngs[i].addr, what) < 0)
			return -1;
	}
	for (i = 0; i < def->nwatchdogs; i++) {
		snprintf(what, sizeof what, "watchdog 'watchdog%zu'", i);
		if (def->watchdogs[i].model == DOM_WATCHDOG_I6300ESB) {
			if (pci_reserve(qb, &def->watchdogs[i].addr, what) < 0)
				return -1;
		} else if (no_pci_addr(&def->watchdogs[i].addr, what) < 0)
			return -1;
	}
	return reserve_chrs(qb);
}

static int
prepare(struct qb *qb)
{
	const struct dom_def *def = qb->def;
	size_t i;

	/* host bridge, PIIX3 (ISA, IDE, ACPI: functions 0, 1, 3) / ICH9 */
	qb->pci[0][0] = 0xff;
	if (qb->q35) {
		qb->pci[0][0x1f] = 0x0d;
		qb->first_slot = 2;
	} else {
		qb->pci[0][1] = 0x0b;
		qb->first_slot = 3;
	}
	for (i = 0; i < def->ndisks; i++)
		if (def->disks[i].boot_order != 0)
			qb->dev_boot = true;
	for (i = 0; i < def->nnets; i++)
		if (def->nets[i].boot_order != 0)
			qb->dev_boot = true;
	if (qb->dev_boot && def->nboot != 0) {
		vr_error(VR_ERR_XML, "per-device boot order cannot be used "
		    "together with <os><boot dev=.../>");
		return -1;
	}
	if (reserve_controllers(qb) < 0 || disks_place(qb) < 0 ||
	    reserve_devices(qb) < 0)
		return -1;
	if (qb->need_vserial)
		qb->need_vserial = ctrl_find(def, DOM_CONTROLLER_VIRTIO_SERIAL,
		    0) == NULL;
	if (qb->need_usb)
		qb->need_usb = ctrl_find(def, DOM_CONTROLLER_USB, 0) == NULL;
	/* the primary video gets slot 2 (pc) or 1 (q35), as with libvirt */
	qb->video_slot = -1;
	if (def->nvideos > 0 && def->videos[0].model != DOM_VIDEO_NONE &&
	    def->videos[0].addr.type == DOM_ADDR_NONE)
		qb->video_slot = pci_take(qb, qb->q35 ? 1 : 2);
	return 0;
}

/* general options */

static void
build_head(struct qb *qb, const char *emulator)
{
	const struct dom_def *def = qb->def;
	const struct qemu_argv_ctx *ctx = qb->ctx;
	const struct dom_timer *hpet;
	struct vr_buf b = { 0 };
	char uuid[VR_UUID_BUFLEN];

	qb_add(qb, emulator);
	vr_buf_puts(&b, "guest=");
	buf_esc(&b, def->name);
	vr_buf_puts(&b, ",debug-threads=on");
	qb_add_buf(qb, "-name", &b);
	vr_uuid_format(def->uuid, uuid);
	qb_addf(qb, "-uuid", "%s", uuid);
	qb_add(qb, "-no-user-config");
	qb_add(qb, "-nodefaults");
	qb_add(qb, "-S");
	qb_addf(qb, "-msg", "timestamp=on");
	if (ctx->monitor_fd >= 0) {
		vr_buf_printf(&b, "socket,id=monitor,fd=%d,server=on,wait=off",
		    ctx->monitor_fd);
	} else {
		vr_buf_puts(&b, "socket,id=monitor,path=");
		buf_esc(&b, ctx->monitor_path);
		vr_buf_puts(&b, ",server=on,wait=off");
	}
	qb_add_buf(qb, "-chardev", &b);
	qb_addf(qb, "-mon", "chardev=monitor,mode=control");
	qb_addf(qb, "-sandbox", "on,obsolete=deny,elevateprivileges=deny,"
	    "spawn=deny,resourcecontrol=deny");
	hpet = dom_def_timer(def, DOM_TIMER_HPET);
	/* libvirt's order of machine properties */
	qb_addf(qb, "-machine", "%s,usb=off%s,dump-guest-core=off%s%s",
	    machine_name(qb), def->vmport == DOM_TRISTATE_ABSENT ? "" :
	    def->vmport == DOM_TRISTATE_YES ? ",vmport=on" : ",vmport=off",
	    hpet == NULL || hpet->present == DOM_TRISTATE_ABSENT ? "" :
	    hpet->present == DOM_TRISTATE_YES ? ",hpet=on" : ",hpet=off",
	    def->acpi ? "" : ",acpi=off");
	/*
	 * QEMU 7.2's TCG loses guest writes that race with a live
	 * migration's dirty tracking, and multi-threaded TCG far more
	 * often (bench/migrate-soak.sh on an idle host: stale pages on 3
	 * first moves of 3; single-threaded, none in 40). A guest with
	 * one vCPU gains nothing from threads, so it runs single-threaded;
	 * live migration of TCG guests needs --unsafe (qemu-migrate.c).
	 */
	qb_addf(qb, "-accel", "%s", def->virt == DOM_VIRT_KVM ? "kvm" :
	    def->vcpus <= 1 ? "tcg,thread=single" : "tcg");
}

/* <timer name='kvmclock' present=...> is a CPU property, as in libvirt. */
static int
build_cpu(struct qb *qb)
{
	const struct dom_def *def = qb->def;
	const struct dom_timer *kc = dom_def_timer(def, DOM_TIMER_KVMCLOCK);
	const char *clock = kc == NULL || kc->present == DOM_TRISTATE_ABSENT ?
	    "" : kc->present == DOM_TRISTATE_YES ? ",kvmclock=on" :
	    ",kvmclock=off";
	bool kvm = def->virt == DOM_VIRT_KVM;

	switch (def->cpu_mode) {
	case DOM_CPU_MODE_DEFAULT:
		/* QEMU's default model, named to carry the property */
		if (*clock != '\0')
			qb_addf(qb, "-cpu", "qemu64%s", clock);
		return 0;
	case DOM_CPU_MODE_CUSTOM:
		if (!str_is(def->cpu_model, CHARS_ALNUM "._-")) {
			vr_error(VR_ERR_XML, "cpu model '%s' is not a valid "
			    "QEMU CPU model name",
			    def->cpu_model != NULL ? def->cpu_model : "");
			return -1;
		}
		qb_addf(qb, "-cpu", "%s%s", def->cpu_model, clock);
		return 0;
	case DOM_CPU_MODE_HOST_MODEL:
		qb_addf(qb, "-cpu", "%s%s", kvm ? "host" : "max", clock);
		return 0;
	case DOM_CPU_MODE_HOST_PASSTHROUGH:
		if (!kvm) {
			vr_error(VR_ERR_UNSUPPORTED, "cpu mode "
			    "'host-passthrough' needs domain type 'kvm'");
			return -1;
		}
		qb_addf(qb, "-cpu", "host%s", clock);
		return 0;
	case DOM_CPU_MODE_MAXIMUM:
		qb_addf(qb, "-cpu", "max%s", clock);
		return 0;
	case DOM_CPU_MODE_LAST:
		break;
	}
	vr_error(VR_ERR_INTERNAL, "bad cpu mode %d", def->cpu_mode);
	return -1;
}

static int
build_mem_smp(struct qb *qb)
{
	const struct dom_def *def = qb->def;
	unsigned int s, d, c, t, cur;

	if (def->max_mem_kib != 0) {
		if (def->max_mem_slots == 0 ||
		    def->max_mem_kib < def->mem_kib) {
			vr_error(VR_ERR_XML, "maxMemory needs slots > 0 and "
			    "a size of at least <memory>");
			return -1;
		}
		qb_addf(qb, "-m", "size=%lluk,slots=%u,maxmem=%lluk",
		    def->mem_kib, def->max_mem_slots, def->max_mem_kib);
	} else
		qb_addf(qb, "-m", "size=%lluk", def->mem_kib);

	cur = def->vcpus_current != 0 ? def->vcpus_current : def->vcpus;
	s = def->cpu_sockets != 0 ? def->cpu_sockets : def->vcpus;
	d = def->cpu_dies != 0 ? def->cpu_dies : 1;
	c = def->cpu_cores != 0 ? def->cpu_cores : 1;
	t = def->cpu_threads != 0 ? def->cpu_threads : 1;
	if (def->vcpus == 0 || cur > def->vcpus) {
		vr_error(VR_ERR_XML, "vcpu: current %u must be 1..%u", cur,
		    def->vcpus);
		return -1;
	}
	if ((unsigned long long)s * d * c * t != def->vcpus) {
		vr_error(VR_ERR_XML, "cpu topology: sockets*dies*cores*threads "
		    "(%llu) does not match vcpu (%u)",
		    (unsigned long long)s * d * c * t, def->vcpus);
		return -1;
	}
	qb_addf(qb, "-smp", "%u,maxcpus=%u,sockets=%u,dies=%u,cores=%u,"
	    "threads=%u", cur, def->vcpus, s, d, c, t);
	return 0;
}

/*
 * -rtc and the PIT's lost tick policy, as libvirt. The in-kernel PIT
 * (kvm-pit) re-injects missed ticks by default, which libvirt calls
 * catchup, so catchup adds nothing and delay/discard are set with -global.
 * QEMU's own PIT (TCG) has no such setting and behaves as delay: there,
 * delay adds nothing and the others are refused.
 */
static int
build_clock(struct qb *qb)
{
	static const char *const track[DOM_TIMER_TRACK_LAST] = {
		[DOM_TIMER_TRACK_GUEST] = ",clock=vm",
		[DOM_TIMER_TRACK_WALL] = ",clock=host",
		[DOM_TIMER_TRACK_REALTIME] = ",clock=rt",
	};
	const struct dom_def *def = qb->def;
	const struct dom_timer *rtc = dom_def_timer(def, DOM_TIMER_RTC);
	const struct dom_timer *pit = dom_def_timer(def, DOM_TIMER_PIT);
	enum dom_timer_tickpolicy tp;

	qb_addf(qb, "-rtc", "base=%s%s%s", def->clock_offset ==
	    DOM_CLOCK_LOCALTIME ? "localtime" : "utc",
	    rtc != NULL && track[rtc->track] != NULL ? track[rtc->track] : "",
	    rtc != NULL && rtc->tickpolicy == DOM_TIMER_TICKPOLICY_CATCHUP ?
	    ",driftfix=slew" : "");
	if (pit == NULL || (tp = pit->tickpolicy) ==
	    DOM_TIMER_TICKPOLICY_DEFAULT)
		return 0;
	if (def->virt != DOM_VIRT_KVM) {
		if (tp == DOM_TIMER_TICKPOLICY_DELAY)
			return 0;
		vr_error(VR_ERR_UNSUPPORTED, "timer 'pit' tickpolicy '%s' "
		    "needs domain type 'kvm' (QEMU's own PIT only delays)",
		    dom_timer_tickpolicy_to_string(tp));
		return -1;
	}
	if (tp != DOM_TIMER_TICKPOLICY_CATCHUP)
		qb_addf(qb, "-global", "kvm-pit.lost_tick_policy=%s",
		    dom_timer_tickpolicy_to_string(tp));
	return 0;
}

static int
build_lifecycle(struct qb *qb)
{
	const struct dom_def *def = qb->def;

	switch (def->on_poweroff) {
	case DOM_LIFECYCLE_DESTROY:
	case DOM_LIFECYCLE_RESTART:	/* QEMU exits, the driver restarts */
	case DOM_LIFECYCLE_RENAME_RESTART:
		break;
	case DOM_LIFECYCLE_PRESERVE:
		qb_add(qb, "-no-shutdown");
		break;
	case DOM_LIFECYCLE_COREDUMP_DESTROY:
	case DOM_LIFECYCLE_COREDUMP_RESTART:
	case DOM_LIFECYCLE_LAST:
		vr_error(VR_ERR_UNSUPPORTED, "on_poweroff '%s' is not "
		    "supported",
		    dom_lifecycle_action_to_string(def->on_poweroff));
		return -1;
	}
	switch (def->on_reboot) {
	case DOM_LIFECYCLE_RESTART:
		break;
	case DOM_LIFECYCLE_DESTROY:
		qb_add(qb, "-no-reboot");
		break;
	case DOM_LIFECYCLE_PRESERVE:
	case DOM_LIFECYCLE_RENAME_RESTART:
	case DOM_LIFECYCLE_COREDUMP_DESTROY:
	case DOM_LIFECYCLE_COREDUMP_RESTART:
	case DOM_LIFECYCLE_LAST:
		vr_error(VR_ERR_UNSUPPORTED, "on_reboot '%s' is not supported "
		    "(destroy or restart)",
		    dom_lifecycle_action_to_string(def->on_reboot));
		return -1;
	}
	return 0;
}

/* <pm>: the ACPI S3/S4 switches of PIIX4 (pc) or ICH9 (q35), as libvirt */
static void
build_pm(struct qb *qb)
{
	const char *dev = qb->q35 ? "ICH9-LPC" : "PIIX4_PM";

	if (qb->def->pm_s3 != DOM_TRISTATE_ABSENT)
		qb_addf(qb, "-global", "%s.disable_s3=%d", dev,
		    qb->def->pm_s3 == DOM_TRISTATE_NO);
	if (qb->def->pm_s4 != DOM_TRISTATE_ABSENT)
		qb_addf(qb, "-global", "%s.disable_s4=%d", dev,
		    qb->def->pm_s4 == DOM_TRISTATE_NO);
}

static int
build_boot(struct qb *qb)
{
	const struct dom_def *def = qb->def;
	static const char letters[DOM_BOOT_LAST] = {
		[DOM_BOOT_HD] = 'c', [DOM_BOOT_CDROM] = 'd',
		[DOM_BOOT_NETWORK] = 'n', [DOM_BOOT_FD] = 'a',
	};
	struct vr_buf b = { 0 };
	size_t i;

	if (!qb->dev_boot && def->nboot > 0) {
		vr_buf_puts(&b, "order=");
		for (i = 0; i < def->nboot && i < DOM_BOOT_LAST; i++)
			vr_buf_add(&b, &letters[def->boot[i]], 1);
	}
	if (def->bootmenu)
		vr_buf_puts(&b, b.len != 0 ? ",menu=on" : "menu=on");
	if (b.len != 0)
		qb_add_buf(qb, "-boot", &b);
	vr_buf_free(&b);

	if (def->kernel == NULL && (def->initrd != NULL ||
	    def->cmdline != NULL)) {
		vr_error(VR_ERR_XML, "os: initrd and cmdline need a kernel");
		return -1;
	}
	if (def->kernel != NULL) {
		qb_addf(qb, "-kernel", "%s", def->kernel);
		if (def->initrd != NULL)
			qb_addf(qb, "-initrd", "%s", def->initrd);
		if (def->cmdline != NULL)
			qb_addf(qb, "-append", "%s", def->cmdline);
	}
	return 0;
}

static int
build_graphics(struct qb *qb)
{
	const struct dom_def *def = qb->def;
	const struct dom_graphics *g;
	struct vr_buf b = { 0 };
	const char *listen;

	if (def->ngraphics == 0) {
		qb_addf(qb, "-display", "none");
		return 0;
	}
	if (def->ngraphics > 1) {
		vr_error(VR_ERR_UNSUPPORTED, "only one <graphics> is "
		    "supported");
		return -1;
	}
	g = &def->graphics[0];
	listen = g->listen != NULL ? g->listen : "127.0.0.1";
	if (!str_is(listen, CHARS_ALNUM ".:-")) {
		vr_error(VR_ERR_XML, "graphics: listen address '%s' is not "
		    "valid", listen);
		return -1;
	}
	if (!g->autoport && g->port >= 0 &&
	    (g->port < VNC_PORT_MIN || g->port > 65535)) {
		vr_error(VR_ERR_XML, "graphics: VNC port %d is not in "
		    "5900-65535", g->port);
		return -1;
	}
	if (strchr(listen, ':') != NULL)
		vr_buf_printf(&b, "[%s]", listen);
	else
		vr_buf_puts(&b, listen);
	if (g->autoport || g->port < 0)
		vr_buf_puts(&b, ":0,to=99");
	else
		vr_buf_printf(&b, ":%d", g->port - VNC_PORT_MIN);
	if (g->passwd != NULL)
		vr_buf_puts(&b, ",password=on");
	qb_add_buf(qb, "-vnc", &b);
	return 0;
}

/* controllers */

static int
usb_model(const struct qb *qb, const struct dom_controller *c,
    const char **dev)
{
	switch (c->model) {
	case DOM_CONTROLLER_MODEL_DEFAULT:
		*dev = qb->q35 ? "qemu-xhci" : "piix3-usb-uhci";
		return 0;
	case DOM_CONTROLLER_MODEL_QEMU_XHCI:
		*dev = "qemu-xhci";
		return 0;
	case DOM_CONTROLLER_MODEL_NEC_XHCI:
		*dev = "nec-usb-xhci";
		return 0;
	case DOM_CONTROLLER_MODEL_PIIX3_UHCI:
		*dev = "piix3-usb-uhci";
		return 0;
	case DOM_CONTROLLER_MODEL_ICH9_EHCI1:
		*dev = "ich9-usb-ehci1";
		return 0;
	case DOM_CONTROLLER_MODEL_NONE:
		*dev = NULL;
		return 0;
	case DOM_CONTROLLER_MODEL_VIRTIO_SCSI:
	case DOM_CONTROLLER_MODEL_PCI_ROOT:
	case DOM_CONTROLLER_MODEL_PCIE_ROOT:
	case DOM_CONTROLLER_MODEL_PCIE_ROOT_PORT:
	case DOM_CONTROLLER_MODEL_PCI_BRIDGE:
	case DOM_CONTROLLER_MODEL_LAST:
		break;
	}
	vr_error(VR_ERR_XML, "controller usb index %u: model '%s' is not a "
	    "USB controller", c->index,
	    dom_controller_model_to_string(c->model));
	return -1;
}

static int
ctrl_pci_error(const struct qb *qb, const struct dom_controller *c)
{
	vr_error(VR_ERR_UNSUPPORTED, "controller pci index %u: model '%s' is "
	    "not available on machine '%s'", c->index,
	    dom_controller_model_to_string(c->model), machine_name(qb));
	return -1;
}

static int
ctrl_pci(struct qb *qb, const struct dom_controller *c, struct vr_buf *b)
{
	switch (c->model) {
	case DOM_CONTROLLER_MODEL_DEFAULT:	/* the root bus */
		if (c->index != 0)
			break;
		return 0;
	case DOM_CONTROLLER_MODEL_PCI_ROOT:
		if (c->index != 0 || qb->q35)
			break;
		return 0;
	case DOM_CONTROLLER_MODEL_PCIE_ROOT:
		if (c->index != 0 || !qb->q35)
			break;
		return 0;
	case DOM_CONTROLLER_MODEL_PCIE_ROOT_PORT:
		if (c->index == 0 || c->index >= PCI_NBUS || !qb->q35)
			break;
		vr_buf_printf(b, "pcie-root-port,port=0x%x,chassis=%u,"
		    "id=pci.%u", c->target_port >= 0 ? (unsigned int)
		    c->target_port : 0x10 + (c->index - 1) % 0xf0,
		    c->chassis >= 0 ? (unsigned int)c->chassis : c->index,
		    c->index);
		return 0;
	case DOM_CONTROLLER_MODEL_PCI_BRIDGE:
		if (c->index == 0 || c->index >= PCI_NBUS)
			break;
		vr_buf_printf(b, "pci-bridge,chassis_nr=%u,id=pci.%u",
		    c->chassis_nr > 0 ? (unsigned int)c->chassis_nr : c->index,
		    c->index);
		return 0;
	case DOM_CONTROLLER_MODEL_QEMU_XHCI:
	case DOM_CONTROLLER_MODEL_NEC_XHCI:
	case DOM_CONTROLLER_MODEL_PIIX3_UHCI:
	case DOM_CONTROLLER_MODEL_ICH9_EHCI1:
	case DOM_CONTROLLER_MODEL_NONE:
	case DOM_CONTROLLER_MODEL_VIRTIO_SCSI:
	case DOM_CONTROLLER_MODEL_LAST:
		break;
	}
	return ctrl_pci_error(qb, c);
}

static int
ctrl_model_check(const struct dom_controller *c, bool ok)
{
	if (ok)
		return 0;
	vr_error(VR_ERR_UNSUPPORTED, "controller %s index %u: model '%s' is "
	    "not supported", dom_controller_type_to_string(c->type), c->index,
	    dom_controller_model_to_string(c->model));
	return -1;
}

static void
usb_id(unsigned int index, struct vr_buf *b)
{
	if (index == 0)
		vr_buf_puts(b, "usb");
	else
		vr_buf_printf(b, "usb%u", index);
}

/* The -device value for a controller; empty when built in. */
static int
ctrl_device(struct qb *qb, const struct dom_controller *c, struct vr_buf *b)
{
	const char *dev;
	bool dflt = c->model == DOM_CONTROLLER_MODEL_DEFAULT;

	switch (c->type) {
	case DOM_CONTROLLER_USB:
		if (usb_model(qb, c, &dev) < 0)
			return -1;
		if (dev == NULL)
			return 0;
		vr_buf_printf(b, "%s,id=", dev);
		usb_id(c->index, b);
		if (c->ports == 0)
			return 0;
		if (strstr(dev, "xhci") == NULL || c->ports > 15) {
			vr_error(VR_ERR_UNSUPPORTED, "controller usb index %u: "
			    "ports='%u' needs an xhci model and at most 15",
			    c->index, c->ports);
			return -1;
		}
		vr_buf_printf(b, ",p2=%u,p3=%u", c->ports, c->ports);
		return 0;
	case DOM_CONTROLLER_SATA:
		if (ctrl_model_check(c, dflt) < 0)
			return -1;
		if (!(qb->q35 && c->index == 0))
			vr_buf_printf(b, "ich9-ahci,id=sata%u", c->index);
		return 0;
	case DOM_CONTROLLER_SCSI:
		if (ctrl_model_check(c, dflt ||
		    c->model == DOM_CONTROLLER_MODEL_VIRTIO_SCSI) < 0)
			return -1;
		vr_buf_printf(b, "virtio-scsi-pci,id=scsi%u", c->index);
		return 0;
	case DOM_CONTROLLER_VIRTIO_SERIAL:
		if (ctrl_model_check(c, dflt) < 0)
			return -1;
		vr_buf_printf(b, "virtio-serial-pci,id=virtio-serial%u",
		    c->index);
		if (c->ports != 0)
			vr_buf_printf(b, ",max_ports=%u", c->ports);
		return 0;
	case DOM_CONTROLLER_PCI:
		return ctrl_pci(qb, c, b);
	case DOM_CONTROLLER_IDE:
		if (ctrl_model_check(c, dflt) < 0)
			return -1;
		if (qb->q35 || c->index != 0) {
			vr_error(VR_ERR_UNSUPPORTED, "controller ide index %u "
			    "is not available on machine '%s'", c->index,
			    machine_name(qb));
			return -1;
		}
		return 0;	/* PIIX3 IDE, built in */
	case DOM_CONTROLLER_LAST:
		break;
	}
	vr_error(VR_ERR_INTERNAL, "bad controller type %d", c->type);
	return -1;
}

static int
build_controller(struct qb *qb, const struct dom_controller *c)
{
	struct vr_buf b = { 0 };
	char what[64];

	if (ctrl_device(qb, c, &b) < 0) {
		vr_buf_free(&b);
		return -1;
	}
	if (b.len == 0)
		return 0;
	snprintf(what, sizeof what, "controller %s index %u",
	    dom_controller_type_to_string(c->type), c->index);
	if (pci_addr(qb, &b, &c->addr, -1, what) < 0) {
		vr_buf_free(&b);
		return -1;
	}
	qb_add_buf(qb, "-device", &b);
	return 0;
}

static int
build_implicit_controller(struct qb *qb, const char *dev, const char *id)
{
	struct vr_buf b = { 0 };
	struct dom_addr none = { .type = DOM_ADDR_NONE };

	vr_buf_printf(&b, "%s,id=%s", dev, id);
	if (pci_addr(qb, &b, &none, -1, "implicit controller") < 0) {
		vr_buf_free(&b);
		return -1;
	}
	qb_add_buf(qb, "-device", &b);
	return 0;
}

static int
build_controllers(struct qb *qb)
{
	const struct dom_def *def = qb->def;
	unsigned int idx;
	size_t i;

	/* PCI buses first, by index, so devices can be plugged into them */
	for (idx = 0; idx < PCI_NBUS; idx++) {
		const struct dom_controller *c;

		c = ctrl_find(def, DOM_CONTROLLER_PCI, idx);
		if (c != NULL && build_controller(qb, c) < 0)
			return -1;
	}
	for (i = 0; i < def->ncontrollers; i++) {
		if (def->controllers[i].type == DOM_CONTROLLER_PCI)
			continue;
		if (build_controller(qb, &def->controllers[i]) < 0)
			return -1;
	}
	for (idx = 0; idx < MAX_CTRL_INDEX; idx++) {
		char id[16];

		snprintf(id, sizeof id, "sata%u", idx);
		if ((qb->need_sata & (1u << idx)) &&
		    build_implicit_controller(qb, "ich9-ahci", id) < 0)
			return -1;
		snprintf(id, sizeof id, "scsi%u", idx);
		if ((qb->need_scsi & (1u << idx)) &&
		    build_implicit_controller(qb, "virtio-scsi-pci", id) < 0)
			return -1;
	}
	if (qb->need_vserial && build_implicit_controller(qb,
	    "virtio-serial-pci", "virtio-serial0") < 0)
		return -1;
	if (qb->need_usb && build_implicit_controller(qb,
	    qb->q35 ? "qemu-xhci" : "piix3-usb-uhci", "usb") < 0)
		return -1;
	return 0;
}

/* serial, console, channel */

/* Socket for a unix channel without a source path: ctx->chr_dir/NAME. */
static char *
chr_auto_path(struct qb *qb, const struct dom_chr *c, const char *alias,
    const char *what)
{
	const char *name = c->target_name != NULL ? c->target_name : alias;

	if (qb->ctx->chr_dir == NULL || strchr(name, '/') != NULL ||
	    name[0] == '.') {
		vr_error(VR_ERR_XML, "%s: a unix source path is needed", what);
		return NULL;
	}
	return xprintf("%s/%s", qb->ctx->chr_dir, name);
}

static int
build_chardev(struct qb *qb, const struct dom_chr *c, const char *alias,
    const char *what)
{
	struct vr_buf b = { 0 };
	char *path = NULL;

	switch (c->type) {
	case DOM_CHR_PTY:
		vr_buf_printf(&b, "pty,id=char%s", alias);
		break;
	case DOM_CHR_NULL:
		vr_buf_printf(&b, "null,id=char%s", alias);
		break;
	case DOM_CHR_FILE:
	case DOM_CHR_UNIX:
		if (c->path == NULL && c->type == DOM_CHR_UNIX &&
		    (path = chr_auto_path(qb, c, alias, what)) == NULL)
			return -1;
		if (path == NULL && (c->path == NULL || c->path[0] != '/')) {
			vr_error(VR_ERR_XML, "%s: source path must be absolute",
			    what);
			return -1;
		}
		vr_buf_printf(&b, "%s,id=char%s,path=",
		    c->type == DOM_CHR_FILE ? "file" : "socket", alias);
		buf_esc(&b, path != NULL ? path : c->path);
		if (c->type == DOM_CHR_FILE && c->append)
			vr_buf_puts(&b, ",append=on");
		if (c->type == DOM_CHR_UNIX && (c->listen || path != NULL))
			vr_buf_puts(&b, ",server=on,wait=off");
		free(path);
		break;
	case DOM_CHR_LAST:
		vr_error(VR_ERR_INTERNAL, "%s: bad type", what);
		return -1;
	}
	qb_add_buf(qb, "-chardev", &b);
	return 0;
}

/* Port 0 is only for a virtconsole (QEMU); -1 when all are taken. */
static int
vserial_take(struct qb *qb, bool console)
{
	unsigned int nr;

	for (nr = console ? 0 : 1; nr < VSERIAL_NPORT; nr++)
		if (!vserial_test_set(qb, nr))
			return (int)nr;
	return -1;
}

static int
build_virtio_port(struct qb *qb, const struct dom_chr *c, const char *alias,
    const char *what)
{
	struct vr_buf b = { 0 };
	bool console = c->kind == DOM_CHR_KIND_CONSOLE;
	int nr;

	nr = c->addr.type == DOM_ADDR_VIRTIO_SERIAL ? (int)c->addr.port :
	    vserial_take(qb, console);
	if (nr < 0) {
		vr_error(VR_ERR_UNSUPPORTED, "%s: no free virtio-serial port",
		    what);
		return -1;
	}
	if (build_chardev(qb, c, alias, what) < 0)
		return -1;
	vr_buf_printf(&b, "%s,bus=virtio-serial0.0,nr=%d,chardev=char%s,id=%s",
	    console ? "virtconsole" : "virtserialport", nr, alias, alias);
	if (c->target_name != NULL) {
		vr_buf_puts(&b, ",name=");
		buf_esc(&b, c->target_name);
	}
	qb_add_buf(qb, "-device", &b);
	return 0;
}

static int
build_chr(struct qb *qb, const struct dom_chr *c, const char *kind,
    size_t idx)
{
	char alias[32], what[64];

	snprintf(alias, sizeof alias, "%s%zu", kind, idx);
	snprintf(what, sizeof what, "%s '%s'", kind, alias);
	if (c->target_type == DOM_CHR_TARGET_VIRTIO &&
	    c->kind != DOM_CHR_KIND_SERIAL)
		return build_virtio_port(qb, c, alias, what);
	switch (c->kind) {
	case DOM_CHR_KIND_SERIAL:
		if (c->port > 3) {
			vr_error(VR_ERR_XML, "%s: target port %u is not in 0-3",
			    what, c->port);
			return -1;
		}
		if (build_chardev(qb, c, alias, what) < 0)
			return -1;
		qb_addf(qb, "-device", "isa-serial,chardev=char%s,id=%s,"
		    "index=%u", alias, alias, c->port);
		return 0;
	case DOM_CHR_KIND_CONSOLE:
		return 0;	/* the first serial port (dom_console_compat) */
	case DOM_CHR_KIND_CHANNEL:
	case DOM_CHR_KIND_LAST:
		break;
	}
	vr_error(VR_ERR_UNSUPPORTED, "%s: target type '%s' is not supported",
	    what, dom_chr_target_to_string(c->target_type));
	return -1;
}

/* Serials, then consoles (a virtconsole takes port 0), then channels. */
static int
build_chrs(struct qb *qb)
{
	const struct dom_def *def = qb->def;
	size_t i, k, n;

	for (k = 0; k < DOM_CHR_KIND_LAST; k++) {
		n = 0;
		for (i = 0; i < def->nchrs; i++) {
			if (def->chrs[i].kind != (enum dom_chr_kind)k)
				continue;
			if (build_chr(qb, &def->chrs[i], chr_kinds[k], n++) < 0)
				return -1;
		}
	}
	return 0;
}

/* video */

static int
video_device(const struct dom_video *v, bool primary, struct vr_buf *b)
{
	switch (v->model) {
	case DOM_VIDEO_VGA:
	case DOM_VIDEO_CIRRUS:
		if (!primary)
			break;
		vr_buf_puts(b, v->model == DOM_VIDEO_VGA ? "VGA" :
		    "cirrus-vga");
		return 0;
	case DOM_VIDEO_VIRTIO:
		vr_buf_puts(b, primary ? "virtio-vga" : "virtio-gpu-pci");
		return 0;
	case DOM_VIDEO_QXL:
		vr_buf_puts(b, primary ? "qxl-vga" : "qxl");
		return 0;
	case DOM_VIDEO_BOCHS:
		vr_buf_puts(b, "bochs-display");
		return 0;
	case DOM_VIDEO_NONE:
	case DOM_VIDEO_LAST:
		break;
	}
	vr_error(VR_ERR_UNSUPPORTED, "video model '%s' can only be the primary "
	    "video", dom_video_model_to_string(v->model));
	return -1;
}

static int
video_props(const struct dom_video *v, size_t i, struct vr_buf *b)
{
	bool heads_ok = v->model == DOM_VIDEO_QXL ||
	    v->model == DOM_VIDEO_VIRTIO;

	if (v->heads > 1 && !heads_ok) {
		vr_error(VR_ERR_UNSUPPORTED, "video 'video%zu': model '%s' "
		    "supports one head", i,
		    dom_video_model_to_string(v->model));
		return -1;
	}
	if (v->heads > 1)
		vr_buf_printf(b, ",max_outputs=%u", v->heads);
	if (v->vram_kib == 0)
		return 0;
	switch (v->model) {
	case DOM_VIDEO_VGA:
	case DOM_VIDEO_CIRRUS:
		if (v->vram_kib % 1024 != 0) {
			vr_error(VR_ERR_XML, "video 'video%zu': vram must be a "
			    "multiple of 1024 KiB", i);
			return -1;
		}
		vr_buf_printf(b, ",vgamem_mb=%u", v->vram_kib / 1024);
		return 0;
	case DOM_VIDEO_QXL:
		vr_buf_printf(b, ",vram_size=%llu",
		    (unsigned long long)v->vram_kib * 1024);
		return 0;
	case DOM_VIDEO_BOCHS:
		vr_buf_printf(b, ",vgamem=%llu",
		    (unsigned long long)v->vram_kib * 1024);
		return 0;
	case DOM_VIDEO_VIRTIO:		/* no video memory to size */
	case DOM_VIDEO_NONE:
	case DOM_VIDEO_LAST:
		return 0;
	}
	return 0;
}

static int
build_videos(struct qb *qb)
{
	const struct dom_def *def = qb->def;
	struct vr_buf b = { 0 };
	char what[64];
	size_t i;

	for (i = 0; i < def->nvideos; i++) {
		const struct dom_video *v = &def->videos[i];

		if (v->model == DOM_VIDEO_NONE) {
			if (def->nvideos > 1) {
				vr_error(VR_ERR_XML, "video model 'none' must "
				    "be the only video");
				return -1;
			}
			continue;
		}
		snprintf(what, sizeof what, "video 'video%zu'", i);
		if (video_device(v, i == 0, &b) < 0 ||
		    pci_addr(qb, &b, &v->addr, i == 0 ? qb->video_slot : -1,
		    what) < 0)
			goto fail;
		vr_buf_printf(&b, ",id=video%zu", i);
		if (video_props(v, i, &b) < 0)
			goto fail;
		qb_add_buf(qb, "-device", &b);
	}
	return 0;
fail:
	vr_buf_free(&b);
	return -1;
}

/* inputs, balloon, rng, watchdog */

/* Appends ",bus=usbN.0[,port=P]" for a USB device; checks the controller. */
static int
usb_addr(const struct qb *qb, const struct dom_addr *a, struct vr_buf *b,
    const char *what)
{
	const struct dom_controller *c;
	unsigned int index = 0;
	size_t i;

	if (a->type == DOM_ADDR_USB)
		index = a->usb_bus;
	else if (a->type != DOM_ADDR_NONE) {
		vr_error(VR_ERR_XML, "%s: address type '%s' is not valid for a "
		    "USB device", what, dom_addr_type_to_string(a->type));
		return -1;
	}
	c = ctrl_find(qb->def, DOM_CONTROLLER_USB, index);
	if ((c == NULL && !(index == 0 && qb->need_usb)) ||
	    (c != NULL && c->model == DOM_CONTROLLER_MODEL_NONE)) {
		vr_error(VR_ERR_XML, "%s: bus 'usb' needs a USB controller "
		    "with index %u (not model 'none')", what, index);
		return -1;
	}
	vr_buf_puts(b, ",bus=");
	usb_id(index, b);
	vr_buf_puts(b, ".0");
	for (i = 0; i < nitems(a->usb_port) && a->usb_port[i] != 0; i++)
		vr_buf_printf(b, "%s%u", i == 0 ? ",port=" : ".",
		    a->usb_port[i]);
	return 0;
}

static int
build_input(struct qb *qb, const struct dom_input *in, size_t i)
{
	static const char *const usb[DOM_INPUT_LAST] = {
		[DOM_INPUT_TABLET] = "usb-tablet",
		[DOM_INPUT_MOUSE] = "usb-mouse",
		[DOM_INPUT_KEYBOARD] = "usb-kbd",
	};
	static const char *const virtio[DOM_INPUT_LAST] = {
		[DOM_INPUT_TABLET] = "virtio-tablet-pci",
		[DOM_INPUT_MOUSE] = "virtio-mouse-pci",
		[DOM_INPUT_KEYBOARD] = "virtio-keyboard-pci",
	};
	struct vr_buf b = { 0 };
	char what[64];

	snprintf(what, sizeof what, "input 'input%zu'", i);
	if (input_is_usb(in)) {
		vr_buf_printf(&b, "%s,id=input%zu", usb[in->type], i);
		if (usb_addr(qb, &in->addr, &b, what) < 0) {
			vr_buf_free(&b);
			return -1;
		}
		qb_add_buf(qb, "-device", &b);
		return 0;
	}
	if (in->bus == DOM_INPUT_BUS_VIRTIO) {
		vr_buf_puts(&b, virtio[in->type]);
		if (pci_addr(qb, &b, &in->addr, -1, what) < 0) {
			vr_buf_free(&b);
			return -1;
		}
		vr_buf_printf(&b, ",id=input%zu", i);
		qb_add_buf(qb, "-device", &b);
		return 0;
	}
	if (in->type == DOM_INPUT_TABLET || in->addr.type != DOM_ADDR_NONE) {
		vr_error(VR_ERR_UNSUPPORTED, "%s: %s on bus 'ps2' is not "
		    "supported", what, in->type == DOM_INPUT_TABLET ?
		    "a tablet" : "an address");
		return -1;
	}
	return 0;	/* PS/2 mouse and keyboard are part of the machine */
}

static int
build_balloon(struct qb *qb)
{
	const struct dom_balloon *bl = &qb->def->balloon;
	struct vr_buf b = { 0 };

	if (bl->model != DOM_BALLOON_VIRTIO)
		return 0;
	vr_buf_puts(&b, "virtio-balloon-pci");
	if (pci_addr(qb, &b, &bl->addr, -1, "memballoon") < 0) {
		vr_buf_free(&b);
		return -1;
	}
	vr_buf_puts(&b, ",id=balloon0");
	if (bl->autodeflate)
		vr_buf_puts(&b, ",deflate-on-oom=on");
	qb_add_buf(qb, "-device", &b);
	return 0;
}

static int
build_rng(struct qb *qb, const struct dom_rng *r, size_t i)
{
	struct vr_buf b = { 0 };
	char what[64];
	const char *path = r->backend_path != NULL ? r->backend_path :
	    "/dev/urandom";

	snprintf(what, sizeof what, "rng 'rng%zu'", i);
	if (path[0] != '/') {
		vr_error(VR_ERR_XML, "%s: backend path must be absolute", what);
		return -1;
	}
	vr_buf_printf(&b, "rng-random,id=objrng%zu,filename=", i);
	buf_esc(&b, path);
	qb_add_buf(qb, "-object", &b);
	vr_buf_puts(&b, "virtio-rng-pci");
	if (pci_addr(qb, &b, &r->addr, -1, what) < 0) {
		vr_buf_free(&b);
		return -1;
	}
	vr_buf_printf(&b, ",rng=objrng%zu,id=rng%zu", i, i);
	if (r->rate_bytes != 0)
		vr_buf_printf(&b, ",max-bytes=%u,period=%u", r->rate_bytes,
		    r->rate_period != 0 ? r->rate_period : 1000);
	qb_add_buf(qb, "-device", &b);
	return 0;
}

static const char *
watchdog_action(enum dom_watchdog_action a)
{
	switch (a) {
	case DOM_WATCHDOG_ACTION_RESET:
		return "reset";
	case DOM_WATCHDOG_ACTION_SHUTDOWN:
		return "shutdown";
	case DOM_WATCHDOG_ACTION_POWEROFF:
		return "poweroff";
	case DOM_WATCHDOG_ACTION_PAUSE:
		return "pause";
	case DOM_WATCHDOG_ACTION_NONE:
		return "none";
	case DOM_WATCHDOG_ACTION_INJECT_NMI:
		return "inject-nmi";
	case DOM_WATCHDOG_ACTION_DUMP:
	case DOM_WATCHDOG_ACTION_LAST:
		break;
	}
	return NULL;
}

static int
build_watchdogs(struct qb *qb)
{
	const struct dom_def *def = qb->def;
	struct vr_buf b = { 0 };
	const char *action = NULL;
	char what[64];
	size_t i;

	for (i = 0; i < def->nwatchdogs; i++) {
		const struct dom_watchdog *w = &def->watchdogs[i];
		const char *act = watchdog_action(w->action);

		snprintf(what, sizeof what, "watchdog 'watchdog%zu'", i);
		if (act == NULL) {
			vr_error(VR_ERR_UNSUPPORTED, "%s: action '%s' is not "
			    "supported", what,
			    dom_watchdog_action_to_string(w->action));
			return -1;
		}
		if (action != NULL && strcmp(action, act) != 0) {
			vr_error(VR_ERR_UNSUPPORTED, "%s: all watchdogs must "
			    "have the same action", what);
			return -1;
		}
		action = act;
		switch (w->model) {
		case DOM_WATCHDOG_I6300ESB:
			vr_buf_puts(&b, "i6300esb");
			if (pci_addr(qb, &b, &w->addr, -1, what) < 0) {
				vr_buf_free(&b);
				return -1;
			}
			vr_buf_printf(&b, ",id=watchdog%zu", i);
			qb_add_buf(qb, "-device", &b);
			break;
		case DOM_WATCHDOG_IB700:
			qb_addf(qb, "-device", "ib700,id=watchdog%zu", i);
			break;
		case DOM_WATCHDOG_ITCO:
			if (!qb->q35) {
				vr_error(VR_ERR_UNSUPPORTED, "%s: model 'itco' "
				    "needs a q35 machine", what);
				return -1;
			}
			break;		/* part of ICH9 */
		case DOM_WATCHDOG_LAST:
			vr_error(VR_ERR_INTERNAL, "%s: bad model", what);
			return -1;
		}
	}
	if (action != NULL)
		qb_addf(qb, "-action", "watchdog=%s", action);
	return 0;
}

/*
 * pvpanic on the ISA bus (0x505 unless told otherwise). QEMU pauses the
 * guest on a panic and reports GUEST_PANICKED; the driver then applies
 * on_crash, whatever it is, so the argv does not depend on it.
 */
static void
build_panic(struct qb *qb)
{
	const struct dom_def *def = qb->def;
	struct vr_buf b = { 0 };

	if (!def->panic)
		return;
	vr_buf_puts(&b, "pvpanic,id=panic0");
	if (def->panic_iobase != 0 && def->panic_iobase != PVPANIC_IOPORT)
		vr_buf_printf(&b, ",ioport=%u", def->panic_iobase);
	qb_add_buf(qb, "-device", &b);
	qb_addf(qb, "-action", "panic=pause");
}

static int
build_devices(struct qb *qb)
{
	const struct dom_def *def = qb->def;
	size_t i;

	if (build_controllers(qb) < 0 || build_disks(qb) < 0)
		return -1;
	for (i = 0; i < def->nnets; i++)
		if (build_net(qb, i) < 0)
			return -1;
	if (build_chrs(qb) < 0 || build_videos(qb) < 0)
		return -1;
	for (i = 0; i < def->ninputs; i++)
		if (build_input(qb, &def->inputs[i], i) < 0)
			return -1;
	if (build_balloon(qb) < 0)
		return -1;
	for (i = 0; i < def->nrngs; i++)
		if (build_rng(qb, &def->rngs[i], i) < 0)
			return -1;
	if (build_watchdogs(qb) < 0)
		return -1;
	build_panic(qb);
	return 0;
}

static struct qb *
qb_prepare(const struct dom_def *def, const struct qemu_argv_ctx *ctx)
{
	struct qb *qb = xcalloc(1, sizeof *qb);

	qb->def = def;
	qb->ctx = ctx;
	if (machine_check(qb) < 0 || prepare(qb) < 0) {
		free(qb->places);
		free(qb);
		return NULL;
	}
	return qb;
}

static void
qb_free(struct qb *qb)
{
	qemu_argv_free(qb->v);
	free(qb->places);
	free(qb);
}

static char **
argv_build(const struct dom_def *def, const struct qemu_argv_ctx *ctx,
    struct qb_capture *cap)
{
	struct qb *qb;
	const char *emulator;
	char **argv = NULL;

	emulator = def->emulator != NULL ? def->emulator : ctx->emulator;
	if (emulator == NULL || emulator[0] != '/') {
		vr_error(VR_ERR_XML, "emulator '%s' must be an absolute path",
		    emulator != NULL ? emulator : "");
		return NULL;
	}
	if (ctx->monitor_fd < 0 && ctx->monitor_path == NULL) {
		vr_error(VR_ERR_INTERNAL, "no QMP monitor socket");
		return NULL;
	}
	if ((qb = qb_prepare(def, ctx)) == NULL)
		return NULL;
	qb->capture = cap;
	build_head(qb, emulator);
	if (build_cpu(qb) < 0 || build_mem_smp(qb) < 0)
		goto out;
	if (build_clock(qb) < 0 || build_lifecycle(qb) < 0)
		goto out;
	build_pm(qb);
	if (build_boot(qb) < 0 || build_graphics(qb) < 0 ||
	    build_devices(qb) < 0)
		goto out;
	if (ctx->incoming) {
		qb_addf(qb, "-incoming", "defer");
	}
	argv = vr_steal(&qb->v);
out:
	qb_free(qb);
	return argv;
}

char **
qemu_argv_build(const struct dom_def *def, const struct qemu_argv_ctx *ctx)
{
	return argv_build(def, ctx, NULL);
}

static const struct qemu_argv_ctx hotplug_ctx = { .monitor_fd = -1 };

/* Placeholders: the argv of a check is never run. */
static void
check_ctx(struct qemu_argv_ctx *ctx, const char *emulator)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->emulator = emulator != NULL ? emulator : "/check";
	ctx->monitor_path = "/check.monitor";
	ctx->monitor_fd = -1;
	ctx->chr_dir = "/check";
	ctx->check = true;
}

int
qemu_argv_check(const struct dom_def *def, const char *emulator)
{
	struct qemu_argv_ctx ctx;
	char **argv;

	check_ctx(&ctx, emulator);
	if ((argv = qemu_argv_build(def, &ctx)) == NULL)
		return -1;
	qemu_argv_free(argv);
	return 0;
}

void
qemu_dev_args_clear(struct qemu_dev_args *a)
{
	json_object_put(a->backend);
	json_object_put(a->format);
	json_object_put(a->device);
	memset(a, 0, sizeof *a);
}

int
qemu_argv_disk_id(const struct dom_def *def, size_t i, char *id, size_t len)
{
	struct qb *qb;

	if ((qb = qb_prepare(def, &hotplug_ctx)) == NULL)
		return -1;
	snprintf(id, len, "%s", qb->places[i].alias);
	qb_free(qb);
	return 0;
}

/* The whole build, keeping the objects of one device. */
static int
capture_build(const struct dom_def *def, struct qb_capture *cap)
{
	struct qemu_argv_ctx ctx;
	char **argv;

	memset(cap->out, 0, sizeof *cap->out);
	check_ctx(&ctx, NULL);
	if ((argv = argv_build(def, &ctx, cap)) == NULL) {
		qemu_dev_args_clear(cap->out);
		return -1;
	}
	qemu_argv_free(argv);
	if (cap->out->device == NULL) {
		vr_error(VR_ERR_INTERNAL, "hotplug: device not built");
		return -1;
	}
	return 0;
}

int
qemu_argv_disk_args(const struct dom_def *def, size_t i,
    struct qemu_dev_args *a)
{
	struct qb_capture cap = { .disk = &def->disks[i], .out = a };

	return capture_build(def, &cap);
}

int
qemu_argv_net_args(const struct dom_def *def, size_t i, unsigned int id,
    const char *fdname, struct qemu_dev_args *a)
{
	struct qb_capture cap = { .net = &def->nets[i], .net_id = id,
	    .net_fd = fdname, .out = a };

	return capture_build(def, &cap);
}

char *
qemu_argv_props_format(struct json_object *o)
{
	struct vr_buf b = { 0 };

	props_format(&b, o);
	return vr_buf_steal(&b);
}

int
qemu_argv_disk_aliases(const struct dom_def *def, char (*aliases)[40])
{
	struct qb *qb;
	size_t i;

	if ((qb = qb_prepare(def, &hotplug_ctx)) == NULL)
		return -1;
	for (i = 0; i < def->ndisks; i++)
		memcpy(aliases[i], qb->places[i].alias, 40);
	qb_free(qb);
	return 0;
}

void
qemu_argv_free(char **argv)
{
	char **p;

	if (argv == NULL)
		return;
	for (p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}

/* formatting */

static bool
opt_has_value(const char *opt)
{
	static const char *const flags[] = {
		"-S", "-no-user-config", "-nodefaults", "-no-shutdown",
		"-no-reboot", "-no-acpi", "-no-hpet", "-enable-kvm",
		"-daemonize",
	};
	size_t i;

	for (i = 0; i < nitems(flags); i++)
		if (strcmp(opt, flags[i]) == 0)
			return false;
	return true;
}

static void
buf_shell_quote(struct vr_buf *b, const char *s)
{
	const char *p;

	if (str_is(s, CHARS_ALNUM "@%_+=:,./-")) {
		vr_buf_puts(b, s);
		return;
	}
	vr_buf_add(b, "'", 1);
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'')
			vr_buf_puts(b, "'\\''");
		else
			vr_buf_add(b, p, 1);
	}
	vr_buf_add(b, "'", 1);
}

char *
qemu_argv_format(char *const *argv)
{
	struct vr_buf b = { 0 };
	size_t i;

	if (argv == NULL || argv[0] == NULL)
		return xstrdup("");
	buf_shell_quote(&b, argv[0]);
	for (i = 1; argv[i] != NULL; i++) {
		vr_buf_puts(&b, " \\\n");
		buf_shell_quote(&b, argv[i]);
		if (argv[i][0] == '-' && opt_has_value(argv[i]) &&
		    argv[i + 1] != NULL) {
			vr_buf_add(&b, " ", 1);
			buf_shell_quote(&b, argv[++i]);
		}
	}
	vr_buf_add(&b, "\n", 1);
	return vr_buf_steal(&b);
}
