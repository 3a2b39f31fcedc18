//! Inlay hints: values the compiler computes, shown where they apply.
//!
//! Takes a buffer's text (for sizes and durations as the compiler reads
//! them: `"64GiB"` → `= 68719476736 B`) and the last compilation of its spec
//! (for each pod, the machines its replicas were placed on and the
//! resources amc filled in for omitted properties); produces LSP inlay hints
//! for a requested range only, sorted by position. Cheap: the buffer's
//! outline, and what the diagnostics' compilation already computed. Never
//! compiles on its own.

use std::collections::BTreeMap;

use lsp_types::{InlayHint, InlayHintKind, InlayHintLabel, InlayHintTooltip};

use amc_driver::driver::Compilation;
use amc_lang::lang::types::Ty;
use amc_lang::lang::units;

use super::catalogue::{arg_spec, prop_ty, spec_at};
use super::convert::LineIndex;
use super::diagnostics::UriMap;
use super::outline::{ONode, OValue, outline};

/// One hint: text shown after a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// Byte offset the hint follows.
    pub offset: usize,
    /// The text shown.
    pub label: String,
    /// Longer text on hover.
    pub tooltip: String,
}

/// Hints from a compilation, by URI: where each pod's replicas were placed
/// (only when the spec placed, i.e. has no errors) and the resources amc
/// filled in for properties the pod leaves out.
pub fn compiled_hints(c: &Compilation, uris: &UriMap<'_>) -> BTreeMap<String, Vec<Hint>> {
    let mut out: BTreeMap<String, Vec<Hint>> = BTreeMap::new();
    for w in &c.checked.workloads {
        let pod = &w.pod;
        let name = c.sources.name(pod.head.file);
        if name.starts_with("std:") {
            continue;
        }
        let Some(uri) = uris.uri(name) else { continue };
        let hints = out.entry(uri).or_default();
        let machines = c.placement.machines_of(w.id());
        // A pod a `for-each` stamps: one hint per copy at the template, each
        // naming its copy.
        let stamped = c.sources.snippet(pod.id.span).contains('{');
        if !machines.is_empty() {
            hints.push(Hint {
                offset: pod.head.end as usize,
                label: if stamped {
                    format!("{} → {}", w.id(), machines.join(", "))
                } else {
                    format!("→ {}", machines.join(", "))
                },
                tooltip: format!(
                    "amc placed {} of pod `{}` on {}",
                    if machines.len() == 1 {
                        "the replica".to_string()
                    } else {
                        format!("the {} replicas", machines.len())
                    },
                    w.id(),
                    machines
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        let r = &pod.resources;
        let mut filled = Vec::new();
        if r.cpu.is_none() {
            filled.push(format!("cpu={}", units::format_cpu(w.cpu)));
        }
        if r.memory.is_none() {
            filled.push(format!("memory={}", units::format_size(w.memory)));
        }
        if r.vram.is_none() && w.gpus > 0 {
            filled.push(format!("vram={}", units::format_size(w.vram)));
        }
        if !filled.is_empty() {
            let offset = r.span.map_or(pod.head.end, |s| s.end) as usize;
            hints.push(Hint {
                offset,
                label: filled.join(" "),
                tooltip: "resources amc fills in for properties left out (the provider's and model's defaults)".into(),
            });
        }
    }
    for hints in out.values_mut() {
        hints.sort_by(|a, b| a.offset.cmp(&b.offset).then(a.label.cmp(&b.label)));
    }
    out
}

/// Hints for the sizes and durations of a buffer between two byte offsets:
/// what the compiler reads them as.
pub fn value_hints(text: &str, from: usize, to: usize) -> Vec<Hint> {
    let mut out = Vec::new();
    let nodes = outline(text);
    let mut path = Vec::new();
    walk(&nodes, &mut path, from, to, &mut out);
    out.sort_by(|a, b| a.offset.cmp(&b.offset).then(a.label.cmp(&b.label)));
    out
}

fn walk<'a>(
    nodes: &'a [ONode],
    path: &mut Vec<&'a str>,
    from: usize,
    to: usize,
    out: &mut Vec<Hint>,
) {
    for n in nodes {
        if n.span.1 < from || n.span.0 > to {
            continue;
        }
        path.push(n.name.as_str());
        if let Some(spec) = spec_at(path) {
            for (i, a) in n.args.iter().enumerate() {
                if let Some(ty) = arg_spec(spec, i).map(|a| a.ty) {
                    push_value(ty, a, from, to, out);
                }
            }
            for p in &n.props {
                if let (Some(ty), Some(v)) = (prop_ty(spec, &p.key), &p.value) {
                    push_value(ty, v, from, to, out);
                }
            }
            walk(&n.children, path, from, to, out);
        }
        path.pop();
    }
}

fn push_value(ty: Ty, v: &OValue, from: usize, to: usize, out: &mut Vec<Hint>) {
    if !v.quoted || v.span.1 < from || v.span.0 > to {
        return;
    }
    let label = match ty {
        Ty::Size => match units::parse_size(&v.text) {
            // Written in bytes: the normalised form says more than the bytes.
            Ok(b) if bytes_only(&v.text) => {
                let normal = units::format_size(b);
                if normal == v.text.trim() {
                    return;
                }
                format!("= {normal}")
            }
            Ok(b) => format!("= {} B", grouped(b)),
            Err(_) => return,
        },
        Ty::Duration => match units::parse_duration(&v.text) {
            Ok(s) => format!("= {} s", grouped(s)),
            Err(_) => return,
        },
        _ => return,
    };
    out.push(Hint {
        offset: v.span.1,
        label,
        tooltip: "what amc reads this value as".into(),
    });
}

/// Whether a size is written in bytes (`"1024B"`).
fn bytes_only(s: &str) -> bool {
    let t = s.trim();
    t.strip_suffix('B')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit() || c == b'_'))
}

/// `68719476736` → `68,719,476,736`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// LSP hints for the byte range `from..to` of `text`, from the buffer's
/// values and (when `compiled` is the text the hints were computed on) the
/// compilation's hints.
pub fn to_lsp(text: &str, from: usize, to: usize, compiled: &[Hint]) -> Vec<InlayHint> {
    let lines = LineIndex::new(text);
    let mut hints = value_hints(text, from, to);
    hints.extend(
        compiled
            .iter()
            .filter(|h| from <= h.offset && h.offset <= to)
            .cloned(),
    );
    hints.sort_by(|a, b| a.offset.cmp(&b.offset).then(a.label.cmp(&b.label)));
    hints
        .into_iter()
        .map(|h| InlayHint {
            position: lines.position(h.offset),
            label: InlayHintLabel::String(h.label),
            kind: Some(InlayHintKind::TYPE),
            text_edits: None,
            tooltip: Some(InlayHintTooltip::String(h.tooltip)),
            padding_left: Some(true),
            padding_right: None,
            data: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(text: &str) -> Vec<String> {
        value_hints(text, 0, text.len())
            .into_iter()
            .map(|h| h.label)
            .collect()
    }

    #[test]
    fn sizes_and_durations_read_as_the_compiler_reads_them() {
        let t = "machine \"m\" {\n    capacity {\n        memory \"64GiB\"\n        cpu 4\n    }\n    storage-pool \"p\" backend=\"filesystem\" capacity=\"1024B\"\n}\n";
        assert_eq!(labels(t), ["= 68,719,476,736 B", "= 1KiB"]);
        assert_eq!(
            labels("model \"m\" {\n    size \"500MB\"\n}\n"),
            ["= 500,000,000 B"]
        );
        // Unknown nodes, bad values and bare numbers get nothing.
        assert!(labels("nope \"64GiB\"\nmodel \"m\" { size \"64\" }\n").is_empty());
        // Only the requested range.
        let t = "model \"a\" { size \"1GiB\" }\nmodel \"b\" { size \"2GiB\" }\n";
        let second = t.find("model \"b\"").unwrap();
        let hints = value_hints(t, second, t.len());
        assert_eq!(hints.len(), 1);
        assert_eq!(hints[0].label, "= 2,147,483,648 B");
    }
}
