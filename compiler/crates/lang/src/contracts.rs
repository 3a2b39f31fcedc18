//! Contracts: the JSON Schemas amc reads and writes, embedded.
//!
//! `contracts/*.schema.json` are amc's own; `contracts/upstream/` are the
//! published Agent Machine contracts. Takes a schema name and a JSON value;
//! produces validation errors as (JSON pointer, message, unexpected key). Never
//! reads the disk at run time.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use include_dir::{Dir, include_dir};
use serde_json::Value;

static CONTRACTS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../../contracts");

/// One schema.
#[derive(Debug, Clone)]
pub struct Contract {
    /// Name: the file name without `.schema.json`, prefixed `upstream/` for upstream ones.
    pub name: String,
    /// The schema text.
    pub text: &'static str,
}

/// Every embedded schema, sorted by name.
pub fn all() -> Vec<Contract> {
    let mut out = Vec::new();
    for (dir, prefix) in [
        (Some(&CONTRACTS), ""),
        (CONTRACTS.get_dir("upstream"), "upstream/"),
    ] {
        let Some(dir) = dir else { continue };
        for f in dir.files() {
            let Some(fname) = f.path().file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let Some(stem) = fname.strip_suffix(".schema.json") else {
                continue;
            };
            if let Some(text) = f.contents_utf8() {
                out.push(Contract {
                    name: format!("{prefix}{stem}"),
                    text,
                });
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// A schema by name (`host-facts`, `upstream/policy-admission`, ...).
pub fn get(name: &str) -> Option<Contract> {
    all().into_iter().find(|c| c.name == name)
}

/// One violation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer to the offending value.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
    /// For additionalProperties errors: the unexpected key.
    pub unexpected_key: Option<String>,
}

/// The compiled validator of an embedded contract, compiled once per
/// process (a build validates thousands of documents against a few schemas).
fn compiled(name: &str) -> Result<Arc<jsonschema::Validator>, String> {
    static CACHE: OnceLock<Mutex<BTreeMap<String, Arc<jsonschema::Validator>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(BTreeMap::new()));
    if let Ok(map) = cache.lock()
        && let Some(v) = map.get(name)
    {
        return Ok(Arc::clone(v));
    }
    let contract = get(name).ok_or_else(|| format!("schema `{name}` is not embedded"))?;
    let schema: Value = serde_json::from_str(contract.text)
        .map_err(|e| format!("schema `{name}` is not valid JSON: {e}"))?;
    let validator = Arc::new(
        jsonschema::validator_for(&schema)
            .map_err(|e| format!("schema `{name}` does not compile: {e}"))?,
    );
    if let Ok(mut map) = cache.lock() {
        map.insert(name.to_string(), Arc::clone(&validator));
    }
    Ok(validator)
}

/// Validates a value against a named schema. `Err` means the schema itself is
/// missing or broken (an internal error).
pub fn validate(name: &str, value: &Value) -> Result<Vec<Violation>, String> {
    let validator = compiled(name)?;
    let mut out = Vec::new();
    for e in validator.iter_errors(value) {
        let pointer = e.instance_path().to_string();
        match e.kind() {
            jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
                for key in unexpected {
                    out.push(Violation {
                        pointer: pointer.clone(),
                        message: format!("property `{key}` is not allowed here"),
                        unexpected_key: Some(key.clone()),
                    });
                }
            }
            _ => out.push(Violation {
                pointer,
                message: e.to_string(),
                unexpected_key: None,
            }),
        }
    }
    out.sort_by(|a, b| a.pointer.cmp(&b.pointer).then(a.message.cmp(&b.message)));
    out.dedup();
    Ok(out)
}
