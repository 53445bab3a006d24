#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "err.h"
#include "util.h"
#include "xmalloc.h"

struct unit_scale {
	const char		*name;
	unsigned long long	 bytes;
};

static const struct unit_scale units[] = {
	{ "b", 1ULL }, { "bytes", 1ULL },
	{ "k", 1024ULL }, { "KiB", 1024ULL }, { "KB", 1000ULL },
	{ "M", 1ULL << 20 }, { "MiB", 1ULL << 20 }, { "MB", 1000000ULL },
	{ "G", 1ULL << 30 }, { "GiB", 1ULL << 30 }, { "GB", 1000000000ULL },
	{ "T", 1ULL << 40 }, { "TiB", 1ULL << 40 }, { "TB", 1000000000000ULL },
	{ "P", 1ULL << 50 }, { "PiB", 1ULL << 50 },
	{ "PB", 1000000000000000ULL },
	{ "E", 1ULL << 60 }, { "EiB", 1ULL << 60 },
	{ "EB", 1000000000000000000ULL },
};

static int
unit_bytes(const char *unit, unsigned long long *bytes)
{
	size_t i;

	/* libvirt accepts "K"/"m"/"g"... case-insensitively for one letter. */
	for (i = 0; i < nitems(units); i++) {
		if (strcmp(units[i].name, unit) == 0 ||
		    (strlen(unit) == 1 && strlen(units[i].name) == 1 &&
		    tolower((unsigned char)unit[0]) ==
		    tolower((unsigned char)units[i].name[0]))) {
			*bytes = units[i].bytes;
			return 0;
		}
	}
	return -1;
}

int
vr_scale_to_bytes(unsigned long long value, const char *unit,
    const char *default_unit, unsigned long long *bytes)
{
	unsigned long long scale;

	if (unit == NULL || *unit == '\0')
		unit = default_unit;
	if (unit_bytes(unit, &scale) < 0) {
		vr_error(VR_ERR_INVALID_ARG, "unknown unit '%s'", unit);
		return -1;
	}
	if (value != 0 && scale > ULLONG_MAX / value) {
		vr_error(VR_ERR_INVALID_ARG, "value %llu %s is too large",
		    value, unit);
		return -1;
	}
	*bytes = value * scale;
	return 0;
}

int
vr_scale_to_kib(unsigned long long value, const char *unit,
    const char *default_unit, unsigned long long *kib)
{
	unsigned long long bytes;

	if (vr_scale_to_bytes(value, unit, default_unit, &bytes) < 0)
		return -1;
	*kib = bytes / 1024 + (bytes % 1024 != 0);
	return 0;
}

int
vr_parse_size_bytes(const char *s, const char *default_unit,
    unsigned long long *bytes)
{
	unsigned long long whole, scale, frac_num = 0, frac_den = 1, frac;
	const char *p = s;
	char *end;

	if (s == NULL || !isdigit((unsigned char)*s)) {
		vr_error(VR_ERR_INVALID_ARG, "invalid size '%s'", s ? s : "");
		return -1;
	}
	errno = 0;
	whole = strtoull(p, &end, 10);
	if (errno != 0) {
		vr_error(VR_ERR_INVALID_ARG, "invalid size '%s'", s);
		return -1;
	}
	p = end;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p) && frac_den < 1000000000ULL) {
			frac_num = frac_num * 10 + (unsigned)(*p - '0');
			frac_den *= 10;
			p++;
		}
	}
	if (*p == '\0')
		p = default_unit;
	if (unit_bytes(p, &scale) < 0) {
		vr_error(VR_ERR_INVALID_ARG, "invalid size '%s': unknown unit "
		    "'%s'", s, p);
		return -1;
	}
	if (whole != 0 && scale > ULLONG_MAX / whole) {
		vr_error(VR_ERR_INVALID_ARG, "size '%s' is too large", s);
		return -1;
	}
	/* scale * frac_num / frac_den, exact without overflowing */
	frac = (scale / frac_den) * frac_num +
	    (scale % frac_den) * frac_num / frac_den;
	if (whole * scale > ULLONG_MAX - frac) {
		vr_error(VR_ERR_INVALID_ARG, "size '%s' is too large", s);
		return -1;
	}
	*bytes = whole * scale + frac;
	return 0;
}

int
vr_parse_size_kib(const char *s, const char *default_unit,
    unsigned long long *kib)
{
	unsigned long long bytes;

	if (vr_parse_size_bytes(s, default_unit, &bytes) < 0)
		return -1;
	*kib = bytes / 1024 + (bytes % 1024 != 0);
	return 0;
}

int
vr_parse_ull(const char *s, unsigned long long *v)
{
	char *end;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	return 0;
}

int
vr_parse_uint(const char *s, unsigned int *v)
{
	unsigned long long ull;

	if (vr_parse_ull(s, &ull) < 0 || ull > UINT_MAX)
		return -1;
	*v = (unsigned int)ull;
	return 0;
}

bool
vr_name_valid(const char *name)
{
	const char *p;

	if (name == NULL || *name == '\0' || strlen(name) > 64)
		return false;
	if (name[0] == '.' || name[0] == '-')
		return false;
	for (p = name; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr("_.+-:", *p) == NULL)
			return false;
	}
	return true;
}

void
vr_uuid_generate(unsigned char uuid[16])
{
	uuid_generate_random(uuid);
}

int
vr_uuid_parse(const char *s, unsigned char uuid[16])
{
	if (s == NULL || strlen(s) != 36 || uuid_parse(s, uuid) != 0)
		return -1;
	return 0;
}

void
vr_uuid_format(const unsigned char uuid[16], char buf[VR_UUID_BUFLEN])
{
	uuid_unparse_lower(uuid, buf);
}

bool
vr_uuid_is_null(const unsigned char uuid[16])
{
	return uuid_is_null(uuid);
}

ssize_t
vr_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, p + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t
vr_read_all(int fd, void *data, size_t len)
{
	char *p = data;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, p + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static int
file_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode, bool sync)
{
	VR_AUTOFREE char *tmp = NULL;
	VR_AUTOFREE char *dircopy = NULL;
	VR_AUTOCLOSE int fd = -1;
	VR_AUTOCLOSE int dfd = -1;

	tmp = xprintf("%s.tmp.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		vr_error_system(errno, "cannot create temporary file for '%s'",
		    path);
		return -1;
	}
	if (fchmod(fd, mode) < 0 || vr_write_all(fd, data, len) < 0 ||
	    (sync && fsync(fd) < 0)) {
		vr_error_system(errno, "cannot write '%s'", tmp);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0) {
		fd = -1;
		vr_error_system(errno, "cannot write '%s'", tmp);
		unlink(tmp);
		return -1;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		vr_error_system(errno, "cannot rename '%s' to '%s'", tmp, path);
		unlink(tmp);
		return -1;
	}
	if (!sync)
		return 0;
	dircopy = xstrdup(path);
	if ((dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0 || fsync(dfd) < 0) {
		vr_error_system(errno, "cannot sync directory of '%s'", path);
		return -1;
	}
	return 0;
}

int
vr_file_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode)
{
	return file_write_atomic(path, data, len, mode, true);
}

int
vr_file_replace(const char *path, const void *data, size_t len, mode_t mode)
{
	return file_write_atomic(path, data, len, mode, false);
}

char *
vr_file_read(const char *path, size_t max, size_t *lenp)
{
	VR_AUTOCLOSE int fd = -1;
	VR_AUTOFREE char *data = NULL;
	size_t len = 0, cap = 4096;
	ssize_t n;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		vr_error_system(errno, "cannot open '%s'", path);
		return NULL;
	}
	data = xmalloc(cap);
	for (;;) {
		if (len + 1 >= cap) {
			if (cap > max) {
				vr_error(VR_ERR_INVALID_ARG,
				    "'%s' is larger than %zu bytes", path, max);
				return NULL;
			}
			cap *= 2;
			data = xreallocarray(data, cap, 1);
		}
		n = read(fd, data + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			vr_error_system(errno, "cannot read '%s'", path);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		vr_error(VR_ERR_INVALID_ARG, "'%s' is larger than %zu bytes",
		    path, max);
		return NULL;
	}
	data[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return vr_steal(&data);
}

char *
vr_file_tail(const char *path, int nlines)
{
	VR_AUTOCLOSE int fd = -1;
	char buf[8192];
	off_t size, start;
	ssize_t n;
	char *p;
	int seen = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	size = lseek(fd, 0, SEEK_END);
	start = size > (off_t)sizeof buf - 1 ? size - (off_t)sizeof buf + 1 : 0;
	if ((n = pread(fd, buf, sizeof buf - 1, start)) <= 0)
		return NULL;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	for (p = buf + n; p > buf; p--) {
		if (p[-1] == '\n' && ++seen == nlines)
			break;
	}
	return xstrdup(p);
}

int
vr_mkdir_p(const char *path, mode_t mode)
{
	VR_AUTOFREE char *copy = xstrdup(path);
	char *p;

	for (p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST) {
			vr_error_system(errno, "cannot create directory '%s'",
			    copy);
			return -1;
		}
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST) {
		vr_error_system(errno, "cannot create directory '%s'", copy);
		return -1;
	}
	return 0;
}

int
vr_set_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

int
vr_set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -1;
	return 0;
}

uint64_t
vr_time_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void
vr_deadline_after_ms(struct timespec *ts, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

uint64_t
vr_time_ms(void)
{
	return vr_time_us() / 1000;
}

const char *
vr_host_kvm_module(bool *usable)
{
	static const char *const mods[] = { "kvm_intel", "kvm_amd",
	    "kvm_pvm" };
	char path[64];
	size_t i;

	*usable = false;
	for (i = 0; i < nitems(mods); i++) {
		snprintf(path, sizeof path, "/sys/module/%s", mods[i]);
		if (access(path, F_OK) != 0)
			continue;
		*usable = strcmp(mods[i], "kvm_pvm") != 0 &&
		    access("/dev/kvm", R_OK | W_OK) == 0;
		return mods[i];
	}
	return NULL;
}

/* Open addressing with linear probing; tombstones on removal. */
struct hash_slot {
	char	*key;		/* NULL: empty; HASH_TOMB: removed */
	void	*value;
};

struct vr_hash {
	struct hash_slot *slots;
	size_t		  size;		/* power of two */
	size_t		  count;
	size_t		  used;		/* count + tombstones */
};

static char hash_tomb_mark;
#define HASH_TOMB	(&hash_tomb_mark)

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

struct vr_hash *
vr_hash_new(void)
{
	struct vr_hash *h = xcalloc(1, sizeof *h);

	h->size = 64;
	h->slots = xcalloc(h->size, sizeof *h->slots);
	return h;
}

void
vr_hash_free(struct vr_hash *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->size; i++)
		if (h->slots[i].key != NULL && h->slots[i].key != HASH_TOMB)
			free(h->slots[i].key);
	free(h->slots);
	free(h);
}

static struct hash_slot *
hash_find(const struct vr_hash *h, const char *key)
{
	size_t i = (size_t)hash_str(key) & (h->size - 1);

	for (;;) {
		struct hash_slot *s = &h->slots[i];

		if (s->key == NULL)
			return NULL;
		if (s->key != HASH_TOMB && strcmp(s->key, key) == 0)
			return s;
		i = (i + 1) & (h->size - 1);
	}
}

static void
hash_grow(struct vr_hash *h)
{
	struct hash_slot *old = h->slots;
	size_t oldsize = h->size, i, j;

	if (h->count * 2 >= h->size)
		h->size *= 2;
	h->slots = xcalloc(h->size, sizeof *h->slots);
	h->used = h->count;
	for (i = 0; i < oldsize; i++) {
		if (old[i].key == NULL || old[i].key == HASH_TOMB)
			continue;
		j = (size_t)hash_str(old[i].key) & (h->size - 1);
		while (h->slots[j].key != NULL)
			j = (j + 1) & (h->size - 1);
		h->slots[j] = old[i];
	}
	free(old);
}

void *
vr_hash_get(const struct vr_hash *h, const char *key)
{
	struct hash_slot *s = hash_find(h, key);

	return s != NULL ? s->value : NULL;
}

int
vr_hash_add(struct vr_hash *h, const char *key, void *value)
{
	size_t i;

	if (hash_find(h, key) != NULL)
		return -1;
	if ((h->used + 1) * 4 >= h->size * 3)
		hash_grow(h);
	i = (size_t)hash_str(key) & (h->size - 1);
	while (h->slots[i].key != NULL && h->slots[i].key != HASH_TOMB)
		i = (i + 1) & (h->size - 1);
	if (h->slots[i].key == NULL)
		h->used++;
	h->slots[i].key = xstrdup(key);
	h->slots[i].value = value;
	h->count++;
	return 0;
}

void *
vr_hash_remove(struct vr_hash *h, const char *key)
{
	struct hash_slot *s = hash_find(h, key);
	void *value;

	if (s == NULL)
		return NULL;
	value = s->value;
	free(s->key);
	s->key = HASH_TOMB;
	s->value = NULL;
	h->count--;
	return value;
}

size_t
vr_hash_count(const struct vr_hash *h)
{
	return h->count;
}

bool
vr_hash_next(const struct vr_hash *h, size_t *i, const char **key,
    void **value)
{
	for (; *i < h->size; (*i)++) {
		struct hash_slot *s = &h->slots[*i];

		if (s->key == NULL || s->key == HASH_TOMB)
			continue;
		if (key != NULL)
			*key = s->key;
		if (value != NULL)
			*value = s->value;
		(*i)++;
		return true;
	}
	return false;
}

void *
vr_hash_get_name_uuid(const struct vr_hash *by_name,
    const struct vr_hash *by_uuid, const char *key)
{
	unsigned char uuid[16];
	char ukey[VR_UUID_BUFLEN];
	void *v = vr_hash_get(by_name, key);

	if (v == NULL && vr_uuid_parse(key, uuid) == 0) {
		vr_uuid_format(uuid, ukey);
		v = vr_hash_get(by_uuid, ukey);
	}
	return v;
}

int
vr_proc_stat(pid_t pid, int field, unsigned long long *v, int n)
{
	char path[64], buf[1024], *p;
	ssize_t len;
	int fd, i;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	len = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	/* fields after the ")" closing comm (which may hold spaces): 3.. */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	for (i = 3, p++; i < field && p != NULL; i++)
		p = strchr(p + 1, ' ');
	for (i = 0; i < n && p != NULL; i++, p = strchr(p + 1, ' '))
		if (sscanf(p, " %llu", &v[i]) != 1)
			return -1;
	return i == n ? 0 : -1;
}

unsigned long long
vr_proc_start_ticks(pid_t pid)
{
	unsigned long long ticks;

	return vr_proc_stat(pid, 22, &ticks, 1) == 0 ? ticks : 0;
}
