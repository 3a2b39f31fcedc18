//! `amc evaluate activation`: a drop-in for upstream's activation evaluator.
//!
//! Takes upstream JSON documents (AgentPod, PolicyAdmission,
//! AgentRegistryGrant, StorageReceipts, optionally an AttestationDecision)
//! and prints the ActivationDecision JSON. Broken inputs are diagnostics
//! (exit 1, no decision), as upstream's hard errors; every rule that fails
//! is a reason in a `fail-closed` decision (exit 0, as upstream).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use amc::diagnostics::render;
use amc::diagnostics::{Code, Diagnostic};
use amc::driver::{self, Options, Stop};
use amc::govern::activation::{self, Context, Inputs, ProfileRules, Stage};
use amc::govern::{canonical, semantics, violation_diagnostics};
use amc::json_span;
use amc::source::{FileId, Span};
use amc::vfs::MemoryFs;
use clap::{Args, Subcommand};
use serde_json::Value;

use super::common::{Loader, style};

/// Arguments of `amc evaluate`.
#[derive(Args)]
pub struct EvaluateArgs {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    /// Decide whether an AgentPod may activate (prints an ActivationDecision).
    Activation(ActivationArgs),
}

/// Arguments of `amc activate`: upstream's command spelling.
#[derive(Args)]
pub struct ActivateArgs {
    #[command(subcommand)]
    what: Activate,
}

#[derive(Subcommand)]
enum Activate {
    /// Upstream's `activate evaluate POD POLICY GRANT`: the same as
    /// `amc evaluate activation`.
    Evaluate(ActivationArgs),
}

/// Arguments of `amc evaluate activation` (and `amc activate evaluate`).
#[derive(Args)]
struct ActivationArgs {
    /// The AgentPod, PolicyAdmission and AgentRegistryGrant JSON, in that
    /// order (upstream's positional form); or give them with the flags.
    #[arg(value_name = "POD POLICY GRANT", num_args = 0..=3)]
    documents: Vec<PathBuf>,
    /// The AgentPod JSON.
    #[arg(long)]
    pod: Option<PathBuf>,
    /// The PolicyAdmission JSON.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// The AgentRegistryGrant JSON.
    #[arg(long)]
    grant: Option<PathBuf>,
    /// The deployment receipt id the activation is for (or from --deployment).
    #[arg(long, required_unless_present = "deployment")]
    deployment_receipt_id: Option<String>,
    /// The build's receipts/<pod>/ directory: bind the decision to that
    /// deployment as the build did (receipt id, plan and manifest digests,
    /// the replicas' machines, the provider, the machine's host name). Its
    /// planned storage receipts are not loaded: give the observed ones.
    #[arg(long, value_name = "DIR")]
    deployment: Option<PathBuf>,
    /// A StorageReceipt JSON (repeatable).
    #[arg(long = "storage-receipt", visible_alias = "storage-receipt-file")]
    storage_receipt: Vec<PathBuf>,
    /// A directory searched recursively for StorageReceipt JSON files (repeatable).
    #[arg(long)]
    storage_receipt_dir: Vec<PathBuf>,
    /// A storage receipt id the pod uses (repeatable; default: every loaded receipt).
    #[arg(long)]
    storage_receipt_ref: Vec<String>,
    /// The machine's AttestationDecision JSON.
    #[arg(long)]
    attestation: Option<PathBuf>,
    /// Decision time (RFC 3339); else SOURCE_DATE_EPOCH; else unset, which fails closed.
    #[arg(long)]
    decided_at: Option<String>,
    /// Decision id (default urn:srcos:agent-machine:activation-decision:<pod>).
    #[arg(long)]
    decision_id: Option<String>,
    /// Accepted for compatibility with upstream; output is always indented.
    #[arg(long)]
    pretty: bool,
    /// Print canonical (sorted, compact, ASCII) JSON instead.
    #[arg(long, conflicts_with = "pretty")]
    compact: bool,
}

/// Runs `amc evaluate`.
pub fn run(a: EvaluateArgs) -> ExitCode {
    match a.what {
        What::Activation(args) => activation_cmd(args),
    }
}

/// Runs `amc activate`.
pub fn activate(a: ActivateArgs) -> ExitCode {
    match a.what {
        Activate::Evaluate(args) => activation_cmd(args),
    }
}

/// The pod, policy and grant paths from the positional form or the flags;
/// `Err` names what is missing or given twice.
fn documents(a: &ActivationArgs) -> Result<[PathBuf; 3], String> {
    let flags = [&a.pod, &a.policy, &a.grant];
    let names = [
        "--pod (or POD)",
        "--policy (or POLICY)",
        "--grant (or GRANT)",
    ];
    let mut out: Vec<PathBuf> = Vec::new();
    for (i, flag) in flags.iter().enumerate() {
        match (a.documents.get(i), flag) {
            (Some(_), Some(_)) => {
                return Err(format!(
                    "{} is given both as an argument and as a flag",
                    names[i]
                ));
            }
            (Some(p), None) | (None, Some(p)) => out.push(p.clone()),
            (None, None) => return Err(format!("{} is required", names[i])),
        }
    }
    match <[PathBuf; 3]>::try_from(out) {
        Ok(d) => Ok(d),
        Err(_) => Err("expected POD POLICY GRANT".into()),
    }
}

impl Loader {
    /// Loads a document and checks its contract and semantic rules.
    fn governed(&mut self, path: &Path, kind: &str, schema: &str) -> Option<Value> {
        let (file, value) = self.load(path, Some(kind))?;
        let name = self.sources.name(file).to_string();
        let text = self
            .sources
            .get(file)
            .map(|f| f.text.to_string())
            .unwrap_or_default();
        match amc::contracts::validate(schema, &value) {
            Err(e) => {
                self.push(Diagnostic::internal(e));
                return None;
            }
            Ok(v) if !v.is_empty() => {
                for x in v {
                    let (s, e) = json_span::locate(&text, &x.pointer, x.unexpected_key.as_deref())
                        .unwrap_or((0, 1));
                    self.push(
                        Diagnostic::new(
                            Code::E0402,
                            format!(
                                "{kind} `{name}` violates its contract at {}: {}",
                                if x.pointer.is_empty() {
                                    "/"
                                } else {
                                    &x.pointer
                                },
                                x.message
                            ),
                        )
                        .label(Span::new(file, s, e), "here")
                        .help(format!(
                            "the document must validate against `amc schema {schema}`"
                        )),
                    );
                }
                return None;
            }
            Ok(_) => {}
        }
        let violations = match kind {
            "PolicyAdmission" => semantics::policy(&value),
            "AgentRegistryGrant" => semantics::grant(&value),
            _ => semantics::attestation(&value),
        };
        if !violations.is_empty() {
            let ds = violation_diagnostics(kind, &name, file, &self.sources, &violations);
            self.diags.extend(ds);
            return None;
        }
        Some(value)
    }
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| e.path().to_path_buf())
        .collect();
    out.sort();
    out
}

/// The activation requirements of a stdlib profile.
fn profile_rules(name: Option<&str>) -> ProfileRules {
    let mut fs = MemoryFs::new();
    fs.insert("spec/spec.kdl", "import \"std:profiles\"\n");
    let opts = Options {
        stop: Stop::Check,
        ..Default::default()
    };
    let Ok(c) = driver::compile(&fs, Path::new("spec"), "spec", &opts) else {
        return ProfileRules::default();
    };
    name.and_then(|n| c.spec.profile(n))
        .map(|p| ProfileRules {
            image_digest_required: p.image_digest_required,
            attestation_required: p.attestation_required,
        })
        .unwrap_or_default()
}

fn activation_cmd(a: ActivationArgs) -> ExitCode {
    let sde = std::env::var("SOURCE_DATE_EPOCH").ok();
    let decided = match driver::decision_time(a.decided_at.as_deref(), sde.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            stderrln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    for d in &a.storage_receipt_dir {
        if !d.is_dir() {
            stderrln!(
                "error: --storage-receipt-dir {} is not a directory",
                d.display()
            );
            return ExitCode::from(2);
        }
    }
    let [pod_path, policy_path, grant_path] = match documents(&a) {
        Ok(d) => d,
        Err(e) => {
            stderrln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut l = Loader::default();
    let pod = l.load(&pod_path, None).map(|(_, v)| v);
    let policy = l.governed(&policy_path, "PolicyAdmission", "upstream/policy-admission");
    let grant = l.governed(
        &grant_path,
        "AgentRegistryGrant",
        "upstream/agent-registry-grant",
    );
    let attestation = match &a.attestation {
        Some(p) => l.governed(p, "AttestationDecision", "upstream/attestation-decision"),
        None => None,
    };
    let mut receipts: Vec<(FileId, Value)> = Vec::new();
    for p in &a.storage_receipt {
        receipts.extend(l.load(p, Some("StorageReceipt")));
    }
    for dir in &a.storage_receipt_dir {
        for p in json_files(dir) {
            if let Some((f, v)) = l.load(&p, None)
                && v.get("kind").and_then(Value::as_str) == Some("StorageReceipt")
            {
                receipts.push((f, v));
            }
        }
    }
    let mut seen: Vec<(String, FileId)> = Vec::new();
    for (file, v) in &receipts {
        let Some(id) = v.get("id").and_then(Value::as_str) else {
            continue;
        };
        if let Some((_, first)) = seen.iter().find(|(x, _)| x == id) {
            let text = l
                .sources
                .get(*file)
                .map(|f| f.text.to_string())
                .unwrap_or_default();
            let (s, e) = json_span::locate(&text, "/id", None).unwrap_or((0, 1));
            let first_name = l.sources.name(*first).to_string();
            l.push(
                Diagnostic::new(
                    Code::E0601,
                    format!(
                        "storage receipt id `{id}` is loaded twice (first from `{first_name}`)"
                    ),
                )
                .label(Span::new(*file, s, e), "duplicate id")
                .help("pass each StorageReceipt once; ids must be unique"),
            );
        } else {
            seen.push((id.to_string(), *file));
        }
    }
    let (Some(pod), Some(policy), Some(grant)) = (pod, policy, grant) else {
        return fail(&l);
    };
    if !l.diags.is_empty() || (a.attestation.is_some() && attestation.is_none()) {
        return fail(&l);
    }
    let receipts: Vec<Value> = receipts.into_iter().map(|(_, v)| v).collect();
    let refs = (!a.storage_receipt_ref.is_empty()).then_some(a.storage_receipt_ref.as_slice());
    let (bound_id, expect) = match &a.deployment {
        Some(dir) => match deployment_bindings(dir) {
            Ok(x) => x,
            Err(e) => {
                stderrln!("error: --deployment {}: {e}", dir.display());
                return ExitCode::from(2);
            }
        },
        None => (None, Default::default()),
    };
    let receipt_id = match (&a.deployment_receipt_id, bound_id) {
        (Some(given), Some(bound)) if *given != bound => {
            stderrln!(
                "error: --deployment-receipt-id {given} is not the deployment's receipt id {bound}"
            );
            return ExitCode::from(2);
        }
        (Some(given), _) => given.clone(),
        (None, Some(bound)) => bound,
        (None, None) => {
            stderrln!("error: --deployment-receipt-id (or --deployment) is required");
            return ExitCode::from(2);
        }
    };
    let ctx = Context {
        stage: Stage::Runtime,
        profile: profile_rules(pod.get("profile").and_then(Value::as_str)),
        expect,
    };
    let decision = activation::evaluate(
        &Inputs {
            pod: &pod,
            policy: &policy,
            grant: &grant,
            deployment_receipt_id: &receipt_id,
            storage_receipts: &receipts,
            storage_refs: refs,
            decided_at: decided.as_deref(),
            decision_id: a.decision_id.as_deref(),
            attestation: attestation.as_ref(),
        },
        &ctx,
    );
    let value = decision.to_value();
    // Upstream's rule O1: the decision itself must be a valid ActivationDecision.
    match amc::contracts::validate("upstream/activation-decision", &value) {
        Ok(v) if v.is_empty() => {}
        Ok(v) => {
            for x in v {
                stderrln!(
                    "error: the decision would violate the ActivationDecision contract at {}: {}",
                    x.pointer,
                    x.message
                );
            }
            stderrln!(
                "help: check --deployment-receipt-id and --decision-id against the id patterns (`amc schema upstream/activation-decision`)"
            );
            return ExitCode::from(1);
        }
        Err(e) => {
            stderrln!("error: {e}");
            return ExitCode::from(1);
        }
    }
    if a.compact {
        stdoutln!("{}", canonical::to_string(&value));
    } else {
        stdout!("{}", canonical::to_pretty(&value));
    }
    ExitCode::SUCCESS
}

/// What a build's `receipts/<pod>/` directory binds a decision to: the
/// deployment receipt id and, as the build's own decision used them, the
/// plan and manifest digests, the first replica's machine, every replica's
/// machine, the provider and the attestation host names.
fn deployment_bindings(dir: &Path) -> Result<(Option<String>, activation::Expect), String> {
    let read = |p: &Path| -> Result<Value, String> {
        let b = std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        serde_json::from_slice(&b).map_err(|e| format!("{} is not JSON: {e}", p.display()))
    };
    let receipt = read(&dir.join("deployment-receipt.json"))?;
    let text = |v: &Value, p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
    let mut placements: Vec<(u64, Value)> = Vec::new();
    let mut hosts: Vec<String> = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in &entries {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with("placement-evidence.") {
            let v = read(p)?;
            let replica = text(&v, "/labels/amc.replica")
                .and_then(|r| r.parse().ok())
                .unwrap_or(u64::MAX);
            placements.push((replica, v));
        }
    }
    placements.sort_by_key(|(r, _)| *r);
    let Some((_, first)) = placements.first() else {
        return Err("no placement-evidence.*.json: not a build's receipts/<pod>/ directory".into());
    };
    let machine = text(first, "/agentMachineId");
    if let Some(m) = &machine {
        let slug = m.rsplit(':').next().unwrap_or(m).to_string();
        hosts.push(slug.clone());
        hosts.push(m.clone());
        if let Ok(am) = read(&dir.join(format!("agent-machine.{slug}.json")))
            && let Some(h) = text(&am, "/host/hostname")
        {
            hosts.push(h);
        }
    }
    Ok((
        text(&receipt, "/receiptId"),
        activation::Expect {
            machine,
            receipt_machines: placements
                .iter()
                .filter_map(|(_, v)| text(v, "/agentMachineId"))
                .collect(),
            provider: text(first, "/providerId"),
            plan_digest: text(&receipt, "/artifact/digest"),
            manifest_digest: text(first, "/artifacts/manifestDigest"),
            attestation_hosts: hosts,
        },
    ))
}

fn fail(l: &Loader) -> ExitCode {
    stderr!("{}", render::human(&l.diags, &l.sources, style()));
    stderrln!("no decision: fix the input documents first");
    ExitCode::from(1)
}
