//! The node catalogue as editors see it: which spec a node path names, which
//! type a value has, and the Markdown shown on hover and in completion.
//!
//! Takes outline nodes and the catalogue in `lang/spec/` (the single source of
//! truth for the language) plus `lang/vocab_docs.rs`; produces lookups and
//! text. Never reads files.

use amc_lang::lang::spec::{ArgSpec, NodeSpec, PropSpec, ROOT};
use amc_lang::lang::types::Ty;
use amc_lang::lang::vocab::PROFILES;
use amc_lang::lang::vocab_docs::vocabulary_of;

use super::outline::ONode;

/// The spec of the node at the end of a path of node names from the top
/// level (`["pod", "port"]`), if every step is known.
///
/// The nodes a top-level `for-each` stamps are top-level nodes: the path
/// `for-each pod resources` is the path `pod resources`.
pub fn spec_at(names: &[&str]) -> Option<&'static NodeSpec> {
    let names = match names {
        ["for-each", rest @ ..] => rest,
        _ => names,
    };
    let mut spec: &'static NodeSpec = &ROOT;
    for n in names {
        spec = spec.child(n)?;
    }
    Some(spec)
}

/// The spec of argument `i` (the last one when it is variadic).
pub fn arg_spec(spec: &'static NodeSpec, i: usize) -> Option<&'static ArgSpec> {
    spec.args
        .get(i)
        .or_else(|| spec.args.last().filter(|a| a.variadic))
}

/// The type of a property of a node (open properties, like labels, included).
pub fn prop_ty(spec: &'static NodeSpec, key: &str) -> Option<Ty> {
    spec.prop(key).map(|p| p.ty).or(spec.open_props)
}

/// The node kind a value of this type refers to (`provider`, `machine`,
/// `profile`, ...), if it is a reference.
pub fn ref_kind(ty: Ty) -> Option<&'static str> {
    match ty {
        Ty::Ref(k) => Some(k.node_name()),
        Ty::Enum(values) if values == PROFILES => Some("profile"),
        _ => None,
    }
}

/// How a node is written: `port NAME [PORT] exposure=… host-port=…`.
pub fn signature(spec: &NodeSpec) -> String {
    let mut s = spec.name.to_string();
    for a in spec.args {
        let name = a.name.to_uppercase();
        let name = if a.variadic {
            format!("{name}…")
        } else {
            name
        };
        if a.required {
            s.push_str(&format!(" {name}"));
        } else {
            s.push_str(&format!(" [{name}]"));
        }
    }
    for p in spec.props {
        s.push_str(&format!(" {}=…", p.name));
    }
    if spec.open_props.is_some() {
        s.push_str(" KEY=…");
    }
    if !spec.children.is_empty() {
        s.push_str(" { … }");
    }
    s
}

fn ty_text(ty: Ty) -> String {
    match ty {
        Ty::Enum(_) | Ty::Target if let Some(values) = ty.enum_values() => {
            match vocabulary_of(values) {
                Some(v) => format!("one of the {} (`{}`, …)", v.title.to_lowercase(), values[0]),
                None => ty.describe(),
            }
        }
        _ => ty.describe(),
    }
}

/// Hover text for a node.
pub fn node_markdown(spec: &NodeSpec) -> String {
    let mut s = format!("```kdl\n{}\n```\n{}", signature(spec), spec.doc);
    let mut facts = Vec::new();
    if spec.required {
        facts.push("required");
    }
    if spec.repeatable {
        facts.push("repeatable");
    }
    if !facts.is_empty() {
        s.push_str(&format!(" ({})", facts.join(", ")));
    }
    if !spec.args.is_empty() {
        s.push_str("\n\n**Arguments**\n");
        for a in spec.args {
            s.push_str(&format!("\n- `{}`: {} — {}", a.name, ty_text(a.ty), a.doc));
            if !a.required {
                s.push_str(" (optional)");
            }
        }
    }
    if !spec.props.is_empty() {
        s.push_str("\n\n**Properties**\n");
        for p in spec.props {
            s.push_str(&format!("\n- {}", prop_line(p)));
        }
    }
    if !spec.children.is_empty() {
        let names: Vec<String> = spec
            .children
            .iter()
            .map(|c| format!("`{}`", c.name))
            .collect();
        s.push_str(&format!("\n\n**Children**: {}", names.join(", ")));
    }
    s
}

fn prop_line(p: &PropSpec) -> String {
    format!(
        "`{}`: {} — {}{}",
        p.name,
        ty_text(p.ty),
        p.doc,
        if p.required { " (required)" } else { "" }
    )
}

/// Hover text for a property.
pub fn prop_markdown(node: &NodeSpec, p: &PropSpec) -> String {
    let mut s = format!(
        "`{}` property of `{}`\n\n{}",
        p.name,
        node.name,
        prop_line(p)
    );
    if let Some(values) = p.ty.enum_values() {
        s.push_str(&values_list(values));
    }
    s
}

/// Hover text for an argument's slot (when the value itself says nothing more).
pub fn arg_markdown(node: &NodeSpec, a: &ArgSpec) -> String {
    format!(
        "`{}` argument of `{}`: {} — {}",
        a.name,
        node.name,
        ty_text(a.ty),
        a.doc
    )
}

fn values_list(values: &[&str]) -> String {
    let mut s = String::from("\n\nValues:\n");
    let vocab = vocabulary_of(values);
    for v in values {
        match vocab.and_then(|voc| voc.doc(v)) {
            Some(d) => s.push_str(&format!("\n- `{v}` — {d}")),
            None => s.push_str(&format!("\n- `{v}`")),
        }
    }
    s
}

/// Hover text for an enum value; `None` when it is not one of the values.
pub fn enum_value_markdown(values: &[&str], value: &str) -> Option<String> {
    if !values.contains(&value) {
        return None;
    }
    let vocab = vocabulary_of(values)?;
    let doc = vocab.doc(value)?;
    Some(format!(
        "`\"{value}\"` — {doc}\n\n*{}* (docs/language.md §7)",
        vocab.title
    ))
}

/// The node's children already written, for leaving out non-repeatable ones.
pub fn written_children(parent: Option<&ONode>, top: &[ONode]) -> Vec<String> {
    let nodes = match parent {
        Some(p) => &p.children,
        None => top,
    };
    nodes.iter().map(|n| n.name.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_specs() {
        assert_eq!(spec_at(&["pod", "port"]).unwrap().name, "port");
        assert!(spec_at(&["pod", "nope"]).is_none());
        let port = spec_at(&["pod", "port"]).unwrap();
        assert_eq!(
            signature(port),
            "port NAME [PORT] exposure=… host-port=… host=…"
        );
        assert!(matches!(prop_ty(port, "exposure"), Some(Ty::Enum(_))));
        let pin = spec_at(&["pod", "placement", "pin"]).unwrap();
        assert_eq!(arg_spec(pin, 5).unwrap().name, "machine");
        assert_eq!(ref_kind(arg_spec(pin, 0).unwrap().ty), Some("machine"));
        let profile = spec_at(&["machine", "profile"]).unwrap();
        assert_eq!(ref_kind(profile.args[0].ty), Some("profile"));
    }

    #[test]
    fn enum_values_have_hover_text() {
        let md = enum_value_markdown(amc_lang::lang::vocab::EXPOSURES, "loopback").unwrap();
        assert!(md.contains("127.0.0.1"), "{md}");
        assert!(enum_value_markdown(amc_lang::lang::vocab::EXPOSURES, "nope").is_none());
    }
}
