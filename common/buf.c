#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

static void
buf_grow(struct vr_buf *b, size_t need)
{
	size_t cap;

	if (b->len + need + 1 <= b->cap)
		return;
	cap = b->cap != 0 ? b->cap : 128;
	while (cap < b->len + need + 1)
		cap *= 2;
	b->s = xreallocarray(b->s, cap, 1);
	b->cap = cap;
}

void
vr_buf_add(struct vr_buf *b, const char *s, size_t n)
{
	buf_grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
vr_buf_puts(struct vr_buf *b, const char *s)
{
	vr_buf_add(b, s, strlen(s));
}

void
vr_buf_vprintf(struct vr_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
vr_buf_printf(struct vr_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vr_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
vr_buf_line(struct vr_buf *b, const char *fmt, ...)
{
	va_list ap;
	int i;

	for (i = 0; i < b->indent; i++)
		vr_buf_add(b, "  ", 2);
	va_start(ap, fmt);
	vr_buf_vprintf(b, fmt, ap);
	va_end(ap);
	vr_buf_add(b, "\n", 1);
}

void
vr_buf_xml_escape(struct vr_buf *b, const char *s)
{
	const char *p;

	for (p = s; *p != '\0'; p++) {
		switch (*p) {
		case '<':
			vr_buf_puts(b, "&lt;");
			break;
		case '>':
			vr_buf_puts(b, "&gt;");
			break;
		case '&':
			vr_buf_puts(b, "&amp;");
			break;
		case '\'':
			vr_buf_puts(b, "&apos;");
			break;
		case '"':
			vr_buf_puts(b, "&quot;");
			break;
		default:
			vr_buf_add(b, p, 1);
			break;
		}
	}
}

char *
vr_buf_steal(struct vr_buf *b)
{
	char *s;

	if (b->s == NULL)
		return xstrdup("");
	s = b->s;
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

const char *
vr_buf_str(struct vr_buf *b)
{
	return b->s != NULL ? b->s : "";
}

void
vr_buf_reset(struct vr_buf *b)
{
	b->len = 0;
	if (b->s != NULL)
		b->s[0] = '\0';
}

void
vr_buf_free(struct vr_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}
