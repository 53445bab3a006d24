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

int
build_net(struct qb *qb, size_t i)
{
	const struct dom_net *n = &qb->def->nets[i];
	const struct qemu_argv_ctx *ctx = qb->ctx;
	struct vr_buf b = { 0 };
	char mac[18], what[64];
	int fd = -1;

	switch (n->type) {
	case DOM_NET_USER:
		qb_addf(qb, "-netdev", "user,id=hostnet%zu", i);
		break;
	case DOM_NET_NETWORK:
	case DOM_NET_BRIDGE:
	case DOM_NET_ETHERNET:
		if (ctx->net_fds != NULL && i < ctx->nnet_fds)
			fd = ctx->net_fds[i];
		if (fd < 0) {
			vr_error(VR_ERR_UNSUPPORTED, "interface type '%s' "
			    "needs a tap that only a started domain gets",
			    dom_net_type_to_string(n->type));
			return -1;
		}
		qb_addf(qb, "-netdev", "tap,fd=%d,id=hostnet%zu", fd, i);
		break;
	case DOM_NET_LAST:
		vr_error(VR_ERR_INTERNAL, "bad interface type");
		return -1;
	}
	dom_mac_format(n->mac, mac);
	snprintf(what, sizeof what, "interface 'net%zu'", i);
	vr_buf_puts(&b, net_model_device(n->model));
	if (pci_addr(qb, &b, &n->addr, -1, what) < 0) {
		vr_buf_free(&b);
		return -1;
	}
	vr_buf_printf(&b, ",netdev=hostnet%zu,id=net%zu,mac=%s", i, i, mac);
	if (n->boot_order != 0)
		vr_buf_printf(&b, ",bootindex=%u", n->boot_order);
	qb_add_buf(qb, "-device", &b);
	return 0;
}
