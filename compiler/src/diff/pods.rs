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
    /// Why it left `from`, as the new build's placement says (`movedFrom`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
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

/// One replica as a placement records it: index, machine, and (stable
/// placement) the machine it left with the reason.
struct Placed {
    replica: u64,
    machine: String,
    moved: Option<(String, String)>,
}

/// pod → its replicas, in replica order.
fn placement(tree: &Artifacts) -> BTreeMap<String, Vec<Placed>> {
    let mut out: BTreeMap<String, Vec<Placed>> = BTreeMap::new();
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
        let moved = a.get("movedFrom").and_then(|m| {
            Some((
                m.get("machine")?.as_str()?.to_string(),
                m.get("reason")?.as_str()?.to_string(),
            ))
        });
        if let (Some(p), Some(m)) = (pod, machine) {
            out.entry(p.to_string()).or_default().push(Placed {
                replica,
                machine: m.to_string(),
                moved,
            });
        }
    }
    for v in out.values_mut() {
        v.sort_by_key(|r| r.replica);
    }
    out
}

/// A pod's moves: its replicas are interchangeable, so a replica that only
/// changed index is not a move. The machines the pod left are paired with the
/// replicas on machines it did not have, in replica order; a replica the new
/// placement says moved (`movedFrom`) is paired with the machine it names.
fn moves(old: &[Placed], new: &[Placed]) -> Vec<Move> {
    let mut left: Vec<&str> = old.iter().map(|r| r.machine.as_str()).collect();
    let mut arrived: Vec<&Placed> = Vec::new();
    for r in new {
        match left.iter().position(|m| *m == r.machine) {
            Some(i) => {
                left.remove(i);
            }
            None => arrived.push(r),
        }
    }
    let mut out = Vec::new();
    let mut unpaired = Vec::new();
    for r in arrived {
        let named = r
            .moved
            .as_ref()
            .and_then(|(m, why)| Some((left.iter().position(|x| x == m)?, why)));
        match named {
            Some((i, why)) => out.push(Move {
                replica: r.replica,
                from: Some(left.remove(i).to_string()),
                to: Some(r.machine.clone()),
                reason: Some(why.clone()),
            }),
            None => unpaired.push(r),
        }
    }
    for r in unpaired {
        let from = (!left.is_empty()).then(|| left.remove(0).to_string());
        out.push(Move {
            replica: r.replica,
            reason: from
                .is_some()
                .then(|| r.moved.as_ref().map(|(_, why)| why.clone()))
                .flatten(),
            from,
            to: Some(r.machine.clone()),
        });
    }
    // Machines left with no replica to take their place: replicas removed.
    let base = new.len() as u64;
    for (i, m) in left.into_iter().enumerate() {
        out.push(Move {
            replica: base + i as u64,
            from: Some(m.to_string()),
            to: None,
            reason: None,
        });
    }
    out.sort_by(|a, b| a.replica.cmp(&b.replica).then(a.from.cmp(&b.from)));
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
    let keys: BTreeSet<&String> = pa.keys().chain(pb.keys()).collect();
    for key in keys {
        let none = Vec::new();
        let (from, to) = (pa.get(key).unwrap_or(&none), pb.get(key).unwrap_or(&none));
        let m = moves(from, to);
        if !m.is_empty() {
            pod_mut(&mut pods, key).placement = m;
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
                to: Some("m2".into()),
                reason: None,
            }]
        );
        assert_eq!(c[0].activation[0].to.as_ref().unwrap().status, "allowed");
        assert_eq!(
            c[1].placement,
            vec![Move {
                replica: 1,
                from: Some("m2".into()),
                to: None,
                reason: None,
            }]
        );
        // No placement or receipts at all: nothing, no error.
        assert!(changes(&Artifacts::new(), &tree(&[(PLACEMENT, "not json")])).is_empty());
    }

    #[test]
    fn interchangeable_replicas_and_stated_reasons() {
        let old = tree(&[(
            PLACEMENT,
            r#"{"assignments":[{"pod":"a","replica":0,"machine":"m1"},{"pod":"a","replica":1,"machine":"m3"},{"pod":"a","replica":2,"machine":"m5"}]}"#,
        )]);
        // m1 left the fleet: the replica on it went to m2; the others only changed index.
        let new = tree(&[(
            PLACEMENT,
            r#"{"assignments":[{"pod":"a","replica":0,"machine":"m2","movedFrom":{"machine":"m1","reason":"machine `m1` is no longer in the fleet"}},{"pod":"a","replica":1,"machine":"m3"},{"pod":"a","replica":2,"machine":"m5"}]}"#,
        )]);
        let c = changes(&old, &new);
        assert_eq!(c.len(), 1);
        assert_eq!(
            c[0].placement,
            vec![Move {
                replica: 0,
                from: Some("m1".into()),
                to: Some("m2".into()),
                reason: Some("machine `m1` is no longer in the fleet".into()),
            }]
        );
        // Same machines in another replica order: no move at all.
        let shuffled = tree(&[(
            PLACEMENT,
            r#"{"assignments":[{"pod":"a","replica":0,"machine":"m5"},{"pod":"a","replica":1,"machine":"m1"},{"pod":"a","replica":2,"machine":"m3"}]}"#,
        )]);
        assert!(changes(&old, &shuffled).is_empty());
        let text = crate::diff::human(&crate::diff::plan(&old, &new));
        assert!(
            text.contains("replica 0: m1 → m2\n      why: machine `m1` is no longer in the fleet"),
            "{text}"
        );
    }
}
