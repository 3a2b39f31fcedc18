//! The editing loop's repository files and generated help: pre-commit hooks
//! that run, CI examples that parse, shell completions, man pages kept in
//! sync with the CLI, and an example and a fix on every `amc explain` page.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn amc(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_amc"))
        .args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn pre_commit_hooks_run_amc_on_kdl_files() {
    let text = fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks: Vec<Value> = serde_saphyr::from_str(&text).unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["amc-check", "amc-fmt"]);
    for h in &hooks {
        assert_eq!(h["files"], "\\.kdl$");
        assert_eq!(h["language"], "system");
        // Run the hook's entry as pre-commit would, on this repository's specs.
        let entry: Vec<&str> = h["entry"].as_str().unwrap().split_whitespace().collect();
        assert_eq!(entry[0], "amc");
        let mut args: Vec<&str> = entry[1..].to_vec();
        if h["pass_filenames"] == false {
            args.push("examples/m2-asahi");
        } else {
            args.extend([
                "examples/m2-asahi/spec.kdl",
                "examples/mixed-fleet/spec.kdl",
            ]);
        }
        let o = amc(&args);
        assert!(
            o.status.success(),
            "{}: {}",
            h["id"],
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn ci_examples_are_valid_yaml_and_use_the_documented_commands() {
    let text = fs::read_to_string(repo().join("docs/ci.md")).unwrap();
    let mut blocks = Vec::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("```yaml\n") {
        let body = &rest[i + 8..];
        let end = body.find("```").unwrap();
        blocks.push(body[..end].to_string());
        rest = &body[end..];
    }
    assert_eq!(blocks.len(), 3, "pre-commit, GitHub Actions, GitLab CI");
    for b in &blocks {
        let _: Value = serde_saphyr::from_str(b).unwrap_or_else(|e| panic!("{e}\n{b}"));
    }
    let all = blocks.join("\n");
    for cmd in [
        "amc fmt --check",
        "amc check",
        "--format sarif",
        "amc build",
        "--require-activation",
        "amc verify",
        "amc diff",
    ] {
        assert!(all.contains(cmd), "docs/ci.md examples lack `{cmd}`");
    }
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let o = amc(&["completions", shell]);
        assert!(o.status.success());
        let s = String::from_utf8(o.stdout).unwrap();
        for sub in ["check", "build", "fmt", "diff", "explain"] {
            assert!(s.contains(sub), "{shell} completions lack `{sub}`");
        }
    }
    // The bash script is valid and registers a completion for `amc`.
    let o = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source <('{}' completions bash) && complete -p amc",
            env!("CARGO_BIN_EXE_amc")
        ))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("amc"));
    assert_eq!(amc(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn man_pages_in_docs_are_generated_from_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let o = amc(&["man", "--dir", tmp.path().to_str().unwrap()]);
    assert!(o.status.success());
    let read = |dir: &Path| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let p = e.unwrap().path();
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    fs::read_to_string(&p).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let fresh = read(tmp.path());
    let committed = read(&repo().join("docs/man"));
    assert!(fresh.iter().any(|(n, _)| n == "amc-fmt.1"));
    assert!(
        fresh == committed,
        "docs/man is out of date: run `cargo run -- man --dir docs/man` (after removing docs/man)"
    );
    // `amc man` prints the top-level page.
    let top = String::from_utf8(amc(&["man"]).stdout).unwrap();
    assert_eq!(top, fresh.iter().find(|(n, _)| n == "amc.1").unwrap().1);
}

/// Every `amc explain` page shows an example and says how to fix it.
#[test]
fn every_explain_page_has_an_example_and_a_fix() {
    for c in amc::diagnostics::all_codes() {
        let page = amc::diagnostics::explain(*c);
        let code = c.info().code;
        assert!(page.contains("\n```"), "{code}: no example block");
        assert!(page.contains("\nFix: "), "{code}: no `Fix:` paragraph");
    }
    let o = amc(&["explain", "E0102"]);
    assert!(
        String::from_utf8(o.stdout)
            .unwrap()
            .starts_with("## E0102 — unknown property\n")
    );
}
