noinst_LIBRARIES += drivers/qemu/libvrqemu.a
drivers_qemu_libvrqemu_a_SOURCES = \
	drivers/driver.c drivers/driver.h \
	drivers/qemu/qemu-argv.c drivers/qemu/qemu-argv.h \
	drivers/qemu/qemu-argv-disk.c drivers/qemu/qemu-argv-net.c \
	drivers/qemu/qemu-argv-priv.h \
	drivers/qemu/qemu-console.c \
	drivers/qemu/qemu-domain.h \
	drivers/qemu/qemu-driver.c \
	drivers/qemu/qemu-guest-io.c \
	drivers/qemu/qemu-host.c \
	drivers/qemu/qemu-hotplug.c drivers/qemu/qemu-hotplug-priv.h \
	drivers/qemu/qemu-hotplug-update.c \
	drivers/qemu/qemu-keymap.c drivers/qemu/qemu-keymap.h \
	drivers/qemu/qemu-migrate.c \
	drivers/qemu/qemu-net.c \
	drivers/qemu/qemu-process.c \
	drivers/qemu/qemu-save.c \
	drivers/qemu/qemu-save-image.c drivers/qemu/qemu-save-image.h \
	drivers/qemu/qemu-security.c \
	drivers/qemu/qemu-stats.c \
	drivers/qemu/qemu-snapshot.c drivers/qemu/qemu-snapshot.h \
	drivers/qemu/qemu-snapshot-meta.c \
	drivers/qemu/qemu-status.c \
	drivers/qemu/qemu-vcpu.c \
	drivers/qemu/qmp.c drivers/qemu/qmp.h
