/*
 * Connection URIs and transports: how a client (vireo, or a vireod talking
 * to a peer) reaches a daemon.
 *
 *   vireo:///system                        local, the default socket
 *   vireo+unix:///system?socket=PATH       local, an explicit socket
 *                                          (vireo:///system?socket=PATH too)
 *   vireo+ssh://[USER@]HOST[:PORT]/system[?PARAMS]
 *                                          remote: ssh(1) runs vireo-relay
 *                                          on HOST, which joins its stdin
 *                                          and stdout to the daemon's socket
 *
 * ssh parameters (vireo(1) "URIS"): socket=PATH (on HOST), keyfile=PATH,
 * known_hosts=PATH, no_verify=1, relay=PATH (vireo-relay on HOST).
 *
 * A transport only produces a connected stream (one fd); framing and calls
 * are the same for all (see rpc.h).
 */
#ifndef VR_TRANSPORT_H
#define VR_TRANSPORT_H

#include <stdbool.h>
#include <sys/types.h>

#define VR_SOCKET_DIR		VR_RUNSTATEDIR "/vireo"
#define VR_SOCKET_NAME		"vireod.sock"
#define VR_SOCKET_RO_NAME	"vireod-ro.sock"

/*
 * vireo-relay tells the client it reached the daemon with this line on its
 * standard error (the stream itself carries only the daemon's bytes); it
 * exits with VR_RELAY_EXIT_* when it cannot.
 */
#define VR_RELAY_READY		"vireo-relay: connected"
#define VR_RELAY_EXIT_USAGE	2
#define VR_RELAY_EXIT_NO_DAEMON	3	/* no socket, or nobody listening */
#define VR_RELAY_EXIT_DENIED	4	/* the socket's permissions */

enum vr_transport_kind {
	VR_TRANSPORT_UNIX,
	VR_TRANSPORT_SSH,
	VR_TRANSPORT_LAST
};

struct vr_uri {
	char			*str;		/* as given */
	enum vr_transport_kind	 transport;
	char			*user;		/* NULL unless USER@ */
	char			*host;		/* NULL for local */
	unsigned int		 port;		/* 0: the default */
	char			*path;		/* "/system" */
	char			*socket;	/* ?socket=PATH, or NULL */
	/* ssh only */
	char			*keyfile;	/* ?keyfile=PATH: ssh -i */
	char			*known_hosts;	/* ?known_hosts=PATH */
	bool			 no_verify;	/* ?no_verify=1 */
	char			*relay;		/* ?relay=PATH on the host */
};

/* Returns NULL with an error recorded if the URI is malformed. */
struct vr_uri *vr_uri_parse(const char *);
void	 vr_uri_free(struct vr_uri *);

/*
 * The socket to connect to, given ?socket=PATH (NULL: the default system
 * socket). readonly picks vireod-ro.sock next to vireod.sock: for an
 * explicit PATH, only when it ends in "/vireod.sock" (any other PATH is
 * used as given). Used by the client for local URIs and by vireo-relay on
 * the far side of ssh. Caller frees.
 */
char	*vr_socket_path(const char *socket, bool readonly);

struct vr_transport;

/*
 * Connect to the daemon named by uri (readonly: its read-only socket).
 * For ssh this runs ssh(1) and waits until vireo-relay on the host has
 * connected to the daemon's socket (bounded by ssh's ConnectTimeout and
 * VR_TRANSPORT_SSH_TIMEOUT_S), so a returned transport is really
 * connected. Errors are recorded in plain words ("host H refused the
 * connection", "vireod not running on host H (socket S: ...)").
 * Blocks; safe from any thread (vr_error is per thread). 0 or -1.
 */
#define VR_TRANSPORT_SSH_TIMEOUT_S	30
int	 vr_transport_open(const char *uri, bool readonly,
	    struct vr_transport **);
/* The connected stream, owned by the transport. */
int	 vr_transport_fd(const struct vr_transport *);
/* The ssh process, or -1 for a local socket. */
pid_t	 vr_transport_pid(const struct vr_transport *);
/*
 * After a failed read or write on the fd: if the ssh process has ended,
 * replace the recorded error with the reason in plain words (waiting at
 * most timeout_ms for it to end). Does nothing for a local socket.
 */
void	 vr_transport_explain(struct vr_transport *, int timeout_ms);
/* Close the stream and reap the ssh process (NULL-safe). */
void	 vr_transport_close(struct vr_transport *);

#endif
