/*
 * Keys for send-key: names and numbers of a codeset as QMP KeyValue
 * objects. The names live in common/keymap.c (vireo completes them).
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "err.h"
#include "keymap.h"
#include "qemu-keymap.h"

static struct json_object *
key_value(const char *type, struct json_object *data)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "data", data);
	return o;
}

struct json_object *
qemu_keymap_key(const char *codeset, const char *key)
{
	struct json_object *v = NULL;
	const char *qcode;
	long n;

	if (strcmp(codeset, "linux") == 0 || strcmp(codeset, "qcode") == 0) {
		if ((qcode = vr_keymap_qcode(codeset, key)) != NULL)
			v = key_value("qcode", json_object_new_string(qcode));
	} else if (strcmp(codeset, "xt") == 0) {
		/* extended scancodes (0xe0 0xNN) are QEMU's 0x80 | NN */
		n = vr_keymap_number(key);
		if (n > 0 && n < 0x80)
			v = key_value("number", json_object_new_int((int)n));
		else if (n > 0xe000 && n <= 0xe07f)
			v = key_value("number",
			    json_object_new_int((int)(0x80 | (n & 0x7f))));
	} else if (strcmp(codeset, "qnum") == 0) {
		n = vr_keymap_number(key);
		if (n > 0 && n <= 0xff)
			v = key_value("number", json_object_new_int((int)n));
	} else {
		vr_error(VR_ERR_INVALID_ARG, "unknown codeset '%s' (linux, "
		    "qcode, xt or qnum)", codeset);
		return NULL;
	}
	if (v == NULL)
		vr_error(VR_ERR_INVALID_ARG, "invalid keycode '%s' in codeset "
		    "'%s'", key, codeset);
	return v;
}
