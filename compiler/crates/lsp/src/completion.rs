//! Completion: node names valid under the parent, property names, enum
//! values, booleans and the ids a reference can name.
//!
//! Takes a buffer's text, a byte offset and (lazily) the definitions
//! [`Index`]; produces LSP completion items with explicit edits, so that a
//! half-typed `"ku` becomes `"kubernetes"` without a doubled quote. The
//! catalogue decides what is valid where; nothing here is hard-coded per node.

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, MarkupContent,
    MarkupKind, TextEdit,
};

use amc_lang::lang::spec::{NodeSpec, ROOT};
use amc_lang::lang::types::Ty;
use amc_lang::lang::vocab_docs::vocabulary_of;
use amc_lang::resolve::stdlib;

use super::catalogue::{
    arg_spec, node_markdown, prop_markdown, prop_ty, ref_kind, signature, spec_at, written_children,
};
use super::convert::LineIndex;
use super::index::Index;
use super::outline::{ONode, OValue, Spot, locate, outline};

/// What the chosen item replaces: a byte range of the buffer.
type Edit = (usize, usize);

struct Out<'a> {
    lines: &'a LineIndex<'a>,
    items: Vec<CompletionItem>,
}

impl Out<'_> {
    fn push(&mut self, label: &str, kind: CompletionItemKind, insert: String, edit: Edit) {
        let item = CompletionItem {
            label: label.to_string(),
            kind: Some(kind),
            sort_text: Some(format!("{:03}", self.items.len())),
            filter_text: Some(insert.clone()),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                range: self.lines.range(edit.0, edit.1),
                new_text: insert,
            })),
            ..CompletionItem::default()
        };
        self.items.push(item);
    }
    fn describe(&mut self, detail: Option<String>, markdown: Option<String>) {
        if let Some(last) = self.items.last_mut() {
            last.detail = detail;
            last.documentation = markdown.map(|value| {
                Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value,
                })
            });
        }
    }
}

/// Completion items at `offset`.
pub fn complete(
    text: &str,
    offset: usize,
    lines: &LineIndex<'_>,
    index: &dyn Fn() -> Index,
) -> Vec<CompletionItem> {
    let nodes = outline(text);
    let cursor = locate(&nodes, offset);
    let mut out = Out {
        lines,
        items: Vec::new(),
    };
    let names = cursor.names();
    let here = (offset, offset);
    if names == ["import"] {
        match cursor.spot {
            Spot::Arg(0) => {
                let v = cursor.node().and_then(|n| n.args.first());
                let (edit, quoted) = value_edit(text, v, offset);
                modules(&mut out, quoted, edit);
            }
            Spot::Head => modules(&mut out, false, here),
            _ => {}
        }
        return out.items;
    }
    match cursor.spot {
        Spot::Body => {
            if let Some(spec) = spec_at(&names) {
                let written = written_children(cursor.node(), &nodes);
                nodes_of(&mut out, spec, &written, None, here);
            }
        }
        Spot::Name => {
            let parent_names = names.get(..names.len().saturating_sub(1)).unwrap_or(&[]);
            if let (Some(spec), Some(node)) = (spec_at(parent_names), cursor.node()) {
                let parent = cursor
                    .path
                    .len()
                    .checked_sub(2)
                    .and_then(|i| cursor.path.get(i));
                let written = written_children(parent.copied(), &nodes);
                nodes_of(&mut out, spec, &written, Some(node), node.name_span);
            }
        }
        Spot::PropKey(i) => {
            if let (Some(spec), Some(node)) = (spec_at(&names), cursor.node())
                && let Some(p) = node.props.get(i)
            {
                props_of(&mut out, spec, node, false, p.key_span);
            }
        }
        Spot::PropValue(i) => {
            if let (Some(spec), Some(node)) = (spec_at(&names), cursor.node())
                && let Some(p) = node.props.get(i)
                && let Some(ty) = prop_ty(spec, &p.key)
            {
                let (edit, quoted) = value_edit(text, p.value.as_ref(), offset);
                values_of(&mut out, ty, quoted, edit, index);
            }
        }
        Spot::Arg(i) => {
            if let (Some(spec), Some(node)) = (spec_at(&names), cursor.node())
                && let Some(v) = node.args.get(i)
            {
                let (edit, quoted) = value_edit(text, Some(v), offset);
                if let Some(a) = arg_spec(spec, i) {
                    values_of(&mut out, a.ty, quoted, edit, index);
                }
                if !v.quoted {
                    props_of(&mut out, spec, node, true, edit);
                }
            }
        }
        Spot::Head => {
            if let (Some(spec), Some(node)) = (spec_at(&names), cursor.node()) {
                let before = node.args.iter().filter(|a| a.span.1 <= offset).count();
                let after_props = node.props.iter().any(|p| p.key_span.1 <= offset);
                if !after_props && let Some(a) = arg_spec(spec, before) {
                    values_of(&mut out, a.ty, false, here, index);
                }
                props_of(&mut out, spec, node, true, here);
            }
        }
    }
    out.items
}

/// The range a value replaces, and whether the typed text starts with a quote.
/// An unterminated string is replaced only up to the cursor.
fn value_edit(text: &str, v: Option<&OValue>, offset: usize) -> (Edit, bool) {
    match v {
        None => ((offset, offset), false),
        Some(v) => {
            let written = text.get(v.span.0..v.span.1).unwrap_or("");
            let opened = written.starts_with('"');
            let closed = opened && written.len() > 1 && written.ends_with('"');
            let end = if opened && !closed { offset } else { v.span.1 };
            ((v.span.0, end.max(offset)), opened)
        }
    }
}

fn modules(out: &mut Out<'_>, quoted: bool, edit: Edit) {
    for m in stdlib::module_names() {
        out.push(&m, CompletionItemKind::MODULE, format!("\"{m}\""), edit);
        if !quoted && let Some(last) = out.items.last_mut() {
            last.filter_text = Some(m.clone());
        }
    }
}

fn nodes_of(
    out: &mut Out<'_>,
    parent: &'static NodeSpec,
    written: &[String],
    typing: Option<&ONode>,
    edit: Edit,
) {
    // The node being typed counts once less.
    let mut seen = written.to_vec();
    if let Some(t) = typing
        && let Some(i) = seen.iter().position(|n| *n == t.name)
    {
        seen.remove(i);
    }
    let top = std::ptr::eq(parent, &ROOT);
    for c in parent.children {
        if !c.repeatable && seen.iter().any(|n| n == c.name) {
            continue;
        }
        // `profile` is defined by the stdlib only (a spec's is E0101).
        if top && c.name == "profile" {
            continue;
        }
        let kind = if c.children.is_empty() {
            CompletionItemKind::FIELD
        } else {
            CompletionItemKind::MODULE
        };
        out.push(c.name, kind, c.name.to_string(), edit);
        out.describe(Some(signature(c)), Some(node_markdown(c)));
    }
}

fn props_of(out: &mut Out<'_>, spec: &'static NodeSpec, node: &ONode, with_eq: bool, edit: Edit) {
    for p in spec.props {
        if node
            .props
            .iter()
            .any(|w| w.key == p.name && !(w.key_span.0 <= edit.0 && edit.0 <= w.key_span.1))
        {
            continue;
        }
        let insert = if with_eq {
            format!("{}=", p.name)
        } else {
            p.name.to_string()
        };
        out.push(p.name, CompletionItemKind::PROPERTY, insert, edit);
        out.describe(Some(p.ty.describe()), Some(prop_markdown(spec, p)));
    }
}

fn values_of(out: &mut Out<'_>, ty: Ty, quoted: bool, edit: Edit, index: &dyn Fn() -> Index) {
    match ty {
        Ty::Enum(_) | Ty::Target => {
            let values = ty.enum_values().unwrap_or_default();
            let vocab = vocabulary_of(values);
            for v in values {
                out.push(v, CompletionItemKind::ENUM_MEMBER, format!("\"{v}\""), edit);
                if !quoted && let Some(last) = out.items.last_mut() {
                    last.filter_text = Some(v.to_string());
                }
                let doc = vocab.and_then(|voc| voc.doc(v)).map(str::to_string);
                out.describe(vocab.map(|voc| voc.title.to_string()), doc);
            }
        }
        Ty::Bool => {
            for b in ["#true", "#false"] {
                out.push(b, CompletionItemKind::VALUE, b.to_string(), edit);
            }
        }
        _ => {
            let Some(kind) = ref_kind(ty) else { return };
            let idx = index();
            for d in idx.of_kind(kind) {
                out.push(
                    &d.id,
                    CompletionItemKind::REFERENCE,
                    format!("\"{}\"", d.id),
                    edit,
                );
                if !quoted && let Some(last) = out.items.last_mut() {
                    last.filter_text = Some(d.id.clone());
                }
                let place = idx.file(d).map(|(p, _)| match p {
                    super::index::Place::Std(n) => n.clone(),
                    super::index::Place::Path(p) => p
                        .file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                });
                out.describe(
                    Some(format!("{kind} in {}", place.unwrap_or_default())),
                    d.description.clone(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use amc_lang::vfs::MemoryFs;

    fn labels(text_with_cursor: &str) -> Vec<(String, String)> {
        let off = text_with_cursor.find('|').unwrap();
        let text = text_with_cursor.replacen('|', "", 1);
        let lines = LineIndex::new(&text);
        let t2 = text.clone();
        let idx = move || {
            let mut fs = MemoryFs::new();
            fs.insert("s/spec.kdl", t2.clone());
            Index::build(&super::super::store::Target::File("s/spec.kdl".into()), &fs)
        };
        complete(&text, off, &lines, &idx)
            .into_iter()
            .map(|i| {
                let edit = match i.text_edit {
                    Some(CompletionTextEdit::Edit(e)) => e.new_text,
                    _ => String::new(),
                };
                (i.label, edit)
            })
            .collect()
    }

    fn has(items: &[(String, String)], label: &str, insert: &str) -> bool {
        items.iter().any(|(l, i)| l == label && i == insert)
    }

    #[test]
    fn node_names_follow_the_parent() {
        let top = labels("|\n");
        assert!(has(&top, "pod", "pod") && has(&top, "machine", "machine"));
        assert!(!has(&top, "tenant", "tenant"));
        assert!(!has(&top, "profile", "profile"));
        let in_pod = labels("pod \"a\" {\n  tenant \"t\"\n  |\n}\n");
        assert!(has(&in_pod, "provider", "provider") && has(&in_pod, "port", "port"));
        // `tenant` is written and not repeatable; `port` is repeatable.
        assert!(!in_pod.iter().any(|(l, _)| l == "tenant"));
        assert!(!in_pod.iter().any(|(l, _)| l == "machine"));
        let typing = labels("pod \"a\" {\n  ten|\n}\n");
        assert!(has(&typing, "tenant", "tenant"));
        let nested = labels("pod \"a\" {\n  placement {\n    |\n  }\n}\n");
        assert!(has(&nested, "pin", "pin") && has(&nested, "spread", "spread"));
    }

    #[test]
    fn properties_and_values() {
        let head = labels("pod \"a\" {\n  port \"http\" |\n}\n");
        assert!(has(&head, "exposure", "exposure="));
        let value = labels("pod \"a\" {\n  port \"http\" exposure=|\n}\n");
        assert!(has(&value, "loopback", "\"loopback\""));
        let partial = labels("pod \"a\" {\n  target \"ku|\n}\n");
        assert!(has(&partial, "kubernetes", "\"kubernetes\""));
        let boolean = labels("pod \"a\" {\n  accelerator \"cuda\" required=|\n}\n");
        assert!(has(&boolean, "#false", "#false"));
        let bare = labels("pod \"a\" {\n  port \"http\" exp|\n}\n");
        assert!(has(&bare, "exposure", "exposure="));
    }

    #[test]
    fn references_offer_defined_ids() {
        let items = labels("provider \"mine\"\npod \"a\" {\n  provider |\n}\n");
        assert!(has(&items, "mine", "\"mine\""));
        assert!(has(&items, "vllm", "\"vllm\""));
        let modules = labels("import \"std:pro|\"\n");
        assert!(has(
            &modules,
            "std:providers/vllm",
            "\"std:providers/vllm\""
        ));
        let profiles = labels("machine \"m\" {\n  profile \"|\"\n}\n");
        assert!(has(&profiles, "m2-asahi-linux", "\"m2-asahi-linux\""));
    }

    #[test]
    fn a_quoted_value_is_replaced_whole() {
        let text = "pod \"a\" {\n  target \"ku\"\n}\n";
        let off = text.find("ku").unwrap() + 2;
        let lines = LineIndex::new(text);
        let items = complete(text, off, &lines, &Index::default);
        let k = items.iter().find(|i| i.label == "kubernetes").unwrap();
        let Some(CompletionTextEdit::Edit(e)) = &k.text_edit else {
            panic!()
        };
        let start = text.find("\"ku\"").unwrap();
        assert_eq!(e.range, lines.range(start, start + 4));
    }
}
