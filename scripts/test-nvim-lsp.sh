#!/usr/bin/env bash
# `amc lsp` through a real client: Neovim's built-in LSP client, headless.
# Copies examples/workstation-llama to a temporary directory with one typo
# (`exposure="loopbak"`), opens it, and checks diagnostics, the quick fix,
# hover, document symbols, inlay hints, semantic tokens and rename
# (scripts/nvim/lsp-session.lua). Exits nonzero with a message on failure.
#
#   AMC=path/to/amc   use this binary instead of building one
#   NVIM=path/to/nvim use this Neovim (0.7 or newer; default: nvim)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

NVIM="${NVIM:-nvim}"
if ! command -v "$NVIM" >/dev/null 2>&1; then
    echo "test-nvim-lsp: $NVIM not found (apt-get install neovim)" >&2
    exit 1
fi
if [[ -z "${AMC:-}" ]]; then
    cargo build --locked -q
    AMC="${CARGO_TARGET_DIR:-$REPO/target}/debug/amc"
fi
AMC="$(cd "$(dirname "$AMC")" && pwd)/$(basename "$AMC")"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -r examples/workstation-llama "$tmp/spec"
sed -i 's/exposure="loopback"/exposure="loopbak"/' "$tmp/spec/spec.kdl"
grep -q 'loopbak' "$tmp/spec/spec.kdl"

export AMC SPEC_DIR="$tmp/spec" XDG_CACHE_HOME="$tmp/cache" HOME="$tmp"
log="$tmp/nvim.log"
if ! timeout 300 "$NVIM" --headless -u NONE -i NONE -n \
        -c "luafile $REPO/scripts/nvim/lsp-session.lua" >"$log" 2>&1; then
    cat "$log" >&2
    echo "test-nvim-lsp: FAILED ($("$NVIM" --version | head -1))" >&2
    exit 1
fi
cat "$log"
if ! grep -q 'ok: rename' "$log"; then
    echo "test-nvim-lsp: the session ended before its last check" >&2
    exit 1
fi
echo "test-nvim-lsp: passed ($("$NVIM" --version | head -1))"
