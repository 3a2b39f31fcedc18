//! Hostile inputs and hostile environments (issue 20): the compiler reports a
//! diagnostic or a clean error, never panics, never blocks, never loses or
//! half-writes an output directory.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn amc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_amc"));
    c.env_remove("SOURCE_DATE_EPOCH").env("NO_COLOR", "1");
    c
}

/// Runs to completion within `secs`, or fails the test (a hang is a bug).
fn run(mut cmd: Command, secs: u64) -> (i32, String, String) {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut out = String::new();
            let mut err = String::new();
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut out)
                .unwrap();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return (status.code().unwrap_or(-1), out, err);
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            panic!("{cmd:?} did not finish in {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().display().to_string(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn build(spec: &Path, out: &Path) -> (i32, String, String) {
    let mut c = amc();
    c.arg("build").arg(spec).arg("--out").arg(out);
    run(c, 120)
}

#[test]
fn a_directory_with_files_its_manifest_does_not_list_is_never_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let spec = repo().join("examples/workstation-llama");
    assert_eq!(build(&spec, &out).0, 0);
    fs::write(out.join("precious.txt"), "keep me").unwrap();
    let before = tree(&out);
    let (code, _, err) = build(&spec, &out);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("precious.txt"), "{err}");
    assert_eq!(tree(&out), before);

    // Only a manifest, and something else: refused too.
    let lone = tmp.path().join("lone");
    fs::create_dir_all(&lone).unwrap();
    fs::copy(out.join("amc-build.json"), lone.join("amc-build.json")).unwrap();
    fs::write(lone.join("notes.md"), "mine").unwrap();
    let (code, _, err) = build(&spec, &lone);
    assert_eq!(code, 2, "{err}");
    assert_eq!(fs::read_to_string(lone.join("notes.md")).unwrap(), "mine");
}

#[test]
fn stale_staging_directories_are_swept_and_a_held_lock_refuses_the_build() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let spec = repo().join("examples/workstation-llama");
    assert_eq!(build(&spec, &out).0, 0);
    // What a SIGKILL between the steps of an earlier build leaves behind.
    for stale in [".out.amc-new.4242.0", ".out.amc-old.4242.0"] {
        fs::create_dir_all(tmp.path().join(stale).join("quadlet")).unwrap();
        fs::write(tmp.path().join(stale).join("quadlet/x"), "half").unwrap();
    }
    assert_eq!(build(&spec, &out).0, 0);
    let left: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".amc-new") || n.contains(".amc-old"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    let before = tree(&out);
    let lock = amc::write::lock(&out).unwrap();
    let (code, _, err) = build(&spec, &out);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("another amc build is writing"), "{err}");
    assert_eq!(tree(&out), before);
    drop(lock);
    assert_eq!(build(&spec, &out).0, 0);
}

#[test]
fn a_failed_build_leaves_the_previous_output_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let spec = tmp.path().join("spec");
    fs::create_dir_all(&spec).unwrap();
    let good = fs::read_to_string(repo().join("examples/workstation-llama/spec.kdl")).unwrap();
    for sub in ["facts", "governance"] {
        let from = repo().join("examples/workstation-llama").join(sub);
        fs::create_dir_all(spec.join(sub)).unwrap();
        for e in fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            fs::copy(e.path(), spec.join(sub).join(e.file_name())).unwrap();
        }
    }
    fs::write(spec.join("spec.kdl"), &good).unwrap();
    assert_eq!(build(&spec, &out).0, 0);
    let before = tree(&out);
    fs::write(
        spec.join("spec.kdl"),
        good.replace(
            "tenant \"dev\"",
            "tenant \"dev\"\n    args \"--key\" \"AKIAIOSFODNN7EXAMPLE\"",
        ),
    )
    .unwrap();
    let (code, _, err) = build(&spec, &out);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("amc::E0304"), "{err}");
    assert_eq!(tree(&out), before);
}

#[test]
fn closed_and_full_standard_output_is_a_clean_exit_for_every_printing_command() {
    let spec = repo().join("examples/workstation-llama");
    let commands: Vec<Vec<String>> = vec![
        vec![
            "check".into(),
            spec.display().to_string(),
            "--format".into(),
            "json".into(),
        ],
        vec!["version".into()],
        vec!["schema".into()],
        vec!["schema".into(), "host-facts".into()],
        vec!["explain".into(), "E0101".into()],
        vec![
            "diff".into(),
            spec.display().to_string(),
            spec.display().to_string(),
        ],
        vec!["completions".into(), "bash".into()],
    ];
    for args in &commands {
        // /dev/full: ENOSPC on the first write.
        let mut c = amc();
        c.args(args)
            .stdout(fs::File::create("/dev/full").unwrap())
            .stderr(Stdio::piped());
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(74), "{args:?}: {:?}", o);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("cannot write to standard output"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");

        // A reader that went away: EPIPE.
        let mut c = amc();
        c.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            matches!(o.status.code(), Some(141) | Some(0)),
            "{args:?}: {:?} {err}",
            o.status
        );
    }
}

#[test]
fn devices_and_fifos_are_refused_without_reading_or_blocking() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("spec.kdl");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    for path in [PathBuf::from("/dev/zero"), fifo] {
        let mut c = amc();
        c.arg("check").arg(&path);
        let (code, _, err) = run(c, 20);
        assert_eq!(code, 1, "{err}");
        assert!(
            err.contains("amc::E0002") && err.contains("not a regular file"),
            "{err}"
        );
    }
}

#[test]
fn deep_nesting_and_huge_columns_are_diagnostics_not_crashes() {
    let tmp = tempfile::tempdir().unwrap();
    let deep = tmp.path().join("deep.kdl");
    fs::write(
        &deep,
        format!("pod \"a\" {}{}\n", "{ x ".repeat(5000), "}".repeat(5000)),
    )
    .unwrap();
    let mut c = amc();
    c.arg("check").arg(&deep);
    let (code, _, err) = run(c, 30);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("amc::E0004"), "{err}");
    let mut c = amc();
    c.arg("fmt").arg("--check").arg(&deep);
    let (code, _, err) = run(c, 30);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("amc::E0004") && !err.contains("overflow"),
        "{err}"
    );

    // A diagnostic past column 65535 (miette's padding limit).
    let wide = tmp.path().join("wide.kdl");
    fs::write(&wide, format!("{}pod \"a\" {{\n}}\n", " ".repeat(70_000))).unwrap();
    let mut c = amc();
    c.arg("check").arg(&wide);
    let (code, _, err) = run(c, 30);
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("wide.kdl:1:70001"), "{err}");
}

#[test]
fn an_injected_unit_line_never_reaches_the_output() {
    // The red-team spec: before the fix this built with exit 0 and wrote
    // `ExecStartPre=evil` into coder.container.
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("spec");
    fs::create_dir_all(&spec).unwrap();
    let good = fs::read_to_string(repo().join("examples/workstation-llama/spec.kdl")).unwrap();
    let bad = good.replace(
        "path=\"/srv/agent-machine\"",
        "path=\"/srv/a\\n[Service]\\nExecStartPre=evil\"",
    );
    assert_ne!(good, bad);
    fs::write(spec.join("spec.kdl"), bad).unwrap();
    let out = tmp.path().join("out");
    let (code, _, err) = build(&spec, &out);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("amc::E0115"), "{err}");
    assert!(!out.exists());

    // `%` reaches units only as `%%`.
    let pct = good.replace("path=\"/srv/agent-machine\"", "path=\"/srv/100%h\"");
    fs::write(spec.join("spec.kdl"), pct).unwrap();
    for sub in ["facts", "governance"] {
        let from = repo().join("examples/workstation-llama").join(sub);
        fs::create_dir_all(spec.join(sub)).unwrap();
        for e in fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            fs::copy(e.path(), spec.join(sub).join(e.file_name())).unwrap();
        }
    }
    let (code, _, err) = build(&spec, &out);
    assert_eq!(code, 0, "{err}");
    let unit = fs::read_to_string(out.join("quadlet/ws-1/coder.container")).unwrap();
    assert!(unit.contains("Volume=/srv/100%%h/"), "{unit}");
    assert!(!unit.contains("100%h"), "{unit}");
}

#[test]
fn spec_files_linked_from_outside_the_root_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("spec");
    fs::create_dir_all(&spec).unwrap();
    fs::copy(
        repo().join("examples/workstation-llama/spec.kdl"),
        spec.join("spec.kdl"),
    )
    .unwrap();
    let outside = tmp.path().join("outside.kdl");
    fs::write(
        &outside,
        "machine \"evil\" {\n    profile \"sourceos-workstation\"\n}\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&outside, spec.join("extra.kdl")).unwrap();
    let mut c = amc();
    c.arg("check").arg(&spec);
    let (code, _, err) = run(c, 60);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("amc::E0204") && err.contains("extra.kdl"),
        "{err}"
    );
}

#[test]
fn an_output_path_that_cannot_be_written_is_a_clean_error() {
    // The output's parent is a regular file (as root, permissions would not
    // stop a write; a file where a directory must be does).
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("not-a-dir");
    fs::write(&file, "x").unwrap();
    let (code, _, err) = build(
        &repo().join("examples/workstation-llama"),
        &file.join("out"),
    );
    assert_ne!(code, 0, "{err}");
    assert_ne!(code, 101, "panicked: {err}");
    assert!(err.contains("amc::E0902"), "{err}");
    assert_eq!(fs::read(&file).unwrap(), b"x", "nothing overwritten");
}

/// Bytes a tree takes on tmpfs: whole 4 KiB pages per file.
fn pages(dir: &Path) -> u64 {
    tree(dir)
        .iter()
        .map(|(_, b)| (b.len() as u64).div_ceil(4096).max(1) * 4096)
        .sum()
}

#[test]
fn a_full_disk_fails_cleanly_and_keeps_the_previous_output() {
    // A private mount namespace (unprivileged: a user namespace) holds a
    // tmpfs big enough for one build but not for a second one staged beside
    // it, so the second build hits ENOSPC part-way through its staging.
    let probe = Command::new("unshare").args(["-rm", "true"]).status();
    if !probe.map(|s| s.success()).unwrap_or(false) {
        eprintln!("SKIPPED: `unshare -rm` is not permitted here; ENOSPC untested");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let spec = repo().join("examples/workstation-llama");
    let next = repo().join("examples/mixed-fleet");
    let sizing = tmp.path().join("sizing");
    assert_eq!(build(&spec, &sizing).0, 0);
    let size = pages(&sizing) * 3 / 2 + 64 * 1024;
    let reference = tree(&sizing);

    let mnt = tmp.path().join("mnt");
    fs::create_dir_all(&mnt).unwrap();
    let keep = tmp.path().join("keep");
    let script = format!(
        r#"set -u
mount -t tmpfs -o size={size} tmpfs "$MNT" || exit 90
"$AMC" build "$SPEC" --out "$MNT/out" >/dev/null 2>"$KEEP.first" || exit 91
"$AMC" build "$NEXT" --out "$MNT/out" >/dev/null 2>"$KEEP.err"
echo $? > "$KEEP.code"
cp -a "$MNT/out" "$KEEP"
ls -A "$MNT" > "$KEEP.entries"
"#
    );
    let status = Command::new("unshare")
        .args(["-rm", "sh", "-c", &script])
        .env("AMC", env!("CARGO_BIN_EXE_amc"))
        .env("SPEC", &spec)
        .env("NEXT", &next)
        .env("MNT", &mnt)
        .env("KEEP", &keep)
        .env("NO_COLOR", "1")
        .status()
        .unwrap();
    let side = |ext: &str| fs::read_to_string(format!("{}.{ext}", keep.display())).unwrap();
    assert!(
        status.success(),
        "setup failed: {status:?} {}",
        side("first")
    );
    let err = side("err");
    assert_eq!(side("code").trim(), "1", "{err}");
    assert!(err.contains("amc::E0902"), "{err}");
    // The rendered message may wrap anywhere: compare its words.
    let words = err
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(words.contains("No space left on device"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(tree(&keep), reference, "the previous output changed");
    let entries = side("entries");
    let left: Vec<&str> = entries
        .lines()
        .filter(|n| *n != "out" && !n.ends_with(".amc-lock") && !n.ends_with(".amc-cache.json"))
        .collect();
    assert!(left.is_empty(), "staging left behind: {left:?}");
}
