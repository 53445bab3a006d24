/*
 * Inside device hotplug: what qemu-hotplug.c (attach, detach) shares
 * with qemu-hotplug-update.c (cdrom media, interface link state). Not
 * for the rest of the driver (qemu-domain.h is).
 */
#ifndef VR_QEMU_HOTPLUG_PRIV_H
#define VR_QEMU_HOTPLUG_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "dom-def.h"

struct json_object;
struct qemu_dom;

enum hp_kind {
	HP_DISK,
	HP_NET,
};

/* A device named in a request: what detach matches on. */
struct hp_match {
	enum hp_kind		 kind;
	char			*target;	/* disk <target dev=> */
	bool			 has_mac;
	unsigned char		 mac[6];
	int			 net_type;	/* enum dom_net_type; -1: any */
};

/* Errors survive the undo steps that follow them. */
struct hp_err {
	int		 code;
	char		 msg[1024];
};

void	 hp_err_save(struct hp_err *);
void	 hp_err_restore(const struct hp_err *);

/* Device XML: one <disk> or <interface> in a definition of its own. */
struct dom_def *hp_parse_device(const char *xml, enum hp_kind *);
/* What a detach or update names (hp_match_clear afterwards). */
int	 hp_parse_match(const char *xml, struct hp_match *);
void	 hp_match_clear(struct hp_match *);
/* Index of the device m names in def; -1 with an error naming it. */
int	 hp_find(const struct qemu_dom *, const struct dom_def *,
	    const struct hp_match *);

/*
 * Requests: look up, take the job, resolve VR_DOM_AFFECT_* into *flags
 * and check the domain can take them; hp_end() drops job and reference.
 */
struct qemu_dom *hp_begin(const char *key, const char *job,
	    unsigned int *flags);
void	 hp_end(struct qemu_dom *);
/* A new persistent definition must still start (taps, volumes aside). */
int	 hp_config_check(const struct dom_def *);
/* Job held: save and install a new persistent definition (taken). */
int	 hp_config_commit(struct qemu_dom *, struct dom_def **);
/* Job held: install a new live definition (taken), rewrite the status. */
void	 hp_live_commit(struct qemu_dom *, struct dom_def **);

/* QMP */
struct json_object *hp_args1(const char *key, const char *val);
/* blockdev-del of node ID-NODE; errors logged, vr_error kept. */
void	 hp_blockdev_del(struct qemu_dom *, const char *id, const char *node);
/* The QEMU id (netN) and netdev of the NIC with this MAC. */
int	 hp_net_find_id(struct qemu_dom *, const unsigned char mac[6],
	    char **id, char **netdev);
/* set_link (qemu-hotplug-update.c) */
int	 hp_set_link(struct qemu_dom *, const char *id, bool up);

/* Volumes resolved: *use is *resolved, or def when it has none. */
int	 hp_resolve(const struct dom_def *def, struct dom_def **resolved,
	    const struct dom_def **use);
/* Give back the files of disk i of def that no other disk uses. */
void	 hp_release_disk(struct qemu_dom *, const struct dom_def *, size_t i);

#endif
