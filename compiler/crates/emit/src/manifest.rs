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
        "artifacts": artifacts.iter().map(|(p, b)| json!({
            "path": p, "sha256": digest_of(digests, p, b), "bytes": b.len(),
        })).collect::<Vec<_>>(),
    });
    let mut v = v;
    if let (Some(o), Some(m)) = (&opts.overlay, v.as_object_mut()) {
        m.insert("overlay".into(), json!(o));
    }
    to_bytes(&v)
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
pub fn placement_json(p: &Placement) -> BugResult<Vec<u8>> {
    let terms = |c: &amc_solve::CostTerms| json!({"loadMs": c.load, "stageMs": c.stage, "warmMs": c.warm, "balanceMs": c.balance, "totalMs": c.total});
    let v = json!({
        "schemaVersion": "amc.placement/v2",
        "kind": "AmcPlacement",
        "solver": p.solver,
        "work": p.work,
        "objective": terms(&p.objective),
        "assignments": p.assignments.iter().map(|a| { let mut e = json!({
            "pod": a.pod,
            "replica": a.replica,
            "machine": a.machine,
            "cost": terms(&a.cost),
            "terms": a.terms.iter().map(|t| json!({
                "term": t.term, "ms": t.ms, "sharedBy": t.shared_by, "detail": t.detail,
            })).collect::<Vec<_>>(),
            "excluded": a.why_not.iter().map(|w| {
                let mut e = json!({"machine": w.machine, "reason": w.reason});
                if let Some(c) = &w.constraint {
                    e["constraint"] = json!(c);
                }
                if let Some(x) = w.extra_ms {
                    e["extraMs"] = json!(x);
                }
                e
            }).collect::<Vec<_>>(),
        });
            // Large fleets: the machines not listed, counted by constraint.
            if !a.omitted.is_empty() {
                e["omitted"] = json!(a.omitted);
            }
            // Stable placement: where the previous build had it, and why it left.
            if let Some(m) = &a.moved_from {
                e["movedFrom"] = json!({"machine": m.machine, "reason": m.reason});
            }
            e
        }).collect::<Vec<_>>(),
        "machines": p.machines.iter().map(|m| json!({
            "machine": m.machine,
            "pods": m.pods,
            "stagedModels": m.staged_models,
            "utilisationPermille": {
                "cpu": m.utilisation_permille[0],
                "memory": m.utilisation_permille[1],
                "gpus": m.utilisation_permille[2],
                "vram": m.utilisation_permille[3],
            },
            "balanceMs": m.balance_ms,
        })).collect::<Vec<_>>(),
    });
    to_bytes(&v)
}
