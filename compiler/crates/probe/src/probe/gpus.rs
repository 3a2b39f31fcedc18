//! GPU facts from the NVIDIA driver, DRM and Vulkan.
//!
//! Takes: `/proc/driver/nvidia/{version,gpus/*/information}`,
//! `/sys/class/drm/card*/device/{vendor,device,driver,mem_info_vram_total}`,
//! `/sys/bus/pci/devices/*/{vendor,device}` and the already-probed [`Vulkan`] facts.
//! Produces: [`Gpu`] facts — NVIDIA GPUs first (bus order), then other DRM cards
//! (card number order), then Vulkan GPUs not seen any other way.
//! Never: invents names or sizes; a GPU without a Vulkan match is named by
//! vendor and PCI id, and its VRAM is recorded only where the kernel reports it.

use super::HostProbe;
use super::parse;
use crate::facts::{Gpu, GpuSource, GpuVendor, Vulkan, VulkanDevice, VulkanDeviceType};

/// DRM drivers that are framebuffers, not GPUs.
const NOT_GPUS: &[&str] = &[
    "simpledrm",
    "simple-framebuffer",
    "efifb",
    "vkms",
    "ofdrm",
    "bochs-drm",
];

/// Platform (non-PCI) GPU drivers and their vendor.
const SOC_GPUS: &[(&str, GpuVendor)] = &[
    ("asahi", GpuVendor::Apple),
    ("msm", GpuVendor::Other),
    ("panfrost", GpuVendor::Other),
    ("panthor", GpuVendor::Other),
    ("lima", GpuVendor::Other),
    ("v3d", GpuVendor::Other),
    ("etnaviv", GpuVendor::Other),
    ("tegra", GpuVendor::Nvidia),
];

pub(super) fn probe_gpus(probe: &dyn HostProbe, vulkan: &Vulkan) -> Vec<Gpu> {
    let mut gpus: Vec<Gpu> = Vec::new();
    let mut matched = vec![false; vulkan.devices.len()];

    // 1. NVIDIA proprietary driver.
    let nvidia_driver =
        probe
            .read_file("/proc/driver/nvidia/version")
            .map(|t| match parse::nvidia_driver_version(&t) {
                Some(v) => format!("nvidia {v}"),
                None => "nvidia".to_string(),
            });
    for bus_dir in probe.list_dir("/proc/driver/nvidia/gpus") {
        let Some(info) = probe
            .read_file(&format!("/proc/driver/nvidia/gpus/{bus_dir}/information"))
            .and_then(|t| parse::nvidia_information(&t))
        else {
            continue;
        };
        let bus = info
            .bus
            .clone()
            .unwrap_or_else(|| bus_dir.to_ascii_lowercase());
        let pci_id = pci_id_at(probe, &format!("/sys/bus/pci/devices/{bus}"));
        let vk = match_vulkan(vulkan, &mut matched, pci_id.as_deref(), None);
        gpus.push(Gpu {
            vendor: GpuVendor::Nvidia,
            name: info.model,
            driver: nvidia_driver.clone(),
            vram_bytes: vk.and_then(device_local_bytes),
            discrete: Some(vk.is_none_or(|d| d.device_type == VulkanDeviceType::DiscreteGpu)),
            source: GpuSource::NvidiaProc,
            pci_id,
        });
    }
    let have_nvidia_proc = !gpus.is_empty();

    // 2. DRM cards.
    let mut cards: Vec<(u32, String)> = probe
        .list_dir("/sys/class/drm")
        .into_iter()
        .filter_map(|name| {
            let n = name.strip_prefix("card")?.parse::<u32>().ok()?;
            Some((n, name))
        })
        .collect();
    cards.sort();
    for (_, card) in cards {
        let dev = format!("/sys/class/drm/{card}/device");
        let driver = probe.read_link_name(&format!("{dev}/driver"));
        if driver.as_deref().is_some_and(|d| NOT_GPUS.contains(&d)) {
            continue;
        }
        let pci_id = pci_id_at(probe, &dev);
        let vendor = match (&pci_id, driver.as_deref()) {
            (Some(id), _) => parse::vendor_of(
                id.get(..4)
                    .and_then(|v| u32::from_str_radix(v, 16).ok())
                    .unwrap_or(0),
            ),
            (None, Some(d)) => match SOC_GPUS.iter().find(|(name, _)| *name == d) {
                Some((_, vendor)) => *vendor,
                None => continue,
            },
            (None, None) => continue,
        };
        if vendor == GpuVendor::Nvidia && have_nvidia_proc && pci_id.is_some() {
            continue; // already listed from the NVIDIA driver
        }
        let soc = pci_id.is_none();
        let vk = match_vulkan(
            vulkan,
            &mut matched,
            pci_id.as_deref(),
            soc.then_some(vendor),
        );
        let vram = probe
            .read_file(&format!("{dev}/mem_info_vram_total"))
            .and_then(|t| parse::sysfs_u64(&t));
        let discrete = match vk {
            Some(d) => Some(d.device_type == VulkanDeviceType::DiscreteGpu),
            None if soc => Some(false),
            None => None,
        };
        let name = match (vk, &pci_id) {
            (Some(d), _) => d.name.clone(),
            (None, Some(id)) => format!("{} GPU {id}", vendor_label(vendor)),
            (None, None) => format!(
                "{} GPU ({})",
                vendor_label(vendor),
                driver.as_deref().unwrap_or("unknown driver")
            ),
        };
        gpus.push(Gpu {
            vendor,
            name,
            driver,
            vram_bytes: if soc { None } else { vram },
            discrete,
            source: GpuSource::Drm,
            pci_id,
        });
    }

    // 3. Vulkan GPUs seen no other way (e.g. MoltenVK on macOS).
    for (device, seen) in vulkan.devices.iter().zip(&matched) {
        if *seen
            || device.device_type == VulkanDeviceType::Cpu
            || device.device_type == VulkanDeviceType::Other
        {
            continue;
        }
        let discrete = device.device_type == VulkanDeviceType::DiscreteGpu;
        gpus.push(Gpu {
            vendor: parse::vendor_of(device.vendor_id),
            name: device.name.clone(),
            driver: device.driver_name.clone(),
            vram_bytes: if discrete {
                device_local_bytes(device)
            } else {
                None
            },
            discrete: Some(discrete),
            source: GpuSource::Vulkan,
            pci_id: None,
        });
    }
    gpus
}

/// `vvvv:dddd` from a PCI device directory.
fn pci_id_at(probe: &dyn HostProbe, dir: &str) -> Option<String> {
    let vendor = probe
        .read_file(&format!("{dir}/vendor"))
        .and_then(|t| parse::pci_hex(&t))?;
    let device = probe
        .read_file(&format!("{dir}/device"))
        .and_then(|t| parse::pci_hex(&t))?;
    Some(format!("{vendor}:{device}"))
}

/// The first unmatched Vulkan GPU with this PCI id (or, for a SoC GPU without
/// one, the first unmatched integrated GPU of that vendor or of Mesa).
fn match_vulkan<'v>(
    vulkan: &'v Vulkan,
    matched: &mut [bool],
    pci_id: Option<&str>,
    soc_vendor: Option<GpuVendor>,
) -> Option<&'v VulkanDevice> {
    let index = vulkan.devices.iter().enumerate().position(|(i, d)| {
        if matched.get(i).copied().unwrap_or(true) || d.device_type == VulkanDeviceType::Cpu {
            return false;
        }
        match (pci_id, soc_vendor) {
            (Some(id), _) => format!("{:04x}:{:04x}", d.vendor_id, d.device_id) == id,
            (None, Some(vendor)) => {
                d.device_type == VulkanDeviceType::IntegratedGpu
                    && (parse::vendor_of(d.vendor_id) == vendor || d.vendor_id == MESA_VENDOR_ID)
            }
            (None, None) => false,
        }
    })?;
    if let Some(slot) = matched.get_mut(index) {
        *slot = true;
    }
    vulkan.devices.get(index)
}

/// Vulkan vendor id Mesa uses for drivers without a PCI vendor.
const MESA_VENDOR_ID: u32 = 0x10005;

/// The largest device-local heap: the VRAM of a discrete GPU.
fn device_local_bytes(device: &VulkanDevice) -> Option<u64> {
    device
        .heaps
        .iter()
        .filter(|h| h.device_local)
        .map(|h| h.size_bytes)
        .max()
}

fn vendor_label(vendor: GpuVendor) -> &'static str {
    match vendor {
        GpuVendor::Nvidia => "NVIDIA",
        GpuVendor::Amd => "AMD",
        GpuVendor::Intel => "Intel",
        GpuVendor::Apple => "Apple",
        GpuVendor::Other => "Unknown",
    }
}
