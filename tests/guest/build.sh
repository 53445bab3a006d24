#!/bin/bash
# Build (and cache) the tiny Vireo test guest from Debian packages only.
#
#   tests/guest/build.sh [OUTDIR]
#
# OUTDIR defaults to $VIREO_GUEST_DIR, else /var/cache/vireo-test-guest.
# Produces OUTDIR/vmlinuz and OUTDIR/initrd.gz.  OUTDIR/stamp records the
# kernel and busybox package versions and a hash of this script and the
# guest's /init; when it matches, nothing is rebuilt.
# Must run as root (apt-get, mknod).  See README.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUTDIR=${1:-${VIREO_GUEST_DIR:-/var/cache/vireo-test-guest}}
META=linux-image-cloud-amd64
BBPKG=busybox-static
# Modules packed into the initramfs, in load order (the /init loads the
# same list; dependencies come first).
MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
virtio_pci virtio_balloon virtio_blk failover net_failover virtio_net
button evdev pvpanic pvpanic-mmio"

log() { echo "build.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"
[ -r "$HERE/init" ] || die "missing $HERE/init"

# Resolve, in one apt-cache call (each costs ~1 s when apt's binary cache
# is disabled, as in Debian container images):
#   KPKG  concrete kernel package behind the metapackage, e.g.
#         linux-image-6.1.0-28-cloud-amd64 (the ABI number changes)
#   KVER  its version (the metapackage depends on it with "(= VER)")
#   BBVER candidate version of busybox-static
resolve() {
    local out
    KPKG=""; KVER=""; BBVER=""
    out=$(apt-cache show --no-all-versions "$META" "$BBPKG" 2>/dev/null |
        awk -v meta="$META" -v bb="$BBPKG" '
            /^Package:/ { p = $2 }
            p == meta && /^(Pre-)?Depends:/ && !k {
                sub(/^[^:]*: */, "")
                n = split($0, dep, / *, */)
                for (i = 1; i <= n; i++) {
                    if (dep[i] ~ /^linux-image-[0-9]/) {
                        split(dep[i], w, /[ ()=]+/)
                        print "KPKG=" w[1]
                        if (dep[i] ~ /\(= /) print "KVER=" w[2]
                        k = 1; break
                    }
                }
            }
            p == bb && /^Version:/ && !v { print "BBVER=" $2; v = 1 }') ||
        true
    KPKG=$(sed -n 's/^KPKG=//p' <<<"$out")
    KVER=$(sed -n 's/^KVER=//p' <<<"$out")
    BBVER=$(sed -n 's/^BBVER=//p' <<<"$out")
    [ -n "$KPKG" ] || return 1
    if [ -z "$KVER" ]; then  # unversioned dependency: ask for the candidate
        KVER=$(apt-cache show --no-all-versions "$KPKG" 2>/dev/null |
            awk '!v && $1 == "Version:" { print $2; v = 1 }') || true
    fi
    [ -n "$KVER" ] && [ -n "$BBVER" ]
}

SCRIPTHASH=$(cat "$HERE/build.sh" "$HERE/init" "$HERE/memcheck.c" |
    sha256sum | cut -d' ' -f1)
stamp_text() {
    printf 'kernel=%s %s\nbusybox=%s %s\nscripts=%s\n' \
        "$KPKG" "$KVER" "$BBPKG" "$BBVER" "$SCRIPTHASH"
}
cached() {
    [ -s "$OUTDIR/vmlinuz" ] && [ -s "$OUTDIR/initrd.gz" ] &&
        [ -f "$OUTDIR/stamp" ] &&
        [ "$(cat "$OUTDIR/stamp")" = "$(stamp_text)" ]
}
done_msg() {
    log "kernel: $(sed -n 's/^kernel=//p' "$OUTDIR/stamp")"
    echo "$OUTDIR/vmlinuz"
    echo "$OUTDIR/initrd.gz"
}

UPDATED=0
if ! resolve; then
    # No (or unusable) package lists yet: fetch them once.
    log "apt-cache cannot resolve $META/$BBPKG, running apt-get update"
    apt-get update -qq >&2 || die "apt-get update failed"
    UPDATED=1
    resolve || die "cannot resolve $META -> kernel package / $BBPKG"
fi

# Fast path, without taking the lock.
if cached; then
    done_msg
    exit 0
fi

mkdir -p "$OUTDIR"
# Serialise concurrent builds; the loser finds the cache filled.
exec 9>"$OUTDIR/.lock"
flock 9
if cached; then
    done_msg
    exit 0
fi

T0=$(date +%s%N)
WORK=$(mktemp -d "$OUTDIR/.build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
chmod 755 "$WORK"
mkdir "$WORK/deb"

download() {
    (cd "$WORK/deb" &&
        apt-get download -q -o APT::Sandbox::User=root \
            "$KPKG=$KVER" "$BBPKG=$BBVER" >&2)
}
if ! download; then
    [ "$UPDATED" = 0 ] || die "apt-get download failed"
    log "apt-get download failed, running apt-get update and retrying"
    apt-get update -qq >&2 || die "apt-get update failed"
    resolve || die "cannot resolve $META -> kernel package / $BBPKG"
    rm -f "$WORK/deb"/*.deb
    download || die "apt-get download $KPKG $BBPKG failed"
fi
log "kernel package: $KPKG $KVER, $BBPKG $BBVER"

mkdir "$WORK/kernel" "$WORK/bb"
dpkg-deb -x "$WORK/deb/${KPKG}_"*.deb "$WORK/kernel"
dpkg-deb -x "$WORK/deb/${BBPKG}_"*.deb "$WORK/bb"
BB=$WORK/bb/bin/busybox
[ -x "$BB" ] || die "no bin/busybox in $BBPKG"

shopt -s nullglob
k=("$WORK/kernel/boot"/vmlinuz-*)
d=("$WORK/kernel"/lib/modules/* "$WORK/kernel"/usr/lib/modules/*)
shopt -u nullglob
[ "${#k[@]}" -ge 1 ] || die "no /boot/vmlinuz-* in $KPKG"
[ "${#d[@]}" -ge 1 ] || die "no lib/modules/* in $KPKG"
vmlinuz=${k[0]}
moddir=${d[0]}

# --- initramfs tree ----------------------------------------------------
R=$WORK/root
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,var/log,lib/modules,etc/acpi/PWRF}
cp "$BB" "$R/bin/busybox"
# One symlink per applet, at the path busybox wants it (/bin, /sbin, ...).
"$BB" --list-full | while read -r p; do
    [ -e "$R/$p" ] || ln -s /bin/busybox "$R/$p"
done
# Kernel opens /dev/console before /init runs; without the node /init
# starts with no stdio (it re-opens /dev/console after mounting devtmpfs).
mknod -m 600 "$R/dev/console" c 5 1 || log "warning: cannot mknod /dev/console"

# Modules: only the listed ones, decompressed (busybox insmod cannot read
# .ko.xz/.ko.zst/.ko.gz).  Missing ones are probably built in; /init
# skips them with a message.
for m in $MODULES; do
    f=$(find "$moddir/kernel" \( -name "$m.ko" -o -name "$m.ko.xz" \
        -o -name "$m.ko.zst" -o -name "$m.ko.gz" \) -print -quit)
    if [ -z "$f" ]; then
        if grep -q "/$m\.ko" "$moddir/modules.builtin" 2>/dev/null; then
            log "module $m: built into the kernel"
        else
            log "warning: module $m not found in $KPKG"
        fi
        continue
    fi
    dst=$R/lib/modules/$m.ko
    case $f in
    *.ko) cp "$f" "$dst" ;;
    *.ko.xz) "$BB" xzcat "$f" >"$dst" ;;
    *.ko.gz) gzip -dc "$f" >"$dst" ;;
    *.ko.zst)
        if ! command -v zstd >/dev/null; then
            apt-get install -y -qq zstd >&2 || die "cannot install zstd"
        fi
        zstd -qdc "$f" >"$dst" ;;
    esac
done

cp "$HERE/init" "$R/init"
chmod 755 "$R/init"
# The memory witness for migration tests (memcheck.c), static: the
# initramfs has no libc.
gcc -static -O2 -Wall -Werror -o "$R/bin/memcheck" "$HERE/memcheck.c" ||
    die "cannot build memcheck (gcc and libc6-dev are needed)"
# busybox acpid: KEY_POWER -> "button/power PWRF 00000080" -> action
# "PWRF/00000080", run relative to its -c dir (/etc/acpi).  A plain
# poweroff would signal init, which is our shell, so force it.
cat >"$R/etc/acpi/PWRF/00000080" <<'EOF'
#!/bin/sh
echo "VIREO-GUEST: power button, powering off" >/dev/console
sync
poweroff -f
EOF
chmod 755 "$R/etc/acpi/PWRF/00000080"

(cd "$R" && find . -mindepth 1 | LC_ALL=C sort |
    "$BB" cpio -o -H newc 2>/dev/null) | gzip -9n >"$WORK/initrd.gz"
cp "$vmlinuz" "$WORK/vmlinuz"
stamp_text >"$WORK/stamp"

# --- publish -------------------------------------------------------------
# Drop the stamp first so a crash mid-way never leaves a valid-looking
# cache; each rename is atomic.
rm -f "$OUTDIR/stamp"
mv -f "$WORK/vmlinuz" "$OUTDIR/vmlinuz"
mv -f "$WORK/initrd.gz" "$OUTDIR/initrd.gz"
mv -f "$WORK/stamp" "$OUTDIR/stamp"
log "built in $((($(date +%s%N) - T0) / 1000000)) ms," \
    "initrd.gz $(stat -c %s "$OUTDIR/initrd.gz") bytes"
done_msg
