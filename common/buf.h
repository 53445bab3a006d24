/* Growable string buffer. */
#ifndef VR_BUF_H
#define VR_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct vr_buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
	int	 indent;	/* for vr_buf_line() */
};

void	 vr_buf_add(struct vr_buf *, const char *, size_t);
void	 vr_buf_puts(struct vr_buf *, const char *);
void	 vr_buf_printf(struct vr_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 vr_buf_vprintf(struct vr_buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
/* Indented line: indent*2 spaces, text, newline. */
void	 vr_buf_line(struct vr_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Append s escaped for XML text or attribute values. */
void	 vr_buf_xml_escape(struct vr_buf *, const char *);
/* The NUL-terminated contents, caller's; the buffer is left empty. */
char	*vr_buf_steal(struct vr_buf *);
const char *vr_buf_str(struct vr_buf *);
void	 vr_buf_reset(struct vr_buf *);
void	 vr_buf_free(struct vr_buf *);

#endif
