/* A fixed pool of worker threads for blocking work. */
#ifndef VD_WORKERS_H
#define VD_WORKERS_H

typedef void (*vd_work_fn)(void *);

void	 vd_workers_start(unsigned int n);
void	 vd_workers_submit(vd_work_fn, void *);

#endif
