//! Property tests of the placement solver (seeded loops, fast in debug):
//! no violation and nothing unplaced on random feasible instances,
//! determinism, incremental objective = recomputed objective, optimality
//! against brute force on tiny instances, and a smoke run of the benchmark.

use amc::bench::{self, generate};
use amc::solve::problem::{NONE, Problem};
use amc::solve::search::{Config, Rng, optimise};
use amc::solve::state::{State, violations};

/// The default solver with its budget capped, so the tests stay fast in debug builds.
fn solve(pb: &Problem, seed: u64) -> Vec<u32> {
    let mut cfg = Config::for_problem(pb, seed);
    cfg.budget = cfg.budget.min(1_500_000);
    optimise(pb, &cfg).at
}

#[test]
fn random_instances_are_placed_without_violations() {
    for (p, m) in [(6, 3), (10, 3), (20, 5), (30, 6), (50, 10)] {
        for seed in 1..=4 {
            let inst = generate(p, m, seed);
            let pb = &inst.problem;
            assert_eq!(
                violations(pb, &inst.planted),
                0,
                "{}: planted solution invalid",
                inst.name
            );
            let at = solve(pb, seed);
            assert!(
                !at.contains(&NONE),
                "{}: unplaced although the planted placement is feasible",
                inst.name
            );
            assert_eq!(violations(pb, &at), 0, "{}", inst.name);
            let planted = State::from_assignment(pb, &inst.planted).total();
            let got = State::from_assignment(pb, &at).total();
            assert!(
                got <= planted,
                "{}: {got} worse than the planted {planted}",
                inst.name
            );
        }
    }
}

#[test]
fn same_input_same_placement() {
    for seed in 1..=3 {
        let a = generate(40, 8, seed);
        let b = generate(40, 8, seed);
        assert_eq!(bench::digest(&a.problem), bench::digest(&b.problem));
        let x = solve(&a.problem, 7);
        let y = solve(&b.problem, 7);
        assert_eq!(x, y);
        // The solver's result does not depend on how many threads run it.
        let z = std::thread::scope(|s| s.spawn(|| solve(&a.problem, 7)).join().unwrap());
        assert_eq!(x, z);
    }
}

#[test]
fn incremental_objective_equals_recomputed() {
    // 90 machines: the per-machine bit rows span two words.
    for (seed, (p, m)) in (1..=5).zip([(30, 6), (30, 6), (30, 6), (30, 6), (300, 90)]) {
        let inst = generate(p, m, seed);
        let pb = &inst.problem;
        let mut s = State::from_assignment(pb, &inst.planted);
        let mut rng = Rng::new(seed);
        for step in 0..2_000 {
            let p = rng.below(pb.pods.len());
            let to = if rng.chance(1, 10) {
                NONE
            } else {
                rng.below(pb.m()) as u32
            };
            let predicted = s.total() + s.delta(p, to);
            let mark = s.mark();
            s.apply(p, to);
            assert_eq!(
                s.total(),
                predicted,
                "seed {seed} step {step}: delta disagrees"
            );
            assert_eq!(
                s.costs,
                State::recompute(pb, &s.at),
                "seed {seed} step {step}"
            );
            if rng.chance(1, 3) {
                s.rollback(mark);
                assert_eq!(s.costs, State::recompute(pb, &s.at));
            }
        }
    }
}

fn brute_force(pb: &Problem) -> Option<i64> {
    let n = pb.pods.len();
    let m = pb.m() as u32;
    let mut at = vec![0u32; n];
    let mut best: Option<i64> = None;
    loop {
        if violations(pb, &at) == 0 {
            let v = State::from_assignment(pb, &at).total();
            best = Some(best.map_or(v, |b: i64| b.min(v)));
        }
        let mut i = 0;
        loop {
            if i == n {
                return best;
            }
            at[i] += 1;
            if at[i] < m {
                break;
            }
            at[i] = 0;
            i += 1;
        }
    }
}

#[test]
fn fast_mode_bounds_the_candidates_per_replica() {
    use amc::solve::search::{Cands, FAST_PER_LIST, Mode};
    // 3,000 replicas of at most 200 models: a model has ~15 hosts placed
    // plus resident ones, a tenant's key dozens of users.
    let inst = generate(3000, 300, 1);
    let pb = &inst.problem;
    let s = State::from_assignment(pb, &inst.planted);
    let (mut capped, mut free) = (Cands::new(pb), Cands::new(pb));
    capped.fast();
    assert_eq!(capped.per_list, FAST_PER_LIST);
    // A tighter cap than the default, so that every kind of list binds.
    capped.per_list = 3;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut longer = 0;
    for p in 0..pb.pods.len() {
        capped.fill(&s, p, &mut a);
        free.fill(&s, p, &mut b);
        let lists = 2 + 2 * pb.pods[p].keys.len();
        assert!(
            a.len() <= capped.window + 3 * lists,
            "pod {p}: {} candidates",
            a.len()
        );
        assert!(!a.contains(&s.at[p]));
        longer += usize::from(b.len() > a.len());
    }
    assert!(
        longer > pb.pods.len() / 2,
        "only {longer} lists were shortened by the cap"
    );
    // The fast solver still places everything without violations.
    let mut cfg = Config::for_problem(pb, 1);
    cfg.mode = Mode::Fast;
    let at = optimise(pb, &cfg).at;
    assert!(!at.contains(&NONE));
    assert_eq!(violations(pb, &at), 0);
}

#[test]
fn optimal_on_tiny_instances() {
    let mut checked = 0;
    for seed in 1..=12 {
        let inst = generate(6, 3, seed);
        let pb = &inst.problem;
        if pb.pods.len() > 7 {
            continue;
        }
        let best = brute_force(pb).expect("the planted placement is feasible");
        let got = State::from_assignment(pb, &solve(pb, seed)).total();
        assert_eq!(got, best, "{}: amc {got}, optimum {best}", inst.name);
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} tiny instances checked");
}

#[test]
fn benchmark_smoke_run() {
    // A --quick-sized run of the smallest instance: every solver, metrics filled in.
    let inst = generate(10, 3, 1);
    let rows = bench::run_instance(&inst, &bench::solvers());
    assert!(rows.len() >= 4);
    let amc = rows.iter().find(|r| r.solver == "amc").unwrap();
    assert_eq!(amc.metrics.violations, 0);
    assert_eq!(amc.metrics.unplaced, 0);
    for r in &rows {
        if let Some(b) = r.best_known.filter(|_| r.metrics.unplaced == 0) {
            assert!(
                b <= r.metrics.objective,
                "{}: best known {b} above {}",
                r.solver,
                r.metrics.objective
            );
        }
        let j = r.json();
        for k in [
            "instance",
            "pods",
            "machines",
            "seed",
            "solver",
            "objective",
            "optimum",
            "best_known",
            "gap_pct",
            "gib_staged",
            "cache_hit_share",
            "violations",
            "unplaced",
            "seconds",
        ] {
            assert!(j.get(k).is_some(), "missing {k}");
        }
    }
}

#[test]
fn no_cache_credit_across_tenants() {
    // Keys belong to one tenant; pods only ever refer to their tenant's keys.
    for seed in 1..=3 {
        let inst = generate(200, 30, seed);
        let pb = &inst.problem;
        for p in &pb.pods {
            for &k in &p.keys {
                assert_eq!(pb.keys[k as usize].tenant, p.tenant);
            }
        }
    }
}

/// Runs `amc build SPEC --out OUT` and asserts it succeeds.
fn amc_build(spec: &std::path::Path, out: &std::path::Path) {
    let st = std::process::Command::new(env!("CARGO_BIN_EXE_amc"))
        .args([
            "build",
            spec.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
}

#[test]
fn amc_why_explains_a_built_placement() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("build");
    let amc = env!("CARGO_BIN_EXE_amc");
    let spec = repo.join("golden/place-residency/input");
    amc_build(&spec, &dir);
    let why = std::process::Command::new(amc)
        .args(["why", dir.to_str().unwrap(), "coder"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&why.stdout);
    assert!(
        why.status.success(),
        "{}",
        String::from_utf8_lossy(&why.stderr)
    );
    assert!(text.contains("coder replica 0 runs on gpu-b"), "{text}");
    assert!(text.contains("is in RAM"), "{text}");
    assert!(text.contains("capacity:vram"), "{text}");
    // "Why not there?" for one machine, and errors for unknown names.
    let one = std::process::Command::new(amc)
        .args(["why", dir.to_str().unwrap(), "coder", "--machine", "gpu-a"])
        .output()
        .unwrap();
    let t = String::from_utf8_lossy(&one.stdout);
    assert!(
        t.contains("gpu-a") && t.contains("ms more") && !t.contains("gpu-c"),
        "{t}"
    );
    let bad = std::process::Command::new(amc)
        .args(["why", dir.to_str().unwrap(), "nope"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("pods: chat, coder"));
}

/// Builds golden/place-residency's spec with `extra` appended; returns the
/// temporary directory (keep it alive), the output directory and the parsed
/// placement.json.
fn build_residency_with(extra: &str) -> (tempfile::TempDir, std::path::PathBuf, serde_json::Value) {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("spec");
    std::fs::create_dir_all(&spec).unwrap();
    let mut text =
        std::fs::read_to_string(repo.join("golden/place-residency/input/spec.kdl")).unwrap();
    text.push_str(extra);
    std::fs::write(spec.join("spec.kdl"), text).unwrap();
    let out = tmp.path().join("build");
    amc_build(&spec, &out);
    let v = serde_json::from_slice(&std::fs::read(out.join("placement.json")).unwrap()).unwrap();
    (tmp, out, v)
}

#[test]
fn why_not_costs_are_weighted_once() {
    // With non-unit weights, a feasible alternative's extraMs is the
    // weighted objective change, i.e. the sum of its (weighted) terms; it
    // used to be weighted twice.
    let (_tmp, _, v) = build_residency_with(
        "\nplacement-weights \"heavy\" {\n    terms load=3 stage=5 warm=7 balance=2\n}\n",
    );
    let mut checked = 0;
    for a in v["assignments"].as_array().unwrap() {
        for e in a["excluded"].as_array().unwrap() {
            let Some(extra) = e["extraMs"].as_i64() else {
                continue;
            };
            // "feasible, but costs N ms more (load +a ms, staging +b ms, ...)"
            let reason = e["reason"].as_str().unwrap();
            let sum: i64 = reason
                .split(['(', ')', ','])
                .filter_map(|part| {
                    let part = part.trim();
                    let (name, rest) = part.split_once(' ')?;
                    ["load", "staging", "warm-up", "balance"]
                        .contains(&name)
                        .then(|| rest.trim_end_matches(" ms").parse::<i64>().ok())?
                })
                .sum();
            assert_eq!(sum, extra, "{e}");
            checked += 1;
        }
    }
    assert!(checked > 0, "no feasible alternative listed");
}

#[test]
fn large_fleets_list_the_closest_machines_and_count_the_rest() {
    // placement.json stays linear in the replicas: past 33 machines each
    // replica lists the 24 closest other machines and counts the rest.
    let mut text = String::new();
    for i in 0..40 {
        let vram = if i % 2 == 0 { "8GiB" } else { "48GiB" };
        text.push_str(&format!(
            "\nmachine \"extra-{i:02}\" {{\n    profile \"sourceos-workstation\"\n    capacity {{\n        cpu 32\n        memory \"128GiB\"\n        gpu \"g\" vendor=\"nvidia\" vram=\"{vram}\"\n        accelerators \"cpu\" \"cuda\"\n    }}\n    storage-pool \"fs\" backend=\"filesystem\" capacity=\"1TiB\" path=\"/srv/agent-machine\"\n}}\n"
        ));
    }
    let (_tmp, out, v) = build_residency_with(&text);
    let amc = env!("CARGO_BIN_EXE_amc");
    for a in v["assignments"].as_array().unwrap() {
        let listed = a["excluded"].as_array().unwrap();
        assert_eq!(listed.len(), 24, "{a}");
        let omitted: u64 = a["omitted"]
            .as_object()
            .unwrap()
            .values()
            .map(|n| n.as_u64().unwrap())
            .sum();
        assert_eq!(listed.len() as u64 + omitted, 42, "{a}");
        // The cheapest feasible alternatives are the ones listed.
        let worst_listed = listed.iter().filter_map(|e| e["extraMs"].as_i64()).max();
        assert!(worst_listed.is_some(), "{a}");
        // 8 GiB machines cannot take a 19.8 GB model: counted as capacity:vram.
        assert!(
            a["omitted"].get("capacity:vram").is_some()
                || listed.iter().any(|e| e["constraint"] == "capacity:vram"),
            "{a}"
        );
    }
    let why = std::process::Command::new(amc)
        .args(["why", out.to_str().unwrap(), "coder"])
        .output()
        .unwrap();
    let t = String::from_utf8_lossy(&why.stdout);
    assert!(
        why.status.success() && t.contains("other machines not listed, by constraint"),
        "{t}"
    );
    // A machine not listed: a clear error, not "no machine".
    let listed: Vec<String> = v["assignments"][0]["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["machine"].as_str().unwrap().to_string())
        .collect();
    let pod = v["assignments"][0]["pod"].as_str().unwrap();
    let chosen = v["assignments"][0]["machine"].as_str().unwrap();
    let missing = (0..40)
        .map(|i| format!("extra-{i:02}"))
        .find(|m| !listed.contains(m) && m != chosen)
        .unwrap();
    let one = std::process::Command::new(amc)
        .args(["why", out.to_str().unwrap(), pod, "--machine", &missing])
        .output()
        .unwrap();
    assert_eq!(one.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&one.stderr).contains("not among the closest alternatives"),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
}

#[cfg(feature = "exact")]
#[test]
fn exact_solver_matches_brute_force() {
    use amc::solve::exact::{Limits, solve as exact};
    for seed in 1..=8 {
        let inst = generate(6, 3, seed);
        let pb = &inst.problem;
        if pb.pods.len() > 7 {
            continue;
        }
        let best = brute_force(pb).unwrap();
        let out = exact(pb, &Limits::default(), None, None);
        let at = out.assignment.expect("feasible");
        assert!(out.proven);
        assert_eq!(
            State::from_assignment(pb, &at).total(),
            best,
            "{}",
            inst.name
        );
    }
}

#[cfg(feature = "exact")]
#[test]
fn local_branching_moves_at_most_k_replicas() {
    // The oracle's local-branching rounds: with `max_changes` K, at most K
    // replicas leave their start machine, and the result is no worse than
    // the start (which is feasible for every K).
    use amc::solve::exact::{Limits, solve as exact};
    for seed in 1..=4 {
        let inst = generate(20, 5, seed);
        let pb = &inst.problem;
        let start = inst.planted.clone();
        let start_total = State::from_assignment(pb, &start).total();
        let free_total = exact(pb, &Limits::default(), Some(&start), None)
            .assignment
            .map(|at| State::from_assignment(pb, &at).total())
            .unwrap();
        for k in [0usize, 1, 3] {
            let limits = Limits {
                max_changes: Some(k),
                ..Limits::default()
            };
            let at = exact(pb, &limits, Some(&start), None)
                .assignment
                .expect("the start is feasible");
            let moved = at.iter().zip(&start).filter(|(a, b)| a != b).count();
            let total = State::from_assignment(pb, &at).total();
            assert!(moved <= k, "{}: k {k} moved {moved}", inst.name);
            assert!(total <= start_total, "{}: k {k}", inst.name);
            assert!(total >= free_total, "{}: k {k}", inst.name);
            if k == 0 {
                assert_eq!(at, start, "{}", inst.name);
            }
        }
    }
}

#[test]
fn stdlib_weights_are_the_benchmark_defaults() {
    // The weights live in stdlib/placement.kdl; the benchmark's generator uses
    // `Weights::default()`. They must agree.
    let mut fs = amc::vfs::MemoryFs::new();
    fs.insert("spec/spec.kdl", "");
    let opts = amc::driver::Options::default();
    let c = amc::driver::compile(&fs, std::path::Path::new("spec"), "spec", &opts).unwrap();
    let mut d = amc::diagnostics::Diagnostics::new();
    let e = amc::solve::spec::effective(&c.spec, &mut d);
    assert_eq!(e.weights, amc::solve::problem::Weights::default());
    assert_eq!(
        (e.bandwidth.network, e.bandwidth.nvme, e.bandwidth.ram),
        (1_250_000_000, 3_000_000_000, 16_000_000_000)
    );
    assert_eq!((e.prefill_rate, e.pack_bandwidth), (2000, 1_000_000_000));
}

#[test]
fn stored_reference_values_are_independent_and_reproducible() {
    // Every entry of bench-data/optima.json: for the instance the generator
    // makes today (same digest), its assignment is complete, violates
    // nothing and evaluates to best_known; it comes from the offline exact
    // runs or a baseline, never from amc; a proven optimum equals it; and on
    // the proven sizes amc's default run is never better than it.
    let v: serde_json::Value = serde_json::from_str(bench::OPTIMA).unwrap();
    let entries = v["instances"].as_object().unwrap();
    assert!(entries.len() >= 18, "{} entries", entries.len());
    for (name, e) in entries {
        let (size, seed) = name.split_once("-s").unwrap();
        let (p, m) = size.split_once('x').unwrap();
        let inst = generate(
            p.parse().unwrap(),
            m.parse().unwrap(),
            seed.parse().unwrap(),
        );
        let pb = &inst.problem;
        assert_eq!(
            e["digest"].as_str(),
            Some(bench::digest(pb).as_str()),
            "{name}"
        );
        let source = e["source"].as_str().unwrap();
        assert!(
            ["cbc", "cbc + mip-lns", "kube-like", "kube-prefix", "ffd"].contains(&source),
            "{name}: best known from `{source}`"
        );
        let at: Vec<u32> = e["assignment"]
            .as_str()
            .unwrap()
            .split(' ')
            .map(|x| x.parse().unwrap())
            .collect();
        assert_eq!(at.len(), pb.pods.len(), "{name}");
        assert!(!at.contains(&NONE), "{name}");
        assert_eq!(violations(pb, &at), 0, "{name}");
        let best = e["best_known"].as_i64().unwrap();
        assert_eq!(State::from_assignment(pb, &at).total(), best, "{name}");
        if let Some(opt) = e["optimum"].as_i64() {
            assert_eq!(opt, best, "{name}");
        }
        if pb.pods.len() <= 50 {
            let got = State::from_assignment(pb, &bench::run_amc(&inst)).total();
            assert!(
                got >= best,
                "{name}: amc {got} below the stored best known {best}"
            );
        }
    }
}
