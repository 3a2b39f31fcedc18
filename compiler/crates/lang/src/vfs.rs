//! File access for loading specs, behind a trait.
//!
//! Takes paths; produces bytes and directory listings. The real
//! implementation reads the disk; [`MemoryFs`] serves tests and editors.
//! Only the `resolve` stage reads through this; no other stage does I/O
//! except `write`.

use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Read-only file access.
pub trait Vfs {
    /// Reads a file.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// Whether the path is a directory.
    fn is_dir(&self, path: &Path) -> bool;
    /// Whether the path exists.
    fn exists(&self, path: &Path) -> bool;
    /// Every `.kdl` file under a directory, recursively, as paths relative to it.
    fn kdl_files(&self, dir: &Path) -> io::Result<Vec<PathBuf>>;
    /// Resolves symlinks (identity where there are none).
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf>;
}

/// The real file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct RealFs;

/// The largest input file amc reads (spec files, JSON documents, keys).
pub const MAX_INPUT_BYTES: u64 = 32 * 1024 * 1024;

impl Vfs for RealFs {
    /// Reads a regular file of at most [`MAX_INPUT_BYTES`]. Devices, FIFOs and
    /// sockets are refused before they are opened (`/dev/zero` never ends, a
    /// FIFO blocks until a writer comes).
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        use std::io::Read;
        let meta = std::fs::metadata(path)?;
        if !meta.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a regular file (devices, FIFOs and sockets are not read)",
            ));
        }
        if meta.len() > MAX_INPUT_BYTES {
            return Err(too_large());
        }
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        std::fs::File::open(path)?
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_INPUT_BYTES {
            return Err(too_large());
        }
        Ok(bytes)
    }
    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }
    fn kdl_files(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        for entry in walkdir::WalkDir::new(dir).follow_links(false) {
            let entry = entry.map_err(io::Error::other)?;
            // Links are listed too (not followed while walking): the
            // resolver refuses one that leads out of the spec root.
            let file =
                entry.file_type().is_file() || (entry.path_is_symlink() && entry.path().is_file());
            if file
                && entry.path().extension().is_some_and(|e| e == "kdl")
                && let Ok(rel) = entry.path().strip_prefix(dir)
            {
                out.push(rel.to_path_buf());
            }
        }
        out.sort_by_key(|p| slash_path(p));
        Ok(out)
    }
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        std::fs::canonicalize(path)
    }
}

fn too_large() -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!(
            "larger than {} MiB, the limit for an input file",
            MAX_INPUT_BYTES / (1024 * 1024)
        ),
    )
}

/// An in-memory file system (tests, editors).
#[derive(Debug, Clone, Default)]
pub struct MemoryFs {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl MemoryFs {
    /// Empty.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a file.
    pub fn insert(&mut self, path: impl Into<PathBuf>, text: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), text.into());
    }
}

impl Vfs for MemoryFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.files
            .get(&normalize(path))
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }
    fn is_dir(&self, path: &Path) -> bool {
        let p = normalize(path);
        self.files.keys().any(|k| k.starts_with(&p) && *k != p)
    }
    fn exists(&self, path: &Path) -> bool {
        let p = normalize(path);
        self.files.contains_key(&p) || self.is_dir(&p)
    }
    fn kdl_files(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        let d = normalize(dir);
        let mut out: Vec<PathBuf> = self
            .files
            .keys()
            .filter(|k| k.extension().is_some_and(|e| e == "kdl"))
            .filter_map(|k| k.strip_prefix(&d).ok().map(Path::to_path_buf))
            .collect();
        out.sort_by_key(|p| slash_path(p));
        Ok(out)
    }
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        Ok(normalize(path))
    }
}

/// A relative path written with `/` separators, for display and manifests.
pub fn slash_path(p: &Path) -> String {
    p.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".to_string()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Lexically normalises a path (removes `.` and resolves `..` where possible).
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Joins a spec-relative path to the root, refusing anything that escapes it.
/// Returns the joined path, or why it is refused.
pub fn join_inside(root: &Path, rel: &str) -> Result<PathBuf, String> {
    let p = Path::new(rel);
    if p.is_absolute() || rel.starts_with('/') || rel.starts_with('\\') {
        return Err("is absolute; paths in a spec are relative to the spec root".into());
    }
    let mut depth: i32 = 0;
    for c in p.components() {
        match c {
            Component::ParentDir => {
                depth -= 1;
                if depth < 0 {
                    return Err("leaves the spec root".into());
                }
            }
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            _ => return Err("is not a plain relative path".into()),
        }
    }
    Ok(normalize(&root.join(p)))
}
