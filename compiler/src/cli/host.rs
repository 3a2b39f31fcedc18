//! `amc probe` and `amc doctor`: facts about this host (never run by builds).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::common::Format;

/// Arguments of `amc probe`.
#[derive(Args)]
pub struct ProbeArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// Write the facts to FILE instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print an upstream document instead of host facts (agent-machine).
    #[arg(long = "as", value_name = "KIND")]
    as_kind: Option<String>,
    /// Id slug for --as agent-machine (urn:srcos:agent-machine:ID).
    #[arg(long)]
    id: Option<String>,
}

/// Arguments of `amc doctor`.
#[derive(Args)]
pub struct DoctorArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

/// Arguments of `amc paths`.
#[derive(Args)]
pub struct PathsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

/// Runs `amc paths`.
pub fn paths(a: PathsArgs) -> ExitCode {
    let env = |k: &str| std::env::var(k).ok();
    let exists = |p: &str| std::path::Path::new(p).exists();
    let exe = std::env::current_exe()
        .ok()
        .map(|p| p.to_string_lossy().into_owned());
    let entries = amc::probe::paths::paths(&env, &exists, exe);
    if a.format == Format::Json {
        stdoutln!(
            "{}",
            serde_json::to_string_pretty(&entries).unwrap_or_default()
        );
    } else {
        stdout!("{}", amc::probe::paths::render(&entries));
    }
    ExitCode::SUCCESS
}

/// Runs `amc probe`.
pub fn probe(a: ProbeArgs) -> ExitCode {
    let facts = match amc::probe::probe_host() {
        Ok(f) => f,
        Err(e) => {
            stderrln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let text = match a.as_kind.as_deref() {
        Some("agent-machine") => {
            let slug =
                a.id.unwrap_or_else(|| amc::probe::slugify(&facts.host.hostname));
            let doc = amc::probe::to_agent_machine(&facts, &slug);
            format!(
                "{}\n",
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            )
        }
        Some(other) => {
            stderrln!("error: unknown --as `{other}` (expected agent-machine)");
            return ExitCode::from(2);
        }
        None if a.format == Format::Human => amc::probe::render_human(&facts),
        None => facts.to_json(),
    };
    match a.out {
        Some(path) => match std::fs::write(&path, text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                stderrln!("error: cannot write {}: {e}", path.display());
                ExitCode::from(1)
            }
        },
        None => {
            stdout!("{text}");
            ExitCode::SUCCESS
        }
    }
}

/// Runs `amc doctor`.
pub fn doctor(a: DoctorArgs) -> ExitCode {
    let facts = match amc::probe::probe_host() {
        Ok(f) => f,
        Err(e) => {
            stderrln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let items = amc::probe::doctor(&facts);
    if a.format == Format::Json {
        stdoutln!(
            "{}",
            serde_json::to_string_pretty(&items).unwrap_or_default()
        );
    } else {
        for i in &items {
            let mark = if i.next_step.is_none() {
                "ok  "
            } else {
                "MISS"
            };
            stdoutln!("[{mark}] {:<13} {}", i.check, i.detail);
            if let Some(n) = &i.next_step {
                stdoutln!("       next: {n}");
            }
        }
    }
    ExitCode::SUCCESS
}
