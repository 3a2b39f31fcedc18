//! `amc diff`: the plan between two build outputs; also `amc build --plan`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use amc::emit::Artifacts;
use clap::Args;

use super::common::Format;

/// Arguments of `amc diff`.
#[derive(Args)]
pub struct DiffArgs {
    /// The old build output directory.
    old: PathBuf,
    /// The new build output directory.
    new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Exit 1 when anything changed (as `git diff --exit-code`).
    #[arg(long)]
    exit_code: bool,
}

fn load(dir: &Path) -> Result<Artifacts, String> {
    if !dir.is_dir() {
        return Err(format!("{} is not a directory", dir.display()));
    }
    amc::write::read_output(dir).map_err(|e| e.to_string())
}

/// The plan in the requested format (JSON: pretty, with a final newline).
fn render(plan: &amc::diff::Plan, format: Format) -> String {
    match format {
        Format::Human => amc::diff::human(plan),
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(plan).unwrap_or_else(|_| "{}".into())
        ),
    }
}

/// Runs `amc diff`.
pub fn run(a: DiffArgs) -> ExitCode {
    let (old, new) = match (load(&a.old), load(&a.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => {
            stderrln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let plan = amc::diff::plan(&old, &new);
    stdout!("{}", render(&plan, a.format));
    if a.exit_code && plan.changed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `amc build --plan`: the plan from the existing `out` (absent: empty) to
/// the new artifacts, printed before `out` is replaced. Human form on stdout;
/// with `--format json` (stdout holds the diagnostics) on stderr.
pub fn print_build_plan(out: &Path, new: &Artifacts, format: Format) -> Result<(), String> {
    let old = amc::write::read_output(out).map_err(|e| e.to_string())?;
    let text = amc::diff::human(&amc::diff::plan(&old, new));
    match format {
        Format::Human => stdout!("{text}"),
        Format::Json => stderr!("{text}"),
    }
    Ok(())
}
