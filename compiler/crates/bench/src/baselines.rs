//! Baseline placers the benchmark compares amc against.
//!
//! Takes a prepared [`Problem`]; produces an assignment (unplaceable pods
//! left at [`NONE`]). `kube_like` imitates kube-scheduler's default profile
//! one pod at a time in queue order: Filter (compatibility, fit,
//! anti-affinity), adaptive `percentageOfNodesToScore` from a rotating start,
//! Score = LeastAllocated + BalancedAllocation + ImageLocality (on model
//! weights, with its spread factor and 23 MiB–1000 MiB clamp), weight 1
//! each, highest score wins, ties to the lowest index (kube breaks them at
//! random). `kube_prefix` adds an llm-d-style prefix score (weight 3 × share
//! of the pod's cache keys already on the node). `ffd` is first-fit
//! decreasing by dominant share, cost-oblivious. Deterministic, no I/O.

use amc_solve::problem::{CPU, MEM, NONE, Problem, UNBOUNDED, VRAM};
use amc_solve::state::State;

const MIB: f64 = (1u64 << 20) as f64;

fn least_allocated(pb: &Problem, s: &State, p: usize, m: usize) -> f64 {
    let d = pb.demand(p, m);
    let cap = &pb.machines[m].cap;
    let (mut sum, mut k) = (0.0, 0.0);
    for r in [CPU, MEM, VRAM] {
        if cap[r] == 0 || cap[r] == UNBOUNDED {
            continue;
        }
        let req = (s.used[m][r] + d[r]) as f64;
        let c = cap[r] as f64;
        sum += if req > c { 0.0 } else { (c - req) * 100.0 / c };
        k += 1.0;
    }
    if k == 0.0 { 0.0 } else { sum / k }
}

fn balanced(pb: &Problem, s: &State, p: usize, m: usize) -> f64 {
    let d = pb.demand(p, m);
    let cap = &pb.machines[m].cap;
    let mut fr = Vec::with_capacity(3);
    for r in [CPU, MEM, VRAM] {
        if cap[r] == 0 || cap[r] == UNBOUNDED {
            continue;
        }
        fr.push((((s.used[m][r] + d[r]) as f64) / cap[r] as f64).min(1.0));
    }
    if fr.len() < 2 {
        return 100.0;
    }
    let mean = fr.iter().sum::<f64>() / fr.len() as f64;
    let var = fr.iter().map(|f| (f - mean) * (f - mean)).sum::<f64>() / fr.len() as f64;
    (1.0 - var.sqrt()) * 100.0
}

/// Which kube-like variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kube {
    /// Default plugins.
    Plain,
    /// Plus a prefix-cache score.
    Prefix,
}

/// kube-scheduler-like sequential filter and score.
pub fn kube_like(pb: &Problem, variant: Kube) -> Vec<u32> {
    let n = pb.m();
    let mut s = State::new(pb);
    // Nodes holding each model's weights (resident or pulled by an earlier pod).
    let mut has_model = vec![false; pb.models.len() * n];
    let mut with_model = vec![0usize; pb.models.len()];
    for (i, m) in pb.machines.iter().enumerate() {
        for &(x, _) in &m.resident {
            has_model[x as usize * n + i] = true;
            with_model[x as usize] += 1;
        }
    }
    let pct = if n >= 100 {
        (50i64 - n as i64 / 125).max(5) as usize
    } else {
        100
    };
    let to_find = if n >= 100 {
        (n * pct / 100).max(100).min(n)
    } else {
        n
    };
    let mut start = 0usize;
    for p in 0..pb.pods.len() {
        let pod = &pb.pods[p];
        let mut best: Option<(f64, u32)> = None;
        let mut found = 0;
        let mut scanned = 0;
        while scanned < n && found < to_find {
            let m = (start + scanned) % n;
            scanned += 1;
            if !s.can_move(p, m as u32) {
                continue;
            }
            found += 1;
            let mut score = least_allocated(pb, &s, p, m) + balanced(pb, &s, p, m);
            if let Some(x) = pod.model
                && has_model[x as usize * n + m]
            {
                let size = pb.models[x as usize].size as f64;
                let spread = with_model[x as usize] as f64 / n as f64;
                let (lo, hi) = (23.0 * MIB, 1000.0 * MIB);
                let sum = (size * spread).clamp(lo, hi);
                score += 100.0 * (sum - lo) / (hi - lo);
            }
            if variant == Kube::Prefix && !pod.keys.is_empty() {
                let hit = pod
                    .keys
                    .iter()
                    .filter(|&&k| pb.is_warm(k, m as u32) || s.key_count(k, m) > 0)
                    .count();
                score += 3.0 * 100.0 * hit as f64 / pod.keys.len() as f64;
            }
            if best.is_none_or(|b| score > b.0) {
                best = Some((score, m as u32));
            }
        }
        start = (start + scanned) % n;
        if let Some((_, m)) = best {
            s.apply(p, m);
            if let Some(x) = pod.model {
                let i = x as usize * n + m as usize;
                if !has_model[i] {
                    has_model[i] = true;
                    with_model[x as usize] += 1;
                }
            }
        }
    }
    s.at
}

/// First-fit decreasing by dominant share; ignores every cost.
pub fn ffd(pb: &Problem) -> Vec<u32> {
    let mut s = State::new(pb);
    let maxcap: Vec<u64> = [CPU, MEM, VRAM]
        .iter()
        .map(|&r| {
            pb.machines
                .iter()
                .map(|m| m.cap[r])
                .filter(|&c| c != UNBOUNDED)
                .max()
                .unwrap_or(1)
                .max(1)
        })
        .collect();
    let mut order: Vec<usize> = (0..pb.pods.len()).collect();
    let share = |p: usize| {
        let d = pb.pods[p].demand;
        [CPU, MEM, VRAM]
            .iter()
            .enumerate()
            .map(|(i, &r)| (u128::from(d[r]) * 1_000_000 / u128::from(maxcap[i])) as u64)
            .max()
            .unwrap_or(0)
    };
    order.sort_by_key(|&p| (u64::MAX - share(p), p));
    for p in order {
        for &m in &pb.classes[pb.pods[p].class as usize].machines {
            if s.can_move(p, m) {
                s.apply(p, m);
                break;
            }
        }
    }
    let _ = NONE;
    s.at
}
