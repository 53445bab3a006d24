#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

int vr_log_level = VR_LOG_INFO;
static bool log_syslog;
static const char *log_ident = "vireo";

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void
vr_log_init(const char *ident, int level, bool to_syslog)
{
	log_ident = ident;
	vr_log_level = level;
	log_syslog = to_syslog;
	if (to_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int
vr_log_level_from_string(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof level_names / sizeof level_names[0]; i++)
		if (strcmp(s, level_names[i]) == 0)
			return (int)i;
	return -1;
}

void
vr_log_msg(int level, const char *module, int with_errno, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char msg[2048];
	int saved = errno;
	va_list ap;
	size_t len;

	if (level > vr_log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (with_errno) {
		len = strlen(msg);
		snprintf(msg + len, sizeof msg - len, ": %s", strerror(saved));
	}
	if (log_syslog) {
		syslog(prio[level], "%s: %s", module, msg);
	} else {
		struct timespec ts;
		struct tm tm;
		char when[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld %s[%s] %s: %s\n", when,
		    ts.tv_nsec / 1000000, log_ident, level_names[level],
		    module, msg);
	}
	errno = saved;
}

void
fatal(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (log_syslog)
		syslog(LOG_CRIT, "fatal: %s", msg);
	fprintf(stderr, "%s: fatal: %s\n", log_ident, msg);
	exit(1);
}
