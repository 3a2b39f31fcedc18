//! The placement's explanations are computed once per explanation class
//! (replicas with equal requirements share the pass over every machine):
//! on generated fleets large enough to list only the closest machines, with
//! and without an incumbent, `placement.json` is byte-identical to the one
//! the per-replica reference pass gives.

use std::path::Path;
use std::sync::Arc;

use amc::driver::{self, Compilation, Options, Stop};
use amc::solve::{Incumbent, SolveOptions};
use amc::vfs::MemoryFs;

fn check(spec: &str, incumbent: Option<&Incumbent>, every_pair: bool) -> Compilation {
    let mut fs = MemoryFs::new();
    fs.insert("spec/spec.kdl", spec);
    let opts = Options {
        stop: Stop::Check,
        solve: SolveOptions {
            incumbent: incumbent.map(|i| Arc::new(i.clone())),
            every_pair,
            ..Default::default()
        },
        ..Default::default()
    };
    let c = driver::compile(&fs, Path::new("spec"), "spec", &opts).unwrap();
    assert!(!c.diagnostics.has_errors(), "{:?}", c.diagnostics.sorted());
    c
}

fn placement_json(c: &Compilation) -> String {
    String::from_utf8(amc::emit::manifest::placement_json(&c.placement).unwrap()).unwrap()
}

fn incumbent(c: &Compilation) -> Incumbent {
    let mut out = Incumbent::new();
    for a in &c.placement.assignments {
        out.entry(a.pod.clone())
            .or_default()
            .push(a.machine.clone());
    }
    out
}

#[test]
fn shared_explanations_equal_the_per_replica_ones() {
    let mut listed = 0;
    for (pods, machines, grow) in [(60, 40, None), (96, 40, Some(7)), (130, 50, None)] {
        let spec = amc::bench::spec::fleet(pods, machines, None, grow);
        let shared = check(&spec, None, false);
        let reference = check(&spec, None, true);
        assert_eq!(
            placement_json(&shared),
            placement_json(&reference),
            "{pods} pods on {machines} machines"
        );
        listed += shared
            .placement
            .assignments
            .iter()
            .filter(|a| !a.omitted.is_empty())
            .count();
        // With the incumbent, and a pod deleted and one grown: stable
        // placement's charges and moves are explained the same way too.
        let inc = incumbent(&shared);
        let next = amc::bench::spec::fleet(pods, machines, Some(3), Some(11));
        let shared = check(&next, Some(&inc), false);
        let reference = check(&next, Some(&inc), true);
        assert_eq!(
            placement_json(&shared),
            placement_json(&reference),
            "{pods} pods on {machines} machines, with an incumbent"
        );
    }
    // The fleets are large enough that only the closest machines are listed.
    assert!(listed > 200, "only {listed} replicas list a selection");
}
