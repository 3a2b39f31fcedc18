//! `amc check`: diagnostics for one or more specs.

use std::path::PathBuf;
use std::process::ExitCode;

use amc::driver::{self, Options, Stop};
use amc::emit::EmitOptions;
use amc::vfs::RealFs;
use clap::Args;

use super::common::{Format, display_of, json_of, print_diags, summary};

/// Arguments of `amc check`.
#[derive(Args)]
pub struct CheckArgs {
    /// Spec files or directories.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

/// Runs `amc check`.
pub fn run(a: CheckArgs) -> ExitCode {
    let mut worst = 0u8;
    let mut all_json = Vec::new();
    for path in &a.paths {
        let opts = Options {
            stop: Stop::Check,
            emit: EmitOptions::default(),
            sign: None,
        };
        match driver::compile(&RealFs, path, &display_of(path), &opts) {
            Err(e) => {
                eprintln!("error: {e}");
                worst = worst.max(2);
            }
            Ok(c) => {
                print_diags(&c, a.format);
                if a.format == Format::Json {
                    all_json.extend(json_of(&c));
                } else {
                    eprintln!("{}: {}", display_of(path), summary(&c));
                }
                if c.diagnostics.has_errors() {
                    worst = worst.max(1);
                }
            }
        }
    }
    if a.format == Format::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&all_json).unwrap_or_else(|_| "[]".into())
        );
    }
    ExitCode::from(worst)
}
