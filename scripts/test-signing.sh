#!/usr/bin/env bash
# Signed builds checked with tools other than amc (run by scripts/test.sh):
#   * keys from `amc keygen`, from OpenSSL (PKCS#8 and SEC1) and in cosign's
#     encrypted format (written by scripts/cosign_encrypt_key.py, not by amc);
#   * `openssl dgst -sha256 -verify` on amc-build.json.sig and
#     amc-release-evidence.json.sig;
#   * scripts/check_signing.py: the DSSE envelope with securesystemslib, the
#     Sigstore bundle with sigstore-protobuf-specs, the release evidence and
#     envelope against upstream's schemas;
#   * two builds with one key are byte-identical; `amc verify` passes, and
#     fails (exit 1) on a tampered output; --rebuild passes on the same spec.
# Needs .ci/cache/venv (scripts/setup-validators.sh) and the openssl CLI.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
PY="$REPO/.ci/cache/venv/bin/python"
[[ -x "$PY" ]] || { echo "test-signing: $PY missing; run scripts/setup-validators.sh" >&2; exit 2; }
command -v openssl >/dev/null || { echo "test-signing: openssl missing (apt-get install openssl)" >&2; exit 2; }
CONTRACTS="${UPSTREAM_CONTRACTS:-$REPO/contracts/upstream}"
cargo build --locked -q
AMC="${CARGO_TARGET_DIR:-$REPO/target}/debug/amc"
[[ -n "${CARGO_TARGET_DIR:-}" ]] && AMC="$CARGO_TARGET_DIR/debug/amc"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
unset AMC_SIGN_KEY COSIGN_PASSWORD SOURCE_DATE_EPOCH

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
expect() { # expect WHAT CMD...: CMD must succeed
    local what="$1"; shift
    if "$@" >"$work/log" 2>&1; then ok "$what"; else bad "$what"; sed 's/^/    /' "$work/log"; fi
}
expect_fail() { # expect_fail WHAT CMD...: CMD must exit 1
    local what="$1" rc=0; shift
    "$@" >"$work/log" 2>&1 || rc=$?
    if [[ $rc -eq 1 ]]; then ok "$what"; else bad "$what (exit $rc)"; sed 's/^/    /' "$work/log"; fi
}
openssl_verify() { # openssl_verify PUB SIG FILE
    openssl dgst -sha256 -verify "$1" -signature <(base64 -d "$2") "$3"
}

"$AMC" keygen --out "$work/amc" 2>/dev/null
[[ "$(stat -c %a "$work/amc.key")" == 600 ]] && ok "keygen: private key mode 0600" || bad "keygen: private key mode $(stat -c %a "$work/amc.key")"

for ex in workstation-llama k8s-gpu-topolvm; do
    out="$work/$ex"
    "$AMC" build "examples/$ex" --out "$out" --sign-key "$work/amc.key" \
        --source-commit 2f905e63818cbefe823977946ba24bce801c7fa2 --workflow-run-id 25335379781 2>/dev/null
    AMC_SIGN_KEY="$work/amc.key" "$AMC" build "examples/$ex" --out "$out.again" \
        --source-commit 2f905e63818cbefe823977946ba24bce801c7fa2 --workflow-run-id 25335379781 2>/dev/null
    expect "$ex: two signed builds (--sign-key, AMC_SIGN_KEY) are byte-identical" diff -r "$out" "$out.again"
    expect "$ex: openssl verifies amc-build.json.sig" openssl_verify "$work/amc.pub" "$out/amc-build.json.sig" "$out/amc-build.json"
    expect "$ex: openssl verifies amc-release-evidence.json.sig" \
        openssl_verify "$work/amc.pub" "$out/amc-release-evidence.json.sig" "$out/amc-release-evidence.json"
    expect "$ex: securesystemslib, sigstore-protobuf-specs, upstream schemas" \
        "$PY" scripts/check_signing.py "$out" "$work/amc.pub" "$CONTRACTS"
    expect "$ex: amc verify --key" "$AMC" verify "$out" --key "$work/amc.pub"
    expect "$ex: amc verify --rebuild" "$AMC" verify "$out" --rebuild --spec "examples/$ex" --key "$work/amc.pub"
done

out="$work/workstation-llama"
# Tampering: amc, openssl and securesystemslib all refuse.
cp -r "$out" "$work/tampered"
printf '# edited\n' >> "$work/tampered/placement.json"
expect_fail "tampered artifact: amc verify exits 1" "$AMC" verify "$work/tampered" --key "$work/amc.pub"
cp -r "$out" "$work/tampered-manifest"
sed -i 's/"decisionTimeSet": false/"decisionTimeSet": true/' "$work/tampered-manifest/amc-build.json"
expect_fail "modified manifest: openssl refuses" \
    openssl_verify "$work/amc.pub" "$work/tampered-manifest/amc-build.json.sig" "$work/tampered-manifest/amc-build.json"
expect_fail "modified manifest: check_signing refuses" \
    "$PY" scripts/check_signing.py "$work/tampered-manifest" "$work/amc.pub" "$CONTRACTS"
expect_fail "modified manifest: amc verify exits 1" "$AMC" verify "$work/tampered-manifest" --key "$work/amc.pub"

# Keys made by other tools sign the same bytes as amc's own.
"$PY" scripts/cosign_encrypt_key.py "$work/amc.key" s3cret "$work/cosign.key"
COSIGN_PASSWORD=s3cret "$AMC" build examples/workstation-llama --out "$work/cosign-out" --sign-key "$work/cosign.key" \
    --source-commit 2f905e63818cbefe823977946ba24bce801c7fa2 --workflow-run-id 25335379781 2>/dev/null
expect "cosign-format key (COSIGN_PASSWORD) signs byte-identically" diff -r "$out" "$work/cosign-out"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/ossl.key" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$work/sec1.key" 2>/dev/null
for k in ossl sec1; do
    openssl pkey -in "$work/$k.key" -pubout -out "$work/$k.pub" 2>/dev/null
    "$AMC" build examples/workstation-llama --out "$work/$k-out" --sign-key "$work/$k.key" 2>/dev/null
    expect "openssl $k key: openssl verifies" openssl_verify "$work/$k.pub" "$work/$k-out/amc-build.json.sig" "$work/$k-out/amc-build.json"
    expect "openssl $k key: amc verify" "$AMC" verify "$work/$k-out" --key "$work/$k.pub"
    expect_fail "openssl $k key: amc verify with amc's key (wrong key)" "$AMC" verify "$work/$k-out" --key "$work/amc.pub"
done

# Unsigned: the evidence bundle and an `unsigned` envelope, valid upstream documents.
"$AMC" build examples/mixed-fleet --out "$work/unsigned" 2>/dev/null
expect "unsigned build: evidence and envelope validate upstream" "$PY" - "$work/unsigned" "$CONTRACTS" <<'EOF'
import json, sys, jsonschema
out, contracts = sys.argv[1], sys.argv[2]
for name, schema in [("amc-release-evidence.json", "release-evidence-bundle"), ("amc-release-envelope.json", "signed-release-bundle-envelope")]:
    doc = json.load(open(f"{out}/{name}"))
    jsonschema.Draft202012Validator(json.load(open(f"{contracts}/{schema}.schema.json"))).validate(doc)
env = json.load(open(f"{out}/amc-release-envelope.json"))
assert env["signature"]["status"] == "unsigned", env["signature"]
assert json.load(open(f"{out}/amc-release-evidence.json"))["source"]["commitSha"] == "0" * 40
EOF
# `amc verify --format json` reports in the envelope's verification shape.
"$AMC" verify "$out" --key "$work/amc.pub" --format json --verified-at 2026-05-04T18:20:00Z > "$work/verify.json"
expect "amc verify --format json: envelope verification shape, passed" "$PY" - "$work/verify.json" "$CONTRACTS" <<'EOF'
import json, sys, jsonschema
report = json.load(open(sys.argv[1]))
schema = json.load(open(f"{sys.argv[2]}/signed-release-bundle-envelope.schema.json"))
jsonschema.Draft202012Validator(schema["properties"]["verification"]).validate(report["verification"])
assert report["verification"]["verified"] is True and report["verification"]["verificationStatus"] == "passed", report
EOF

echo "test-signing: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
