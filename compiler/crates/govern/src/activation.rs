//! The activation evaluator: may this AgentPod activate?
//!
//! Takes: an AgentPod, a PolicyAdmission, an AgentRegistryGrant, the
//! deployment receipt id, StorageReceipts, the decision time and (optionally)
//! the machine's AttestationDecision — all as upstream JSON — plus a
//! [`Context`] with what the caller knows beyond upstream's inputs.
//! Produces: an [`ActivationDecision`] (upstream's ActivationDecision
//! contract): `allowed` only when every rule holds, else `fail-closed` with
//! one reason token per failed rule and what is required before activation.
//! Upstream's rules keep upstream's tokens (upstream-notes §2.2); the checks
//! upstream never made (§2.5) add amc tokens, all listed in docs/governance.md.
//! Never: reads the clock or the disk, or fails on a well-formed input — a
//! broken input is a reason, not an error. Semantic validity of the policy
//! and grant (upstream's hard errors) is checked before, by `semantics`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

pub use super::decision::{
    ActivationDecision, DecisionInputs, DecisionObligations, DecisionScope, SafetyFlags, Verdict,
};
use super::rules::{self, Binding, Issuer, Reasons, list, sorted, text};
use amc_lang::contracts;

/// PolicyAdmission constraint that requires the pod's image pinned by digest.
pub const DIGEST_CONSTRAINT: &str = "image-digest-required";
/// PolicyAdmission constraint that requires a permitting host AttestationDecision.
pub const ATTESTATION_CONSTRAINT: &str = "host-attestation-required";
/// StorageReceipt label naming the cache scope a reused cache volume belongs to.
pub const CACHE_SCOPE_LABEL: &str = "amc.cache.reuse-scope";
/// AgentPod and StorageReceipt label naming the tenant.
pub const TENANT_LABEL: &str = "amc.tenant";
/// Prefix of amc's tenant-scoped cache scope refs: `…:tenant:<tenant>:<domain>`.
pub const TENANT_SCOPE_PREFIX: &str = "urn:srcos:policy-domain:amc:tenant:";
/// The decision time upstream writes when none is given.
pub use amc_syntax::EPOCH;

const SIDE_EFFECTS: [&str; 2] = ["start-provider", "mount-cache"];
const TOOLS: [&str; 2] = [
    "urn:srcos:tool:start-provider",
    "urn:srcos:tool:mount-cache",
];

/// Who decides: the build, before the pod is deployed, or the runtime gate
/// on the machine. Both apply every rule alike to the same documents and
/// give the same `failureReasons`; they differ only in the status of a
/// decision whose every failure awaits an observation only the host can make
/// (storage receipts planned by `amc build` record world-writability,
/// symlink traversal, encryption and quota as not observed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stage {
    /// `amc evaluate activation` (upstream's evaluator): such a decision is
    /// `fail-closed`, as upstream's.
    #[default]
    Runtime,
    /// `amc build`: such a decision is `unknown`, `activationAllowed: false`,
    /// reason [`PENDING_REASON`] — never stronger than what the runtime gate
    /// will say, and never final. Any other failure is `fail-closed`.
    Plan,
}

/// The reason of a build-time decision that awaits host observations only.
pub const PENDING_REASON: &str = "activation pending host observation";
/// Label on such a decision.
pub const PENDING_LABEL: &str = "amc.decision.pending";

/// What the machine's profile requires.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProfileRules {
    /// The image must be pinned by digest.
    pub image_digest_required: bool,
    /// A permitting AttestationDecision is needed.
    pub attestation_required: bool,
}

/// What the caller knows that upstream's evaluator is not told.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// The machine the admission must name.
    pub machine: Option<String>,
    /// Machines storage receipts may come from (empty: the admission's machine).
    pub receipt_machines: Vec<String>,
    /// The provider the admission must name.
    pub provider: Option<String>,
    /// The plan digest of the deployment.
    pub plan_digest: Option<String>,
    /// The manifest digest of the deployment.
    pub manifest_digest: Option<String>,
    /// Host ids an AttestationDecision may name (empty: the machine id or its last segment).
    pub attestation_hosts: Vec<String>,
}

/// Everything besides the documents.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Plan or runtime evidence.
    pub stage: Stage,
    /// Profile requirements (looked up from the stdlib by the pod's profile).
    pub profile: ProfileRules,
    /// Bindings only amc knows.
    pub expect: Expect,
}

/// The documents to decide on.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The AgentPod.
    pub pod: &'a Value,
    /// The PolicyAdmission.
    pub policy: &'a Value,
    /// The AgentRegistryGrant.
    pub grant: &'a Value,
    /// The deployment receipt id.
    pub deployment_receipt_id: &'a str,
    /// Loaded StorageReceipts.
    pub storage_receipts: &'a [Value],
    /// Requested storage receipt refs (`None`: every loaded receipt).
    pub storage_refs: Option<&'a [String]>,
    /// The decision time (RFC 3339), `None` when unset.
    pub decided_at: Option<&'a str>,
    /// The decision id (default `…:activation-decision:<pod id's last segment>`).
    pub decision_id: Option<&'a str>,
    /// The machine's AttestationDecision, when there is one.
    pub attestation: Option<&'a Value>,
}

fn opt(doc: &Value, ptr: &str) -> Option<String> {
    text(doc, ptr).map(str::to_string)
}

/// Upstream's `policy_allows_activation`.
pub fn policy_allows_activation(policy: &Value) -> bool {
    let effects = list(policy, "/scope/allowed/sideEffects");
    let provider = text(policy, "/request/providerId");
    text(policy, "/decision/status") == Some("allowed")
        && policy.pointer("/decision/authorizationGranted") == Some(&Value::Bool(true))
        && text(policy, "/request/requestType") == Some("activation")
        && SIDE_EFFECTS.iter().all(|s| effects.iter().any(|e| e == s))
        && provider.is_none_or(|p| {
            list(policy, "/scope/allowed/providerIds")
                .iter()
                .any(|x| x == p)
        })
}

/// Upstream's `grant_allows_activation`.
pub fn grant_allows_activation(grant: &Value, provider: Option<&str>) -> bool {
    let tools = list(grant, "/scope/allowed/toolRefs");
    text(grant, "/grant/status") == Some("active")
        && grant.pointer("/grant/authorizationGranted") == Some(&Value::Bool(true))
        && TOOLS.iter().all(|t| tools.iter().any(|x| x == t))
        && provider.is_none_or(|p| {
            list(grant, "/scope/allowed/providerIds")
                .iter()
                .any(|x| x == p)
        })
}

/// The tenant an amc cache scope ref belongs to.
pub fn scope_tenant(scope: &str) -> Option<&str> {
    scope
        .strip_prefix(TENANT_SCOPE_PREFIX)
        .and_then(|rest| rest.split(':').next())
}

/// Decides.
pub fn evaluate(inp: &Inputs<'_>, ctx: &Context) -> ActivationDecision {
    let mut r = Reasons::default();
    let (pod, policy, grant) = (inp.pod, inp.policy, inp.grant);
    let pod_id = text(pod, "/id").unwrap_or("").to_string();
    let policy_provider = text(policy, "/request/providerId");
    let machine =
        opt(policy, "/request/agentMachineId").or_else(|| opt(grant, "/request/agentMachineId"));

    // Upstream rules 1–4.
    if text(pod, "/kind") != Some("AgentPod") {
        r.fail("agentpod_kind_invalid", None);
    }
    if pod.pointer("/workload/agentIdentityRequired") != Some(&Value::Bool(true)) {
        r.fail("agent_identity_not_required_by_agentpod", None);
    }
    let policy_ok = policy_allows_activation(policy);
    if !policy_ok {
        r.fail(
            "policy_does_not_allow_activation_scope",
            Some("policy_admission_allowed_activation"),
        );
    }
    let grant_ok = grant_allows_activation(grant, policy_provider);
    let grant_req = Some("agent_registry_grant_active_activation");
    if !grant_ok {
        r.fail(
            "agent_registry_grant_does_not_allow_activation_scope",
            grant_req,
        );
    }

    // Time: no wall clock; an unset time fails closed.
    let now = rules::decision_time(inp.decided_at, &mut r);
    rules::check_validity(policy, Issuer::Policy, now, &mut r);
    rules::check_validity(grant, Issuer::Grant, now, &mut r);
    if text(grant, "/grant/status") == Some("revoked")
        || text(grant, "/grant/revocationStatus") == Some("revoked")
    {
        r.fail("agent_registry_grant_revoked", grant_req);
    }
    if text(grant, "/grant/status") == Some("expired") {
        r.fail(
            "agent_registry_grant_expired",
            Some(rules::valid_at_token(Issuer::Grant)),
        );
    }

    // The documents are about this pod, deployment, machine and identity.
    let binding = Binding {
        deployment_receipt_id: inp.deployment_receipt_id,
        plan_digest: ctx.expect.plan_digest.as_deref(),
        manifest_digest: ctx.expect.manifest_digest.as_deref(),
        machine: ctx.expect.machine.as_deref(),
        provider: ctx.expect.provider.as_deref(),
    };
    rules::check_policy_binding(policy, &pod_id, &binding, &mut r);
    let grant_bind = Some("agent_registry_grant_for_this_pod");
    if text(grant, "/request/agentPodId") != Some(pod_id.as_str()) {
        r.fail("agent_registry_grant_pod_mismatch", grant_bind);
    }
    let want_machine = ctx
        .expect
        .machine
        .as_deref()
        .or(text(policy, "/request/agentMachineId"));
    if let (Some(want), Some(got)) = (want_machine, text(grant, "/request/agentMachineId"))
        && want != got
    {
        r.fail("agent_registry_grant_machine_mismatch", grant_bind);
    }
    match text(pod, "/workload/agentIdentityRef") {
        Some(id) if !id.is_empty() => {
            if text(grant, "/request/requestedAgentIdentityRef") != Some(id) {
                r.fail("agent_registry_grant_identity_mismatch", grant_bind);
            }
        }
        _ => r.fail("agent_identity_ref_missing", Some("agent_identity_ref")),
    }
    if inp.deployment_receipt_id.is_empty() {
        r.fail("deployment_receipt_missing", Some("deployment_receipt"));
    }

    // Storage receipts (upstream rule 5, by stage) and what they imply.
    let receipt_machines: Vec<String> = if ctx.expect.receipt_machines.is_empty() {
        machine.clone().into_iter().collect()
    } else {
        ctx.expect.receipt_machines.clone()
    };
    let storage = check_storage(inp, &pod_id, &receipt_machines, &mut r);

    // What activation needs, and the scope checks (for allowed documents only).
    let tenant = text(pod, &format!("/labels/{TENANT_LABEL}"));
    let mut exposures: Vec<String> = pod
        .get("ports")
        .and_then(Value::as_array)
        .map(|ports| {
            ports
                .iter()
                .filter_map(|p| text(p, "/exposure"))
                .filter(|e| *e != "none")
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    exposures = sorted(exposures);
    let mut volume_classes: BTreeSet<String> = pod
        .get("storage")
        .and_then(Value::as_array)
        .map(|s| s.iter().filter_map(|v| opt(v, "/volumeClass")).collect())
        .unwrap_or_default();
    volume_classes.extend(storage.volume_classes.iter().cloned());
    let reuse = !storage.reuse_scopes.is_empty();

    let policy_scope = Some("policy_admission_scope_covering_pod");
    if policy_ok {
        let mut effects: Vec<&str> = SIDE_EFFECTS.to_vec();
        if reuse {
            effects.push("reuse-cache");
        }
        let denied = |k: &str| list(policy, &format!("/scope/denied/{k}"));
        let allowed = |k: &str| list(policy, &format!("/scope/allowed/{k}"));
        let mut deny = |field: &str, needed: &[String]| {
            for x in needed.iter().filter(|x| denied(field).contains(x)) {
                r.fail(format!("policy_scope_denied:{field}:{x}"), policy_scope);
            }
        };
        deny(
            "sideEffects",
            &effects.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        );
        deny("networkExposure", &exposures);
        deny(
            "providerIds",
            &policy_provider
                .map(str::to_string)
                .into_iter()
                .collect::<Vec<_>>(),
        );
        deny(
            "storageClasses",
            &storage.backends.iter().cloned().collect::<Vec<_>>(),
        );
        deny(
            "volumeClasses",
            &volume_classes.iter().cloned().collect::<Vec<_>>(),
        );
        if reuse && policy.pointer("/scope/denied/cacheReuse") == Some(&Value::Bool(true)) {
            r.fail("policy_scope_denied:cacheReuse", policy_scope);
        }
        for e in exposures
            .iter()
            .filter(|e| !allowed("networkExposure").contains(e))
        {
            r.fail(format!("network_exposure_not_allowed:{e}"), policy_scope);
        }
        for c in volume_classes
            .iter()
            .filter(|c| !allowed("volumeClasses").contains(c))
        {
            r.fail(format!("volume_class_not_allowed:{c}"), policy_scope);
        }
        for b in storage
            .backends
            .iter()
            .filter(|b| !allowed("storageClasses").contains(b))
        {
            r.fail(format!("storage_backend_not_allowed:{b}"), policy_scope);
        }
        if reuse && policy.pointer("/scope/allowed/cacheReuse") != Some(&Value::Bool(true)) {
            r.fail(
                "cache_reuse_not_allowed_by_policy",
                Some("policy_admission_cache_reuse"),
            );
        }
    }
    let grant_scope = Some("agent_registry_grant_scope_covering_pod");
    if grant_ok {
        let denied = |k: &str| list(grant, &format!("/scope/denied/{k}"));
        let mut tools: Vec<String> = TOOLS.iter().map(|s| s.to_string()).collect();
        if reuse {
            tools.push("urn:srcos:tool:reuse-cache".into());
        }
        let mut needed: Vec<(&str, Vec<String>)> = vec![
            ("toolRefs", tools),
            (
                "providerIds",
                policy_provider.map(str::to_string).into_iter().collect(),
            ),
            ("storageScopeRefs", storage.used.clone()),
            (
                "cacheScopeRefs",
                storage.reuse_scopes.iter().cloned().collect(),
            ),
        ];
        for (field, items) in &mut needed {
            for x in items.iter().filter(|x| denied(field).contains(x)) {
                r.fail(
                    format!("agent_registry_grant_scope_denied:{field}:{x}"),
                    grant_scope,
                );
            }
        }
        let granted = list(grant, "/scope/allowed/storageScopeRefs");
        for id in storage.used.iter().filter(|id| !granted.contains(id)) {
            r.fail(format!("storage_scope_not_granted:{id}"), grant_scope);
        }
        let cache = list(grant, "/scope/allowed/cacheScopeRefs");
        for s in storage.reuse_scopes.iter().filter(|s| !cache.contains(s)) {
            r.fail(
                format!("cache_reuse_not_granted:{s}"),
                Some("agent_registry_grant_cache_scope"),
            );
        }
    }
    // Cache reuse stays inside the tenant, whatever the documents allow.
    let cross = Some("tenant_scoped_cache_reuse");
    let granted_scopes = list(grant, "/scope/allowed/cacheScopeRefs");
    for s in storage.reuse_scopes.iter().chain(granted_scopes.iter()) {
        if let (Some(t), Some(own)) = (scope_tenant(s), tenant)
            && t != own
        {
            r.fail(format!("cache_reuse_cross_tenant:{s}"), cross);
        }
    }

    check_image(pod, policy, ctx.profile, &mut r);
    check_attestation(inp, ctx, machine.as_deref(), now, &mut r);

    assemble(inp, ctx, r, storage.requested, machine)
}

/// What the storage receipts contribute.
#[derive(Debug, Default)]
struct Storage {
    /// Requested refs, sorted.
    requested: Vec<String>,
    /// Ids of requested receipts that loaded and are valid, sorted.
    used: Vec<String>,
    backends: BTreeSet<String>,
    volume_classes: BTreeSet<String>,
    reuse_scopes: BTreeSet<String>,
}

fn check_storage(inp: &Inputs<'_>, pod_id: &str, machines: &[String], r: &mut Reasons) -> Storage {
    let req = Some("valid_storage_receipts");
    let ids: Vec<String> = inp
        .storage_receipts
        .iter()
        .filter_map(|s| opt(s, "/id"))
        .collect();
    let requested = sorted(match inp.storage_refs {
        Some(refs) => refs.to_vec(),
        None => ids,
    });
    if requested.is_empty() {
        r.fail("storage_receipts_missing", req);
    } else if inp.storage_receipts.is_empty() {
        r.fail("storage_receipt_files_missing", req);
    }
    let mut out = Storage::default();
    let mut valid: BTreeSet<String> = BTreeSet::new();
    // Receipts invalid only because the host has not observed them yet.
    let mut unobserved: BTreeSet<String> = BTreeSet::new();
    for s in inp.storage_receipts {
        let id = opt(s, "/id").unwrap_or_else(|| "unknown".into());
        match receipt_invalid(s) {
            Some(Invalid::Broken(why)) => {
                r.fail(format!("storage_receipt_invalid:{id}:{why}"), req);
                continue;
            }
            Some(Invalid::Unobserved(why)) => {
                // The receipt still describes the storage the pod will get:
                // it is checked below like a valid one, so a build sees
                // every blocking problem it can.
                r.unobserved(format!("storage_receipt_invalid:{id}:{why}"), req);
                unobserved.insert(id.clone());
            }
            None => {}
        }
        let required = s.pointer("/encryption/required") == Some(&Value::Bool(true));
        let observed = s.pointer("/encryption/observed") == Some(&Value::Bool(true));
        let mode = text(s, "/encryption/mode").unwrap_or("unknown");
        if required && !observed {
            r.unobserved(
                format!("storage_receipt_encryption_required_not_observed:{id}"),
                req,
            );
        }
        if required && mode == "none" {
            // Declared or observed absent: no observation can clear it.
            r.fail(
                format!("storage_receipt_encryption_required_not_present:{id}"),
                req,
            );
        }
        if s.pointer("/quota/required") == Some(&Value::Bool(true))
            && s.pointer("/quota/observed") != Some(&Value::Bool(true))
        {
            r.unobserved(
                format!("storage_receipt_quota_required_not_observed:{id}"),
                req,
            );
        }
        if let Some(p) = text(s, "/agentPodId")
            && p != pod_id
        {
            r.fail(format!("storage_receipt_pod_mismatch:{id}"), req);
        }
        if let Some(m) = text(s, "/agentMachineId")
            && !machines.is_empty()
            && !machines.iter().any(|x| x == m)
        {
            r.fail(format!("storage_receipt_machine_mismatch:{id}"), req);
        }
        if !unobserved.contains(&id) {
            valid.insert(id.clone());
        }
        if requested.contains(&id) {
            out.used.push(id);
            out.backends.extend(opt(s, "/backend"));
            out.volume_classes.extend(opt(s, "/volumeClass"));
            out.reuse_scopes.extend(opt(
                s,
                &format!("/labels/{}", CACHE_SCOPE_LABEL.replace('/', "~1")),
            ));
        }
    }
    for missing in requested.iter().filter(|x| !valid.contains(*x)) {
        let token = format!("storage_receipt_ref_unresolved:{missing}");
        if unobserved.contains(missing) {
            r.unobserved(token, req);
        } else {
            r.fail(token, req);
        }
    }
    out.used = sorted(out.used);
    out.requested = requested;
    out
}

/// Why a storage receipt is invalid (upstream rule 5c).
enum Invalid {
    /// It breaks its contract, or shows world-writability or symlink traversal.
    Broken(String),
    /// World-writability or symlink traversal was not observed.
    Unobserved(String),
}

/// Upstream rule 5c: schema, safety flags, world-writability, symlink traversal.
fn receipt_invalid(s: &Value) -> Option<Invalid> {
    match contracts::validate("upstream/storage-receipt", s) {
        Err(e) => return Some(Invalid::Broken(e)),
        Ok(v) if !v.is_empty() => {
            let at = if v[0].pointer.is_empty() {
                "/"
            } else {
                v[0].pointer.as_str()
            };
            return Some(Invalid::Broken(format!("{at}: {}", v[0].message)));
        }
        Ok(_) => {}
    }
    let mut unobserved = None;
    for flag in ["worldWritable", "symlinkTraversalObserved"] {
        match s.pointer(&format!("/filesystem/{flag}")) {
            Some(Value::Bool(false)) => {}
            None | Some(Value::Null) => {
                unobserved.get_or_insert_with(|| format!("filesystem.{flag} was not observed"));
            }
            Some(x) => return Some(Invalid::Broken(format!("filesystem.{flag} is {x}"))),
        }
    }
    unobserved.map(Invalid::Unobserved)
}

/// Image digest pinning: `image_digest_not_pinned`, `image_digest_mismatch`.
fn check_image(pod: &Value, policy: &Value, profile: ProfileRules, r: &mut Reasons) {
    let req = Some("image_digest_pinned");
    let declared = text(pod, "/runtime/imageDigest");
    let inline = text(pod, "/runtime/imageOrCommand")
        .and_then(|i| i.rsplit_once('@'))
        .map(|(_, d)| d);
    if let (Some(a), Some(b)) = (declared, inline)
        && a != b
    {
        r.fail("image_digest_mismatch", req);
    }
    let required = profile.image_digest_required
        || matches!(
            text(pod, "/runtime/imageReferencePolicy"),
            Some("digest-required" | "digest-pinned")
        )
        || list(policy, "/obligations/constraints")
            .iter()
            .any(|c| c == DIGEST_CONSTRAINT);
    let pinned = declared
        .or(inline)
        .is_some_and(amc_lang::lang::types::is_digest);
    if required && !pinned {
        r.fail("image_digest_not_pinned", req);
    }
}

/// Host attestation: `host_attestation_missing`, `host_attestation_not_permitted`,
/// `host_attestation_host_mismatch`, `host_attestation_not_yet_valid`.
fn check_attestation(
    inp: &Inputs<'_>,
    ctx: &Context,
    machine: Option<&str>,
    now: Option<time::OffsetDateTime>,
    r: &mut Reasons,
) {
    let required = ctx.profile.attestation_required
        || list(inp.policy, "/obligations/constraints")
            .iter()
            .any(|c| c == ATTESTATION_CONSTRAINT);
    let req = Some("host_attestation_permitted");
    // A supplied AttestationDecision is always checked: a negative or
    // foreign attestation fails closed even where none is required.
    let Some(a) = inp.attestation else {
        if required {
            r.fail("host_attestation_missing", req);
        }
        return;
    };
    if a.get("activation_permitted") != Some(&Value::Bool(true)) {
        r.fail("host_attestation_not_permitted", req);
    }
    let hosts: Vec<String> = if ctx.expect.attestation_hosts.is_empty() {
        machine
            .map(|m| vec![m.to_string(), m.rsplit(':').next().unwrap_or(m).to_string()])
            .unwrap_or_default()
    } else {
        ctx.expect.attestation_hosts.clone()
    };
    if !text(a, "/host_id").is_some_and(|h| hosts.iter().any(|x| x == h)) {
        r.fail("host_attestation_host_mismatch", req);
    }
    if let (Some(now), Some(at)) = (now, text(a, "/attested_at").and_then(rules::parse_time))
        && at > now
    {
        r.fail("host_attestation_not_yet_valid", req);
    }
}

fn assemble(
    inp: &Inputs<'_>,
    ctx: &Context,
    r: Reasons,
    storage_refs: Vec<String>,
    machine: Option<String>,
) -> ActivationDecision {
    let (pod, policy, grant) = (inp.pod, inp.policy, inp.grant);
    let pod_id = opt(pod, "/id").unwrap_or_default();
    let allowed = r.is_empty();
    let pending = ctx.stage == Stage::Plan && r.only_awaiting_observation();
    let suffix = pod_id.rsplit(':').next().unwrap_or("pod").to_string();
    let expires = [
        opt(policy, "/obligations/expiresAt"),
        opt(grant, "/grant/expiresAt"),
    ];
    let expires_at = match (&expires[0], &expires[1]) {
        (Some(p), Some(g)) => match (rules::parse_time(p), rules::parse_time(g)) {
            (Some(a), Some(b)) if b < a => Some(g.clone()),
            _ => Some(p.clone()),
        },
        (p, g) => p.clone().or(g.clone()),
    };
    let mut labels = BTreeMap::from([
        (
            "sourceos.activation.prototype".to_string(),
            "true".to_string(),
        ),
        (
            "sourceos.activation.allowed".to_string(),
            allowed.to_string(),
        ),
        (
            "sourceos.activation.fail-closed".to_string(),
            (!allowed).to_string(),
        ),
    ]);
    if ctx.stage == Stage::Plan {
        labels.insert("amc.decision.stage".into(), "plan".into());
    }
    if pending {
        labels.insert(PENDING_LABEL.into(), "host-observation".into());
    }
    ActivationDecision {
        spec_version: "0.1.0",
        id: inp
            .decision_id
            .map(str::to_string)
            .unwrap_or_else(|| format!("urn:srcos:agent-machine:activation-decision:{suffix}")),
        kind: "ActivationDecision",
        decision: Verdict {
            status: if allowed {
                "allowed"
            } else if pending {
                "unknown"
            } else {
                "fail-closed"
            },
            activation_allowed: allowed,
            reason: if allowed {
                "activation allowed"
            } else if pending {
                PENDING_REASON
            } else {
                "activation failed closed"
            },
            failure_reasons: r.failures.into_iter().collect(),
            required_before_activation: r.required.into_iter().collect(),
        },
        inputs: DecisionInputs {
            agent_pod_id: pod_id,
            agent_machine_id: machine,
            provider_id: opt(policy, "/request/providerId"),
            policy_admission_id: opt(policy, "/id").unwrap_or_default(),
            agent_registry_grant_id: opt(grant, "/id").unwrap_or_default(),
            deployment_receipt_id: inp.deployment_receipt_id.to_string(),
            storage_receipt_refs: storage_refs,
        },
        scope: DecisionScope {
            runtime_mode: opt(pod, "/runtime/mode"),
            network_exposure: sorted(list(policy, "/scope/allowed/networkExposure")),
            side_effects: sorted(list(policy, "/scope/allowed/sideEffects")),
            tool_refs: sorted(list(grant, "/scope/allowed/toolRefs")),
            storage_scope_refs: sorted(list(grant, "/scope/allowed/storageScopeRefs")),
            cache_reuse_allowed: policy.pointer("/scope/allowed/cacheReuse")
                == Some(&Value::Bool(true))
                && !list(grant, "/scope/allowed/cacheScopeRefs").is_empty(),
        },
        obligations: DecisionObligations {
            required_receipts: sorted(list(policy, "/obligations/requiredReceipts")),
            policy_decision_ref: opt(policy, "/decision/decisionRef"),
            agent_registry_grant_ref: opt(grant, "/grant/grantRef"),
            expires_at,
            revocation_refs: sorted(
                [
                    opt(policy, "/obligations/revocationRef"),
                    opt(grant, "/grant/revocationRef"),
                ]
                .into_iter()
                .flatten()
                .collect(),
            ),
        },
        receipt_safety: SafetyFlags::default(),
        decided_at: inp.decided_at.unwrap_or(EPOCH).to_string(),
        labels,
    }
}

#[cfg(test)]
#[path = "activation_tests.rs"]
mod tests;
