//! Repository rules for governance: every reason token is documented in
//! docs/governance.md, every token a build can produce is shown by a golden
//! case, and every decision in the goldens uses registered tokens with the
//! registered "required before" tokens.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use amc::govern::semantics::list as strings;
use amc::govern::tokens::{self, TOKENS};
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// (case, reasons, required) of every decision in the golden expectations.
fn golden_decisions() -> Vec<(String, Vec<String>, Vec<String>)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(repo().join("golden")).sort_by_file_name() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().to_string();
        let path = e.path().display().to_string();
        if name == "activation-decision.json" {
            let v: Value = serde_json::from_slice(&fs::read(e.path()).unwrap()).unwrap();
            out.push((
                path,
                strings(&v, "/decision/failureReasons"),
                strings(&v, "/decision/requiredBeforeActivation"),
            ));
        } else if name == "teardown-plan.json" {
            let v: Value = serde_json::from_slice(&fs::read(e.path()).unwrap()).unwrap();
            for kind in ["teardown", "wipe"] {
                out.push((
                    format!("{path} ({kind})"),
                    strings(&v, &format!("/decisions/{kind}/failureReasons")),
                    strings(&v, &format!("/decisions/{kind}/requiredBefore")),
                ));
            }
        }
    }
    out
}

#[test]
fn every_token_is_documented() {
    let doc = fs::read_to_string(repo().join("docs/governance.md")).unwrap();
    for t in TOKENS {
        assert!(
            doc.contains(&format!("`{}", t.name)),
            "docs/governance.md lacks `{}`",
            t.name
        );
        if let Some(r) = t.required {
            assert!(
                doc.contains(&format!("`{r}`")),
                "docs/governance.md lacks `{r}`"
            );
        }
    }
}

#[test]
fn golden_decisions_use_registered_tokens_and_requirements() {
    let decisions = golden_decisions();
    assert!(decisions.len() > 20);
    for (path, reasons, required) in &decisions {
        let mut want = BTreeSet::new();
        for r in reasons {
            let t = tokens::lookup(r).unwrap_or_else(|| panic!("{path}: unregistered token {r}"));
            want.extend(t.required.map(str::to_string));
        }
        let got: BTreeSet<String> = required.iter().cloned().collect();
        assert_eq!(got, want, "{path}");
    }
}

#[test]
fn every_token_a_build_can_produce_has_a_golden_case() {
    let seen: BTreeSet<&str> = golden_decisions()
        .iter()
        .flat_map(|(_, reasons, _)| reasons.clone())
        .filter_map(|r| tokens::lookup(&r).map(|t| t.name))
        .collect();
    let missing: Vec<&str> = TOKENS
        .iter()
        .filter(|t| t.from_build && !seen.contains(t.name))
        .map(|t| t.name)
        .collect();
    assert!(
        missing.is_empty(),
        "tokens without a golden case: {missing:?}"
    );
}
