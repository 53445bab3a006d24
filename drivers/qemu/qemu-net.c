/*
 * Guest interfaces on host networks: a tap per interface of type network,
 * bridge or ethernet, asked of the network driver through
 * vr_driver_env.net_port_open (never its internals), handed to QEMU as an
 * fd ("-netdev tap,fd=N"). The tap's name goes into the live definition's
 * <target dev=...>, hence into the status file, so that the tap is
 * released when the domain stops, after a daemon restart too.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "qemu-domain.h"
#include "xmalloc.h"

VR_LOG_MODULE("qemu.net");

static bool
net_has_port(const struct dom_net *n)
{
	return n->type == DOM_NET_NETWORK || n->type == DOM_NET_BRIDGE ||
	    n->type == DOM_NET_ETHERNET;
}

void
qemu_net_close_fds(int *fds, size_t n)
{
	size_t i;

	for (i = 0; fds != NULL && i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
}

int
qemu_net_open(struct qemu_dom *d, int **fdsp, size_t *nfds)
{
	struct dom_def *live = d->live;	/* stable: we hold the job */
	int *fds;
	size_t i;
	char *tap;

	*fdsp = NULL;
	*nfds = 0;
	if (live->nnets == 0 || qemu_drv.env.net_port_open == NULL)
		return 0;
	fds = xcalloc(live->nnets, sizeof *fds);
	for (i = 0; i < live->nnets; i++)
		fds[i] = -1;
	for (i = 0; i < live->nnets; i++) {
		if (!net_has_port(&live->nets[i]))
			continue;
		if (qemu_drv.env.net_port_open(&live->nets[i], d->name,
		    &fds[i], &tap) < 0) {
			vr_error_prefix("cannot start domain '%s'", d->name);
			qemu_net_close_fds(fds, live->nnets);
			qemu_net_release(d->name, live);
			return -1;
		}
		pthread_mutex_lock(&d->lock);
		free(live->nets[i].target_dev);
		live->nets[i].target_dev = tap;
		pthread_mutex_unlock(&d->lock);
	}
	*fdsp = fds;
	*nfds = live->nnets;
	return 0;
}

#define VHOST_NET	"/dev/vhost-net"

int
qemu_net_open_vhost(const struct dom_def *live, const int *tapfds,
    size_t ntaps, int **vfdsp)
{
	const char *path = VHOST_NET;
	int *vfds;
	size_t i;

	*vfdsp = NULL;
	if (ntaps == 0)
		return 0;
	vfds = xcalloc(ntaps, sizeof *vfds);
	for (i = 0; i < ntaps; i++) {
		const struct dom_net *n = &live->nets[i];

		vfds[i] = -1;
		if (tapfds[i] < 0 || n->driver == DOM_NET_DRIVER_QEMU ||
		    (n->model != DOM_NET_MODEL_VIRTIO &&
		    n->model != DOM_NET_MODEL_DEFAULT))
			continue;
		if ((vfds[i] = open(path, O_RDWR | O_CLOEXEC)) >= 0)
			continue;
		if (n->driver == DOM_NET_DRIVER_VHOST) {
			vr_error_system(errno, "interface %zu has <driver "
			    "name='vhost'/> but '%s' cannot be opened", i,
			    path);
			qemu_net_close_fds(vfds, ntaps);
			return -1;
		}
		log_debug("interface %zu: no vhost-net (%s: %s), QEMU moves "
		    "its packets", i, path, strerror(errno));
	}
	*vfdsp = vfds;
	return 0;
}

void
qemu_net_release(const char *dom_name, const struct dom_def *live)
{
	size_t i;

	if (live == NULL || qemu_drv.env.net_port_close == NULL)
		return;
	for (i = 0; i < live->nnets; i++) {
		if (!net_has_port(&live->nets[i]) ||
		    live->nets[i].target_dev == NULL)
			continue;
		log_debug("domain '%s': releasing tap %s", dom_name,
		    live->nets[i].target_dev);
		qemu_drv.env.net_port_close(&live->nets[i], dom_name,
		    live->nets[i].target_dev);
	}
}
