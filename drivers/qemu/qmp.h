/*
 * QMP client. The monitor socket is read on the event loop thread: events
 * are delivered to the event callback there, replies wake the worker thread
 * waiting in qmp_command(). Commands are sent from worker threads.
 */
#ifndef VR_QMP_H
#define VR_QMP_H

#include <json-c/json.h>

struct vr_loop;
struct qmp_mon;

/* Called on the loop thread. data may be NULL. */
typedef void (*qmp_event_cb)(struct qmp_mon *, const char *event,
    struct json_object *data, void *opaque);
/* Called on the loop thread once, when the peer closes (not on qmp_close). */
typedef void (*qmp_eof_cb)(struct qmp_mon *, void *opaque);

/*
 * Take ownership of fd (a connected stream socket) and watch it. The
 * returned monitor holds one reference for the caller.
 */
struct qmp_mon	*qmp_open(struct vr_loop *, int fd, qmp_event_cb, qmp_eof_cb,
		    void *opaque);
/* Wait for the greeting, then negotiate capabilities. */
int		 qmp_handshake(struct qmp_mon *, int timeout_ms);
/*
 * Run a command; args (may be NULL) are consumed. On success *ret (if not
 * NULL) gets the "return" value (caller puts it). Errors: VR_ERR_QEMU with
 * QEMU's description, VR_ERR_TIMEOUT, or "monitor closed".
 */
int		 qmp_command(struct qmp_mon *, const char *cmd,
		    struct json_object *args, struct json_object **ret,
		    int timeout_ms);
/*
 * The same, passing fd (not consumed; the caller closes it afterwards)
 * with the command: for "getfd" {"fdname":N} and "add-fd". QEMU keeps
 * its own copy.
 */
int		 qmp_command_fd(struct qmp_mon *, const char *cmd,
		    struct json_object *args, int fd,
		    struct json_object **ret, int timeout_ms);
/* Stop watching, fail waiters, drop the caller's reference. Any thread. */
void		 qmp_close(struct qmp_mon *);
struct qmp_mon	*qmp_ref(struct qmp_mon *);
void		 qmp_unref(struct qmp_mon *);
/* QEMU version from the greeting, e.g. "7.2.22"; "" before it. */
const char	*qmp_version(struct qmp_mon *);

#endif
