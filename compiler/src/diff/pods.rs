//! Per-pod changes: placement moves and activation changes.
//!
//! Takes two output trees; reads `placement.json` (`assignments[]` of `pod`,
//! `replica`, `machine`) and `receipts/<pod>/activation-decision*.json`
//! (`decision.status`, `activationAllowed`, `reason`, `failureReasons`) from
//! each, and produces what changed per pod. Files that are absent or do not
//! have that shape contribute nothing (their bytes still show as artifact
//! changes). Never reads the disk.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::emit::Artifacts;

/// Where the placement is in an output tree.
pub const PLACEMENT: &str = "placement.json";

/// A pod replica that moved, appeared or went away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    /// Replica index.
    pub replica: u64,
    /// The machine before (absent: a new replica).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The machine after (absent: the replica is gone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// A pod's activation decision, as the build recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Activation {
    /// The decision file, relative to the output.
    pub file: String,
    /// `decision.status`, e.g. `allowed` or `fail-closed`.
    pub status: String,
    /// `decision.activationAllowed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<bool>,
    /// `decision.reason`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `decision.failureReasons`.
    pub failure_reasons: Vec<String>,
}

/// An activation decision that changed (or appeared, or went away).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivationChange {
    /// Before (absent: no decision before).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Activation>,
    /// After (absent: no decision after).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Activation>,
}

/// Everything that changed for one pod.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PodChange {
    /// The pod id.
    pub pod: String,
    /// Replicas that moved, appeared or went away.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub placement: Vec<Move>,
    /// Activation decisions that changed, by file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub activation: Vec<ActivationChange>,
}

fn placement(tree: &Artifacts) -> BTreeMap<(String, u64), String> {
    let mut out = BTreeMap::new();
    let Some(v) = tree
        .get(PLACEMENT)
        .and_then(|b| serde_json::from_slice::<Value>(b).ok())
    else {
        return out;
    };
    for a in v
        .get("assignments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let pod = a.get("pod").and_then(Value::as_str);
        let machine = a.get("machine").and_then(Value::as_str);
        let replica = a.get("replica").and_then(Value::as_u64).unwrap_or(0);
        if let (Some(p), Some(m)) = (pod, machine) {
            out.insert((p.to_string(), replica), m.to_string());
        }
    }
    out
}

/// `receipts/<pod>/activation-decision*.json` → (pod, file) → decision.
fn activations(tree: &Artifacts) -> BTreeMap<(String, String), Activation> {
    let mut out = BTreeMap::new();
    for (path, bytes) in tree {
        let mut parts = path.split('/');
        let (Some("receipts"), Some(pod), Some(file), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if !(file.starts_with("activation-decision") && file.ends_with(".json")) {
            continue;
        }
        let Ok(v) = serde_json::from_slice::<Value>(bytes) else {
            continue;
        };
        let Some(d) = v.get("decision") else { continue };
        let text = |k: &str| d.get(k).and_then(Value::as_str).map(str::to_string);
        out.insert(
            (pod.to_string(), file.to_string()),
            Activation {
                file: path.clone(),
                status: text("status").unwrap_or_else(|| "unknown".to_string()),
                allowed: d.get("activationAllowed").and_then(Value::as_bool),
                reason: text("reason"),
                failure_reasons: d
                    .get("failureReasons")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
            },
        );
    }
    out
}

fn pod_mut<'a>(pods: &'a mut BTreeMap<String, PodChange>, pod: &str) -> &'a mut PodChange {
    pods.entry(pod.to_string()).or_insert_with(|| PodChange {
        pod: pod.to_string(),
        placement: Vec::new(),
        activation: Vec::new(),
    })
}

/// Per-pod changes between two trees, sorted by pod.
pub fn changes(old: &Artifacts, new: &Artifacts) -> Vec<PodChange> {
    let (pa, pb) = (placement(old), placement(new));
    let (aa, ab) = (activations(old), activations(new));
    let mut pods: BTreeMap<String, PodChange> = BTreeMap::new();
    let keys: BTreeSet<&(String, u64)> = pa.keys().chain(pb.keys()).collect();
    for key in keys {
        let (from, to) = (pa.get(key), pb.get(key));
        if from != to {
            pod_mut(&mut pods, &key.0).placement.push(Move {
                replica: key.1,
                from: from.cloned(),
                to: to.cloned(),
            });
        }
    }
    let keys: BTreeSet<&(String, String)> = aa.keys().chain(ab.keys()).collect();
    for key in keys {
        let (from, to) = (aa.get(key), ab.get(key));
        let same = match (from, to) {
            (Some(x), Some(y)) => {
                (&x.status, x.allowed, &x.reason, &x.failure_reasons)
                    == (&y.status, y.allowed, &y.reason, &y.failure_reasons)
            }
            _ => false,
        };
        if !same {
            pod_mut(&mut pods, &key.0)
                .activation
                .push(ActivationChange {
                    from: from.cloned(),
                    to: to.cloned(),
                });
        }
    }
    pods.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> Artifacts {
        files
            .iter()
            .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn moves_and_activation_changes_per_pod() {
        let old = tree(&[
            (
                PLACEMENT,
                r#"{"assignments":[{"pod":"a","replica":0,"machine":"m1"},{"pod":"b","replica":0,"machine":"m1"},{"pod":"b","replica":1,"machine":"m2"}]}"#,
            ),
            (
                "receipts/a/activation-decision.json",
                r#"{"decision":{"status":"fail-closed","activationAllowed":false,"reason":"r","failureReasons":["x"]}}"#,
            ),
        ]);
        let new = tree(&[
            (
                PLACEMENT,
                r#"{"assignments":[{"pod":"a","replica":0,"machine":"m2"},{"pod":"b","replica":0,"machine":"m1"}]}"#,
            ),
            (
                "receipts/a/activation-decision.json",
                r#"{"decision":{"status":"allowed","activationAllowed":true,"reason":"ok","failureReasons":[]}}"#,
            ),
        ]);
        let c = changes(&old, &new);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].pod, "a");
        assert_eq!(
            c[0].placement,
            vec![Move {
                replica: 0,
                from: Some("m1".into()),
                to: Some("m2".into())
            }]
        );
        assert_eq!(c[0].activation[0].to.as_ref().unwrap().status, "allowed");
        assert_eq!(
            c[1].placement,
            vec![Move {
                replica: 1,
                from: Some("m2".into()),
                to: None
            }]
        );
        // No placement or receipts at all: nothing, no error.
        assert!(changes(&Artifacts::new(), &tree(&[(PLACEMENT, "not json")])).is_empty());
    }
}
