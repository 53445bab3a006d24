/*
 * The event loop: one thread runs vr_loop_run(); fd watches and timers fire
 * their callbacks on that thread. Other threads may add watches and timers
 * and post functions to run on the loop (vr_loop_post), but watches and
 * timers are removed only on the loop thread, which makes freeing their
 * opaque data from a callback safe.
 */
#ifndef VR_EVENT_H
#define VR_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#define VR_EV_READ	0x1
#define VR_EV_WRITE	0x2
#define VR_EV_ERROR	0x4	/* HUP or ERR: always reported */

struct vr_loop;

typedef void (*vr_fd_cb)(int fd, int events, void *opaque);
typedef void (*vr_timer_cb)(void *opaque);
typedef void (*vr_post_cb)(void *opaque);

struct vr_loop	*vr_loop_new(void);
void		 vr_loop_free(struct vr_loop *);
/* Runs until vr_loop_quit(); returns 0, or -1 if epoll fails. */
int		 vr_loop_run(struct vr_loop *);
void		 vr_loop_quit(struct vr_loop *);
bool		 vr_loop_is_loop_thread(struct vr_loop *);

/* Returns a watch id > 0, or -1. */
int		 vr_loop_add_fd(struct vr_loop *, int fd, int events,
		    vr_fd_cb, void *opaque);
int		 vr_loop_update_fd(struct vr_loop *, int id, int events);
/* Loop thread only. The callback will not run again after this. */
void		 vr_loop_remove_fd(struct vr_loop *, int id);

/* One-shot or periodic timer; returns id > 0. */
int		 vr_loop_add_timer(struct vr_loop *, uint64_t ms, bool periodic,
		    vr_timer_cb, void *opaque);
/* Loop thread only. */
void		 vr_loop_remove_timer(struct vr_loop *, int id);

/* Run fn(opaque) on the loop thread soon. Any thread. */
void		 vr_loop_post(struct vr_loop *, vr_post_cb, void *opaque);

#endif
