/* Small helpers shared by daemon, client and drivers. */
#ifndef VR_UTIL_H
#define VR_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Enum <-> string tables, one table used both ways:
 *   VR_ENUM_DECL(dom_disk_bus) in the header,
 *   VR_ENUM_IMPL(dom_disk_bus, DOM_DISK_BUS_LAST, "virtio", "sata", ...)
 * in the .c file. from_string returns -1 when unknown.
 */
#define VR_ENUM_DECL(name)						\
	const char *name##_to_string(int);				\
	int name##_from_string(const char *)

#define VR_ENUM_IMPL(name, last, ...)					\
	static const char *const name##_strings[] = { __VA_ARGS__ };	\
	_Static_assert(sizeof(name##_strings) /				\
	    sizeof(name##_strings[0]) == (last),			\
	    #name " table does not match its enum");			\
	const char *name##_to_string(int v)				\
	{								\
		if (v < 0 || v >= (int)(last))				\
			return NULL;					\
		return name##_strings[v];				\
	}								\
	int name##_from_string(const char *s)				\
	{								\
		int i;							\
		if (s == NULL)						\
			return -1;					\
		for (i = 0; i < (int)(last); i++)			\
			if (name##_strings[i] != NULL &&		\
			    strcmp(name##_strings[i], s) == 0)		\
				return i;				\
		return -1;						\
	}

/*
 * Scale value by a libvirt unit (b, bytes, k, KB, KiB, M, MB, MiB, G, GB,
 * GiB, T, TB, TiB, P, PB, PiB, E, EB, EiB; NULL means default_unit) and
 * return it in KiB, rounding up. -1 with an error on bad unit or overflow.
 */
int	 vr_scale_to_kib(unsigned long long value, const char *unit,
	    const char *default_unit, unsigned long long *kib);
/* The same in bytes, exact. */
int	 vr_scale_to_bytes(unsigned long long value, const char *unit,
	    const char *default_unit, unsigned long long *bytes);
/*
 * Parse a size as typed on the command line: "524288" (in default_unit),
 * "512M", "1G", "1.5GiB"... into KiB.
 */
int	 vr_parse_size_kib(const char *, const char *default_unit,
	    unsigned long long *kib);
/* The same in bytes ("10G", "1.5GiB", "4096" in default_unit). */
int	 vr_parse_size_bytes(const char *, const char *default_unit,
	    unsigned long long *bytes);
int	 vr_parse_ull(const char *, unsigned long long *);
int	 vr_parse_uint(const char *, unsigned int *);

/* Names of objects: 1..64 of [A-Za-z0-9_.+-:], not starting with '.' or '-'. */
bool	 vr_name_valid(const char *);

/* UUIDs as text (36 characters plus NUL). */
#define VR_UUID_BUFLEN	37
void	 vr_uuid_generate(unsigned char uuid[16]);
int	 vr_uuid_parse(const char *, unsigned char uuid[16]);
void	 vr_uuid_format(const unsigned char uuid[16], char buf[VR_UUID_BUFLEN]);
bool	 vr_uuid_is_null(const unsigned char uuid[16]);

/*
 * Write data to path atomically: temp file in the same directory, fsync,
 * rename over path, fsync the directory.
 */
int	 vr_file_write_atomic(const char *path, const void *, size_t, mode_t);
/*
 * The same without fsync: atomic against a crash of the writer, not of
 * the machine. For state that lives no longer than the machine (/run).
 */
int	 vr_file_replace(const char *path, const void *, size_t, mode_t);
/* Read a whole file (up to max bytes) into a NUL-terminated buffer. */
char	*vr_file_read(const char *path, size_t max, size_t *lenp);
/* Last n lines of a file, for error messages quoting logs. */
char	*vr_file_tail(const char *path, int nlines);
int	 vr_mkdir_p(const char *, mode_t);
int	 vr_set_cloexec(int);
int	 vr_set_nonblock(int);

/* Full read/write, retrying on EINTR and short counts; -1 on error/EOF. */
ssize_t	 vr_write_all(int, const void *, size_t);
ssize_t	 vr_read_all(int, void *, size_t);

/* Fields field..field+n-1 of /proc/PID/stat (1: pid, 3: state): 0, -1. */
int	 vr_proc_stat(pid_t, int field, unsigned long long *v, int n);
/*
 * Field 22 of /proc/PID/stat: the process's start time in clock ticks
 * since boot (0 if unknown). With the pid, it names a process for good.
 */
unsigned long long vr_proc_start_ticks(pid_t);

uint64_t vr_time_ms(void);	/* monotonic */
/* CLOCK_MONOTONIC now + ms, for pthread_cond_clockwait(). */
struct timespec;
void	 vr_deadline_after_ms(struct timespec *, unsigned int ms);
uint64_t vr_time_us(void);	/* monotonic */

/*
 * Which KVM module the host has loaded ("kvm_intel", "kvm_amd", "kvm_pvm"
 * or NULL) and whether guests can use it. /dev/kvm alone is no proof: a
 * paravirtual nested KVM (kvm_pvm) cannot run unmodified guests.
 */
const char *vr_host_kvm_module(bool *usable);

/* Simple string-keyed hash table; values are borrowed pointers. */
struct vr_hash;
struct vr_hash	*vr_hash_new(void);
void	 vr_hash_free(struct vr_hash *);
void	*vr_hash_get(const struct vr_hash *, const char *);
/* Returns -1 if key exists. Key is copied. */
int	 vr_hash_add(struct vr_hash *, const char *, void *);
void	*vr_hash_remove(struct vr_hash *, const char *);
size_t	 vr_hash_count(const struct vr_hash *);
/*
 * An object by name (by_name) or by UUID in any spelling (by_uuid, keyed
 * by vr_uuid_format()); NULL if neither. Callers hold the tables' lock.
 */
void	*vr_hash_get_name_uuid(const struct vr_hash *by_name,
	    const struct vr_hash *by_uuid, const char *key);
/* Iterate: i starts at 0; returns false at end. */
bool	 vr_hash_next(const struct vr_hash *, size_t *i, const char **key,
	    void **value);

#endif
