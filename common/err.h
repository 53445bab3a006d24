/*
 * Errors are reported once, where detected: vr_error() records a code and a
 * message for the calling thread; callers return -1/NULL; the dispatcher ships
 * the recorded error to the client as {code, message}.
 */
#ifndef VR_ERR_H
#define VR_ERR_H

/* Wire values: never renumber (see vireo-protocol(7)). */
enum vr_err_code {
	VR_ERR_OK = 0,
	VR_ERR_INTERNAL = 1,		/* a bug or broken invariant */
	VR_ERR_SYSTEM = 2,		/* a system call failed */
	VR_ERR_XML = 3,			/* malformed or invalid XML */
	VR_ERR_INVALID_ARG = 4,		/* bad argument from the caller */
	VR_ERR_NO_DOMAIN = 5,		/* no such domain */
	VR_ERR_OPERATION_INVALID = 6,	/* wrong state for the operation */
	VR_ERR_OPERATION_DENIED = 7,	/* read-only connection, permission */
	VR_ERR_EXISTS = 8,		/* name or UUID already in use */
	VR_ERR_UNSUPPORTED = 9,		/* feature not supported */
	VR_ERR_RPC = 10,		/* protocol error */
	VR_ERR_QEMU = 11,		/* QEMU failed or refused */
	VR_ERR_TIMEOUT = 12,		/* a wait or job timed out */
	VR_ERR_BUSY = 13,		/* the object is held by another job */
	VR_ERR_NO_NETWORK = 14,
	VR_ERR_NO_POOL = 15,
	VR_ERR_NO_VOLUME = 16,
	VR_ERR_NO_SNAPSHOT = 17,	/* snapshots (issue 7) */
	VR_ERR_LAST
};

void	 vr_error(int, const char *, ...) __attribute__((format(printf, 2, 3)));
/* As vr_error, with ": strerror(errnum)" appended; code VR_ERR_SYSTEM. */
void	 vr_error_system(int, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 vr_error_reset(void);
int	 vr_error_code(void);
/* The last message, or a generic one if none was recorded. Borrowed. */
const char *vr_error_message(void);
/* Prefix the current error's message with "prefix: ". */
void	 vr_error_prefix(const char *, ...) __attribute__((format(printf, 1, 2)));
const char *vr_error_code_name(int);

#endif
