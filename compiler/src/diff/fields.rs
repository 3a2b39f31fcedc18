//! Field-level diffs of JSON and YAML documents.
//!
//! Takes two documents' bytes; produces the changed leaves with paths like
//! `spec.template.spec.containers[0].image`. YAML files with several
//! documents (Kubernetes manifests) are matched by `kind/name`, so a path
//! starts with the document it is in: `Deployment/chat spec.replicas`.
//! Never reads files; a document that does not parse gives `None` and the
//! caller falls back to a text diff.

use serde::Serialize;
use serde_json::Value;

/// How a field changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldChangeKind {
    /// Only in the new document.
    Added,
    /// Only in the old document.
    Removed,
    /// In both, with different values.
    Changed,
}

/// One changed field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// Where, e.g. `metadata.labels["app.kubernetes.io/name"]`.
    pub path: String,
    /// Added, removed or changed.
    pub change: FieldChangeKind,
    /// The old value (absent when added).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Value>,
    /// The new value (absent when removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Value>,
}

fn key_path(base: &str, key: &str) -> String {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (plain, base.is_empty()) {
        (true, true) => key.to_string(),
        (true, false) => format!("{base}.{key}"),
        (false, _) => format!("{base}[{}]", Value::String(key.to_string())),
    }
}

/// The changed leaves between two values, in a stable order (object keys
/// sorted, array elements by index).
pub fn values(old: &Value, new: &Value, base: &str, out: &mut Vec<FieldChange>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let path = key_path(base, k);
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => values(x, y, &path, out),
                    (Some(x), None) => out.push(removed(path, x)),
                    (None, Some(y)) => out.push(added(path, y)),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                let path = format!("{base}[{i}]");
                match (a.get(i), b.get(i)) {
                    (Some(x), Some(y)) => values(x, y, &path, out),
                    (Some(x), None) => out.push(removed(path, x)),
                    (None, Some(y)) => out.push(added(path, y)),
                    (None, None) => {}
                }
            }
        }
        (x, y) if x != y => out.push(FieldChange {
            path: base.to_string(),
            change: FieldChangeKind::Changed,
            from: Some(x.clone()),
            to: Some(y.clone()),
        }),
        _ => {}
    }
}

fn added(path: String, v: &Value) -> FieldChange {
    FieldChange {
        path,
        change: FieldChangeKind::Added,
        from: None,
        to: Some(v.clone()),
    }
}

fn removed(path: String, v: &Value) -> FieldChange {
    FieldChange {
        path,
        change: FieldChangeKind::Removed,
        from: Some(v.clone()),
        to: None,
    }
}

/// Field changes between two JSON documents; `None` if either does not parse.
pub fn json(old: &[u8], new: &[u8]) -> Option<Vec<FieldChange>> {
    let a: Value = serde_json::from_slice(old).ok()?;
    let b: Value = serde_json::from_slice(new).ok()?;
    let mut out = Vec::new();
    values(&a, &b, "", &mut out);
    Some(out)
}

/// `Kind/name` of a Kubernetes-style document, if it has both.
fn doc_key(v: &Value) -> Option<String> {
    let kind = v.get("kind")?.as_str()?;
    let name = v.pointer("/metadata/name")?.as_str()?;
    Some(format!("{kind}/{name}"))
}

/// Field changes between two YAML files (one or more documents each);
/// `None` if either does not parse.
pub fn yaml(old: &[u8], new: &[u8]) -> Option<Vec<FieldChange>> {
    let parse = |b: &[u8]| -> Option<Vec<Value>> {
        let text = std::str::from_utf8(b).ok()?;
        let docs: Vec<Value> = serde_saphyr::from_multiple(text).ok()?;
        Some(docs.into_iter().filter(|d| !d.is_null()).collect())
    };
    let a = parse(old)?;
    let b = parse(new)?;
    let single = a.len() <= 1 && b.len() <= 1;
    // Documents are matched by `kind/name`, else by position.
    let key = |i: usize, d: &Value| doc_key(d).unwrap_or_else(|| format!("document[{i}]"));
    let ka: Vec<(String, &Value)> = a.iter().enumerate().map(|(i, d)| (key(i, d), d)).collect();
    let kb: Vec<(String, &Value)> = b.iter().enumerate().map(|(i, d)| (key(i, d), d)).collect();
    let mut names: Vec<&String> = ka.iter().chain(kb.iter()).map(|(k, _)| k).collect();
    names.dedup();
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for name in names {
        if !seen.insert(name.clone()) {
            continue;
        }
        let x = ka.iter().find(|(k, _)| k == name).map(|(_, d)| *d);
        let y = kb.iter().find(|(k, _)| k == name).map(|(_, d)| *d);
        match (x, y) {
            (Some(x), Some(y)) if single && doc_key(x) == doc_key(y) => values(x, y, "", &mut out),
            (Some(x), Some(y)) => {
                let mut inner = Vec::new();
                values(x, y, "", &mut inner);
                out.extend(inner.into_iter().map(|mut c| {
                    c.path = format!("{name} {}", c.path);
                    c
                }));
            }
            (Some(x), None) => out.push(removed(name.clone(), x)),
            (None, Some(y)) => out.push(added(name.clone(), y)),
            (None, None) => {}
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths_and_kinds() {
        let d = json(
            br#"{"spec":{"containers":[{"image":"a","env":[1]}],"x":1},"labels":{"a.b/c":"1"}}"#,
            br#"{"spec":{"containers":[{"image":"b","env":[1,2]}]},"labels":{"a.b/c":"2"}}"#,
        )
        .unwrap();
        let paths: Vec<(&str, FieldChangeKind)> =
            d.iter().map(|c| (c.path.as_str(), c.change)).collect();
        assert_eq!(
            paths,
            vec![
                ("labels[\"a.b/c\"]", FieldChangeKind::Changed),
                ("spec.containers[0].env[1]", FieldChangeKind::Added),
                ("spec.containers[0].image", FieldChangeKind::Changed),
                ("spec.x", FieldChangeKind::Removed),
            ]
        );
    }

    #[test]
    fn yaml_documents_match_by_kind_and_name() {
        let old = b"# c\nkind: Service\nmetadata:\n  name: s\nspec: {port: 1}\n---\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 1\n";
        let new = b"kind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 2\n---\nkind: ConfigMap\nmetadata:\n  name: c\n";
        let d = yaml(old, new).unwrap();
        let paths: Vec<(&str, FieldChangeKind)> =
            d.iter().map(|c| (c.path.as_str(), c.change)).collect();
        assert_eq!(
            paths,
            vec![
                ("Service/s", FieldChangeKind::Removed),
                ("Deployment/d spec.replicas", FieldChangeKind::Changed),
                ("ConfigMap/c", FieldChangeKind::Added),
            ]
        );
        // One document each: plain paths.
        let d = yaml(b"a: 1\n", b"a: 2\n").unwrap();
        assert_eq!(d[0].path, "a");
        assert!(yaml(b"a: [", b"a: 1").is_none());
    }
}
