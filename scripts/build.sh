#!/bin/bash
# Configure and build into BUILDDIR (default ./build) with extra configure
# arguments: scripts/build.sh [BUILDDIR] [CONFIGURE-ARGS...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${1:-$top/build}
shift || true
cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] ||
	[ -n "$(find . -name local.mk -newer configure -print -quit)" ] ||
	[ Makefile.am -nt configure ]; then
	./autogen.sh >/dev/null 2>&1 || ./autogen.sh
fi
mkdir -p "$builddir"
cd "$builddir"
if [ ! -f Makefile ] || [ "$top/configure" -nt Makefile ]; then
	"$top/configure" --enable-werror "$@" >/dev/null
fi
make -j"$(nproc)" >/dev/null
