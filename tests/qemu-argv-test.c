/*
 * QEMU command line golden tests, checked against a real QEMU.
 *
 * For each tests/qemuxml2argv/NAME.xml: parse it, build the argv with a
 * fixed context (monitor /run/vireo/qemu/NAME.monitor, no KVM), format it
 * and compare with NAME.args; or, when NAME.err exists, expect a refusal
 * and compare "code: message". VR_TEST_REGENERATE=1 rewrites them.
 *   NAME.ctx       monitor_fd=N / net_fds=N,M: extra context (pre-opened
 *                  fds), such cases are not started in QEMU
 *   NAME.skipqemu  reason why the case cannot start in this test
 *
 * Hotplug: for each disk and interface of an accepted case, the arguments
 * of blockdev-add/netdev_add/device_add (qemu_argv_disk_args(),
 * qemu_argv_net_args()) must be exactly its -blockdev/-netdev/-device.
 *
 * Then, unless VR_TEST_NO_QEMU=1, every accepted case is started paused
 * (-S) in a real QEMU: the same definition built with the monitor in a
 * temporary directory, type kvm switched to TCG when the host has no
 * kvm_intel/kvm_amd (a kvm_pvm /dev/kvm cannot run guests), and every path
 * under /var/lib/vireo/images/ moved into that directory, where disk
 * images (raw, or qcow2 via qemu-img), a stub bzImage and listening
 * sockets for unix chardevs in connect mode are created first. A fixed VNC
 * display gets ",to=99" so a busy port cannot fail the test. The test talks
 * QMP (greeting, qmp_capabilities, query-status: prelaunch or paused, quit)
 * and reaps QEMU, VR_TEST_QEMU_JOBS (default 4) at a time.
 *   VR_TEST_QEMU=PATH  emulator (default /usr/bin/qemu-system-x86_64)
 *   VR_TEST_KEEP=1     keep the temporary directory
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "buf.h"
#include "dom-def.h"
#include "err.h"
#include "qemu/qemu-argv.h"
#include "util.h"
#include "xmalloc.h"

#define PLACEHOLDER	"/var/lib/vireo/images/"
#define EMULATOR	"/usr/bin/qemu-system-x86_64"
#define TIMEOUT_MS	10000
#define MAX_FDS		8
#define IMAGE_SIZE	(16 * 1024 * 1024)

struct tcase {
	char		*name;
	struct dom_def	*def;		/* NULL when refused at parse */
	bool		 accepted;	/* golden argv built */
	char		*skip;		/* NAME.skipqemu */
	bool		 has_ctx;
	int		 monitor_fd;
	int		 net_fds[MAX_FDS];
	size_t		 nnet_fds;
};

static int npassed, nfailed, nskipped;
static unsigned int parse_flags;	/* DOM_PARSE_VALIDATE with a schema */

static const char *
env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : dflt;
}

static bool
env_set(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && strcmp(v, "1") == 0;
}

static char *
read_text(const char *path)
{
	return access(path, F_OK) == 0 ? vr_file_read(path, 1 << 20, NULL) :
	    NULL;
}

static int
write_text(const char *path, const char *s)
{
	return vr_file_write_atomic(path, s, strlen(s), 0644);
}

static void
chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* case discovery */

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **
list_cases(const char *dir, size_t *n)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t len;

	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "qemu-argv-test: %s: %s\n", dir,
		    strerror(errno));
		exit(1);
	}
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len <= 4 || strcmp(e->d_name + len - 4, ".xml") != 0)
			continue;
		names = xreallocarray(names, *n + 1, sizeof *names);
		names[(*n)++] = xstrndup(e->d_name, len - 4);
	}
	closedir(d);
	if (*n > 0)
		qsort(names, *n, sizeof *names, name_cmp);
	return names;
}

static int
ctx_read(struct tcase *tc, const char *path)
{
	VR_AUTOFREE char *text = read_text(path);
	char *line, *save = NULL, *v, *tok, *save2 = NULL;
	unsigned int u;

	tc->monitor_fd = -1;
	if (text == NULL)
		return 0;
	tc->has_ctx = true;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || (v = strchr(line, '=')) == NULL)
			continue;
		*v++ = '\0';
		if (strcmp(line, "monitor_fd") == 0 &&
		    vr_parse_uint(v, &u) == 0) {
			tc->monitor_fd = (int)u;
			continue;
		}
		if (strcmp(line, "net_fds") != 0)
			goto bad;
		for (tok = strtok_r(v, ",", &save2); tok != NULL;
		    tok = strtok_r(NULL, ",", &save2)) {
			if (tc->nnet_fds == MAX_FDS ||
			    vr_parse_uint(tok, &u) < 0)
				goto bad;
			tc->net_fds[tc->nnet_fds++] = (int)u;
		}
	}
	return 0;
bad:
	fprintf(stderr, "qemu-argv-test: %s: bad line '%s'\n", path, line);
	return -1;
}

/* golden files */

static char *
subst(const char *s, const char *from, const char *to)
{
	struct vr_buf b = { 0 };
	const char *p;
	size_t fl = strlen(from);

	while ((p = strstr(s, from)) != NULL) {
		vr_buf_add(&b, s, (size_t)(p - s));
		vr_buf_puts(&b, to);
		s = p + fl;
	}
	vr_buf_puts(&b, s);
	return vr_buf_steal(&b);
}


/* "code: message", without the test directory (it varies by build). */
static char *
error_text(const char *dir)
{
	VR_AUTOFREE char *prefix = xprintf("%s/", dir);
	VR_AUTOFREE char *msg = subst(vr_error_message(), prefix, "");

	return xprintf("%s: %s\n", vr_error_code_name(vr_error_code()), msg);
}

static char *
golden_result(struct tcase *tc, const char *dir, const char *xml)
{
	struct qemu_argv_ctx ctx = { 0 };
	char mon[256], chr[256];
	char **argv;
	char *text;

	vr_error_reset();
	tc->def = dom_def_parse_file(xml, parse_flags);
	if (tc->def == NULL)
		return error_text(dir);
	snprintf(mon, sizeof mon, "/run/vireo/qemu/%s.monitor", tc->name);
	ctx.emulator = EMULATOR;
	ctx.monitor_path = mon;
	snprintf(chr, sizeof chr, "/var/lib/vireo/qemu/channel/%s", tc->name);
	ctx.chr_dir = chr;
	ctx.monitor_fd = tc->monitor_fd;
	ctx.kvm_usable = false;
	ctx.net_fds = tc->net_fds;
	ctx.nnet_fds = tc->nnet_fds;
	argv = qemu_argv_build(tc->def, &ctx);
	if (argv == NULL)
		return error_text(dir);
	tc->accepted = true;
	text = qemu_argv_format(argv);
	qemu_argv_free(argv);
	return text;
}

/* Prints the first line where want and got differ. */
static void
show_diff(const char *want, const char *got)
{
	int line = 1;
	size_t wl, gl;

	while (*want != '\0' || *got != '\0') {
		wl = strcspn(want, "\n");
		gl = strcspn(got, "\n");
		if (wl != gl || strncmp(want, got, wl) != 0) {
			printf("        line %d\n        want: %.*s\n"
			    "        got:  %.*s\n", line, (int)wl, want,
			    (int)gl, got);
			return;
		}
		want += wl + (want[wl] != '\0');
		got += gl + (got[gl] != '\0');
		line++;
	}
}

static void
golden_check(struct tcase *tc, const char *dir)
{
	VR_AUTOFREE char *xml = xprintf("%s/%s.xml", dir, tc->name);
	VR_AUTOFREE char *args = xprintf("%s/%s.args", dir, tc->name);
	VR_AUTOFREE char *err = xprintf("%s/%s.err", dir, tc->name);
	VR_AUTOFREE char *ctx = xprintf("%s/%s.ctx", dir, tc->name);
	VR_AUTOFREE char *skip = xprintf("%s/%s.skipqemu", dir, tc->name);
	VR_AUTOFREE char *got = NULL;
	VR_AUTOFREE char *want = NULL;
	const char *path;

	if (ctx_read(tc, ctx) < 0) {
		printf("FAIL  golden  %s: bad %s\n", tc->name, ctx);
		nfailed++;
		return;
	}
	if ((tc->skip = read_text(skip)) != NULL)
		chomp(tc->skip);
	got = golden_result(tc, dir, xml);
	path = tc->accepted ? args : err;
	if (env_set("VR_TEST_REGENERATE")) {
		unlink(tc->accepted ? err : args);
		if (write_text(path, got) < 0) {
			printf("FAIL  golden  %s: %s\n", tc->name,
			    vr_error_message());
			nfailed++;
			return;
		}
	}
	want = read_text(path);
	if (want == NULL) {
		printf("FAIL  golden  %s: %s is missing; got:\n%s", tc->name,
		    path, got);
		nfailed++;
	} else if (strcmp(want, got) != 0) {
		printf("FAIL  golden  %s: differs from %s\n", tc->name, path);
		show_diff(want, got);
		nfailed++;
	} else {
		printf("ok    golden  %s%s\n", tc->name, tc->accepted ? "" :
		    " (refused)");
		npassed++;
	}
}

/* The argv of a minimal domain with this on_crash, or NULL. */
static char *
on_crash_argv(enum dom_lifecycle_action action, bool panic)
{
	struct qemu_argv_ctx ctx = { 0 };
	VR_AUTO(dom_def) def = NULL;
	VR_AUTOFREE char *xml = NULL;
	char **argv, *text;

	xml = xprintf("<domain type='qemu'><name>on-crash</name>"
	    "<uuid>c7a5fdbd-edaf-9455-926a-d65c16db08ff</uuid>"
	    "<memory>262144</memory><os><type>hvm</type></os>"
	    "<on_crash>%s</on_crash><devices>%s</devices></domain>",
	    dom_lifecycle_action_to_string(action),
	    panic ? "<panic model='isa'/>" : "");
	ctx.emulator = EMULATOR;
	ctx.monitor_path = "/run/vireo/qemu/on-crash.monitor";
	ctx.monitor_fd = -1;
	vr_error_reset();
	if ((def = dom_def_parse_string(xml, parse_flags)) == NULL ||
	    (argv = qemu_argv_build(def, &ctx)) == NULL)
		return NULL;
	text = qemu_argv_format(argv);
	qemu_argv_free(argv);
	return text;
}

/*
 * on_crash is the driver's: with a panic device, every value gives the same
 * argv, with "-action panic=pause"; without one, no -action panic at all.
 */
static void
on_crash_check(void)
{
	VR_AUTOFREE char *first = NULL;
	bool ok = true, has, any;
	char *text;
	int panic, a;

	for (panic = 0; panic < 2; panic++) {
		free(first);
		first = NULL;
		for (a = 0; a < DOM_LIFECYCLE_LAST; a++) {
			if ((text = on_crash_argv(a, panic)) == NULL) {
				printf("FAIL  unit    on_crash %s%s: %s\n",
				    dom_lifecycle_action_to_string(a),
				    panic ? " with panic" : "",
				    vr_error_message());
				ok = false;
				continue;
			}
			/* "panic" nowhere else: a panic device adds both */
			has = strstr(text, "-action panic=pause\n") != NULL &&
			    strstr(text, "-device pvpanic,id=panic0") != NULL;
			any = strstr(text, "panic") != NULL;
			if (has != (panic != 0) || any != (panic != 0) ||
			    (first != NULL && strcmp(first, text) != 0)) {
				printf("FAIL  unit    on_crash %s%s: argv:\n%s",
				    dom_lifecycle_action_to_string(a),
				    panic ? " with panic" : "", text);
				ok = false;
			}
			if (first == NULL)
				first = xstrdup(text);
			free(text);
		}
	}
	if (ok) {
		printf("ok    unit    on_crash: one argv for every value, "
		    "-action panic=pause only with a panic device\n");
		npassed++;
	} else
		nfailed++;
}

/* live check: helpers */

static uint64_t
now_ms(void)
{
	return vr_time_ms();
}

static void
close_from(int lowfd)
{
	long max;
	int fd;

	if (close_range((unsigned int)lowfd, ~0U, 0) == 0)
		return;
	max = sysconf(_SC_OPEN_MAX);
	for (fd = lowfd; fd < (max > 0 ? max : 1024); fd++)
		close(fd);
}

/* fork + execve, stdin /dev/null, stdout and stderr to log; no shell. */
static pid_t
spawn(char *const argv[], const char *log)
{
	static char *const envp[] = { "LC_ALL=C", "PATH=/usr/bin:/bin", NULL };
	sigset_t all, old;
	pid_t pid;
	int fd, sig;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid != 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return pid;
	}
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if ((fd = open("/dev/null", O_RDONLY)) < 0 || dup2(fd, 0) < 0)
		_exit(127);
	if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600)) < 0 ||
	    dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(127);
	close_from(3);
	execve(argv[0], argv, envp);
	_exit(127);
}

/* Waits up to timeout_ms; kills (and reaps) on timeout. */
static int
reap(pid_t pid, int timeout_ms, int *status)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= end)
			break;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return -1;
}

static int
write_file(const char *path, const void *data, size_t len, off_t size)
{
	VR_AUTOCLOSE int fd = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : -1;
	if (len > 0 && vr_write_all(fd, data, len) < 0)
		return -1;
	if (size > 0 && ftruncate(fd, size) < 0)
		return -1;
	return 0;
}

/*
 * A stub bzImage: a boot protocol 2.15 header QEMU accepts for -kernel with
 * -initrd and -append. The guest never runs (-S), so no code is needed.
 */
static int
write_fake_kernel(const char *path)
{
	unsigned char k[8192] = { 0 };

	k[0x1f1] = 4;				/* setup_sects */
	k[0x1fe] = 0x55, k[0x1ff] = 0xaa;	/* boot_flag */
	memcpy(k + 0x202, "HdrS", 4);
	k[0x206] = 0x0f, k[0x207] = 0x02;	/* version 2.15 */
	k[0x211] = 0x01;			/* loadflags: LOADED_HIGH */
	k[0x22c] = 0xff, k[0x22d] = 0xff;	/* initrd_addr_max */
	k[0x22e] = 0xff, k[0x22f] = 0x37;
	k[0x238] = 0xff, k[0x239] = 0x07;	/* cmdline_size 2047 */
	return write_file(path, k, sizeof k, 0);
}

static int
make_parent(const char *path)
{
	VR_AUTOFREE char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');

	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	return vr_mkdir_p(dir, 0755);
}

struct live {
	const struct tcase	*tc;
	const char		*emulator;
	const char		*qemu_img;
	char			*dir;		/* root/NAME */
	char			*log;
	struct vr_buf		 msg;		/* failure details */
	bool			 skip;		/* msg is a reason to skip */
	int			 socks[MAX_FDS];
	size_t			 nsocks;
};

static int __attribute__((format(printf, 2, 3)))
live_fail(struct live *lv, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vr_buf_vprintf(&lv->msg, fmt, ap);
	va_end(ap);
	return -1;
}

static int
make_image(struct live *lv, const char *path, bool qcow2)
{
	char *argv[] = { (char *)lv->qemu_img, "create", "-q", "-f", "qcow2",
	    (char *)path, "16M", NULL };
	pid_t pid;
	int status;

	if (make_parent(path) < 0)
		return live_fail(lv, "mkdir for %s: %s", path,
		    vr_error_message());
	if (!qcow2 || access(path, F_OK) == 0) {
		if (write_file(path, NULL, 0, qcow2 ? 0 : IMAGE_SIZE) < 0)
			return live_fail(lv, "%s: %s", path, strerror(errno));
		return 0;
	}
	if (access(lv->qemu_img, X_OK) != 0) {
		lv->skip = true;
		return live_fail(lv, "%s is not installed (qcow2 image)",
		    lv->qemu_img);
	}
	if ((pid = spawn(argv, lv->log)) < 0)
		return live_fail(lv, "fork: %s", strerror(errno));
	if (reap(pid, TIMEOUT_MS, &status) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return live_fail(lv, "%s create %s failed", lv->qemu_img, path);
	return 0;
}

static int
listen_unix(struct live *lv, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (lv->nsocks == MAX_FDS || strlen(path) >= sizeof sun.sun_path)
		return live_fail(lv, "%s: too many sockets or too long", path);
	if (make_parent(path) < 0)
		return live_fail(lv, "mkdir for %s failed", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0 ||
	    listen(fd, 4) < 0) {
		if (fd >= 0)
			close(fd);
		return live_fail(lv, "listen on %s: %s", path, strerror(errno));
	}
	lv->socks[lv->nsocks++] = fd;
	return 0;
}

/* Only paths under the placeholder are ours to create. */
static char *
our_path(const struct live *lv, const char *p)
{
	VR_AUTOFREE char *to = xprintf("%s/", lv->dir);

	if (p == NULL || strncmp(p, PLACEHOLDER, strlen(PLACEHOLDER)) != 0)
		return NULL;
	return subst(p, PLACEHOLDER, to);
}

static int
prepare_files(struct live *lv, const struct dom_def *def)
{
	char *p;
	size_t i;
	int rc = 0;

	for (i = 0; i < def->ndisks && rc == 0; i++) {
		if ((p = our_path(lv, def->disks[i].src_path)) == NULL)
			continue;
		rc = make_image(lv, p,
		    def->disks[i].format == DOM_DISK_FORMAT_QCOW2);
		free(p);
	}
	if (rc == 0 && (p = our_path(lv, def->kernel)) != NULL) {
		if (make_parent(p) < 0 || write_fake_kernel(p) < 0)
			rc = live_fail(lv, "%s: %s", p, strerror(errno));
		free(p);
	}
	if (rc == 0 && (p = our_path(lv, def->initrd)) != NULL) {
		if (make_parent(p) < 0 || write_file(p, NULL, 0, 4096) < 0)
			rc = live_fail(lv, "%s: %s", p, strerror(errno));
		free(p);
	}
	for (i = 0; i < def->nchrs && rc == 0; i++) {
		const struct dom_chr *c = &def->chrs[i];

		/* a serial console is the first serial port, same source */
		if (c->kind == DOM_CHR_KIND_CONSOLE &&
		    c->target_type != DOM_CHR_TARGET_VIRTIO)
			continue;
		if ((p = our_path(lv, c->path)) == NULL)
			continue;
		if (make_parent(p) < 0)
			rc = live_fail(lv, "mkdir for %s failed", p);
		else if (c->type == DOM_CHR_UNIX && !c->listen)
			rc = listen_unix(lv, p);
		free(p);
	}
	return rc;
}

/* QMP */

struct qmp {
	int	 fd;
	char	 buf[65536];
	size_t	 len;
};

/* Retries until QEMU listens; *pid becomes -1 if QEMU exited (reaped). */
static int
qmp_connect(struct live *lv, struct qmp *q, const char *path, pid_t *pid)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	uint64_t end = now_ms() + TIMEOUT_MS;
	int status;

	if (strlen(path) >= sizeof sun.sun_path)
		return live_fail(lv, "%s: path too long for a socket", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	for (;;) {
		q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (q->fd < 0)
			return live_fail(lv, "socket: %s", strerror(errno));
		if (connect(q->fd, (struct sockaddr *)&sun, sizeof sun) == 0)
			return 0;
		close(q->fd);
		q->fd = -1;
		if (waitpid(*pid, &status, WNOHANG) == *pid) {
			*pid = -1;
			return live_fail(lv, "QEMU exited (%s %d) before its "
			    "QMP socket accepted a connection",
			    WIFEXITED(status) ? "exit code" : "signal",
			    WIFEXITED(status) ? WEXITSTATUS(status) :
			    WTERMSIG(status));
		}
		if (now_ms() >= end)
			return live_fail(lv, "no QMP socket after %d ms",
			    TIMEOUT_MS);
		usleep(20000);
	}
}

/* Reads one message (a line). */
static struct json_object *
qmp_read(struct live *lv, struct qmp *q)
{
	uint64_t end = now_ms() + TIMEOUT_MS;
	struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
	struct json_object *o;
	char *nl;
	ssize_t n;

	while ((nl = memchr(q->buf, '\n', q->len)) == NULL) {
		if (q->len == sizeof q->buf - 1 || now_ms() >= end ||
		    poll(&pfd, 1, (int)(end - now_ms())) <= 0) {
			live_fail(lv, "QMP: no complete message in %d ms",
			    TIMEOUT_MS);
			return NULL;
		}
		n = read(q->fd, q->buf + q->len, sizeof q->buf - 1 - q->len);
		if (n <= 0) {
			live_fail(lv, "QMP: connection closed");
			return NULL;
		}
		q->len += (size_t)n;
	}
	*nl = '\0';
	o = json_tokener_parse(q->buf);
	if (o == NULL)
		live_fail(lv, "QMP: bad JSON: %s", q->buf);
	q->len -= (size_t)(nl + 1 - q->buf);
	memmove(q->buf, nl + 1, q->len);
	return o;
}

/* Sends a command; returns the reply holding "return" (caller puts). */
static struct json_object *
qmp_cmd(struct live *lv, struct qmp *q, const char *cmd)
{
	VR_AUTOFREE char *line = xprintf("{\"execute\":\"%s\"}\n", cmd);
	struct json_object *o, *v;

	if (vr_write_all(q->fd, line, strlen(line)) < 0) {
		live_fail(lv, "QMP: write %s: %s", cmd, strerror(errno));
		return NULL;
	}
	while ((o = qmp_read(lv, q)) != NULL) {
		if (json_object_object_get_ex(o, "return", &v))
			return o;
		if (json_object_object_get_ex(o, "error", &v)) {
			live_fail(lv, "QMP: %s: %s", cmd,
			    json_object_to_json_string(v));
			json_object_put(o);
			return NULL;
		}
		json_object_put(o);		/* an event */
	}
	return NULL;
}

static int
qmp_dialog(struct live *lv, struct qmp *q)
{
	struct json_object *o, *ret, *st;
	const char *status;
	int rc = -1;

	if ((o = qmp_read(lv, q)) == NULL)
		return -1;
	if (!json_object_object_get_ex(o, "QMP", NULL)) {
		json_object_put(o);
		return live_fail(lv, "QMP: no greeting");
	}
	json_object_put(o);
	if ((o = qmp_cmd(lv, q, "qmp_capabilities")) == NULL)
		return -1;
	json_object_put(o);
	if ((o = qmp_cmd(lv, q, "query-status")) == NULL)
		return -1;
	json_object_object_get_ex(o, "return", &ret);
	if (!json_object_object_get_ex(ret, "status", &st) ||
	    (status = json_object_get_string(st)) == NULL)
		live_fail(lv, "query-status: no status");
	else if (strcmp(status, "prelaunch") != 0 &&
	    strcmp(status, "paused") != 0)
		live_fail(lv, "query-status: status '%s'", status);
	else
		rc = 0;
	json_object_put(o);
	if ((o = qmp_cmd(lv, q, "quit")) == NULL)
		return -1;
	json_object_put(o);
	return rc;
}

/* live check: one case */

static char **
live_argv(struct live *lv, struct dom_def *def, bool kvm, char **skip)
{
	struct qemu_argv_ctx ctx = { 0 };
	VR_AUTOFREE char *mon = xprintf("%s/qmp.sock", lv->dir);
	VR_AUTOFREE char *to = xprintf("%s/", lv->dir);
	char **argv, *s;
	size_t i;

	if (!kvm)
		def->virt = DOM_VIRT_QEMU;
	ctx.emulator = lv->emulator;
	ctx.monitor_path = mon;
	ctx.chr_dir = lv->dir;
	ctx.monitor_fd = -1;
	ctx.kvm_usable = kvm;
	def->emulator = NULL;
	if ((argv = qemu_argv_build(def, &ctx)) == NULL) {
		*skip = xprintf("cannot run without KVM: %s",
		    vr_error_message());
		return NULL;
	}
	for (i = 0; argv[i] != NULL; i++) {
		s = subst(argv[i], PLACEHOLDER, to);
		free(argv[i]);
		argv[i] = s;
		if (i > 0 && strcmp(argv[i - 1], "-vnc") == 0 &&
		    strstr(argv[i], ",to=") == NULL) {
			s = xprintf("%s,to=99", argv[i]);
			free(argv[i]);
			argv[i] = s;
		}
	}
	return argv;
}

static void
append_log(struct live *lv)
{
	VR_AUTOFREE char *tail = vr_file_tail(lv->log, 15);

	if (tail != NULL && *tail != '\0')
		vr_buf_printf(&lv->msg, "\n        QEMU output:\n%s", tail);
}

/* 0 passed, 1 failed, 77 skipped; details in lv->msg. */
static int
live_run(struct live *lv, struct dom_def *def, bool kvm)
{
	struct qmp *q = xcalloc(1, sizeof *q);
	char **argv = NULL;
	char *skip = NULL;
	VR_AUTOFREE char *mon = xprintf("%s/qmp.sock", lv->dir);
	pid_t pid = -1;
	int status, rc = 1;
	size_t i;

	q->fd = -1;
	if (vr_mkdir_p(lv->dir, 0700) < 0) {
		live_fail(lv, "%s", vr_error_message());
		goto out;
	}
	if ((argv = live_argv(lv, def, kvm, &skip)) == NULL) {
		vr_buf_puts(&lv->msg, skip);
		free(skip);
		rc = 77;
		goto out;
	}
	if (prepare_files(lv, def) < 0) {
		rc = lv->skip ? 77 : 1;
		goto out;
	}
	if ((pid = spawn(argv, lv->log)) < 0) {
		live_fail(lv, "fork: %s", strerror(errno));
		goto out;
	}
	if (qmp_connect(lv, q, mon, &pid) < 0)
		goto out;
	if (qmp_dialog(lv, q) < 0)
		goto out;
	if (reap(pid, TIMEOUT_MS, &status) < 0) {
		pid = -1;
		live_fail(lv, "QEMU did not exit after quit");
		goto out;
	}
	pid = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		live_fail(lv, "QEMU ended with %s %d after quit",
		    WIFEXITED(status) ? "exit code" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		goto out;
	}
	rc = 0;
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	if (rc == 1)
		append_log(lv);
	if (q->fd >= 0)
		close(q->fd);
	for (i = 0; i < lv->nsocks; i++)
		close(lv->socks[i]);
	free(q);
	qemu_argv_free(argv);
	return rc;
}

/* Runs in a forked worker: prints its line with one write(). */
static void __attribute__((noreturn))
live_worker(struct tcase *tc, const char *root, const char *emulator,
    const char *qemu_img, bool kvm)
{
	struct live lv = { .tc = tc, .emulator = emulator,
	    .qemu_img = qemu_img };
	struct vr_buf out = { 0 };
	uint64_t t0 = now_ms();
	int rc;

	lv.dir = xprintf("%s/%s", root, tc->name);
	lv.log = xprintf("%s/%s.log", root, tc->name);
	rc = live_run(&lv, tc->def, kvm);
	if (rc == 0)
		vr_buf_printf(&out, "ok    qemu    %s (%.2f s)\n", tc->name,
		    (double)(now_ms() - t0) / 1000);
	else
		vr_buf_printf(&out, "%s  qemu    %s: %s\n", rc == 77 ? "skip" :
		    "FAIL", tc->name, vr_buf_str(&lv.msg));
	vr_write_all(1, out.s, out.len);
	_exit(rc);
}

static bool
kvm_usable(const char **why)
{
	int fd;

	if (access("/sys/module/kvm_intel", F_OK) != 0 &&
	    access("/sys/module/kvm_amd", F_OK) != 0) {
		*why = "no kvm_intel/kvm_amd module";
		return false;
	}
	if ((fd = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0) {
		*why = "/dev/kvm not usable";
		return false;
	}
	close(fd);
	*why = "kvm_intel/kvm_amd";
	return true;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(path);
}

static void
live_collect(int status)
{
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 1;

	if (rc == 0)
		npassed++;
	else if (rc == 77)
		nskipped++;
	else
		nfailed++;
}

static void
live_all(struct tcase *cases, size_t n)
{
	const char *emulator = env_or("VR_TEST_QEMU", EMULATOR);
	VR_AUTOFREE char *img = NULL;
	VR_AUTOFREE char *root = NULL;
	const char *why;
	unsigned int jobs = 4, running = 0, started = 0;
	uint64_t t0 = now_ms();
	bool kvm;
	size_t i;
	int status;

	if (access(emulator, X_OK) != 0) {
		printf("skip  qemu    all: %s is not installed\n", emulator);
		nskipped++;
		return;
	}
	img = xprintf("%.*s/qemu-img", (int)(strrchr(emulator, '/') -
	    emulator), emulator);
	vr_parse_uint(env_or("VR_TEST_QEMU_JOBS", "4"), &jobs);
	jobs = jobs == 0 ? 1 : jobs;
	root = xprintf("%s/vireo-argv-XXXXXX", env_or("TMPDIR", "/tmp"));
	if (mkdtemp(root) == NULL || strpbrk(root, ",\"\\ ") != NULL) {
		printf("FAIL  qemu    all: temporary directory %s: %s\n", root,
		    strerror(errno));
		nfailed++;
		return;
	}
	kvm = kvm_usable(&why);
	printf("      qemu    %s, accel %s (%s), %u at a time, in %s\n",
	    emulator, kvm ? "kvm" : "tcg", why, jobs, root);
	for (i = 0; i < n; i++) {
		struct tcase *tc = &cases[i];

		if (!tc->accepted)
			continue;
		if (tc->skip != NULL || tc->has_ctx) {
			printf("skip  qemu    %s: %s\n", tc->name,
			    tc->skip != NULL ? tc->skip : "uses a .ctx file");
			nskipped++;
			continue;
		}
		while (running >= jobs && wait(&status) > 0) {
			live_collect(status);
			running--;
		}
		fflush(stdout);
		switch (fork()) {
		case -1:
			printf("FAIL  qemu    %s: fork: %s\n", tc->name,
			    strerror(errno));
			nfailed++;
			continue;
		case 0:
			live_worker(tc, root, emulator, img, kvm);
		default:
			running++;
			started++;
		}
	}
	while (running > 0 && wait(&status) > 0) {
		live_collect(status);
		running--;
	}
	printf("      qemu    %u cases in %.1f s\n", started,
	    (double)(now_ms() - t0) / 1000);
	if (!env_set("VR_TEST_KEEP"))
		nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Does argv hold opt followed by value? */
static bool
argv_has(char **argv, const char *opt, const char *value)
{
	size_t i;

	for (i = 0; argv[i] != NULL && argv[i + 1] != NULL; i++)
		if (strcmp(argv[i], opt) == 0 && strcmp(argv[i + 1], value) == 0)
			return true;
	return false;
}

static bool
hotplug_has_json(char **argv, struct json_object *o)
{
	return o == NULL || argv_has(argv, "-blockdev",
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
}

static bool
hotplug_has_props(char **argv, const char *opt, struct json_object *o)
{
	VR_AUTOFREE char *s = NULL;

	if (o == NULL)
		return false;
	s = qemu_argv_props_format(o);
	return argv_has(argv, opt, s);
}

/*
 * Hotplug arguments are the command line's: for every disk and interface
 * of every accepted case, blockdev-add/netdev_add/device_add arguments
 * rendered as on the command line are exactly its -blockdev, -netdev and
 * -device.
 */
static int
hotplug_case(struct tcase *tc, char **argv)
{
	struct qemu_dev_args a;
	char fd[16];
	size_t i;
	bool ok;

	for (i = 0; i < tc->def->ndisks; i++) {
		if (qemu_argv_disk_args(tc->def, i, &a) < 0) {
			printf("FAIL  hotplug %s: disk '%s': %s\n", tc->name,
			    tc->def->disks[i].target_dev, vr_error_message());
			return -1;
		}
		ok = hotplug_has_json(argv, a.backend) &&
		    hotplug_has_json(argv, a.format) &&
		    hotplug_has_props(argv, "-device", a.device);
		qemu_dev_args_clear(&a);
		if (!ok) {
			printf("FAIL  hotplug %s: disk '%s' differs from the "
			    "argv\n", tc->name, tc->def->disks[i].target_dev);
			return -1;
		}
	}
	for (i = 0; i < tc->def->nnets; i++) {
		bool tap = tc->def->nets[i].type != DOM_NET_USER;

		snprintf(fd, sizeof fd, "%d", i < tc->nnet_fds ?
		    tc->net_fds[i] : -1);
		if (qemu_argv_net_args(tc->def, i, (unsigned int)i,
		    tap ? fd : NULL, &a) < 0) {
			printf("FAIL  hotplug %s: interface %zu: %s\n",
			    tc->name, i, vr_error_message());
			return -1;
		}
		ok = hotplug_has_props(argv, "-netdev", a.backend) &&
		    hotplug_has_props(argv, "-device", a.device);
		qemu_dev_args_clear(&a);
		if (!ok) {
			printf("FAIL  hotplug %s: interface %zu differs from "
			    "the argv\n", tc->name, i);
			return -1;
		}
	}
	return 0;
}

static void
hotplug_check(struct tcase *cases, size_t n)
{
	struct qemu_argv_ctx ctx = { 0 };
	char mon[256], chr[256];
	size_t i, ndev = 0, ncases = 0;
	char **argv;
	bool ok = true;

	for (i = 0; i < n; i++) {
		struct tcase *tc = &cases[i];

		if (!tc->accepted || tc->def->ndisks + tc->def->nnets == 0)
			continue;
		snprintf(mon, sizeof mon, "/run/vireo/qemu/%s.monitor",
		    tc->name);
		snprintf(chr, sizeof chr, "/var/lib/vireo/qemu/channel/%s",
		    tc->name);
		ctx.emulator = EMULATOR;
		ctx.monitor_path = mon;
		ctx.chr_dir = chr;
		ctx.monitor_fd = tc->monitor_fd;
		ctx.net_fds = tc->net_fds;
		ctx.nnet_fds = tc->nnet_fds;
		if ((argv = qemu_argv_build(tc->def, &ctx)) == NULL) {
			printf("FAIL  hotplug %s: %s\n", tc->name,
			    vr_error_message());
			ok = false;
			continue;
		}
		if (hotplug_case(tc, argv) < 0)
			ok = false;
		qemu_argv_free(argv);
		ncases++;
		ndev += tc->def->ndisks + tc->def->nnets;
	}
	if (ok) {
		printf("ok    hotplug arguments = argv for %zu devices in %zu "
		    "cases\n", ndev, ncases);
		npassed++;
	} else
		nfailed++;
}

int
main(int argc, char **argv)
{
	VR_AUTOFREE char *dir = NULL;
	VR_AUTOFREE char *schema = NULL;
	struct tcase *cases;
	char **names;
	size_t i, n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1)
		dir = xstrdup(argv[1]);
	else
		dir = xprintf("%s/tests/qemuxml2argv",
		    env_or("abs_top_srcdir", "."));
	schema = xprintf("%s/domain.rng", env_or("VR_SCHEMA_DIR",
	    "xml-schemas"));
	if (access(schema, R_OK) == 0) {
		*strrchr(schema, '/') = '\0';
		dom_def_set_schema_dir(schema);
		parse_flags = DOM_PARSE_VALIDATE;
	}
	printf("      golden  %s, schema %s\n", dir, parse_flags != 0 ?
	    schema : "none (not validated)");
	names = list_cases(dir, &n);
	if (n == 0) {
		fprintf(stderr, "qemu-argv-test: no cases in %s\n", dir);
		return 1;
	}
	cases = xcalloc(n, sizeof *cases);
	for (i = 0; i < n; i++) {
		cases[i].name = names[i];
		golden_check(&cases[i], dir);
	}
	on_crash_check();
	hotplug_check(cases, n);
	if (env_set("VR_TEST_NO_QEMU"))
		printf("      qemu    skipped (VR_TEST_NO_QEMU=1)\n");
	else
		live_all(cases, n);
	printf("%d passed, %d failed", npassed, nfailed);
	if (nskipped > 0)
		printf(", %d skipped", nskipped);
	printf("\n");
	for (i = 0; i < n; i++) {
		dom_def_free(cases[i].def);
		free(cases[i].skip);
		free(cases[i].name);
	}
	free(cases);
	free(names);
	return nfailed > 0 ? 1 : 0;
}
