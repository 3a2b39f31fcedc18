//! `amc-bench`: the placement benchmark (a program, not a timed test).
//!
//! `amc-bench placement [--format json|table] [--quick | --largest] [--sizes 100x20,...] [--seeds 1,2,3] [--solvers amc,...]`
//! generates seeded instances, runs amc and the baselines in one process and
//! prints one line per instance × solver plus a summary. With the `exact`
//! feature, `amc-bench optima [--sizes ...] [--seconds N]` re-derives the
//! stored optima (compiler/crates/bench/bench-data/optima.json) with CBC.
//! `amc-bench growth [--format json] [--sizes ...] [--seeds ...]` measures how
//! solve time grows with machines = pods / 10 in one budget regime.
//! `amc-bench inspect [--sizes ...] [--seeds ...]` compares amc's placement
//! with the stored reference assignment model by model (for tuning).

use std::process::ExitCode;

use amc_bench::{self as bench, Row, SIZES, generate, run_instance, seeds, solvers};

struct Args {
    json: bool,
    sizes: Vec<(usize, usize)>,
    seeds: Option<Vec<u64>>,
    solvers: Option<Vec<String>>,
    seconds: f64,
    merge: Option<String>,
    sizes_given: bool,
    repeat: usize,
}

fn parse_sizes(s: &str) -> Option<Vec<(usize, usize)>> {
    s.split(',')
        .map(|x| {
            let (p, m) = x.trim().split_once('x')?;
            let p = p.replace("10k", "10000").replace('k', "000");
            Some((p.parse().ok()?, m.replace('k', "000").parse().ok()?))
        })
        .collect()
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut a = Args {
        json: false,
        sizes: SIZES.to_vec(),
        seeds: None,
        solvers: None,
        seconds: 600.0,
        merge: None,
        sizes_given: false,
        repeat: 5,
    };
    let mut it = args.iter();
    while let Some(x) = it.next() {
        match x.as_str() {
            "--format" => match it.next().map(String::as_str) {
                Some("json") => a.json = true,
                Some("table") => a.json = false,
                other => return Err(format!("--format json|table, not {other:?}")),
            },
            "--quick" => a.sizes = SIZES.iter().copied().filter(|s| s.0 <= 500).collect(),
            "--largest" => a.sizes = vec![(10000, 1000)],
            "--sizes" => {
                a.sizes_given = true;
                a.sizes = it
                    .next()
                    .and_then(|s| parse_sizes(s))
                    .ok_or("--sizes 100x20,200x30")?
            }
            "--seeds" => {
                a.seeds = Some(
                    it.next()
                        .ok_or("--seeds 1,2,3")?
                        .split(',')
                        .map(|s| s.trim().parse().map_err(|_| "--seeds 1,2,3".to_string()))
                        .collect::<Result<_, _>>()?,
                )
            }
            "--solvers" => {
                a.solvers = Some(
                    it.next()
                        .ok_or("--solvers amc,kube-like")?
                        .split(',')
                        .map(str::to_string)
                        .collect(),
                )
            }
            "--repeat" => a.repeat = it.next().and_then(|s| s.parse().ok()).ok_or("--repeat N")?,
            "--merge" => a.merge = Some(it.next().ok_or("--merge FILE")?.clone()),
            "--seconds" => {
                a.seconds = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or("--seconds N")?
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(a)
}

fn print_row(r: &Row, json: bool) {
    if json {
        println!("{}", r.json());
    } else {
        let gap = r
            .gap_pct()
            .map(|g| format!("{g:7.2}%"))
            .unwrap_or_else(|| "      -".into());
        println!(
            "{:<14} {:<12} obj {:>12} gap {} staged {:>8.1} GiB hit {:>5.1}% viol {} unplaced {} {:>8.3}s (cpu {:.3}s)  [load {} stage {} warm {} bal {}]",
            r.instance,
            r.solver,
            r.metrics.objective,
            gap,
            r.metrics.gib_staged,
            r.metrics.cache_hit_share * 100.0,
            r.metrics.violations,
            r.metrics.unplaced,
            r.seconds,
            r.cpu_seconds.unwrap_or(f64::NAN),
            r.metrics.parts[0],
            r.metrics.parts[1],
            r.metrics.parts[2],
            r.metrics.parts[3]
        );
    }
}

fn summary(rows: &[Row]) {
    eprintln!(
        "\nsummary (gap to optimum, else best known; max bound: largest gap to the stored lower bound; objective relative to kube-like):"
    );
    eprintln!(
        "{:<10} {:<12} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>6} {:>6}",
        "size",
        "solver",
        "mean gap",
        "max gap",
        "max bound",
        "vs kube",
        "mean s",
        "mean cpu s",
        "viol",
        "unpl"
    );
    let mut sizes: Vec<(usize, usize)> = rows.iter().map(|r| (r.pods, r.machines)).collect();
    sizes.dedup();
    let mut names: Vec<&str> = Vec::new();
    for r in rows {
        if !names.contains(&r.solver.as_str()) {
            names.push(&r.solver);
        }
    }
    for (p, m) in sizes {
        for name in &names {
            let sel: Vec<&Row> = rows
                .iter()
                .filter(|r| r.pods == p && r.machines == m && r.solver == *name)
                .collect();
            if sel.is_empty() {
                continue;
            }
            let gaps: Vec<f64> = sel.iter().filter_map(|r| r.gap_pct()).collect();
            let rel: Vec<f64> = sel
                .iter()
                .filter_map(|r| {
                    let k = rows
                        .iter()
                        .find(|k| k.instance == r.instance && k.solver == "kube-like")?;
                    Some(r.metrics.objective as f64 / k.metrics.objective.max(1) as f64)
                })
                .collect();
            let mean = |v: &[f64]| {
                if v.is_empty() {
                    f64::NAN
                } else {
                    v.iter().sum::<f64>() / v.len() as f64
                }
            };
            let max = gaps.iter().copied().fold(f64::NAN, f64::max);
            let bound = sel
                .iter()
                .filter_map(|r| r.gap_to_bound_pct())
                .fold(f64::NAN, f64::max);
            // A percentage, or "-" where no instance of this size has a
            // stored reference value (the largest sizes).
            let pct = |v: f64| {
                if v.is_nan() {
                    "-".to_string()
                } else {
                    format!("{v:.2}%")
                }
            };
            let fixed = |v: f64, digits: usize| {
                if v.is_nan() {
                    "-".to_string()
                } else {
                    format!("{v:.digits$}")
                }
            };
            eprintln!(
                "{:<10} {:<12} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>6} {:>6}",
                format!("{p}x{m}"),
                name,
                pct(mean(&gaps)),
                pct(max),
                pct(bound),
                fixed(mean(&rel), 3),
                fixed(mean(&sel.iter().map(|r| r.seconds).collect::<Vec<_>>()), 4),
                fixed(
                    mean(&sel.iter().filter_map(|r| r.cpu_seconds).collect::<Vec<_>>()),
                    4
                ),
                sel.iter().map(|r| r.metrics.violations).sum::<usize>(),
                sel.iter().map(|r| r.metrics.unplaced).sum::<usize>(),
            );
        }
    }
}

fn placement(a: &Args) -> ExitCode {
    let all = solvers();
    let which: Vec<_> = match &a.solvers {
        Some(names) => all
            .into_iter()
            .filter(|(n, _)| names.iter().any(|x| x == n))
            .collect(),
        None => all.into_iter().filter(|(n, _)| *n != "amc-fast").collect(),
    };
    let mut rows = Vec::new();
    let mut bad = false;
    for &(p, m) in &a.sizes {
        for seed in a.seeds.clone().unwrap_or_else(|| seeds(p)) {
            let inst = generate(p, m, seed);
            for r in run_instance(&inst, &which) {
                print_row(&r, a.json);
                if let Some(b) = r.best_known
                    && r.metrics.objective < b
                    && r.metrics.unplaced == 0
                {
                    eprintln!(
                        "warning: {} {} beats the stored best known {b}: refresh bench-data/optima.json",
                        r.instance, r.solver
                    );
                    bad = true;
                }
                rows.push(r);
            }
        }
    }
    summary(&rows);
    if bad {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(feature = "exact")]
fn optima(a: &Args) -> ExitCode {
    let merge = a.merge.as_ref().map(std::fs::read_to_string).transpose();
    match merge {
        Ok(m) => amc_bench::oracle::run(&a.sizes, a.seeds.clone(), a.seconds, m.as_deref()),
        Err(e) => {
            eprintln!("error: --merge: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(not(feature = "exact"))]
fn optima(_: &Args) -> ExitCode {
    eprintln!(
        "error: `optima` needs the exact solver: cargo run --release --features exact --bin amc-bench -- optima"
    );
    ExitCode::from(2)
}

/// The growth curve: amc in one budget regime (fast mode, the default above
/// `FAST_ABOVE` replicas) with machines = pods / 10, seeds 1–3 per size, each
/// solve timed in `--repeat` interleaved rounds (the fastest counts; short
/// solves as batches of at least 0.2 s); the median over the
/// seeds of the thread CPU time per size and the least-squares exponent of
/// time ∝ P^k over the sizes (target: k ≲ 1.3).
fn growth(a: &Args) -> ExitCode {
    use amc_solve::search::{Config, Mode, optimise};
    use std::time::Instant;
    let sizes: Vec<(usize, usize)> = if a.sizes_given {
        a.sizes.clone()
    } else {
        [500, 1000, 2000, 5000, 10000, 20000]
            .iter()
            .map(|&p| (p, p / 10))
            .collect()
    };
    let seeds = a.seeds.clone().unwrap_or_else(|| vec![1, 2, 3]);
    let mut pts: Vec<(f64, f64)> = Vec::new();
    if !a.json {
        println!(
            "{:>8} {:>8} {:>12} {:>12} {:>14} {:>12} {:>9}",
            "pods", "machines", "median s", "median cpu s", "work (median)", "budget", "unplaced"
        );
    }
    // Every (size, seed) instance first; then `repeat` rounds, each solving
    // every instance once, the fastest run of each counting. Interleaving
    // the rounds spreads slow spells of a shared machine over all sizes
    // instead of letting one size absorb them.
    struct Case {
        inst: amc_bench::Instance,
        cfg: Config,
        best: (f64, f64),
        batch: u32,
        sol: Option<amc_solve::search::Solution>,
    }
    let mut cases: Vec<Vec<Case>> = sizes
        .iter()
        .map(|&(p, m)| {
            seeds
                .iter()
                .map(|&seed| {
                    let inst = generate(p, m, seed);
                    let mut cfg = Config::for_problem(&inst.problem, seed);
                    cfg.mode = Mode::Fast;
                    Case {
                        inst,
                        cfg,
                        best: (f64::INFINITY, f64::INFINITY),
                        batch: 1,
                        sol: None,
                    }
                })
                .collect()
        })
        .collect();
    // The thread CPU clock ticks in 4 ms steps on some machines: a solve of
    // a few milliseconds is timed as a batch of back-to-back runs lasting at
    // least 0.2 s (sized from the first round), divided by its length.
    for round in 0..a.repeat.max(1) + 1 {
        for case in cases.iter_mut().flatten() {
            let batch = if round == 0 { 1 } else { case.batch };
            let cpu0 = bench::thread_cpu_ns();
            let t = Instant::now();
            for _ in 0..batch {
                case.sol = Some(optimise(&case.inst.problem, &case.cfg));
            }
            let wall = t.elapsed().as_secs_f64();
            let c = match (cpu0, bench::thread_cpu_ns()) {
                (Some(a), Some(b)) => (b - a) as f64 / 1e9,
                _ => wall,
            };
            if round == 0 {
                case.batch = ((0.2 / wall.max(1e-6)).ceil() as u32).clamp(1, 500);
            } else {
                let n = f64::from(batch);
                case.best = (case.best.0.min(wall / n), case.best.1.min(c / n));
            }
        }
    }
    for (&(p, m), group) in sizes.iter().zip(&cases) {
        // (wall s, CPU s, work, budget, unplaced) per seed.
        type Run = (f64, f64, u64, u64, usize);
        let mut runs: Vec<Run> = Vec::new();
        for (case, &seed) in group.iter().zip(&seeds) {
            let Some(sol) = &case.sol else {
                continue;
            };
            let (secs, cpu) = case.best;
            let unplaced = sol.at.iter().filter(|&&x| x == u32::MAX).count();
            if a.json {
                println!(
                    "{}",
                    serde_json::json!({"pods": p, "machines": m, "seed": seed, "solver": "amc-fast",
                        "seconds": secs, "cpu_seconds": cpu, "work": sol.work, "budget": case.cfg.budget,
                        "unplaced": unplaced})
                );
            }
            runs.push((secs, cpu, sol.work, case.cfg.budget, unplaced));
        }
        if runs.is_empty() {
            continue;
        }
        let med = |f: &dyn Fn(&Run) -> f64| {
            let mut v: Vec<f64> = runs.iter().map(f).collect();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let (s, c, w) = (med(&|r| r.0), med(&|r| r.1), med(&|r| r.2 as f64));
        let unplaced: usize = runs.iter().map(|r| r.4).sum();
        if !a.json {
            println!(
                "{p:>8} {m:>8} {s:>12.3} {c:>12.3} {w:>14.0} {:>12} {unplaced:>9}",
                runs[0].3
            );
        }
        pts.push(((p as f64).ln(), c.max(1e-6).ln()));
    }
    let n = pts.len() as f64;
    if n >= 2.0 {
        let (sx, sy) = pts.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1));
        let (mx, my) = (sx / n, sy / n);
        let (num, den) = pts.iter().fold((0.0, 0.0), |a, p| {
            (a.0 + (p.0 - mx) * (p.1 - my), a.1 + (p.0 - mx) * (p.0 - mx))
        });
        let k = num / den;
        let local: Vec<String> = pts
            .windows(2)
            .map(|w| format!("{:.2}", (w[1].1 - w[0].1) / (w[1].0 - w[0].0)))
            .collect();
        if a.json {
            println!(
                "{}",
                serde_json::json!({"fit": "cpu_seconds ~ P^k", "k": (k * 1000.0).round() / 1000.0, "local": local})
            );
        } else {
            println!(
                "\nfit: median CPU seconds ~ P^{k:.2} (least squares over {} sizes); between consecutive sizes: {}",
                pts.len(),
                local.join(", ")
            );
        }
    }
    ExitCode::SUCCESS
}

/// Phase-by-phase objective and time of amc's solver (for tuning).
fn trace(a: &Args) -> ExitCode {
    use amc_solve::construct::{Order, construct};
    use amc_solve::search::{Budget, Cands, Moves, descend};
    use std::time::Instant;
    for &(p, m) in &a.sizes {
        for seed in a.seeds.clone().unwrap_or_else(|| seeds(p)) {
            let inst = generate(p, m, seed);
            let pb = &inst.problem;
            for o in [Order::ByModel, Order::MostConstrained] {
                let t = Instant::now();
                let mut c = Cands::new(pb);
                let mut w = u64::MAX;
                let large = pb.pods.len() > 2000;
                let mut s = construct(pb, o, &mut w, if large { Some(&mut c) } else { None });
                println!(
                    "{} {o:?} construct: {} in {:.3}s",
                    inst.name,
                    s.total(),
                    t.elapsed().as_secs_f64()
                );
                for pass in 0..6 {
                    let mut b = Budget { left: u64::MAX };
                    let before = b.left;
                    descend(
                        &mut s,
                        &mut c,
                        Moves {
                            swap: false,
                            close: false,
                            passes: 1,
                        },
                        &mut b,
                    );
                    let r = s.total();
                    let w1 = before - b.left;
                    let t1 = t.elapsed().as_secs_f64();
                    let mut b = Budget { left: u64::MAX };
                    descend(
                        &mut s,
                        &mut c,
                        Moves {
                            swap: false,
                            close: true,
                            passes: 1,
                        },
                        &mut b,
                    );
                    println!(
                        "  pass {pass}: relocate {r} (work {w1}, at {t1:.3}s), +close {} at {:.3}s",
                        s.total(),
                        t.elapsed().as_secs_f64()
                    );
                }
            }
        }
    }
    ExitCode::SUCCESS
}

/// amc's placement against the stored reference, model by model (for tuning).
fn inspect(a: &Args) -> ExitCode {
    use amc_bench::{digest, measure, reference, run_amc};
    use amc_solve::search::{Config, improve};
    use amc_solve::state::State;
    for &(p, m) in &a.sizes {
        for seed in a.seeds.clone().unwrap_or_else(|| seeds(p)) {
            let inst = generate(p, m, seed);
            let pb = &inst.problem;
            let Some(r) = reference(&inst.name, &digest(pb)) else {
                continue;
            };
            let Some(ref_at) = r.assignment.clone() else {
                continue;
            };
            let amc_at = run_amc(&inst);
            let (ma, mr) = (measure(&inst, &amc_at), measure(&inst, &ref_at));
            println!(
                "{}: amc {} {:?} | ref {} {:?}",
                inst.name, ma.objective, ma.parts, mr.objective, mr.parts
            );
            let (sa, sr) = (
                State::from_assignment(pb, &amc_at),
                State::from_assignment(pb, &ref_at),
            );
            for x in 0..pb.models.len() {
                let (ha, hr) = (&sa.model_hosts[x], &sr.model_hosts[x]);
                let mut ha = ha.clone();
                let mut hr = hr.clone();
                ha.sort_unstable();
                hr.sort_unstable();
                if ha != hr {
                    let cost = |h: &[u32]| -> i64 {
                        h.iter().map(|&n| pb.stage_ms(x as u32, n as usize)).sum()
                    };
                    println!(
                        "  model {x} ({} GiB): amc {:?} stage {} | ref {:?} stage {}",
                        pb.models[x].size >> 30,
                        ha,
                        cost(&ha),
                        hr,
                        cost(&hr)
                    );
                }
            }
            let cfg = Config::for_problem(pb, seed);
            let from_ref = improve(pb, &cfg, ref_at.clone());
            println!(
                "  improve(ref) -> {}",
                measure(&inst, &from_ref.at).objective
            );
        }
    }
    ExitCode::SUCCESS
}

/// Replicas of `after` on a machine their set did not have in `before`
/// (replicas of one set are interchangeable). `map[q]` is `q`'s index in
/// `before` (the deleted replica has none).
fn churn_count(
    pb: &amc_solve::problem::Problem,
    before: &[u32],
    after: &[u32],
    map: &[usize],
) -> usize {
    let mut by_set: std::collections::BTreeMap<u32, (Vec<u32>, Vec<u32>)> = Default::default();
    for (q, &m) in after.iter().enumerate() {
        let e = by_set.entry(pb.pods[q].set).or_default();
        e.1.push(m);
        e.0.push(before[map[q]]);
    }
    let mut moved = 0;
    for (_, (mut old, new)) in by_set {
        for m in new {
            match old.iter().position(|&x| x == m) {
                Some(i) => {
                    old.swap_remove(i);
                }
                None => moved += 1,
            }
        }
    }
    moved
}

/// Churn: solve, delete one replica, solve again from scratch and with the
/// first placement as the incumbent; count the other replicas that moved.
fn churn(a: &Args) -> ExitCode {
    use amc_solve::search::{Config, optimise};
    let sizes: Vec<(usize, usize)> = if a.sizes_given {
        a.sizes.clone()
    } else {
        vec![(100, 20), (1000, 100), (1000, 500), (5000, 500)]
    };
    let seeds = a.seeds.clone().unwrap_or_else(|| vec![1, 2]);
    let mut rows = Vec::new();
    if !a.json {
        println!(
            "{:>8} {:>8} {:>5} {:>8} {:>12} {:>12} {:>14} {:>14}",
            "pods",
            "machines",
            "seed",
            "deleted",
            "fresh moved",
            "stable moved",
            "fresh obj",
            "stable obj"
        );
    }
    for &(p, m) in &sizes {
        for &seed in &seeds {
            let inst = amc_bench::fleet::generate(p, m, seed);
            let pb = &inst.problem;
            let first = optimise(pb, &Config::for_problem(pb, pb.fingerprint())).at;
            // Delete a replica whose set keeps another one, or that nobody requires.
            let required: std::collections::BTreeSet<u32> = pb
                .pods
                .iter()
                .flat_map(|q| q.requires.iter().copied())
                .collect();
            let victim = (0..pb.pods.len())
                .map(|i| (i * 7919 + p / 3) % pb.pods.len())
                .find(|&q| {
                    let s = pb.pods[q].set;
                    !required.contains(&s) || pb.tables.set_pods[s as usize].len() > 1
                });
            let Some(victim) = victim else { continue };
            let mut smaller = pb.clone();
            smaller.pods.remove(victim);
            smaller.prepare();
            let map: Vec<usize> = (0..pb.pods.len()).filter(|&q| q != victim).collect();
            let fresh = optimise(
                &smaller,
                &Config::for_problem(&smaller, smaller.fingerprint()),
            )
            .at;
            let mut kept = smaller.clone();
            kept.keep(map.iter().map(|&q| first[q]).collect());
            let stable = optimise(&kept, &Config::for_problem(&kept, kept.fingerprint())).at;
            let obj = |at: &[u32]| amc_solve::state::State::from_assignment(&smaller, at).total();
            let row = (
                p,
                m,
                seed,
                victim,
                churn_count(&smaller, &first, &fresh, &map),
                churn_count(&smaller, &first, &stable, &map),
                obj(&fresh),
                obj(&stable),
            );
            if a.json {
                rows.push(serde_json::json!({
                    "pods": row.0, "machines": row.1, "seed": row.2, "deleted": row.3,
                    "freshMoved": row.4, "stableMoved": row.5,
                    "freshObjective": row.6, "stableObjective": row.7,
                }));
            } else {
                println!(
                    "{:>8} {:>8} {:>5} {:>8} {:>12} {:>12} {:>14} {:>14}",
                    row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7
                );
            }
        }
    }
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        );
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = argv.first() else {
        eprintln!(
            "usage: amc-bench placement [--format json|table] [--quick | --largest] [--sizes PxM,...] [--seeds 1,2] [--solvers amc,kube-like,kube-prefix,ffd]\n       amc-bench growth [--format json] [--sizes PxM,...] [--seeds 1,2,3] [--repeat 5]\n       amc-bench churn [--format json] [--sizes PxM,...] [--seeds 1,2]\n       amc-bench inspect [--sizes PxM,...] [--seeds ...]\n       amc-bench optima [--sizes PxM,...] [--seeds ...] [--seconds N] [--merge FILE]   (feature `exact`)"
        );
        return ExitCode::from(2);
    };
    #[cfg(feature = "exact")]
    if cmd == "optima-full" {
        // Internal: one full CBC solve in a child process (see oracle.rs).
        let size = argv
            .get(1)
            .and_then(|s| parse_sizes(s))
            .and_then(|v| v.first().copied());
        let seed = argv.get(2).and_then(|s| s.parse().ok());
        let secs = argv.get(3).and_then(|s| s.parse().ok());
        let nodes = argv.get(4).and_then(|s| s.parse().ok());
        return match (size, seed, secs, nodes) {
            (Some(z), Some(s), Some(t), Some(n)) => amc_bench::oracle::full_child(z, s, t, n),
            _ => ExitCode::from(2),
        };
    }
    let a = match parse(&argv[1..]) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let _ = bench::OPTIMA;
    match cmd.as_str() {
        "placement" => placement(&a),
        "optima" => optima(&a),
        "trace" => trace(&a),
        "inspect" => inspect(&a),
        "growth" => growth(&a),
        "churn" => churn(&a),
        other => {
            eprintln!(
                "error: unknown command `{other}` (placement, optima, growth, churn, inspect, trace)"
            );
            ExitCode::from(2)
        }
    }
}
