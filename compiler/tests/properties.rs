//! Property tests: what must hold for every input, not just the examples.
//!
//! - units: `parse ∘ format` is the identity for sizes, durations and CPU
//!   quantities; the parsers never panic on arbitrary text;
//! - canonical JSON: the canonical and pretty texts parse back to the same
//!   value, and neither depends on the order keys were inserted;
//! - fmt: formatting is idempotent (format ∘ parse is the identity on
//!   formatted input), keeps every comment, and never panics;
//! - solver: no hard constraint is ever violated and the same instance gives
//!   the same assignment.
//!
//! `PROPTEST_CASES=N` runs more cases (the defaults keep `cargo test` fast).

use amc::govern::canonical;
use amc::lang::units;
use proptest::prelude::*;
use serde_json::{Map, Value};

fn cases(n: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(n);
    ProptestConfig {
        cases: n,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(cases(512))]

    #[test]
    fn sizes_round_trip(bytes in any::<u64>()) {
        let text = units::format_size(bytes);
        prop_assert_eq!(units::parse_size(&text), Ok(bytes), "{}", text);
    }

    #[test]
    fn durations_round_trip(secs in 0u64..(1u64 << 40)) {
        let text = units::format_duration(secs);
        prop_assert_eq!(units::parse_duration(&text), Ok(secs), "{}", text);
    }

    #[test]
    fn cpu_round_trips(milli in 0u64..(1u64 << 50)) {
        let text = units::format_cpu(milli);
        prop_assert_eq!(units::parse_cpu(&text), Ok(milli), "{}", text);
    }

    #[test]
    fn unit_parsers_never_panic(s in "\\PC{0,24}") {
        let _ = units::parse_size(&s);
        let _ = units::parse_duration(&s);
        let _ = units::parse_cpu(&s);
    }

    #[test]
    fn bare_numbers_are_never_sizes(n in any::<u32>()) {
        prop_assert!(units::parse_size(&n.to_string()).is_err());
    }
}

/// JSON values without floats (canonical JSON's documented limit: floats
/// are written as Python's `repr`, which serde_json does not read back
/// bit-identically for every value).
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
        // Non-BMP and control characters exercise the \u escapes.
        "[\\u{0}-\\u{1f}\\u{7f}-\\u{ff}\\u{1F600}-\\u{1F64F}]{0,4}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-zA-Z_é]{0,6}", inner), 0..6)
                .prop_map(|kv| { Value::Object(kv.into_iter().collect::<Map<String, Value>>()) }),
        ]
    })
}

/// The same value with every object's keys inserted in reverse order.
fn reversed(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().map(reversed).collect()),
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, x) in m.iter().rev() {
                out.insert(k.clone(), reversed(x));
            }
            Value::Object(out)
        }
        x => x.clone(),
    }
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn canonical_json_parses_back(v in json()) {
        let text = canonical::to_string(&v);
        let back: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&back, &v);
        prop_assert!(text.is_ascii(), "ensure_ascii: {}", text);
        let pretty: Value = serde_json::from_str(&canonical::to_pretty(&v)).unwrap();
        prop_assert_eq!(&pretty, &v);
    }

    #[test]
    fn canonical_json_ignores_insertion_order(v in json()) {
        let r = reversed(&v);
        prop_assert_eq!(canonical::to_string(&v), canonical::to_string(&r));
        prop_assert_eq!(canonical::to_pretty(&v), canonical::to_pretty(&r));
        prop_assert_eq!(canonical::digest(&v), canonical::digest(&r));
    }
}

/// A KDL document of amc-like nodes: names, string/integer/boolean
/// arguments, properties, children and comments, in messy layout.
fn kdl_doc() -> impl Strategy<Value = String> {
    let ident = "[a-z][a-z0-9-]{0,8}";
    let value = prop_oneof![
        "[a-zA-Z0-9 ._:-]{0,10}".prop_map(|s| format!("{s:?}")),
        any::<i32>().prop_map(|i| i.to_string()),
        any::<bool>().prop_map(|b| if b { "#true".into() } else { "#false".into() }),
    ];
    let entry = prop_oneof![
        value.clone(),
        (ident, value).prop_map(|(k, v)| format!("{k}={v}")),
    ];
    let spaces = prop_oneof![Just(" "), Just("  "), Just("\t")];
    let comment = prop::option::of("[a-zA-Z0-9 ,.]{1,12}");
    let leaf = (
        ident,
        prop::collection::vec((spaces, entry), 0..4),
        comment.clone(),
    )
        .prop_map(|(name, entries, c)| {
            let mut s = name.to_string();
            for (sp, e) in entries {
                s.push_str(sp);
                s.push_str(&e);
            }
            if let Some(c) = c {
                s.push_str(&format!(" // {}", c.trim()));
            }
            s
        });
    let node = leaf.prop_recursive(3, 24, 4, move |inner| {
        (ident, prop::collection::vec(inner, 0..4), comment.clone()).prop_map(
            |(name, children, c)| {
                let mut s = String::new();
                if let Some(c) = c {
                    s.push_str(&format!("// {}\n", c.trim()));
                }
                s.push_str(&format!("{name} {{\n"));
                for ch in children {
                    s.push_str("  ");
                    s.push_str(&ch.replace('\n', "\n  "));
                    s.push('\n');
                }
                s.push('}');
                s
            },
        )
    });
    prop::collection::vec(node, 1..5).prop_map(|nodes| nodes.join("\n\n") + "\n")
}

fn comments(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_once("//").map(|(_, c)| c.trim().to_string()))
        .collect()
}

proptest! {
    #![proptest_config(cases(192))]

    #[test]
    fn fmt_is_idempotent_and_keeps_comments(doc in kdl_doc()) {
        let once = match amc::fmt::format_str("p.kdl", &doc) {
            Ok(o) => o,
            Err((d, _)) => {
                let codes: Vec<String> = d.sorted().iter().map(|d| d.code.qualified()).collect();
                // The generator writes valid KDL: the formatter must take it.
                return Err(TestCaseError::fail(format!("{codes:?} on\n{doc}")));
            }
        };
        let twice = amc::fmt::format_str("p.kdl", &once).map_err(|_| TestCaseError::fail("formatted output does not format"))?;
        prop_assert_eq!(&twice, &once, "not idempotent");
        let (mut a, mut b) = (comments(&doc), comments(&once));
        a.sort();
        b.sort();
        prop_assert_eq!(a, b, "comments changed");
    }

    #[test]
    fn fmt_never_panics(s in "\\PC{0,64}") {
        let _ = amc::fmt::format_str("p.kdl", &s);
    }
}

proptest! {
    #![proptest_config(cases(24))]

    #[test]
    fn placement_violates_nothing_and_is_deterministic(
        pods in 1usize..60,
        machines in 1usize..12,
        seed in any::<u64>(),
    ) {
        let inst = amc::bench::fleet::generate(pods, machines, seed);
        let at = amc::bench::run_amc_fast(&inst);
        prop_assert_eq!(at.len(), inst.planted.len());
        let m = amc::bench::measure(&inst, &at);
        prop_assert_eq!(m.violations, 0, "{}", inst.name);
        prop_assert_eq!(amc::bench::run_amc_fast(&inst), at, "not deterministic");
    }
}
