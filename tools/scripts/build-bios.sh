#!/usr/bin/env bash
# Builds the built-in BIOS from its source with nasm (Debian package `nasm`):
#   packages/machine-pc/firmware/bios.asm -> packages/machine-pc/firmware/bios.bin
# The binary is committed, so a fresh machine needs no assembler. `--check` rebuilds into a
# temporary file and fails if the committed binary does not match its source (run in CI).
set -euo pipefail
cd "$(dirname "$0")/../.."
src=packages/machine-pc/firmware/bios.asm
bin=packages/machine-pc/firmware/bios.bin
command -v nasm >/dev/null || { echo "build-bios: nasm is not installed (apt-get install nasm)" >&2; exit 2; }
if [ "${1:-}" = "--check" ]; then
  tmp=$(mktemp)
  trap 'rm -f "$tmp"' EXIT
  nasm -f bin -o "$tmp" "$src"
  if cmp -s "$tmp" "$bin"; then
    echo "build-bios: $bin matches $src ($(wc -c < "$bin") bytes, sha256 $(sha256sum "$bin" | cut -c1-16))"
  else
    echo "build-bios: $bin does not match $src: run tools/scripts/build-bios.sh and commit the result" >&2
    exit 1
  fi
else
  nasm -f bin -o "$bin" "$src"
  echo "build-bios: wrote $bin ($(wc -c < "$bin") bytes)"
fi
