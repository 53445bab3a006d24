#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "xmalloc.h"

static __thread int err_code;
static __thread char err_msg[4096];

static const char *const err_names[VR_ERR_LAST] = {
	[VR_ERR_OK] = "ok",
	[VR_ERR_INTERNAL] = "internal",
	[VR_ERR_SYSTEM] = "system",
	[VR_ERR_XML] = "xml",
	[VR_ERR_INVALID_ARG] = "invalid-argument",
	[VR_ERR_NO_DOMAIN] = "no-domain",
	[VR_ERR_OPERATION_INVALID] = "operation-invalid",
	[VR_ERR_OPERATION_DENIED] = "operation-denied",
	[VR_ERR_EXISTS] = "exists",
	[VR_ERR_UNSUPPORTED] = "unsupported",
	[VR_ERR_RPC] = "rpc",
	[VR_ERR_QEMU] = "qemu",
	[VR_ERR_TIMEOUT] = "timeout",
	[VR_ERR_BUSY] = "busy",
	[VR_ERR_NO_NETWORK] = "no-network",
	[VR_ERR_NO_POOL] = "no-pool",
	[VR_ERR_NO_VOLUME] = "no-volume",
	[VR_ERR_NO_SNAPSHOT] = "no-snapshot",
};

const char *
vr_error_code_name(int code)
{
	if (code < 0 || code >= VR_ERR_LAST || err_names[code] == NULL)
		return "unknown";
	return err_names[code];
}

void
vr_error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_msg, sizeof err_msg, fmt, ap);
	va_end(ap);
	err_code = code;
}

void
vr_error_system(int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(err_msg, sizeof err_msg, fmt, ap);
	va_end(ap);
	len = strlen(err_msg);
	snprintf(err_msg + len, sizeof err_msg - len, ": %s", strerror(errnum));
	err_code = VR_ERR_SYSTEM;
}

void
vr_error_prefix(const char *fmt, ...)
{
	char prefix[1024], old[sizeof err_msg];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, err_msg, sizeof old);
	if (snprintf(err_msg, sizeof err_msg, "%s: %s", prefix, old) >=
	    (int)sizeof err_msg)
		memcpy(err_msg + sizeof err_msg - 4, "...", 4);
	if (err_code == VR_ERR_OK)
		err_code = VR_ERR_INTERNAL;
}

void
vr_error_reset(void)
{
	err_code = VR_ERR_OK;
	err_msg[0] = '\0';
}

int
vr_error_code(void)
{
	return err_code;
}

const char *
vr_error_message(void)
{
	if (err_code == VR_ERR_OK || err_msg[0] == '\0')
		return "unknown error (no error was recorded)";
	return err_msg;
}
