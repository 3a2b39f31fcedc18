//! Golden tests: every `golden/<case>/` is built and its output compared
//! byte for byte with `expected/` (the exact file set, nothing more, nothing
//! less). `AMC_BLESS=1 cargo test --test golden` rewrites the expectations.
//!
//! A case's spec is `golden/<case>/input/` (a directory), or the repository
//! path named in `golden/<case>/input.path` (used for `examples/`). The
//! expected tree holds the build output plus `diagnostics.json` and
//! `diagnostics.txt` (the rendered report); a failing build has only those two.
//! Optional files beside `input/`: `decided-at` (the decision time) and
//! `require-activation` (build as `amc build --require-activation`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use amc::diagnostics::render::{self, HumanStyle};
use amc::driver::{self, Options, Stop};
use amc::emit::EmitOptions;
use amc::vfs::RealFs;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e.path().strip_prefix(dir).unwrap();
            out.insert(amc::vfs::slash_path(rel), fs::read(e.path()).unwrap());
        }
    }
    out
}

/// Builds one case and returns the produced tree.
pub fn produce(case: &Path) -> BTreeMap<String, Vec<u8>> {
    let (spec, display) = match fs::read_to_string(case.join("input.path")) {
        Ok(p) => (repo().join(p.trim()), p.trim().to_string()),
        Err(_) => {
            let name = case.file_name().unwrap().to_string_lossy();
            (case.join("input"), format!("golden/{name}/input"))
        }
    };
    let decided_at = fs::read_to_string(case.join("decided-at"))
        .ok()
        .map(|s| s.trim().to_string());
    let opts = Options {
        stop: Stop::Build,
        emit: EmitOptions { decided_at },
    };
    let mut c = driver::compile(&RealFs, &spec, &display, &opts).unwrap();
    if case.join("require-activation").exists() {
        driver::require_activation(&mut c);
    }
    let diags = c.diagnostics.sorted();
    let mut tree = c.artifacts.clone();
    let json = render::to_json(&diags, &c.sources);
    tree.insert(
        "diagnostics.json".into(),
        format!("{}\n", serde_json::to_string_pretty(&json).unwrap()).into_bytes(),
    );
    let style = HumanStyle {
        color: false,
        unicode: true,
        width: 100,
    };
    tree.insert(
        "diagnostics.txt".into(),
        render::human(&diags, &c.sources, style).into_bytes(),
    );
    tree
}

#[test]
fn golden_cases() {
    let root = repo().join("golden");
    let bless = std::env::var_os("AMC_BLESS").is_some();
    let mut cases: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no golden cases found");
    let mut failures = Vec::new();
    for case in &cases {
        let got = produce(case);
        let exp_dir = case.join("expected");
        if bless {
            let _ = fs::remove_dir_all(&exp_dir);
            for (rel, bytes) in &got {
                let p = exp_dir.join(rel);
                fs::create_dir_all(p.parent().unwrap()).unwrap();
                fs::write(p, bytes).unwrap();
            }
            continue;
        }
        let want = read_tree(&exp_dir);
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        for k in want.keys().filter(|k| !got.contains_key(*k)) {
            failures.push(format!("{name}: expected file {k} was not produced"));
        }
        for (k, v) in &got {
            match want.get(k) {
                None => failures.push(format!(
                    "{name}: produced unexpected file {k} (missing from expected/)"
                )),
                Some(w) if w != v => failures.push(format!(
                    "{name}: {k} differs\n--- expected\n{}\n+++ got\n{}",
                    String::from_utf8_lossy(w),
                    String::from_utf8_lossy(v)
                )),
                _ => {}
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden mismatches (AMC_BLESS=1 to accept):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_error_code_has_a_golden_case() {
    let mut seen = std::collections::BTreeSet::new();
    for e in fs::read_dir(repo().join("golden")).unwrap() {
        let p = e.unwrap().path().join("expected/diagnostics.json");
        if let Ok(text) = fs::read_to_string(&p) {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            for d in v.as_array().unwrap() {
                assert!(
                    d["line"].as_u64().unwrap_or(0) > 0,
                    "{}: diagnostic without a span: {d}",
                    p.display()
                );
                seen.insert(d["code"].as_str().unwrap().to_string());
            }
        }
    }
    // Internal errors and write failures cannot come from a spec; they have unit tests.
    let exempt = ["amc::E0901", "amc::E0902"];
    let missing: Vec<String> = amc::diagnostics::all_codes()
        .iter()
        .map(|c| c.qualified())
        .filter(|c| !seen.contains(c) && !exempt.contains(&c.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a golden case: {missing:?}"
    );
}

#[test]
fn builds_are_identical_from_another_directory_and_path() {
    // Same spec copied elsewhere under another name: same bytes.
    let src = repo().join("examples/k8s-gpu-topolvm");
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("renamed-spec");
    fs::create_dir_all(copy.join("facts")).unwrap();
    for e in walkdir::WalkDir::new(&src) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(&src).unwrap();
        if e.file_type().is_dir() {
            fs::create_dir_all(copy.join(rel)).unwrap();
        } else {
            fs::copy(e.path(), copy.join(rel)).unwrap();
        }
    }
    let opts = Options {
        stop: Stop::Build,
        emit: EmitOptions::default(),
    };
    let a = driver::compile(&RealFs, &src, "a", &opts)
        .unwrap()
        .artifacts;
    let b = driver::compile(&RealFs, &copy, "somewhere/else", &opts)
        .unwrap()
        .artifacts;
    assert!(!a.is_empty());
    assert_eq!(a, b);
}
