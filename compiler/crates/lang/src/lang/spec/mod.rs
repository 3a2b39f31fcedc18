//! The node catalogue: every node the language accepts, with its arguments,
//! properties, children and documentation.
//!
//! One table drives the checker (unknown names with "did you mean", types,
//! arity, repeats, required values), the docs test (every node and property
//! is documented in docs/language.md) and editor hover/completion.

use super::types::Ty;
use super::vocab::*;

mod cache_tier;
mod machine;
mod model;
mod placement;
mod pod;
mod provider;

pub use cache_tier::CACHE_TIER;
pub use machine::{CLUSTER, MACHINE};
pub use model::MODEL;
pub use placement::PLACEMENT_WEIGHTS;
pub use pod::POD;
pub use provider::{PROFILE, PROVIDER};

/// A positional argument.
#[derive(Debug)]
pub struct ArgSpec {
    /// Name used in docs and messages.
    pub name: &'static str,
    /// Type.
    pub ty: Ty,
    /// Whether it must be given.
    pub required: bool,
    /// Whether it takes all remaining arguments.
    pub variadic: bool,
    /// One-line documentation.
    pub doc: &'static str,
}

/// A `key=value` property.
#[derive(Debug)]
pub struct PropSpec {
    /// Key.
    pub name: &'static str,
    /// Type.
    pub ty: Ty,
    /// Whether it must be given.
    pub required: bool,
    /// One-line documentation.
    pub doc: &'static str,
}

/// A node.
#[derive(Debug)]
pub struct NodeSpec {
    /// Node name.
    pub name: &'static str,
    /// Documentation (a sentence or two).
    pub doc: &'static str,
    /// Positional arguments.
    pub args: &'static [ArgSpec],
    /// Known properties.
    pub props: &'static [PropSpec],
    /// When set, any property key is accepted with this value type (labels).
    pub open_props: Option<Ty>,
    /// Allowed children.
    pub children: &'static [&'static NodeSpec],
    /// Whether the node may appear more than once in its parent.
    pub repeatable: bool,
    /// Whether the node must appear in its parent.
    pub required: bool,
}

impl NodeSpec {
    /// The child spec with this name.
    pub fn child(&self, name: &str) -> Option<&'static NodeSpec> {
        self.children.iter().copied().find(|c| c.name == name)
    }

    /// The property spec with this key.
    pub fn prop(&self, name: &str) -> Option<&'static PropSpec> {
        self.props.iter().find(|p| p.name == name)
    }
}

pub(super) const fn arg(name: &'static str, ty: Ty, doc: &'static str) -> ArgSpec {
    ArgSpec {
        name,
        ty,
        required: true,
        variadic: false,
        doc,
    }
}
pub(super) const fn opt_arg(name: &'static str, ty: Ty, doc: &'static str) -> ArgSpec {
    ArgSpec {
        name,
        ty,
        required: false,
        variadic: false,
        doc,
    }
}
pub(super) const fn list(name: &'static str, ty: Ty, doc: &'static str) -> ArgSpec {
    ArgSpec {
        name,
        ty,
        required: true,
        variadic: true,
        doc,
    }
}
pub(super) const fn prop(name: &'static str, ty: Ty, doc: &'static str) -> PropSpec {
    PropSpec {
        name,
        ty,
        required: false,
        doc,
    }
}
pub(super) const fn req_prop(name: &'static str, ty: Ty, doc: &'static str) -> PropSpec {
    PropSpec {
        name,
        ty,
        required: true,
        doc,
    }
}

/// A leaf node taking one value.
pub(super) const fn leaf(
    name: &'static str,
    args: &'static [ArgSpec],
    doc: &'static str,
) -> NodeSpec {
    NodeSpec {
        name,
        doc,
        args,
        props: &[],
        open_props: None,
        children: &[],
        repeatable: false,
        required: false,
    }
}
pub(super) const fn required(mut n: NodeSpec) -> NodeSpec {
    n.required = true;
    n
}
pub(super) const fn repeatable(mut n: NodeSpec) -> NodeSpec {
    n.repeatable = true;
    n
}
pub(super) const fn with_props(mut n: NodeSpec, props: &'static [PropSpec]) -> NodeSpec {
    n.props = props;
    n
}

pub(super) const PORT: Ty = Ty::Int { min: 1, max: 65535 };
pub(super) const COUNT: Ty = Ty::Int { min: 1, max: 1024 };

pub(super) static LABELS: NodeSpec = NodeSpec {
    name: "labels",
    doc: "Free-form labels as properties, e.g. `labels zone=\"lab-1\" rack=\"a\"`. Keys and values are strings.",
    args: &[],
    props: &[],
    open_props: Some(Ty::Str),
    children: &[],
    repeatable: false,
    required: false,
};
pub(super) static DESCRIPTION: NodeSpec = leaf(
    "description",
    &[arg("text", Ty::Str, "Free text.")],
    "A human description.",
);

// ---------------------------------------------------------------- import

/// `import "std:MODULE"`.
pub static IMPORT: NodeSpec = repeatable(leaf(
    "import",
    &[arg(
        "module",
        Ty::Str,
        "A stdlib module, e.g. \"std:providers\" or \"std:providers/llama-cpp\".",
    )],
    "Brings definitions from the embedded standard library into scope. Files of the spec itself need no import: every `.kdl` file under the spec root is merged.",
));

/// The root: every top-level node.
pub static ROOT: NodeSpec = NodeSpec {
    name: "<root>",
    doc: "A spec file.",
    args: &[],
    props: &[],
    open_props: None,
    children: &[
        &IMPORT,
        &MACHINE,
        &PROVIDER,
        &MODEL,
        &CACHE_TIER,
        &POD,
        &CLUSTER,
        &PROFILE,
        &PLACEMENT_WEIGHTS,
    ],
    repeatable: false,
    required: false,
};

/// Every top-level node spec.
pub fn top_level() -> &'static NodeSpec {
    &ROOT
}

/// Walks every node spec once (depth first), for docs tests and editor tooling.
pub fn all_nodes() -> Vec<(String, &'static NodeSpec)> {
    fn walk(prefix: &str, n: &'static NodeSpec, out: &mut Vec<(String, &'static NodeSpec)>) {
        for c in n.children {
            let path = if prefix.is_empty() {
                c.name.to_string()
            } else {
                format!("{prefix} > {}", c.name)
            };
            out.push((path.clone(), c));
            walk(&path, c, out);
        }
    }
    let mut out = Vec::new();
    walk("", &ROOT, &mut out);
    out
}
