//! Typed reads from shape-checked nodes.
//!
//! Takes [`Node`]s that `shape` already checked; returns parsed values or
//! `None` for anything absent or ill-typed (shape already reported those, so
//! nothing is reported twice). Never reports diagnostics.

use std::collections::BTreeMap;

use crate::ir::Spanned;
use crate::lang::units;
use amc_syntax::syntax::{Node, Value, ValueKind};

/// The first child with this name.
pub fn child<'a>(n: &'a Node, name: &str) -> Option<&'a Node> {
    n.children.iter().find(|c| c.name == name)
}

/// Every child with this name.
pub fn children<'a>(n: &'a Node, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
    n.children.iter().filter(move |c| c.name == name)
}

/// A string value.
pub fn string(v: &Value) -> Option<Spanned<String>> {
    v.as_str().map(|s| Spanned::new(s.to_string(), v.span))
}

/// An integer value.
pub fn int(v: &Value) -> Option<i128> {
    match v.kind {
        ValueKind::Int(i) => Some(i),
        _ => None,
    }
}

/// A boolean value.
pub fn boolean(v: &Value) -> Option<bool> {
    match v.kind {
        ValueKind::Bool(b) => Some(b),
        _ => None,
    }
}

/// A size value in bytes.
pub fn size(v: &Value) -> Option<u64> {
    match &v.kind {
        ValueKind::Str(s) => units::parse_size(s).ok(),
        _ => None,
    }
}

/// A duration in seconds.
pub fn duration(v: &Value) -> Option<u64> {
    v.as_str().and_then(|s| units::parse_duration(s).ok())
}

/// A CPU quantity in millicores.
pub fn cpu(v: &Value) -> Option<u64> {
    match &v.kind {
        ValueKind::Int(i) => u64::try_from(*i).ok().and_then(|c| c.checked_mul(1000)),
        ValueKind::Float(f) if *f >= 0.0 && *f <= 1_000_000.0 => {
            let milli = (*f * 1000.0).round();
            if (0.0..=1e9).contains(&milli) {
                // Checked range above, so the cast cannot truncate.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                Some(milli as u64)
            } else {
                None
            }
        }
        ValueKind::Str(s) => units::parse_cpu(s).ok(),
        _ => None,
    }
}

/// Argument `i` as a string.
pub fn arg_str(n: &Node, i: usize) -> Option<Spanned<String>> {
    n.args.get(i).and_then(string)
}

/// Every argument that is a string.
pub fn arg_strs(n: &Node) -> Vec<String> {
    n.args
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// Every argument that is a string, with spans.
pub fn arg_strs_spanned(n: &Node) -> Vec<Spanned<String>> {
    n.args.iter().filter_map(string).collect()
}

/// The first argument of the first child `name`, as a string.
pub fn child_str(n: &Node, name: &str) -> Option<Spanned<String>> {
    child(n, name).and_then(|c| arg_str(c, 0))
}

/// The first argument of the first child `name`, as plain string.
pub fn child_string(n: &Node, name: &str) -> Option<String> {
    child_str(n, name).map(|s| s.value)
}

/// All string arguments of the first child `name`.
pub fn child_strs(n: &Node, name: &str) -> Vec<String> {
    child(n, name).map(arg_strs).unwrap_or_default()
}

/// A property as a string.
pub fn prop_str(n: &Node, key: &str) -> Option<Spanned<String>> {
    n.prop(key).and_then(|p| string(&p.value))
}

/// A checked spelling as a vocabulary value, same span ([`Vocabulary::read`]).
fn read<E: crate::lang::vocab::Vocabulary>(s: Spanned<String>) -> Option<Spanned<E>> {
    Some(Spanned::new(E::read(&s.value)?, s.span))
}

/// A checked spelling as a vocabulary value, same span ([`Vocabulary::read_or`]).
fn read_or<E: crate::lang::vocab::Vocabulary>(s: Spanned<String>, fallback: E) -> Spanned<E> {
    Spanned::new(E::read_or(&s.value, fallback), s.span)
}

/// The first argument of the first child `name`, as a vocabulary value (a
/// misspelling, reported by the shape check, reads as its did-you-mean;
/// `None` when nothing is close).
pub fn child_enum<E: crate::lang::vocab::Vocabulary>(n: &Node, name: &str) -> Option<Spanned<E>> {
    read(child_str(n, name)?)
}

/// Argument `i` as a vocabulary value; a misspelling reads as `fallback`
/// (as [`prop_enum_or`]).
pub fn arg_enum_or<E: crate::lang::vocab::Vocabulary>(
    n: &Node,
    i: usize,
    fallback: E,
) -> Option<Spanned<E>> {
    Some(read_or(arg_str(n, i)?, fallback))
}

/// Every argument of `n` that is a vocabulary value, in order (a
/// misspelling, reported by the shape check, reads as its did-you-mean or
/// is skipped).
pub fn arg_enums<E: crate::lang::vocab::Vocabulary>(n: &Node) -> Vec<E> {
    n.args
        .iter()
        .filter_map(|v| v.as_str().and_then(E::read))
        .collect()
}

/// Every argument of the first child `name` as vocabulary values.
pub fn child_enums<E: crate::lang::vocab::Vocabulary>(n: &Node, name: &str) -> Vec<E> {
    child(n, name).map(arg_enums).unwrap_or_default()
}

/// A property as a vocabulary value (`None` as for [`child_enum`]).
pub fn prop_enum<E: crate::lang::vocab::Vocabulary>(n: &Node, key: &str) -> Option<Spanned<E>> {
    read(prop_str(n, key)?)
}

/// The first argument of child `name` as a vocabulary value, read as
/// [`prop_enum_or`] reads a property.
pub fn child_enum_or<E: crate::lang::vocab::Vocabulary>(
    n: &Node,
    name: &str,
    fallback: E,
) -> Option<Spanned<E>> {
    Some(read_or(child_str(n, name)?, fallback))
}

/// A property as a vocabulary value; `None` only when it is missing. A
/// misspelling (already an `E0106` from the shape check) reads as the value
/// its did-you-mean suggests, else `fallback` ([`Vocabulary::read_or`]), so
/// the node it belongs to is kept and later checks do not report its
/// absence or consequences as well: the build fails on the `E0106` anyway.
pub fn prop_enum_or<E: crate::lang::vocab::Vocabulary>(
    n: &Node,
    key: &str,
    fallback: E,
) -> Option<Spanned<E>> {
    Some(read_or(prop_str(n, key)?, fallback))
}

/// A property as a boolean.
pub fn prop_bool(n: &Node, key: &str) -> Option<bool> {
    n.prop(key).and_then(|p| boolean(&p.value))
}

/// A property as a boolean with the span of its value.
pub fn prop_bool_spanned(n: &Node, key: &str) -> Option<Spanned<bool>> {
    n.prop(key)
        .and_then(|p| boolean(&p.value).map(|b| Spanned::new(b, p.span)))
}

/// A property as a size.
pub fn prop_size(n: &Node, key: &str) -> Option<u64> {
    n.prop(key).and_then(|p| size(&p.value))
}

/// A property as an integer.
pub fn prop_int(n: &Node, key: &str) -> Option<i128> {
    n.prop(key).and_then(|p| int(&p.value))
}

/// A property as a CPU quantity.
pub fn prop_cpu(n: &Node, key: &str) -> Option<u64> {
    n.prop(key).and_then(|p| cpu(&p.value))
}

/// A property as a duration.
pub fn prop_duration(n: &Node, key: &str) -> Option<u64> {
    n.prop(key).and_then(|p| duration(&p.value))
}

/// The `labels` child as a map.
pub fn labels(n: &Node) -> BTreeMap<String, String> {
    child(n, "labels")
        .map(|l| {
            l.props
                .iter()
                .filter_map(|p| p.value.as_str().map(|v| (p.name.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default()
}
