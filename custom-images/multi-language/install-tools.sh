#!/bin/sh
# Installs the toolchain of execgate's multi-language image from Debian 12 (bookworm) packages, pinned
# to their upstream versions (the Debian revision may move with security updates), checks what it
# installed, and adds the sandbox user. Runs inside `docker build` on debian:12.11-slim or on the
# offline-built execgate/debian:bookworm.
#
#   bash 5.2.15 · python3 3.11.2 · nodejs 18.20 · gcc/g++ 12.2.0 with libc6-dev
set -eu

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
  'bash=5.2.15*' \
  'python3=3.11.2*' \
  'nodejs=18.20.*' \
  'gcc=4:12.2.0*' 'gcc-12=12.2.0*' \
  'g++=4:12.2.0*' 'g++-12=12.2.0*' \
  libc6-dev
apt-get clean
rm -rf /var/lib/apt/lists/*

# fail the build, rather than ship an image whose versions differ from what the runtimes report
check() {
  got=$("$@" 2>&1 | head -n 1)
  echo "$got"
}
case $(check bash --version) in *"version 5.2.15"*) ;; *) echo "unexpected bash" >&2; exit 1 ;; esac
case $(check python3 --version) in "Python 3.11.2") ;; *) echo "unexpected python3" >&2; exit 1 ;; esac
case $(check node --version) in v18.20.*) ;; *) echo "unexpected node" >&2; exit 1 ;; esac
case $(check gcc -dumpfullversion) in 12.2.0) ;; *) echo "unexpected gcc" >&2; exit 1 ;; esac
case $(check g++ -dumpfullversion) in 12.2.0) ;; *) echo "unexpected g++" >&2; exit 1 ;; esac

if ! id -u executor >/dev/null 2>&1; then
  groupadd -g 1000 executor
  useradd -u 1000 -g 1000 -m -s /bin/bash executor
fi
[ "$(id -u executor)" = 1000 ] || { echo "the executor user must have uid 1000" >&2; exit 1; }
