#!/usr/bin/env bash
# Coverage-guided fuzzing of amc with cargo fuzz (libFuzzer; needs a nightly
# toolchain and `cargo install cargo-fuzz`). Not part of scripts/test.sh: run
# it by hand or in a scheduled job.
#
#   scripts/fuzz.sh                 # every target, 900 s each
#   scripts/fuzz.sh -t 60 spec      # one target, 60 s
#
# Targets (fuzz/fuzz_targets/):
#   spec       spec text -> check/solve/emit, and fmt idempotence
#   documents  facts, PolicyAdmission, AgentRegistryGrant, AttestationDecision,
#              teardown/wipe requests, each replaced inside golden/gov-allowed
#   editor     hover, definition, completion and formatting on any text
#
# Corpora are seeded from examples/, golden/ and stdlib/ into fuzz/corpus/
# (not committed); crashes land in fuzz/artifacts/<target>/. Every crash
# becomes a file in compiler/tests/bad-inputs/ (see its README).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
secs=900
jobs=1
while getopts "t:j:" o; do
    case "$o" in
        t) secs="$OPTARG" ;;
        j) jobs="$OPTARG" ;;
        *) echo "usage: scripts/fuzz.sh [-t SECONDS] [-j JOBS] [TARGET...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(spec documents editor)

command -v cargo-fuzz >/dev/null || { echo "fuzz: cargo install cargo-fuzz" >&2; exit 2; }
rustup toolchain list | grep -q nightly || { echo "fuzz: needs a nightly toolchain (rustup toolchain install nightly)" >&2; exit 2; }

seed() { # seed TARGET
    local dir="fuzz/corpus/$1"
    mkdir -p "$dir"
    case "$1" in
        spec)
            find examples golden stdlib -name '*.kdl' -print0 |
                while IFS= read -r -d '' f; do cp "$f" "$dir/$(sha256sum "$f" | cut -c1-16)"; done ;;
        documents)
            # The first byte picks which JSON file of golden/gov-allowed/input
            # (sorted) the rest replaces; seed each with its own content.
            local i=0
            while IFS= read -r f; do
                { printf "\\$(printf '%03o' "$i")"; cat "$f"; } > "$dir/gov-allowed-$i"
                i=$((i + 1))
            done < <(cd golden/gov-allowed/input && find . -name '*.json' | LC_ALL=C sort | sed 's|^\./||' | sed "s|^|golden/gov-allowed/input/|")
            find examples golden -name '*.json' -not -path '*/expected/*' -print0 |
                while IFS= read -r -d '' f; do
                    { printf '\001'; cat "$f"; } > "$dir/other-$(sha256sum "$f" | cut -c1-16)"
                done ;;
        editor)
            find examples golden/*/input stdlib -name '*.kdl' -print0 |
                while IFS= read -r -d '' f; do
                    { printf '\037\200'; cat "$f"; } > "$dir/$(sha256sum "$f" | cut -c1-16)"
                done ;;
    esac
}

for t in "${targets[@]}"; do
    seed "$t"
    echo "fuzz: $t for ${secs}s ($(ls "fuzz/corpus/$t" | wc -l) seeds)"
    (cd fuzz && cargo +nightly fuzz run -O "$t" "corpus/$t" -j"$jobs" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1)
done
