//! Hover: documentation for the node, property or value under the cursor.
//!
//! Takes a buffer's text, a byte offset and (lazily) the definitions
//! [`Index`]; produces Markdown and the byte range it describes. Nodes and
//! properties are documented from the catalogue, enum values from
//! `lang/vocab_docs.rs`, references from their definition's `description`.

use amc_lang::lang::types::Ty;
use amc_lang::resolve::stdlib;

use super::catalogue::{
    arg_markdown, arg_spec, enum_value_markdown, node_markdown, prop_markdown, prop_ty, ref_kind,
    spec_at,
};
use super::index::{Index, Place};
use super::outline::{OValue, Spot, locate, outline};

/// Hover text and the byte range it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverText {
    /// Markdown.
    pub markdown: String,
    /// Byte range in the buffer.
    pub span: (usize, usize),
}

/// Hover for `offset` in `text`.
pub fn hover(text: &str, offset: usize, index: &dyn Fn() -> Index) -> Option<HoverText> {
    let nodes = outline(text);
    let cursor = locate(&nodes, offset);
    let node = cursor.node()?;
    let names = cursor.names();
    if names == ["import"]
        && cursor.spot == Spot::Arg(0)
        && let Some(v) = node.args.first()
    {
        return Some(import_hover(v, index));
    }
    let spec = spec_at(&names)?;
    match cursor.spot {
        Spot::Name => Some(HoverText {
            markdown: node_markdown(spec),
            span: node.name_span,
        }),
        Spot::PropKey(i) => {
            let p = node.props.get(i)?;
            let markdown = match spec.prop(&p.key) {
                Some(ps) => prop_markdown(spec, ps),
                None if spec.open_props.is_some() => {
                    format!("`{}`: a free-form label of `{}` (string)", p.key, spec.name)
                }
                None => return None,
            };
            Some(HoverText {
                markdown,
                span: p.key_span,
            })
        }
        Spot::PropValue(i) => {
            let p = node.props.get(i)?;
            let v = p.value.as_ref()?;
            let ty = prop_ty(spec, &p.key)?;
            let fallback = || match spec.prop(&p.key) {
                Some(ps) => prop_markdown(spec, ps),
                None => format!("label `{}` (string)", p.key),
            };
            Some(value_hover(v, ty, index).unwrap_or_else(|| HoverText {
                markdown: fallback(),
                span: v.span,
            }))
        }
        Spot::Arg(i) => {
            let v = node.args.get(i)?;
            let a = arg_spec(spec, i)?;
            Some(value_hover(v, a.ty, index).unwrap_or_else(|| HoverText {
                markdown: arg_markdown(spec, a),
                span: v.span,
            }))
        }
        Spot::Head | Spot::Body => None,
    }
}

/// Hover for an imported module: what it defines.
fn import_hover(v: &OValue, index: &dyn Fn() -> Index) -> HoverText {
    let module = v.text.as_str();
    let files = stdlib::module_files(module);
    let markdown = if files.is_empty() {
        format!("`{module}` is not a stdlib module.")
    } else {
        let idx = index();
        let prefix = format!("{module}/");
        let defs: Vec<String> = idx
            .defs
            .iter()
            .filter(|d| {
                matches!(idx.file(d), Some((Place::Std(n), _)) if n == module || n.starts_with(&prefix))
            })
            .map(|d| format!("`{} \"{}\"`", d.kind, d.id))
            .collect();
        format!(
            "Stdlib module `{module}` ({} file{}): {}.",
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            defs.join(", ")
        )
    };
    HoverText {
        markdown,
        span: v.span,
    }
}

/// Hover for a value of a known type: enum values and references.
fn value_hover(v: &OValue, ty: Ty, index: &dyn Fn() -> Index) -> Option<HoverText> {
    let mut parts = Vec::new();
    if let Some(values) = ty.enum_values()
        && let Some(md) = enum_value_markdown(values, &v.text)
    {
        parts.push(md);
    }
    if let Some(kind) = ref_kind(ty) {
        let idx = index();
        if let Some(d) = idx.find(kind, &v.text) {
            let mut s = format!("**{kind}** `{}`", d.id);
            if let Some(desc) = &d.description {
                s.push_str(&format!(" — {desc}"));
            }
            if let Some((place, text)) = idx.file(d) {
                let line = text
                    .get(..d.name_span.0)
                    .map(|t| t.matches('\n').count() + 1)
                    .unwrap_or(1);
                let file = match place {
                    Place::Std(name) => name.clone(),
                    Place::Path(p) => p
                        .file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                };
                s.push_str(&format!("\n\nDefined in `{file}` line {line}."));
            }
            parts.push(s);
        } else {
            parts.push(format!("No {kind} `{}` is defined.", v.text));
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(HoverText {
        markdown: parts.join("\n\n---\n\n"),
        span: v.span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use amc_lang::vfs::MemoryFs;

    const SPEC: &str = "provider \"p1\" {\n  description \"My provider.\"\n}\npod \"a\" {\n  provider \"p1\"\n  port \"http\" exposure=\"loopback\"\n  labels team=\"x\"\n}\n";

    fn idx() -> Index {
        let mut fs = MemoryFs::new();
        fs.insert("s/spec.kdl", SPEC);
        Index::build(&super::super::store::Target::File("s/spec.kdl".into()), &fs)
    }

    fn at(needle: &str, delta: usize) -> HoverText {
        let off = SPEC.find(needle).unwrap() + delta;
        hover(SPEC, off, &idx).unwrap()
    }

    #[test]
    fn hovers_nodes_props_values_and_references() {
        let pod = at("pod", 1);
        assert!(pod.markdown.contains("An agent pod"), "{}", pod.markdown);
        assert_eq!(
            pod.span,
            (SPEC.find("pod").unwrap(), SPEC.find("pod").unwrap() + 3)
        );
        let exposure = at("exposure", 2);
        assert!(exposure.markdown.contains("`exposure` property of `port`"));
        let value = at("\"loopback\"", 3);
        assert!(value.markdown.contains("127.0.0.1"), "{}", value.markdown);
        assert!(value.markdown.contains("Exposures"));
        let reference = at("provider \"p1\"\n  port", 11);
        assert!(
            reference
                .markdown
                .contains("**provider** `p1` — My provider."),
            "{}",
            reference.markdown
        );
        assert!(
            reference.markdown.contains("`spec.kdl` line 1"),
            "{}",
            reference.markdown
        );
        let import = hover("import \"std:cache-tiers\"\n", 10, &idx).unwrap();
        assert!(
            import.markdown.contains("`cache-tier \"scratch\"`"),
            "{}",
            import.markdown
        );
        let label = at("team", 1);
        assert!(label.markdown.contains("free-form label"));
        assert!(hover(SPEC, SPEC.len(), &idx).is_none());
    }

    #[test]
    fn every_node_property_and_enum_value_has_hover_text() {
        use amc_lang::lang::vocab_docs::vocabulary_of;
        let none = Index::default;
        let mut checked = 0;
        for (path, spec) in amc_lang::lang::spec::all_nodes() {
            let names: Vec<&str> = path.split(" > ").collect();
            let (outer, _) = names.split_at(names.len() - 1);
            let open: String = outer.iter().map(|n| format!("{n} {{\n")).collect();
            let close = "}\n".repeat(outer.len());
            let probe = |line: &str, needle: &str, want: &str| {
                let text = format!("{open}{line}\n{close}");
                let off = open.len() + line.find(needle).unwrap() + 1;
                let h = hover(&text, off, &none).unwrap_or_else(|| panic!("{path}: {line}"));
                assert!(h.markdown.contains(want), "{path}: {line}: {}", h.markdown);
            };
            probe(spec.name, spec.name, spec.doc);
            checked += 1;
            for p in spec.props {
                probe(&format!("{} {}=#null", spec.name, p.name), p.name, p.doc);
                checked += 1;
                if let Some(values) = p.ty.enum_values() {
                    for v in values {
                        let doc = vocabulary_of(values).unwrap().doc(v).unwrap();
                        let line = format!("{} {}=\"{v}\"", spec.name, p.name);
                        probe(&line, &format!("\"{v}\""), doc);
                        checked += 1;
                    }
                }
            }
            for (i, a) in spec.args.iter().enumerate() {
                if let Some(values) = a.ty.enum_values() {
                    let before = "\"x\" ".repeat(i);
                    for v in values {
                        let doc = vocabulary_of(values).unwrap().doc(v).unwrap();
                        let line = format!("{} {before}\"{v}\"", spec.name);
                        probe(&line, &format!("\"{v}\""), doc);
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 300, "{checked}");
    }
}
