//! Facts-aware checks: the spec against what the machines' facts files say.
//!
//! Takes the machine views, the lowered spec, the resolved workloads and the
//! loaded facts documents; reports, pointing at the spec and naming the fact
//! (a second label points into the facts file):
//! - E0320 a declared capacity larger than the facts show (CPU, memory, GPUs,
//!   VRAM, an accelerator the host does not have);
//! - E0321 a pod pinned to a machine that can never hold it (CPU, memory,
//!   GPUs, VRAM — total capacity, before any other pod);
//! - E0322 a pod pinned to a machine without its accelerator (Vulkan
//!   requested, Vulkan not probed);
//! - E0323 a storage pool larger than the free space of the disk under it;
//! - E0324 a Quadlet target on a host whose podman has no Quadlet (< 5.0 or
//!   no podman at all).
//!
//! Machines without a facts file are taken at their word: there is nothing
//! to contradict. Never reads files (the facts were loaded by `resolve`).

use serde_json::Value;

use super::machines::MachineView;
use super::pods::Workload;
use crate::ir;
use crate::lang::units::{format_cpu, human_size};
use crate::resolve::documents::{Doc, Documents};
use amc_syntax::diagnostics::{Code, Diagnostic, Diagnostics};
use amc_syntax::source::Span;

/// Oldest podman with Quadlet support that amc emits for.
const QUADLET_FLOOR: (u32, u32, u32) = (5, 0, 0);

/// A machine's facts document with its path in the spec.
struct Facts<'a> {
    path: &'a str,
    doc: &'a Doc,
}

impl Facts<'_> {
    fn u64_at(&self, ptr: &str) -> Option<u64> {
        self.doc.value.pointer(ptr).and_then(Value::as_u64)
    }

    /// A label pointing at the fact.
    fn at(&self, ptr: &str) -> Span {
        self.doc.span_of(ptr)
    }

    /// "`facts/x.json` /memory/totalBytes".
    fn name(&self, ptr: &str) -> String {
        format!("`{}` {ptr}", self.path)
    }
}

fn facts_of<'a>(m: &'a ir::Machine, docs: &'a Documents) -> Option<Facts<'a>> {
    let path = m.facts.as_ref()?;
    let doc = docs.get(&path.value)?;
    Some(Facts {
        path: &path.value,
        doc,
    })
}

/// Runs every facts-aware check.
pub fn check(
    spec: &ir::Spec,
    machines: &[MachineView],
    workloads: &[Workload],
    docs: &Documents,
    diags: &mut Diagnostics,
) {
    for m in &spec.machines {
        let Some(f) = facts_of(m, docs) else { continue };
        declared_capacity(m, &f, diags);
        pools(m, &f, diags);
        explicit_quadlet_runtime(m, &f, diags);
    }
    for w in workloads {
        for pin in &w.pod.placement.pin {
            let Some(m) = machines.iter().find(|m| m.id() == pin.value.as_str()) else {
                continue;
            };
            let Some(f) = facts_of(&m.def, docs) else {
                continue;
            };
            pinned(w, m, &f, pin.span, diags);
        }
    }
}

/// E0320: inline capacity may reserve less than the host has, never more.
fn declared_capacity(m: &ir::Machine, f: &Facts, diags: &mut Diagnostics) {
    let cap = &m.capacity;
    let mut contradiction = |span: Span, what: String, ptr: &str, fact: String| {
        diags.push(
            Diagnostic::new(
                Code::E0320,
                format!(
                    "machine `{}` declares {what}, but its facts show {fact}",
                    m.id.value
                ),
            )
            .label(span, "declared here")
            .label(f.at(ptr), format!("the fact: {}", f.name(ptr)))
            .help("declare at most what the host has (or drop the inline value and let the facts decide); re-run `amc probe --out` if the host changed"),
        );
    };
    if let (Some(c), Some(threads)) = (&cap.cpu_milli, f.u64_at("/cpu/threads"))
        && c.value > threads.saturating_mul(1000)
    {
        contradiction(
            c.span,
            format!("{} CPU", format_cpu(c.value)),
            "/cpu/threads",
            format!("{threads} hardware threads"),
        );
    }
    if let (Some(c), Some(total)) = (&cap.memory, f.u64_at("/memory/totalBytes"))
        && c.value > total
    {
        contradiction(
            c.span,
            format!("{} of memory", human_size(c.value)),
            "/memory/totalBytes",
            format!("{} installed", human_size(total)),
        );
    }
    let fact_gpus = f.doc.value.pointer("/gpus").and_then(Value::as_array);
    if let Some(list) = fact_gpus
        && !cap.gpus.is_empty()
    {
        let declared: u32 = cap.gpus.iter().map(|g| g.count).sum();
        if u64::from(declared) > list.len() as u64 {
            let span = cap.gpus.first().map(|g| g.span).unwrap_or(m.id.span);
            contradiction(
                span,
                format!("{declared} GPU(s)"),
                "/gpus",
                format!("{} GPU(s)", list.len()),
            );
        } else {
            let largest = list
                .iter()
                .filter_map(|g| g.get("vramBytes").and_then(Value::as_u64))
                .max();
            for g in &cap.gpus {
                if let Some(largest) = largest
                    && g.vram > largest
                {
                    contradiction(
                        g.span,
                        format!("GPUs with {} of VRAM", human_size(g.vram)),
                        "/gpus",
                        format!("at most {} per GPU", human_size(largest)),
                    );
                }
            }
        }
    }
    let observed: Vec<&str> = f
        .doc
        .value
        .pointer("/accelerators")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for a in &cap.accelerators {
        if a.value != ir::Accelerator::Cpu && !observed.contains(&a.value.as_str()) {
            let (ptr, fact) = accelerator_fact(f, a.value, &observed);
            contradiction(a.span, format!("the `{}` accelerator", a.value), &ptr, fact);
        }
    }
}

/// The fact that explains a missing accelerator: Vulkan's probe status and
/// reason when it is Vulkan, else the accelerator list.
fn accelerator_fact(f: &Facts, api: ir::Accelerator, observed: &[&str]) -> (String, String) {
    if api == ir::Accelerator::Vulkan {
        let status = f
            .doc
            .value
            .pointer("/vulkan/status")
            .and_then(Value::as_str)
            .unwrap_or("unknown");
        let reason = f
            .doc
            .value
            .pointer("/vulkan/reason")
            .and_then(Value::as_str)
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        let devices: Vec<&Value> = f
            .doc
            .value
            .pointer("/vulkan/devices")
            .and_then(Value::as_array)
            .map(|d| d.iter().collect())
            .unwrap_or_default();
        let software = !devices.is_empty()
            && devices
                .iter()
                .all(|d| d.get("deviceType").and_then(Value::as_str) == Some("cpu"));
        let fact = if status == "available" && software {
            let names: Vec<&str> = devices
                .iter()
                .filter_map(|d| d.get("name").and_then(Value::as_str))
                .collect();
            format!(
                "Vulkan only on a CPU (software) device: {}",
                names.join(", ")
            )
        } else {
            format!("Vulkan {status}{reason} with {} device(s)", devices.len())
        };
        return ("/vulkan".to_string(), fact);
    }
    (
        "/accelerators".to_string(),
        format!("accelerators [{}]", observed.join(", ")),
    )
}

/// E0323: a pool on a path cannot be larger than the free space there.
fn pools(m: &ir::Machine, f: &Facts, diags: &mut Diagnostics) {
    let Some(disks) = f.doc.value.pointer("/disks").and_then(Value::as_array) else {
        return;
    };
    for pool in &m.pools {
        if !matches!(
            pool.backend,
            ir::StorageBackend::Filesystem | ir::StorageBackend::LocalLvm
        ) {
            continue;
        }
        let Some(path) = &pool.path else { continue };
        // The disk whose mount point is the longest prefix of the pool path.
        let best = disks
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                let mp = d.get("mountPoint")?.as_str()?;
                under(path, mp).then_some((i, mp, d))
            })
            .max_by_key(|(_, mp, _)| mp.len());
        let Some((i, mp, disk)) = best else { continue };
        let Some(free) = disk.get("freeBytes").and_then(Value::as_u64) else {
            continue;
        };
        if pool.capacity.value > free {
            let ptr = format!("/disks/{i}/freeBytes");
            diags.push(
                Diagnostic::new(
                    Code::E0323,
                    format!(
                        "pool `{}` on machine `{}` declares {}, but {mp} has {} free",
                        pool.id.value,
                        m.id.value,
                        human_size(pool.capacity.value),
                        human_size(free)
                    ),
                )
                .label(pool.capacity.span, "declared here")
                .label(f.at(&ptr), format!("the fact: {}", f.name(&ptr)))
                .help(format!(
                    "lower the pool's capacity to at most {}, free space on {mp}, or move the pool to a larger disk",
                    human_size(free)
                )),
            );
        }
    }
}

/// Whether `path` is `mount` or inside it (whole path components).
fn under(path: &str, mount: &str) -> bool {
    if mount == "/" {
        return path.starts_with('/');
    }
    path == mount
        || path
            .strip_prefix(mount)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Podman from the facts: `Some(Some(v))` a version, `Some(None)` observed
/// absent, `None` not recorded.
fn podman(facts: &Value) -> Option<Option<(u32, u32, u32)>> {
    let v = facts.pointer("/containerRuntime/podman")?;
    if v.is_null() {
        return Some(None);
    }
    Some(
        v.get("version")
            .and_then(Value::as_str)
            .and_then(super::machines::parse_version),
    )
}

/// Why a host cannot run Quadlet units, if it cannot.
pub(crate) fn no_quadlet(facts: &Value) -> Option<(String, String)> {
    match podman(facts)? {
        None => Some((
            "/containerRuntime/podman".to_string(),
            "no podman".to_string(),
        )),
        Some(v) if v < QUADLET_FLOOR => Some((
            "/containerRuntime/podman/version".to_string(),
            format!("podman {}.{}.{}, which has no Quadlet", v.0, v.1, v.2),
        )),
        Some(_) => None,
    }
}

pub(crate) const QUADLET_HELP: &str = "Quadlet needs podman 5.0 or newer: upgrade podman on the host and re-run `amc probe --out`, or target another machine";

/// E0324 on a machine that explicitly offers `podman-quadlet`.
fn explicit_quadlet_runtime(m: &ir::Machine, f: &Facts, diags: &mut Diagnostics) {
    let Some(rt) = &m.runtimes else { return };
    if !rt.value.contains(&ir::Envelope::PodmanQuadlet) {
        return;
    }
    if let Some((ptr, fact)) = no_quadlet(&f.doc.value) {
        diags.push(
            Diagnostic::new(
                Code::E0324,
                format!(
                    "machine `{}` offers the podman-quadlet runtime, but its facts show {fact}",
                    m.id.value
                ),
            )
            .label(rt.span, "podman-quadlet offered here")
            .label(f.at(&ptr), format!("the fact: {}", f.name(&ptr)))
            .help(QUADLET_HELP),
        );
    }
}

/// E0321/E0322/E0324 for a pod pinned to a machine with facts.
fn pinned(w: &Workload, m: &MachineView, f: &Facts, pin: Span, diags: &mut Diagnostics) {
    let pod = w.id();
    let declared = &m.def.capacity;
    // Which source a capacity figure came from: inline wins over facts.
    let source = |inline: bool, ptr: &str| -> Option<Span> { (!inline).then(|| f.at(ptr)) };
    let mut short = |need: String, have: String, fact: Option<Span>, ptr: &str| {
        let mut d = Diagnostic::new(
            Code::E0321,
            format!(
                "pod `{pod}` is pinned to machine `{}`, which {have}; the pod needs {need}",
                m.id()
            ),
        )
        .label(pin, "pinned here")
        .help(format!(
            "pin the pod to a machine that has it, or lower the pod's resources{}",
            if fact.is_some() {
                " (the figure is from the host's facts)"
            } else {
                ""
            }
        ));
        if let Some(at) = fact {
            d = d.label(at, format!("the fact: {}", f.name(ptr)));
        }
        diags.push(d);
    };
    if w.cpu > m.cpu_milli {
        short(
            format!("{} CPU", format_cpu(w.cpu)),
            format!("has {} CPU", format_cpu(m.cpu_milli)),
            source(declared.cpu_milli.is_some(), "/cpu/threads"),
            "/cpu/threads",
        );
    }
    let mem_need = if m.unified {
        w.memory.saturating_add(w.vram)
    } else {
        w.memory
    };
    if mem_need > m.memory {
        let what = if m.unified {
            "memory (unified: memory + VRAM)"
        } else {
            "memory"
        };
        short(
            format!("{} {what}", human_size(mem_need)),
            format!("has {} of memory", human_size(m.memory)),
            source(declared.memory.is_some(), "/memory/totalBytes"),
            "/memory/totalBytes",
        );
    }
    if w.gpus > 0 && !m.unified {
        let gpus_inline = !declared.gpus.is_empty();
        if w.gpus > m.gpu_count() {
            short(
                format!("{} GPU(s)", w.gpus),
                format!("has {} GPU(s)", m.gpu_count()),
                source(gpus_inline, "/gpus"),
                "/gpus",
            );
        } else {
            let per_gpu = w.vram.div_ceil(u64::from(w.gpus));
            if per_gpu > m.max_vram() {
                short(
                    format!("{} of VRAM per GPU", human_size(per_gpu)),
                    format!("has at most {} of VRAM per GPU", human_size(m.max_vram())),
                    source(gpus_inline, "/gpus"),
                    "/gpus",
                );
            }
        }
    }
    if !m.accelerators.contains(w.accelerator.as_str()) {
        let observed: Vec<&str> = m.accelerators.iter().map(String::as_str).collect();
        let (ptr, fact) = accelerator_fact(f, w.accelerator, &observed);
        diags.push(
            Diagnostic::new(
                Code::E0322,
                format!(
                    "pod `{pod}` runs on {} but is pinned to machine `{}`, whose facts show {fact}",
                    w.accelerator,
                    m.id()
                ),
            )
            .label(pin, "pinned here")
            .label(f.at(&ptr), format!("the fact: {}", f.name(&ptr)))
            .help(format!(
                "pin the pod to a machine with {} (probe it with `amc probe`), or choose another accelerator for the pod",
                w.accelerator
            )),
        );
    }
    if let Some(unfit) = w.target.host_unfit(&f.doc.value) {
        let ptr = unfit.pointer;
        diags.push(
            Diagnostic::new(
                Code::E0324,
                format!(
                    "pod `{pod}` targets {} and is pinned to machine `{}`, whose facts show {}",
                    w.profile().display,
                    m.id(),
                    unfit.fact
                ),
            )
            .label(pin, "pinned here")
            .label(f.at(&ptr), format!("the fact: {}", f.name(&ptr)))
            .help(unfit.help),
        );
    }
}
