//! Templates: `param`, `for-each` and overlays, on the syntax tree.
//!
//! Takes: the parsed top-level nodes of every spec file (base and overlay).
//! Produces: the same files with every `param` and `for-each` node gone, each
//! `for-each` replaced by its stamped copies, every `{name}` of a parameter
//! or loop variable substituted, and the overlay's nodes merged into the
//! base by (node name, id); plus the [`Expansion`] record that lets
//! [`annotate`] point a diagnostic inside a template at its instance too.
//! Everything is resolved here, at compile time, in source order: there is no
//! recursion (a `for-each` cannot hold another), no I/O and no evaluation
//! beyond substitution.
//! Never: reads files, panics on bad input.

use std::collections::{BTreeMap, BTreeSet};

use amc_syntax::diagnostics::{Code, Diagnostic, Diagnostics, closest, did_you_mean, quote};
use amc_syntax::source::Span;
use amc_syntax::syntax::{Node, Prop, Value, ValueKind};

/// The placeholders providers' `args` and `env` use, filled in per replica
/// when the pod is emitted (docs/language.md §6.3): never template variables.
pub const RUNTIME_PLACEHOLDERS: &[&str] = &[
    "port",
    "model-path",
    "model-id",
    "model-dir",
    "gpu-layers",
    "gpus",
];

/// The most copies all `for-each` nodes of a spec may stamp.
pub const MAX_INSTANCES: usize = 100_000;

/// Parameter types.
const PARAM_TYPES: &[&str] = &["string", "integer", "number", "boolean", "size"];

/// One stamped copy of a `for-each`.
#[derive(Debug, Clone)]
pub struct Instance {
    /// The row, or the value in `values`, it was made from.
    pub span: Span,
    /// `tenant = "acme"`, for labels.
    pub label: String,
    /// The ids of the nodes it produced.
    pub ids: Vec<String>,
    /// The values it bound, as text.
    pub values: Vec<String>,
}

/// A `for-each` and what it stamped.
#[derive(Debug, Clone)]
pub struct Template {
    /// The `for-each` head.
    pub head: Span,
    /// The whole `for-each` node.
    pub span: Span,
    /// Its copies.
    pub instances: Vec<Instance>,
}

/// What expansion did, for [`annotate`].
#[derive(Debug, Clone, Default)]
pub struct Expansion {
    /// Every `for-each`, in source order.
    pub templates: Vec<Template>,
    /// The parameters, by name, with their values.
    pub params: BTreeMap<String, Value>,
    /// Where a value that is exactly one variable came from (the row's
    /// value, the parameter's default) and where it was used: the
    /// substituted value takes the first span, so a mistake in it is
    /// reported where it is fixed; [`annotate`] points at the use too.
    pub uses: Vec<(Span, Span)>,
}

/// What substitution needs: the variables in scope and where to record uses.
struct Subst<'a> {
    scope: &'a Scope,
    uses: &'a mut Vec<(Span, Span)>,
}

/// A variable in scope: its value.
type Scope = BTreeMap<String, Value>;

fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_' || x == '-')
}

fn text_of(v: &ValueKind) -> String {
    match v {
        ValueKind::Str(s) => s.clone(),
        ValueKind::Int(i) => i.to_string(),
        ValueKind::Float(f) => f.to_string(),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Null => "null".into(),
    }
}

fn shown(v: &ValueKind) -> String {
    match v {
        ValueKind::Str(s) => format!("{s:?}"),
        other => text_of(other),
    }
}

/// Substitutes `{name}` in one string; `{{text}}` is the literal `{text}`.
/// `Err` names the first unknown variable.
fn substitute_str(s: &str, scope: &Scope) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        if let Some(esc) = after.strip_prefix('{')
            && let Some(close) = esc.find("}}")
        {
            out.push('{');
            out.push_str(&esc[..close]);
            out.push('}');
            rest = &esc[close + 2..];
            continue;
        }
        match after.find('}') {
            Some(close) if is_ident(&after[..close]) => {
                let name = &after[..close];
                if let Some(v) = scope.get(name) {
                    out.push_str(&text_of(&v.kind));
                } else if RUNTIME_PLACEHOLDERS.contains(&name) {
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                } else {
                    return Err(name.to_string());
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn unknown_var(name: &str, span: Span, scope: &Scope, what: &str) -> Diagnostic {
    let help = did_you_mean(name, scope.keys().map(String::as_str)).unwrap_or_else(|| {
        if scope.is_empty() {
            "declare it with `param \"NAME\" default=VALUE`, or bind it with `for-each`".into()
        } else {
            format!(
                "variables in scope here: {}",
                scope.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        }
    });
    Diagnostic::new(Code::E0118, format!("unknown variable `{{{name}}}` {what}"))
        .label(span, "not a parameter or loop variable in scope")
        .help(format!(
            "{help} (braces meant literally are doubled: `{{{{{name}}}}}` is the text `{{{name}}}`)"
        ))
}

fn substitute_value(v: &mut Value, sub: &mut Subst<'_>, diags: &mut Diagnostics) {
    let ValueKind::Str(s) = &v.kind else { return };
    if !s.contains('{') {
        return;
    }
    // A value that is exactly one variable takes the variable's type, and
    // its span: a wrong value is fixed where it is written.
    if let Some(name) = s.strip_prefix('{').and_then(|r| r.strip_suffix('}'))
        && let Some(val) = sub.scope.get(name)
    {
        v.kind = val.kind.clone();
        sub.uses.push((val.span, v.span));
        v.span = val.span;
        return;
    }
    match substitute_str(s, sub.scope) {
        Ok(t) => v.kind = ValueKind::Str(t),
        Err(name) => {
            let mut d = unknown_var(&name, v.span, sub.scope, "in this string");
            if let Some(c) = closest(&name, sub.scope.keys().map(String::as_str)) {
                let fixed = s.replacen(&format!("{{{name}}}"), &format!("{{{c}}}"), 1);
                d = d.fix(v.span, quote(&fixed), format!("replace with `{{{c}}}`"));
            }
            diags.push(d);
        }
    }
}

fn substitute_node(n: &mut Node, sub: &mut Subst<'_>, diags: &mut Diagnostics) {
    if n.name.contains('{') {
        match substitute_str(&n.name, sub.scope) {
            Ok(t) => n.name = t,
            Err(name) => diags.push(unknown_var(&name, n.name_span, sub.scope, "in a node name")),
        }
    }
    for a in &mut n.args {
        substitute_value(a, sub, diags);
    }
    for p in &mut n.props {
        substitute_value(&mut p.value, sub, diags);
    }
    for c in &mut n.children {
        substitute_node(c, sub, diags);
    }
}

fn invalid(span: Span, msg: impl Into<String>, label: &str, help: &str) -> Diagnostic {
    Diagnostic::new(Code::E0119, msg)
        .label(span, label.to_string())
        .help(help.to_string())
}

/// Checks a variable's name; `false` (reported) when it cannot be one.
fn var_name_ok(name: &str, span: Span, what: &str, diags: &mut Diagnostics) -> bool {
    if !is_ident(name) {
        diags.push(invalid(
            span,
            format!("`{name}` is not a valid {what} name"),
            "invalid name",
            "names start with a letter and hold letters, digits, `-` and `_`",
        ));
        return false;
    }
    if RUNTIME_PLACEHOLDERS.contains(&name) {
        diags.push(invalid(
            span,
            format!("`{name}` is a runtime placeholder and cannot be a {what} name"),
            "reserved",
            &format!(
                "`{{{name}}}` is filled in per replica when pods are emitted; the reserved names are {}",
                RUNTIME_PLACEHOLDERS.join(", ")
            ),
        ));
        return false;
    }
    true
}

/// Reads one `param` node: name and value. Overrides replace by name.
fn param(n: &Node, diags: &mut Diagnostics) -> Option<(String, Value, Span, &'static str)> {
    let Some(id) = n.args.first() else {
        diags.push(invalid(
            n.head_span(),
            "`param` needs a name",
            "no name",
            "write `param \"NAME\" default=VALUE`",
        ));
        return None;
    };
    let Some(name) = id.as_str() else {
        diags.push(invalid(
            id.span,
            "a parameter name is a string",
            "not a string",
            "write `param \"NAME\" default=VALUE`",
        ));
        return None;
    };
    if !var_name_ok(name, id.span, "parameter", diags) {
        return None;
    }
    for extra in n.args.iter().skip(1) {
        diags.push(invalid(
            extra.span,
            format!("`param \"{name}\"` takes one argument, its name"),
            "unexpected argument",
            "give the value as `default=VALUE`",
        ));
    }
    if !n.children.is_empty() {
        diags.push(invalid(
            n.span,
            format!("`param \"{name}\"` has no children"),
            "unexpected block",
            "write `param \"NAME\" default=VALUE type=\"string\"`",
        ));
    }
    let mut default = None;
    let mut ty: Option<(String, Span)> = None;
    for p in &n.props {
        match p.name.as_str() {
            "default" => default = Some(p.value.clone()),
            "description" => {}
            "type" => match p.value.as_str() {
                Some(t) if PARAM_TYPES.contains(&t) => ty = Some((t.to_string(), p.value.span)),
                _ => diags.push(invalid(
                    p.value.span,
                    format!("unknown parameter type {}", shown(&p.value.kind)),
                    "not a parameter type",
                    &format!("types: {}", PARAM_TYPES.join(", ")),
                )),
            },
            other => diags.push(
                invalid(
                    p.name_span,
                    format!("unknown property `{other}` on `param`"),
                    "unknown property",
                    "`param` takes `default`, `type` and `description`",
                )
                .maybe_help(did_you_mean(other, ["default", "type", "description"])),
            ),
        }
    }
    let Some(value) = default else {
        diags.push(invalid(
            n.head_span(),
            format!("parameter `{name}` has no value"),
            "no `default=`",
            "give it one with `default=VALUE` (an overlay can override it with its own `param`)",
        ));
        return None;
    };
    let ty = ty.map_or_else(
        || match value.kind {
            ValueKind::Int(_) => "integer",
            ValueKind::Float(_) => "number",
            ValueKind::Bool(_) => "boolean",
            _ => "string",
        },
        |(t, _)| match t.as_str() {
            "integer" => "integer",
            "number" => "number",
            "boolean" => "boolean",
            "size" => "size",
            _ => "string",
        },
    );
    if !type_check(name, ty, &value, "its value", diags) {
        return None;
    }
    Some((name.to_string(), value, id.span, ty))
}

/// Whether `value` is of parameter type `ty`; reports when not.
fn type_check(name: &str, ty: &str, value: &Value, what: &str, diags: &mut Diagnostics) -> bool {
    let ok = match (ty, &value.kind) {
        ("integer", ValueKind::Int(_)) | ("boolean", ValueKind::Bool(_)) => true,
        ("number", ValueKind::Int(_) | ValueKind::Float(_)) => true,
        ("string", ValueKind::Str(_)) => true,
        ("size", ValueKind::Str(s)) => crate::lang::units::parse_size(s).is_ok(),
        _ => false,
    };
    if !ok {
        diags.push(invalid(
            value.span,
            format!(
                "parameter `{name}` is of type {ty}, but {what} is {}",
                shown(&value.kind)
            ),
            "wrong type",
            match ty {
                "size" => "a size is a string like \"24GiB\"",
                "integer" => "an integer is written bare: `default=2`",
                "number" => "a number is written bare: `default=0.5`",
                "boolean" => "a boolean is `#true` or `#false`",
                _ => "a string is quoted: `default=\"eu-west\"`",
            },
        ));
    }
    ok
}

/// Expands one `for-each` into its copies; pushes them to `out`.
fn for_each(
    n: &Node,
    params: &Scope,
    expansion: &mut Expansion,
    out: &mut Vec<Node>,
    diags: &mut Diagnostics,
) {
    let head = n.head_span();
    let mut rows: Vec<(Span, Vec<(String, Value)>)> = Vec::new();
    let mut body: Vec<&Node> = Vec::new();
    let var = match n.args.as_slice() {
        [] => None,
        [v] => match v.as_str() {
            Some(s) if var_name_ok(s, v.span, "loop variable", diags) => Some(s.to_string()),
            Some(_) => return,
            None => {
                diags.push(invalid(
                    v.span,
                    "a loop variable's name is a string",
                    "not a string",
                    "write `for-each \"NAME\" { values ...; ... }`",
                ));
                return;
            }
        },
        [_, extra, ..] => {
            diags.push(invalid(
                extra.span,
                "`for-each` takes at most one argument, the loop variable",
                "unexpected argument",
                "list the values in a `values` child, or use `row` children for a table",
            ));
            return;
        }
    };
    for p in &n.props {
        diags.push(invalid(
            p.name_span,
            format!("`for-each` has no property `{}`", p.name),
            "unexpected property",
            "list the values in a `values` child, or use `row` children for a table",
        ));
    }
    for c in &n.children {
        match c.name.as_str() {
            "values" => {
                let Some(var) = &var else {
                    diags.push(invalid(
                        c.name_span,
                        "`values` needs a loop variable: `for-each \"NAME\"`",
                        "no variable to bind",
                        "name the variable (`for-each \"tenant\" { values \"a\" \"b\" }`), or write a table with `row k=v` children",
                    ));
                    continue;
                };
                for v in &c.args {
                    rows.push((v.span, vec![(var.clone(), v.clone())]));
                }
                for p in &c.props {
                    diags.push(invalid(
                        p.name_span,
                        "`values` takes arguments, not properties",
                        "unexpected property",
                        "for a table of values use `row k=v` children",
                    ));
                }
            }
            "row" => {
                if var.is_some() {
                    diags.push(invalid(
                        c.name_span,
                        "`row` is for tables: drop the loop variable of this `for-each`",
                        "table row in a list loop",
                        "a list loop binds its variable from `values`; a table binds each `row`'s properties",
                    ));
                    continue;
                }
                for a in &c.args {
                    diags.push(invalid(
                        a.span,
                        "`row` takes properties (`name=value`), not arguments",
                        "unexpected argument",
                        "write `row tenant=\"acme\" replicas=2`",
                    ));
                }
                let mut cols: BTreeMap<String, Value> = BTreeMap::new();
                for p in &c.props {
                    if !var_name_ok(&p.name, p.name_span, "column", diags) {
                        continue;
                    }
                    if cols.insert(p.name.clone(), p.value.clone()).is_some() {
                        diags.push(invalid(
                            p.name_span,
                            format!("column `{}` is given twice in this row", p.name),
                            "repeated",
                            "give each column once per row",
                        ));
                    }
                }
                rows.push((c.span, cols.into_iter().collect()));
            }
            "for-each" => diags.push(invalid(
                c.name_span,
                "`for-each` cannot be nested",
                "nested for-each",
                "stamp the combinations with one table: a `row` per combination",
            )),
            "param" | "import" => diags.push(invalid(
                c.name_span,
                format!(
                    "`{}` must be at the top level of a file, not inside `for-each`",
                    c.name
                ),
                "not allowed here",
                "move it out of the for-each",
            )),
            _ => body.push(c),
        }
    }
    if rows.is_empty() {
        diags.push(invalid(
            head,
            "this `for-each` has nothing to iterate over",
            "no values",
            "add `values \"a\" \"b\"` (with a loop variable) or `row k=v` children",
        ));
        return;
    }
    if body.is_empty() {
        diags.push(invalid(
            head,
            "this `for-each` stamps nothing",
            "empty template",
            "put the nodes to stamp (`pod`, `machine`, ...) inside it",
        ));
        return;
    }
    // A table's rows must all bind the same columns.
    let cols: BTreeSet<&str> = rows
        .iter()
        .flat_map(|(_, r)| r.iter().map(|(k, _)| k.as_str()))
        .collect();
    let mut complete = true;
    for (span, r) in &rows {
        let have: BTreeSet<&str> = r.iter().map(|(k, _)| k.as_str()).collect();
        let missing: Vec<&str> = cols.difference(&have).copied().collect();
        if !missing.is_empty() {
            complete = false;
            diags.push(invalid(
                *span,
                format!(
                    "this row has no {}",
                    missing
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "incomplete row",
                "every row of a table gives every column",
            ));
        }
    }
    for c in &cols {
        if params.contains_key(*c) {
            complete = false;
            diags.push(invalid(
                head,
                format!("loop variable `{c}` has the name of a parameter"),
                "shadows a parameter",
                "rename the loop variable or the parameter",
            ));
        }
    }
    if !complete {
        return;
    }
    let stamped: usize = expansion.templates.iter().map(|t| t.instances.len()).sum();
    if stamped + rows.len() > MAX_INSTANCES {
        diags.push(invalid(
            head,
            format!("the spec's for-each nodes stamp more than {MAX_INSTANCES} copies"),
            "too many copies",
            "split the fleet into several specs",
        ));
        return;
    }
    let mut t = Template {
        head,
        span: n.span,
        instances: Vec::new(),
    };
    for (span, r) in rows {
        let mut scope = params.clone();
        let mut label = Vec::new();
        let values = r.iter().map(|(_, v)| text_of(&v.kind)).collect();
        for (k, v) in &r {
            label.push(format!("{k} = {}", shown(&v.kind)));
            scope.insert(k.clone(), v.clone());
        }
        let mut ids = Vec::new();
        for b in &body {
            let mut copy = (*b).clone();
            let mut sub = Subst {
                scope: &scope,
                uses: &mut expansion.uses,
            };
            substitute_node(&mut copy, &mut sub, diags);
            if let Some(id) = copy.args.first().and_then(Value::as_str) {
                ids.push(id.to_string());
            }
            out.push(copy);
        }
        t.instances.push(Instance {
            span,
            label: label.join(", "),
            ids,
            values,
        });
    }
    expansion.templates.push(t);
}

/// Merges an overlay node into the base node with the same name and id:
/// every child node the overlay names replaces the base's children of that
/// name; properties it gives replace the base's.
fn merge(base: &mut Node, over: Node) {
    let named: BTreeSet<String> = over.children.iter().map(|c| c.name.clone()).collect();
    base.children.retain(|c| !named.contains(&c.name));
    base.children.extend(over.children);
    for p in over.props {
        base.props.retain(|q: &Prop| q.name != p.name);
        base.props.push(p);
    }
    for (i, a) in over.args.into_iter().enumerate().skip(1) {
        if i < base.args.len() {
            base.args[i] = a;
        } else {
            base.args.push(a);
        }
    }
    if !base.has_block {
        base.has_block = over.has_block;
    }
}

fn key(n: &Node) -> Option<(String, String)> {
    let id = n.args.first()?.as_str()?;
    Some((n.name.clone(), id.to_string()))
}

/// Expands the spec: `files` are the base files' top-level nodes, `overlay`
/// the overlay files' (empty without `--overlay`). Returns the nodes, per
/// base file, then one list for the overlay's new nodes per overlay file.
pub fn expand(
    files: Vec<Vec<Node>>,
    overlay: Vec<Vec<Node>>,
    diags: &mut Diagnostics,
) -> (Vec<Vec<Node>>, Vec<Vec<Node>>, Expansion) {
    let mut expansion = Expansion::default();
    // Parameters: the base's, then the overlay's by name.
    let mut params: Scope = BTreeMap::new();
    let mut first: BTreeMap<String, (Span, &'static str)> = BTreeMap::new();
    for (layer, nodes) in [(0, &files), (1, &overlay)] {
        let mut this_layer: BTreeMap<String, (Span, &'static str)> = BTreeMap::new();
        for n in nodes.iter().flatten().filter(|n| n.name == "param") {
            let Some((name, value, span, ty)) = param(n, diags) else {
                continue;
            };
            if let Some(prev) = this_layer.get(&name) {
                diags.push(
                    Diagnostic::new(Code::E0201, format!("parameter `{name}` is defined more than once"))
                        .label(span, "defined again here")
                        .label(prev.0, "first defined here")
                        .help(if layer == 0 {
                            "parameter names are unique across the spec; an overlay overrides one with its own `param`"
                        } else {
                            "an overlay gives each parameter once"
                        }),
                );
                continue;
            }
            if layer == 1 && !first.contains_key(&name) {
                diags.push(
                    Diagnostic::new(Code::E0119, format!("the overlay sets parameter `{name}`, which the base spec does not declare"))
                        .label(span, "no such parameter in the base")
                        .help(did_you_mean(&name, first.keys().map(String::as_str)).unwrap_or_else(|| "declare it in the base spec with `param`; an overlay only overrides".into())),
                );
                // Still bound, so the overlay's uses of it add no errors.
                params.insert(name, value);
                continue;
            }
            if layer == 1
                && let Some((_, base_ty)) = first.get(&name)
                && *base_ty != ty
                && !type_check(&name, base_ty, &value, "the overlay's value", diags)
            {
                continue;
            }
            this_layer.insert(name.clone(), (span, ty));
            params.insert(name, value);
        }
        if layer == 0 {
            first = this_layer;
        }
    }
    expansion.params = params.clone();
    let run = |nodes: Vec<Vec<Node>>, expansion: &mut Expansion, diags: &mut Diagnostics| {
        nodes
            .into_iter()
            .map(|file| {
                let mut out = Vec::with_capacity(file.len());
                for mut n in file {
                    match n.name.as_str() {
                        "param" => {}
                        "for-each" => for_each(&n, &params, expansion, &mut out, diags),
                        "import" => out.push(n),
                        _ => {
                            let mut sub = Subst {
                                scope: &params,
                                uses: &mut expansion.uses,
                            };
                            substitute_node(&mut n, &mut sub, diags);
                            out.push(n);
                        }
                    }
                }
                out
            })
            .collect::<Vec<_>>()
    };
    let mut base = run(files, &mut expansion, diags);
    let over = run(overlay, &mut expansion, diags);
    // Overlay nodes override base nodes by (name, id); the rest are new.
    let mut at: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    for (fi, f) in base.iter().enumerate() {
        for (ni, n) in f.iter().enumerate() {
            if let Some(k) = key(n) {
                at.entry(k).or_insert((fi, ni));
            }
        }
    }
    let mut added = Vec::new();
    for f in over {
        let mut new = Vec::new();
        for n in f {
            match key(&n).and_then(|k| at.get(&k).copied()) {
                Some((fi, ni)) if n.name != "import" => merge(&mut base[fi][ni], n),
                _ => new.push(n),
            }
        }
        added.push(new);
    }
    (base, added, expansion)
}

/// Relates diagnostics to the templates they come from:
///
/// - a mistake at a spot where a variable was unknown (`E0118`) is a
///   consequence of it and is dropped;
/// - a diagnostic at a value that came from a row or a parameter (the value
///   took its span) also points at where the template uses it;
/// - a diagnostic inside a `for-each` body names the copy it comes from (the
///   one whose stamped id or value the message names), and the same mistake
///   made by several copies (same code, same spot) is reported once, saying
///   which copies.
pub fn annotate(expansion: &Expansion, diags: &mut Diagnostics) {
    let unknown = diags.iter().any(|d| d.code == Code::E0118);
    if diags.is_empty() || (expansion.templates.is_empty() && expansion.uses.is_empty() && !unknown)
    {
        return;
    }
    diags.replace(|items| annotate_all(expansion, items));
}

/// The most use sites one diagnostic points at.
const MAX_USES_SHOWN: usize = 3;

/// The most copies a merged diagnostic names.
const MAX_COPIES_SHOWN: usize = 3;

/// One diagnostic of a template, standing for every copy that has it: its
/// index in the output, its template, the copies, and the index of the label
/// that names them.
type Group = (usize, usize, BTreeSet<usize>, usize);

fn annotate_all(expansion: &Expansion, items: Vec<Diagnostic>) -> Vec<Diagnostic> {
    use amc_syntax::diagnostics::Label;
    let unknown: Vec<Span> = items
        .iter()
        .filter(|d| d.code == Code::E0118)
        .filter_map(Diagnostic::primary_span)
        .collect();
    let mut uses: BTreeMap<Span, Vec<Span>> = BTreeMap::new();
    for (from, at) in &expansion.uses {
        let v = uses.entry(*from).or_default();
        if !v.contains(at) {
            v.push(*at);
        }
    }
    let mut out: Vec<Diagnostic> = Vec::with_capacity(items.len());
    let mut groups: BTreeMap<(Code, Span), Group> = BTreeMap::new();
    for mut d in items {
        let Some(p) = d.primary_span() else {
            out.push(d);
            continue;
        };
        if d.code != Code::E0118 && unknown.iter().any(|u| u.overlaps(p)) {
            continue;
        }
        if let Some(at) = uses.get(&p) {
            for u in at.iter().take(MAX_USES_SHOWN) {
                d.labels.push(Label {
                    span: *u,
                    message: "the value is used here".into(),
                });
            }
        }
        let Some((ti, t)) = expansion
            .templates
            .iter()
            .enumerate()
            .find(|(_, t)| t.span.contains(p))
        else {
            out.push(d);
            continue;
        };
        // In a row (or a `values` entry): it is that copy's own.
        if t.instances.iter().any(|i| i.span.contains(p)) {
            out.push(d);
            continue;
        }
        let names = |s: &String| d.message.contains(&format!("`{s}`"));
        let named = t
            .instances
            .iter()
            .position(|i| i.ids.iter().any(names))
            .or_else(|| t.instances.iter().position(|i| i.values.iter().any(names)));
        let key = (d.code, p);
        if let Some(g) = groups.get_mut(&key) {
            match named {
                Some(i) => {
                    g.2.insert(i);
                }
                None => g.2.extend(0..t.instances.len()),
            }
            continue;
        }
        let copies: BTreeSet<usize> = match named {
            Some(i) => [i].into_iter().collect(),
            None => (0..t.instances.len()).collect(),
        };
        let label = d.labels.len();
        d.labels.push(Label {
            span: t.head,
            message: String::new(),
        });
        groups.insert(key, (out.len(), ti, copies, label));
        out.push(d);
    }
    for (idx, ti, copies, label) in groups.into_values() {
        let Some(t) = expansion.templates.get(ti) else {
            continue;
        };
        let Some(l) = out.get_mut(idx).and_then(|d| d.labels.get_mut(label)) else {
            continue;
        };
        let first = copies.iter().next().and_then(|&i| t.instances.get(i));
        *l = match (copies.len(), first) {
            (1, Some(i)) if t.instances.len() > 1 => Label {
                span: i.span,
                message: format!("in the copy for {}", i.label),
            },
            (n, _) if n >= t.instances.len() => Label {
                span: t.head,
                message: format!("in every copy this for-each stamps ({n})"),
            },
            (n, _) => {
                let mut shown: Vec<String> = copies
                    .iter()
                    .filter_map(|&i| t.instances.get(i))
                    .take(MAX_COPIES_SHOWN)
                    .map(|i| i.label.clone())
                    .collect();
                if n > MAX_COPIES_SHOWN {
                    shown.push(format!("{} more", n - MAX_COPIES_SHOWN));
                }
                Label {
                    span: t.head,
                    message: format!(
                        "in {n} of the {} copies this for-each stamps: for {}",
                        t.instances.len(),
                        shown.join("; ")
                    ),
                }
            }
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use amc_syntax::source::SourceMap;

    fn run(src: &str) -> (Vec<Node>, Diagnostics) {
        let mut map = SourceMap::new();
        let id = map.add("t.kdl", src);
        let mut diags = Diagnostics::new();
        let doc = amc_syntax::syntax::parse(id, src, &mut diags);
        let (mut files, _, _) = expand(vec![doc.nodes], Vec::new(), &mut diags);
        (files.pop().unwrap_or_default(), diags)
    }

    #[test]
    fn list_and_table_stamp_in_order_with_typed_values() {
        let (nodes, diags) = run(
            "param \"n\" default=2\nfor-each \"t\" {\n values \"a\" \"b\"\n pod \"p-{t}\" { tenant \"{t}\"; replicas \"{n}\" }\n}\nfor-each {\n row m=\"x\" r=3\n pod \"q-{m}\" { replicas \"{r}\" }\n}\n",
        );
        assert!(diags.is_empty(), "{:?}", diags.sorted());
        let ids: Vec<_> = nodes.iter().filter_map(|n| n.args[0].as_str()).collect();
        assert_eq!(ids, ["p-a", "p-b", "q-x"]);
        assert_eq!(nodes[0].children[1].args[0].kind, ValueKind::Int(2));
        assert_eq!(nodes[2].children[0].args[0].kind, ValueKind::Int(3));
        assert_eq!(
            nodes[1].children[0].args[0].kind,
            ValueKind::Str("b".into())
        );
    }

    #[test]
    fn runtime_placeholders_stay_and_unknown_variables_are_errors() {
        let (nodes, diags) = run("pod \"a\" { args \"--port\" \"{port}\" \"{prot}\" }\n");
        assert_eq!(
            nodes[0].children[0].args[1].kind,
            ValueKind::Str("{port}".into())
        );
        let d = diags.sorted();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, Code::E0118);
    }

    #[test]
    fn bad_loops_are_reported() {
        for (src, code) in [
            ("for-each \"t\" { pod \"a\" }\n", Code::E0119),
            (
                "for-each { row a=1; row b=2; pod \"x-{a}\" }\n",
                Code::E0119,
            ),
            ("for-each \"port\" { values 1; pod \"x\" }\n", Code::E0119),
            (
                "for-each \"t\" { values 1; for-each \"u\" { values 2; pod \"x\" } }\n",
                Code::E0119,
            ),
            ("param \"x\"\n", Code::E0119),
            ("param \"x\" default=\"a\" type=\"integer\"\n", Code::E0119),
        ] {
            let (_, diags) = run(src);
            assert!(
                diags.iter().any(|d| d.code == code),
                "{src}: {:?}",
                diags.sorted()
            );
        }
    }

    #[test]
    fn doubled_braces_are_literal_and_other_braces_stay() {
        let (nodes, diags) = run(
            "param \"t\" default=\"a\"\npod \"x\" { env \"H\" \"${{HOME}}/{t}\"; env \"J\" \"{\\\"a\\\": {\\\"b\\\": 1}}\" }\n",
        );
        assert!(diags.is_empty(), "{:?}", diags.sorted());
        assert_eq!(
            nodes[0].children[0].args[1].kind,
            ValueKind::Str("${HOME}/a".into())
        );
        assert_eq!(
            nodes[0].children[1].args[1].kind,
            ValueKind::Str("{\"a\": {\"b\": 1}}".into())
        );
    }

    #[test]
    fn a_whole_variable_takes_the_span_of_its_value() {
        let src = "for-each {\n row p=70000\n pod \"x\" { port \"http\" host-port=\"{p}\" }\n}\n";
        let mut map = SourceMap::new();
        let id = map.add("t.kdl", src);
        let mut diags = Diagnostics::new();
        let doc = amc_syntax::syntax::parse(id, src, &mut diags);
        let (files, _, exp) = expand(vec![doc.nodes], Vec::new(), &mut diags);
        let v = &files[0][0].children[0].props[0].value;
        assert_eq!(v.kind, ValueKind::Int(70000));
        assert_eq!(&src[v.span.start as usize..v.span.end as usize], "70000");
        let (from, at) = exp.uses[0];
        assert_eq!(from, v.span);
        assert_eq!(&src[at.start as usize..at.end as usize], "\"{p}\"");
    }

    #[test]
    fn shared_mistakes_are_reported_once_and_consequences_dropped() {
        let src = "for-each \"t\" {\n values \"a\" \"b\" \"c\"\n pod \"x-{t}\" { provider \"nope\"; tenant \"{tt}\" }\n}\n";
        let (_, mut diags) = run(src);
        // As check would: one E0203 per copy (the message names it), and a
        // consequence of the unknown variable at its spot.
        let mut map = SourceMap::new();
        let id = map.add("t.kdl", src);
        let mut d2 = Diagnostics::new();
        let doc = amc_syntax::syntax::parse(id, src, &mut d2);
        let (_, _, exp) = expand(vec![doc.nodes], Vec::new(), &mut d2);
        let prov = src.find("\"nope\"").unwrap();
        let tt = src.find("\"{tt}\"").unwrap();
        for t in ["a", "b"] {
            diags.push(
                Diagnostic::new(
                    Code::E0203,
                    format!("pod `x-{t}` refers to provider `nope`"),
                )
                .label(Span::new(id, prov, prov + 6), "no provider"),
            );
        }
        diags.push(
            Diagnostic::new(Code::E0110, "`{tt}` is not a valid identifier")
                .label(Span::new(id, tt, tt + 6), "invalid"),
        );
        annotate(&exp, &mut diags);
        let d = diags.sorted();
        let codes: Vec<Code> = d.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::E0203, Code::E0118], "{d:#?}");
        assert_eq!(
            d[0].labels[1].message,
            "in 2 of the 3 copies this for-each stamps: for t = \"a\"; t = \"b\""
        );
        // The unknown variable has a fix: the closest name, quoted.
        assert_eq!(d[1].fixes[0].replacement, "\"{t}\"");
    }

    #[test]
    fn an_overlay_keeps_the_base_parameter_type() {
        let mut map = SourceMap::new();
        let (bt, ot) = (
            "param \"n\" default=1\nparam \"f\" default=0.5\n",
            "param \"n\" default=\"two\"\nparam \"f\" default=2\n",
        );
        let base = map.add("b.kdl", bt);
        let over = map.add("o.kdl", ot);
        let mut diags = Diagnostics::new();
        let b = amc_syntax::syntax::parse(base, bt, &mut diags);
        let o = amc_syntax::syntax::parse(over, ot, &mut diags);
        let (_, _, exp) = expand(vec![b.nodes], vec![o.nodes], &mut diags);
        let d = diags.sorted();
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(d[0].message.contains("integer"), "{}", d[0].message);
        assert_eq!(exp.params["n"].kind, ValueKind::Int(1));
        assert_eq!(exp.params["f"].kind, ValueKind::Int(2));
    }
}
