/*
 * Domain XML: the domain-wide settings around the devices. <metadata> and
 * <resource>, <cpu>, <features>, <clock> and its timers, the <on_*>
 * lifecycle actions and <pm>. Called by dom_parse_root() in dom-def.c,
 * formatted by dom-def-format.c.
 *
 * Accepted and kept without effect:
 * <metadata>: any elements in any namespace (libosinfo, virt-manager,
 * cloud tools), kept byte for byte and never interpreted;
 * <resource><partition>/machine</partition>: libvirt's default cgroup
 * partition, which libvirt 9 writes into every definition (we place no
 * guest in a cgroup partition, so no other partition is accepted);
 * <cpu check='none|partial'> (we never compare the CPU with the host).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dom-def-priv.h"
#include "dom-def.h"
#include "err.h"
#include "util.h"
#include "xml-util.h"
#include "xmalloc.h"

VR_ENUM_IMPL(dom_tristate, DOM_TRISTATE_LAST, NULL, "yes", "no")
VR_ENUM_IMPL(dom_timer_name, DOM_TIMER_LAST, "rtc", "pit", "hpet",
    "kvmclock")
VR_ENUM_IMPL(dom_timer_tickpolicy, DOM_TIMER_TICKPOLICY_LAST,
    NULL, "delay", "catchup", "discard")
VR_ENUM_IMPL(dom_timer_track, DOM_TIMER_TRACK_LAST,
    NULL, "guest", "wall", "realtime")

#define BIT(v)		VR_XML_BIT(v)
#define ALL		VR_XML_ALL
#define REQUIRED	VR_XML_REQUIRED

int
dom_parse_metadata(struct dom_def *def, xmlNode *root)
{
	xmlNode *n = vr_xml_child(root, "metadata");

	if (n == NULL)
		return 0;
	def->has_metadata = true;
	return vr_xml_dump_children(n, &def->metadata, &def->nmetadata);
}

int
dom_parse_resource(struct dom_def *def, xmlNode *root)
{
	VR_AUTOFREE char *part = NULL;
	xmlNode *n;

	if ((n = vr_xml_child(root, "resource")) == NULL)
		return 0;
	if ((n = vr_xml_child_req(n, "partition")) == NULL)
		return -1;
	part = vr_xml_text(n);
	if (strcmp(part, "/machine") != 0) {
		vr_xml_error(n, "resource partition '%s' is not supported: "
		    "only /machine, libvirt's default", part);
		return -1;
	}
	def->resource_machine = true;
	return 0;
}

int
dom_parse_cpu(struct dom_def *def, xmlNode *root)
{
	static const char *const matches[] = { "exact", NULL };
	static const char *const checks[] = { "none", "partial", NULL };
	static const char *const fallbacks[] = { "allow", "forbid", NULL };
	static const char *const on[] = { "on", NULL };
	xmlNode *cpu = vr_xml_child(root, "cpu"), *n;
	int v;

	if (cpu == NULL)
		return 0;
	if ((v = vr_xml_attr_enum(cpu, "mode", VR_XML_ENUM(dom_cpu_mode,
	    DOM_CPU_MODE_LAST), ALL, DOM_CPU_MODE_CUSTOM)) < 0)
		return -1;
	def->cpu_mode = v;
	/* We never compare the guest CPU with the host's: 'full' is refused. */
	if (vr_xml_attr_choice(cpu, "check", checks, 0) < 0)
		return -1;
	switch (def->cpu_mode) {
	case DOM_CPU_MODE_CUSTOM:
		if (vr_xml_attr_choice(cpu, "match", matches, 0) < 0)
			return -1;
		if ((n = vr_xml_child(cpu, "model")) != NULL) {
			def->cpu_model = vr_xml_text(n);
			if ((v = vr_xml_attr_choice(n, "fallback", fallbacks,
			    0)) < 0)
				return -1;
			def->cpu_model_fallback_forbid = v == 1;
		}
		break;
	case DOM_CPU_MODE_HOST_PASSTHROUGH:
	case DOM_CPU_MODE_MAXIMUM:
		/* libvirt's default, which is what QEMU does: only 'on' */
		if (vr_xml_attr_choice(cpu, "migratable", on, 0) < 0)
			return -1;
		break;
	case DOM_CPU_MODE_DEFAULT:
	case DOM_CPU_MODE_HOST_MODEL:
	case DOM_CPU_MODE_LAST:
		break;
	}
	if ((n = vr_xml_child(cpu, "topology")) != NULL) {
		def->cpu_dies = 1;
		if (vr_xml_attr_req(n, "sockets") == NULL ||
		    vr_xml_attr_req(n, "cores") == NULL ||
		    vr_xml_attr_req(n, "threads") == NULL ||
		    vr_xml_attr_uint(n, "sockets", 10, 4096,
		    &def->cpu_sockets) < 0 ||
		    vr_xml_attr_uint(n, "dies", 10, 4096, &def->cpu_dies) < 0 ||
		    vr_xml_attr_uint(n, "cores", 10, 4096,
		    &def->cpu_cores) < 0 ||
		    vr_xml_attr_uint(n, "threads", 10, 4096,
		    &def->cpu_threads) < 0)
			return -1;
	}
	return 0;
}

static int
dom_parse_features(struct dom_def *def, xmlNode *root)
{
	xmlNode *f = vr_xml_child(root, "features"), *n;
	int v;

	if (f == NULL)
		return 0;
	def->acpi = vr_xml_child(f, "acpi") != NULL;
	def->apic = vr_xml_child(f, "apic") != NULL;
	def->pae = vr_xml_child(f, "pae") != NULL;
	if ((n = vr_xml_child(f, "vmport")) != NULL) {
		static const char *const states[] = { "on", "off", NULL };

		if ((v = vr_xml_attr_choice(n, "state", states, REQUIRED)) < 0)
			return -1;
		def->vmport = v == 0 ? DOM_TRISTATE_YES : DOM_TRISTATE_NO;
	}
	return 0;
}

/*
 * One <timer>. What each takes follows what QEMU can do (and libvirt's
 * QEMU driver accepts): rtc tickpolicy delay|catchup and track
 * guest|wall|realtime, pit tickpolicy delay|catchup|discard, hpet and
 * kvmclock only present=. The RTC and PIT cannot be removed.
 */
static int
dom_parse_timer(struct dom_def *def, xmlNode *n)
{
	static const unsigned long long policies[DOM_TIMER_LAST] = {
		[DOM_TIMER_RTC] = BIT(DOM_TIMER_TICKPOLICY_DELAY) |
		    BIT(DOM_TIMER_TICKPOLICY_CATCHUP),
		[DOM_TIMER_PIT] = BIT(DOM_TIMER_TICKPOLICY_DELAY) |
		    BIT(DOM_TIMER_TICKPOLICY_CATCHUP) |
		    BIT(DOM_TIMER_TICKPOLICY_DISCARD),
	};
	struct dom_timer *t;
	const char *name;
	size_t i;
	int v;

	if ((v = vr_xml_attr_enum(n, "name", VR_XML_ENUM(dom_timer_name,
	    DOM_TIMER_LAST), ALL, REQUIRED)) < 0)
		return -1;
	name = dom_timer_name_to_string(v);
	for (i = 0; i < def->ntimers; i++) {
		if (def->timers[i].name == (enum dom_timer_name)v) {
			vr_xml_error(n, "timer '%s' is listed twice", name);
			return -1;
		}
	}
	t = &def->timers[def->ntimers++];
	t->name = v;
	if ((v = vr_xml_attr_enum(n, "present", VR_XML_ENUM(dom_tristate,
	    DOM_TRISTATE_LAST), ALL, DOM_TRISTATE_ABSENT)) < 0)
		return -1;
	t->present = v;
	if (t->present == DOM_TRISTATE_NO &&
	    (t->name == DOM_TIMER_RTC || t->name == DOM_TIMER_PIT)) {
		vr_xml_error(n, "timer '%s' cannot be removed: present='no' "
		    "is supported for hpet and kvmclock only", name);
		return -1;
	}
	if (policies[t->name] != 0) {
		if ((v = vr_xml_attr_enum(n, "tickpolicy", VR_XML_ENUM(
		    dom_timer_tickpolicy, DOM_TIMER_TICKPOLICY_LAST),
		    policies[t->name], DOM_TIMER_TICKPOLICY_DEFAULT)) < 0)
			return -1;
		t->tickpolicy = v;
	}
	if (t->name == DOM_TIMER_RTC) {
		if ((v = vr_xml_attr_enum(n, "track", VR_XML_ENUM(
		    dom_timer_track, DOM_TIMER_TRACK_LAST), ALL,
		    DOM_TIMER_TRACK_DEFAULT)) < 0)
			return -1;
		t->track = v;
	}
	return 0;
}

static int
dom_parse_clock(struct dom_def *def, xmlNode *root)
{
	xmlNode *clock = vr_xml_child(root, "clock"), *n;
	int v;

	if (clock == NULL)
		return 0;
	if ((v = vr_xml_attr_enum(clock, "offset", VR_XML_ENUM(
	    dom_clock_offset, DOM_CLOCK_LAST), ALL, DOM_CLOCK_UTC)) < 0)
		return -1;
	def->clock_offset = v;
	for (n = vr_xml_first(clock); n != NULL; n = vr_xml_next(n)) {
		if (!vr_xml_is(n, "timer"))
			continue;	/* refused afterwards */
		vr_xml_mark(n);
		if (dom_parse_timer(def, n) < 0)
			return -1;
	}
	return 0;
}

static int
dom_parse_lifecycle(struct dom_def *def, xmlNode *root)
{
	/* coredump-* only make sense after a crash */
	static const unsigned long long no_coredump =
	    ~(BIT(DOM_LIFECYCLE_COREDUMP_DESTROY) |
	    BIT(DOM_LIFECYCLE_COREDUMP_RESTART));
	const struct {
		const char			*name;
		enum dom_lifecycle_action	*action;
		unsigned long long		 allowed;
	} actions[] = {
		{ "on_poweroff", &def->on_poweroff, no_coredump },
		{ "on_reboot", &def->on_reboot, no_coredump },
		{ "on_crash", &def->on_crash, ALL },
	};
	xmlNode *n;
	size_t i;
	int v;

	def->on_poweroff = DOM_LIFECYCLE_DESTROY;
	def->on_reboot = DOM_LIFECYCLE_RESTART;
	def->on_crash = DOM_LIFECYCLE_DESTROY;
	for (i = 0; i < nitems(actions); i++) {
		if ((n = vr_xml_child(root, actions[i].name)) == NULL)
			continue;
		if ((v = vr_xml_text_enum(n, VR_XML_ENUM(dom_lifecycle_action,
		    DOM_LIFECYCLE_LAST), actions[i].allowed)) < 0)
			return -1;
		*actions[i].action = v;
	}
	return 0;
}

/* <pm><suspend-to-mem enabled='no'/><suspend-to-disk enabled='no'/></pm> */
static int
dom_parse_pm(struct dom_def *def, xmlNode *root)
{
	const struct {
		const char		*name;
		enum dom_tristate	*state;
	} states[] = {
		{ "suspend-to-mem", &def->pm_s3 },
		{ "suspend-to-disk", &def->pm_s4 },
	};
	xmlNode *pm = vr_xml_child(root, "pm"), *n;
	size_t i;
	int v;

	if (pm == NULL)
		return 0;
	for (i = 0; i < nitems(states); i++) {
		if ((n = vr_xml_child(pm, states[i].name)) == NULL)
			continue;
		if ((v = vr_xml_attr_enum(n, "enabled", VR_XML_ENUM(
		    dom_tristate, DOM_TRISTATE_LAST), ALL, REQUIRED)) < 0)
			return -1;
		*states[i].state = v;
	}
	return 0;
}

int
dom_parse_platform(struct dom_def *def, xmlNode *root)
{
	if (dom_parse_features(def, root) < 0 ||
	    dom_parse_clock(def, root) < 0 ||
	    dom_parse_lifecycle(def, root) < 0 ||
	    dom_parse_pm(def, root) < 0)
		return -1;
	return 0;
}

const struct dom_timer *
dom_def_timer(const struct dom_def *def, enum dom_timer_name name)
{
	size_t i;

	for (i = 0; i < def->ntimers; i++)
		if (def->timers[i].name == name)
			return &def->timers[i];
	return NULL;
}
