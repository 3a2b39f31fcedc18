//! The embedded standard library.
//!
//! `stdlib/` is compiled into the binary. A module is a file
//! (`std:providers/llama-cpp` is `stdlib/providers/llama-cpp.kdl`) or a
//! directory (`std:providers` is every file in `stdlib/providers/`). Pure
//! lookups; no disk access at run time.

use include_dir::{Dir, include_dir};

static STDLIB: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../../stdlib");

/// Modules loaded into every spec without an import.
pub const PRELUDE: &[&str] = &["std:placement", "std:profiles"];

/// One stdlib file.
#[derive(Debug, Clone)]
pub struct StdFile {
    /// Display name, e.g. `std:providers/llama-cpp`.
    pub name: String,
    /// Its text.
    pub text: &'static str,
}

fn file_name(path: &std::path::Path) -> String {
    let s = crate::vfs::slash_path(path);
    format!("std:{}", s.strip_suffix(".kdl").unwrap_or(&s))
}

/// Every stdlib `.kdl` file, sorted by name.
pub fn all_files() -> Vec<StdFile> {
    let mut out = Vec::new();
    collect(&STDLIB, &mut out);
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn collect(dir: &'static Dir<'static>, out: &mut Vec<StdFile>) {
    for f in dir.files() {
        if f.path().extension().is_some_and(|e| e == "kdl")
            && let Some(text) = f.contents_utf8()
        {
            out.push(StdFile {
                name: file_name(f.path()),
                text,
            });
        }
    }
    for d in dir.dirs() {
        collect(d, out);
    }
}

/// Every importable module name (files and directories), sorted.
pub fn module_names() -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for f in all_files() {
        let mut name = f.name.clone();
        names.push(name.clone());
        while let Some((parent, _)) = name.rsplit_once('/') {
            names.push(parent.to_string());
            name = parent.to_string();
        }
    }
    names.sort();
    names.dedup();
    names
}

/// The files a module name stands for (empty when unknown).
pub fn module_files(module: &str) -> Vec<StdFile> {
    let prefix = format!("{module}/");
    all_files()
        .into_iter()
        .filter(|f| f.name == module || f.name.starts_with(&prefix))
        .collect()
}

/// The stdlib file that defines `NODE "ID"` at its top level (e.g. `provider "vllm"`), if any.
pub fn defining_module(node: &str, id: &str) -> Option<String> {
    all_files().into_iter().find_map(|f| {
        let mut map = amc_syntax::source::SourceMap::new();
        let file = map.add(f.name.clone(), f.text);
        let doc = amc_syntax::syntax::parse(
            file,
            f.text,
            &mut amc_syntax::diagnostics::Diagnostics::new(),
        );
        doc.nodes
            .iter()
            .any(|n| n.name == node && n.args.first().and_then(|a| a.as_str()) == Some(id))
            .then_some(f.name)
    })
}
