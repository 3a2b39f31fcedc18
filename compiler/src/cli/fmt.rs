//! `amc fmt`: rewrite spec files in the canonical layout, or check them.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use amc::diagnostics::render;
use amc::diagnostics::{Code, Diagnostic, Diagnostics};
use amc::source::SourceMap;
use clap::Args;

use super::common::{display_of, style};

/// Arguments of `amc fmt`.
#[derive(Args)]
pub struct FmtArgs {
    /// Files or directories (default: the current directory, its `.kdl` files
    /// recursively); `-` formats standard input to standard output.
    paths: Vec<PathBuf>,
    /// Write nothing: list the files that are not formatted, print a diff,
    /// and exit 1 if there are any.
    #[arg(long)]
    check: bool,
}

/// The `.kdl` files under `dir`, sorted; hidden directories and cache
/// directories (holding `CACHEDIR.TAG`, like Cargo's `target/`) are skipped.
fn kdl_files(dir: &Path) -> Vec<PathBuf> {
    let walker = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !e.file_type().is_dir()
                || !(e.file_name().to_string_lossy().starts_with('.')
                    || e.path().join("CACHEDIR.TAG").exists())
        });
    walker
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "kdl"))
        .map(|e| e.into_path())
        .collect()
}

enum Outcome {
    Same,
    Changed,
    Failed,
}

fn print(diags: &Diagnostics, map: &SourceMap) {
    stderr!("{}", render::human(&diags.sorted(), map, style()));
}

fn one(path: &Path, check: bool) -> Outcome {
    let name = display_of(path);
    let name = name.strip_prefix("./").unwrap_or(&name).to_string();
    let mut map = SourceMap::new();
    let mut diags = Diagnostics::new();
    let text = match std::fs::read(path).map(String::from_utf8) {
        Ok(Ok(t)) => t,
        Ok(Err(_)) => {
            diags.push(
                Diagnostic::new(Code::E0002, format!("{name} is not valid UTF-8"))
                    .help("save the file as UTF-8"),
            );
            print(&diags, &map);
            return Outcome::Failed;
        }
        Err(e) => {
            diags.push(Diagnostic::new(
                Code::E0002,
                format!("cannot read {name}: {e}"),
            ));
            print(&diags, &map);
            return Outcome::Failed;
        }
    };
    let id = map.add(name.clone(), text.clone());
    let Some(out) = amc::fmt::format_source(id, &text, &mut diags) else {
        print(&diags, &map);
        return Outcome::Failed;
    };
    if out == text {
        return Outcome::Same;
    }
    if check {
        stdout!(
            "{}",
            amc::diff::text::unified(&text, &out, &format!("a/{name}"), &format!("b/{name}"))
        );
        stderrln!("not formatted: {name}");
        return Outcome::Changed;
    }
    match amc::write::replace_file(path, out.as_bytes()) {
        Ok(()) => {
            stderrln!("formatted {name}");
            Outcome::Changed
        }
        Err(e) => {
            let d = Diagnostic::new(Code::E0902, e.to_string());
            stderr!("{}", render::human(&[d], &SourceMap::new(), style()));
            Outcome::Failed
        }
    }
}

fn stdin(check: bool) -> ExitCode {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        stderrln!("error: cannot read standard input: {e}");
        return ExitCode::from(2);
    }
    match amc::fmt::format_str("<stdin>", &text) {
        Ok(out) if check => {
            stdout!(
                "{}",
                amc::diff::text::unified(&text, &out, "a/<stdin>", "b/<stdin>")
            );
            ExitCode::from(u8::from(out != text))
        }
        Ok(out) => {
            stdout!("{out}");
            ExitCode::SUCCESS
        }
        Err((diags, map)) => {
            print(&diags, &map);
            ExitCode::from(1)
        }
    }
}

/// Runs `amc fmt`.
pub fn run(a: FmtArgs) -> ExitCode {
    if a.paths.iter().any(|p| p.as_os_str() == "-") {
        if a.paths.len() > 1 {
            stderrln!("error: `-` (standard input) cannot be combined with other paths");
            return ExitCode::from(2);
        }
        return stdin(a.check);
    }
    let roots = if a.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        a.paths.clone()
    };
    let mut files = Vec::new();
    for root in &roots {
        if root.is_dir() {
            files.extend(kdl_files(root));
        } else if root.is_file() {
            files.push(root.clone());
        } else {
            stderrln!("error: {} does not exist", root.display());
            return ExitCode::from(2);
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    files.retain(|f| seen.insert(f.clone()));
    let (mut changed, mut failed) = (0usize, 0usize);
    for f in &files {
        match one(f, a.check) {
            Outcome::Same => {}
            Outcome::Changed => changed += 1,
            Outcome::Failed => failed += 1,
        }
    }
    let total = files.len();
    if a.check {
        stderrln!("{changed} of {total} files not formatted, {failed} failed");
    } else {
        stderrln!("formatted {changed} of {total} files, {failed} failed");
    }
    if failed > 0 || (a.check && changed > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
