/*
 * Network driver internals: network objects and the host side of an
 * active network (bridge, nftables table, IPv4 forwarding, dnsmasq).
 *
 * Locking: one driver mutex (nw_lock) guards the table and every
 * network's fields; entry points hold it for their whole duration, which
 * serialises network changes (they take milliseconds). Guest ports take it
 * only to look a network up.
 */
#ifndef VR_NW_NETWORK_H
#define VR_NW_NETWORK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "driver.h"
#include "net-def.h"

#define NW_DNSMASQ	"/usr/sbin/dnsmasq"
#define NW_NFT		"/usr/sbin/nft"

struct nw_net {
	char		*name;
	unsigned char	 uuid[16];
	struct net_def	*def;		/* persistent config; NULL: transient */
	struct net_def	*live;		/* running definition; NULL: inactive */
	bool		 autostart;

	/* dnsmasq, while active */
	pid_t		 dns_pid;	/* 0: none */
	unsigned long long dns_ticks;	/* its start time (/proc stat) */
	int		 dns_pidfd;
	unsigned int	 dns_restarts;	/* within the current minute */
	uint64_t	 dns_restart_ms;
};

extern pthread_mutex_t nw_lock;

extern struct nw_driver_state {
	struct vr_driver_env env;
	char		*conf_dir;	/* etc/network */
	char		*autostart_dir;	/* etc/network/autostart */
	char		*run_dir;	/* run/network */
	char		*lease_dir;	/* lib/network */
} nw_drv;

/* nw-driver.c: the table (nw_lock held) */
struct nw_net	*nw_net_find(const char *key);	/* NULL: no error set */
/* Every network, for iteration; the array is the caller's. */
struct nw_net	**nw_net_all(size_t *n);
/* The network of a status file becomes active with live (taken). */
struct nw_net	*nw_net_attach_live(struct net_def *live);
/* It is inactive again (and gone if transient). */
void		 nw_net_detach_live(struct nw_net *);

/* nw-run.c: the host side (nw_lock held) */
/* run/network/NAME.EXT; caller frees. */
char		*nw_run_path(const char *name, const char *ext);
/* Bring up n->live; on failure everything done is undone. */
int		 nw_run_start(struct nw_net *);
/* Tear down what n->live (or the status of a crash) left; idempotent. */
void		 nw_run_stop(struct nw_net *);
/* Rewrite the hosts files and have dnsmasq reread them. */
int		 nw_run_reload_hosts(struct nw_net *);
/* Take back an active network from its status file (daemon start). */
void		 nw_run_load_status(void);
/* Restart dead dnsmasqs (called every second from the loop). */
void		 nw_run_check_dnsmasq(void);
int		 nw_run_leases(struct nw_net *, const char *mac,
		    struct vr_net_lease **, size_t *n);

/* nw-port.c: guest interfaces */
int		 nw_port_open(const struct dom_net *, const char *dom_name,
		    int *tapfd, char **tapname);
void		 nw_port_close(const struct dom_net *, const char *dom_name,
		    const char *tapname);
/* Domains with a tap on n's bridge ("" if none), comma separated. */
char		*nw_port_users(const struct nw_net *);

#endif
