#!/usr/bin/env bash
# npm run qemu:setup: everything the real QEMU post-copy migrations need (src/qemu, `postcopy-lab qemu`),
# built into .cache/qemu (git-ignored). Root on Debian 12; idempotent (a second run only checks).
#   packages   qemu-system-x86 (7.2), busybox-static, cpio, gcc + libc6-dev (static guest programs, the plugin),
#              sqlite3 and bzip2 (real programs run inside the guest, with their shared libraries)
#   kernel     Debian's linux-image-*-amd64 (apt-get download, dpkg -x): vmlinuz
#   plugin     libpagetrace.so from src/qemu/plugin/pagetrace.c (TCG plugin API v1)
#   initramfs  busybox + init + walk (src/qemu/guest) + sqlite3, bzip2 and their inputs: initramfs.cpio.gz
set -euo pipefail
fail() { echo "qemu:setup: $*" >&2; exit 2; }
[[ "$(id -u)" == 0 ]] || fail "must run as root (it installs Debian packages with apt-get)"
[[ -r /etc/debian_version ]] && command -v apt-get >/dev/null || fail "needs Debian (apt-get, /etc/debian_version)"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# work_dir_in: temporary directories that go with the run, and those of a killed run with the next
source "$ROOT/scripts/work-dir.sh"
CACHE="$ROOT/.cache/qemu"
mkdir -p "$CACHE"
log() { echo "qemu:setup: $*"; }

PACKAGES=(qemu-system-x86 busybox-static cpio gcc libc6-dev sqlite3 bzip2 gzip)
missing=()
for p in "${PACKAGES[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || fail "apt-get update failed (is the Debian mirror reachable?)"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || fail "apt-get install ${missing[*]} failed"
fi

if [[ ! -s "$CACHE/vmlinuz" ]]; then
  kernel="$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ {print $2; exit}')"
  [[ -n "$kernel" ]] || fail "no linux-image-*-amd64 package found by apt-cache"
  log "fetching kernel $kernel"
  work_dir_in "${TMPDIR:-/tmp}" postcopy-lab-qemu-setup work
  (cd "$work" && apt-get download -qq -o APT::Sandbox::User=root "$kernel" >/dev/null) || fail "apt-get download $kernel failed"
  dpkg -x "$work"/*.deb "$work/x"
  cp "$work"/x/boot/vmlinuz-* "$CACHE/vmlinuz.tmp" && mv "$CACHE/vmlinuz.tmp" "$CACHE/vmlinuz"
  echo "$kernel" > "$CACHE/kernel-package"
fi

# Rebuilt when its source is newer; gcc writes to a temporary name so a failure leaves no half file.
build() { # OUT SRC GCC-ARGS...
  local out="$1" src="$2"
  shift 2
  [[ -s "$out" && "$out" -nt "$src" ]] && return 0
  log "building $(basename "$out")"
  gcc -O2 -Wall "$@" -o "$out.tmp" "$src" || fail "gcc failed on $src"
  mv "$out.tmp" "$out"
}
build "$CACHE/libpagetrace.so" "$ROOT/src/qemu/plugin/pagetrace.c" -shared -fPIC -pthread
build "$CACHE/walk" "$ROOT/src/qemu/guest/walk.c" -static

INIT="$ROOT/src/qemu/guest/init.sh"
if [[ ! -s "$CACHE/initramfs.cpio.gz" || "$INIT" -nt "$CACHE/initramfs.cpio.gz" || "$CACHE/walk" -nt "$CACHE/initramfs.cpio.gz" ]]; then
  log "building initramfs"
  work_dir_in "${TMPDIR:-/tmp}" postcopy-lab-qemu-setup tree
  mkdir -p "$tree"/{bin,proc,sys,dev,tmp,work}
  cp /bin/busybox "$tree/bin/busybox"
  for tool in sh mount mkdir cat echo sleep seq head tr sed grep; do ln -s busybox "$tree/bin/$tool"; done
  cp "$CACHE/walk" "$tree/bin/walk"
  for program in /usr/bin/sqlite3 /usr/bin/bzip2; do # the program and every shared library it loads
    for file in "$program" $(ldd "$program" | grep -o '/[^ ]*'); do
      mkdir -p "$tree$(dirname "$file")"
      cp -L "$file" "$tree$file"
    done
  done
  "$ROOT/scripts/make-trace-inputs.sh" "$tree/work" >/dev/null
  cp "$INIT" "$tree/init"
  chmod +x "$tree/init"
  (cd "$tree" && find . | cpio -o -H newc --quiet | gzip -9) > "$CACHE/initramfs.tmp"
  mv "$CACHE/initramfs.tmp" "$CACHE/initramfs.cpio.gz"
fi
log "ready in $CACHE ($(cat "$CACHE/kernel-package"), $(qemu-system-x86_64 --version | head -1))"
