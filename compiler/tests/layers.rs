//! The workspace follows the pipeline: each crate under `compiler/crates/`
//! depends only on crates below it (read from `cargo metadata`, so a new
//! upward dependency in a Cargo.toml fails here), and inside a crate each
//! module uses only modules of its own layer or below (read from the
//! source: every `crate::MODULE` and `amc_CRATE::MODULE` path in code, not
//! comments, outside `#[cfg(test)]` modules and `*tests.rs` files).
//! docs/ARCHITECTURE.md draws the same picture.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The workspace's crates, bottom to top. A crate may depend on crates of
/// earlier layers only.
const CRATES: &[&[&str]] = &[
    &["amc-syntax", "amc-probe"],
    &["amc-lang"],
    &["amc-solve"],
    &["amc-govern"],
    &["amc-emit"],
    &["amc-sign"],
    &["amc-driver"],
    &["amc-lsp", "amc-bench"],
    &["amc"],
];

/// Crates whose root is their only module: `amc_solve::…` is the module `solve`.
const ONE_MODULE: &[(&str, &str)] = &[
    ("amc-solve", "solve"),
    ("amc-govern", "govern"),
    ("amc-emit", "emit"),
    ("amc-lsp", "lsp"),
    ("amc-bench", "bench"),
];

/// Modules, bottom to top, across every crate.
const LAYERS: &[&[&str]] = &[
    &["hash", "source", "json_span", "facts"],
    &["diagnostics", "probe"],
    &["syntax"],
    &["contracts", "vfs", "artifacts"],
    &["lang", "id"],
    // The IR carries the language's vocabulary enums.
    &["ir"],
    &["lower", "fmt"],
    &["resolve"],
    // A target's profile and fit hooks are asked by check; the Quadlet
    // target reads check's host-facts helpers.
    &["check", "target"],
    &["solve"],
    // The activation gate reads the placement.
    &["govern"],
    &["emit"],
    &["sign", "write"],
    &["progress", "cache"],
    &["driver"],
    &["diff", "import", "lsp", "bench"],
];

fn layer_of(layers: &[&[&str]], m: &str) -> Option<usize> {
    layers.iter().position(|l| l.contains(&m))
}

fn strip_tests(text: &str) -> &str {
    match text.find("#[cfg(test)]\nmod ") {
        Some(i) => &text[..i],
        None => text,
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn crates_depend_only_on_crates_below_them() {
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(workspace())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = meta["packages"].as_array().unwrap();
    let names: BTreeSet<&str> = packages
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    let listed: BTreeSet<&str> = CRATES.iter().flat_map(|l| l.iter().copied()).collect();
    assert_eq!(names, listed, "every workspace crate has a layer");
    let mut upward = Vec::new();
    for p in packages {
        let name = p["name"].as_str().unwrap();
        let me = layer_of(CRATES, name).unwrap();
        for d in p["dependencies"].as_array().unwrap() {
            let dep = d["name"].as_str().unwrap();
            let Some(theirs) = layer_of(CRATES, dep) else {
                continue; // third-party
            };
            if theirs >= me {
                upward.push(format!("{name} -> {dep} ({})", d["kind"]));
            }
        }
    }
    assert!(upward.is_empty(), "dependencies not downward: {upward:#?}");
}

/// Each source file of the workspace with the module it belongs to and the
/// crate it is in.
fn sources() -> Vec<(String, PathBuf)> {
    let mut roots: Vec<(Option<&str>, PathBuf)> =
        vec![(None, Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))];
    for e in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("crates")).unwrap() {
        let dir = e.unwrap().path();
        let name = format!("amc-{}", dir.file_name().unwrap().to_string_lossy());
        let one = ONE_MODULE.iter().find(|(c, _)| *c == name).map(|(_, m)| *m);
        roots.push((one, dir.join("src")));
    }
    let mut out = Vec::new();
    for (one, src) in roots {
        for f in walkdir::WalkDir::new(&src) {
            let p = f.unwrap().path().to_path_buf();
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let rel = p.strip_prefix(&src).unwrap();
            let first = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy();
            let stem = first.trim_end_matches(".rs").to_string();
            if ["lib", "main", "bin", "cli"].contains(&stem.as_str()) && one.is_none() {
                continue; // crate roots and binaries
            }
            if stem == "bin" {
                continue;
            }
            out.push((one.map(str::to_string).unwrap_or(stem), p));
        }
    }
    out
}

/// The modules a path `crate::…` / `amc_…::…` in `module`'s code names.
fn references(module: &str, text: &str) -> BTreeSet<String> {
    let mut refs = BTreeSet::new();
    let one_module = |krate: &str| {
        ONE_MODULE
            .iter()
            .find(|(c, _)| c.replace('-', "_") == krate)
            .map(|(_, m)| m.to_string())
    };
    fn heads(refs: &mut BTreeSet<String>, rest: &str) {
        let rest = rest.trim_start_matches('{');
        for part in rest[..rest.find(['}', ';']).unwrap_or(rest.len())].split(',') {
            let head: String = part
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !head.is_empty() {
                refs.insert(head);
            }
        }
    }
    for (i, _) in text.match_indices("crate::") {
        if text[..i].ends_with('$') || text[..i].ends_with(|c: char| c.is_alphanumeric()) {
            continue;
        }
        if ONE_MODULE.iter().any(|(_, m)| *m == module) {
            continue; // its own root
        }
        heads(&mut refs, &text[i + 7..]);
    }
    for (i, _) in text.match_indices("amc_") {
        if text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let krate: String = text[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if let Some(m) = one_module(&krate) {
            refs.insert(m);
        } else if let Some(rest) = text[i + krate.len()..].strip_prefix("::") {
            heads(&mut refs, rest);
        }
    }
    refs.remove(module);
    refs
}

#[test]
fn modules_depend_only_downward() {
    let mut unlayered = BTreeSet::new();
    let mut upward: BTreeMap<(String, String), PathBuf> = BTreeMap::new();
    for (module, file) in sources() {
        let Some(me) = layer_of(LAYERS, &module) else {
            unlayered.insert(module);
            continue;
        };
        if file
            .file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with("tests.rs"))
        {
            continue;
        }
        let full = std::fs::read_to_string(&file).unwrap();
        let text: String = strip_tests(&full)
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for r in references(&module, &text) {
            if let Some(theirs) = layer_of(LAYERS, &r)
                && theirs > me
            {
                upward.insert((module.clone(), r), file.clone());
            }
        }
    }
    assert!(
        unlayered.is_empty(),
        "modules without a layer: {unlayered:?}"
    );
    assert!(upward.is_empty(), "upward module edges: {upward:#?}");
}

#[test]
fn the_module_scan_sees_edges() {
    // The scan above must not pass by seeing nothing.
    let refs = references(
        "check",
        "use crate::{ir::Spec, resolve::Symbols};\nuse amc_solve::Placement;\nuse amc_syntax::diagnostics::Code;",
    );
    let want: BTreeSet<String> = ["ir", "resolve", "solve", "diagnostics"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(refs, want);
    let all = sources();
    assert!(all.len() > 120, "{} files", all.len());
    assert!(all.iter().any(|(m, _)| m == "solve"));
}

#[test]
fn the_solver_phases_form_a_chain_not_a_circle() {
    // moves → construct → lns → search: each uses only the phases before it.
    let solve = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/solve/src");
    let chain = ["moves", "construct", "lns", "search"];
    for (i, m) in chain.iter().enumerate() {
        let text = std::fs::read_to_string(solve.join(format!("{m}.rs"))).unwrap();
        let code = strip_tests(&text);
        for later in &chain[i + 1..] {
            assert!(
                !code.contains(&format!("super::{later}"))
                    && !code.contains(&format!("crate::{later}")),
                "solve::{m} uses solve::{later}, a later phase"
            );
        }
    }
}
