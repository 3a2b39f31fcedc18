//! The ActivationDecision document (upstream contract `activation-decision.schema.json`).
//!
//! Takes: nothing; typed serde model filled by `activation::evaluate`.
//! Produces: JSON through `to_value` (keys sorted by the writer).
//! Never: carries anything secret — every `receiptSafety` flag is false.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// An ActivationDecision (upstream contract `activation-decision.schema.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ActivationDecision {
    /// Always `0.1.0`.
    pub spec_version: &'static str,
    /// `urn:srcos:agent-machine:activation-decision:…`.
    pub id: String,
    /// Always `ActivationDecision`.
    pub kind: &'static str,
    /// The verdict.
    pub decision: Verdict,
    /// What was decided on.
    pub inputs: DecisionInputs,
    /// The scope activation gets.
    pub scope: DecisionScope,
    /// Obligations of the activation.
    pub obligations: DecisionObligations,
    /// All false: nothing secret is ever included.
    pub receipt_safety: SafetyFlags,
    /// The decision time.
    pub decided_at: String,
    /// `sourceos.activation.*` labels.
    pub labels: BTreeMap<String, String>,
}

impl ActivationDecision {
    /// Whether activation is allowed.
    pub fn allowed(&self) -> bool {
        self.decision.activation_allowed
    }
    /// The JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// `decision`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// `allowed` or `fail-closed`.
    pub status: &'static str,
    /// Whether activation is allowed.
    pub activation_allowed: bool,
    /// `activation allowed` or `activation failed closed`.
    pub reason: &'static str,
    /// One token per failed rule, sorted.
    pub failure_reasons: Vec<String>,
    /// What must change before activation, sorted.
    pub required_before_activation: Vec<String>,
}

/// `inputs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DecisionInputs {
    /// The pod id.
    pub agent_pod_id: String,
    /// The machine (policy request, else grant request).
    pub agent_machine_id: Option<String>,
    /// The provider (policy request).
    pub provider_id: Option<String>,
    /// The PolicyAdmission id.
    pub policy_admission_id: String,
    /// The AgentRegistryGrant id.
    pub agent_registry_grant_id: String,
    /// The deployment receipt id.
    pub deployment_receipt_id: String,
    /// Requested storage receipt refs, sorted (unresolved ones included).
    pub storage_receipt_refs: Vec<String>,
}

/// `scope`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DecisionScope {
    /// The pod's runtime mode.
    pub runtime_mode: Option<String>,
    /// Exposures the policy allows.
    pub network_exposure: Vec<String>,
    /// Side effects the policy allows.
    pub side_effects: Vec<String>,
    /// Tools the grant allows.
    pub tool_refs: Vec<String>,
    /// Storage scopes the grant allows.
    pub storage_scope_refs: Vec<String>,
    /// Policy allows cache reuse and the grant names a cache scope.
    pub cache_reuse_allowed: bool,
}

/// `obligations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DecisionObligations {
    /// Receipts the policy requires.
    pub required_receipts: Vec<String>,
    /// The policy decision ref.
    pub policy_decision_ref: Option<String>,
    /// The grant ref.
    pub agent_registry_grant_ref: Option<String>,
    /// When the activation expires (the earlier of policy and grant expiry).
    pub expires_at: Option<String>,
    /// Revocation refs of policy and grant.
    pub revocation_refs: Vec<String>,
}

/// The five const-false `receiptSafety` flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SafetyFlags {
    /// Raw content.
    pub include_raw_content: bool,
    /// Raw prompts.
    pub raw_prompt_content_included: bool,
    /// Raw KV cache.
    pub raw_kv_cache_content_included: bool,
    /// Secret values.
    pub secret_values_included: bool,
    /// Private memory.
    pub private_memory_included: bool,
}
