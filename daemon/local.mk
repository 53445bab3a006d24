sbin_PROGRAMS += vireod
vireod_SOURCES = \
	daemon/vireod.c \
	daemon/conf.c daemon/conf.h \
	daemon/dispatch.c daemon/dispatch.h \
	daemon/node.c daemon/node.h \
	daemon/proc-device.c daemon/proc-device.h \
	daemon/proc-guest.c daemon/proc-guest.h \
	daemon/peer.c daemon/peer.h \
	daemon/proc-migrate.c daemon/proc-migrate.h \
	daemon/proc-net.c daemon/proc-net.h \
	daemon/proc-stats.c daemon/proc-stats.h \
	daemon/proc-save.c daemon/proc-save.h \
	daemon/proc-snapshot.c daemon/proc-snapshot.h \
	daemon/proc-storage.c daemon/proc-storage.h \
	daemon/proc-stream.c daemon/proc-stream.h \
	daemon/stream.c daemon/stream.h \
	daemon/server.c daemon/server.h \
	daemon/workers.c daemon/workers.h
vireod_LDADD = drivers/storage/libvrstorage.a drivers/qemu/libvrqemu.a \
	$(VR_NETWORK_LIBS) $(VR_COMMON_LIBS)

# vireo-relay: run through ssh by vireo+ssh:// clients, joins its stdin and
# stdout to the daemon's socket (man/vireod.8, REMOTE ACCESS).
libexec_PROGRAMS += vireo-relay
vireo_relay_SOURCES = daemon/relay.c
vireo_relay_LDADD = $(VR_COMMON_LIBS)

systemdsystemunit_DATA = daemon/vireod.service
EXTRA_DIST += daemon/vireod.service.in
CLEANFILES += daemon/vireod.service
daemon/vireod.service: $(srcdir)/daemon/vireod.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) daemon && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' $(srcdir)/daemon/vireod.service.in > $@
