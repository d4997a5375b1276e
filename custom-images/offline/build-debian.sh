#!/usr/bin/env bash
# Builds execgate's Debian runtime images on a machine without any container registry:
#
#   execgate/debian:bookworm                Debian 12 (minbase) from Debian's archive: debootstrap, then
#                                           docker import; a non-root `executor` user (uid 1000)
#   execgate/python-scientific:offline      python3 with numpy, pandas, scipy and matplotlib from Debian packages
#   execgate/nodejs-runtime:offline         nodejs with the packages of nodejs-runtime/package.json (npm ci)
#   execgate/multi-language:offline         python3, nodejs, gcc/g++ and bash (multi-language/install-tools.sh)
#
# The three runtime images are ordinary `docker build`s of custom-images/*/Dockerfile.offline (and of
# multi-language/Dockerfile with BASE=execgate/debian:bookworm) on top of the imported base: apt-get
# inside the build reaches Debian's archive, npm ci reaches npm's registry. No image is ever pulled.
#
#   custom-images/offline/build-debian.sh [debian|python-scientific|nodejs-runtime|multi-language ...]
#
# Without arguments it builds all four. Idempotent: an image whose tag exists is kept when its
# io.execgate.image.revision label matches its Dockerfile's (REBUILD=1 rebuilds the named ones; the
# base only when named or missing); an image is built under <tag>-building, then retagged. Needs root and debootstrap
# (apt-get install debootstrap) for the base.
#   DEBIAN_MIRROR   Debian archive to bootstrap from (default http://deb.debian.org/debian)
#   TAG_PREFIX      image name prefix (default execgate/)
#   EXTRA_CA_CERTS  PEM file of CA certificates npm must trust during the build (default: the ones in
#                   /usr/local/share/ca-certificates); they stay in a build stage, never in an image
set -euo pipefail
cd "$(dirname "$0")/.."

docker=${DOCKER:-docker}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
prefix=${TAG_PREFIX:-execgate/}
base_tag=${prefix}debian:bookworm
export DOCKER_BUILDKIT=0   # the classic builder resolves FROM against local images only, never a registry

say() { printf 'build-debian: %s\n' "$*" >&2; }
present() { [[ -z ${REBUILD:-} || ${2:-} == dependency ]] && $docker image inspect "$1" >/dev/null 2>&1; }

base_done=
# $1: "dependency" when an image built on it asks for it: then REBUILD does not apply to it
build_base() {
  [[ -z $base_done ]] || return 0
  base_done=1
  if present "$base_tag" "${1:-}"; then
    say "$base_tag already present"
    return
  fi
  if [[ $(id -u) != 0 ]] || ! command -v debootstrap >/dev/null; then
    say "building $base_tag needs root and debootstrap (apt-get install -y debootstrap)"
    exit 1
  fi
  local root log started=$SECONDS
  root=$(mktemp -d /var/tmp/execgate-debian.XXXXXX)
  log=$root.log
  # shellcheck disable=SC2064
  trap "cleanup_root '$root'" EXIT
  say "debootstrap bookworm from $mirror (log: $log)"
  if ! debootstrap --variant=minbase --components=main bookworm "$root" "$mirror" >"$log" 2>&1; then
    tail -20 "$log" >&2
    exit 1
  fi
  cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
  # what Debian's own slim images do: no recommends, no docs/man/locales, no package caches
  cat >"$root/etc/apt/apt.conf.d/90execgate" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
EOF
  cat >"$root/etc/dpkg/dpkg.cfg.d/90execgate" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
  mount -t proc proc "$root/proc"
  # security updates, and the sandbox user
  chroot "$root" /bin/sh -ec 'export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get -y -qq upgrade
    apt-get clean
    groupadd -g 1000 executor
    useradd -u 1000 -g 1000 -m -s /bin/bash executor' >>"$log" 2>&1 \
    || { tail -20 "$log" >&2; exit 1; }
  umount "$root/proc"
  find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  rm -rf "$root"/usr/share/{man,info,locale,lintian}/* "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* \
    "$root"/var/cache/debconf/*-old "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/tmp/*
  chmod 1777 "$root/tmp"
  tar --numeric-owner --xattrs -C "$root" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . \
    | $docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV LANG=C.UTF-8' \
      --change 'CMD ["bash"]' \
      --change 'LABEL org.opencontainers.image.title=execgate-debian org.opencontainers.image.version=bookworm io.execgate.image=debian' \
      - "$base_tag" >/dev/null
  cleanup_root "$root"
  trap - EXIT
  say "built $base_tag in $((SECONDS - started)) s"
}

# removes the bootstrap directory, never following a mount that debootstrap may have left in it
cleanup_root() {
  local root=$1 m
  for m in $(awk -v r="$root" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" || true
  done
  if awk -v r="$root" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
    say "something is still mounted under $root; leaving it in place"
    return
  fi
  rm -rf --one-file-system "$root"
  rm -f "$root.log"
}

# CA certificates this machine trusts beyond Debian's own (e.g. a TLS-intercepting egress proxy's),
# for npm during the build: EXTRA_CA_CERTS (a PEM file), else /usr/local/share/ca-certificates/*.crt
extra_ca() {
  if [[ -n ${EXTRA_CA_CERTS:-} ]]; then
    cat "$EXTRA_CA_CERTS"
  else
    cat /usr/local/share/ca-certificates/*.crt 2>/dev/null || true
  fi
}

# the io.execgate.image.revision label a Dockerfile sets (empty when it sets none)
revision() {
  sed -n 's/.*io\.execgate\.image\.revision=\([0-9][0-9]*\).*/\1/p' "$1" | head -1
}

build_image() {
  local name=$1 dockerfile=$2 tag=${prefix}$1:offline started=$SECONDS log context wanted have
  wanted=$(revision "$name/$dockerfile")
  if present "$tag"; then
    have=$($docker image inspect -f '{{index .Config.Labels "io.execgate.image.revision"}}' "$tag")
    if [[ $have == "$wanted" ]]; then
      say "$tag already present"
      return
    fi
    say "$tag is revision ${have:-1}, $dockerfile is revision $wanted: rebuilding"
  fi
  log=$(mktemp /var/tmp/execgate-build-"$name".XXXXXX)
  context=$(mktemp -d /var/tmp/execgate-context-"$name".XXXXXX)
  cp -R "$name"/. "$context"/
  extra_ca >"$context/build-ca.crt"
  say "building $tag (log: $log)"
  local cache=()
  [[ -z ${REBUILD:-} ]] || cache=(--no-cache)
  # built under a temporary tag and retagged when done: the old image serves under $tag meanwhile
  # (and stays, untagged, for the containers and image caches that hold its id)
  if ! $docker build --force-rm "${cache[@]}" --build-arg BASE="$base_tag" -t "$tag-building" \
    -f "$context/$dockerfile" "$context" >"$log" 2>&1; then
    tail -30 "$log" >&2
    rm -rf "$context"
    exit 1
  fi
  $docker tag "$tag-building" "$tag"
  $docker rmi "$tag-building" >/dev/null
  rm -rf "$context" "$log"
  # the untagged images of build stages (npm and the extra CAs live only there)
  $docker image prune -f --filter label=io.execgate.build-stage="$name"-npm >/dev/null
  say "built $tag in $((SECONDS - started)) s ($($docker image inspect -f '{{.Size}}' "$tag" | awk '{ printf "%d MB", $1 / 1e6 }'))"
}

targets=("$@")
((${#targets[@]})) || targets=(debian python-scientific nodejs-runtime multi-language)
for target in "${targets[@]}"; do
  case $target in
    debian) ;;
    python-scientific | nodejs-runtime | multi-language) ;;
    *) say "unknown image '$target'; one of: debian python-scientific nodejs-runtime multi-language"; exit 2 ;;
  esac
done
for target in "${targets[@]}"; do
  case $target in
    debian) build_base ;;
    python-scientific) build_base dependency; build_image python-scientific Dockerfile.offline ;;
    nodejs-runtime) build_base dependency; build_image nodejs-runtime Dockerfile.offline ;;
    multi-language) build_base dependency; build_image multi-language Dockerfile ;;
  esac
done
