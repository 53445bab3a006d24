/*
 * libFuzzer target for the RPC frame reader and the call envelope checks.
 *
 * Input: a mode byte, a seed byte, then the bytes a client would send.
 * The mode picks how the stream is cut into writes (whole, 1 byte, random
 * sizes up to 4, 16, 256 or 4096 bytes...), whether the connection is
 * read-only and whether max_frame is small (8 to 1024 bytes) or the
 * daemon's RPC_MAX_FRAME. The stream goes through a non-blocking
 * socketpair into rpc_reader_read(), as in daemon/server.c client_io().
 *
 * Checks:
 *  - the reader returns exactly the frames, refusals (-2) and EOF that a
 *    one-shot decoding of the whole stream gives, however it is cut;
 *  - each frame goes through the envelope checks of vd_dispatch_frame()
 *    (JSON object, type, version, id, proc, read-only, args) and the
 *    procedure's rpc_get_*() argument decoding; a refusal always has an
 *    error code and message;
 *  - the reply the daemon would send (error or ok) goes through
 *    rpc_send() and comes back from rpc_recv() with the same id.
 *
 * vd_dispatch_frame() itself needs a client, workers and a driver, so the
 * envelope checks are copied here (envelope_check, proc_descs). Keep them
 * in step with daemon/dispatch.c until the decoding is a pure function in
 * common/rpc.c that this target can call.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>

#include "err.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MODE_CHUNK(m)		((m) & 0x7)
#define MODE_READONLY		0x08
#define MODE_SMALL_MAX(m)	(8u << (((m) >> 4) & 0x7))
#define MODE_SMALL		0x80

#define FAIL(...) do {							\
	fprintf(stderr, "fuzz-rpc: " __VA_ARGS__);			\
	fprintf(stderr, "\n");						\
	abort();							\
} while (0)

/* Argument decoding of each procedure, as daemon/dispatch.c does it. */
enum arg_type { ARG_STRING, ARG_BOOL, ARG_U64, ARG_FIELDS };

struct arg_desc {
	const char	*key;
	enum arg_type	 type;
	bool		 required;
};

struct proc_desc {
	bool		 known;
	bool		 rw;
	struct arg_desc	 args[4];
};

#define DOM_ARG		{ "dom", ARG_STRING, true }
#define XML_ARG		{ "xml", ARG_STRING, true }
#define OPT_BOOL(k)	{ k, ARG_BOOL, false }

static const struct proc_desc proc_descs[RPC_PROC_LAST] = {
	[RPC_PROC_CONNECT_GET_VERSION] = { true, false, { { NULL } } },
	[RPC_PROC_CONNECT_GET_HOSTNAME] = { true, false, { { NULL } } },
	[RPC_PROC_NODE_GET_INFO] = { true, false, { { NULL } } },
	[RPC_PROC_CONNECT_GET_CAPABILITIES] = { true, false, { { NULL } } },
	[RPC_PROC_CONNECT_GET_IDENTITY] = { true, false, { { NULL } } },
	[RPC_PROC_DOM_DEFINE] = { true, true, { XML_ARG } },
	[RPC_PROC_DOM_UNDEFINE] = { true, true, { DOM_ARG } },
	[RPC_PROC_DOM_CREATE] = { true, true,
	    { XML_ARG, OPT_BOOL("paused") } },
	[RPC_PROC_DOM_START] = { true, true,
	    { DOM_ARG, OPT_BOOL("paused") } },
	[RPC_PROC_DOM_SHUTDOWN] = { true, true, { DOM_ARG } },
	[RPC_PROC_DOM_DESTROY] = { true, true,
	    { DOM_ARG, OPT_BOOL("graceful") } },
	[RPC_PROC_DOM_REBOOT] = { true, true, { DOM_ARG } },
	[RPC_PROC_DOM_RESET] = { true, true, { DOM_ARG } },
	[RPC_PROC_DOM_SUSPEND] = { true, true, { DOM_ARG } },
	[RPC_PROC_DOM_RESUME] = { true, true, { DOM_ARG } },
	[RPC_PROC_DOM_SET_MEMORY] = { true, true, { DOM_ARG,
	    { "kib", ARG_U64, true }, OPT_BOOL("live"),
	    OPT_BOOL("config") } },
	[RPC_PROC_DOM_SET_MAX_MEMORY] = { true, true, { DOM_ARG,
	    { "kib", ARG_U64, true }, OPT_BOOL("live"),
	    OPT_BOOL("config") } },
	[RPC_PROC_DOM_SET_AUTOSTART] = { true, true,
	    { DOM_ARG, { "autostart", ARG_BOOL, true } } },
	[RPC_PROC_DOM_LIST] = { true, false, { OPT_BOOL("active"),
	    OPT_BOOL("inactive"), { "fields", ARG_FIELDS, false } } },
	[RPC_PROC_DOM_GET_INFO] = { true, false, { DOM_ARG } },
	[RPC_PROC_DOM_GET_XML] = { true, false,
	    { DOM_ARG, OPT_BOOL("inactive"), OPT_BOOL("secure") } },
	[RPC_PROC_DOM_XML_TO_NATIVE] = { true, false, { XML_ARG } },
	[RPC_PROC_EVENT_SUBSCRIBE] = { true, false, { { NULL } } },
	/* data streams */
	[RPC_PROC_VOL_UPLOAD] = { true, true, { { "pool", ARG_STRING, false },
	    { "vol", ARG_STRING, true }, { "offset", ARG_U64, false },
	    { "length", ARG_U64, false } } },
	[RPC_PROC_VOL_DOWNLOAD] = { true, true, {
	    { "pool", ARG_STRING, false }, { "vol", ARG_STRING, true },
	    { "offset", ARG_U64, false }, { "length", ARG_U64, false } } },
	[RPC_PROC_DOM_OPEN_CONSOLE] = { true, true, { DOM_ARG,
	    { "devname", ARG_STRING, false }, OPT_BOOL("force") } },
};

/* Members of a domain info object that "fields" may name. */
static const char *const info_fields[] = {
	"id", "name", "uuid", "state", "reason", "max_mem_kib", "mem_kib",
	"vcpus", "cpu_time_ns", "persistent", "autostart", "os_type", "virt",
};

/* What the daemon would answer to one frame. */
struct verdict {
	uint64_t	 id;
	int		 code;		/* VR_ERR_OK: the call runs */
	char		 msg[512];
};

static void __attribute__((format(printf, 3, 4)))
refuse(struct verdict *v, int code, const char *fmt, ...)
{
	va_list ap;

	v->code = code;
	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof v->msg, fmt, ap);
	va_end(ap);
}

/* An accessor failed: it must have said why. */
static void
check_accessor_error(const char *key)
{
	if (vr_error_code() != VR_ERR_RPC)
		FAIL("rpc_get_* failed on '%s' with code %d", key,
		    vr_error_code());
	if (strstr(vr_error_message(), key) == NULL)
		FAIL("rpc_get_* error does not name '%s': %s", key,
		    vr_error_message());
}

/* proc_dom_list's info_mask(): every element a known member name. */
static int
decode_fields(struct json_object *args)
{
	struct json_object *arr, *f;
	size_t i, k, n;

	if (!json_object_object_get_ex(args, "fields", &arr))
		return 0;
	if (!json_object_is_type(arr, json_type_array)) {
		vr_error(VR_ERR_RPC, "argument 'fields' must be an array");
		return -1;
	}
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		f = json_object_array_get_idx(arr, i);
		for (k = 0; k < nitems(info_fields); k++)
			if (json_object_is_type(f, json_type_string) &&
			    strcmp(json_object_get_string(f),
			    info_fields[k]) == 0)
				break;
		if (k == nitems(info_fields)) {
			/* json null in the array: NULL, as the daemon sees */
			vr_error(VR_ERR_RPC, "unknown field '%s' in 'fields'",
			    f != NULL ? json_object_get_string(f) : "null");
			return -1;
		}
	}
	return 0;
}

static int
decode_arg(struct json_object *args, const struct arg_desc *a, bool *value)
{
	const char *s;
	uint64_t u;
	bool b;

	*value = false;
	switch (a->type) {
	case ARG_STRING:
		s = NULL;
		if (rpc_get_string(args, a->key, a->required, &s) < 0) {
			check_accessor_error(a->key);
			return -1;
		}
		if (a->required && s == NULL)
			FAIL("rpc_get_string('%s') succeeded without a value",
			    a->key);
		return 0;
	case ARG_BOOL:
		b = false;
		if (rpc_get_bool(args, a->key, a->required, &b) < 0) {
			check_accessor_error(a->key);
			return -1;
		}
		*value = b;
		return 0;
	case ARG_U64:
		if (rpc_get_u64(args, a->key, a->required, &u) < 0) {
			check_accessor_error(a->key);
			return -1;
		}
		return 0;
	case ARG_FIELDS:
		return decode_fields(args);
	}
	FAIL("bad argument type");
}

/* The handler's decoding; a failure becomes the reply's error. */
static void
decode_args(int64_t proc, struct json_object *args, bool readonly,
    struct verdict *v)
{
	const struct proc_desc *d = &proc_descs[proc];
	bool secure = false, value;
	size_t i;

	vr_error_reset();
	for (i = 0; i < nitems(d->args) && d->args[i].key != NULL; i++) {
		if (decode_arg(args, &d->args[i], &value) < 0) {
			refuse(v, vr_error_code(), "%s", vr_error_message());
			return;
		}
		if (strcmp(d->args[i].key, "secure") == 0)
			secure = value;
	}
	if (proc == RPC_PROC_DOM_GET_XML && secure && readonly)
		refuse(v, VR_ERR_OPERATION_DENIED, "--security-info is not "
		    "allowed on a read-only connection");
}

/* vd_dispatch_frame()'s checks, in its order. */
static void
envelope_check(const char *body, uint32_t len, bool readonly,
    struct verdict *v)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *msg, *val, *args = NULL;
	const char *type;
	int64_t proc, version;

	memset(v, 0, sizeof *v);
	msg = json_tokener_parse_ex(tok, body, (int)len);
	if (msg != NULL && tok->char_offset != (int)len) {
		json_object_put(msg);
		msg = NULL;
	}
	json_tokener_free(tok);
	if (msg == NULL || !json_object_is_type(msg, json_type_object)) {
		json_object_put(msg);
		refuse(v, VR_ERR_RPC, "malformed message: the frame is not a "
		    "JSON object");
		return;
	}
	vr_error_reset();
	if (json_object_object_get_ex(msg, "id", &val) &&
	    json_object_is_type(val, json_type_int))
		v->id = json_object_get_uint64(val);
	type = NULL;
	if (rpc_get_string(msg, "type", true, &type) == 0 &&
	    strcmp(type, "stream") == 0) {
		/* No stream is open here: a stream error either way. */
		if (rpc_get_string(msg, "status", true, &type) < 0)
			check_accessor_error("status");
		refuse(v, VR_ERR_RPC, "no open stream on this connection");
	} else if (type == NULL || strcmp(type, "call") != 0)
		refuse(v, VR_ERR_RPC, "malformed message: \"type\" must be "
		    "\"call\"");
	else if (rpc_get_i64(msg, "version", true, &version) < 0 ||
	    version != RPC_PROTOCOL_VERSION)
		refuse(v, VR_ERR_RPC, "unsupported protocol version");
	else if (rpc_get_i64(msg, "proc", true, &proc) < 0) {
		check_accessor_error("proc");
		refuse(v, VR_ERR_RPC, "%s", vr_error_message());
	} else if (proc <= 0 || proc >= RPC_PROC_LAST ||
	    !proc_descs[proc].known)
		refuse(v, VR_ERR_RPC, "unknown procedure %lld",
		    (long long)proc);
	else if (proc_descs[proc].rw && readonly)
		refuse(v, VR_ERR_OPERATION_DENIED, "operation %lld is "
		    "forbidden on a read-only connection", (long long)proc);
	else if (json_object_object_get_ex(msg, "args", &args) &&
	    !json_object_is_type(args, json_type_object))
		refuse(v, VR_ERR_RPC, "malformed message: \"args\" must be an "
		    "object");
	else {
		args = args != NULL ? json_object_get(args) :
		    json_object_new_object();
		decode_args(proc, args, readonly, v);
		json_object_put(args);
	}
	json_object_put(msg);
}

/* Sockets carrying the reply from the "daemon" to the "client". */
static int reply_fds[2] = { -1, -1 };

/* The reply to v must reach a client intact. */
static void
check_reply(const struct verdict *v)
{
	struct json_object *reply, *got, *val;
	const char *type;
	bool ok;

	if (v->code != VR_ERR_OK && v->msg[0] == '\0')
		FAIL("refusal with code %d has no message", v->code);
	reply = v->code != VR_ERR_OK ?
	    rpc_reply_error(v->id, v->code, v->msg) : rpc_reply_ok(v->id, NULL);
	if (rpc_send(reply_fds[0], reply) < 0)
		FAIL("rpc_send of a reply failed: %s", vr_error_message());
	json_object_put(reply);
	if ((got = rpc_recv(reply_fds[1], RPC_MAX_FRAME)) == NULL)
		FAIL("rpc_recv of a reply failed: %s", vr_error_message());
	if (rpc_get_string(got, "type", true, &type) < 0 ||
	    strcmp(type, "reply") != 0 ||
	    !json_object_object_get_ex(got, "id", &val) ||
	    json_object_get_uint64(val) != v->id ||
	    rpc_get_bool(got, "ok", true, &ok) < 0 ||
	    ok != (v->code == VR_ERR_OK))
		FAIL("reply came back changed: %s",
		    json_object_to_json_string(got));
	json_object_put(got);
}

/* Decoding the whole stream at once: where the next frame must be. */
struct expect {
	const uint8_t	*stream;
	size_t		 len;
	size_t		 pos;		/* start of the next frame */
	size_t		 max_frame;
	bool		 done;		/* EOF or refusal seen */
};

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/*
 * What a header announces: the body length (a stream frame's without its
 * flag), whether it is a stream frame, and whether the reader takes it.
 */
static bool
frame_valid(const struct expect *e, uint32_t word, uint32_t *blen,
    bool *stream)
{
	*stream = (word & RPC_STREAM_FLAG) != 0;
	*blen = word & ~RPC_STREAM_FLAG;
	if (*stream)
		return *blen >= RPC_STREAM_ID_LEN &&
		    *blen <= RPC_STREAM_ID_LEN + RPC_STREAM_CHUNK;
	return word != 0 && word <= e->max_frame;
}

/* Compare one rpc_reader_read() result with the one-shot decoding. */
static void
expect_result(struct expect *e, int rc, int err, const char *body,
    uint32_t len, bool eof_sent)
{
	size_t left = e->len - e->pos;
	uint32_t want = 0;
	bool valid = false, stream = false, whole;

	if (e->done)
		FAIL("rpc_reader_read returned %d after the end", rc);
	if (left >= RPC_HEADER_LEN)
		valid = frame_valid(e, be32(e->stream + e->pos), &want,
		    &stream);
	whole = left >= RPC_HEADER_LEN && left - RPC_HEADER_LEN >= want;
	switch (rc) {
	case 1:
	case 2:
		if (left < RPC_HEADER_LEN || !valid || !whole ||
		    stream != (rc == 2))
			FAIL("frame of %u bytes at offset %zu: none expected "
			    "(rc %d)", len, e->pos, rc);
		if (len != want || memcmp(body, e->stream + e->pos +
		    RPC_HEADER_LEN, want) != 0 || body[len] != '\0')
			FAIL("frame at offset %zu: got %u bytes, expected %u "
			    "or other content", e->pos, len, want);
		e->pos += RPC_HEADER_LEN + want;
		return;
	case 0:
		if (eof_sent)
			FAIL("rpc_reader_read wants more data after EOF");
		return;
	case -1:
		if (!eof_sent || err != EPIPE)
			FAIL("rpc_reader_read failed (%s) before EOF",
			    strerror(err));
		if (left >= RPC_HEADER_LEN && valid && whole)
			FAIL("EOF with a complete frame at offset %zu",
			    e->pos);
		if (left >= RPC_HEADER_LEN && !valid)
			FAIL("EOF instead of refusing %u bytes", want);
		e->done = true;
		return;
	case -2:
		if (left < RPC_HEADER_LEN || valid || len != want)
			FAIL("refused a frame of %u bytes at offset %zu", len,
			    e->pos);
		e->done = true;
		return;
	default:
		FAIL("rpc_reader_read returned %d", rc);
	}
}

/* Next write size; rng is a small xorshift seeded from the input. */
static size_t
next_chunk(unsigned int mode, uint32_t *rng, size_t left)
{
	size_t n;

	*rng ^= *rng << 13;
	*rng ^= *rng >> 17;
	*rng ^= *rng << 5;
	switch (MODE_CHUNK(mode)) {
	case 0:
		n = left;
		break;
	case 1:
		n = 1;
		break;
	case 2:
		n = 1 + *rng % 4;
		break;
	case 3:
		n = 1 + *rng % 16;
		break;
	case 4:
		n = 1 + *rng % 256;
		break;
	case 5:
		n = 1 + *rng % 4096;
		break;
	case 6:		/* header-sized pieces, off by one */
		n = 3 + *rng % 3;
		break;
	default:
		n = 1 + *rng % (left + 1);
		break;
	}
	return n < left ? n : left;
}

/* Take what the reader has; stop at EOF or a refusal, as client_io(). */
static bool
drain(struct rpc_reader *r, int fd, struct expect *e, bool readonly,
    bool eof_sent)
{
	struct verdict v;
	char *body;
	uint32_t len;
	int rc;

	for (;;) {
		body = NULL;
		len = 0;
		errno = 0;
		rc = rpc_reader_read(r, fd, &body, &len);
		expect_result(e, rc, errno, body, len, eof_sent);
		if (rc == 2) {		/* stream data: no envelope */
			free(body);
			continue;
		}
		if (rc != 1)
			return rc == 0;
		envelope_check(body, len, readonly, &v);
		free(body);
		check_reply(&v);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    reply_fds) < 0) {
		perror("socketpair");
		exit(1);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpc_reader r;
	struct expect e = { 0 };
	unsigned int mode = 0;
	uint32_t rng = 0x9e3779b9;
	bool readonly, more = true;
	size_t off = 0, n;
	ssize_t w;
	int fds[2];

	if (size >= 2) {
		mode = data[0];
		rng ^= (uint32_t)data[1] << 8 | data[1];
		data += 2;
		size -= 2;
	}
	readonly = (mode & MODE_READONLY) != 0;
	e.stream = data;
	e.len = size;
	e.max_frame = (mode & MODE_SMALL) ? MODE_SMALL_MAX(mode) :
	    RPC_MAX_FRAME;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    fds) < 0)
		FAIL("socketpair: %s", strerror(errno));
	rpc_reader_init(&r, e.max_frame);
	while (more && off < size) {
		n = next_chunk(mode, &rng, size - off);
		w = write(fds[1], data + off, n);
		if (w < 0 && errno != EAGAIN)
			FAIL("write: %s", strerror(errno));
		if (w > 0)
			off += (size_t)w;
		more = drain(&r, fds[0], &e, readonly, false);
	}
	if (more) {
		shutdown(fds[1], SHUT_WR);
		drain(&r, fds[0], &e, readonly, true);
	}
	rpc_reader_clear(&r);
	close(fds[0]);
	close(fds[1]);
	return 0;
}
