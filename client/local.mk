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
	client/cmd-guest.c \
	client/cmd-info.c \
	client/cmd-migrate.c \
	client/cmd-host.c \
	client/cmd-net.c \
	client/cmd-pool.c \
	client/cmd-stats.c client/cmd-stats.h \
	client/cmd-top.c \
	client/cmd-save.c \
	client/cmd-snapshot.c \
	client/cmd-vol.c \
	client/cmd-stream.c client/cmd-console.c \
	client/stream.c client/stream.h \
	client/conn.c client/conn.h \
	client/output.c client/output.h \
	client/complete.c client/complete.h \
	client/shell.c client/shell.h
vireo_CFLAGS = $(AM_CFLAGS) $(LIBEDIT_CFLAGS)
vireo_LDADD = $(VR_COMMON_LIBS) $(LIBEDIT_LIBS)

# bash completion: `vireo complete -- WORDS...` does the work.
bashcompletion_DATA = client/vireo.bash-completion
EXTRA_DIST += client/vireo.bash-completion
install-data-hook: install-bash-completion-rename
uninstall-local: uninstall-bash-completion-rename
.PHONY: install-bash-completion-rename uninstall-bash-completion-rename
# distcheck installs under its own prefix, not bash-completion's directory
AM_DISTCHECK_CONFIGURE_FLAGS = \
	--with-bash-completion-dir='$$(datadir)/bash-completion/completions'
# bash-completion finds the file of command "vireo" by that name.
install-bash-completion-rename:
	mv -f "$(DESTDIR)$(bashcompletiondir)/vireo.bash-completion" \
	    "$(DESTDIR)$(bashcompletiondir)/vireo"
uninstall-bash-completion-rename:
	rm -f "$(DESTDIR)$(bashcompletiondir)/vireo"

# Client-only behaviour, no daemon: usage errors, URIs, man page synopses.
TESTS += tests/cli-test.sh
EXTRA_DIST += tests/cli-test.sh
