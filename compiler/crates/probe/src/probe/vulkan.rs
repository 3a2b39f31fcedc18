//! Vulkan probing through the system loader (ash, loaded at run time).
//!
//! Takes: a [`VulkanLoader`] choice (system loader, a library path, or skip).
//! Produces: [`Vulkan`] facts — instance version and, per physical device,
//! name, type, driver name/info (Vulkan 1.2+), API version, ids and memory heaps.
//! Never: links against Vulkan (a host without a loader gets
//! `status: unavailable` and the reason), creates a logical device, or leaks the
//! instance it created.

use std::ffi::CStr;

use ash::vk;

use super::VulkanLoader;
use super::parse::vk_version;
use crate::facts::{Vulkan, VulkanDevice, VulkanDeviceType, VulkanHeap, VulkanStatus};

/// Probe Vulkan with the given loader.
pub fn probe_vulkan(loader: &VulkanLoader) -> Vulkan {
    let entry = match loader {
        VulkanLoader::Skip => return Vulkan::unavailable("Vulkan probing was disabled"),
        // SAFETY: loading the Vulkan loader runs its initialisers; it is the
        // platform's own library (or the one the caller named), and we call it
        // only through ash's function tables.
        VulkanLoader::System => unsafe { ash::Entry::load() },
        // SAFETY: as above, for a loader library the caller chose.
        VulkanLoader::Path(path) => unsafe { ash::Entry::load_from(path) },
    };
    let entry = match entry {
        Ok(e) => e,
        Err(e) => return Vulkan::unavailable(format!("no Vulkan loader: {e}")),
    };
    // SAFETY: `entry` holds a loaded loader; this global command needs no instance.
    let instance_version = match unsafe { entry.try_enumerate_instance_version() } {
        Ok(Some(v)) => v,
        Ok(None) => vk::API_VERSION_1_0,
        Err(e) => return Vulkan::unavailable(format!("vkEnumerateInstanceVersion failed: {e}")),
    };
    let devices = match enumerate(&entry, instance_version) {
        Ok(d) => d,
        Err(reason) => {
            let mut v = Vulkan::unavailable(reason);
            v.instance_version = Some(vk_version(instance_version));
            return v;
        }
    };
    let (status, reason) = if devices.is_empty() {
        (
            VulkanStatus::Unavailable,
            Some("the Vulkan loader found no physical devices (no ICD installed?)".to_string()),
        )
    } else {
        (VulkanStatus::Available, None)
    };
    Vulkan {
        status,
        reason,
        instance_version: Some(vk_version(instance_version)),
        devices,
    }
}

/// Create an instance, read every physical device, destroy the instance.
fn enumerate(entry: &ash::Entry, instance_version: u32) -> Result<Vec<VulkanDevice>, String> {
    let api = if instance_version >= vk::API_VERSION_1_2 {
        vk::API_VERSION_1_2
    } else {
        vk::API_VERSION_1_0
    };
    let app = vk::ApplicationInfo::default()
        .application_name(c"amc-probe")
        .engine_name(c"amc")
        .api_version(api);

    // MoltenVK and other portability drivers are hidden unless asked for.
    // SAFETY: global command on a loaded entry; no layer name is passed.
    let extensions =
        unsafe { entry.enumerate_instance_extension_properties(None) }.unwrap_or_default();
    let portability = extensions.iter().any(|e| {
        e.extension_name_as_c_str()
            .is_ok_and(|n| n == ash::khr::portability_enumeration::NAME)
    });
    let enabled: Vec<*const std::ffi::c_char> = if portability {
        vec![ash::khr::portability_enumeration::NAME.as_ptr()]
    } else {
        Vec::new()
    };
    let flags = if portability {
        vk::InstanceCreateFlags::ENUMERATE_PORTABILITY_KHR
    } else {
        vk::InstanceCreateFlags::empty()
    };
    let create = vk::InstanceCreateInfo::default()
        .application_info(&app)
        .enabled_extension_names(&enabled)
        .flags(flags);
    // SAFETY: `create` and everything it points to (app info, extension name
    // pointers to 'static C strings) outlive this call.
    let instance = unsafe { entry.create_instance(&create, None) }
        .map_err(|e| format!("vkCreateInstance failed: {e}"))?;

    let result = read_devices(&instance, api);
    // SAFETY: the instance was created above, owns no child objects (no
    // logical devices were created) and is not used after this call.
    unsafe { instance.destroy_instance(None) };
    result
}

fn read_devices(instance: &ash::Instance, api: u32) -> Result<Vec<VulkanDevice>, String> {
    // SAFETY: `instance` is a live instance.
    let physical = unsafe { instance.enumerate_physical_devices() }
        .map_err(|e| format!("vkEnumeratePhysicalDevices failed: {e}"))?;
    let mut out = Vec::with_capacity(physical.len());
    for pd in physical {
        // SAFETY: `pd` was just enumerated from this live instance.
        let props = unsafe { instance.get_physical_device_properties(pd) };
        let (driver_name, driver_info) =
            if api >= vk::API_VERSION_1_2 && props.api_version >= vk::API_VERSION_1_2 {
                let mut driver = vk::PhysicalDeviceDriverProperties::default();
                let mut props2 = vk::PhysicalDeviceProperties2::default().push_next(&mut driver);
                // SAFETY: both instance and device support Vulkan 1.2, where
                // vkGetPhysicalDeviceProperties2 and VkPhysicalDeviceDriverProperties are core;
                // `props2` chains only `driver`, which lives through the call.
                unsafe { instance.get_physical_device_properties2(pd, &mut props2) };
                (
                    c_text(driver.driver_name_as_c_str()),
                    c_text(driver.driver_info_as_c_str()),
                )
            } else {
                (None, None)
            };
        // SAFETY: `pd` was just enumerated from this live instance.
        let memory = unsafe { instance.get_physical_device_memory_properties(pd) };
        let heaps = memory
            .memory_heaps_as_slice()
            .iter()
            .map(|h| VulkanHeap {
                size_bytes: h.size,
                device_local: h.flags.contains(vk::MemoryHeapFlags::DEVICE_LOCAL),
            })
            .collect();
        out.push(VulkanDevice {
            name: c_text(props.device_name_as_c_str())
                .unwrap_or_else(|| "unnamed Vulkan device".to_string()),
            device_type: device_type(props.device_type),
            driver_name,
            driver_info,
            api_version: vk_version(props.api_version),
            vendor_id: props.vendor_id,
            device_id: props.device_id,
            heaps,
        });
    }
    Ok(out)
}

fn c_text<E>(s: Result<&CStr, E>) -> Option<String> {
    s.ok()
        .map(|c| c.to_string_lossy().trim().to_string())
        .filter(|t| !t.is_empty())
}

fn device_type(t: vk::PhysicalDeviceType) -> VulkanDeviceType {
    match t {
        vk::PhysicalDeviceType::INTEGRATED_GPU => VulkanDeviceType::IntegratedGpu,
        vk::PhysicalDeviceType::DISCRETE_GPU => VulkanDeviceType::DiscreteGpu,
        vk::PhysicalDeviceType::VIRTUAL_GPU => VulkanDeviceType::VirtualGpu,
        vk::PhysicalDeviceType::CPU => VulkanDeviceType::Cpu,
        _ => VulkanDeviceType::Other,
    }
}
