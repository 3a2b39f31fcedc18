//! The serde models of the upstream documents, checked against the
//! contracts' schemas (issue 16, item 6).
//!
//! Each model derives `schemars::JsonSchema` in test builds only (a
//! dev-dependency: the shipped binary does not carry it). The schema of what
//! a model *serialises* is compared with the contract, recursively: every
//! property the model can write exists in the contract (or the contract
//! admits extra properties), every property the contract requires is always
//! written, every JSON type the model can write (null included) is one the
//! contract accepts, and so on into items, maps and `$ref`s. The goldens
//! validate the documents amc happened to write; this checks every document
//! the types can write, including fields no golden case sets.

use std::collections::BTreeSet;
use std::path::Path;

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::Value;

/// The schema of what `T` writes (`for_serialize`) or reads
/// (`for_deserialize`).
fn generated<T: JsonSchema>(settings: SchemaSettings) -> Value {
    serde_json::to_value(settings.into_generator().into_root_schema_for::<T>()).unwrap()
}

/// What a model writes.
fn ours<T: JsonSchema>() -> Value {
    generated::<T>(SchemaSettings::draft2020_12().for_serialize())
}

/// What a model reads.
fn ours_read<T: JsonSchema>() -> Value {
    generated::<T>(SchemaSettings::draft2020_12().for_deserialize())
}

fn contract(file: &str) -> Value {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("..")
        .join("contracts")
        .join(file);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn deref<'a>(root: &'a Value, mut v: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) if r.starts_with('#') => match root.pointer(&r[1..]) {
                Some(next) => v = next,
                None => return v,
            },
            _ => return v,
        }
    }
    v
}

fn types(v: &Value) -> Option<BTreeSet<String>> {
    match v.get("type")? {
        Value::String(s) => Some([s.clone()].into()),
        Value::Array(a) => Some(
            a.iter()
                .filter_map(|t| t.as_str().map(String::from))
                .collect(),
        ),
        _ => None,
    }
}

fn strings(v: Option<&Value>) -> BTreeSet<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

struct Cx<'a> {
    ours: &'a Value,
    theirs: &'a Value,
}

impl Cx<'_> {
    /// Whether everything `o` can produce is accepted by `t`; mismatches
    /// pushed to `errs` with their path.
    fn check(&self, o: &Value, t: &Value, path: &str, errs: &mut Vec<String>) {
        let o = deref(self.ours, o);
        let t = deref(self.theirs, t);
        if t == &Value::Bool(true) || t.as_object().is_some_and(|m| m.is_empty()) {
            return;
        }
        if o == &Value::Bool(true) {
            // Free-form JSON (`serde_json::Value`) on our side: unchecked.
            return;
        }
        // Every alternative we can write must be accepted.
        for key in ["anyOf", "oneOf"] {
            if let Some(branches) = o.get(key).and_then(Value::as_array) {
                for b in branches {
                    self.check(b, t, path, errs);
                }
                return;
            }
        }
        // Ours must fit one of theirs — each JSON type ours can write on its
        // own (a nullable string may be the null branch or the string one).
        if let Some(ts) = types(o).filter(|ts| ts.len() > 1)
            && (t.get("anyOf").is_some() || t.get("oneOf").is_some())
        {
            for ty in ts {
                let mut one = o.clone();
                one["type"] = Value::String(ty);
                self.check(&one, t, path, errs);
            }
            return;
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(branches) = t.get(key).and_then(Value::as_array) {
                let mut best: Option<Vec<String>> = None;
                for b in branches {
                    let mut e = Vec::new();
                    self.check(o, b, path, &mut e);
                    if best.as_ref().is_none_or(|x| e.len() < x.len()) {
                        best = Some(e);
                    }
                }
                errs.extend(best.unwrap_or_default());
                return;
            }
        }
        // Every branch of theirs must accept ours (`if`/`then` are
        // conditional on values and not checked here).
        if let Some(all) = t.get("allOf").and_then(Value::as_array) {
            for b in all {
                if b.get("if").is_none() {
                    self.check(o, b, path, errs);
                }
            }
        }
        let (Some(ot), tt) = (types(o), types(t)) else {
            return;
        };
        if let Some(tt) = &tt {
            for ty in &ot {
                let ok = tt.contains(ty) || (ty == "integer" && tt.contains("number"));
                if !ok {
                    errs.push(format!("{path}: writes {ty}, the contract accepts {tt:?}"));
                }
            }
        }
        if let (Some(Value::String(v)), Some(allowed)) = (o.get("const"), t.get("enum"))
            && !strings(Some(allowed)).contains(v)
        {
            errs.push(format!(
                "{path}: can write `{v}`, not in the contract's enum"
            ));
        }
        if let (Some(values), Some(allowed)) = (o.get("enum"), t.get("enum")) {
            let allowed = strings(Some(allowed));
            for v in strings(Some(values)) {
                if !allowed.contains(&v) {
                    errs.push(format!(
                        "{path}: can write `{v}`, not in the contract's enum"
                    ));
                }
            }
        }
        if ot.contains("object") {
            self.object(o, t, path, errs);
        }
        if ot.contains("array")
            && let (Some(oi), Some(ti)) = (o.get("items"), t.get("items"))
        {
            self.check(oi, ti, &format!("{path}[]"), errs);
        }
    }

    fn object(&self, o: &Value, t: &Value, path: &str, errs: &mut Vec<String>) {
        let empty = serde_json::Map::new();
        let oprops = o
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let tprops = t
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let extra = t.get("additionalProperties");
        let required = strings(o.get("required"));
        for (name, os) in oprops {
            let at = format!("{path}/{name}");
            // A property that may be left out is left out when `None`
            // (`skip_serializing_if`): it is never written as null.
            let os = &if required.contains(name) {
                os.clone()
            } else {
                self.without_null(os)
            };
            match (tprops.get(name), extra) {
                (Some(ts), _) => self.check(os, ts, &at, errs),
                (None, Some(Value::Bool(false))) => errs.push(format!(
                    "{at}: written, but the contract has no such property"
                )),
                (None, Some(ts @ Value::Object(_))) => self.check(os, ts, &at, errs),
                (None, _) => {}
            }
        }
        if let Some(oa) = o.get("additionalProperties").filter(|v| v.is_object()) {
            // A map on our side: each value against the contract's.
            if let Some(ta) = extra.filter(|v| v.is_object()) {
                self.check(oa, ta, &format!("{path}/*"), errs);
            } else if extra == Some(&Value::Bool(false)) && tprops.is_empty() {
                errs.push(format!("{path}: a map, the contract admits no properties"));
            }
        }
        if !oprops.is_empty() {
            for r in strings(t.get("required")) {
                if !oprops.contains_key(&r) {
                    errs.push(format!(
                        "{path}/{r}: required by the contract, never written"
                    ));
                } else if !required.contains(&r) {
                    errs.push(format!(
                        "{path}/{r}: required by the contract, sometimes left out"
                    ));
                }
            }
        }
    }

    /// `v` without its null alternative.
    fn without_null(&self, v: &Value) -> Value {
        let v = deref(self.ours, v);
        let mut out = v.clone();
        if let Some(Value::Array(ts)) = out.get_mut("type") {
            ts.retain(|t| t != "null");
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(bs)) = out.get_mut(key) {
                bs.retain(|b| b.get("type").and_then(Value::as_str) != Some("null"));
                if bs.len() == 1 {
                    return bs[0].clone();
                }
            }
        }
        out
    }
}

/// Where what `o` admits falls outside `t`, one line per path.
fn mismatches(o: &Value, t: &Value, path: &str) -> Vec<String> {
    let cx = Cx { ours: o, theirs: t };
    let mut errs = Vec::new();
    cx.check(o, t, path, &mut errs);
    errs
}

/// Whether everything `T` writes is accepted by the contract `file`.
fn compare<T: JsonSchema>(file: &str) -> Vec<String> {
    mismatches(&ours::<T>(), &contract(file), file)
}

/// Whether every document the contract admits can be read by `T` (the
/// comparison run the other way round).
fn compare_read<T: JsonSchema>(file: &str) -> Vec<String> {
    mismatches(
        &contract(file),
        &ours_read::<T>(),
        &format!("{file} (read)"),
    )
}

fn all() -> Vec<(&'static str, Vec<String>)> {
    use super::model::*;
    vec![
        (
            "AgentPod",
            compare::<AgentPod>("upstream/agent-pod.schema.json"),
        ),
        (
            "InferenceProvider",
            compare::<InferenceProvider>("upstream/inference-provider.schema.json"),
        ),
        (
            "CacheTier",
            compare::<CacheTier>("upstream/cache-tier.schema.json"),
        ),
        (
            "DeploymentPlan",
            compare::<DeploymentPlan>("upstream/agentpod-deployment-plan.schema.json"),
        ),
        (
            "DeploymentReceipt",
            compare::<DeploymentReceipt>("upstream/deployment-receipt.schema.json"),
        ),
        (
            "StorageReceipt",
            compare::<StorageReceipt>("upstream/storage-receipt.schema.json"),
        ),
        (
            "RuntimeEvidence",
            compare::<RuntimeEvidence>("upstream/agentplane-runtime-evidence.schema.json"),
        ),
        (
            "AdmissionRequest",
            compare::<AdmissionRequest>("upstream/policy-admission.schema.json"),
        ),
        (
            "GrantRequest",
            compare::<GrantRequest>("upstream/agent-registry-grant.schema.json"),
        ),
        (
            "ActivationDecision",
            compare::<amc_govern::decision::ActivationDecision>(
                "upstream/activation-decision.schema.json",
            ),
        ),
        (
            "HostFacts (written by amc probe)",
            compare::<amc_probe::facts::HostFacts>("host-facts.schema.json"),
        ),
        (
            "HostFacts (read by every build)",
            compare_read::<amc_probe::facts::HostFacts>("host-facts.schema.json"),
        ),
        (
            "TeardownPlan",
            compare::<super::teardown::TeardownPlan>("teardown-plan.schema.json"),
        ),
    ]
}

#[test]
fn every_document_model_writes_only_what_its_contract_accepts() {
    let mut report = Vec::new();
    for (name, errs) in all() {
        for e in errs {
            report.push(format!("{name}: {e}"));
        }
    }
    assert!(report.is_empty(), "\n{}", report.join("\n"));
}

#[test]
fn the_comparison_catches_a_model_that_drifts() {
    // A model with a misspelt field, a wrong type and a missing required
    // property, against a small contract: each is reported.
    #[derive(serde::Serialize, schemars::JsonSchema)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Drifted {
        spec_versoin: String,
        size_bytes: String,
        note: Option<String>,
    }
    let o = ours::<Drifted>();
    let t = serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["specVersion", "sizeBytes", "note"],
        "properties": {
            "specVersion": {"type": "string"},
            "sizeBytes": {"type": "integer"},
            "note": {"type": "string"}
        }
    });
    let text = mismatches(&o, &t, "t").join("\n");
    assert!(text.contains("t/specVersoin: written"), "{text}");
    assert!(
        text.contains("t/specVersion: required by the contract, never written"),
        "{text}"
    );
    assert!(text.contains("t/sizeBytes: writes string"), "{text}");
    assert!(text.contains("t/note: writes null"), "{text}");
}

#[test]
fn the_read_comparison_catches_a_reader_that_would_refuse_valid_documents() {
    // A strict reader that lacks a property the contract has, insists on one
    // the contract leaves optional, and reads a number as a string.
    #[derive(serde::Deserialize, schemars::JsonSchema)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    #[allow(dead_code)]
    struct Strict {
        name: String,
        comment: String,
        size: String,
    }
    let o = serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["name", "size"],
        "properties": {
            "name": {"type": "string"},
            "comment": {"type": "string"},
            "size": {"type": "integer"},
            "extra": {"type": "boolean"}
        }
    });
    let t = ours_read::<Strict>();
    let text = mismatches(&o, &t, "c").join("\n");
    assert!(
        text.contains("c/extra: written, but the contract has no such property"),
        "{text}"
    );
    assert!(
        text.contains("c/comment: required by the contract, sometimes left out"),
        "{text}"
    );
    assert!(text.contains("c/size: writes integer"), "{text}");
}
