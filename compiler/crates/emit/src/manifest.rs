//! The build manifest (`amc-build.json`) and `placement.json`.
//!
//! Takes artifacts and inputs; produces canonical JSON: keys sorted, lists
//! sorted by path, sha256 digests, no absolute paths or times other than the
//! injected decision time.

use amc_syntax::diagnostics::BugResult;
use serde_json::{Value, json};

use super::{Artifacts, EmitOptions};
use amc_lang::resolve::Input;
use amc_solve::{Incumbent, Placement};

/// File name of the manifest in the output directory.
pub const MANIFEST: &str = "amc-build.json";

pub use amc_syntax::hash::sha256_prefixed as sha256;

/// Pretty JSON with a trailing newline. `Err` is an internal error: nothing
/// is ever written in place of a document that failed to serialise.
pub fn to_bytes(v: &Value) -> BugResult<Vec<u8>> {
    let mut s =
        serde_json::to_string_pretty(v).map_err(|e| format!("cannot serialise JSON: {e}"))?;
    s.push('\n');
    Ok(s.into_bytes())
}

/// [`to_bytes`] of the object `v` with one more top-level key, `key`, whose
/// value `list` is serialised as it goes: the lists of every artifact (the
/// manifest's, the release evidence's) are never built as `Value`s, which
/// cost about a kilobyte per artifact. The bytes are those of the `Value`
/// with the list inserted (keys in sorted order, the same pretty printer).
pub fn to_bytes_with<L: serde::Serialize>(v: &Value, key: &str, list: &L) -> BugResult<Vec<u8>> {
    let mut out = with_list(v, key, list, true)?;
    out.push(b'\n');
    Ok(out)
}

/// [`to_bytes_with`] as compact JSON without a trailing newline (what
/// `serde_json::to_vec` writes for the `Value`).
pub fn to_compact_with<L: serde::Serialize>(v: &Value, key: &str, list: &L) -> BugResult<Vec<u8>> {
    with_list(v, key, list, false)
}

fn with_list<L: serde::Serialize>(
    v: &Value,
    key: &str,
    list: &L,
    pretty: bool,
) -> BugResult<Vec<u8>> {
    use serde::ser::SerializeMap;
    struct Doc<'a, L> {
        map: &'a serde_json::Map<String, Value>,
        key: &'a str,
        list: &'a L,
    }
    impl<L: serde::Serialize> serde::Serialize for Doc<'_, L> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut keys: Vec<&str> = self.map.keys().map(String::as_str).collect();
            keys.push(self.key);
            keys.sort_unstable();
            let mut m = s.serialize_map(Some(keys.len()))?;
            for k in keys {
                match self.map.get(k) {
                    Some(v) if k != self.key => m.serialize_entry(k, v)?,
                    _ => m.serialize_entry(k, self.list)?,
                }
            }
            m.end()
        }
    }
    let map = v
        .as_object()
        .ok_or_else(|| "a document with an artifact list is not an object".to_string())?;
    if map.contains_key(key) {
        return Err(format!("`{key}` is set twice").into());
    }
    let doc = Doc { map, key, list };
    let bytes = if pretty {
        serde_json::to_vec_pretty(&doc)
    } else {
        serde_json::to_vec(&doc)
    };
    Ok(bytes.map_err(|e| format!("cannot serialise JSON: {e}"))?)
}

/// A sequence serialised from an iterator made on demand.
pub struct Seq<F>(pub F);

impl<F, I> serde::Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

/// Artifact path → `sha256:` digest, computed once for the records that
/// list every artifact (the release evidence and the manifest).
pub type Digests = std::collections::BTreeMap<String, String>;

/// The digest of every artifact.
pub fn digests(artifacts: &Artifacts) -> Digests {
    artifacts
        .iter()
        .map(|(p, b)| (p.clone(), sha256(b)))
        .collect()
}

/// The digest of `path` from `digests`, else computed from its bytes.
pub fn digest_of(digests: &Digests, path: &str, bytes: &[u8]) -> String {
    digests.get(path).cloned().unwrap_or_else(|| sha256(bytes))
}

/// Inputs sorted by path, each path once.
pub fn sorted_inputs(inputs: &[Input]) -> Vec<&Input> {
    let mut ins: Vec<&Input> = inputs.iter().collect();
    ins.sort_by(|a, b| a.path.cmp(&b.path));
    ins.dedup_by(|a, b| a.path == b.path);
    ins
}

/// The manifest: compiler, inputs, source facts, artifacts. Everything a
/// rebuild needs besides the spec itself is recorded here.
pub fn build_manifest(
    artifacts: &Artifacts,
    digests: &Digests,
    ins: &[&Input],
    stdlib_modules: &[String],
    opts: &EmitOptions,
) -> BugResult<Vec<u8>> {
    #[derive(serde::Serialize)]
    struct Entry<'a> {
        bytes: usize,
        path: &'a str,
        sha256: String,
    }
    let v = json!({
        "schemaVersion": "amc.build/v1",
        "kind": "AmcBuildManifest",
        "compiler": {"name": "amc", "version": amc_syntax::VERSION},
        "decidedAt": opts.decided_at.as_deref().unwrap_or(amc_syntax::EPOCH),
        "decisionTimeSet": opts.decided_at.is_some(),
        "inputs": ins.iter().map(|i| json!({
            "path": i.path, "sha256": sha256(&i.bytes), "bytes": i.bytes.len(),
        })).collect::<Vec<_>>(),
        "source": {"commit": opts.source_commit, "workflowRunId": opts.workflow_run_id},
        "stdlib": stdlib_modules,
    });
    let mut v = v;
    if let (Some(o), Some(m)) = (&opts.overlay, v.as_object_mut()) {
        m.insert("overlay".into(), json!(o));
    }
    let list = Seq(|| {
        artifacts.iter().map(|(p, b)| Entry {
            bytes: b.len(),
            path: p,
            sha256: digest_of(digests, p, b),
        })
    });
    to_bytes_with(&v, "artifacts", &list)
}

/// File name of the placement a build kept where it could (written only when
/// the build had one: `amc build` into an existing output, or `--previous`).
pub const INCUMBENT: &str = "placement-incumbent.json";

/// The incumbent placement as recorded in the output, so `amc verify` can
/// rebuild with it: pod → machines of its replicas.
pub fn incumbent_json(inc: &Incumbent) -> BugResult<Vec<u8>> {
    to_bytes(&json!({
        "schemaVersion": "amc.incumbent/v1",
        "kind": "AmcIncumbent",
        "pods": inc,
    }))
}

/// Reads an incumbent: a `placement.json` (its assignments) or a
/// [`INCUMBENT`] file. `Err` says what is wrong with it. Only the fields it
/// needs are read (a 10,000-agent placement.json is about 60 MB).
pub fn read_incumbent(bytes: &[u8]) -> Result<Incumbent, String> {
    #[derive(serde::Deserialize)]
    struct Doc {
        kind: Option<String>,
        pods: Option<Incumbent>,
        assignments: Option<Vec<Row>>,
    }
    #[derive(serde::Deserialize)]
    struct Row {
        pod: String,
        replica: u64,
        machine: String,
    }
    let doc: Doc = serde_json::from_slice(bytes).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            format!("not JSON: {e}")
        } else {
            format!("not an AmcPlacement or AmcIncumbent: {e}")
        }
    })?;
    match doc.kind.as_deref() {
        Some("AmcIncumbent") => doc
            .pods
            .ok_or_else(|| "an AmcIncumbent without a `pods` object".to_string()),
        Some("AmcPlacement") => {
            let mut rows = doc
                .assignments
                .ok_or("an AmcPlacement without `assignments`")?;
            rows.sort_by(|a, b| {
                (&a.pod, a.replica, &a.machine).cmp(&(&b.pod, b.replica, &b.machine))
            });
            let mut out = Incumbent::new();
            for r in rows {
                out.entry(r.pod).or_default().push(r.machine);
            }
            Ok(out)
        }
        _ => Err("neither an AmcPlacement nor an AmcIncumbent".into()),
    }
}

/// Where each replica runs, what it costs, and why the other machines were not chosen.
///
/// Serialised from borrowed views, not a `Value` (which cost about 150 MB at
/// 3,000 agents): every object's fields are declared in sorted order, so the
/// bytes are those of the sorted-key document.
pub fn placement_json(p: &Placement) -> BugResult<Vec<u8>> {
    use serde::Serialize;
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Terms {
        balance_ms: i64,
        load_ms: i64,
        stage_ms: i64,
        total_ms: i64,
        warm_ms: i64,
    }
    let terms = |c: &amc_solve::CostTerms| Terms {
        balance_ms: c.balance,
        load_ms: c.load,
        stage_ms: c.stage,
        total_ms: c.total,
        warm_ms: c.warm,
    };
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Excluded<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        constraint: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        extra_ms: Option<i64>,
        machine: &'a str,
        reason: &'a str,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct TermView<'a> {
        detail: &'a str,
        ms: i64,
        shared_by: u32,
        term: &'a str,
    }
    #[derive(Serialize)]
    struct MovedView<'a> {
        machine: &'a str,
        reason: &'a str,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct AssignmentView<'a> {
        cost: Terms,
        excluded: Vec<Excluded<'a>>,
        machine: &'a str,
        // Stable placement: where the previous build had it, and why it left.
        #[serde(skip_serializing_if = "Option::is_none")]
        moved_from: Option<MovedView<'a>>,
        // Large fleets: the machines not listed, counted by constraint.
        #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
        omitted: &'a std::collections::BTreeMap<String, usize>,
        pod: &'a str,
        replica: u32,
        terms: Vec<TermView<'a>>,
    }
    #[derive(Serialize)]
    struct Utilisation {
        cpu: u64,
        gpus: u64,
        memory: u64,
        vram: u64,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct MachineView<'a> {
        balance_ms: i64,
        machine: &'a str,
        pods: &'a [String],
        staged_models: &'a [String],
        utilisation_permille: Utilisation,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    #[serde(bound(serialize = "Seq<A>: Serialize, Seq<M>: Serialize"))]
    struct Doc<'a, A, M> {
        assignments: Seq<A>,
        kind: &'static str,
        machines: Seq<M>,
        objective: Terms,
        schema_version: &'static str,
        solver: &'a str,
        work: u64,
    }
    let doc = Doc {
        assignments: Seq(|| {
            p.assignments.iter().map(|a| AssignmentView {
                cost: terms(&a.cost),
                excluded: a
                    .why_not
                    .iter()
                    .map(|w| Excluded {
                        constraint: w.constraint.as_deref(),
                        extra_ms: w.extra_ms,
                        machine: &w.machine,
                        reason: &w.reason,
                    })
                    .collect(),
                machine: &a.machine,
                moved_from: a.moved_from.as_ref().map(|m| MovedView {
                    machine: &m.machine,
                    reason: &m.reason,
                }),
                omitted: &a.omitted,
                pod: &a.pod,
                replica: a.replica,
                terms: a
                    .terms
                    .iter()
                    .map(|t| TermView {
                        detail: &t.detail,
                        ms: t.ms,
                        shared_by: t.shared_by,
                        term: &t.term,
                    })
                    .collect(),
            })
        }),
        kind: "AmcPlacement",
        machines: Seq(|| {
            p.machines.iter().map(|m| MachineView {
                balance_ms: m.balance_ms,
                machine: &m.machine,
                pods: &m.pods,
                staged_models: &m.staged_models,
                utilisation_permille: Utilisation {
                    cpu: m.utilisation_permille[0],
                    gpus: m.utilisation_permille[2],
                    memory: m.utilisation_permille[1],
                    vram: m.utilisation_permille[3],
                },
            })
        }),
        objective: terms(&p.objective),
        schema_version: "amc.placement/v2",
        solver: &p.solver,
        work: p.work,
    };
    let mut s =
        serde_json::to_string_pretty(&doc).map_err(|e| format!("cannot serialise JSON: {e}"))?;
    s.push('\n');
    Ok(s.into_bytes())
}
