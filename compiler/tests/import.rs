//! `amc import` on upstream's own examples: the imported spec is formatted,
//! checks clean, builds, and the documents the build re-emits under
//! `receipts/<pod>/` equal the originals except on the documented allow-list
//! (`amc::import::ALLOWED_DIFFERENCES`, docs/governance.md "Migration").

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn upstream(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/govern/src/testdata/upstream")
        .join(name)
}

fn amc(args: &[&str], dir: &Path) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_amc"))
        .args(args)
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Imports `files`, checks and builds the result; returns the work dir.
fn import_and_build(files: &[&str]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let mut args = vec!["import".to_string()];
    args.extend(files.iter().map(|f| upstream(f).display().to_string()));
    args.extend(["--out".to_string(), "spec".to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (_, err, code) = amc(&args, tmp.path());
    assert_eq!(code, 0, "import failed: {err}");
    let text = std::fs::read_to_string(tmp.path().join("spec/spec.kdl")).unwrap();
    assert_eq!(
        amc::fmt::format_str("spec.kdl", &text).ok().as_deref(),
        Some(text.as_str()),
        "the imported spec is not formatted"
    );
    let (_, err, code) = amc(&["fmt", "--check", "spec"], tmp.path());
    assert_eq!(code, 0, "amc fmt --check: {err}");
    let (_, err, code) = amc(&["check", "spec"], tmp.path());
    assert_eq!(code, 0, "amc check: {err}\n{text}");
    assert!(!err.contains("error["), "{err}");
    let (_, err, code) = amc(
        &[
            "build",
            "spec",
            "--out",
            "out",
            "--decided-at",
            "2026-05-04T12:51:00Z",
        ],
        tmp.path(),
    );
    assert_eq!(code, 0, "amc build: {err}\n{text}");
    tmp
}

/// Compares one re-emitted document with its original.
fn compare(dir: &Path, pod: &str, emitted: &str, original: &str) {
    let kind = emitted.split('.').next().unwrap();
    let e = json(&dir.join("out/receipts").join(pod).join(emitted));
    let o = json(&upstream(original));
    let diffs = amc::import::round_trip_differences(kind, &o, &e);
    assert!(
        diffs.is_empty(),
        "{pod}/{emitted} differs from {original} outside the allow-list at {diffs:?}\nemitted: {e:#}"
    );
}

#[test]
fn local_pod_with_provider_tier_and_machine_round_trips() {
    let t = import_and_build(&[
        "local-podman-llama-cpp.agent-pod.json",
        "asahi-llama-cpp.inference-provider.json",
        "linux-workstation-local-lvm.cache-tier.json",
        "m2-asahi-local-lvm.agent-machine.json",
    ]);
    let pod = "local-podman-llama-cpp";
    compare(
        t.path(),
        pod,
        "agent-pod.json",
        "local-podman-llama-cpp.agent-pod.json",
    );
    compare(
        t.path(),
        pod,
        "inference-provider.json",
        "asahi-llama-cpp.inference-provider.json",
    );
    compare(
        t.path(),
        pod,
        "cache-tier.linux-workstation-warm-cache.json",
        "linux-workstation-local-lvm.cache-tier.json",
    );
    compare(
        t.path(),
        pod,
        "agent-machine.m2-asahi-local.json",
        "m2-asahi-local-lvm.agent-machine.json",
    );
}

#[test]
fn pinned_pod_round_trips() {
    let t = import_and_build(&[
        "local-podman-llama-cpp.pinned.agent-pod.json",
        "asahi-llama-cpp.inference-provider.json",
        "linux-workstation-local-lvm.cache-tier.json",
        "m2-asahi-local-lvm.agent-machine.json",
    ]);
    let pod = "local-podman-llama-cpp-pinned";
    compare(
        t.path(),
        pod,
        "agent-pod.json",
        "local-podman-llama-cpp.pinned.agent-pod.json",
    );
    compare(
        t.path(),
        pod,
        "inference-provider.json",
        "asahi-llama-cpp.inference-provider.json",
    );
}

#[test]
fn kubernetes_pod_with_stand_ins_round_trips() {
    // Upstream has no CacheTier documents for the K8s tiers and no machine
    // with the kubernetes-node profile: both become stand-ins.
    let t = import_and_build(&[
        "k8s-topolvm.agent-pod.json",
        "asahi-llama-cpp.inference-provider.json",
    ]);
    let spec = std::fs::read_to_string(t.path().join("spec/spec.kdl")).unwrap();
    assert!(
        spec.contains("// stand-in: no CacheTier document"),
        "{spec}"
    );
    assert!(
        spec.contains("// stand-in: no AgentMachine document"),
        "{spec}"
    );
    compare(
        t.path(),
        "k8s-topolvm-llama-cpp",
        "agent-pod.json",
        "k8s-topolvm.agent-pod.json",
    );
}

#[test]
fn every_example_at_once() {
    // The local pods are alternatives upstream: imported together they
    // share a provider with different images (the second gets a provider
    // derived with `extends`) and both publish host port 8080 on the one
    // machine, which `amc check` reports rather than the import hiding it.
    let tmp = tempfile::tempdir().unwrap();
    let mut args = vec!["import".to_string()];
    for f in [
        "local-podman-llama-cpp.agent-pod.json",
        "local-podman-llama-cpp.pinned.agent-pod.json",
        "k8s-topolvm.agent-pod.json",
        "asahi-llama-cpp.inference-provider.json",
        "linux-workstation-local-lvm.cache-tier.json",
        "m2-asahi-local-lvm.agent-machine.json",
    ] {
        args.push(upstream(f).display().to_string());
    }
    args.extend(["--out".to_string(), "spec".to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (_, err, code) = amc(&args, tmp.path());
    assert_eq!(code, 0, "{err}");
    let spec = std::fs::read_to_string(tmp.path().join("spec/spec.kdl")).unwrap();
    assert!(
        spec.contains("provider \"local-podman-llama-cpp-pinned\" extends=\"asahi-llama-cpp\""),
        "{spec}"
    );
    let (_, err, code) = amc(&["check", "spec"], tmp.path());
    assert_eq!(code, 1);
    assert!(
        err.contains("amc::E0501") && err.contains("host port 8080 is already published"),
        "{err}"
    );
}

#[test]
fn local_and_kubernetes_examples_together_round_trip() {
    let t = import_and_build(&[
        "local-podman-llama-cpp.agent-pod.json",
        "k8s-topolvm.agent-pod.json",
        "asahi-llama-cpp.inference-provider.json",
        "linux-workstation-local-lvm.cache-tier.json",
        "m2-asahi-local-lvm.agent-machine.json",
    ]);
    compare(
        t.path(),
        "local-podman-llama-cpp",
        "agent-pod.json",
        "local-podman-llama-cpp.agent-pod.json",
    );
    compare(
        t.path(),
        "k8s-topolvm-llama-cpp",
        "agent-pod.json",
        "k8s-topolvm.agent-pod.json",
    );
    compare(
        t.path(),
        "k8s-topolvm-llama-cpp",
        "inference-provider.json",
        "asahi-llama-cpp.inference-provider.json",
    );
}

#[test]
fn import_is_deterministic() {
    let files = [
        "m2-asahi-local-lvm.agent-machine.json",
        "local-podman-llama-cpp.agent-pod.json",
        "asahi-llama-cpp.inference-provider.json",
    ];
    let tmp = tempfile::tempdir().unwrap();
    let run = |order: &[&str]| {
        let mut args = vec!["import".to_string()];
        args.extend(order.iter().map(|f| upstream(f).display().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        amc(&args, tmp.path())
    };
    let (a, _, ca) = run(&files);
    let (b, _, cb) = run(&[files[2], files[0], files[1]]);
    assert_eq!((ca, cb), (0, 0));
    assert_eq!(a, b, "the order of the files must not matter");
}

#[test]
fn bad_input_is_a_diagnostic_pointing_into_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(
        d.join("broken.json"),
        "{\n  \"kind\": \"AgentPod\",\n  \"id\": \n}\n",
    )
    .unwrap();
    let (out, err, code) = amc(&["import", "broken.json"], d);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(
        err.contains("amc::E0401") && err.contains("broken.json:4:1"),
        "{err}"
    );

    let grant = upstream("agent-registry-grant.active.json");
    let (_, err, code) = amc(&["import", &grant.display().to_string()], d);
    assert_eq!(code, 1);
    assert!(
        err.contains("amc::E0403") && err.contains("AgentRegistryGrant"),
        "{err}"
    );

    let mut pod = json(&upstream("local-podman-llama-cpp.agent-pod.json"));
    pod["runtime"]["networkMode"] = Value::String("satellite".into());
    std::fs::write(
        d.join("pod.json"),
        serde_json::to_string_pretty(&pod).unwrap(),
    )
    .unwrap();
    let (_, err, code) = amc(&["import", "pod.json"], d);
    assert_eq!(code, 1);
    assert!(
        err.contains("amc::E0402") && err.contains("/runtime/networkMode"),
        "{err}"
    );
    assert!(err.contains("pod.json:"), "{err}");
}

#[test]
fn out_never_replaces_a_spec() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("spec")).unwrap();
    std::fs::write(tmp.path().join("spec/spec.kdl"), "// mine\n").unwrap();
    let pod = upstream("local-podman-llama-cpp.agent-pod.json");
    let (_, err, code) = amc(
        &["import", &pod.display().to_string(), "--out", "spec"],
        tmp.path(),
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("spec/spec.kdl")).unwrap(),
        "// mine\n"
    );
}

#[test]
fn every_document_alone_imports_and_checks_clean() {
    for f in [
        "k8s-topolvm.agent-pod.json",
        "local-podman-llama-cpp.agent-pod.json",
        "local-podman-llama-cpp.pinned.agent-pod.json",
        "asahi-llama-cpp.inference-provider.json",
        "linux-workstation-local-lvm.cache-tier.json",
        "m2-asahi-local-lvm.agent-machine.json",
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let file = upstream(f).display().to_string();
        let (_, err, code) = amc(&["import", &file, "--out", "spec"], tmp.path());
        assert_eq!(code, 0, "{f}: {err}");
        let (_, err, code) = amc(&["check", "spec"], tmp.path());
        assert_eq!(code, 0, "{f}: {err}");
    }
}

#[test]
fn damaged_documents_never_crash_the_import() {
    // Drop every field and set every field to null in turn: each is a
    // diagnostic (exit 1), never a panic (exit 101).
    let tmp = tempfile::tempdir().unwrap();
    let pod = json(&upstream("k8s-topolvm.agent-pod.json"));
    let mut pointers = Vec::new();
    fn walk(v: &Value, at: String, out: &mut Vec<String>) {
        if let Value::Object(m) = v {
            for (k, x) in m {
                let p = format!("{at}/{k}");
                out.push(p.clone());
                walk(x, p, out);
            }
        }
    }
    walk(&pod, String::new(), &mut pointers);
    for p in pointers {
        let mut v = pod.clone();
        *v.pointer_mut(&p).unwrap() = Value::Null;
        std::fs::write(tmp.path().join("pod.json"), v.to_string()).unwrap();
        let (_, err, code) = amc(&["import", "pod.json"], tmp.path());
        assert!(code == 1 || code == 0, "{p}: exit {code}: {err}");
        if code == 1 {
            assert!(err.contains("amc::E040"), "{p}: {err}");
        }
    }
}

// ---- Compose and Kubernetes input ----------------------------------------

fn case_dir(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/import")
        .join(case)
}

/// The input files of a case: everything but `expected.*`, sorted.
fn case_inputs(case: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(case_dir(case))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("expected"))
        .collect();
    files.sort();
    files
}

/// Compares `actual` with the case's `name` byte for byte (`AMC_BLESS=1` rewrites it).
fn expect_bytes(case: &str, name: &str, actual: &str) {
    let path = case_dir(case).join(name);
    if std::env::var_os("AMC_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing (AMC_BLESS=1 writes it)", path.display()));
    assert!(
        expected == actual,
        "{case}/{name} differs (AMC_BLESS=1 rewrites it):\n{}",
        similar::TextDiff::from_lines(&expected, actual).unified_diff()
    );
}

/// Imports a case from inside its directory (names in the output are
/// relative), compares the spec with `expected.kdl` and the report on
/// standard error with `expected.stderr`, and checks the spec is formatted
/// and checks clean (warnings only).
fn import_case(case: &str) -> String {
    let dir = case_dir(case);
    let mut args = vec!["import"];
    let files = case_inputs(case);
    args.extend(files.iter().map(String::as_str));
    let (out, err, code) = amc(&args, &dir);
    assert_eq!(code, 0, "{case}: {err}");
    expect_bytes(case, "expected.kdl", &out);
    expect_bytes(case, "expected.stderr", &err);
    assert!(
        out.contains("// not carried over:") || case.contains("llama"),
        "{out}"
    );
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("spec")).unwrap();
    std::fs::write(tmp.path().join("spec/spec.kdl"), &out).unwrap();
    let (_, err, code) = amc(&["fmt", "--check", "spec"], tmp.path());
    assert_eq!(code, 0, "{case}: amc fmt --check: {err}");
    let (_, err, code) = amc(&["check", "spec"], tmp.path());
    assert_eq!(code, 0, "{case}: amc check: {err}\n{out}");
    assert!(!err.contains("× "), "{case}: {err}");
    out
}

#[test]
fn compose_with_vllm_and_an_agent() {
    let spec = import_case("compose-vllm");
    assert!(
        spec.contains("provider \"vllm-local\" extends=\"vllm\""),
        "{spec}"
    );
    assert!(
        spec.contains("resources memory-limit=\"32GiB\" gpus=1"),
        "{spec}"
    );
    assert!(spec.contains("// not carried over: healthcheck:"), "{spec}");
    assert!(
        spec.contains("secret \"hf-token\" env=\"HF_TOKEN\""),
        "{spec}"
    );
    // The agent is kept, commented out, with an affinity to its server.
    assert!(spec.contains("/-pod \"agent\""), "{spec}");
    assert!(spec.contains("affinity \"vllm\""), "{spec}");
}

#[test]
fn compose_with_llama_cpp_on_dev_dri() {
    let spec = import_case("compose-llama-dri");
    assert!(spec.contains("accelerator \"vulkan\""), "{spec}");
    assert!(spec.contains("path \"/srv/models\""), "{spec}");
    assert!(spec.contains("\"-c\" \"8192\" \"--jinja\""), "{spec}");
}

#[test]
fn kubernetes_deployment_of_vllm_with_nvidia_gpus() {
    let spec = import_case("k8s-vllm-deployment");
    assert!(spec.contains("replicas 2"), "{spec}");
    assert!(spec.contains("gpu-toleration \"nvidia.com/gpu\""), "{spec}");
    assert!(spec.contains("require-label gpu=\"l40s\""), "{spec}");
    assert!(
        spec.contains("not carried over: vllm.yaml: Service `llama-8b`"),
        "{spec}"
    );
}

#[test]
fn kubernetes_statefulset_of_llama_cpp_with_claim_templates() {
    let spec = import_case("k8s-llama-statefulset");
    assert!(spec.contains("quota \"20GiB\""), "{spec}");
    assert!(
        spec.contains("volume \"llama-cpp-slots\" mount=\"/slots\""),
        "{spec}"
    );
}

/// An error case: the report on standard error, byte for byte, exit 1.
fn error_case(case: &str) -> String {
    let dir = case_dir(case);
    let mut args = vec!["import"];
    let files = case_inputs(case);
    args.extend(files.iter().map(String::as_str));
    let (out, err, code) = amc(&args, &dir);
    assert_eq!(code, 1, "{case}: {err}");
    assert!(out.is_empty());
    expect_bytes(case, "expected.stderr", &err);
    err
}

#[test]
fn malformed_compose_is_a_diagnostic_with_its_position() {
    let err = error_case("err-malformed");
    assert!(
        err.contains("amc::E0404") && err.contains("compose.yaml:5:12"),
        "{err}"
    );
}

#[test]
fn unrecognised_input_and_a_field_of_the_wrong_shape_are_diagnostics() {
    let err = error_case("err-unrecognised");
    assert!(
        err.contains("amc::E0405") && err.contains("notes.yaml:1:1"),
        "{err}"
    );
    let err = error_case("err-shape");
    assert!(
        err.contains("amc::E0406") && err.contains("compose.yaml:2:3"),
        "{err}"
    );
}

#[test]
fn import_errors_have_codes_and_positions() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let run = |name: &str, text: &str| {
        std::fs::write(d.join(name), text).unwrap();
        amc(&["import", name], d)
    };
    let (_, err, code) = run("notes.yaml", "title: a list\nitems: [1, 2]\n");
    assert_eq!(code, 1);
    assert!(
        err.contains("amc::E0405") && err.contains("notes.yaml:1:1"),
        "{err}"
    );
    let (_, err, code) = run("compose.yaml", "services:\n  - vllm\n");
    assert_eq!(code, 1);
    assert!(
        err.contains("amc::E0406") && err.contains("compose.yaml:2:3"),
        "{err}"
    );
    let (_, err, code) = run(
        "k.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  template:\n    spec:\n      containers: {}\n",
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("amc::E0406") && err.contains("k.yaml:8:19"),
        "{err}"
    );
    // llama.cpp's model from its environment.
    let (out, err, code) = run(
        "env.yaml",
        "services:\n  llm:\n    image: ghcr.io/ggml-org/llama.cpp:server\n    environment:\n      LLAMA_ARG_MODEL: /models/m-1b-q8_0.gguf\n      LLAMA_ARG_CTX_SIZE: 4096\n    volumes: [\"/srv/llm:/models\"]\n",
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("file \"m-1b-q8_0.gguf\"") && out.contains("path \"/srv/llm\""),
        "{out}"
    );
    assert!(out.contains("env \"LLAMA_ARG_CTX_SIZE\" \"4096\""), "{out}");
    assert!(!out.contains("LLAMA_ARG_MODEL"), "{out}");
    // Upstream JSON and Compose in one run.
    let pod = upstream("local-podman-llama-cpp.agent-pod.json");
    std::fs::copy(pod, d.join("pod.json")).unwrap();
    std::fs::write(d.join("c.yaml"), "services:\n  a:\n    image: x/y:1\n").unwrap();
    let (_, err, code) = amc(&["import", "pod.json", "c.yaml"], d);
    assert_eq!(code, 1);
    assert!(err.contains("amc::E0405"), "{err}");
    // Other Kubernetes kinds are a warning, never dropped silently.
    let (out, err, code) = run(
        "svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n",
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("amc::W0401") && err.contains("svc.yaml:2:7"),
        "{err}"
    );
    assert!(
        out.contains("not carried over: svc.yaml: Service `s`"),
        "{out}"
    );
}

#[test]
fn hostile_yaml_never_crashes_the_import() {
    let tmp = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(case_dir("compose-vllm").join("compose.yaml")).unwrap();
    let k8s = std::fs::read_to_string(case_dir("k8s-vllm-deployment").join("vllm.yaml")).unwrap();
    let mut inputs = vec![
        "a: &a [*a]\n".to_string(),
        "services: !!binary aGVsbG8=\n".to_string(),
        "services:\n  x: {image: [1], command: {a: b}, ports: [{target: 99999}], deploy: 3}\n"
            .to_string(),
        "apiVersion: apps/v1\nkind: StatefulSet\nspec: {template: {spec: {containers: [7]}}}\n"
            .to_string(),
        "---\n---\n".to_string(),
        "\u{feff}services: {}\n".to_string(),
    ];
    // Every prefix of the examples, cut at line ends.
    for text in [&base, &k8s] {
        for (i, _) in text.match_indices('\n').step_by(3) {
            inputs.push(text[..i].to_string());
        }
    }
    for (n, text) in inputs.iter().enumerate() {
        std::fs::write(tmp.path().join("in.yaml"), text).unwrap();
        let (_, err, code) = amc(&["import", "in.yaml"], tmp.path());
        assert!(
            code == 0 || code == 1,
            "input {n}: exit {code}: {err}\n{text}"
        );
        if code == 1 {
            assert!(err.contains("amc::E040"), "input {n}: {err}");
        }
    }
}

#[test]
fn compose_flags_amc_sets_itself_are_named() {
    let spec = import_case("compose-flags");
    // Each flag the stdlib provider sets itself, and the launcher, gets a
    // comment saying what amc does instead.
    for note in [
        "not carried over: entrypoint/command: python3 -m vllm.entrypoints.openai.api_server",
        "not carried over: command: --served-model-name qwen",
        "not carried over: command: --host 127.0.0.1",
        "not carried over: command: -ngl 99",
        "not carried over: gpus: `all`",
    ] {
        assert!(spec.contains(note), "{note}:\n{spec}");
    }
    // `-hf repo:QUANT` becomes the repo's usual file name, said to be a guess.
    assert!(
        spec.contains("file \"Qwen2.5-7B-Instruct-Q4_K_M.gguf\""),
        "{spec}"
    );
    assert!(spec.contains("was given with a quantisation tag"), "{spec}");
}
