/*
 * The QEMU command line: struct dom_def -> argv for qemu-system-x86_64 7.2
 * (modern syntax: -blockdev, -device with explicit ids and PCI addresses,
 * -accel, QMP on a chardev). Pure: no I/O, no host probing, deterministic.
 *
 * Policy left to the caller (the driver):
 *   - type='kvm' builds "-accel kvm" whatever ctx->kvm_usable says; refusing
 *     to start a KVM guest on a host without kvm_intel/kvm_amd (kvm_pvm) is
 *     the driver's decision.
 *   - <currentMemory> (balloon target), <memballoon><stats period=>, the VNC
 *     password (set_password) and the VNC port actually chosen under
 *     autoport (query-vnc) are applied or read over QMP after start.
 *   - on_crash, vcpu placement/cpuset and rename-restart are the driver's.
 *
 * Decisions (see also tests/qemuxml2argv):
 *   - cpu host-model: "-cpu host" under KVM, "-cpu max" under TCG;
 *     host-passthrough needs KVM (refused for type='qemu'); maximum is "max";
 *     no <cpu>: QEMU's default model (no -cpu).
 *   - VNC autoport: "-vnc ADDR:0,to=99", QEMU takes the first free port in
 *     5900..5999; the driver reads it back with query-vnc.
 *   - Missing controllers are added (libvirt does the same in its parser):
 *     ich9-ahci "sataN" for SATA disks on pc (q35 has the built-in AHCI,
 *     buses ide.0..ide.5), virtio-scsi-pci "scsiN", virtio-serial-pci
 *     "virtio-serial0", a USB controller "usb" (piix3-usb-uhci on pc,
 *     qemu-xhci on q35) when a USB input needs one.
 *   - PCI devices without an <address> get the next free slot on bus 0 in
 *     command-line order (pci.0 on pc from slot 3, pcie.0 on q35 from slot
 *     2; the primary video gets slot 2 on pc, 1 on q35), so explicit and
 *     automatic addresses never collide. The driver may write them back.
 *   - A <console> with target type 'serial' is the first serial port
 *     (dom_console_compat) and gets no device of its own.
 *   - Clock, as libvirt: rtc tickpolicy catchup is "-rtc ...,driftfix=slew",
 *     track guest/wall/realtime "clock=vm/host/rt"; hpet present= and
 *     <vmport state=> are -machine hpet=/vmport=; kvmclock present= is a
 *     -cpu property (qemu64 named when there is no <cpu>). The PIT: under
 *     KVM, delay/discard set kvm-pit.lost_tick_policy and catchup (the
 *     in-kernel PIT's re-injection) adds nothing; QEMU's own PIT (TCG) has
 *     no policy and behaves as delay, so delay adds nothing there and
 *     catchup/discard are refused.
 *   - <pm> suspend-to-mem/disk: -global PIIX4_PM (pc) or ICH9-LPC (q35)
 *     .disable_s3/.disable_s4. <metadata> and <resource> have no effect.
 *   - Built-in controllers may carry libvirt's fixed address for them:
 *     q35 sata 0 at 00:1f.2, pc ide 0 at 00:01.1; any other is refused.
 *   - No <graphics>: "-display none". Lifecycle: on_poweroff preserve is
 *     "-no-shutdown", on_reboot destroy "-no-reboot"; watchdog actions go
 *     to "-action watchdog=..." (QEMU 7.2).
 *   - <panic model='isa'> is "-device pvpanic,id=panic0" (",ioport=N" when
 *     the iobase is not 0x505) with "-action panic=pause" for any on_crash:
 *     QEMU stops the guest and the driver applies on_crash on
 *     GUEST_PANICKED. No panic device, no -action panic.
 *
 * Refused (VR_ERR_UNSUPPORTED): other machines than pc/q35 variants, IDE on
 * q35, read-only IDE/SATA disks, a cdrom on virtio, io='native' without
 * O_DIRECT caching, unresolved volume disks, interfaces other than 'user'
 * without a tap fd, the watchdog 'dump' action and itco on pc, on_reboot
 * other than destroy/restart, pcie-root-port on pc, USB companion
 * controllers, more than one <graphics>, pit tickpolicy catchup/discard
 * without KVM.
 */
#ifndef VR_QEMU_ARGV_H
#define VR_QEMU_ARGV_H

#include <stdbool.h>
#include <stddef.h>

#include "dom-def.h"

struct json_object;

struct qemu_argv_ctx {
	const char	*emulator;	/* used when def->emulator is NULL */
	const char	*monitor_path;	/* QMP unix socket (monitor_fd < 0) */
	/*
	 * >= 0: a listening socket QEMU inherits:
	 * -chardev socket,id=monitor,fd=N,server=on,wait=off
	 */
	int		 monitor_fd;
	/* unix channels without a source path: chr_dir/TARGET-NAME */
	const char	*chr_dir;
	bool		 kvm_usable;	/* informational, see above */
	/*
	 * Pre-opened tap fds, net_fds[i] for def->nets[i] (-1 or beyond
	 * nnet_fds: none). Interfaces of type network/bridge/ethernet need
	 * one ("-netdev tap,fd=N"); without it they are refused.
	 */
	const int	*net_fds;
	size_t		 nnet_fds;
	/*
	 * "-incoming defer": QEMU waits for migrate-incoming (migration
	 * destination, restore from a save file).
	 */
	bool		 incoming;
	/*
	 * Only check the definition (qemu_argv_check): interfaces that need
	 * a tap get a dummy fd; the argv is never run.
	 */
	bool		 check;
};

/*
 * NULL-terminated argv, argv[0] the emulator; free with qemu_argv_free().
 * NULL with vr_error set (VR_ERR_UNSUPPORTED or VR_ERR_XML, naming the
 * device and field) when the definition cannot be expressed.
 */
char	**qemu_argv_build(const struct dom_def *def,
	    const struct qemu_argv_ctx *ctx);
void	 qemu_argv_free(char **argv);

/*
 * Whether def can be started (everything qemu_argv_build checks), taps
 * assumed; 0, or -1 with vr_error set. For changes to a persistent
 * definition that is not running.
 */
int	 qemu_argv_check(const struct dom_def *def, const char *emulator);

/*
 * Hotplug. The QMP arguments for one device of def, made by the same
 * code as its -blockdev/-netdev/-device on the command line, so a device
 * plugged in later has exactly the properties it would have had at boot.
 * def is the whole definition with the device in it, checked as at start
 * (machine, controllers, addresses). The whole command line is built
 * and the device's objects kept: a PCI device without an address gets the
 * one it would get at start (the driver gives hot-plugged devices theirs).
 */
struct qemu_dev_args {
	struct json_object *backend;	/* blockdev-add of the storage node,
					   or netdev_add; NULL: none (an
					   empty cdrom) */
	struct json_object *format;	/* blockdev-add of the format node
					   on it (disks) */
	struct json_object *device;	/* device_add */
	char		 id[40];	/* the device's id: "virtio-disk1",
					   "net1"; node names are ID-storage,
					   ID-format; the netdev hostnetN */
};
void	 qemu_dev_args_clear(struct qemu_dev_args *);
/* The device id of disk i of def ("virtio-disk1", "ide0-1-0"). */
int	 qemu_argv_disk_id(const struct dom_def *def, size_t i, char *id,
	    size_t len);
/* Disk i of def. Sources must be paths (volumes resolved). */
int	 qemu_argv_disk_args(const struct dom_def *def, size_t i,
	    struct qemu_dev_args *);
/*
 * Interface i of def with ids netID/hostnetID; fdname: the tap's fd as
 * passed with getfd (NULL for type user).
 */
int	 qemu_argv_net_args(const struct dom_def *def, size_t i,
	    unsigned int id, const char *fdname, struct qemu_dev_args *);
/*
 * The alias qemu_argv_build() gives each disk (its device id; block node
 * names are ALIAS-format and ALIAS-storage): aliases[i] for def->disks[i].
 * For statistics; -1 with vr_error as qemu_argv_build().
 */
int	 qemu_argv_disk_aliases(const struct dom_def *def,
	    char (*aliases)[40]);
/*
 * A -device or -netdev value as on the command line, "TYPE,key=value,..."
 * (tests compare hotplug arguments with the argv). Caller frees.
 */
char	*qemu_argv_props_format(struct json_object *);

/*
 * Human-readable command line, one option group per line joined by
 * " \\\n", values shell-quoted when needed (domxml-to-native, golden
 * files). Caller frees.
 */
char	*qemu_argv_format(char *const *argv);

#endif
