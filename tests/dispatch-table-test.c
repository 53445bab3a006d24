/*
 * The dispatch table matches the protocol: every procedure rpc-proto.h
 * numbers ("RPC_PROC_NAME = N,") has an entry, and no other number does.
 * The header is read as text, so adding a procedure needs no list here.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "rpc-proto.h"

int
main(void)
{
	const char *top = getenv("abs_top_srcdir");
	bool listed[RPC_PROC_LAST] = { false };
	char path[4096], line[512], name[128];
	int p, n, nlisted = 0, bad = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/common/rpc-proto.h",
	    top != NULL ? top : ".");
	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		printf("dispatch-table: 0 passed, 1 failed\n");
		return 1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, " RPC_PROC_%127[A-Z0-9_] = %d", name, &n) != 2 ||
		    n <= 0 || strcmp(name, "LAST") == 0)
			continue;
		if (n >= RPC_PROC_LAST || listed[n]) {
			fprintf(stderr, "RPC_PROC_%s = %d: %s\n", name, n,
			    n >= RPC_PROC_LAST ? "beyond RPC_PROC_LAST" :
			    "number used twice");
			bad++;
			continue;
		}
		listed[n] = true;
		nlisted++;
	}
	fclose(f);
	for (p = 1; p < RPC_PROC_LAST; p++) {
		if (listed[p] != vd_dispatch_has(p)) {
			fprintf(stderr, "procedure %d: %s\n", p, listed[p] ?
			    "has no dispatch entry" :
			    "has an entry but is not in rpc-proto.h");
			bad++;
		}
	}
	printf("%d procedures in rpc-proto.h, all dispatched: %s\n", nlisted,
	    bad == 0 ? "yes" : "no");
	printf("dispatch-table: %d passed, %d failed\n", bad == 0 && nlisted > 50,
	    bad != 0 || nlisted <= 50);
	return bad != 0 || nlisted <= 50;
}
