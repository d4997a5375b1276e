#!/usr/bin/env bash
# Builds execgate's default sandbox image without any container registry:
# a root filesystem holding Debian's statically linked busybox, a non-root
# `executor` user (uid 1000) and a world-writable /tmp, imported with `docker import`.
#
#   custom-images/offline/build-busybox.sh [tag]     (default tag: execgate/busybox:1.35)
#
# Idempotent: does nothing when the tag already exists (set REBUILD=1 to force).
set -euo pipefail

tag=${1:-execgate/busybox:1.35}
docker=${DOCKER:-docker}

if [[ -z ${REBUILD:-} ]] && $docker image inspect "$tag" >/dev/null 2>&1; then
  echo "image $tag already present"
  exit 0
fi

busybox=/bin/busybox   # Debian's busybox-static; the dynamic `busybox` package would not run in the image
if ! [[ -x $busybox ]] || ! "$busybox" --list-full >/dev/null 2>&1; then
  echo "busybox-static is missing: apt-get install -y busybox-static" >&2
  exit 1
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,home/executor,proc,sys,dev}
cp "$busybox" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list-full); do
  [[ -e $root/$applet ]] || ln -s /bin/busybox "$root/$applet"
done
cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
executor:x:1000:1000:execgate sandbox user:/home/executor:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
executor:x:1000:
nogroup:x:65534:
EOF
chmod 1777 "$root/tmp"
chown 1000:1000 "$root/home/executor"

tar --numeric-owner -C "$root" -c . | $docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin' \
  --change 'USER 1000' \
  --change 'WORKDIR /tmp' \
  --change 'CMD ["/bin/sh"]' \
  --change 'LABEL org.opencontainers.image.title=execgate-busybox io.execgate.image=busybox' \
  - "$tag" >/dev/null
echo "built $tag"
