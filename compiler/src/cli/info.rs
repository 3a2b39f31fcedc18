//! `amc version`, `amc schema`, `amc explain`: information about amc itself.

use std::process::ExitCode;

use amc::diagnostics::Code;
use clap::Args;

/// Arguments of `amc schema`.
#[derive(Args)]
pub struct SchemaArgs {
    /// Contract name (e.g. host-facts, upstream/policy-admission).
    name: Option<String>,
}

/// Arguments of `amc explain`.
#[derive(Args)]
pub struct ExplainArgs {
    /// The code, e.g. E0102.
    code: String,
}

/// Runs `amc version`.
pub fn version() -> ExitCode {
    stdoutln!("amc {}", amc::VERSION);
    ExitCode::SUCCESS
}

/// Runs `amc schema`.
pub fn schema(a: SchemaArgs) -> ExitCode {
    match a.name {
        None => {
            for c in amc::contracts::all() {
                stdoutln!("{}", c.name);
            }
            ExitCode::SUCCESS
        }
        Some(n) => match amc::contracts::get(&n) {
            Some(c) => {
                stdout!("{}", c.text);
                ExitCode::SUCCESS
            }
            None => {
                stderrln!("error: no contract `{n}`; `amc schema` lists them");
                ExitCode::from(2)
            }
        },
    }
}

/// Runs `amc explain`.
pub fn explain(a: ExplainArgs) -> ExitCode {
    match Code::parse(&a.code) {
        Some(c) => {
            stdout!("{}", amc::diagnostics::explain(c));
            ExitCode::SUCCESS
        }
        None => {
            stderrln!("error: unknown diagnostic code `{}`", a.code);
            ExitCode::from(2)
        }
    }
}
