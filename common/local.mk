noinst_LIBRARIES += common/libvrcommon.a
common_libvrcommon_a_SOURCES = \
	common/xmalloc.c common/xmalloc.h \
	common/err.c common/err.h \
	common/log.c common/log.h \
	common/buf.c common/buf.h \
	common/util.c common/util.h \
	common/image.c common/image.h \
	common/spawn.c common/spawn.h \
	common/event.c common/event.h \
	common/rpc.c common/rpc.h common/rpc-proto.h \
	common/base64.c common/base64.h \
	common/keymap.c common/keymap.h \
	common/transport.c common/transport.h \
	common/conf/xml-util.c common/conf/xml-util.h \
	common/conf/dom-def.c common/conf/dom-def.h \
	common/conf/dom-def-format.c common/conf/dom-def-validate.c \
	common/conf/dom-def-platform.c common/conf/dom-def-priv.h \
	common/conf/pool-def.c common/conf/pool-def.h \
	common/conf/vol-def.c common/conf/vol-def.h \
	common/conf/net-def.c common/conf/net-def.h \
	common/conf/snap-def.c common/conf/snap-def.h

VR_COMMON_LIBS = common/libvrcommon.a $(LIBXML_LIBS) $(JSONC_LIBS) \
	$(UUID_LIBS)
