//! Construction: a first complete placement, most-constrained pod first.
//!
//! Takes a prepared [`Problem`]; produces a [`State`] in which every pod sits
//! on its cheapest feasible machine at the time it was placed, in one of two
//! orders (fewest compatible machines first, or grouped by model, largest
//! first). Pods nothing fits are then repaired by bounded ejection chains and,
//! on small problems, by an exhaustive feasibility search with a node budget,
//! so a pod stays unplaced only when no placement exists or the budget ran
//! out. Ties break on the lower machine index. Never uses randomness.

pub use super::moves::best_machine;
use super::problem::{CPU, MEM, NONE, Problem, VRAM};
use super::state::State;

/// Construction order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Fewest compatible machines first, then largest demand.
    MostConstrained,
    /// Grouped by model (largest model first), most constrained within a model.
    ByModel,
}

/// Dominant share of each pod against the largest machine per resource: a
/// cheap, machine-free size proxy (largest first).
fn size_keys(pb: &Problem) -> Vec<u64> {
    let maxcap: Vec<(usize, u64)> = [CPU, MEM, VRAM]
        .iter()
        .map(|&r| {
            let c = pb
                .machines
                .iter()
                .map(|m| m.cap[r])
                .filter(|&c| c != super::problem::UNBOUNDED)
                .max()
                .unwrap_or(0);
            (r, c)
        })
        .collect();
    pb.pods
        .iter()
        .map(|pod| {
            maxcap
                .iter()
                .filter(|(_, c)| *c > 0)
                .map(|&(r, c)| (u128::from(pod.demand[r]) * 1_000_000 / u128::from(c)) as u64)
                .max()
                .unwrap_or(0)
        })
        .collect()
}

/// Pods in construction order.
pub fn order(pb: &Problem, how: Order) -> Vec<u32> {
    let sizes = size_keys(pb);
    let mut v: Vec<u32> = (0..pb.pods.len() as u32).collect();
    let constrained = |p: u32| {
        let pod = &pb.pods[p as usize];
        let n = pb.classes[pod.class as usize].machines.len();
        // Pods that require another set go after that set's pods.
        (usize::from(!pod.requires.is_empty()), n)
    };
    match how {
        Order::MostConstrained => v.sort_by_key(|&p| {
            let (dep, n) = constrained(p);
            (
                dep,
                n,
                u64::MAX - sizes[p as usize],
                pb.pods[p as usize].set,
                p,
            )
        }),
        Order::ByModel => v.sort_by_key(|&p| {
            let pod = &pb.pods[p as usize];
            let model_size = pod.model.map(|x| pb.models[x as usize].size).unwrap_or(0);
            let (dep, n) = constrained(p);
            (
                dep,
                u64::MAX - model_size,
                pod.model.unwrap_or(NONE),
                pod.tenant,
                n,
                u64::MAX - sizes[p as usize],
                p,
            )
        }),
    }
    v
}

/// Cheapest machine for `p` when the staging a machine would need is shared
/// by the pods of the model still to come (as many as fit there): the
/// greedy then opens machines that can take the model's later pods too.
fn best_amortised(
    s: &State,
    p: usize,
    machines: &[u32],
    model_left: u32,
    key_left: &[u32],
) -> Option<(i64, u32)> {
    let pb = s.pb;
    let pod = &pb.pods[p];
    let mut best: Option<(i64, u32)> = None;
    let rd = s.remove_delta(p);
    for &m in machines {
        if s.at[p] == m {
            continue;
        }
        let mi = m as usize;
        let mut d = rd + s.insert_delta(p, m);
        // How many pods like this one still fit on m.
        let fit = || {
            let dem = pb.demand(p, mi);
            let cap = &pb.tables.limits[mi].cap;
            let mut fit = u64::MAX;
            for r in 0..super::problem::R {
                if dem[r] > 0 && cap[r] != super::problem::UNBOUNDED {
                    fit = fit.min(cap[r].saturating_sub(s.used[mi][r]) / dem[r]);
                }
            }
            fit.max(1)
        };
        let mut room: Option<u64> = None;
        let share = |left: u32, room: &mut Option<u64>| {
            let f = *room.get_or_insert_with(fit);
            i64::try_from(f.min(u64::from(left)).max(1)).unwrap_or(1)
        };
        if let Some(x) = pod.model
            && model_left > 1
            && !s.model_here(x, mi)
        {
            let stage = pb.weights.stage * pb.stage_ms(x, mi);
            if stage > 0 {
                let n = share(model_left, &mut room);
                d -= stage - stage / n;
            }
        }
        for &k in &pod.keys {
            let left = key_left[k as usize];
            if left > 1 && !s.key_free(k, mi) {
                let warm = pb.weights.warm * pb.tables.key_ms[k as usize];
                if warm > 0 {
                    let n = share(left, &mut room);
                    d -= warm - warm / n;
                }
            }
        }
        if best.is_none_or(|b| (d, m) < b) && s.can_move(p, m) {
            best = Some((d, m));
        }
    }
    best
}

/// Greedy placement in the given order, then repair of the pods left over.
/// With `cands`, large classes are scanned through candidate lists (hosts of
/// the pod's model and keys plus a rotating window), falling back to the
/// whole class when none of them fits.
pub fn construct<'a>(
    pb: &'a Problem,
    how: Order,
    budget: &mut u64,
    mut cands: Option<&mut super::moves::Cands>,
) -> State<'a> {
    let mut s = State::new(pb);
    keep_incumbent(&mut s, budget);
    let mut buf = Vec::new();
    let mut left = vec![0u32; pb.models.len()];
    let mut key_left = vec![0u32; pb.keys.len()];
    for p in &pb.pods {
        if let Some(x) = p.model {
            left[x as usize] += 1;
        }
        for &k in &p.keys {
            key_left[k as usize] += 1;
        }
    }
    for p in order(pb, how) {
        let p = p as usize;
        // A replica kept on its incumbent machine is already placed.
        if s.at[p] == NONE {
            let ms = &pb.classes[pb.pods[p].class as usize].machines;
            let remaining = pb.pods[p].model.map(|x| left[x as usize]).unwrap_or(0);
            let amortise = how == Order::ByModel;
            let kl = &key_left;
            let choose = |s: &State, list: &[u32]| {
                if amortise {
                    best_amortised(s, p, list, remaining, kl)
                } else {
                    best_machine(s, p, list)
                }
            };
            let mut pick = None;
            if let Some(c) = cands.as_deref_mut() {
                c.fill(&s, p, &mut buf);
                *budget = budget.saturating_sub(buf.len() as u64);
                pick = choose(&s, &buf);
            }
            if pick.is_none() {
                *budget = budget.saturating_sub(ms.len() as u64);
                pick = choose(&s, ms);
            }
            if let Some((_, m)) = pick {
                s.apply(p, m);
            }
        }
        if let Some(x) = pb.pods[p].model {
            left[x as usize] -= 1;
        }
        for &k in &pb.pods[p].keys {
            key_left[k as usize] -= 1;
        }
    }
    s.commit();
    repair(&mut s, budget);
    s
}

/// Stable placement: puts every replica that has an incumbent machine back
/// on it while it still fits (a replica that needs another set's replica
/// beside it may come after that one, so until a pass adds nothing).
fn keep_incumbent(s: &mut State, budget: &mut u64) {
    let pb = s.pb;
    loop {
        let mut added = false;
        for (p, &m) in pb.incumbent.iter().enumerate() {
            *budget = budget.saturating_sub(1);
            if m != NONE && s.at[p] == NONE && s.can_move(p, m) {
                s.apply(p, m);
                added = true;
            }
        }
        if !added {
            break;
        }
    }
    s.commit();
}

/// Tries to place every unplaced pod: ejection chains (depth 2), then, for
/// small problems, an exhaustive search. Keeps placed pods placed.
pub fn repair(s: &mut State, budget: &mut u64) {
    let unplaced: Vec<usize> = (0..s.at.len()).filter(|&p| s.at[p] == NONE).collect();
    for p in unplaced {
        let mut work = 200_000u64;
        let mark = s.mark();
        if !eject(s, p, 2, &mut work) {
            s.rollback(mark);
        }
        *budget = budget.saturating_sub(200_000 - work);
    }
    s.commit();
    if s.at.contains(&NONE) {
        let mut work = 2_000_000u64;
        exhaustive(s, &mut work);
        *budget = budget.saturating_sub(2_000_000 - work);
        s.commit();
    }
}

/// Places `p`, ejecting pods in the way and re-placing them (recursively, `depth` levels).
fn eject(s: &mut State, p: usize, depth: u32, work: &mut u64) -> bool {
    let pb = s.pb;
    let ms = &pb.classes[pb.pods[p].class as usize].machines;
    if let Some((_, m)) = best_machine(s, p, ms) {
        s.apply(p, m);
        return true;
    }
    if depth == 0 {
        return false;
    }
    for &m in ms {
        let others: Vec<u32> = s.on[m as usize].clone();
        for &q in &others {
            if *work == 0 {
                return false;
            }
            *work -= 1;
            let q = q as usize;
            if !s.can_leave(q) {
                continue;
            }
            let mark = s.mark();
            s.apply(q, NONE);
            if s.can_move(p, m) {
                s.apply(p, m);
                if eject(s, q, depth - 1, work) {
                    return true;
                }
            }
            s.rollback(mark);
        }
    }
    false
}

/// Depth-first search over all assignments of the unplaced pods plus, if
/// needed, every other pod; stops at the first complete placement.
fn exhaustive(s: &mut State, work: &mut u64) {
    let pb = s.pb;
    // Start from scratch with the most constrained order; keep the result only if complete.
    let ord = order(pb, Order::MostConstrained);
    let mut t = State::new(pb);
    if dfs(&mut t, &ord, 0, work) {
        let at = t.at.clone();
        let mark = s.mark();
        for (p, &m) in at.iter().enumerate() {
            if s.at[p] != m {
                s.apply(p, NONE);
            }
        }
        for (p, &m) in at.iter().enumerate() {
            if s.at[p] != m {
                s.apply(p, m);
            }
        }
        if s.at.contains(&NONE) {
            s.rollback(mark);
        }
    }
}

fn dfs(t: &mut State, ord: &[u32], i: usize, work: &mut u64) -> bool {
    let Some(&p) = ord.get(i) else {
        return true;
    };
    let p = p as usize;
    let pb = t.pb;
    for &m in &pb.classes[pb.pods[p].class as usize].machines {
        if *work == 0 {
            return false;
        }
        *work -= 1;
        if t.can_move(p, m) {
            t.apply(p, m);
            if dfs(t, ord, i + 1, work) {
                return true;
            }
            t.apply(p, NONE);
        }
    }
    false
}

/// For an infeasible problem: places deployments in spec order, each replica
/// given every earlier one (ejection chains, then an exhaustive search of the
/// placed replicas plus this one), and leaves unplaced the first replica of
/// each deployment that does not fit. The E0501 report then blames the pod
/// that breaks feasibility given the pods written before it.
pub fn blame<'a>(pb: &'a Problem, work: &mut u64) -> State<'a> {
    let mut s = State::new(pb);
    let rank: Vec<u32> = {
        let ord = order(pb, Order::MostConstrained);
        let mut r = vec![0u32; pb.pods.len()];
        for (i, &p) in ord.iter().enumerate() {
            r[p as usize] = i as u32;
        }
        r
    };
    for set in &pb.tables.set_pods {
        for &p in set {
            let p = p as usize;
            let mut w = 100_000u64;
            let mark = s.mark();
            if eject(&mut s, p, 2, &mut w) {
                *work = work.saturating_sub(100_000 - w);
                continue;
            }
            s.rollback(mark);
            // A replica no machine can take breaks its deployment whatever
            // else is placed: no search needed.
            if pb.classes[pb.pods[p].class as usize].machines.is_empty() {
                break;
            }
            // The exhaustive search below costs O(pods + machines) to set up;
            // charge it, so n infeasible deployments cost O(budget), not O(n²).
            let setup = (pb.pods.len() + pb.m()) as u64;
            if *work < setup {
                break;
            }
            *work -= setup;
            let mut ord: Vec<u32> = (0..pb.pods.len() as u32)
                .filter(|&q| s.at[q as usize] != NONE || q as usize == p)
                .collect();
            ord.sort_by_key(|&q| rank[q as usize]);
            let mut t = State::new(pb);
            let mut w = (*work).min(1_000_000);
            let before = w;
            let found = dfs(&mut t, &ord, 0, &mut w);
            *work = work.saturating_sub(before - w);
            if found {
                s = t;
                s.commit();
            } else {
                break;
            }
        }
    }
    s.commit();
    s
}
