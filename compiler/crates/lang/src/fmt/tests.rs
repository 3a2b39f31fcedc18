//! Formatter cases: input → expected, each also checked for idempotence.

use super::*;
use amc_syntax::diagnostics::Code;

fn check(input: &str, expected: &str) {
    let out = match format_str("t.kdl", input) {
        Ok(o) => o,
        Err((d, _)) => panic!("format failed: {:?}", d.sorted()),
    };
    assert_eq!(out, expected, "\n--- got\n{out}--- want\n{expected}");
    let again = format_str("t.kdl", &out).unwrap();
    assert_eq!(again, out, "not idempotent");
}

#[test]
fn indents_and_spaces() {
    check(
        "machine   \"ws\"{\n  profile \"sourceos-workstation\"\n\t\tcapacity {cpu 8; memory \"8GiB\"}\n}",
        "machine \"ws\" {\n    profile \"sourceos-workstation\"\n    capacity {\n        cpu 8\n        memory \"8GiB\"\n    }\n}\n",
    );
}

#[test]
fn orders_properties_by_the_catalogue() {
    // storage-pool declares backend, capacity, path, ... ; unknown keys go last in source order.
    check(
        "machine \"m\" {\n    storage-pool capacity=\"1TiB\" zz=1 \"nvme\" backend=\"local-lvm\" aa=2\n}\n",
        "machine \"m\" {\n    storage-pool \"nvme\" backend=\"local-lvm\" capacity=\"1TiB\" zz=1 aa=2\n}\n",
    );
    // Repeated keys keep their order (the last one still wins).
    check(
        "pod \"p\" {\n    resources memory=\"1GiB\" cpu=2 memory=\"2GiB\"\n}\n",
        "pod \"p\" {\n    resources cpu=2 memory=\"1GiB\" memory=\"2GiB\"\n}\n",
    );
    // Unknown nodes keep their order.
    check("x b=1 a=2\n", "x b=1 a=2\n");
}

#[test]
fn keeps_every_comment() {
    check(
        "// head\n\n\n/* block\n   comment */\nmachine \"m\" { // open\n  // inside\n  profile \"x\" // after\n  /* a */ labels zone=\"z\" /* b */\n} // close\n// end\n",
        "// head\n\n/* block\n   comment */\nmachine \"m\" { // open\n    // inside\n    profile \"x\" // after\n    /* a */ labels zone=\"z\" /* b */\n} // close\n// end\n",
    );
}

#[test]
fn comments_around_blocks_stay_in_place() {
    check(
        "/* lead */ node /* mid */ { /* open */\n   inner\n} /* close */ // line\n",
        "/* lead */ node /* mid */ { /* open */\n    inner\n} /* close */ // line\n",
    );
}

#[test]
fn re_indents_block_comments() {
    check(
        "a {\n        /* one\n           two */\n    b 1\n}\n",
        "a {\n    /* one\n       two */\n    b 1\n}\n",
    );
}

#[test]
fn keeps_slashdashes() {
    check(
        "/-machine \"old\" {\n  profile \"x\"\n}\npod \"p\" /-\"arg\" {\n  resources /-gpus=1 cpu=2\n} /-{\n  tenant \"t\"\n}\n",
        "/-machine \"old\" {\n    profile \"x\"\n}\npod \"p\" /-\"arg\" {\n    resources cpu=2 /-gpus=1\n} /-{\n    tenant \"t\"\n}\n",
    );
}

#[test]
fn comments_move_with_their_property() {
    check(
        "pod \"p\" {\n    resources /* mem */ memory=\"1GiB\" /* cpu */ cpu=2\n}\n",
        "pod \"p\" {\n    resources /* cpu */ cpu=2 /* mem */ memory=\"1GiB\"\n}\n",
    );
}

#[test]
fn keeps_continuations_and_their_comments() {
    check("a 1 \\\n  2   \\\n  3\n", "a 1 \\\n    2 \\\n    3\n");
    check(
        "a 1 \\ // one\n  2 \\ // two\n",
        "a 1 \\ // one\n    2 // two\n",
    );
}

#[test]
fn normalises_strings() {
    check(
        "a bare \"q\\u{41}\" #\"raw\"# #\"C:\\dir\"# \"tab\\there\" \"new\\nline\" #true 0x1F 1.5e3\n",
        "a \"bare\" \"qA\" \"raw\" #\"C:\\dir\"# \"tab\\there\" \"new\\nline\" #true 0x1F 1.5e3\n",
    );
    check("\"node name\" \"k\"=1\n", "\"node name\" k=1\n");
    // Multi-line strings are kept exactly.
    check(
        "a {\n  b \"\"\"\n    x\n      y\n    \"\"\"\n}\n",
        "a {\n    b \"\"\"\n    x\n      y\n    \"\"\"\n}\n",
    );
}

#[test]
fn collapses_blank_lines_and_braces() {
    check(
        "\n\na\n\n\n\nb {\n\n  c\n\n}\nd {}\ne {\n}\n\n",
        "a\n\nb {\n    c\n}\nd {}\ne {}\n",
    );
    check("", "");
    check("// only\n", "// only\n");
}

#[test]
fn types_and_semicolons() {
    check(
        "(t)a (u)1 k=(v)\"x\"; b; c\n",
        "(t)a (u)1 k=(v)\"x\"\nb\nc\n",
    );
}

#[test]
fn syntax_error_is_e0001_and_no_output() {
    let Err((d, _)) = format_str("t.kdl", "pod \"a\n") else {
        panic!("formatted a broken file");
    };
    assert!(d.iter().all(|x| x.code == Code::E0001));
    assert!(!d.is_empty());
}

#[test]
fn crlf_becomes_lf() {
    check("a 1\r\nb {\r\n  c\r\n}\r\n", "a 1\nb {\n    c\n}\n");
}

/// Mutates the spacing of real specs (extra spaces and tabs, block comments,
/// `\` continuations, semicolons) and checks that every valid variant
/// formats, keeps its meaning (the formatter's own check) and is idempotent.
#[test]
fn mutated_examples_format_and_are_idempotent() {
    let sources = [
        include_str!("../../../../../examples/k8s-gpu-topolvm/spec.kdl"),
        include_str!("../../../../../examples/m2-asahi/spec.kdl"),
        include_str!("../../../../../stdlib/cache-tiers.kdl"),
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut tried = 0;
    for src in sources {
        let tokens = lex::lex(src).unwrap();
        for _ in 0..40 {
            let mut text = String::new();
            for t in &tokens {
                let r = next() % 12;
                match (t.kind, r) {
                    (lex::Tok::Ws, 0) => text.push_str(" /* c */ "),
                    (lex::Tok::Ws, 1) => text.push_str(" \\\n\t "),
                    (lex::Tok::Ws, 2) => text.push_str("\t  "),
                    (lex::Tok::Newline, 3) => text.push_str(";\n"),
                    (lex::Tok::Newline, 4) => text.push_str(" // n\n\n\n"),
                    _ => text.push_str(t.text),
                }
            }
            if !amc_syntax::syntax::parse_tree(&text).errors.is_empty() {
                continue;
            }
            tried += 1;
            let out = format_str("m.kdl", &text)
                .unwrap_or_else(|(d, _)| panic!("{:?}\n{text}", d.sorted()));
            assert_eq!(
                format_str("m.kdl", &out).unwrap(),
                out,
                "not idempotent:\n{text}"
            );
        }
    }
    assert!(tried > 30, "only {tried} valid variants");
}
