//! `amc fmt` on the repository's own specs: every example, every golden
//! input and every stdlib module is formatted (the formatter leaves them as
//! they are) and formatting is idempotent. Files that are not valid KDL (the
//! syntax golden cases) must be refused with E0001 or E0002, never changed.

use std::fs;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn kdl_files() -> Vec<PathBuf> {
    let mut roots = vec![repo().join("examples"), repo().join("stdlib")];
    for case in fs::read_dir(repo().join("golden")).unwrap() {
        roots.push(case.unwrap().path().join("input"));
    }
    let mut out = Vec::new();
    for root in roots {
        for e in walkdir::WalkDir::new(root).sort_by_file_name() {
            let Ok(e) = e else { continue };
            if e.path().extension().is_some_and(|x| x == "kdl") {
                out.push(e.into_path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_spec_in_the_repository_is_formatted_and_formatting_is_idempotent() {
    let files = kdl_files();
    assert!(files.len() >= 20, "found only {} files", files.len());
    let mut refused = Vec::new();
    for f in &files {
        let name = f
            .strip_prefix(repo())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let Ok(text) = String::from_utf8(fs::read(f).unwrap()) else {
            refused.push(name);
            continue;
        };
        match amc::fmt::format_str(&name, &text) {
            Ok(out) => {
                assert_eq!(
                    out,
                    text,
                    "{name} is not formatted (run `amc fmt {name}`):\n{}",
                    amc::diff::text::unified(&text, &out, "a", "b")
                );
                assert_eq!(
                    amc::fmt::format_str(&name, &out).unwrap(),
                    out,
                    "{name}: not idempotent"
                );
            }
            Err((diags, _)) => {
                assert!(
                    diags.iter().all(|d| matches!(
                        d.code,
                        amc::diagnostics::Code::E0001 | amc::diagnostics::Code::E0004
                    )),
                    "{name}: {:?}",
                    diags.sorted()
                );
                refused.push(name);
            }
        }
    }
    // Only the deliberately broken golden inputs are refused.
    assert!(
        refused.iter().all(|n| [
            "err-syntax",
            "err-utf8",
            "err-forbidden",
            "err-limits/input/spec.kdl"
        ]
        .iter()
        .any(|c| n.contains(c))),
        "{refused:?}"
    );
}

fn kdl_blocks(doc: &str) -> Vec<String> {
    let text = fs::read_to_string(repo().join(doc)).unwrap();
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("```kdl\n") {
        let body = &rest[i + 7..];
        let end = body.find("```").unwrap();
        out.push(body[..end].to_string());
        rest = &body[end..];
    }
    out
}

#[test]
fn kdl_examples_in_the_language_reference_and_readme_are_formatted() {
    for doc in ["docs/language.md", "README.md"] {
        let blocks = kdl_blocks(doc);
        assert!(!blocks.is_empty(), "{doc} has no kdl block");
        for b in blocks {
            let out = amc::fmt::format_str(doc, &b).unwrap_or_else(|_| panic!("{doc}: {b}"));
            assert_eq!(
                out,
                b,
                "{doc}: block not formatted:\n{}",
                amc::diff::text::unified(&b, &out, "a", "b")
            );
        }
    }
}

/// The property tables of docs/language.md list properties in catalogue
/// order, which is the order `amc fmt` writes them in.
#[test]
fn property_tables_follow_the_catalogue_order() {
    let text = fs::read_to_string(repo().join("docs/language.md")).unwrap();
    let mut checked = 0;
    for (path, spec) in amc::lang::spec::all_nodes() {
        if spec.props.len() < 2 {
            continue;
        }
        let head = format!("Properties of `{}`", spec.name);
        let Some(i) = text.find(&head) else { continue };
        let table: Vec<&str> = text[i..]
            .lines()
            .skip(1)
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .filter_map(|l| l.split('`').nth(1))
            .collect();
        let want: Vec<&str> = spec.props.iter().map(|p| p.name).collect();
        assert_eq!(table, want, "{path}");
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} property tables found");
}

fn amc(args: &[&str], dir: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_amc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn cli_check_lists_and_diffs_then_fmt_rewrites() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    fs::create_dir_all(d.join("specs/.hidden")).unwrap();
    fs::create_dir_all(d.join("target")).unwrap();
    fs::write(
        d.join("target/CACHEDIR.TAG"),
        "Signature: 8a477f597d28d172789f06886806bc55",
    )
    .unwrap();
    fs::write(d.join("target/x.kdl"), "skipped   1\n").unwrap();
    fs::write(d.join("specs/.hidden/y.kdl"), "skipped   1\n").unwrap();
    fs::write(d.join("specs/ok.kdl"), "a 1\n").unwrap();
    fs::write(d.join("specs/ugly.kdl"), "a   1 // c\n").unwrap();
    fs::write(d.join("specs/broken.kdl"), "a \"open\n").unwrap();

    let o = amc(&["fmt", "--check"], d);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8(o.stdout).unwrap();
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        out.contains("--- a/specs/ugly.kdl\n+++ b/specs/ugly.kdl\n"),
        "{out}"
    );
    assert!(out.contains("-a   1 // c\n+a 1 // c\n"), "{out}");
    assert!(err.contains("not formatted: specs/ugly.kdl"), "{err}");
    assert!(err.contains("amc::E0001"), "{err}");
    assert!(
        !err.contains("target/") && !err.contains(".hidden"),
        "{err}"
    );
    assert!(
        err.contains("1 of 3 files not formatted, 1 failed"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(d.join("specs/ugly.kdl")).unwrap(),
        "a   1 // c\n"
    );

    // Formatting rewrites the ugly file, leaves the broken one, and exits 1 for it.
    let o = amc(&["fmt", "specs"], d);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        fs::read_to_string(d.join("specs/ugly.kdl")).unwrap(),
        "a 1 // c\n"
    );
    assert_eq!(
        fs::read_to_string(d.join("specs/broken.kdl")).unwrap(),
        "a \"open\n"
    );
    fs::remove_file(d.join("specs/broken.kdl")).unwrap();
    let o = amc(&["fmt", "--check", "specs"], d);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.stdout.is_empty());
    let o = amc(&["fmt", "missing"], d);
    assert_eq!(o.status.code(), Some(2));
}
