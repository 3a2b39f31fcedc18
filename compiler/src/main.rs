//! The `amc` command line: a thin layer over the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use amc::diagnostics::render::{self, HumanStyle};
use amc::diagnostics::{Code, Diagnostic};
use amc::driver::{self, Compilation, Options, Stop};
use amc::emit::EmitOptions;
use amc::source::SourceMap;
use amc::vfs::RealFs;
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "amc", version, about = "amc, the Agent Machine compiler", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Check specs and report every diagnostic (each PATH is its own spec).
    Check {
        /// Spec files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Build a spec into a deployable output directory.
    Build {
        /// Spec file or directory.
        path: PathBuf,
        /// Output directory (replaced atomically).
        #[arg(long)]
        out: PathBuf,
        /// Decision time (RFC 3339); else SOURCE_DATE_EPOCH; else unset (1970-01-01T00:00:00Z).
        #[arg(long)]
        decided_at: Option<String>,
        /// Diagnostics format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Print the JSON Schema of a contract, or list them.
    Schema {
        /// Contract name (e.g. host-facts, upstream/policy-admission).
        name: Option<String>,
    },
    /// Explain a diagnostic code.
    Explain {
        /// The code, e.g. E0102.
        code: String,
    },
    /// Probe this host and print its facts (never run implicitly by builds).
    Probe {
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
    },
    /// Report what this host can run, with a next step for each gap.
    Doctor {
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Print the version.
    Version,
}

fn style() -> HumanStyle {
    HumanStyle {
        color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        ..HumanStyle::default()
    }
}

fn print_diags(c: &Compilation, format: Format) {
    let diags = c.diagnostics.sorted();
    match format {
        Format::Json => {}
        Format::Human => {
            eprint!("{}", render::human(&diags, &c.sources, style()));
        }
    }
}

fn summary(c: &Compilation) -> String {
    let e = c.diagnostics.error_count();
    let w = c.diagnostics.warning_count();
    format!(
        "{e} error{}, {w} warning{}",
        if e == 1 { "" } else { "s" },
        if w == 1 { "" } else { "s" }
    )
}

fn json_of(c: &Compilation) -> Vec<render::JsonDiagnostic> {
    render::to_json(&c.diagnostics.sorted(), &c.sources)
}

fn display_of(p: &std::path::Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Version => {
            println!("amc {}", amc::VERSION);
            ExitCode::SUCCESS
        }
        Command::Check { paths, format } => {
            let mut worst = 0u8;
            let mut all_json = Vec::new();
            for path in &paths {
                let opts = Options {
                    stop: Stop::Check,
                    emit: EmitOptions::default(),
                };
                match driver::compile(&RealFs, path, &display_of(path), &opts) {
                    Err(e) => {
                        eprintln!("error: {e}");
                        worst = worst.max(2);
                    }
                    Ok(c) => {
                        print_diags(&c, format);
                        if format == Format::Json {
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
            if format == Format::Json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&all_json).unwrap_or_else(|_| "[]".into())
                );
            }
            ExitCode::from(worst)
        }
        Command::Build {
            path,
            out,
            decided_at,
            format,
        } => {
            let sde = std::env::var("SOURCE_DATE_EPOCH").ok();
            let decided = match driver::decision_time(decided_at.as_deref(), sde.as_deref()) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            if !amc::write::replaceable(&out) {
                eprintln!(
                    "error: {} exists and is not an amc build output; refusing to replace it",
                    out.display()
                );
                return ExitCode::from(2);
            }
            let opts = Options {
                stop: Stop::Build,
                emit: EmitOptions {
                    decided_at: decided,
                },
            };
            let c = match driver::compile(&RealFs, &path, &display_of(&path), &opts) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            print_diags(&c, format);
            if format == Format::Json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&json_of(&c)).unwrap_or_else(|_| "[]".into())
                );
            }
            if c.diagnostics.has_errors() {
                eprintln!("{}: {}; nothing written", display_of(&path), summary(&c));
                return ExitCode::from(1);
            }
            if let Err(e) = amc::write::write_atomic(&out, &c.artifacts) {
                let d = Diagnostic::new(Code::E0902, e.to_string());
                eprint!("{}", render::human(&[d], &SourceMap::new(), style()));
                return ExitCode::from(1);
            }
            if format == Format::Human {
                eprintln!(
                    "{}: {}; wrote {} files to {}",
                    display_of(&path),
                    summary(&c),
                    c.artifacts.len(),
                    out.display()
                );
            }
            ExitCode::SUCCESS
        }
        Command::Schema { name } => match name {
            None => {
                for c in amc::contracts::all() {
                    println!("{}", c.name);
                }
                ExitCode::SUCCESS
            }
            Some(n) => match amc::contracts::get(&n) {
                Some(c) => {
                    print!("{}", c.text);
                    ExitCode::SUCCESS
                }
                None => {
                    eprintln!("error: no contract `{n}`; `amc schema` lists them");
                    ExitCode::from(2)
                }
            },
        },
        Command::Probe {
            format,
            out,
            as_kind,
            id,
        } => {
            let facts = match amc::probe::probe_host() {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(1);
                }
            };
            let text = match as_kind.as_deref() {
                Some("agent-machine") => {
                    let slug = id.unwrap_or_else(|| amc::probe::slugify(&facts.host.hostname));
                    let doc = amc::probe::to_agent_machine(&facts, &slug);
                    format!(
                        "{}\n",
                        serde_json::to_string_pretty(&doc).unwrap_or_default()
                    )
                }
                Some(other) => {
                    eprintln!("error: unknown --as `{other}` (expected agent-machine)");
                    return ExitCode::from(2);
                }
                None if format == Format::Human => amc::probe::render_human(&facts),
                None => facts.to_json(),
            };
            match out {
                Some(path) => match std::fs::write(&path, text) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => {
                        eprintln!("error: cannot write {}: {e}", path.display());
                        ExitCode::from(1)
                    }
                },
                None => {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
            }
        }
        Command::Doctor { format } => {
            let facts = match amc::probe::probe_host() {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(1);
                }
            };
            let items = amc::probe::doctor(&facts);
            if format == Format::Json {
                println!(
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
                    println!("[{mark}] {:<13} {}", i.check, i.detail);
                    if let Some(n) = &i.next_step {
                        println!("       next: {n}");
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Command::Explain { code } => match Code::parse(&code) {
            Some(c) => {
                print!("{}", amc::diagnostics::explain(c));
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("error: unknown diagnostic code `{code}`");
                ExitCode::from(2)
            }
        },
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
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
    let code = run(cli);
    let _ = std::io::stdout().flush();
    code
}
