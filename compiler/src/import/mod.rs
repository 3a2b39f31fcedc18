//! `amc import`: upstream Agent Machine documents, Compose files and
//! Kubernetes manifests to an amc spec.
//!
//! Takes: AgentPod, InferenceProvider, CacheTier and AgentMachine JSON
//! documents, or Compose files and Kubernetes manifest streams (YAML or
//! JSON; `compose.rs`, `kubernetes.rs`, `servers.rs`), each with its text
//! and display name, already added to a source map. The kind is read from
//! the content ([`detect`]).
//! Produces: one formatted `.kdl` spec (the output of `crate::fmt`) that
//! builds back into equivalent documents, or diagnostics pointing into the
//! JSON files (E0401 malformed, E0403 wrong kind, E0402 contract violation).
//! Documents that are referenced but missing (a pod's provider, cache tiers,
//! the machine, the cluster of a Kubernetes pod) become stand-ins marked by
//! a `// stand-in:` comment. What cannot round-trip is listed in
//! docs/governance.md ("Migration") and [`ALLOWED_DIFFERENCES`].
//! A Compose or Kubernetes input gives a spec with a `// not carried over:`
//! comment per field amc has no place for; its errors are E0404 (malformed
//! YAML), E0405 (not a kind amc imports), E0406 (a field of the wrong shape)
//! and W0401 (a Kubernetes object left out).
//! Never: reads or writes files, panics on bad input.

mod compose;
mod fleet;
mod kdl;
mod kubernetes;
mod machine;
mod pod;
mod provider;
mod servers;
mod tier;
mod workload;
mod yaml;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::resolve::documents::{Expected, checked_json};
use crate::source::{FileId, Span};

pub use kdl::{Node, Val};

/// The document kinds `amc import` reads, with their contracts.
pub const KINDS: &[(&str, &str)] = &[
    ("AgentPod", "upstream/agent-pod"),
    ("InferenceProvider", "upstream/inference-provider"),
    ("CacheTier", "upstream/cache-tier"),
    ("AgentMachine", "upstream/agent-machine"),
];

/// JSON pointers (per re-emitted document file prefix; `*` matches one
/// segment) where a build of an imported spec may differ from the imported
/// document, each for the reason given in docs/governance.md ("Migration").
pub const ALLOWED_DIFFERENCES: &[(&str, &str)] = &[
    ("agent-pod", "/storage/*/hostPath"),
    ("agent-pod", "/labels/amc.*"),
    ("inference-provider", "/runtime/mode"),
    ("inference-provider", "/runtime/commandRef"),
    ("inference-provider", "/runtime/version"),
    ("inference-provider", "/runtime/endpoint"),
    ("inference-provider", "/modelStore/path"),
    ("inference-provider", "/modelStore/format"),
    ("inference-provider", "/modelStore/cacheTierId"),
    ("inference-provider", "/profileSupport"),
    ("inference-provider", "/labels/amc.*"),
    ("inference-provider", "/labels/sourceos.provider"),
    ("cache-tier", "/policyDomain"),
    ("cache-tier", "/encryption/observed"),
    ("cache-tier", "/mount/hostPath"),
    ("cache-tier", "/receipt/includeFreeBytes"),
    ("cache-tier", "/receipt/includeSnapshotLineage"),
    ("agent-machine", "/host/arch"),
    ("agent-machine", "/host/distro"),
    ("agent-machine", "/host/kernel"),
    ("agent-machine", "/host/immutableHost"),
    ("agent-machine", "/accelerators"),
    ("agent-machine", "/runtime/selinuxMode"),
    ("agent-machine", "/runtime/cgroupMode"),
    ("agent-machine", "/storage/topolvmAvailable"),
    ("agent-machine", "/storage/encryptedAtRest"),
    ("agent-machine", "/trust/secureBootObserved"),
    ("agent-machine", "/trust/tpmObserved"),
    ("agent-machine", "/trust/fido2Observed"),
    ("agent-machine", "/labels"),
];

/// One input file.
#[derive(Debug, Clone)]
pub struct Input {
    /// Its file in the source map.
    pub file: FileId,
    /// Name shown in diagnostics.
    pub name: String,
    /// Its text.
    pub text: String,
}

/// A loaded document.
#[derive(Debug, Clone)]
pub(crate) struct Doc {
    /// amc id derived from the URN.
    pub id: String,
    /// The document.
    pub value: Value,
}

/// Documents by kind, keyed by amc id (sorted: output is deterministic).
#[derive(Debug, Default)]
pub(crate) struct Set {
    pub pods: BTreeMap<String, Doc>,
    pub providers: BTreeMap<String, Doc>,
    pub tiers: BTreeMap<String, Doc>,
    pub machines: BTreeMap<String, Doc>,
}

/// The amc id for an upstream URN: its last `:`-separated segment, with
/// anything outside `[a-z0-9-]` replaced by `-`, cut to 40 characters
/// (`urn:srcos:agent-machine:agent-pod:local-podman-llama-cpp` → `local-podman-llama-cpp`).
pub fn id_of(urn: &str) -> String {
    let last = urn.rsplit(':').next().unwrap_or(urn);
    let mut id: String = last
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        id.insert(0, 'x');
    }
    // Identifiers have at most 40 characters.
    id.truncate(40);
    while id.ends_with('-') {
        id.pop();
    }
    id
}

/// Reads a string field at a JSON pointer.
pub(crate) fn s<'a>(v: &'a Value, ptr: &str) -> Option<&'a str> {
    v.pointer(ptr).and_then(Value::as_str)
}
/// Reads a bool field at a JSON pointer.
pub(crate) fn b(v: &Value, ptr: &str) -> Option<bool> {
    v.pointer(ptr).and_then(Value::as_bool)
}
/// Reads an integer field at a JSON pointer.
pub(crate) fn n(v: &Value, ptr: &str) -> Option<i64> {
    v.pointer(ptr).and_then(Value::as_i64)
}
/// Reads a string list at a JSON pointer.
pub(crate) use crate::govern::semantics::list;

/// A byte count as an amc size (`80GiB`, `512MiB`, else bytes).
pub(crate) fn size(bytes: i64) -> String {
    const GIB: i64 = 1 << 30;
    const MIB: i64 = 1 << 20;
    if bytes > 0 && bytes % GIB == 0 {
        format!("{}GiB", bytes / GIB)
    } else if bytes > 0 && bytes % MIB == 0 {
        format!("{}MiB", bytes / MIB)
    } else {
        format!("{bytes}B")
    }
}

/// What an input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// An upstream Agent Machine JSON document.
    Upstream,
    /// A Compose file (a mapping with `services`).
    Compose,
    /// A Kubernetes manifest stream (`apiVersion` and `kind`).
    Kubernetes,
}

enum Read {
    Upstream,
    Compose(Vec<yaml::Y>),
    Kubernetes(Vec<yaml::Y>),
}

fn not_recognised(input: &Input, at: Option<&yaml::Y>, why: &str) -> Diagnostic {
    let mut d = Diagnostic::new(
        Code::E0405,
        format!("`{}` is not something `amc import` reads: {why}", input.name),
    )
    .help("amc import reads Compose files (`services:`), Kubernetes manifests (`apiVersion` and `kind`; Deployments and StatefulSets are imported) and upstream Agent Machine JSON documents");
    if let Some(s) = at.and_then(|y| y.span(input.file)) {
        d = d.label(s, "not a Compose file or a Kubernetes object");
    }
    d
}

fn read_input(input: &Input, diags: &mut Diagnostics) -> Option<Read> {
    let lower = input.name.to_ascii_lowercase();
    let json_like = lower.ends_with(".json") || input.text.trim_start().starts_with('{');
    if json_like {
        // An upstream document unless it is a Kubernetes object.
        let k8s = serde_json::from_str::<Value>(&input.text)
            .ok()
            .is_some_and(|v| v.get("apiVersion").is_some());
        if !k8s {
            return Some(Read::Upstream);
        }
    }
    let docs = match yaml::parse(input.file, &input.name, &input.text) {
        Ok(d) => d,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let Some(first) = docs.first() else {
        diags.push(not_recognised(input, None, "it holds no document"));
        return None;
    };
    if !first.get("services").is_null() {
        if docs.len() > 1 {
            diags.push(not_recognised(
                input,
                docs.get(1),
                "a Compose file is one document",
            ));
            return None;
        }
        return Some(Read::Compose(docs));
    }
    for d in &docs {
        let ok = d.get("kind").text().is_some() && d.get("apiVersion").text().is_some();
        if !ok {
            diags.push(not_recognised(
                input,
                Some(d),
                "a document has neither `services` nor `apiVersion` and `kind`",
            ));
            return None;
        }
    }
    Some(Read::Kubernetes(docs))
}

/// What kind of input a file is, from its content and name (`None` when
/// it is none amc reads; `diags` say why).
pub fn detect(input: &Input, diags: &mut Diagnostics) -> Option<InputKind> {
    read_input(input, diags).map(|r| match r {
        Read::Upstream => InputKind::Upstream,
        Read::Compose(_) => InputKind::Compose,
        Read::Kubernetes(_) => InputKind::Kubernetes,
    })
}

/// Imports the inputs into one formatted spec. `None` when an input
/// failed to load (the diagnostics say why).
pub fn import(inputs: &[Input], diags: &mut Diagnostics) -> Option<String> {
    let mut reads = Vec::new();
    let mut ok = true;
    for input in inputs {
        match read_input(input, diags) {
            Some(r) => reads.push((input, r)),
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    let upstream: Vec<Input> = reads
        .iter()
        .filter(|(_, r)| matches!(r, Read::Upstream))
        .map(|(i, _)| (*i).clone())
        .collect();
    if upstream.len() == reads.len() {
        return import_upstream(&upstream, diags);
    }
    if !upstream.is_empty() {
        let first = &upstream[0];
        diags.push(
            Diagnostic::new(
                Code::E0405,
                format!(
                    "`{}` is an upstream Agent Machine document, given with Compose or Kubernetes input",
                    first.name
                ),
            )
            .label(Span::new(first.file, 0, 1), "an upstream document")
            .help("import upstream documents and Compose or Kubernetes files in separate runs"),
        );
        return None;
    }
    let mut workloads: Vec<workload::Workload> = Vec::new();
    let mut header_notes = Vec::new();
    let mut sources = Vec::new();
    for (input, r) in &reads {
        let got = match r {
            Read::Compose(docs) => {
                sources.push(format!("Compose file `{}`", input.name));
                docs.first()
                    .and_then(|d| compose::read(input.file, &input.name, d, diags))
            }
            Read::Kubernetes(docs) => {
                sources.push(format!("Kubernetes manifests `{}`", input.name));
                kubernetes::read(input.file, &input.name, docs, diags)
            }
            Read::Upstream => None,
        };
        match got {
            Some((ws, notes)) => {
                for mut w in ws {
                    let mut id = w.id.clone();
                    let mut n = 2;
                    while workloads.iter().any(|x| x.id == id) {
                        id = workload::ident(&format!("{}-{n}", w.id));
                        n += 1;
                    }
                    w.id = id;
                    w.origin = format!("{} in {}", w.origin, input.name);
                    w.server_env();
                    w.gpu_for_engine();
                    workloads.push(w);
                }
                header_notes.extend(
                    notes
                        .into_iter()
                        .map(|n| format!("not carried over: {}: {n}", input.name)),
                );
            }
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    let source = if sources.len() == 1 {
        sources[0].clone()
    } else {
        "the input".to_string()
    };
    let (imports, nodes) = servers::nodes(&workloads, &source);
    let mut header = vec![
        format!("Imported by `amc import` from {}.", sources.join(", ")),
        "Stand-ins (`// stand-in:`) replace what the input does not say: review them.".to_string(),
        "`// not carried over:` names each field amc has no place for.".to_string(),
    ];
    header.extend(header_notes);
    let mut text = kdl::write(&header, &[]);
    text.push('\n');
    for i in &imports {
        text.push_str(&format!("import \"{i}\"\n"));
    }
    text.push('\n');
    text.push_str(&kdl::write(&[], &nodes));
    format(&text, diags)
}

fn format(text: &str, diags: &mut Diagnostics) -> Option<String> {
    match crate::fmt::format_str("imported.kdl", text) {
        Ok(t) => Some(t),
        Err(_) => {
            diags.push(Diagnostic::internal(
                "amc import wrote KDL its formatter cannot read",
            ));
            None
        }
    }
}

fn import_upstream(inputs: &[Input], diags: &mut Diagnostics) -> Option<String> {
    let mut set = Set::default();
    let mut ok = true;
    let mut duplicates = Vec::new();
    for input in inputs {
        let Some(value) = checked_json(
            input.file,
            &input.text,
            &input.name,
            Expected::AnyOf(KINDS),
            None,
            diags,
        ) else {
            ok = false;
            continue;
        };
        let urn = s(&value, "/id").unwrap_or_default().to_string();
        let id = id_of(&urn);
        let target = match s(&value, "/kind") {
            Some("AgentPod") => &mut set.pods,
            Some("InferenceProvider") => &mut set.providers,
            Some("CacheTier") => &mut set.tiers,
            _ => &mut set.machines,
        };
        if target.contains_key(&id) {
            duplicates.push(format!(
                "{} (`{}`) was given twice; the first one is used",
                urn, input.name
            ));
            continue;
        }
        target.insert(id.clone(), Doc { id, value });
    }
    if !ok {
        return None;
    }
    let nodes = assemble(&set);
    let mut header = vec![
        "Imported by `amc import` from upstream Agent Machine documents.".to_string(),
        "Stand-ins (`// stand-in:`) replace documents that were not given: review them."
            .to_string(),
    ];
    header.extend(duplicates);
    let text = kdl::write(&header, &nodes);
    format(&text, diags)
}

fn assemble(set: &Set) -> Vec<Node> {
    let plans = pod::plan(set);
    let mut nodes = Vec::new();
    nodes.extend(machine::machines(set, &plans));
    nodes.extend(machine::clusters(&plans));
    nodes.extend(tier::tiers(set, &plans));
    nodes.extend(provider::providers(set, &plans));
    nodes.extend(plans.iter().map(|p| pod::node(set, p)));
    nodes
}

fn segment_matches(pattern: &str, segment: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some("") => true,
        Some(prefix) => segment.starts_with(prefix),
        None => pattern == segment,
    }
}

/// Whether a difference at `pointer` in a re-emitted document (`doc` is the
/// file-name prefix: `agent-pod`, `inference-provider`, `cache-tier`,
/// `agent-machine`) is on the documented allow-list. A pattern covers the
/// paths below it too.
pub fn allowed(doc: &str, pointer: &str) -> bool {
    let segs: Vec<&str> = pointer.split('/').skip(1).collect();
    ALLOWED_DIFFERENCES
        .iter()
        .filter(|(d, _)| *d == doc)
        .any(|(_, pattern)| {
            let pats: Vec<&str> = pattern.split('/').skip(1).collect();
            pats.len() <= segs.len() && pats.iter().zip(&segs).all(|(p, s)| segment_matches(p, s))
        })
}

fn diff_paths(a: Option<&Value>, b: Option<&Value>, at: String, out: &mut Vec<String>) {
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                diff_paths(x.get(k), y.get(k), format!("{at}/{k}"), out);
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff_paths(Some(p), Some(q), format!("{at}/{i}"), out);
            }
        }
        (x, y) if x == y => {}
        _ => out.push(at),
    }
}

/// The JSON pointers where `emitted` (a document amc re-emitted from an
/// imported spec) differs from `original`, minus the allow-list.
pub fn round_trip_differences(doc: &str, original: &Value, emitted: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff_paths(Some(original), Some(emitted), String::new(), &mut out);
    out.retain(|p| !allowed(doc, p));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_from_the_urn() {
        assert_eq!(
            id_of("urn:srcos:agent-machine:agent-pod:local-podman-llama-cpp"),
            "local-podman-llama-cpp"
        );
        assert_eq!(
            id_of("urn:srcos:agent-machine:m2-asahi-local"),
            "m2-asahi-local"
        );
        assert_eq!(id_of("urn:x:Weird_Name"), "weird-name");
        assert_eq!(id_of("urn:x:-lead"), "x-lead");
        assert_eq!(id_of(&format!("urn:x:{}", "a".repeat(50))).len(), 40);
    }

    #[test]
    fn allow_list_patterns() {
        assert!(allowed("agent-pod", "/storage/2/hostPath"));
        assert!(allowed("agent-pod", "/labels/amc.tenant"));
        assert!(!allowed("agent-pod", "/labels/sourceos.exposure"));
        assert!(!allowed("agent-pod", "/storage/2/volumeClass"));
        assert!(!allowed("cache-tier", "/storage/2/hostPath"));
        assert!(allowed("agent-machine", "/accelerators/1/driver"));
    }

    #[test]
    fn writer_quotes_what_is_not_an_identifier() {
        let mut n = Node::new("labels").prop("sourceos.profile", "a\"b\\c");
        n.child(Node::new("x").arg(1).arg(true));
        let text = kdl::write(&[], &[n]);
        assert!(
            text.contains("labels sourceos.profile=\"a\\\"b\\\\c\""),
            "{text}"
        );
        let text = kdl::write(&[], &[Node::new("labels").prop("1st key", "v")]);
        assert!(text.contains("\"1st key\"=\"v\""), "{text}");
    }
}
