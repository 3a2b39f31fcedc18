//! The Quadlet target: Podman units for each machine.
//!
//! Takes resolved workloads and their placement; produces
//! `quadlet/<machine>/<pod>.container`, the tenant's `.network` and any
//! `.volume` units, rendered from `targets/quadlet/*.j2`. Emits only keys
//! Podman 5.0–5.4 accept unless the machine's facts show a newer Podman.
//! Never reads the clock or the disk.

use amc_syntax::diagnostics::{Bug, BugResult};
use std::collections::BTreeMap;

use serde::Serialize;

use super::staging::{self, Delivery, Plan};
use super::templates;
use crate::Artifacts;
use amc_lang::check::{MachineView, Workload};
use amc_lang::ir;
use amc_solve::{pool_for, volume_size};

/// Escapes a value for a systemd unit file: `%` starts a specifier, so it
/// is doubled. Every value written into a unit goes through this. Control
/// characters never get here (`syntax` refuses them, E0115); should one
/// come from a stdlib or internal value, it is dropped rather than allowed
/// to start a new unit line.
fn unit_escape(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .replace('%', "%%")
}

/// Quotes one word of a command line the way systemd splits it.
fn sd_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@+{}".contains(c))
    {
        unit_escape(s)
    } else {
        let inner = s.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{}\"", unit_escape(&inner))
    }
}

/// Podman's `--entrypoint` takes one word, or a JSON array for several.
fn entrypoint(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => sd_word(one),
        many => unit_escape(&serde_json::to_string(many).unwrap_or_default()),
    }
}

fn command_line(words: &[String]) -> String {
    words
        .iter()
        .map(|w| sd_word(w))
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Serialize)]
struct ContainerCtx {
    version: &'static str,
    pod: String,
    tenant: String,
    machine: String,
    description: String,
    image: String,
    container_name: String,
    labels: Vec<String>,
    entrypoint: String,
    exec: String,
    user: u32,
    network: String,
    publish: Vec<String>,
    volumes: Vec<String>,
    mounts: Vec<String>,
    requires: Vec<String>,
    shm_size: String,
    tmpfs: Vec<String>,
    devices: Vec<String>,
    environment: Vec<String>,
    secrets: Vec<String>,
    memory: String,
    health_cmd: String,
    podman_args: String,
    restart: String,
}

/// Podman's `--cpus` value for millicores: `6` or `1.500`.
fn podman_cpus(milli: u64) -> String {
    if milli.is_multiple_of(1000) {
        (milli / 1000).to_string()
    } else {
        format!("{}.{:03}", milli / 1000, milli % 1000)
    }
}

/// Where a volume of this workload lives on the host.
pub fn host_path(root: &str, w: &Workload, tier_id: &str, volume_class: ir::VolumeClass) -> String {
    use ir::VolumeClass as V;
    let root = root.trim_end_matches('/');
    match volume_class {
        // Model weights are shared read-only across tenants.
        V::AgentModels => format!("{root}/{tier_id}"),
        // Caches are shared only within a tenant.
        V::AgentCacheHot | V::AgentCacheWarm | V::AgentCacheCold => {
            format!("{root}/{tier_id}/{}", w.pod.tenant.value)
        }
        // Everything else belongs to the pod.
        V::AgentScratch | V::AgentEvidence | V::AgentArtifacts => {
            format!("{root}/{tier_id}/{}/{}", w.pod.tenant.value, w.id())
        }
    }
}

/// Name of a Podman named volume for a tier without a host path.
pub fn named_volume(w: &Workload, tier_id: &str) -> String {
    format!("amc-{}-{tier_id}", w.pod.tenant.value)
}

/// The staging files of `w`'s model on machine `machine`.
pub fn model_files(w: &Workload, machine: &str, plan: &Plan) -> Vec<String> {
    let Some(m) = &w.model else { return Vec::new() };
    let id = &m.id.value;
    let dir = format!("quadlet/{machine}");
    match plan
        .quadlet
        .get(&(machine.to_string(), id.clone()))
        .map(|s| &s.delivery)
    {
        Some(Delivery::Oci { artifact, .. }) => vec![format!(
            "{dir}/amc-model-{id}.{}",
            if *artifact { "artifact" } else { "image" }
        )],
        Some(_) => vec![
            format!("{dir}/amc-stage.sh"),
            format!("{dir}/amc-stage-{id}.container"),
            format!("{dir}/amc-stage-{id}.sha256"),
            format!("{dir}/amc-stage-{id}.sources"),
        ],
        None => Vec::new(),
    }
}

/// The model side of a replica: what the server mounts for its model,
/// the unit it requires, and the staging files for the machine.
struct ModelSide {
    /// `Volume=` lines replacing the models tier's.
    volumes: Vec<String>,
    /// `Mount=` lines.
    mounts: Vec<String>,
    /// Units the server requires and starts after.
    requires: Vec<String>,
}

fn model_side(
    w: &Workload,
    m: &MachineView,
    plan: &Plan,
    out: &mut BTreeMap<String, Vec<u8>>,
) -> BugResult<Option<ModelSide>> {
    let (Some(model), Some(mv)) = (&w.model, staging::models_volume(w)) else {
        return Ok(None);
    };
    let id = &model.id.value;
    let dir = format!("quadlet/{}", m.id());
    let Some(stage) = plan.quadlet.get(&(m.id().to_string(), id.clone())) else {
        return Err(
            Bug::new(format!("no staging planned for model {id} on {}", m.id()))
                .at(model.id.span, "staging this model"),
        );
    };
    let in_container = format!("{}/{id}", mv.mount.trim_end_matches('/'));
    if let Delivery::Oci {
        reference,
        artifact,
    } = &stage.delivery
    {
        let (section, kind) = if *artifact {
            ("Artifact", "artifact")
        } else {
            ("Image", "image")
        };
        let unit = templates::render(
            "quadlet/model-image.j2",
            serde_json::json!({
                "version": amc_syntax::VERSION, "model": id, "machine": m.id(),
                "section": section, "reference": unit_escape(reference),
            }),
        )?;
        out.insert(format!("{dir}/amc-model-{id}.{kind}"), unit.into_bytes());
        return Ok(Some(ModelSide {
            volumes: Vec::new(),
            mounts: vec![unit_escape(&format!(
                "type={kind},source={reference},destination={in_container}"
            ))],
            requires: vec![format!("amc-model-{id}-{kind}.service")],
        }));
    }
    // The copy on the machine: the models tier's directory (or named
    // volume), or the host path of a `path` source.
    let pool_root = pool_for(m, &mv.tier).and_then(|p| p.path.clone());
    let (host, server_volume) = match (&stage.delivery, &pool_root) {
        (Delivery::Verify(Some(path)), _) => (path.clone(), format!("{path}:{in_container}:ro,z")),
        (_, Some(root)) => {
            let tier_dir = host_path(root, w, &mv.tier.id.value, mv.tier.volume_class);
            (
                format!("{tier_dir}/{id}"),
                format!("{tier_dir}:{}:ro,z", mv.mount),
            )
        }
        (_, None) => {
            let name = named_volume(w, &mv.tier.id.value);
            (String::new(), format!("{name}.volume:{}:ro", mv.mount))
        }
    };
    let fetch = stage.delivery == Delivery::Fetch;
    let (model_volume, model_dir) = match (&stage.delivery, &pool_root) {
        (Delivery::Verify(Some(_)), _) => (
            format!("{host}:/amc/models/{id}:ro,z"),
            format!("/amc/models/{id}"),
        ),
        (_, Some(_)) => {
            let tier_dir = host.trim_end_matches(&format!("/{id}")).to_string();
            (
                format!(
                    "{tier_dir}:/amc/models:{},z",
                    if fetch { "rw" } else { "ro" }
                ),
                format!("/amc/models/{id}"),
            )
        }
        (_, None) => (
            format!(
                "{}.volume:/amc/models:{}",
                named_volume(w, &mv.tier.id.value),
                if fetch { "rw" } else { "ro" }
            ),
            format!("/amc/models/{id}"),
        ),
    };
    let mut environment = vec![
        format!("AMC_MODE={}", if fetch { "stage" } else { "verify" }),
        format!("AMC_MODEL_DIR={model_dir}"),
        "AMC_CHECKSUMS=/amc/stage/sha256".to_string(),
        "AMC_SOURCES=/amc/stage/sources".to_string(),
        format!("AMC_TOFU={}", if staging::tofu(model) { 1 } else { 0 }),
    ];
    if let Some(ep) = &stage.hf_endpoint {
        environment.push(format!("HF_ENDPOINT={ep}"));
    }
    let unit = templates::render(
        "quadlet/stage.j2",
        serde_json::json!({
            "version": amc_syntax::VERSION, "model": id, "machine": m.id(),
            "action": if fetch { "stage and verify" } else { "verify" },
            "fetch": fetch, "image": unit_escape(&stage.image),
            // The tier's directory on the host, created before the bind mount.
            "mkdir": match (&stage.delivery, &pool_root) {
                (Delivery::Fetch, Some(_)) => sd_word(host.trim_end_matches(&format!("/{id}"))),
                _ => String::new(),
            },
            "model_volume": unit_escape(&model_volume),
            "environment": environment.iter().map(|e| sd_word(e)).collect::<Vec<_>>(),
        }),
    )?;
    out.insert(format!("{dir}/amc-stage-{id}.container"), unit.into_bytes());
    out.insert(
        format!("{dir}/amc-stage-{id}.sources"),
        staging::sources(model, &stage.delivery).into_bytes(),
    );
    out.insert(
        format!("{dir}/amc-stage-{id}.sha256"),
        staging::checksums(model).into_bytes(),
    );
    out.insert(
        format!("{dir}/amc-stage.sh"),
        staging::script()?.as_bytes().to_vec(),
    );
    Ok(Some(ModelSide {
        volumes: vec![unit_escape(&server_volume)],
        mounts: Vec::new(),
        requires: vec![format!("amc-stage-{id}.service")],
    }))
}

/// Emits the units of one workload on one machine into `out`.
pub fn emit(
    w: &Workload,
    m: &MachineView,
    replica: u32,
    plan: &Plan,
    out: &mut BTreeMap<String, Vec<u8>>,
) -> BugResult<()> {
    let dir = format!("quadlet/{}", m.id());
    let tenant = w.pod.tenant.value.clone();
    let new_podman = m.podman.is_some_and(|v| v >= (5, 5, 0));

    let side = model_side(w, m, plan, out)?;
    let models_tier = staging::models_volume(w).map(|v| v.tier.id.value.clone());
    let mut volumes = Vec::new();
    let mut tmpfs = Vec::new();
    if let Some(s) = &side {
        volumes.extend(s.volumes.iter().cloned());
    }
    for v in &w.volumes {
        if side.is_some() && Some(&v.tier.id.value) == models_tier.as_ref() {
            continue;
        }
        let mode = match v.access {
            amc_lang::ir::AccessMode::ReadOnly => "ro",
            amc_lang::ir::AccessMode::ReadWrite | amc_lang::ir::AccessMode::RuntimeManaged => "rw",
        };
        if v.tier.backend.value == amc_lang::ir::StorageBackend::Tmpfs {
            tmpfs.push(unit_escape(&format!(
                "{}:{mode},nodev,nosuid,noexec,size={}",
                v.mount,
                volume_size(&v.tier)
            )));
            continue;
        }
        let pool = pool_for(m, &v.tier);
        match pool.and_then(|p| p.path.clone()) {
            Some(root) => {
                let path = host_path(&root, w, &v.tier.id.value, v.tier.volume_class);
                // Shared directories get the shared SELinux label, per-pod ones a private label.
                let shared = !path.ends_with(&format!("/{}", w.id()));
                let label = if shared { "z" } else { "Z" };
                volumes.push(unit_escape(&format!("{path}:{}:{mode},{label}", v.mount)));
            }
            None => {
                let name = named_volume(w, &v.tier.id.value);
                let unit = templates::render(
                    "quadlet/volume.j2",
                    serde_json::json!({
                        "version": amc_syntax::VERSION, "name": name, "tenant": tenant,
                        "machine": m.id(), "tier": v.tier.id.value, "volume_class": v.tier.volume_class,
                    }),
                )?;
                out.insert(format!("{dir}/{name}.volume"), unit.into_bytes());
                volumes.push(unit_escape(&format!("{name}.volume:{}:{mode}", v.mount)));
            }
        }
    }

    let network = match w.network {
        amc_lang::ir::NetworkMode::None => "none".to_string(),
        amc_lang::ir::NetworkMode::Loopback
        | amc_lang::ir::NetworkMode::Private
        | amc_lang::ir::NetworkMode::Host => {
            let name = format!("amc-{tenant}");
            let unit = templates::render(
                "quadlet/network.j2",
                serde_json::json!({"version": amc_syntax::VERSION, "name": name, "tenant": tenant, "machine": m.id()}),
            )?;
            out.insert(format!("{dir}/{name}.network"), unit.into_bytes());
            format!("{name}.network")
        }
    };
    let publish = w
        .ports
        .iter()
        .filter_map(|p| match p.exposure {
            amc_lang::ir::Exposure::Loopback => {
                Some(format!("127.0.0.1:{}:{}", p.host_port, p.container_port))
            }
            amc_lang::ir::Exposure::Host => Some(format!("{}:{}", p.host_port, p.container_port)),
            amc_lang::ir::Exposure::None
            | amc_lang::ir::Exposure::Cluster
            | amc_lang::ir::Exposure::Ingress => None,
        })
        .collect();
    let devices = match w.accelerator {
        ir::Accelerator::Cuda => vec!["nvidia.com/gpu=all".to_string()],
        ir::Accelerator::Rocm => vec!["/dev/kfd".to_string(), "/dev/dri".to_string()],
        ir::Accelerator::Vulkan => vec!["/dev/dri".to_string()],
        ir::Accelerator::Cpu | ir::Accelerator::Metal | ir::Accelerator::Mlx => Vec::new(),
    };
    let mut environment: Vec<String> = vec![
        format!("AGENT_MACHINE_POD={}", w.id()),
        format!("AGENT_MACHINE_PROFILE={}", m.profile),
        format!(
            "AGENT_MACHINE_PROVIDER={}",
            w.provider
                .provider_type
                .as_ref()
                .map(|t| t.value.as_str())
                .unwrap_or("unknown")
        ),
        "AGENT_MACHINE_RECEIPTS_REQUIRED=true".to_string(),
        format!("AGENT_MACHINE_REPLICA={replica}"),
    ];
    environment.extend(w.env.iter().map(|(k, v)| sd_word(&format!("{k}={v}"))));
    let secrets = w
        .pod
        .secrets
        .iter()
        .map(|s| match &s.env {
            Some(e) => unit_escape(&format!("{},type=env,target={e}", s.name)),
            None => unit_escape(&s.name),
        })
        .collect();
    let health_cmd = match (&w.provider.health_cmd, &w.provider.health) {
        (Some(c), _) => unit_escape(c),
        (None, Some(path)) => {
            let port = w
                .ports
                .first()
                .map(|p| p.container_port)
                .unwrap_or(w.provider.port.unwrap_or(8080));
            format!("curl -fsS http://127.0.0.1:{port}{path}")
        }
        (None, None) => String::new(),
    };
    let mut podman_args = vec![
        format!("--cpus={}", podman_cpus(w.cpu_limit)),
        "--security-opt=no-new-privileges".to_string(),
    ];
    if !new_podman {
        podman_args.push(format!("--memory={}", w.memory_limit));
    }
    if !devices.is_empty() && w.accelerator != ir::Accelerator::Cuda {
        podman_args.push("--group-add=keep-groups".to_string());
    }
    let labels = [
        format!("io.agent-machine.pod={}", w.id()),
        format!("io.agent-machine.tenant={tenant}"),
        format!("io.agent-machine.provider={}", w.provider.id.value),
        "io.agent-machine.managed-by=amc".to_string(),
    ];
    let ctx = ContainerCtx {
        version: amc_syntax::VERSION,
        pod: w.id().to_string(),
        tenant: tenant.clone(),
        machine: m.id().to_string(),
        description: unit_escape(&format!(
            "amc pod {} ({} serving {})",
            w.id(),
            w.provider.id.value,
            w.model
                .as_ref()
                .map(|x| x.id.value.as_str())
                .unwrap_or("no model")
        )),
        image: unit_escape(&w.image),
        container_name: format!("amc-{}", w.id()),
        labels: labels.iter().map(|l| unit_escape(l)).collect(),
        entrypoint: entrypoint(&w.entrypoint),
        exec: command_line(&w.args),
        user: w.user,
        network,
        publish,
        volumes,
        mounts: side.as_ref().map(|s| s.mounts.clone()).unwrap_or_default(),
        requires: side
            .as_ref()
            .map(|s| s.requires.clone())
            .unwrap_or_default(),
        shm_size: w.shm.map(|b| b.to_string()).unwrap_or_default(),
        tmpfs,
        devices,
        environment,
        secrets,
        memory: if new_podman {
            w.memory_limit.to_string()
        } else {
            String::new()
        },
        health_cmd,
        podman_args: podman_args.join(" "),
        // Podman's `Restart=` spellings (systemd's).
        restart: match w.restart {
            amc_lang::ir::RestartPolicy::Never => "no",
            amc_lang::ir::RestartPolicy::OnFailure | amc_lang::ir::RestartPolicy::PolicyManaged => {
                "on-failure"
            }
            amc_lang::ir::RestartPolicy::Always => "always",
        }
        .to_string(),
    };
    let text = templates::render("quadlet/container.j2", &ctx)?;
    out.insert(format!("{dir}/{}.container", w.id()), text.into_bytes());
    Ok(())
}

/// The base image a machine's bootc `Containerfile` builds on by default.
pub const BOOTC_BASE: &str = "quay.io/fedora/fedora-bootc:42";

/// For every machine with `bootc #true`: its Quadlet folder again as an
/// image layer, `bootc/<machine>/usr/share/containers/systemd/` (where an
/// image ships its units; `/etc/containers/systemd/` stays the admin's), and
/// a `Containerfile` that copies it onto a bootc base image.
pub fn bootc_layers(spec: &ir::Spec, out: &mut Artifacts) {
    for m in spec.machines.iter().filter(|m| m.bootc) {
        let id = m.id.value.to_string();
        let prefix = format!("quadlet/{id}/");
        let units: Vec<(String, Vec<u8>)> = out
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .map(|(p, b)| (p[prefix.len()..].to_string(), b.clone()))
            .collect();
        if units.is_empty() {
            continue;
        }
        for (name, bytes) in units {
            out.insert(
                format!("bootc/{id}/usr/share/containers/systemd/{name}"),
                bytes,
            );
        }
        let containerfile = format!(
            "# Generated by amc {v} for machine \"{id}\": an image-mode (bootc) layer with its Quadlet units.\n\
             # Build it on the machine's bootc base image and switch to it:\n\
             #   podman build --build-arg BASE=<your bootc base> -t <image> bootc/{id}/\n\
             #   bootc switch <image>   (then reboot; the units start at boot)\n\
             # Do not edit: change the spec and run `amc build` again.\n\
             ARG BASE={BOOTC_BASE}\n\
             FROM ${{BASE}}\n\
             COPY usr/ /usr/\n",
            v = amc_syntax::VERSION,
        );
        out.insert(
            format!("bootc/{id}/Containerfile"),
            containerfile.into_bytes(),
        );
    }
}
