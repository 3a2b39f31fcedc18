//! Runtime evidence: the four AgentPlaneRuntimeEvidence kinds only a running
//! machine can produce.
//!
//! Takes: the placement evidence a build wrote for one replica
//! (`receipts/<pod>/placement-evidence.<machine>.json`), the event (a runtime
//! ActivationDecision, an observed status, or the build's teardown plan) and
//! the time it was observed.
//! Produces: an `activation`, `runtime-status`, `teardown` or `wipe` evidence
//! document (contract `upstream/agentplane-runtime-evidence`) that carries the
//! placement's bindings (machine, pod, provider, deployment receipt,
//! admission, grant, artifacts, storage receipts) and the event.
//! Never: reads the clock or the disk, or records an event the documents do
//! not allow: activation evidence needs a runtime decision for this
//! deployment (a build's plan-stage decision is refused), teardown and wipe
//! evidence an allowed teardown or wipe decision.

use amc_syntax::diagnostics::{Bug, Code};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::rules::text;

/// An event on the machine.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    /// The runtime gate decided (`amc evaluate activation` on observed receipts).
    Activation {
        /// The ActivationDecision.
        decision: &'a Value,
    },
    /// The provider's observed state.
    Status {
        /// `running`, `degraded`, `failed` or `completed`.
        status: &'a str,
        /// When it started, if known.
        started_at: Option<&'a str>,
        /// Why it failed or degraded, if it did.
        failure_reason: Option<&'a str>,
    },
    /// The pod was torn down (the build's teardown plan holds the decision).
    Teardown {
        /// `receipts/<pod>/teardown-plan.json`.
        plan: &'a Value,
    },
    /// The pod's volumes were wiped.
    Wipe {
        /// `receipts/<pod>/teardown-plan.json`.
        plan: &'a Value,
    },
}

impl Event<'_> {
    /// The `evidenceType`.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Activation { .. } => "activation",
            Event::Status { .. } => "runtime-status",
            Event::Teardown { .. } => "teardown",
            Event::Wipe { .. } => "wipe",
        }
    }
}

/// Which input a [`Refusal`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// The placement evidence (`--placement`).
    Placement,
    /// The event's document (`--decision` or `--teardown-plan`).
    Event,
}

/// Why no evidence is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A command-line value is unusable (a usage error).
    Usage(String),
    /// A document does not allow the evidence: the caller reports `code`
    /// at `pointer` of the `input` document.
    Document {
        /// The diagnostic code (E0403 wrong kind, E0601 a broken rule).
        code: Code,
        /// Which document.
        input: Input,
        /// The JSON pointer of the value responsible (`""` for the whole).
        pointer: String,
        /// The message.
        message: String,
        /// How to fix it.
        help: String,
    },
    /// amc built evidence its own contract refuses.
    Bug(Bug),
}

fn refuse(
    code: Code,
    input: Input,
    pointer: &str,
    message: impl Into<String>,
    help: impl Into<String>,
) -> Refusal {
    Refusal::Document {
        code,
        input,
        pointer: pointer.to_string(),
        message: message.into(),
        help: help.into(),
    }
}

/// Statuses `runtime-status` evidence may record.
pub const OBSERVED_STATUSES: [&str; 4] = ["running", "degraded", "failed", "completed"];

fn short_hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    h.finalize()
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The evidence for `event` observed at `observed_at`, built on `placement`.
/// `Err` says why the documents do not allow it.
pub fn runtime_evidence(
    placement: &Value,
    event: &Event<'_>,
    observed_at: &str,
) -> Result<Value, Refusal> {
    if text(placement, "/kind") != Some("AgentPlaneRuntimeEvidence") {
        return Err(refuse(
            Code::E0403,
            Input::Placement,
            "/kind",
            "the base document is not placement evidence",
            "pass receipts/<pod>/placement-evidence.<machine>.json of the build",
        ));
    }
    if text(placement, "/evidenceType") != Some("placement") {
        return Err(refuse(
            Code::E0403,
            Input::Placement,
            "/evidenceType",
            "the base document is runtime evidence, not placement evidence",
            "evidence is always made from the build's receipts/<pod>/placement-evidence.<machine>.json",
        ));
    }
    if super::rules::parse_time(observed_at).is_none() {
        return Err(Refusal::Usage(format!(
            "`{observed_at}` is not an RFC 3339 time"
        )));
    }
    let pod = text(placement, "/agentPodId")
        .unwrap_or_default()
        .to_string();
    let receipt = text(placement, "/deploymentReceiptId")
        .unwrap_or_default()
        .to_string();
    let mut v = placement.clone();
    let kind = event.kind();
    let pod_slug = pod.rsplit(':').next().unwrap_or("pod");
    let machine = text(placement, "/agentMachineId")
        .unwrap_or_default()
        .to_string();
    v["id"] = json!(format!(
        "urn:srcos:agent-machine:agentplane-runtime-evidence:{pod_slug}-{kind}-{}",
        short_hash(&[&machine, &receipt, kind, observed_at])
    ));
    v["evidenceType"] = json!(kind);
    v["observedAt"] = json!(observed_at);
    let old_labels = v["labels"]
        .as_object_mut()
        .map(std::mem::take)
        .unwrap_or_default();
    let mut labels: serde_json::Map<String, Value> = old_labels
        .into_iter()
        .filter(|(k, _)| {
            !k.starts_with("sourceos.activation.") && k != super::activation::PENDING_LABEL
        })
        .collect();
    labels.insert(
        "amc.evidence.base".into(),
        json!(text(placement, "/id").unwrap_or_default()),
    );
    let runtime = &mut v["runtime"];
    runtime["failureReason"] = Value::Null;
    match event {
        Event::Activation { decision } => {
            if text(decision, "/kind") != Some("ActivationDecision") {
                return Err(refuse(
                    Code::E0403,
                    Input::Event,
                    "/kind",
                    "--decision is not an ActivationDecision",
                    "pass the decision `amc evaluate activation` wrote on the machine",
                ));
            }
            if decision
                .pointer("/labels/amc.decision.stage")
                .and_then(Value::as_str)
                == Some("plan")
            {
                return Err(refuse(
                    Code::E0403,
                    Input::Event,
                    "/labels/amc.decision.stage",
                    "this ActivationDecision was made by `amc build` on planned receipts",
                    "activation evidence needs the runtime gate's decision (`amc evaluate activation` on receipts observed on the machine)",
                ));
            }
            for (field, want) in [("agentPodId", &pod), ("deploymentReceiptId", &receipt)] {
                let at = format!("/inputs/{field}");
                let got = text(decision, &at).unwrap_or_default();
                if got != want {
                    return Err(refuse(
                        Code::E0601,
                        Input::Event,
                        &at,
                        format!(
                            "the decision's inputs.{field} is `{got}`, the placement's is `{want}`"
                        ),
                        "the decision and the placement evidence must be about the same deployment",
                    ));
                }
            }
            let allowed =
                decision.pointer("/decision/activationAllowed") == Some(&Value::Bool(true));
            runtime["status"] = json!(if allowed { "activating" } else { "failed" });
            if !allowed {
                let reasons = super::semantics::list(decision, "/decision/failureReasons");
                runtime["failureReason"] =
                    json!(format!("activation fail-closed: {}", reasons.join(";")));
            }
            v["storageReceiptRefs"] = json!(super::semantics::list(
                decision,
                "/inputs/storageReceiptRefs"
            ));
            let reuse = decision.pointer("/scope/cacheReuseAllowed") == Some(&Value::Bool(true));
            v["cache"]["cacheReuseAllowed"] =
                json!(allowed && reuse && v["cache"]["cacheReuseRequested"] == json!(true));
            v["cache"]["cacheReuseDecisionRef"] = json!(text(decision, "/id"));
            labels.insert(
                "sourceos.activation.allowed".into(),
                json!(allowed.to_string()),
            );
            labels.insert(
                "sourceos.activation.fail-closed".into(),
                json!((!allowed).to_string()),
            );
        }
        Event::Status {
            status,
            started_at,
            failure_reason,
        } => {
            if !OBSERVED_STATUSES.contains(status) {
                return Err(Refusal::Usage(format!(
                    "status `{status}` is not one of {}",
                    OBSERVED_STATUSES.join(", ")
                )));
            }
            if matches!(*status, "failed" | "degraded") && failure_reason.is_none() {
                return Err(Refusal::Usage(format!(
                    "a `{status}` status needs --failure-reason"
                )));
            }
            runtime["status"] = json!(status);
            runtime["startedAt"] = json!(started_at);
            runtime["failureReason"] = json!(failure_reason);
            if *status == "completed" {
                runtime["completedAt"] = json!(observed_at);
            }
        }
        Event::Teardown { plan } | Event::Wipe { plan } => {
            let which = if kind == "teardown" {
                "teardown"
            } else {
                "wipe"
            };
            if text(plan, "/kind") != Some("AmcTeardownPlan") {
                return Err(refuse(
                    Code::E0403,
                    Input::Event,
                    "/kind",
                    "--teardown-plan is not a TeardownPlan",
                    "pass the build's receipts/<pod>/teardown-plan.json",
                ));
            }
            for (field, want) in [("agentPodId", &pod), ("deploymentReceiptId", &receipt)] {
                let at = format!("/{field}");
                let got = text(plan, &at).unwrap_or_default();
                if got != want {
                    return Err(refuse(
                        Code::E0601,
                        Input::Event,
                        &at,
                        format!(
                            "the teardown plan's {field} is `{got}`, the placement's is `{want}`"
                        ),
                        "the teardown plan and the placement evidence must be about the same deployment",
                    ));
                }
            }
            let d = &plan["decisions"][which];
            if d.get("allowed") != Some(&Value::Bool(true)) {
                let reasons = super::semantics::list(d, "/failureReasons");
                return Err(refuse(
                    Code::E0601,
                    Input::Event,
                    &format!("/decisions/{which}/allowed"),
                    format!(
                        "the {which} decision in the teardown plan is not allowed ({})",
                        reasons.join(", ")
                    ),
                    format!("no evidence is made of a {which} that may not happen"),
                ));
            }
            runtime["status"] = json!(if which == "teardown" {
                "tearing-down"
            } else {
                "wiped"
            });
            runtime["completedAt"] = json!(observed_at);
            labels.insert(
                format!("amc.{which}.policy-admission"),
                json!(text(d, "/policyAdmissionId")),
            );
            let wiped: Vec<String> = plan["volumes"]
                .as_array()
                .map(|vs| {
                    vs.iter()
                        .filter(|x| text(x, "/action") == Some(which))
                        .filter(|x| text(x, "/machine") == machine.rsplit(':').next())
                        .filter_map(|x| text(x, "/storageReceiptId").map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            if which == "wipe" {
                v["storageReceiptRefs"] = json!(super::rules::sorted(wiped));
            }
        }
    }
    v["labels"] = Value::Object(labels);
    match amc_lang::contracts::validate("upstream/agentplane-runtime-evidence", &v) {
        Ok(errs) if errs.is_empty() => Ok(v),
        Ok(errs) => Err(Refusal::Bug(Bug::new(format!(
            "the evidence would violate its contract at {}: {}",
            errs[0].pointer, errs[0].message
        )))),
        Err(e) => Err(Refusal::Bug(Bug::new(e))),
    }
}
