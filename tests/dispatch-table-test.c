/* Every RPC procedure number has a dispatch entry, and no gap has one. */
#include "config.h"

#include <stdio.h>

#include "dispatch.h"

int
main(void)
{
	if (vd_dispatch_check_table() < 0) {
		printf("dispatch-table: 0 passed, 1 failed\n");
		return 1;
	}
	printf("dispatch-table: 1 passed, 0 failed\n");
	return 0;
}
