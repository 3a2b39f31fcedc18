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

const ENGINES: [(&str, &str); 2] = [("llama-cpp", "llama-cpp"), ("vllm", "vllm")];

/// A fleet like `bench/gen_fleet.py`'s: `pods` GPU pods on `machines` nodes
/// of one Kubernetes cluster, `skip` left out, `grow` given more GPUs.
fn fleet(pods: usize, machines: usize, skip: Option<usize>, grow: Option<usize>) -> String {
    let mut s = String::new();
    for (_, std) in ENGINES {
        s += &format!("import \"std:providers/{std}\"\n");
    }
    for (i, (name, std)) in ENGINES.iter().enumerate() {
        s += &format!(
            "provider \"{name}-pinned\" extends=\"{std}\" {{\n    image \"registry.example/{name}:1\" accelerator=\"cuda\" digest=\"sha256:{}\"\n}}\n",
            format!("{i}").repeat(64)
        );
    }
    for m in 0..machines {
        s += &format!(
            "machine \"node-{m}\" {{\n    profile \"kubernetes-node\"\n    capacity {{\n        cpu 64\n        memory \"512GiB\"\n        gpu \"nvidia-l40s\" vendor=\"nvidia\" vram=\"48GiB\" count=4\n        accelerators \"cpu\" \"cuda\"\n    }}\n    storage-pool \"topolvm\" backend=\"topolvm-k8s\" capacity=\"20TiB\"\n}}\n"
        );
    }
    let nodes: Vec<String> = (0..machines).map(|m| format!("\"node-{m}\"")).collect();
    s += &format!(
        "cluster \"agents\" {{\n    namespace \"agents\"\n    storage-class \"topolvm-k8s\" \"local-path\"\n    nodes {}\n}}\n",
        nodes.join(" ")
    );
    s += "cache-tier \"models\" {\n    backend \"topolvm-k8s\"\n    volume-class \"agent-models\"\n    tier \"model\"\n    purpose \"model-artifacts\"\n    sensitivity \"internal\"\n    lifecycle durability=\"durable\" eviction=\"manual\" wipe-receipt-required=#false\n    quota \"40GiB\"\n    mount \"/models\" access=\"read-only\"\n}\n";
    for (i, size) in [("a", "4.7GB"), ("b", "16GB"), ("c", "14.5GB")] {
        s += &format!(
            "model \"m-{i}\" {{\n    hf \"anchors/m-{i}\" revision=\"{}\"\n    file \"model.gguf\" sha256=\"{}\" size=\"{size}\"\n    format \"gguf\"\n    size \"{size}\"\n    vram \"16GiB\"\n}}\n",
            "7".repeat(40),
            "8".repeat(64)
        );
    }
    for p in 0..pods {
        if Some(p) == skip {
            continue;
        }
        let (engine, _) = ENGINES[p % 2];
        let model = ["a", "b", "c"][p % 3];
        let gpus = if Some(p) == grow { 4 } else { 1 + p % 2 };
        s += &format!(
            "pod \"agent-{p}\" {{\n    tenant \"team-{}\"\n    provider \"{engine}-pinned\"\n    model \"m-{model}\"\n    accelerator \"cuda\"\n    resources cpu=4 memory=\"{}GiB\" gpus={gpus} vram=\"{}GiB\"\n    volume \"models\"\n    port \"http\" exposure=\"cluster\"\n    target \"kubernetes\" cluster=\"agents\"\n}}\n",
            p % 7,
            16 * gpus,
            16 * gpus
        );
    }
    s
}

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
