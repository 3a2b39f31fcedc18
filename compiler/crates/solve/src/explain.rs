//! Explanations: the [`Placement`] with its cost terms and why-not reasons.
//!
//! Takes the mapped problem and the final [`State`]; produces, for every
//! replica, its share of the objective (staging, warm-up and balance of a
//! machine are split evenly over the replicas that share them, so the shares
//! add up to the objective), the terms with a sentence each, and for every
//! other machine the constraint that excludes it or the extra milliseconds it
//! would cost. Unplaced replicas become E0501 naming the binding constraint
//! and the closest machine. Never changes the placement.

use super::problem::{CPU, GPU, MEM, NONE, Problem, R, RESOURCE_NAMES, Tier, VRAM};
use super::spec::Mapped;
use super::state::{Block, Costs, State};
use super::{Assignment, CostTerms, MachineUse, Moved, Placement, Term, WhyNot};
use amc_lang::check::Checked;
use amc_lang::lang::units::{format_cpu, human_size};
use amc_syntax::diagnostics::{Code, Diagnostic, Diagnostics};

fn amount(r: usize, v: u64) -> String {
    match r {
        CPU => format_cpu(v),
        GPU => v.to_string(),
        _ => human_size(v),
    }
}

fn per_second(v: u64) -> String {
    format!("{}/s", human_size(v))
}

fn names(pb: &Problem, pods: &[u32]) -> String {
    let mut v: Vec<&str> = pods
        .iter()
        .map(|&q| pb.pods[q as usize].name.as_str())
        .collect();
    v.sort_unstable();
    match v.len() {
        0 => String::new(),
        1 => v[0].to_string(),
        2..=4 => format!("{} and {}", v[..v.len() - 1].join(", "), v[v.len() - 1]),
        n => format!("{}, {} and {} more", v[0], v[1], n - 2),
    }
}

/// The name of a blocking constraint, as in `WhyNot::constraint` and the
/// `omitted` counts (`static`, `capacity:vram`, `anti-affinity`, ...).
fn block_kind(mp: &Mapped, b: Block) -> String {
    block_name(mp, b).to_string()
}

/// [`block_kind`] without an allocation (it runs for every pod × machine).
fn block_name(mp: &Mapped, b: Block) -> &'static str {
    /// `capacity:` and the lowercase [`RESOURCE_NAMES`], by resource.
    const CAPACITY: [&str; R] = [
        "capacity:cpu",
        "capacity:memory",
        "capacity:gpus",
        "capacity:vram",
    ];
    match b {
        Block::Static => "static",
        Block::Capacity(r) => CAPACITY.get(r).copied().unwrap_or("capacity"),
        Block::Pool(_) => "capacity:storage",
        Block::Group(g) => {
            let host_port = mp
                .group_why
                .get(g as usize)
                .is_some_and(|t| t.starts_with("host port"));
            if host_port {
                "host-port"
            } else {
                "anti-affinity"
            }
        }
        Block::Affinity(_) | Block::Stranding => "affinity",
    }
}

/// Why `p` cannot move to machine `m` now, in words (None: it can).
pub fn blocked_reason(mp: &Mapped, s: &State, p: usize, m: u32) -> Option<(String, String)> {
    let block = s.blocker(p, m)?;
    Some((block_kind(mp, block), block_words(mp, s, p, m, block)))
}

/// The sentence for `block`, the constraint that keeps `p` off machine `m`.
fn block_words(mp: &Mapped, s: &State, p: usize, m: u32, block: Block) -> String {
    let pb = s.pb;
    let mi = m as usize;
    let mach = &pb.machines[mi];
    let others: Vec<u32> = s.on[mi]
        .iter()
        .copied()
        .filter(|&q| q as usize != p)
        .collect();
    let after = if others.is_empty() {
        String::new()
    } else {
        format!(" after {}", names(pb, &others))
    };
    match block {
        Block::Static => {
            let (wi, _) = mp.origin[p];
            mp.static_why(wi, mi)
                .map(|x| x.1.clone())
                .unwrap_or_else(|| "is not compatible".into())
        }
        Block::Capacity(first) => {
            // Every resource short, not just the first found.
            let d = pb.demand(p, mi);
            let cap = &pb.tables.limits[mi].cap;
            let short: Vec<String> = (0..R)
                .filter(|&r| {
                    r == first
                        || (d[r] > 0
                            && cap[r] != super::problem::UNBOUNDED
                            && s.used[mi][r] + d[r] > cap[r])
                })
                .map(|r| {
                    let free = mach.cap[r].saturating_sub(s.used[mi][r]);
                    let what = if mach.unified && r == MEM && pb.pods[p].demand[VRAM] > 0 {
                        "unified memory"
                    } else {
                        RESOURCE_NAMES[r]
                    };
                    format!("{} {what} ({} free)", amount(r, d[r]), amount(r, free))
                })
                .collect();
            format!("needs {} on {}{after}", short.join(" and "), mach.name)
        }
        Block::Pool(pool) => {
            let pi = pool as usize;
            // What this pod's volumes need on this pool.
            let need: u64 = pb.pods[p]
                .volumes
                .iter()
                .filter(|(vc, _)| mach.pool_of.get(*vc as usize) == Some(&Some(pool)))
                .map(|v| v.1)
                .sum();
            let cap = mach.pools.get(pi).copied().unwrap_or(0);
            let free = cap.saturating_sub(s.pool_used(mi, pi));
            let name = mach
                .pool_names
                .get(pi)
                .map_or_else(|| format!("#{pool}"), |n| format!("`{n}`"));
            if need > cap {
                format!(
                    "its volumes need {} on storage pool {name} of {}, which holds {} in all",
                    human_size(need),
                    mach.name,
                    human_size(cap)
                )
            } else {
                format!(
                    "its volumes need {} on storage pool {name} of {}, which has {} free{after}",
                    human_size(need),
                    mach.name,
                    human_size(free)
                )
            }
        }
        Block::Group(g) => {
            let dom = pb.domain(g, m);
            let members: Vec<u32> = pb.tables.group_pods[g as usize]
                .iter()
                .copied()
                .filter(|&q| {
                    q as usize != p
                        && s.at[q as usize] != NONE
                        && pb.domain(g, s.at[q as usize]) == dom
                })
                .collect();
            mp.group_why
                .get(g as usize)
                .cloned()
                .unwrap_or_else(|| "exclusive group is full: {pods}".into())
                .replace("{pods}", &names(pb, &members))
        }
        Block::Affinity(set) => {
            format!("runs no replica of `{}` (affinity)", pb.sets[set as usize])
        }
        Block::Stranding => "a pod with affinity to this one needs it where it is".into(),
    }
}

fn split(total: i64, n: usize, i: usize) -> i64 {
    if n == 0 {
        return 0;
    }
    let n = n as i64;
    total / n + i64::from((i as i64) < total % n)
}

/// Builds the placement and its explanations from a final state.
pub fn placement(mp: &Mapped, s: &State, solver: &str, work: u64) -> Placement {
    placement_with(mp, s, solver, work, false)
}

/// One entry of the first pass: a machine, what blocks it, or its extra
/// cost when feasible.
type Other = (u32, Option<Block>, Option<i64>);

/// The first pass for every replica of one *explanation class*: replicas
/// with equal requirements (compatibility class, model, cache keys, demand,
/// volumes, required sets), no exclusivity group, and free to leave their
/// machine. For such replicas what blocks a machine and the cost of moving
/// there (less the replica's own constant: leaving its machine, the stable
/// placement charge) depend only on the machine's state, except on the
/// machines the replicas themselves occupy. So it is computed once from a
/// representative `rep`: every machine but `rep`'s own, in the order the
/// listing selects by, with the count of each kind; a replica then reads the
/// first entries, skipping its own machine and computing `rep`'s for itself.
struct Shared {
    rep_at: u32,
    /// Per machine (not `rep_at`): the blocker, or the cost of inserting
    /// (without the stable placement charge).
    entries: Vec<(Option<Block>, i64)>,
    /// The first `LIST_CLOSEST + 2` machines (not `rep_at`) in the
    /// listing's order: feasible by cost, then excluded, machine order on ties.
    first: Vec<u32>,
    /// Machines (not `rep_at`) per kind: `feasible` or the block's name.
    counts: std::collections::BTreeMap<&'static str, usize>,
}

/// Which replicas may share a first pass, and the class key of each.
fn shared_key(pb: &Problem, s: &State, p: usize) -> Option<SharedKey> {
    let pod = &pb.pods[p];
    (pod.groups.is_empty() && s.can_leave(p)).then(|| {
        (
            pod.class,
            pod.model,
            pod.keys.clone(),
            pod.demand,
            pod.volumes.clone(),
            pod.requires.clone(),
        )
    })
}

type SharedKey = (
    u32,
    Option<u32>,
    Vec<u32>,
    [u64; R],
    Vec<(u16, u64)>,
    Vec<u32>,
);

/// The part of `insert_delta` that is the same for every replica of an
/// explanation class.
fn insert_core(s: &State, p: usize, m: u32) -> i64 {
    let pb = s.pb;
    s.insert_delta(p, m) - pb.move_ms * pb.moved(p, m as usize)
}

/// What every machine's extra cost adds for replica `p` on `a`: leaving its
/// machine, and the stable placement charge for having left the incumbent
/// (moving elsewhere pays it on every machine alike, so it is not a cost of
/// the machine).
fn own_cost(pb: &Problem, p: usize, a: u32, leave: i64) -> i64 {
    leave + pb.move_ms * pb.moved(p, a as usize)
}

/// A first-pass entry with the replica's own constant added to a feasible
/// machine's cost.
fn other(m: u32, (b, c): (Option<Block>, i64), own: i64) -> Other {
    (m, b, b.is_none().then_some(own + c))
}

/// What blocks machine `m` for replica `p`, or the cost of inserting it
/// there (without the stable placement charge).
fn first_pass_entry(s: &State, p: usize, m: u32) -> (Option<Block>, i64) {
    let pb = s.pb;
    if !pb.classes[pb.pods[p].class as usize].allows(m) {
        return (Some(Block::Static), 0);
    }
    match s.blocker(p, m) {
        Some(b) => (Some(b), 0),
        None => (None, insert_core(s, p, m)),
    }
}

fn shared_pass(mp: &Mapped, s: &State, rep: usize) -> Shared {
    let pb = s.pb;
    let rep_at = s.at[rep];
    let entries: Vec<(Option<Block>, i64)> = (0..pb.m() as u32)
        .map(|m| {
            if m == rep_at {
                (None, 0)
            } else {
                first_pass_entry(s, rep, m)
            }
        })
        .collect();
    let mut order: Vec<u32> = (0..pb.m() as u32).filter(|&m| m != rep_at).collect();
    let key = |m: &u32| {
        let (b, c) = entries[*m as usize];
        (b.is_some(), if b.is_some() { 0 } else { c }, *m)
    };
    let k = (super::LIST_CLOSEST + 2).min(order.len());
    if k > 0 && k < order.len() {
        order.select_nth_unstable_by_key(k - 1, key);
    }
    order.truncate(k);
    order.sort_unstable_by_key(key);
    let mut counts = std::collections::BTreeMap::new();
    for (m, (b, _)) in entries.iter().enumerate() {
        if m as u32 != rep_at {
            *counts
                .entry(b.map_or("feasible", |b| block_name(mp, b)))
                .or_insert(0) += 1;
        }
    }
    Shared {
        rep_at,
        entries,
        first: order,
        counts,
    }
}

/// [`placement`]; `every_pair` computes each replica's first pass on its
/// own (the reference the shared pass is tested against).
#[doc(hidden)]
pub fn placement_with(
    mp: &Mapped,
    s: &State,
    solver: &str,
    work: u64,
    every_pair: bool,
) -> Placement {
    let pb = s.pb;
    let w = &pb.weights;
    let mm = pb.m();
    let mut out = Placement {
        solver: solver.to_string(),
        work,
        ..Placement::default()
    };
    // Scratch copy for what-if moves (applied and rolled back).
    let mut scratch = s.clone();
    let c = s.costs;
    out.objective = CostTerms {
        load: w.load * c.load,
        stage: w.stage * c.stage,
        warm: w.warm * c.warm,
        balance: w.balance * c.balance,
        total: s.total(),
    };
    let mut others: Vec<Other> = Vec::with_capacity(mm);
    // Explanation classes, numbered in pod order; their passes are made on
    // first use.
    let mut class_of: Vec<Option<usize>> = vec![None; s.at.len()];
    let mut reps: Vec<usize> = Vec::new();
    if !every_pair && mm.saturating_sub(1) > super::LIST_ALL {
        let mut ids: std::collections::BTreeMap<SharedKey, usize> =
            std::collections::BTreeMap::new();
        for (p, &a) in s.at.iter().enumerate() {
            if a == NONE {
                continue;
            }
            if let Some(k) = shared_key(pb, s, p) {
                let n = ids.len();
                let id = *ids.entry(k).or_insert(n);
                if id == reps.len() {
                    reps.push(p);
                }
                class_of[p] = Some(id);
            }
        }
    }
    let mut shared: Vec<Option<Shared>> = (0..reps.len()).map(|_| None).collect();
    for (p, &a) in s.at.iter().enumerate() {
        if a == NONE {
            continue;
        }
        let ai = a as usize;
        let pod = &pb.pods[p];
        let (wi, replica) = mp.origin[p];
        let rank_in = |group: &mut Vec<u32>| {
            group.sort_unstable();
            (
                group.len(),
                group.iter().position(|&q| q as usize == p).unwrap_or(0),
            )
        };
        let mut terms = Vec::new();
        let mut cost = CostTerms::default();
        if let Some(x) = pod.model {
            let model = &pb.models[x as usize];
            let mach = &pb.machines[ai];
            let load = w.load * pb.load_ms(p, ai);
            let detail = match pb.tier(x, a) {
                Some(Tier::Vram) => format!(
                    "model `{}` is resident in VRAM: attaches without loading",
                    model.name
                ),
                Some(Tier::Ram) => format!(
                    "model `{}` ({}) is in RAM: loads at {}",
                    model.name,
                    human_size(model.size),
                    per_second(mach.bw.ram)
                ),
                Some(Tier::Nvme) => format!(
                    "model `{}` ({}) is on local NVMe: loads at {}",
                    model.name,
                    human_size(model.size),
                    per_second(mach.bw.nvme)
                ),
                None => format!(
                    "model `{}` ({}) loads from NVMe at {} once staged",
                    model.name,
                    human_size(model.size),
                    per_second(mach.bw.nvme)
                ),
            };
            cost.load = load;
            terms.push(Term {
                term: "load".into(),
                ms: load,
                shared_by: 1,
                detail,
            });
            let stage = w.stage * pb.stage_ms(x, ai);
            let mut sharing: Vec<u32> = s.on[ai]
                .iter()
                .copied()
                .filter(|&q| pb.pods[q as usize].model == Some(x))
                .collect();
            let (n, i) = rank_in(&mut sharing);
            cost.stage = split(stage, n, i);
            let detail = if stage == 0 {
                format!(
                    "model `{}` is already on {}: nothing to download",
                    model.name, mach.name
                )
            } else {
                format!(
                    "downloads model `{}` ({}) to {} at {}, once for {}",
                    model.name,
                    human_size(model.size),
                    mach.name,
                    per_second(mach.bw.network),
                    names(pb, &sharing)
                )
            };
            terms.push(Term {
                term: "stage".into(),
                ms: stage,
                shared_by: n as u32,
                detail,
            });
        }
        for &k in &pod.keys {
            let info = &mp.keys[k as usize];
            let warm = w.warm * pb.warm_ms(k, ai);
            let mut sharing: Vec<u32> = s.on[ai]
                .iter()
                .copied()
                .filter(|&q| pb.pods[q as usize].keys.contains(&k))
                .collect();
            let (n, i) = rank_in(&mut sharing);
            cost.warm += split(warm, n, i);
            let short = info.hash.get(..19).unwrap_or(&info.hash);
            let what = format!(
                "cache key `{}` ({}/{}/{short}…)",
                info.name, info.tenant, info.scope
            );
            let detail = if warm == 0 && pb.is_warm(k, a) {
                format!("{what} is already warm here")
            } else {
                format!("warms {what} once for {}", names(pb, &sharing))
            };
            terms.push(Term {
                term: "warm".into(),
                ms: warm,
                shared_by: n as u32,
                detail,
            });
        }
        let bal = w.balance * s.balance_of(ai);
        let mut sharing = s.on[ai].clone();
        let (n, i) = rank_in(&mut sharing);
        cost.balance = split(bal, n, i);
        terms.push(Term {
            term: "balance".into(),
            ms: bal,
            shared_by: n as u32,
            detail: format!(
                "{} after placement: {}",
                pb.machines[ai].name,
                utilisation(pb, s, ai)
            ),
        });
        cost.total = cost.load + cost.stage + cost.warm + cost.balance;
        // First pass, no words: every other machine's blocking constraint,
        // or its extra cost when feasible (the same weighted delta the
        // search uses).
        // Leaving its machine costs the same whichever machine it would go
        // to (`State::delta` is this plus the insertion), and a machine outside
        // the replica's class is statically excluded without looking.
        let leave = s.remove_delta(p);
        others.clear();
        if let Some(id) = class_of[p] {
            let sh = shared[id].get_or_insert_with(|| shared_pass(mp, s, reps[id]));
            let (keep, omitted) = shared_listing(mp, s, p, a, leave, sh, &mut others);
            let (excluded, why_not) = words(mp, s, &mut scratch, p, a, &others, &keep);
            out.assignments.push(Assignment {
                pod: checked_id(mp, wi, s),
                replica,
                machine: pb.machines[ai].name.clone(),
                moved_from: moved_from(mp, s, p, ai),
                excluded,
                cost,
                terms,
                why_not,
                omitted,
            });
            continue;
        }
        let own = own_cost(pb, p, a, leave);
        others.extend(
            (0..mm as u32)
                .filter(|&m| m != a)
                .map(|m| other(m, first_pass_entry(s, p, m), own)),
        );
        let list_all = others.len() <= super::LIST_ALL;
        let mut keep = vec![list_all; others.len()];
        let mut omitted = std::collections::BTreeMap::new();
        if !list_all {
            // The closest alternatives: feasible ones by extra cost, then
            // the excluded ones; each keeps its place in machine order on ties.
            // The keys are distinct (the index is one), so selecting the
            // closest is the same as sorting and taking them, in O(machines).
            let mut order: Vec<usize> = (0..others.len()).collect();
            let key = |i: &usize| (others[*i].2.is_none(), others[*i].2, *i);
            let k = super::LIST_CLOSEST.min(order.len());
            if k > 0 && k < order.len() {
                order.select_nth_unstable_by_key(k - 1, key);
            }
            for &i in order.iter().take(k) {
                keep[i] = true;
            }
            let mut counts: std::collections::BTreeMap<&'static str, usize> =
                std::collections::BTreeMap::new();
            for (i, o) in others.iter().enumerate() {
                if !keep[i] {
                    let name = o.1.map_or("feasible", |b| block_name(mp, b));
                    *counts.entry(name).or_insert(0) += 1;
                }
            }
            omitted = counts
                .into_iter()
                .map(|(k, n)| (k.to_string(), n))
                .collect();
        }
        // Second pass: words for the machines listed.
        let (excluded, why_not) = words(mp, s, &mut scratch, p, a, &others, &keep);
        let moved_from = moved_from(mp, s, p, ai);
        out.assignments.push(Assignment {
            pod: checked_id(mp, wi, s),
            replica,
            machine: pb.machines[ai].name.clone(),
            moved_from,
            excluded,
            cost,
            terms,
            why_not,
            omitted,
        });
    }
    for (m, mach) in pb.machines.iter().enumerate() {
        if s.on[m].is_empty() {
            continue;
        }
        let mut pods: Vec<String> = s.on[m]
            .iter()
            .map(|&q| pb.pods[q as usize].name.clone())
            .collect();
        pods.sort();
        let mut staged: Vec<String> = (0..pb.models.len())
            .filter(|&x| s.model_count(x as u32, m) > 0 && pb.stage_ms(x as u32, m) > 0)
            .map(|x| pb.models[x].name.clone())
            .collect();
        staged.sort();
        let util: [u64; R] = std::array::from_fn(|r| {
            let c = mach.cap[r];
            if c != 0 && c != super::problem::UNBOUNDED {
                u64::try_from((u128::from(s.used[m][r]) * 1000).div_ceil(u128::from(c)))
                    .unwrap_or(0)
            } else {
                0
            }
        });
        out.machines.push(MachineUse {
            machine: mach.name.clone(),
            pods,
            staged_models: staged,
            utilisation_permille: util,
            balance_ms: w.balance * s.balance_of(m),
        });
    }
    out.reindex();
    out
}

/// The second pass: words for the machines listed (`keep`), in machine order.
fn words(
    mp: &Mapped,
    s: &State,
    scratch: &mut State,
    p: usize,
    a: u32,
    others: &[Other],
    keep: &[bool],
) -> (Vec<(String, String)>, Vec<WhyNot>) {
    let pb = s.pb;
    let mut excluded = Vec::new();
    let mut why_not = Vec::new();
    for (i, &(m, block, extra)) in others.iter().enumerate() {
        if !keep[i] {
            continue;
        }
        let name = pb.machines[m as usize].name.clone();
        let (constraint, reason) = match block {
            Some(b) => (Some(block_kind(mp, b)), block_words(mp, s, p, m, b)),
            None => {
                let d = term_delta(scratch, p, m);
                let total = extra.unwrap_or_default();
                let parts = delta_words(pb, &d);
                let reason = if total <= 0 && move_charge(pb, p, a, m) > 0 {
                    let by = if total == 0 {
                        "at the same cost".to_string()
                    } else {
                        format!("and {} ms cheaper ({parts})", -total)
                    };
                    format!(
                        "feasible {by}, but the replica stays on the machine the previous placement gave it (stable placement)"
                    )
                } else if total > 0 {
                    format!("feasible, but costs {total} ms more ({parts})")
                } else if total == 0 {
                    "feasible at the same cost (ties keep the placement found first)".to_string()
                } else {
                    format!(
                        "feasible and {} ms cheaper ({parts}); the search budget ended before this move",
                        -total
                    )
                };
                (None, reason)
            }
        };
        excluded.push((name.clone(), reason.clone()));
        why_not.push(WhyNot {
            machine: name,
            constraint,
            extra_ms: extra,
            reason,
        });
    }
    (excluded, why_not)
}

/// Where the previous placement had replica `p`, if elsewhere, and why it left.
fn moved_from(mp: &Mapped, s: &State, p: usize, ai: usize) -> Option<Moved> {
    let pb = s.pb;
    mp.previous
        .get(p)
        .and_then(Option::as_ref)
        .filter(|name| **name != pb.machines[ai].name)
        .map(|name| Moved {
            machine: name.clone(),
            reason: moved_reason(mp, s, p, name),
        })
}

/// A replica's listing from its class's shared first pass: `others` gets
/// the machines listed (machine order) and the returned flags say so; the
/// rest are counted by kind. The same as the per-replica pass (tested).
fn shared_listing(
    mp: &Mapped,
    s: &State,
    p: usize,
    a: u32,
    leave: i64,
    sh: &Shared,
    others: &mut Vec<Other>,
) -> (Vec<bool>, std::collections::BTreeMap<String, usize>) {
    let own = own_cost(s.pb, p, a, leave);
    let entry = |m: u32| -> Other {
        let e = if m == sh.rep_at {
            first_pass_entry(s, p, m)
        } else {
            sh.entries[m as usize]
        };
        other(m, e, own)
    };
    let mut cand: Vec<Other> = sh
        .first
        .iter()
        .copied()
        .filter(|&m| m != a && m != sh.rep_at)
        .map(entry)
        .collect();
    let mut counts = sh.counts.clone();
    let kind = |b: Option<Block>| b.map_or("feasible", |b| block_name(mp, b));
    if sh.rep_at != a {
        let e = entry(sh.rep_at);
        cand.push(e);
        *counts.entry(kind(e.1)).or_insert(0) += 1;
        if let Some(n) = counts.get_mut(kind(sh.entries[a as usize].0)) {
            *n -= 1;
        }
    }
    cand.sort_unstable_by_key(|o| (o.2.is_none(), o.2, o.0));
    cand.truncate(super::LIST_CLOSEST);
    cand.sort_unstable_by_key(|o| o.0);
    for o in &cand {
        if let Some(n) = counts.get_mut(kind(o.1)) {
            *n -= 1;
        }
    }
    let omitted = counts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (k.to_string(), n))
        .collect();
    others.clear();
    others.extend(cand);
    (vec![true; others.len()], omitted)
}

/// The part of moving `p` from `a` to `m` that is stable placement's charge
/// for leaving (or returning to) the incumbent.
fn move_charge(pb: &Problem, p: usize, a: u32, m: u32) -> i64 {
    pb.move_ms * (pb.moved(p, m as usize) - pb.moved(p, a as usize))
}

/// Why replica `p` left `name`, the machine the previous placement gave it.
fn moved_reason(mp: &Mapped, s: &State, p: usize, name: &str) -> String {
    let pb = s.pb;
    let Some(&i) = pb.incumbent.get(p).filter(|&&i| i != NONE) else {
        return format!("machine `{name}` is no longer in the fleet");
    };
    match s.blocker(p, i) {
        Some(b) => format!("it cannot stay on {name}: {}", block_words(mp, s, p, i, b)),
        None => {
            let extra = s.delta(p, i) - move_charge(pb, p, s.at[p], i);
            if extra > pb.move_ms {
                format!(
                    "{name} still fits it, but staying costs {extra} ms more than this placement, more than the {} ms a move is charged",
                    pb.move_ms
                )
            } else {
                format!(
                    "{name} fits it again now: it moved while the search made room, and the search budget ended before it moved back"
                )
            }
        }
    }
}

fn checked_id(mp: &Mapped, wi: usize, s: &State) -> String {
    s.pb.sets
        .get(wi)
        .cloned()
        .unwrap_or_else(|| mp.problem.sets.get(wi).cloned().unwrap_or_default())
}

fn utilisation(pb: &Problem, s: &State, m: usize) -> String {
    let mut parts = Vec::new();
    for r in [CPU, MEM, VRAM] {
        let c = pb.machines[m].cap[r];
        if c == 0 || c == super::problem::UNBOUNDED {
            continue;
        }
        let pm = (u128::from(s.used[m][r]) * 1000).div_ceil(u128::from(c));
        parts.push(format!("{} {}.{}%", RESOURCE_NAMES[r], pm / 10, pm % 10));
    }
    parts.join(", ")
}

/// Per-term change (weighted) of moving `p` to `m`.
fn term_delta(t: &mut State, p: usize, m: u32) -> Costs {
    let before = t.costs;
    let mark = t.mark();
    t.apply(p, m);
    let after = t.costs;
    t.rollback(mark);
    let w = &t.pb.weights;
    Costs {
        load: w.load * (after.load - before.load),
        stage: w.stage * (after.stage - before.stage),
        warm: w.warm * (after.warm - before.warm),
        balance: w.balance * (after.balance - before.balance),
        unplaced: after.unplaced - before.unplaced,
        moved: after.moved - before.moved,
    }
}

fn delta_words(pb: &Problem, d: &Costs) -> String {
    let _ = pb;
    let mut parts = Vec::new();
    for (name, v) in [
        ("load", d.load),
        ("staging", d.stage),
        ("warm-up", d.warm),
        ("balance", d.balance),
    ] {
        if v != 0 {
            parts.push(format!("{name} {v:+} ms"));
        }
    }
    if parts.is_empty() {
        "no term changes".into()
    } else {
        parts.join(", ")
    }
}

/// How far `p` is from fitting on `m`: the largest share of one of its
/// demands that `m` cannot supply now, in ‰ of that demand (so a machine with
/// 8 of the 24 GiB a pod needs is closer than one with none of it, whatever
/// the machines' sizes), plus one; 1 when only non-capacity constraints block.
fn shortfall(s: &State, p: usize, m: usize) -> u64 {
    let pb = s.pb;
    let d = pb.demand(p, m);
    let cap = &pb.machines[m].cap;
    let mut worst = 0u64;
    for r in 0..R {
        let c = cap[r];
        if d[r] == 0 || c == super::problem::UNBOUNDED {
            continue;
        }
        let free = c.saturating_sub(s.used[m][r]);
        let missing = d[r].saturating_sub(free);
        worst = worst.max(
            u64::try_from(u128::from(missing) * 1000 / u128::from(d[r])).unwrap_or(u64::MAX / 2),
        );
    }
    worst + 1
}

/// E0501 for every unplaced replica (one per pod: the first unplaced replica).
pub fn unplaced(mp: &Mapped, s: &State, checked: &Checked, diags: &mut Diagnostics) {
    let mut reported = vec![false; checked.workloads.len()];
    for (p, &a) in s.at.iter().enumerate() {
        if a != NONE {
            continue;
        }
        let (wi, replica) = mp.origin[p];
        if reported[wi] {
            continue;
        }
        reported[wi] = true;
        let w = &checked.workloads[wi];
        // Closest machine: among statically allowed ones, the smallest capacity
        // shortfall; else the machine that passed the most static checks.
        let mut closest: Option<(u64, usize, String)> = None;
        let mut all = Vec::new();
        for (m, mv) in checked.machines.iter().enumerate() {
            let (rank, why) = match mp.static_why(wi, m) {
                Some((stage, why)) => (u64::from(*stage), why.clone()),
                None => {
                    let why = blocked_reason(mp, s, p, m as u32)
                        .map(|x| x.1)
                        .unwrap_or_else(|| "fits only if other replicas move (the search found no such arrangement)".into());
                    (u64::MAX - shortfall(s, p, m), why)
                }
            };
            if closest.as_ref().is_none_or(|c| rank > c.0) {
                closest = Some((rank, m, why.clone()));
            }
            all.push(format!("{}: {why}", mv.id()));
        }
        let which = if w.pod.replicas > 1 {
            // Named as everywhere else: `agent-0` is a pod's first replica.
            format!("replica `{}-{replica}` of pod `{}`", w.id(), w.id())
        } else {
            format!("pod `{}`", w.id())
        };
        let mut d = Diagnostic::new(
            Code::E0501,
            format!("{which} cannot be placed on any machine"),
        )
        .label(w.pod.id.span, "no machine satisfies this pod");
        let help = match &closest {
            Some((_, m, why)) => {
                let mv = &checked.machines[*m];
                d = d.label(mv.def.id.span, format!("closest machine: {why}"));
                format!(
                    "closest is `{}`: {why}; all machines: {}",
                    mv.id(),
                    all.join("; ")
                )
            }
            None => "the spec defines no machine with known capacity".to_string(),
        };
        diags.push(d.help(help));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_block_names_are_the_lowercase_resource_names() {
        let mp = Mapped::default();
        for (r, name) in RESOURCE_NAMES.iter().enumerate() {
            assert_eq!(
                block_name(&mp, Block::Capacity(r)),
                format!("capacity:{}", name.to_lowercase())
            );
        }
    }
}
