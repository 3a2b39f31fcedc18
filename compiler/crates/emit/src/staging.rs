//! Model staging: which copy of which model every placed replica reads, and
//! what brings the bytes there and verifies them.
//!
//! Takes the checked spec and its placement; produces a [`Plan`]: for every
//! (machine, model) a Quadlet replica needs, and every (cluster, namespace,
//! node, model) a Kubernetes replica needs, how the model is delivered —
//! fetched and verified, verified in place (a `path` source, or a model
//! declared resident on the machine), or mounted from an OCI reference — and
//! the image that runs the staging script. One copy per machine (Quadlet) or
//! per tenant namespace and node (Kubernetes) serves every replica there.
//! The same script (`targets/staging/stage.sh`) runs on both targets; its
//! inputs are the sources and checksum lists built here. Never touches disk.

use amc_syntax::diagnostics::BugResult;
use std::collections::BTreeMap;

use amc_lang::check::{Checked, MachineView, Workload};
use amc_lang::ir::{self, ModelSource};
use amc_solve::Placement;

/// Where the staging script is among the embedded targets.
pub const SCRIPT: &str = "staging/stage.sh";

/// The staging script's bytes.
pub fn script() -> BugResult<&'static str> {
    super::templates::file(SCRIPT)
}

/// How a model reaches the replicas that serve it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Fetched into the models volume and verified (hf, url).
    Fetch,
    /// Already there, verified in place: the directory (a `path` source) or
    /// `None` for a model resident in the models volume.
    Verify(Option<String>),
    /// Mounted read-only from an OCI image or artifact (content-addressed).
    Oci {
        /// The reference, with its digest.
        reference: String,
        /// An artifact rather than an image.
        artifact: bool,
    },
}

impl Delivery {
    /// Whether a staging step (fetch and/or verify) runs for it.
    pub fn staged(&self) -> bool {
        !matches!(self, Delivery::Oci { .. })
    }
}

/// How `m` reaches machine `on`.
pub fn delivery(m: &ir::Model, on: Option<&MachineView>) -> Delivery {
    let resident = on.is_some_and(|v| v.def.resident.iter().any(|r| r.model.value == m.id.value));
    match m.source.as_ref().map(|s| &s.value) {
        Some(ModelSource::Oci {
            reference,
            artifact,
        }) => Delivery::Oci {
            reference: reference.clone(),
            artifact: *artifact,
        },
        Some(ModelSource::Path { path }) => Delivery::Verify(Some(path.clone())),
        _ if resident => Delivery::Verify(None),
        _ => Delivery::Fetch,
    }
}

/// What the staging script fetches: `hf <repo> <revision> <path>` or
/// `url <url> <path>` per file; empty when nothing is fetched.
pub fn sources(m: &ir::Model, d: &Delivery) -> String {
    if *d != Delivery::Fetch {
        return String::new();
    }
    let mut out = String::new();
    for f in &m.files {
        let p = &f.path.value;
        match m.source.as_ref().map(|s| &s.value) {
            Some(ModelSource::Hf { repo, revision }) => {
                let rev = revision
                    .as_ref()
                    .map(|r| r.value.as_str())
                    .unwrap_or("main");
                out.push_str(&format!("hf {repo} {rev} {p}\n"));
            }
            Some(ModelSource::Url { url }) => {
                let full = if url.ends_with('/') {
                    format!("{url}{p}")
                } else {
                    url.clone()
                };
                out.push_str(&format!("url {full} {p}\n"));
            }
            _ => {}
        }
    }
    out
}

/// The `sha256sum -c` list of the files that have a sha256, sorted by path.
pub fn checksums(m: &ir::Model) -> String {
    let mut lines: Vec<(&str, &str)> = m
        .files
        .iter()
        .filter_map(|f| f.sha256.as_deref().map(|h| (f.path.value.as_str(), h)))
        .collect();
    lines.sort();
    lines.iter().map(|(p, h)| format!("{h}  {p}\n")).collect()
}

/// Whether staging must trust the first fetch (an allowed unpinned model).
pub fn tofu(m: &ir::Model) -> bool {
    m.allow_unpinned && m.files.iter().any(|f| f.sha256.is_none())
}

/// One staged copy on a Quadlet machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuadletStage {
    /// How it is delivered.
    pub delivery: Delivery,
    /// The image the staging unit runs.
    pub image: String,
    /// The Hugging Face endpoint, when the machine sets one.
    pub hf_endpoint: Option<String>,
}

/// One staged copy in a Kubernetes namespace on a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubernetesStage {
    /// How it is delivered.
    pub delivery: Delivery,
    /// The image of the staging Job and the verify init container.
    pub image: String,
    /// The Hugging Face endpoint, when the cluster sets one.
    pub hf_endpoint: Option<String>,
    /// The models tier the copy lives in.
    pub tier: String,
    /// StorageClass of the claim.
    pub storage_class: Option<String>,
    /// Bytes to claim: the model's size plus 10%, at least 1 GiB.
    pub claim_bytes: u64,
}

/// The whole build's staging.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// (machine, model) → stage.
    pub quadlet: BTreeMap<(String, ir::ModelId), QuadletStage>,
    /// (cluster, namespace, node, model) → stage.
    pub kubernetes: BTreeMap<(ir::ClusterId, String, String, ir::ModelId), KubernetesStage>,
    /// (cluster, node, model) of every Kubernetes copy that is staged (see
    /// [`Plan::staged_on`]).
    kube_staged: std::collections::BTreeSet<(String, String, String)>,
}

impl Plan {
    /// Whether a staged copy of `model` is planned on `node` of `cluster`
    /// (in any namespace): O(log copies), asked for every replica.
    pub fn staged_on(&self, cluster: &str, node: &str, model: &str) -> bool {
        self.kube_staged
            .contains(&(cluster.to_string(), node.to_string(), model.to_string()))
    }
}

/// The models tier of a workload: its `agent-models` volume, if any.
pub fn models_volume(w: &Workload) -> Option<&amc_lang::check::pods::VolumeView> {
    w.volumes
        .iter()
        .find(|v| v.tier.volume_class == ir::VolumeClass::AgentModels)
}

/// Bytes a Kubernetes claim holding `m` requests.
pub fn claim_bytes(m: &ir::Model) -> u64 {
    const GIB: u64 = 1 << 30;
    let want = m.size.saturating_add(m.size / 10).max(GIB);
    want.div_ceil(GIB) * GIB
}

/// Plans every staged copy. Workloads are visited in id order, so when
/// several pods share a copy the first one's provider image runs staging
/// (unless the machine or cluster names a `staging-image`).
pub fn plan(spec: &ir::Spec, checked: &Checked, placement: &Placement) -> Plan {
    let mut out = Plan::default();
    let mut workloads: Vec<&Workload> = checked.workloads.iter().collect();
    workloads.sort_by(|a, b| a.id().cmp(b.id()));
    for w in workloads {
        let Some(m) = &w.model else { continue };
        for node in placement.machines_of(w.id()) {
            let view = checked.machine(node);
            let delivery = delivery(m, view);
            match w.cluster.as_deref().and_then(|c| spec.cluster(c)) {
                Some(cl) if w.target.profile().scope == amc_lang::target::Scope::Cluster => {
                    let ns =
                        amc_lang::target::kubernetes::names::namespace(cl, &w.pod.tenant.value);
                    let tier = models_volume(w).map(|v| v.tier.clone());
                    let key = (
                        cl.id.value.clone(),
                        ns,
                        node.to_string(),
                        m.id.value.clone(),
                    );
                    out.kubernetes
                        .entry(key)
                        .or_insert_with(|| KubernetesStage {
                            delivery: delivery.clone(),
                            image: cl
                                .staging_image
                                .as_ref()
                                .map(|i| i.value.clone())
                                .unwrap_or_else(|| w.image.clone()),
                            hf_endpoint: cl.hf_endpoint.as_ref().map(|e| e.value.clone()),
                            tier: tier
                                .as_ref()
                                .map_or_else(|| "models".into(), |t| t.id.value.to_string()),
                            storage_class: tier.as_ref().and_then(|t| {
                                cl.storage_classes.get(t.backend.value.as_str()).cloned()
                            }),
                            claim_bytes: claim_bytes(m),
                        });
                }
                _ => {
                    let key = (node.to_string(), m.id.value.clone());
                    out.quadlet.entry(key).or_insert_with(|| QuadletStage {
                        delivery: delivery.clone(),
                        image: view
                            .and_then(|v| v.def.staging_image.as_ref())
                            .map(|i| i.value.clone())
                            .unwrap_or_else(|| w.image.clone()),
                        hf_endpoint: view
                            .and_then(|v| v.def.hf_endpoint.as_ref())
                            .map(|e| e.value.clone()),
                    });
                }
            }
        }
    }
    out.kube_staged = out
        .kubernetes
        .iter()
        .filter(|(_, s)| s.delivery.staged())
        .map(|((c, _, n, m), _)| (c.to_string(), n.clone(), m.to_string()))
        .collect();
    out
}
