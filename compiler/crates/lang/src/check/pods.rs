//! Pods resolved against their provider, model and cache tiers.
//!
//! Takes pods whose references exist; applies defaults and produces
//! [`Workload`]s, reporting contradictions: impossible exposures, forbidden
//! privileges, secrets written into the spec, accelerator, format and image
//! mismatches, missing model volumes, request/limit inversions. Never looks
//! at machines (that is `solve`).

use crate::ir::{self, Spanned};
use crate::lang::types::is_digest;
use amc_syntax::diagnostics::{Code, Diagnostic, Diagnostics};
use amc_syntax::source::Span;

/// A volume mount with its tier.
#[derive(Debug, Clone)]
pub struct VolumeView {
    /// The tier.
    pub tier: ir::CacheTier,
    /// Mount path in the container.
    pub mount: String,
    /// Access mode.
    pub access: crate::ir::AccessMode,
    /// PersistentVolumeClaim name (`volume pvc=`).
    pub pvc: Option<Spanned<String>>,
    /// Volume class override for the AgentPod (`volume class=`).
    pub class: Option<ir::VolumeClass>,
    /// Sensitivity override for the AgentPod (`volume sensitive=`).
    pub sensitive: Option<bool>,
    /// Where the pod declares it.
    pub span: Span,
}

/// A port with defaults applied.
#[derive(Debug, Clone)]
pub struct PortView {
    /// Name.
    pub name: String,
    /// Container port.
    pub container_port: u16,
    /// Exposure.
    pub exposure: crate::ir::Exposure,
    /// Host port (Quadlet).
    pub host_port: u16,
    /// Ingress host.
    pub host: Option<String>,
    /// Where declared.
    pub span: Span,
}

/// A pod with everything it refers to resolved and defaults applied.
#[derive(Debug, Clone)]
pub struct Workload {
    /// The pod.
    pub pod: ir::Pod,
    /// Its provider.
    pub provider: ir::Provider,
    /// Its model.
    pub model: Option<ir::Model>,
    /// The accelerator API it runs on.
    pub accelerator: ir::Accelerator,
    /// Image reference as emitted (with `@sha256:` when pinned).
    pub image: String,
    /// Image digest, when pinned.
    pub image_digest: Option<String>,
    /// CPU request (millicores).
    pub cpu: u64,
    /// CPU limit.
    pub cpu_limit: u64,
    /// Memory request.
    pub memory: u64,
    /// Memory limit.
    pub memory_limit: u64,
    /// GPUs.
    pub gpus: u32,
    /// VRAM per replica.
    pub vram: u64,
    /// /dev/shm size, when the provider or pod sets one.
    pub shm: Option<u64>,
    /// Memory-backed bytes the container's memory limit must also hold:
    /// /dev/shm, tmpfs tiers and the 1 GiB /tmp.
    pub memory_backed: u64,
    /// Memory the placement reserves: the request, or what the model (when
    /// served from RAM) and the memory-backed volumes need if that is more.
    pub memory_demand: u64,
    /// Volumes.
    pub volumes: Vec<VolumeView>,
    /// Ports.
    pub ports: Vec<PortView>,
    /// Network mode.
    pub network: crate::ir::NetworkMode,
    /// Restart policy.
    pub restart: crate::ir::RestartPolicy,
    /// Container args (placeholders substituted).
    pub args: Vec<String>,
    /// Entrypoint override.
    pub entrypoint: Vec<String>,
    /// Env (provider then pod).
    pub env: Vec<(String, String)>,
    /// Run-as uid.
    pub user: u32,
    /// Cluster id for cluster-scoped targets.
    pub cluster: Option<ir::ClusterId>,
    /// Its target.
    pub target: &'static dyn crate::target::Target,
}

impl VolumeView {
    /// The PersistentVolumeClaim name of a single-replica Kubernetes pod's volume.
    pub fn claim(&self, pod: &str) -> String {
        self.pvc
            .as_ref()
            .map(|p| p.value.clone())
            .unwrap_or_else(|| format!("{pod}-{}", self.tier.id.value))
    }
}

impl Workload {
    /// Pod id.
    pub fn id(&self) -> &str {
        &self.pod.id.value
    }
    /// What its target may be asked.
    pub fn profile(&self) -> &'static crate::target::Profile {
        self.target.profile()
    }
}

const GIB: u64 = 1 << 30;

/// Size of the memory-backed /tmp every container gets.
pub const TMP_SIZE: u64 = GIB;

fn secret_like_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "CREDENTIAL",
        "ACCESS_KEY",
    ]
    .iter()
    .any(|s| n.contains(s))
}

/// The values of the placeholders a provider's args and env may use.
struct Placeholders<'a> {
    port: u16,
    model_path: &'a str,
    model_id: &'a str,
    model_dir: &'a str,
    /// llama.cpp `--n-gpu-layers`: all layers on a GPU accelerator, none on CPU.
    gpu_layers: &'a str,
    /// GPUs of a replica (the tensor-parallel degree).
    gpus: u32,
}

fn substitute(arg: &str, p: &Placeholders<'_>) -> String {
    arg.replace("{port}", &p.port.to_string())
        .replace("{model-path}", p.model_path)
        .replace("{model-id}", p.model_id)
        .replace("{model-dir}", p.model_dir)
        .replace("{gpu-layers}", p.gpu_layers)
        .replace("{gpus}", &p.gpus.to_string())
}

/// Resolves one pod; `None` when it cannot be (errors reported).
pub fn workload(spec: &ir::Spec, p: &ir::Pod, diags: &mut Diagnostics) -> Option<Workload> {
    let before = diags.error_count();
    let provider = spec.provider(&p.provider.value)?.clone();
    let model = match &p.model {
        Some(m) => Some(spec.model(&m.value)?.clone()),
        None => None,
    };
    let id = &p.id.value;
    let Some(target) = crate::target::get(&p.target.value) else {
        // Lowering checked the spelling against the same registry and
        // reported E0106; without that error this is a bug.
        if !diags.has_errors() {
            diags.push(Diagnostic::internal(format!(
                "pod `{id}`: target `{}` is not registered",
                p.target.value
            )));
        }
        return None;
    };
    let profile = target.profile();

    // Privileges and secrets.
    let pol = &p.policy;
    if let Some(b) = pol.allow_privileged.as_ref().filter(|b| b.value) {
        diags.push(
            Diagnostic::new(Code::E0303, format!("pod `{id}` asks to run privileged"))
                .label(b.span, "privileged containers are never emitted")
                .help("remove `allow-privileged=#true`; use `accelerator` and `volume` to grant devices and storage"),
        );
    }
    if let Some(b) = pol.allow_secret_in_spec.as_ref().filter(|b| b.value) {
        diags.push(
            Diagnostic::new(Code::E0304, format!("pod `{id}` asks to allow secrets in the spec"))
                .label(b.span, "secrets never go into specs or outputs")
                .help("remove `allow-secret-in-spec=#true` and reference secrets with `secret \"NAME\" env=\"VAR\"`"),
        );
    }
    if let Some(b) = pol.allow_host_network.as_ref().filter(|b| b.value) {
        diags.push(
            Diagnostic::new(Code::E0305, format!("pod `{id}` asks for the host network"))
                .label(b.span, "host networking is never emitted")
                .help("remove `allow-host-network=#true`; publish ports with `exposure=\"loopback\"` or `\"host\"`"),
        );
    }
    if let Some(n) = p
        .network
        .as_ref()
        .filter(|n| n.value == crate::ir::NetworkMode::Host)
    {
        diags.push(
            Diagnostic::new(Code::E0305, format!("pod `{id}` uses the host network"))
                .label(n.span, "host networking is never emitted")
                .help("use `network \"private\"` (the default) and publish ports with an exposure"),
        );
    }
    for (name, value) in &p.env {
        // Values are scanned for credentials by shape checking; here the
        // name decides: `API_TOKEN "x"` is a secret whatever `x` looks like.
        if secret_like_name(&name.value) {
            diags.push(
                Diagnostic::new(Code::E0304, format!("pod `{id}` writes a secret value into `{}`", name.value))
                    .label(value.span, "looks like a secret value")
                    .help(format!(
                        "store it on the target (Podman secret or Kubernetes Secret) and reference it: `secret \"NAME\" env=\"{}\"`",
                        name.value
                    )),
            );
        }
    }

    // Target and cluster.
    let cluster_scoped = profile.scope == crate::target::Scope::Cluster;
    match (&p.cluster, cluster_scoped) {
        (None, true) => diags.push(
            Diagnostic::new(
                Code::E0306,
                format!("pod `{id}` targets {} but names no cluster", target.id()),
            )
            .label(p.target.span, "which cluster?")
            .help("write `target \"kubernetes\" cluster=\"CLUSTER\"`"),
        ),
        (Some(c), false) => diags.push(
            Diagnostic::new(
                Code::E0306,
                format!(
                    "pod `{id}` targets {} but names cluster `{}`",
                    target.id(),
                    c.value
                ),
            )
            .label(c.span, "clusters only apply to kubernetes targets")
            .help("drop `cluster=`, or use `target \"kubernetes\"`"),
        ),
        _ => {}
    }

    // Provider runtime and images.
    let runtime = provider.runtime.unwrap_or(ir::ProviderRuntime::Container);
    if runtime != ir::ProviderRuntime::Container {
        diags.push(
            Diagnostic::new(
                Code::E0309,
                format!(
                    "provider `{}` runs as {runtime}, not in a container",
                    provider.id.value
                ),
            )
            .label(
                p.provider.span,
                "cannot be emitted as a Quadlet unit or Kubernetes workload",
            )
            .help(
                "pick a containerised provider (e.g. llama-cpp, vllm, sglang, ollama) for this pod",
            ),
        );
    }

    // Accelerator.
    let gpus = p.resources.gpus.unwrap_or(0);
    let accelerator = p
        .accelerators
        .iter()
        .find(|a| a.required)
        .map(|a| a.api.clone())
        .unwrap_or_else(|| Spanned::new(ir::Accelerator::Cpu, p.head));
    for a in &p.accelerators {
        if !provider.accelerators.contains(&a.api.value) {
            diags.push(
                Diagnostic::new(
                    Code::E0307,
                    format!(
                        "provider `{}` does not support the `{}` accelerator",
                        provider.id.value, a.api.value
                    ),
                )
                .label(a.api.span, "unsupported by the provider")
                .label(p.provider.span, "provider chosen here")
                .help(format!(
                    "`{}` supports: {}",
                    provider.id.value,
                    crate::lang::vocab::join(&provider.accelerators, ", ")
                )),
            );
        }
    }
    if gpus > 0 && accelerator.value == ir::Accelerator::Cpu {
        diags.push(
            Diagnostic::new(
                Code::E0307,
                format!("pod `{id}` asks for {gpus} GPU(s) but no GPU accelerator"),
            )
            .label(p.resources.span.unwrap_or(p.head), "gpus > 0")
            .help("add `accelerator \"cuda\"` (or rocm, vulkan) to the pod"),
        );
    }
    if p.accelerators.is_empty() && !provider.accelerators.contains(&ir::Accelerator::Cpu) {
        diags.push(
            Diagnostic::new(
                Code::E0307,
                format!(
                    "provider `{}` cannot run on CPU, and pod `{id}` names no accelerator",
                    provider.id.value
                ),
            )
            .label(p.provider.span, "needs an accelerator")
            .help(format!(
                "add `accelerator \"...\"` with one of: {}",
                crate::lang::vocab::join(&provider.accelerators, ", ")
            )),
        );
    }

    // Model format.
    if let Some(m) = &model
        && !provider.formats.contains(&m.format.value)
    {
        {
            let mspan = p.model.as_ref().map(|x| x.span).unwrap_or(p.head);
            diags.push(
                Diagnostic::new(
                    Code::E0308,
                    format!(
                        "provider `{}` does not load {} models, and model `{}` is {}",
                        provider.id.value, m.format.value, m.id.value, m.format.value
                    ),
                )
                .label(mspan, format!("a {} model", m.format.value))
                .label(
                    p.provider.span,
                    format!(
                        "serves {}",
                        crate::lang::vocab::join(&provider.formats, ", ")
                    ),
                )
                .help("pick a model in a format the provider loads, or another provider"),
            );
        }
    }

    // Image for the accelerator.
    let image = provider
        .images
        .iter()
        .find(|i| i.accelerator == Some(accelerator.value))
        .or_else(|| provider.images.iter().find(|i| i.accelerator.is_none()));
    let (image_ref, image_digest) = match image {
        Some(i) => {
            let inline = i.reference.split_once('@').map(|(_, d)| d.to_string());
            let digest = i.digest.clone().or(inline.clone());
            if let (Some(a), Some(b)) = (&i.digest, &inline)
                && a != b
            {
                diags.push(
                    Diagnostic::new(
                        Code::E0111,
                        format!(
                            "image of provider `{}` has two different digests",
                            provider.id.value
                        ),
                    )
                    .label(i.span, "the reference and `digest=` disagree")
                    .help("keep one digest"),
                );
            }
            let base = i
                .reference
                .split_once('@')
                .map(|(b, _)| b.to_string())
                .unwrap_or(i.reference.clone());
            let full = match &digest {
                Some(d) if is_digest(d) => format!("{base}@{d}"),
                _ => base,
            };
            (full, digest)
        }
        None => {
            if runtime == ir::ProviderRuntime::Container {
                diags.push(
                    Diagnostic::new(
                        Code::E0309,
                        format!("provider `{}` has no image for the `{}` accelerator", provider.id.value, accelerator.value),
                    )
                    .label(accelerator.span, "no image for this accelerator")
                    .label(p.provider.span, "provider chosen here")
                    .help("add `image \"REF\" accelerator=\"...\"` to the provider (or derive one with `extends`)"),
                );
            }
            (String::new(), None)
        }
    };
    let policy = p.image_policy;
    if image_digest.is_none() && !image_ref.is_empty() {
        if matches!(
            policy,
            Some(ir::ImagePolicy::DigestRequired | ir::ImagePolicy::DigestPinned)
        ) {
            diags.push(
                Diagnostic::new(Code::E0114, format!("pod `{id}` requires a pinned image, but `{image_ref}` has no digest"))
                    .label(p.provider.span, "image is not pinned")
                    .help("pin the provider image: `image \"REF\" digest=\"sha256:...\"` (derive a provider with `extends` to do it for a stdlib one)"),
            );
        } else {
            diags.push(
                Diagnostic::new(Code::W0301, format!("pod `{id}` runs `{image_ref}`, which is not pinned by digest"))
                    .label(p.provider.span, "mutable image tag")
                    .help("pin it: derive a provider with `extends` and `image \"REF\" digest=\"sha256:...\"`"),
            );
        }
    }

    // Volumes.
    let mut volumes = Vec::new();
    for v in &p.volumes {
        let Some(tier) = spec.cache_tier(&v.tier.value) else {
            continue;
        };
        volumes.push(VolumeView {
            tier: tier.clone(),
            mount: v.mount.clone().unwrap_or_else(|| tier.mount_path.clone()),
            access: v.access.unwrap_or(tier.access),
            pvc: v.pvc.clone(),
            class: v.class,
            sensitive: v.sensitive,
            span: v.span,
        });
    }
    let claims_apply = profile.storage == crate::target::Storage::Claims && p.replicas == 1;
    for v in &volumes {
        if let Some(pvc) = &v.pvc
            && (!claims_apply || v.tier.backend.value == crate::ir::StorageBackend::Tmpfs)
        {
            diags.push(
                Diagnostic::new(Code::E0870, format!("`pvc=` on pod `{id}` names no claim"))
                    .label(pvc.span, "no PersistentVolumeClaim here")
                    .help("only single-replica kubernetes pods mount volumes through claims (tmpfs tiers never); remove `pvc=`"),
            );
        }
    }
    for (i, v) in volumes.iter().enumerate() {
        if let Some(prev) = volumes[..i].iter().find(|w| w.mount == v.mount) {
            diags.push(
                Diagnostic::new(
                    Code::E0317,
                    format!("two volumes of pod `{id}` mount at `{}`", v.mount),
                )
                .label(v.span, "mounted again here")
                .label(prev.span, "first mounted here")
                .help("give one of them another `mount=` path"),
            );
        }
    }
    let model_dir = provider
        .model_dir
        .clone()
        .unwrap_or_else(|| "/models".to_string());
    let model_volume = volumes
        .iter()
        .find(|v| v.tier.volume_class == ir::VolumeClass::AgentModels);
    if let (Some(m), None) = (&model, model_volume) {
        diags.push(
            Diagnostic::new(Code::E0310, format!("pod `{id}` serves model `{}` but mounts no model volume", m.id.value))
                .label(p.model.as_ref().map(|x| x.span).unwrap_or(p.head), "where do the weights come from?")
                .help("mount a cache tier of volume-class \"agent-models\", e.g. `volume \"models\"` with `import \"std:cache-tiers\"`"),
        );
    }
    let model_mount = model_volume
        .map(|v| v.mount.clone())
        .unwrap_or(model_dir.clone());

    // Whether the target can deliver the model.
    if let Some(m) = &model
        && let Some(src) = &m.source
    {
        let mspan = p.model.as_ref().map(|x| x.span).unwrap_or(p.head);
        let cluster = p.cluster.as_ref().and_then(|c| spec.cluster(&c.value));
        if let Some(crate::target::ModelUnfit { why, help }) =
            target.model_unfit(&src.value, cluster)
        {
            diags.push(
                Diagnostic::new(
                    Code::E0332,
                    format!("pod `{id}` cannot be given model `{}`: {why}", m.id.value),
                )
                .label(mspan, "model used here")
                .label(src.span, "its source")
                .help(help),
            );
        }
    }

    // Ports.
    let default_port = provider.port.unwrap_or(8080);
    let mut ports = Vec::new();
    for port in &p.ports {
        if let Some(prev) = ports.iter().find(|q: &&PortView| q.name == port.name.value) {
            diags.push(
                Diagnostic::new(
                    Code::E0318,
                    format!("pod `{id}` names two ports `{}`", port.name.value),
                )
                .label(port.name.span, "repeated here")
                .label(prev.span, "first named here")
                .help("port names must be unique within a pod"),
            );
            continue;
        }
        let e = port.exposure.value;
        if let Some(help) = target.exposure_unfit(e) {
            diags.push(
                Diagnostic::new(
                    Code::E0301,
                    format!("`{e}` exposure is impossible for a {} pod", p.target.value),
                )
                .label(
                    port.exposure.span,
                    format!("not available on {}", p.target.value),
                )
                .label(p.target.span, "target chosen here")
                .help(help),
            );
        }
        if e == crate::ir::Exposure::Ingress && port.host.is_none() {
            diags.push(
                Diagnostic::new(
                    Code::E0315,
                    format!(
                        "port `{}` is exposed through ingress without a host name",
                        port.name.value
                    ),
                )
                .label(port.exposure.span, "ingress needs host=")
                .help("add `host=\"name.example.com\"` to the port"),
            );
        }
        let container_port = port.port.unwrap_or(default_port);
        ports.push(PortView {
            name: port.name.value.clone(),
            container_port,
            exposure: e,
            host_port: port
                .host_port
                .as_ref()
                .map(|h| h.value)
                .unwrap_or(container_port),
            host: port.host.clone(),
            span: port.name.span,
        });
    }

    // Resources.
    let r = &p.resources;
    let cpu = r.cpu.unwrap_or(1000);
    let cpu_limit = r.cpu_limit.unwrap_or(cpu);
    let model_mem = match &model {
        Some(m) if gpus == 0 => m.memory_need(),
        _ => 2 * GIB,
    };
    let memory = r.memory.unwrap_or(model_mem.saturating_add(GIB));
    let memory_limit = r.memory_limit.unwrap_or(memory);
    let vram = r.vram.unwrap_or(match (&model, gpus) {
        (Some(m), g) if g > 0 => m.vram_need(),
        _ => 0,
    });
    let rspan = r.span.unwrap_or(p.head);

    // Memory-backed volumes are charged to the container's memory.
    let shm = p.shm.or(provider.shm);
    let tmpfs: u64 = volumes
        .iter()
        .filter(|v| v.tier.backend.value == crate::ir::StorageBackend::Tmpfs)
        .map(|v| v.tier.volume_size())
        .sum();
    let memory_backed = shm.unwrap_or(0) + tmpfs + TMP_SIZE;
    let model_ram = match &model {
        Some(m) if gpus == 0 => m.memory_need(),
        _ => 0,
    };
    let needed = model_ram.saturating_add(memory_backed);
    if memory_limit < needed && model_ram > 0 {
        diags.push(
            Diagnostic::new(
                Code::E0330,
                format!(
                    "pod `{id}` has a memory limit of {}, but needs {}",
                    crate::lang::units::human_size(memory_limit),
                    crate::lang::units::human_size(needed)
                ),
            )
            .label(rspan, "memory limit too small")
            .help(format!(
                "the model served from RAM needs {}, and memory-backed volumes ({}/dev/shm, tmpfs tiers and /tmp) take {} of the same limit: raise `memory` (or `memory-limit`) to at least \"{}GiB\"",
                crate::lang::units::human_size(model_ram),
                if shm.is_some() { "" } else { "no " },
                crate::lang::units::human_size(memory_backed),
                needed.div_ceil(GIB)
            )),
        );
    }
    let memory_demand = memory.max(needed);

    // Tensor parallelism: one shard per GPU of the replica.
    if gpus > 1
        && let Some(m) = &model
        && let Some(h) = &m.attention_heads
        && h.value % u64::from(gpus) != 0
    {
        diags.push(
            Diagnostic::new(
                Code::E0331,
                format!(
                    "model `{}` cannot be split across the {gpus} GPUs of a replica of pod `{id}`",
                    m.id.value
                ),
            )
            .label(rspan, format!("{gpus} GPUs"))
            .label(h.span, format!("{} attention heads", h.value))
            .help(format!(
                "tensor parallelism gives each GPU an equal share of the attention heads: use a GPU count that divides {}",
                h.value
            )),
        );
    }
    if cpu > cpu_limit {
        diags.push(
            Diagnostic::new(
                Code::E0319,
                format!("pod `{id}` requests more CPU than its limit"),
            )
            .label(rspan, "cpu > cpu-limit")
            .help("raise `cpu-limit` or lower `cpu`"),
        );
    }
    if memory > memory_limit {
        diags.push(
            Diagnostic::new(
                Code::E0319,
                format!("pod `{id}` requests more memory than its limit"),
            )
            .label(rspan, "memory > memory-limit")
            .help("raise `memory-limit` or lower `memory`"),
        );
    }

    let model_path = match &model {
        Some(m) => format!("{model_mount}/{}", m.entry_path()),
        None => model_mount.clone(),
    };
    let model_id = model
        .as_ref()
        .map(|m| m.id.value.to_string())
        .unwrap_or_default();
    let raw_args = p.args.clone().unwrap_or(provider.args.clone());
    let first_port = ports
        .first()
        .map(|q| q.container_port)
        .unwrap_or(default_port);
    let on_gpu = {
        use ir::Accelerator as A;
        match accelerator.value {
            A::Cuda | A::Rocm | A::Vulkan | A::Metal => true,
            A::Cpu | A::Mlx => false,
        }
    };
    let ph = Placeholders {
        port: first_port,
        model_path: &model_path,
        model_id: &model_id,
        model_dir: &model_mount,
        gpu_layers: if on_gpu { "999" } else { "0" },
        gpus,
    };
    let mut args: Vec<String> = raw_args.iter().map(|a| substitute(a, &ph)).collect();
    if let Some(flag) = &provider.tensor_parallel_arg
        && gpus > 1
        && !args
            .iter()
            .any(|a| a == flag || a.starts_with(&format!("{flag}=")))
    {
        args.push(flag.clone());
        args.push(gpus.to_string());
    }
    let mut env: Vec<(String, String)> = provider
        .env
        .iter()
        .map(|(k, v)| (k.clone(), substitute(v, &ph)))
        .collect();
    env.extend(
        p.env
            .iter()
            .map(|(k, v)| (k.value.clone(), v.value.clone())),
    );

    if diags.error_count() > before {
        return None;
    }
    Some(Workload {
        pod: p.clone(),
        provider: provider.clone(),
        model,
        accelerator: accelerator.value,
        image: image_ref,
        image_digest,
        cpu,
        cpu_limit,
        memory,
        memory_limit,
        gpus,
        vram,
        shm,
        memory_backed,
        memory_demand,
        volumes,
        ports,
        network: p
            .network
            .as_ref()
            .map_or(crate::ir::NetworkMode::Private, |n| n.value),
        restart: p.restart.unwrap_or(crate::ir::RestartPolicy::OnFailure),
        args,
        entrypoint: provider.entrypoint.clone(),
        env,
        user: provider.user.unwrap_or(65532),
        cluster: p.cluster.as_ref().map(|c| c.value.clone()),
        target,
    })
}
