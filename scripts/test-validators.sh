#!/usr/bin/env bash
# Test the external validators (scripts/validate-output.sh and
# scripts/check_quadlet_keys.py) on the fixtures in scripts/testdata/validators/:
# the good tree must pass, every bad-* tree must fail naming the bad file and
# the expected reason. Needs scripts/setup-validators.sh to have run.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
TD="scripts/testdata/validators"
VALIDATE="scripts/validate-output.sh"
CHECK="scripts/check_quadlet_keys.py"
PY="$REPO/.ci/cache/venv/bin/python"
[[ -x "$PY" ]] || PY="$(command -v python3)"
REFERENCE="$REPO/scripts/testdata/reference"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

passed=0
failed=0
ok()  { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; [[ -z "${2:-}" ]] || sed 's/^/       /' "$2"; }

# expect_pass NAME CMD...
expect_pass() {
    local name="$1"; shift
    if "$@" > "$TMP/out" 2>&1; then ok "$name"; else bad "$name (expected success)" "$TMP/out"; fi
}

# expect_fail NAME PATTERN CMD... : CMD must exit non-zero and print every
# |-separated fixed string in PATTERN.
expect_fail() {
    local name="$1" patterns="$2" rc=0 p missing=""; shift 2
    "$@" > "$TMP/out" 2>&1 || rc=$?
    if [[ $rc -eq 0 ]]; then bad "$name (expected failure, got exit 0)" "$TMP/out"; return; fi
    IFS='|' read -r -a pats <<< "$patterns"
    for p in "${pats[@]}"; do
        grep -qF -- "$p" "$TMP/out" || missing+=" [$p]"
    done
    if [[ -n "$missing" ]]; then bad "$name (exit $rc but output lacks:$missing)" "$TMP/out"; else ok "$name"; fi
}

# --- good trees -------------------------------------------------------------
expect_pass "good tree passes" "$VALIDATE" "$TD/good"
if grep -qxF 'validate-output: 1 manifests (k8s 1.33+1.37), 1 quadlet dirs, 0 failures' "$TMP/out"; then
    ok "good tree summary line"
else
    bad "good tree summary line" "$TMP/out"
fi
if grep -qxF 'validate-output: 1 kustomization folders rendered by kubectl kustomize and validated' "$TMP/out"; then
    ok "good tree's kustomization rendered by kubectl kustomize"
else
    bad "good tree's kustomization rendered by kubectl kustomize" "$TMP/out"
fi
# A Kustomization that misses a manifest of its folder, and one kubectl cannot render.
cp -r "$TD/good" "$TMP/kmiss"
cp "$TMP/kmiss/kubernetes/c1/pod.yaml" "$TMP/kmiss/kubernetes/c1/extra.yaml"
expect_fail "kustomization missing a manifest fails" \
    "kustomization.yaml: does not list exactly the folder's manifests|> extra.yaml|1 failures" \
    "$VALIDATE" "$TMP/kmiss"
cp -r "$TD/good" "$TMP/kbad"
printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- pod.yaml\npatches: 7\n' > "$TMP/kbad/kubernetes/c1/kustomization.yaml"
expect_fail "kustomization kubectl cannot render fails" \
    "kubectl kustomize failed|1 failures" \
    "$VALIDATE" "$TMP/kbad"
if (cd / && "$REPO/$VALIDATE" "$REPO/$TD/good/" > "$TMP/out" 2>&1); then
    ok "absolute path with trailing slash, from another cwd"
else
    bad "absolute path with trailing slash, from another cwd" "$TMP/out"
fi

# Upstream's own deploy files, laid out as an amc output tree.
UP="$REFERENCE/agent-machine-upstream/deploy"
if [[ -d "$UP" ]]; then
    mkdir -p "$TMP/up/kubernetes/c" "$TMP/up/quadlet/m"
    cp "$UP"/k8s/*.yaml "$TMP/up/kubernetes/c/"
    cp "$UP"/quadlet/*.container "$TMP/up/quadlet/m/"
    expect_pass "upstream deploy files pass" "$VALIDATE" "$TMP/up"
else
    bad "upstream deploy files missing at $UP"
fi

# --- bad trees --------------------------------------------------------------
expect_fail "Deployment with an unknown field fails" \
    "$TD/bad-unknown-field/kubernetes/c1/pod.yaml|'gpuCount' was unexpected|1 failures" \
    "$VALIDATE" "$TD/bad-unknown-field"
expect_fail "unknown apiVersion/kind (WARN, exit 0 from the tool) fails" \
    "$TD/bad-unknown-kind/kubernetes/c1/pod.yaml|printed warnings|Couldn't find schema for kind AgentPod" \
    "$VALIDATE" "$TD/bad-unknown-kind"
expect_fail "field valid in 1.37 only fails for 1.33" \
    "$TD/bad-k8s-1.33-field/kubernetes/c1/pod.yaml|against version 1.33: spec.template.spec: Additional properties" \
    "$VALIDATE" "$TD/bad-k8s-1.33-field"
expect_fail "a claim read without staging or verification fails" \
    "a pod reads a model nothing stages or verifies|claim models is read without a verify init container|nothing in the output fills claim models" \
    "$VALIDATE" "$TD/bad-unstaged-model"
expect_fail "manifest with no resources fails" \
    "$TD/bad-empty-manifest/kubernetes/c1/pod.yaml|no resource validated" \
    "$VALIDATE" "$TD/bad-empty-manifest"
expect_fail ".container with Foo=bar fails (quadlet + key check)" \
    "bad-quadlet-key/quadlet/m1/x.container|unsupported key 'Foo' in group 'Container'|x.container:6: unsupported key 'Foo' in [Container]" \
    "$VALIDATE" "$TD/bad-quadlet-key"
expect_fail "key newer than the CI's quadlet fails the dry run" \
    "bad-quadlet-newer-key/quadlet/m1/x.container|unsupported key 'AppArmor'" \
    "$VALIDATE" "$TD/bad-quadlet-newer-key"
expect_fail "[Service] User= fails the key check" \
    "bad-quadlet-service-user/quadlet/m1/x.container:7: [Service] User=" \
    "$VALIDATE" "$TD/bad-quadlet-service-user"
expect_fail "good and bad trees together: only the bad one named" \
    "$TD/bad-unknown-kind/kubernetes/c1/pod.yaml|2 manifests (k8s 1.33+1.37), 1 quadlet dirs, 1 failures" \
    "$VALIDATE" "$TD/good" "$TD/bad-unknown-kind"
mkdir -p "$TMP/empty"
expect_fail "output dir with nothing to validate fails" "nothing to validate" "$VALIDATE" "$TMP/empty"
expect_fail "missing output dir fails" "not a directory" "$VALIDATE" "$TMP/does-not-exist"
mkdir -p "$TMP/yamlerr/kubernetes/c"
printf 'apiVersion: v1\nkind: [\n' > "$TMP/yamlerr/kubernetes/c/pod.yaml"
expect_fail "unparsable YAML fails" "$TMP/yamlerr/kubernetes/c/pod.yaml|kubernetes-validate exit" "$VALIDATE" "$TMP/yamlerr"

# --- check_quadlet_keys.py directly -----------------------------------------
expect_pass "key check passes the good units" "$PY" "$CHECK" "$TD/good/quadlet"
expect_fail "key check names file:line" \
    "$TD/bad-quadlet-key/quadlet/m1/x.container:6: unsupported key 'Foo' in [Container]" \
    "$PY" "$CHECK" "$TD/bad-quadlet-key/quadlet/m1"
expect_fail "key check --max-podman 5.4.2 rejects AppArmor=" \
    "x.container:5: key 'AppArmor' in [Container] needs Podman >= 5.8.0" \
    "$PY" "$CHECK" --max-podman 5.4.2 "$TD/bad-quadlet-newer-key"
mkdir -p "$TMP/sect"
printf '[Container]\nImage=x\n[Volume]\nLabel=a=b\n' > "$TMP/sect/a.container"
printf '[Container]\nImage=x\n' > "$TMP/sect/b.volume"
expect_fail "key check rejects misplaced and missing sections" \
    "a.container:3: section [Volume] does not belong in a .container unit|b.volume: missing [Volume] section" \
    "$PY" "$CHECK" "$TMP/sect"

# A unit that quadlet silently skipped must fail the one-service-per-unit
# assertion: feed the checker a dry run with x.service cut out.
GOOD_ABS="$REPO/$TD/good/quadlet/m1"
QUADLET_UNIT_DIRS="$GOOD_ABS" "$REPO/.ci/cache/bin/quadlet" -dryrun -no-kmsg-log > "$TMP/dry.full" 2>/dev/null
expect_pass "dry-run assertion passes on the full dry run" \
    "$PY" "$CHECK" --dryrun-output "$TMP/dry.full" "$GOOD_ABS"
awk '/^---/ { skip = ($0 == "---x.service---") } !skip' "$TMP/dry.full" > "$TMP/dry.cut"
expect_fail "dry-run assertion catches a silently ignored unit" \
    "x.container: quadlet -dryrun generated no x.service" \
    "$PY" "$CHECK" --dryrun-output "$TMP/dry.cut" "$GOOD_ABS"

echo
echo "test-validators: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
