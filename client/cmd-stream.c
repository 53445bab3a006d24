/*
 * vol-upload, vol-download: a volume's bytes over the connection's data
 * stream (client/stream.c), never the whole file in memory, with a
 * progress line when stderr is a terminal. virsh's syntax.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "conn.h"
#include "err.h"
#include "rpc.h"
#include "stream.h"
#include "util.h"
#include "xmalloc.h"

static const struct cmd_opt vol_stream_opts[] = {
	{ "vol", CMD_OPT_ARG, CMD_OPT_REQ, "vol name, key or path" },
	{ "file", CMD_OPT_ARG, CMD_OPT_REQ, "file" },
	{ "pool", CMD_OPT_STRING, 0, "pool name or uuid" },
	{ "offset", CMD_OPT_STRING, 0, "volume offset to start at (bytes, "
	    "or with a unit)" },
	{ "length", CMD_OPT_STRING, 0, "amount of data (bytes, or with a "
	    "unit; default: to the end)" },
	{ NULL }
};

/* {"vol","pool","offset","length"}; NULL with an error. */
static struct json_object *
vol_stream_args(const struct cmd_args *args)
{
	struct json_object *o;
	unsigned long long v;
	const char *opts[] = { "offset", "length" };
	size_t i;

	o = json_object_new_object();
	rpc_set_string(o, "vol", cmd_get(args, "vol"));
	if (cmd_get(args, "pool") != NULL)
		rpc_set_string(o, "pool", cmd_get(args, "pool"));
	for (i = 0; i < nitems(opts); i++) {
		if (cmd_get(args, opts[i]) == NULL)
			continue;
		if (vr_parse_size_bytes(cmd_get(args, opts[i]), "B",
		    &v) < 0) {
			vr_error(VR_ERR_INVALID_ARG, "malformed --%s %s",
			    opts[i], cmd_get(args, opts[i]));
			json_object_put(o);
			return NULL;
		}
		rpc_set_i64(o, opts[i], (int64_t)v);
	}
	return o;
}

static void
vol_stream_progress(struct cmd_stream *s, bool last)
{
	cmd_progress_show(s->opaque, s->in_fd >= 0 ? s->sent : s->received,
	    last);
}

/* Open the stream with proc, then pump it; fd is the local file. */
static enum cmd_retval
vol_stream_run(struct cmd_ctx *ctx, const struct cmd_args *args, int proc,
    int fd)
{
	struct json_object *callargs, *ret;
	struct cmd_progress progress;
	struct cmd_stream s = { .in_fd = -1, .out_fd = -1 };
	bool upload = proc == RPC_PROC_VOL_UPLOAD;
	int64_t total = 0;

	if ((callargs = vol_stream_args(args)) == NULL ||
	    (ret = cmd_call(ctx, proc, callargs)) == NULL)
		return CMD_ERR;
	if (rpc_get_i64(ret, "length", false, &total) < 0)
		total = 0;
	json_object_put(ret);
	s.id = (uint32_t)cmd_conn_last_id(ctx->conn);
	if (upload) {
		struct stat st;

		s.in_fd = fd;
		/* The file's size, unless the volume takes less. */
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    (cmd_get(args, "length") == NULL ||
		    st.st_size < total))
			total = st.st_size;
	} else
		s.out_fd = fd;
	cmd_progress_init(&progress, upload ? "Uploading" : "Downloading",
	    (uint64_t)total);
	s.progress = vol_stream_progress;
	s.opaque = &progress;
	return cmd_stream_run(ctx->conn, &s) < 0 ? CMD_ERR : CMD_OK;
}

static enum cmd_retval
cmd_vol_upload_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *file = cmd_get(args, "file");
	VR_AUTOCLOSE int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		vr_error_system(errno, "cannot read '%s'", file);
		return CMD_ERR;
	}
	return vol_stream_run(ctx, args, RPC_PROC_VOL_UPLOAD, fd);
}

const struct cmd_entry cmd_vol_upload_entry = {
	.name = "vol-upload", .summary = "upload file contents to a volume",
	.desc = "Write FILE into a raw volume, from --offset (default 0) and "
	    "for at most --length bytes (default: the file, up to the "
	    "volume's end). The data goes over the connection in chunks; the "
	    "command returns once it is on disk. Refused while a running "
	    "domain uses the volume, and on a read-only connection.",
	.opts = vol_stream_opts, .flags = CMD_RW, .group = CMD_GROUP_VOLUME,
	.exec = cmd_vol_upload_exec,
};

static enum cmd_retval
cmd_vol_download_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *file = cmd_get(args, "file");
	enum cmd_retval rv;
	struct stat st;
	bool created;
	int fd;

	created = stat(file, &st) < 0;
	if ((fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0666)) < 0) {
		vr_error_system(errno, "cannot write '%s'", file);
		return CMD_ERR;
	}
	rv = vol_stream_run(ctx, args, RPC_PROC_VOL_DOWNLOAD, fd);
	if (rv == CMD_OK && close(fd) < 0) {
		vr_error_system(errno, "cannot write '%s'", file);
		rv = CMD_ERR;
	} else if (rv != CMD_OK)
		close(fd);
	/* Like virsh: no half file left behind that we made. */
	if (rv != CMD_OK && created)
		unlink(file);
	return rv;
}

const struct cmd_entry cmd_vol_download_entry = {
	.name = "vol-download", .summary = "download volume contents to a file",
	.desc = "Write a volume's bytes (from --offset, for --length bytes; "
	    "default: all of its file, as stored: a qcow2 volume downloads as "
	    "its qcow2 image) into FILE, over the connection in chunks. "
	    "Refused while a running domain uses the volume, and on a "
	    "read-only connection.",
	.opts = vol_stream_opts, .flags = CMD_RW, .group = CMD_GROUP_VOLUME,
	.exec = cmd_vol_download_exec,
};
