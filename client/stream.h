/*
 * The client's side of a data stream (vireo-protocol(7)): after the call
 * that opened it replied ok, pump bytes between local descriptors and the
 * connection until the daemon says "done" or "error".
 */
#ifndef VR_CLIENT_STREAM_H
#define VR_CLIENT_STREAM_H

#include <stdbool.h>
#include <stdint.h>

struct cmd_conn;

struct cmd_stream {
	uint32_t	 id;		/* the opening call's id */
	int		 in_fd;		/* bytes to send; -1: none */
	int		 out_fd;	/* where received bytes go; -1: none */
	/* in_fd is the user's terminal: this byte ends the stream (0: no) */
	int		 escape;
	/* Called as bytes move (may be NULL). */
	void		(*progress)(struct cmd_stream *, bool last);
	void		*opaque;
	uint64_t	 sent;
	uint64_t	 received;
	bool		 escaped;	/* ended by the escape byte */
};

/*
 * Run the stream to its end: 0 when the daemon said "done" (or the
 * escape byte ended it), -1 with the daemon's or a local error.
 */
int	 cmd_stream_run(struct cmd_conn *, struct cmd_stream *);

/* Progress on stderr when it is a terminal: "done of total, rate". */
struct cmd_progress {
	const char	*what;		/* "Uploading" */
	uint64_t	 total;
	uint64_t	 start_us;
	uint64_t	 last_us;
	bool		 tty;
};

void	 cmd_progress_init(struct cmd_progress *, const char *what,
	    uint64_t total);
void	 cmd_progress_show(struct cmd_progress *, uint64_t done, bool last);

#endif
