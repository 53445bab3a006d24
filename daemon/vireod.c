/*
 * vireod: the Vireo management daemon.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libxml/parser.h>

#include "conf.h"
#include "dispatch.h"
#include "driver.h"
#include "err.h"
#include "event.h"
#include "log.h"
#include "proc-net.h"
#include "pool-def.h"
#include "rpc.h"
#include "server.h"
#include "util.h"
#include "xml-util.h"
#include "xmalloc.h"

VR_LOG_MODULE("daemon");

struct paths {
	char	*config_dir;
	char	*state_dir;
	char	*run_dir;
	char	*log_dir;
	char	*config_file;
	char	*pidfile;
	char	*sock_rw;
	char	*sock_ro;
};

static struct vr_loop *loop;

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: vireod [--root DIR] [--config FILE] [--pidfile FILE] "
	    "[--verbose]\n"
	    "              [--daemon] [--check-config] [--version]\n");
	exit(status);
}

static void
paths_init(struct paths *p, const char *root, const char *config)
{
	if (root != NULL) {
		p->config_dir = xprintf("%s/etc", root);
		p->state_dir = xprintf("%s/lib", root);
		p->run_dir = xprintf("%s/run", root);
		p->log_dir = xprintf("%s/log", root);
	} else {
		p->config_dir = xprintf("%s/vireo", VR_SYSCONFDIR);
		p->state_dir = xprintf("%s/lib/vireo", VR_LOCALSTATEDIR);
		p->run_dir = xprintf("%s/vireo", VR_RUNSTATEDIR);
		p->log_dir = xprintf("%s/log/vireo", VR_LOCALSTATEDIR);
	}
	p->config_file = config != NULL ? xstrdup(config) :
	    xprintf("%s/vireod.conf", p->config_dir);
}

static void
path_set(char **path, const char *val)
{
	if (val != NULL) {
		free(*path);
		*path = xstrdup(val);
	}
}

/* Once the configuration is read: its path keys, then derived paths. */
static void
paths_finish(struct paths *p, const struct vd_conf *c, const char *pidfile)
{
	const char *sock_dir;

	path_set(&p->state_dir, c->state_dir);
	path_set(&p->run_dir, c->run_dir);
	path_set(&p->log_dir, c->log_dir);
	sock_dir = c->unix_sock_dir != NULL ? c->unix_sock_dir : p->run_dir;
	p->pidfile = pidfile != NULL ? xstrdup(pidfile) :
	    xprintf("%s/vireod.pid", p->run_dir);
	p->sock_rw = xprintf("%s/vireod.sock", sock_dir);
	p->sock_ro = xprintf("%s/vireod-ro.sock", sock_dir);
}

static void
paths_free(struct paths *p)
{
	free(p->config_dir);
	free(p->state_dir);
	free(p->run_dir);
	free(p->log_dir);
	free(p->config_file);
	free(p->pidfile);
	free(p->sock_rw);
	free(p->sock_ro);
}

static void
emit_event(const char *event, const char *dom, const char *type,
    const char *detail)
{
	struct json_object *data = json_object_new_object();

	rpc_set_string(data, "domain", dom);
	rpc_set_string(data, "type", type);
	rpc_set_string(data, "detail", detail);
	log_debug("event %s: domain '%s' %s (%s)", event, dom, type, detail);
	vd_server_broadcast(event, data);
}

static void
signal_cb(int fd, int events, void *opaque)
{
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof si) == sizeof si) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			log_info("signal %d: shutting down (guests keep "
			    "running)", (int)si.ssi_signo);
			vr_loop_quit(loop);
		}
	}
}

/* Lock the pidfile so a second daemon on the same root fails early. */
static int
pidfile_lock(const char *path)
{
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		vr_error_system(errno, "cannot open pidfile '%s'", path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		vr_error(VR_ERR_EXISTS, "another vireod holds '%s'", path);
		close(fd);
		return -1;
	}
	return fd;
}

static int
pidfile_write(int fd)
{
	char buf[32];
	int len = snprintf(buf, sizeof buf, "%d\n", (int)getpid());

	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)len, 0) != len ||
	    fsync(fd) < 0) {
		vr_error_system(errno, "cannot write pidfile");
		return -1;
	}
	return 0;
}

static void
daemonize(void)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) < 0)
		fatal("fork: %s", strerror(errno));
	if (pid > 0)
		_exit(0);
	setsid();
	if ((pid = fork()) < 0)
		fatal("fork: %s", strerror(errno));
	if (pid > 0)
		_exit(0);
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'R' },
		{ "config", required_argument, NULL, 'f' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "daemon", no_argument, NULL, 'd' },
		{ "check-config", no_argument, NULL, 'n' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *root = NULL, *config = NULL, *pidfile = NULL;
	bool verbose = false, detach = false, check = false;
	struct vr_driver_env env = { 0 };
	struct vd_limits limits = { 0 };
	VR_AUTOFREE char *schemas = NULL;
	struct paths paths = { 0 };
	struct vd_conf conf;
	gid_t sock_gid = (gid_t)-1;
	sigset_t sigs;
	int ch, sfd, pidfd;
	const char *sd;

	/*
	 * glibc gives each worker thread a malloc arena of its own, and each
	 * keeps what a big reply freed: repeated domstats of 1000 domains
	 * left 21 MiB resident with the default arenas, 12 MiB with two, at
	 * the same speed (make bench-stats). MALLOC_ARENA_MAX still rules.
	 */
	if (getenv("MALLOC_ARENA_MAX") == NULL)
		mallopt(M_ARENA_MAX, 2);

	while ((ch = getopt_long(argc, argv, "R:f:p:vdnVh", opts,
	    NULL)) != -1) {
		switch (ch) {
		case 'R':
			root = optarg;
			break;
		case 'f':
			config = optarg;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'd':
			detach = true;
			break;
		case 'n':
			check = true;
			break;
		case 'V':
			printf("vireod %s (protocol %d)\n", PACKAGE_VERSION,
			    RPC_PROTOCOL_VERSION);
			return 0;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	if (root != NULL && root[0] != '/') {
		fprintf(stderr, "vireod: --root must be an absolute path\n");
		return 2;
	}

	paths_init(&paths, root, config);
	vd_conf_defaults(&conf);
	if ((config != NULL || access(paths.config_file, F_OK) == 0) &&
	    vd_conf_load(&conf, paths.config_file) < 0) {
		fprintf(stderr, "vireod: %s\n", vr_error_message());
		vd_conf_clear(&conf);
		paths_free(&paths);
		return 1;
	}
	paths_finish(&paths, &conf, pidfile);
	if (check) {
		printf("%s: configuration OK\n", paths.config_file);
		vd_conf_clear(&conf);
		paths_free(&paths);
		return 0;
	}
	if (verbose)
		conf.log_level = VR_LOG_DEBUG;
	if (detach)
		conf.log_syslog = true;
	vr_log_init("vireod", conf.log_level, conf.log_syslog);

	if ((sd = getenv("VR_SCHEMA_DIR")) != NULL)
		schemas = xstrdup(sd);
	else
		schemas = xstrdup(VR_SCHEMADIR);
	vr_xml_set_schema_dir(schemas);
	xmlInitParser();

	if (vr_mkdir_p(paths.config_dir, 0755) < 0 ||
	    vr_mkdir_p(paths.state_dir, 0755) < 0 ||
	    vr_mkdir_p(paths.run_dir, 0755) < 0 ||
	    vr_mkdir_p(paths.log_dir, 0755) < 0 ||
	    (conf.unix_sock_dir != NULL &&
	    vr_mkdir_p(conf.unix_sock_dir, 0755) < 0))
		fatal("%s", vr_error_message());
	if (detach)
		daemonize();
	if ((pidfd = pidfile_lock(paths.pidfile)) < 0)
		fatal("%s", vr_error_message());

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if ((sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		fatal("signalfd: %s", strerror(errno));

	loop = vr_loop_new();
	vr_loop_add_fd(loop, sfd, VR_EV_READ, signal_cb, NULL);

	env.loop = loop;
	env.config_dir = paths.config_dir;
	env.state_dir = paths.state_dir;
	env.run_dir = paths.run_dir;
	env.log_dir = paths.log_dir;
	env.qemu_binary = conf.qemu_binary;
	env.qemu_user = conf.user;
	env.qemu_group = conf.group;
	env.dnsmasq_user = conf.dnsmasq_user;
	env.job_wait_ms = conf.job_wait_timeout_ms;
	env.emit_event = emit_event;
	/* networks first: domains take back their guests' taps on them */
	if (nw_net_driver.init(&env) < 0)
		fatal("network driver: %s", vr_error_message());
	env.net_port_open = nw_net_driver.port_open;
	env.net_port_close = nw_net_driver.port_close;
	/* Each driver reaches the other only through these hooks. */
	env.volume_path = stg_storage_driver.volume_path;
	env.volume_user = qemu_dom_driver.volume_user;
	env.path_user = stg_storage_driver.path_user;	/* snapshots */
	pool_def_set_schema_dir(schemas);
	/* Pools first: restarted domains may run on their volumes. */
	if (stg_storage_driver.init(&env) < 0)
		fatal("storage driver: %s", vr_error_message());
	if (qemu_dom_driver.init(&env) < 0)
		fatal("qemu driver: %s", vr_error_message());

	limits.max_clients = conf.max_clients;
	limits.max_requests = conf.max_requests;
	limits.idle_timeout_s = conf.client_idle_timeout;
	limits.frame_timeout_ms = conf.frame_timeout_ms;
	limits.max_frame = RPC_MAX_FRAME;
	limits.rw_by_group = conf.unix_sock_group != NULL;
	vd_server_init(loop, &limits);
	vd_dispatch_init(&qemu_dom_driver, &stg_storage_driver,
	    conf.max_workers);
	vd_proc_net_init(&nw_net_driver);
	if (conf.unix_sock_group != NULL) {
		struct group *gr = getgrnam(conf.unix_sock_group);

		if (gr == NULL)
			fatal("unix_sock_group '%s' does not exist",
			    conf.unix_sock_group);
		sock_gid = gr->gr_gid;
	}
	if (vd_server_listen(paths.sock_rw, conf.unix_sock_rw_perms,
	    sock_gid, false) < 0 || vd_server_listen(paths.sock_ro,
	    conf.unix_sock_ro_perms, sock_gid, true) < 0)
		fatal("%s", vr_error_message());
	/* Both sockets accept connections: now the pidfile. */
	if (pidfile_write(pidfd) < 0)
		fatal("%s", vr_error_message());
	log_info("vireod %s ready (root %s)", PACKAGE_VERSION,
	    root != NULL ? root : "/");
	nw_net_driver.autostart();
	stg_storage_driver.autostart();
	qemu_dom_driver.autostart();

	vr_loop_run(loop);

	vd_server_close();
	qemu_dom_driver.cleanup();
	nw_net_driver.cleanup();
	stg_storage_driver.cleanup();
	unlink(paths.pidfile);
	close(pidfd);
	vd_conf_clear(&conf);
	paths_free(&paths);
	log_info("vireod stopped");
	return 0;
}
