//! Human-facing views of [`HostFacts`]: a summary and readiness checks.
//!
//! Takes: [`HostFacts`] (probed or hand-written).
//! Produces: [`render_human`] text and [`doctor`] items (what this host can run
//! and, for each missing piece, the next step).
//! Never: probes the host again, or prints anything itself.

use std::fmt::Write as _;

use serde::Serialize;

use crate::facts::{
    Accelerator, CgroupVersion, EncryptionMode, GpuVendor, HostFacts, Os, VulkanDeviceType,
    VulkanStatus,
};

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / GIB)
}

/// A multi-line, human-readable summary of the facts.
pub fn render_human(facts: &HostFacts) -> String {
    let mut s = String::new();
    let h = &facts.host;
    let distro = h
        .distro
        .as_ref()
        .map_or("unknown distro".to_string(), |d| match &d.version_id {
            Some(v) => format!("{} {v}", d.name),
            None => d.name.clone(),
        });
    let src = match facts.provenance.source {
        crate::facts::FactsSource::Probed => "probed",
        crate::facts::FactsSource::HandWritten => "hand-written",
    };
    let _ = writeln!(s, "host      {} ({src})", h.hostname);
    let _ = writeln!(s, "profile   {}", facts.profile.as_str());
    let immutable = match h.immutable {
        Some(true) => ", immutable",
        _ => "",
    };
    let arch = match h.arch {
        crate::facts::Arch::X86_64 => "x86_64",
        crate::facts::Arch::Aarch64 => "aarch64",
    };
    let _ = writeln!(
        s,
        "os        {distro}, kernel {}, {arch}{immutable}",
        h.kernel
    );
    let model = facts.cpu.model.as_deref().unwrap_or("unknown model");
    let _ = writeln!(
        s,
        "cpu       {model}: {} cores / {} threads",
        facts.cpu.cores, facts.cpu.threads
    );
    if !facts.cpu.features.is_empty() {
        let _ = writeln!(s, "          features: {}", facts.cpu.features.join(" "));
    }
    let avail = facts
        .memory
        .available_bytes
        .map_or(String::new(), |a| format!(", {} available", gib(a)));
    let unified = if facts.memory.unified {
        " (unified CPU/GPU)"
    } else {
        ""
    };
    let _ = writeln!(
        s,
        "memory    {}{avail}{unified}",
        gib(facts.memory.total_bytes)
    );
    if facts.gpus.is_empty() {
        let _ = writeln!(s, "gpus      none");
    }
    for (i, g) in facts.gpus.iter().enumerate() {
        let label = if i == 0 { "gpus" } else { "" };
        let vram = g
            .vram_bytes
            .map_or(String::new(), |v| format!(", {} VRAM", gib(v)));
        let driver = g
            .driver
            .as_deref()
            .map_or(String::new(), |d| format!(", driver {d}"));
        let kind = match g.discrete {
            Some(true) => ", discrete",
            Some(false) => ", integrated",
            None => "",
        };
        let _ = writeln!(s, "{label:<10}{}{kind}{vram}{driver}", g.name);
    }
    match facts.vulkan.status {
        VulkanStatus::Available => {
            let v = facts.vulkan.instance_version.as_deref().unwrap_or("?");
            let _ = writeln!(s, "vulkan    available (instance {v})");
            for d in &facts.vulkan.devices {
                let driver = d.driver_name.as_deref().unwrap_or("unknown driver");
                let _ = writeln!(
                    s,
                    "          {} [{}] {driver}, API {}",
                    d.name,
                    vk_type(d.device_type),
                    d.api_version
                );
            }
        }
        VulkanStatus::Unavailable => {
            let why = facts
                .vulkan
                .reason
                .as_deref()
                .unwrap_or("no reason recorded");
            let _ = writeln!(s, "vulkan    unavailable: {why}");
        }
    }
    let accels: Vec<&str> = facts.accelerators.iter().map(|a| a.as_str()).collect();
    let _ = writeln!(s, "accel     {}", accels.join(", "));
    let podman =
        facts
            .container_runtime
            .podman
            .as_ref()
            .map_or("podman missing".to_string(), |p| {
                format!(
                    "podman {}{}",
                    p.version,
                    if p.quadlet {
                        " (Quadlet)"
                    } else {
                        " (no Quadlet: < 5.0)"
                    }
                )
            });
    let docker = facts
        .container_runtime
        .docker
        .as_ref()
        .map_or(String::new(), |d| format!(", docker {}", d.version));
    let _ = writeln!(s, "runtime   {podman}{docker}");
    let sd = &facts.systemd;
    let state = match (sd.system, sd.version.as_deref()) {
        (true, Some(v)) => format!("{v} running as init"),
        (true, None) => "running as init".to_string(),
        (false, Some(v)) => format!("{v} installed, not running as init"),
        (false, None) => "not running".to_string(),
    };
    let _ = writeln!(
        s,
        "systemd   {state}, user session {}",
        if sd.user { "yes" } else { "no" }
    );
    let _ = writeln!(
        s,
        "cgroup    {}, SELinux {}",
        facts.cgroup_version.as_str(),
        facts.selinux.as_str()
    );
    if facts.disks.is_empty() {
        let _ = writeln!(s, "disks     none");
    }
    for (i, d) in facts.disks.iter().enumerate() {
        let label = if i == 0 { "disks" } else { "" };
        let enc = match (d.encryption.observed, d.encryption.mode) {
            (false, _) => "encryption unknown".to_string(),
            (true, EncryptionMode::None) => "not encrypted".to_string(),
            (true, m) => format!("{} encrypted", enc_name(m)),
        };
        let lvm = d.lvm.as_ref().map_or(String::new(), |l| {
            let pool = l
                .thin_pool
                .as_deref()
                .map_or(String::new(), |p| format!(" thin:{p}"));
            format!(", lvm {}/{}{pool}", l.volume_group, l.logical_volume)
        });
        let ro = if d.read_only { ", read-only" } else { "" };
        let ww = if d.world_writable == Some(true) {
            ", world-writable"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "{label:<10}{} {} ({}) {} free of {}, {enc}{lvm}{ro}{ww}",
            d.mount_point,
            d.device,
            d.filesystem,
            gib(d.free_bytes),
            gib(d.total_bytes)
        );
    }
    s
}

fn vk_type(t: VulkanDeviceType) -> &'static str {
    match t {
        VulkanDeviceType::IntegratedGpu => "integrated-gpu",
        VulkanDeviceType::DiscreteGpu => "discrete-gpu",
        VulkanDeviceType::VirtualGpu => "virtual-gpu",
        VulkanDeviceType::Cpu => "cpu",
        VulkanDeviceType::Other => "other",
    }
}

fn enc_name(m: EncryptionMode) -> &'static str {
    match m {
        EncryptionMode::None => "none",
        EncryptionMode::Luks => "LUKS",
        EncryptionMode::DmCrypt => "dm-crypt",
        EncryptionMode::Fscrypt => "fscrypt",
        EncryptionMode::Unknown => "unknown",
    }
}

/// Outcome of one readiness check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DoctorStatus {
    /// Present and usable.
    Ok,
    /// Missing or unusable; see `next_step`.
    Missing,
}

/// One readiness check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DoctorItem {
    /// Stable check id: `podman`, `quadlet`, `systemd`, `systemd-user`, `cgroup-v2`, `vulkan`, `gpu`, `cuda`, `rocm`.
    pub check: &'static str,
    /// Ok or missing.
    pub status: DoctorStatus,
    /// What was found.
    pub detail: String,
    /// What to do about it (`None` when ok).
    pub next_step: Option<String>,
}

fn ok(check: &'static str, detail: impl Into<String>) -> DoctorItem {
    DoctorItem {
        check,
        status: DoctorStatus::Ok,
        detail: detail.into(),
        next_step: None,
    }
}

fn missing(check: &'static str, detail: impl Into<String>, next: impl Into<String>) -> DoctorItem {
    DoctorItem {
        check,
        status: DoctorStatus::Missing,
        detail: detail.into(),
        next_step: Some(next.into()),
    }
}

/// What this host can run, check by check, in a fixed order.
pub fn doctor(facts: &HostFacts) -> Vec<DoctorItem> {
    let mut items = Vec::new();
    let linux = facts.host.os == Os::Linux;
    let podman = facts.container_runtime.podman.as_ref();

    items.push(match podman {
        Some(p) => ok("podman", format!("podman {}", p.version)),
        None => missing(
            "podman",
            "podman is not on PATH",
            "install podman 5.0 or newer (dnf install podman / apt-get install podman); amc targets Podman, not Docker",
        ),
    });
    items.push(match podman {
        Some(p) if p.quadlet && facts.systemd.system => ok(
            "quadlet",
            format!("podman {} with systemd: Quadlet units run", p.version),
        ),
        Some(p) if p.quadlet => missing(
            "quadlet",
            "podman supports Quadlet but systemd is not the init system",
            "use `amc build --target kubernetes` or a systemd host; Quadlet units need systemd",
        ),
        Some(p) => missing(
            "quadlet",
            format!("podman {} is older than 5.0", p.version),
            "upgrade podman to 5.0 or newer; amc emits Quadlet units for podman >= 5.0",
        ),
        None => missing("quadlet", "no podman", "install podman 5.0 or newer"),
    });
    items.push(if facts.systemd.system {
        let v = facts
            .systemd
            .version
            .as_deref()
            .map_or(String::new(), |v| format!(" {v}"));
        ok("systemd", format!("systemd{v} is the init system"))
    } else if linux {
        missing(
            "systemd",
            "systemd is not running as init (container or non-systemd distro?)",
            "run amc's Quadlet output on a systemd host, or deploy with the Kubernetes target",
        )
    } else {
        missing(
            "systemd",
            "not a Linux host",
            "run Linux workloads in a podman machine or on a Linux host",
        )
    });
    items.push(if facts.systemd.user {
        ok("systemd-user", "a systemd user manager runs: rootless Quadlet units can start")
    } else {
        missing(
            "systemd-user",
            "no systemd user manager for this user",
            "log in through a real session or run `loginctl enable-linger <user>`, then check `systemctl --user status`",
        )
    });
    items.push(match facts.cgroup_version {
        CgroupVersion::V2 => ok("cgroup-v2", "unified cgroup v2 hierarchy"),
        CgroupVersion::V1 => missing(
            "cgroup-v2",
            "cgroup v1 hierarchy",
            "boot with systemd.unified_cgroup_hierarchy=1; rootless podman resource limits need cgroup v2",
        ),
        CgroupVersion::Unknown => missing("cgroup-v2", "cgroup hierarchy not observed", "check that /sys/fs/cgroup is mounted"),
    });
    items.push(vulkan_item(facts));
    let gpu_names: Vec<&str> = facts.gpus.iter().map(|g| g.name.as_str()).collect();
    items.push(if gpu_names.is_empty() {
        missing(
            "gpu",
            "no GPU found: models run on the CPU",
            "place GPU-bound models on another machine, or pick CPU-sized (quantised) models for this one",
        )
    } else {
        ok("gpu", gpu_names.join(", "))
    });
    if facts.gpus.iter().any(|g| g.vendor == GpuVendor::Nvidia) && linux {
        items.push(if facts.has_accelerator(Accelerator::Cuda) {
            ok("cuda", "NVIDIA driver loaded")
        } else {
            missing(
                "cuda",
                "NVIDIA GPU present but the NVIDIA driver is not loaded",
                "install the NVIDIA driver and nvidia-container-toolkit (CDI) so containers get the GPU",
            )
        });
    }
    if facts.gpus.iter().any(|g| g.vendor == GpuVendor::Amd) && linux {
        items.push(if facts.has_accelerator(Accelerator::Rocm) {
            ok("rocm", "/dev/kfd present")
        } else {
            missing(
                "rocm",
                "AMD GPU present but /dev/kfd is missing",
                "load the amdgpu kernel driver with KFD (ROCm) support",
            )
        });
    }
    items
}

fn vulkan_item(facts: &HostFacts) -> DoctorItem {
    if let Some(d) = facts
        .vulkan
        .devices
        .iter()
        .find(|d| d.device_type != VulkanDeviceType::Cpu)
    {
        let driver = d.driver_name.as_deref().unwrap_or("unknown driver");
        return ok("vulkan", format!("{} ({driver})", d.name));
    }
    if let Some(d) = facts.vulkan.devices.first() {
        return missing(
            "vulkan",
            format!("only the software device {} (CPU) was found", d.name),
            "install the Vulkan driver for your GPU (mesa-vulkan-drivers, or the vendor driver); lavapipe is not an accelerator",
        );
    }
    let reason = facts
        .vulkan
        .reason
        .as_deref()
        .unwrap_or("Vulkan is unavailable");
    missing(
        "vulkan",
        reason.to_string(),
        "install the Vulkan loader and a driver (Debian: libvulkan1 mesa-vulkan-drivers; Fedora: vulkan-loader mesa-vulkan-drivers)",
    )
}
