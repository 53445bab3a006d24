/* event: print the daemon's lifecycle events as they happen. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "conn.h"
#include "err.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

/* event [--domain D] [--event lifecycle] [--loop] [--timeout S] ... */
static const struct cmd_opt event_opts[] = {
	{ "domain", CMD_OPT_STRING, 0, "only events of this domain" },
	{ "event", CMD_OPT_STRING, 0, "event type: lifecycle" },
	{ "all", CMD_OPT_BOOL, 0, "every event type (the default)" },
	{ "loop", CMD_OPT_BOOL, 0, "keep printing events (else stop after "
	    "the first)" },
	{ "timeout", CMD_OPT_STRING, 0, "stop after this many seconds" },
	{ "timestamp", CMD_OPT_BOOL, 0, "prefix each event with its time" },
	{ NULL }
};

static void
print_word(const char *s)
{
	if (s == NULL || *s == '\0')
		return;
	putchar(toupper((unsigned char)*s));
	fputs(s + 1, stdout);
}

static void
print_event(struct json_object *msg, bool timestamp)
{
	struct json_object *data = NULL, *v;
	const char *ev = "?", *dom = "?", *type = NULL, *detail = NULL;

	if (rpc_get_string(msg, "event", false, &ev) < 0)
		ev = "?";
	json_object_object_get_ex(msg, "data", &data);
	if (rpc_get_string(data, "domain", false, &dom) < 0 ||
	    rpc_get_string(data, "type", false, &type) < 0 ||
	    rpc_get_string(data, "detail", false, &detail) < 0)
		vr_error_reset();
	if (timestamp) {
		struct timespec ts;
		struct tm tm;
		char when[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
		printf("%s.%03ld+0000: ", when, ts.tv_nsec / 1000000);
	}
	printf("event '%s' for domain '%s': ", ev, dom);
	print_word(type);
	putchar(' ');
	print_word(detail);
	putchar('\n');
	if (data != NULL && json_object_object_get_ex(data, "lost", &v))
		printf("(%lld events lost: this client read too slowly)\n",
		    (long long)json_object_get_int64(v));
	fflush(stdout);
}

static bool
event_wanted(struct json_object *msg, const char *dom, const char *type)
{
	struct json_object *data = NULL;
	const char *ev = NULL, *d = NULL;

	if (rpc_get_string(msg, "event", false, &ev) < 0 || ev == NULL ||
	    (type != NULL && strcmp(ev, type) != 0))
		return false;
	if (dom == NULL)
		return true;
	json_object_object_get_ex(msg, "data", &data);
	return rpc_get_string(data, "domain", false, &d) == 0 && d != NULL &&
	    strcmp(d, dom) == 0;
}

static enum cmd_retval
cmd_event_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *dom = cmd_get(args, "domain");
	const char *type = cmd_get(args, "event");
	const char *tmo = cmd_get(args, "timeout");
	bool loop = cmd_has(args, "loop");
	unsigned int timeout_s = 0;
	uint64_t deadline = 0;
	struct json_object *ret, *msg;
	unsigned long count = 0;

	if (type != NULL && strcmp(type, "lifecycle") != 0) {
		vr_error(VR_ERR_INVALID_ARG, "unknown event type '%s' (known: "
		    "lifecycle)", type);
		return CMD_ERR;
	}
	if (tmo != NULL && (vr_parse_uint(tmo, &timeout_s) < 0 ||
	    timeout_s == 0)) {
		vr_error(VR_ERR_INVALID_ARG, "invalid timeout '%s': expected "
		    "a number of seconds", tmo);
		return CMD_ERR;
	}
	if ((ret = cmd_call(ctx, RPC_PROC_EVENT_SUBSCRIBE, NULL)) == NULL)
		return CMD_ERR;
	json_object_put(ret);
	if (timeout_s != 0)
		deadline = vr_time_ms() + (uint64_t)timeout_s * 1000;
	for (;;) {
		int wait_ms = -1;

		if (deadline != 0) {
			uint64_t now = vr_time_ms();

			if (now >= deadline)
				break;
			wait_ms = (int)(deadline - now);
		}
		if ((msg = cmd_conn_next_event(ctx->conn, wait_ms)) == NULL) {
			if (vr_error_code() == VR_ERR_TIMEOUT)
				break;
			return CMD_ERR;
		}
		if (event_wanted(msg, dom, type)) {
			count++;
			if (ctx->json) {
				printf("%s\n", json_object_to_json_string_ext(
				    msg, JSON_C_TO_STRING_PLAIN));
				fflush(stdout);
			} else {
				print_event(msg, cmd_has(args, "timestamp"));
			}
		}
		json_object_put(msg);
		if (count > 0 && !loop)
			break;
	}
	if (!ctx->json)
		printf("events received: %lu\n", count);
	return CMD_OK;
}

const struct cmd_entry cmd_event_entry = {
	.name = "event", .summary = "print domain events",
	.desc = "Subscribe to the daemon's events and print them as they "
	    "come: \"event 'lifecycle' for domain 'vm1': Started Booted\". "
	    "Without --loop it stops after the first matching event; "
	    "--timeout stops after that many seconds either way. With "
	    "--json each event is one line of JSON carrying its sequence "
	    "number. Types: defined, undefined, started, suspended, resumed, "
	    "shutdown, stopped (detail: shutdown, destroyed, crashed, "
	    "failed).",
	.opts = event_opts, .flags = CMD_RO, .group = CMD_GROUP_MONITOR,
	.exec = cmd_event_exec,
};
