#!/usr/bin/env bash
# Installs the Debian packages the tests need (when run as root and they are missing).
# The list grows with the tests: each entry says which tests need it.
set -euo pipefail
PACKAGES=(
  qemu-system-x86  # machine-pc firmware tests: our BIOS and demo disks on QEMU's isapc as a reference
  nasm        # tools/scripts/build-firmware.sh --check: committed firmware matches its source
  dosfstools # mkfs.fat: FAT images for the block, dev-fdc, dev-ide tests
  mtools # mformat: floppy images for the block, dev-fdc tests; mcopy for dev-ide tests
  genisoimage # ISO 9660 images for the dev-ide ATAPI CD-ROM tests
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system packages missing (run as root to install): ${missing[*]}" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
