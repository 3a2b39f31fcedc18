//! Host probing: turns what the host shows into [`HostFacts`].
//!
//! Takes: a [`HostProbe`] — the raw readings of one host (files under `/proc`,
//! `/sys`, `/etc`, `/run`; a few `--version` commands; sysinfo; Vulkan). The real
//! one is [`SystemProbe`]; tests replay fixed readings through the same trait.
//! Produces: [`HostFacts`] ([`probe_host`], [`assemble`]), an upstream
//! AgentMachine document ([`to_agent_machine`]), a human summary
//! ([`render_human`]) and readiness checks ([`doctor`]).
//! Never: writes anything, reads environment variable values other than the
//! location of the user runtime dir (used, never recorded), reads home
//! directories, records secrets, panics, or guesses a fact it could not observe
//! (that is `None`/`unknown`). Every command it runs has a timeout.

mod agent_machine;
mod disks;
mod gpus;
pub mod parse;
pub mod paths;
mod report;
mod system;
mod vulkan;

#[cfg(test)]
mod tests;

pub use agent_machine::{AGENT_MACHINE_SCHEMA, slugify, to_agent_machine};
pub use report::{DoctorItem, DoctorStatus, doctor, render_human};
pub use system::SystemProbe;
pub use vulkan::probe_vulkan;

use crate::facts::{
    Accelerator, Arch, CgroupVersion, ContainerRuntime, Cpu, Distro, Docker, FactsKind,
    FactsSource, GpuVendor, Host, HostFacts, Memory, Os, Podman, Profile, Provenance,
    SCHEMA_VERSION, SelinuxMode, Systemd, Vulkan, VulkanDeviceType,
};

/// Raw readings of one host. Paths are absolute host paths; every method
/// answers "not there" (`None`, empty, `false`) rather than failing.
pub trait HostProbe {
    /// Operating system family of the host.
    fn os(&self) -> Os;
    /// Raw architecture name (`x86_64`, `aarch64`, `arm64`, ...).
    fn arch(&self) -> String;
    /// Readings from sysinfo: names, CPU counts, memory, mounted disks.
    fn system(&self) -> SystemReadings;
    /// Contents of a text file (lossy UTF-8).
    fn read_file(&self, path: &str) -> Option<String>;
    /// Last path component of a symlink's target (e.g. a device's `driver`).
    fn read_link_name(&self, path: &str) -> Option<String>;
    /// Entry names of a directory, sorted.
    fn list_dir(&self, path: &str) -> Vec<String>;
    /// Whether a path exists.
    fn exists(&self, path: &str) -> bool;
    /// Owner, permission bits and kind of a path (not following a final symlink).
    fn path_meta(&self, path: &str) -> Option<PathMeta>;
    /// Stdout of a program found on PATH, run with a timeout; `None` when it is
    /// missing, fails or times out.
    fn run(&self, program: &str, args: &[&str]) -> Option<String>;
    /// Whether a program is on PATH.
    fn on_path(&self, program: &str) -> bool;
    /// The user's runtime dir (`$XDG_RUNTIME_DIR`), if set.
    fn user_runtime_dir(&self) -> Option<String>;
    /// Vulkan loader and devices.
    fn vulkan(&self) -> Vulkan;
}

/// What sysinfo reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemReadings {
    /// Host name.
    pub hostname: Option<String>,
    /// Kernel release.
    pub kernel: Option<String>,
    /// CPU brand string.
    pub cpu_brand: Option<String>,
    /// Physical cores.
    pub physical_cores: Option<u32>,
    /// Logical CPUs.
    pub threads: u32,
    /// Total memory in bytes.
    pub total_memory: u64,
    /// Available memory in bytes.
    pub available_memory: Option<u64>,
    /// CPU features from runtime detection (used when `/proc/cpuinfo` is absent).
    pub detected_cpu_features: Vec<String>,
    /// Mounted disks.
    pub disks: Vec<DiskReading>,
}

/// One disk as sysinfo lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskReading {
    /// Mount point.
    pub mount_point: String,
    /// Device name.
    pub device: String,
    /// Filesystem type.
    pub filesystem: String,
    /// Size in bytes.
    pub total_bytes: u64,
    /// Available bytes.
    pub free_bytes: u64,
    /// Read-only mount.
    pub read_only: bool,
}

/// Owner and mode of a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathMeta {
    /// Owner uid.
    pub uid: u32,
    /// `st_mode & 0o7777`.
    pub mode: u32,
    /// It is a directory.
    pub is_dir: bool,
}

/// How to probe Vulkan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum VulkanLoader {
    /// The platform's default loader (`libvulkan.so.1`, ...).
    #[default]
    System,
    /// A loader library at this path.
    Path(std::path::PathBuf),
    /// Do not probe Vulkan (recorded as unavailable, "not probed").
    Skip,
}

/// Options for [`probe_host_with`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProbeConfig {
    /// Vulkan loader choice.
    pub vulkan: VulkanLoader,
    /// Timeout for each external command, in milliseconds (0 = the default 3000).
    pub command_timeout_ms: u64,
}

/// Why probing could not produce facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeError {
    /// The host's architecture is not one amc targets.
    UnsupportedArch(String),
}

impl std::fmt::Display for ProbeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProbeError::UnsupportedArch(a) => write!(
                f,
                "host architecture `{a}` is not supported (amc targets x86_64 and aarch64); write a facts file by hand"
            ),
        }
    }
}

impl std::error::Error for ProbeError {}

/// Probe this host with default options.
pub fn probe_host() -> Result<HostFacts, ProbeError> {
    probe_host_with(&ProbeConfig::default())
}

/// Probe this host.
pub fn probe_host_with(config: &ProbeConfig) -> Result<HostFacts, ProbeError> {
    assemble(&SystemProbe::new(config))
}

/// Version recorded in `provenance.probeVersion`.
pub const PROBE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Build facts from a probe's readings. Pure apart from calling `probe`.
pub fn assemble(probe: &dyn HostProbe) -> Result<HostFacts, ProbeError> {
    let os = probe.os();
    let arch = normalise_arch(&probe.arch())?;
    let sys = probe.system();
    let linux = os == Os::Linux;

    let os_release = probe
        .read_file("/etc/os-release")
        .or_else(|| probe.read_file("/usr/lib/os-release"))
        .map(|t| parse::os_release(&t));
    let distro = os_release.as_ref().and_then(|r| {
        Some(Distro {
            id: r.id.clone()?,
            name: r.name.clone().or_else(|| r.id.clone())?,
            version_id: r.version_id.clone(),
            variant_id: r.variant_id.clone(),
        })
    });
    let immutable = linux.then(|| probe.exists("/run/ostree-booted"));
    let kernel = sys
        .kernel
        .clone()
        .or_else(|| {
            probe
                .read_file("/proc/sys/kernel/osrelease")
                .map(|k| k.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string());
    let host = Host {
        hostname: sys
            .hostname
            .clone()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "localhost".into()),
        os,
        distro,
        kernel,
        arch,
        immutable,
    };

    let apple_dt = probe
        .read_file("/proc/device-tree/compatible")
        .map(|t| {
            parse::dt_compatible(&t)
                .iter()
                .any(|c| c.starts_with("apple,"))
        })
        .unwrap_or(false);

    let cpuinfo = probe.read_file("/proc/cpuinfo").map(|t| parse::cpuinfo(&t));
    let features = match &cpuinfo {
        Some(info) if !info.features.is_empty() => info.features.clone(),
        _ => sys.detected_cpu_features.clone(),
    };
    let threads = sys.threads.max(1);
    let cpu = Cpu {
        model: sys
            .cpu_brand
            .clone()
            .filter(|b| !b.trim().is_empty())
            .or_else(|| cpuinfo.as_ref().and_then(|c| c.model.clone())),
        cores: sys.physical_cores.unwrap_or(threads).clamp(1, threads),
        threads,
        features,
    };

    let memory = Memory {
        total_bytes: sys.total_memory,
        available_bytes: sys.available_memory,
        unified: apple_dt || (os == Os::Macos && arch == Arch::Aarch64),
    };

    let disks = if linux {
        disks::probe_disks(probe, &sys.disks)
    } else {
        disks::plain_disks(probe, &sys.disks)
    };
    let vulkan = probe.vulkan();
    let gpus = gpus::probe_gpus(probe, &vulkan);

    let nvidia_driver = probe.exists("/proc/driver/nvidia/version");
    let mut accelerators = vec![Accelerator::Cpu];
    if linux && nvidia_driver && gpus.iter().any(|g| g.vendor == GpuVendor::Nvidia) {
        accelerators.push(Accelerator::Cuda);
    }
    if linux && probe.exists("/dev/kfd") && gpus.iter().any(|g| g.vendor == GpuVendor::Amd) {
        accelerators.push(Accelerator::Rocm);
    }
    if vulkan
        .devices
        .iter()
        .any(|d| d.device_type != VulkanDeviceType::Cpu)
    {
        accelerators.push(Accelerator::Vulkan);
    }
    if os == Os::Macos && arch == Arch::Aarch64 {
        accelerators.push(Accelerator::Metal);
        accelerators.push(Accelerator::Mlx);
    }
    accelerators.sort();
    accelerators.dedup();

    let podman = probe
        .run("podman", &["--version"])
        .and_then(|o| parse::podman_version(&o))
        .map(|version| Podman {
            quadlet: parse::podman_has_quadlet(&version),
            version,
        });
    let docker = probe
        .run("docker", &["--version"])
        .and_then(|o| parse::docker_version(&o))
        .map(|version| Docker { version });

    let systemd = probe_systemd(probe, linux);
    let cgroup_version = if !linux {
        CgroupVersion::Unknown
    } else if probe.exists("/sys/fs/cgroup/cgroup.controllers") {
        CgroupVersion::V2
    } else if probe.exists("/sys/fs/cgroup") {
        CgroupVersion::V1
    } else {
        CgroupVersion::Unknown
    };
    let selinux = if !linux {
        SelinuxMode::Unknown
    } else if let Some(enforce) = probe.read_file("/sys/fs/selinux/enforce") {
        match enforce.trim() {
            "1" => SelinuxMode::Enforcing,
            "0" => SelinuxMode::Permissive,
            _ => SelinuxMode::Unknown,
        }
    } else if probe.exists("/proc/filesystems") {
        // selinuxfs is not mounted on a host whose /proc we can see: SELinux is off.
        SelinuxMode::Disabled
    } else {
        SelinuxMode::Unknown
    };

    let kubelet = linux
        && (probe.on_path("kubelet")
            || probe.exists("/var/lib/kubelet/config.yaml")
            || probe.exists("/etc/kubernetes/kubelet.conf"));

    let mut facts = HostFacts {
        schema_version: SCHEMA_VERSION.to_string(),
        kind: FactsKind::HostFacts,
        provenance: Provenance {
            source: FactsSource::Probed,
            note: None,
            probe_version: Some(PROBE_VERSION.to_string()),
        },
        host,
        cpu,
        memory,
        disks,
        gpus,
        vulkan,
        accelerators,
        container_runtime: ContainerRuntime { podman, docker },
        systemd,
        cgroup_version,
        selinux,
        profile: Profile::SourceosWorkstation,
    };
    facts.profile = detect_profile(
        &facts,
        &ProfileSignals {
            apple_device_tree: apple_dt,
            kubelet,
        },
    );
    Ok(facts)
}

fn normalise_arch(raw: &str) -> Result<Arch, ProbeError> {
    match raw {
        "x86_64" | "amd64" => Ok(Arch::X86_64),
        "aarch64" | "arm64" => Ok(Arch::Aarch64),
        other => Err(ProbeError::UnsupportedArch(other.to_string())),
    }
}

fn probe_systemd(probe: &dyn HostProbe, linux: bool) -> Systemd {
    if !linux {
        return Systemd {
            system: false,
            user: false,
            version: None,
        };
    }
    // sd_booted(3): systemd is PID 1 iff /run/systemd/system exists.
    let system = probe.exists("/run/systemd/system");
    let version = probe
        .run("systemctl", &["--version"])
        .and_then(|o| parse::systemd_version(&o));
    let user = system
        && (probe
            .user_runtime_dir()
            .is_some_and(|dir| probe.exists(&format!("{dir}/systemd/private")))
            || probe
                .run("systemctl", &["--user", "is-system-running"])
                .is_some_and(|o| {
                    matches!(
                        o.trim(),
                        "running" | "degraded" | "starting" | "initializing"
                    )
                }));
    Systemd {
        system,
        user,
        version,
    }
}

/// Host signals that decide the profile but are not facts themselves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProfileSignals {
    /// `/proc/device-tree/compatible` has an `apple,*` entry (Linux on Apple Silicon).
    pub apple_device_tree: bool,
    /// A kubelet binary or kubelet configuration is present.
    pub kubelet: bool,
}

/// Memory below which any Linux host counts as an edge node.
pub const EDGE_MEMORY_BYTES: u64 = 8 * 1024 * 1024 * 1024;

/// Memory at or below which an aarch64 Linux host counts as an edge node.
pub const EDGE_AARCH64_MEMORY_BYTES: u64 = 16 * 1024 * 1024 * 1024;

/// Fedora ostree desktop variants that count as `fedora-silverblue`.
const FEDORA_ATOMIC_VARIANTS: &[&str] = &["silverblue", "kinoite", "sericea", "onyx"];

/// Decide the platform profile; the first rule that matches wins:
/// 1. macOS → `macos-apple-silicon-compat`;
/// 2. Linux on Apple Silicon (device tree `apple,*`) → `m2-asahi-linux`;
/// 3. kubelet present → `kubernetes-node`;
/// 4. a discrete GPU (GPU marked discrete, or a Vulkan `discrete-gpu`) → `linux-gpu-node`;
/// 5. ostree-booted Fedora Silverblue/Kinoite/Sericea/Onyx (`*-atomic` too) → `fedora-silverblue`;
/// 6. aarch64 with at most 16 GiB memory, or any host with less than 8 GiB → `linux-edge-node`;
/// 7. otherwise → `sourceos-workstation`.
pub fn detect_profile(facts: &HostFacts, signals: &ProfileSignals) -> Profile {
    if facts.host.os == Os::Macos {
        return Profile::MacosAppleSiliconCompat;
    }
    if signals.apple_device_tree {
        return Profile::M2AsahiLinux;
    }
    if signals.kubelet {
        return Profile::KubernetesNode;
    }
    let discrete = facts.gpus.iter().any(|g| g.discrete == Some(true))
        || facts
            .vulkan
            .devices
            .iter()
            .any(|d| d.device_type == VulkanDeviceType::DiscreteGpu);
    if discrete {
        return Profile::LinuxGpuNode;
    }
    let fedora_atomic = facts.host.immutable == Some(true)
        && facts.host.distro.as_ref().is_some_and(|d| {
            d.id == "fedora"
                && d.variant_id
                    .as_deref()
                    .is_some_and(|v| FEDORA_ATOMIC_VARIANTS.contains(&v) || v.ends_with("-atomic"))
        });
    if fedora_atomic {
        return Profile::FedoraSilverblue;
    }
    let small_arm =
        facts.host.arch == Arch::Aarch64 && facts.memory.total_bytes <= EDGE_AARCH64_MEMORY_BYTES;
    if small_arm || facts.memory.total_bytes < EDGE_MEMORY_BYTES {
        return Profile::LinuxEdgeNode;
    }
    Profile::SourceosWorkstation
}
