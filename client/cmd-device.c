/*
 * Device hotplug: attach-device, detach-device, update-device,
 * attach-disk, detach-disk, attach-interface, detach-interface,
 * change-media. The disk and interface commands write the device XML
 * (as virsh does) and use the same procedures as the *-device ones.
 * Messages are virsh's.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "err.h"
#include "output.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

#define OPT_DOMAIN \
	{ "domain", CMD_OPT_ARG, CMD_OPT_REQ, "domain name, id or uuid" }
#define OPT_AFFECT \
	{ "persistent", CMD_OPT_BOOL, 0, "make live change persistent" }, \
	{ "config", CMD_OPT_BOOL, 0, "affect next boot" }, \
	{ "live", CMD_OPT_BOOL, 0, "affect running domain" }, \
	{ "current", CMD_OPT_BOOL, 0, "affect current domain" }

static const char *const affect_excl[][2] = {
	{ "current", "live" },
	{ "current", "config" },
	{ "current", "persistent" },
	{ NULL, NULL }
};

/* {"dom", "live", "config", "persistent"} from the command line. */
static struct json_object *
device_args(const struct cmd_args *args)
{
	struct json_object *o = cmd_dom_args(args);

	rpc_set_bool(o, "live", cmd_has(args, "live"));
	rpc_set_bool(o, "config", cmd_has(args, "config"));
	rpc_set_bool(o, "persistent", cmd_has(args, "persistent"));
	return o;
}

static enum cmd_retval
device_call(struct cmd_ctx *ctx, const struct cmd_args *args, int proc,
    const char *xml, const char *msg)
{
	struct json_object *o = device_args(args);

	rpc_set_string(o, "xml", xml);
	return cmd_done(ctx, cmd_call(ctx, proc, o), "%s", msg);
}

/* XML attribute values */
static void
xml_attr(struct vr_buf *b, const char *name, const char *value)
{
	vr_buf_printf(b, " %s='", name);
	vr_buf_xml_escape(b, value);
	vr_buf_puts(b, "'");
}

/* attach-device / detach-device / update-device DOMAIN FILE */

static const struct cmd_opt device_opts[] = {
	OPT_DOMAIN,
	{ "file", CMD_OPT_ARG, CMD_OPT_REQ, "XML file of the device" },
	OPT_AFFECT,
	{ NULL }
};

static enum cmd_retval
device_file(struct cmd_ctx *ctx, const struct cmd_args *args, int proc,
    const char *msg)
{
	VR_AUTOFREE char *xml = NULL;

	if ((xml = cmd_read_xml(cmd_get(args, "file"), "device")) == NULL)
		return CMD_ERR;
	return device_call(ctx, args, proc, xml, msg);
}

static enum cmd_retval
cmd_attach_device_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return device_file(ctx, args, RPC_PROC_DOM_ATTACH_DEVICE,
	    "Device attached successfully");
}

const struct cmd_entry cmd_attach_device_entry = {
	.name = "attach-device", .summary = "attach device from an XML file",
	.desc = "Attach a <disk> or <interface> described in FILE. Without "
	    "--live or --config (or with --current), the running domain is "
	    "changed if it runs, else its configuration; --persistent changes "
	    "both (the running domain only if it runs).",
	.opts = device_opts, .excl = affect_excl, .flags = CMD_RW,
	.group = CMD_GROUP_DOMAIN, .exec = cmd_attach_device_exec,
};

static enum cmd_retval
cmd_detach_device_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return device_file(ctx, args, RPC_PROC_DOM_DETACH_DEVICE,
	    "Device detached successfully");
}

const struct cmd_entry cmd_detach_device_entry = {
	.name = "detach-device", .summary = "detach device from an XML file",
	.desc = "Detach the device FILE names: a <disk> by its <target dev>, "
	    "an <interface> by its <mac address> (or by its type if the "
	    "domain has one of that type). A running guest must release the "
	    "device (ACPI hotplug) within 10 seconds.",
	.opts = device_opts, .excl = affect_excl, .flags = CMD_RW,
	.group = CMD_GROUP_DOMAIN, .exec = cmd_detach_device_exec,
};

static enum cmd_retval
cmd_update_device_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return device_file(ctx, args, RPC_PROC_DOM_UPDATE_DEVICE,
	    "Device updated successfully");
}

const struct cmd_entry cmd_update_device_entry = {
	.name = "update-device", .summary = "update device from an XML file",
	.desc = "Update a device from FILE: the medium of a <disk "
	    "device='cdrom'> (the one with the same <target dev>; no "
	    "<source> ejects it), or the <link state='up|down'/> of the "
	    "<interface> with the same <mac address>.",
	.opts = device_opts, .excl = affect_excl, .flags = CMD_RW,
	.group = CMD_GROUP_DOMAIN, .exec = cmd_update_device_exec,
};

/* attach-disk DOMAIN SOURCE TARGET [...] */

static const struct cmd_opt attach_disk_opts[] = {
	OPT_DOMAIN,
	{ "source", CMD_OPT_ARG, CMD_OPT_REQ, "source of disk device "
	  "(an absolute path)" },
	{ "target", CMD_OPT_ARG, CMD_OPT_REQ, "target of disk device "
	  "(vdb, sdb, hdc)" },
	{ "targetbus", CMD_OPT_STRING, 0, "target bus of disk device "
	  "(virtio, scsi, sata, ide)" },
	{ "driver", CMD_OPT_STRING, 0, "driver of disk device (qemu)" },
	{ "subdriver", CMD_OPT_STRING, 0, "subdriver of disk device (raw, "
	  "qcow2)" },
	{ "type", CMD_OPT_STRING, 0, "target device type (disk, cdrom)" },
	{ "mode", CMD_OPT_STRING, 0, "mode of device reading and writing "
	  "(readonly, shareable)" },
	{ "sourcetype", CMD_OPT_STRING, 0, "type of source (file, block)" },
	{ "serial", CMD_OPT_STRING, 0, "serial of disk device" },
	{ "print-xml", CMD_OPT_BOOL, 0, "print XML document rather than "
	  "attach the disk" },
	OPT_AFFECT,
	{ NULL }
};

static const char *
disk_bus_default(const char *target)
{
	if (strncmp(target, "vd", 2) == 0)
		return "virtio";
	if (strncmp(target, "sd", 2) == 0)
		return "scsi";
	return "ide";
}

static int
disk_xml(const struct cmd_args *args, struct vr_buf *b)
{
	const char *type = cmd_get(args, "type");
	const char *stype = cmd_get(args, "sourcetype");
	const char *driver = cmd_get(args, "driver");
	const char *sub = cmd_get(args, "subdriver");
	const char *mode = cmd_get(args, "mode");
	const char *bus = cmd_get(args, "targetbus");
	const char *target = cmd_get(args, "target");
	bool block;

	if (type != NULL && strcmp(type, "disk") != 0 &&
	    strcmp(type, "cdrom") != 0) {
		vr_error(VR_ERR_INVALID_ARG, "unknown disk type '%s' (disk, "
		    "cdrom)", type);
		return -1;
	}
	if (stype != NULL && strcmp(stype, "file") != 0 &&
	    strcmp(stype, "block") != 0) {
		vr_error(VR_ERR_INVALID_ARG, "unknown source type '%s' (file, "
		    "block)", stype);
		return -1;
	}
	if (driver != NULL && strcmp(driver, "qemu") != 0) {
		vr_error(VR_ERR_INVALID_ARG, "unknown driver '%s' (qemu)",
		    driver);
		return -1;
	}
	if (mode != NULL && strcmp(mode, "readonly") != 0 &&
	    strcmp(mode, "shareable") != 0) {
		vr_error(VR_ERR_INVALID_ARG, "unknown mode '%s' (readonly, "
		    "shareable)", mode);
		return -1;
	}
	block = stype != NULL && strcmp(stype, "block") == 0;
	vr_buf_puts(b, "<disk");
	xml_attr(b, "type", block ? "block" : "file");
	xml_attr(b, "device", type != NULL ? type : "disk");
	vr_buf_puts(b, ">\n");
	if (sub != NULL) {
		vr_buf_puts(b, "  <driver name='qemu'");
		xml_attr(b, "type", sub);
		vr_buf_puts(b, "/>\n");
	}
	vr_buf_puts(b, "  <source");
	xml_attr(b, block ? "dev" : "file", cmd_get(args, "source"));
	vr_buf_puts(b, "/>\n  <target");
	xml_attr(b, "dev", target);
	xml_attr(b, "bus", bus != NULL ? bus : disk_bus_default(target));
	vr_buf_puts(b, "/>\n");
	if (mode != NULL)
		vr_buf_printf(b, "  <%s/>\n", mode);
	if (cmd_get(args, "serial") != NULL) {
		vr_buf_puts(b, "  <serial>");
		vr_buf_puts(b, cmd_get(args, "serial"));
		vr_buf_puts(b, "</serial>\n");
	}
	vr_buf_puts(b, "</disk>\n");
	return 0;
}

/*
 * The end of attach-disk and attach-interface: built (0, or -1 from the
 * XML builder) b's device, printed with --print-xml, else attached.
 */
static enum cmd_retval
attach_built(struct cmd_ctx *ctx, const struct cmd_args *args, int built,
    struct vr_buf *b, const char *done)
{
	enum cmd_retval rv = CMD_OK;

	if (built < 0)
		rv = CMD_ERR;
	else if (cmd_has(args, "print-xml"))
		fputs(vr_buf_str(b), stdout);
	else
		rv = device_call(ctx, args, RPC_PROC_DOM_ATTACH_DEVICE,
		    vr_buf_str(b), done);
	vr_buf_free(b);
	return rv;
}

static enum cmd_retval
cmd_attach_disk_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct vr_buf b = { 0 };
	const char *serial = cmd_get(args, "serial");

	if (serial != NULL && serial[strcspn(serial, "<>&")] != '\0') {
		vr_error(VR_ERR_INVALID_ARG, "invalid serial '%s'", serial);
		return CMD_ERR;
	}
	return attach_built(ctx, args, disk_xml(args, &b), &b,
	    "Disk attached successfully");
}

const struct cmd_entry cmd_attach_disk_entry = {
	.name = "attach-disk", .summary = "attach disk device",
	.desc = "Attach the file (or block device) SOURCE as disk TARGET. "
	    "The bus follows the target's prefix unless --targetbus says: "
	    "vd virtio, sd scsi, hd ide. Only virtio and scsi disks can be "
	    "plugged into a running guest.",
	.opts = attach_disk_opts, .excl = affect_excl, .flags = CMD_RW,
	.group = CMD_GROUP_DOMAIN, .exec = cmd_attach_disk_exec,
};

/* detach-disk DOMAIN TARGET */

static const struct cmd_opt detach_disk_opts[] = {
	OPT_DOMAIN,
	{ "target", CMD_OPT_ARG, CMD_OPT_REQ, "target of disk device" },
	OPT_AFFECT,
	{ NULL }
};

static enum cmd_retval
cmd_detach_disk_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct vr_buf b = { 0 };
	enum cmd_retval rv;

	vr_buf_puts(&b, "<disk><target");
	xml_attr(&b, "dev", cmd_get(args, "target"));
	vr_buf_puts(&b, "/></disk>");
	rv = device_call(ctx, args, RPC_PROC_DOM_DETACH_DEVICE,
	    vr_buf_str(&b), "Disk detached successfully");
	vr_buf_free(&b);
	return rv;
}

const struct cmd_entry cmd_detach_disk_entry = {
	.name = "detach-disk", .summary = "detach disk device",
	.desc = "Detach the disk whose target is TARGET (vdb...). A running "
	    "guest must release it (ACPI hotplug) within 10 seconds.",
	.opts = detach_disk_opts, .excl = affect_excl, .flags = CMD_RW,
	.group = CMD_GROUP_DOMAIN, .exec = cmd_detach_disk_exec,
};

/* attach-interface DOMAIN TYPE [SOURCE] [...] */

static const struct cmd_opt attach_iface_opts[] = {
	OPT_DOMAIN,
	{ "type", CMD_OPT_ARG, CMD_OPT_REQ, "network interface type "
	  "(network, bridge, user)" },
	{ "source", CMD_OPT_ARG, 0, "source of network interface (network "
	  "or bridge name)" },
	{ "mac", CMD_OPT_STRING, 0, "MAC address" },
	{ "model", CMD_OPT_STRING, 0, "model type (virtio, e1000, e1000e, "
	  "rtl8139)" },
	{ "print-xml", CMD_OPT_BOOL, 0, "print XML document rather than "
	  "attach the interface" },
	OPT_AFFECT,
	{ NULL }
};

static int
iface_xml(const struct cmd_args *args, struct vr_buf *b)
{
	const char *type = cmd_get(args, "type");
	const char *source = cmd_get(args, "source");
	const char *what = NULL;

	if (strcmp(type, "network") == 0)
		what = "network";
	else if (strcmp(type, "bridge") == 0)
		what = "bridge";
	else if (strcmp(type, "user") != 0) {
		vr_error(VR_ERR_INVALID_ARG, "unknown interface type '%s' "
		    "(network, bridge, user)", type);
		return -1;
	}
	if (what != NULL && source == NULL) {
		vr_error(VR_ERR_INVALID_ARG, "interface type '%s' needs a "
		    "source (the %s's name)", type, what);
		return -1;
	}
	vr_buf_puts(b, "<interface");
	xml_attr(b, "type", type);
	vr_buf_puts(b, ">\n");
	if (what != NULL) {
		vr_buf_puts(b, "  <source");
		xml_attr(b, what, source);
		vr_buf_puts(b, "/>\n");
	}
	if (cmd_get(args, "mac") != NULL) {
		vr_buf_puts(b, "  <mac");
		xml_attr(b, "address", cmd_get(args, "mac"));
		vr_buf_puts(b, "/>\n");
	}
	if (cmd_get(args, "model") != NULL) {
		vr_buf_puts(b, "  <model");
		xml_attr(b, "type", cmd_get(args, "model"));
		vr_buf_puts(b, "/>\n");
	}
	vr_buf_puts(b, "</interface>\n");
	return 0;
}

static enum cmd_retval
cmd_attach_interface_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct vr_buf b = { 0 };

	return attach_built(ctx, args, iface_xml(args, &b), &b,
	    "Interface attached successfully");
}

const struct cmd_entry cmd_attach_interface_entry = {
	.name = "attach-interface", .summary = "attach network interface",
	.desc = "Attach an interface of TYPE: 'network' (SOURCE a virtual "
	    "network), 'bridge' (SOURCE a host bridge) or 'user' (QEMU's "
	    "user-mode network, no SOURCE). A MAC is generated unless --mac "
	    "gives one.",
	.opts = attach_iface_opts, .excl = affect_excl, .flags = CMD_RW,
	.group = CMD_GROUP_DOMAIN, .exec = cmd_attach_interface_exec,
};

/* detach-interface DOMAIN TYPE [--mac MAC] */

static const struct cmd_opt detach_iface_opts[] = {
	OPT_DOMAIN,
	{ "type", CMD_OPT_ARG, CMD_OPT_REQ, "network interface type" },
	{ "mac", CMD_OPT_STRING, 0, "MAC address" },
	OPT_AFFECT,
	{ NULL }
};

static enum cmd_retval
cmd_detach_interface_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct vr_buf b = { 0 };
	enum cmd_retval rv;

	vr_buf_puts(&b, "<interface");
	xml_attr(&b, "type", cmd_get(args, "type"));
	vr_buf_puts(&b, ">");
	if (cmd_get(args, "mac") != NULL) {
		vr_buf_puts(&b, "<mac");
		xml_attr(&b, "address", cmd_get(args, "mac"));
		vr_buf_puts(&b, "/>");
	}
	vr_buf_puts(&b, "</interface>");
	rv = device_call(ctx, args, RPC_PROC_DOM_DETACH_DEVICE,
	    vr_buf_str(&b), "Interface detached successfully");
	vr_buf_free(&b);
	return rv;
}

const struct cmd_entry cmd_detach_interface_entry = {
	.name = "detach-interface", .summary = "detach network interface",
	.desc = "Detach the interface of TYPE with MAC address --mac; "
	    "without --mac, the domain must have a single interface of that "
	    "type. A running guest must release it (ACPI hotplug) within 10 "
	    "seconds.",
	.opts = detach_iface_opts, .excl = affect_excl, .flags = CMD_RW,
	.group = CMD_GROUP_DOMAIN, .exec = cmd_detach_interface_exec,
};

/* change-media DOMAIN PATH [SOURCE] --eject|--insert|--update */

static const struct cmd_opt change_media_opts[] = {
	OPT_DOMAIN,
	{ "path", CMD_OPT_ARG, CMD_OPT_REQ, "fully-qualified path or target "
	  "of disk device" },
	{ "source", CMD_OPT_ARG, 0, "source of the media" },
	{ "eject", CMD_OPT_BOOL, 0, "eject the media" },
	{ "insert", CMD_OPT_BOOL, 0, "insert the media" },
	{ "update", CMD_OPT_BOOL, 0, "update the media" },
	{ "force", CMD_OPT_BOOL, 0, "force media changing" },
	OPT_AFFECT,
	{ NULL }
};

static const char *const change_media_excl[][2] = {
	{ "current", "live" },
	{ "current", "config" },
	{ "current", "persistent" },
	{ "eject", "insert" },
	{ "eject", "update" },
	{ "insert", "update" },
	{ NULL, NULL }
};

static enum cmd_retval
cmd_change_media_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *source = cmd_get(args, "source");
	struct json_object *o;
	const char *msg;

	if (cmd_has(args, "eject")) {
		if (source != NULL) {
			vr_error(VR_ERR_INVALID_ARG, "--eject takes no "
			    "source");
			return CMD_ERR;
		}
		msg = "Successfully ejected media.";
	} else if (cmd_has(args, "insert")) {
		if (source == NULL) {
			vr_error(VR_ERR_INVALID_ARG, "--insert needs a "
			    "source");
			return CMD_ERR;
		}
		msg = "Successfully inserted media.";
	} else if (cmd_has(args, "update")) {
		msg = source != NULL ? "Successfully updated media." :
		    "Successfully ejected media.";
	} else {
		vr_error(VR_ERR_INVALID_ARG, "no disk action specified: "
		    "--eject, --insert or --update");
		return CMD_ERR;
	}
	o = device_args(args);
	rpc_set_string(o, "target", cmd_get(args, "path"));
	if (source != NULL)
		rpc_set_string(o, "source", source);
	rpc_set_bool(o, "force", cmd_has(args, "force"));
	return cmd_done(ctx, cmd_call(ctx, RPC_PROC_DOM_CHANGE_MEDIA, o),
	    "%s", msg);
}

const struct cmd_entry cmd_change_media_entry = {
	.name = "change-media", .summary = "change media of CD or floppy "
	    "drive",
	.desc = "Eject, insert or replace the medium of the cdrom PATH (its "
	    "target, such as hdc, or its current source). --insert and "
	    "--update both put SOURCE in, replacing any medium; --update "
	    "without SOURCE ejects. --force opens a tray the guest locked.",
	.opts = change_media_opts, .excl = change_media_excl, .flags = CMD_RW,
	.group = CMD_GROUP_DOMAIN, .exec = cmd_change_media_exec,
};
