/*
 * memcheck: the test guest's witness that a migration carried all of its
 * memory. Built static and packed into the initramfs as /bin/memcheck;
 * /init starts it with vireo.memcheck=MIB on the kernel command line.
 *
 * Every page of a MIB buffer holds the number of the last pass that wrote
 * it and its own index. Each pass first checks that the page still holds
 * the previous pass and its index, then writes the new pass. A page the
 * migration did not carry (or carried from an older round) holds an older
 * pass on the destination, so the next pass reports it:
 *   VIREO-MEMCHECK started MIB=N pages=N
 *   VIREO-MEMCHECK pass=N ok               at most every 5 s
 *   VIREO-MEMCHECK BAD page=N pass=N have=N index=N
 * Passes are paced (a pause every 256 pages) so that the guest keeps
 * dirtying memory during a migration without outrunning it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE	4096UL

struct page_tag {
	unsigned long	pass;
	unsigned long	index;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	unsigned long mib, pages, i, pass, bad = 0;
	unsigned char *buf;
	double last;

	if (argc != 2 || (mib = strtoul(argv[1], NULL, 10)) == 0 ||
	    mib > 4096) {
		fprintf(stderr, "usage: memcheck MIB\n");
		return 2;
	}
	pages = mib * 1024 * 1024 / PAGE;
	buf = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED) {
		perror("VIREO-MEMCHECK mmap");
		return 1;
	}
	for (i = 0; i < pages; i++) {
		struct page_tag *t = (struct page_tag *)(buf + i * PAGE);

		t->pass = 0;
		t->index = i;
	}
	printf("VIREO-MEMCHECK started MIB=%lu pages=%lu\n", mib, pages);
	fflush(stdout);
	last = now();
	for (pass = 1;; pass++) {
		for (i = 0; i < pages; i++) {
			struct page_tag *t = (struct page_tag *)(buf +
			    i * PAGE);

			if (t->pass != pass - 1 || t->index != i) {
				if (bad++ < 20) {
					printf("VIREO-MEMCHECK BAD page=%lu "
					    "pass=%lu have=%lu index=%lu\n",
					    i, pass, t->pass, t->index);
					fflush(stdout);
				}
				t->index = i;
			}
			t->pass = pass;
			if (i % 256 == 255)
				usleep(2000);
		}
		if (now() - last >= 5) {
			printf("VIREO-MEMCHECK pass=%lu %s\n", pass,
			    bad == 0 ? "ok" : "BAD");
			fflush(stdout);
			last = now();
		}
	}
}
