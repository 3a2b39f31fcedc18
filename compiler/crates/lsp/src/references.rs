//! Where ids occur: definitions and references in one buffer.
//!
//! Takes a buffer's outline; produces every [`Occurrence`] of an id of a
//! referable kind (`machine`, `provider`, `model`, `cache-tier`, `cluster`,
//! `profile`, `pod`): the id argument of a top-level definition, and every
//! value the catalogue types as a reference to one (a pod's `provider`, a
//! cluster's `nodes`, `placement` `pin`/`avoid`, `affinity` pods, ...).
//! Rename and semantic tokens read it. Never reads files.

use super::catalogue::{arg_spec, prop_ty, ref_kind, spec_at};
use super::index::DEFINING;
use super::outline::{ONode, OValue};

/// Node names whose first argument is an id others may name: the
/// [`DEFINING`] kinds and `pod`.
pub fn defining_kind(name: &str) -> Option<&'static str> {
    DEFINING.iter().copied().chain(["pod"]).find(|k| *k == name)
}

/// The nodes a `for-each` stamps: its children but `values` and `row`.
pub fn template_body(n: &ONode) -> impl Iterator<Item = &ONode> {
    n.children
        .iter()
        .filter(|c| c.name != "values" && c.name != "row")
}

/// Every top-level node with an id, with that id, and what each `for-each`
/// stamps with its stamped ids (see [`stamped`]), in source order.
pub fn with_ids(nodes: &[ONode]) -> Vec<(&ONode, String)> {
    let params = params(nodes);
    let mut out = Vec::new();
    for n in nodes {
        if n.name == "for-each" {
            out.extend(stamped(n, &params));
        } else if let Some(id) = n.args.first() {
            out.push((n, id.text.clone()));
        }
    }
    out
}

/// What a `for-each` stamps: each node of its body that has an id, once per
/// row or value, with the id its `{VAR}`s (and the file's parameters,
/// `params`) substituted. Empty for any other node.
pub fn stamped<'a>(n: &'a ONode, params: &[(String, String)]) -> Vec<(&'a ONode, String)> {
    if n.name != "for-each" {
        return Vec::new();
    }
    let var = n.args.first().map(|a| a.text.clone());
    let mut rows: Vec<Vec<(String, String)>> = Vec::new();
    for c in &n.children {
        match (c.name.as_str(), &var) {
            ("values", Some(v)) => {
                rows.extend(c.args.iter().map(|a| vec![(v.clone(), a.text.clone())]));
            }
            ("row", None) => rows.push(
                c.props
                    .iter()
                    .filter_map(|p| Some((p.key.clone(), p.value.as_ref()?.text.clone())))
                    .collect(),
            ),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for row in &rows {
        for c in template_body(n) {
            let Some(id) = c.args.first() else { continue };
            let mut s = id.text.clone();
            for (k, v) in row.iter().chain(params) {
                s = s.replace(&format!("{{{k}}}"), v);
            }
            out.push((c, s));
        }
    }
    out
}

/// The file's `param "NAME" default=VALUE`s, as text.
fn params(nodes: &[ONode]) -> Vec<(String, String)> {
    nodes
        .iter()
        .filter(|n| n.name == "param")
        .filter_map(|n| {
            let name = n.args.first()?.text.clone();
            let v = n
                .props
                .iter()
                .find(|p| p.key == "default")?
                .value
                .as_ref()?;
            Some((name, v.text.clone()))
        })
        .collect()
}

/// One occurrence of an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence<'a> {
    /// The kind of what it names (`provider`, `pod`, ...).
    pub kind: &'static str,
    /// The value as written.
    pub value: &'a OValue,
    /// Whether this is the definition's own id.
    pub definition: bool,
}

/// Every occurrence of an id in an outline, in source order. The nodes a
/// `for-each` stamps count as top-level nodes (their `values` and `row`
/// children are not nodes of the spec).
pub fn occurrences(nodes: &[ONode]) -> Vec<Occurrence<'_>> {
    let mut out = Vec::new();
    top_level(nodes, &mut out);
    out.sort_by_key(|o| o.value.span);
    out
}

fn top_level<'a>(nodes: &'a [ONode], out: &mut Vec<Occurrence<'a>>) {
    for n in nodes {
        if n.name == "for-each" {
            for c in template_body(n) {
                top_level(std::slice::from_ref(c), out);
            }
            continue;
        }
        if let (Some(kind), Some(id)) = (defining_kind(&n.name), n.args.first()) {
            out.push(Occurrence {
                kind,
                value: id,
                definition: true,
            });
        }
        let mut path = vec![n.name.as_str()];
        references(n, &mut path, true, out);
    }
}

/// The kind a value of node `path` (its argument or property of type `ty`)
/// refers to.
fn kind_of(path: &[&str], ty: amc_lang::lang::types::Ty) -> Option<&'static str> {
    if let [.., "placement", "affinity" | "anti-affinity"] = path {
        return Some("pod");
    }
    ref_kind(ty)
}

fn references<'a>(n: &'a ONode, path: &mut Vec<&'a str>, top: bool, out: &mut Vec<Occurrence<'a>>) {
    let Some(spec) = spec_at(path) else { return };
    let skip = usize::from(top && defining_kind(&n.name).is_some());
    for (i, a) in n.args.iter().enumerate().skip(skip) {
        if let Some(kind) = arg_spec(spec, i).and_then(|s| kind_of(path, s.ty)) {
            out.push(Occurrence {
                kind,
                value: a,
                definition: false,
            });
        }
    }
    for p in &n.props {
        if let (Some(ty), Some(v)) = (prop_ty(spec, &p.key), &p.value)
            && let Some(kind) = kind_of(path, ty)
        {
            out.push(Occurrence {
                kind,
                value: v,
                definition: false,
            });
        }
    }
    for c in &n.children {
        path.push(c.name.as_str());
        references(c, path, false, out);
        path.pop();
    }
}

/// The occurrence under a byte offset.
pub fn at(occurrences: &[Occurrence<'_>], offset: usize) -> Option<usize> {
    occurrences
        .iter()
        .position(|o| o.value.span.0 <= offset && offset <= o.value.span.1)
}

#[cfg(test)]
mod tests {
    use super::super::outline::outline;
    use super::*;

    #[test]
    fn finds_definitions_and_references() {
        let t = "provider \"p\" extends=\"vllm\"\nmachine \"m\"\npod \"a\" {\n    provider \"p\"\n    placement {\n        pin \"m\"\n        affinity \"b\"\n    }\n    target \"kubernetes\" cluster=\"c\"\n}\n";
        let nodes = outline(t);
        let got: Vec<(&str, &str, bool)> = occurrences(&nodes)
            .iter()
            .map(|o| (o.kind, o.value.text.as_str(), o.definition))
            .collect();
        assert_eq!(
            got,
            [
                ("provider", "p", true),
                ("provider", "vllm", false),
                ("machine", "m", true),
                ("pod", "a", true),
                ("provider", "p", false),
                ("machine", "m", false),
                ("pod", "b", false),
                ("cluster", "c", false),
            ]
        );
    }
}
