#!/usr/bin/env bash
# Install the external validators amc's tests use (everything besides Rust)
# into .ci/cache/ inside the repo. Idempotent: a second run with a warm cache
# touches no network.
#
#   .ci/cache/venv/          Python venv from scripts/requirements-validators.txt
#                            (kubernetes-validate, jsonschema, securesystemslib,
#                            sigstore-protobuf-specs, PyNaCl)
#   .ci/cache/podman/        Debian trixie's podman .deb, extracted (dpkg-deb -x)
#   .ci/cache/bin/quadlet    wrapper running .../usr/libexec/podman/quadlet
#   .ci/cache/bin/kubernetes-validate   symlink into the venv
#   .ci/cache/llama/         Debian sid's llama.cpp-tools (llama-server) and the
#                            libraries it needs, extracted (dpkg-deb -x)
#   .ci/cache/bin/llama-server  wrapper running it with sid's own dynamic
#                            loader, for scripts/test-e2e.sh
#
# The trixie .deb is fetched with apt-get using a temporary sources list and
# temporary state/cache dirs; the system's apt configuration is left alone.
# The mirror is the one the system's own apt sources use for its Debian suite.
#
# Env overrides:
#   AMC_DEBIAN_MIRROR   mirror URL to use instead of the system's one
#   AMC_PODMAN_SUITE    Debian suite to take podman from (default: trixie)
#   AMC_QUADLET_EXTRA_DEBS  extra trixie packages to extract beside podman
#                       (shared libs quadlet might need; none are needed today)
#   PYTHON              interpreter for the venv (default /usr/bin/python3)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$REPO/.ci/cache"
REQS="$REPO/scripts/requirements-validators.txt"
K8S_VERSIONS=(1.33 1.37)
SUITE="${AMC_PODMAN_SUITE:-trixie}"
EXTRA_DEBS="${AMC_QUADLET_EXTRA_DEBS:-}"

log() { printf 'setup-validators: %s\n' "$*"; }
die() { printf 'setup-validators: ERROR: %s\n' "$*" >&2; exit 1; }

mkdir -p "$CACHE/bin"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# ---------------------------------------------------------------- python venv
setup_venv() {
    local py="${PYTHON:-}"
    if [[ -z "$py" ]]; then
        if [[ -x /usr/bin/python3 ]]; then py=/usr/bin/python3; else py="$(command -v python3)"; fi
    fi
    [[ -n "$py" ]] || die "no python3 found"
    local venv="$CACHE/venv"
    local stamp_want
    stamp_want="$(sha256sum "$REQS" | cut -d' ' -f1) $("$py" -c 'import sys; print(sys.version.split()[0])')"
    if [[ -x "$venv/bin/python" && -f "$venv/.amc-stamp" && "$(cat "$venv/.amc-stamp")" == "$stamp_want" ]]; then
        log "venv up to date ($venv)"
    else
        log "creating venv with $py"
        rm -rf "$venv"
        "$py" -m venv "$venv" || die "python venv failed (apt-get install python3-venv?)"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
            --no-input -r "$REQS" || die "pip install -r $REQS failed"
        printf '%s\n' "$stamp_want" > "$venv/.amc-stamp"
    fi
    ln -sfn ../venv/bin/kubernetes-validate "$CACHE/bin/kubernetes-validate"
}

# Check kubernetes-validate works offline (no network namespace access when
# unshare is available) for every version amc targets, in --strict mode.
verify_kubernetes_validate() {
    local kv="$CACHE/venv/bin/kubernetes-validate"
    local doc="$TMP/probe.yaml"
    cat > "$doc" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: probe
data:
  a: b
EOF
    local -a offline=()
    if unshare -n true 2>/dev/null; then offline=(unshare -n); fi
    local args=(--strict) v out
    for v in "${K8S_VERSIONS[@]}"; do args+=(-k "$v"); done
    out="$("${offline[@]}" "$kv" "${args[@]}" "$doc" 2>&1)" || die "kubernetes-validate probe failed: $out"
    for v in "${K8S_VERSIONS[@]}"; do
        grep -q "passed for resource configmap/probe against version $v\$" <<<"$out" \
            || die "kubernetes-validate did not validate against $v: $out"
    done
    if grep -qv '^INFO ' <<<"$out"; then die "kubernetes-validate probe printed warnings: $out"; fi
    # A field unknown to the schema must fail in --strict mode.
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: probe}\nbogus: 1\n' > "$doc"
    if "${offline[@]}" "$kv" --strict -k "${K8S_VERSIONS[0]}" "$doc" >/dev/null 2>&1; then
        die "kubernetes-validate --strict accepted an unknown field"
    fi
    log "kubernetes-validate $("$kv" --version) ok offline for k8s ${K8S_VERSIONS[*]} (--strict)${offline:+ [checked without network]}"
}

# ---------------------------------------------------------------- quadlet
# The Debian mirror the system's apt uses for its own release.
system_mirror() {
    if [[ -n "${AMC_DEBIAN_MIRROR:-}" ]]; then printf '%s\n' "$AMC_DEBIAN_MIRROR"; return; fi
    local codename
    codename="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"
    [[ -n "$codename" ]] || die "cannot read VERSION_CODENAME from /etc/os-release"
    # indextargets reads both sources.list and deb822 .sources files.
    # shellcheck disable=SC2016  # $(FIELD) is apt's format syntax, not ours
    apt-get indextargets --format '$(TARGET_OF) $(RELEASE) $(SITE)' 'Identifier: Packages' 2>/dev/null \
        | awk -v c="$codename" '$1 == "deb" && $2 == c { print $3; exit }'
}

QUADLET_BIN="$CACHE/podman/usr/libexec/podman/quadlet"

quadlet_runs() {
    [[ -x "$CACHE/bin/quadlet" ]] && "$CACHE/bin/quadlet" -version >/dev/null 2>&1
}

write_quadlet_wrapper() {
    cat > "$CACHE/bin/quadlet" <<'EOF'
#!/bin/sh
# Generated by scripts/setup-validators.sh: runs Debian trixie's quadlet
# extracted under .ci/cache/podman, with any extracted shared libs first.
root="$(cd "$(dirname "$0")/../podman" && pwd)"
LD_LIBRARY_PATH="$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH
exec "$root/usr/libexec/podman/quadlet" "$@"
EOF
    chmod +x "$CACHE/bin/quadlet"
}

fetch_quadlet() {
    local mirror arch
    mirror="$(system_mirror)"
    [[ -n "$mirror" ]] || die "could not find the system's Debian mirror in its apt sources (set AMC_DEBIAN_MIRROR)"
    arch="$(dpkg --print-architecture)"
    log "fetching podman from Debian $SUITE ($arch) via the system's mirror"

    local t="$TMP/apt"
    mkdir -p "$t/lists/partial" "$t/cache/archives/partial" "$t/debs"
    : > "$t/status"
    printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
        "$mirror" "$SUITE" > "$t/sources.list"
    local -a aptopts=(
        -o "Dir::Etc::SourceList=$t/sources.list"
        -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::State::Lists=$t/lists"
        -o "Dir::State::status=$t/status"
        -o "Dir::Cache=$t/cache"
        -o "APT::Architecture=$arch"
        -o "APT::Architectures::=$arch"
        -o "APT::Sandbox::User=root"
        -o "Acquire::Languages=none"
        -o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false"
        -o "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false"
        -o "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false"
        -o "Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false"
        -o "Acquire::Retries=3"
    )
    apt-get "${aptopts[@]}" -qq update || die "apt-get update for $SUITE failed"
    local pkgs=(podman) p
    for p in $EXTRA_DEBS; do pkgs+=("$p"); done
    (cd "$t/debs" && apt-get "${aptopts[@]}" -qq download "${pkgs[@]}") || die "apt-get download ${pkgs[*]} failed"

    local new="$CACHE/podman.new" deb
    rm -rf "$new"
    mkdir -p "$new"
    for deb in "$t/debs"/*.deb; do
        dpkg-deb -x "$deb" "$new"
        basename "$deb" >> "$new/.amc-debs"
    done
    [[ -x "$new/usr/libexec/podman/quadlet" ]] || die "podman .deb has no usr/libexec/podman/quadlet"
    rm -rf "$CACHE/podman"
    mv "$new" "$CACHE/podman"
}

check_quadlet_libs() {
    local missing
    missing="$(LD_LIBRARY_PATH="$CACHE/podman/usr/lib/x86_64-linux-gnu:$CACHE/podman/lib/x86_64-linux-gnu" \
        ldd "$QUADLET_BIN" 2>&1 | grep 'not found' || true)"
    if [[ -n "$missing" ]]; then
        die "quadlet needs shared libraries this machine lacks:
$missing
add their trixie packages to AMC_QUADLET_EXTRA_DEBS (e.g. AMC_QUADLET_EXTRA_DEBS='libfoo1')"
    fi
}

# Functional check: the dry run must print one generated service per unit.
verify_quadlet() {
    local d="$TMP/quadlet-probe"
    mkdir -p "$d"
    printf '[Container]\nImage=docker.io/library/busybox:1\nVolume=probe.volume:/data\nNetwork=probe.network\n' > "$d/probe.container"
    printf '[Volume]\n' > "$d/probe.volume"
    printf '[Network]\n' > "$d/probe.network"
    local out
    out="$(QUADLET_UNIT_DIRS="$d" "$CACHE/bin/quadlet" -dryrun -no-kmsg-log 2>/dev/null)" \
        || die "quadlet -dryrun failed on a valid probe unit"
    local s
    for s in probe.service probe-volume.service probe-network.service; do
        grep -qx -- "---$s---" <<<"$out" || die "quadlet -dryrun did not generate $s"
    done
    printf '[Container]\nImage=docker.io/library/busybox:1\nFoo=bar\n' > "$d/probe.container"
    if QUADLET_UNIT_DIRS="$d" "$CACHE/bin/quadlet" -dryrun -no-kmsg-log >/dev/null 2>&1; then
        die "quadlet -dryrun accepted an unsupported key"
    fi
    log "quadlet $("$CACHE/bin/quadlet" -version) ok ($(tr '\n' ' ' < "$CACHE/podman/.amc-debs" | sed 's/ $//'))"
}

# ---------------------------------------------------------------- llama.cpp
# The end-to-end test starts a real llama.cpp server. Debian ships it only in
# sid (llama.cpp-tools); its libraries need sid's glibc, so the binary runs
# through sid's own dynamic loader with an explicit library path, beside the
# system's older glibc, touching nothing outside .ci/cache.
LLAMA_DEBS=(llama.cpp-tools libllama0 libggml0 libc6 libgcc-s1 libstdc++6 libssl3t64 libgomp1)
LLAMA="$CACHE/llama"

write_llama_wrapper() {
    cat > "$CACHE/bin/llama-server" <<'EOF2'
#!/bin/sh
# Generated by scripts/setup-validators.sh: Debian sid's llama-server,
# run by sid's dynamic loader with sid's libraries (.ci/cache/llama).
root="$(cd "$(dirname "$0")/../llama" && pwd)"
lib="$root/usr/lib/x86_64-linux-gnu"
backends="$lib/ggml/backends0"
export GGML_BACKEND_PATH="${GGML_BACKEND_PATH:-$backends/libggml-cpu-x64.so}"
exec "$root/usr/lib64/ld-linux-x86-64.so.2" \
    --library-path "$lib:$lib/llama:$root/lib/x86_64-linux-gnu:$backends" \
    "$root/usr/bin/llama-server" "$@"
EOF2
    chmod +x "$CACHE/bin/llama-server"
}

llama_runs() {
    [[ -x "$CACHE/bin/llama-server" ]] && "$CACHE/bin/llama-server" --version >/dev/null 2>&1
}

fetch_llama() {
    local mirror arch t
    mirror="$(system_mirror)"
    [[ -n "$mirror" ]] || die "could not find the system's Debian mirror (set AMC_DEBIAN_MIRROR)"
    arch="$(dpkg --print-architecture)"
    [[ "$arch" == amd64 ]] || die "the e2e llama-server is set up for amd64 only (this is $arch)"
    log "fetching llama.cpp from Debian sid ($arch) via the system's mirror"
    t="$TMP/apt-llama"
    mkdir -p "$t/lists/partial" "$t/cache/archives/partial" "$t/debs"
    : > "$t/status"
    printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s sid main\n' "$mirror" > "$t/sources.list"
    local -a aptopts=(
        -o "Dir::Etc::SourceList=$t/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::State::Lists=$t/lists" -o "Dir::State::status=$t/status" -o "Dir::Cache=$t/cache"
        -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" -o "APT::Sandbox::User=root"
        -o "Acquire::Languages=none" -o "Acquire::Retries=3"
        -o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false"
        -o "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false"
        -o "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false"
        -o "Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false"
    )
    apt-get "${aptopts[@]}" -qq update || die "apt-get update for sid failed"
    (cd "$t/debs" && apt-get "${aptopts[@]}" -qq download "${LLAMA_DEBS[@]}") \
        || die "apt-get download ${LLAMA_DEBS[*]} from sid failed"
    local new="$LLAMA.new" deb
    rm -rf "$new"; mkdir -p "$new"
    for deb in "$t/debs"/*.deb; do
        dpkg-deb -x "$deb" "$new"
        basename "$deb" >> "$new/.amc-debs"
    done
    rm -rf "$LLAMA"; mv "$new" "$LLAMA"
}

setup_venv
verify_kubernetes_validate

write_llama_wrapper
if [[ -f "$LLAMA/.amc-debs" ]] && llama_runs; then
    log "llama-server already in $LLAMA"
else
    fetch_llama
fi
llama_runs || die "$CACHE/bin/llama-server does not run: $("$CACHE/bin/llama-server" --version 2>&1 | tail -2)"
log "llama-server $("$CACHE/bin/llama-server" --version 2>&1 | head -1) ok"

write_quadlet_wrapper
if [[ -x "$QUADLET_BIN" && -f "$CACHE/podman/.amc-debs" ]] && quadlet_runs; then
    log "quadlet already in $CACHE/podman"
else
    fetch_quadlet
fi
check_quadlet_libs
quadlet_runs || die "$CACHE/bin/quadlet does not run: $("$CACHE/bin/quadlet" -version 2>&1 || true)"
verify_quadlet

log "done: validators in $CACHE/bin"
