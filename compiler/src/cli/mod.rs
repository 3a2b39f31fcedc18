//! CLI definition and dispatch. Each command family has its own file with
//! its `clap::Args` struct and a `run` function returning the exit code
//! (0 success, 1 diagnostics/verification failure, 2 usage error).

mod build;
mod check;
mod common;
mod host;
mod info;
mod why;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// amc, the Agent Machine compiler.
#[derive(Parser)]
#[command(name = "amc", version, about = "amc, the Agent Machine compiler", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check specs and report every diagnostic (each PATH is its own spec).
    Check(check::CheckArgs),
    /// Build a spec into a deployable output directory.
    Build(build::BuildArgs),
    /// Print the JSON Schema of a contract, or list them.
    Schema(info::SchemaArgs),
    /// Explain a diagnostic code.
    Explain(info::ExplainArgs),
    /// Probe this host and print its facts (never run implicitly by builds).
    Probe(host::ProbeArgs),
    /// Report what this host can run, with a next step for each gap.
    Doctor(host::DoctorArgs),
    /// Explain a placement: why a pod runs where it runs, and why not elsewhere.
    Why(why::WhyArgs),
    /// Print the version.
    Version,
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Version => info::version(),
        Command::Check(a) => check::run(a),
        Command::Build(a) => build::run(a),
        Command::Schema(a) => info::schema(a),
        Command::Explain(a) => info::explain(a),
        Command::Probe(a) => host::probe(a),
        Command::Doctor(a) => host::doctor(a),
        Command::Why(a) => why::run(a),
    }
}
