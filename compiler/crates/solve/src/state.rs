//! A (partial) assignment with incrementally maintained usage and costs.
//!
//! Takes a prepared [`Problem`]; produces O(keys) feasibility checks and
//! objective deltas for moving one replica, applied moves with an undo log,
//! and a from-scratch recomputation the tests compare against. Costs are
//! integer milliseconds, so incremental and recomputed values are equal, not
//! merely close. Never allocates per move except to grow the undo log.

use super::problem::{Bits, CPU, MEM, NONE, Problem, R, UNBOUNDED, VRAM};

/// The objective split into its terms (unweighted ms) plus unplaced replicas.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Costs {
    /// Σ per-pod model load.
    pub load: i64,
    /// Σ per-machine model staging.
    pub stage: i64,
    /// Σ per-machine cache warm-up.
    pub warm: i64,
    /// Σ convex balance penalty.
    pub balance: i64,
    /// Replicas without a machine.
    pub unplaced: i64,
    /// Replicas placed off their incumbent machine.
    pub moved: i64,
}

impl Costs {
    /// The weighted objective.
    pub fn total(&self, pb: &Problem) -> i64 {
        let w = &pb.weights;
        w.load * self.load
            + w.stage * self.stage
            + w.warm * self.warm
            + w.balance * self.balance
            + w.unplaced * self.unplaced
            + pb.move_ms * self.moved
    }
}

/// Why a move is infeasible (first failing constraint).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    /// Statically excluded (compatibility, policy, pins).
    Static,
    /// Resource `r` over capacity.
    Capacity(usize),
    /// A storage pool over capacity.
    Pool(u16),
    /// Exclusivity group already full in this domain.
    Group(u32),
    /// A required set has no replica on the machine.
    Affinity(u32),
    /// Leaving would strand a pod that requires this pod's set.
    Stranding,
}

/// The assignment and its derived state.
#[derive(Debug, Clone)]
pub struct State<'a> {
    /// The problem.
    pub pb: &'a Problem,
    /// Machine of each pod ([`NONE`] when unplaced).
    pub at: Vec<u32>,
    /// Pods on each machine (unordered).
    pub on: Vec<Vec<u32>>,
    /// Resource usage per machine.
    pub used: Vec<[u64; R]>,
    pool_used: Vec<Vec<u64>>,
    /// Pods of model x on machine m, `[m * models + x]` (see [`State::model_count`]).
    model_cnt: Vec<u32>,
    /// Pods using key k on machine m, `[m * keys + k]`: one row per machine,
    /// so the counts a replica touches there (its tenant's keys) are adjacent.
    key_cnt: Vec<u32>,
    /// Model present on machine (count > 0), as bits: what the cost deltas read.
    model_on: Bits,
    /// Key present (count > 0) or warm on machine, as bits: where a pod
    /// using the key pays no warm-up.
    key_free: Bits,
    /// Machines where each model is present (count > 0).
    pub model_hosts: Vec<Vec<u32>>,
    /// Machines where each key is present.
    pub key_hosts: Vec<Vec<u32>>,
    gcnt: Vec<Vec<(u32, u32)>>,
    tcnt: Vec<u32>,
    rcnt: Vec<u32>,
    bal: Vec<i64>,
    /// Current costs.
    pub costs: Costs,
    log: Vec<(u32, u32)>,
}

fn remove_item(v: &mut Vec<u32>, x: u32) {
    if let Some(i) = v.iter().position(|&y| y == x) {
        v.swap_remove(i);
    }
}

impl<'a> State<'a> {
    /// Everything unplaced.
    pub fn new(pb: &'a Problem) -> State<'a> {
        let m = pb.m();
        let t = &pb.tables;
        State {
            pb,
            at: vec![NONE; pb.pods.len()],
            on: vec![Vec::new(); m],
            used: vec![[0; R]; m],
            pool_used: pb.machines.iter().map(|x| vec![0; x.pools.len()]).collect(),
            model_cnt: vec![0; pb.models.len() * m],
            key_cnt: vec![0; pb.keys.len() * m],
            model_on: Bits::new(m, pb.models.len()),
            key_free: t.warm.clone(),
            model_hosts: vec![Vec::new(); pb.models.len()],
            key_hosts: vec![Vec::new(); pb.keys.len()],
            gcnt: vec![Vec::new(); pb.groups.len()],
            tcnt: vec![0; t.n_targets * m],
            rcnt: vec![0; t.n_targets * m],
            bal: vec![0; m],
            costs: Costs {
                unplaced: pb.pods.len() as i64,
                ..Costs::default()
            },
            log: Vec::new(),
        }
    }

    /// A state with the given assignment applied (infeasible entries are applied as given).
    pub fn from_assignment(pb: &'a Problem, at: &[u32]) -> State<'a> {
        let mut s = State::new(pb);
        for (p, &m) in at.iter().enumerate() {
            if m != NONE {
                s.apply(p, m);
            }
        }
        s.log.clear();
        s
    }

    /// Pods of model `x` on machine `m`.
    #[inline]
    pub fn model_count(&self, x: u32, m: usize) -> u32 {
        self.model_cnt[m * self.pb.models.len() + x as usize]
    }

    /// Pods using key `k` on machine `m`.
    #[inline]
    pub fn key_count(&self, k: u32, m: usize) -> u32 {
        self.key_cnt[m * self.pb.keys.len() + k as usize]
    }

    /// Whether model `x` has a pod on machine `m` (from the presence bits).
    #[inline]
    pub fn model_here(&self, x: u32, m: usize) -> bool {
        self.model_on.get(m, x as usize)
    }

    /// Whether a pod using key `k` pays no warm-up on machine `m` (the key
    /// is in use or warm there).
    #[inline]
    pub fn key_free(&self, k: u32, m: usize) -> bool {
        self.key_free.get(m, k as usize)
    }

    /// Weighted objective.
    pub fn total(&self) -> i64 {
        self.costs.total(self.pb)
    }

    fn group_count(&self, g: u32, d: u32) -> u32 {
        self.gcnt[g as usize]
            .iter()
            .find(|x| x.0 == d)
            .map(|x| x.1)
            .unwrap_or(0)
    }

    /// Bytes of storage pool `pool` of machine `m` in use.
    pub fn pool_used(&self, m: usize, pool: usize) -> u64 {
        self.pool_used
            .get(m)
            .and_then(|v| v.get(pool))
            .copied()
            .unwrap_or(0)
    }

    /// First constraint that forbids moving pod `p` to machine `to` (None: feasible).
    pub fn blocker(&self, p: usize, to: u32) -> Option<Block> {
        let pb = self.pb;
        let pod = &pb.pods[p];
        let from = self.at[p];
        if from == to {
            return None;
        }
        if !pb.classes[pod.class as usize].allows(to) {
            return Some(Block::Static);
        }
        let t = to as usize;
        let d = pb.demand(p, t);
        let cap = &pb.tables.limits[t].cap;
        for r in 0..R {
            if d[r] > 0 && cap[r] != UNBOUNDED && self.used[t][r] + d[r] > cap[r] {
                return Some(Block::Capacity(r));
            }
        }
        for &(vc, bytes) in &pod.volumes {
            let mach = &pb.machines[t];
            let Some(Some(pool)) = mach.pool_of.get(vc as usize) else {
                return Some(Block::Static);
            };
            let pi = *pool as usize;
            if self.pool_used[t][pi] + bytes > mach.pools[pi] {
                return Some(Block::Pool(*pool));
            }
        }
        for &g in &pod.groups {
            let dom = pb.domain(g, to);
            let mut c = self.group_count(g, dom);
            if from != NONE && pb.domain(g, from) == dom {
                c -= 1;
            }
            if c >= pb.groups[g as usize].limit {
                return Some(Block::Group(g));
            }
        }
        let m = pb.m();
        for &s in &pod.requires {
            if let Some(ti) = pb.tables.target_of[s as usize]
                && self.tcnt[ti as usize * m + t] == 0
            {
                return Some(Block::Affinity(s));
            }
        }
        if from != NONE && !self.can_leave(p) {
            return Some(Block::Stranding);
        }
        None
    }

    /// Whether moving `p` to `to` is feasible.
    #[inline]
    pub fn can_move(&self, p: usize, to: u32) -> bool {
        self.blocker(p, to).is_none()
    }

    /// Whether `p` can leave its machine without stranding a pod that requires its set.
    pub fn can_leave(&self, p: usize) -> bool {
        let pb = self.pb;
        let from = self.at[p];
        if from == NONE {
            return true;
        }
        let Some(ti) = pb.tables.target_of[pb.pods[p].set as usize] else {
            return true;
        };
        let i = ti as usize * pb.m() + from as usize;
        !(self.tcnt[i] == 1 && self.rcnt[i] > 0)
    }

    /// Weighted objective change of moving `p` to `to` ([`NONE`] = unplace). Does not check feasibility.
    #[inline]
    pub fn delta(&self, p: usize, to: u32) -> i64 {
        if self.at[p] == to {
            return 0;
        }
        self.remove_delta(p) + self.insert_delta(p, to)
    }

    /// Weighted change of taking `p` off its machine (it becomes unplaced and is charged as such).
    pub fn remove_delta(&self, p: usize) -> i64 {
        let pb = self.pb;
        let w = &pb.weights;
        let from = self.at[p];
        if from == NONE {
            return 0;
        }
        let pod = &pb.pods[p];
        let a = from as usize;
        let mut d = -w.load * pb.load_ms(p, a) + w.unplaced - pb.move_ms * pb.moved(p, a);
        if let Some(x) = pod.model
            && self.model_count(x, a) == 1
        {
            d -= w.stage * pb.stage_ms(x, a);
        }
        for &k in &pod.keys {
            if self.key_count(k, a) == 1 {
                d -= w.warm * pb.warm_ms(k, a);
            }
        }
        let dem = pb.demand(p, a);
        let mut u = self.used[a];
        for r in [CPU, MEM, VRAM] {
            u[r] -= dem[r];
        }
        d + w.balance * (pb.balance(a, &u) - self.bal[a])
    }

    /// Weighted change of putting `p`, unplaced, on `to` (0 for [`NONE`]).
    #[inline]
    pub fn insert_delta(&self, p: usize, to: u32) -> i64 {
        let pb = self.pb;
        let w = &pb.weights;
        if to == NONE {
            return 0;
        }
        let pod = &pb.pods[p];
        let b = to as usize;
        let mut d = -w.unplaced + pb.move_ms * pb.moved(p, b);
        if let Some(x) = pod.model {
            d += w.load * pb.model_load(x, b);
            if !self.model_here(x, b) {
                d += w.stage * pb.stage_ms(x, b);
            }
        }
        for &k in &pod.keys {
            if !self.key_free(k, b) {
                d += w.warm * pb.tables.key_ms[k as usize];
            }
        }
        let dem = pb.demand(p, b);
        let mut u = self.used[b];
        for r in [CPU, MEM, VRAM] {
            u[r] += dem[r];
        }
        d + w.balance * (pb.balance(b, &u) - self.bal[b])
    }

    fn take(&mut self, p: usize) {
        let pb = self.pb;
        let a = self.at[p];
        if a == NONE {
            return;
        }
        let ai = a as usize;
        let m = pb.m();
        let pod = &pb.pods[p];
        remove_item(&mut self.on[ai], p as u32);
        self.costs.load -= pb.load_ms(p, ai);
        self.costs.moved -= pb.moved(p, ai);
        if let Some(x) = pod.model {
            let i = ai * pb.models.len() + x as usize;
            self.model_cnt[i] -= 1;
            if self.model_cnt[i] == 0 {
                self.model_on.set(ai, x as usize, false);
                self.costs.stage -= pb.stage_ms(x, ai);
                remove_item(&mut self.model_hosts[x as usize], a);
            }
        }
        for &k in &pod.keys {
            let i = ai * pb.keys.len() + k as usize;
            self.key_cnt[i] -= 1;
            if self.key_cnt[i] == 0 {
                self.key_free
                    .set(ai, k as usize, pb.tables.warm.get(ai, k as usize));
                self.costs.warm -= pb.warm_ms(k, ai);
                remove_item(&mut self.key_hosts[k as usize], a);
            }
        }
        let d = pb.demand(p, ai);
        for (r, &dr) in d.iter().enumerate() {
            self.used[ai][r] -= dr;
        }
        for &(vc, bytes) in &pod.volumes {
            if let Some(Some(pool)) = pb.machines[ai].pool_of.get(vc as usize) {
                self.pool_used[ai][*pool as usize] -= bytes;
            }
        }
        for &g in &pod.groups {
            let dom = pb.domain(g, a);
            if let Some(e) = self.gcnt[g as usize].iter_mut().find(|x| x.0 == dom) {
                e.1 -= 1;
            }
        }
        if let Some(ti) = pb.tables.target_of[pod.set as usize] {
            self.tcnt[ti as usize * m + ai] -= 1;
        }
        for &s in &pod.requires {
            if let Some(ti) = pb.tables.target_of[s as usize] {
                self.rcnt[ti as usize * m + ai] -= 1;
            }
        }
        let nb = pb.balance(ai, &self.used[ai]);
        self.costs.balance += nb - self.bal[ai];
        self.bal[ai] = nb;
        self.at[p] = NONE;
        self.costs.unplaced += 1;
    }

    fn put(&mut self, p: usize, b: u32) {
        let pb = self.pb;
        if b == NONE {
            return;
        }
        let bi = b as usize;
        let m = pb.m();
        let pod = &pb.pods[p];
        self.costs.unplaced -= 1;
        self.on[bi].push(p as u32);
        self.costs.load += pb.load_ms(p, bi);
        self.costs.moved += pb.moved(p, bi);
        if let Some(x) = pod.model {
            let i = bi * pb.models.len() + x as usize;
            if self.model_cnt[i] == 0 {
                self.model_on.set(bi, x as usize, true);
                self.costs.stage += pb.stage_ms(x, bi);
                self.model_hosts[x as usize].push(b);
            }
            self.model_cnt[i] += 1;
        }
        for &k in &pod.keys {
            let i = bi * pb.keys.len() + k as usize;
            if self.key_cnt[i] == 0 {
                self.key_free.set(bi, k as usize, true);
                self.costs.warm += pb.warm_ms(k, bi);
                self.key_hosts[k as usize].push(b);
            }
            self.key_cnt[i] += 1;
        }
        let d = pb.demand(p, bi);
        for (r, &dr) in d.iter().enumerate() {
            self.used[bi][r] += dr;
        }
        for &(vc, bytes) in &pod.volumes {
            if let Some(Some(pool)) = pb.machines[bi].pool_of.get(vc as usize) {
                self.pool_used[bi][*pool as usize] += bytes;
            }
        }
        for &g in &pod.groups {
            let dom = pb.domain(g, b);
            match self.gcnt[g as usize].iter_mut().find(|x| x.0 == dom) {
                Some(e) => e.1 += 1,
                None => self.gcnt[g as usize].push((dom, 1)),
            }
        }
        if let Some(ti) = pb.tables.target_of[pod.set as usize] {
            self.tcnt[ti as usize * m + bi] += 1;
        }
        for &s in &pod.requires {
            if let Some(ti) = pb.tables.target_of[s as usize] {
                self.rcnt[ti as usize * m + bi] += 1;
            }
        }
        let nb = pb.balance(bi, &self.used[bi]);
        self.costs.balance += nb - self.bal[bi];
        self.bal[bi] = nb;
        self.at[p] = b;
    }

    /// Moves `p` to `to` ([`NONE`] = unplace) and records the move for [`State::rollback`].
    pub fn apply(&mut self, p: usize, to: u32) {
        let from = self.at[p];
        if from == to {
            return;
        }
        self.log.push((p as u32, from));
        self.take(p);
        self.put(p, to);
    }

    /// A point to roll back to.
    pub fn mark(&self) -> usize {
        self.log.len()
    }

    /// Undoes every move since `mark`.
    pub fn rollback(&mut self, mark: usize) {
        while self.log.len() > mark {
            let Some((p, from)) = self.log.pop() else {
                break;
            };
            self.take(p as usize);
            self.put(p as usize, from);
        }
    }

    /// Forgets the undo log (moves since the last mark are kept).
    pub fn commit(&mut self) {
        self.log.clear();
    }

    /// Balance cost (unweighted) of machine `m` now.
    pub fn balance_of(&self, m: usize) -> i64 {
        self.bal[m]
    }

    /// Recomputes every term from the assignment alone (for tests and audits).
    pub fn recompute(pb: &Problem, at: &[u32]) -> Costs {
        let m = pb.m();
        let mut c = Costs::default();
        let mut used = vec![[0u64; R]; m];
        let mut models = std::collections::BTreeSet::new();
        let mut keys = std::collections::BTreeSet::new();
        for (p, &a) in at.iter().enumerate() {
            if a == NONE {
                c.unplaced += 1;
                continue;
            }
            let ai = a as usize;
            c.load += pb.load_ms(p, ai);
            c.moved += pb.moved(p, ai);
            let d = pb.demand(p, ai);
            for r in 0..R {
                used[ai][r] += d[r];
            }
            if let Some(x) = pb.pods[p].model {
                models.insert((x, a));
            }
            for &k in &pb.pods[p].keys {
                keys.insert((k, a));
            }
        }
        for (x, a) in models {
            c.stage += pb.stage_ms(x, a as usize);
        }
        for (k, a) in keys {
            c.warm += pb.warm_ms(k, a as usize);
        }
        for (i, u) in used.iter().enumerate() {
            c.balance += pb.balance(i, u);
        }
        c
    }
}

/// Every violated hard constraint of an assignment, counted (0 for a valid placement).
pub fn violations(pb: &Problem, at: &[u32]) -> usize {
    let mut s = State::new(pb);
    let mut bad = 0;
    // Place in pod order but check affinity only at the end (order-independent).
    for (p, &a) in at.iter().enumerate() {
        if a == NONE {
            continue;
        }
        match s.blocker(p, a) {
            None | Some(Block::Affinity(_)) | Some(Block::Stranding) => {}
            Some(_) => bad += 1,
        }
        s.put_unchecked(p, a);
    }
    let m = pb.m();
    for (p, &a) in at.iter().enumerate() {
        if a == NONE {
            continue;
        }
        for &set in &pb.pods[p].requires {
            if let Some(ti) = pb.tables.target_of[set as usize]
                && s.tcnt[ti as usize * m + a as usize] == 0
            {
                bad += 1;
            }
        }
        // Cross-tenant credit is impossible by construction; count it anyway.
        for &k in &pb.pods[p].keys {
            if pb.keys[k as usize].tenant != pb.pods[p].tenant {
                bad += 1;
            }
        }
    }
    bad
}

impl State<'_> {
    fn put_unchecked(&mut self, p: usize, to: u32) {
        self.take(p);
        self.put(p, to);
    }
}
