/*
 * Key names and numbers for send-key (virsh's codesets) turned into QMP
 * KeyValue objects: {"type":"qcode","data":"a"} or
 * {"type":"number","data":30}.
 */
#ifndef VR_QEMU_KEYMAP_H
#define VR_QEMU_KEYMAP_H

struct json_object;

/*
 * codeset: "linux" (KEY_A or 30), "qcode" (QEMU's names: "a", "ctrl"),
 * "xt" (scancodes 1-0x7f, extended keys as 0xe0NN) or "qnum" (QEMU's
 * numbers 1-0xff). Names are matched without regard to case. A new
 * KeyValue (caller's), or NULL with VR_ERR_INVALID_ARG naming the key.
 */
struct json_object *qemu_keymap_key(const char *codeset, const char *key);

#endif
