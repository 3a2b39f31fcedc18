//! Resolve: from a spec path to the merged set of declarations.
//!
//! Takes a spec root (a `.kdl` file or a directory) and a [`Vfs`]; reads
//! every spec file in sorted order, parses and shape-checks it, loads the
//! prelude and every imported stdlib module, builds the symbol table
//! (duplicates are errors), and merges `extends`. Produces [`Resolved`]. All
//! reading of spec files happens here and in [`documents`].

pub mod documents;
pub mod stdlib;
pub mod template;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::ir::Origin;
use crate::lang::spec::ROOT;
use crate::lang::types::RefKind;
use crate::lower::{Decl, shape};
use crate::vfs::{Vfs, slash_path};
use amc_syntax::diagnostics::{Code, Diagnostic, Diagnostics, closest, did_you_mean};
use amc_syntax::source::{SourceMap, Span};
use amc_syntax::syntax::{self, Node};

/// One input file of the build, for the manifest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    /// Path relative to the spec root with `/` separators, or `std:NAME`.
    pub path: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The definitions of a spec, by kind and id.
#[derive(Debug, Clone, Default)]
pub struct Symbols {
    map: BTreeMap<RefKind, BTreeMap<String, (Span, Origin)>>,
}

impl Symbols {
    /// Where `id` of `kind` is defined.
    pub fn get(&self, kind: RefKind, id: &str) -> Option<(Span, Origin)> {
        self.map.get(&kind).and_then(|m| m.get(id)).copied()
    }
    /// Every id of a kind.
    pub fn ids(&self, kind: RefKind) -> Vec<&str> {
        self.map
            .get(&kind)
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }
    fn insert(&mut self, kind: RefKind, id: String, span: Span, origin: Origin) {
        self.map.entry(kind).or_default().insert(id, (span, origin));
    }
}

/// Where a spec lives.
#[derive(Debug, Clone)]
pub struct SpecRoot {
    /// Directory all relative paths resolve against.
    pub dir: PathBuf,
    /// Spec files relative to `dir`, sorted.
    pub files: Vec<PathBuf>,
    /// Prefix for display names of files (how the user named the root).
    pub display: String,
    /// The overlay applied (`amc build --overlay NAME`) and its files,
    /// relative to `dir` (under `overlays/NAME/`), sorted.
    pub overlay: Option<(String, Vec<PathBuf>)>,
}

/// The directory overlays live in, under the spec root.
pub const OVERLAYS_DIR: &str = "overlays";

impl SpecRoot {
    /// Applies overlay `name`: the `.kdl` files under `overlays/NAME/`.
    /// `Err` (a usage error) when there is no such overlay, naming those there are.
    pub fn with_overlay(mut self, vfs: &dyn Vfs, name: &str) -> Result<SpecRoot, String> {
        let dir = self.dir.join(OVERLAYS_DIR);
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
            && name != "."
            && name != "..";
        let there = dir.join(name);
        if !valid || !vfs.is_dir(&there) {
            let mut known: Vec<String> = vfs
                .kdl_files(&dir)
                .unwrap_or_default()
                .iter()
                .filter_map(|p| {
                    let mut c = p.components();
                    let first = c.next()?;
                    c.next()?;
                    Some(first.as_os_str().to_string_lossy().into_owned())
                })
                .collect();
            known.dedup();
            return Err(if known.is_empty() {
                format!(
                    "no overlay `{name}`: the spec has no {OVERLAYS_DIR}/ directory with overlays"
                )
            } else {
                format!(
                    "no overlay `{name}` (no directory {OVERLAYS_DIR}/{name}/); overlays: {}",
                    known.join(", ")
                )
            });
        }
        let files = vfs
            .kdl_files(&there)
            .map_err(|e| format!("cannot list {}: {e}", there.display()))?
            .into_iter()
            .map(|p| Path::new(OVERLAYS_DIR).join(name).join(p))
            .collect();
        self.overlay = Some((name.to_string(), files));
        Ok(self)
    }
}

/// The result of resolution.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// Every declaration: spec files first (in file order), then stdlib.
    pub decls: Vec<Decl>,
    /// The symbol table.
    pub symbols: Symbols,
    /// Spec files read (for the manifest).
    pub inputs: Vec<Input>,
    /// Stdlib modules loaded, sorted.
    pub stdlib_modules: Vec<String>,
    /// What `param`, `for-each` and the overlay did (for [`template::annotate`]).
    pub expansion: template::Expansion,
}

/// Finds the spec files for a path. Errors are I/O problems with the path itself
/// (a usage error, not a diagnostic).
pub fn locate(vfs: &dyn Vfs, path: &Path, display: &str) -> Result<SpecRoot, String> {
    if vfs.is_dir(path) {
        let files = vfs
            .kdl_files(path)
            .map_err(|e| format!("cannot list {}: {e}", path.display()))?
            .into_iter()
            // Overlays apply only when asked for (`--overlay NAME`).
            .filter(|p| !p.starts_with(OVERLAYS_DIR))
            .collect();
        Ok(SpecRoot {
            dir: path.to_path_buf(),
            files,
            display: display.trim_end_matches('/').to_string(),
            overlay: None,
        })
    } else if vfs.exists(path) {
        let dir = path
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        let name = path
            .file_name()
            .map(PathBuf::from)
            .ok_or_else(|| format!("{} is not a file", path.display()))?;
        let display_dir = Path::new(display)
            .parent()
            .map(slash_path)
            .unwrap_or_default();
        Ok(SpecRoot {
            dir,
            files: vec![name],
            display: display_dir,
            overlay: None,
        })
    } else {
        Err(format!("{}: no such file or directory", display))
    }
}

/// Display name of a spec-relative path.
pub fn display_name(root: &SpecRoot, rel: &str) -> String {
    if root.display.is_empty() || root.display == "." {
        rel.to_string()
    } else {
        format!("{}/{rel}", root.display)
    }
}

fn def_kind(name: &str) -> Option<RefKind> {
    match name {
        "machine" => Some(RefKind::Machine),
        "provider" => Some(RefKind::Provider),
        "model" => Some(RefKind::Model),
        "cache-tier" => Some(RefKind::CacheTier),
        "cluster" => Some(RefKind::Cluster),
        _ => None,
    }
}

/// Reads, parses and merges a spec.
pub fn resolve(
    vfs: &dyn Vfs,
    root: &SpecRoot,
    map: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Resolved {
    let mut out = Resolved::default();
    let mut spec_nodes: Vec<Node> = Vec::new();
    let mut imports: Vec<(String, Span)> = Vec::new();
    let mut blank_files = Vec::new();

    let canon_root = vfs.canonicalize(&root.dir).ok();
    let overlay_files: &[PathBuf] = root.overlay.as_ref().map_or(&[], |(_, f)| f.as_slice());
    let n_base = root.files.len();
    let mut parsed: Vec<Vec<Node>> = Vec::new();
    let mut parsed_overlay: Vec<Vec<Node>> = Vec::new();
    for (i, rel) in root.files.iter().chain(overlay_files).enumerate() {
        let rel_s = slash_path(rel);
        let name = display_name(root, &rel_s);
        if let (Some(cr), Ok(canon)) = (&canon_root, vfs.canonicalize(&root.dir.join(rel)))
            && !canon.starts_with(cr)
        {
            let id = map.add(name.clone(), "");
            diags.push(
                Diagnostic::new(
                    Code::E0204,
                    format!("spec file {name} is a link that leads outside the spec root"),
                )
                .label(Span::new(id, 0, 0), "this file")
                .help("copy the file into the spec directory, or remove the link"),
            );
            continue;
        }
        let bytes = match vfs.read(&root.dir.join(rel)) {
            Ok(b) => b,
            Err(e) => {
                let id = map.add(name.clone(), "");
                let d = if e.kind() == std::io::ErrorKind::FileTooLarge {
                    Diagnostic::new(Code::E0004, format!("{name} is {e}"))
                        .label(Span::new(id, 0, 0), "this file")
                        .help("split the spec into several files; a spec this large is almost certainly generated wrongly")
                } else {
                    Diagnostic::new(Code::E0002, format!("cannot read {name}: {e}"))
                        .label(Span::new(id, 0, 0), "this file")
                };
                diags.push(d);
                continue;
            }
        };
        let text = match String::from_utf8(bytes.clone()) {
            Ok(t) => t,
            Err(e) => {
                let id = map.add(name.clone(), "");
                diags.push(
                    Diagnostic::new(Code::E0002, format!("{name} is not valid UTF-8"))
                        .label(
                            Span::new(id, 0, 0),
                            format!("invalid byte at offset {}", e.utf8_error().valid_up_to()),
                        )
                        .help("save the file as UTF-8"),
                );
                continue;
            }
        };
        out.inputs.push(Input { path: rel_s, bytes });
        let id = map.add(name, text.clone());
        let errors_before = diags.error_count();
        let doc = syntax::parse(id, &text, diags);
        if i < n_base {
            if doc.nodes.is_empty() && diags.error_count() == errors_before {
                blank_files.push(id);
            }
            parsed.push(doc.nodes);
        } else {
            parsed_overlay.push(doc.nodes);
        }
    }
    let (parsed, added, expansion) = template::expand(parsed, parsed_overlay, diags);
    out.expansion = expansion;
    for nodes in parsed.into_iter().chain(added) {
        shape::check_file(&nodes, &ROOT, diags);
        for n in nodes {
            if n.name == "import" {
                if let Some(m) = n.args.first().and_then(|v| v.as_str()) {
                    imports.push((m.to_string(), n.args[0].span));
                }
                continue;
            }
            if n.name == "profile" {
                diags.push(
                    Diagnostic::new(Code::E0101, "profiles are defined by the stdlib, not by specs")
                        .label(n.name_span, "`profile` is reserved for the stdlib")
                        .help("use `profile \"NAME\"` inside a `machine` to choose one of the stdlib profiles"),
                );
                continue;
            }
            for c in n.children.iter().filter(|c| c.name == "import") {
                diags.push(
                    Diagnostic::new(Code::E0206, "`import` must be at the top level of a file")
                        .label(c.name_span, "nested import")
                        .help("move the import to the top of the file"),
                );
            }
            spec_nodes.push(n);
        }
    }
    if !root.files.is_empty() && blank_files.len() == root.files.len() {
        let id = blank_files[0];
        diags.push(
            Diagnostic::new(Code::E0003, "the spec's .kdl files hold no nodes")
                .label(Span::new(id, 0, 0), "empty spec")
                .help("a spec defines machines, models, providers and pods; see examples/ for a start"),
        );
    }
    if root.files.is_empty() {
        let id = map.add(display_name(root, ""), "");
        diags.push(
            Diagnostic::new(Code::E0003, "the spec has no .kdl files")
                .label(Span::new(id, 0, 0), "empty spec")
                .help("a spec is a .kdl file, or a directory containing .kdl files"),
        );
    }

    // Stdlib modules: the prelude plus imports.
    let known = stdlib::module_names();
    let mut modules: BTreeSet<String> = stdlib::PRELUDE.iter().map(|s| s.to_string()).collect();
    for (m, span) in &imports {
        if known.iter().any(|k| k == m) {
            modules.insert(m.clone());
        } else {
            diags.push(
                Diagnostic::new(Code::E0202, format!("unknown stdlib module `{m}`"))
                    .label(*span, "not a stdlib module")
                    .help(match did_you_mean(m, known.iter().map(String::as_str)) {
                        Some(d) => d,
                        None => format!("stdlib modules: {}", known.join(", ")),
                    })
                    .fix_quoted(*span, closest(m, known.iter().map(String::as_str))),
            );
        }
    }
    let mut std_files: BTreeMap<String, &'static str> = BTreeMap::new();
    for m in &modules {
        for f in stdlib::module_files(m) {
            std_files.insert(f.name, f.text);
        }
    }
    out.stdlib_modules = modules.into_iter().collect();
    let mut std_nodes: Vec<Node> = Vec::new();
    for (name, text) in std_files {
        let id = map.add(name.clone(), text);
        let mut std_diags = Diagnostics::new();
        let doc = syntax::parse(id, text, &mut std_diags);
        shape::check_file(&doc.nodes, &ROOT, &mut std_diags);
        for d in std_diags.iter() {
            diags.push(Diagnostic::internal(format!(
                "stdlib module {name} is invalid: {} ({})",
                d.message,
                d.code.qualified()
            )));
        }
        std_nodes.extend(doc.nodes.into_iter().filter(|n| n.name != "import"));
    }

    // Symbols.
    let all = spec_nodes
        .iter()
        .map(|n| (n, Origin::Spec))
        .chain(std_nodes.iter().map(|n| (n, Origin::Stdlib)));
    for (n, origin) in all {
        let (Some(kind), Some(id)) = (def_kind(&n.name), n.args.first()) else {
            continue;
        };
        let Some(name) = id.as_str() else { continue };
        if let Some((first, first_origin)) = out.symbols.get(kind, name) {
            let help = if first_origin == Origin::Stdlib || origin == Origin::Stdlib {
                format!(
                    "the stdlib already defines {} `{name}`; pick another id, or derive from it with `extends=\"{name}\"`",
                    kind.node_name()
                )
            } else {
                format!(
                    "{} ids must be unique across the whole spec",
                    kind.node_name()
                )
            };
            diags.push(
                Diagnostic::new(
                    Code::E0201,
                    format!("{} `{name}` is defined more than once", kind.node_name()),
                )
                .label(id.span, "defined again here")
                .label(first, "first defined here")
                .help(help),
            );
            continue;
        }
        out.symbols.insert(kind, name.to_string(), id.span, origin);
    }

    // Merge `extends` for providers.
    let mut decls: Vec<Decl> = spec_nodes
        .into_iter()
        .map(|node| Decl {
            node,
            origin: Origin::Spec,
        })
        .chain(std_nodes.into_iter().map(|node| Decl {
            node,
            origin: Origin::Stdlib,
        }))
        .collect();
    let providers: BTreeMap<String, Node> = decls
        .iter()
        .filter(|d| d.node.name == "provider")
        .filter_map(|d| {
            d.node
                .args
                .first()
                .and_then(|a| a.as_str())
                .map(|id| (id.to_string(), d.node.clone()))
        })
        .collect();
    for d in decls.iter_mut().filter(|d| d.node.name == "provider") {
        if let Some(merged) = merge_extends(&d.node, &providers, &out.symbols, diags) {
            d.node = merged;
        }
    }
    out.decls = decls;
    out
}

/// Applies `extends` chains; reports unknown bases and cycles.
fn merge_extends(
    node: &Node,
    providers: &BTreeMap<String, Node>,
    symbols: &Symbols,
    diags: &mut Diagnostics,
) -> Option<Node> {
    let mut chain: Vec<String> = Vec::new();
    let mut current = node.clone();
    let mut result_children = node.children.clone();
    let own_id = node.args.first().and_then(|a| a.as_str())?.to_string();
    chain.push(own_id);
    while let Some(ext) = current.prop("extends").cloned() {
        let Some(base_id) = ext.value.as_str() else {
            break;
        };
        if chain.iter().any(|c| c == base_id) {
            diags.push(
                Diagnostic::new(
                    Code::E0207,
                    format!(
                        "provider `{}` extends itself through {}",
                        chain[0],
                        chain.join(" → ")
                    ),
                )
                .label(ext.value.span, "cycle closes here")
                .help("remove one `extends` so the chain ends at a provider without `extends`"),
            );
            return None;
        }
        let Some(base) = providers.get(base_id) else {
            let ids = symbols.ids(RefKind::Provider);
            diags.push(
                Diagnostic::new(Code::E0203, format!("provider `{base_id}` is not defined"))
                    .label(ext.value.span, "extends an unknown provider")
                    .help(match did_you_mean(base_id, ids.iter().copied()) {
                        Some(d) => d,
                        None => "stdlib providers need `import \"std:providers\"` (or one of its submodules)".to_string(),
                    })
                    .fix_quoted(ext.value.span, closest(base_id, ids.iter().copied())),
            );
            return None;
        };
        let own: BTreeSet<&str> = result_children.iter().map(|c| c.name.as_str()).collect();
        let inherited: Vec<Node> = base
            .children
            .iter()
            .filter(|c| !own.contains(c.name.as_str()))
            .cloned()
            .collect();
        let mut merged = inherited;
        merged.extend(result_children);
        result_children = merged;
        chain.push(base_id.to_string());
        current = base.clone();
    }
    let mut out = node.clone();
    out.children = result_children;
    Some(out)
}
