//! HostFacts → upstream AgentMachine (`contracts/upstream/agent-machine.schema.json`).
//!
//! Takes: [`HostFacts`] and a slug for the id.
//! Produces: an AgentMachine JSON document (`specVersion` 0.1.0,
//! `id` `urn:srcos:agent-machine:<slug>`) that validates against the embedded
//! upstream schema. Object keys come out sorted (serde_json's map is a
//! BTreeMap), matching upstream's `sort_keys` JSON; array order is fixed.
//! Never: claims what the facts do not say — unobserved optional fields
//! (`encryptedAtRest`, `immutableHost`, TPM/Secure Boot/FIDO2) are omitted, and
//! trust requirements keep upstream's fail-closed defaults (all `true`).

use serde_json::{Map, Value, json};

use crate::facts::{
    Accelerator, Arch, EncryptionMode, GpuVendor, HostFacts, Os, Profile, VulkanDeviceType,
};

/// The upstream AgentMachine schema, copied verbatim.
pub const AGENT_MACHINE_SCHEMA: &str =
    include_str!("../../../../../contracts/upstream/agent-machine.schema.json");

/// Fixed upstream storage paths (`agent-machine probe` reports the same ones).
const MODEL_CACHE: &str = "/var/lib/agent-machine/models";
const RUNTIME_CACHE: &str = "/var/lib/agent-machine/cache";
const EVIDENCE_PATH: &str = "/var/lib/agent-machine/evidence";

/// Make a valid id segment (`[a-z0-9][a-z0-9-]*`) from any text: lowercase,
/// other characters become `-`, runs collapse, leading/trailing `-` go;
/// empty input gives `host`.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "host".to_string()
    } else {
        out
    }
}

/// Build an AgentMachine document for these facts. `slug` is passed through
/// [`slugify`], so the id always matches the upstream pattern.
pub fn to_agent_machine(facts: &HostFacts, slug: &str) -> Value {
    let linux = facts.host.os == Os::Linux;

    let mut host = Map::new();
    host.insert("hostname".into(), json!(facts.host.hostname));
    host.insert(
        "os".into(),
        json!(match facts.host.os {
            Os::Linux => "Linux",
            Os::Macos => "Darwin",
            Os::Other => "Other",
        }),
    );
    if let Some(d) = &facts.host.distro {
        let distro = match &d.version_id {
            Some(v) => format!("{} {v}", d.name),
            None => d.name.clone(),
        };
        host.insert("distro".into(), json!(distro));
    }
    host.insert("kernel".into(), json!(facts.host.kernel));
    host.insert(
        "arch".into(),
        json!(match facts.host.arch {
            Arch::X86_64 => "x86_64",
            Arch::Aarch64 => "aarch64",
        }),
    );
    if let Some(immutable) = facts.host.immutable {
        host.insert("immutableHost".into(), json!(immutable));
    }

    let mut runtime = Map::new();
    let podman = facts.container_runtime.podman.as_ref();
    let mut envelopes = Vec::new();
    if facts.systemd.system {
        envelopes.push("systemd");
    }
    if podman.is_some_and(|p| p.quadlet) && facts.systemd.system {
        envelopes.push("podman-quadlet");
    }
    if podman.is_some() {
        envelopes.push("podman");
    }
    if facts.profile == Profile::KubernetesNode {
        envelopes.push("kubernetes");
    }
    if envelopes.is_empty() {
        envelopes.push("none");
    }
    runtime.insert("localEnvelopes".into(), json!(envelopes));
    let container_runtime = if podman.is_some() {
        "podman"
    } else if facts.container_runtime.docker.is_some() {
        "docker"
    } else {
        "none"
    };
    runtime.insert("containerRuntime".into(), json!(container_runtime));
    runtime.insert("selinuxMode".into(), json!(facts.selinux.as_str()));
    runtime.insert("cgroupMode".into(), json!(facts.cgroup_version.as_str()));

    let mut storage = Map::new();
    storage.insert("modelCache".into(), json!(MODEL_CACHE));
    storage.insert("runtimeCache".into(), json!(RUNTIME_CACHE));
    storage.insert("evidencePath".into(), json!(EVIDENCE_PATH));
    if let Some(encrypted) = encrypted_at(facts, MODEL_CACHE) {
        storage.insert("encryptedAtRest".into(), json!(encrypted));
    }

    let mut trust = Map::new();
    trust.insert("policyFabricRequired".into(), json!(true));
    trust.insert("agentRegistryRequired".into(), json!(true));
    trust.insert("receiptsRequired".into(), json!(true));

    let mut labels = Map::new();
    labels.insert("sourceos.profile".into(), json!(facts.profile.as_str()));
    labels.insert(
        "amc.facts.source".into(),
        json!(match facts.provenance.source {
            crate::facts::FactsSource::Probed => "probed",
            crate::facts::FactsSource::HandWritten => "hand-written",
        }),
    );

    let mut doc = Map::new();
    doc.insert("specVersion".into(), json!("0.1.0"));
    doc.insert(
        "id".into(),
        json!(format!("urn:srcos:agent-machine:{}", slugify(slug))),
    );
    doc.insert("kind".into(), json!("AgentMachine"));
    doc.insert("profile".into(), json!(facts.profile.as_str()));
    doc.insert("host".into(), Value::Object(host));
    doc.insert(
        "accelerators".into(),
        Value::Array(accelerators(facts, linux)),
    );
    doc.insert("runtime".into(), Value::Object(runtime));
    doc.insert("storage".into(), Value::Object(storage));
    doc.insert("trust".into(), Value::Object(trust));
    doc.insert("labels".into(), Value::Object(labels));
    Value::Object(doc)
}

fn accelerators(facts: &HostFacts, linux: bool) -> Vec<Value> {
    let has = |a| facts.has_accelerator(a);
    let mut out = Vec::new();
    let mut cpu = Map::new();
    cpu.insert("type".into(), json!("cpu"));
    if let Some(model) = &facts.cpu.model {
        cpu.insert("name".into(), json!(model));
    }
    cpu.insert("available".into(), json!(true));
    cpu.insert(
        "notes".into(),
        json!(format!(
            "{} cores / {} threads; features: {}",
            facts.cpu.cores,
            facts.cpu.threads,
            feature_list(facts)
        )),
    );
    out.push(Value::Object(cpu));

    let first_gpu = |vendor: GpuVendor| facts.gpus.iter().find(|g| g.vendor == vendor);
    if let Some(gpu) = first_gpu(GpuVendor::Nvidia).filter(|_| linux) {
        out.push(entry(
            "cuda",
            Some(&gpu.name),
            has(Accelerator::Cuda),
            gpu.driver.as_deref(),
            None,
        ));
    }
    if let Some(gpu) = first_gpu(GpuVendor::Amd).filter(|_| linux) {
        let note = (!has(Accelerator::Rocm))
            .then_some("AMD GPU present but /dev/kfd (ROCm) was not found");
        out.push(entry(
            "rocm",
            Some(&gpu.name),
            has(Accelerator::Rocm),
            gpu.driver.as_deref(),
            note,
        ));
    }
    let vk_gpu = facts
        .vulkan
        .devices
        .iter()
        .find(|d| d.device_type != VulkanDeviceType::Cpu);
    let vk_note = if has(Accelerator::Vulkan) {
        None
    } else if !facts.vulkan.devices.is_empty() {
        Some("only a CPU (software) Vulkan device was found".to_string())
    } else {
        facts.vulkan.reason.clone()
    };
    out.push(entry(
        "vulkan",
        vk_gpu.map(|d| d.name.as_str()),
        has(Accelerator::Vulkan),
        vk_gpu.and_then(|d| d.driver_name.as_deref()),
        vk_note.as_deref(),
    ));
    if linux {
        out.push(entry(
            "metal",
            Some("Metal"),
            false,
            Some("not-applicable-on-linux"),
            None,
        ));
    } else {
        out.push(entry(
            "metal",
            Some("Metal"),
            has(Accelerator::Metal),
            None,
            None,
        ));
        out.push(entry("mlx", Some("MLX"), has(Accelerator::Mlx), None, None));
    }
    out
}

fn entry(
    kind: &str,
    name: Option<&str>,
    available: bool,
    driver: Option<&str>,
    notes: Option<&str>,
) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), json!(kind));
    if let Some(name) = name {
        m.insert("name".into(), json!(name));
    }
    m.insert("available".into(), json!(available));
    if let Some(driver) = driver {
        m.insert("driver".into(), json!(driver));
    }
    if let Some(notes) = notes {
        m.insert("notes".into(), json!(notes));
    }
    Value::Object(m)
}

fn feature_list(facts: &HostFacts) -> String {
    if facts.cpu.features.is_empty() {
        "none recorded".to_string()
    } else {
        facts.cpu.features.join(", ")
    }
}

/// Whether the disk holding `path` (longest mount-point prefix) is encrypted;
/// `None` when no disk holds it or its encryption was not observed.
fn encrypted_at(facts: &HostFacts, path: &str) -> Option<bool> {
    let disk = facts
        .disks
        .iter()
        .filter(|d| {
            let mp = d.mount_point.trim_end_matches('/');
            path == mp || path.starts_with(&format!("{mp}/")) || d.mount_point == "/"
        })
        .max_by_key(|d| d.mount_point.len())?;
    if !disk.encryption.observed {
        return None;
    }
    Some(!matches!(
        disk.encryption.mode,
        EncryptionMode::None | EncryptionMode::Unknown
    ))
}
