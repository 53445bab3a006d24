/*
 * Internal to common/conf/dom-def*.c: the parsers of dom-def-platform.c
 * that dom_parse_root() in dom-def.c calls. Each reads its part of
 * <domain> through the xml-util getters, which mark what they read, and
 * returns 0, or -1 with the error set.
 */
#ifndef VR_DOM_DEF_PRIV_H
#define VR_DOM_DEF_PRIV_H

#include <libxml/tree.h>

#include "dom-def.h"

/* <metadata>, kept as serialized XML */
int	dom_parse_metadata(struct dom_def *, xmlNode *root);
/* <resource><partition> */
int	dom_parse_resource(struct dom_def *, xmlNode *root);
/* <cpu> */
int	dom_parse_cpu(struct dom_def *, xmlNode *root);
/* <features>, <clock>, <on_*> lifecycle actions, <pm> */
int	dom_parse_platform(struct dom_def *, xmlNode *root);

#endif
