#!/usr/bin/env bash
# Build the lab host image once: a Debian 12 root filesystem that boots systemd and already
# has Python (for Ansible) and Java 17 (so the java role converges without a download).
# Usage: lab/build-image.sh [image] [cache-dir]
set -euo pipefail
image=${1:-localhost/meridian-lab:bookworm}
cache=${2:-/var/cache/meridian}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")" && pwd)/containers.conf}

if podman image exists "$image"; then
  echo "lab image $image already present"
  exit 0
fi
rootfs="$cache/rootfs"
if [ ! -x "$rootfs/sbin/init" ]; then
  rm -rf "$rootfs.partial"
  mkdir -p "$cache"
  echo "debootstrap Debian 12 into $rootfs (about a minute)"
  debootstrap --variant=minbase \
    --include=systemd,systemd-sysv,python3,python3-apt,openjdk-17-jre-headless,iproute2,procps,iptables \
    bookworm "$rootfs.partial" >"$cache/debootstrap.log" 2>&1 ||
    { tail -20 "$cache/debootstrap.log"; exit 1; }
  # Units that make no sense in a container sharing the host's network and clock.
  for unit in systemd-networkd.service systemd-resolved.service systemd-timesyncd.service \
              apt-daily.timer apt-daily-upgrade.timer; do
    ln -sf /dev/null "$rootfs.partial/etc/systemd/system/$unit"
  done
  mv "$rootfs.partial" "$rootfs"
fi
tar -C "$rootfs" -c . | podman import --quiet - "$image" >/dev/null
echo "lab image $image built"
