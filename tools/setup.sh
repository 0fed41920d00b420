#!/usr/bin/env bash
# Install what `make run` / `make test` need on a fresh Debian machine:
# QEMU, OVMF, xorriso, mtools (as root, via apt) and the pinned Rust
# toolchain with its bare-metal target (rustup; auto-install is off here).
# Idempotent and quiet when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
command -v qemu-system-x86_64 >/dev/null || need_pkgs+=(qemu-system-x86)
[ -e /usr/share/ovmf/OVMF.fd ] || [ -e /usr/share/OVMF/OVMF_CODE.fd ] || need_pkgs+=(ovmf)
command -v xorriso >/dev/null || need_pkgs+=(xorriso)
command -v mformat >/dev/null || need_pkgs+=(mtools)
command -v cc >/dev/null || need_pkgs+=(gcc)
# make bench: the Linux baseline's /init is linked with `gcc -static`.
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || need_pkgs+=(libc6-dev)
if [ ${#need_pkgs[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: missing Debian packages: ${need_pkgs[*]} (run as root or: sudo apt-get install ${need_pkgs[*]})" >&2
        exit 1
    fi
    echo "setup: installing ${need_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

if ! command -v rustup >/dev/null; then
    echo "setup: rustup not found; install it from the Rust project, then re-run" >&2
    exit 1
fi
channel=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
if ! rustup run "$channel" rustc --version >/dev/null 2>&1; then
    echo "setup: installing Rust $channel"
    rustup toolchain install "$channel" --profile minimal -c clippy,rustfmt
fi
if ! rustup target list --installed --toolchain "$channel" | grep -qx x86_64-unknown-none; then
    echo "setup: adding target x86_64-unknown-none"
    rustup target add --toolchain "$channel" x86_64-unknown-none
fi
for c in clippy rustfmt; do
    rustup component list --installed --toolchain "$channel" | grep -q "^$c" ||
        rustup component add --toolchain "$channel" "$c"
done
