/* Base64 (RFC 4648) encode and decode. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "err.h"
#include "xmalloc.h"

static const char b64_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
vr_base64_encode(const void *data, size_t len)
{
	const unsigned char *p = data;
	char *out, *o;
	uint32_t v;
	size_t i;

	o = out = xmalloc((len + 2) / 3 * 4 + 1);
	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = b64_chars[v >> 18 & 63];
		*o++ = b64_chars[v >> 12 & 63];
		*o++ = b64_chars[v >> 6 & 63];
		*o++ = b64_chars[v & 63];
	}
	if (i < len) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		*o++ = b64_chars[v >> 18 & 63];
		*o++ = b64_chars[v >> 12 & 63];
		*o++ = i + 1 < len ? b64_chars[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

static int
b64_value(char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(b64_chars, c)) == NULL)
		return -1;
	return (int)(p - b64_chars);
}

unsigned char *
vr_base64_decode(const char *text, size_t *lenp)
{
	size_t n = strlen(text), i, pad = 0;
	unsigned char *out, *o;
	uint32_t v;
	int k, c;

	if (n % 4 != 0)
		goto bad;
	if (n > 0 && text[n - 1] == '=')
		pad++;
	if (n > 1 && text[n - 2] == '=')
		pad++;
	o = out = xmalloc(n / 4 * 3 + 1);
	for (i = 0; i < n; i += 4) {
		v = 0;
		for (k = 0; k < 4; k++) {
			if (i + 4 == n && k >= 4 - (int)pad)
				c = 0;
			else if ((c = b64_value(text[i + k])) < 0) {
				free(out);
				goto bad;
			}
			v = v << 6 | (uint32_t)c;
		}
		*o++ = (unsigned char)(v >> 16);
		*o++ = (unsigned char)(v >> 8);
		*o++ = (unsigned char)v;
	}
	*lenp = (size_t)(o - out) - pad;
	return out;
bad:
	vr_error(VR_ERR_INVALID_ARG, "malformed base64 data");
	return NULL;
}
