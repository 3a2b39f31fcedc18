//! Targets: what a pod's `target "…"` is, as far as checking and placement
//! may know.
//!
//! A target is one type implementing two traits, like a compiler's target
//! specification and its code generator: [`Target`] here (what it is: its
//! [`Profile`] and the fit hooks check asks before anything is placed) and
//! `emit::targets::Emitter` (what it writes, and the checks that need the
//! placement). The split follows the pipeline: check and solve sit below
//! emission and may not see it.
//!
//! Takes: a pod's target spelling, host facts, a model source.
//! Produces: the target, and why it cannot take a machine, model or exposure.
//! Never: is asked "are you Kubernetes?". The rest of the compiler reads a
//! target's [`Profile`] (where replicas go, how storage is provided, whether
//! exposures publish host ports, the upstream vocabulary of its receipts) and
//! calls its hooks; everything else about a target lives in its module.
//!
//! Adding a target: implement [`Target`] in a module here (see `quadlet.rs`)
//! and `Emitter` in `emit::targets`, list it in both `BUILTIN`s and in
//! `lang::vocab::TARGETS` (tests keep the three equal), document it in
//! docs/language.md and docs/output.md. A target can also be registered at
//! run time with `emit::targets::register` (tests do:
//! `compiler/tests/toy_target.rs`).

pub mod kubernetes;
pub mod quadlet;

use std::sync::RwLock;

use serde_json::Value;

use crate::ir;

/// Where a target's replicas may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Any machine that fits (amc places each replica and writes its files per machine).
    Machine,
    /// A node of the pod's `cluster` (the pod must name one; amc still
    /// chooses the node and pins the replica to it).
    Cluster,
}

/// How a target provides volumes whose tier is not `tmpfs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// Directories on the machine's storage pools: the placement counts
    /// their size against the pools.
    HostPools,
    /// Claims on the cluster's storage classes: the cluster provisions them.
    Claims,
}

/// What the rest of the compiler may know about a target.
#[derive(Debug)]
pub struct Profile {
    /// Name in messages ("Quadlet", "Kubernetes").
    pub display: &'static str,
    /// Where replicas go.
    pub scope: Scope,
    /// How non-tmpfs volumes are provided.
    pub storage: Storage,
    /// Whether `exposure "loopback"`/`"host"` ports are published on the
    /// machine (one publisher per machine and port).
    pub host_ports: bool,
    /// Whether a networked pod joins its tenant's private network on the
    /// machine (counted when checking cross-tenant reachability).
    pub tenant_networks: bool,
    /// Upstream AgentPod `podType`.
    pub pod_type: &'static str,
    /// Upstream AgentPod deployment `surface`.
    pub surface: &'static str,
    /// Upstream AgentPod `runtime.mode` (also the `sourceos.runtime` label).
    pub runtime_mode: &'static str,
    /// Upstream AgentPod `networkMode` of a networked pod, when the target
    /// decides it (`None`: `loopback` or `policy-managed` from the pod).
    pub network_mode: Option<&'static str>,
}

/// Why a machine's facts rule a target out (E0324).
#[derive(Debug)]
pub struct HostUnfit {
    /// JSON pointer of the fact.
    pub pointer: String,
    /// What the fact shows.
    pub fact: String,
    /// How to fix it.
    pub help: &'static str,
}

/// Why a target cannot deliver a pod's model (E0332).
#[derive(Debug)]
pub struct ModelUnfit {
    /// The reason, after "cannot be given model `M`: ".
    pub why: String,
    /// How to fix it.
    pub help: &'static str,
}

/// One target, as check and placement see it. Every hook but the two
/// that name it has a default that contributes nothing.
pub trait Target: Send + Sync + 'static {
    /// The spelling in `target "…"`.
    fn id(&self) -> &'static str;

    /// What the rest of the compiler may know.
    fn profile(&self) -> &'static Profile;

    /// Why the facts of a machine a pod is pinned to rule this target out.
    fn host_unfit(&self, _facts: &Value) -> Option<HostUnfit> {
        None
    }

    /// Why this target cannot deliver a model from `source` (the pod's
    /// cluster, if it names one).
    fn model_unfit(
        &self,
        _source: &ir::ModelSource,
        _cluster: Option<&ir::Cluster>,
    ) -> Option<ModelUnfit> {
        None
    }

    /// Why this target cannot offer a port `exposure` (E0301): the help.
    fn exposure_unfit(&self, _exposure: ir::Exposure) -> Option<&'static str> {
        None
    }
}

impl std::fmt::Debug for dyn Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Target({})", self.id())
    }
}

/// The targets amc ships, in emission order.
pub static BUILTIN: [&dyn Target; 2] = [&quadlet::Quadlet, &kubernetes::Kubernetes];

static REGISTERED: RwLock<Vec<&'static dyn Target>> = RwLock::new(Vec::new());

/// Every target: the built-in ones, then those registered, in order.
pub fn all() -> Vec<&'static dyn Target> {
    let mut out: Vec<&'static dyn Target> = BUILTIN.to_vec();
    if let Ok(r) = REGISTERED.read() {
        out.extend(r.iter().copied());
    }
    out
}

/// The target spelt `id`.
pub fn get(id: &str) -> Option<&'static dyn Target> {
    all().into_iter().find(|t| t.id() == id)
}

/// Every target's spelling (the vocabulary of `target "…"`, owned by `lang`).
pub fn ids() -> &'static [&'static str] {
    crate::lang::vocab::target_ids()
}

/// Adds a target for the rest of the process. `Err` when its id is taken.
/// Use `emit::targets::register`, which adds its emitter too.
pub fn register(target: &'static dyn Target) -> Result<(), String> {
    if get(target.id()).is_some() {
        return Err(format!("a target `{}` is already registered", target.id()));
    }
    let mut r = REGISTERED
        .write()
        .map_err(|_| "the target registry is poisoned".to_string())?;
    crate::lang::vocab::add_target_id(target.id())?;
    r.push(target);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_targets_are_the_language_vocabulary() {
        let ids: Vec<&str> = BUILTIN.iter().map(|t| t.id()).collect();
        assert_eq!(ids, crate::lang::vocab::TARGETS);
        for t in BUILTIN {
            assert!(std::ptr::addr_eq(get(t.id()).unwrap(), t));
        }
    }

    #[test]
    fn target_vocabulary_matches_the_upstream_contracts() {
        // The receipts' vocabulary comes from the profile: each value must be
        // in the enum upstream's schema has at that place.
        let allowed = |contract: &str, pointer: &str| -> Vec<String> {
            let c = crate::contracts::get(contract).unwrap();
            let v: Value = serde_json::from_str(c.text).unwrap();
            v.pointer(pointer)
                .and_then(Value::as_array)
                .unwrap_or_else(|| panic!("{contract}{pointer} is not an enum"))
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect()
        };
        let pod_types = allowed("upstream/agent-pod", "/properties/podType/enum");
        let networks = allowed(
            "upstream/agent-pod",
            "/properties/runtime/properties/networkMode/enum",
        );
        let modes = allowed(
            "upstream/agent-pod",
            "/properties/runtime/properties/mode/enum",
        );
        let surfaces = allowed(
            "upstream/agentpod-deployment-plan",
            "/properties/target/properties/surface/enum",
        );
        for t in BUILTIN {
            let p = t.profile();
            assert!(pod_types.iter().any(|v| v == p.pod_type), "{}", t.id());
            assert!(surfaces.iter().any(|v| v == p.surface), "{}", t.id());
            assert!(modes.iter().any(|v| v == p.runtime_mode), "{}", t.id());
            if let Some(n) = p.network_mode {
                assert!(networks.iter().any(|v| v == n), "{}", t.id());
            }
        }
    }
}
