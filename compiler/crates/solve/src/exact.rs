//! Exact placement: the objective as a mixed-integer program, solved by CBC.
//!
//! Takes a prepared [`Problem`], limits (a node limit for deterministic use;
//! seconds only for offline oracle runs), an optional starting assignment
//! and an optional set of free replicas (everything else fixed at the start:
//! a large-neighbourhood sub-problem). Produces the best assignment found,
//! whether CBC proved it optimal, and its lower bound. The model is exact for
//! the integer objective: x[p,m] binary, z[x,m] (model staged), w[k,m] (key
//! warmed) binary with x ≤ z and x ≤ w, and integer balance excess
//! s ≥ 1000·used/cap − θ (the ceiling the integer evaluation uses). Compiled
//! only with the `exact` cargo feature (links Debian's coinor-libcbc-dev);
//! single-threaded. Never does I/O besides CBC's own (logging off).

use std::collections::BTreeMap;

use good_lp::solvers::WithInitialSolution;
use good_lp::{
    Expression, ProblemVariables, Solution, SolverModel, Variable, coin_cbc, constraint, variable,
};

use super::problem::{CPU, MEM, NONE, Problem, R, UNBOUNDED, VRAM};
use super::state::State;

/// Limits of one exact solve.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Branch-and-bound node limit (deterministic).
    pub max_nodes: Option<u64>,
    /// Wall-clock limit in seconds (offline oracle runs only: not deterministic).
    pub seconds: Option<f64>,
    /// Local branching: at most this many free replicas may leave their
    /// start machine (needs a complete start).
    pub max_changes: Option<usize>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_nodes: Some(200_000),
            seconds: None,
            max_changes: None,
        }
    }
}

/// Outcome of an exact solve.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Best assignment found (all replicas), if any.
    pub assignment: Option<Vec<u32>>,
    /// CBC proved it optimal (for the sub-problem, when one was given).
    pub proven: bool,
    /// Lower bound on the objective (of the variable part, for sub-problems).
    pub bound: f64,
    /// Branch-and-bound nodes (0 when unknown).
    pub nodes: u64,
}

/// Solves exactly; `free[p]` false fixes replica `p` at `start[p]`.
pub fn solve(
    pb: &Problem,
    limits: &Limits,
    start: Option<&[u32]>,
    free: Option<&[bool]>,
) -> Outcome {
    solve_within(pb, limits, start, free, None)
}

/// [`solve`] with the free replicas restricted to the machines with
/// `within[m]` true (a free replica's starting machine is always allowed, so
/// the start stays feasible): the small sub-MIPs of the offline oracle's
/// large-neighbourhood rounds.
pub fn solve_within(
    pb: &Problem,
    limits: &Limits,
    start: Option<&[u32]>,
    free: Option<&[bool]>,
    within: Option<&[bool]>,
) -> Outcome {
    let np = pb.pods.len();
    let mm = pb.m();
    let w = &pb.weights;
    let is_free = |p: usize| free.is_none_or(|f| f[p]) || start.is_none_or(|s| s[p] == NONE);
    let mut fixed = State::new(pb);
    if let Some(s) = start {
        for (p, &m) in s.iter().enumerate() {
            if !is_free(p) {
                fixed.apply(p, m);
            }
        }
    }
    let mut vars = ProblemVariables::new();
    let mut obj = Expression::from(0.0);
    // x[p] = list of (machine, var).
    let mut x: Vec<Vec<(u32, Variable)>> = vec![Vec::new(); np];
    for (p, xp) in x.iter_mut().enumerate() {
        if !is_free(p) {
            continue;
        }
        for &m in &pb.classes[pb.pods[p].class as usize].machines {
            let allowed = within.is_none_or(|w| w.get(m as usize).copied().unwrap_or(false))
                || start.is_some_and(|s| s[p] == m);
            if !allowed {
                continue;
            }
            let v = vars.add(variable().binary());
            obj += (w.load * pb.load_ms(p, m as usize)) as f64 * v;
            xp.push((m, v));
        }
    }
    let mut z: BTreeMap<(u32, u32), Variable> = BTreeMap::new();
    let mut wk: BTreeMap<(u32, u32), Variable> = BTreeMap::new();
    for (p, xp) in x.iter().enumerate() {
        let pod = &pb.pods[p];
        for &(m, _) in xp {
            if let Some(mo) = pod.model
                && pb.stage_ms(mo, m as usize) > 0
                && fixed.model_count(mo, m as usize) == 0
                && !z.contains_key(&(mo, m))
            {
                let v = vars.add(variable().binary());
                obj += (w.stage * pb.stage_ms(mo, m as usize)) as f64 * v;
                z.insert((mo, m), v);
            }
            for &k in &pod.keys {
                if pb.warm_ms(k, m as usize) > 0
                    && fixed.key_count(k, m as usize) == 0
                    && !wk.contains_key(&(k, m))
                {
                    let v = vars.add(variable().binary());
                    obj += (w.warm * pb.warm_ms(k, m as usize)) as f64 * v;
                    wk.insert((k, m), v);
                }
            }
        }
    }
    // Per machine: free (pod, var) pairs.
    let mut on: Vec<Vec<(usize, Variable)>> = vec![Vec::new(); mm];
    for (p, xp) in x.iter().enumerate() {
        for &(m, v) in xp {
            on[m as usize].push((p, v));
        }
    }
    // Balance excess variables.
    let mut bal: Vec<(usize, usize, usize, Variable)> = Vec::new();
    for (m, list) in on.iter().enumerate() {
        if list.is_empty() {
            continue;
        }
        for r in [CPU, MEM, VRAM] {
            let c = pb.machines[m].cap[r];
            if c == 0 || c == UNBOUNDED || list.iter().all(|&(p, _)| pb.demand(p, m)[r] == 0) {
                continue;
            }
            for (t, &(_, slope)) in w.steps.iter().enumerate() {
                let v = vars.add(variable().integer().min(0));
                obj += (w.balance * slope) as f64 * v;
                bal.push((m, r, t, v));
            }
        }
    }
    let mut problem = vars.minimise(obj.clone()).using(coin_cbc);
    problem.set_parameter("logLevel", "0");
    problem.set_parameter("threads", "0");
    problem.set_parameter("allowableGap", "0.999");
    problem.set_parameter("ratioGap", "0");
    if let Some(n) = limits.max_nodes {
        problem.set_parameter("maxNodes", &n.to_string());
    }
    if let Some(s) = limits.seconds {
        problem.set_parameter("seconds", &format!("{}", s.ceil()));
    }
    for xp in &x {
        if xp.is_empty() {
            continue;
        }
        let sum: Expression = xp.iter().map(|&(_, v)| v).sum();
        problem.add_constraint(constraint!(sum == 1));
    }
    for (m, list) in on.iter().enumerate() {
        if list.is_empty() {
            continue;
        }
        let mach = &pb.machines[m];
        for r in 0..R {
            let c = mach.cap[r];
            if c == UNBOUNDED || list.iter().all(|&(p, _)| pb.demand(p, m)[r] == 0) {
                continue;
            }
            let room = c.saturating_sub(fixed.used[m][r]) as f64;
            let mut e = Expression::from(0.0);
            for &(p, v) in list {
                e += (pb.demand(p, m)[r] as f64 / c.max(1) as f64) * v;
            }
            problem.add_constraint(constraint!(e <= room / c.max(1) as f64));
        }
        // Pools.
        let mut per_pool: BTreeMap<u16, Expression> = BTreeMap::new();
        for &(p, v) in list {
            for &(vc, bytes) in &pb.pods[p].volumes {
                if let Some(Some(pool)) = mach.pool_of.get(vc as usize) {
                    let cap = mach.pools[*pool as usize].max(1) as f64;
                    *per_pool
                        .entry(*pool)
                        .or_insert_with(|| Expression::from(0.0)) += (bytes as f64 / cap) * v;
                }
            }
        }
        for (pool, e) in per_pool {
            let cap = mach.pools[pool as usize].max(1);
            let used: u64 = (0..np)
                .filter(|&q| !is_free(q) && fixed.at[q] == m as u32)
                .flat_map(|q| pb.pods[q].volumes.iter())
                .filter(|v| mach.pool_of.get(v.0 as usize) == Some(&Some(pool)))
                .map(|v| v.1)
                .sum();
            let room = cap.saturating_sub(used) as f64 / cap as f64;
            problem.add_constraint(constraint!(e <= room));
        }
    }
    // Linking.
    for (p, xp) in x.iter().enumerate() {
        let pod = &pb.pods[p];
        for &(m, v) in xp {
            if let Some(mo) = pod.model
                && let Some(&zv) = z.get(&(mo, m))
            {
                problem.add_constraint(constraint!(v <= zv));
            }
            for &k in &pod.keys {
                if let Some(&wv) = wk.get(&(k, m)) {
                    problem.add_constraint(constraint!(v <= wv));
                }
            }
        }
    }
    // Exclusivity groups.
    for (g, members) in pb.tables.group_pods.iter().enumerate() {
        let mut per_dom: BTreeMap<u32, Expression> = BTreeMap::new();
        for &p in members {
            for &(m, v) in &x[p as usize] {
                *per_dom
                    .entry(pb.domain(g as u32, m))
                    .or_insert_with(|| Expression::from(0.0)) += v;
            }
        }
        for (d, e) in per_dom {
            let fixed_n = members
                .iter()
                .filter(|&&q| {
                    !is_free(q as usize)
                        && fixed.at[q as usize] != NONE
                        && pb.domain(g as u32, fixed.at[q as usize]) == d
                })
                .count() as f64;
            let limit = f64::from(pb.groups[g].limit) - fixed_n;
            problem.add_constraint(constraint!(e <= limit));
        }
    }
    // Affinity: a replica needs a replica of each required set on its machine.
    let present = |set: u32, m: u32, problem_x: &Vec<Vec<(u32, Variable)>>| -> (Expression, bool) {
        let mut e = Expression::from(0.0);
        let mut fixed_there = false;
        for &q in &pb.tables.set_pods[set as usize] {
            let q = q as usize;
            if is_free(q) {
                if let Some(&(_, v)) = problem_x[q].iter().find(|(mq, _)| *mq == m) {
                    e += v;
                }
            } else if fixed.at[q] == m {
                fixed_there = true;
            }
        }
        (e, fixed_there)
    };
    for p in 0..np {
        for &set in &pb.pods[p].requires {
            if is_free(p) {
                for &(m, v) in &x[p] {
                    let (e, there) = present(set, m, &x);
                    if !there {
                        problem.add_constraint(constraint!(v <= e));
                    }
                }
            } else if fixed.at[p] != NONE {
                let (e, there) = present(set, fixed.at[p], &x);
                if !there {
                    problem.add_constraint(constraint!(e >= 1));
                }
            }
        }
    }
    // Local branching: Σ x[p, start p] ≥ free replicas − K.
    if let (Some(k), Some(s)) = (limits.max_changes, start)
        && (0..np).all(|p| s[p] != NONE)
    {
        let mut stay = Expression::from(0.0);
        let mut n = 0usize;
        for (p, xp) in x.iter().enumerate() {
            if let Some(&(_, v)) = xp.iter().find(|(m, _)| *m == s[p]) {
                stay += v;
                n += 1;
            }
        }
        let least = n.saturating_sub(k) as f64;
        problem.add_constraint(constraint!(stay >= least));
    }
    // Balance: s ≥ 1000·used/cap − θ.
    for &(m, r, t, v) in &bal {
        let c = pb.machines[m].cap[r] as f64;
        let mut e = Expression::from(1000.0 * fixed.used[m][r] as f64 / c - w.steps[t].0 as f64);
        for &(p, xv) in &on[m] {
            e += (1000.0 * pb.demand(p, m)[r] as f64 / c) * xv;
        }
        problem.add_constraint(constraint!(v >= e));
    }
    // Warm start.
    if let Some(s) = start
        && (0..np).all(|p| s[p] != NONE)
    {
        let st = State::from_assignment(pb, s);
        let mut init: Vec<(Variable, f64)> = Vec::new();
        for (p, xp) in x.iter().enumerate() {
            for &(m, v) in xp {
                init.push((v, if s[p] == m { 1.0 } else { 0.0 }));
            }
        }
        for (&(mo, m), &v) in &z {
            init.push((
                v,
                if st.model_count(mo, m as usize) > 0 {
                    1.0
                } else {
                    0.0
                },
            ));
        }
        for (&(k, m), &v) in &wk {
            init.push((
                v,
                if st.key_count(k, m as usize) > 0 {
                    1.0
                } else {
                    0.0
                },
            ));
        }
        for &(m, r, t, v) in &bal {
            let c = pb.machines[m].cap[r];
            let pm = i64::try_from((u128::from(st.used[m][r]) * 1000).div_ceil(u128::from(c)))
                .unwrap_or(0);
            init.push((v, (pm - w.steps[t].0).max(0) as f64));
        }
        problem = problem.with_initial_solution(init);
    }
    let Ok(sol) = problem.solve() else {
        return Outcome {
            assignment: None,
            proven: false,
            bound: f64::NAN,
            nodes: 0,
        };
    };
    let raw = sol.model();
    let proven =
        raw.is_proven_optimal() && !raw.is_node_limit_reached() && !raw.is_seconds_limit_reached();
    let bound = raw.best_possible_value();
    let mut at: Vec<u32> = match start {
        Some(s) => s.to_vec(),
        None => vec![NONE; np],
    };
    for (p, xp) in x.iter().enumerate() {
        if xp.is_empty() {
            continue;
        }
        at[p] = xp
            .iter()
            .find(|&&(_, v)| sol.value(v) > 0.5)
            .map(|&(m, _)| m)
            .unwrap_or(NONE);
    }
    let complete = !at.contains(&NONE);
    Outcome {
        assignment: complete.then_some(at),
        proven: proven && complete,
        bound,
        nodes: 0,
    }
}
