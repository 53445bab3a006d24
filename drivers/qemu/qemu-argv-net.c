/*
 * Interfaces on the QEMU command line: a -netdev (user, or a tap the
 * driver opened) and its NIC -device. Part of qemu-argv.c's build
 * (qemu-argv-priv.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "err.h"
#include "qemu-argv.h"
#include "qemu-argv-priv.h"
#include "xmalloc.h"

/* interfaces */

static const char *
net_model_device(enum dom_net_model m)
{
	switch (m) {
	case DOM_NET_MODEL_DEFAULT:
	case DOM_NET_MODEL_VIRTIO:
	case DOM_NET_MODEL_LAST:
		return "virtio-net-pci";
	case DOM_NET_MODEL_E1000:
		return "e1000";
	case DOM_NET_MODEL_E1000E:
		return "e1000e";
	case DOM_NET_MODEL_RTL8139:
		return "rtl8139";
	}
	return "virtio-net-pci";
}

/*
 * The -netdev and -device of interface n, ids hostnetID and netID. fd:
 * the tap's fd (a number on the command line, a name given with getfd at
 * hotplug); NULL for types that need none.
 */
int
net_props(struct qb *qb, const struct dom_net *n, unsigned int id,
    const char *fd, struct json_object **netdev, struct json_object **dev)
{
	struct json_object *o;
	char buf[64], what[64];

	*netdev = *dev = NULL;
	switch (n->type) {
	case DOM_NET_USER:
		break;
	case DOM_NET_NETWORK:
	case DOM_NET_BRIDGE:
	case DOM_NET_ETHERNET:
		if (fd == NULL) {
			vr_error(VR_ERR_UNSUPPORTED, "interface type '%s' "
			    "needs a tap that only a started domain gets",
			    dom_net_type_to_string(n->type));
			return -1;
		}
		break;
	case DOM_NET_LAST:
		vr_error(VR_ERR_INTERNAL, "bad interface type");
		return -1;
	}
	o = json_object_new_object();
	json_object_object_add(o, "driver",
	    json_object_new_string(net_model_device(n->model)));
	snprintf(what, sizeof what, "interface 'net%u'", id);
	if (pci_addr_props(qb, o, &n->addr, -1, what) < 0) {
		json_object_put(o);
		return -1;
	}
	snprintf(buf, sizeof buf, "hostnet%u", id);
	json_object_object_add(o, "netdev", json_object_new_string(buf));
	snprintf(buf, sizeof buf, "net%u", id);
	json_object_object_add(o, "id", json_object_new_string(buf));
	dom_mac_format(n->mac, buf);
	json_object_object_add(o, "mac", json_object_new_string(buf));
	if (n->boot_order != 0)
		json_object_object_add(o, "bootindex",
		    json_object_new_int64(n->boot_order));
	*dev = o;

	o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string(
	    n->type == DOM_NET_USER ? "user" : "tap"));
	if (n->type != DOM_NET_USER)
		json_object_object_add(o, "fd", json_object_new_string(fd));
	snprintf(buf, sizeof buf, "hostnet%u", id);
	json_object_object_add(o, "id", json_object_new_string(buf));
	*netdev = o;
	return 0;
}

int
build_net(struct qb *qb, size_t i)
{
	const struct qemu_argv_ctx *ctx = qb->ctx;
	const struct dom_net *n = &qb->def->nets[i];
	struct qb_capture *cap = qb->capture;
	struct json_object *netdev, *dev;
	char fd[16];
	bool has_fd;

	has_fd = ctx->net_fds != NULL && i < ctx->nnet_fds &&
	    ctx->net_fds[i] >= 0;
	if (has_fd)
		snprintf(fd, sizeof fd, "%d", ctx->net_fds[i]);
	else if (ctx->check) {		/* any number: never run */
		snprintf(fd, sizeof fd, "-1");
		has_fd = true;
	}
	if (cap != NULL && cap->net == n) {
		if (net_props(qb, n, cap->net_id, cap->net_fd, &netdev,
		    &dev) < 0)
			return -1;
		cap->out->backend = json_object_get(netdev);
		cap->out->device = json_object_get(dev);
		snprintf(cap->out->id, sizeof cap->out->id, "net%u",
		    cap->net_id);
	} else if (net_props(qb, n, (unsigned int)i, has_fd ? fd : NULL,
	    &netdev, &dev) < 0)
		return -1;
	qb_add_props(qb, "-netdev", netdev);
	qb_add_props(qb, "-device", dev);
	return 0;
}
