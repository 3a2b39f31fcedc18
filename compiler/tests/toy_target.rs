//! A target added in one place: a test-only `toy` target registered from
//! here goes through lowering (its spelling is accepted, a misspelling gets a
//! did-you-mean naming it), its checks (an exposure it refuses), placement
//! (machine-scoped, host pools) and emission (its own files, listed in the
//! signed manifest, with receipts in its upstream vocabulary) — with no
//! change anywhere else in the compiler.

use std::fs;
use std::sync::Once;

use amc::diagnostics::Severity;
use amc::driver::{self, Options, Stop};
use amc::emit::Artifacts;
use amc::emit::targets::{self, EmitCx, Emitter};
use amc::target::{Profile, Scope, Storage, Target};
use amc::vfs::RealFs;

struct Toy;

static TOY: Profile = Profile {
    display: "Toy",
    scope: Scope::Machine,
    storage: Storage::HostPools,
    host_ports: true,
    tenant_networks: false,
    pod_type: "local-podman",
    surface: "local-runtime-plan",
    runtime_mode: "podman",
    network_mode: None,
};

impl Target for Toy {
    fn id(&self) -> &'static str {
        "toy"
    }

    fn profile(&self) -> &'static Profile {
        &TOY
    }

    fn exposure_unfit(&self, exposure: amc::ir::Exposure) -> Option<&'static str> {
        use amc::ir::Exposure;
        (!matches!(exposure, Exposure::Loopback | Exposure::None))
            .then_some("the toy target only serves on loopback")
    }
}

impl Emitter for Toy {
    fn emit(&self, cx: &EmitCx<'_>, out: &mut Artifacts) -> Result<(), amc::diagnostics::Bug> {
        for w in cx.workloads_of(self) {
            for m in cx.placement.machines_of(w.id()) {
                let text = format!(
                    "pod {} on {m}: image {} args {}\n",
                    w.id(),
                    w.image,
                    w.args.join(" ")
                );
                out.insert(format!("toy/{m}/{}.txt", w.id()), text.into_bytes());
            }
        }
        Ok(())
    }
}

fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| targets::register(&Toy).unwrap());
}

const SPEC: &str = r#"
import "std:providers/llama-cpp"
import "std:cache-tiers"

machine "box" {
    profile "sourceos-workstation"
    capacity {
        cpu 16
        memory "64GiB"
        accelerators "cpu"
    }
    storage-pool "fs" backend="filesystem" capacity="1TiB" path="/srv/agent-machine"
}

model "tiny" {
    url "https://models.example.com/tiny.gguf"
    file "tiny.gguf" sha256="1111111111111111111111111111111111111111111111111111111111111111" size="1MB"
    format "gguf"
    size "1MB"
}

provider "llama-pinned" extends="llama-cpp" {
    image "ghcr.io/ggml-org/llama.cpp:server-b9014" accelerator="cpu" digest="sha256:3333333333333333333333333333333333333333333333333333333333333333"
}

pod "chat" {
    tenant "t"
    provider "llama-pinned"
    model "tiny"
    accelerator "cpu"
    resources cpu=2 memory="4GiB"
    volume "models"
    port "api" 8080 exposure="EXPOSURE" host-port=18080
    target "TARGET"
}
"#;

fn build(target: &str, exposure: &str) -> driver::Compilation {
    register();
    let dir = tempfile::tempdir().unwrap();
    let text = SPEC.replace("TARGET", target).replace("EXPOSURE", exposure);
    fs::write(dir.path().join("spec.kdl"), text).unwrap();
    let opts = Options {
        stop: Stop::Build,
        ..Default::default()
    };
    driver::compile(&RealFs, dir.path(), "toy-spec", &opts).unwrap()
}

fn errors(c: &driver::Compilation) -> Vec<String> {
    c.diagnostics
        .sorted()
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{}: {} ({:?})", d.code.qualified(), d.message, d.help))
        .collect()
}

#[test]
fn a_registered_target_is_lowered_checked_placed_and_emitted() {
    let c = build("toy", "loopback");
    assert!(errors(&c).is_empty(), "{:#?}", errors(&c));
    let toy = c
        .artifacts
        .get("toy/box/chat.txt")
        .map(|b| String::from_utf8_lossy(b).to_string())
        .expect("the toy target wrote its file");
    assert!(
        toy.starts_with(
            "pod chat on box: image ghcr.io/ggml-org/llama.cpp:server-b9014@sha256:3333"
        ),
        "{toy}"
    );
    // No other target claimed the pod.
    assert!(
        !c.artifacts
            .keys()
            .any(|k| k.starts_with("quadlet/") || k.starts_with("kubernetes/")),
        "{:?}",
        c.artifacts.keys().collect::<Vec<_>>()
    );
    // The manifest lists the toy file; receipts use the toy's vocabulary.
    let manifest = String::from_utf8_lossy(&c.artifacts["amc-build.json"]).to_string();
    assert!(manifest.contains("\"toy/box/chat.txt\""), "{manifest}");
    let pod: serde_json::Value =
        serde_json::from_slice(&c.artifacts["receipts/chat/agent-pod.json"]).unwrap();
    assert_eq!(pod["podType"], "local-podman", "{pod:#}");
    let v = amc::contracts::validate("upstream/agent-pod", &pod).unwrap();
    assert!(v.is_empty(), "{v:?}");
}

#[test]
fn the_targets_own_checks_apply() {
    let c = build("toy", "host");
    let errs = errors(&c);
    assert!(
        errs.iter().any(|e| e.starts_with("amc::E0301")
            && e.contains("impossible for a toy pod")
            && e.contains("only serves on loopback")),
        "{errs:#?}"
    );
    assert!(c.artifacts.is_empty(), "a failed build writes nothing");
}

#[test]
fn a_misspelt_target_names_the_registered_ones() {
    let c = build("toyy", "loopback");
    let errs = errors(&c);
    assert!(
        errs.iter().any(|e| e.starts_with("amc::E0106")
            && e.contains("`toyy` is not a known value")
            && e.contains("did you mean `toy`?")),
        "{errs:#?}"
    );
}

/// A bug found while emitting (here: a staging plan that lost the model a
/// pod runs) is an E0901 labelled with the construct being emitted, so a
/// report names the model or pod that triggers it.
#[test]
fn an_emission_bug_names_the_construct_it_happened_on() {
    let c = build("quadlet", "loopback");
    assert!(errors(&c).is_empty(), "{:?}", errors(&c));
    let empty = amc::emit::staging::Plan::default();
    let docs = amc::resolve::documents::Documents::default();
    let cx = EmitCx {
        spec: &c.spec,
        checked: &c.checked,
        placement: &c.placement,
        plan: &empty,
        docs: &docs,
    };
    let mut out = Artifacts::new();
    let bug = targets::emit_all(&cx, &mut out).expect_err("an empty plan cannot be emitted");
    let d = bug.into_diagnostic();
    assert_eq!(d.code, amc::diagnostics::Code::E0901);
    assert!(
        d.message.contains("no staging planned for model tiny"),
        "{}",
        d.message
    );
    let label = &d.labels[0];
    assert_eq!(label.message, "staging this model");
    assert_eq!(c.sources.snippet(label.span), "\"tiny\"");
}
