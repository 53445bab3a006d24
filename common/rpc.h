/* Framing and message helpers shared by vireod and vireo. */
#ifndef VR_RPC_H
#define VR_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "rpc-proto.h"

/*
 * Incremental frame reader for non-blocking sockets. Feed it with
 * rpc_reader_fill(); take complete messages with rpc_reader_next().
 */
struct rpc_reader {
	uint8_t		 hdr[RPC_HEADER_LEN];
	size_t		 hdr_len;
	char		*body;
	uint32_t	 body_len;	/* announced */
	bool		 stream;	/* a stream frame (RPC_STREAM_FLAG) */
	size_t		 body_got;
	size_t		 max_frame;
};

void	 rpc_reader_init(struct rpc_reader *, size_t max_frame);
void	 rpc_reader_clear(struct rpc_reader *);
/*
 * Read what is available from fd. Returns 1 when a full frame is ready
 * (its JSON text in *body, NUL-terminated, caller frees), 2 when a stream
 * frame is (*body: the 4-byte stream id then the data, *len in all; caller
 * frees), 0 when more data is needed (EAGAIN), -1 on EOF or error (errno
 * set; EPIPE for EOF) and -2 when the announced length exceeds max_frame
 * (for a stream frame: is not 4 to 4 + RPC_STREAM_CHUNK; *len set to it).
 */
int	 rpc_reader_read(struct rpc_reader *, int fd, char **body,
	    uint32_t *len);

/* A frame (header + JSON text) for obj. Caller frees. */
char	*rpc_frame_encode(struct json_object *, size_t *len);

/*
 * A stream frame: header, id, then len bytes of data (at most
 * RPC_STREAM_CHUNK; 0: end of stream). Caller frees; *flen its size.
 */
char	*rpc_stream_frame_encode(uint32_t id, const void *data, size_t len,
	    size_t *flen);
/* The same in place: frame's first RPC_STREAM_HDR_LEN bytes, for len. */
void	 rpc_stream_frame_header(char *frame, uint32_t id, size_t len);
/* The stream id of a stream frame's body (as rpc_reader_read gives it). */
uint32_t rpc_stream_frame_id(const char *body);
/* {"type":"stream","id":id,"status":status}, with "error" if code != 0. */
struct json_object *rpc_stream_msg_new(uint32_t id, const char *status,
	    int code, const char *msg);

/* Blocking helpers for clients. */
int	 rpc_send(int fd, struct json_object *);
/* Returns a parsed message, or NULL with vr_error set. */
struct json_object *rpc_recv(int fd, size_t max_frame);

/* Message builders. Each takes ownership of the json arguments. */
struct json_object *rpc_call_new(uint64_t id, int proc,
	    struct json_object *args);
struct json_object *rpc_reply_ok(uint64_t id, struct json_object *ret);
struct json_object *rpc_reply_error(uint64_t id, int code, const char *msg);
struct json_object *rpc_event_new(uint64_t seq, const char *event,
	    struct json_object *data);

/*
 * Argument accessors. With required=true a missing member is an error;
 * wrong types always are. Errors are VR_ERR_RPC naming the member.
 */
int	 rpc_get_string(struct json_object *, const char *key, bool required,
	    const char **out);
int	 rpc_get_bool(struct json_object *, const char *key, bool required,
	    bool *out);
int	 rpc_get_u64(struct json_object *, const char *key, bool required,
	    uint64_t *out);
int	 rpc_get_i64(struct json_object *, const char *key, bool required,
	    int64_t *out);

/*
 * Optional "fields": ["name",...] choosing members among names[0..n): a
 * mask of their indexes; every bit of the n when absent. Unknown names
 * and wrong types are VR_ERR_RPC.
 */
int	 rpc_get_fields(struct json_object *, const char *const *names, int n,
	    unsigned int *mask);

/* Convenience for building ret objects. */
void	 rpc_set_string(struct json_object *, const char *, const char *);
void	 rpc_set_bool(struct json_object *, const char *, bool);
void	 rpc_set_i64(struct json_object *, const char *, int64_t);

#endif
