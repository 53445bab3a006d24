/* vireod.conf: "key = value" lines, see vireod.conf(5). */
#ifndef VD_CONF_H
#define VD_CONF_H

#include <stdbool.h>
#include <sys/types.h>

struct vd_conf {
	int		 log_level;		/* log_level */
	bool		 log_syslog;		/* log_output = "syslog" */
	unsigned int	 max_clients;
	unsigned int	 max_requests;		/* per client, in flight */
	unsigned int	 max_workers;
	unsigned int	 client_idle_timeout;	/* seconds; 0: never */
	unsigned int	 frame_timeout_ms;	/* to finish a started frame */
	unsigned int	 job_wait_timeout_ms;
	char		*qemu_binary;
	char		*user;			/* QEMU runs as this user */
	char		*group;			/* ... and group */
	char		*dnsmasq_user;		/* networks' dnsmasq */
	char		*unix_sock_group;	/* NULL: the daemon's group */
	mode_t		 unix_sock_rw_perms;
	mode_t		 unix_sock_ro_perms;
	/* Paths; NULL: the default (or the one under --root). */
	char		*state_dir;		/* definitions, images */
	char		*run_dir;		/* status, monitors, pidfile */
	char		*log_dir;		/* per-domain logs */
	char		*unix_sock_dir;		/* NULL: run_dir */
};

void	 vd_conf_defaults(struct vd_conf *);
/* Parse path into conf; errors name the line. */
int	 vd_conf_load(struct vd_conf *, const char *path);
void	 vd_conf_clear(struct vd_conf *);

#endif
