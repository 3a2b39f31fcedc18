use super::*;
use crate::facts::{CPU_FEATURES, GpuVendor};

#[test]
fn os_release_quotes_comments_and_escapes() {
    let r = os_release(
        "# comment\nNAME=\"Fedora Linux\"\nID=fedora\nVERSION_ID=42\nVARIANT_ID='silverblue'\nPRETTY_NAME=\"a \\\"b\\\"\"\nBAD LINE\nID_LIKE=\n",
    );
    assert_eq!(
        r,
        OsRelease {
            id: Some("fedora".into()),
            name: Some("Fedora Linux".into()),
            version_id: Some("42".into()),
            variant_id: Some("silverblue".into()),
        }
    );
    assert_eq!(os_release(""), OsRelease::default());
}

#[test]
fn cpuinfo_x86_flags_map_to_target_features() {
    let text = "processor\t: 0\nmodel name\t: AMD EPYC 9354 32-Core Processor\nflags\t\t: fpu sse4_2 avx avx2 fma f16c avx512f avx512bw avx512vl avx512_vnni avx512_bf16 amx_tile\n\nprocessor\t: 1\nmodel name\t: other\nflags\t\t: fpu\n";
    let info = cpuinfo(text);
    assert_eq!(
        info.model.as_deref(),
        Some("AMD EPYC 9354 32-Core Processor")
    );
    assert_eq!(
        info.features,
        [
            "amx-tile",
            "avx",
            "avx2",
            "avx512bf16",
            "avx512bw",
            "avx512f",
            "avx512vl",
            "avx512vnni",
            "f16c",
            "fma",
            "sse4.2"
        ]
    );
    for f in &info.features {
        assert!(
            CPU_FEATURES.contains(&f.as_str()),
            "{f} not in the schema vocabulary"
        );
    }
}

#[test]
fn cpuinfo_arm64_features() {
    let text = "processor\t: 0\nBogoMIPS\t: 48.00\nFeatures\t: fp asimd evtstrm aes asimdhp asimddp i8mm bf16 sb\nCPU implementer\t: 0x61\n";
    let info = cpuinfo(text);
    assert_eq!(info.model, None);
    assert_eq!(info.features, ["bf16", "dotprod", "fp16", "i8mm", "neon"]);
}

#[test]
fn mountinfo_options_escapes_and_read_only() {
    let text = "\
22 1 253:1 / / rw,relatime shared:1 - xfs /dev/mapper/rhel-root rw,seclabel,attr2,inode64\n\
40 22 0:35 /root /home/me/My\\040Models ro,nosuid,nodev master:3 - btrfs /dev/nvme0n1p6 rw,compress=zstd:1,ssd\n\
garbage line\n";
    let m = mountinfo(text);
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].dev, "253:1");
    assert_eq!(m[0].mount_point, "/");
    assert_eq!(m[0].fs_type, "xfs");
    assert_eq!(m[0].source, "/dev/mapper/rhel-root");
    assert_eq!(
        m[0].options,
        ["rw", "relatime", "seclabel", "attr2", "inode64"]
    );
    assert!(!m[0].read_only);
    assert_eq!(m[1].mount_point, "/home/me/My Models");
    assert!(m[1].read_only);
    // superblock `rw` does not override a read-only bind; both are kept in order
    assert_eq!(
        m[1].options,
        ["ro", "nosuid", "nodev", "rw", "compress=zstd:1", "ssd"]
    );
}

#[test]
fn drm_and_pci_readings() {
    assert_eq!(pci_hex("0x10de\n").as_deref(), Some("10de"));
    assert_eq!(pci_hex("0x26B9").as_deref(), Some("26b9"));
    assert_eq!(pci_hex("nonsense"), None);
    assert_eq!(pci_hex("0x123456"), None);
    assert_eq!(sysfs_u64("25753026560\n"), Some(25_753_026_560));
    assert_eq!(vendor_of(0x1002), GpuVendor::Amd);
    assert_eq!(vendor_of(0x10005), GpuVendor::Other);
}

#[test]
fn nvidia_proc_files() {
    let info = "Model: \t\t NVIDIA L40S\nIRQ:   \t\t 180\nGPU UUID: \t GPU-deadbeef\nBus Location: \t 0000:C1:00.0\n";
    assert_eq!(
        nvidia_information(info),
        Some(NvidiaGpu {
            model: "NVIDIA L40S".into(),
            bus: Some("0000:c1:00.0".into())
        })
    );
    assert_eq!(nvidia_information("IRQ: 1\n"), None);
    let version = "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.95.05  Release Build  (dvs-builder@U16)\nGCC version:  gcc 12\n";
    assert_eq!(nvidia_driver_version(version).as_deref(), Some("580.95.05"));
}

#[test]
fn device_mapper_names_and_lvs_reports() {
    assert_eq!(dm_uuid("CRYPT-LUKS2-0123abcd-luks-0123\n"), DmKind::Luks);
    assert_eq!(dm_uuid("CRYPT-PLAIN-swap"), DmKind::DmCrypt);
    assert_eq!(dm_uuid("LVM-abcdef"), DmKind::Lvm);
    assert_eq!(dm_uuid("mpath-3600"), DmKind::Other);
    assert_eq!(
        lvm_dm_name("agent--vg-models"),
        Some(("agent-vg".into(), "models".into()))
    );
    assert_eq!(
        lvm_dm_name("rhel-root"),
        Some(("rhel".into(), "root".into()))
    );
    assert_eq!(
        lvm_dm_name("vg-my--lv"),
        Some(("vg".into(), "my-lv".into()))
    );
    assert_eq!(lvm_dm_name("nodash"), None);
    let report = r#"{"report":[{"lv":[
        {"vg_name":"agent-vg","lv_name":"models","pool_lv":"agent-pool","lv_dm_path":"/dev/mapper/agent--vg-models"},
        {"vg_name":"agent-vg","lv_name":"agent-pool","pool_lv":"","lv_dm_path":""}]}]}"#;
    let map = lvs_report(report);
    assert_eq!(
        map.get("agent--vg-models"),
        Some(&(
            "agent-vg".to_string(),
            "models".to_string(),
            Some("agent-pool".to_string())
        ))
    );
    assert_eq!(
        map.get("agent--vg-agent--pool").map(|e| e.2.clone()),
        Some(None)
    );
    assert!(lvs_report("not json").is_empty());
}

#[test]
fn version_outputs() {
    assert_eq!(
        podman_version("podman version 5.4.2\n").as_deref(),
        Some("5.4.2")
    );
    assert_eq!(podman_version("Docker version 27.3.1, build x"), None);
    assert_eq!(
        docker_version("Docker version 27.3.1, build ce12230\n").as_deref(),
        Some("27.3.1")
    );
    assert_eq!(
        docker_version("podman version 5.4.2"),
        None,
        "podman-docker shim is not docker"
    );
    assert!(podman_has_quadlet("5.0.0"));
    assert!(podman_has_quadlet("6.1"));
    assert!(!podman_has_quadlet("4.9.4"));
    assert!(!podman_has_quadlet("dev"));
    assert_eq!(
        systemd_version("systemd 257 (257.9-1)\n+PAM").as_deref(),
        Some("257")
    );
    assert_eq!(systemd_version("upstart"), None);
    assert_eq!(vk_version((1 << 22) | (3 << 12) | 280), "1.3.280");
    assert_eq!(
        dt_compatible("apple,j414c\0apple,t6021\0apple,arm-platform\0"),
        ["apple,j414c", "apple,t6021", "apple,arm-platform"]
    );
}
