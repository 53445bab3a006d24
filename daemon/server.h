/*
 * Client connections on the Unix sockets: framing, limits, peer
 * credentials, and replies that worker threads hand back.
 */
#ifndef VD_SERVER_H
#define VD_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

struct vr_loop;
struct vd_client;

struct vd_limits {
	unsigned int	 max_clients;
	unsigned int	 max_requests;	/* in flight per client */
	unsigned int	 idle_timeout_s;	/* 0: none */
	unsigned int	 frame_timeout_ms;	/* to finish a started frame */
	size_t		 max_frame;
	/*
	 * unix_sock_group set: who may connect to the read-write socket is
	 * up to its group and mode; else only root and the daemon's user.
	 */
	bool		 rw_by_group;
};

int	 vd_server_init(struct vr_loop *, const struct vd_limits *);
/* Readonly sockets never mutate. */
/* Listen on path with mode and group ((gid_t)-1: unchanged). */
int	 vd_server_listen(const char *path, mode_t mode, gid_t gid,
	    bool readonly);
void	 vd_server_close(void);

bool	 vd_client_readonly(const struct vd_client *);
void	 vd_client_ref(struct vd_client *);
void	 vd_client_unref(struct vd_client *);
/* Queue a message (consumed) for the client. Any thread. */
void	 vd_client_send(struct vd_client *, struct json_object *);
/* Count a request in flight; false when over max_requests. */
bool	 vd_client_request_begin(struct vd_client *);
/* A request finished (worker or inline). */
void	 vd_client_request_done(struct vd_client *);
void	 vd_client_subscribe(struct vd_client *);
/* Push an event to every subscribed client. Any thread. */
void	 vd_server_broadcast(const char *event, struct json_object *data);
uid_t	 vd_client_uid(const struct vd_client *);
gid_t	 vd_client_gid(const struct vd_client *);

/* Data streams (stream.c). */
/* Queue an encoded frame (taken) for the client. Any thread. */
void	 vd_client_send_frame(struct vd_client *, char *frame, size_t len);
/* Bytes queued for the client and not yet sent. Any thread. */
size_t	 vd_client_out_bytes(struct vd_client *);
/* Loop thread: stop (or resume) reading the client's frames. Counted. */
void	 vd_client_read_pause(struct vd_client *, bool pause);
/*
 * Closed already? Any thread. The loop sets it before it aborts the
 * client's streams (vd_stream_client_closed).
 */
bool	 vd_client_gone(struct vd_client *);
/* Count the client's open streams (delta +1/-1). Any thread. */
void	 vd_client_streams_add(struct vd_client *, int delta);
/* Migration (issue 6): fn runs on the loop thread as any client closes. */
void	 vd_server_on_client_close(void (*fn)(struct vd_client *));
/* The connection is closed (set before the hook above runs). Any thread. */
bool	 vd_client_closed(struct vd_client *);

#endif
