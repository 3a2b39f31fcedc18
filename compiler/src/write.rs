//! Write: the only stage that touches the output directory.
//!
//! Takes the artifacts map and an output directory; writes every file into a
//! fresh temporary directory beside the target, then swaps it into place, so
//! a reader sees the old tree or the new one, never a mix, and a failure
//! leaves the old tree intact. Refuses to replace a non-empty directory that
//! is not an amc build output.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::emit::Artifacts;
use crate::emit::manifest::MANIFEST;

/// Why writing failed.
#[derive(Debug)]
pub enum WriteError {
    /// The target exists and is not an amc output.
    NotAnAmcOutput(PathBuf),
    /// An artifact path is not a safe relative path.
    BadPath(String),
    /// An I/O error.
    Io(String, io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::NotAnAmcOutput(p) => write!(
                f,
                "{} exists and is not an amc build output (no {MANIFEST}); refusing to replace it",
                p.display()
            ),
            WriteError::BadPath(p) => {
                write!(f, "refusing to write artifact with unsafe path `{p}`")
            }
            WriteError::Io(what, e) => write!(f, "{what}: {e}"),
        }
    }
}

fn io_err(what: impl Into<String>) -> impl FnOnce(io::Error) -> WriteError {
    let what = what.into();
    move |e| WriteError::Io(what, e)
}

fn safe(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.starts_with('/')
        && rel
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
}

/// Whether a directory may be replaced: absent, empty, or an amc output.
pub fn replaceable(out: &Path) -> bool {
    if !out.exists() {
        return true;
    }
    if out.join(MANIFEST).is_file() {
        return true;
    }
    fs::read_dir(out)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false)
}

/// Writes the artifacts to `out`, replacing it.
pub fn write_atomic(out: &Path, artifacts: &Artifacts) -> Result<(), WriteError> {
    if !replaceable(out) {
        return Err(WriteError::NotAnAmcOutput(out.to_path_buf()));
    }
    for rel in artifacts.keys() {
        if !safe(rel) {
            return Err(WriteError::BadPath(rel.clone()));
        }
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io_err(format!("cannot create {}", parent.display())))?;
    let base = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_string());
    let tmp = unique(&parent, &format!(".{base}.amc-new"));
    let result = (|| {
        fs::create_dir(&tmp).map_err(io_err(format!("cannot create {}", tmp.display())))?;
        for (rel, bytes) in artifacts {
            let path = tmp.join(rel);
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)
                    .map_err(io_err(format!("cannot create {}", dir.display())))?;
            }
            fs::write(&path, bytes).map_err(io_err(format!("cannot write {}", path.display())))?;
        }
        if out.exists() {
            let old = unique(&parent, &format!(".{base}.amc-old"));
            fs::rename(out, &old)
                .map_err(io_err(format!("cannot move {} aside", out.display())))?;
            if let Err(e) = fs::rename(&tmp, out) {
                let _ = fs::rename(&old, out);
                return Err(WriteError::Io(
                    format!("cannot move the new build to {}", out.display()),
                    e,
                ));
            }
            let _ = fs::remove_dir_all(&old);
        } else {
            fs::rename(&tmp, out).map_err(io_err(format!(
                "cannot move the new build to {}",
                out.display()
            )))?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}

fn unique(parent: &Path, stem: &str) -> PathBuf {
    let mut i = 0u32;
    loop {
        let p = parent.join(format!("{stem}.{}.{i}", std::process::id()));
        if !p.exists() {
            return p;
        }
        i += 1;
    }
}

/// Replaces one file's contents atomically (a temporary file beside it, then
/// a rename), keeping its permissions. Used by `amc fmt`.
pub fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let base = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".to_string());
    let tmp = unique(&parent, &format!(".{base}.amc-new"));
    let result = (|| {
        fs::write(&tmp, bytes).map_err(io_err(format!("cannot write {}", tmp.display())))?;
        if let Ok(meta) = fs::metadata(path) {
            fs::set_permissions(&tmp, meta.permissions()).map_err(io_err(format!(
                "cannot set permissions of {}",
                tmp.display()
            )))?;
        }
        fs::rename(&tmp, path).map_err(io_err(format!("cannot replace {}", path.display())))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Reads a build output directory back as artifacts (relative slash paths →
/// bytes). A missing directory reads as empty. Used by `amc diff` and
/// `amc build --plan`.
pub fn read_output(dir: &Path) -> Result<Artifacts, WriteError> {
    let mut out = Artifacts::new();
    if !dir.exists() {
        return Ok(out);
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            WriteError::Io(
                format!("cannot read {}", dir.display()),
                io::Error::other(e.to_string()),
            )
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let bytes = fs::read(entry.path())
            .map_err(io_err(format!("cannot read {}", entry.path().display())))?;
        out.insert(crate::vfs::slash_path(rel), bytes);
    }
    Ok(out)
}
