//! AgentPod → `pod`, and the plan of which provider, machine and cluster
//! each imported pod uses.
//!
//! Takes: the loaded documents. Produces: a [`PodPlan`] per pod and its node.
//! Never: invents values it could read from the document; stand-ins are named.

use serde_json::Value;

use super::kdl::Node;
use super::{Set, b, id_of, list, n, s};
use crate::lang::vocab;

/// How one imported pod is placed into the spec.
#[derive(Debug, Clone)]
pub(crate) struct PodPlan {
    /// amc pod id.
    pub id: String,
    /// The AgentPod document.
    pub doc: Value,
    /// The base provider id (a document's, or a stand-in's).
    pub provider: String,
    /// The provider the pod names (derived with `extends` when its image differs).
    pub provider_use: String,
    /// Whether no InferenceProvider document matched.
    pub provider_stand_in: bool,
    /// The machine id.
    pub machine: String,
    /// The cluster of a Kubernetes pod.
    pub cluster: Option<String>,
    /// The image (imageOrCommand).
    pub image: String,
    /// The entrypoint, split on whitespace.
    pub entrypoint: Vec<String>,
    /// The pod's cache tier ids, in storage order.
    pub tiers: Vec<String>,
}

impl PodPlan {
    /// Whether the pod is a Kubernetes pod.
    pub fn kubernetes(&self) -> bool {
        self.cluster.is_some()
    }
}

fn provider_for(set: &Set, doc: &Value) -> Option<String> {
    let ptype = s(doc, "/labels/sourceos.provider");
    if let Some(t) = ptype
        && let Some(p) = set
            .providers
            .values()
            .find(|p| s(&p.value, "/providerType") == Some(t))
    {
        return Some(p.id.clone());
    }
    (set.providers.len() == 1)
        .then(|| set.providers.keys().next().cloned())
        .flatten()
}

/// Plans every pod, in id order.
pub(crate) fn plan(set: &Set) -> Vec<PodPlan> {
    let mut first_use: std::collections::BTreeMap<String, (String, Vec<String>)> =
        std::collections::BTreeMap::new();
    let mut out = Vec::new();
    for p in set.pods.values() {
        let doc = &p.value;
        let profile = s(doc, "/profile").unwrap_or("sourceos-workstation");
        let kubernetes = s(doc, "/podType").is_some_and(|t| t.starts_with("kubernetes"));
        let (provider, provider_stand_in) = match provider_for(set, doc) {
            Some(id) => (id, false),
            None => (format!("{}-provider", p.id), true),
        };
        let image = s(doc, "/runtime/imageOrCommand")
            .unwrap_or_default()
            .to_string();
        let entrypoint: Vec<String> = s(doc, "/runtime/entrypoint")
            .map(|e| e.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        let provider_use = match first_use.get(&provider) {
            None => {
                first_use.insert(provider.clone(), (image.clone(), entrypoint.clone()));
                provider.clone()
            }
            Some((i, e)) if *i == image && *e == entrypoint => provider.clone(),
            // A pod id is a valid provider id too (ids are per kind).
            Some(_) => p.id.clone(),
        };
        let machine = match set
            .machines
            .values()
            .find(|m| s(&m.value, "/profile") == Some(profile))
        {
            Some(m) => m.id.clone(),
            None => profile.to_string(),
        };
        let cluster = kubernetes.then(|| {
            s(doc, "/runtime/namespace")
                .map(id_of)
                .unwrap_or_else(|| "default".into())
        });
        let tiers = doc
            .pointer("/storage")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| s(v, "/cacheTierId"))
                    .map(id_of)
                    .collect()
            })
            .unwrap_or_default();
        out.push(PodPlan {
            id: p.id.clone(),
            doc: doc.clone(),
            provider,
            provider_use,
            provider_stand_in,
            machine,
            cluster,
            image,
            entrypoint,
            tiers,
        });
    }
    out
}

/// A CPU quantity: an integer when it is one, else the upstream string.
pub(crate) fn cpu(v: &str) -> super::Val {
    match v.parse::<i64>() {
        Ok(n) => super::Val::Int(n),
        Err(_) => super::Val::Str(v.to_string()),
    }
}

/// The `pod` node (`set` gives the tiers' own volume class and sensitivity).
pub(crate) fn node(set: &Set, p: &PodPlan) -> Node {
    let d = &p.doc;
    let urn = s(d, "/id").unwrap_or_default();
    let mut pod = Node::new("pod")
        .arg(p.id.as_str())
        .comment(format!("from {urn}"));
    if let Some(desc) = s(d, "/workload/description") {
        pod.leaf("description", desc);
    }
    let tenant = s(d, "/labels/amc.tenant");
    let mut t = Node::new("tenant").arg(tenant.unwrap_or("default"));
    if tenant.is_none() {
        t = t.comment("AgentPod has no tenant: `default`; caches are shared only within a tenant");
    }
    pod.child(t);
    if let Some(name) = s(d, "/workload/name").filter(|x| *x != p.id) {
        pod.leaf("workload-name", name);
    }
    if let Some(purpose) = s(d, "/workload/purpose").filter(|x| *x != "inference-provider") {
        pod.leaf("purpose", purpose);
    }
    let mut prov = Node::new("provider").arg(p.provider_use.as_str());
    if p.provider_stand_in {
        prov = prov.comment(
            "stand-in: no InferenceProvider document matched this pod (see the provider above)",
        );
    }
    pod.child(prov);
    let mut res = Node::new("resources");
    if let Some(c) = s(d, "/resources/cpu/request") {
        res = res.prop("cpu", cpu(c));
    }
    if let Some(c) = s(d, "/resources/cpu/limit") {
        res = res.prop("cpu-limit", cpu(c));
    }
    if let Some(m) = n(d, "/resources/memoryBytes/request") {
        res = res.prop("memory", super::size(m));
    }
    if let Some(m) = n(d, "/resources/memoryBytes/limit") {
        res = res.prop("memory-limit", super::size(m));
    }
    pod.child(res);
    for a in d
        .pointer("/resources/accelerators")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let mut acc = Node::new("accelerator").arg(s(a, "/type").unwrap_or("cpu"));
        if b(a, "/required") == Some(false) {
            acc = acc.prop("required", false);
        }
        pod.child(acc);
    }
    for v in d
        .pointer("/storage")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let tier = id_of(s(v, "/cacheTierId").unwrap_or_default());
        // A stand-in tier takes its class and sensitivity from this item.
        let doc = set.tiers.get(&tier).map(|t| &t.value);
        let class =
            s(v, "/volumeClass").filter(|c| doc.is_some_and(|t| s(t, "/volumeClass") != Some(c)));
        let tier_sensitive =
            doc.map(|t| matches!(s(t, "/sensitivity"), Some("sensitive" | "secret")));
        let sensitive = b(v, "/sensitive").filter(|x| tier_sensitive.is_some_and(|t| t != *x));
        let vol = Node::new("volume")
            .arg(tier)
            .prop_opt("mount", s(v, "/mountPath"))
            .prop_opt("access", s(v, "/accessMode"))
            .prop_opt("pvc", s(v, "/pvcName").filter(|_| p.kubernetes()))
            .prop_opt("class", class)
            .prop_opt("sensitive", sensitive);
        pod.child(vol);
    }
    for port in d
        .pointer("/ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let exposure = s(port, "/exposure").unwrap_or("none");
        let mut node = Node::new("port").arg(s(port, "/name").unwrap_or("http"));
        if let Some(c) = n(port, "/containerPort") {
            node = node.arg(c);
        }
        node = if vocab::EXPOSURES.contains(&exposure) {
            node.prop("exposure", exposure)
        } else {
            node.prop("exposure", "none").comment(format!(
                "upstream exposure `{exposure}` has no amc equivalent: not exposed"
            ))
        };
        if !p.kubernetes() {
            node = node.prop_opt("host-port", n(port, "/hostPort"));
        }
        pod.child(node);
    }
    match s(d, "/runtime/networkMode") {
        Some("none") => pod.leaf("network", "none"),
        Some("loopback") if !p.kubernetes() => pod.leaf("network", "loopback"),
        _ => {}
    }
    // Every upstream restart policy is in amc's vocabulary.
    if let Some(r) = s(d, "/runtime/restartPolicy").filter(|r| vocab::RESTART_POLICIES.contains(r))
    {
        pod.leaf("restart", r);
    }
    let mut target = Node::new("target").arg(if p.kubernetes() {
        "kubernetes"
    } else {
        "quadlet"
    });
    if let Some(c) = &p.cluster {
        target = target.prop("cluster", c.as_str());
    }
    if let Some(t) = s(d, "/podType")
        && !matches!(t, "local-podman-quadlet" | "kubernetes-pod")
    {
        let as_what = if p.kubernetes() {
            "a kubernetes-pod"
        } else {
            "a Quadlet container (local-podman-quadlet)"
        };
        target = target.comment(format!("upstream podType `{t}`: amc emits it as {as_what}"));
    }
    pod.child(target);
    if let Some(id) = s(d, "/workload/agentIdentityRef") {
        let mut node = Node::new("identity").arg(id);
        if b(d, "/workload/agentIdentityRequired") == Some(false) {
            node = node.prop("required", false);
        }
        pod.child(node);
    }
    if let Some(w) = s(d, "/workload/workroomRef") {
        pod.leaf("workroom", w);
    }
    if let Some(t) = s(d, "/workload/topicRef") {
        pod.leaf("topic", t);
    }
    let mut policy = Node::new("policy");
    for (key, prop) in [
        ("policyFabricRequired", "policy-fabric-required"),
        ("agentRegistryRequired", "agent-registry-required"),
        ("networkPolicyRequired", "network-policy-required"),
        ("egressPolicyRequired", "egress-policy-required"),
        ("toolUseRequiresGrant", "tool-use-requires-grant"),
        ("cacheReuseRequiresPolicy", "cache-reuse-requires-policy"),
    ] {
        if b(d, &format!("/policy/{key}")) == Some(false) {
            policy = policy.prop(prop, false);
        }
    }
    if !policy.props.is_empty() {
        pod.child(policy);
    }
    pod.list("args", &list(d, "/runtime/args"));
    if let Some(ip) = s(d, "/runtime/imageReferencePolicy") {
        pod.leaf("image-policy", ip);
    }
    if let Some(x) = s(d, "/runtime/sbomRef") {
        pod.leaf("sbom", x);
    }
    if let Some(x) = s(d, "/runtime/provenanceRef") {
        pod.leaf("provenance", x);
    }
    if let Some(labels) = labels(d) {
        pod.child(labels);
    }
    pod
}

/// A `labels` node of the document's labels, without amc's own (`amc.*`).
pub(crate) fn labels(d: &Value) -> Option<Node> {
    let map = d.pointer("/labels").and_then(Value::as_object)?;
    let mut node = Node::new("labels");
    let mut keys: Vec<&String> = map.keys().filter(|k| !k.starts_with("amc.")).collect();
    keys.sort();
    for k in keys {
        if let Some(v) = map.get(k).and_then(Value::as_str) {
            node = node.prop(k, v);
        }
    }
    (!node.props.is_empty()).then_some(node)
}
