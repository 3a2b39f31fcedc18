//! Stable placement: the previous build's placement is the incumbent. Deleting
//! or editing one pod moves no other replica unless capacity or policy forces
//! it; a replica that moves says why; a rebuild with the recorded incumbent
//! reproduces the build byte for byte.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use amc::driver::{self, Compilation, Options, Stop};
use amc::solve::{Incumbent, SolveOptions};
use amc::vfs::MemoryFs;

use amc::bench::spec::fleet;

fn build(spec: &str, incumbent: Option<&Incumbent>) -> Compilation {
    let mut fs = MemoryFs::new();
    fs.insert("spec/spec.kdl", spec);
    let opts = Options {
        stop: Stop::Build,
        solve: SolveOptions {
            incumbent: incumbent.map(|i| Arc::new(i.clone())),
            ..Default::default()
        },
        ..Default::default()
    };
    let c = driver::compile(&fs, Path::new("spec"), "spec", &opts).unwrap();
    let errors: Vec<String> = c
        .diagnostics
        .sorted()
        .iter()
        .filter(|d| d.severity == amc::diagnostics::Severity::Error)
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    c
}

fn incumbent(c: &Compilation) -> Incumbent {
    amc::emit::manifest::read_incumbent(&c.artifacts["placement.json"]).unwrap()
}

/// Replicas of pods present in both placements that are on a machine the
/// pod did not have before (replicas of one pod are interchangeable).
fn moved(before: &Incumbent, after: &Incumbent) -> usize {
    let mut n = 0;
    for (pod, ms) in after {
        let Some(old) = before.get(pod) else { continue };
        let mut left: Vec<&String> = old.iter().collect();
        for m in ms {
            match left.iter().position(|x| *x == m) {
                Some(i) => {
                    left.remove(i);
                }
                None => n += 1,
            }
        }
    }
    n
}

/// `movedFrom` of every assignment that has one: (pod, from, reason).
fn reasons(c: &Compilation) -> Vec<(String, String, String)> {
    c.placement
        .assignments
        .iter()
        .filter_map(|a| {
            let m = a.moved_from.as_ref()?;
            Some((a.pod.clone(), m.machine.clone(), m.reason.clone()))
        })
        .collect()
}

#[test]
fn deleting_a_pod_moves_no_other_replica() {
    let first = build(&fleet(64, 32, None, None), None);
    let before = incumbent(&first);
    let fresh = build(&fleet(64, 32, Some(40), None), None);
    let kept = build(&fleet(64, 32, Some(40), None), Some(&before));
    // Without the incumbent the solver is free to reshuffle (and does: this
    // is the churn stable placement exists to avoid).
    assert!(moved(&before, &incumbent(&fresh)) > 0);
    assert_eq!(moved(&before, &incumbent(&kept)), 0);
    assert!(reasons(&kept).is_empty());
    assert!(!incumbent(&kept).contains_key("agent-40"));
}

#[test]
fn editing_a_pod_moves_only_what_capacity_forces() {
    let first = build(&fleet(64, 32, None, None), None);
    let before = incumbent(&first);
    // agent-1 now needs all four GPUs of a node: its node is shared, so it moves.
    let edited = build(&fleet(64, 32, None, Some(1)), Some(&before));
    let after = incumbent(&edited);
    let why = reasons(&edited);
    assert_eq!(moved(&before, &after), why.len());
    assert!(why.iter().any(|(p, _, _)| p == "agent-1"), "{why:?}");
    for (pod, from, reason) in &why {
        assert!(before[pod].contains(from), "{pod} {from}");
        assert!(
            reason.contains("cannot stay on") || reason.contains("still fits"),
            "{reason}"
        );
    }
    // Only agent-1 had to move: every other replica still fits where it was.
    assert_eq!(moved(&before, &after), 1, "{why:?}");
}

#[test]
fn a_machine_leaving_moves_only_its_replicas() {
    let spec = fleet(48, 24, None, None);
    let first = build(&spec, None);
    let before = incumbent(&first);
    let on_node_3: usize = before
        .values()
        .map(|ms| ms.iter().filter(|m| *m == "node-3").count())
        .sum();
    assert!(on_node_3 > 0);
    // Drop node-3 from the fleet and the cluster.
    let start = spec.find("machine \"node-3\" {").unwrap();
    let end = start + spec[start..].find("\n}\n").unwrap() + 3;
    let without = format!("{}{}", &spec[..start], &spec[end..]).replace("\"node-3\" ", "");
    let c = build(&without, Some(&before));
    let why = reasons(&c);
    assert_eq!(moved(&before, &incumbent(&c)), on_node_3);
    assert_eq!(why.len(), on_node_3);
    for (_, from, reason) in &why {
        assert_eq!(from, "node-3");
        assert_eq!(reason, "machine `node-3` is no longer in the fleet");
    }
}

#[test]
fn the_recorded_incumbent_rebuilds_the_same_bytes() {
    let spec = fleet(48, 24, Some(5), None);
    let before = incumbent(&build(&fleet(48, 24, None, None), None));
    let a = build(&spec, Some(&before));
    let recorded =
        amc::emit::manifest::read_incumbent(&a.artifacts[amc::emit::manifest::INCUMBENT]).unwrap();
    assert_eq!(recorded, before);
    let b = build(&spec, Some(&recorded));
    assert_eq!(a.artifacts, b.artifacts);
    // Kept again: the placement is a fixed point, so the next build's
    // incumbent file is the same too (only `work` may differ from the first).
    let c = build(&spec, Some(&incumbent(&a)));
    assert_eq!(incumbent(&a), incumbent(&c));
    let d = build(&spec, Some(&incumbent(&c)));
    let names: BTreeMap<&String, bool> = c
        .artifacts
        .iter()
        .map(|(k, v)| (k, d.artifacts.get(k) == Some(v)))
        .collect();
    assert!(names.values().all(|same| *same), "{names:?}");
    // Without an incumbent there is no incumbent file.
    assert!(
        !build(&spec, None)
            .artifacts
            .contains_key(amc::emit::manifest::INCUMBENT)
    );
}
