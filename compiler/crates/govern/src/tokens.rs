//! The registry of governance reason tokens.
//!
//! Takes: nothing. Produces: every `failureReasons` token amc can write
//! (ActivationDecisions and teardown/wipe decisions), where it comes from,
//! what it requires before the action, and whether a build can produce it.
//! Tests keep this list, the evaluator, docs/governance.md and the golden
//! cases in sync: every token is documented, every token a build can produce
//! appears in a golden case, and no emitted token is missing here.
//! Never: decides anything.

/// Who defined a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Upstream's evaluator (same spelling, same meaning).
    Upstream,
    /// amc: a check upstream never made.
    Amc,
}

/// One reason token.
#[derive(Debug, Clone, Copy)]
pub struct Token {
    /// The token, or its prefix before `:<detail>`.
    pub name: &'static str,
    /// Upstream or amc.
    pub origin: Origin,
    /// The `requiredBeforeActivation` (or `requiredBefore`) token it adds, if any.
    pub required: Option<&'static str>,
    /// Whether `amc build` can produce it (else only `amc evaluate activation`).
    pub from_build: bool,
}

const fn t(
    name: &'static str,
    origin: Origin,
    required: Option<&'static str>,
    from_build: bool,
) -> Token {
    Token {
        name,
        origin,
        required,
        from_build,
    }
}

use Origin::{Amc, Upstream};

const VALID_STORAGE: Option<&str> = Some("valid_storage_receipts");
const POLICY_BINDING: Option<&str> = Some("policy_admission_for_this_deployment");
const GRANT_BINDING: Option<&str> = Some("agent_registry_grant_for_this_pod");
const POLICY_TIME: Option<&str> = Some("policy_admission_valid_at_decision_time");
const GRANT_TIME: Option<&str> = Some("agent_registry_grant_valid_at_decision_time");
const POLICY_SCOPE: Option<&str> = Some("policy_admission_scope_covering_pod");
const GRANT_SCOPE: Option<&str> = Some("agent_registry_grant_scope_covering_pod");
const ATTESTED: Option<&str> = Some("host_attestation_permitted");

/// Every token, in documentation order.
pub const TOKENS: &[Token] = &[
    // Upstream's rules.
    t("agentpod_kind_invalid", Upstream, None, false),
    t(
        "agent_identity_not_required_by_agentpod",
        Upstream,
        None,
        true,
    ),
    t(
        "policy_does_not_allow_activation_scope",
        Upstream,
        Some("policy_admission_allowed_activation"),
        true,
    ),
    t(
        "agent_registry_grant_does_not_allow_activation_scope",
        Upstream,
        Some("agent_registry_grant_active_activation"),
        true,
    ),
    t("storage_receipts_missing", Upstream, VALID_STORAGE, true),
    t(
        "storage_receipt_files_missing",
        Upstream,
        VALID_STORAGE,
        false,
    ),
    t("storage_receipt_invalid", Upstream, VALID_STORAGE, true),
    t(
        "storage_receipt_encryption_required_not_observed",
        Upstream,
        VALID_STORAGE,
        false,
    ),
    t(
        "storage_receipt_quota_required_not_observed",
        Upstream,
        VALID_STORAGE,
        false,
    ),
    t(
        "storage_receipt_ref_unresolved",
        Upstream,
        VALID_STORAGE,
        true,
    ),
    t(
        "deployment_receipt_missing",
        Upstream,
        Some("deployment_receipt"),
        false,
    ),
    // Time.
    t("decision_time_unset", Amc, Some("decision_time"), true),
    t("policy_admission_expired", Amc, POLICY_TIME, true),
    t("policy_admission_not_yet_valid", Amc, POLICY_TIME, true),
    t("policy_admission_time_invalid", Amc, POLICY_TIME, true),
    t("agent_registry_grant_expired", Amc, GRANT_TIME, true),
    t("agent_registry_grant_not_yet_valid", Amc, GRANT_TIME, true),
    t("agent_registry_grant_time_invalid", Amc, GRANT_TIME, true),
    t(
        "agent_registry_grant_revoked",
        Amc,
        Some("agent_registry_grant_active_activation"),
        true,
    ),
    // Bindings.
    t("policy_admission_pod_mismatch", Amc, POLICY_BINDING, true),
    t(
        "policy_admission_deployment_receipt_mismatch",
        Amc,
        POLICY_BINDING,
        true,
    ),
    t(
        "policy_admission_machine_mismatch",
        Amc,
        POLICY_BINDING,
        true,
    ),
    t(
        "policy_admission_provider_mismatch",
        Amc,
        POLICY_BINDING,
        true,
    ),
    t(
        "agent_registry_grant_pod_mismatch",
        Amc,
        GRANT_BINDING,
        true,
    ),
    t(
        "agent_registry_grant_machine_mismatch",
        Amc,
        GRANT_BINDING,
        true,
    ),
    t(
        "agent_registry_grant_identity_mismatch",
        Amc,
        GRANT_BINDING,
        true,
    ),
    t(
        "agent_identity_ref_missing",
        Amc,
        Some("agent_identity_ref"),
        true,
    ),
    // Scope.
    t("policy_scope_denied", Amc, POLICY_SCOPE, true),
    t("network_exposure_not_allowed", Amc, POLICY_SCOPE, true),
    t("volume_class_not_allowed", Amc, POLICY_SCOPE, true),
    t("storage_backend_not_allowed", Amc, POLICY_SCOPE, true),
    t("agent_registry_grant_scope_denied", Amc, GRANT_SCOPE, true),
    t("storage_scope_not_granted", Amc, GRANT_SCOPE, true),
    // Cache reuse.
    t(
        "cache_reuse_not_allowed_by_policy",
        Amc,
        Some("policy_admission_cache_reuse"),
        true,
    ),
    t(
        "cache_reuse_not_granted",
        Amc,
        Some("agent_registry_grant_cache_scope"),
        true,
    ),
    t(
        "cache_reuse_cross_tenant",
        Amc,
        Some("tenant_scoped_cache_reuse"),
        true,
    ),
    // Storage receipts beyond upstream's rules.
    t(
        "storage_receipt_encryption_required_not_present",
        Amc,
        VALID_STORAGE,
        true,
    ),
    t("storage_receipt_pod_mismatch", Amc, VALID_STORAGE, false),
    t(
        "storage_receipt_machine_mismatch",
        Amc,
        VALID_STORAGE,
        false,
    ),
    // Supply chain and host.
    t(
        "image_digest_not_pinned",
        Amc,
        Some("image_digest_pinned"),
        true,
    ),
    t(
        "image_digest_mismatch",
        Amc,
        Some("image_digest_pinned"),
        false,
    ),
    t("host_attestation_missing", Amc, ATTESTED, true),
    t("host_attestation_not_permitted", Amc, ATTESTED, true),
    t("host_attestation_host_mismatch", Amc, ATTESTED, true),
    t("host_attestation_not_yet_valid", Amc, ATTESTED, true),
    // Teardown and wipe requests.
    t(
        "policy_does_not_allow_teardown",
        Amc,
        Some("policy_admission_allowed_teardown"),
        true,
    ),
    t(
        "policy_does_not_allow_wipe",
        Amc,
        Some("policy_admission_allowed_wipe"),
        true,
    ),
];

/// The registered token a reason (`token` or `token:detail`) is an instance of.
pub fn lookup(reason: &str) -> Option<&'static Token> {
    TOKENS.iter().find(|t| {
        reason == t.name
            || reason
                .strip_prefix(t.name)
                .is_some_and(|rest| rest.starts_with(':'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_found() {
        for (i, t) in TOKENS.iter().enumerate() {
            assert!(TOKENS[..i].iter().all(|u| u.name != t.name), "{}", t.name);
            assert_eq!(lookup(t.name).map(|x| x.name), Some(t.name));
        }
        assert_eq!(
            lookup("storage_scope_not_granted:urn:x").map(|t| t.name),
            Some("storage_scope_not_granted")
        );
        assert!(lookup("policy_admission_expiredx").is_none());
    }
}
