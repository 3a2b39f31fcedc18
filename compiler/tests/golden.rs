//! Golden tests: every `golden/<case>/` is built and its output compared
//! byte for byte with `expected/` (the exact file set, nothing more, nothing
//! less). `AMC_BLESS=1 cargo test --test golden` rewrites the expectations.
//!
//! A case's spec is `golden/<case>/input/` (a directory), or the repository
//! path named in `golden/<case>/input.path` (used for `examples/`). The
//! expected tree holds the build output plus `diagnostics.json` and
//! `diagnostics.txt` (the rendered report); a failing build has only those two.
//!
//! Optional files in a case: `decided-at`, `source-commit`, `workflow-run-id`
//! (build options); `sign-key` (repository path of the private key) and
//! `sign-password` (signed builds). Verify cases have `verify-key` (repository
//! path of the public key) and/or `rebuild` (a spec directory in the case to
//! rebuild from), and optionally `tamper` (one edit of the built output per
//! line: `append PATH TEXT`, `add PATH TEXT`, `remove PATH`, `replace PATH
//! FROM TO`, `mkdir PATH`, `chmod PATH OCTAL`, `symlink PATH TARGET`); they
//! build, write the output to a temporary directory, edit it there, scan it
//! back and run `amc verify`'s checks, and expect only the diagnostics. `require-activation` builds as `amc build --require-activation`;
//! `report` adds report.html; `overlay` (a name) builds as `amc build --overlay NAME`.
//!
//! The harness is libtest-mimic: `cargo test --test golden -- --list` lists
//! one test per case (`golden_cases::<case>`), and a failure names its case.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use amc::diagnostics::render::{self, HumanStyle};
use amc::driver::{self, Options, Stop};
use amc::emit::EmitOptions;
use amc::sign::SignOptions;
use amc::sign::keys::Password;
use amc::source::SourceMap;
use amc::vfs::RealFs;
use libtest_mimic::{Arguments, Failed, Trial};

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
    let opt = |name: &str| {
        fs::read_to_string(case.join(name))
            .ok()
            .map(|s| s.trim().to_string())
    };
    let sign = opt("sign-key").map(|k| SignOptions {
        key: repo().join(&k),
        display: k,
        password: opt("sign-password").map(|p| Password(p.into_bytes())),
    });
    let opts = Options {
        stop: Stop::Build,
        emit: EmitOptions {
            // A `report` marker file asks for report.html too.
            report: case.join("report").exists(),
            decided_at: opt("decided-at"),
            source_commit: opt("source-commit"),
            workflow_run_id: opt("workflow-run-id").map(|s| s.parse().unwrap()),
            incumbent: None,
            overlay: opt("overlay"),
        },
        sign,
        overlay: opt("overlay"),
        ..Default::default()
    };
    let mut c = driver::compile(&RealFs, &spec, &display, &opts).unwrap();
    if case.join("require-activation").exists() {
        driver::require_activation(&mut c);
    }
    if case.join("verify-key").exists() || case.join("rebuild").exists() {
        assert!(
            !c.diagnostics.has_errors(),
            "{}: the build failed",
            case.display()
        );
        return verify_case(case, &opt, &c.artifacts, &opts);
    }
    report(c.artifacts.clone(), &c.diagnostics.sorted(), &c.sources)
}

/// Edits the built output, verifies it and returns the report.
fn verify_case(
    case: &Path,
    opt: &dyn Fn(&str) -> Option<String>,
    built: &BTreeMap<String, Vec<u8>>,
    opts: &Options,
) -> BTreeMap<String, Vec<u8>> {
    // The build is written to disk as `amc build` writes it, edited there
    // and scanned back as `amc verify` scans it.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    amc::write::write_atomic(&out, built).unwrap();
    for line in opt("tamper").unwrap_or_default().lines() {
        let w: Vec<&str> = line.splitn(3, ' ').collect();
        let at = |p: &str| out.join(p);
        match w.as_slice() {
            ["append", p, text] => {
                let mut b = fs::read(at(p)).unwrap();
                b.extend_from_slice(text.as_bytes());
                fs::write(at(p), b).unwrap();
            }
            ["add", p, text] => {
                fs::create_dir_all(at(p).parent().unwrap()).unwrap();
                fs::write(at(p), format!("{text}\n")).unwrap();
            }
            ["remove", p] => fs::remove_file(at(p)).unwrap(),
            ["replace", p, rest] => {
                let (from, to) = rest.split_once(' ').unwrap();
                let text = fs::read_to_string(at(p)).unwrap();
                assert!(
                    text.contains(from),
                    "{}: `{from}` not in {p}",
                    case.display()
                );
                fs::write(at(p), text.replacen(from, to, 1)).unwrap();
            }
            ["mkdir", p] => fs::create_dir_all(at(p)).unwrap(),
            ["chmod", p, mode] => {
                use std::os::unix::fs::PermissionsExt;
                let m = u32::from_str_radix(mode, 8).unwrap();
                fs::set_permissions(at(p), fs::Permissions::from_mode(m)).unwrap();
            }
            ["symlink", p, target] => std::os::unix::fs::symlink(target, at(p)).unwrap(),
            _ => panic!("{}: bad tamper line `{line}`", case.display()),
        }
    }
    let scan = amc::write::scan_output(&out).unwrap();
    let tree = scan.files;
    let mut key_sources = SourceMap::new();
    let key = match opt("verify-key") {
        None => None,
        Some(k) => {
            let bytes = fs::read(repo().join(&k)).unwrap();
            match amc::sign::keys::load_public(&k, &bytes, &mut key_sources) {
                Ok(key) => Some(key),
                Err(d) => return report(BTreeMap::new(), &[d], &key_sources),
            }
        }
    };
    let mut r = amc::sign::verify::verify(&tree, key.as_ref());
    amc::sign::verify::check_layout(&mut r, &tree, &scan.oddities);
    if case.join("rebuild").exists() {
        let name = case.file_name().unwrap().to_string_lossy();
        let rebuild_opts = Options {
            sign: None,
            ..opts.clone()
        };
        let c = driver::compile(
            &RealFs,
            &case.join("rebuild"),
            &format!("golden/{name}/rebuild"),
            &rebuild_opts,
        )
        .unwrap();
        amc::sign::verify::compare_rebuild(&mut r, &tree, &c.artifacts);
    }
    report(BTreeMap::new(), &r.diagnostics.sorted(), &r.sources)
}

/// The produced tree plus the rendered diagnostics.
fn report(
    mut tree: BTreeMap<String, Vec<u8>>,
    diags: &[amc::diagnostics::Diagnostic],
    sources: &SourceMap,
) -> BTreeMap<String, Vec<u8>> {
    let json = render::to_json(diags, sources);
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
        render::human(diags, sources, style).into_bytes(),
    );
    tree
}

/// Every case directory under `golden/`, sorted.
fn case_dirs() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = fs::read_dir(repo().join("golden"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// One golden case: build it, compare every byte with `expected/` (or
/// rewrite `expected/` under `AMC_BLESS=1`), then check that each output
/// with a contract satisfies it and that the manifest lists exactly the
/// files written.
fn golden_case(case: &Path) -> Result<(), Failed> {
    let got = produce(case);
    let exp_dir = case.join("expected");
    if std::env::var_os("AMC_BLESS").is_some() {
        let _ = fs::remove_dir_all(&exp_dir);
        for (rel, bytes) in &got {
            let p = exp_dir.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, bytes).unwrap();
        }
        return Ok(());
    }
    let want = read_tree(&exp_dir);
    let mut failures = Vec::new();
    for k in want.keys().filter(|k| !got.contains_key(*k)) {
        failures.push(format!("expected file {k} was not produced"));
    }
    for (k, v) in &got {
        match want.get(k) {
            None => failures.push(format!(
                "produced unexpected file {k} (missing from expected/)"
            )),
            Some(w) if w != v => {
                let (w, v) = (String::from_utf8_lossy(w), String::from_utf8_lossy(v));
                let diff = similar::TextDiff::from_lines(w.as_ref(), v.as_ref());
                failures.push(format!(
                    "{k} differs:\n{}",
                    diff.unified_diff()
                        .context_radius(3)
                        .header("expected", "got")
                ));
            }
            _ => {}
        }
    }
    failures.extend(contract_failures(&got));
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} mismatches (AMC_BLESS=1 cargo test --test golden to accept):\n{}",
            failures.len(),
            failures.join("\n")
        )
        .into())
    }
}

/// Every golden case's expected `diagnostics.json`: its path and text.
fn expected_diagnostics() -> Vec<(PathBuf, String)> {
    fs::read_dir(repo().join("golden"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path().join("expected/diagnostics.json");
            fs::read_to_string(&p).ok().map(|text| (p, text))
        })
        .collect()
}

fn every_error_code_has_a_golden_case() {
    let mut seen = std::collections::BTreeSet::new();
    for (p, text) in expected_diagnostics() {
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
    // `amc import`'s codes come from its own byte-exact cases (tests/import.rs).
    for e in fs::read_dir(repo().join("compiler/tests/data/import")).unwrap() {
        let p = e.unwrap().path().join("expected.stderr");
        if let Ok(text) = fs::read_to_string(&p) {
            for line in text.lines() {
                let l = line.trim();
                if l.starts_with("amc::") && l.len() == 10 {
                    seen.insert(l.to_string());
                }
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
        ..Default::default()
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

/// The contract a build-output file must satisfy, if amc has one for it.
fn contract_for(path: &str) -> Option<&'static str> {
    match path {
        "amc-build.json" => Some("amc-build"),
        "placement.json" => Some("amc-placement"),
        _ => None,
    }
}

/// The contract violations of one produced tree, and whether its manifest
/// lists exactly the other files with their digests.
fn contract_failures(got: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut failures = Vec::new();
    if !got.contains_key("amc-build.json") {
        return failures;
    }
    for (path, bytes) in got {
        let Some(contract) = contract_for(path) else {
            continue;
        };
        let value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        let violations = amc::contracts::validate(contract, &value).unwrap();
        for v in violations {
            failures.push(format!("{path} at {}: {}", v.pointer, v.message));
        }
    }
    let manifest: serde_json::Value = serde_json::from_slice(&got["amc-build.json"]).unwrap();
    let listed: BTreeMap<String, String> = manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["path"].as_str().unwrap().to_string(),
                a["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let produced: BTreeMap<String, String> = got
        .iter()
        .filter(|(p, _)| {
            !matches!(
                p.as_str(),
                "amc-build.json" | "diagnostics.json" | "diagnostics.txt"
            ) && !amc::sign::SIGNATURE_FILES.contains(&p.as_str())
        })
        .map(|(p, b)| (p.clone(), amc::emit::manifest::sha256(b)))
        .collect();
    if listed != produced {
        failures.push("amc-build.json artifacts differ from the files written".into());
    }
    failures
}

fn contracts_have_teeth() -> Result<(), Failed> {
    // Enough cases build for the per-case contract checks to mean something.
    let built = case_dirs()
        .iter()
        .filter(|c| c.join("expected/amc-build.json").exists())
        .count();
    if built < 8 {
        return Err(format!("only {built} golden cases produce a build").into());
    }
    // An absolute or escaping path is rejected.
    for bad in ["/etc/passwd", "../x", "a/../../b", "C:/x"] {
        let m = serde_json::json!({
            "schemaVersion": "amc.build/v1", "kind": "AmcBuildManifest",
            "compiler": {"name": "amc", "version": "0.1.0"},
            "decidedAt": "1970-01-01T00:00:00Z", "decisionTimeSet": false,
            "source": {"commit": null, "workflowRunId": null},
            "inputs": [{"path": bad, "sha256": format!("sha256:{}", "0".repeat(64)), "bytes": 1}],
            "stdlib": [], "artifacts": []
        });
        let v = amc::contracts::validate("amc-build", &m).unwrap();
        if v.is_empty() {
            return Err(format!("{bad} accepted").into());
        }
    }
    Ok(())
}

/// E0901 is only for compiler bugs: no golden case and no example may
/// produce it (issue 16, item 3). Goldens are read from their expected
/// diagnostics; examples are built here.
fn no_golden_case_or_example_raises_an_internal_error() {
    let cases = expected_diagnostics();
    for (p, text) in &cases {
        assert!(
            !text.contains("amc::E0901"),
            "{}: an internal error",
            p.display()
        );
    }
    let cases = cases.len();
    assert!(cases >= 40, "only {cases} golden cases read");
    let mut examples = 0;
    for e in fs::read_dir(repo().join("examples")).unwrap() {
        let dir = e.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        examples += 1;
        let opts = Options {
            stop: Stop::Build,
            ..Default::default()
        };
        let c = driver::compile(&RealFs, &dir, "example", &opts).unwrap();
        for d in c.diagnostics.iter() {
            assert_ne!(
                d.code.qualified(),
                "amc::E0901",
                "{}: {}",
                dir.display(),
                d.message
            );
        }
        assert!(
            !c.diagnostics.has_errors(),
            "{}: example has errors",
            dir.display()
        );
    }
    assert!(examples >= 4, "only {examples} examples");
}

/// A plain test function as a trial: a panic is its failure message.
fn trial(name: &str, f: fn()) -> Trial {
    Trial::test(name, move || {
        f();
        Ok(())
    })
}

fn main() {
    let args = Arguments::from_args();
    let mut trials: Vec<Trial> = case_dirs()
        .into_iter()
        .map(|case| {
            let name = case.file_name().unwrap().to_string_lossy().to_string();
            Trial::test(format!("golden_cases::{name}"), move || golden_case(&case))
        })
        .collect();
    if trials.is_empty() {
        eprintln!("no golden cases found under golden/");
        std::process::exit(101);
    }
    trials.push(trial(
        "every_error_code_has_a_golden_case",
        every_error_code_has_a_golden_case,
    ));
    trials.push(trial(
        "builds_are_identical_from_another_directory_and_path",
        builds_are_identical_from_another_directory_and_path,
    ));
    trials.push(Trial::test("contracts_have_teeth", contracts_have_teeth));
    trials.push(trial(
        "no_golden_case_or_example_raises_an_internal_error",
        no_golden_case_or_example_raises_an_internal_error,
    ));
    libtest_mimic::run(&args, trials).exit();
}
