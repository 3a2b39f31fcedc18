use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::facts::*;

const GIB: u64 = 1024 * 1024 * 1024;

// ---------------------------------------------------------------- fake probe

/// Replays fixed readings through [`HostProbe`].
#[derive(Default)]
struct FakeProbe {
    os: Option<Os>,
    arch: String,
    system: SystemReadings,
    files: BTreeMap<String, String>,
    links: BTreeMap<String, String>,
    dirs: BTreeMap<String, Vec<String>>,
    present: BTreeSet<String>,
    metas: BTreeMap<String, PathMeta>,
    commands: BTreeMap<String, String>,
    runtime_dir: Option<String>,
    vulkan: Option<Vulkan>,
}

impl FakeProbe {
    fn linux(arch: &str) -> Self {
        let mut p = FakeProbe {
            os: Some(Os::Linux),
            arch: arch.into(),
            ..FakeProbe::default()
        };
        p.system = SystemReadings {
            hostname: Some("box".into()),
            kernel: Some("6.12.0-test".into()),
            cpu_brand: None,
            physical_cores: Some(8),
            threads: 16,
            total_memory: 64 * GIB,
            available_memory: Some(60 * GIB),
            detected_cpu_features: vec![],
            disks: vec![],
        };
        p.file("/proc/filesystems", "nodev\tsysfs\n\text4\n");
        p.present("/sys/fs/cgroup");
        p.present("/sys/fs/cgroup/cgroup.controllers");
        p.present("/run/systemd/system");
        p.cmd(
            "systemctl --version",
            "systemd 257 (257.9-1)\n+PAM +AUDIT\n",
        );
        p.cmd("podman --version", "podman version 5.4.2\n");
        p
    }
    fn file(&mut self, path: &str, text: &str) -> &mut Self {
        self.files.insert(path.into(), text.into());
        self
    }
    fn dir(&mut self, path: &str, entries: &[&str]) -> &mut Self {
        self.dirs
            .insert(path.into(), entries.iter().map(|e| e.to_string()).collect());
        self
    }
    fn link(&mut self, path: &str, target_name: &str) -> &mut Self {
        self.links.insert(path.into(), target_name.into());
        self
    }
    fn present(&mut self, path: &str) -> &mut Self {
        self.present.insert(path.into());
        self
    }
    fn cmd(&mut self, line: &str, out: &str) -> &mut Self {
        self.commands.insert(line.into(), out.into());
        self
    }
    fn facts(&self) -> HostFacts {
        let facts = assemble(self).unwrap();
        let value = serde_json::to_value(&facts).unwrap();
        assert_eq!(
            validate_value(&value),
            Ok(()),
            "assembled facts must validate"
        );
        facts
    }
}

impl HostProbe for FakeProbe {
    fn os(&self) -> Os {
        self.os.unwrap_or(Os::Linux)
    }
    fn arch(&self) -> String {
        self.arch.clone()
    }
    fn system(&self) -> SystemReadings {
        self.system.clone()
    }
    fn read_file(&self, path: &str) -> Option<String> {
        self.files.get(path).cloned()
    }
    fn read_link_name(&self, path: &str) -> Option<String> {
        self.links.get(path).cloned()
    }
    fn list_dir(&self, path: &str) -> Vec<String> {
        self.dirs.get(path).cloned().unwrap_or_default()
    }
    fn exists(&self, path: &str) -> bool {
        self.files.contains_key(path) || self.dirs.contains_key(path) || self.present.contains(path)
    }
    fn path_meta(&self, path: &str) -> Option<PathMeta> {
        self.metas.get(path).copied()
    }
    fn run(&self, program: &str, args: &[&str]) -> Option<String> {
        let mut line = program.to_string();
        for a in args {
            line.push(' ');
            line.push_str(a);
        }
        self.commands.get(&line).cloned()
    }
    fn on_path(&self, program: &str) -> bool {
        self.commands
            .keys()
            .any(|k| k.split(' ').next() == Some(program))
    }
    fn user_runtime_dir(&self) -> Option<String> {
        self.runtime_dir.clone()
    }
    fn vulkan(&self) -> Vulkan {
        self.vulkan
            .clone()
            .unwrap_or_else(|| Vulkan::unavailable("no Vulkan loader: fake"))
    }
}

fn vk_device(name: &str, t: VulkanDeviceType, vendor: u32, device: u32, heap: u64) -> VulkanDevice {
    VulkanDevice {
        name: name.into(),
        device_type: t,
        driver_name: Some("driver".into()),
        driver_info: None,
        api_version: "1.3.280".into(),
        vendor_id: vendor,
        device_id: device,
        heaps: vec![
            VulkanHeap {
                size_bytes: heap,
                device_local: true,
            },
            VulkanHeap {
                size_bytes: 16 * GIB,
                device_local: false,
            },
        ],
    }
}

fn vk_available(devices: Vec<VulkanDevice>) -> Vulkan {
    Vulkan {
        status: VulkanStatus::Available,
        reason: None,
        instance_version: Some("1.4.309".into()),
        devices,
    }
}

fn disk(mp: &str, dev: &str, fs: &str) -> DiskReading {
    DiskReading {
        mount_point: mp.into(),
        device: dev.into(),
        filesystem: fs.into(),
        total_bytes: 100 * GIB,
        free_bytes: 40 * GIB,
        read_only: false,
    }
}

// ---------------------------------------------------------------- assembly

#[test]
fn plain_workstation_assembles() {
    let mut p = FakeProbe::linux("x86_64");
    p.file(
        "/etc/os-release",
        "ID=debian\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"13\"\n",
    );
    p.file(
        "/proc/cpuinfo",
        "model name\t: Intel(R) Core(TM) i7\nflags\t: avx avx2 fma\n",
    );
    p.file("/sys/fs/selinux/enforce", "0\n");
    p.cmd("docker --version", "podman version 5.4.2\n");
    let f = p.facts();
    assert_eq!(f.host.arch, Arch::X86_64);
    assert_eq!(f.host.immutable, Some(false));
    assert_eq!(
        f.host.distro.as_ref().map(|d| d.id.as_str()),
        Some("debian")
    );
    assert_eq!(f.cpu.model.as_deref(), Some("Intel(R) Core(TM) i7"));
    assert_eq!((f.cpu.cores, f.cpu.threads), (8, 16));
    assert_eq!(f.cpu.features, ["avx", "avx2", "fma"]);
    assert!(!f.memory.unified);
    assert_eq!(f.accelerators, [Accelerator::Cpu]);
    assert_eq!(
        f.container_runtime.podman,
        Some(Podman {
            version: "5.4.2".into(),
            quadlet: true
        })
    );
    assert_eq!(f.container_runtime.docker, None);
    assert_eq!(
        f.systemd,
        Systemd {
            system: true,
            user: false,
            version: Some("257".into())
        }
    );
    assert_eq!(f.cgroup_version, CgroupVersion::V2);
    assert_eq!(f.selinux, SelinuxMode::Permissive);
    assert_eq!(f.vulkan.status, VulkanStatus::Unavailable);
    assert_eq!(f.profile, Profile::SourceosWorkstation);
    assert_eq!(f.provenance.source, FactsSource::Probed);
}

#[test]
fn systemd_user_session_from_runtime_dir_or_systemctl() {
    let mut p = FakeProbe::linux("x86_64");
    p.runtime_dir = Some("/run/user/1000".into());
    p.present("/run/user/1000/systemd/private");
    assert!(p.facts().systemd.user);
    let mut p = FakeProbe::linux("x86_64");
    p.cmd("systemctl --user is-system-running", "degraded\n");
    assert!(p.facts().systemd.user);
    let mut p = FakeProbe::linux("x86_64");
    p.present.remove("/run/systemd/system");
    p.runtime_dir = Some("/run/user/1000".into());
    p.present("/run/user/1000/systemd/private");
    assert!(!p.facts().systemd.system);
    assert!(
        !p.facts().systemd.user,
        "no user manager without systemd as init"
    );
}

#[test]
fn unsupported_arch_is_an_error_not_a_guess() {
    let p = FakeProbe::linux("riscv64");
    assert_eq!(
        assemble(&p),
        Err(ProbeError::UnsupportedArch("riscv64".into()))
    );
    assert_eq!(normalise_arch("arm64"), Ok(Arch::Aarch64));
}

#[test]
fn asahi_laptop_is_m2_profile_with_unified_memory_and_no_metal() {
    let mut p = FakeProbe::linux("aarch64");
    p.system.total_memory = 32 * GIB;
    p.file(
        "/etc/os-release",
        "ID=fedora\nNAME=\"Fedora Linux Asahi Remix\"\nVERSION_ID=42\n",
    );
    p.file(
        "/proc/device-tree/compatible",
        "apple,j414c\0apple,t6021\0apple,arm-platform\0",
    );
    p.file(
        "/proc/cpuinfo",
        "Features\t: fp asimd asimddp i8mm bf16 asimdhp\n",
    );
    p.file("/sys/fs/selinux/enforce", "1\n");
    p.dir(
        "/sys/class/drm",
        &["card0", "card0-eDP-1", "renderD128", "card1"],
    );
    p.link("/sys/class/drm/card0/device/driver", "asahi");
    p.link("/sys/class/drm/card1/device/driver", "simpledrm");
    p.vulkan = Some(vk_available(vec![
        VulkanDevice {
            heaps: vec![VulkanHeap {
                size_bytes: 32 * GIB,
                device_local: true,
            }],
            ..vk_device(
                "Apple M2 Max (G14C B1)",
                VulkanDeviceType::IntegratedGpu,
                0x10005,
                0,
                0,
            )
        },
        vk_device(
            "llvmpipe (LLVM 19.1.7, 128 bits)",
            VulkanDeviceType::Cpu,
            0x10005,
            0,
            0,
        ),
    ]));
    let f = p.facts();
    assert_eq!(f.profile, Profile::M2AsahiLinux);
    assert!(f.memory.unified);
    assert_eq!(f.accelerators, [Accelerator::Cpu, Accelerator::Vulkan]);
    assert_eq!(f.selinux, SelinuxMode::Enforcing);
    assert_eq!(f.gpus.len(), 1, "{:?}", f.gpus);
    let g = &f.gpus[0];
    assert_eq!(
        (g.vendor, g.name.as_str(), g.source),
        (GpuVendor::Apple, "Apple M2 Max (G14C B1)", GpuSource::Drm)
    );
    assert_eq!(
        (g.vram_bytes, g.discrete, g.pci_id.as_deref()),
        (None, Some(false), None)
    );
}

#[test]
fn gpu_node_with_nvidia_luks_and_thin_lvm() {
    let mut p = FakeProbe::linux("x86_64");
    p.file(
        "/etc/os-release",
        "ID=rhel\nNAME=\"Red Hat Enterprise Linux\"\nVERSION_ID=\"10.1\"\n",
    );
    p.file(
        "/proc/driver/nvidia/version",
        "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.95.05  Release Build\n",
    );
    p.dir(
        "/proc/driver/nvidia/gpus",
        &["0000:41:00.0", "0000:c1:00.0"],
    );
    for bus in ["0000:41:00.0", "0000:c1:00.0"] {
        p.file(
            &format!("/proc/driver/nvidia/gpus/{bus}/information"),
            &format!(
                "Model: \t NVIDIA L40S\nBus Location: \t {}\n",
                bus.to_uppercase()
            ),
        );
        p.file(&format!("/sys/bus/pci/devices/{bus}/vendor"), "0x10de\n");
        p.file(&format!("/sys/bus/pci/devices/{bus}/device"), "0x26b9\n");
    }
    // nvidia-drm also registers DRM cards; they must not be listed twice.
    p.dir("/sys/class/drm", &["card0", "card1"]);
    for card in ["card0", "card1"] {
        p.file(&format!("/sys/class/drm/{card}/device/vendor"), "0x10de\n");
        p.file(&format!("/sys/class/drm/{card}/device/device"), "0x26b9\n");
        p.link(&format!("/sys/class/drm/{card}/device/driver"), "nvidia");
    }
    p.vulkan = Some(vk_available(vec![
        vk_device(
            "NVIDIA L40S",
            VulkanDeviceType::DiscreteGpu,
            0x10de,
            0x26b9,
            48 * GIB,
        ),
        vk_device(
            "NVIDIA L40S",
            VulkanDeviceType::DiscreteGpu,
            0x10de,
            0x26b9,
            48 * GIB,
        ),
    ]));
    // Disk: /models on agent--vg-models (LVM, dm-3) on LUKS (dm-1) on nvme1n1.
    p.system.disks = vec![
        disk(
            "/var/lib/agent-machine/models",
            "/dev/mapper/agent--vg-models",
            "xfs",
        ),
        disk("/boot", "/dev/nvme0n1p1", "ext4"),
    ];
    p.file(
        "/proc/self/mountinfo",
        "30 1 253:3 / /var/lib/agent-machine/models rw,nosuid,nodev,relatime shared:5 - xfs /dev/mapper/agent--vg-models rw,seclabel\n\
         31 1 259:1 / /boot rw,relatime shared:6 - ext4 /dev/nvme0n1p1 rw\n",
    );
    p.present("/sys/dev/block/253:3");
    p.file("/sys/dev/block/253:3/dm/uuid", "LVM-abc\n");
    p.file("/sys/dev/block/253:3/dm/name", "agent--vg-models\n");
    p.dir("/sys/dev/block/253:3/slaves", &["dm-1"]);
    p.file(
        "/sys/class/block/dm-1/dm/uuid",
        "CRYPT-LUKS2-0123-luks-agent\n",
    );
    p.dir("/sys/class/block/dm-1/slaves", &["nvme1n1"]);
    p.present("/sys/dev/block/259:1");
    p.metas.insert(
        "/var/lib/agent-machine/models".into(),
        PathMeta {
            uid: 0,
            mode: 0o750,
            is_dir: true,
        },
    );
    p.metas.insert(
        "/boot".into(),
        PathMeta {
            uid: 0,
            mode: 0o1777,
            is_dir: true,
        },
    );
    p.cmd(
        "lvs --reportformat json --options vg_name,lv_name,pool_lv,lv_dm_path",
        r#"{"report":[{"lv":[{"vg_name":"agent-vg","lv_name":"models","pool_lv":"agent-pool","lv_dm_path":"/dev/mapper/agent--vg-models"}]}]}"#,
    );
    let f = p.facts();
    assert_eq!(f.profile, Profile::LinuxGpuNode);
    assert_eq!(
        f.accelerators,
        [Accelerator::Cpu, Accelerator::Cuda, Accelerator::Vulkan]
    );
    assert_eq!(f.gpus.len(), 2, "{:?}", f.gpus);
    for g in &f.gpus {
        assert_eq!(g.source, GpuSource::NvidiaProc);
        assert_eq!(g.driver.as_deref(), Some("nvidia 580.95.05"));
        assert_eq!(g.vram_bytes, Some(48 * GIB));
        assert_eq!(g.pci_id.as_deref(), Some("10de:26b9"));
        assert_eq!(g.discrete, Some(true));
    }
    assert_eq!(f.disks.len(), 2);
    let boot = &f.disks[0];
    assert_eq!(boot.mount_point, "/boot");
    assert_eq!(
        boot.encryption,
        Encryption {
            mode: EncryptionMode::None,
            observed: true
        }
    );
    assert_eq!(
        (boot.mode.as_deref(), boot.world_writable),
        (Some("1777"), Some(true))
    );
    let models = &f.disks[1];
    assert_eq!(
        models.encryption,
        Encryption {
            mode: EncryptionMode::Luks,
            observed: true
        }
    );
    assert_eq!(
        models.lvm,
        Some(Lvm {
            volume_group: "agent-vg".into(),
            logical_volume: "models".into(),
            thin_pool: Some("agent-pool".into())
        })
    );
    assert_eq!(
        models.mount_options,
        ["rw", "nosuid", "nodev", "relatime", "seclabel"]
    );
    assert_eq!(
        (
            models.owner_uid,
            models.mode.as_deref(),
            models.world_writable
        ),
        (Some(0), Some("0750"), Some(false))
    );

    let am = to_agent_machine(&f, "GPU Node 01");
    assert_eq!(am["id"], "urn:srcos:agent-machine:gpu-node-01");
    assert_eq!(am["storage"]["encryptedAtRest"], true);
    assert_agent_machine_valid(&am);
}

#[test]
fn unobservable_disks_are_unknown_and_file_binds_are_dropped() {
    let mut p = FakeProbe::linux("x86_64");
    p.system.disks = vec![
        disk("/", "overlay", "overlay"),
        disk("/etc/hosts", "/dev/vda1", "ext4"),
    ];
    p.metas.insert(
        "/etc/hosts".into(),
        PathMeta {
            uid: 0,
            mode: 0o644,
            is_dir: false,
        },
    );
    let f = p.facts();
    assert_eq!(f.disks.len(), 1);
    assert_eq!(f.disks[0].encryption, Encryption::unobserved());
    assert_eq!(f.disks[0].lvm, None);
    assert_eq!(
        (f.disks[0].owner_uid, f.disks[0].mode.clone()),
        (None, None)
    );
    assert_eq!(
        to_agent_machine(&f, "x")["storage"].get("encryptedAtRest"),
        None
    );
}

#[test]
fn lavapipe_alone_is_not_the_vulkan_accelerator() {
    let mut p = FakeProbe::linux("x86_64");
    p.vulkan = Some(vk_available(vec![vk_device(
        "llvmpipe (LLVM 19.1.7, 256 bits)",
        VulkanDeviceType::Cpu,
        0x10005,
        0,
        8 * GIB,
    )]));
    let f = p.facts();
    assert_eq!(f.accelerators, [Accelerator::Cpu]);
    assert!(f.gpus.is_empty());
    let v = doctor(&f)
        .into_iter()
        .find(|i| i.check == "vulkan")
        .unwrap();
    assert_eq!(v.status, DoctorStatus::Missing);
    assert!(v.detail.contains("llvmpipe"), "{}", v.detail);
}

#[test]
fn amd_gpu_with_kfd_is_rocm_and_vram_comes_from_sysfs() {
    let mut p = FakeProbe::linux("x86_64");
    p.dir("/sys/class/drm", &["card1"]);
    p.file("/sys/class/drm/card1/device/vendor", "0x1002\n");
    p.file("/sys/class/drm/card1/device/device", "0x744c\n");
    p.file(
        "/sys/class/drm/card1/device/mem_info_vram_total",
        "25753026560\n",
    );
    p.link("/sys/class/drm/card1/device/driver", "amdgpu");
    p.present("/dev/kfd");
    let f = p.facts();
    assert_eq!(f.accelerators, [Accelerator::Cpu, Accelerator::Rocm]);
    let g = &f.gpus[0];
    assert_eq!(
        (g.vendor, g.name.as_str()),
        (GpuVendor::Amd, "AMD GPU 1002:744c")
    );
    assert_eq!((g.vram_bytes, g.discrete), (Some(25_753_026_560), None));
    assert_eq!(
        f.profile,
        Profile::SourceosWorkstation,
        "discreteness unobserved: no GPU-node claim"
    );
}

#[test]
fn macos_gets_metal_and_mlx_and_compat_profile() {
    let mut p = FakeProbe::linux("arm64");
    p.os = Some(Os::Macos);
    p.present.clear();
    p.files.clear();
    p.commands.clear();
    p.system.detected_cpu_features = vec!["dotprod".into(), "neon".into()];
    let f = p.facts();
    assert_eq!(f.profile, Profile::MacosAppleSiliconCompat);
    assert_eq!(
        f.accelerators,
        [Accelerator::Cpu, Accelerator::Metal, Accelerator::Mlx]
    );
    assert!(f.memory.unified);
    assert_eq!(f.cpu.features, ["dotprod", "neon"]);
    assert_eq!(
        (f.cgroup_version, f.selinux, f.host.immutable),
        (CgroupVersion::Unknown, SelinuxMode::Unknown, None)
    );
    assert_agent_machine_valid(&to_agent_machine(&f, "mac"));
}

// ---------------------------------------------------------------- profiles

fn profile_of(edit: impl FnOnce(&mut HostFacts), signals: ProfileSignals) -> Profile {
    let mut f = FakeProbe::linux("x86_64").facts();
    edit(&mut f);
    detect_profile(&f, &signals)
}

#[test]
fn profile_rules_in_order() {
    let none = ProfileSignals::default();
    assert_eq!(profile_of(|_| {}, none), Profile::SourceosWorkstation);
    assert_eq!(
        profile_of(
            |_| {},
            ProfileSignals {
                kubelet: true,
                ..none
            }
        ),
        Profile::KubernetesNode
    );
    assert_eq!(
        profile_of(
            |_| {},
            ProfileSignals {
                kubelet: true,
                apple_device_tree: true
            }
        ),
        Profile::M2AsahiLinux
    );
    let silverblue = |f: &mut HostFacts| {
        f.host.immutable = Some(true);
        f.host.distro = Some(Distro {
            id: "fedora".into(),
            name: "Fedora Linux".into(),
            version_id: Some("42".into()),
            variant_id: Some("silverblue".into()),
        });
    };
    assert_eq!(profile_of(silverblue, none), Profile::FedoraSilverblue);
    let coreos = |f: &mut HostFacts| {
        silverblue(f);
        if let Some(d) = f.host.distro.as_mut() {
            d.variant_id = Some("coreos".into());
        }
    };
    assert_eq!(profile_of(coreos, none), Profile::SourceosWorkstation);
    let mutable_silverblue = |f: &mut HostFacts| {
        silverblue(f);
        f.host.immutable = Some(false);
    };
    assert_eq!(
        profile_of(mutable_silverblue, none),
        Profile::SourceosWorkstation
    );
    assert_eq!(
        profile_of(|f| f.memory.total_bytes = 4 * GIB, none),
        Profile::LinuxEdgeNode
    );
    let small_arm = |f: &mut HostFacts| {
        f.host.arch = Arch::Aarch64;
        f.memory.total_bytes = 16 * GIB;
    };
    assert_eq!(profile_of(small_arm, none), Profile::LinuxEdgeNode);
    let big_arm = |f: &mut HostFacts| {
        f.host.arch = Arch::Aarch64;
        f.memory.total_bytes = 256 * GIB;
    };
    assert_eq!(profile_of(big_arm, none), Profile::SourceosWorkstation);
    let dgpu = |f: &mut HostFacts| {
        f.memory.total_bytes = 4 * GIB;
        f.vulkan = vk_available(vec![vk_device(
            "RTX",
            VulkanDeviceType::DiscreteGpu,
            0x10de,
            1,
            8 * GIB,
        )]);
    };
    assert_eq!(
        profile_of(dgpu, none),
        Profile::LinuxGpuNode,
        "a GPU wins over low memory"
    );
}

// ---------------------------------------------------------------- outputs

fn assert_agent_machine_valid(doc: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(AGENT_MACHINE_SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "AgentMachine invalid: {errors:#?}\n{doc:#}"
    );
}

fn example(name: &str) -> HostFacts {
    let path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("../examples")
        .join(match name {
            "m2-asahi.hand-written.json" => "m2-asahi/facts/m2-laptop.hand-written.json",
            "gpu-node.hand-written.json" => "k8s-gpu-topolvm/facts/gpu-node-1.hand-written.json",
            other => other,
        });
    HostFacts::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn agent_machine_documents_validate_upstream() {
    let m2 = example("m2-asahi.hand-written.json");
    let am = to_agent_machine(&m2, "m2-asahi-local");
    assert_agent_machine_valid(&am);
    assert_eq!(am["id"], "urn:srcos:agent-machine:m2-asahi-local");
    assert_eq!(am["profile"], "m2-asahi-linux");
    assert_eq!(am["host"]["arch"], "aarch64");
    assert_eq!(
        am["runtime"]["localEnvelopes"],
        serde_json::json!(["systemd", "podman-quadlet", "podman"])
    );
    let accels: Vec<(String, bool)> = am["accelerators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["type"].as_str().unwrap().to_string(),
                a["available"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        accels,
        [
            ("cpu".to_string(), true),
            ("vulkan".to_string(), true),
            ("metal".to_string(), false)
        ]
    );

    let gpu = example("gpu-node.hand-written.json");
    let am = to_agent_machine(&gpu, "gpu-node-01");
    assert_agent_machine_valid(&am);
    assert_eq!(am["accelerators"][1]["type"], "cuda");
    assert_eq!(am["accelerators"][1]["available"], true);
    assert_eq!(am["storage"]["encryptedAtRest"], true);
    // deterministic bytes
    assert_eq!(
        am.to_string(),
        to_agent_machine(&gpu, "gpu-node-01").to_string()
    );
}

#[test]
fn slugs_always_match_the_upstream_id_pattern() {
    assert_eq!(slugify("My.Host_01"), "my-host-01");
    assert_eq!(slugify("--x--"), "x");
    assert_eq!(slugify(""), "host");
    assert_eq!(slugify("ÄÖ"), "host");
}

#[test]
fn doctor_reports_missing_pieces_with_next_steps() {
    let mut p = FakeProbe::linux("x86_64");
    p.commands.remove("podman --version");
    p.present("/sys/fs/cgroup");
    p.present.remove("/sys/fs/cgroup/cgroup.controllers");
    let items = doctor(&p.facts());
    let checks: Vec<&str> = items.iter().map(|i| i.check).collect();
    assert_eq!(
        checks,
        [
            "podman",
            "quadlet",
            "systemd",
            "systemd-user",
            "cgroup-v2",
            "vulkan",
            "gpu"
        ]
    );
    for i in &items {
        match i.status {
            DoctorStatus::Ok => assert!(i.next_step.is_none(), "{i:?}"),
            DoctorStatus::Missing => assert!(
                i.next_step.as_deref().is_some_and(|s| !s.is_empty()),
                "{i:?}"
            ),
        }
    }
    let status = |c: &str| items.iter().find(|i| i.check == c).map(|i| i.status);
    assert_eq!(status("podman"), Some(DoctorStatus::Missing));
    assert_eq!(status("systemd"), Some(DoctorStatus::Ok));
    assert_eq!(status("cgroup-v2"), Some(DoctorStatus::Missing));
    let vulkan = items.iter().find(|i| i.check == "vulkan").unwrap();
    assert!(vulkan.detail.contains("no Vulkan loader"), "{vulkan:?}");

    let gpu = doctor(&example("gpu-node.hand-written.json"));
    assert!(gpu.iter().all(|i| i.status == DoctorStatus::Ok), "{gpu:#?}");
    assert!(gpu.iter().any(|i| i.check == "cuda"));
}

#[test]
fn human_summary_mentions_each_family() {
    let text = render_human(&example("gpu-node.hand-written.json"));
    for needle in [
        "host      gpu-node-1 (hand-written)",
        "profile   linux-gpu-node",
        "NVIDIA L40S, discrete, 48.0 GiB VRAM, driver nvidia 580.95.05",
        "vulkan    available (instance 1.4.313)",
        "accel     cpu, cuda, vulkan",
        "runtime   podman 5.6.0 (Quadlet)",
        "cgroup    v2, SELinux enforcing",
        "LUKS encrypted, lvm agent-vg/models thin:agent-pool",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}

// ---------------------------------------------------------------- the real host

#[test]
fn real_probe_validates_and_is_secret_free() {
    let facts = probe_host().unwrap();
    let text = facts.to_json();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(validate_value(&value), Ok(()), "{text}");
    assert_eq!(HostFacts::from_json(&text).unwrap(), facts);
    assert!(facts.accelerators.contains(&Accelerator::Cpu));
    if facts.host.os == Os::Linux {
        assert!(!facts.accelerators.contains(&Accelerator::Metal));
    }
    // No environment values leak (PATH and HOME are the likeliest).
    for var in ["HOME", "PATH", "USER"] {
        if let Ok(v) = std::env::var(var)
            && v.len() > 4
            && v != "/root"
        {
            assert!(!text.contains(&v), "facts contain ${var}");
        }
    }
    assert_agent_machine_valid(&to_agent_machine(&facts, &facts.host.hostname));
    assert!(!render_human(&facts).is_empty());
    assert!(!doctor(&facts).is_empty());
}

#[test]
fn missing_vulkan_loader_degrades_cleanly() {
    let v = probe_vulkan(&VulkanLoader::Path(
        "/nonexistent/libvulkan-missing.so.1".into(),
    ));
    assert_eq!(v.status, VulkanStatus::Unavailable);
    assert!(v.devices.is_empty());
    let reason = v.reason.unwrap();
    assert!(reason.starts_with("no Vulkan loader"), "{reason}");
    let skipped = probe_vulkan(&VulkanLoader::Skip);
    assert_eq!(skipped.status, VulkanStatus::Unavailable);
    let facts = probe_host_with(&ProbeConfig {
        vulkan: VulkanLoader::Skip,
        command_timeout_ms: 0,
    })
    .unwrap();
    assert!(!facts.accelerators.contains(&Accelerator::Vulkan));
}

/// With `AMC_EXPECT_VULKAN=1` (CI installs libvulkan1 + mesa-vulkan-drivers),
/// the system loader must find Mesa's lavapipe CPU device.
#[test]
fn system_vulkan_finds_lavapipe_when_expected() {
    let v = probe_vulkan(&VulkanLoader::System);
    if std::env::var("AMC_EXPECT_VULKAN").as_deref() != Ok("1") {
        // Whatever the host has, the answer is consistent.
        assert_eq!(
            v.status == VulkanStatus::Available,
            !v.devices.is_empty(),
            "{v:?}"
        );
        return;
    }
    assert_eq!(v.status, VulkanStatus::Available, "{v:?}");
    assert!(v.instance_version.is_some());
    let lavapipe = v
        .devices
        .iter()
        .find(|d| d.name.contains("llvmpipe"))
        .unwrap_or_else(|| panic!("no llvmpipe device in {v:#?}"));
    assert_eq!(lavapipe.device_type, VulkanDeviceType::Cpu);
    assert_eq!(lavapipe.driver_name.as_deref(), Some("llvmpipe"));
    assert!(!lavapipe.heaps.is_empty());
}

/// `AMC_WRITE_PROBED_FACTS=1 cargo test -p amc --lib probe::tests::write_probed_example`
/// rewrites `examples/workstation-llama/facts/ci-vm.probed.json` from this host.
#[test]
fn write_probed_example() {
    if std::env::var("AMC_WRITE_PROBED_FACTS").as_deref() != Ok("1") {
        return;
    }
    let facts = probe_host().unwrap();
    let path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("../examples/workstation-llama/facts/ci-vm.probed.json");
    std::fs::write(path, facts.to_json()).unwrap();
}
