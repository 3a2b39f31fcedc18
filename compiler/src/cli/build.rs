//! `amc build`: compile a spec and write the output directory atomically.

use std::path::PathBuf;
use std::process::ExitCode;

use amc::diagnostics::render;
use amc::diagnostics::{Code, Diagnostic};
use amc::driver::{self, Options, Stop};
use amc::emit::EmitOptions;
use amc::source::SourceMap;
use amc::vfs::RealFs;
use clap::Args;

use super::common::{Format, display_of, json_of, print_diags, style, summary};

/// Arguments of `amc build`.
#[derive(Args)]
pub struct BuildArgs {
    /// Spec file or directory.
    path: PathBuf,
    /// Output directory (replaced atomically).
    #[arg(long)]
    out: PathBuf,
    /// Decision time (RFC 3339); else SOURCE_DATE_EPOCH; else unset (1970-01-01T00:00:00Z).
    #[arg(long)]
    decided_at: Option<String>,
    /// Diagnostics format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Place exactly with CBC (small fleets; needs amc built with `--features exact`).
    #[arg(long)]
    exact: bool,
}

/// Runs `amc build`.
pub fn run(a: BuildArgs) -> ExitCode {
    let sde = std::env::var("SOURCE_DATE_EPOCH").ok();
    let decided = match driver::decision_time(a.decided_at.as_deref(), sde.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if !amc::write::replaceable(&a.out) {
        eprintln!(
            "error: {} exists and is not an amc build output; refusing to replace it",
            a.out.display()
        );
        return ExitCode::from(2);
    }
    let opts = Options {
        stop: Stop::Build,
        emit: EmitOptions {
            decided_at: decided,
        },
    };
    if a.exact && !cfg!(feature = "exact") {
        eprintln!(
            "error: --exact needs amc built with the `exact` feature (cargo install --features exact; needs coinor-libcbc-dev)"
        );
        return ExitCode::from(2);
    }
    let placement = amc::solve::SolveOptions { exact: a.exact };
    let c = match driver::compile_with(&RealFs, &a.path, &display_of(&a.path), &opts, placement) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    print_diags(&c, a.format);
    if a.format == Format::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json_of(&c)).unwrap_or_else(|_| "[]".into())
        );
    }
    if c.diagnostics.has_errors() {
        eprintln!("{}: {}; nothing written", display_of(&a.path), summary(&c));
        return ExitCode::from(1);
    }
    if let Err(e) = amc::write::write_atomic(&a.out, &c.artifacts) {
        let d = Diagnostic::new(Code::E0902, e.to_string());
        eprint!("{}", render::human(&[d], &SourceMap::new(), style()));
        return ExitCode::from(1);
    }
    if a.format == Format::Human {
        eprintln!(
            "{}: {}; wrote {} files to {}",
            display_of(&a.path),
            summary(&c),
            c.artifacts.len(),
            a.out.display()
        );
    }
    ExitCode::SUCCESS
}
