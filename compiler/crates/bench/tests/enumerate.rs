//! The small-fleet search (`amc_solve::search::enumerate`) is optimal: on
//! seeded synthetic fleets small enough to try every assignment, its
//! objective equals a brute force's (no bound, no symmetry breaking), and it
//! is never worse than the LNS.

use amc_bench::fleet::generate;
use amc_solve::problem::{NONE, Problem};
use amc_solve::search::{Config, ENUMERATE_NODES, enumerate, optimise};
use amc_solve::state::State;

/// The least objective over every complete feasible assignment.
fn brute(pb: &Problem) -> Option<i64> {
    fn go(s: &mut State<'_>, p: usize, best: &mut Option<i64>) {
        if p == s.pb.pods.len() {
            let t = s.total();
            if best.is_none_or(|b| t < b) {
                *best = Some(t);
            }
            return;
        }
        for m in 0..s.pb.machines.len() as u32 {
            if s.can_move(p, m) {
                s.apply(p, m);
                go(s, p + 1, best);
                s.apply(p, NONE);
            }
        }
    }
    let mut best = None;
    go(&mut State::new(pb), 0, &mut best);
    best
}

#[test]
fn enumerate_matches_brute_force_and_never_loses_to_lns() {
    let mut finished = 0;
    for (pods, machines) in [(4, 3), (6, 3), (7, 4), (8, 3)] {
        for seed in 1..=12 {
            let inst = generate(pods, machines, seed);
            let pb = &inst.problem;
            let Some(sol) = enumerate(pb, ENUMERATE_NODES) else {
                continue;
            };
            finished += 1;
            let got = State::from_assignment(pb, &sol.at).total();
            let want = brute(pb).expect("enumerate found a complete assignment");
            assert_eq!(
                got, want,
                "{}: enumerate {got}, brute force {want}",
                inst.name
            );
            let lns = optimise(pb, &Config::for_problem(pb, seed));
            let lns = State::from_assignment(pb, &lns.at).total();
            assert!(got <= lns, "{}: enumerate {got} > LNS {lns}", inst.name);
        }
    }
    // The search is not vacuous: most of these instances finish.
    assert!(finished >= 40, "only {finished} of 48 instances finished");
}
