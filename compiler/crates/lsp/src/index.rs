//! Where things are defined: the definitions of one spec and of the stdlib.
//!
//! Takes a [`Target`] and the [`Vfs`] (open buffers over the disk); produces
//! an [`Index`] of every top-level `machine`, `provider`, `model`,
//! `cache-tier`, `cluster` and `profile` with its id, span and description,
//! built from the tolerant outline so it works while a file does not parse.
//! Also materialises a read-only copy of the embedded stdlib so editors can
//! open stdlib definitions; that copy is the only thing the server writes.

use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use amc_lang::resolve::stdlib;
use amc_lang::vfs::Vfs;

use super::outline::outline;
use super::store::Target;

/// Node names that define something referable, by id.
pub const DEFINING: &[&str] = &[
    "machine",
    "provider",
    "model",
    "cache-tier",
    "cluster",
    "profile",
];

/// A file definitions live in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    /// A spec file.
    Path(PathBuf),
    /// A stdlib module file, e.g. `std:providers/vllm`.
    Std(String),
}

/// One definition.
#[derive(Debug, Clone)]
pub struct Def {
    /// Node name (`provider`).
    pub kind: &'static str,
    /// Its id.
    pub id: String,
    /// Index into [`Index::files`].
    pub file: usize,
    /// Byte range of the node name.
    pub name_span: (usize, usize),
    /// Byte range of the id argument.
    pub id_span: (usize, usize),
    /// The `description` child, if any.
    pub description: Option<String>,
}

/// Definitions of a spec (first) and of the whole stdlib (after).
#[derive(Debug, Default)]
pub struct Index {
    /// Every file read, with its text.
    pub files: Vec<(Place, String)>,
    /// Every definition, spec files first.
    pub defs: Vec<Def>,
}

impl Index {
    /// Indexes the spec a document belongs to, and the stdlib.
    pub fn build(target: &Target, vfs: &dyn Vfs) -> Index {
        let mut idx = Index::default();
        let paths: Vec<PathBuf> = match target {
            Target::File(p) => vec![p.clone()],
            Target::Dir(d) | Target::WithOverlay(d, _) => {
                let overlays = Path::new(amc_lang::resolve::OVERLAYS_DIR);
                let applied = target.overlay().map(|o| overlays.join(o));
                vfs.kdl_files(d)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|rel| {
                        !rel.starts_with(overlays)
                            || applied.as_ref().is_some_and(|a| rel.starts_with(a))
                    })
                    .map(|rel| d.join(rel))
                    .collect()
            }
        };
        for p in paths {
            if let Ok(text) = vfs.read(&p).map(String::from_utf8)
                && let Ok(text) = text
            {
                idx.add(Place::Path(p), text);
            }
        }
        for f in stdlib::all_files() {
            idx.add(Place::Std(f.name), f.text.to_string());
        }
        idx
    }

    fn add(&mut self, place: Place, text: String) {
        let file = self.files.len();
        let nodes = outline(&text);
        // Top-level definitions, and what each `for-each` stamps (by its
        // stamped ids, at the template).
        for (n, id) in super::references::with_ids(&nodes) {
            let Some(kind) = DEFINING.iter().copied().find(|k| *k == n.name) else {
                continue;
            };
            let Some(at) = n.args.first() else { continue };
            let description = n
                .children
                .iter()
                .find(|c| c.name == "description")
                .and_then(|c| c.first_arg())
                .map(str::to_string);
            self.defs.push(Def {
                kind,
                id,
                file,
                name_span: n.name_span,
                id_span: at.span,
                description,
            });
        }
        self.files.push((place, text));
    }

    /// The definition of `kind` `id` (the spec's before the stdlib's).
    pub fn find(&self, kind: &str, id: &str) -> Option<&Def> {
        self.defs.iter().find(|d| d.kind == kind && d.id == id)
    }

    /// Every definition of a kind, each id once (the spec's first).
    pub fn of_kind(&self, kind: &str) -> Vec<&Def> {
        let mut out: Vec<&Def> = Vec::new();
        for d in self.defs.iter().filter(|d| d.kind == kind) {
            if !out.iter().any(|o| o.id == d.id) {
                out.push(d);
            }
        }
        out
    }

    /// Where a definition's file is, and its text.
    pub fn file(&self, d: &Def) -> Option<&(Place, String)> {
        self.files.get(d.file)
    }
}

/// Where the read-only stdlib copy goes by default: the user's cache
/// directory, one directory per amc version and stdlib content.
pub fn default_stdlib_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    let mut h = Sha256::new();
    for f in stdlib::all_files() {
        h.update(f.name.as_bytes());
        h.update([0]);
        h.update(f.text.as_bytes());
        h.update([0]);
    }
    let digest = h.finalize();
    let short: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    base.join("amc")
        .join(format!("stdlib-{}-{short}", amc_syntax::VERSION))
}

/// The path of a stdlib file (`std:providers/vllm`) inside a copy at `dir`.
pub fn stdlib_file(dir: &Path, name: &str) -> PathBuf {
    let rel = name.strip_prefix("std:").unwrap_or(name);
    dir.join(format!("{rel}.kdl"))
}

/// Whether a path is inside a stdlib copy at `dir`.
pub fn in_stdlib_copy(dir: &Path, path: &Path) -> bool {
    path.starts_with(dir)
}

/// Writes the stdlib to `dir` once, read-only. Files already there are kept.
pub fn materialise_stdlib(dir: &Path) -> io::Result<()> {
    for f in stdlib::all_files() {
        let path = stdlib_file(dir, &f.name);
        if path.exists() {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, f.text)?;
        let mut perms = std::fs::metadata(&path)?.permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&path, perms)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use amc_lang::vfs::MemoryFs;

    #[test]
    fn indexes_spec_then_stdlib() {
        let mut fs = MemoryFs::new();
        fs.insert(
            "s/a.kdl",
            "provider \"mine\" extends=\"vllm\" {\n  description \"Mine.\"\n}\n",
        );
        fs.insert("s/b.kdl", "machine \"m1\" {\n");
        let idx = Index::build(&Target::Dir(PathBuf::from("s")), &fs);
        let mine = idx.find("provider", "mine").unwrap();
        assert_eq!(mine.description.as_deref(), Some("Mine."));
        assert_eq!(
            idx.files[mine.file].0,
            Place::Path(PathBuf::from("s/a.kdl"))
        );
        // The half-typed machine is still a definition.
        assert!(idx.find("machine", "m1").is_some());
        let vllm = idx.find("provider", "vllm").unwrap();
        assert_eq!(
            idx.files[vllm.file].0,
            Place::Std("std:providers/vllm".into())
        );
        assert!(idx.find("profile", "m2-asahi-linux").is_some());
    }

    #[test]
    fn stdlib_copy_is_read_only_and_complete() {
        let dir = tempfile::tempdir().unwrap();
        materialise_stdlib(dir.path()).unwrap();
        materialise_stdlib(dir.path()).unwrap();
        for f in stdlib::all_files() {
            let p = stdlib_file(dir.path(), &f.name);
            assert_eq!(std::fs::read_to_string(&p).unwrap(), f.text);
            assert!(std::fs::metadata(&p).unwrap().permissions().readonly());
        }
    }
}
