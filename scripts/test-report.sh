#!/usr/bin/env bash
# Renders `amc build --report` output in headless Chromium (Debian's `chromium`):
#   - the page renders to a screenshot that is not blank (much larger than a
#     blank page's screenshot);
#   - the page logs nothing to the console (the report has no scripts, so any
#     console line is an error: a CSP violation, a failed load, a script);
#   - the page references nothing over the network.
# Controls make the checks able to fail: a page with a console error must be
# caught, and a blank page must be judged blank.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
CHROMIUM="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
if [[ -z "$CHROMIUM" ]]; then
    echo "FAIL: chromium not found (apt-get install chromium)" >&2
    exit 1
fi
AMC="${AMC:-${CARGO_TARGET_DIR:-$REPO/target}/debug/amc}"
[[ -x "$AMC" ]] || cargo build --quiet --locked
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# shot HTML PNG LOG: render HTML to PNG; console lines to LOG.
shot() {
    local profile
    profile="$(mktemp -d "$work/profile.XXXX")"
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --user-data-dir="$profile" --enable-logging=stderr --v=0 \
        --window-size=1280,1800 --screenshot="$2" "file://$1" 2>"$3.raw" >/dev/null || true
    grep ':CONSOLE' "$3.raw" >"$3" || true
}
size() { stat -c %s "$1" 2>/dev/null || echo 0; }

fail=0
# Controls.
printf '<!doctype html><html><body></body></html>\n' >"$work/blank.html"
shot "$work/blank.html" "$work/blank.png" "$work/blank.log"
printf '<!doctype html><html><body><p>x</p><script>console.error("amc-control");undefinedFn()</script></body></html>\n' >"$work/bad.html"
shot "$work/bad.html" "$work/bad.png" "$work/bad.log"
blank=$(size "$work/blank.png")
if [[ "$blank" -eq 0 ]]; then echo "FAIL: chromium wrote no screenshot for a blank page"; fail=1; fi
if ! grep -q amc-control "$work/bad.log"; then
    echo "FAIL: the console check did not see a control page's console error"; fail=1
fi

for ex in examples/*/; do
    name="$(basename "$ex")"
    out="$work/out-$name"
    "$AMC" build "$ex" --out "$out" --report --decided-at 2026-06-01T00:00:00Z 2>/dev/null
    html="$out/report.html"
    shot "$html" "$work/$name.png" "$work/$name.log"
    png=$(size "$work/$name.png")
    if [[ -s "$work/$name.log" ]]; then
        echo "FAIL: $name report.html logged to the console:"; cat "$work/$name.log"; fail=1
    fi
    if (( png < 5 * blank )); then
        echo "FAIL: $name screenshot is $png bytes, blank page is $blank: looks empty"; fail=1
    fi
    if grep -Eq 'https?://|<script|<link|@import|url\(' "$html"; then
        echo "FAIL: $name report.html references external resources or scripts"; fail=1
    fi
    echo "ok   $name: screenshot $png bytes (blank $blank), no console output"
done
exit "$fail"
