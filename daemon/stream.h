/*
 * Data streams over a client connection (vireo-protocol(7), rpc-proto.h):
 * vol-upload, vol-download and the console. A driver hands the daemon a
 * file descriptor (a pipe to a copying thread, a pty); the loop thread
 * pumps bytes between it and the client's stream frames without blocking,
 * reading from one side only while the other can take it, so a fast
 * sender or a slow receiver never makes the daemon buffer without bound.
 */
#ifndef VD_STREAM_H
#define VD_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vd_client;
struct vr_loop;

/* What the driver's end does once the stream is over. */
struct vd_stream_ops {
	/*
	 * Worker thread, after the daemon closed its fd: wait for the
	 * driver's side and release it. abort: the stream did not complete
	 * (the client aborted or vanished); else report whether all the
	 * data went through: 0, or -1 with vr_error. May block.
	 */
	int	(*finish)(void *opaque, bool abort);
};

/* Flags of vd_stream_open. */
#define VD_STREAM_SEND	0x1	/* bytes read from fd go to the client */
#define VD_STREAM_RECV	0x2	/* the client's bytes are written to fd */

void	 vd_stream_init(struct vr_loop *);

/*
 * From a procedure (any thread), as its last step: a stream for call id
 * over fd, which starts once the call's ok reply is queued. Takes fd and
 * opaque whatever happens (ops may be NULL: nothing to finish). holder
 * (NULL: none) names something only one stream may hold at a time, what
 * says it in errors ("the console 'serial0' of domain 'vm1'"); force
 * takes it over, ending the holder's stream with an error. -1 with an
 * error if the id is unusable, or held and not force.
 */
int	 vd_stream_open(struct vd_client *, uint64_t id, int fd,
	    unsigned int flags, const struct vd_stream_ops *, void *opaque,
	    const char *holder, const char *what, bool force);
/* Dispatcher, after queuing the ok reply of call id: start its stream. */
void	 vd_stream_start(struct vd_client *, uint64_t id);

/* Server, loop thread: a stream frame from the client (body consumed). */
void	 vd_stream_frame(struct vd_client *, char *body, size_t len);
/* Dispatcher, loop thread: {"type":"stream","id":id,"status":status}. */
void	 vd_stream_message(struct vd_client *, uint64_t id,
	    const char *status);
/* Server, loop thread: the client is gone; abort its streams. */
void	 vd_stream_client_closed(struct vd_client *);
/* Server, loop thread: the client's output queue has room again. */
void	 vd_stream_client_writable(struct vd_client *);

#endif
