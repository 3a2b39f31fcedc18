#!/usr/bin/env bash
# The Debian/Ubuntu packages amc's build and test suite need (run as root, or
# it re-runs itself with sudo). Idempotent: installs only what is missing.
#
#   build:   gcc (the linker driver and C code of -sys crates); Rust >= 1.95
#            itself comes from rustup
#   tests:   python3 + python3-venv + python3-pip + ca-certificates (the
#            validators' venv), openssl (signature checks), libvulkan1 +
#            mesa-vulkan-drivers (a CPU Vulkan device for `amc probe`),
#            chromium + fonts-dejavu-core (report.html rendered headless),
#            ruby (`ruby -c` of the Homebrew formula), curl (model staging in
#            the end-to-end test), dpkg/apt (validators fetched as .debs),
#            kubectl (kubernetes-client, unless a kubectl is on PATH:
#            `kubectl kustomize` of every Kubernetes output folder)
#            neovim (`amc lsp` through a real client, scripts/test-nvim-lsp.sh)
set -euo pipefail
PKGS=(gcc python3 python3-venv python3-pip ca-certificates openssl
      libvulkan1 mesa-vulkan-drivers chromium fonts-dejavu-core ruby curl neovim)
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
# `kubectl kustomize` renders every Kubernetes output folder in the
# validators: any kubectl on PATH will do, else Debian's kubernetes-client.
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-system-deps: all present: ${PKGS[*]}"
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    exec sudo "$0" "$@"
fi
echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
for i in 1 2 3; do apt-get update -qq && break; echo "apt-get update failed (try $i)"; sleep 5; done
apt-get install -y -qq --no-install-recommends "${missing[@]}"
if ! command -v cargo >/dev/null 2>&1; then
    echo "install-system-deps: cargo is missing: install Rust >= 1.95 with rustup (https://rustup.rs)" >&2
    exit 1
fi
