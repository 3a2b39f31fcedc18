//! What every search phase shares: the work [`Budget`], the seeded [`Rng`],
//! the incremental candidate lists ([`Cands`]), [`best_machine`] and the
//! relocate pass.
//!
//! `search` (the driver and descent) and `lns` (ruin-and-recreate) both use
//! these; neither uses the other's internals, so the phases form a chain
//! (moves → construct → lns → search), not a circle.

use super::problem::{Class, NONE, Problem};
use super::state::State;

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
    pub(super) model_of: Vec<u32>,
    pub(super) key_sig: Vec<u64>,
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
pub(super) enum Target {
    Model(u32),
    Key(u32),
}

impl Cands {
    /// Candidates for moving `q` off machine `n` when closing `t` there: the
    /// other machines that hold `t` already (placed, resident or warm); the
    /// whole class when it is small.
    pub(super) fn fill_hosts(
        &mut self,
        s: &State,
        q: usize,
        t: Target,
        n: u32,
        out: &mut Vec<u32>,
    ) {
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

/// One pass of relocations over `pods`: each moves to its best candidate
/// machine when that lowers the objective.
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

/// Cheapest feasible machine for `p` among `machines`, with its delta.
pub fn best_machine(s: &State, p: usize, machines: &[u32]) -> Option<(i64, u32)> {
    let mut best: Option<(i64, u32)> = None;
    let rd = s.remove_delta(p);
    for &m in machines {
        if s.at[p] == m {
            continue;
        }
        // Cost first, feasibility only for a candidate that would win.
        let d = rd + s.insert_delta(p, m);
        if best.is_none_or(|b| (d, m) < b) && s.can_move(p, m) {
            best = Some((d, m));
        }
    }
    best
}
