#!/usr/bin/env bash
# Regenerates the admissions and grants the examples carry (examples/*/governance/)
# and those of the governance golden cases (golden/gov-*/input/governance/, made
# from golden/gov-*/stand-in.json), so they match the current deployment receipt
# ids. Run it after changing an example, a gov-* case or what amc renders, then
# bless the goldens (AMC_BLESS=1 cargo test --test golden) and review the diff.
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
# amc build, quiet unless it fails.
build() {
    if ! "$AMC" build "$@" 2>"$work/stderr"; then
        cat "$work/stderr" >&2
        exit 1
    fi
}
for ex in examples/*/; do
    name="$(basename "$ex")"
    decided="$(cat "golden/example-$name/decided-at")"
    mkdir -p "$work/$name"
    cp -r "$ex". "$work/$name/spec"
    rm -rf "$work/$name/spec/governance"
    for f in "$work/$name/spec"/*.kdl; do
        sed -i -E '/^[[:space:]]*(admission|grant)[[:space:]]/d' "$f"
    done
    build "$work/$name/spec" --out "$work/$name/out" --decided-at "$decided"
    rm -rf "$ex/governance"
    python3 scripts/stand_in_admissions.py "$work/$name/out/receipts" "$ex/governance"
    "$AMC" build "$ex" --out "$work/$name/check" --decided-at "$decided" --require-activation
done
# The governance golden cases: stand-in documents, then the case's changes.
for recipe in golden/gov-*/stand-in.json; do
    case_dir="$(dirname "$recipe")"
    name="$(basename "$case_dir")"
    mkdir -p "$work/$name"
    cp -r "$case_dir/input" "$work/$name/spec"
    rm -rf "$work/$name/spec/governance"
    for f in "$work/$name/spec"/*.kdl; do
        sed -i -E '/^[[:space:]]*(admission|grant)[[:space:]]/d' "$f"
    done
    build "$work/$name/spec" --out "$work/$name/out"
    rm -rf "$case_dir/input/governance"
    python3 scripts/stand_in_admissions.py "$work/$name/out/receipts" "$case_dir/input/governance" "$recipe"
done
echo "regen-admissions: every example is admitted for its current deployment receipt ids; gov-* documents regenerated"
