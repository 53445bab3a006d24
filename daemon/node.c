#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "node.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct {
	char		 model[sizeof(((struct utsname *)0)->machine)];
	unsigned int	 cpus, mhz, sockets, cores, threads;
	const char	*kvm_module;
	bool		 kvm_usable;
} node;

static unsigned int
count_unique_lines(const char *attr, unsigned int ncpu)
{
	char seen[256][32];
	unsigned int n = 0, i, j;

	for (i = 0; i < ncpu && n < 256; i++) {
		char path[128], buf[32];
		FILE *f;
		bool dup = false;

		snprintf(path, sizeof path,
		    "/sys/devices/system/cpu/cpu%u/topology/%s", i, attr);
		if ((f = fopen(path, "re")) == NULL)
			continue;
		if (fgets(buf, sizeof buf, f) == NULL) {
			fclose(f);
			continue;
		}
		fclose(f);
		for (j = 0; j < n; j++)
			if (strcmp(seen[j], buf) == 0)
				dup = true;
		if (!dup)
			snprintf(seen[n++], sizeof seen[0], "%s", buf);
	}
	return n;
}

static void
node_probe(void)
{
	struct utsname u;
	char line[256];
	unsigned int cores_total;
	FILE *f;

	uname(&u);
	snprintf(node.model, sizeof node.model, "%s", u.machine);
	node.cpus = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	if ((f = fopen("/proc/cpuinfo", "re")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL) {
			double mhz;

			if (sscanf(line, "cpu MHz : %lf", &mhz) == 1) {
				node.mhz = (unsigned int)mhz;
				break;
			}
		}
		fclose(f);
	}
	node.sockets = count_unique_lines("physical_package_id", node.cpus);
	cores_total = count_unique_lines("core_cpus_list", node.cpus);
	if (node.sockets == 0)
		node.sockets = 1;
	if (cores_total == 0)
		cores_total = node.cpus;
	node.cores = cores_total / node.sockets;
	if (node.cores == 0)
		node.cores = 1;
	node.threads = node.cpus / (node.sockets * node.cores);
	if (node.threads == 0)
		node.threads = 1;
	node.kvm_module = vr_host_kvm_module(&node.kvm_usable);
}

int
vd_node_info(struct json_object *ret)
{
	struct sysinfo si;

	pthread_once(&once, node_probe);
	sysinfo(&si);
	rpc_set_string(ret, "model", node.model);
	rpc_set_i64(ret, "memory_kib",
	    (int64_t)((unsigned long long)si.totalram * si.mem_unit / 1024));
	rpc_set_i64(ret, "cpus", node.cpus);
	rpc_set_i64(ret, "mhz", node.mhz);
	rpc_set_i64(ret, "nodes", 1);
	rpc_set_i64(ret, "sockets", node.sockets);
	rpc_set_i64(ret, "cores", node.cores);
	rpc_set_i64(ret, "threads", node.threads);
	rpc_set_string(ret, "kvm_module", node.kvm_module);
	rpc_set_bool(ret, "kvm_usable", node.kvm_usable);
	return 0;
}
