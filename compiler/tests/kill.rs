//! Atomic output under SIGKILL: a large signed build is killed at 30
//! moments spread over its run; after each kill the output directory is
//! either the previous complete build or the new complete one, and `amc
//! verify` accepts it. Killed builds leave no lock held and no staging
//! directory behind that stops the next build.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn amc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_amc"));
    c.current_dir(repo())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// A fleet of 12 machines and `pods` pods; `variant` changes every unit.
fn spec(pods: usize, variant: &str) -> String {
    let mut s = String::from("import \"std:providers/llama-cpp\"\nimport \"std:cache-tiers\"\n\n");
    for m in 0..12 {
        s.push_str(&format!(
            "machine \"m{m}\" {{\n    profile \"sourceos-workstation\"\n    capacity {{\n        cpu 128\n        memory \"512GiB\"\n        accelerators \"cpu\"\n    }}\n    storage-pool \"fs\" backend=\"filesystem\" capacity=\"4TiB\" path=\"/srv/agent-machine\"\n}}\n\n"
        ));
    }
    for p in 0..pods {
        s.push_str(&format!(
            "pod \"p{p}\" {{\n    tenant \"t{}\"\n    provider \"llama-cpp\"\n    accelerator \"cpu\"\n    resources cpu=1 memory=\"1GiB\"\n    env \"VARIANT\" \"{variant}\"\n    target \"quadlet\"\n}}\n\n",
            p % 7
        ));
    }
    s
}

fn build(spec: &Path, out: &Path) -> Command {
    let mut c = amc();
    c.arg("build")
        .arg(spec)
        .args([
            "--sign-key",
            "compiler/tests/keys/test.key",
            "--decided-at",
            "2026-06-01T00:00:00Z",
            // Each build is exactly one of the two references, whatever the
            // output held before (no incumbent placement).
            "--fresh",
            "--out",
        ])
        .arg(out);
    c
}

fn verifies(out: &Path) -> bool {
    amc()
        .args(["verify", "--key", "compiler/tests/keys/test.pub"])
        .arg(out)
        .status()
        .unwrap()
        .success()
}

#[test]
fn sigkill_at_any_moment_leaves_the_old_or_the_new_complete_output() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for (dir, variant) in [(&a, "old"), (&b, "new")] {
        fs::create_dir_all(dir).unwrap();
        fs::write(dir.join("spec.kdl"), spec(120, variant)).unwrap();
    }
    // Reference outputs, and how long one build takes here.
    let (ref_a, ref_b) = (tmp.path().join("ref-a"), tmp.path().join("ref-b"));
    assert!(build(&a, &ref_a).status().unwrap().success());
    let t = Instant::now();
    assert!(build(&b, &ref_b).status().unwrap().success());
    let took = t.elapsed();
    let manifest = |d: &Path| fs::read(d.join("amc-build.json")).ok();
    let (ma, mb) = (manifest(&ref_a).unwrap(), manifest(&ref_b).unwrap());
    assert_ne!(ma, mb);

    let out = tmp.path().join("out");
    assert!(build(&a, &out).status().unwrap().success());
    let (mut completed, mut interrupted) = (0, 0);
    for i in 0..30u32 {
        // Towards the other build, killed at a moment spread over its run
        // (from just after start to half again its reference time: a build
        // over an existing output can take longer than the reference one, and
        // the last kills must land after some builds complete).
        let current = manifest(&out);
        let (next, next_manifest) = if current.as_deref() == Some(&ma[..]) {
            (&b, &mb)
        } else {
            (&a, &ma)
        };
        let delay = took.mul_f64((f64::from(i) + 0.5) / 20.0);
        let mut child = build(next, &out).spawn().unwrap();
        std::thread::sleep(delay.min(took * 2));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        let now = manifest(&out);
        assert!(
            now.as_deref() == Some(&ma[..]) || now.as_deref() == Some(&mb[..]),
            "kill {i} after {delay:?}: the output is neither build"
        );
        assert!(
            verifies(&out),
            "kill {i} after {delay:?}: amc verify refuses the output"
        );
        if now.as_deref() == Some(&next_manifest[..]) {
            completed += 1;
        } else {
            interrupted += 1;
        }
        let _ = status;
    }
    // Both outcomes happened: the kills really landed during builds.
    assert!(
        interrupted >= 5,
        "only {interrupted} kills interrupted a build"
    );
    assert!(completed >= 1, "no build ever completed");
    // Nothing a killed build left behind stops the next one, or remains.
    assert!(build(&b, &out).status().unwrap().success());
    assert_eq!(manifest(&out), Some(mb));
    let leftovers: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".out"))
        .filter(|n| !n.ends_with(".amc-lock") && !n.ends_with(".amc-cache.json"))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}
