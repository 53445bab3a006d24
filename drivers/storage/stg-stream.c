/*
 * Volume data streams (vol-upload, vol-download). The daemon gets one end
 * of a pipe it can poll; a thread of ours copies between the other end
 * and the volume's file with plain blocking I/O (libvirt's iohelper, as a
 * thread). The volume holds an "upload" or "download" job meanwhile: it
 * cannot be deleted, wiped or resized, and no domain starts on a volume
 * being uploaded. An upload's data is synced before finish says it went
 * through.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "stg-pool.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("storage.stream");

#define COPY_CHUNK	(1024 * 1024)
#define PIPE_SIZE	(1024 * 1024)

struct stg_stream {
	struct stg_vol_job job;
	bool		 upload;
	int		 file;		/* the volume's file */
	int		 pipe;		/* our end */
	unsigned long long offset;
	unsigned long long length;	/* upload: at most; download: exactly */
	unsigned long long done;
	pthread_t	 thread;
	/* Set by the thread, read after joining it. */
	int		 code;		/* 0: fine */
	char		 msg[256];
};

static void
stream_fail(struct stg_stream *s, int code, int errnum, const char *what)
{
	if (s->code != 0)
		return;
	s->code = code;
	if (errnum != 0)
		snprintf(s->msg, sizeof s->msg, "cannot %s storage volume "
		    "'%s': %s: %s", s->upload ? "upload into" : "download",
		    s->job.snap.name, what, strerror(errnum));
	else
		snprintf(s->msg, sizeof s->msg, "cannot %s storage volume "
		    "'%s': %s", s->upload ? "upload into" : "download",
		    s->job.snap.name, what);
}

static int
pwrite_all(int fd, const char *buf, size_t len, off_t off)
{
	ssize_t n;

	while (len > 0) {
		if ((n = pwrite(fd, buf, len, off)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

static void
stream_too_much(struct stg_stream *s)
{
	char what[160];

	snprintf(what, sizeof what, "the client sent more than the %llu "
	    "bytes that fit from offset %llu", s->length, s->offset);
	stream_fail(s, VR_ERR_INVALID_ARG, 0, what);
}

/*
 * Pipe to file: spliced (no copy through us) where the file system can,
 * else read and written. Never more than length: one byte past it is an
 * error.
 */
static void
stream_upload(struct stg_stream *s, char *buf)
{
	unsigned long long left;
	bool use_splice = true;
	size_t want;
	ssize_t n;
	off_t off;

	for (;;) {
		left = s->length - s->done;
		want = left < COPY_CHUNK ? (size_t)left : COPY_CHUNK;
		off = (off_t)(s->offset + s->done);
		if (left == 0)
			n = read(s->pipe, buf, 1);	/* only EOF may come */
		else if (use_splice)
			n = splice(s->pipe, NULL, s->file, &off, want,
			    SPLICE_F_MOVE);
		else
			n = read(s->pipe, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EINVAL && use_splice && left > 0) {
			use_splice = false;
			continue;
		}
		if (n < 0) {
			stream_fail(s, VR_ERR_SYSTEM, errno, use_splice ?
			    "splice" : "read");
			return;
		}
		if (n == 0)
			break;
		if (left == 0) {
			stream_too_much(s);
			return;
		}
		if (!use_splice && pwrite_all(s->file, buf, (size_t)n,
		    off) < 0) {
			stream_fail(s, VR_ERR_SYSTEM, errno, "write");
			return;
		}
		s->done += (unsigned long long)n;
	}
	if (fdatasync(s->file) < 0)
		stream_fail(s, VR_ERR_SYSTEM, errno, "sync");
}

/* File to pipe, spliced where the file system can. */
static void
stream_download(struct stg_stream *s, char *buf)
{
	unsigned long long left;
	bool use_splice = true;
	size_t want;
	ssize_t n;
	off_t off;

	while ((left = s->length - s->done) > 0) {
		want = left < COPY_CHUNK ? (size_t)left : COPY_CHUNK;
		off = (off_t)(s->offset + s->done);
		if (use_splice)
			n = splice(s->file, &off, s->pipe, NULL, want,
			    SPLICE_F_MOVE);
		else
			n = pread(s->file, buf, want, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EINVAL && use_splice) {
			use_splice = false;
			continue;
		}
		/* EPIPE: the daemon closed its end (an abort). */
		if (n < 0) {
			stream_fail(s, VR_ERR_SYSTEM, errno, use_splice ?
			    "splice" : "read");
			return;
		}
		if (n == 0) {
			stream_fail(s, VR_ERR_SYSTEM, 0, "the file became "
			    "shorter while it was read");
			return;
		}
		if (!use_splice && vr_write_all(s->pipe, buf, (size_t)n) < 0) {
			stream_fail(s, VR_ERR_SYSTEM, errno, "write");
			return;
		}
		s->done += (unsigned long long)n;
	}
}

static void *
stream_thread(void *opaque)
{
	struct stg_stream *s = opaque;
	char *buf = xmalloc(COPY_CHUNK);

	if (s->upload)
		stream_upload(s, buf);
	else
		stream_download(s, buf);
	free(buf);
	/* The daemon sees the end of the pipe (or EPIPE) now. */
	close(s->pipe);
	s->pipe = -1;
	return NULL;
}

static void
stream_free(struct stg_stream *s)
{
	if (s->file >= 0)
		close(s->file);
	if (s->pipe >= 0)
		close(s->pipe);
	stg_vol_job_end(&s->job);
	free(s);
}

/* The range of the stream: -1 with an error if it does not fit. */
static int
stream_range(struct stg_stream *s, unsigned long long offset,
    unsigned long long length)
{
	unsigned long long size = s->job.snap.physical;
	const char *name = s->job.snap.name;

	if (s->upload && s->job.snap.format != VOL_FORMAT_RAW) {
		vr_error(VR_ERR_UNSUPPORTED, "cannot upload into storage "
		    "volume '%s': its format is %s, and only raw volumes take "
		    "uploads (download it, or upload into a raw volume)", name,
		    vol_format_to_string(s->job.snap.format));
		return -1;
	}
	if (offset > size || (offset == size && s->upload && size > 0)) {
		vr_error(VR_ERR_INVALID_ARG, "offset %llu is past the end of "
		    "storage volume '%s' (%llu bytes)", offset, name, size);
		return -1;
	}
	if (length > size - offset) {
		vr_error(VR_ERR_INVALID_ARG, "%llu bytes from offset %llu do "
		    "not fit in storage volume '%s' (%llu bytes)", length,
		    offset, name, size);
		return -1;
	}
	s->offset = offset;
	s->length = length != 0 ? length : size - offset;
	return 0;
}

int
stg_vol_stream_open(const char *pool, const char *vol, bool upload,
    unsigned long long offset, unsigned long long length, int *fd,
    unsigned long long *total, void **handle)
{
	struct stg_stream *s = xcalloc(1, sizeof *s);
	int fds[2] = { -1, -1 };

	s->upload = upload;
	s->file = -1;
	s->pipe = -1;
	if (stg_vol_job_begin(pool, vol, upload ? "upload" : "download",
	    &s->job) < 0) {
		free(s);
		return -1;
	}
	if (stream_range(s, offset, length) < 0)
		goto fail;
	if ((s->file = open(s->job.path, (upload ? O_WRONLY : O_RDONLY) |
	    O_NOFOLLOW | O_CLOEXEC)) < 0) {
		vr_error_system(errno, "cannot open '%s'", s->job.path);
		goto fail;
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		vr_error_system(errno, "cannot make a pipe");
		goto fail;
	}
	/* Fewer wakeups; a smaller pipe still works. */
	(void)fcntl(fds[0], F_SETPIPE_SZ, PIPE_SIZE);
	s->pipe = upload ? fds[0] : fds[1];
	*fd = upload ? fds[1] : fds[0];
	if (pthread_create(&s->thread, NULL, stream_thread, s) != 0) {
		vr_error(VR_ERR_INTERNAL, "cannot start a thread");
		close(*fd);
		*fd = -1;
		goto fail;
	}
	log_info("storage volume '%s': %s of %llu bytes at offset %llu "
	    "started", s->job.path, upload ? "upload" : "download",
	    s->length, s->offset);
	*total = s->length;
	*handle = s;
	return 0;
fail:
	stream_free(s);
	return -1;
}

int
stg_vol_stream_finish(void *handle, bool abort)
{
	struct stg_stream *s = handle;
	int ret = 0;

	pthread_join(s->thread, NULL);
	if (abort)
		log_info("storage volume '%s': %s aborted after %llu bytes",
		    s->job.path, s->upload ? "upload" : "download", s->done);
	else if (s->code != 0) {
		vr_error(s->code, "%s", s->msg);
		ret = -1;
	} else if (!s->upload && s->done != s->length) {
		vr_error(VR_ERR_INTERNAL, "cannot download storage volume "
		    "'%s': %llu of %llu bytes sent", s->job.snap.name,
		    s->done, s->length);
		ret = -1;
	} else {
		log_info("storage volume '%s': %s of %llu bytes done",
		    s->job.path, s->upload ? "upload" : "download", s->done);
	}
	/* Sizes may have changed (a sparse file filled in). */
	if (s->upload) {
		close(s->file);
		s->file = -1;
		if (stg_vol_job_update(&s->job, NULL) < 0 && ret == 0)
			ret = -1;
	}
	stream_free(s);
	return ret;
}
