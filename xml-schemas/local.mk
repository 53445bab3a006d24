# RelaxNG schemas of the XML objects, installed for vireod's validation
# (VR_SCHEMADIR in Makefile.am) and for users' tools (xmllint --relaxng).
schemadir = $(pkgdatadir)/schemas
dist_schema_DATA = xml-schemas/domain.rng xml-schemas/storagecommon.rng \
	xml-schemas/storagepool.rng xml-schemas/storagevol.rng \
	xml-schemas/network.rng xml-schemas/domainsnapshot.rng
