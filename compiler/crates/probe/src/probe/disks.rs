//! Disk facts: joins sysinfo's disk list with mountinfo, sysfs and LVM.
//!
//! Takes: the [`DiskReading`]s sysinfo listed and the probe's file readings
//! (`/proc/self/mountinfo`, `/sys/dev/block/*`, `/sys/class/block/*/{dm,slaves}`)
//! plus `lvs` when it is on PATH.
//! Produces: [`Disk`] facts sorted by mount point.
//! Never: guesses encryption — a device whose block stack cannot be walked is
//! `unknown` with `observed: false`; fscrypt (per-directory) is not detected.

use std::collections::BTreeMap;

use super::parse::{self, DmKind, MountInfo};
use super::{DiskReading, HostProbe};
use crate::facts::{Disk, Encryption, EncryptionMode, Lvm};

/// How deep the device-mapper stack is followed (LV on LUKS on RAID is 3).
const MAX_STACK_DEPTH: usize = 8;

/// dm name → (vg, lv, thin pool), from `lvs`.
type LvsMap = BTreeMap<String, (String, String, Option<String>)>;

/// Disks on Linux, with options, ownership, encryption and LVM.
pub(super) fn probe_disks(probe: &dyn HostProbe, readings: &[DiskReading]) -> Vec<Disk> {
    let mounts: BTreeMap<String, MountInfo> = probe
        .read_file("/proc/self/mountinfo")
        .map(|t| parse::mountinfo(&t))
        .unwrap_or_default()
        .into_iter()
        .map(|m| (m.mount_point.clone(), m)) // later (over-)mounts win
        .collect();
    let lvs: LvsMap = if probe.on_path("lvs") {
        probe
            .run(
                "lvs",
                &[
                    "--reportformat",
                    "json",
                    "--options",
                    "vg_name,lv_name,pool_lv,lv_dm_path",
                ],
            )
            .map(|t| parse::lvs_report(&t))
            .unwrap_or_default()
    } else {
        BTreeMap::new()
    };
    collect(probe, readings, |reading| {
        let mount = mounts.get(&reading.mount_point);
        let (encryption, lvm) = match block_dir(probe, mount, &reading.device) {
            Some(dir) => walk_stack(probe, &dir, &lvs),
            None => (Encryption::unobserved(), None),
        };
        Disk {
            mount_point: reading.mount_point.clone(),
            device: reading.device.clone(),
            filesystem: reading.filesystem.clone(),
            total_bytes: reading.total_bytes,
            free_bytes: reading.free_bytes,
            mount_options: mount.map(|m| m.options.clone()).unwrap_or_default(),
            read_only: reading.read_only || mount.is_some_and(|m| m.read_only),
            owner_uid: None,
            mode: None,
            world_writable: None,
            encryption,
            lvm,
        }
    })
}

/// Disks where only sysinfo and file metadata are available (macOS).
pub(super) fn plain_disks(probe: &dyn HostProbe, readings: &[DiskReading]) -> Vec<Disk> {
    collect(probe, readings, |reading| Disk {
        mount_point: reading.mount_point.clone(),
        device: reading.device.clone(),
        filesystem: reading.filesystem.clone(),
        total_bytes: reading.total_bytes,
        free_bytes: reading.free_bytes,
        mount_options: Vec::new(),
        read_only: reading.read_only,
        owner_uid: None,
        mode: None,
        world_writable: None,
        encryption: Encryption::unobserved(),
        lvm: None,
    })
}

/// Sort and deduplicate readings, drop file bind mounts, fill ownership.
fn collect(
    probe: &dyn HostProbe,
    readings: &[DiskReading],
    mut build: impl FnMut(&DiskReading) -> Disk,
) -> Vec<Disk> {
    let mut by_mount: BTreeMap<&str, &DiskReading> = BTreeMap::new();
    for r in readings {
        by_mount.insert(r.mount_point.as_str(), r);
    }
    let mut out = Vec::new();
    for reading in by_mount.values() {
        let meta = probe.path_meta(&reading.mount_point);
        if meta.is_some_and(|m| !m.is_dir) {
            continue; // a bind-mounted file (/etc/hosts in a container), not a volume
        }
        let mut disk = build(reading);
        if let Some(m) = meta {
            disk.owner_uid = Some(m.uid);
            disk.mode = Some(format!("{:04o}", m.mode & 0o7777));
            disk.world_writable = Some(m.mode & 0o002 != 0);
        }
        out.push(disk);
    }
    out
}

/// The sysfs directory of the block device under a mount, if it can be found.
fn block_dir(probe: &dyn HostProbe, mount: Option<&MountInfo>, device: &str) -> Option<String> {
    if let Some(m) = mount {
        let by_dev = format!("/sys/dev/block/{}", m.dev);
        if probe.exists(&by_dev) {
            return Some(by_dev);
        }
    }
    // btrfs and friends report an anonymous dev number; fall back to the source path.
    let source = mount
        .map(|m| m.source.as_str())
        .filter(|s| s.starts_with("/dev/"))
        .unwrap_or(device);
    let name = if source.starts_with("/dev/mapper/") {
        probe.read_link_name(source)?
    } else {
        source
            .strip_prefix("/dev/")?
            .rsplit('/')
            .next()?
            .to_string()
    };
    let dir = format!("/sys/class/block/{name}");
    probe.exists(&dir).then_some(dir)
}

/// Walk a device and its slaves: the first crypt layer found decides
/// encryption, the top LVM layer decides `lvm`.
fn walk_stack(probe: &dyn HostProbe, top: &str, lvs: &LvsMap) -> (Encryption, Option<Lvm>) {
    let mut encryption: Option<EncryptionMode> = None;
    let mut lvm: Option<Lvm> = None;
    let mut frontier = vec![top.to_string()];
    for _ in 0..MAX_STACK_DEPTH {
        let mut next = Vec::new();
        for dir in &frontier {
            if let Some(uuid) = probe.read_file(&format!("{dir}/dm/uuid")) {
                let kind = parse::dm_uuid(&uuid);
                if encryption.is_none() {
                    encryption = parse::dm_encryption(kind);
                }
                if kind == DmKind::Lvm && lvm.is_none() {
                    lvm = probe
                        .read_file(&format!("{dir}/dm/name"))
                        .and_then(|name| lvm_of(name.trim(), lvs));
                }
            }
            for slave in probe.list_dir(&format!("{dir}/slaves")) {
                next.push(format!("/sys/class/block/{slave}"));
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    let encryption = Encryption {
        mode: encryption.unwrap_or(EncryptionMode::None),
        observed: true,
    };
    (encryption, lvm)
}

fn lvm_of(dm_name: &str, lvs: &LvsMap) -> Option<Lvm> {
    if let Some((vg, lv, pool)) = lvs.get(dm_name) {
        return Some(Lvm {
            volume_group: vg.clone(),
            logical_volume: lv.clone(),
            thin_pool: pool.clone(),
        });
    }
    let (vg, lv) = parse::lvm_dm_name(dm_name)?;
    Some(Lvm {
        volume_group: vg,
        logical_volume: lv,
        thin_pool: None,
    })
}
