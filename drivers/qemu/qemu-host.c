/* What the host offers: KVM, the QEMU version, capabilities XML. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "qemu-domain.h"
#include "spawn.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("qemu.host");

static pthread_once_t version_once = PTHREAD_ONCE_INIT;
static char qemu_version[32];

/*
 * /dev/kvm is not proof of usable KVM: a paravirtual nested KVM (kvm_pvm)
 * cannot run unmodified guests. Only kvm_intel / kvm_amd count.
 */
void
qemu_host_probe(void)
{
	qemu_drv.kvm_module = vr_host_kvm_module(&qemu_drv.kvm_usable);
	log_info("KVM: %s%s", qemu_drv.kvm_module != NULL ?
	    qemu_drv.kvm_module : "none",
	    qemu_drv.kvm_usable ? " (usable)" : " (not usable: guests use "
	    "TCG)");
}

static void
version_probe(void)
{
	const char *argv[] = { qemu_drv.env.qemu_binary, "--version", NULL };
	VR_AUTOFREE char *out = NULL;
	int a, b, c;
	const char *p;

	snprintf(qemu_version, sizeof qemu_version, "unknown");
	if (vr_run(argv, &out, NULL) != 0 || out == NULL)
		return;
	if ((p = strstr(out, "version ")) != NULL &&
	    sscanf(p + 8, "%d.%d.%d", &a, &b, &c) == 3)
		snprintf(qemu_version, sizeof qemu_version, "%d.%d.%d", a, b,
		    c);
}

int
qemu_host_version(char *buf, size_t len)
{
	pthread_once(&version_once, version_probe);
	snprintf(buf, len, "%s", qemu_version);
	return 0;
}

char *
qemu_host_capabilities(void)
{
	struct vr_buf b = { 0 };
	struct utsname u;
	char ver[32];

	uname(&u);
	qemu_host_version(ver, sizeof ver);
	vr_buf_puts(&b, "<capabilities>\n  <host>\n    <cpu>\n");
	vr_buf_printf(&b, "      <arch>%s</arch>\n", u.machine);
	vr_buf_puts(&b, "    </cpu>\n");
	vr_buf_printf(&b, "    <kvm module='%s' usable='%s'/>\n",
	    qemu_drv.kvm_module != NULL ? qemu_drv.kvm_module : "none",
	    qemu_drv.kvm_usable ? "yes" : "no");
	vr_buf_puts(&b, "  </host>\n  <guest>\n    <os_type>hvm</os_type>\n");
	vr_buf_printf(&b, "    <arch name='x86_64'>\n      <wordsize>64"
	    "</wordsize>\n      <emulator>");
	vr_buf_xml_escape(&b, qemu_drv.env.qemu_binary);
	vr_buf_printf(&b, "</emulator>\n      <machine>pc</machine>\n"
	    "      <machine>q35</machine>\n"
	    "      <domain type='qemu'/>\n");
	if (qemu_drv.kvm_usable)
		vr_buf_puts(&b, "      <domain type='kvm'/>\n");
	vr_buf_printf(&b, "    </arch>\n    <version>%s</version>\n"
	    "  </guest>\n</capabilities>\n", ver);
	return vr_buf_steal(&b);
}
