//! The bad-input corpus (`tests/bad-inputs/`, see its README): every entry
//! gives its expected code with a span and exit status 1, never a panic.
//! Plus inputs too big to commit: a 10 MB string, a 40 MB spec and a spec
//! of 100 000 pods.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn amc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_amc"))
}

/// Runs `amc check PATH --format json`: (exit code, diagnostics).
fn check(path: &Path) -> (i32, Vec<Value>) {
    let out = amc()
        .args(["check", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let diags: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: stdout is not JSON ({e}); exit {code}; stderr: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, diags)
}

fn expected(entry: &Path) -> String {
    let spec = if entry.is_dir() {
        entry.join("spec.kdl")
    } else {
        entry.to_path_buf()
    };
    let bytes = std::fs::read(&spec).unwrap();
    let first = String::from_utf8_lossy(&bytes);
    let line = first.lines().next().unwrap_or("");
    line.split("expect: ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("{}: first line lacks `// expect: CODE`", spec.display()))
        .to_string()
}

fn assert_refused(
    entry: &Path,
    want: &str,
    (code, diags): (i32, Vec<Value>),
) -> Result<(), String> {
    if code != 1 {
        return Err(format!(
            "{}: exit {code}, expected 1: {diags:?}",
            entry.display()
        ));
    }
    let errors: Vec<&str> = diags
        .iter()
        .filter(|d| d["severity"] == "error")
        .filter_map(|d| d["code"].as_str())
        .collect();
    if !errors.contains(&want) {
        return Err(format!(
            "{}: expected {want}, got {errors:?}",
            entry.display()
        ));
    }
    for d in &diags {
        if d["line"].as_u64().unwrap_or(0) == 0 || d["file"].as_str().is_none_or(str::is_empty) {
            return Err(format!(
                "{}: a diagnostic without a span: {d}",
                entry.display()
            ));
        }
        if d["code"] == "amc::E0901" {
            return Err(format!("{}: an internal error: {d}", entry.display()));
        }
    }
    Ok(())
}

#[test]
fn every_bad_input_gets_its_code_with_a_span() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-inputs");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|x| x == "kdl"))
        .collect();
    entries.sort();
    assert!(entries.len() >= 40, "only {} bad inputs", entries.len());
    let failures: Vec<String> = entries
        .iter()
        .filter_map(|e| assert_refused(e, &expected(e), check(e)).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const POD: &str = r#"pod "p{i}" {
    tenant "t"
    provider "llama-cpp"
    accelerator "cpu"
    resources cpu=1 memory="1GiB"
    target "quadlet"
}
"#;

#[test]
fn inputs_too_big_to_commit_are_refused_quickly() {
    let tmp = tempfile::tempdir().unwrap();
    // A 10 MB string: E0004 (strings are at most 4096 bytes).
    let p = tmp.path().join("long-string.kdl");
    std::fs::write(&p, format!("machine \"{}\"\n", "m".repeat(10 << 20))).unwrap();
    assert_refused(&p, "amc::E0004", check(&p)).unwrap();
    // A 40 MB spec: E0004 (input files are at most 32 MiB), read no further.
    let p = tmp.path().join("huge.kdl");
    let line = "// padding padding padding padding padding padding padding padding\n";
    std::fs::write(&p, line.repeat((40 << 20) / line.len())).unwrap();
    let t = std::time::Instant::now();
    assert_refused(&p, "amc::E0004", check(&p)).unwrap();
    assert!(t.elapsed().as_secs() < 20, "took {:?}", t.elapsed());
}

#[test]
fn a_hundred_thousand_pods_get_a_diagnostic_not_a_hang() {
    // 100 000 pods and no machine: every pod is checked and the build says
    // it cannot place them, in bounded time and under a 3 GiB address-space
    // limit (`ulimit -v`). This found two O(n²) paths: error counting per
    // pod and the infeasibility search's per-deployment setup.
    let tmp = tempfile::tempdir().unwrap();
    let mut text = String::from("import \"std:providers/llama-cpp\"\n");
    for i in 0..100_000 {
        text.push_str(&POD.replace("{i}", &i.to_string()));
    }
    let p = tmp.path().join("many.kdl");
    std::fs::write(&p, text).unwrap();
    let t = std::time::Instant::now();
    let out = Command::new("sh")
        .args(["-c", "ulimit -v 3145728 && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_amc"))
        .args(["check", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let diags: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}), exit {code}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(code, 1, "{:?}", diags.first());
    assert!(
        diags.iter().filter(|d| d["code"] == "amc::E0501").count() == 100_000,
        "every pod is reported unplaceable"
    );
    assert!(!diags.is_empty());
    assert!(t.elapsed().as_secs() < 120, "took {:?}", t.elapsed());
}
