//! The `amc` command line: a thin layer over the library.
//!
//! Argument parsing and dispatch live in `cli/` (one file per command
//! family); everything they do is a call into the `amc` library.

mod cli;

use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: emitting a fleet allocates and frees
/// millions of small strings, and glibc's free lists cost 10–15 % of a
/// large build (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

fn main() -> ExitCode {
    let parsed = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    let code = cli::run(parsed);
    cli::stream::flush();
    code
}
