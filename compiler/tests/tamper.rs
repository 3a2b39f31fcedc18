//! `amc verify` detects every tampering of a signed output: 200 random
//! single-byte flips spread over all its files, and files added, removed
//! and renamed. Each edit is made on the real directory, verified with the
//! CLI, and undone.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn amc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_amc"));
    c.current_dir(repo());
    c
}

/// `amc verify OUT --key PUB` succeeds?
fn verifies(out: &Path) -> bool {
    amc()
        .args(["verify", "--key", "compiler/tests/keys/test.pub"])
        .arg(out)
        .output()
        .unwrap()
        .status
        .success()
}

fn files(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut out: Vec<(PathBuf, u64)> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), e.metadata().unwrap().len()))
        .filter(|(_, n)| *n > 0)
        .collect();
    out.sort();
    out
}

/// splitmix64: a fixed sequence, so a failure names a reproducible flip.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[test]
fn verify_detects_every_flip_addition_removal_and_rename() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let st = amc()
        .args([
            "build",
            "examples/mixed-fleet",
            "--sign-key",
            "compiler/tests/keys/test.key",
            "--decided-at",
            "2026-06-01T00:00:00Z",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    assert!(verifies(&out), "the untouched output must verify");

    let all = files(&out);
    let total: u64 = all.iter().map(|(_, n)| n).sum();
    let mut rng = Rng(20261207);
    let mut missed = Vec::new();
    let mut touched = std::collections::BTreeSet::new();
    for i in 0..200 {
        // A byte of the whole output, uniformly: big files get more flips,
        // and every file is reachable.
        let mut at = rng.next() % total;
        let (path, _) = all
            .iter()
            .find(|(_, n)| {
                if at < *n {
                    true
                } else {
                    at -= n;
                    false
                }
            })
            .unwrap();
        let original = fs::read(path).unwrap();
        let mut bytes = original.clone();
        let mask = (rng.next() % 255 + 1) as u8;
        bytes[at as usize] ^= mask;
        fs::write(path, &bytes).unwrap();
        if verifies(&out) {
            missed.push(format!(
                "flip {i}: {} byte {at} ^ {mask:#04x}",
                path.strip_prefix(&out).unwrap().display()
            ));
        }
        touched.insert(path.clone());
        fs::write(path, &original).unwrap();
    }
    assert!(verifies(&out), "restoring every byte must verify again");
    assert!(
        touched.len() >= all.len() / 2,
        "flips reached only {} of {} files",
        touched.len(),
        all.len()
    );

    // An added file, at the top and deep inside.
    for extra in [
        "extra.txt",
        "quadlet/extra.container",
        "receipts/extra.json",
    ] {
        let p = out.join(extra);
        if let Some(d) = p.parent().filter(|d| d.exists()) {
            let _ = d;
            fs::write(&p, "x\n").unwrap();
            if verifies(&out) {
                missed.push(format!("added {extra}"));
            }
            fs::remove_file(&p).unwrap();
        }
    }
    // Every file removed, one at a time.
    for (path, _) in &all {
        let original = fs::read(path).unwrap();
        fs::remove_file(path).unwrap();
        if verifies(&out) {
            missed.push(format!(
                "removed {}",
                path.strip_prefix(&out).unwrap().display()
            ));
        }
        fs::write(path, &original).unwrap();
    }
    // Renames: each file to a sibling name, and two files swapped.
    for (path, _) in all.iter().step_by(3) {
        let renamed = path.with_extension("renamed");
        fs::rename(path, &renamed).unwrap();
        if verifies(&out) {
            missed.push(format!(
                "renamed {}",
                path.strip_prefix(&out).unwrap().display()
            ));
        }
        fs::rename(&renamed, path).unwrap();
    }
    let (a, b) = (&all[1].0, &all[all.len() - 2].0);
    let swap = tmp.path().join("swap");
    fs::rename(a, &swap).unwrap();
    fs::rename(b, a).unwrap();
    fs::rename(&swap, b).unwrap();
    if verifies(&out) {
        missed.push("swapped two files".into());
    }
    fs::rename(b, &swap).unwrap();
    fs::rename(a, b).unwrap();
    fs::rename(&swap, a).unwrap();
    assert!(verifies(&out));
    assert!(missed.is_empty(), "undetected:\n{}", missed.join("\n"));
}
