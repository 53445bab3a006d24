#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"

static void __attribute__((noreturn))
xmalloc_die(const char *what, size_t size)
{
	fprintf(stderr, "fatal: %s: out of memory (%zu bytes)\n", what, size);
	abort();
}

void *
xmalloc(size_t size)
{
	void *p;

	if (size == 0)
		size = 1;
	if ((p = malloc(size)) == NULL)
		xmalloc_die("xmalloc", size);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if (n == 0 || size == 0)
		n = size = 1;
	if ((p = calloc(n, size)) == NULL)
		xmalloc_die("xcalloc", n * size);
	return p;
}

void *
xreallocarray(void *old, size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		xmalloc_die("xreallocarray overflow", SIZE_MAX);
	if (n == 0 || size == 0)
		n = size = 1;
	if ((p = realloc(old, n * size)) == NULL)
		xmalloc_die("xreallocarray", n * size);
	return p;
}

char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		xmalloc_die("xstrdup", strlen(s) + 1);
	return p;
}

void *
xmemdup_array(const void *src, size_t n, size_t size)
{
	void *p;

	if (n == 0)
		return NULL;
	p = xreallocarray(NULL, n, size);
	memcpy(p, src, n * size);
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	if ((p = strndup(s, n)) == NULL)
		xmalloc_die("xstrndup", n + 1);
	return p;
}

char *
xvprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		xmalloc_die("xvprintf", 0);
	return s;
}

char *
xprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvprintf(fmt, ap);
	va_end(ap);
	return s;
}

int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*ret = xvprintf(fmt, ap);
	va_end(ap);
	return (int)strlen(*ret);
}

void
vr_freep(void *pp)
{
	void **p = pp;

	free(*p);
	*p = NULL;
}

void
vr_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
	*fd = -1;
}
