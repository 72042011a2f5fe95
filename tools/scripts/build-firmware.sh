#!/usr/bin/env bash
# Builds the machine-pc firmware from its sources with nasm (Debian package `nasm`):
#   firmware/bios.asm         -> firmware/bios.bin          the built-in BIOS (64 KiB)
#   firmware/demo-floppy.asm  -> firmware/demo-floppy.bin   the demo floppy's first sectors
#   firmware/demo-disk.asm    -> firmware/demo-disk.bin     the demo hard disk's first sectors
# The binaries are committed, so a fresh machine needs no assembler. `--check` rebuilds into a
# temporary folder and fails if any committed binary does not match its source (run in CI).
set -euo pipefail
cd "$(dirname "$0")/../../packages/machine-pc/firmware"
command -v nasm >/dev/null || { echo "build-firmware: nasm is not installed (apt-get install nasm)" >&2; exit 2; }
images=(bios demo-floppy demo-disk)
if [ "${1:-}" = "--check" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  status=0
  for n in "${images[@]}"; do
    nasm -f bin -o "$tmp/$n.bin" "$n.asm"
    if cmp -s "$tmp/$n.bin" "$n.bin"; then
      echo "build-firmware: $n.bin matches $n.asm ($(wc -c < "$n.bin") bytes, sha256 $(sha256sum "$n.bin" | cut -c1-16))"
    else
      echo "build-firmware: $n.bin does not match $n.asm: run tools/scripts/build-firmware.sh and commit the result" >&2
      status=1
    fi
  done
  exit $status
fi
for n in "${images[@]}"; do
  nasm -f bin -o "$n.bin" "$n.asm"
  echo "build-firmware: wrote $n.bin ($(wc -c < "$n.bin") bytes)"
done
