//! Parsers for the raw text the probe reads from the host.
//!
//! Takes: the contents of `/etc/os-release`, `/proc/cpuinfo`,
//! `/proc/self/mountinfo`, sysfs attribute files, `/proc/driver/nvidia/*`,
//! `lvs` JSON reports and `--version` outputs, as strings.
//! Produces: small typed readings (never `HostFacts` itself; `assemble` does that).
//! Never: touches the host, panics on malformed input (it yields `None` or skips
//! the line), or keeps values it does not understand.

use std::collections::BTreeMap;

use crate::facts::{EncryptionMode, GpuVendor};

/// `/etc/os-release` fields the probe uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OsRelease {
    /// `ID`.
    pub id: Option<String>,
    /// `NAME`.
    pub name: Option<String>,
    /// `VERSION_ID`.
    pub version_id: Option<String>,
    /// `VARIANT_ID`.
    pub variant_id: Option<String>,
}

/// Parse `os-release(5)`: `KEY=value` lines, values optionally quoted.
pub fn os_release(text: &str) -> OsRelease {
    let mut out = OsRelease::default();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, raw)) = line.split_once('=') else {
            continue;
        };
        let value = unquote(raw.trim());
        if value.is_empty() {
            continue;
        }
        match key.trim() {
            "ID" => out.id = Some(value),
            "NAME" => out.name = Some(value),
            "VERSION_ID" => out.version_id = Some(value),
            "VARIANT_ID" => out.variant_id = Some(value),
            _ => {}
        }
    }
    out
}

fn unquote(raw: &str) -> String {
    let inner = if raw.len() >= 2
        && ((raw.starts_with('"') && raw.ends_with('"'))
            || (raw.starts_with('\'') && raw.ends_with('\'')))
    {
        &raw[1..raw.len() - 1]
    } else {
        raw
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Map of kernel cpuinfo flag → recorded feature name (Rust `target_feature` spelling).
const CPUINFO_FEATURES: &[(&str, &str)] = &[
    // x86_64 `flags`
    ("amx_bf16", "amx-bf16"),
    ("amx_int8", "amx-int8"),
    ("amx_tile", "amx-tile"),
    ("avx", "avx"),
    ("avx2", "avx2"),
    ("avx512_bf16", "avx512bf16"),
    ("avx512bw", "avx512bw"),
    ("avx512f", "avx512f"),
    ("avx512vl", "avx512vl"),
    ("avx512_vnni", "avx512vnni"),
    ("avx_vnni", "avxvnni"),
    ("f16c", "f16c"),
    ("fma", "fma"),
    ("sse4_2", "sse4.2"),
    // aarch64 `Features`
    ("asimd", "neon"),
    ("asimddp", "dotprod"),
    ("asimdhp", "fp16"),
    ("bf16", "bf16"),
    ("i8mm", "i8mm"),
    ("sve", "sve"),
    ("sve2", "sve2"),
];

/// CPU readings from `/proc/cpuinfo`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CpuInfo {
    /// `model name` of the first processor, when present.
    pub model: Option<String>,
    /// Relevant features present on the first processor, sorted and deduplicated.
    pub features: Vec<String>,
}

/// Parse `/proc/cpuinfo` (x86 `flags` or arm64 `Features`) of the first processor.
pub fn cpuinfo(text: &str) -> CpuInfo {
    let mut out = CpuInfo::default();
    let mut flags: Option<&str> = None;
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim();
        let value = value.trim();
        match key {
            "model name" if out.model.is_none() && !value.is_empty() => {
                out.model = Some(value.to_string());
            }
            "flags" | "Features" if flags.is_none() => flags = Some(value),
            _ => {}
        }
    }
    if let Some(flags) = flags {
        out.features = map_cpu_flags(flags.split_whitespace());
    }
    out
}

/// Map raw kernel flags to recorded feature names, sorted and deduplicated.
pub fn map_cpu_flags<'a>(flags: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut features: Vec<String> = flags
        .filter_map(|flag| {
            CPUINFO_FEATURES
                .iter()
                .find(|(raw, _)| *raw == flag)
                .map(|(_, name)| (*name).to_string())
        })
        .collect();
    features.sort();
    features.dedup();
    features
}

/// One line of `/proc/self/mountinfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountInfo {
    /// `major:minor` of the backing device.
    pub dev: String,
    /// Mount point, with octal escapes decoded.
    pub mount_point: String,
    /// Filesystem type.
    pub fs_type: String,
    /// Mount source, e.g. `/dev/nvme0n1p2`.
    pub source: String,
    /// Per-mount options followed by superblock options not already present.
    pub options: Vec<String>,
    /// Per-mount `ro`.
    pub read_only: bool,
}

/// Parse `/proc/self/mountinfo`; malformed lines are skipped.
pub fn mountinfo(text: &str) -> Vec<MountInfo> {
    text.lines().filter_map(mountinfo_line).collect()
}

fn mountinfo_line(line: &str) -> Option<MountInfo> {
    let (pre, post) = line.split_once(" - ")?;
    let pre: Vec<&str> = pre.split(' ').collect();
    let post: Vec<&str> = post.split(' ').collect();
    let dev = pre.get(2)?;
    let mount_point = pre.get(4)?;
    let mount_opts = pre.get(5)?;
    let fs_type = post.first()?;
    let source = post.get(1)?;
    let super_opts = post.get(2).copied().unwrap_or("");
    let mut options: Vec<String> = Vec::new();
    for opt in mount_opts.split(',').chain(super_opts.split(',')) {
        if !opt.is_empty() && !options.iter().any(|o| o == opt) {
            options.push(opt.to_string());
        }
    }
    let read_only = mount_opts.split(',').any(|o| o == "ro");
    Some(MountInfo {
        dev: (*dev).to_string(),
        mount_point: unescape_octal(mount_point),
        fs_type: (*fs_type).to_string(),
        source: unescape_octal(source),
        options,
        read_only,
    })
}

/// Decode the kernel's `\040`-style octal escapes in mount fields.
pub fn unescape_octal(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && i + 3 < bytes.len()
            && bytes[i + 1..i + 4]
                .iter()
                .all(|b| (b'0'..=b'7').contains(b))
        {
            let v = (bytes[i + 1] - b'0') as u32 * 64
                + (bytes[i + 2] - b'0') as u32 * 8
                + (bytes[i + 3] - b'0') as u32;
            if let Ok(b) = u8::try_from(v) {
                out.push(b);
                i += 4;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parse a sysfs hex attribute such as `0x10de\n` into a lowercase 4-digit id.
pub fn pci_hex(text: &str) -> Option<String> {
    let t = text.trim();
    let t = t.strip_prefix("0x").unwrap_or(t);
    let v = u32::from_str_radix(t, 16).ok()?;
    if v > 0xffff {
        return None;
    }
    Some(format!("{v:04x}"))
}

/// Vendor of a PCI (or Vulkan) vendor id.
pub fn vendor_of(id: u32) -> GpuVendor {
    match id {
        0x10de => GpuVendor::Nvidia,
        0x1002 | 0x1022 => GpuVendor::Amd,
        0x8086 => GpuVendor::Intel,
        0x106b => GpuVendor::Apple,
        _ => GpuVendor::Other,
    }
}

/// Parse a decimal sysfs attribute such as `mem_info_vram_total`.
pub fn sysfs_u64(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

/// One GPU from `/proc/driver/nvidia/gpus/<bus>/information`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NvidiaGpu {
    /// `Model:` line.
    pub model: String,
    /// `Bus Location:` line, lowercase, e.g. `0000:01:00.0`.
    pub bus: Option<String>,
}

/// Parse one `/proc/driver/nvidia/gpus/*/information` file.
pub fn nvidia_information(text: &str) -> Option<NvidiaGpu> {
    let mut model = None;
    let mut bus = None;
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "Model" if !value.is_empty() => model = Some(value.to_string()),
            "Bus Location" if !value.is_empty() => bus = Some(value.to_ascii_lowercase()),
            _ => {}
        }
    }
    Some(NvidiaGpu { model: model?, bus })
}

/// Driver version from `/proc/driver/nvidia/version`: the first dotted number
/// on the `NVRM version:` line (`... Kernel Module [for x86_64]  580.95.05 ...`).
pub fn nvidia_driver_version(text: &str) -> Option<String> {
    let line = text.lines().find(|l| l.starts_with("NVRM version:"))?;
    line.split_whitespace()
        .find(|t| t.contains('.') && t.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .map(str::to_string)
}

/// Encryption/LVM role of one device-mapper device, from `/sys/.../dm/uuid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DmKind {
    /// `CRYPT-LUKS1-...` / `CRYPT-LUKS2-...`.
    Luks,
    /// `CRYPT-PLAIN-...` and other `CRYPT-` targets.
    DmCrypt,
    /// `LVM-...`.
    Lvm,
    /// Anything else (multipath, verity, ...).
    Other,
}

/// Classify a dm uuid.
pub fn dm_uuid(text: &str) -> DmKind {
    let t = text.trim();
    if t.starts_with("CRYPT-LUKS") {
        DmKind::Luks
    } else if t.starts_with("CRYPT-") {
        DmKind::DmCrypt
    } else if t.starts_with("LVM-") {
        DmKind::Lvm
    } else {
        DmKind::Other
    }
}

/// Encryption mode implied by a dm kind, if it is a crypt target.
pub fn dm_encryption(kind: DmKind) -> Option<EncryptionMode> {
    match kind {
        DmKind::Luks => Some(EncryptionMode::Luks),
        DmKind::DmCrypt => Some(EncryptionMode::DmCrypt),
        DmKind::Lvm | DmKind::Other => None,
    }
}

/// Split an LVM dm name (`agent--vg-models`) into `(vg, lv)`; `--` encodes a `-`.
pub fn lvm_dm_name(name: &str) -> Option<(String, String)> {
    let name = name.trim();
    let bytes = name.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'-' {
            if bytes.get(i + 1) == Some(&b'-') {
                i += 2;
                continue;
            }
            let vg = name[..i].replace("--", "-");
            let lv = name[i + 1..].replace("--", "-");
            if vg.is_empty() || lv.is_empty() {
                return None;
            }
            return Some((vg, lv));
        }
        i += 1;
    }
    None
}

/// LVM facts from `lvs --reportformat json`: dm name → (vg, lv, thin pool).
pub fn lvs_report(text: &str) -> BTreeMap<String, (String, String, Option<String>)> {
    let mut out = BTreeMap::new();
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return out;
    };
    let reports = value
        .get("report")
        .and_then(|r| r.as_array())
        .cloned()
        .unwrap_or_default();
    for report in reports {
        let lvs = report
            .get("lv")
            .and_then(|l| l.as_array())
            .cloned()
            .unwrap_or_default();
        for lv in lvs {
            let field = |k: &str| {
                lv.get(k)
                    .and_then(|v| v.as_str())
                    .map(str::trim)
                    .unwrap_or("")
            };
            let (vg, name, pool, path) = (
                field("vg_name"),
                field("lv_name"),
                field("pool_lv"),
                field("lv_dm_path"),
            );
            if vg.is_empty() || name.is_empty() {
                continue;
            }
            let dm_name = match path.rsplit('/').next() {
                Some(p) if !p.is_empty() => p.to_string(),
                _ => format!("{}-{}", vg.replace('-', "--"), name.replace('-', "--")),
            };
            let pool = (!pool.is_empty()).then(|| pool.to_string());
            out.insert(dm_name, (vg.to_string(), name.to_string(), pool));
        }
    }
    out
}

/// Version number from `podman --version` (`podman version 5.4.2`); `None` for other tools.
pub fn podman_version(text: &str) -> Option<String> {
    let line = text.lines().next()?.trim();
    let rest = line.strip_prefix("podman version ")?;
    rest.split_whitespace().next().map(str::to_string)
}

/// Version number from `docker --version` (`Docker version 27.3.1, build ce12230`).
/// The podman-docker shim (which prints `podman version ...`) is not Docker.
pub fn docker_version(text: &str) -> Option<String> {
    let line = text.lines().next()?.trim();
    let rest = line.strip_prefix("Docker version ")?;
    rest.split([',', ' '])
        .next()
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// Whether a podman version is at least 5.0 (the Quadlet floor amc emits for).
pub fn podman_has_quadlet(version: &str) -> bool {
    version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok())
        .is_some_and(|major| major >= 5)
}

/// Version from `systemctl --version` (`systemd 257 (257.9-1)`).
pub fn systemd_version(text: &str) -> Option<String> {
    let line = text.lines().next()?.trim();
    let rest = line.strip_prefix("systemd ")?;
    rest.split_whitespace().next().map(str::to_string)
}

/// Entries of `/proc/device-tree/compatible` (NUL-separated).
pub fn dt_compatible(text: &str) -> Vec<String> {
    text.split('\0')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Format a Vulkan packed version as `major.minor.patch`.
pub fn vk_version(v: u32) -> String {
    format!("{}.{}.{}", v >> 22 & 0x7f, v >> 12 & 0x3ff, v & 0xfff)
}

#[cfg(test)]
mod tests;
