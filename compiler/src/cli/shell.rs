//! `amc completions` and `amc man`: shell completions and manual pages,
//! generated from the CLI definition itself (clap_complete, clap_mangen).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Cli;

/// Arguments of `amc completions`.
#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    shell: Shell,
}

/// Arguments of `amc man`.
#[derive(Args)]
pub struct ManArgs {
    /// Write amc.1 and one page per command (amc-build.1, ...) into DIR
    /// instead of printing amc.1.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Runs `amc completions`.
pub fn completions(a: CompletionsArgs) -> ExitCode {
    let mut cmd = Cli::command();
    // `generate` panics on a write error: render into memory first.
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "amc", &mut buf);
    super::stream::out_bytes(&buf);
    ExitCode::SUCCESS
}

/// Runs `amc man`.
pub fn man(a: ManArgs) -> ExitCode {
    // As `generate_to` does for the pages: no `help` pseudo-command.
    let cmd = Cli::command().disable_help_subcommand(true);
    let result = match a.dir {
        Some(dir) => std::fs::create_dir_all(&dir)
            .and_then(|()| clap_mangen::generate_to(cmd, &dir))
            .map_err(|e| format!("cannot write man pages to {}: {e}", dir.display())),
        None => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut buf)
                .map(|()| super::stream::out_bytes(&buf))
                .map_err(|e| format!("cannot render the man page: {e}"))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            stderrln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
