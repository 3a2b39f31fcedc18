//! InferenceProvider → `provider`; stand-ins for pods without a matching document.
//!
//! Takes: the loaded documents and the pod plans. Produces: `provider` nodes
//! (a document's, then one derived with `extends` per pod whose image or
//! entrypoint differs from the first pod's). Never: guesses an image (it is
//! the pod's `imageOrCommand`; upstream providers only name a command).

use std::collections::BTreeSet;

use serde_json::Value;

use super::kdl::Node;
use super::pod::PodPlan;
use super::{Set, list, n, s};
use crate::lang::vocab;

fn kebab(camel: &str) -> String {
    let mut out = String::new();
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn image_node(p: &PodPlan) -> Node {
    let digest = s(&p.doc, "/runtime/imageDigest");
    let inline = p.image.contains('@');
    Node::new("image")
        .arg(p.image.as_str())
        .prop_opt("digest", digest.filter(|_| !inline))
}

fn accelerators(doc: Option<&Value>, pods: &[&PodPlan]) -> Vec<String> {
    let mut acc: BTreeSet<String> = BTreeSet::new();
    if let Some(a) = doc.and_then(|d| s(d, "/runtime/acceleration")) {
        acc.insert(a.to_string());
    }
    for p in pods {
        for a in p
            .doc
            .pointer("/resources/accelerators")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(t) = s(a, "/type") {
                acc.insert(t.to_string());
            }
        }
    }
    acc.into_iter()
        .filter(|a| vocab::ACCELERATORS.contains(&a.as_str()) && a != "unknown")
        .collect()
}

fn from_doc(id: &str, d: Option<&Value>, pods: &[&PodPlan]) -> Node {
    let first = pods.first();
    let mut node = Node::new("provider").arg(id);
    node = match d {
        Some(d) => node.comment(format!("from {}", s(d, "/id").unwrap_or_default())),
        None => node.comment(format!(
            "stand-in: no InferenceProvider document matched pod `{}`; derived from the AgentPod",
            first.map(|p| p.id.as_str()).unwrap_or_default()
        )),
    };
    let ptype = d
        .and_then(|d| s(d, "/providerType"))
        .or_else(|| first.and_then(|p| s(&p.doc, "/labels/sourceos.provider")))
        .filter(|t| vocab::PROVIDER_TYPES.contains(t));
    if let Some(t) = ptype {
        node.leaf("type", t);
    }
    if let Some(st) = d.and_then(|d| s(d, "/status")) {
        node.leaf("status", st);
    }
    match first {
        Some(p) => node.child(image_node(p)),
        None => {
            let mode = d.and_then(|d| s(d, "/runtime/mode"));
            if let Some(m @ ("local-process" | "remote-endpoint")) = mode {
                node.leaf("runtime", m);
            }
        }
    }
    if let Some(d) = d {
        node.list("api", &list(d, "/apiSurfaces"));
    }
    node.list("accelerators", &accelerators(d, pods));
    if let Some(f) = d
        .and_then(|d| s(d, "/modelStore/format"))
        .filter(|f| vocab::MODEL_FORMATS.contains(f) && *f != "unknown")
    {
        node.leaf("formats", f);
    }
    let port = first
        .and_then(|p| p.doc.pointer("/ports/0"))
        .and_then(|x| n(x, "/containerPort"));
    if let Some(port) = port {
        node.leaf("port", port);
    }
    if let Some(h) = d.and_then(|d| s(d, "/runtime/healthPath")) {
        node.leaf("health", h);
    }
    if let Some(p) = first {
        node.list("entrypoint", &p.entrypoint);
    }
    if let Some(d) = d {
        let caps: Vec<String> = d
            .pointer("/capabilities")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter(|(_, v)| v.as_bool() == Some(true))
                    .map(|(k, _)| kebab(k))
                    .filter(|k| vocab::CAPABILITIES.contains(&k.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        node.list("capabilities", &caps);
        if first.is_none()
            && let Some(e) = s(d, "/runtime/endpoint")
        {
            node.leaf("endpoint", e);
        }
        if let Some(l) = super::pod::labels(d) {
            node.child(l);
        }
    }
    node
}

/// Every provider node, in id order, each followed by its derived providers.
pub(crate) fn providers(set: &Set, plans: &[PodPlan]) -> Vec<Node> {
    let mut ids: BTreeSet<String> = set.providers.keys().cloned().collect();
    ids.extend(plans.iter().map(|p| p.provider.clone()));
    let mut out = Vec::new();
    for id in ids {
        let pods: Vec<&PodPlan> = plans.iter().filter(|p| p.provider == id).collect();
        let base: Vec<&PodPlan> = pods
            .iter()
            .filter(|p| p.provider_use == id)
            .copied()
            .collect();
        out.push(from_doc(
            &id,
            set.providers.get(&id).map(|d| &d.value),
            &base,
        ));
        for p in pods.iter().filter(|p| p.provider_use != id) {
            let mut node = Node::new("provider")
                .arg(p.provider_use.as_str())
                .prop("extends", id.as_str())
                .comment(format!(
                    "`{id}` as pod `{}` runs it (its own image or entrypoint)",
                    p.id
                ));
            node.child(image_node(p));
            node.list(
                "accelerators",
                &accelerators(set.providers.get(&id).map(|d| &d.value), &[p]),
            );
            node.list("entrypoint", &p.entrypoint);
            out.push(node);
        }
    }
    out
}
