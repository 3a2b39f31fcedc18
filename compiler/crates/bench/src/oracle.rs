//! The offline oracle: proven optima and best-known values for the benchmark.
//!
//! Takes sizes, seeds and a time limit per instance; produces the JSON stored
//! in `compiler/crates/bench/bench-data/optima.json` (printed to stdout). For each
//! instance: CBC on the full model, warm-started from the best of the
//! baselines (never from amc: the reference must not depend on the solver it
//! judges), single-threaded, with the time limit; then, if not proven
//! optimal, MIP large-neighbourhood rounds for twice as long again (free the
//! replicas of a few related machines, of one model, of a few models sharing
//! machines or of one tenant, fix the rest, re-solve
//! the sub-MIP with a node limit, keep improvements; after a stall, local
//! branching: the whole fleet free, at most K replicas moved). `best_known` is the
//! minimum over everything evaluated; the benchmark fails (exit 1) if any
//! solver ever beats it, so it is never above any solver's objective.
//! Compiled only with the `exact` feature; reads the clock (it is offline).

use std::process::ExitCode;
use std::time::Instant;

use serde_json::{Value, json};

use super::{baselines, digest, generate, seeds};
use amc_solve::exact::{self, Limits};
use amc_solve::problem::{NONE, Problem};
use amc_solve::search::Rng;
use amc_solve::state::{State, violations};

fn eval(pb: &Problem, at: &[u32]) -> Option<i64> {
    (!at.contains(&NONE) && violations(pb, at) == 0).then(|| State::from_assignment(pb, at).total())
}

/// One instance's oracle entry.
/// `previous`: the assignment of an earlier oracle entry for the same
/// instance (never one derived from amc), to continue from.
pub fn entry(
    pb: &Problem,
    size: (usize, usize),
    seed: u64,
    seconds: f64,
    previous: Option<Vec<u32>>,
) -> Value {
    let t0 = Instant::now();
    let mut best: Option<(i64, Vec<u32>, &'static str)> = None;
    let consider =
        |at: Vec<u32>, src: &'static str, best: &mut Option<(i64, Vec<u32>, &'static str)>| {
            if let Some(v) = eval(pb, &at)
                && best.as_ref().is_none_or(|b| v < b.0)
            {
                *best = Some((v, at, src));
            }
        };
    consider(
        baselines::kube_like(pb, baselines::Kube::Plain),
        "kube-like",
        &mut best,
    );
    consider(
        baselines::kube_like(pb, baselines::Kube::Prefix),
        "kube-prefix",
        &mut best,
    );
    consider(baselines::ffd(pb), "ffd", &mut best);
    if let Some(at) = previous
        && at.len() == pb.pods.len()
    {
        consider(at, "cbc + mip-lns", &mut best);
    }
    // CBC on the full model, warm-started from the best baseline, for up to
    // 30 s: small instances are proven here. amc's own runs are never used:
    // the reference must be independent of the solver it judges.
    let full = |best: &Option<(i64, Vec<u32>, &'static str)>, secs: f64| {
        isolated(
            size,
            seed,
            best.as_ref().map(|b| b.1.as_slice()),
            None,
            None,
            &Limits {
                max_nodes: None,
                seconds: Some(secs),
                max_changes: None,
            },
        )
    };
    let mut out = full(&best, seconds.min(30.0));
    let mut proven = out.proven;
    if let Some(at) = out.assignment.take() {
        consider(at, "cbc", &mut best);
    }
    // Otherwise MIP large-neighbourhood search for twice the time limit:
    // exact re-solves of sub-fleets, accepting only improvements; then CBC
    // on the full model again, warm-started from the result, for the time
    // limit (its lower bound, and a proof if it finds one).
    let mut rounds = 0u32;
    let mut lb_rounds = 0u32;
    if !proven && let Some(b) = best.clone() {
        let mut cur = b.1;
        let mut cur_v = b.0;
        let mut rng = Rng::new(seed ^ 0x0ac1e);
        let n = pb.m();
        let mut kmax = 3usize;
        let trace = std::env::var_os("AMC_ORACLE_TRACE").is_some();
        let lns_end = t0.elapsed().as_secs_f64() + seconds * 2.0;
        let mut stall = 0u32;
        let mut lb_k = 12usize;
        while t0.elapsed().as_secs_f64() < lns_end && rounds < 1_000_000 {
            rounds += 1;
            // Local branching (Fischetti & Lodi): after `STALL` rounds
            // without gain, the whole fleet is free but at most `lb_k`
            // replicas may change machine; `lb_k` grows while such solves
            // are proven without gain.
            if stall >= STALL {
                let t1 = Instant::now();
                let sub = isolated(
                    size,
                    seed,
                    Some(&cur),
                    None,
                    None,
                    &Limits {
                        max_nodes: Some(20_000),
                        seconds: Some(30.0),
                        max_changes: Some(lb_k),
                    },
                );
                let v = sub.assignment.as_ref().and_then(|at| eval(pb, at));
                if trace {
                    eprintln!(
                        "local branching {rounds}: k {lb_k} proven {} {:.2}s {:?} (current {cur_v})",
                        sub.proven,
                        t1.elapsed().as_secs_f64(),
                        v
                    );
                }
                lb_rounds += 1;
                match (v, sub.assignment) {
                    (Some(v), Some(at)) if v < cur_v => {
                        cur_v = v;
                        cur = at.clone();
                        consider(at, "cbc + mip-lns", &mut best);
                        stall = 0;
                    }
                    _ => {
                        if sub.proven {
                            lb_k = (lb_k + 6).min(pb.pods.len());
                        }
                        stall = STALL / 2;
                    }
                }
                continue;
            }
            let mode = rng.below(7);
            let (free, within) = neighbourhood(pb, &cur, &mut rng, mode, kmax.min(n));
            let t1 = Instant::now();
            let sub = isolated(
                size,
                seed,
                Some(&cur),
                Some(&free),
                within.as_deref(),
                &Limits {
                    max_nodes: Some(1_000),
                    seconds: Some(3.0),
                    max_changes: None,
                },
            );
            let improved = match sub.assignment.as_ref().and_then(|at| eval(pb, at)) {
                Some(v) if v < cur_v => {
                    cur_v = v;
                    stall = 0;
                    if let Some(at) = sub.assignment {
                        cur = at.clone();
                        consider(at, "cbc + mip-lns", &mut best);
                    }
                    true
                }
                _ => {
                    stall += 1;
                    false
                }
            };
            if trace {
                eprintln!(
                    "lns {rounds}: mode {mode} k {kmax} free {} proven {} {:.2}s{}",
                    free.iter().filter(|&&f| f).count(),
                    sub.proven,
                    t1.elapsed().as_secs_f64(),
                    if improved {
                        format!(" -> {cur_v}")
                    } else {
                        String::new()
                    }
                );
            }
            // Grow the neighbourhood while sub-problems are solved to
            // optimality quickly and without gain; shrink when they are slow.
            let took = t1.elapsed().as_secs_f64();
            if sub.proven && !improved && took < 0.3 {
                kmax = (kmax + 1).min(16);
            } else if !sub.proven || took > 1.0 {
                kmax = kmax.saturating_sub(1).max(2);
            }
        }
    }
    if !proven && best.is_some() {
        let last = full(&best, seconds);
        proven = last.proven;
        if last.bound.is_finite() && (out.bound.is_nan() || out.bound < last.bound) {
            out.bound = last.bound;
        }
        if let Some(at) = last.assignment {
            consider(at, "cbc", &mut best);
        }
    }
    let Some((value, at, source)) = best else {
        return json!({"digest": digest(pb), "optimum": null, "best_known": null});
    };
    json!({
        "digest": digest(pb),
        "optimum": if proven { Some(value) } else { None },
        "best_known": value,
        "bound": if out.bound.is_finite() { Some((out.bound * 1000.0).round() / 1000.0) } else { None },
        "source": source,
        "lns_rounds": rounds,
        "local_branching_rounds": lb_rounds,
        "seconds": (t0.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        "assignment": at.iter().map(u32::to_string).collect::<Vec<_>>().join(" "),
    })
}

/// Rounds without gain before a local-branching round.
const STALL: u32 = 60;

/// One CBC solve in a child process (`amc-bench optima-full`): CBC 2.10 as
/// packaged by Debian occasionally crashes (SIGSEGV) on these models; a crash
/// then costs that one solve, not the oracle run.
fn isolated(
    size: (usize, usize),
    seed: u64,
    start: Option<&[u32]>,
    free: Option<&[bool]>,
    within: Option<&[bool]>,
    limits: &Limits,
) -> exact::Outcome {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let failed = exact::Outcome {
        assignment: None,
        proven: false,
        bound: f64::NAN,
        nodes: 0,
    };
    let Ok(exe) = std::env::current_exe() else {
        return failed;
    };
    let child = Command::new(exe)
        .args([
            "optima-full".to_string(),
            format!("{}x{}", size.0, size.1),
            seed.to_string(),
            limits.seconds.unwrap_or(0.0).to_string(),
            limits.max_nodes.unwrap_or(0).to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        return failed;
    };
    if let Some(mut stdin) = child.stdin.take() {
        let bits = |b: Option<&[bool]>| {
            b.map(|b| {
                b.iter()
                    .map(|&x| if x { '1' } else { '0' })
                    .collect::<String>()
            })
            .unwrap_or_default()
        };
        let text = format!(
            "{}\n{}\n{}\n{}\n",
            start
                .map(|s| s.iter().map(u32::to_string).collect::<Vec<_>>().join(" "))
                .unwrap_or_default(),
            bits(free),
            bits(within),
            limits
                .max_changes
                .map(|k| k.to_string())
                .unwrap_or_default()
        );
        let _ = stdin.write_all(text.as_bytes());
    }
    let Ok(out) = child.wait_with_output() else {
        return failed;
    };
    if !out.status.success() {
        eprintln!("  CBC solve failed ({}); continuing", out.status);
        return failed;
    }
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    exact::Outcome {
        assignment: v["assignment"].as_array().map(|a| {
            a.iter()
                .filter_map(|x| x.as_u64().and_then(|x| u32::try_from(x).ok()))
                .collect()
        }),
        proven: v["proven"].as_bool().unwrap_or(false),
        bound: v["bound"].as_f64().unwrap_or(f64::NAN),
        nodes: 0,
    }
}

/// The child side of [`isolated`]: `optima-full PxM SEED SECONDS NODES` (0 =
/// no limit), with four lines on stdin: the start assignment, the free
/// replicas and the allowed machines (0/1 strings, empty = all), and the
/// local-branching limit (empty = none); prints
/// `{assignment, proven, bound}`.
pub fn full_child(size: (usize, usize), seed: u64, secs: f64, nodes: u64) -> ExitCode {
    use std::io::Read;
    let inst = generate(size.0, size.1, seed);
    let mut text = String::new();
    let _ = std::io::stdin().read_to_string(&mut text);
    let mut lines = text.lines();
    let start: Vec<u32> = lines
        .next()
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    let bits = |l: Option<&str>| -> Option<Vec<bool>> {
        let l = l.unwrap_or("");
        (!l.is_empty()).then(|| l.bytes().map(|b| b == b'1').collect())
    };
    let free = bits(lines.next());
    let within = bits(lines.next());
    let max_changes = lines.next().and_then(|l| l.trim().parse().ok());
    let start = (start.len() == inst.problem.pods.len()).then_some(start);
    let out = exact::solve_within(
        &inst.problem,
        &Limits {
            max_nodes: (nodes > 0).then_some(nodes),
            seconds: (secs > 0.0).then_some(secs),
            max_changes,
        },
        start.as_deref(),
        free.as_deref(),
        within.as_deref(),
    );
    println!(
        "{}",
        json!({
            "assignment": out.assignment,
            "proven": out.proven,
            "bound": out.bound.is_finite().then_some(out.bound),
        })
    );
    ExitCode::SUCCESS
}

/// One large neighbourhood around `cur`: which replicas are free and, for
/// the restricted modes, which machines they may use. Modes 0–1: the
/// replicas on a seed machine and up to `k − 1` related machines (sharing a
/// model or cache key), kept on those machines; mode 2: the same replicas
/// free to go anywhere; mode 3: every replica of one model, on the machines
/// they use plus `k` others.
fn neighbourhood(
    pb: &Problem,
    cur: &[u32],
    rng: &mut Rng,
    mode: usize,
    k: usize,
) -> (Vec<bool>, Option<Vec<bool>>) {
    let n = pb.m();
    let mut ms = vec![false; n];
    let seed_p = rng.below(cur.len());
    if (4..=6).contains(&mode) {
        // Cross-model and tenant neighbourhoods: every replica of the seed's
        // model and of up to three models sharing a machine with it (modes
        // 4, 5), or of the seed's tenant (mode 6); on the machines they use
        // plus `k` others (4, 6) or anywhere (5).
        let free: Vec<bool> = if mode == 6 {
            let t = pb.pods[seed_p].tenant;
            pb.pods.iter().map(|p| p.tenant == t).collect()
        } else {
            let Some(x0) = pb.pods[seed_p].model else {
                return neighbourhood(pb, cur, rng, 0, k);
            };
            let hosts: Vec<u32> = (0..cur.len())
                .filter(|&p| pb.pods[p].model == Some(x0))
                .map(|p| cur[p])
                .collect();
            let mut others: Vec<u32> = Vec::new();
            for (p, &m) in cur.iter().enumerate() {
                if let Some(x) = pb.pods[p].model
                    && x != x0
                    && hosts.contains(&m)
                    && !others.contains(&x)
                {
                    others.push(x);
                }
            }
            let mut chosen = vec![x0];
            for _ in 0..1 + rng.below(3) {
                if others.is_empty() {
                    break;
                }
                chosen.push(others.swap_remove(rng.below(others.len())));
            }
            pb.pods
                .iter()
                .map(|p| p.model.is_some_and(|x| chosen.contains(&x)))
                .collect()
        };
        for (p, &m) in cur.iter().enumerate() {
            if free[p] {
                ms[m as usize] = true;
            }
        }
        for _ in 0..k {
            ms[rng.below(n)] = true;
        }
        return (free, (mode != 5).then_some(ms));
    }
    if mode == 3
        && let Some(mo) = pb.pods[seed_p].model
    {
        let free: Vec<bool> = pb.pods.iter().map(|p| p.model == Some(mo)).collect();
        for (p, &m) in cur.iter().enumerate() {
            if free[p] {
                ms[m as usize] = true;
            }
        }
        for _ in 0..k {
            ms[rng.below(n)] = true;
        }
        return (free, Some(ms));
    }
    let seed_m = cur[seed_p] as usize;
    ms[seed_m] = true;
    let mut related: Vec<usize> = Vec::new();
    for (q, &mq) in cur.iter().enumerate() {
        let shares = cur.iter().enumerate().any(|(p, &mp)| {
            mp as usize == seed_m
                && ((pb.pods[p].model.is_some() && pb.pods[p].model == pb.pods[q].model)
                    || pb.pods[p].keys.iter().any(|k| pb.pods[q].keys.contains(k)))
        });
        if shares && !ms[mq as usize] && !related.contains(&(mq as usize)) {
            related.push(mq as usize);
        }
    }
    let mut chosen = 1;
    while chosen < k && !related.is_empty() && rng.chance(3, 4) {
        let m = related.swap_remove(rng.below(related.len()));
        ms[m] = true;
        chosen += 1;
    }
    let mut tries = 0;
    while chosen < k && tries < 10 * n {
        tries += 1;
        let m = rng.below(n);
        if !ms[m] {
            ms[m] = true;
            chosen += 1;
        }
    }
    let free: Vec<bool> = cur.iter().map(|&m| ms[m as usize]).collect();
    (free, (mode < 2).then_some(ms))
}

/// Runs the oracle over sizes and seeds and prints the optima file; with
/// `merge`, entries of that file are kept unless the new run proves an
/// optimum or finds a lower best-known value for the same instance digest.
pub fn run(
    sizes: &[(usize, usize)],
    only_seeds: Option<Vec<u64>>,
    seconds: f64,
    merge: Option<&str>,
) -> ExitCode {
    let mut instances = merge
        .and_then(|t| serde_json::from_str::<Value>(t).ok())
        .and_then(|v| v.get("instances").and_then(Value::as_object).cloned())
        .unwrap_or_default();
    for &(p, m) in sizes {
        for seed in only_seeds.clone().unwrap_or_else(|| seeds(p)) {
            let inst = generate(p, m, seed);
            let old = instances.get(&inst.name);
            let previous = old
                .filter(|o| {
                    o["digest"] == json!(digest(&inst.problem))
                        && !o["source"].as_str().unwrap_or("amc").contains("amc")
                })
                .and_then(|o| o["assignment"].as_str())
                .map(|a| a.split(' ').filter_map(|x| x.parse::<u32>().ok()).collect());
            let continued = previous.is_some();
            let mut e = entry(&inst.problem, (p, m), seed, seconds, previous);
            e["command"] = json!(format!(
                "cargo run --release --features exact --bin amc-bench -- optima --sizes {p}x{m} --seeds {seed} --seconds {seconds}{}",
                if continued {
                    " --merge compiler/crates/bench/bench-data/optima.json"
                } else {
                    ""
                }
            ));
            if continued && let Some(old) = instances.get(&inst.name) {
                // Cumulative offline time, and the earlier command it continued.
                let secs =
                    old["seconds"].as_f64().unwrap_or(0.0) + e["seconds"].as_f64().unwrap_or(0.0);
                e["seconds"] = json!((secs * 10.0).round() / 10.0);
                e["continues"] = old["command"].clone();
            }
            eprintln!(
                "{}: optimum {} best known {} ({}, {} s)",
                inst.name, e["optimum"], e["best_known"], e["source"], e["seconds"]
            );
            let keep_old = instances.get(&inst.name).is_some_and(|old| {
                old["digest"] == e["digest"]
                    && !old["source"].as_str().unwrap_or("amc").contains("amc")
                    && (old["optimum"].is_i64()
                        || old["best_known"].as_i64().unwrap_or(i64::MAX)
                            <= e["best_known"].as_i64().unwrap_or(i64::MAX))
                    && !e["optimum"].is_i64()
            });
            if !keep_old {
                instances.insert(inst.name.clone(), e);
            }
        }
    }
    let v = json!({
        "generator": "amc bench::fleet v1",
        "solver": "CBC 2.10 (Debian coinor-libcbc-dev) via good_lp, single thread; each instance records the command that produced it",
        "note": "optimum: proven by CBC (or null); best_known: the lowest objective evaluated offline (baselines, CBC warm-started from the best baseline, then CBC MIP-LNS over sub-fleets with local-branching rounds; never an amc run); assignment: machine index per replica (space-separated) achieving best_known",
        "instances": instances,
    });
    println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    ExitCode::SUCCESS
}
