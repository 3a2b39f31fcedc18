//! CLI definition and dispatch. Each command family has its own file with
//! its `clap::Args` struct and a `run` function returning the exit code
//! (0 success, 1 diagnostics/verification failure, 2 usage error).

#[macro_use]
pub(crate) mod stream;

mod build;
mod check;
mod common;
mod diff;
mod evaluate;
mod evidence;
mod fmt;
mod host;
mod import;
mod info;
mod lsp;
mod model;
mod progress;
mod shell;
mod sign;
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
    /// Write a signing key pair (ECDSA P-256): PREFIX.key and PREFIX.pub.
    Keygen(sign::KeygenArgs),
    /// Verify a build output: signatures, digests, file set; optionally a rebuild.
    Verify(sign::VerifyArgs),
    /// Format spec files in the canonical layout (or check that they are).
    Fmt(fmt::FmtArgs),
    /// Show what changed between two build outputs: per pod and per artifact.
    Diff(diff::DiffArgs),
    /// Print the JSON Schema of a contract, or list them.
    Schema(info::SchemaArgs),
    /// Explain a diagnostic code.
    Explain(info::ExplainArgs),
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions(shell::CompletionsArgs),
    /// Print the man page, or write every page with --dir.
    Man(shell::ManArgs),
    /// Probe this host and print its facts (never run implicitly by builds).
    Probe(host::ProbeArgs),
    /// Report what this host can run, with a next step for each gap.
    Doctor(host::DoctorArgs),
    /// Print where amc's files and install locations are on this host.
    Paths(host::PathsArgs),
    /// Run the language server over stdin/stdout (for editors).
    Lsp(lsp::LspArgs),
    /// Evaluate governance documents (a drop-in for upstream's evaluator).
    Evaluate(evaluate::EvaluateArgs),
    /// Upstream's spelling: `amc activate evaluate POD POLICY GRANT ...`.
    Activate(evaluate::ActivateArgs),
    /// Write the runtime-only evidence kinds (activation, runtime-status, teardown, wipe).
    Evidence(evidence::EvidenceArgs),
    /// Model helpers: `amc model digest DIR` lists a model's files with their sha256.
    Model(model::ModelArgs),
    /// Turn upstream Agent Machine documents into a formatted .kdl spec.
    Import(import::ImportArgs),
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
        Command::Keygen(a) => sign::keygen(a),
        Command::Verify(a) => sign::verify(a),
        Command::Fmt(a) => fmt::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Schema(a) => info::schema(a),
        Command::Explain(a) => info::explain(a),
        Command::Completions(a) => shell::completions(a),
        Command::Man(a) => shell::man(a),
        Command::Probe(a) => host::probe(a),
        Command::Doctor(a) => host::doctor(a),
        Command::Paths(a) => host::paths(a),
        Command::Lsp(a) => lsp::run(a),
        Command::Evaluate(a) => evaluate::run(a),
        Command::Activate(a) => evaluate::activate(a),
        Command::Evidence(a) => evidence::run(a),
        Command::Model(a) => model::run(a),
        Command::Import(a) => import::run(a),
        Command::Why(a) => why::run(a),
    }
}
