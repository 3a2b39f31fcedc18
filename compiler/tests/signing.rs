//! Signing end to end through the `amc` binary: keygen, signed builds,
//! `amc verify` (exit codes and the file each failure names), tamper cases,
//! reproducible signatures, cosign keys, rebuild drift.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn amc(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_amc"));
    c.args(args)
        .env("NO_COLOR", "1")
        .env_remove("AMC_SIGN_KEY")
        .env_remove("COSIGN_PASSWORD")
        .env_remove("SOURCE_DATE_EPOCH");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

struct Fixture {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    key: PathBuf,
    public: PathBuf,
    out: PathBuf,
}

const SPEC: &str = "examples/workstation-llama";

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let prefix = dir.join("amc");
    let o = amc(&["keygen", "--out", s(&prefix)], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.join("out");
    let spec = repo().join(SPEC);
    let o = amc(
        &[
            "build",
            s(&spec),
            "--out",
            s(&out),
            "--sign-key",
            s(&dir.join("amc.key")),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    Fixture {
        key: dir.join("amc.key"),
        public: dir.join("amc.pub"),
        dir,
        out,
        _tmp: tmp,
    }
}

fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, fs::read(e.path()).unwrap())
        })
        .collect();
    v.sort();
    v
}

/// Copies the output, applies `edit`, verifies with `key`; returns the result.
fn verify_edited(f: &Fixture, key: &Path, edit: impl FnOnce(&Path)) -> Output {
    let copy = f.dir.join("edited");
    let _ = fs::remove_dir_all(&copy);
    fs::create_dir_all(&copy).unwrap();
    for (rel, bytes) in tree(&f.out) {
        let p = copy.join(&rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }
    edit(&copy);
    amc(&["verify", s(&copy), "--key", s(key)], &[])
}

fn assert_fails_naming(o: &Output, file: &str, code: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(file), "report does not name {file}:\n{err}");
    assert!(err.contains(code), "report lacks {code}:\n{err}");
}

#[test]
fn keygen_writes_a_private_key_only_its_owner_reads_and_refuses_to_overwrite() {
    let f = fixture();
    let private = fs::read_to_string(&f.key).unwrap();
    assert!(private.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert!(
        fs::read_to_string(&f.public)
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----\n")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            fs::metadata(&f.key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let o = amc(&["keygen", "--out", s(&f.dir.join("amc"))], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        fs::read_to_string(&f.key).unwrap(),
        private,
        "key untouched"
    );
}

#[test]
fn a_signed_build_verifies() {
    let f = fixture();
    for name in [
        "amc-build.json.sig",
        "amc-build.sigstore.json",
        "amc-build.intoto.json",
        "amc-release-evidence.json",
        "amc-release-evidence.json.sig",
        "amc-release-envelope.json",
    ] {
        assert!(f.out.join(name).is_file(), "{name} missing");
    }
    let o = amc(&["verify", s(&f.out), "--key", s(&f.public)], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("verified"));
    // Each file is counted once, however many checks read it: at most every
    // file of the output.
    let files = walkdir::WalkDir::new(&f.out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .count();
    let err = stderr(&o);
    let n: usize = err
        .split("verified: ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {err}"));
    assert!(n > 0 && n <= files, "{n} files verified of {files}: {err}");
}

/// An edit of a copied output directory.
type Edit = Box<dyn FnOnce(&Path)>;

#[test]
fn every_tamper_case_fails_naming_the_file() {
    let f = fixture();
    const CONTAINER: &str = "quadlet/ws-1/coder.container";
    let container = CONTAINER;
    let cases: Vec<(&str, &str, Edit)> = vec![
        (
            "tampered byte",
            container,
            Box::new(|d: &Path| {
                let p = d.join(CONTAINER);
                let mut b = fs::read(&p).unwrap();
                b[10] ^= 1;
                fs::write(p, b).unwrap();
            }),
        ),
        (
            "removed file",
            "placement.json",
            Box::new(|d: &Path| fs::remove_file(d.join("placement.json")).unwrap()),
        ),
        (
            "added file",
            "quadlet/ws-1/extra.container",
            Box::new(|d: &Path| {
                fs::write(d.join("quadlet/ws-1/extra.container"), "[Container]\n").unwrap()
            }),
        ),
        (
            "modified manifest",
            "amc-build.json",
            Box::new(|d: &Path| {
                let p = d.join("amc-build.json");
                let t = fs::read_to_string(&p)
                    .unwrap()
                    .replace("\"decisionTimeSet\": false", "\"decisionTimeSet\": true");
                fs::write(p, t).unwrap();
            }),
        ),
        (
            "modified release evidence",
            "amc-release-evidence.json",
            Box::new(|d: &Path| {
                let p = d.join("amc-release-evidence.json");
                let t = fs::read_to_string(&p)
                    .unwrap()
                    .replace("\"maturity\": \"", "\"maturity\": \"production-ready-");
                fs::write(p, t).unwrap();
            }),
        ),
        (
            "modified envelope",
            "amc-release-envelope.json",
            Box::new(|d: &Path| {
                let p = d.join("amc-release-envelope.json");
                let t = fs::read_to_string(&p)
                    .unwrap()
                    .replace("\"verified\": false", "\"verified\": true");
                fs::write(p, t).unwrap();
            }),
        ),
        (
            "removed signature",
            "amc-build.intoto.json",
            Box::new(|d: &Path| fs::remove_file(d.join("amc-build.intoto.json")).unwrap()),
        ),
    ];
    for (what, file, edit) in cases {
        let o = verify_edited(&f, &f.public, edit);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{what}: {err}");
        assert!(
            err.contains(file),
            "{what}: report does not name {file}:\n{err}"
        );
    }
}

#[test]
fn a_wrong_key_fails() {
    let f = fixture();
    let other = f.dir.join("other");
    assert!(amc(&["keygen", "--out", s(&other)], &[]).status.success());
    let o = verify_edited(&f, &f.dir.join("other.pub"), |_| {});
    assert_fails_naming(&o, "amc-build.json.sig", "E0713");
}

#[test]
fn two_signed_builds_are_byte_identical_and_a_cosign_key_signs_the_same() {
    let f = fixture();
    let spec = repo().join(SPEC);
    let again = f.dir.join("again");
    let key = s(&f.key).to_string();
    let o = amc(
        &["build", s(&spec), "--out", s(&again)],
        &[("AMC_SIGN_KEY", &key)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(tree(&f.out), tree(&again), "same key, same bytes");

    // The committed test key and its cosign-encrypted twin sign identically.
    let keys = repo().join("compiler/tests/keys");
    let plain = f.dir.join("plain");
    let cosign = f.dir.join("cosign");
    let o = amc(
        &[
            "build",
            s(&spec),
            "--out",
            s(&plain),
            "--sign-key",
            s(&keys.join("test.key")),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let cosign_key = keys.join("cosign-test.key");
    let args = [
        "build",
        s(&spec),
        "--out",
        s(&cosign),
        "--sign-key",
        s(&cosign_key),
    ];
    let o = amc(&args, &[]);
    assert_eq!(o.status.code(), Some(1), "no password: {}", stderr(&o));
    assert!(stderr(&o).contains("E0702") && !cosign.exists());
    let o = amc(&args, &[("COSIGN_PASSWORD", "wrong")]);
    assert_eq!(o.status.code(), Some(1));
    let o = amc(&args, &[("COSIGN_PASSWORD", "amc-test-password")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(tree(&plain), tree(&cosign));
    let o = amc(
        &["verify", s(&cosign), "--key", s(&keys.join("test.pub"))],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn an_unsigned_build_has_an_unsigned_envelope_and_fails_key_verification() {
    let f = fixture();
    let out = f.dir.join("unsigned");
    let o = amc(&["build", s(&repo().join(SPEC)), "--out", s(&out)], &[]);
    assert!(o.status.success());
    assert!(!out.join("amc-build.json.sig").exists());
    let env = fs::read_to_string(out.join("amc-release-envelope.json")).unwrap();
    assert!(env.contains("\"status\": \"unsigned\""));
    let o = amc(&["verify", s(&out), "--key", s(&f.public)], &[]);
    assert_fails_naming(&o, "amc-build.json.sig", "E0711");
    // The manifest of a signed and an unsigned build is the same.
    assert_eq!(
        fs::read(out.join("amc-build.json")).unwrap(),
        fs::read(f.out.join("amc-build.json")).unwrap()
    );
}

#[test]
fn json_report_is_in_the_envelope_verification_shape() {
    let f = fixture();
    let schema: serde_json::Value = serde_json::from_str(
        amc::contracts::get("upstream/signed-release-bundle-envelope")
            .unwrap()
            .text,
    )
    .unwrap();
    let sub = &schema["properties"]["verification"];
    let validator = jsonschema::validator_for(sub).unwrap();
    for (edit, verified) in [(false, true), (true, false)] {
        let o = verify_edited(&f, &f.public, |d| {
            if edit {
                fs::write(d.join("stray.txt"), "x").unwrap();
            }
        });
        let _ = o;
        let copy = f.dir.join("edited");
        let o = amc(
            &[
                "verify",
                s(&copy),
                "--key",
                s(&f.public),
                "--format",
                "json",
                "--verified-at",
                "2026-01-01T00:00:00Z",
            ],
            &[],
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let ver = &v["verification"];
        assert!(validator.is_valid(ver), "{ver}");
        assert_eq!(ver["verified"], verified);
        assert_eq!(ver["verifiedAt"], "2026-01-01T00:00:00Z");
        assert_eq!(
            ver["verificationStatus"],
            if verified { "passed" } else { "failed" }
        );
        if !verified {
            assert!(ver["failureReason"].as_str().unwrap().contains("stray.txt"));
        }
    }
}

#[test]
fn rebuild_passes_on_the_reviewed_spec_and_fails_on_drift() {
    let f = fixture();
    let spec = repo().join(SPEC);
    let o = amc(&["verify", s(&f.out), "--rebuild", "--spec", s(&spec)], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = amc(
        &[
            "verify",
            s(&f.out),
            "--rebuild",
            "--spec",
            s(&spec),
            "--key",
            s(&f.public),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // A changed spec: the input and the rendered unit drift.
    let changed = f.dir.join("changed");
    fs::create_dir_all(changed.join("facts")).unwrap();
    for (rel, bytes) in tree(&spec) {
        let p = changed.join(&rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }
    let p = changed.join("spec.kdl");
    let t = fs::read_to_string(&p).unwrap().replace("cpu=6", "cpu=4");
    fs::write(p, t).unwrap();
    let o = amc(
        &["verify", s(&f.out), "--rebuild", "--spec", s(&changed)],
        &[],
    );
    assert_fails_naming(&o, "quadlet/ws-1/coder.container", "E0715");
    assert!(stderr(&o).contains("E0716"));
    // --rebuild needs --spec; verify needs --key or --rebuild.
    assert_eq!(
        amc(&["verify", s(&f.out), "--rebuild"], &[]).status.code(),
        Some(2)
    );
    assert_eq!(amc(&["verify", s(&f.out)], &[]).status.code(), Some(2));
}

#[test]
fn outputs_name_no_absolute_path() {
    let f = fixture();
    let dir = f.dir.to_string_lossy().into_owned();
    let spec = repo()
        .canonicalize()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    for (rel, bytes) in tree(&f.out) {
        let t = String::from_utf8_lossy(&bytes);
        assert!(
            !t.contains(&dir) && !t.contains(&spec),
            "{rel} names an absolute path"
        );
    }
}
