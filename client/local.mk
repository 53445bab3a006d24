# vireo: the command line client (man/vireo.1). Installed as $(bindir)/vireo;
# built at the top of the build tree, where tests/cli-test.sh and the
# end-to-end tests expect it.
bin_PROGRAMS += vireo
vireo_SOURCES = \
	client/vireo.c \
	client/cmd.c client/cmd.h \
	client/cmd-device.c \
	client/cmd-dom.c \
	client/cmd-event.c \
	client/cmd-info.c \
	client/cmd-host.c \
	client/cmd-net.c \
	client/cmd-pool.c \
	client/cmd-save.c \
	client/cmd-stats.c client/cmd-stats.h \
	client/cmd-top.c \
	client/cmd-vol.c \
	client/cmd-stream.c client/cmd-console.c \
	client/stream.c client/stream.h \
	client/conn.c client/conn.h \
	client/output.c client/output.h
vireo_LDADD = $(VR_COMMON_LIBS)

# Client-only behaviour, no daemon: usage errors, URIs, man page synopses.
TESTS += tests/cli-test.sh
EXTRA_DIST += tests/cli-test.sh
