/* Allocation that never returns NULL, and scope-bound cleanup. */
#ifndef VR_XMALLOC_H
#define VR_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
/* A copy of n elements of size bytes at p; NULL when n is 0. */
void	*xmemdup_array(const void *p, size_t n, size_t size);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
char	*xprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char	*xvprintf(const char *, va_list) __attribute__((format(printf, 1, 0)));

/* NULL-safe string duplicate. */
static inline char *
xstrdup_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void	 vr_freep(void *);
void	 vr_closep(int *);

/* Locals only: never on struct members or globals. */
#define VR_AUTOFREE	__attribute__((cleanup(vr_freep)))
#define VR_AUTOCLOSE	__attribute__((cleanup(vr_closep)))
/* VR_AUTO(dom_def) p = NULL; calls dom_def_freep(&p) at scope exit. */
#define VR_AUTO(type)	__attribute__((cleanup(type##_freep))) struct type *
#define VR_DEFINE_AUTO(type)					\
	static inline void type##_freep(struct type **p)	\
	{ type##_free(*p); }

/* Steal a pointer out of an auto variable. */
#define vr_steal(pp)	({ __typeof__(*(pp)) vr__t = *(pp); *(pp) = NULL; vr__t; })

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

#endif
