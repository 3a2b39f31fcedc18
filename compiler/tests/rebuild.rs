//! The rebuild cache: `amc build` into an output whose inputs, options,
//! compiler and tree are all unchanged skips checking, placing and emitting,
//! replays the diagnostics, and writes nothing; any change runs the build.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn amc(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_amc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("AMC_SIGN_KEY")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(e.path(), &dest).unwrap();
        }
    }
}

const T: &str = "--decided-at=2026-06-01T00:00:00Z";

/// Builds `spec` into `out` in `d` with `extra` flags.
fn build(d: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["build", "spec", "--out", "out", T];
    args.extend_from_slice(extra);
    amc(&args, d)
}

fn up_to_date(o: &Output) -> bool {
    stderr(o).contains("out is up to date: no input changed, nothing written")
}

/// Everything but the last line (the summary, which says what was written).
fn without_summary(o: &Output) -> String {
    let s = stderr(o);
    let mut lines: Vec<&str> = s.lines().collect();
    lines.pop();
    lines.join("\n")
}

/// The mixed-fleet example (three warnings) copied into a fresh directory and
/// built twice: the second build keeps the first's placement and records it,
/// so the third is the first that changes nothing.
fn settled() -> tempfile::TempDir {
    settled_example("mixed-fleet")
}

fn settled_example(name: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("examples").join(name), &d.path().join("spec"));
    for _ in 0..2 {
        let o = build(d.path(), &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(!up_to_date(&o), "{}", stderr(&o));
    }
    d
}

#[test]
fn an_unchanged_rebuild_is_skipped_and_replays_its_diagnostics() {
    let d = settled();
    let full = build(d.path(), &["--fresh"]);
    // --fresh places without the incumbent: a different build, so it runs
    // (and writes the output of a build without one).
    assert!(!up_to_date(&full), "{}", stderr(&full));
    let again = build(d.path(), &["--fresh"]);
    assert!(again.status.success());
    assert!(up_to_date(&again), "{}", stderr(&again));
    // The same warnings, rendered the same way, and the same pod lines.
    assert_eq!(without_summary(&full), without_summary(&again));
    assert!(stderr(&again).contains("3 warnings"), "{}", stderr(&again));
    // The JSON diagnostics too: a full build's (without the record) and a
    // skipped one's.
    let json = [
        "build", "spec", "--out", "out", T, "--fresh", "--format", "json",
    ];
    fs::remove_file(d.path().join(".out.amc-cache.json")).unwrap();
    let j1 = amc(&json, d.path());
    let j2 = amc(&json, d.path());
    assert!(j1.status.success() && j2.status.success());
    assert!(String::from_utf8_lossy(&j1.stdout).contains("W0"));
    assert_eq!(
        String::from_utf8_lossy(&j1.stdout),
        String::from_utf8_lossy(&j2.stdout)
    );
}

#[test]
fn a_changed_input_option_or_tree_runs_the_build() {
    let d = settled();
    let p = d.path();
    assert!(up_to_date(&build(p, &[])));
    // An option that changes output.
    let o = build(p, &["--report"]);
    assert!(!up_to_date(&o), "{}", stderr(&o));
    assert!(p.join("out/report.html").is_file());
    assert!(up_to_date(&build(p, &["--report"])));
    // An input file (a comment changes the manifest's input digest).
    let spec = p.join("spec/spec.kdl");
    let mut text = fs::read_to_string(&spec).unwrap();
    text.push_str("// edited\n");
    fs::write(&spec, text).unwrap();
    let o = build(p, &["--report"]);
    assert!(!up_to_date(&o), "{}", stderr(&o));
    assert!(up_to_date(&build(p, &["--report"])));
    // A file of the output changed by hand: the build runs and restores it.
    let placement = p.join("out/placement.json");
    let good = fs::read(&placement).unwrap();
    let mut bad = good.clone();
    bad.extend_from_slice(b"\n");
    fs::write(&placement, &bad).unwrap();
    let o = build(p, &["--report"]);
    assert!(!up_to_date(&o), "{}", stderr(&o));
    assert_eq!(fs::read(&placement).unwrap(), good);
    // A file added by hand: refused, as without a record.
    fs::write(p.join("out/extra.txt"), "x").unwrap();
    let o = build(p, &["--report"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("extra.txt"), "{}", stderr(&o));
    fs::remove_file(p.join("out/extra.txt")).unwrap();
    assert!(up_to_date(&build(p, &["--report"])));
    // A damaged record is only a full build.
    fs::write(p.join(".out.amc-cache.json"), "{not json").unwrap();
    let o = build(p, &["--report"]);
    assert!(o.status.success() && !up_to_date(&o), "{}", stderr(&o));
    assert!(up_to_date(&build(p, &["--report"])));
    // --plan always builds, to compare.
    let o = build(p, &["--report", "--plan"]);
    assert!(o.status.success() && !up_to_date(&o), "{}", stderr(&o));
}

#[test]
fn the_deploy_gate_is_not_skipped() {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("examples/m2-asahi"), &d.path().join("spec"));
    // Without a decision time m2-asahi's pod fails closed.
    let args = ["build", "spec", "--out", "out"];
    for _ in 0..2 {
        assert!(amc(&args, d.path()).status.success());
    }
    assert!(up_to_date(&amc(&args, d.path())));
    // The gate refuses even though nothing changed, and the output stays.
    let before = fs::read(d.path().join("out/amc-build.json")).unwrap();
    let o = amc(&[&args[..], &["--require-activation"]].concat(), d.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("E0602"), "{}", stderr(&o));
    assert_eq!(
        fs::read(d.path().join("out/amc-build.json")).unwrap(),
        before
    );
}

#[test]
fn a_signed_build_is_skipped_only_with_the_same_key() {
    let d = settled();
    let p = d.path();
    for k in ["k1", "k2"] {
        let o = amc(&["keygen", "--out", k], p);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = build(p, &["--sign-key", "k1.key"]);
    assert!(!up_to_date(&o), "{}", stderr(&o));
    let o = build(p, &["--sign-key", "k1.key"]);
    assert!(up_to_date(&o), "{}", stderr(&o));
    assert!(stderr(&o).contains("(signed)"), "{}", stderr(&o));
    let o = build(p, &["--sign-key", "k2.key"]);
    assert!(!up_to_date(&o), "{}", stderr(&o));
    let v = amc(&["verify", "out", "--key", "k2.pub"], p);
    assert!(v.status.success(), "{}", stderr(&v));
    // A key that no longer loads is an error, not a skip.
    fs::write(p.join("k2.key"), "not a key").unwrap();
    let o = build(p, &["--sign-key", "k2.key"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}
