//! Write: the only stage that touches the output directory.
//!
//! Takes the artifacts map and an output directory; writes every file into a
//! fresh staging directory beside the target, then swaps it into place with
//! one atomic `renameat2(RENAME_EXCHANGE)` (Linux; elsewhere, and on file
//! systems without it, two renames), so a reader sees the old tree or the new
//! one, never a mix or nothing, and a failure leaves the old tree intact.
//!
//! Only a directory that amc's own manifest fully describes is replaced:
//! every file listed in its `amc-build.json` (or one of the signature
//! files), every directory the parent of one, nothing else. A lock file
//! beside the output (`.OUT.amc-lock`, `flock`) makes a second build into
//! the same directory fail at once instead of racing; under the lock, staging
//! directories left by a killed build (`.OUT.amc-new.*`, `.OUT.amc-old.*`)
//! are swept. Files are written 0644 and directories 0755 whatever the umask,
//! so `amc verify` can tell a changed mode.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use amc_emit::Artifacts;
use amc_emit::manifest::MANIFEST;

/// Mode of every file amc writes.
pub const FILE_MODE: u32 = 0o644;
/// Mode of every directory amc writes.
pub const DIR_MODE: u32 = 0o755;

/// Why writing failed.
#[derive(Debug)]
pub enum WriteError {
    /// The target exists and is not (only) an amc output.
    NotAnAmcOutput(PathBuf, String),
    /// Another build holds the output's lock.
    Locked(PathBuf),
    /// An artifact path is not a safe relative path.
    BadPath(String),
    /// An I/O error.
    Io(String, io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::NotAnAmcOutput(p, why) => write!(
                f,
                "{} exists and is not an amc build output ({why}); refusing to replace it",
                p.display()
            ),
            WriteError::Locked(p) => write!(
                f,
                "another amc build is writing {} (its lock is held); try again when it has finished",
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

/// Something in an output directory that amc never writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Oddity {
    /// A directory holding nothing.
    EmptyDir,
    /// A symbolic link.
    Symlink,
    /// A device, FIFO or socket.
    Special,
    /// A file or directory whose mode amc would not have given it
    /// (executable, world-writable, set-id or sticky, or unreadable).
    Mode(u32),
}

impl Oddity {
    /// What it is, for messages.
    pub fn describe(&self) -> String {
        match self {
            Oddity::EmptyDir => "an empty directory".into(),
            Oddity::Symlink => "a symbolic link".into(),
            Oddity::Special => "a device, FIFO or socket".into(),
            Oddity::Mode(m) => format!("mode {m:04o}"),
        }
    }
}

/// An output directory as found on disk.
#[derive(Debug, Default)]
pub struct Scan {
    /// Regular files: relative slash path → bytes.
    pub files: Artifacts,
    /// Entries amc would not have written, by relative slash path.
    pub oddities: Vec<(String, Oddity)>,
}

#[cfg(unix)]
fn mode_of(meta: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_of(meta: &fs::Metadata) -> u32 {
    if meta.is_dir() { DIR_MODE } else { FILE_MODE }
}

/// Whether a mode is one amc could have written, allowing for a checkout
/// under a group-writable umask: no exec bit on files, nothing
/// world-writable, no set-id or sticky bit, readable and (dirs) searchable
/// by the owner.
fn odd_mode(mode: u32, dir: bool) -> bool {
    let special = mode & 0o7000 != 0 || mode & 0o002 != 0;
    if dir {
        special || mode & 0o500 != 0o500
    } else {
        special || mode & 0o111 != 0 || mode & 0o400 == 0
    }
}

/// Reads an output directory: its regular files, and everything else it
/// holds that amc never writes. A missing directory scans as empty.
pub fn scan_output(dir: &Path) -> Result<Scan, WriteError> {
    scan(dir, true)
}

/// [`scan_output`], reading the bytes of regular files only when `read`
/// (else each file maps to no bytes: only its name and mode are looked at).
fn scan(dir: &Path, read: bool) -> Result<Scan, WriteError> {
    let mut out = Scan::default();
    if !dir.exists() {
        return Ok(out);
    }
    let cannot = |e: walkdir::Error| {
        WriteError::Io(
            format!("cannot read {}", dir.display()),
            io::Error::other(e.to_string()),
        )
    };
    let mut parents: BTreeSet<String> = BTreeSet::new();
    let mut dirs: Vec<String> = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = entry.map_err(cannot)?;
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let rel_s = amc_lang::vfs::slash_path(rel);
        let ft = entry.file_type();
        if let Some(p) = rel.parent() {
            parents.insert(amc_lang::vfs::slash_path(p));
        }
        if ft.is_symlink() {
            out.oddities.push((rel_s, Oddity::Symlink));
            continue;
        }
        let meta = entry.metadata().map_err(cannot)?;
        let mode = mode_of(&meta);
        if ft.is_dir() {
            if !rel_s.is_empty() {
                dirs.push(rel_s.clone());
                if odd_mode(mode, true) {
                    out.oddities.push((rel_s, Oddity::Mode(mode)));
                }
            }
            continue;
        }
        if !ft.is_file() {
            out.oddities.push((rel_s, Oddity::Special));
            continue;
        }
        if odd_mode(mode, false) {
            out.oddities.push((rel_s.clone(), Oddity::Mode(mode)));
        }
        let bytes = if read {
            fs::read(entry.path())
                .map_err(io_err(format!("cannot read {}", entry.path().display())))?
        } else {
            Vec::new()
        };
        out.files.insert(rel_s, bytes);
    }
    for d in dirs {
        if !parents.contains(&d) {
            out.oddities.push((d, Oddity::EmptyDir));
        }
    }
    out.oddities.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Why `out` may not be replaced, if it may not: it must be absent, empty,
/// or a directory whose `amc-build.json` lists every file in it (signature
/// files aside) and which holds nothing else.
pub fn not_replaceable(out: &Path) -> Option<String> {
    replaceable_scan(out).err()
}

/// [`not_replaceable`], keeping what it found: the names and modes in `out`
/// (None when it is absent or empty), which the write compares with.
fn replaceable_scan(out: &Path) -> Result<Option<Scan>, String> {
    if !out.exists() {
        return Ok(None);
    }
    if !out.is_dir() {
        return Err("it is not a directory".into());
    }
    let empty = fs::read_dir(out)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    if empty {
        return Ok(None);
    }
    // Names and modes are enough; of the contents only the manifest's.
    let scan = match scan(out, false) {
        Ok(s) => s,
        Err(e) => return Err(e.to_string()),
    };
    if !scan.files.contains_key(MANIFEST) {
        return Err(format!("no {MANIFEST}"));
    }
    let Ok(manifest) = fs::read(out.join(MANIFEST)) else {
        return Err(format!("its {MANIFEST} cannot be read"));
    };
    let Ok(view) = crate::sign::ManifestView::parse(&manifest) else {
        return Err(format!("its {MANIFEST} cannot be read"));
    };
    let mut known: BTreeSet<&str> = crate::sign::SIGNATURE_FILES.iter().copied().collect();
    known.insert(MANIFEST);
    known.extend(view.artifacts.iter().map(|a| a.path.as_str()));
    let foreign: Vec<&str> = scan
        .files
        .keys()
        .map(String::as_str)
        .filter(|p| !known.contains(p))
        .chain(
            scan.oddities
                .iter()
                .filter(|(_, o)| !matches!(o, Oddity::Mode(_)))
                .map(|(p, _)| p.as_str()),
        )
        .collect();
    if foreign.is_empty() {
        return Ok(Some(scan));
    }
    let shown: Vec<&str> = foreign.iter().take(5).copied().collect();
    Err(format!(
        "{} not listed in its {MANIFEST}: {}{}",
        if foreign.len() == 1 {
            "1 entry is"
        } else {
            "entries are"
        },
        shown.join(", "),
        if foreign.len() > shown.len() {
            format!(" and {} more", foreign.len() - shown.len())
        } else {
            String::new()
        }
    ))
}

/// Whether a directory may be replaced (see [`not_replaceable`]).
pub fn replaceable(out: &Path) -> bool {
    not_replaceable(out).is_none()
}

/// Where the output's siblings (lock, staging directories) live, and their
/// common name stem `.OUT`.
fn beside(out: &Path) -> (PathBuf, String) {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let base = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_string());
    (parent, format!(".{base}"))
}

/// Where `amc build` keeps its rebuild record for `out`: `.OUT.amc-cache.json`
/// beside it, never inside (the output holds only what the manifest lists).
pub fn cache_path(out: &Path) -> PathBuf {
    let (parent, stem) = beside(out);
    parent.join(format!("{stem}.amc-cache.json"))
}

/// One step of a tree digest: a file's path and the digest of its bytes.
fn tree_entry(h: &mut sha2::Sha256, rel: &str, bytes: &[u8]) {
    use sha2::Digest;
    h.update(rel.as_bytes());
    h.update([0]);
    h.update(sha2::Sha256::digest(bytes));
}

fn tree_finish(h: sha2::Sha256) -> String {
    use sha2::Digest;
    format!("sha256:{}", amc_syntax::hash::hex(&h.finalize()))
}

/// The digest of a tree of files, as [`write_atomic`] writes them: every
/// path, in order, with the digest of its bytes.
pub fn tree_digest(artifacts: &Artifacts) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for (rel, bytes) in artifacts {
        tree_entry(&mut h, rel, bytes);
    }
    tree_finish(h)
}

/// [`tree_digest`] of the directory `out` as it is on disk, when it holds
/// only what [`write_atomic`] writes: regular files of mode 0644, no empty
/// directory, link, device or odd directory mode. None when it holds
/// anything else or cannot be read. One pass: each file is opened, checked
/// and read once.
pub fn tree_digest_on_disk(out: &Path) -> Option<String> {
    use sha2::Digest;
    use std::io::Read;
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let mut parents: BTreeSet<String> = BTreeSet::new();
    let mut dirs: Vec<String> = Vec::new();
    for entry in walkdir::WalkDir::new(out).follow_links(false) {
        let entry = entry.ok()?;
        let rel = entry.path().strip_prefix(out).ok()?;
        let rel_s = amc_lang::vfs::slash_path(rel);
        if let Some(p) = rel.parent() {
            parents.insert(amc_lang::vfs::slash_path(p));
        }
        let ft = entry.file_type();
        if ft.is_dir() {
            if !rel_s.is_empty() {
                if odd_mode(mode_of(&entry.metadata().ok()?), true) {
                    return None;
                }
                dirs.push(rel_s);
            }
        } else if ft.is_file() {
            files.push((rel_s, entry.into_path()));
        } else {
            return None;
        }
    }
    if files.is_empty() || dirs.iter().any(|d| !parents.contains(d)) {
        return None;
    }
    // The order of `tree_digest`: the artifacts' (string) order.
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut h = sha2::Sha256::new();
    let mut buf = Vec::new();
    for (rel, path) in &files {
        let mut f = fs::File::open(path).ok()?;
        let meta = f.metadata().ok()?;
        if !meta.is_file() || mode_of(&meta) != FILE_MODE {
            return None;
        }
        buf.clear();
        f.read_to_end(&mut buf).ok()?;
        tree_entry(&mut h, rel, &buf);
    }
    Some(tree_finish(h))
}

/// An exclusive lock on an output directory, held while it is written.
pub struct OutputLock {
    #[cfg(unix)]
    _file: fs::File,
}

/// Takes the output's lock, failing at once if another build holds it.
pub fn lock(out: &Path) -> Result<OutputLock, WriteError> {
    let (parent, stem) = beside(out);
    fs::create_dir_all(&parent).map_err(io_err(format!("cannot create {}", parent.display())))?;
    let path = parent.join(format!("{stem}.amc-lock"));
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_err(format!("cannot open the lock {}", path.display())))?;
    #[cfg(unix)]
    {
        match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(OutputLock { _file: file }),
            Err(e) if e == rustix::io::Errno::WOULDBLOCK => {
                Err(WriteError::Locked(out.to_path_buf()))
            }
            Err(e) => Err(WriteError::Io(
                format!("cannot lock {}", path.display()),
                e.into(),
            )),
        }
    }
    #[cfg(not(unix))]
    {
        drop(file);
        Ok(OutputLock {})
    }
}

/// Removes staging directories a killed build left beside `out` (call with
/// the lock held: no live build owns them then).
fn sweep(parent: &Path, stem: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefixes = [format!("{stem}.amc-new."), format!("{stem}.amc-old.")];
    let record = format!("{stem}.amc-cache.new.");
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if prefixes.iter().any(|p| name.starts_with(p.as_str()))
            && e.file_type().is_ok_and(|t| t.is_dir())
        {
            let _ = fs::remove_dir_all(e.path());
        } else if name.starts_with(&record) && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// Under the output's lock, removes what killed builds left beside `out`
/// (as every write does first). `Err` when another build holds the lock.
pub fn lock_and_sweep(out: &Path) -> Result<OutputLock, WriteError> {
    let l = lock(out)?;
    let (parent, stem) = beside(out);
    sweep(&parent, &stem);
    Ok(l)
}

/// Replaces the rebuild record beside `out` ([`cache_path`]) under the
/// output's lock: a temporary file beside it, then a rename. `Err` when
/// another build holds the lock or the file cannot be written (the record
/// is then removed, if it can be: a stale one would only cost a check).
pub fn write_cache_record(out: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let _lock = lock(out)?;
    let (parent, stem) = beside(out);
    let path = cache_path(out);
    let tmp = unique(&parent, &format!("{stem}.amc-cache.new"));
    let result = fs::write(&tmp, bytes)
        .and_then(|()| fs::rename(&tmp, &path))
        .map_err(io_err(format!("cannot write {}", path.display())));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
        let _ = fs::remove_file(&path);
    }
    result
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

/// Swaps two directory entries atomically; `Ok(false)` when the platform or
/// file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<bool> {
    Ok(false)
}

/// What [`write_atomic`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// Files whose bytes were written.
    pub written: usize,
    /// Files with the same bytes (and mode) as in the previous build: linked
    /// into the new tree from it, never rewritten.
    pub kept: usize,
    /// Every file was the same and there was nothing else: the output was
    /// left untouched (no new tree, no swap).
    pub unchanged: bool,
}

/// For each artifact, whether `out` already holds exactly these bytes under
/// its path, as a regular file with amc's mode; and whether `out` holds
/// nothing else at all.
fn previous(out: &Path, old: &Scan, artifacts: &Artifacts) -> (Vec<bool>, bool) {
    let same: Vec<bool> = artifacts
        .iter()
        .map(|(rel, bytes)| {
            // A regular file (links and devices are not in `files`) whose
            // mode is exactly amc's and whose bytes are these.
            old.files.contains_key(rel)
                && fs::metadata(out.join(rel))
                    .is_ok_and(|m| m.len() == bytes.len() as u64 && mode_of(&m) == FILE_MODE)
                && fs::read(out.join(rel)).is_ok_and(|b| b == *bytes)
        })
        .collect();
    let nothing_else = old.oddities.is_empty()
        && old.files.len() == artifacts.len()
        && old.files.keys().all(|k| artifacts.contains_key(k));
    (same, nothing_else)
}

/// Writes the artifacts to `out`, replacing it (see the module docs). A file
/// whose bytes the previous build already wrote is linked from it, not
/// rewritten; when nothing differs at all the output is left as it is.
pub fn write_atomic(out: &Path, artifacts: &Artifacts) -> Result<Written, WriteError> {
    for rel in artifacts.keys() {
        if !safe(rel) {
            return Err(WriteError::BadPath(rel.clone()));
        }
    }
    let _lock = lock(out)?;
    let old =
        replaceable_scan(out).map_err(|why| WriteError::NotAnAmcOutput(out.to_path_buf(), why))?;
    let (parent, stem) = beside(out);
    sweep(&parent, &stem);
    let (same, nothing_else) = match &old {
        Some(old) => previous(out, old, artifacts),
        None => (vec![false; artifacts.len()], false),
    };
    let mut done = Written {
        kept: same.iter().filter(|s| **s).count(),
        ..Written::default()
    };
    if nothing_else && done.kept == artifacts.len() {
        done.unchanged = true;
        return Ok(done);
    }
    done.written = artifacts.len() - done.kept;
    let tmp = unique(&parent, &format!("{stem}.amc-new"));
    let result = (|| {
        fs::create_dir(&tmp).map_err(io_err(format!("cannot create {}", tmp.display())))?;
        set_mode(&tmp, DIR_MODE)
            .map_err(io_err(format!("cannot set the mode of {}", tmp.display())))?;
        let mut made: BTreeSet<PathBuf> = BTreeSet::new();
        for ((rel, bytes), &same) in artifacts.iter().zip(&same) {
            let path = tmp.join(rel);
            if let Some(dir) = path.parent()
                && !made.contains(dir)
            {
                fs::create_dir_all(dir)
                    .map_err(io_err(format!("cannot create {}", dir.display())))?;
                let mut d = dir;
                while d != tmp && made.insert(d.to_path_buf()) {
                    set_mode(d, DIR_MODE)
                        .map_err(io_err(format!("cannot set the mode of {}", d.display())))?;
                    match d.parent() {
                        Some(p) => d = p,
                        None => break,
                    }
                }
            }
            // The previous build's file has these bytes: share it. (amc never
            // changes a file in place, and the old tree goes once swapped.)
            if same && fs::hard_link(out.join(rel), &path).is_ok() {
                continue;
            }
            fs::write(&path, bytes).map_err(io_err(format!("cannot write {}", path.display())))?;
            set_mode(&path, FILE_MODE)
                .map_err(io_err(format!("cannot set the mode of {}", path.display())))?;
        }
        if out.exists() {
            if exchange(&tmp, out).map_err(io_err(format!(
                "cannot swap the new build into {}",
                out.display()
            )))? {
                // `tmp` now holds the previous build.
                let _ = fs::remove_dir_all(&tmp);
                return Ok(());
            }
            let old = unique(&parent, &format!("{stem}.amc-old"));
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
    result.map(|()| done)
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
    scan_output(dir).map(|s| s.files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn artifacts(files: &[(&str, &str)]) -> Artifacts {
        let mut a: Artifacts = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
            .collect();
        // A manifest listing them, so the directory stays replaceable.
        let list: Vec<serde_json::Value> = a
            .iter()
            .map(|(p, b)| serde_json::json!({"path": p, "sha256": amc_syntax::hash::sha256_prefixed(b), "bytes": b.len()}))
            .collect();
        a.insert(
            MANIFEST.to_string(),
            serde_json::to_vec(&serde_json::json!({
                "schemaVersion": "amc.build/v1",
                "compiler": {"name": "amc", "version": "test"},
                "decidedAt": amc_syntax::EPOCH,
                "decisionTimeSet": false,
                "inputs": [],
                "artifacts": list,
            }))
            .unwrap(),
        );
        a
    }

    #[test]
    fn identical_files_are_kept_and_an_identical_build_touches_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let first = artifacts(&[("a/x.json", "1\n"), ("a/y.json", "2\n"), ("z.txt", "z\n")]);
        let w = write_atomic(&out, &first).unwrap();
        assert_eq!((w.written, w.kept, w.unchanged), (4, 0, false));
        let ino = |p: &str| fs::metadata(out.join(p)).unwrap().ino();
        let before = (ino("a/x.json"), ino("a/y.json"), ino("z.txt"));
        // The same bytes again: nothing is written, not even a new tree.
        let w = write_atomic(&out, &first).unwrap();
        assert_eq!((w.written, w.kept, w.unchanged), (0, 4, true));
        assert_eq!((ino("a/x.json"), ino("a/y.json"), ino("z.txt")), before);
        // One file changes and one goes: the others are the very same files.
        let second = artifacts(&[("a/x.json", "1\n"), ("z.txt", "zz\n")]);
        let w = write_atomic(&out, &second).unwrap();
        assert!(!w.unchanged);
        assert_eq!(ino("a/x.json"), before.0);
        assert_ne!(ino("z.txt"), before.2);
        assert_eq!(fs::read(out.join("z.txt")).unwrap(), b"zz\n");
        assert!(!out.join("a/y.json").exists());
        assert_eq!(read_output(&out).unwrap(), second);
        // A file whose mode was changed by hand is rewritten, not kept.
        set_mode(&out.join("a/x.json"), 0o600).unwrap();
        let w = write_atomic(&out, &second).unwrap();
        assert!(!w.unchanged);
        let mode = fs::metadata(out.join("a/x.json")).unwrap().mode() & 0o777;
        assert_eq!(mode, FILE_MODE);
        // A file edited by hand (same size) is rewritten too.
        fs::write(out.join("a/x.json"), "9\n").unwrap();
        set_mode(&out.join("a/x.json"), FILE_MODE).unwrap();
        let w = write_atomic(&out, &second).unwrap();
        assert!(!w.unchanged);
        assert_eq!(fs::read(out.join("a/x.json")).unwrap(), b"1\n");
    }
}
