//! Machines as the solver sees them: inline capacity merged with host facts.
//!
//! Takes `machine` definitions, their profiles and loaded facts documents;
//! produces [`MachineView`]s and reports machines whose capacity is unknown
//! or whose accelerators contradict their profile. Never reads files.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::ir::{self, Spanned};
use crate::resolve::documents::Documents;
use amc_syntax::diagnostics::{Code, Diagnostic, Diagnostics};
use amc_syntax::source::Span;

/// A GPU model and count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuView {
    /// Vendor.
    pub vendor: String,
    /// Model name.
    pub model: String,
    /// VRAM per GPU.
    pub vram: u64,
    /// Count.
    pub count: u32,
}

/// A machine with effective capacity.
#[derive(Debug, Clone)]
pub struct MachineView {
    /// The definition.
    pub def: ir::Machine,
    /// Profile name.
    pub profile: String,
    /// OS of the profile.
    pub os: ir::Os,
    /// CPU millicores.
    pub cpu_milli: u64,
    /// Memory bytes.
    pub memory: u64,
    /// Unified CPU/GPU memory.
    pub unified: bool,
    /// GPUs.
    pub gpus: Vec<GpuView>,
    /// Accelerator APIs (cpu always).
    pub accelerators: BTreeSet<String>,
    /// Runtime envelopes.
    pub runtimes: Vec<ir::Envelope>,
    /// Podman version from facts, if known.
    pub podman: Option<(u32, u32, u32)>,
    /// Whether the machine needs an AttestationDecision.
    pub attestation_required: bool,
    /// Zone: the `zone` node, else the `zone` label.
    pub zone: Option<String>,
}

impl MachineView {
    /// Id.
    pub fn id(&self) -> &str {
        &self.def.id.value
    }
    /// Total GPUs.
    pub fn gpu_count(&self) -> u32 {
        self.gpus.iter().map(|g| g.count).sum()
    }
    /// Largest VRAM of one GPU.
    pub fn max_vram(&self) -> u64 {
        self.gpus.iter().map(|g| g.vram).max().unwrap_or(0)
    }
}

/// Parses `5.4.2` (or `podman version 5.4.2`) into a triple.
pub fn parse_version(s: &str) -> Option<(u32, u32, u32)> {
    let v = s.split_whitespace().last()?;
    let mut it = v.split(['.', '-', '+']).map(|p| p.parse::<u32>().ok());
    Some((
        it.next()??,
        it.next().flatten().unwrap_or(0),
        it.next().flatten().unwrap_or(0),
    ))
}

/// Whether a diagnostic `which` picks was already reported inside `span`.
fn reported_within(
    diags: &Diagnostics,
    span: amc_syntax::source::Span,
    which: impl Fn(&Diagnostic) -> bool,
) -> bool {
    diags
        .iter()
        .any(|d| which(d) && d.primary_span().is_some_and(|p| span.contains(p)))
}

fn facts_u64(v: &Value, ptr: &str) -> Option<u64> {
    v.pointer(ptr).and_then(Value::as_u64)
}

/// Builds the views; machines without usable capacity are left out (and reported).
pub fn views(spec: &ir::Spec, docs: &Documents, diags: &mut Diagnostics) -> Vec<MachineView> {
    let mut out = Vec::new();
    for m in &spec.machines {
        let Some(profile) = spec.profile(&m.profile.value) else {
            if !crate::lang::vocab::PROFILES.contains(&m.profile.value.as_str()) {
                // An unknown profile name was already reported by the shape check.
                continue;
            }
            diags.push(Diagnostic::internal(format!(
                "the stdlib has no profile `{}`",
                m.profile.value
            )));
            continue;
        };
        let facts = m
            .facts
            .as_ref()
            .and_then(|f| docs.get(&f.value))
            .map(|d| &d.value);
        if m.facts.is_some() && facts.is_none() {
            // The facts file failed to load; that was reported.
            continue;
        }
        let cap = &m.capacity;
        let cpu_milli = cap.cpu_milli.as_ref().map(|c| c.value).or_else(|| {
            facts
                .and_then(|f| facts_u64(f, "/cpu/threads"))
                .map(|t| t * 1000)
        });
        let memory = cap
            .memory
            .as_ref()
            .map(|c| c.value)
            .or_else(|| facts.and_then(|f| facts_u64(f, "/memory/totalBytes")));
        let (Some(cpu_milli), Some(memory)) = (cpu_milli, memory) else {
            // A mistake inside `capacity` (a misspelt `memory`, a bad size)
            // is the root cause and was reported; do not add a consequence.
            if cap.block.is_some_and(|s| {
                reported_within(diags, s, |d| {
                    d.severity == amc_syntax::diagnostics::Severity::Error
                })
            }) {
                continue;
            }
            // So is an unknown node in the machine (`capacty { ... }`).
            if cap.block.is_none() && reported_within(diags, m.span, |d| d.code == Code::E0101) {
                continue;
            }
            let mut d = Diagnostic::new(
                Code::E0311,
                format!(
                    "machine `{}` has no known CPU and memory capacity",
                    m.id.value
                ),
            )
            .label(m.id.span, "capacity unknown");
            // A `capacity` block that gives one of the two (an overlay's,
            // say, which replaces the base's whole) is where to add the other.
            if let Some(block) = cap.block {
                let missing = match (cpu_milli, memory) {
                    (None, None) => "no `cpu` and no `memory` here",
                    (None, Some(_)) => "no `cpu` here",
                    _ => "no `memory` here",
                };
                d = d.label(block, missing);
            }
            diags.push(d.help("add `facts \"facts/NAME.json\"` (written by `amc probe --out`) or `capacity { cpu 8; memory \"32GiB\" }`"));
            continue;
        };
        let mut gpus: Vec<GpuView> = cap
            .gpus
            .iter()
            .map(|g| GpuView {
                vendor: g.vendor.to_string(),
                model: g.model.clone(),
                vram: g.vram,
                count: g.count,
            })
            .collect();
        if gpus.is_empty()
            && let Some(list) = facts
                .and_then(|f| f.pointer("/gpus"))
                .and_then(Value::as_array)
        {
            let mut grouped: BTreeMap<(String, String, u64), u32> = BTreeMap::new();
            for g in list {
                let vendor = g
                    .get("vendor")
                    .and_then(Value::as_str)
                    .unwrap_or("other")
                    .to_string();
                let name = g
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("gpu")
                    .to_string();
                let vram = g.get("vramBytes").and_then(Value::as_u64).unwrap_or(0);
                *grouped.entry((vendor, name, vram)).or_default() += 1;
            }
            gpus = grouped
                .into_iter()
                .map(|((vendor, model, vram), count)| GpuView {
                    vendor,
                    model,
                    vram,
                    count,
                })
                .collect();
        }
        let mut accelerators: BTreeSet<String> = BTreeSet::from(["cpu".to_string()]);
        accelerators.extend(cap.accelerators.iter().map(|a| a.value.to_string()));
        if let Some(list) = facts
            .and_then(|f| f.pointer("/accelerators"))
            .and_then(Value::as_array)
        {
            accelerators.extend(list.iter().filter_map(Value::as_str).map(str::to_string));
        }
        // Contradictions with the profile.
        for a in &cap.accelerators {
            check_forbidden(m, profile, a, diags);
        }
        let runtimes = m
            .runtimes
            .as_ref()
            .map(|r| r.value.clone())
            .unwrap_or_else(|| profile.runtimes.clone());
        let podman = facts
            .and_then(|f| f.pointer("/containerRuntime/podman/version"))
            .and_then(Value::as_str)
            .and_then(parse_version);
        out.push(MachineView {
            def: m.clone(),
            profile: profile.name.value.clone(),
            os: profile.os,
            cpu_milli,
            memory,
            unified: profile.unified_memory,
            gpus,
            accelerators,
            runtimes,
            podman,
            attestation_required: profile.attestation_required,
            zone: m
                .zone
                .as_ref()
                .map(|z| z.value.clone())
                .or_else(|| m.labels.get("zone").cloned()),
        });
    }
    out
}

fn check_forbidden(
    m: &ir::Machine,
    profile: &ir::Profile,
    a: &Spanned<ir::Accelerator>,
    diags: &mut Diagnostics,
) {
    let (verdict, label, help) = if let Some(f) = profile.forbid.iter().find(|f| f.api == a.value) {
        (
            "never has",
            "not available on this profile",
            f.reason.clone(),
        )
    } else if !profile.accelerators.contains(&a.value) {
        (
            "does not use",
            "not an accelerator of this profile",
            format!(
                "profile `{}` uses: {}",
                profile.name.value,
                crate::lang::vocab::join(&profile.accelerators, ", ")
            ),
        )
    } else {
        return;
    };
    diags.push(
        Diagnostic::new(
            Code::E0302,
            format!(
                "machine `{}` declares the `{}` accelerator, which profile `{}` {verdict}",
                m.id.value, a.value, profile.name.value
            ),
        )
        .label(a.span, label)
        .label(m.profile.span, "profile chosen here")
        .help(help),
    );
}

/// Span to blame for a machine-level problem.
pub fn machine_span(m: &MachineView) -> Span {
    m.def.id.span
}
