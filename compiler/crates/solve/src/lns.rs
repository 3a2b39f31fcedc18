//! Ruin-and-recreate: the large-neighbourhood search for mid-size fleets.
//!
//! Takes a complete [`State`]; removes the replicas of a few related machines,
//! of one model on a few of its hosts, of one cache key, or a random handful;
//! re-inserts them cheapest first (random, most-constrained or by-model order,
//! occasionally skipping a candidate), relocates the re-inserted ones, and
//! accepts the result when it is below the current cost plus a threshold that
//! falls linearly to zero with the iterations or the work budget. Returns the
//! best assignment seen. Randomness is the caller's seeded [`Rng`]; budgets
//! are work units, never time.

use super::moves::{Budget, Cands, Rng, best_machine, relocate_pass};
use super::problem::NONE;
use super::state::State;

/// Picks the pods to remove in one ruin step.
fn ruin(s: &State, c: &Cands, rng: &mut Rng, max: usize, out: &mut Vec<u32>) {
    out.clear();
    let pb = s.pb;
    let placed_pod = |rng: &mut Rng| -> Option<usize> {
        for _ in 0..8 {
            let p = rng.below(pb.pods.len());
            if s.at[p] != NONE {
                return Some(p);
            }
        }
        None
    };
    let Some(p0) = placed_pod(rng) else {
        return;
    };
    let a = s.at[p0];
    let push_machine = |m: u32, out: &mut Vec<u32>| {
        for &q in &s.on[m as usize] {
            if !out.contains(&q) {
                out.push(q);
            }
        }
    };
    match rng.below(5) {
        0 => {
            // A few related machines: the seed's, plus hosts of its model or keys.
            push_machine(a, out);
            let extra = 1 + rng.below(3);
            let pod = &pb.pods[p0];
            for _ in 0..extra {
                let pool: &[u32] = match (rng.below(3), pod.model) {
                    (0, Some(x)) => &s.model_hosts[x as usize],
                    (1, _) if !pod.keys.is_empty() => {
                        &s.key_hosts[pod.keys[rng.below(pod.keys.len())] as usize]
                    }
                    _ => &pb.classes[pod.class as usize].machines,
                };
                if !pool.is_empty() {
                    push_machine(pool[rng.below(pool.len())], out);
                }
            }
        }
        1 => {
            // The pods of one model on a few of its hosts.
            if let Some(x) = pb.pods[p0].model {
                let hosts = &s.model_hosts[x as usize];
                let h = 2 + rng.below(3);
                let start = rng.below(hosts.len().max(1));
                let chosen: Vec<u32> = (0..h.min(hosts.len()))
                    .map(|i| hosts[(start + i) % hosts.len()])
                    .collect();
                for &q in &c.pods_of_model[x as usize] {
                    if chosen.contains(&s.at[q as usize]) {
                        out.push(q);
                    }
                }
            }
            if out.is_empty() {
                push_machine(a, out);
            }
        }
        2 => {
            // The users of one cache key on a few of its hosts.
            let keys = &pb.pods[p0].keys;
            if !keys.is_empty() {
                let k = keys[rng.below(keys.len())] as usize;
                let hosts = &s.key_hosts[k];
                let h = 2 + rng.below(3);
                let start = rng.below(hosts.len().max(1));
                let chosen: Vec<u32> = (0..h.min(hosts.len()))
                    .map(|i| hosts[(start + i) % hosts.len()])
                    .collect();
                for &q in &c.pods_of_key[k] {
                    if chosen.contains(&s.at[q as usize]) {
                        out.push(q);
                    }
                }
            }
            if out.is_empty() {
                push_machine(a, out);
            }
        }
        3 => {
            // Every replica of the seed's model and of one or two models
            // sharing a machine with it: moves staging between models.
            if let Some(x0) = pb.pods[p0].model {
                let mut models = vec![x0];
                let hosts = &s.model_hosts[x0 as usize];
                for _ in 0..1 + rng.below(2) {
                    if hosts.is_empty() {
                        break;
                    }
                    let h = hosts[rng.below(hosts.len())] as usize;
                    let on = &s.on[h];
                    if let Some(x) = pb.pods[on[rng.below(on.len())] as usize].model
                        && !models.contains(&x)
                    {
                        models.push(x);
                    }
                }
                for &x in &models {
                    out.extend_from_slice(&c.pods_of_model[x as usize]);
                }
            }
            if out.is_empty() {
                push_machine(a, out);
            }
        }
        _ => {
            // Random replicas.
            let r = 2 + rng.below(8);
            for _ in 0..r {
                if let Some(q) = placed_pod(rng)
                    && !out.contains(&(q as u32))
                {
                    out.push(q as u32);
                }
            }
        }
    }
    while out.len() > max {
        let i = rng.below(out.len());
        out.swap_remove(i);
    }
}

/// Parameters of ruin-and-recreate.
#[derive(Debug, Clone, Copy)]
pub struct Lns {
    /// Iterations at most.
    pub iterations: u64,
    /// Most pods removed at once.
    pub max_removed: usize,
    /// Initial acceptance threshold, in ‰ of the objective.
    pub threshold_permille: i64,
}

/// Ruin-and-recreate with threshold acceptance; returns the best assignment seen.
pub fn ruin_recreate(
    s: &mut State,
    c: &mut Cands,
    cfg: Lns,
    rng: &mut Rng,
    b: &mut Budget,
) -> Vec<u32> {
    let pb = s.pb;
    let mut best = s.at.clone();
    let mut best_total = s.total();
    let mut removed: Vec<u32> = Vec::new();
    let mut buf: Vec<u32> = Vec::new();
    s.commit();
    let t0 = (best_total.max(1) * cfg.threshold_permille) / 1000;
    let start_left = b.left;
    for it in 0..cfg.iterations {
        if b.left == 0 {
            break;
        }
        let before = s.total();
        let mark = s.mark();
        ruin(s, c, rng, cfg.max_removed, &mut removed);
        removed.retain(|&q| s.can_leave(q as usize));
        if removed.is_empty() {
            continue;
        }
        for &q in &removed {
            s.apply(q as usize, NONE);
        }
        match rng.below(3) {
            0 => {
                for i in (1..removed.len()).rev() {
                    let j = rng.below(i + 1);
                    removed.swap(i, j);
                }
            }
            1 => removed.sort_by_key(|&q| {
                let pod = &pb.pods[q as usize];
                (
                    pb.classes[pod.class as usize].machines.len(),
                    u64::MAX - pod.demand[1],
                    q,
                )
            }),
            _ => removed.sort_by_key(|&q| {
                let pod = &pb.pods[q as usize];
                (
                    pod.model
                        .map(|x| u64::MAX - pb.models[x as usize].size)
                        .unwrap_or(u64::MAX),
                    pod.model,
                    q,
                )
            }),
        }
        let mut failed = false;
        for &q in &removed {
            let q = q as usize;
            c.fill(s, q, &mut buf);
            b.spend(buf.len() as u64 + 1);
            // Blinks: skip a candidate now and then, to diversify.
            let mut pick: Option<(i64, u32)> = None;
            for &m in &buf {
                if rng.chance(1, 40) {
                    continue;
                }
                let d = s.insert_delta(q, m);
                if pick.is_none_or(|x| (d, m) < x) && s.can_move(q, m) {
                    pick = Some((d, m));
                }
            }
            match pick.or_else(|| best_machine(s, q, &buf)) {
                Some((_, m)) => s.apply(q, m),
                None => {
                    failed = true;
                    break;
                }
            }
        }
        if !failed {
            relocate_pass(s, c, &removed, b, &mut buf);
        }
        let after = s.total();
        // The threshold falls linearly with the iterations or the budget, whichever runs out first.
        let by_iter = (cfg.iterations - it) as i64 * 1000 / cfg.iterations.max(1) as i64;
        let by_work = (b.left.min(start_left) as i128 * 1000 / start_left.max(1) as i128) as i64;
        let threshold = t0 * by_iter.min(by_work) / 1000;
        if !failed && after < before + threshold {
            s.commit();
            if after < best_total {
                best_total = after;
                best.clone_from(&s.at);
            }
        } else {
            s.rollback(mark);
        }
    }
    best
}
