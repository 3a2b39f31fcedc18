#!/usr/bin/env bash
# Validate amc build output directories with external tools.
#
# usage: scripts/validate-output.sh OUT_DIR [OUT_DIR...]
#
# For each OUT_DIR:
#   * every *.yaml / *.yml under OUT_DIR/kubernetes/ must pass
#       kubernetes-validate --strict -k 1.33 -k 1.37 FILE
#     with exit 0 and nothing but "INFO ... passed" lines: any WARN (unknown
#     kind/apiVersion), ERROR or FATAL line fails the file, and so does a file
#     with no resources in it;
#   * every directory OUT_DIR/quadlet/<machine>/ must pass
#       QUADLET_UNIT_DIRS=<dir> quadlet -dryrun -no-kmsg-log
#     with exit 0, and the dry run must print exactly one generated service
#     per unit file (so a silently ignored unit fails);
#   * every OUT_DIR/bootc/<machine>/ (machines with `bootc #true`) must have
#     its Containerfile, and its usr/share/containers/systemd/ passes the
#     same quadlet checks;
#   * every unit under OUT_DIR/quadlet/ must pass scripts/check_quadlet_keys.py
#     (keys per section from scripts/testdata/reference/quadlet-keys.json);
#   * every OUT_DIR/kubernetes/<cluster>/kustomization.yaml (amc writes one
#     per cluster folder; the golden tests hold it to that) must list every
#     other manifest of its folder exactly once (all.yaml excepted), and
#     `kubectl kustomize <cluster>/` must render it, the rendering passing
#     kubernetes-validate --strict like any manifest (kustomization.yaml
#     itself is not a cluster resource and is not validated on its own);
#   * every read-only volume a Kubernetes pod mounts must be staged and
#     verified by the output itself (scripts/check_staging.py);
#   * OUT_DIR/receipts/, when present, must pass scripts/check_receipts.py
#     (Python jsonschema against contracts/, Python's canonical digests).
#
# Tools come from .ci/cache (scripts/setup-validators.sh); override with
# KUBERNETES_VALIDATE=..., QUADLET=..., QUADLET_KEYS_JSON=..., KUBECTL=...,
# AMC_K8S_VERSIONS="1.33 1.37".
# Exit 0 if everything passed, 1 on any failure, 2 on usage errors.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$REPO/.ci/cache"
KV="${KUBERNETES_VALIDATE:-$CACHE/venv/bin/kubernetes-validate}"
QUADLET="${QUADLET:-$CACHE/bin/quadlet}"
KUBECTL="${KUBECTL:-$(command -v kubectl || echo kubectl)}"
PY="$CACHE/venv/bin/python"
[[ -x "$PY" ]] || PY="$(command -v python3)"
KEYS_JSON="${QUADLET_KEYS_JSON:-$REPO/scripts/testdata/reference/quadlet-keys.json}"
read -r -a K8S_VERSIONS <<< "${AMC_K8S_VERSIONS:-1.33 1.37}"

if [[ $# -lt 1 || "$1" == "-h" || "$1" == "--help" ]]; then
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
fi
for tool in "$KV" "$QUADLET"; do
    if [[ ! -x "$tool" ]]; then
        echo "validate-output: $tool missing; run scripts/setup-validators.sh" >&2
        exit 2
    fi
done
if [[ ! -f "$KEYS_JSON" ]]; then
    echo "validate-output: $KEYS_JSON missing" >&2
    exit 2
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

manifests=0
kustomizations=0
quadlet_dirs=0
receipts=0
failures=0
failed=()

fail() { # fail NAME REASON [DETAIL_FILE]
    failures=$((failures + 1))
    failed+=("$1")
    echo "FAIL $1: $2"
    if [[ $# -ge 3 && -s "$3" ]]; then sed 's/^/    /' "$3"; fi
}

k8s_args=(--strict)
for v in "${K8S_VERSIONS[@]}"; do k8s_args+=(-k "$v"); done

validate_manifest() {
    local f="$1" log="$TMP/kv.log" rc=0 v
    manifests=$((manifests + 1))
    "$KV" "${k8s_args[@]}" "$f" > "$log" 2>&1 || rc=$?
    if [[ $rc -ne 0 ]]; then
        fail "$f" "kubernetes-validate exit $rc" "$log"
        return
    fi
    # Anything but "INFO <file> passed ..." is a warning or an error.
    if grep -v -e '^INFO .* passed for resource .* against version [0-9.]*$' -e '^[[:space:]]*$' "$log" > "$TMP/kv.bad"; then
        fail "$f" "kubernetes-validate printed warnings" "$TMP/kv.bad"
        return
    fi
    for v in "${K8S_VERSIONS[@]}"; do
        if ! grep -q "against version ${v}\$" "$log"; then
            fail "$f" "no resource validated against Kubernetes $v (empty manifest?)" "$log"
            return
        fi
    done
}

validate_kustomization() {
    local k="$1" dir listed present rendered="$TMP/kustomized.yaml"
    dir="$(dirname "$k")"
    kustomizations=$((kustomizations + 1))
    listed="$(sed -n 's/^- //p' "$k" | sort)"
    present="$(cd "$dir" && find . -type f -name '*.yaml' ! -name kustomization.yaml ! -path ./all.yaml | sed 's|^\./||' | sort)"
    if [[ "$listed" != "$present" ]]; then
        diff <(echo "$listed") <(echo "$present") > "$TMP/k.diff" || true
        fail "$k" "does not list exactly the folder's manifests (< listed, > present)" "$TMP/k.diff"
        return
    fi
    if [[ "$(echo "$listed" | uniq -d)" != "" ]]; then
        fail "$k" "lists a manifest twice"
        return
    fi
    if ! command -v "$KUBECTL" >/dev/null 2>&1; then
        fail "$k" "kubectl missing (scripts/install-system-deps.sh installs kubernetes-client)"
        return
    fi
    if ! "$KUBECTL" kustomize "$dir" > "$rendered" 2> "$TMP/k.err"; then
        fail "$k" "kubectl kustomize failed" "$TMP/k.err"
        return
    fi
    cp "$rendered" "$TMP/$(basename "$dir").kustomized.yaml"
    validate_manifest "$TMP/$(basename "$dir").kustomized.yaml"
    # The rendering is counted as a kustomization, not as one more manifest.
    manifests=$((manifests - 1))
}

validate_quadlet_dir() {
    local d="$1" out="$TMP/q.out" err="$TMP/q.err" detail="$TMP/q.detail" rc=0 abs
    local -a check_args=()
    quadlet_dirs=$((quadlet_dirs + 1))
    : > "$detail"
    # quadlet silently skips (exit 0, nothing generated) a relative
    # QUADLET_UNIT_DIRS entry: always pass an absolute path.
    abs="$(cd "$d" && pwd -P)"
    QUADLET_UNIT_DIRS="$abs" "$QUADLET" -dryrun -no-kmsg-log > "$out" 2> "$err" || rc=$?
    if [[ $rc -ne 0 ]]; then
        echo "quadlet -dryrun -no-kmsg-log exited $rc:" >> "$detail"
        grep -v 'Loading source unit file' "$err" | sed 's/^quadlet-generator\[[0-9]*\]: /  /' >> "$detail" || true
    else
        # Only a successful dry run is complete enough to count services in.
        check_args=(--dryrun-output "$out")
    fi
    if ! "$PY" "$REPO/scripts/check_quadlet_keys.py" --keys "$KEYS_JSON" \
            "${check_args[@]}" "$abs" > "$TMP/q.check" 2>&1; then
        cat "$TMP/q.check" >> "$detail"
    fi
    if [[ -s "$detail" ]]; then
        # Name the offending files: quadlet's 'converting "f"' / 'error
        # loading "path"' lines and the checker's 'path:line:' prefixes.
        local files
        files="$( { sed -n -e 's/.*converting "\([^"]*\)".*/\1/p' -e 's/.*error loading "\([^"]*\)".*/\1/p' "$err" \
                      | while IFS= read -r f; do [[ "$f" == /* ]] && echo "$f" || echo "$abs/$f"; done
                    grep -o '^/[^:]*' "$TMP/q.check" || true; } | sort -u | tr '\n' ' ')"
        fail "$d" "quadlet validation failed${files:+ in ${files% }}" "$detail"
        [[ -z "$files" ]] || failed[-1]="${files% }"
    fi
}

for out_dir in "$@"; do
    out_dir="${out_dir%/}"
    if [[ ! -d "$out_dir" ]]; then
        fail "$out_dir" "not a directory"
        continue
    fi
    found=0
    if [[ -d "$out_dir/kubernetes" ]]; then
        while IFS= read -r -d '' f; do
            found=1
            validate_manifest "$f"
        done < <(find "$out_dir/kubernetes" -type f \( -name '*.yaml' -o -name '*.yml' \) ! -name kustomization.yaml -print0 | sort -z)
        while IFS= read -r -d '' f; do
            validate_kustomization "$f"
        done < <(find "$out_dir/kubernetes" -mindepth 2 -maxdepth 2 -type f -name kustomization.yaml -print0 | sort -z)
    fi
    if [[ -d "$out_dir/quadlet" ]]; then
        while IFS= read -r -d '' f; do
            fail "$f" "file directly under quadlet/ (units belong in quadlet/<machine>/)"
        done < <(find "$out_dir/quadlet" -mindepth 1 -maxdepth 1 -type f -print0 | sort -z)
        while IFS= read -r -d '' d; do
            found=1
            validate_quadlet_dir "$d"
        done < <(find "$out_dir/quadlet" -mindepth 1 -maxdepth 1 -type d -print0 | sort -z)
    fi
    if [[ -d "$out_dir/bootc" ]]; then
        # A bootc layer's units are the machine's Quadlet folder, validated the same way.
        while IFS= read -r -d '' d; do
            if [[ ! -f "$d/Containerfile" ]] || ! grep -q '^COPY usr/ /usr/$' "$d/Containerfile"; then
                fail "$d" "bootc layer without its Containerfile"
            fi
            validate_quadlet_dir "$d/usr/share/containers/systemd"
        done < <(find "$out_dir/bootc" -mindepth 1 -maxdepth 1 -type d -print0 | sort -z)
    fi
    if [[ -d "$out_dir/kubernetes" ]]; then
        if ! "$PY" "$REPO/scripts/check_staging.py" "$out_dir" > "$TMP/s.log" 2>&1; then
            fail "$out_dir/kubernetes" "a pod reads a model nothing stages or verifies" "$TMP/s.log"
        fi
    fi
    if [[ -d "$out_dir/receipts" ]]; then
        receipts=$((receipts + 1))
        if ! "$PY" "$REPO/scripts/check_receipts.py" "$REPO" "$out_dir" > "$TMP/r.log" 2>&1; then
            fail "$out_dir/receipts" "receipt check failed" "$TMP/r.log"
        fi
    fi
    if [[ $found -eq 0 ]]; then
        fail "$out_dir" "nothing to validate (no kubernetes/*.yaml, no quadlet/<machine>/)"
    fi
done

if [[ $failures -gt 0 ]]; then
    echo "validate-output: failing:"
    printf '  %s\n' "${failed[@]}"
fi
versions="$(IFS=+; echo "${K8S_VERSIONS[*]}")"
[[ $receipts -eq 0 ]] || echo "validate-output: $receipts receipt trees checked (scripts/check_receipts.py)"
[[ $kustomizations -eq 0 ]] || echo "validate-output: $kustomizations kustomization folders rendered by kubectl kustomize and validated"
echo "validate-output: $manifests manifests (k8s $versions), $quadlet_dirs quadlet dirs, $failures failures"
[[ $failures -eq 0 ]]
