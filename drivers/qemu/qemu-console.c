/*
 * Consoles: the ptys QEMU makes for <serial type='pty'> and <console
 * type='pty'>. Once QEMU is up, query-chardev says which /dev/pts/N each
 * one got; the path goes into the live definition (<source path='...'/>,
 * as libvirt shows it, and the status file keeps it across a daemon
 * restart). open_console opens it for the daemon's console stream.
 *
 * Aliases are qemu-argv.c's: the Nth <serial> is serialN (its chardev
 * charserialN), the Nth <console> consoleN. A console of target type
 * 'serial' is the first serial port itself, so it opens that pty and is
 * reported (and held) as serial0.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <json-c/json.h>

#include "err.h"
#include "log.h"
#include "qemu-domain.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("qemu.console");

/* The alias of def->chrs[i], as qemu-argv.c names the device. */
static void
chr_alias(const struct dom_def *def, size_t i, char *buf, size_t len)
{
	size_t k, n = 0;

	for (k = 0; k < i; k++)
		if (def->chrs[k].kind == def->chrs[i].kind)
			n++;
	snprintf(buf, len, "%s%zu", dom_chr_kind_to_string(def->chrs[i].kind),
	    n);
}

/* The device that really carries chrs[i]: a serial console's serial. */
static size_t
chr_device(const struct dom_def *def, size_t i)
{
	size_t k;

	if (def->chrs[i].kind != DOM_CHR_KIND_CONSOLE ||
	    def->chrs[i].target_type != DOM_CHR_TARGET_SERIAL)
		return i;
	for (k = 0; k < def->nchrs; k++)
		if (def->chrs[k].kind == DOM_CHR_KIND_SERIAL)
			return k;
	return i;
}

/* The pty path of chardev label in a query-chardev answer, or NULL. */
static const char *
chardev_pty(struct json_object *list, const char *label)
{
	struct json_object *e, *v;
	const char *f;
	size_t i, n;

	if (!json_object_is_type(list, json_type_array))
		return NULL;
	n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(list, i);
		if (!json_object_object_get_ex(e, "label", &v) ||
		    strcmp(json_object_get_string(v), label) != 0 ||
		    !json_object_object_get_ex(e, "filename", &v))
			continue;
		f = json_object_get_string(v);
		return strncmp(f, "pty:", 4) == 0 ? f + 4 : NULL;
	}
	return NULL;
}

int
qemu_console_record(struct qemu_dom *d)
{
	struct json_object *r = NULL;
	struct dom_chr *c;
	char alias[64], label[80];
	const char *pty;
	size_t i;

	pthread_mutex_lock(&d->lock);
	for (i = 0; d->live != NULL && i < d->live->nchrs; i++)
		if (d->live->chrs[i].type == DOM_CHR_PTY)
			break;
	if (d->live == NULL || i == d->live->nchrs) {
		pthread_mutex_unlock(&d->lock);
		return 0;
	}
	pthread_mutex_unlock(&d->lock);
	if (qemu_process_qmp(d, "query-chardev", NULL, &r) < 0)
		return -1;
	pthread_mutex_lock(&d->lock);
	for (i = 0; d->live != NULL && i < d->live->nchrs; i++) {
		c = &d->live->chrs[i];
		if (c->type != DOM_CHR_PTY)
			continue;
		chr_alias(d->live, chr_device(d->live, i), alias, sizeof alias);
		snprintf(label, sizeof label, "char%s", alias);
		if ((pty = chardev_pty(r, label)) == NULL)
			continue;
		free(c->path);
		c->path = xstrdup(pty);
		log_debug("domain '%s': %s is %s", d->name, alias, pty);
	}
	pthread_mutex_unlock(&d->lock);
	json_object_put(r);
	return 0;
}

/* A path QEMU's pty could have: /dev/pts/N only. */
static bool
pty_path_ok(const char *path)
{
	const char *p = path + strlen("/dev/pts/");

	if (strncmp(path, "/dev/pts/", strlen("/dev/pts/")) != 0 || *p == '\0')
		return false;
	for (; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/*
 * Locked, domain running: the pty path (caller frees; NULL if QEMU's was
 * not recorded) of devname, and the alias of its device. -1 with an error.
 */
static int
console_find_locked(struct qemu_dom *d, const char *devname, char **path,
    char *alias, size_t aliaslen)
{
	const struct dom_def *def = d->live;
	const struct dom_chr *c;
	size_t i, found = def->nchrs, k;
	char a[64];

	for (i = 0; i < def->nchrs && found == def->nchrs; i++) {
		chr_alias(def, i, a, sizeof a);
		if (devname != NULL ? strcmp(a, devname) == 0 :
		    def->chrs[i].kind == DOM_CHR_KIND_CONSOLE)
			found = i;
	}
	/* No <console>: the first serial, as virsh does. */
	for (i = 0; devname == NULL && found == def->nchrs &&
	    i < def->nchrs; i++)
		if (def->chrs[i].kind == DOM_CHR_KIND_SERIAL)
			found = i;
	if (found == def->nchrs) {
		if (devname != NULL)
			vr_error(VR_ERR_INVALID_ARG, "domain '%s' has no "
			    "character device '%s'", d->name, devname);
		else
			vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' has "
			    "no console", d->name);
		return -1;
	}
	k = chr_device(def, found);
	c = &def->chrs[k];
	chr_alias(def, k, alias, aliaslen);
	if (c->type != DOM_CHR_PTY) {
		vr_error(VR_ERR_OPERATION_INVALID, "the console '%s' of "
		    "domain '%s' is of type '%s': only a 'pty' can be "
		    "connected to", alias, d->name,
		    dom_chr_type_to_string(c->type));
		return -1;
	}
	*path = xstrdup_null(c->path);
	return 0;
}

static int
console_open_pty(const char *path, const char *alias, const char *dom)
{
	struct termios t;
	int fd;

	if (!pty_path_ok(path)) {
		vr_error(VR_ERR_INTERNAL, "the console '%s' of domain '%s' has "
		    "an unexpected path '%s'", alias, dom, path);
		return -1;
	}
	if ((fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK |
	    O_CLOEXEC)) < 0) {
		vr_error_system(errno, "cannot open the console '%s' of "
		    "domain '%s' (%s)", alias, dom, path);
		return -1;
	}
	/* QEMU made it raw; make sure no echo or line editing happens. */
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		(void)tcsetattr(fd, TCSANOW, &t);
	}
	return fd;
}

int
qemu_dom_open_console(const char *key, const char *devname, int *fd,
    char *name, size_t namelen, char *alias, size_t aliaslen)
{
	VR_AUTOFREE char *path = NULL;
	struct qemu_dom *d;
	int rc = -1, pass;

	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	snprintf(name, namelen, "%s", d->name);
	/* A domain adopted without recorded ptys: ask QEMU, once. */
	for (pass = 0; pass < 2 && path == NULL; pass++) {
		if (pass == 1 && qemu_console_record(d) < 0)
			goto out;
		pthread_mutex_lock(&d->lock);
		if (d->live == NULL || d->pid == 0 || d->mon == NULL) {
			pthread_mutex_unlock(&d->lock);
			vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' is not "
			    "running", d->name);
			goto out;
		}
		rc = console_find_locked(d, devname, &path, alias, aliaslen);
		pthread_mutex_unlock(&d->lock);
		if (rc < 0)
			goto out;
	}
	rc = -1;
	if (path == NULL) {
		vr_error(VR_ERR_QEMU, "QEMU did not say which pty the console "
		    "'%s' of domain '%s' has", alias, d->name);
		goto out;
	}
	if ((*fd = console_open_pty(path, alias, d->name)) >= 0) {
		rc = 0;
		log_info("domain '%s': console %s (%s) opened", d->name,
		    alias, path);
	}
out:
	qemu_dom_unref(d);
	return rc;
}
