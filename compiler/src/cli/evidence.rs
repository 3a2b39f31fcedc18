//! `amc evidence`: the runtime-only AgentPlaneRuntimeEvidence kinds.
//!
//! A build writes `placement` evidence; `activation`, `runtime-status`,
//! `teardown` and `wipe` evidence record events on the machine, so they are
//! made there, from the build's placement evidence and the event's document
//! (see `amc::govern::evidence`).

use std::path::PathBuf;
use std::process::ExitCode;

use amc::diagnostics::{Diagnostic, render};
use amc::driver;
use amc::govern::canonical;
use amc::govern::evidence::{self, Event, Input, Refusal};
use amc::json_span;
use amc::source::Span;
use clap::{Args, Subcommand};
use serde_json::Value;

use super::common::{Loader, style};

/// Arguments of `amc evidence`.
#[derive(Args)]
pub struct EvidenceArgs {
    #[command(subcommand)]
    kind: Kind,
}

/// What every evidence kind takes.
#[derive(Args)]
struct Common {
    /// The build's placement evidence for the replica:
    /// receipts/<pod>/placement-evidence.<machine>.json.
    #[arg(long, value_name = "FILE")]
    placement: PathBuf,
    /// When the event was observed (RFC 3339); else SOURCE_DATE_EPOCH. Required.
    #[arg(long, value_name = "TIME")]
    observed_at: Option<String>,
    /// Write the evidence to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Kind {
    /// The runtime gate's decision on this replica (from `amc evaluate activation`).
    Activation {
        #[command(flatten)]
        common: Common,
        /// The runtime ActivationDecision JSON.
        #[arg(long, value_name = "FILE")]
        decision: PathBuf,
    },
    /// The provider's observed state.
    RuntimeStatus {
        #[command(flatten)]
        common: Common,
        /// running, degraded, failed or completed.
        #[arg(long)]
        status: String,
        /// When the provider started (RFC 3339).
        #[arg(long, value_name = "TIME")]
        started_at: Option<String>,
        /// Why it failed or degraded (required for those).
        #[arg(long)]
        failure_reason: Option<String>,
    },
    /// The pod was torn down, as its teardown plan allows.
    Teardown {
        #[command(flatten)]
        common: Common,
        /// receipts/<pod>/teardown-plan.json.
        #[arg(long, value_name = "FILE")]
        teardown_plan: PathBuf,
    },
    /// The pod's wipe-at-teardown volumes on this machine were wiped.
    Wipe {
        #[command(flatten)]
        common: Common,
        /// receipts/<pod>/teardown-plan.json.
        #[arg(long, value_name = "FILE")]
        teardown_plan: PathBuf,
    },
}

/// Runs `amc evidence`.
pub fn run(a: EvidenceArgs) -> ExitCode {
    let (common, extra) = match &a.kind {
        Kind::Activation { common, decision } => (common, Some(decision)),
        Kind::RuntimeStatus { common, .. } => (common, None),
        Kind::Teardown {
            common,
            teardown_plan,
        }
        | Kind::Wipe {
            common,
            teardown_plan,
        } => (common, Some(teardown_plan)),
    };
    let sde = std::env::var("SOURCE_DATE_EPOCH").ok();
    let observed = match driver::decision_time(common.observed_at.as_deref(), sde.as_deref()) {
        Ok(Some(t)) => t,
        Ok(None) => {
            stderrln!(
                "error: --observed-at (or SOURCE_DATE_EPOCH) is required: evidence records when it was observed"
            );
            return ExitCode::from(2);
        }
        Err(e) => {
            stderrln!("error: {}", e.replace("--decided-at", "--observed-at"));
            return ExitCode::from(2);
        }
    };
    let mut l = Loader::default();
    let placement = l.load(&common.placement, None);
    let doc = extra.map(|p| l.load(p, None));
    let (doc_file, doc) = match doc {
        None => (None, Value::Null),
        Some(Some((f, v))) => (Some(f), v),
        Some(None) => return fail(&l),
    };
    let Some((placement_file, placement)) = placement else {
        return fail(&l);
    };
    let event = match &a.kind {
        Kind::Activation { .. } => Event::Activation { decision: &doc },
        Kind::RuntimeStatus {
            status,
            started_at,
            failure_reason,
            ..
        } => Event::Status {
            status,
            started_at: started_at.as_deref(),
            failure_reason: failure_reason.as_deref(),
        },
        Kind::Teardown { .. } => Event::Teardown { plan: &doc },
        Kind::Wipe { .. } => Event::Wipe { plan: &doc },
    };
    let v = match evidence::runtime_evidence(&placement, &event, &observed) {
        Ok(v) => v,
        Err(Refusal::Usage(e)) => {
            stderrln!("error: {e}");
            return ExitCode::from(2);
        }
        Err(Refusal::Bug(b)) => {
            l.push(b.into_diagnostic());
            return fail(&l);
        }
        Err(Refusal::Document {
            code,
            input,
            pointer,
            message,
            help,
        }) => {
            let file = match input {
                Input::Placement => Some(placement_file),
                Input::Event => doc_file,
            };
            let mut d = Diagnostic::new(code, message).help(help);
            if let Some(file) = file {
                let text = l
                    .sources
                    .get(file)
                    .map(|f| f.text.to_string())
                    .unwrap_or_default();
                let (s, e) = json_span::locate(&text, &pointer, None).unwrap_or((0, 1));
                d = d.label(Span::new(file, s, e), "here");
            }
            l.push(d);
            return fail(&l);
        }
    };
    let text = canonical::to_pretty(&v);
    match &common.out {
        Some(p) => {
            if let Err(e) = amc::write::replace_file(p, text.as_bytes()) {
                stderrln!("error: {e}");
                return ExitCode::from(1);
            }
        }
        None => stdout!("{text}"),
    }
    ExitCode::SUCCESS
}

fn fail(l: &Loader) -> ExitCode {
    stderr!("{}", render::human(&l.diags, &l.sources, style()));
    stderrln!("no evidence: the documents do not allow it");
    ExitCode::from(1)
}
