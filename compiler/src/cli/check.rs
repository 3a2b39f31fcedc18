//! `amc check`: diagnostics for one or more specs.

use std::path::PathBuf;
use std::process::ExitCode;

use amc::diagnostics::sarif;
use amc::driver::{self, Compilation, Options, Stop};
use amc::vfs::RealFs;
use clap::{Args, ValueEnum};

use super::common::{Format, display_of, json_of, print_diags, summary};

/// Output formats of `amc check`.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum CheckFormat {
    /// Terminal output (miette) on stderr.
    Human,
    /// Stable JSON array on stdout (documented in docs/cli.md).
    Json,
    /// SARIF 2.1.0 log on stdout, for code-scanning annotations.
    Sarif,
}

/// Arguments of `amc check`.
#[derive(Args)]
pub struct CheckArgs {
    /// Spec files or directories.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: CheckFormat,
    /// Apply the overlay overlays/NAME/*.kdl of each spec.
    #[arg(long, value_name = "NAME")]
    overlay: Option<String>,
}

/// Runs `amc check`.
pub fn run(a: CheckArgs) -> ExitCode {
    let mut worst = 0u8;
    let mut all_json = Vec::new();
    let mut compilations: Vec<Compilation> = Vec::new();
    for path in &a.paths {
        let opts = Options {
            stop: Stop::Check,
            overlay: a.overlay.clone(),
            ..Default::default()
        };
        let progress = super::progress::Progress::new(&display_of(path));
        let compiled = driver::compile_observed(&RealFs, path, &display_of(path), &opts, &progress);
        progress.clear();
        match compiled {
            Err(e) => {
                stderrln!("error: {e}");
                worst = worst.max(2);
            }
            Ok(c) => {
                match a.format {
                    CheckFormat::Human => {
                        print_diags(&c, Format::Human);
                        stderrln!("{}: {}", display_of(path), summary(&c));
                    }
                    CheckFormat::Json => all_json.extend(json_of(&c)),
                    CheckFormat::Sarif => {}
                }
                if c.diagnostics.has_errors() {
                    worst = worst.max(1);
                }
                if a.format == CheckFormat::Sarif {
                    compilations.push(c);
                }
            }
        }
    }
    match a.format {
        CheckFormat::Json => stdoutln!(
            "{}",
            serde_json::to_string_pretty(&all_json).unwrap_or_else(|_| "[]".into())
        ),
        CheckFormat::Sarif => {
            let sorted: Vec<_> = compilations
                .iter()
                .map(|c| (c.diagnostics.sorted(), &c.sources))
                .collect();
            let log = sarif::log(sorted.iter().map(|(d, m)| (d.as_slice(), *m)));
            stdout!("{}", sarif::to_string(&log));
        }
        CheckFormat::Human => {}
    }
    ExitCode::from(worst)
}
