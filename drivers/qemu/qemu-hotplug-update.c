/*
 * Device updates: the medium of a cdrom (change-media, update-device
 * with a <disk device='cdrom'>) through blockdev-open-tray,
 * blockdev-remove-medium, blockdev-insert-medium and blockdev-close-tray,
 * the new medium's nodes made as at start; and the link state of an
 * interface (set_link), at start too. Live and/or persistent, like the
 * rest of hotplug (qemu-hotplug.c).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "err.h"
#include "log.h"
#include "qemu-argv.h"
#include "qemu-domain.h"
#include "qemu-hotplug-priv.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("qemu.hotplug");

/* Media (cdrom) */

static int
hp_find_cdrom(const struct qemu_dom *d, const struct dom_def *def,
    const char *target)
{
	size_t i;

	for (i = 0; i < def->ndisks; i++) {
		const struct dom_disk *disk = &def->disks[i];

		if (strcmp(disk->target_dev, target) != 0 &&
		    (disk->src_path == NULL ||
		    strcmp(disk->src_path, target) != 0))
			continue;
		if (disk->device != DOM_DISK_DEVICE_CDROM) {
			vr_error(VR_ERR_INVALID_ARG, "disk '%s' of domain "
			    "'%s' is not a cdrom", disk->target_dev, d->name);
			return -1;
		}
		return (int)i;
	}
	vr_error(VR_ERR_INVALID_ARG, "domain '%s' has no disk '%s'", d->name,
	    target);
	return -1;
}

static bool
hp_has_medium(const struct dom_disk *disk)
{
	return disk->src_path != NULL || disk->src_volume != NULL;
}

/* The medium of m (NULL: none) into disk. */
static void
hp_set_medium(struct dom_disk *disk, const struct dom_disk *m)
{
	free(disk->src_path);
	free(disk->src_pool);
	free(disk->src_volume);
	disk->src_path = m != NULL ? xstrdup_null(m->src_path) : NULL;
	disk->src_pool = m != NULL ? xstrdup_null(m->src_pool) : NULL;
	disk->src_volume = m != NULL ? xstrdup_null(m->src_volume) : NULL;
	if (m == NULL) {
		if (disk->type == DOM_DISK_TYPE_VOLUME)
			disk->type = DOM_DISK_TYPE_FILE;
		return;
	}
	disk->type = m->type;
	if (m->has_driver)
		disk->format = m->format;
}

static int
hp_media_insert(struct qemu_dom *d, const struct dom_def *newlive, size_t i,
    const char *id, bool tray_open)
{
	VR_AUTO(dom_def) resolved = NULL;
	const struct dom_def *use;
	struct qemu_dev_args a;
	struct json_object *o;
	bool storage = false, format = false;
	char node[64];
	struct hp_err e;

	if (hp_resolve(newlive, &resolved, &use) < 0 ||
	    qemu_argv_disk_args(use, i, &a) < 0)
		return -1;
	if (qemu_security_grant_disk(d, &use->disks[i]) < 0) {
		qemu_dev_args_clear(&a);
		return -1;
	}
	o = vr_steal(&a.backend);
	if (qemu_process_qmp(d, "blockdev-add", o, NULL) < 0)
		goto fail;
	storage = true;
	o = vr_steal(&a.format);
	if (qemu_process_qmp(d, "blockdev-add", o, NULL) < 0)
		goto fail;
	format = true;
	if (!tray_open && qemu_process_qmp(d, "blockdev-open-tray",
	    hp_args1("id", id), NULL) < 0)
		goto fail;
	o = hp_args1("id", id);
	snprintf(node, sizeof node, "%s-format", id);
	json_object_object_add(o, "node-name", json_object_new_string(node));
	if (qemu_process_qmp(d, "blockdev-insert-medium", o, NULL) < 0 ||
	    qemu_process_qmp(d, "blockdev-close-tray", hp_args1("id", id),
	    NULL) < 0)
		goto fail;
	qemu_dev_args_clear(&a);
	return 0;
fail:
	hp_err_save(&e);
	if (format)
		hp_blockdev_del(d, id, "format");
	if (storage)
		hp_blockdev_del(d, id, "storage");
	qemu_security_release_disk(d, use, i);
	qemu_dev_args_clear(&a);
	hp_err_restore(&e);
	return -1;
}

static int
hp_media_live(struct qemu_dom *d, const char *target,
    const struct dom_disk *medium, bool force)
{
	VR_AUTO(dom_def) oldlive = NULL;
	VR_AUTO(dom_def) newlive = NULL;
	struct json_object *o;
	char id[64];
	int idx;
	bool had;

	pthread_mutex_lock(&d->lock);
	oldlive = dom_def_copy(d->live);
	pthread_mutex_unlock(&d->lock);
	if ((idx = hp_find_cdrom(d, oldlive, target)) < 0 ||
	    qemu_argv_disk_id(oldlive, (size_t)idx, id, sizeof id) < 0)
		return -1;
	had = hp_has_medium(&oldlive->disks[idx]);
	newlive = dom_def_copy(oldlive);
	hp_set_medium(&newlive->disks[idx], medium);
	if (had) {
		o = hp_args1("id", id);
		json_object_object_add(o, "force",
		    json_object_new_boolean(force));
		if (qemu_process_qmp(d, "blockdev-open-tray", o, NULL) < 0 ||
		    qemu_process_qmp(d, "blockdev-remove-medium",
		    hp_args1("id", id), NULL) < 0)
			return -1;
		hp_blockdev_del(d, id, "format");
		hp_blockdev_del(d, id, "storage");
		hp_release_disk(d, oldlive, (size_t)idx);
	}
	if (medium != NULL && hp_has_medium(medium) &&
	    hp_media_insert(d, newlive, (size_t)idx, id, had) < 0) {
		if (had) {
			/* the old medium is gone: say so */
			hp_set_medium(&newlive->disks[idx], NULL);
			hp_live_commit(d, &newlive);
		}
		return -1;
	}
	log_info("domain '%s': cdrom '%s' %s", d->name,
	    oldlive->disks[idx].target_dev, medium != NULL &&
	    hp_has_medium(medium) ? "medium changed" : "ejected");
	hp_live_commit(d, &newlive);
	return 0;
}

static int
hp_media(const char *key, const char *target, const struct dom_disk *medium,
    unsigned int flags, bool force)
{
	VR_AUTO(dom_def) newdef = NULL;
	struct qemu_dom *d;
	int idx, ret = -1;

	if ((d = hp_begin(key, "change-media", &flags)) == NULL)
		return -1;
	if (flags & VR_DOM_AFFECT_CONFIG) {
		pthread_mutex_lock(&d->lock);
		newdef = dom_def_copy(d->def);
		pthread_mutex_unlock(&d->lock);
		if ((idx = hp_find_cdrom(d, newdef, target)) < 0)
			goto end;
		hp_set_medium(&newdef->disks[idx], medium);
		if (hp_config_check(newdef) < 0)
			goto end;
	}
	if ((flags & VR_DOM_AFFECT_LIVE) &&
	    hp_media_live(d, target, medium, force) < 0)
		goto end;
	if (newdef != NULL && hp_config_commit(d, &newdef) < 0)
		goto end;
	ret = 0;
end:
	hp_end(d);
	return ret;
}

/* Interface link state */

int
hp_set_link(struct qemu_dom *d, const char *id, bool up)
{
	struct json_object *o = hp_args1("name", id);

	json_object_object_add(o, "up", json_object_new_boolean(up));
	return qemu_process_qmp(d, "set_link", o, NULL);
}

int
qemu_hotplug_setup_links(struct qemu_dom *d, const struct dom_def *def)
{
	char id[32];
	size_t i;

	/* at start, interface i is netI (qemu-argv-net.c) */
	for (i = 0; i < def->nnets; i++) {
		if (def->nets[i].link != DOM_NET_LINK_DOWN)
			continue;
		snprintf(id, sizeof id, "net%zu", i);
		if (hp_set_link(d, id, false) < 0)
			return -1;
	}
	return 0;
}

static enum dom_net_model
hp_model(enum dom_net_model m)
{
	return m == DOM_NET_MODEL_DEFAULT ? DOM_NET_MODEL_VIRTIO : m;
}

/* Index of the interface new updates in def; only its link may change. */
static int
hp_find_update(const struct qemu_dom *d, const struct dom_def *def,
    const struct hp_match *m, const struct dom_net *new)
{
	const struct dom_net *old;
	char mac[18];
	int idx;

	if ((idx = hp_find(d, def, m)) < 0)
		return -1;
	old = &def->nets[idx];
	if (old->type != new->type || hp_model(old->model) !=
	    hp_model(new->model) || (old->source == NULL) !=
	    (new->source == NULL) || (old->source != NULL &&
	    strcmp(old->source, new->source) != 0)) {
		dom_mac_format(old->mac, mac);
		vr_error(VR_ERR_UNSUPPORTED, "interface %s of domain '%s': "
		    "only <link state> can be updated (type, source and "
		    "model must stay)", mac, d->name);
		return -1;
	}
	return idx;
}

static int
hp_update_net(const char *key, const char *xml, const struct dom_net *new,
    unsigned int flags)
{
	VR_AUTO(dom_def) newdef = NULL;
	VR_AUTO(dom_def) newlive = NULL;
	VR_AUTOFREE char *id = NULL;
	VR_AUTOFREE char *netdev = NULL;
	struct hp_match m;
	struct qemu_dom *d;
	bool up = new->link != DOM_NET_LINK_DOWN;
	int idx, ret = -1;

	if (hp_parse_match(xml, &m) < 0)
		goto out;
	if (!m.has_mac) {
		vr_error(VR_ERR_XML, "<interface> needs <mac address=...> to "
		    "name the interface to update");
		goto out;
	}
	if ((d = hp_begin(key, "update-device", &flags)) == NULL)
		goto out;
	if (flags & VR_DOM_AFFECT_CONFIG) {
		pthread_mutex_lock(&d->lock);
		newdef = dom_def_copy(d->def);
		pthread_mutex_unlock(&d->lock);
		if ((idx = hp_find_update(d, newdef, &m, new)) < 0)
			goto end;
		newdef->nets[idx].link = new->link;
	}
	if (flags & VR_DOM_AFFECT_LIVE) {
		pthread_mutex_lock(&d->lock);
		newlive = dom_def_copy(d->live);
		pthread_mutex_unlock(&d->lock);
		if ((idx = hp_find_update(d, newlive, &m, new)) < 0 ||
		    hp_net_find_id(d, m.mac, &id, &netdev) < 0 ||
		    hp_set_link(d, id, up) < 0)
			goto end;
		newlive->nets[idx].link = new->link;
		log_info("domain '%s': link of %s %s", d->name, id,
		    up ? "up" : "down");
		hp_live_commit(d, &newlive);
	}
	if (newdef != NULL && hp_config_commit(d, &newdef) < 0)
		goto end;
	ret = 0;
end:
	hp_end(d);
out:
	hp_match_clear(&m);
	return ret;
}

int
qemu_update_device(const char *key, const char *xml, unsigned int flags)
{
	VR_AUTO(dom_def) dev = NULL;
	enum hp_kind kind;

	if ((dev = hp_parse_device(xml, &kind)) == NULL)
		return -1;
	if (kind == HP_NET)
		return hp_update_net(key, xml, &dev->nets[0], flags);
	if (dev->disks[0].device != DOM_DISK_DEVICE_CDROM) {
		vr_error(VR_ERR_UNSUPPORTED, "update-device changes the medium "
		    "of a cdrom or the link state of an interface, not disk "
		    "'%s'", dev->disks[0].target_dev);
		return -1;
	}
	return hp_media(key, dev->disks[0].target_dev, &dev->disks[0], flags,
	    true);
}

int
qemu_change_media(const char *key, const char *target, const char *source,
    unsigned int flags, bool force)
{
	struct dom_disk medium = { .type = DOM_DISK_TYPE_FILE };
	int ret;

	if (target == NULL || *target == '\0') {
		vr_error(VR_ERR_INVALID_ARG, "no cdrom named");
		return -1;
	}
	if (source != NULL && source[0] != '/') {
		vr_error(VR_ERR_INVALID_ARG, "medium '%s' must be an absolute "
		    "path", source);
		return -1;
	}
	if (source == NULL)
		return hp_media(key, target, NULL, flags, force);
	medium.src_path = xstrdup(source);
	ret = hp_media(key, target, &medium, flags, force);
	free(medium.src_path);
	return ret;
}
