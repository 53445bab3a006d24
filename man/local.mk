dist_man_MANS += man/vireo.1 man/vireod.8 man/vireod.conf.5 \
	man/vireo-protocol.7
