/*
 * Format a domain definition as libvirt does: the mirror of dom-def.c.
 * Elements in libvirt's order, 2-space indentation, attributes in single
 * quotes, sizes in KiB, defaults libvirt shows made explicit.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "dom-def.h"
#include "util.h"
#include "xml-util.h"
#include "xmalloc.h"

/* xml-util's formatting helpers, by the short names used below. */
#define fmt_start	vr_xml_fmt_start
#define fmt_end		vr_xml_fmt_end
#define fmt_close	vr_xml_fmt_close
#define fmt_text	vr_xml_fmt_text

static void
fmt_addr(struct vr_buf *b, const struct dom_addr *a)
{
	int i;

	switch (a->type) {
	case DOM_ADDR_PCI:
		vr_buf_line(b, "<address type='pci' domain='0x%04x' "
		    "bus='0x%02x' slot='0x%02x' function='0x%x'%s/>",
		    a->domain, a->bus, a->slot, a->function,
		    a->multifunction ? " multifunction='on'" : "");
		break;
	case DOM_ADDR_DRIVE:
		vr_buf_line(b, "<address type='drive' controller='%u' "
		    "bus='%u' target='%u' unit='%u'/>", a->controller,
		    a->drive_bus, a->target, a->unit);
		break;
	case DOM_ADDR_VIRTIO_SERIAL:
		vr_buf_line(b, "<address type='virtio-serial' controller='%u' "
		    "bus='%u' port='%u'/>", a->controller, a->serial_bus,
		    a->port);
		break;
	case DOM_ADDR_USB:
		fmt_start(b, "address type='usb' bus='%u'", a->usb_bus);
		for (i = 0; i < 4 && a->usb_port[i] != 0; i++)
			vr_buf_printf(b, "%s%u", i == 0 ? " port='" : ".",
			    a->usb_port[i]);
		vr_buf_puts(b, i > 0 ? "'/>\n" : "/>\n");
		break;
	case DOM_ADDR_NONE:
	case DOM_ADDR_LAST:
		break;
	}
}

static void
fmt_boot_order(struct vr_buf *b, unsigned int order)
{
	if (order != 0)
		vr_buf_line(b, "<boot order='%u'/>", order);
}

/* Each child as parsed, on its own line: byte-stable across round trips. */
static void
fmt_metadata(struct vr_buf *b, const struct dom_def *def)
{
	size_t i;

	if (!def->has_metadata)
		return;
	if (def->nmetadata == 0) {
		vr_buf_line(b, "<metadata/>");
		return;
	}
	vr_buf_line(b, "<metadata>");
	b->indent++;
	for (i = 0; i < def->nmetadata; i++)
		vr_buf_line(b, "%s", def->metadata[i]);
	fmt_close(b, "metadata");
}

static void
fmt_cputune(struct vr_buf *b, const struct dom_def *def)
{
	size_t i;

	if (def->nvcpupins == 0 && def->emulatorpin == NULL)
		return;
	vr_buf_line(b, "<cputune>");
	b->indent++;
	for (i = 0; i < def->nvcpupins; i++) {
		fmt_start(b, "vcpupin vcpu='%u'", def->vcpupins[i].vcpu);
		vr_xml_buf_attr(b, "cpuset", def->vcpupins[i].cpuset);
		fmt_end(b, false);
	}
	if (def->emulatorpin != NULL) {
		fmt_start(b, "emulatorpin");
		vr_xml_buf_attr(b, "cpuset", def->emulatorpin);
		fmt_end(b, false);
	}
	fmt_close(b, "cputune");
}

static void
fmt_memory(struct vr_buf *b, const struct dom_def *def)
{
	if (def->max_mem_kib != 0)
		vr_buf_line(b, "<maxMemory slots='%u' unit='KiB'>%llu"
		    "</maxMemory>", def->max_mem_slots, def->max_mem_kib);
	vr_buf_line(b, "<memory unit='KiB'>%llu</memory>", def->mem_kib);
	vr_buf_line(b, "<currentMemory unit='KiB'>%llu</currentMemory>",
	    def->cur_mem_kib);
	/* libvirt shows the default placement */
	fmt_start(b, "vcpu placement='%s'",
	    def->vcpu_placement == DOM_VCPU_PLACEMENT_DEFAULT ? "static" :
	    dom_vcpu_placement_to_string(def->vcpu_placement));
	vr_xml_buf_attr(b, "cpuset", def->vcpu_cpuset);
	if (def->vcpus_current != def->vcpus)
		vr_buf_printf(b, " current='%u'", def->vcpus_current);
	vr_buf_printf(b, ">%u</vcpu>\n", def->vcpus);
	fmt_cputune(b, def);
	if (def->resource_machine) {
		vr_buf_line(b, "<resource>");
		b->indent++;
		vr_buf_line(b, "<partition>/machine</partition>");
		fmt_close(b, "resource");
	}
}

static void
fmt_os(struct vr_buf *b, const struct dom_def *def)
{
	size_t i;

	vr_buf_line(b, "<os>");
	b->indent++;
	fmt_start(b, "type");
	vr_xml_buf_attr(b, "arch", def->os_arch);
	vr_xml_buf_attr(b, "machine", def->os_machine);
	vr_buf_puts(b, ">hvm</type>\n");
	fmt_text(b, "kernel", def->kernel);
	fmt_text(b, "initrd", def->initrd);
	fmt_text(b, "cmdline", def->cmdline);
	for (i = 0; i < def->nboot; i++)
		vr_buf_line(b, "<boot dev='%s'/>",
		    dom_boot_dev_to_string(def->boot[i]));
	if (def->bootmenu)
		vr_buf_line(b, "<bootmenu enable='yes'/>");
	fmt_close(b, "os");
	if (def->acpi || def->apic || def->pae ||
	    def->vmport != DOM_TRISTATE_ABSENT) {
		vr_buf_line(b, "<features>");
		b->indent++;
		if (def->acpi)
			vr_buf_line(b, "<acpi/>");
		if (def->apic)
			vr_buf_line(b, "<apic/>");
		if (def->pae)
			vr_buf_line(b, "<pae/>");
		if (def->vmport != DOM_TRISTATE_ABSENT)
			vr_buf_line(b, "<vmport state='%s'/>",
			    def->vmport == DOM_TRISTATE_YES ? "on" : "off");
		fmt_close(b, "features");
	}
}

static void
fmt_cpu(struct vr_buf *b, const struct dom_def *def)
{
	bool custom = def->cpu_mode == DOM_CPU_MODE_CUSTOM;
	bool topology = def->cpu_sockets != 0;

	if (def->cpu_mode == DOM_CPU_MODE_DEFAULT)
		return;
	fmt_start(b, "cpu mode='%s'", dom_cpu_mode_to_string(def->cpu_mode));
	if (custom && def->cpu_model != NULL)
		vr_buf_puts(b, " match='exact'");
	if (def->cpu_mode == DOM_CPU_MODE_HOST_PASSTHROUGH ||
	    def->cpu_mode == DOM_CPU_MODE_MAXIMUM)
		vr_buf_puts(b, " migratable='on'");
	fmt_end(b, topology || (custom && def->cpu_model != NULL));
	if (custom && def->cpu_model != NULL) {
		fmt_start(b, "model fallback='%s'>",
		    def->cpu_model_fallback_forbid ? "forbid" : "allow");
		vr_xml_escape_text(b, def->cpu_model);
		vr_buf_puts(b, "</model>\n");
	}
	if (topology)
		vr_buf_line(b, "<topology sockets='%u' dies='%u' cores='%u' "
		    "threads='%u'/>", def->cpu_sockets, def->cpu_dies,
		    def->cpu_cores, def->cpu_threads);
	if (topology || (custom && def->cpu_model != NULL))
		fmt_close(b, "cpu");
}

static void
fmt_clock(struct vr_buf *b, const struct dom_def *def)
{
	const struct dom_timer *t;
	size_t i;

	fmt_start(b, "clock offset='%s'",
	    dom_clock_offset_to_string(def->clock_offset));
	fmt_end(b, def->ntimers > 0);
	for (i = 0; i < def->ntimers; i++) {
		t = &def->timers[i];
		fmt_start(b, "timer name='%s'",
		    dom_timer_name_to_string(t->name));
		vr_xml_buf_attr(b, "present",
		    dom_tristate_to_string(t->present));
		vr_xml_buf_attr(b, "tickpolicy",
		    dom_timer_tickpolicy_to_string(t->tickpolicy));
		vr_xml_buf_attr(b, "track",
		    dom_timer_track_to_string(t->track));
		fmt_end(b, false);
	}
	if (def->ntimers > 0)
		fmt_close(b, "clock");
}

static void
fmt_pm(struct vr_buf *b, const struct dom_def *def)
{
	if (def->pm_s3 == DOM_TRISTATE_ABSENT &&
	    def->pm_s4 == DOM_TRISTATE_ABSENT)
		return;
	vr_buf_line(b, "<pm>");
	b->indent++;
	if (def->pm_s3 != DOM_TRISTATE_ABSENT)
		vr_buf_line(b, "<suspend-to-mem enabled='%s'/>",
		    dom_tristate_to_string(def->pm_s3));
	if (def->pm_s4 != DOM_TRISTATE_ABSENT)
		vr_buf_line(b, "<suspend-to-disk enabled='%s'/>",
		    dom_tristate_to_string(def->pm_s4));
	fmt_close(b, "pm");
}

/* libvirt's live <backingStore> chain: each image inside the one above. */
static void
fmt_backing(struct vr_buf *b, const struct dom_disk *d)
{
	size_t i;

	if (!d->chain_known)
		return;
	for (i = 0; i < d->nbacking; i++) {
		const struct dom_backing *k = &d->backing[i];
		bool blk = strncmp(k->path, "/dev/", 5) == 0;

		fmt_start(b, "backingStore type='%s'", blk ? "block" : "file");
		fmt_end(b, true);
		fmt_start(b, "format");
		vr_xml_buf_attr(b, "type", k->format);
		fmt_end(b, false);
		fmt_start(b, "source");
		vr_xml_buf_attr(b, blk ? "dev" : "file", k->path);
		fmt_end(b, false);
	}
	vr_buf_line(b, "<backingStore/>");
	for (i = d->nbacking; i-- > 0;)
		fmt_close(b, "backingStore");
}

static void
fmt_disk(struct vr_buf *b, const struct dom_disk *d)
{
	vr_buf_line(b, "<disk type='%s' device='%s'>",
	    dom_disk_type_to_string(d->type),
	    dom_disk_device_to_string(d->device));
	b->indent++;
	if (d->has_driver) {
		fmt_start(b, "driver name='qemu'");
		vr_xml_buf_attr(b, "type",
		    dom_disk_format_to_string(d->format));
		vr_xml_buf_attr(b, "cache", dom_disk_cache_to_string(d->cache));
		vr_xml_buf_attr(b, "io", dom_disk_io_to_string(d->io));
		vr_xml_buf_attr(b, "discard",
		    dom_disk_discard_to_string(d->discard));
		fmt_end(b, false);
	}
	if (d->src_path != NULL || d->src_volume != NULL) {
		fmt_start(b, "source");
		switch (d->type) {
		case DOM_DISK_TYPE_FILE:
			vr_xml_buf_attr(b, "file", d->src_path);
			break;
		case DOM_DISK_TYPE_BLOCK:
			vr_xml_buf_attr(b, "dev", d->src_path);
			break;
		case DOM_DISK_TYPE_VOLUME:
			vr_xml_buf_attr(b, "pool", d->src_pool);
			vr_xml_buf_attr(b, "volume", d->src_volume);
			break;
		case DOM_DISK_TYPE_LAST:
			break;
		}
		fmt_end(b, false);
	}
	fmt_backing(b, d);
	fmt_start(b, "target");
	vr_xml_buf_attr(b, "dev", d->target_dev);
	vr_buf_printf(b, " bus='%s'", dom_disk_bus_to_string(d->bus));
	fmt_end(b, false);
	if (d->readonly)
		vr_buf_line(b, "<readonly/>");
	if (d->shareable)
		vr_buf_line(b, "<shareable/>");
	fmt_text(b, "serial", d->serial);
	fmt_boot_order(b, d->boot_order);
	fmt_addr(b, &d->addr);
	fmt_close(b, "disk");
}

static void
fmt_controller(struct vr_buf *b, const struct dom_controller *c)
{
	bool named = c->model == DOM_CONTROLLER_MODEL_PCIE_ROOT_PORT ||
	    c->model == DOM_CONTROLLER_MODEL_PCI_BRIDGE;

	fmt_start(b, "controller type='%s' index='%u'",
	    dom_controller_type_to_string(c->type), c->index);
	vr_xml_buf_attr(b, "model", dom_controller_model_to_string(c->model));
	if (c->ports != 0)
		vr_buf_printf(b, " ports='%u'", c->ports);
	fmt_end(b, named || c->addr.type != DOM_ADDR_NONE);
	if (named) {
		/* libvirt names the device model of these */
		vr_buf_line(b, "<model name='%s'/>",
		    dom_controller_model_to_string(c->model));
		if (c->chassis_nr >= 0)
			vr_buf_line(b, "<target chassisNr='%d'/>",
			    c->chassis_nr);
		if (c->chassis >= 0 || c->target_port >= 0) {
			fmt_start(b, "target");
			if (c->chassis >= 0)
				vr_buf_printf(b, " chassis='%d'", c->chassis);
			if (c->target_port >= 0)
				vr_buf_printf(b, " port='0x%x'",
				    (unsigned int)c->target_port);
			fmt_end(b, false);
		}
	}
	fmt_addr(b, &c->addr);
	if (named || c->addr.type != DOM_ADDR_NONE)
		fmt_close(b, "controller");
}

static void
fmt_net(struct vr_buf *b, const struct dom_net *n)
{
	char mac[18];

	dom_mac_format(n->mac, mac);
	vr_buf_line(b, "<interface type='%s'>",
	    dom_net_type_to_string(n->type));
	b->indent++;
	vr_buf_line(b, "<mac address='%s'/>", mac);
	if (n->source != NULL) {
		fmt_start(b, "source");
		vr_xml_buf_attr(b, n->type == DOM_NET_BRIDGE ? "bridge" :
		    "network", n->source);
		fmt_end(b, false);
	}
	if (n->target_dev != NULL) {
		fmt_start(b, "target");
		vr_xml_buf_attr(b, "dev", n->target_dev);
		fmt_end(b, false);
	}
	if (n->model != DOM_NET_MODEL_DEFAULT)
		vr_buf_line(b, "<model type='%s'/>",
		    dom_net_model_to_string(n->model));
	if (n->driver != DOM_NET_DRIVER_DEFAULT)
		vr_buf_line(b, "<driver name='%s'/>",
		    dom_net_driver_to_string(n->driver));
	if (n->link != DOM_NET_LINK_DEFAULT)
		vr_buf_line(b, "<link state='%s'/>",
		    dom_net_link_to_string(n->link));
	fmt_boot_order(b, n->boot_order);
	fmt_addr(b, &n->addr);
	fmt_close(b, "interface");
}

/* src: where type and source come from (a console alias: the serial). */
static void
fmt_chr(struct vr_buf *b, const struct dom_chr *chr, const struct dom_chr *src)
{
	const char *kind = dom_chr_kind_to_string(chr->kind);
	const char *target = dom_chr_target_to_string(chr->target_type);

	vr_buf_line(b, "<%s type='%s'>", kind,
	    dom_chr_type_to_string(src->type));
	b->indent++;
	switch (src->type) {
	case DOM_CHR_FILE:
		fmt_start(b, "source");
		vr_xml_buf_attr(b, "path", src->path);
		if (src->append)
			vr_buf_puts(b, " append='on'");
		fmt_end(b, false);
		break;
	case DOM_CHR_UNIX:
		fmt_start(b, "source mode='%s'", src->listen ? "bind" :
		    "connect");
		vr_xml_buf_attr(b, "path", src->path);
		fmt_end(b, false);
		break;
	case DOM_CHR_PTY:
		if (src->path != NULL) {
			fmt_start(b, "source");
			vr_xml_buf_attr(b, "path", src->path);
			fmt_end(b, false);
		}
		break;
	case DOM_CHR_NULL:
	case DOM_CHR_LAST:
		break;
	}
	fmt_start(b, "target");
	vr_xml_buf_attr(b, "type", target);
	if (chr->kind == DOM_CHR_KIND_CHANNEL)
		vr_xml_buf_attr(b, "name", chr->target_name);
	else
		vr_buf_printf(b, " port='%u'", chr->port);
	if (chr->target_type == DOM_CHR_TARGET_ISA_SERIAL) {
		fmt_end(b, true);
		vr_buf_line(b, "<model name='isa-serial'/>");
		fmt_close(b, "target");
	} else
		fmt_end(b, false);
	fmt_addr(b, &chr->addr);
	fmt_close(b, kind);
}

static void
fmt_chrs(struct vr_buf *b, const struct dom_def *def)
{
	const struct dom_chr *serial = NULL, *chr;
	size_t i;
	int kind;

	for (i = 0; i < def->nchrs && serial == NULL; i++)
		if (def->chrs[i].kind == DOM_CHR_KIND_SERIAL)
			serial = &def->chrs[i];
	/* serials, then consoles, then channels, as libvirt */
	for (kind = 0; kind < DOM_CHR_KIND_LAST; kind++) {
		for (i = 0; i < def->nchrs; i++) {
			chr = &def->chrs[i];
			if (chr->kind != (enum dom_chr_kind)kind)
				continue;
			fmt_chr(b, chr, chr->kind == DOM_CHR_KIND_CONSOLE &&
			    chr->target_type == DOM_CHR_TARGET_SERIAL &&
			    serial != NULL ? serial : chr);
		}
	}
}

static void
fmt_graphics(struct vr_buf *b, const struct dom_graphics *g,
    unsigned int flags)
{
	fmt_start(b, "graphics type='%s' port='%d' autoport='%s'",
	    dom_graphics_type_to_string(g->type), g->autoport ? -1 : g->port,
	    g->autoport ? "yes" : "no");
	vr_xml_buf_attr(b, "listen", g->listen);
	if (flags & DOM_FORMAT_SECURE)
		vr_xml_buf_attr(b, "passwd", g->passwd);
	fmt_end(b, true);
	fmt_start(b, "listen type='address'");
	vr_xml_buf_attr(b, "address", g->listen);
	fmt_end(b, false);
	fmt_close(b, "graphics");
}

static void
fmt_video(struct vr_buf *b, const struct dom_video *v)
{
	vr_buf_line(b, "<video>");
	b->indent++;
	fmt_start(b, "model type='%s'", dom_video_model_to_string(v->model));
	if (v->vram_kib != 0)
		vr_buf_printf(b, " vram='%u'", v->vram_kib);
	if (v->heads != 0)
		vr_buf_printf(b, " heads='%u'", v->heads);
	if (v->primary)
		vr_buf_puts(b, " primary='yes'");
	fmt_end(b, false);
	fmt_addr(b, &v->addr);
	fmt_close(b, "video");
}

static void
fmt_balloon(struct vr_buf *b, const struct dom_balloon *m)
{
	bool children = m->stats_period != 0 || m->addr.type != DOM_ADDR_NONE;

	fmt_start(b, "memballoon model='%s'",
	    dom_balloon_model_to_string(m->model));
	if (m->autodeflate)
		vr_buf_puts(b, " autodeflate='on'");
	fmt_end(b, children);
	if (m->stats_period != 0)
		vr_buf_line(b, "<stats period='%u'/>", m->stats_period);
	fmt_addr(b, &m->addr);
	if (children)
		fmt_close(b, "memballoon");
}

/* After the rngs, as libvirt; the address when it has an iobase. */
static void
fmt_panic(struct vr_buf *b, const struct dom_def *def)
{
	if (!def->panic)
		return;
	if (def->panic_iobase == 0) {
		vr_buf_line(b, "<panic model='isa'/>");
		return;
	}
	vr_buf_line(b, "<panic model='isa'>");
	b->indent++;
	vr_buf_line(b, "<address type='isa' iobase='0x%x'/>",
	    def->panic_iobase);
	fmt_close(b, "panic");
}

static void
fmt_misc_devices(struct vr_buf *b, const struct dom_def *def,
    unsigned int flags)
{
	const struct dom_watchdog *wd;
	const struct dom_input *in;
	const struct dom_rng *rng;
	size_t i;

	for (i = 0; i < def->ninputs; i++) {
		in = &def->inputs[i];
		fmt_start(b, "input type='%s'",
		    dom_input_type_to_string(in->type));
		vr_xml_buf_attr(b, "bus", dom_input_bus_to_string(in->bus));
		fmt_end(b, in->addr.type != DOM_ADDR_NONE);
		if (in->addr.type != DOM_ADDR_NONE) {
			fmt_addr(b, &in->addr);
			fmt_close(b, "input");
		}
	}
	for (i = 0; i < def->ngraphics; i++)
		fmt_graphics(b, &def->graphics[i], flags);
	for (i = 0; i < def->nvideos; i++)
		fmt_video(b, &def->videos[i]);
	for (i = 0; i < def->nwatchdogs; i++) {
		wd = &def->watchdogs[i];
		fmt_start(b, "watchdog model='%s' action='%s'",
		    dom_watchdog_model_to_string(wd->model),
		    dom_watchdog_action_to_string(wd->action));
		fmt_end(b, wd->addr.type != DOM_ADDR_NONE);
		if (wd->addr.type != DOM_ADDR_NONE) {
			fmt_addr(b, &wd->addr);
			fmt_close(b, "watchdog");
		}
	}
	/* libvirt adds a virtio balloon when there is none */
	fmt_balloon(b, &def->balloon);
	for (i = 0; i < def->nrngs; i++) {
		rng = &def->rngs[i];
		vr_buf_line(b, "<rng model='virtio'>");
		b->indent++;
		if (rng->rate_bytes != 0) {
			fmt_start(b, "rate bytes='%u'", rng->rate_bytes);
			if (rng->rate_period != 0)
				vr_buf_printf(b, " period='%u'",
				    rng->rate_period);
			fmt_end(b, false);
		}
		fmt_start(b, "backend model='random'>");
		vr_xml_escape_text(b, rng->backend_path != NULL ?
		    rng->backend_path : "/dev/urandom");
		vr_buf_puts(b, "</backend>\n");
		fmt_addr(b, &rng->addr);
		fmt_close(b, "rng");
	}
	fmt_panic(b, def);
}

static void
fmt_devices(struct vr_buf *b, const struct dom_def *def, unsigned int flags)
{
	size_t i;

	vr_buf_line(b, "<devices>");
	b->indent++;
	fmt_text(b, "emulator", def->emulator);
	for (i = 0; i < def->ndisks; i++)
		fmt_disk(b, &def->disks[i]);
	for (i = 0; i < def->ncontrollers; i++)
		fmt_controller(b, &def->controllers[i]);
	for (i = 0; i < def->nnets; i++)
		fmt_net(b, &def->nets[i]);
	fmt_chrs(b, def);
	fmt_misc_devices(b, def, flags);
	fmt_close(b, "devices");
}

char *
dom_def_format(const struct dom_def *def, int id, unsigned int flags)
{
	struct vr_buf b = { 0 };
	char uuid[VR_UUID_BUFLEN];

	vr_buf_printf(&b, "<domain type='%s'", dom_virt_to_string(def->virt));
	if (id >= 0)
		vr_buf_printf(&b, " id='%d'", id);
	vr_buf_puts(&b, ">\n");
	b.indent = 1;
	fmt_text(&b, "name", def->name);
	vr_uuid_format(def->uuid, uuid);
	vr_buf_line(&b, "<uuid>%s</uuid>", uuid);
	fmt_text(&b, "title", def->title);
	fmt_text(&b, "description", def->description);
	fmt_metadata(&b, def);
	fmt_memory(&b, def);
	fmt_os(&b, def);
	fmt_cpu(&b, def);
	fmt_clock(&b, def);
	vr_buf_line(&b, "<on_poweroff>%s</on_poweroff>",
	    dom_lifecycle_action_to_string(def->on_poweroff));
	vr_buf_line(&b, "<on_reboot>%s</on_reboot>",
	    dom_lifecycle_action_to_string(def->on_reboot));
	vr_buf_line(&b, "<on_crash>%s</on_crash>",
	    dom_lifecycle_action_to_string(def->on_crash));
	fmt_pm(&b, def);
	fmt_devices(&b, def, flags);
	vr_buf_puts(&b, "</domain>\n");
	return vr_buf_steal(&b);
}
