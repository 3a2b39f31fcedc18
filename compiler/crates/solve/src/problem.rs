//! The placement problem in dense integer form.
//!
//! Takes nothing from the spec directly: `solve::spec` (from a checked spec)
//! and `bench::gen` (synthetic fleets) both build a [`Problem`]. Produces the
//! precomputed cost tables every solver shares: per-pod model load by
//! residency tier, per-machine model staging, per-machine cache warm-up.
//! Costs are integer milliseconds. Never does I/O and never allocates per move.

/// Number of scalar resource dimensions.
pub const R: usize = 4;
/// CPU in millicores.
pub const CPU: usize = 0;
/// Memory in bytes.
pub const MEM: usize = 1;
/// Whole GPUs.
pub const GPU: usize = 2;
/// VRAM in bytes.
pub const VRAM: usize = 3;
/// Resource names, for explanations.
pub const RESOURCE_NAMES: [&str; R] = ["CPU", "memory", "GPUs", "VRAM"];
/// A capacity that is not checked (e.g. VRAM of a machine with undeclared GPUs).
pub const UNBOUNDED: u64 = u64::MAX;
/// "Not placed" in assignment vectors.
pub const NONE: u32 = u32::MAX;

/// Where a model already resides on a machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// Loaded in GPU memory by a server pods can attach to: no load cost.
    Vram,
    /// In the page cache / RAM: loaded at RAM→VRAM bandwidth.
    Ram,
    /// On local NVMe: loaded at NVMe bandwidth, no staging.
    Nvme,
}

impl Tier {
    /// Lower-case name as written in specs.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Vram => "vram",
            Tier::Ram => "ram",
            Tier::Nvme => "nvme",
        }
    }
}

/// Bytes per second of each way weights reach a machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bandwidth {
    /// Download/staging from the network or a registry.
    pub network: u64,
    /// Local NVMe read.
    pub nvme: u64,
    /// RAM (page cache) to accelerator.
    pub ram: u64,
}

/// Objective weights. All costs are integer milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weights {
    /// Multiplier of the per-pod model load term.
    pub load: i64,
    /// Multiplier of the per-machine model staging term.
    pub stage: i64,
    /// Multiplier of the per-machine cache warm-up term.
    pub warm: i64,
    /// Multiplier of the balance term.
    pub balance: i64,
    /// Convex balance: (threshold ‰, ms per ‰ above it), per resource and machine.
    pub steps: Vec<(i64, i64)>,
    /// Charged per unplaced replica (only heuristics report partial placements).
    pub unplaced: i64,
}

/// The move charge of a problem with an incumbent: more than any saving one
/// move can bring (a model staged over a slow link is minutes), so the search
/// moves a replica only when capacity or policy leaves it no other way.
pub const MOVE_MS: i64 = 3_600_000;

impl Default for Weights {
    fn default() -> Self {
        Weights {
            load: 1,
            stage: 1,
            warm: 1,
            balance: 1,
            steps: vec![(700, 3), (900, 30)],
            unplaced: 600_000,
        }
    }
}

/// A machine.
#[derive(Debug, Clone)]
pub struct Machine {
    /// Name.
    pub name: String,
    /// Capacity per resource ([`UNBOUNDED`] = not checked).
    pub cap: [u64; R],
    /// CPU and GPU share memory: a pod's VRAM counts as memory, GPUs are not counted.
    pub unified: bool,
    /// Capacities of the machine's storage pools.
    pub pools: Vec<u64>,
    /// The pools' ids, as the spec names them (same order as `pools`).
    pub pool_names: Vec<String>,
    /// For each volume class of the problem, the pool index holding it (None: not here).
    pub pool_of: Vec<Option<u16>>,
    /// Bandwidths.
    pub bw: Bandwidth,
    /// Models already here, with their best tier (sorted by model).
    pub resident: Vec<(u32, Tier)>,
    /// Cache keys already warm here (sorted).
    pub warm: Vec<u32>,
}

/// A model.
#[derive(Debug, Clone)]
pub struct Model {
    /// Name.
    pub name: String,
    /// Size of the weights in bytes.
    pub size: u64,
}

/// A cache key: (tenant, policy scope, content hash) with its warm-up cost.
#[derive(Debug, Clone)]
pub struct Key {
    /// Display name (`tenant/scope/hash-prefix`).
    pub name: String,
    /// Tenant that owns it; only pods of this tenant can refer to it.
    pub tenant: u32,
    /// Warm-up once per machine, in ms.
    pub warm_ms: i64,
}

/// An exclusivity group: at most `limit` member pods per domain.
#[derive(Debug, Clone)]
pub struct Group {
    /// Domain map (index into [`Problem::domains`]); None: each machine is a domain.
    pub map: Option<u32>,
    /// Members allowed per domain.
    pub limit: u32,
}

/// One replica to place.
#[derive(Debug, Clone)]
pub struct Pod {
    /// Name (`pod-replica`).
    pub name: String,
    /// The deployment (all replicas of one spec pod) it belongs to.
    pub set: u32,
    /// Tenant.
    pub tenant: u32,
    /// Model served, if any.
    pub model: Option<u32>,
    /// Cache keys used (sorted, deduplicated).
    pub keys: Vec<u32>,
    /// Demand per resource on a non-unified machine.
    pub demand: [u64; R],
    /// Storage: (volume class, bytes).
    pub volumes: Vec<(u16, u64)>,
    /// Static compatibility class.
    pub class: u32,
    /// Exclusivity groups.
    pub groups: Vec<u32>,
    /// Sets that must have a replica on the same machine (hard affinity).
    pub requires: Vec<u32>,
}

/// Static compatibility: which machines a pod may use at all.
#[derive(Debug, Clone, Default)]
pub struct Class {
    /// Allowed machines, ascending.
    pub machines: Vec<u32>,
    /// Bitset over machines.
    pub bits: Vec<u64>,
}

impl Class {
    /// Builds a class from allowed machines.
    pub fn new(mut machines: Vec<u32>, n_machines: usize) -> Class {
        machines.sort_unstable();
        machines.dedup();
        let mut bits = vec![0u64; n_machines.div_ceil(64)];
        for &m in &machines {
            bits[m as usize / 64] |= 1 << (m % 64);
        }
        Class { machines, bits }
    }
    /// Whether machine `m` is allowed.
    #[inline]
    pub fn allows(&self, m: u32) -> bool {
        self.bits
            .get(m as usize / 64)
            .is_some_and(|w| w & (1 << (m % 64)) != 0)
    }
}

/// The whole problem.
#[derive(Debug, Clone, Default)]
pub struct Problem {
    /// Machines.
    pub machines: Vec<Machine>,
    /// Replicas.
    pub pods: Vec<Pod>,
    /// Models.
    pub models: Vec<Model>,
    /// Cache keys.
    pub keys: Vec<Key>,
    /// Compatibility classes.
    pub classes: Vec<Class>,
    /// Exclusivity groups.
    pub groups: Vec<Group>,
    /// Domain maps: machine → domain id.
    pub domains: Vec<Vec<u32>>,
    /// Deployment names, by set id.
    pub sets: Vec<String>,
    /// Objective weights.
    pub weights: Weights,
    /// The incumbent machine of each replica (the previous build's placement;
    /// [`NONE`] for a new replica); empty when there is no previous placement.
    pub incumbent: Vec<u32>,
    /// Charged per replica placed off its incumbent ([`MOVE_MS`] with an
    /// incumbent, else 0).
    pub move_ms: i64,
    /// Precomputed tables (call [`Problem::prepare`]).
    pub tables: Tables,
}

/// Capacity and balance knee of one machine, in one cache line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[repr(C, align(64))]
pub struct Limits {
    /// Capacity per resource ([`UNBOUNDED`] when unlimited).
    pub cap: [u64; R],
    /// The largest usage with no balance cost, per resource.
    pub knee: [u64; R],
}

/// A dense bit matrix: small enough (rows·cols/8 bytes) to stay in the cache
/// where a table of counts or costs would not. The solver's matrices have one
/// row per machine, so a pod's keys (one tenant's, numbered together) share
/// a cache line on each machine it tries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bits {
    words: Vec<u64>,
    per_row: usize,
}

impl Bits {
    /// `rows` rows of `cols` bits, all clear.
    pub fn new(rows: usize, cols: usize) -> Bits {
        let per_row = cols.div_ceil(64);
        Bits {
            words: vec![0; rows * per_row],
            per_row,
        }
    }
    #[inline]
    fn at(&self, row: usize, col: usize) -> (usize, u64) {
        (row * self.per_row + col / 64, 1u64 << (col % 64))
    }
    /// Bit (row, col).
    #[inline]
    pub fn get(&self, row: usize, col: usize) -> bool {
        let (i, b) = self.at(row, col);
        self.words.get(i).is_some_and(|w| w & b != 0)
    }
    /// Sets or clears bit (row, col).
    #[inline]
    pub fn set(&mut self, row: usize, col: usize, on: bool) {
        let (i, b) = self.at(row, col);
        if let Some(w) = self.words.get_mut(i) {
            if on {
                *w |= b;
            } else {
                *w &= !b;
            }
        }
    }
}

/// Dense per-machine, per-model and per-key data the solver reads on every move.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    /// Resident models: bit (machine, model). Load and staging ms are
    /// computed from sizes and bandwidths when needed: a dense K×M table of
    /// them outgrows the cache on large fleets and costs more to read than a
    /// division.
    pub resident: Bits,
    /// Size of each model in bytes.
    pub model_size: Vec<u64>,
    /// Bandwidths of each machine, dense.
    pub bw: Vec<Bandwidth>,
    /// Warm keys: bit (machine, key).
    pub warm: Bits,
    /// Warm-up ms of each key where it is not warm.
    pub key_ms: Vec<i64>,
    /// Per set: the pods of that set.
    pub set_pods: Vec<Vec<u32>>,
    /// Per set: index among affinity targets (sets some pod requires).
    pub target_of: Vec<Option<u32>>,
    /// Number of affinity targets.
    pub n_targets: usize,
    /// Per group: member pods.
    pub group_pods: Vec<Vec<u32>>,
    /// Per machine: capacity and balance knee.
    pub limits: Vec<Limits>,
    /// Unified memory, dense.
    pub unified: Vec<bool>,
}

/// `ceil(a * 1000 / b)` in ms, saturating.
#[inline]
pub fn ms(bytes: u64, per_sec: u64) -> i64 {
    if per_sec == 0 {
        return i64::MAX / 4;
    }
    if let Some(b) = bytes.checked_mul(1000) {
        return i64::try_from(b.div_ceil(per_sec)).unwrap_or(i64::MAX / 4);
    }
    let v = (u128::from(bytes) * 1000).div_ceil(u128::from(per_sec));
    i64::try_from(v).unwrap_or(i64::MAX / 4)
}

impl Problem {
    /// Number of machines.
    pub fn m(&self) -> usize {
        self.machines.len()
    }

    /// The residency tier of a model on a machine, if any.
    pub fn tier(&self, model: u32, m: u32) -> Option<Tier> {
        let r = &self.machines[m as usize].resident;
        r.binary_search_by_key(&model, |x| x.0).ok().map(|i| r[i].1)
    }

    /// Whether a key is warm on a machine.
    pub fn is_warm(&self, key: u32, m: u32) -> bool {
        self.machines[m as usize].warm.binary_search(&key).is_ok()
    }

    /// Fills [`Problem::tables`]; call after building, before solving.
    pub fn prepare(&mut self) {
        let mm = self.m();
        for mach in &mut self.machines {
            mach.resident.sort();
            mach.resident.dedup_by_key(|x| x.0);
            mach.warm.sort_unstable();
            mach.warm.dedup();
        }
        let mut t = Tables {
            resident: Bits::new(mm, self.models.len()),
            model_size: self.models.iter().map(|x| x.size).collect(),
            bw: self.machines.iter().map(|x| x.bw).collect(),
            warm: Bits::new(mm, self.keys.len()),
            key_ms: self.keys.iter().map(|k| k.warm_ms).collect(),
            ..Tables::default()
        };
        for (n, mach) in self.machines.iter().enumerate() {
            for &(x, _) in &mach.resident {
                if (x as usize) < self.models.len() {
                    t.resident.set(n, x as usize, true);
                }
            }
            for &k in &mach.warm {
                if (k as usize) < self.keys.len() {
                    t.warm.set(n, k as usize, true);
                }
            }
        }
        for p in &mut self.pods {
            p.keys.sort_unstable();
            p.keys.dedup();
        }
        t.set_pods = vec![Vec::new(); self.sets.len()];
        t.group_pods = vec![Vec::new(); self.groups.len()];
        t.target_of = vec![None; self.sets.len()];
        for (i, p) in self.pods.iter().enumerate() {
            if let Some(v) = t.set_pods.get_mut(p.set as usize) {
                v.push(i as u32);
            }
            for &g in &p.groups {
                if let Some(v) = t.group_pods.get_mut(g as usize) {
                    v.push(i as u32);
                }
            }
            for &s in &p.requires {
                if let Some(slot) = t.target_of.get_mut(s as usize)
                    && slot.is_none()
                {
                    *slot = Some(t.n_targets as u32);
                    t.n_targets += 1;
                }
            }
        }
        let theta = self
            .weights
            .steps
            .iter()
            .map(|s| s.0)
            .min()
            .unwrap_or(1000)
            .max(0) as u128;
        t.limits = self
            .machines
            .iter()
            .map(|m| Limits {
                cap: m.cap,
                knee: m.cap.map(|c| {
                    if c == UNBOUNDED {
                        UNBOUNDED
                    } else {
                        u64::try_from(theta * u128::from(c) / 1000).unwrap_or(UNBOUNDED)
                    }
                }),
            })
            .collect();
        t.unified = self.machines.iter().map(|m| m.unified).collect();
        self.tables = t;
    }

    /// Effective demand of pod `p` on machine `m` (unified memory folds VRAM into memory).
    #[inline]
    pub fn demand(&self, p: usize, m: usize) -> [u64; R] {
        let d = self.pods[p].demand;
        if self.tables.unified[m] {
            [d[CPU], d[MEM].saturating_add(d[VRAM]), 0, 0]
        } else {
            d
        }
    }

    /// Domain of machine `m` for group `g`.
    #[inline]
    pub fn domain(&self, g: u32, m: u32) -> u32 {
        match self.groups[g as usize].map {
            None => m,
            Some(map) => self.domains[map as usize][m as usize],
        }
    }

    /// Makes `incumbent` (a machine or [`NONE`] per replica) the placement
    /// to keep: a replica off its incumbent is charged [`MOVE_MS`], and an
    /// unplaced one more than moving a hundred.
    pub fn keep(&mut self, incumbent: Vec<u32>) {
        self.incumbent = incumbent;
        self.move_ms = MOVE_MS;
        self.weights.unplaced = self.weights.unplaced.max(MOVE_MS.saturating_mul(100));
    }

    /// 1 when machine `m` is not replica `p`'s incumbent (0 without one).
    #[inline]
    pub fn moved(&self, p: usize, m: usize) -> i64 {
        match self.incumbent.get(p) {
            Some(&i) if i != NONE && i as usize != m => 1,
            _ => 0,
        }
    }

    /// Per-pod load ms of pod `p` on machine `m`.
    #[inline]
    pub fn load_ms(&self, p: usize, m: usize) -> i64 {
        match self.pods[p].model {
            Some(x) => self.model_load(x, m),
            None => 0,
        }
    }

    /// Per-pod load ms of model `x` on machine `m`: from VRAM nothing, from
    /// RAM or NVMe at that tier's bandwidth, staged weights from NVMe.
    #[inline]
    pub fn model_load(&self, x: u32, m: usize) -> i64 {
        let t = &self.tables;
        let (Some(&size), Some(bw)) = (t.model_size.get(x as usize), t.bw.get(m)) else {
            return 0;
        };
        if !t.resident.get(m, x as usize) {
            return ms(size, bw.nvme);
        }
        match self.tier(x, m as u32) {
            Some(Tier::Vram) => 0,
            Some(Tier::Ram) => ms(size, bw.ram),
            _ => ms(size, bw.nvme),
        }
    }

    /// Staging ms of model `x` on machine `m`.
    #[inline]
    pub fn stage_ms(&self, x: u32, m: usize) -> i64 {
        let t = &self.tables;
        match (t.model_size.get(x as usize), t.bw.get(m)) {
            (Some(&size), Some(bw)) if !t.resident.get(m, x as usize) => ms(size, bw.network),
            _ => 0,
        }
    }

    /// Warm-up ms of key `k` on machine `m`.
    #[inline]
    pub fn warm_ms(&self, k: u32, m: usize) -> i64 {
        if self.tables.warm.get(m, k as usize) {
            0
        } else {
            self.tables.key_ms[k as usize]
        }
    }

    /// Convex balance cost of a machine at the given usage (unweighted ms).
    #[inline]
    pub fn balance(&self, m: usize, used: &[u64; R]) -> i64 {
        let Some(l) = self.tables.limits.get(m) else {
            return 0;
        };
        let mut total = 0i64;
        for r in [CPU, MEM, VRAM] {
            let c = l.cap[r];
            if c == 0 || c == UNBOUNDED || used[r] == 0 || used[r] <= l.knee[r] {
                continue;
            }
            let permille = match used[r].checked_mul(1000) {
                Some(x) => u128::from(x.div_ceil(c)),
                None => (u128::from(used[r]) * 1000).div_ceil(u128::from(c)),
            };
            let u = i64::try_from(permille).unwrap_or(i64::MAX / 4);
            for &(theta, slope) in &self.weights.steps {
                if u > theta {
                    total += slope * (u - theta);
                }
            }
        }
        total
    }
}

impl Problem {
    /// A 64-bit FNV-1a fingerprint of everything that defines the problem (the solver's seed).
    pub fn fingerprint(&self) -> u64 {
        use std::fmt::Write;
        /// FNV-1a over the text written to it: the text is never held.
        struct Fnv(u64);
        impl Write for Fnv {
            fn write_str(&mut self, s: &str) -> std::fmt::Result {
                for b in s.bytes() {
                    self.0 ^= u64::from(b);
                    self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
                }
                Ok(())
            }
        }
        let mut h = Fnv(0xcbf2_9ce4_8422_2325);
        // Writing into the hasher cannot fail.
        let _ = write!(
            h,
            "{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}",
            self.machines,
            self.pods,
            self.models,
            self.keys,
            self.classes,
            self.groups,
            self.domains,
            self.weights
        );
        if !self.incumbent.is_empty() {
            let _ = write!(h, "{:?}{}", self.incumbent, self.move_ms);
        }
        h.0
    }
}
