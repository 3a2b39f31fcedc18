//! The embedded `targets/` templates and their renderer.
//!
//! Takes a template name and a serialisable context; produces text. Never
//! decides what goes into a unit: the target modules build the context.

use amc_syntax::diagnostics::BugResult;
use include_dir::{Dir, include_dir};
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

static TARGETS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../../targets");

/// Every template file, as (name, text), sorted.
pub fn all() -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for d in TARGETS.dirs() {
        for f in d.files() {
            if let Some(text) = f.contents_utf8() {
                out.push((amc_lang::vfs::slash_path(f.path()), text));
            }
        }
    }
    out.sort();
    out
}

/// A file of `targets/` written out verbatim (a script, not a template).
pub fn file(name: &str) -> BugResult<&'static str> {
    TARGETS
        .get_file(name)
        .and_then(|f| f.contents_utf8())
        .ok_or_else(|| format!("targets/{name} is not embedded").into())
}

/// Renders `targets/NAME` with a context (no escaping: unit files, YAML).
pub fn render(name: &str, ctx: impl Serialize) -> BugResult<String> {
    render_with(name, ctx, minijinja::AutoEscape::None)
}

/// Renders an HTML template: every interpolated value is HTML-escaped.
pub fn render_html(name: &str, ctx: impl Serialize) -> BugResult<String> {
    render_with(name, ctx, minijinja::AutoEscape::Html)
}

fn render_with(
    name: &str,
    ctx: impl Serialize,
    escape: minijinja::AutoEscape,
) -> BugResult<String> {
    let text = TARGETS
        .get_file(name)
        .and_then(|f| f.contents_utf8())
        .ok_or_else(|| format!("template targets/{name} is not embedded"))?;
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .build()
        .map_err(|e| format!("template syntax: {e}"))?;
    env.set_syntax(syntax);
    env.set_auto_escape_callback(move |_| escape.clone());
    env.add_template(name, text)
        .map_err(|e| format!("template targets/{name} does not parse: {e}"))?;
    let tmpl = env
        .get_template(name)
        .map_err(|e| format!("template targets/{name}: {e}"))?;
    tmpl.render(minijinja::value::Serde(ctx))
        .map_err(|e| format!("rendering targets/{name}: {e}").into())
}
