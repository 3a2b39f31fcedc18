//! The Quadlet target: Podman Quadlet units per machine.
//!
//! Lowering of a placed replica to `.container`/`.volume`/`.network`/staging
//! units is `emit::quadlet`; this module says what the target is and which
//! checks it contributes (the Podman floor in host facts, OCI artifact mounts
//! needing Podman 5.7 where a replica lands).

use serde_json::Value;

use super::{EmitCx, HostUnfit, Profile, Scope, Storage, Target};
use crate::artifacts::Artifacts;
use crate::check::Checked;
use crate::check::pods::Workload;
use crate::diagnostics::Diagnostics;
use crate::solve::Placement;

/// Podman Quadlet units.
pub struct Quadlet;

static PROFILE: Profile = Profile {
    display: "Quadlet",
    scope: Scope::Machine,
    storage: Storage::HostPools,
    host_ports: true,
    tenant_networks: true,
    pod_type: "local-podman-quadlet",
    surface: "quadlet-container",
    runtime_mode: "podman-quadlet",
    network_mode: None,
};

impl Target for Quadlet {
    fn id(&self) -> &'static str {
        "quadlet"
    }

    fn profile(&self) -> &'static Profile {
        &PROFILE
    }

    fn host_unfit(&self, facts: &Value) -> Option<HostUnfit> {
        crate::check::facts::no_quadlet(facts).map(|(pointer, fact)| HostUnfit {
            pointer,
            fact,
            help: crate::check::facts::QUADLET_HELP,
        })
    }

    fn exposure_unfit(&self, exposure: &str) -> Option<&'static str> {
        matches!(exposure, "cluster" | "ingress").then_some(
            "Quadlet units run on one machine: there is no cluster to expose to; use \"loopback\" or \"host\"",
        )
    }

    fn check_placed(
        &self,
        workloads: &[&Workload],
        checked: &Checked,
        placement: &Placement,
        diags: &mut Diagnostics,
    ) {
        crate::check::oci_artifacts_need_podman_5_7(workloads, checked, placement, diags);
    }

    fn emit(&self, cx: &EmitCx<'_>, out: &mut Artifacts) -> Result<(), String> {
        for w in cx.workloads_of(self) {
            let machines = cx.placement.machines_of(w.id());
            if machines.len() != w.pod.replicas as usize {
                continue;
            }
            for (replica, mid) in machines.iter().enumerate() {
                let Some(m) = cx.checked.machines.iter().find(|m| m.id() == *mid) else {
                    return Err(format!("machine {mid} vanished"));
                };
                let replica = u32::try_from(replica)
                    .map_err(|_| format!("pod {}: too many replicas", w.id()))?;
                crate::emit::quadlet::emit(w, m, replica, cx.plan, out)?;
            }
        }
        Ok(())
    }
}
