//! The Quadlet target: Podman Quadlet units per machine.
//!
//! This module says what the target is and which machines it cannot use (the
//! Podman floor in host facts); `emit::targets::quadlet` writes a placed
//! replica's units and checks OCI artifact mounts where a replica lands.

use serde_json::Value;

use super::{HostUnfit, Profile, Scope, Storage, Target};

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

    fn exposure_unfit(&self, exposure: crate::ir::Exposure) -> Option<&'static str> {
        use crate::ir::Exposure;
        matches!(exposure, Exposure::Cluster | Exposure::Ingress).then_some(
            "Quadlet units run on one machine: there is no cluster to expose to; use \"loopback\" or \"host\"",
        )
    }
}
