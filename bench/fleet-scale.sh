#!/usr/bin/env bash
# Fleet scale (issue 17): amc check, amc build (fresh), amc build again with
# nothing changed, and jrsonnet on the same N, one after the other in one run.
#   bench/fleet-scale.sh                      # NS="100 300 1000 3000 10000"
#   JRSONNET=/path/to/jrsonnet ANCHORS=/path/to/bench/anchors bench/fleet-scale.sh
# jrsonnet: cargo install --locked jrsonnet --version 0.5.0-pre98 --root DIR
# (not needed by the tests; skipped when absent). Prints seconds and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
AMC=${AMC:-target/release/amc}
NS=${NS:-100 300 1000 3000 10000}
TMP=${TMPDIR:-/tmp}/amc-fleet-scale
JRSONNET=${JRSONNET:-${TMPDIR:-/tmp}/amc-anchors/cargo/bin/jrsonnet}
ANCHORS=${ANCHORS:-../shared/bench/anchors}
mkdir -p "$TMP"
t() { /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1; }
printf "%8s %22s %22s %22s %22s %10s %10s\n" N "check s / MiB" "build s / MiB" "rebuild s / MiB" "jrsonnet s / MiB" "files" "MiB out"
for n in $NS; do
  spec=$TMP/fleet-$n; out=$TMP/out-$n
  python3 bench/gen_fleet.py "$n" "$spec" >/dev/null
  rm -rf "$out"
  read -r cs cm < <(t "$AMC" check "$spec")
  read -r bs bm < <(t "$AMC" build "$spec" --out "$out")
  read -r rs rm < <(t "$AMC" build "$spec" --out "$out")
  files=$(find "$out" -type f | wc -l)
  bytes=$(du -s --apparent-size --block-size=1M "$out" | cut -f1)
  if [ -x "$JRSONNET" ] && [ -f "$ANCHORS/agents.jsonnet" ]; then
    read -r js jm < <(t "$JRSONNET" --ext-code "n=$n" "$ANCHORS/agents.jsonnet")
    jbytes=$("$JRSONNET" --ext-code "n=$n" "$ANCHORS/agents.jsonnet" | wc -c)
    jr="$js s / $((jm / 1024)) ($((jbytes / 1048576)) MiB out)"
  else
    jr="(no jrsonnet)"
  fi
  printf "%8s %22s %22s %22s %22s %10s %10s\n" "$n" "$cs / $((cm / 1024))" "$bs / $((bm / 1024))" "$rs / $((rm / 1024))" "$jr" "$files" "$bytes"
done
