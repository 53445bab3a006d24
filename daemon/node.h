#ifndef VD_NODE_H
#define VD_NODE_H

#include <json-c/json.h>

/* Fill ret with the host's CPU, memory and KVM facts (see rpc-proto.h). */
int	 vd_node_info(struct json_object *ret);

#endif
