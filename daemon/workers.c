#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "log.h"
#include "workers.h"
#include "xmalloc.h"

VR_LOG_MODULE("daemon.workers");

struct work {
	vd_work_fn	 fn;
	void		*arg;
	struct work	*next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static struct work *head, *tail;

static void *
worker_main(void *arg)
{
	struct work *w;

	for (;;) {
		pthread_mutex_lock(&lock);
		while (head == NULL)
			pthread_cond_wait(&cond, &lock);
		w = head;
		head = w->next;
		if (head == NULL)
			tail = NULL;
		pthread_mutex_unlock(&lock);
		w->fn(w->arg);
		free(w);
	}
	return NULL;
}

void
vd_workers_start(unsigned int n)
{
	pthread_attr_t attr;
	pthread_t t;
	unsigned int i;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 1024 * 1024);
	for (i = 0; i < n; i++)
		if (pthread_create(&t, &attr, worker_main, NULL) != 0)
			fatal("cannot start worker thread");
	pthread_attr_destroy(&attr);
	log_debug("%u workers started", n);
}

void
vd_workers_submit(vd_work_fn fn, void *arg)
{
	struct work *w = xmalloc(sizeof *w);

	w->fn = fn;
	w->arg = arg;
	w->next = NULL;
	pthread_mutex_lock(&lock);
	if (tail != NULL)
		tail->next = w;
	else
		head = w;
	tail = w;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
}
