noinst_LIBRARIES += drivers/storage/libvrstorage.a
drivers_storage_libvrstorage_a_SOURCES = \
	drivers/storage/stg-pool.h \
	drivers/storage/stg-driver.c \
	drivers/storage/stg-create.c \
	drivers/storage/stg-fs.c \
	drivers/storage/stg-scan.c \
	drivers/storage/stg-stream.c \
	drivers/storage/stg-vol.c
