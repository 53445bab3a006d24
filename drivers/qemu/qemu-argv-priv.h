/*
 * Inside the command-line builder: the state of one build (struct qb) and
 * the helpers its parts share. qemu-argv.c has the machine, PCI addresses
 * and the other devices, qemu-argv-disk.c the disks, qemu-argv-net.c the
 * interfaces. Not for the rest of the driver (qemu-argv.h is).
 */
#ifndef VR_QEMU_ARGV_PRIV_H
#define VR_QEMU_ARGV_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "dom-def.h"
#include "qemu-argv.h"

struct json_object;

#define PCI_NBUS	256
#define PCI_NSLOT	32
#define MAX_CTRL_INDEX	32	/* bitmasks of implicit controllers */

/* Where a disk sits, and the alias naming its device and block nodes. */
struct disk_place {
	char		 alias[40];	/* virtio-disk0, sata0-0-1... */
	unsigned int	 ctrl, bus, target, unit;
};

/*
 * Hotplug: a whole build that keeps the objects of one device (a disk or
 * an interface, with the ids and tap fd name given here).
 */
struct qb_capture {
	const struct dom_disk		*disk;
	const struct dom_net		*net;
	unsigned int			 net_id;
	const char			*net_fd;
	struct qemu_dev_args		*out;
};

struct qb {
	const struct dom_def		*def;
	const struct qemu_argv_ctx	*ctx;
	struct qb_capture		*capture;	/* NULL: none */
	char				**v;
	size_t				 n, cap;
	bool				 q35;
	bool				 dev_boot;	/* <boot order=> */
	struct disk_place		*places;	/* one per disk */
	uint8_t				 pci[PCI_NBUS][PCI_NSLOT]; /* fns */
	unsigned int			 first_slot;
	int				 video_slot;	/* -1: none reserved */
	/* controllers added because a device needs one */
	uint32_t			 need_sata, need_scsi;
	bool				 need_vserial, need_usb;
	uint8_t				 vserial_used[32]; /* ports, bitmap */
};

/* argv helpers (qemu-argv.c) */
void	 qb_add(struct qb *, const char *);
void	 qb_addf(struct qb *, const char *opt, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Adds opt and the buffer's contents, and empties the buffer. */
void	 qb_add_buf(struct qb *, const char *opt, struct vr_buf *);
/* Appends s with commas doubled, as QEMU's option parser wants. */
void	 buf_esc(struct vr_buf *, const char *s);
/*
 * Device and backend properties are built as JSON objects, the first
 * member naming the type ("driver", "type"): the command line renders
 * them "TYPE,key=value,..." (qb_add_props: booleans on/off, commas
 * doubled), hotplug sends the same objects to QMP.
 */
/* Adds opt and o rendered; o is put. */
void	 qb_add_props(struct qb *, const char *opt, struct json_object *o);
/* Adds o as JSON text (-blockdev); o is put. */
void	 qb_add_json(struct qb *, struct json_object *o);
/* Appends ",key=value" for each member of o, in order. */
void	 props_append(struct vr_buf *, struct json_object *o);
/* Compact JSON text of o, which is put. Caller frees. */
char	*json_take_string(struct json_object *o);
const char *machine_name(const struct qb *);
const struct dom_controller *ctrl_find(const struct dom_def *,
	    enum dom_controller_type, unsigned int index);

/* PCI addresses (qemu-argv.c) */
/* Marks an explicit PCI address used; checks the bus exists. */
int	 pci_reserve(struct qb *, const struct dom_addr *, const char *what);
/*
 * Adds "bus" and "addr" (and "multifunction") to o: the explicit address,
 * else slot on bus 0, else (slot < 0) the next free slot on bus 0.
 */
int	 pci_addr_props(struct qb *, struct json_object *o,
	    const struct dom_addr *, int slot, const char *what);
/* The same, appended as ",bus=...,addr=..." */
int	 pci_addr(struct qb *, struct vr_buf *, const struct dom_addr *,
	    int slot, const char *what);
/* Devices that do not sit on PCI must not carry a PCI address. */
int	 no_pci_addr(const struct dom_addr *, const char *what);

/* qemu-argv-disk.c */
/* Places every disk (qb->places), reserving their PCI addresses. */
int	 disks_place(struct qb *);
int	 build_disks(struct qb *);
int	 disk_blockdev_props(const struct dom_disk *, const char *alias,
	    struct json_object **storage, struct json_object **format);
struct json_object *disk_device_props(struct qb *, const struct dom_disk *,
	    const struct disk_place *);

/* qemu-argv-net.c */
int	 build_net(struct qb *, size_t i);
int	 net_props(struct qb *, const struct dom_net *, unsigned int id,
	    const char *fd, struct json_object **netdev,
	    struct json_object **dev);

#endif
