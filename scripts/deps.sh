#!/bin/bash
# Install what Vireo needs to build, run and test on Debian 12 (as root).
set -euo pipefail
pkgs=(
	autoconf automake make gcc libc6-dev pkg-config
	libxml2-dev libjson-c-dev uuid-dev libnl-3-dev libnl-route-3-dev
	qemu-system-x86 qemu-utils e2fsprogs
	procps iproute2 ca-certificates bc
	dnsmasq-base nftables util-linux socat iputils-ping
	libedit-dev bash-completion tmux
	openssh-client openssh-server
)
missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# openssh-server's postinst may start the system sshd on port 22 where
	# init scripts are allowed: harmless, tests/e2e/remote.sh starts its
	# own sshd on a free port of 127.0.0.1 and never uses that one.
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# QEMU runs as this unprivileged user (vireod.conf "user"/"group").
if ! getent passwd vireo-qemu >/dev/null; then
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin vireo-qemu
	# /dev/kvm is root:kvm 0660 on Debian.
	if getent group kvm >/dev/null; then usermod -a -G kvm vireo-qemu; fi
fi
# The networks' dnsmasq drops root for this user (vireod.conf dnsmasq_user).
if ! getent passwd vireo-dnsmasq >/dev/null; then
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin vireo-dnsmasq
fi
