#!/usr/bin/env bash
# The repo's single test command (run by .ci/run; run it locally too):
#   1. cargo test --workspace --locked
#   2. scripts/test-validators.sh   (external validators on fixtures)
#   3. scripts/test-report.sh       (report.html rendered in headless Chromium)
#   4. scripts/validate-examples.sh (build every example and run
#      scripts/validate-output.sh on it)
#   5. scripts/test-signing.sh      (signed builds checked with openssl,
#      securesystemslib, sigstore-protobuf-specs and upstream's schemas)
#   5b. scripts/test-e2e.sh         (an example staged, verified and served by
#      a real llama.cpp server; fail-closed on corrupted bytes)
#   6. ruby -c packaging/homebrew/amc.rb (the Homebrew formula parses; ruby is
#      required under CI, skipped with a note elsewhere)
#   7. scripts/test-nvim-lsp.sh     (`amc lsp` through Neovim's built-in
#      client, headless; nvim is required under CI, skipped with a note elsewhere)
# Steps 2-5 need scripts/setup-validators.sh to have run once.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

step() { printf '\n==> %s\n' "$*"; }

step "cargo test --workspace --locked"
cargo test --workspace --locked

step "scripts/test-validators.sh"
scripts/test-validators.sh

step "scripts/test-report.sh (report.html in headless Chromium)"
scripts/test-report.sh

if [[ -f scripts/validate-examples.sh ]]; then
    step "scripts/validate-examples.sh"
    bash scripts/validate-examples.sh
else
    step "scripts/validate-examples.sh not present; skipped"
fi

step "scripts/test-signing.sh"
bash scripts/test-signing.sh

step "scripts/test-e2e.sh (staging, verification and a real llama.cpp server)"
bash scripts/test-e2e.sh

step "ruby -c packaging/homebrew/amc.rb"
if command -v ruby >/dev/null 2>&1; then
    ruby -c packaging/homebrew/amc.rb
elif [[ "${CI:-}" == "true" ]]; then
    echo "ruby is missing (.ci/run installs it)" >&2
    exit 1
else
    echo "ruby not installed; skipped (apt-get install ruby)"
fi

step "scripts/test-nvim-lsp.sh (amc lsp through headless Neovim)"
if command -v nvim >/dev/null 2>&1; then
    bash scripts/test-nvim-lsp.sh
elif [[ "${CI:-}" == "true" ]]; then
    echo "nvim is missing (.ci/run installs neovim)" >&2
    exit 1
else
    echo "nvim not installed; skipped (apt-get install neovim)"
fi
