//! Reference checks: every id a spec uses must be defined.
//!
//! Takes the IR and the symbol table; reports `E0203` naming the use (and,
//! when the id exists in the stdlib but is not imported, the import to add).
//! Never follows references further than existence.

use crate::ir::{self, Spanned};
use crate::lang::types::RefKind;
use crate::resolve::{Symbols, stdlib};
use amc_syntax::diagnostics::{Code, Diagnostic, Diagnostics, closest, did_you_mean, quote};
use amc_syntax::source::Span;

/// Reports a dangling reference unless `r` is defined.
pub fn expect<T: AsRef<str> + std::fmt::Display>(
    symbols: &Symbols,
    kind: RefKind,
    r: &Spanned<T>,
    used_by: &str,
    diags: &mut Diagnostics,
) -> bool {
    if symbols.get(kind, r.value.as_ref()).is_some() {
        return true;
    }
    let mut help = did_you_mean(r.value.as_ref(), symbols.ids(kind));
    let mut fix = closest(r.value.as_ref(), symbols.ids(kind))
        .map(|c| (r.span, quote(c), format!("replace with `{c}`")));
    if let Some(module) = stdlib::defining_module(kind.node_name(), r.value.as_ref()) {
        let start = Span::new(r.span.file, 0, 0);
        fix = Some((
            start,
            format!("import {}\n", quote(&module)),
            format!("add `import \"{module}\"`"),
        ));
        help = Some(format!(
            "the stdlib defines {} `{}` in `{module}`: add `import \"{module}\"` to the spec",
            kind.node_name(),
            r.value
        ));
    }
    let help = help.unwrap_or_else(|| {
        let ids = symbols.ids(kind);
        if ids.is_empty() {
            format!(
                "define it with `{} \"{}\" {{ ... }}`",
                kind.node_name(),
                r.value
            )
        } else {
            format!("defined {}s: {}", kind.node_name(), ids.join(", "))
        }
    });
    let mut d = Diagnostic::new(
        Code::E0203,
        format!(
            "{used_by} refers to {} `{}`, which is not defined",
            kind.node_name(),
            r.value
        ),
    )
    .label(r.span, format!("no {} with this id", kind.node_name()))
    .help(help);
    if let Some((span, text, label)) = fix {
        d = d.fix(span, text, label);
    }
    diags.push(d);
    false
}

/// Checks every reference in the spec.
pub fn check(spec: &ir::Spec, symbols: &Symbols, diags: &mut Diagnostics) {
    for m in &spec.machines {
        for r in &m.resident {
            expect(
                symbols,
                RefKind::Model,
                &r.model,
                &format!("machine `{}`", m.id.value),
                diags,
            );
        }
    }
    for c in &spec.clusters {
        for n in &c.nodes {
            expect(
                symbols,
                RefKind::Machine,
                n,
                &format!("cluster `{}`", c.id.value),
                diags,
            );
        }
    }
    for p in &spec.pods {
        let who = format!("pod `{}`", p.id.value);
        expect(symbols, RefKind::Provider, &p.provider, &who, diags);
        if let Some(m) = &p.model {
            expect(symbols, RefKind::Model, m, &who, diags);
        }
        for v in &p.volumes {
            expect(symbols, RefKind::CacheTier, &v.tier, &who, diags);
        }
        if let Some(c) = &p.cluster {
            expect(symbols, RefKind::Cluster, c, &who, diags);
        }
        for m in p.placement.pin.iter().chain(&p.placement.avoid) {
            expect(symbols, RefKind::Machine, m, &who, diags);
        }
    }
}
