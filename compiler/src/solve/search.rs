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

use super::construct::{best_machine, repair};
use super::lns::{Lns, ruin_recreate};
use super::problem::{Class, NONE, Problem};
use super::state::State;

/// SplitMix64: small, fast, and the same everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
    /// True with probability `num/den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.next_u64() % den < num
    }
}

/// Static helper lists and scratch space for candidate generation.
#[derive(Debug, Clone)]
pub struct Cands {
    stamp: Vec<u32>,
    tick: u32,
    rot: usize,
    rot_hosts: usize,
    /// Classes at most this large are scanned completely.
    pub full: usize,
    /// Window of other compatible machines probed per pod otherwise.
    pub window: usize,
    /// Most machines taken from any one host list (hosts of a model or key,
    /// resident or warm machines) per candidate list, from a rotating
    /// offset; bounds the work per pod when a model or key has many hosts.
    pub per_list: usize,
    resident_hosts: Vec<Vec<u32>>,
    warm_hosts: Vec<Vec<u32>>,
    /// Pods per model.
    pub pods_of_model: Vec<Vec<u32>>,
    /// Pods per key.
    pub pods_of_key: Vec<Vec<u32>>,
    /// Per pod, dense: its model ([`NONE`] if none) and a 64-bit signature
    /// of its keys (bit `k % 64`), so scans of a machine's pods for one model
    /// or key rarely have to read the pod itself.
    model_of: Vec<u32>,
    key_sig: Vec<u64>,
}

impl Cands {
    /// Builds the static lists.
    pub fn new(pb: &Problem) -> Cands {
        let mut resident_hosts = vec![Vec::new(); pb.models.len()];
        let mut warm_hosts = vec![Vec::new(); pb.keys.len()];
        for (i, m) in pb.machines.iter().enumerate() {
            for &(x, _) in &m.resident {
                resident_hosts[x as usize].push(i as u32);
            }
            for &k in &m.warm {
                warm_hosts[k as usize].push(i as u32);
            }
        }
        let mut pods_of_model = vec![Vec::new(); pb.models.len()];
        let mut pods_of_key = vec![Vec::new(); pb.keys.len()];
        for (p, pod) in pb.pods.iter().enumerate() {
            if let Some(x) = pod.model {
                pods_of_model[x as usize].push(p as u32);
            }
            for &k in &pod.keys {
                pods_of_key[k as usize].push(p as u32);
            }
        }
        Cands {
            stamp: vec![0; pb.m()],
            tick: 0,
            rot: 0,
            rot_hosts: 0,
            full: 64,
            window: 24,
            per_list: usize::MAX,
            resident_hosts,
            warm_hosts,
            pods_of_model,
            pods_of_key,
            model_of: pb.pods.iter().map(|p| p.model.unwrap_or(NONE)).collect(),
            key_sig: pb
                .pods
                .iter()
                .map(|p| p.keys.iter().fold(0u64, |a, &k| a | 1 << (k % 64)))
                .collect(),
        }
    }

    /// The lists for a search mode ([`Cands::fast`] in [`Mode::Fast`]).
    pub fn for_mode(pb: &Problem, mode: Mode) -> Cands {
        let mut c = Cands::new(pb);
        if mode == Mode::Fast {
            c.fast();
        }
        c
    }

    /// Bounded candidate lists for [`Mode::Fast`]: whole classes only up to
    /// the window's size, host lists capped at [`FAST_PER_LIST`], so the
    /// candidates per replica do not grow with the fleet.
    pub fn fast(&mut self) {
        self.full = self.window;
        self.per_list = FAST_PER_LIST;
    }

    /// A fresh stamp value (machines stamped with it are already listed).
    fn next_tick(&mut self) -> u32 {
        self.tick = self.tick.wrapping_add(1);
        if self.tick == 0 {
            self.stamp.iter_mut().for_each(|x| *x = 0);
            self.tick = 1;
        }
        self.tick
    }

    /// Candidate machines for pod `p` (not including its current machine).
    pub fn fill(&mut self, s: &State, p: usize, out: &mut Vec<u32>) {
        out.clear();
        let pb = s.pb;
        let pod = &pb.pods[p];
        let class = &pb.classes[pod.class as usize];
        let cur = s.at[p];
        if class.machines.len() <= self.full {
            out.extend(class.machines.iter().copied().filter(|&m| m != cur));
            return;
        }
        let tick = self.next_tick();
        let stamp = &mut self.stamp;
        if cur != NONE {
            stamp[cur as usize] = tick;
        }
        self.rot = self.rot.wrapping_add(7919);
        let (rot, cap) = (self.rot, self.per_list);
        let mut add = |list: &[u32], cap: usize, out: &mut Vec<u32>| {
            add_rotated(list, cap, rot, class, (stamp, tick), out);
        };
        if let Some(x) = pod.model {
            add(&s.model_hosts[x as usize], cap, out);
            add(&self.resident_hosts[x as usize], cap, out);
        }
        for &k in &pod.keys {
            add(&s.key_hosts[k as usize], cap.min(64), out);
            add(&self.warm_hosts[k as usize], cap, out);
        }
        add(&class.machines, self.window, out);
    }
}

/// Appends to `out` the machines of `list` that `class` allows and that are
/// not stamped with `tick` yet (stamping them): all of them, or `cap` of them
/// from offset `rot % len` (wrapping) when the list is longer.
fn add_rotated(
    list: &[u32],
    cap: usize,
    rot: usize,
    class: &Class,
    (stamp, tick): (&mut [u32], u32),
    out: &mut Vec<u32>,
) {
    let n = list.len();
    let (start, take) = if n > cap { (rot % n, cap) } else { (0, n) };
    for i in 0..take {
        let m = list[(start + i) % n];
        if stamp[m as usize] != tick && class.allows(m) {
            stamp[m as usize] = tick;
            out.push(m);
        }
    }
}

/// What a close move empties from a machine.
#[derive(Debug, Clone, Copy)]
enum Target {
    Model(u32),
    Key(u32),
}

impl Cands {
    /// Candidates for moving `q` off machine `n` when closing `t` there: the
    /// other machines that hold `t` already (placed, resident or warm); the
    /// whole class when it is small.
    fn fill_hosts(&mut self, s: &State, q: usize, t: Target, n: u32, out: &mut Vec<u32>) {
        let pb = s.pb;
        let class = &pb.classes[pb.pods[q].class as usize];
        out.clear();
        if class.machines.len() <= self.full {
            out.extend(class.machines.iter().copied().filter(|&m| m != n));
            return;
        }
        let tick = self.next_tick();
        self.stamp[n as usize] = tick;
        let (a, b): (&[u32], &[u32]) = match t {
            Target::Model(x) => (&s.model_hosts[x as usize], &self.resident_hosts[x as usize]),
            Target::Key(k) => (&s.key_hosts[k as usize], &self.warm_hosts[k as usize]),
        };
        self.rot_hosts = self.rot_hosts.wrapping_add(7919);
        for list in [a, b] {
            add_rotated(
                list,
                self.per_list,
                self.rot_hosts,
                class,
                (&mut self.stamp, tick),
                out,
            );
        }
    }
}

/// Work counter shared by all phases.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Work units left.
    pub left: u64,
}

impl Budget {
    pub(super) fn spend(&mut self, n: u64) -> bool {
        self.left = self.left.saturating_sub(n);
        self.left > 0
    }
}

pub(super) fn relocate_pass(
    s: &mut State,
    c: &mut Cands,
    pods: &[u32],
    b: &mut Budget,
    buf: &mut Vec<u32>,
) -> bool {
    let mut improved = false;
    for &p in pods {
        let p = p as usize;
        if s.at[p] == NONE || !s.can_leave(p) {
            continue;
        }
        c.fill(s, p, buf);
        if !b.spend(buf.len() as u64 + 1) {
            break;
        }
        if let Some((d, m)) = best_machine(s, p, buf)
            && d < 0
        {
            s.apply(p, m);
            improved = true;
        }
    }
    improved
}

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

/// How much search to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Construction portfolio, descent with swaps, ruin-and-recreate, descent.
    Full,
    /// Model-ordered construction on candidate lists and two descent passes
    /// (relocate and close, no swaps, no ruin-and-recreate), host lists
    /// capped at [`FAST_PER_LIST`]: for large fleets.
    Fast,
}

/// Replicas above which the default mode is [`Mode::Fast`].
pub const FAST_ABOVE: usize = 2_000;

/// In [`Mode::Fast`], most machines a candidate list takes from any one host
/// list (see [`Cands::per_list`]): with a fixed set of models and tenants,
/// hosts per model and key grow with the fleet, and unbounded lists would
/// make the work per replica grow with it.
pub const FAST_PER_LIST: usize = 12;

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
