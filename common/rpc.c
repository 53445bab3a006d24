#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

void
rpc_reader_init(struct rpc_reader *r, size_t max_frame)
{
	memset(r, 0, sizeof *r);
	r->max_frame = max_frame;
}

void
rpc_reader_clear(struct rpc_reader *r)
{
	free(r->body);
	r->body = NULL;
	r->hdr_len = 0;
	r->body_len = 0;
	r->body_got = 0;
	r->stream = false;
}

int
rpc_reader_read(struct rpc_reader *r, int fd, char **body, uint32_t *len)
{
	ssize_t n;

	/* Called again after refusing a header: refuse it again. */
	if (r->hdr_len == RPC_HEADER_LEN && r->body == NULL) {
		*len = r->body_len;
		return -2;
	}
	while (r->hdr_len < RPC_HEADER_LEN) {
		n = read(fd, r->hdr + r->hdr_len, RPC_HEADER_LEN - r->hdr_len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		r->hdr_len += (size_t)n;
		if (r->hdr_len < RPC_HEADER_LEN)
			continue;
		r->body_len = (uint32_t)r->hdr[0] << 24 |
		    (uint32_t)r->hdr[1] << 16 | (uint32_t)r->hdr[2] << 8 |
		    (uint32_t)r->hdr[3];
		r->stream = (r->body_len & RPC_STREAM_FLAG) != 0;
		if (r->stream) {
			r->body_len &= ~RPC_STREAM_FLAG;
			if (r->body_len < RPC_STREAM_ID_LEN ||
			    r->body_len > RPC_STREAM_ID_LEN +
			    RPC_STREAM_CHUNK) {
				*len = r->body_len;
				return -2;
			}
		} else if (r->body_len > r->max_frame || r->body_len == 0) {
			*len = r->body_len;
			return -2;
		}
		r->body = xmalloc((size_t)r->body_len + 1);
		r->body_got = 0;
	}
	while (r->body_got < r->body_len) {
		n = read(fd, r->body + r->body_got, r->body_len - r->body_got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		r->body_got += (size_t)n;
	}
	r->body[r->body_len] = '\0';
	*body = r->body;
	*len = r->body_len;
	r->body = NULL;
	r->hdr_len = 0;
	r->body_len = 0;
	r->body_got = 0;
	return r->stream ? 2 : 1;
}

void
rpc_stream_frame_header(char *frame, uint32_t id, size_t len)
{
	uint32_t word = RPC_STREAM_FLAG | (uint32_t)(len + RPC_STREAM_ID_LEN);
	int i;

	for (i = 0; i < 4; i++) {
		frame[i] = (char)((word >> (24 - 8 * i)) & 0xff);
		frame[RPC_HEADER_LEN + i] = (char)((id >> (24 - 8 * i)) &
		    0xff);
	}
}

char *
rpc_stream_frame_encode(uint32_t id, const void *data, size_t len,
    size_t *flen)
{
	char *frame = xmalloc(RPC_STREAM_HDR_LEN + len);

	rpc_stream_frame_header(frame, id, len);
	if (len > 0)
		memcpy(frame + RPC_STREAM_HDR_LEN, data, len);
	*flen = RPC_STREAM_HDR_LEN + len;
	return frame;
}

uint32_t
rpc_stream_frame_id(const char *body)
{
	const uint8_t *p = (const uint8_t *)body;

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

struct json_object *
rpc_stream_msg_new(uint32_t id, const char *status, int code,
    const char *msg)
{
	struct json_object *o = json_object_new_object();
	struct json_object *e;

	json_object_object_add(o, "type", json_object_new_string("stream"));
	json_object_object_add(o, "id", json_object_new_uint64(id));
	json_object_object_add(o, "status", json_object_new_string(status));
	if (code != 0) {
		e = json_object_new_object();
		json_object_object_add(e, "code", json_object_new_int(code));
		json_object_object_add(e, "name",
		    json_object_new_string(vr_error_code_name(code)));
		json_object_object_add(e, "message",
		    json_object_new_string(msg != NULL ? msg : ""));
		json_object_object_add(o, "error", e);
	}
	return o;
}

char *
rpc_frame_encode(struct json_object *obj, size_t *lenp)
{
	size_t len;
	const char *text;
	char *frame;

	/* Paths are common: "/" need not be escaped in JSON. */
	text = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	frame = xmalloc(len + RPC_HEADER_LEN);
	frame[0] = (char)((len >> 24) & 0xff);
	frame[1] = (char)((len >> 16) & 0xff);
	frame[2] = (char)((len >> 8) & 0xff);
	frame[3] = (char)(len & 0xff);
	memcpy(frame + RPC_HEADER_LEN, text, len);
	*lenp = len + RPC_HEADER_LEN;
	return frame;
}

int
rpc_send(int fd, struct json_object *obj)
{
	VR_AUTOFREE char *frame = NULL;
	size_t len;

	frame = rpc_frame_encode(obj, &len);
	if (len - RPC_HEADER_LEN > RPC_MAX_FRAME) {
		vr_error(VR_ERR_RPC, "message of %zu bytes exceeds the %d byte "
		    "frame limit", len - RPC_HEADER_LEN, RPC_MAX_FRAME);
		return -1;
	}
	if (vr_write_all(fd, frame, len) < 0) {
		vr_error_system(errno, "cannot send to the daemon");
		return -1;
	}
	return 0;
}

struct json_object *
rpc_recv(int fd, size_t max_frame)
{
	uint8_t hdr[RPC_HEADER_LEN];
	VR_AUTOFREE char *body = NULL;
	struct json_object *obj;
	uint32_t len;

	if (vr_read_all(fd, hdr, sizeof hdr) < 0) {
		if (errno == EPIPE)
			vr_error(VR_ERR_RPC, "the daemon closed the connection");
		else
			vr_error_system(errno, "cannot read from the daemon");
		return NULL;
	}
	len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
	    (uint32_t)hdr[2] << 8 | (uint32_t)hdr[3];
	if (len == 0 || len > max_frame) {
		vr_error(VR_ERR_RPC, "the daemon sent a frame of %u bytes "
		    "(limit %zu)", len, max_frame);
		return NULL;
	}
	body = xmalloc((size_t)len + 1);
	if (vr_read_all(fd, body, len) < 0) {
		vr_error(VR_ERR_RPC, "the daemon closed the connection "
		    "mid-message");
		return NULL;
	}
	body[len] = '\0';
	obj = json_tokener_parse(body);
	if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		vr_error(VR_ERR_RPC, "the daemon sent a malformed message");
		return NULL;
	}
	return obj;
}

struct json_object *
rpc_call_new(uint64_t id, int proc, struct json_object *args)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string("call"));
	json_object_object_add(o, "version",
	    json_object_new_int(RPC_PROTOCOL_VERSION));
	json_object_object_add(o, "id", json_object_new_uint64(id));
	json_object_object_add(o, "proc", json_object_new_int(proc));
	json_object_object_add(o, "args",
	    args != NULL ? args : json_object_new_object());
	return o;
}

struct json_object *
rpc_reply_ok(uint64_t id, struct json_object *ret)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string("reply"));
	json_object_object_add(o, "id", json_object_new_uint64(id));
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "ret",
	    ret != NULL ? ret : json_object_new_object());
	return o;
}

struct json_object *
rpc_reply_error(uint64_t id, int code, const char *msg)
{
	struct json_object *o = json_object_new_object();
	struct json_object *e = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string("reply"));
	json_object_object_add(o, "id", json_object_new_uint64(id));
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(e, "code", json_object_new_int(code));
	json_object_object_add(e, "name",
	    json_object_new_string(vr_error_code_name(code)));
	json_object_object_add(e, "message", json_object_new_string(msg));
	json_object_object_add(o, "error", e);
	return o;
}

struct json_object *
rpc_event_new(uint64_t seq, const char *event, struct json_object *data)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string("event"));
	json_object_object_add(o, "seq", json_object_new_uint64(seq));
	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_add(o, "data",
	    data != NULL ? data : json_object_new_object());
	return o;
}

static struct json_object *
rpc_member(struct json_object *obj, const char *key, bool required,
    json_type type, const char *what)
{
	struct json_object *v;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v) ||
	    json_object_is_type(v, json_type_null)) {
		if (required)
			vr_error(VR_ERR_RPC, "missing argument '%s'", key);
		else
			vr_error_reset();
		return NULL;
	}
	if (!json_object_is_type(v, type)) {
		vr_error(VR_ERR_RPC, "argument '%s' must be %s", key, what);
		return NULL;
	}
	return v;
}

int
rpc_get_string(struct json_object *obj, const char *key, bool required,
    const char **out)
{
	struct json_object *v;

	if ((v = rpc_member(obj, key, required, json_type_string,
	    "a string")) == NULL)
		return vr_error_code() != VR_ERR_OK ? -1 : 0;
	*out = json_object_get_string(v);
	return 0;
}

int
rpc_get_bool(struct json_object *obj, const char *key, bool required,
    bool *out)
{
	struct json_object *v;

	if ((v = rpc_member(obj, key, required, json_type_boolean,
	    "a boolean")) == NULL)
		return vr_error_code() != VR_ERR_OK ? -1 : 0;
	*out = json_object_get_boolean(v);
	return 0;
}

int
rpc_get_u64(struct json_object *obj, const char *key, bool required,
    uint64_t *out)
{
	struct json_object *v;

	if ((v = rpc_member(obj, key, required, json_type_int,
	    "an integer")) == NULL)
		return vr_error_code() != VR_ERR_OK ? -1 : 0;
	if (json_object_get_int64(v) < 0 &&
	    json_object_get_uint64(v) <= INT64_MAX) {
		vr_error(VR_ERR_RPC, "argument '%s' must not be negative", key);
		return -1;
	}
	*out = json_object_get_uint64(v);
	return 0;
}

int
rpc_get_i64(struct json_object *obj, const char *key, bool required,
    int64_t *out)
{
	struct json_object *v;

	if ((v = rpc_member(obj, key, required, json_type_int,
	    "an integer")) == NULL)
		return vr_error_code() != VR_ERR_OK ? -1 : 0;
	*out = json_object_get_int64(v);
	return 0;
}

void
rpc_set_string(struct json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key,
	    val != NULL ? json_object_new_string(val) : NULL);
}

void
rpc_set_bool(struct json_object *o, const char *key, bool val)
{
	json_object_object_add(o, key, json_object_new_boolean(val));
}

void
rpc_set_i64(struct json_object *o, const char *key, int64_t val)
{
	json_object_object_add(o, key, json_object_new_int64(val));
}

int
rpc_get_fields(struct json_object *args, const char *const *names, int n,
    unsigned int *mask)
{
	struct json_object *arr, *f;
	size_t i, len;
	int k;

	*mask = (1u << n) - 1;
	if (!json_object_object_get_ex(args, "fields", &arr))
		return 0;
	if (!json_object_is_type(arr, json_type_array)) {
		vr_error(VR_ERR_RPC, "argument 'fields' must be an array");
		return -1;
	}
	*mask = 0;
	len = json_object_array_length(arr);
	for (i = 0; i < len; i++) {
		f = json_object_array_get_idx(arr, i);
		for (k = 0; k < n; k++)
			if (json_object_is_type(f, json_type_string) &&
			    strcmp(json_object_get_string(f), names[k]) == 0)
				break;
		if (k == n) {
			vr_error(VR_ERR_RPC, "unknown field '%s' in 'fields'",
			    f != NULL ? json_object_get_string(f) : "null");
			return -1;
		}
		*mask |= 1u << k;
	}
	return 0;
}
