/*
 * Key names of send-key's codesets (virsh's "linux" and QEMU's "qcode"),
 * shared by the QEMU driver and vireo's completion.
 */
#ifndef VR_KEYMAP_H
#define VR_KEYMAP_H

#include <stddef.h>

/* The i-th name of codeset ("linux": KEY_ESC..., "qcode": esc...); NULL
 * past the end or for a codeset without names. Static. */
const char *vr_keymap_name(const char *codeset, size_t i);
/*
 * QEMU's qcode (static) for key in codeset "linux" (a name, without
 * regard to case, or a number) or "qcode" (a name); NULL if unknown.
 */
const char *vr_keymap_qcode(const char *codeset, const char *key);
/* key as a number in C syntax (30, 0x1e), 0-0xffff; -1 if not one. */
long	 vr_keymap_number(const char *key);

#endif
