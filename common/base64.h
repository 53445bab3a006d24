/*
 * Base64 (RFC 4648, with padding) for binary data carried in JSON replies:
 * screenshots.
 */
#ifndef VR_BASE64_H
#define VR_BASE64_H

#include <stddef.h>

/* A NUL-terminated encoding of len bytes; caller frees. */
char	*vr_base64_encode(const void *, size_t len);
/*
 * Decode text (whitespace not allowed); caller frees the result, *len
 * gets its size. NULL with VR_ERR_INVALID_ARG on malformed input.
 */
unsigned char *vr_base64_decode(const char *, size_t *len);

#endif
