//! Shape checking: a parsed tree against the node catalogue.
//!
//! Takes [`Node`]s and the [`NodeSpec`] they should match; reports unknown
//! nodes and properties (with "did you mean"), wrong value types, arity,
//! repeats and missing required values, and refuses string values that look
//! like credentials (`E0304`, see [`crate::lang::secrets`]). Never interprets
//! values beyond their type: references and meaning are checked later.

use crate::lang::secrets;
use crate::lang::{NodeSpec, check_value};
use amc_syntax::diagnostics::{Code, Diagnostic, Diagnostics, closest, did_you_mean};
use amc_syntax::source::Span;
use amc_syntax::syntax::{Node, Value};

use crate::lang::types::placeholder;

/// `E0304` when `v` (written as `what`) holds a credential, or follows a
/// flag that takes one (`prev`, in a list of arguments).
fn check_secret(v: &Value, prev: Option<&Value>, what: &str, diags: &mut Diagnostics) {
    let Some(s) = v.as_str() else { return };
    let kind = secrets::secret_in(s).or_else(|| {
        prev.and_then(Value::as_str)
            .filter(|p| secrets::secret_flag(p) && !secrets::is_reference(s) && !s.starts_with('-'))
            .map(|_| "the value of a flag that takes a credential")
    });
    if let Some(kind) = kind {
        diags.push(
            Diagnostic::new(Code::E0304, format!("{what} holds what looks like {kind}"))
                .label(v.span, "looks like a secret value")
                .help("secrets never go into specs or outputs (units, manifests and receipts are not secret): store it on the target as a Podman secret or Kubernetes Secret and reference it with `secret \"NAME\" env=\"VAR\"`, then pass `$VAR`"),
        );
    }
}

/// Checks the top-level nodes of one file.
pub fn check_file(nodes: &[Node], root: &'static NodeSpec, diags: &mut Diagnostics) {
    for n in nodes {
        match root.child(&n.name) {
            Some(spec) => check_node(n, spec, diags),
            None => diags.push(unknown_node(n, root, "at the top level")),
        }
    }
}

fn unknown_node(n: &Node, parent: &NodeSpec, place: &str) -> Diagnostic {
    let names: Vec<&str> = parent.children.iter().map(|c| c.name).collect();
    let mut help = did_you_mean(&n.name, names.iter().copied());
    let suggestion = closest(&n.name, names.iter().copied());
    if help.is_none() && parent.prop(&n.name).is_some() {
        help = Some(format!(
            "`{}` is a property of `{}`: write it as {}=... on the `{}` line",
            n.name, parent.name, n.name, parent.name
        ));
    }
    if help.is_none() {
        help = Some(if names.is_empty() {
            format!("`{}` takes no child nodes", parent.name)
        } else {
            format!("expected one of: {}", names.join(", "))
        });
    }
    let msg = if parent.name == "<root>" {
        format!("unknown node `{}` {place}", n.name)
    } else {
        format!("unknown node `{}` in `{}`", n.name, parent.name)
    };
    let d = Diagnostic::new(Code::E0101, msg)
        .label(n.name_span, "unknown node")
        .maybe_help(help);
    match suggestion {
        Some(s) => d.fix(n.name_span, s, format!("replace with `{s}`")),
        None => d,
    }
}

/// How a node with placeholder values is written: its name, a placeholder
/// per required argument and required property.
fn skeleton(spec: &NodeSpec) -> String {
    let mut s = spec.name.to_string();
    for a in spec.args.iter().filter(|a| a.required) {
        s.push(' ');
        s.push_str(&placeholder(a.ty, a.name));
    }
    for p in spec.props.iter().filter(|p| p.required) {
        s.push_str(&format!(" {}={}", p.name, placeholder(p.ty, p.name)));
    }
    s
}

/// The fix adding a child `cs` to `n`: a line before the block's `}`, or a
/// block after the head when `n` has none.
fn add_child(n: &Node, cs: &NodeSpec) -> (Span, String) {
    let line = skeleton(cs);
    if n.has_block {
        let close = (n.span.end as usize).saturating_sub(1);
        (
            Span::new(n.span.file, close, close),
            format!("\n    {line}\n"),
        )
    } else {
        let end = n.head_span().end as usize;
        (
            Span::new(n.span.file, end, end),
            format!(" {{\n    {line}\n}}"),
        )
    }
}

/// Checks one node (and, recursively, its children) against its spec.
pub fn check_node(n: &Node, spec: &'static NodeSpec, diags: &mut Diagnostics) {
    // Positional arguments.
    let mut i = 0;
    for a in spec.args {
        if a.variadic {
            if n.args.len() <= i && a.required {
                diags.push(
                    Diagnostic::new(
                        Code::E0104,
                        format!("`{}` needs at least one {} argument", n.name, a.name),
                    )
                    .label(n.name_span, format!("missing {}", a.name))
                    .help(format!("write e.g. `{} <{}>`: {}", n.name, a.name, a.doc)),
                );
            }
            let mut prev = None;
            for v in n.args.iter().skip(i) {
                let what = format!("`{}` argument", n.name);
                if let Some(d) = check_value(v, a.ty, &what) {
                    diags.push(d);
                }
                check_secret(v, prev, &what, diags);
                prev = Some(v);
            }
            i = n.args.len();
            continue;
        }
        match n.args.get(i) {
            Some(v) => {
                let what = format!("`{}` {}", n.name, a.name);
                if let Some(d) = check_value(v, a.ty, &what) {
                    diags.push(d);
                }
                check_secret(v, None, &what, diags);
            }
            None if a.required => diags.push(
                Diagnostic::new(
                    Code::E0104,
                    format!("`{}` needs a {} argument", n.name, a.name),
                )
                .label(n.name_span, format!("missing {}", a.name))
                .help(format!("{} ({})", a.doc, a.ty.describe())),
            ),
            None => {}
        }
        i += 1;
    }
    for extra in n.args.iter().skip(i.max(spec.args.len())) {
        if spec.args.iter().any(|a| a.variadic) {
            break;
        }
        let help = if spec.args.is_empty() {
            format!("`{}` takes no arguments", n.name)
        } else {
            format!(
                "`{}` takes {} argument(s): {}",
                n.name,
                spec.args.len(),
                spec.args
                    .iter()
                    .map(|a| a.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        diags.push(
            Diagnostic::new(Code::E0105, format!("too many arguments to `{}`", n.name))
                .label(extra.span, "unexpected argument")
                .help(help),
        );
    }

    // Properties.
    for (idx, p) in n.props.iter().enumerate() {
        if let Some(first) = n.props[..idx].iter().find(|q| q.name == p.name) {
            diags.push(
                Diagnostic::new(Code::E0109, format!("property `{}` is given twice", p.name))
                    .label(p.name_span, "repeated here")
                    .label(first.name_span, "first given here")
                    .help("remove one of them"),
            );
            continue;
        }
        match (spec.prop(&p.name), spec.open_props) {
            (Some(ps), _) => {
                let what = format!("property `{}`", p.name);
                if let Some(d) = check_value(&p.value, ps.ty, &what) {
                    diags.push(d);
                }
                check_secret(&p.value, None, &what, diags);
            }
            (None, Some(ty)) => {
                let what = format!("label `{}`", p.name);
                if let Some(d) = check_value(&p.value, ty, &what) {
                    diags.push(d);
                }
                check_secret(&p.value, None, &what, diags);
            }
            (None, None) => {
                let mut help = did_you_mean(&p.name, spec.props.iter().map(|q| q.name));
                let suggestion = closest(&p.name, spec.props.iter().map(|q| q.name));
                if help.is_none() && spec.child(&p.name).is_some() {
                    help = Some(format!(
                        "`{}` is a child node of `{}`: write it inside `{{ }}` on its own line",
                        p.name, spec.name
                    ));
                }
                if help.is_none() {
                    help = Some(if spec.props.is_empty() {
                        format!("`{}` takes no properties", n.name)
                    } else {
                        format!(
                            "known properties: {}",
                            spec.props
                                .iter()
                                .map(|q| q.name)
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    });
                }
                let d = Diagnostic::new(
                    Code::E0102,
                    format!("unknown property `{}` on `{}`", p.name, n.name),
                )
                .label(p.name_span, "unknown property")
                .maybe_help(help);
                diags.push(match suggestion {
                    Some(s) => d.fix(p.name_span, s, format!("replace with `{s}`")),
                    None => d,
                });
            }
        }
    }
    for ps in spec.props.iter().filter(|p| p.required) {
        if n.prop(ps.name).is_none() {
            let end = n.head_span().end as usize;
            diags.push(
                Diagnostic::new(
                    Code::E0104,
                    format!("`{}` needs the property `{}`", n.name, ps.name),
                )
                .label(n.name_span, format!("missing {}=", ps.name))
                .help(format!("{} ({})", ps.doc, ps.ty.describe()))
                .fix(
                    Span::new(n.span.file, end, end),
                    format!(" {}={}", ps.name, placeholder(ps.ty, ps.name)),
                    format!("add `{}=`", ps.name),
                ),
            );
        }
    }

    // Children.
    for (idx, c) in n.children.iter().enumerate() {
        let Some(cs) = spec.child(&c.name) else {
            // A nested `import` gets its own, more specific diagnostic from resolve.
            if c.name != "import" {
                diags.push(unknown_node(c, spec, ""));
            }
            continue;
        };
        if !cs.repeatable
            && let Some(first) = n.children[..idx].iter().find(|d| d.name == c.name)
        {
            diags.push(
                Diagnostic::new(
                    Code::E0109,
                    format!("`{}` is given twice in `{}`", c.name, n.name),
                )
                .label(c.name_span, "repeated here")
                .label(first.name_span, "first given here")
                .help(format!("`{}` may appear once; merge the two", c.name)),
            );
            continue;
        }
        check_node(c, cs, diags);
    }
    for cs in spec.children.iter().filter(|c| c.required) {
        if !n.children.iter().any(|c| c.name == cs.name) {
            let (at, text) = add_child(n, cs);
            diags.push(
                Diagnostic::new(
                    Code::E0113,
                    format!("`{}` needs a `{}` node", n.name, cs.name),
                )
                .label(n.head_span(), format!("no `{}` here", cs.name))
                .help(format!(
                    "add `{} ...` inside the block: {}",
                    cs.name, cs.doc
                ))
                .fix(at, text, format!("add `{}`", cs.name)),
            );
        }
    }
}
