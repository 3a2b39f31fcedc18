//! Upstream Agent Machine examples (MIT, SourceOS; commit fe6988d7) used as
//! conformance inputs by the governance tests. See README.md.

use serde_json::Value;

/// Every upstream example: (file name, text).
pub const UPSTREAM: &[(&str, &str)] = &[
    (
        "activation-decision.allowed.json",
        include_str!("upstream/activation-decision.allowed.json"),
    ),
    (
        "activation-decision.fail-closed.json",
        include_str!("upstream/activation-decision.fail-closed.json"),
    ),
    (
        "agent-registry-grant.active-activation.json",
        include_str!("upstream/agent-registry-grant.active-activation.json"),
    ),
    (
        "agent-registry-grant.active.json",
        include_str!("upstream/agent-registry-grant.active.json"),
    ),
    (
        "agent-registry-grant.missing.json",
        include_str!("upstream/agent-registry-grant.missing.json"),
    ),
    (
        "agent-registry-grant.revoked.json",
        include_str!("upstream/agent-registry-grant.revoked.json"),
    ),
    (
        "agentplane-runtime-evidence.k8s.json",
        include_str!("upstream/agentplane-runtime-evidence.k8s.json"),
    ),
    (
        "agentplane-runtime-evidence.local.json",
        include_str!("upstream/agentplane-runtime-evidence.local.json"),
    ),
    (
        "asahi-llama-cpp.inference-provider.json",
        include_str!("upstream/asahi-llama-cpp.inference-provider.json"),
    ),
    (
        "attestation-decision.failed-mdm.json",
        include_str!("upstream/attestation-decision.failed-mdm.json"),
    ),
    (
        "attestation-decision.failed-sip.json",
        include_str!("upstream/attestation-decision.failed-sip.json"),
    ),
    (
        "attestation-decision.passed.json",
        include_str!("upstream/attestation-decision.passed.json"),
    ),
    (
        "external-trust-signal-provider.active.json",
        include_str!("upstream/external-trust-signal-provider.active.json"),
    ),
    (
        "external-trust-signal-provider.stale.json",
        include_str!("upstream/external-trust-signal-provider.stale.json"),
    ),
    (
        "k8s-topolvm.agent-pod.json",
        include_str!("upstream/k8s-topolvm.agent-pod.json"),
    ),
    (
        "linux-workstation-local-lvm.cache-tier.json",
        include_str!("upstream/linux-workstation-local-lvm.cache-tier.json"),
    ),
    (
        "local-lvm-warm-cache.storage-receipt.json",
        include_str!("upstream/local-lvm-warm-cache.storage-receipt.json"),
    ),
    (
        "local-podman-llama-cpp.agent-pod.json",
        include_str!("upstream/local-podman-llama-cpp.agent-pod.json"),
    ),
    (
        "local-podman-llama-cpp.pinned.agent-pod.json",
        include_str!("upstream/local-podman-llama-cpp.pinned.agent-pod.json"),
    ),
    (
        "m2-asahi-local-lvm.agent-machine.json",
        include_str!("upstream/m2-asahi-local-lvm.agent-machine.json"),
    ),
    (
        "policy-admission.allowed-activation.json",
        include_str!("upstream/policy-admission.allowed-activation.json"),
    ),
    (
        "policy-admission.allowed.json",
        include_str!("upstream/policy-admission.allowed.json"),
    ),
    (
        "policy-admission.denied.json",
        include_str!("upstream/policy-admission.denied.json"),
    ),
    (
        "policy-admission.missing.json",
        include_str!("upstream/policy-admission.missing.json"),
    ),
    (
        "release-evidence-bundle.bootstrap.json",
        include_str!("upstream/release-evidence-bundle.bootstrap.json"),
    ),
    (
        "signed-release-bundle-envelope.signed-placeholder.json",
        include_str!("upstream/signed-release-bundle-envelope.signed-placeholder.json"),
    ),
    (
        "signed-release-bundle-envelope.unsigned.json",
        include_str!("upstream/signed-release-bundle-envelope.unsigned.json"),
    ),
    (
        "topolvm-evidence-pvc.storage-receipt.json",
        include_str!("upstream/topolvm-evidence-pvc.storage-receipt.json"),
    ),
];

/// The text of one example.
pub fn get(name: &str) -> &'static str {
    UPSTREAM
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .unwrap_or_else(|| panic!("no upstream example {name}"))
}

/// One example, parsed.
pub fn json(name: &str) -> Value {
    serde_json::from_str(get(name)).unwrap()
}
