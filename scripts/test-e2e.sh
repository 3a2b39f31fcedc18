#!/usr/bin/env bash
# End-to-end: a spec built by amc really serves its model.
#
#   1. writes a tiny llama-architecture GGUF model (scripts/e2e/make_tiny_gguf.py)
#      and serves it from a Hugging Face-shaped mirror on 127.0.0.1
#      (<endpoint>/<repo>/resolve/<revision>/<file>), no internet;
#   2. takes examples/workstation-llama, swaps in that model (pinned: revision
#      and sha256), points the machine's `hf-endpoint` at the mirror and its
#      storage pools into a scratch directory, has a stand-in Policy Fabric and
#      Agent Registry admit it, and builds it with `amc build --require-activation`;
#   3. validates the output (quadlet -dryrun, the Podman key list, receipts);
#   4. runs the staging unit exactly as amc-stage-<model>.container describes it
#      (its Exec, Environment and Volume lines, mapped onto this host: no image
#      can be pulled here) and checks the staged bytes;
#   5. starts a real llama.cpp server (Debian's llama-server) with the server
#      unit's Exec line and mounts, and asks it an OpenAI-compatible chat
#      completion;
#   6. fails closed: a flipped byte in the staged copy with the mirror gone, and
#      a mirror serving corrupted bytes, both make the staging unit fail, and
#      the server unit Requires= it, so the server does not start;
#   7. Kubernetes: builds the k8s example with the same model and runs its
#      staging Job and verify init container the same way.
#
# Needs scripts/setup-validators.sh (venv with gguf, llama-server, quadlet).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
CACHE="$REPO/.ci/cache"
PY="$CACHE/venv/bin/python"
LLAMA="$CACHE/bin/llama-server"
for tool in "$PY" "$LLAMA"; do
    [[ -x "$tool" ]] || { echo "test-e2e: $tool missing; run scripts/setup-validators.sh" >&2; exit 2; }
done
cargo build --locked -q
AMC="${CARGO_TARGET_DIR:-$REPO/target}/debug/amc"

W="$(mktemp -d)"
pids=()
cleanup() {
    for p in "${pids[@]:-}"; do [[ -n "$p" ]] && kill "$p" 2>/dev/null || true; done
    rm -rf "$W"
}
trap cleanup EXIT

passed=0
step() { printf '\n==> e2e: %s\n' "$*"; }
ok() { passed=$((passed + 1)); echo "ok   $*"; }
die() { echo "FAIL $*" >&2; exit 1; }
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

REPO_ID="amc-e2e/tiny-llama"
REV="5a1f0c3e2d4b6a8c0e1f3a5b7c9d0e2f4a6b8c0d"
MODEL_FILE="tiny-llama.gguf"

step "model and mirror"
"$PY" scripts/e2e/make_tiny_gguf.py "$W/tiny.gguf"
SHA="$(sha256sum "$W/tiny.gguf" | cut -d' ' -f1)"
SIZE="$(stat -c %s "$W/tiny.gguf")"
MIRROR="$W/mirror/$REPO_ID/resolve/$REV"
mkdir -p "$MIRROR"
cp "$W/tiny.gguf" "$MIRROR/$MODEL_FILE"
MPORT="$(free_port)"
start_mirror() {
    "$PY" -m http.server "$MPORT" --bind 127.0.0.1 --directory "$W/mirror" > "$W/mirror.log" 2>&1 &
    MIRROR_PID=$!
    pids+=("$MIRROR_PID")
    for _ in $(seq 1 50); do
        curl -fsS -o /dev/null "http://127.0.0.1:$MPORT/" 2>/dev/null && return 0
        sleep 0.1
    done
    die "the mirror did not start"
}
stop_mirror() { kill "$MIRROR_PID" 2>/dev/null || true; wait "$MIRROR_PID" 2>/dev/null || true; }
start_mirror
ok "tiny model $SHA ($SIZE bytes) served at http://127.0.0.1:$MPORT/$REPO_ID/resolve/$REV/$MODEL_FILE"

# The example with the tiny model, the mirror and scratch storage.
SPORT="$(free_port)"
make_spec() { # make_spec EXAMPLE DEST
    cp -r "examples/$1" "$2"
    "$PY" - "$2/spec.kdl" "$W" "$MPORT" "$SPORT" "$SHA" "$SIZE" "$REPO_ID" "$REV" "$MODEL_FILE" <<'PYEOF'
import re, sys
path, w, mport, sport, sha, size, repo, rev, fname = sys.argv[1:]
s = open(path).read()
# The model every pod serves becomes the tiny one, pinned.
model = re.search(r'^model "([^"]+)" \{\n.*?^\}\n', s, re.S | re.M)
old_id = model.group(1)
s = s.replace(model.group(0),
    f'model "tiny-llama" {{\n    hf "{repo}" revision="{rev}"\n'
    f'    file "{fname}" sha256="{sha}" size="{size}B"\n    format "gguf"\n}}\n')
s = s.replace(f'model "{old_id}"', 'model "tiny-llama"')
s = re.sub(r'path="/', f'path="{w}/host/', s)
s = re.sub(r'host-port=\d+', f'host-port={sport}', s)
# Every machine and cluster fetches from the mirror.
s = re.sub(r'^(machine "[^"]+" \{\n)', rf'\1    hf-endpoint "http://127.0.0.1:{mport}"\n', s, flags=re.M)
s = re.sub(r'^(cluster "[^"]+" \{\n)', rf'\1    hf-endpoint "http://127.0.0.1:{mport}"\n', s, flags=re.M)
open(path, "w").write(s)
PYEOF
    "$AMC" fmt "$2" > /dev/null 2>&1
}
# Admit it: build without governance, let the stand-in Policy Fabric and
# Agent Registry answer the requests, build again with the gate.
admit_and_build() { # admit_and_build SPEC OUT
    local spec="$1" out="$2" decided="2026-06-01T00:00:00Z"
    cp -r "$spec" "$spec.bare"
    rm -rf "$spec.bare/governance"
    sed -i -E '/^[[:space:]]*(admission|grant)[[:space:]]/d' "$spec.bare"/*.kdl
    "$AMC" build "$spec.bare" --out "$out.bare" --decided-at "$decided" > /dev/null 2>&1 \
        || "$AMC" build "$spec.bare" --out "$out.bare" --decided-at "$decided"
    rm -rf "$spec/governance"
    python3 scripts/stand_in_admissions.py "$out.bare/receipts" "$spec/governance" > /dev/null
    "$AMC" build "$spec" --out "$out" --decided-at "$decided" --require-activation 2> "$W/build.log" \
        || { cat "$W/build.log"; die "amc build --require-activation failed"; }
}

step "quadlet: build"
make_spec workstation-llama "$W/spec"
admit_and_build "$W/spec" "$W/out"
grep -q 'activation pending host observation' "$W/build.log" || die "the build did not report the pod's activation"
ok "amc build --require-activation: $(tail -1 "$W/build.log")"
Q="$W/out/quadlet/ws-1"
STAGE="$Q/amc-stage-tiny-llama.container"
SERVER="$Q/coder.container"
[[ -f "$STAGE" ]] || die "no staging unit $STAGE"
grep -qx 'Requires=amc-stage-tiny-llama.service' "$SERVER" || die "$SERVER does not require its staging unit"
grep -qx 'After=amc-stage-tiny-llama.service' "$SERVER" || die "$SERVER does not start after its staging unit"
ok "the server unit requires and follows amc-stage-tiny-llama.service"

step "quadlet: validators"
bash scripts/validate-output.sh "$W/out" > "$W/validate.log" 2>&1 || { cat "$W/validate.log"; die "validate-output failed"; }
ok "$(tail -1 "$W/validate.log")"

step "quadlet: staging as the unit describes"
"$PY" scripts/e2e/run_unit.py "$STAGE" 2> "$W/stage.log" || { cat "$W/stage.log"; die "the staging unit failed"; }
STAGED="$W/host/srv/agent-machine/models/tiny-llama/$MODEL_FILE"
[[ -f "$STAGED" ]] || { cat "$W/stage.log"; die "nothing staged at $STAGED"; }
[[ "$(sha256sum "$STAGED" | cut -d' ' -f1)" == "$SHA" ]] || die "the staged copy has the wrong sha256"
ok "staged and verified: $STAGED"
"$PY" scripts/e2e/run_unit.py "$STAGE" 2> "$W/stage2.log" || die "staging again (idempotent) failed"
grep -q fetching "$W/stage2.log" && die "staging again fetched what was already verified"
ok "staging again fetches nothing and verifies"

step "quadlet: a real llama.cpp server with the unit's Exec line"
SRV_PID="$("$PY" scripts/e2e/run_unit.py "$SERVER" --entrypoint "$LLAMA" --background "$W/server.log" 2> "$W/run.log")"
pids+=("$SRV_PID")
cat "$W/run.log"
for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$SPORT/health" > /dev/null 2>&1 && break
    kill -0 "$SRV_PID" 2>/dev/null || { cat "$W/server.log"; die "the server exited"; }
    sleep 0.5
done
curl -fsS "http://127.0.0.1:$SPORT/health" > /dev/null || { cat "$W/server.log"; die "the server never became healthy"; }
curl -fsS "http://127.0.0.1:$SPORT/v1/chat/completions" -H 'content-type: application/json' \
    -d '{"model":"tiny-llama","messages":[{"role":"user","content":"hello"}],"max_tokens":8,"temperature":0}' \
    > "$W/answer.json" || die "the chat completion request failed"
"$PY" - "$W/answer.json" <<'PYEOF' || die "the answer is not an OpenAI chat completion of 8 tokens"
import json, sys
a = json.load(open(sys.argv[1]))
assert a["object"] == "chat.completion", a
assert a["model"] == "tiny-llama", a["model"]
c = a["choices"][0]
assert c["message"]["role"] == "assistant" and isinstance(c["message"]["content"], str) and c["message"]["content"], c
assert a["usage"]["completion_tokens"] == 8, a["usage"]
print("answer:", json.dumps(c["message"]["content"]), "usage:", a["usage"])
PYEOF
grep -q -- "--model $STAGED" "$W/run.log" || die "the server was not started on the staged copy"
ok "llama-server answered an OpenAI chat completion from the staged, verified model"
kill "$SRV_PID"; wait "$SRV_PID" 2>/dev/null || true

step "quadlet: fail closed"
printf '\x00' | dd of="$STAGED" bs=1 seek=4096 conv=notrunc status=none
stop_mirror
if "$PY" scripts/e2e/run_unit.py "$STAGE" 2> "$W/stage3.log"; then
    die "staging accepted a corrupted copy it could not re-fetch"
fi
grep -q 'sha256\|fetch' "$W/stage3.log" || { cat "$W/stage3.log"; die "the failure does not say why"; }
[[ -f "$W/host/srv/agent-machine/models/tiny-llama/.amc-verified" ]] && die "a failed staging left its verified marker"
ok "a flipped byte with no source to repair it: staging fails, the server (Requires=) does not start"
printf 'X' | dd of="$MIRROR/$MODEL_FILE" bs=1 seek=100 conv=notrunc status=none
start_mirror
rm -f "$STAGED"
if "$PY" scripts/e2e/run_unit.py "$STAGE" 2> "$W/stage4.log"; then
    die "staging accepted corrupted bytes from the mirror"
fi
grep -q 'refusing it' "$W/stage4.log" || { cat "$W/stage4.log"; die "the sha256 mismatch was not reported"; }
[[ -e "$STAGED" ]] && die "corrupted bytes reached the model directory"
ok "a mirror serving corrupted bytes: refused, nothing reaches the model directory"
cp "$W/tiny.gguf" "$MIRROR/$MODEL_FILE"

step "kubernetes: staging Job and verify init container as the manifests describe"
make_spec k8s-gpu-topolvm "$W/k8s-spec"
"$AMC" build "$W/k8s-spec" --out "$W/k8s-out" --decided-at 2026-06-01T00:00:00Z 2> "$W/k8s-build.log" \
    || { cat "$W/k8s-build.log"; die "amc build of the Kubernetes example failed"; }
bash scripts/validate-output.sh "$W/k8s-out" > "$W/k8s-validate.log" 2>&1 \
    || { cat "$W/k8s-validate.log"; die "validate-output failed on the Kubernetes output"; }
"$PY" scripts/e2e/run_k8s_staging.py "$W/k8s-out" "$W/k8s-node" || die "the Kubernetes staging or verification failed"
ok "kubernetes: every staging Job filled its claim and every verify init container passed"

printf '\ntest-e2e: %d passed\n' "$passed"
