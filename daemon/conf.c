#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "err.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

void
vd_conf_defaults(struct vd_conf *c)
{
	memset(c, 0, sizeof *c);
	c->log_level = VR_LOG_INFO;
	c->max_clients = 128;
	c->max_requests = 16;
	c->max_workers = 16;
	c->client_idle_timeout = 0;
	c->frame_timeout_ms = 30000;
	c->job_wait_timeout_ms = 30000;
	c->qemu_binary = xstrdup(VR_QEMU_BINARY);
	c->user = xstrdup("vireo-qemu");
	c->group = xstrdup("vireo-qemu");
	c->dnsmasq_user = xstrdup("vireo-dnsmasq");
	c->unix_sock_rw_perms = 0600;
	c->unix_sock_ro_perms = 0666;
}

void
vd_conf_clear(struct vd_conf *c)
{
	free(c->qemu_binary);
	c->qemu_binary = NULL;
	free(c->user);
	c->user = NULL;
	free(c->group);
	c->group = NULL;
	free(c->dnsmasq_user);
	c->dnsmasq_user = NULL;
	free(c->unix_sock_group);
	c->unix_sock_group = NULL;
	free(c->state_dir);
	c->state_dir = NULL;
	free(c->run_dir);
	c->run_dir = NULL;
	free(c->log_dir);
	c->log_dir = NULL;
	free(c->unix_sock_dir);
	c->unix_sock_dir = NULL;
}

enum key_type {
	KEY_UINT, KEY_STRING, KEY_NAME, KEY_MODE, KEY_LOGLEVEL, KEY_OUTPUT
};

static const struct conf_key {
	const char	*name;
	enum key_type	 type;
	size_t		 offset;
	unsigned int	 min, max;
} keys[] = {
	{ "log_level", KEY_LOGLEVEL, offsetof(struct vd_conf, log_level),
	    0, 0 },
	{ "log_output", KEY_OUTPUT, offsetof(struct vd_conf, log_syslog),
	    0, 0 },
	{ "max_clients", KEY_UINT, offsetof(struct vd_conf, max_clients),
	    1, 100000 },
	{ "max_requests", KEY_UINT, offsetof(struct vd_conf, max_requests),
	    1, 10000 },
	{ "max_workers", KEY_UINT, offsetof(struct vd_conf, max_workers),
	    1, 1024 },
	{ "client_idle_timeout", KEY_UINT,
	    offsetof(struct vd_conf, client_idle_timeout), 0, 86400 * 365 },
	{ "frame_timeout_ms", KEY_UINT,
	    offsetof(struct vd_conf, frame_timeout_ms), 1000, 3600000 },
	{ "job_wait_timeout_ms", KEY_UINT,
	    offsetof(struct vd_conf, job_wait_timeout_ms), 0, 3600000 },
	{ "qemu_binary", KEY_STRING, offsetof(struct vd_conf, qemu_binary),
	    0, 0 },
	{ "user", KEY_NAME, offsetof(struct vd_conf, user), 0, 0 },
	{ "group", KEY_NAME, offsetof(struct vd_conf, group), 0, 0 },
	{ "dnsmasq_user", KEY_NAME, offsetof(struct vd_conf, dnsmasq_user),
	    0, 0 },
	{ "unix_sock_group", KEY_NAME,
	    offsetof(struct vd_conf, unix_sock_group), 0, 0 },
	{ "unix_sock_rw_perms", KEY_MODE,
	    offsetof(struct vd_conf, unix_sock_rw_perms), 0, 0777 },
	{ "unix_sock_ro_perms", KEY_MODE,
	    offsetof(struct vd_conf, unix_sock_ro_perms), 0, 0777 },
	{ "unix_sock_dir", KEY_STRING,
	    offsetof(struct vd_conf, unix_sock_dir), 0, 0 },
	{ "state_dir", KEY_STRING, offsetof(struct vd_conf, state_dir),
	    0, 0 },
	{ "run_dir", KEY_STRING, offsetof(struct vd_conf, run_dir), 0, 0 },
	{ "log_dir", KEY_STRING, offsetof(struct vd_conf, log_dir), 0, 0 },
};

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int
conf_set(struct vd_conf *c, const struct conf_key *k, const char *path,
    int lineno, char *val)
{
	void *field = (char *)c + k->offset;
	size_t len = strlen(val);
	bool quoted = len >= 2 && val[0] == '"' && val[len - 1] == '"';
	unsigned long long n;
	char *end;
	int lvl;

	if (quoted) {
		val[len - 1] = '\0';
		val++;
	}
	switch (k->type) {
	case KEY_UINT:
		if (quoted || vr_parse_ull(val, &n) < 0 || n < k->min ||
		    n > k->max) {
			vr_error(VR_ERR_INVALID_ARG, "%s:%d: %s must be an "
			    "integer from %u to %u", path, lineno, k->name,
			    k->min, k->max);
			return -1;
		}
		*(unsigned int *)field = (unsigned int)n;
		return 0;
	case KEY_STRING:
		if (!quoted || *val != '/') {
			vr_error(VR_ERR_INVALID_ARG, "%s:%d: %s must be a "
			    "quoted absolute path", path, lineno, k->name);
			return -1;
		}
		free(*(char **)field);
		*(char **)field = xstrdup(val);
		return 0;
	case KEY_NAME:
		if (!quoted || *val == '\0' || strlen(val) > 32 ||
		    strspn(val, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != strlen(val)) {
			vr_error(VR_ERR_INVALID_ARG, "%s:%d: %s must be a "
			    "quoted user or group name", path, lineno,
			    k->name);
			return -1;
		}
		free(*(char **)field);
		*(char **)field = xstrdup(val);
		return 0;
	case KEY_MODE:
		n = strtoull(val, &end, 8);
		if (*val == '\0' || *end != '\0' || n > k->max) {
			vr_error(VR_ERR_INVALID_ARG, "%s:%d: %s must be an "
			    "octal mode such as \"0600\"", path, lineno,
			    k->name);
			return -1;
		}
		*(mode_t *)field = (mode_t)n;
		return 0;
	case KEY_LOGLEVEL:
		if ((lvl = vr_log_level_from_string(val)) < 0) {
			vr_error(VR_ERR_INVALID_ARG, "%s:%d: log_level must "
			    "be error, warn, info or debug", path, lineno);
			return -1;
		}
		*(int *)field = lvl;
		return 0;
	case KEY_OUTPUT:
		if (strcmp(val, "syslog") != 0 && strcmp(val, "stderr") != 0) {
			vr_error(VR_ERR_INVALID_ARG, "%s:%d: log_output must "
			    "be \"stderr\" or \"syslog\"", path, lineno);
			return -1;
		}
		*(bool *)field = strcmp(val, "syslog") == 0;
		return 0;
	}
	return -1;
}

int
vd_conf_load(struct vd_conf *c, const char *path)
{
	VR_AUTOFREE char *text = NULL;
	char *line, *save = NULL, *eq, *key, *val;
	int lineno = 0;
	size_t i;

	if ((text = vr_file_read(path, 1024 * 1024, NULL)) == NULL)
		return -1;
	for (line = text; line != NULL; line = save) {
		save = strchr(line, '\n');
		if (save != NULL)
			*save++ = '\0';
		lineno++;
		line = trim(line);
		if (*line == '\0' || *line == '#')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			vr_error(VR_ERR_INVALID_ARG, "%s:%d: expected "
			    "'key = value'", path, lineno);
			return -1;
		}
		*eq = '\0';
		key = trim(line);
		val = trim(eq + 1);
		for (i = 0; i < nitems(keys); i++)
			if (strcmp(keys[i].name, key) == 0)
				break;
		if (i == nitems(keys)) {
			vr_error(VR_ERR_INVALID_ARG, "%s:%d: unknown key '%s'",
			    path, lineno, key);
			return -1;
		}
		if (conf_set(c, &keys[i], path, lineno, val) < 0)
			return -1;
	}
	return 0;
}
