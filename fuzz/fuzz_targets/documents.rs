//! The JSON documents a build reads — host facts, PolicyAdmission,
//! AgentRegistryGrant, AttestationDecision, teardown/wipe requests — each
//! replaced in turn by fuzz input inside a real governed spec
//! (golden/gov-allowed), then built: loading, schema checks, governance
//! semantics and the activation evaluator must only ever give diagnostics.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use amc::driver::{self, Options, Stop};
use amc::vfs::MemoryFs;
use libfuzzer_sys::fuzz_target;

fn base() -> &'static Vec<(PathBuf, Vec<u8>)> {
    static BASE: OnceLock<Vec<(PathBuf, Vec<u8>)>> = OnceLock::new();
    BASE.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../golden/gov-allowed/input");
        let mut files = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(d) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else { continue };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if let Ok(bytes) = std::fs::read(&p) {
                    let rel = p.strip_prefix(&root).map(Path::to_path_buf).unwrap_or(p);
                    files.push((rel, bytes));
                }
            }
        }
        files.sort();
        files
    })
}

fuzz_target!(|data: &[u8]| {
    let files = base();
    let json: Vec<usize> = (0..files.len())
        .filter(|&i| files[i].0.extension().is_some_and(|e| e == "json"))
        .collect();
    let Some((&pick, rest)) = data.split_first() else { return };
    if json.is_empty() {
        return;
    }
    let target = json[usize::from(pick) % json.len()];
    let mut fs = MemoryFs::new();
    for (i, (rel, bytes)) in files.iter().enumerate() {
        let content = if i == target { rest.to_vec() } else { bytes.clone() };
        fs.insert(Path::new("/spec").join(rel), content);
    }
    let opts = Options {
        stop: Stop::Build,
        emit: amc::emit::EmitOptions {
            decided_at: Some("2026-06-01T00:00:00Z".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let _ = driver::compile(&fs, Path::new("/spec"), "spec", &opts);
});
