//! Open documents, the file view the compiler sees, and which spec a
//! document belongs to.
//!
//! Takes the editor's open buffers (URI, text, version); produces an
//! [`Overlay`] [`Vfs`] that serves those buffers over the real file system,
//! and the [`Target`] (spec directory or single file) to compile for a
//! document. Reads directories only to find spec roots; never writes.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use amc_lang::vfs::{RealFs, Vfs, normalize, slash_path};

use super::convert::uri_to_path;

/// One open buffer.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The URI as the client sent it.
    pub uri: String,
    /// Its path, for `file:` URIs.
    pub path: Option<PathBuf>,
    /// The buffer's text.
    pub text: String,
    /// The client's version number.
    pub version: i32,
}

/// The open buffers, by URI.
#[derive(Debug, Default)]
pub struct Documents {
    docs: BTreeMap<String, Doc>,
}

impl Documents {
    /// Opens (or replaces) a buffer.
    pub fn open(&mut self, uri: &str, text: String, version: i32) {
        let path = uri_to_path(uri).map(|p| normalize(&p));
        self.docs.insert(
            uri.to_string(),
            Doc {
                uri: uri.to_string(),
                path,
                text,
                version,
            },
        );
    }

    /// Replaces a buffer's text. Returns false when the URI is not open.
    pub fn change(&mut self, uri: &str, text: String, version: i32) -> bool {
        match self.docs.get_mut(uri) {
            Some(d) => {
                d.text = text;
                d.version = version;
                true
            }
            None => false,
        }
    }

    /// Closes a buffer.
    pub fn close(&mut self, uri: &str) -> Option<Doc> {
        self.docs.remove(uri)
    }

    /// An open buffer.
    pub fn get(&self, uri: &str) -> Option<&Doc> {
        self.docs.get(uri)
    }

    /// Every open buffer, by URI.
    pub fn iter(&self) -> impl Iterator<Item = &Doc> {
        self.docs.values()
    }

    /// The URI the client uses for a path, if that path is open.
    pub fn uri_of(&self, path: &Path) -> Option<&str> {
        let p = normalize(path);
        self.docs
            .values()
            .find(|d| d.path.as_deref() == Some(p.as_path()))
            .map(|d| d.uri.as_str())
    }

    /// The file view the compiler reads: open buffers over the disk.
    pub fn overlay(&self) -> Overlay {
        Overlay {
            buffers: self
                .docs
                .values()
                .filter_map(|d| d.path.clone().map(|p| (p, d.text.clone())))
                .collect(),
        }
    }
}

/// Open buffers served over the real file system.
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    buffers: BTreeMap<PathBuf, String>,
}

impl Overlay {
    fn buffer(&self, path: &Path) -> Option<&String> {
        self.buffers.get(&normalize(path))
    }
}

impl Vfs for Overlay {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.buffer(path) {
            Some(t) => Ok(t.clone().into_bytes()),
            None => RealFs.read(path),
        }
    }
    fn is_dir(&self, path: &Path) -> bool {
        RealFs.is_dir(path)
    }
    fn exists(&self, path: &Path) -> bool {
        self.buffer(path).is_some() || RealFs.exists(path)
    }
    fn kdl_files(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        let mut files = if RealFs.is_dir(dir) {
            RealFs.kdl_files(dir)?
        } else {
            Vec::new()
        };
        // Buffers not yet saved are part of the spec too.
        let d = normalize(dir);
        for p in self.buffers.keys() {
            if p.extension().is_some_and(|e| e == "kdl")
                && let Ok(rel) = p.strip_prefix(&d)
                && !files.iter().any(|f| f == rel)
            {
                files.push(rel.to_path_buf());
            }
        }
        files.sort_by_key(|p| slash_path(p));
        Ok(files)
    }
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        RealFs.canonicalize(path).or_else(|_| Ok(normalize(path)))
    }
}

/// What to compile for a document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// A spec directory: every `.kdl` file under it.
    Dir(PathBuf),
    /// A single-file spec.
    File(PathBuf),
    /// A spec directory with one of its overlays applied (`amc check
    /// --overlay NAME`): what an open `overlays/NAME/*.kdl` file belongs to.
    WithOverlay(PathBuf, String),
}

impl Target {
    /// The path handed to the driver.
    pub fn path(&self) -> &Path {
        match self {
            Target::Dir(p) | Target::File(p) | Target::WithOverlay(p, _) => p,
        }
    }
    /// The spec root: the directory relative paths resolve against.
    pub fn root_dir(&self) -> PathBuf {
        match self {
            Target::Dir(p) | Target::WithOverlay(p, _) => p.clone(),
            Target::File(p) => p.parent().map(Path::to_path_buf).unwrap_or_default(),
        }
    }
    /// The overlay applied, if any.
    pub fn overlay(&self) -> Option<&str> {
        match self {
            Target::WithOverlay(_, o) => Some(o),
            Target::Dir(_) | Target::File(_) => None,
        }
    }
}

/// Whether `dir` directly holds a `.kdl` file (on disk or open) other than `except`.
fn holds_kdl(dir: &Path, overlay: &Overlay, except: &Path) -> bool {
    let on_disk = std::fs::read_dir(dir)
        .map(|entries| {
            entries.filter_map(Result::ok).any(|e| {
                let p = e.path();
                p != except
                    && p.extension().is_some_and(|x| x == "kdl")
                    && e.file_type().is_ok_and(|t| t.is_file())
            })
        })
        .unwrap_or(false);
    on_disk
        || overlay.buffers.keys().any(|p| {
            p.parent() == Some(dir) && p != except && p.extension().is_some_and(|x| x == "kdl")
        })
}

/// The spec a document belongs to.
///
/// The root starts at the document's directory and climbs while the parent
/// directory itself holds `.kdl` files (a spec directory with
/// subdirectories), never above a workspace folder, a directory holding
/// `.git`, or the home directory. If the root's only `.kdl` file is the
/// document, the document is a single-file spec.
///
/// A document in `overlays/NAME/` of a spec directory belongs to that spec
/// with overlay `NAME` applied.
pub fn target_for(doc: &Path, overlay: &Overlay, stops: &[PathBuf]) -> Target {
    let doc = normalize(doc);
    let Some(mut root) = doc.parent().map(Path::to_path_buf) else {
        return Target::File(doc);
    };
    if let Some(name) = root.file_name().and_then(|n| n.to_str())
        && let Some(overlays) = root.parent()
        && overlays.file_name().and_then(|n| n.to_str()) == Some(amc_lang::resolve::OVERLAYS_DIR)
        && let Some(base) = overlays.parent()
        && holds_kdl(base, overlay, &doc)
    {
        return Target::WithOverlay(base.to_path_buf(), name.to_string());
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    loop {
        let is_stop = stops.contains(&root)
            || root.join(".git").exists()
            || home.as_deref() == Some(root.as_path());
        let Some(parent) = root.parent().map(Path::to_path_buf) else {
            break;
        };
        if is_stop || parent.as_os_str().is_empty() || !holds_kdl(&parent, overlay, &doc) {
            break;
        }
        root = parent;
    }
    let files = overlay.kdl_files(&root).unwrap_or_default();
    let only_doc = files.len() <= 1 && files.iter().all(|f| root.join(f) == doc);
    if only_doc {
        Target::File(doc)
    } else {
        Target::Dir(root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_serves_buffers_over_the_disk() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.kdl"), "on disk").unwrap();
        std::fs::write(dir.path().join("b.kdl"), "b").unwrap();
        let mut docs = Documents::default();
        let uri = super::super::convert::path_to_uri(&dir.path().join("a.kdl"));
        docs.open(&uri, "in editor".into(), 1);
        let new_uri = super::super::convert::path_to_uri(&dir.path().join("sub/new.kdl"));
        docs.open(&new_uri, "unsaved".into(), 1);
        let o = docs.overlay();
        assert_eq!(o.read(&dir.path().join("a.kdl")).unwrap(), b"in editor");
        assert_eq!(o.read(&dir.path().join("b.kdl")).unwrap(), b"b");
        let files: Vec<String> = o
            .kdl_files(dir.path())
            .unwrap()
            .iter()
            .map(|p| slash_path(p))
            .collect();
        assert_eq!(files, ["a.kdl", "b.kdl", "sub/new.kdl"]);
    }

    #[test]
    fn targets_single_files_and_spec_directories() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("single")).unwrap();
        std::fs::create_dir_all(d.join("multi/pods")).unwrap();
        std::fs::write(d.join("single/spec.kdl"), "").unwrap();
        std::fs::write(d.join("multi/machines.kdl"), "").unwrap();
        std::fs::write(d.join("multi/pods/a.kdl"), "").unwrap();
        let o = Overlay::default();
        let stops = vec![d.to_path_buf()];
        assert_eq!(
            target_for(&d.join("single/spec.kdl"), &o, &stops),
            Target::File(d.join("single/spec.kdl"))
        );
        assert_eq!(
            target_for(&d.join("multi/pods/a.kdl"), &o, &stops),
            Target::Dir(d.join("multi"))
        );
        assert_eq!(
            target_for(&d.join("multi/machines.kdl"), &o, &stops),
            Target::Dir(d.join("multi"))
        );
    }
}
