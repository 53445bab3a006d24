# The network driver (vr_net_driver in drivers/driver.h): bridges, taps and
# addresses over rtnetlink (libnl), dnsmasq per network, nftables.
noinst_LIBRARIES += drivers/network/libvrnetwork.a
drivers_network_libvrnetwork_a_SOURCES = \
	drivers/network/nw-conf.c drivers/network/nw-conf.h \
	drivers/network/nw-driver.c \
	drivers/network/nw-link.c drivers/network/nw-link.h \
	drivers/network/nw-network.h \
	drivers/network/nw-port.c \
	drivers/network/nw-run.c
VR_NETWORK_LIBS = drivers/network/libvrnetwork.a $(LIBNL_ROUTE_LIBS) \
	$(LIBNL_LIBS)
