#!/usr/bin/env bash
# Regenerates the admissions and grants the examples carry (examples/*/governance/),
# so they match the examples' current deployment receipt ids. Run it after
# changing an example, then bless the goldens (AMC_BLESS=1 cargo test --test golden).
#
# For each example: builds a copy whose pods do not reference governance
# documents (deployment receipt ids do not depend on those references), hands
# the requests in receipts/<pod>/ to scripts/stand_in_admissions.py (an example
# stand-in for Policy Fabric and Agent Registry), and checks that the example
# then builds with --require-activation at its golden decision time.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
cargo build --locked -q
AMC="${CARGO_TARGET_DIR:-$REPO/target}/debug/amc"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for ex in examples/*/; do
    name="$(basename "$ex")"
    decided="$(cat "golden/example-$name/decided-at")"
    mkdir -p "$work/$name"
    cp -r "$ex". "$work/$name/spec"
    rm -rf "$work/$name/spec/governance"
    for f in "$work/$name/spec"/*.kdl; do
        sed -i -E '/^[[:space:]]*(admission|grant)[[:space:]]/d' "$f"
    done
    "$AMC" build "$work/$name/spec" --out "$work/$name/out" --decided-at "$decided" 2>/dev/null
    rm -rf "$ex/governance"
    python3 scripts/stand_in_admissions.py "$work/$name/out/receipts" "$ex/governance"
    "$AMC" build "$ex" --out "$work/$name/check" --decided-at "$decided" --require-activation
done
echo "regen-admissions: every example is admitted for its current deployment receipt ids"
