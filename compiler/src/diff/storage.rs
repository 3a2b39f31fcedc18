//! What a change does to the storage on the machines: models staged where a
//! replica now runs, staged copies no longer needed, and Kubernetes claims
//! left behind.
//!
//! Takes the two output trees; reads the staging files amc writes (Quadlet
//! `amc-stage-<model>.container` and `amc-model-<model>.image|artifact`,
//! Kubernetes `models/<tenant>/<model>.<node>.yaml`) and every claim the
//! Kubernetes output creates (PersistentVolumeClaim objects, and the claim
//! each StatefulSet's volume claim template gives its replica). A claim only
//! the old output creates is stranded: amc retains claims (the StatefulSets'
//! retention policy is Retain), so its data outlives the change until someone
//! deletes it. Never touches a cluster or a host.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use crate::emit::Artifacts;

/// One storage consequence of a change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase", tag = "change")]
pub enum StorageChange {
    /// A model is staged (fetched and verified) where it was not before.
    #[serde(rename = "stage")]
    Stage {
        /// Model id.
        model: String,
        /// Machine (Quadlet) or node (Kubernetes).
        node: String,
        /// The file that stages it.
        file: String,
    },
    /// Nothing stages the model there any more (its bytes stay on the node).
    #[serde(rename = "unstage")]
    Unstage {
        /// Model id.
        model: String,
        /// Machine or node.
        node: String,
        /// The file that staged it.
        file: String,
    },
    /// A claim the old output created and the new one does not.
    #[serde(rename = "stranded-claim")]
    Stranded {
        /// Namespace.
        namespace: String,
        /// Claim name.
        claim: String,
    },
}

/// (model, node, file) of every staging file in a tree.
fn stages(tree: &Artifacts) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for path in tree.keys() {
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            ["quadlet", machine, file] => {
                let model = file
                    .strip_prefix("amc-stage-")
                    .and_then(|f| f.strip_suffix(".container"))
                    .or_else(|| {
                        file.strip_prefix("amc-model-").and_then(|f| {
                            f.strip_suffix(".image")
                                .or_else(|| f.strip_suffix(".artifact"))
                        })
                    });
                if let Some(m) = model {
                    out.insert((m.to_string(), machine.to_string(), path.clone()));
                }
            }
            ["kubernetes", _, "models", _, file] => {
                if let Some((m, node)) = file.strip_suffix(".yaml").and_then(|f| f.split_once('.'))
                {
                    out.insert((m.to_string(), node.to_string(), path.clone()));
                }
            }
            _ => {}
        }
    }
    out
}

/// (namespace, claim) of every claim a tree's Kubernetes output creates.
fn claims(tree: &Artifacts) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, bytes) in tree {
        if !path.starts_with("kubernetes/") || !path.ends_with(".yaml") {
            continue;
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            continue;
        };
        let Ok(docs) = serde_saphyr::from_multiple::<Value>(text) else {
            continue;
        };
        for d in docs {
            let s = |p: &str| {
                d.pointer(p)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            let ns = s("/metadata/namespace");
            match d.get("kind").and_then(Value::as_str) {
                Some("PersistentVolumeClaim") => {
                    out.insert((ns, s("/metadata/name")));
                }
                Some("StatefulSet") => {
                    let sts = s("/metadata/name");
                    for t in d
                        .pointer("/spec/volumeClaimTemplates")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(n) = t.pointer("/metadata/name").and_then(Value::as_str) {
                            // One replica each: the claim of pod `<sts>-0`.
                            out.insert((ns.clone(), format!("{n}-{sts}-0")));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// The storage consequences of going from `old` to `new`, sorted.
pub fn changes(old: &Artifacts, new: &Artifacts) -> Vec<StorageChange> {
    let (so, sn) = (stages(old), stages(new));
    let mut out: Vec<StorageChange> = Vec::new();
    for (model, node, file) in sn.difference(&so) {
        out.push(StorageChange::Stage {
            model: model.clone(),
            node: node.clone(),
            file: file.clone(),
        });
    }
    for (model, node, file) in so.difference(&sn) {
        out.push(StorageChange::Unstage {
            model: model.clone(),
            node: node.clone(),
            file: file.clone(),
        });
    }
    for (namespace, claim) in claims(old).difference(&claims(new)) {
        out.push(StorageChange::Stranded {
            namespace: namespace.clone(),
            claim: claim.clone(),
        });
    }
    out.sort();
    out
}

/// One line per change, for people.
pub fn line(c: &StorageChange) -> String {
    match c {
        StorageChange::Stage { model, node, file } => {
            format!("stage model {model} on {node} ({file})")
        }
        StorageChange::Unstage { model, node, file } => format!(
            "no longer staged: model {model} on {node} ({file}); its verified copy stays on the node"
        ),
        StorageChange::Stranded { namespace, claim } => format!(
            "stranded claim {namespace}/{claim}: retained with its data; delete it (kubectl -n {namespace} delete pvc {claim}) once it is no longer needed"
        ),
    }
}
