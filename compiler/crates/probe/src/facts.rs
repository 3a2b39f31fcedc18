//! Host facts: the typed form of `contracts/host-facts.schema.json`.
//!
//! Takes: a facts document (JSON text written by `amc probe` or by hand).
//! Produces: [`HostFacts`], a serde model whose struct field order is the
//! output order, so `serde_json::to_string_pretty` of a value is the canonical
//! facts file and validates against [`SCHEMA`].
//! Never: touches the host (that is `crate::probe`), reads the clock, or
//! guesses a value that was not observed — unobserved facts are `None`
//! (written as `null`) or an explicit `unknown`.

use serde::{Deserialize, Serialize};

/// The JSON Schema (draft 2020-12) for facts files, `$id` [`SCHEMA_ID`].
pub const SCHEMA: &str = include_str!("../../../../contracts/host-facts.schema.json");

/// `$id` of [`SCHEMA`].
pub const SCHEMA_ID: &str = "urn:amc:schema:host-facts:v1";

/// The only `schemaVersion` this build reads and writes.
pub const SCHEMA_VERSION: &str = "amc.host-facts/v1";

/// CPU feature names the probe records (Rust `target_feature` spelling), sorted.
pub const CPU_FEATURES: &[&str] = &[
    "amx-bf16",
    "amx-int8",
    "amx-tile",
    "avx",
    "avx2",
    "avx512bf16",
    "avx512bw",
    "avx512f",
    "avx512vl",
    "avx512vnni",
    "avxvnni",
    "bf16",
    "dotprod",
    "f16c",
    "fma",
    "fp16",
    "i8mm",
    "neon",
    "sse4.2",
    "sve",
    "sve2",
];

/// Everything amc knows about one host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HostFacts {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: String,
    /// Always `HostFacts`.
    pub kind: FactsKind,
    /// Who wrote these facts.
    pub provenance: Provenance,
    /// Identity of the host and its OS.
    pub host: Host,
    /// CPU model, counts and instruction set features.
    pub cpu: Cpu,
    /// System memory.
    pub memory: Memory,
    /// Block-device-backed mounts, sorted by mount point.
    pub disks: Vec<Disk>,
    /// GPUs seen through DRM, the NVIDIA driver, Vulkan or by hand.
    pub gpus: Vec<Gpu>,
    /// Vulkan loader and physical devices.
    pub vulkan: Vulkan,
    /// Accelerator APIs usable on this host, sorted; always contains `cpu`.
    pub accelerators: Vec<Accelerator>,
    /// Podman and Docker.
    pub container_runtime: ContainerRuntime,
    /// systemd system and user managers.
    pub systemd: Systemd,
    /// Mounted cgroup hierarchy version.
    pub cgroup_version: CgroupVersion,
    /// SELinux mode.
    pub selinux: SelinuxMode,
    /// Detected platform profile (see `docs/probe.md` for the rules).
    pub profile: Profile,
}

/// The `kind` discriminator of a facts document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum FactsKind {
    /// `"HostFacts"`.
    HostFacts,
}

/// Who produced a facts document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Provenance {
    /// `probed` or `hand-written`.
    pub source: FactsSource,
    /// Free text, e.g. what a hand-written file describes.
    pub note: Option<String>,
    /// Version of the amc that probed; `None` when hand-written.
    pub probe_version: Option<String>,
}

/// Origin of a facts document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum FactsSource {
    /// Written by `amc probe` on the host itself.
    Probed,
    /// Written by a person (or a test) without probing.
    HandWritten,
}

/// Host identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Host {
    /// Host name (not the FQDN).
    pub hostname: String,
    /// Operating system family.
    pub os: Os,
    /// Distribution from `/etc/os-release`, when present.
    pub distro: Option<Distro>,
    /// Kernel release (`uname -r`).
    pub kernel: String,
    /// Normalised CPU architecture.
    pub arch: Arch,
    /// `true` on ostree-booted (image-based) hosts; `None` when unknown.
    pub immutable: Option<bool>,
}

/// Operating system family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Os {
    /// Linux.
    Linux,
    /// macOS.
    Macos,
    /// Anything else.
    Other,
}

/// Distribution identity from `/etc/os-release`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Distro {
    /// `ID`, e.g. `fedora`.
    pub id: String,
    /// `NAME`, e.g. `Fedora Linux Asahi Remix`.
    pub name: String,
    /// `VERSION_ID`, e.g. `42`.
    pub version_id: Option<String>,
    /// `VARIANT_ID`, e.g. `silverblue`.
    pub variant_id: Option<String>,
}

/// Normalised CPU architecture (`arm64` is written `aarch64`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Arch {
    /// 64-bit x86.
    #[serde(rename = "x86_64")]
    X86_64,
    /// 64-bit ARM.
    #[serde(rename = "aarch64")]
    Aarch64,
}

/// CPU facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cpu {
    /// Marketing name, when the kernel reports one.
    pub model: Option<String>,
    /// Physical cores.
    pub cores: u32,
    /// Logical CPUs (hardware threads).
    pub threads: u32,
    /// Relevant features from [`CPU_FEATURES`], sorted.
    pub features: Vec<String>,
}

/// Memory facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Memory {
    /// Total system memory in bytes.
    pub total_bytes: u64,
    /// Memory available to new processes at probe time, in bytes.
    pub available_bytes: Option<u64>,
    /// CPU and GPU share one memory pool (Apple Silicon style).
    pub unified: bool,
}

/// One mounted, block-device-backed filesystem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Disk {
    /// Where it is mounted.
    pub mount_point: String,
    /// Source device, e.g. `/dev/mapper/agent--vg-models`.
    pub device: String,
    /// Filesystem type, e.g. `xfs`.
    pub filesystem: String,
    /// Size in bytes.
    pub total_bytes: u64,
    /// Space available to unprivileged users, in bytes.
    pub free_bytes: u64,
    /// Mount options from `/proc/self/mountinfo` (per-mount and superblock), in kernel order.
    pub mount_options: Vec<String>,
    /// Mounted read-only.
    pub read_only: bool,
    /// Owner of the mount point directory.
    pub owner_uid: Option<u32>,
    /// Permission bits of the mount point, four octal digits (`0755`).
    pub mode: Option<String>,
    /// Mount point is writable by everyone (mode & 0o002).
    pub world_writable: Option<bool>,
    /// Encryption at rest below this filesystem.
    pub encryption: Encryption,
    /// LVM placement, when the device is a logical volume.
    pub lvm: Option<Lvm>,
}

/// Encryption at rest of one disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Encryption {
    /// What was found.
    pub mode: EncryptionMode,
    /// `false` when the mode could not be observed (then `mode` is `unknown`).
    pub observed: bool,
}

impl Encryption {
    /// Encryption that could not be observed.
    pub fn unobserved() -> Self {
        Encryption {
            mode: EncryptionMode::Unknown,
            observed: false,
        }
    }
}

/// Encryption-at-rest mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum EncryptionMode {
    /// Plain device.
    None,
    /// LUKS container (dm-crypt with a LUKS header).
    Luks,
    /// dm-crypt without a LUKS header.
    DmCrypt,
    /// Filesystem-level encryption (fscrypt).
    Fscrypt,
    /// Not observable.
    Unknown,
}

/// LVM placement of a disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Lvm {
    /// Volume group, e.g. `agent-vg`.
    pub volume_group: String,
    /// Logical volume, e.g. `models`.
    pub logical_volume: String,
    /// Thin pool the LV lives in, when thin-provisioned.
    pub thin_pool: Option<String>,
}

/// One GPU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Gpu {
    /// Vendor.
    pub vendor: GpuVendor,
    /// Device name.
    pub name: String,
    /// Kernel or user-space driver, e.g. `nvidia`, `amdgpu`, `asahi`.
    pub driver: Option<String>,
    /// Dedicated memory in bytes (None for unified memory or when unknown).
    pub vram_bytes: Option<u64>,
    /// Discrete card with its own memory; `None` when not observable.
    pub discrete: Option<bool>,
    /// Where this GPU was seen.
    pub source: GpuSource,
    /// PCI `vendor:device`, lowercase hex (`10de:26b9`).
    pub pci_id: Option<String>,
}

/// GPU vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum GpuVendor {
    /// NVIDIA (PCI 0x10de).
    Nvidia,
    /// AMD (PCI 0x1002).
    Amd,
    /// Intel (PCI 0x8086).
    Intel,
    /// Apple (Apple Silicon AGX, PCI-less; Vulkan vendor 0x106b).
    Apple,
    /// Anything else.
    Other,
}

/// Where a GPU was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum GpuSource {
    /// `/sys/class/drm/card*`.
    Drm,
    /// `/proc/driver/nvidia/gpus/*/information`.
    NvidiaProc,
    /// A Vulkan physical device with no DRM/NVIDIA counterpart.
    Vulkan,
    /// Written by hand.
    HandWritten,
}

/// Vulkan facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Vulkan {
    /// Whether a loader and at least one physical device were found.
    pub status: VulkanStatus,
    /// Why Vulkan is unavailable.
    pub reason: Option<String>,
    /// Loader instance version, `major.minor.patch`.
    pub instance_version: Option<String>,
    /// Physical devices in enumeration order.
    pub devices: Vec<VulkanDevice>,
}

impl Vulkan {
    /// Vulkan that is unavailable for `reason`.
    pub fn unavailable(reason: impl Into<String>) -> Self {
        Vulkan {
            status: VulkanStatus::Unavailable,
            reason: Some(reason.into()),
            instance_version: None,
            devices: Vec::new(),
        }
    }
}

/// Vulkan availability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum VulkanStatus {
    /// Loader present and at least one device enumerated.
    Available,
    /// No loader, no instance, or no device.
    Unavailable,
}

/// One Vulkan physical device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VulkanDevice {
    /// `deviceName`, e.g. `llvmpipe (LLVM 19.1.7, 256 bits)`.
    pub name: String,
    /// `deviceType`.
    pub device_type: VulkanDeviceType,
    /// `VkPhysicalDeviceDriverProperties.driverName` (Vulkan 1.2+).
    pub driver_name: Option<String>,
    /// `VkPhysicalDeviceDriverProperties.driverInfo` (Vulkan 1.2+).
    pub driver_info: Option<String>,
    /// Supported API version, `major.minor.patch`.
    pub api_version: String,
    /// PCI-style vendor id (0x10de NVIDIA, 0x10005 Mesa, 0x106b Apple).
    pub vendor_id: u32,
    /// Vendor-specific device id.
    pub device_id: u32,
    /// Memory heaps in driver order.
    pub heaps: Vec<VulkanHeap>,
}

/// Vulkan physical device type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum VulkanDeviceType {
    /// GPU sharing memory with the CPU.
    IntegratedGpu,
    /// Separate GPU with its own memory.
    DiscreteGpu,
    /// Virtualised GPU.
    VirtualGpu,
    /// Software rasteriser on the CPU (lavapipe).
    Cpu,
    /// Anything else.
    Other,
}

/// One Vulkan memory heap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VulkanHeap {
    /// Heap size in bytes.
    pub size_bytes: u64,
    /// `VK_MEMORY_HEAP_DEVICE_LOCAL_BIT` is set.
    pub device_local: bool,
}

/// An accelerator API (declaration order is the sort order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Accelerator {
    /// Plain CPU inference; always available.
    Cpu,
    /// NVIDIA CUDA (NVIDIA driver loaded).
    Cuda,
    /// Apple Metal (macOS only; never on Linux).
    Metal,
    /// Apple MLX (macOS only).
    Mlx,
    /// AMD ROCm/HIP (`/dev/kfd` present with an AMD GPU).
    Rocm,
    /// Vulkan compute (a Vulkan device was probed).
    Vulkan,
}

impl Accelerator {
    /// The schema spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Accelerator::Cpu => "cpu",
            Accelerator::Cuda => "cuda",
            Accelerator::Metal => "metal",
            Accelerator::Mlx => "mlx",
            Accelerator::Rocm => "rocm",
            Accelerator::Vulkan => "vulkan",
        }
    }
}

/// Container runtimes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContainerRuntime {
    /// Podman, when on PATH.
    pub podman: Option<Podman>,
    /// Docker, when on PATH.
    pub docker: Option<Docker>,
}

/// Podman facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Podman {
    /// `podman --version`, e.g. `5.4.2`.
    pub version: String,
    /// Version >= 5.0, the floor amc emits Quadlet units for.
    pub quadlet: bool,
}

/// Docker facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Docker {
    /// `docker --version`, e.g. `27.3.1`.
    pub version: String,
}

/// systemd facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Systemd {
    /// systemd is the system manager (PID 1).
    pub system: bool,
    /// A systemd user manager runs for the probing user.
    pub user: bool,
    /// `systemctl --version` number, e.g. `257`.
    pub version: Option<String>,
}

/// cgroup hierarchy version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum CgroupVersion {
    /// Legacy or hybrid hierarchy.
    V1,
    /// Unified hierarchy.
    V2,
    /// Not observable.
    Unknown,
}

impl CgroupVersion {
    /// The schema spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CgroupVersion::V1 => "v1",
            CgroupVersion::V2 => "v2",
            CgroupVersion::Unknown => "unknown",
        }
    }
}

/// SELinux mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum SelinuxMode {
    /// Enforcing.
    Enforcing,
    /// Permissive.
    Permissive,
    /// Not enabled (no selinuxfs).
    Disabled,
    /// Not observable.
    Unknown,
}

impl SelinuxMode {
    /// The schema spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SelinuxMode::Enforcing => "enforcing",
            SelinuxMode::Permissive => "permissive",
            SelinuxMode::Disabled => "disabled",
            SelinuxMode::Unknown => "unknown",
        }
    }
}

/// Platform profile (the AgentMachine `profile` enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// Linux on Apple Silicon (Asahi).
    M2AsahiLinux,
    /// General Linux workstation (the fallback).
    SourceosWorkstation,
    /// Fedora Silverblue (ostree-based).
    FedoraSilverblue,
    /// Linux host with a discrete GPU.
    LinuxGpuNode,
    /// Small aarch64 or low-memory Linux host.
    LinuxEdgeNode,
    /// Host running a kubelet.
    KubernetesNode,
    /// macOS on Apple Silicon (compatibility only).
    MacosAppleSiliconCompat,
}

impl Profile {
    /// The schema spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::M2AsahiLinux => "m2-asahi-linux",
            Profile::SourceosWorkstation => "sourceos-workstation",
            Profile::FedoraSilverblue => "fedora-silverblue",
            Profile::LinuxGpuNode => "linux-gpu-node",
            Profile::LinuxEdgeNode => "linux-edge-node",
            Profile::KubernetesNode => "kubernetes-node",
            Profile::MacosAppleSiliconCompat => "macos-apple-silicon-compat",
        }
    }
}

/// Why a facts document was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactsError {
    /// Not JSON at all.
    Json(String),
    /// JSON that breaks the schema: one `(instance path, message)` per violation.
    Schema(Vec<(String, String)>),
    /// Schema-valid JSON that serde still rejected (should not happen; a bug).
    Model(String),
}

impl std::fmt::Display for FactsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FactsError::Json(m) => write!(f, "facts file is not valid JSON: {m}"),
            FactsError::Schema(errs) => {
                write!(f, "facts file breaks {SCHEMA_ID}:")?;
                for (path, msg) in errs {
                    let path = if path.is_empty() { "/" } else { path };
                    write!(f, "\n  at {path}: {msg}")?;
                }
                Ok(())
            }
            FactsError::Model(m) => write!(f, "facts file could not be read: {m}"),
        }
    }
}

impl std::error::Error for FactsError {}

/// Check a JSON value against [`SCHEMA`]; errors are `(instance path, message)`, in schema order.
pub fn validate_value(value: &serde_json::Value) -> Result<(), Vec<(String, String)>> {
    let schema: serde_json::Value = match serde_json::from_str(SCHEMA) {
        Ok(s) => s,
        Err(e) => {
            return Err(vec![(
                String::new(),
                format!("internal error: embedded schema: {e}"),
            )]);
        }
    };
    let validator = match jsonschema::validator_for(&schema) {
        Ok(v) => v,
        Err(e) => {
            return Err(vec![(
                String::new(),
                format!("internal error: embedded schema: {e}"),
            )]);
        }
    };
    let errors: Vec<(String, String)> = validator
        .iter_errors(value)
        .map(|e| (e.instance_path().to_string(), e.to_string()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

impl HostFacts {
    /// Parse and schema-validate a facts document.
    pub fn from_json(text: &str) -> Result<HostFacts, FactsError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| FactsError::Json(e.to_string()))?;
        validate_value(&value).map_err(FactsError::Schema)?;
        serde_json::from_value(value).map_err(|e| FactsError::Model(e.to_string()))
    }

    /// The canonical facts file: pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        match serde_json::to_string_pretty(self) {
            Ok(mut s) => {
                s.push('\n');
                s
            }
            // Serialising plain structs with string keys cannot fail.
            Err(e) => format!("{{\"error\": \"internal error serialising host facts: {e}\"}}\n"),
        }
    }

    /// Whether `accelerator` is usable on this host.
    pub fn has_accelerator(&self, accelerator: Accelerator) -> bool {
        self.accelerators.contains(&accelerator)
    }
}

#[cfg(test)]
mod tests;
