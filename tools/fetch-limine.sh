#!/usr/bin/env bash
# Fetch the pinned Limine binary release into ./limine-bin (git-ignored) and
# verify every file against the checksums below. Used by `make limine-fetch`;
# `make iso` / `make test-limine` use ./limine-bin when LIMINE_DIR is unset.
# Limine's binaries are never committed.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=11.4.1
URL="https://codeberg.org/Limine/Limine/archive/v${VERSION}-binary.tar.gz"
DEST=limine-bin

# sha256 of the files of the v11.4.1 binary release that Helix uses.
SUMS='333f7a69379b1f47e019be215885cdc078b9edd6e9255cbe2f706d6c5ec0ef06  BOOTX64.EFI
13108feb6399758085ec09de073da5fc74d6b3b7d0df4034e307a28ec37b82a2  limine-bios.sys
18f7823c631e92797e00c320395ed4151e9dcd36ca4c69c51de8da6a473bb3b2  limine-bios-cd.bin
0c7a1daf60d2140d124bf020ea99fff95788963afc55ed9acdb9bbfe603a7b20  limine-uefi-cd.bin
d448f0f1a3138c12858232b901a06e1d35e3223a7ee458af999217a916bde92e  limine.c
ddaa1af5a644b438634b8c83c056f12022903d67623807fd318048cf41d92927  limine-bios-hdd.h'

verify() { (cd "$DEST" && echo "$SUMS" | sha256sum --quiet -c -); }

if [ -f "$DEST/limine-bios.sys" ] && verify 2>/dev/null; then
    echo "limine-fetch: $DEST already holds Limine $VERSION (checksums match)"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "limine-fetch: downloading Limine $VERSION binary release"
if ! curl -fsSL --connect-timeout 10 -o "$tmp/limine.tar.gz" "$URL"; then
    echo "limine-fetch: cannot download $URL (no network?)." >&2
    echo "limine-fetch: put a Limine $VERSION binary release in a directory and pass LIMINE_DIR=<dir>." >&2
    exit 2
fi
mkdir -p "$tmp/x" "$DEST"
tar -xzf "$tmp/limine.tar.gz" -C "$tmp/x" --strip-components=1
for f in $(echo "$SUMS" | awk '{print $2}'); do cp "$tmp/x/$f" "$DEST/"; done
if ! verify; then
    echo "limine-fetch: checksum mismatch: refusing the download" >&2
    rm -rf "$DEST"
    exit 2
fi
echo "limine-fetch: Limine $VERSION in $DEST (checksums verified)"
