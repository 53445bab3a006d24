/*
 * Logging. Each file may set VR_LOG_MODULE("qemu.qmp") before including this
 * header's users' calls; debug messages cost one comparison when disabled.
 */
#ifndef VR_LOG_H
#define VR_LOG_H

#include <stdbool.h>

enum vr_log_level {
	VR_LOG_ERROR = 0,
	VR_LOG_WARN,
	VR_LOG_INFO,
	VR_LOG_DEBUG,
};

extern int vr_log_level;

/* to_syslog: log to syslog as ident, else to stderr with timestamps. */
void	 vr_log_init(const char *ident, int level, bool to_syslog);
int	 vr_log_level_from_string(const char *);
void	 vr_log_msg(int, const char *, int, const char *, ...)
	    __attribute__((format(printf, 4, 5)));

#define VR_LOG_MODULE(m)	static const char *const vr_log_module = (m)

#define log_error(...)	vr_log_msg(VR_LOG_ERROR, vr_log_module, 0, __VA_ARGS__)
/* log_warn appends strerror(errno). */
#define log_warn(...)	vr_log_msg(VR_LOG_WARN, vr_log_module, 1, __VA_ARGS__)
#define log_warnx(...)	vr_log_msg(VR_LOG_WARN, vr_log_module, 0, __VA_ARGS__)
#define log_info(...)	do { if (vr_log_level >= VR_LOG_INFO)		\
	vr_log_msg(VR_LOG_INFO, vr_log_module, 0, __VA_ARGS__); } while (0)
#define log_debug(...)	do { if (vr_log_level >= VR_LOG_DEBUG)		\
	vr_log_msg(VR_LOG_DEBUG, vr_log_module, 0, __VA_ARGS__); } while (0)

void	 fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
