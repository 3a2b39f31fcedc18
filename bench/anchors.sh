#!/usr/bin/env bash
# amc beside the perf anchors (../shared/bench/anchors): the same N-agent workload
# (bench/gen_fleet.py writes it as an amc spec: N pods, N/2 GPU nodes, one cluster)
# built by `amc build` (release), timed with the anchors' own timer (bench.py,
# median wall and CPU of RUNS runs). Then runs the anchors that are installed.
#   NS="100 1000 10000" RUNS=5 bench/anchors.sh
#   PREFIX=/path/to/anchors (install with ../shared/bench/anchors/install.sh)
set -uo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ANCHORS="${ANCHORS:-$REPO/../shared/bench/anchors}"
PREFIX="${PREFIX:-${TMPDIR:-/tmp}/amc-anchors}"
PY="${PY:-$PREFIX/venv/bin/python}"
[[ -x "$PY" ]] || PY=python3
NS="${NS:-100 1000 10000}"
RUNS="${RUNS:-5}"
OUT="${OUT:-${TMPDIR:-/tmp}/amc-bench-anchors}"
mkdir -p "$OUT"
(cd "$REPO" && cargo build --release --locked --quiet --bin amc)
AMC="${CARGO_TARGET_DIR:-$REPO/target}/release/amc"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "amc: $("$AMC" --version)"
for N in $NS; do
    echo "################ N=$N agents"
    python3 "$REPO/bench/gen_fleet.py" "$N" "$OUT/spec-$N"
    "$AMC" build "$OUT/spec-$N" --out "$OUT/out-$N" 2>/dev/null || { echo "FAIL amc build N=$N"; continue; }
    echo "amc output: $(find "$OUT/out-$N" -type f | wc -l) files, $(du -sh "$OUT/out-$N" | cut -f1)"
    "$PY" "$ANCHORS/bench.py" "$RUNS" "amc check (parse..solve)" -- "exec $AMC check $OUT/spec-$N 2>/dev/null"
    "$PY" "$ANCHORS/bench.py" "$RUNS" "amc build (parse..write)" -- "exec $AMC build $OUT/spec-$N --out $OUT/out-$N 2>/dev/null"
done
if [[ -x "$ANCHORS/run.sh" && -d "$PREFIX" ]]; then
    echo "################ anchors (../shared/bench/anchors/run.sh)"
    NS="$NS" RUNS="$RUNS" PREFIX="$PREFIX" "$ANCHORS/run.sh"
fi
