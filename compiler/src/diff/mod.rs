//! `amc diff`: what a change to a spec does to its build output.
//!
//! Takes two output trees (relative path → bytes, as `emit` produces and
//! `write` stores them); produces a [`Plan`]: per pod, placement moves and
//! activation changes ([`pods`]); per artifact, added, removed or changed,
//! with a field-level diff for JSON and YAML ([`fields`]) and a unified diff
//! for other text ([`text`]). Build records (the top-level `amc-*` files and
//! `report.html`, which change whenever anything does) are listed without
//! detail. Renders the plan for people ([`human`]); the JSON form is the
//! plan's `Serialize`. Never reads or writes files: the CLI loads the trees.

pub mod fields;
pub mod pods;
pub mod storage;
pub mod text;

use serde::Serialize;

use crate::emit::Artifacts;
use fields::{FieldChange, FieldChangeKind};
use pods::PodChange;

/// How an artifact changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Only in the new output.
    Added,
    /// Only in the old output.
    Removed,
    /// In both, with different bytes.
    Changed,
}

/// What kind of file an artifact is, which decides how it is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// JSON: field-level diff.
    Json,
    /// YAML: field-level diff per document.
    Yaml,
    /// Other UTF-8 text: unified diff.
    Text,
    /// Not UTF-8: sizes only.
    Binary,
    /// A build record (`amc-*` at the top, `report.html`): no detail.
    Record,
}

/// One artifact that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactChange {
    /// Path relative to the output directory.
    pub path: String,
    /// Added, removed or changed.
    pub change: Change,
    /// How it was compared.
    pub kind: Kind,
    /// Field changes (JSON and YAML that parse on both sides).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
    /// Unified diff (text; JSON or YAML that does not parse, or whose only
    /// changes are comments or layout).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub diff: String,
    /// Size before, in bytes (absent when added).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_bytes: Option<usize>,
    /// Size after, in bytes (absent when removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_bytes: Option<usize>,
}

/// Counts, for the summary line and `--exit-code`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Artifacts only in the new output.
    pub added: usize,
    /// Artifacts only in the old output.
    pub removed: usize,
    /// Artifacts in both that differ.
    pub changed: usize,
    /// Pod replicas placed elsewhere (or appearing or going away).
    pub placement_moves: usize,
    /// Activation decisions that changed.
    pub activation_changes: usize,
}

/// What a change does: the result of `amc diff`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// Whether anything differs.
    pub changed: bool,
    /// Counts.
    pub summary: Summary,
    /// Per pod, sorted by pod id.
    pub pods: Vec<PodChange>,
    /// Models staged or no longer staged, claims left behind.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub storage: Vec<storage::StorageChange>,
    /// Per artifact, sorted by path.
    pub artifacts: Vec<ArtifactChange>,
}

fn kind_of(path: &str, old: Option<&[u8]>, new: Option<&[u8]>) -> Kind {
    let top = !path.contains('/');
    if top && (path.starts_with("amc-") || path == "report.html") {
        return Kind::Record;
    }
    let utf8 = [old, new]
        .iter()
        .flatten()
        .all(|b| std::str::from_utf8(b).is_ok());
    if !utf8 {
        Kind::Binary
    } else if path.ends_with(".json") {
        Kind::Json
    } else if path.ends_with(".yaml") || path.ends_with(".yml") {
        Kind::Yaml
    } else {
        Kind::Text
    }
}

fn compare(path: &str, old: Option<&Vec<u8>>, new: Option<&Vec<u8>>) -> Option<ArtifactChange> {
    let change = match (old, new) {
        (Some(a), Some(b)) if a == b => return None,
        (Some(_), Some(_)) => Change::Changed,
        (Some(_), None) => Change::Removed,
        (None, Some(_)) => Change::Added,
        (None, None) => return None,
    };
    let mut kind = kind_of(path, old.map(Vec::as_slice), new.map(Vec::as_slice));
    let mut fields_ = Vec::new();
    let mut diff = String::new();
    if let (Some(a), Some(b)) = (old, new) {
        let parsed = match kind {
            Kind::Json => fields::json(a, b),
            Kind::Yaml => fields::yaml(a, b),
            _ => None,
        };
        match parsed {
            Some(f) if !f.is_empty() => fields_ = f,
            _ if matches!(kind, Kind::Json | Kind::Yaml | Kind::Text) => {
                if parsed.is_none() {
                    kind = Kind::Text;
                }
                diff = text::unified(
                    &String::from_utf8_lossy(a),
                    &String::from_utf8_lossy(b),
                    &format!("a/{path}"),
                    &format!("b/{path}"),
                );
            }
            _ => {}
        }
    }
    Some(ArtifactChange {
        path: path.to_string(),
        change,
        kind,
        fields: fields_,
        diff,
        old_bytes: old.map(Vec::len),
        new_bytes: new.map(Vec::len),
    })
}

/// Compares two output trees.
pub fn plan(old: &Artifacts, new: &Artifacts) -> Plan {
    let mut paths: Vec<&String> = old.keys().chain(new.keys()).collect();
    paths.sort();
    paths.dedup();
    let artifacts: Vec<ArtifactChange> = paths
        .into_iter()
        .filter_map(|p| compare(p, old.get(p), new.get(p)))
        .collect();
    let pods = pods::changes(old, new);
    let count = |c: Change| artifacts.iter().filter(|a| a.change == c).count();
    let summary = Summary {
        added: count(Change::Added),
        removed: count(Change::Removed),
        changed: count(Change::Changed),
        placement_moves: pods.iter().map(|p| p.placement.len()).sum(),
        activation_changes: pods.iter().map(|p| p.activation.len()).sum(),
    };
    Plan {
        changed: !artifacts.is_empty(),
        summary,
        pods,
        storage: storage::changes(old, new),
        artifacts,
    }
}

fn show(v: &serde_json::Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The plan for people: a summary line, then pods, then artifacts.
pub fn human(plan: &Plan) -> String {
    let s = &plan.summary;
    let mut out = String::new();
    if !plan.changed {
        out.push_str("no changes\n");
        return out;
    }
    out.push_str(&format!(
        "{} added, {} removed, {} changed; {}, {}\n",
        s.added,
        s.removed,
        s.changed,
        plural(s.placement_moves, "placement move", "placement moves"),
        plural(
            s.activation_changes,
            "activation change",
            "activation changes"
        ),
    ));
    if !plan.pods.is_empty() {
        out.push_str("\npods:\n");
    }
    for p in &plan.pods {
        out.push_str(&format!("  {}\n", p.pod));
        for m in &p.placement {
            let from = m.from.as_deref().unwrap_or("(not placed)");
            let to = m.to.as_deref().unwrap_or("(removed)");
            out.push_str(&format!("    replica {}: {from} → {to}\n", m.replica));
            if let Some(r) = &m.reason {
                out.push_str(&format!("      why: {r}\n"));
            }
        }
        for a in &p.activation {
            let state = |x: &Option<pods::Activation>| match x {
                Some(x) => x.status.clone(),
                None => "(no decision)".to_string(),
            };
            out.push_str(&format!(
                "    activation: {} → {}\n",
                state(&a.from),
                state(&a.to)
            ));
            if let Some(to) = &a.to {
                if let Some(r) = &to.reason {
                    out.push_str(&format!("      reason: {r}\n"));
                }
                for f in &to.failure_reasons {
                    out.push_str(&format!("      failure: {f}\n"));
                }
            }
        }
    }
    if !plan.storage.is_empty() {
        out.push_str("\nstorage:\n");
        for c in &plan.storage {
            out.push_str(&format!("  {}\n", storage::line(c)));
        }
    }
    out.push_str("\nartifacts:\n");
    for a in &plan.artifacts {
        let mark = match a.change {
            Change::Added => '+',
            Change::Removed => '-',
            Change::Changed => '~',
        };
        let note = match (a.kind, a.change) {
            (Kind::Record, _) => " (build record)".to_string(),
            (Kind::Binary, Change::Changed) => format!(
                " (binary, {} → {} bytes)",
                a.old_bytes.unwrap_or(0),
                a.new_bytes.unwrap_or(0)
            ),
            _ => String::new(),
        };
        out.push_str(&format!("  {mark} {}{note}\n", a.path));
        for f in &a.fields {
            let line = match (f.change, &f.from, &f.to) {
                (FieldChangeKind::Changed, Some(x), Some(y)) => {
                    format!("~ {}: {} → {}", f.path, show(x), show(y))
                }
                (FieldChangeKind::Added, _, Some(y)) => format!("+ {}: {}", f.path, show(y)),
                (_, Some(x), _) => format!("- {}: {}", f.path, show(x)),
                _ => format!("~ {}", f.path),
            };
            out.push_str(&format!("      {line}\n"));
        }
        for line in a.diff.lines() {
            out.push_str(&format!("      {line}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
