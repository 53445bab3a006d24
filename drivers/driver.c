#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "driver.h"

static const char *const state_names[VR_DOM_STATE_LAST] = {
	[VR_DOM_NOSTATE] = "no state",
	[VR_DOM_RUNNING] = "running",
	[VR_DOM_BLOCKED] = "idle",
	[VR_DOM_PAUSED] = "paused",
	[VR_DOM_SHUTDOWN] = "in shutdown",
	[VR_DOM_SHUTOFF] = "shut off",
	[VR_DOM_CRASHED] = "crashed",
	[VR_DOM_PMSUSPENDED] = "pmsuspended",
};

const char *
vr_dom_state_name(int state)
{
	if (state < 0 || state >= VR_DOM_STATE_LAST)
		return "no state";
	return state_names[state];
}

int
vr_dom_state_from_name(const char *name)
{
	int i;

	for (i = 0; i < VR_DOM_STATE_LAST; i++)
		if (strcmp(state_names[i], name) == 0)
			return i;
	return -1;
}

static const char *const pool_state_names[VR_POOL_STATE_LAST] = {
	[VR_POOL_INACTIVE] = "inactive",
	[VR_POOL_BUILDING] = "building",
	[VR_POOL_RUNNING] = "running",
	[VR_POOL_DEGRADED] = "degraded",
	[VR_POOL_INACCESSIBLE] = "inaccessible",
};

const char *
vr_pool_state_name(int state)
{
	if (state < 0 || state >= VR_POOL_STATE_LAST)
		return "unknown";
	return pool_state_names[state];
}

void
vr_vol_info_clear(struct vr_vol_info *info)
{
	free(info->path);
	free(info->backing);
	info->path = NULL;
	info->backing = NULL;
}

void
vr_vol_infos_free(struct vr_vol_info *infos, size_t n)
{
	size_t i;

	if (infos == NULL)
		return;
	for (i = 0; i < n; i++)
		vr_vol_info_clear(&infos[i]);
	free(infos);
}
