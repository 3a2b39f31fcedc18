//! The module graph follows the pipeline: a module may use modules of its
//! own layer or below, never above — except the edges listed in `KNOWN`,
//! each with the reason it still exists (docs/ARCHITECTURE.md, "Structural
//! debts"). A new upward edge fails this test; so does a listed edge that
//! no longer exists (delete it from the list: the debt is paid).
//!
//! Edges are read from the source: every `crate::MODULE` path in code
//! (not comments) outside `#[cfg(test)]` modules and `*tests.rs` files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Bottom to top.
const LAYERS: &[&[&str]] = &[
    &[
        "hash",
        "source",
        "artifacts",
        "progress",
        "json_span",
        "contracts",
        "vfs",
    ],
    &["diagnostics"],
    &["syntax"],
    &["lang"],
    // The IR carries the language's vocabulary enums.
    &["ir"],
    &["lower", "fmt"],
    &["resolve", "facts", "probe"],
    // A target's profile and fit hooks are asked by check; the Quadlet
    // target reads check's host-facts helpers.
    &["check", "target"],
    &["solve"],
    // The activation gate reads the placement.
    &["govern"],
    &["emit"],
    &["sign", "write"],
    &["driver"],
    &["diff", "import", "lsp", "bench", "cli"],
];

/// Upward edges that remain, and why.
const KNOWN: &[(&str, &str, &str)] = &[];

fn layer_of(m: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&m))
}

fn strip_tests(text: &str) -> &str {
    match text.find("#[cfg(test)]\nmod ") {
        Some(i) => &text[..i],
        None => text,
    }
}

#[test]
fn modules_depend_only_downward_except_the_known_edges() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules: BTreeMap<String, Vec<std::path::PathBuf>> = BTreeMap::new();
    for e in std::fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_stem().unwrap().to_string_lossy().to_string();
        if p.is_dir() {
            let files = walkdir::WalkDir::new(&p)
                .into_iter()
                .map(|e| e.unwrap().path().to_path_buf())
                .filter(|f| f.extension().is_some_and(|x| x == "rs"))
                .collect();
            modules.insert(name, files);
        } else if p.extension().is_some_and(|x| x == "rs")
            && !["lib", "main"].contains(&name.as_str())
        {
            modules.insert(name, vec![p]);
        }
    }
    let mut unlayered: Vec<&str> = modules
        .keys()
        .map(String::as_str)
        .filter(|m| layer_of(m).is_none() && *m != "bin")
        .collect();
    unlayered.sort();
    assert!(
        unlayered.is_empty(),
        "modules without a layer: {unlayered:?}"
    );

    let mut upward: BTreeSet<(String, String)> = BTreeSet::new();
    for (m, files) in &modules {
        let Some(lm) = layer_of(m) else { continue };
        for f in files {
            if f.file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with("tests.rs"))
            {
                continue;
            }
            let full = std::fs::read_to_string(f).unwrap();
            // Code only: comments may mention any module.
            let text: String = strip_tests(&full)
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            let mut refs: BTreeSet<String> = BTreeSet::new();
            for (i, _) in text.match_indices("crate::") {
                let rest = &text[i + 7..];
                if rest.starts_with('{') {
                    let group = &rest[1..rest.find('}').unwrap_or(rest.len())];
                    for part in group.split(',') {
                        let head: String = part
                            .trim()
                            .chars()
                            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                            .collect();
                        refs.insert(head);
                    }
                } else {
                    let head: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                        .collect();
                    refs.insert(head);
                }
            }
            for r in refs {
                if let Some(lr) = layer_of(&r)
                    && lr > lm
                {
                    upward.insert((m.clone(), r));
                }
            }
        }
    }
    let known: BTreeSet<(String, String)> = KNOWN
        .iter()
        .map(|(a, b, _)| (a.to_string(), b.to_string()))
        .collect();
    let new: Vec<String> = upward
        .difference(&known)
        .map(|(a, b)| format!("{a} -> {b}"))
        .collect();
    let paid: Vec<String> = known
        .difference(&upward)
        .map(|(a, b)| format!("{a} -> {b}"))
        .collect();
    assert!(
        new.is_empty(),
        "modules depending upward: {new:?} (see LAYERS)"
    );
    assert!(
        paid.is_empty(),
        "no longer upward, delete from KNOWN: {paid:?}"
    );
}

#[test]
fn the_solver_phases_form_a_chain_not_a_circle() {
    // moves → construct → lns → search: each uses only the phases before it.
    let solve = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/solve");
    let chain = ["moves", "construct", "lns", "search"];
    for (i, m) in chain.iter().enumerate() {
        let text = std::fs::read_to_string(solve.join(format!("{m}.rs"))).unwrap();
        let code = strip_tests(&text);
        for later in &chain[i + 1..] {
            assert!(
                !code.contains(&format!("super::{later}")),
                "solve::{m} uses solve::{later}, a later phase"
            );
        }
    }
}
