//! `amc lsp`: the language server over stdin/stdout.

use std::process::ExitCode;

use clap::Args;

/// Arguments of `amc lsp`.
#[derive(Args)]
pub struct LspArgs {
    /// Talk over stdin/stdout (the only transport; accepted because editor
    /// clients pass it).
    #[arg(long)]
    stdio: bool,
}

/// Runs `amc lsp` until the client sends `exit`.
pub fn run(a: LspArgs) -> ExitCode {
    let _ = a.stdio;
    match amc::lsp::run_stdio(amc::lsp::Config::default()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            stderrln!("error: amc lsp: {e}");
            ExitCode::from(1)
        }
    }
}
