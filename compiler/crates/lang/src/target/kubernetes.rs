//! The Kubernetes target: manifests per cluster, tenant and node.
//!
//! This module says what the target is, which models it cannot deliver (how
//! a model can reach a pod under Pod Security `restricted`) and how its
//! objects are named ([`names`], which check uses for namespace collisions);
//! `emit::targets::kubernetes` and `emit::kubernetes` write the manifests.

pub mod names;

use super::{ModelUnfit, Profile, Scope, Storage, Target};
use crate::ir;

/// Kubernetes manifests.
pub struct Kubernetes;

static PROFILE: Profile = Profile {
    display: "Kubernetes",
    scope: Scope::Cluster,
    storage: Storage::Claims,
    host_ports: false,
    tenant_networks: false,
    pod_type: "kubernetes-pod",
    surface: "kubernetes-yaml",
    runtime_mode: "kubernetes",
    network_mode: Some("kubernetes-service"),
};

impl Target for Kubernetes {
    fn id(&self) -> &'static str {
        "kubernetes"
    }

    fn profile(&self) -> &'static Profile {
        &PROFILE
    }

    fn model_unfit(
        &self,
        source: &ir::ModelSource,
        cluster: Option<&ir::Cluster>,
    ) -> Option<ModelUnfit> {
        match source {
            ir::ModelSource::Path { .. } => Some(ModelUnfit {
                why: "a `path` model is a host directory, and Kubernetes pods under Pod Security `restricted` mount no host paths".to_string(),
                help: "fetch it instead (`hf`, `url`) or package it as an OCI image (`oci`); staging then fills a claim on each node",
            }),
            ir::ModelSource::Oci { .. } if cluster.is_some_and(|c| !c.image_volumes) => {
                Some(ModelUnfit {
                    why: format!(
                        "cluster `{}` does not declare `image-volumes #true`, so it cannot mount an OCI model",
                        cluster.map(|c| c.id.value.as_str()).unwrap_or("")
                    ),
                    help: "declare `image-volumes #true` on the cluster (Kubernetes 1.35+, or the ImageVolume gate on 1.33–1.34, with a runtime that supports it), or fetch the model (`hf`, `url`)",
                })
            }
            _ => None,
        }
    }

    fn exposure_unfit(&self, exposure: ir::Exposure) -> Option<&'static str> {
        match exposure {
            ir::Exposure::Loopback => {
                Some("in Kubernetes use \"cluster\" for in-cluster access, or \"none\"")
            }
            ir::Exposure::Host => Some(
                "host ports bypass the cluster's network policy; use \"cluster\" or \"ingress\"",
            ),
            ir::Exposure::None | ir::Exposure::Cluster | ir::Exposure::Ingress => None,
        }
    }
}
