//! Solve: decide which machine runs each replica, and say why.
//!
//! Takes the checked machines and workloads and the loaded policy documents;
//! produces a [`Placement`]: for every replica the chosen machine, its share
//! of the objective (integer milliseconds of model loading, model staging,
//! cache warm-up and balance), and for every other machine the constraint
//! that excludes it or what it would cost. `spec` maps the spec to a dense
//! [`problem::Problem`]; `construct` and `search` solve it (most-constrained
//! construction, local search, ruin-and-recreate; budgets in work units and
//! a seed derived from the input, so the same input gives the same placement
//! on any machine); `exact` (cargo feature) solves small fleets optimally
//! with CBC; `explain` writes the reasons. Never does I/O; an unplaceable
//! pod is an `E0501` naming the binding constraint and the closest machine.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::todo,
    clippy::unimplemented
)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![warn(missing_docs)]

pub mod construct;
#[cfg(feature = "exact")]
pub mod exact;
pub mod explain;
pub mod lns;
pub mod moves;
pub mod problem;
pub mod search;
pub mod spec;
pub mod state;

use amc_lang::check::{Checked, MachineView};
use amc_lang::ir;
use amc_lang::resolve::documents::Documents;
use amc_syntax::diagnostics::Diagnostics;

/// One replica's share of the objective, in milliseconds (weights applied).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CostTerms {
    /// Model load.
    pub load: i64,
    /// Model staging (shared evenly by the replicas of the model on the machine).
    pub stage: i64,
    /// Cache warm-up (shared by the key's users on the machine).
    pub warm: i64,
    /// Balance (shared by every replica on the machine).
    pub balance: i64,
    /// Sum of the above.
    pub total: i64,
}

/// One term of an assignment's cost, with the full machine-level amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// `load`, `stage`, `warm` or `balance`.
    pub term: String,
    /// Milliseconds for the machine (this replica's share is in [`Assignment::cost`]).
    pub ms: i64,
    /// Replicas that share it.
    pub shared_by: u32,
    /// A sentence.
    pub detail: String,
}

/// Why another machine was not chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhyNot {
    /// The machine.
    pub machine: String,
    /// The excluding constraint (`static`, `capacity:vram`, `anti-affinity`, ...), None when only cost decided.
    pub constraint: Option<String>,
    /// Extra milliseconds the machine would cost, when feasible.
    pub extra_ms: Option<i64>,
    /// A sentence.
    pub reason: String,
}

/// One replica's placement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Pod id.
    pub pod: String,
    /// Replica index (0-based).
    pub replica: u32,
    /// Chosen machine.
    pub machine: String,
    /// Every other machine with the reason it was not chosen.
    pub excluded: Vec<(String, String)>,
    /// This replica's share of the objective.
    pub cost: CostTerms,
    /// The terms, with machine-level amounts and sentences.
    pub terms: Vec<Term>,
    /// With a previous placement: the machine this replica ran on there and
    /// why it no longer does (None: it stayed, or it is new).
    pub moved_from: Option<Moved>,
    /// Every other machine, structured (same order as `excluded`); on fleets
    /// of more than [`LIST_ALL`] machines only the [`LIST_CLOSEST`] closest.
    pub why_not: Vec<WhyNot>,
    /// Machines left out of `why_not` on large fleets, counted by excluding
    /// constraint (`feasible` when only cost decided); empty when all are listed.
    pub omitted: std::collections::BTreeMap<String, usize>,
}

/// A replica that left the machine the previous placement gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// The machine it ran on.
    pub machine: String,
    /// Why it could not stay (a sentence).
    pub reason: String,
}

/// The previous build's placement: pod id → the machines of its replicas.
pub type Incumbent = std::collections::BTreeMap<String, Vec<String>>;

/// Fleets with at most this many other machines list every one of them per replica.
pub const LIST_ALL: usize = 32;
/// On larger fleets: the other machines listed per replica (the cheapest
/// feasible ones first, then the excluded ones in machine order); the rest
/// are counted by constraint, so placement.json stays linear in the replicas.
pub const LIST_CLOSEST: usize = 24;

/// What runs on a machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineUse {
    /// Machine id.
    pub machine: String,
    /// Replicas (`pod-replica`), sorted.
    pub pods: Vec<String>,
    /// Models downloaded to it.
    pub staged_models: Vec<String>,
    /// Utilisation in ‰ for CPU, memory, GPUs, VRAM (0 when not bounded).
    pub utilisation_permille: [u64; problem::R],
    /// Its balance cost.
    pub balance_ms: i64,
}

/// The placement of every replica.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placement {
    /// Assignments in pod then replica order.
    pub assignments: Vec<Assignment>,
    /// The algorithm that produced it.
    pub solver: String,
    /// The objective, by term (weights applied).
    pub objective: CostTerms,
    /// Work units spent by the solver.
    pub work: u64,
    /// Machines that run something, in spec order.
    pub machines: Vec<MachineUse>,
    /// Where each pod's assignments are (see [`Placement::reindex`]).
    by_pod: std::collections::BTreeMap<String, Vec<usize>>,
}

impl Placement {
    /// Machines of a pod's replicas, in replica order: O(log pods) once
    /// indexed (emission asks this for every pod), a scan otherwise.
    pub fn machines_of(&self, pod: &str) -> Vec<&str> {
        match self.by_pod.get(pod) {
            Some(ix) => ix
                .iter()
                .filter_map(|&i| self.assignments.get(i))
                .map(|a| a.machine.as_str())
                .collect(),
            None if !self.by_pod.is_empty() => Vec::new(),
            None => self
                .assignments
                .iter()
                .filter(|a| a.pod == pod)
                .map(|a| a.machine.as_str())
                .collect(),
        }
    }

    /// Indexes the assignments by pod; call it after changing them.
    pub fn reindex(&mut self) {
        self.by_pod.clear();
        for (i, a) in self.assignments.iter().enumerate() {
            self.by_pod.entry(a.pod.clone()).or_default().push(i);
        }
    }
}

/// How to solve.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SolveOptions {
    /// Solve exactly with CBC (needs the `exact` feature; small fleets).
    pub exact: bool,
    /// The previous placement, kept where capacity and policy allow.
    pub incumbent: Option<std::sync::Arc<Incumbent>>,
    /// Explain each replica with its own pass over every machine instead of
    /// its explanation class's shared one (the reference the shared pass is
    /// tested against; same output, P × M work).
    #[doc(hidden)]
    pub every_pair: bool,
}

/// Name of the default solver, as recorded in `placement.json`.
pub const SOLVER: &str = "amc-lns";

/// The `solver` of a placement found by exhaustive search (small fleets:
/// [`search::enumerate`]), which is optimal for the objective.
pub const ENUMERATED: &str = "amc-enumerate (optimal)";

/// Places every replica of every workload (default options, no policy documents).
pub fn solve(spec: &ir::Spec, checked: &Checked, diags: &mut Diagnostics) -> Placement {
    place(
        spec,
        checked,
        &Documents::default(),
        &SolveOptions::default(),
        diags,
    )
}

/// Places every replica of every workload.
pub fn place(
    spec: &ir::Spec,
    checked: &Checked,
    docs: &Documents,
    opts: &SolveOptions,
    diags: &mut Diagnostics,
) -> Placement {
    let before = diags.error_count();
    let mut mapped = spec::map(spec, checked, docs, diags);
    if diags.error_count() > before {
        return Placement::default();
    }
    if let Some(prev) = &opts.incumbent {
        keep(&mut mapped, prev);
    }
    let pb = &mapped.problem;
    let seed = pb.fingerprint();
    // Small fleets first: exhaustive search, optimal when it finishes.
    let (mut at, solver, mut work) = match search::enumerate(pb, search::ENUMERATE_NODES) {
        Some(sol) => (sol.at, ENUMERATED.to_string(), sol.work),
        None => solve_problem(pb, seed, opts),
    };
    if at.contains(&problem::NONE) {
        // Blame the pods that break feasibility given the pods written before them;
        // if that search places everything after all, improve its placement instead.
        let mut budget = 20_000_000u64;
        let blamed = construct::blame(pb, &mut budget);
        if blamed.at.contains(&problem::NONE) {
            explain::unplaced(&mapped, &blamed, checked, diags);
            return Placement::default();
        }
        let sol = search::improve(pb, &search::Config::for_problem(pb, seed), blamed.at);
        at = sol.at;
        work += sol.work;
    }
    let st = state::State::from_assignment(pb, &at);
    explain::placement_with(&mapped, &st, &solver, work, opts.every_pair)
}

#[cfg(feature = "exact")]
fn solve_problem(pb: &problem::Problem, seed: u64, opts: &SolveOptions) -> (Vec<u32>, String, u64) {
    let sol = search::optimise(pb, &search::Config::for_problem(pb, seed));
    if opts.exact {
        let r = exact::solve(pb, &exact::Limits::default(), Some(&sol.at), None);
        if let Some(at) = r.assignment {
            let h = state::State::from_assignment(pb, &sol.at).total();
            let e = state::State::from_assignment(pb, &at).total();
            if e <= h {
                let name = if r.proven {
                    "exact-cbc (optimal)"
                } else {
                    "exact-cbc (node limit)"
                };
                return (at, name.to_string(), r.nodes);
            }
        }
    }
    (sol.at, SOLVER.to_string(), sol.work)
}

#[cfg(not(feature = "exact"))]
fn solve_problem(
    pb: &problem::Problem,
    seed: u64,
    _opts: &SolveOptions,
) -> (Vec<u32>, String, u64) {
    let sol = search::optimise(pb, &search::Config::for_problem(pb, seed));
    (sol.at, SOLVER.to_string(), sol.work)
}

/// Gives each replica its incumbent machine: a pod's previous machines, those
/// still in the fleet first in fleet order, go to its replicas in order (the
/// replicas of a pod are interchangeable, and the solver gives them their
/// machines in ascending order too). A replica beyond the previous count is new.
fn keep(mp: &mut spec::Mapped, prev: &Incumbent) {
    let pb = &mut mp.problem;
    let index: std::collections::HashMap<&str, u32> = pb
        .machines
        .iter()
        .enumerate()
        .map(|(i, m)| (m.name.as_str(), i as u32))
        .collect();
    let mut inc = vec![problem::NONE; pb.pods.len()];
    let mut previous = vec![None; pb.pods.len()];
    for (set, pods) in pb.tables.set_pods.iter().enumerate() {
        let Some(ms) = pb.sets.get(set).and_then(|name| prev.get(name)) else {
            continue;
        };
        let mut named: Vec<(u32, &String)> = ms
            .iter()
            .map(|n| (index.get(n.as_str()).copied().unwrap_or(problem::NONE), n))
            .collect();
        named.sort();
        for (&p, (m, name)) in pods.iter().zip(named) {
            inc[p as usize] = m;
            previous[p as usize] = Some(name.clone());
        }
    }
    pb.keep(inc);
    mp.previous = previous;
}

/// Default size of a volume whose tier sets no quota.
pub const DEFAULT_VOLUME_SIZE: u64 = ir::DEFAULT_VOLUME_SIZE;

/// The bytes one volume of a tier takes.
pub fn volume_size(tier: &ir::CacheTier) -> u64 {
    tier.volume_size()
}

/// The pool of a machine that holds a tier's volumes, if any.
pub fn pool_for<'a>(m: &'a MachineView, tier: &ir::CacheTier) -> Option<&'a ir::Pool> {
    match &tier.pool {
        Some(name) => m.def.pools.iter().find(|p| p.id.value == name.value),
        None => m.def.pools.iter().find(|p| p.backend == tier.backend.value),
    }
}
