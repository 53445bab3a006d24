#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "event.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("event");

struct watch {
	int		 fd;		/* -1: free slot */
	int		 events;
	uint32_t	 gen;
	vr_fd_cb	 cb;
	void		*opaque;
};

struct timer {
	int		 id;		/* 0: free slot */
	uint64_t	 due_ms;
	uint64_t	 period_ms;	/* 0: one-shot */
	vr_timer_cb	 cb;
	void		*opaque;
};

struct post {
	vr_post_cb	 cb;
	void		*opaque;
	struct post	*next;
};

struct vr_loop {
	int		 epfd;
	int		 wakefd;
	pthread_t	 thread;
	bool		 running;
	bool		 quit;
	pthread_mutex_t	 lock;		/* watches, timers, posts */
	struct watch	*watches;
	size_t		 nwatches;
	struct timer	*timers;
	size_t		 ntimers;
	int		 next_timer_id;
	struct post	*posts, *posts_tail;
};

static uint32_t
ev_to_epoll(int events)
{
	uint32_t e = 0;

	if (events & VR_EV_READ)
		e |= EPOLLIN | EPOLLRDHUP;
	if (events & VR_EV_WRITE)
		e |= EPOLLOUT;
	return e;
}

static void
loop_wake(struct vr_loop *l)
{
	uint64_t one = 1;

	if (write(l->wakefd, &one, sizeof one) < 0 && errno != EAGAIN)
		log_warn("cannot wake the event loop");
}

struct vr_loop *
vr_loop_new(void)
{
	struct vr_loop *l = xcalloc(1, sizeof *l);
	struct epoll_event ev = { .events = EPOLLIN };

	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		fatal("epoll_create1: %s", strerror(errno));
	if ((l->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
		fatal("eventfd: %s", strerror(errno));
	ev.data.u64 = UINT64_MAX;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->wakefd, &ev) < 0)
		fatal("epoll_ctl: %s", strerror(errno));
	pthread_mutex_init(&l->lock, NULL);
	l->next_timer_id = 1;
	return l;
}

void
vr_loop_free(struct vr_loop *l)
{
	struct post *p;

	if (l == NULL)
		return;
	while ((p = l->posts) != NULL) {
		l->posts = p->next;
		free(p);
	}
	close(l->epfd);
	close(l->wakefd);
	free(l->watches);
	free(l->timers);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

bool
vr_loop_is_loop_thread(struct vr_loop *l)
{
	return l->running && pthread_equal(l->thread, pthread_self());
}

int
vr_loop_add_fd(struct vr_loop *l, int fd, int events, vr_fd_cb cb,
    void *opaque)
{
	struct epoll_event ev;
	size_t i;

	pthread_mutex_lock(&l->lock);
	for (i = 0; i < l->nwatches; i++)
		if (l->watches[i].fd < 0)
			break;
	if (i == l->nwatches) {
		l->watches = xreallocarray(l->watches, l->nwatches + 16,
		    sizeof *l->watches);
		for (; l->nwatches < i + 16; l->nwatches++) {
			l->watches[l->nwatches].fd = -1;
			l->watches[l->nwatches].gen = 0;
		}
	}
	l->watches[i].fd = fd;
	l->watches[i].events = events;
	l->watches[i].gen++;
	l->watches[i].cb = cb;
	l->watches[i].opaque = opaque;
	memset(&ev, 0, sizeof ev);
	ev.events = ev_to_epoll(events);
	ev.data.u64 = (uint64_t)l->watches[i].gen << 32 | i;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		log_warn("epoll_ctl add fd %d", fd);
		l->watches[i].fd = -1;
		pthread_mutex_unlock(&l->lock);
		return -1;
	}
	pthread_mutex_unlock(&l->lock);
	return (int)i + 1;
}

int
vr_loop_update_fd(struct vr_loop *l, int id, int events)
{
	struct epoll_event ev;
	struct watch *w;
	int ret = -1;

	pthread_mutex_lock(&l->lock);
	if (id > 0 && (size_t)id <= l->nwatches &&
	    (w = &l->watches[id - 1])->fd >= 0) {
		if (w->events == events) {
			ret = 0;
		} else {
			memset(&ev, 0, sizeof ev);
			ev.events = ev_to_epoll(events);
			ev.data.u64 = (uint64_t)w->gen << 32 | (uint64_t)(id - 1);
			ret = epoll_ctl(l->epfd, EPOLL_CTL_MOD, w->fd, &ev);
			if (ret == 0)
				w->events = events;
		}
	}
	pthread_mutex_unlock(&l->lock);
	return ret;
}

void
vr_loop_remove_fd(struct vr_loop *l, int id)
{
	struct watch *w;

	pthread_mutex_lock(&l->lock);
	if (id > 0 && (size_t)id <= l->nwatches &&
	    (w = &l->watches[id - 1])->fd >= 0) {
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
		w->fd = -1;
		w->cb = NULL;
		w->opaque = NULL;
	}
	pthread_mutex_unlock(&l->lock);
}

int
vr_loop_add_timer(struct vr_loop *l, uint64_t ms, bool periodic,
    vr_timer_cb cb, void *opaque)
{
	size_t i;
	int id;

	pthread_mutex_lock(&l->lock);
	for (i = 0; i < l->ntimers; i++)
		if (l->timers[i].id == 0)
			break;
	if (i == l->ntimers) {
		l->timers = xreallocarray(l->timers, l->ntimers + 8,
		    sizeof *l->timers);
		memset(l->timers + l->ntimers, 0, 8 * sizeof *l->timers);
		l->ntimers += 8;
	}
	id = l->next_timer_id++;
	l->timers[i].id = id;
	l->timers[i].due_ms = vr_time_ms() + ms;
	l->timers[i].period_ms = periodic ? (ms != 0 ? ms : 1) : 0;
	l->timers[i].cb = cb;
	l->timers[i].opaque = opaque;
	pthread_mutex_unlock(&l->lock);
	if (!vr_loop_is_loop_thread(l))
		loop_wake(l);
	return id;
}

void
vr_loop_remove_timer(struct vr_loop *l, int id)
{
	size_t i;

	pthread_mutex_lock(&l->lock);
	for (i = 0; i < l->ntimers; i++)
		if (l->timers[i].id == id)
			l->timers[i].id = 0;
	pthread_mutex_unlock(&l->lock);
}

void
vr_loop_post(struct vr_loop *l, vr_post_cb cb, void *opaque)
{
	struct post *p = xmalloc(sizeof *p);

	p->cb = cb;
	p->opaque = opaque;
	p->next = NULL;
	pthread_mutex_lock(&l->lock);
	if (l->posts_tail != NULL)
		l->posts_tail->next = p;
	else
		l->posts = p;
	l->posts_tail = p;
	pthread_mutex_unlock(&l->lock);
	loop_wake(l);
}

void
vr_loop_quit(struct vr_loop *l)
{
	l->quit = true;
	loop_wake(l);
}

/* Milliseconds to the next timer, -1 if none. Locked. */
static int
loop_next_timeout(struct vr_loop *l, uint64_t now)
{
	uint64_t best = UINT64_MAX;
	size_t i;

	for (i = 0; i < l->ntimers; i++)
		if (l->timers[i].id != 0 && l->timers[i].due_ms < best)
			best = l->timers[i].due_ms;
	if (best == UINT64_MAX)
		return -1;
	if (best <= now)
		return 0;
	return best - now > 60000 ? 60000 : (int)(best - now);
}

static void
loop_run_timers(struct vr_loop *l)
{
	uint64_t now = vr_time_ms();
	size_t i;

	for (i = 0; i < l->ntimers; i++) {
		struct timer t;

		pthread_mutex_lock(&l->lock);
		t = l->timers[i];
		if (t.id == 0 || t.due_ms > now) {
			pthread_mutex_unlock(&l->lock);
			continue;
		}
		if (t.period_ms != 0)
			l->timers[i].due_ms = now + t.period_ms;
		else
			l->timers[i].id = 0;
		pthread_mutex_unlock(&l->lock);
		t.cb(t.opaque);
	}
}

static void
loop_run_posts(struct vr_loop *l)
{
	struct post *p, *next;
	uint64_t junk;

	if (read(l->wakefd, &junk, sizeof junk) < 0 && errno != EAGAIN)
		log_warn("eventfd read");
	pthread_mutex_lock(&l->lock);
	p = l->posts;
	l->posts = l->posts_tail = NULL;
	pthread_mutex_unlock(&l->lock);
	for (; p != NULL; p = next) {
		next = p->next;
		p->cb(p->opaque);
		free(p);
	}
}

int
vr_loop_run(struct vr_loop *l)
{
	struct epoll_event evs[64];
	int n, i, timeout;

	l->thread = pthread_self();
	l->running = true;
	while (!l->quit) {
		pthread_mutex_lock(&l->lock);
		timeout = loop_next_timeout(l, vr_time_ms());
		pthread_mutex_unlock(&l->lock);
		n = epoll_wait(l->epfd, evs, (int)nitems(evs), timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_warn("epoll_wait");
			l->running = false;
			return -1;
		}
		for (i = 0; i < n; i++) {
			uint64_t data = evs[i].data.u64;
			size_t idx = (size_t)(data & 0xffffffffu);
			uint32_t gen = (uint32_t)(data >> 32);
			vr_fd_cb cb = NULL;
			void *opaque = NULL;
			int fd = -1, events = 0;

			if (data == UINT64_MAX) {
				loop_run_posts(l);
				continue;
			}
			pthread_mutex_lock(&l->lock);
			if (idx < l->nwatches && l->watches[idx].fd >= 0 &&
			    l->watches[idx].gen == gen) {
				cb = l->watches[idx].cb;
				opaque = l->watches[idx].opaque;
				fd = l->watches[idx].fd;
			}
			pthread_mutex_unlock(&l->lock);
			if (cb == NULL)
				continue;
			if (evs[i].events & (EPOLLIN | EPOLLRDHUP))
				events |= VR_EV_READ;
			if (evs[i].events & EPOLLOUT)
				events |= VR_EV_WRITE;
			if (evs[i].events & (EPOLLERR | EPOLLHUP))
				events |= VR_EV_ERROR | VR_EV_READ;
			cb(fd, events, opaque);
		}
		loop_run_timers(l);
	}
	l->running = false;
	return 0;
}
