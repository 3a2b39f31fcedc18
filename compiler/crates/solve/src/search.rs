//! Improvement: the solver's driver and its local search.
//!
//! Takes a prepared problem and a [`Config`]; produces a [`Solution`]:
//! construction (`construct`), descent, ruin-and-recreate (`lns`), descent.
//! Moves: relocate one replica, swap two, close a model or a cache key on a
//! machine (move all its users elsewhere), block-move a model's replicas.
//! Candidate machines are incremental:
//! machines already holding the pod's model or keys, residency and warm
//! lists, plus a rotating window of compatible machines. Budgets count work
//! (move evaluations), never time; the random stream is our own SplitMix64
//! seeded from the input, so results are identical on every run and machine.

use super::construct::repair;
use super::lns::{Lns, ruin_recreate};
use super::problem::{NONE, Problem};
use super::state::State;

pub use super::moves::{Budget, Cands, FAST_ABOVE, FAST_PER_LIST, Mode, Rng};
use super::moves::{Target, best_machine, relocate_pass};

fn differs(pb: &Problem, p: usize, q: usize) -> bool {
    let (a, b) = (&pb.pods[p], &pb.pods[q]);
    a.model != b.model || a.keys != b.keys || a.demand != b.demand || a.set == b.set
}

fn swap_pass(s: &mut State, c: &mut Cands, b: &mut Budget, buf: &mut Vec<u32>) -> bool {
    let pb = s.pb;
    let mut improved = false;
    let mut others: Vec<u32> = Vec::new();
    for p in 0..pb.pods.len() {
        let a = s.at[p];
        if a == NONE {
            continue;
        }
        c.fill(s, p, buf);
        let mut best: Option<(i64, usize)> = None;
        for &m in buf.iter() {
            others.clear();
            others.extend_from_slice(&s.on[m as usize]);
            if !b.spend(others.len() as u64 * 4 + 1) {
                return improved;
            }
            for &q in &others {
                let q = q as usize;
                if !differs(pb, p, q) || !pb.classes[pb.pods[q].class as usize].allows(a) {
                    continue;
                }
                let before = s.total();
                let mark = s.mark();
                s.apply(q, NONE);
                let ok = s.can_move(p, m) && {
                    s.apply(p, m);
                    s.can_move(q, a)
                };
                if ok {
                    s.apply(q, a);
                    let d = s.total() - before;
                    if d < 0 && best.is_none_or(|x| d < x.0) {
                        best = Some((d, q));
                    }
                }
                s.rollback(mark);
            }
        }
        if let Some((_, q)) = best {
            let m = s.at[q];
            s.apply(q, NONE);
            s.apply(p, m);
            s.apply(q, a);
            improved = true;
        }
    }
    improved
}

/// Ejection chain of depth two: moves `q` (leaving machine `n`) onto one of
/// the candidate machines in `hosts` where it does not fit by first moving one
/// pod already there to its cheapest other machine. Returns the cheapest
/// such pair as (objective delta, machine for `q`, ejected pod, its machine);
/// the state is unchanged.
fn eject_into(
    s: &mut State,
    c: &mut Cands,
    q: usize,
    n: u32,
    b: &mut Budget,
    hosts: &[u32],
) -> Option<(i64, u32, usize, u32)> {
    let pb = s.pb;
    let before = s.total();
    let mut best: Option<(i64, u32, usize, u32)> = None;
    let mut cands: Vec<u32> = Vec::new();
    for &m in hosts {
        if m == n || !pb.classes[pb.pods[q].class as usize].allows(m) {
            continue;
        }
        let victims: Vec<u32> = s.on[m as usize].clone();
        for r in victims {
            let r = r as usize;
            if pb.pods[r].model == pb.pods[q].model || !s.can_leave(r) {
                continue;
            }
            let mark = s.mark();
            s.apply(r, NONE);
            if s.can_move(q, m) {
                s.apply(q, m);
                c.fill(s, r, &mut cands);
                cands.retain(|&x| x != m && x != n);
                if !b.spend(cands.len() as u64 + 2) {
                    s.rollback(mark);
                    return best;
                }
                if let Some((_, to)) = best_machine(s, r, &cands) {
                    s.apply(r, to);
                    let d = s.total() - before;
                    if best.is_none_or(|x| (d, m, r, to) < x) {
                        best = Some((d, m, r, to));
                    }
                }
            }
            s.rollback(mark);
        }
    }
    best
}

/// Moves every pod in `pods` (all on machine `n`) elsewhere, with ejection
/// chains when `eject`; keeps it if cheaper.
#[allow(clippy::too_many_arguments)]
fn close(
    s: &mut State,
    c: &mut Cands,
    pods: &[u32],
    t: Target,
    n: u32,
    b: &mut Budget,
    buf: &mut Vec<u32>,
    eject: bool,
) -> bool {
    let before = s.total();
    let mark = s.mark();
    for &q in pods {
        let q = q as usize;
        if !s.can_leave(q) {
            s.rollback(mark);
            return false;
        }
        c.fill_hosts(s, q, t, n, buf);
        b.spend(buf.len() as u64 + 1);
        let direct = best_machine(s, q, buf);
        // Ejection chains onto the machines that already hold the model or
        // key, when going there directly is impossible.
        let chain = if eject {
            let hosts: Vec<u32> = buf
                .iter()
                .copied()
                .filter(|&m| {
                    let m = m as usize;
                    let held = match t {
                        Target::Model(x) => s.model_count(x, m) > 0 || s.pb.stage_ms(x, m) == 0,
                        Target::Key(k) => s.key_count(k, m) > 0 || s.pb.warm_ms(k, m) == 0,
                    };
                    held && !s.can_move(q, m as u32)
                })
                .collect();
            eject_into(s, c, q, n, b, &hosts)
        } else {
            None
        };
        match (direct, chain) {
            (_, Some((d, m, r, to))) if direct.is_none_or(|x| d < x.0) => {
                s.apply(r, to);
                s.apply(q, m);
            }
            (Some((_, m)), _) => s.apply(q, m),
            (None, _) => {
                s.rollback(mark);
                return false;
            }
        }
    }
    if s.total() < before {
        true
    } else {
        s.rollback(mark);
        false
    }
}

/// Moves all of `pods` (one model's replicas on machine `n`) together to the
/// one machine where that is cheapest; keeps it if cheaper than staying.
fn block_move(
    s: &mut State,
    c: &mut Cands,
    pods: &[u32],
    n: u32,
    b: &mut Budget,
    buf: &mut Vec<u32>,
) -> bool {
    let Some(&first) = pods.first() else {
        return false;
    };
    if pods.iter().any(|&q| !s.can_leave(q as usize)) {
        return false;
    }
    c.fill(s, first as usize, buf);
    let before = s.total();
    let mut best: Option<(i64, u32)> = None;
    for &m in buf.iter() {
        if m == n {
            continue;
        }
        b.spend(pods.len() as u64 * 2);
        let mark = s.mark();
        let mut ok = true;
        for &q in pods {
            if s.can_move(q as usize, m) {
                s.apply(q as usize, m);
            } else {
                ok = false;
                break;
            }
        }
        let t = s.total();
        s.rollback(mark);
        if ok && t < before && best.is_none_or(|x| (t, m) < x) {
            best = Some((t, m));
        }
    }
    match best {
        Some((_, m)) => {
            for &q in pods {
                s.apply(q as usize, m);
            }
            true
        }
        None => false,
    }
}

fn close_pass(
    s: &mut State,
    c: &mut Cands,
    b: &mut Budget,
    buf: &mut Vec<u32>,
    block: bool,
) -> bool {
    let pb = s.pb;
    let mut improved = false;
    let mut group: Vec<u32> = Vec::new();
    for x in 0..pb.models.len() {
        let hosts = s.model_hosts[x].clone();
        for n in hosts {
            if pb.stage_ms(x as u32, n as usize) == 0 || b.left == 0 {
                continue;
            }
            group.clear();
            group.extend(
                s.on[n as usize]
                    .iter()
                    .copied()
                    .filter(|&q| c.model_of[q as usize] == x as u32),
            );
            if group.is_empty() {
                continue;
            }
            if close(s, c, &group, Target::Model(x as u32), n, b, buf, block) {
                improved = true;
            } else if block {
                improved |= block_move(s, c, &group, n, b, buf);
            }
        }
    }
    for k in 0..pb.keys.len() {
        let hosts = s.key_hosts[k].clone();
        for n in hosts {
            if pb.warm_ms(k as u32, n as usize) == 0 || b.left == 0 {
                continue;
            }
            group.clear();
            group.extend(s.on[n as usize].iter().copied().filter(|&q| {
                c.key_sig[q as usize] & (1 << (k % 64)) != 0
                    && pb.pods[q as usize].keys.contains(&(k as u32))
            }));
            if group.is_empty() {
                continue;
            }
            improved |= close(s, c, &group, Target::Key(k as u32), n, b, buf, block);
        }
    }
    improved
}

/// Which moves a descent uses.
#[derive(Debug, Clone, Copy)]
pub struct Moves {
    /// Swap two replicas.
    pub swap: bool,
    /// Close a model or key on a machine (with `swap`, also block moves of a model's replicas).
    pub close: bool,
    /// Maximum passes.
    pub passes: u32,
}

/// Local descent until no move improves or the budget or pass limit is reached.
pub fn descend(s: &mut State, c: &mut Cands, moves: Moves, b: &mut Budget) {
    let all: Vec<u32> = (0..s.pb.pods.len() as u32).collect();
    let mut buf = Vec::new();
    for _ in 0..moves.passes {
        let mut improved = relocate_pass(s, c, &all, b, &mut buf);
        if moves.close && b.left > 0 {
            improved |= close_pass(s, c, b, &mut buf, moves.swap);
        }
        if moves.swap && b.left > 0 && !improved {
            improved |= swap_pass(s, c, b, &mut buf);
        }
        if !improved || b.left == 0 {
            break;
        }
    }
}

/// Solver settings.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Work units for the whole solve.
    pub budget: u64,
    /// Seed of the random stream (derive it from the input).
    pub seed: u64,
    /// Search mode.
    pub mode: Mode,
    /// Ruin-and-recreate: most replicas removed at once.
    pub max_removed: usize,
    /// Ruin-and-recreate: initial acceptance threshold in ‰ of the objective
    /// (of the first chain; chain i uses 1 + 6·i times as much).
    pub threshold_permille: i64,
    /// Ruin-and-recreate: independent chains sharing the budget.
    pub chains: u32,
}

impl Config {
    /// The default settings for a problem of this size.
    pub fn for_problem(pb: &Problem, seed: u64) -> Config {
        let p = pb.pods.len() as u64;
        Config {
            budget: (8_000_000 + 60_000 * p).min(48_000_000),
            seed,
            mode: if pb.pods.len() > FAST_ABOVE {
                Mode::Fast
            } else {
                Mode::Full
            },
            max_removed: 80,
            threshold_permille: 3,
            chains: 2,
        }
    }
}

/// Result of a solve.
#[derive(Debug, Clone)]
pub struct Solution {
    /// Machine per pod ([`NONE`] = unplaced).
    pub at: Vec<u32>,
    /// Work units spent.
    pub work: u64,
}

/// The default solver: construction portfolio, descent, ruin-and-recreate, descent.
pub fn optimise(pb: &Problem, cfg: &Config) -> Solution {
    use super::construct::{Order, construct};
    let mut b = Budget { left: cfg.budget };
    let mut c = Cands::for_mode(pb, cfg.mode);
    let large = cfg.mode == Mode::Fast;
    let orders: &[Order] = if large {
        &[Order::ByModel]
    } else {
        &[Order::MostConstrained, Order::ByModel]
    };
    let mut best: Option<(i64, Vec<u32>)> = None;
    for &o in orders {
        let mut work = b.left;
        let mut s = construct(pb, o, &mut work, Some(&mut c));
        b.left = work;
        // Swaps come after ruin-and-recreate: before it they only spend budget.
        let moves = Moves {
            swap: false,
            close: true,
            passes: if large { 1 } else { 20 },
        };
        descend(&mut s, &mut c, moves, &mut b);
        let t = s.total();
        if best.as_ref().is_none_or(|x| t < x.0) {
            best = Some((t, s.at.clone()));
        }
    }
    let at = best
        .map(|x| x.1)
        .unwrap_or_else(|| vec![NONE; pb.pods.len()]);
    let used = cfg.budget - b.left.min(cfg.budget);
    let mut sol = improve(
        pb,
        &Config {
            budget: b.left,
            ..*cfg
        },
        at,
    );
    sol.work += used;
    sol
}

/// Improves a given assignment: ruin-and-recreate, then a final descent.
pub fn improve(pb: &Problem, cfg: &Config, at: Vec<u32>) -> Solution {
    let mut b = Budget { left: cfg.budget };
    let mut c = Cands::for_mode(pb, cfg.mode);
    let large = cfg.mode == Mode::Fast;
    let mut s = State::from_assignment(pb, &at);
    if s.at.contains(&NONE) {
        let mut w = b.left;
        repair(&mut s, &mut w);
        b.left = w;
    }
    if !large && pb.pods.len() > 1 {
        let reserve = b.left / 10;
        let chains = u64::from(cfg.chains.max(1));
        let share = (b.left - reserve) / chains;
        let mut left = reserve + (b.left - reserve) % chains;
        let start = s.at.clone();
        let mut best: Option<(i64, Vec<u32>)> = None;
        // Independent ruin-and-recreate chains from the same start, each
        // with its own random stream and a wider acceptance threshold than
        // the one before; the best result wins (ties: the earlier chain).
        for i in 0..chains {
            let mut rng = Rng::new(cfg.seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let mut main = Budget { left: share };
            let lns = Lns {
                iterations: (main.left / 400).max(1),
                max_removed: cfg.max_removed,
                threshold_permille: cfg.threshold_permille * (1 + 6 * i as i64),
            };
            let mut chain = State::from_assignment(pb, &start);
            let at = ruin_recreate(&mut chain, &mut c, lns, &mut rng, &mut main);
            let t = State::from_assignment(pb, &at).total();
            if best.as_ref().is_none_or(|x| t < x.0) {
                best = Some((t, at));
            }
            left += main.left;
        }
        if let Some((_, at)) = best {
            s = State::from_assignment(pb, &at);
        }
        b.left = left;
    }
    descend(
        &mut s,
        &mut c,
        Moves {
            swap: !large,
            close: true,
            passes: if large { 1 } else { 20 },
        },
        &mut b,
    );
    if s.at.contains(&NONE) {
        let mut w = b.left;
        repair(&mut s, &mut w);
    }
    Solution {
        work: cfg.budget - b.left.min(cfg.budget),
        at: canonical(pb, s.at),
    }
}

/// Replicas of one set are interchangeable (same class, demand, groups and
/// cost): give them their machines in ascending order, so equal placements
/// print the same.
pub fn canonical(pb: &Problem, mut at: Vec<u32>) -> Vec<u32> {
    for pods in &pb.tables.set_pods {
        let mut ms: Vec<u32> = pods.iter().map(|&p| at[p as usize]).collect();
        ms.sort_unstable();
        for (&p, m) in pods.iter().zip(ms) {
            at[p as usize] = m;
        }
    }
    at
}

/// Problems of at most this many replicas are first searched exhaustively.
pub const ENUMERATE_MAX_PODS: usize = 48;

/// The most search nodes [`enumerate`] visits before it gives up.
pub const ENUMERATE_NODES: u64 = 20_000;

/// The optimum of a small problem, by depth-first branch and bound over
/// the complete feasible assignments (replicas of one set take their
/// machines in ascending order: they are interchangeable, so the other
/// orders are the same placements). Ties go to the first found, in the
/// fixed order of pods, the machines of each tried cheapest next step first.
/// `None` when the problem is larger than
/// [`ENUMERATE_MAX_PODS`], has no complete assignment, or the search needs
/// more than `limit` nodes: then the result would not be proven optimal and
/// the default solver runs instead.
pub fn enumerate(pb: &Problem, limit: u64) -> Option<Solution> {
    if pb.pods.is_empty() || pb.pods.len() > ENUMERATE_MAX_PODS {
        return None;
    }
    let ord = super::construct::order(pb, super::construct::Order::MostConstrained);
    // The least load each replica still to place adds (load is per replica),
    // summed from each depth on: part of the bound.
    let mut rest = vec![0i64; ord.len() + 1];
    for (i, &p) in ord.iter().enumerate().rev() {
        let p = p as usize;
        let least = pb.classes[pb.pods[p].class as usize]
            .machines
            .iter()
            .map(|&m| pb.weights.load * pb.load_ms(p, m as usize))
            .min()
            .unwrap_or(0);
        rest[i] = rest[i + 1] + least;
    }
    let mut en = Enum {
        ord,
        rest,
        left: limit,
        best: None,
        floor: vec![0; pb.sets.len()],
    };
    let mut s = State::new(pb);
    if !en.dfs(&mut s, 0) {
        return None;
    }
    let (_, at) = en.best?;
    Some(Solution {
        work: limit - en.left,
        at: canonical(pb, at),
    })
}

struct Enum {
    ord: Vec<u32>,
    /// From each depth on, the least load the replicas still to place add.
    rest: Vec<i64>,
    left: u64,
    best: Option<(i64, Vec<u32>)>,
    /// Per set, the lowest machine its next replica may take.
    floor: Vec<u32>,
}

impl Enum {
    /// `false` when the node limit ran out.
    fn dfs(&mut self, s: &mut State<'_>, i: usize) -> bool {
        let Some(&p) = self.ord.get(i) else {
            let t = s.total();
            if self.best.as_ref().is_none_or(|b| t < b.0) {
                self.best = Some((t, s.at.clone()));
            }
            return true;
        };
        let pb = s.pb;
        // Branch and bound: every term of the objective only grows as
        // replicas are placed (load, staging, warming, balance excess,
        // moves), so the cost so far without the unplaced charge, plus the
        // least load of the replicas still to place, is a lower bound on
        // every completion; one that cannot beat the best is cut.
        let bound = s.total() - pb.weights.unplaced * s.costs.unplaced
            + self.rest.get(i).copied().unwrap_or(0);
        if self.best.as_ref().is_some_and(|b| bound >= b.0) {
            return true;
        }
        let p = p as usize;
        let set = pb.pods[p].set as usize;
        let floor = self.floor.get(set).copied().unwrap_or(0);
        // The feasible machines, cheapest next step first (then by index):
        // among placements of equal cost the one found first, and kept, is
        // the one a greedy placement would make.
        let mut next: Vec<(i64, u32)> = Vec::new();
        for &m in &pb.classes[pb.pods[p].class as usize].machines {
            if m < floor {
                continue;
            }
            if self.left == 0 {
                return false;
            }
            self.left -= 1;
            if s.can_move(p, m) {
                s.apply(p, m);
                next.push((s.total(), m));
                s.apply(p, NONE);
            }
        }
        next.sort_unstable();
        for (_, m) in next {
            s.apply(p, m);
            if let Some(f) = self.floor.get_mut(set) {
                *f = m;
            }
            let done = self.dfs(s, i + 1);
            if let Some(f) = self.floor.get_mut(set) {
                *f = floor;
            }
            s.apply(p, NONE);
            if !done {
                return false;
            }
        }
        true
    }
}
