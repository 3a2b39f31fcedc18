use super::*;

/// Every facts file shipped with the examples (`examples/*/facts/*.json`).
fn example_facts_files() -> Vec<std::path::PathBuf> {
    let root =
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("../examples");
    let mut out = Vec::new();
    for ex in std::fs::read_dir(root).unwrap() {
        let dir = ex.unwrap().path().join("facts");
        if let Ok(rd) = std::fs::read_dir(dir) {
            out.extend(rd.map(|e| e.unwrap().path()));
        }
    }
    out.sort();
    out
}

/// A small, fully populated facts value used by several tests.
pub(crate) fn sample() -> HostFacts {
    HostFacts {
        schema_version: SCHEMA_VERSION.to_string(),
        kind: FactsKind::HostFacts,
        provenance: Provenance {
            source: FactsSource::Probed,
            note: None,
            probe_version: Some("0.1.0".into()),
        },
        host: Host {
            hostname: "box".into(),
            os: Os::Linux,
            distro: Some(Distro {
                id: "debian".into(),
                name: "Debian GNU/Linux".into(),
                version_id: Some("13".into()),
                variant_id: None,
            }),
            kernel: "6.12.0".into(),
            arch: Arch::X86_64,
            immutable: Some(false),
        },
        cpu: Cpu {
            model: None,
            cores: 2,
            threads: 2,
            features: vec!["avx".into(), "avx2".into()],
        },
        memory: Memory {
            total_bytes: 1 << 34,
            available_bytes: None,
            unified: false,
        },
        disks: vec![Disk {
            mount_point: "/".into(),
            device: "/dev/sda1".into(),
            filesystem: "ext4".into(),
            total_bytes: 100,
            free_bytes: 50,
            mount_options: vec!["rw".into(), "relatime".into()],
            read_only: false,
            owner_uid: Some(0),
            mode: Some("0755".into()),
            world_writable: Some(false),
            encryption: Encryption::unobserved(),
            lvm: Some(Lvm {
                volume_group: "vg".into(),
                logical_volume: "root".into(),
                thin_pool: None,
            }),
        }],
        gpus: vec![Gpu {
            vendor: GpuVendor::Intel,
            name: "Intel GPU 8086:46a6".into(),
            driver: Some("i915".into()),
            vram_bytes: None,
            discrete: Some(false),
            source: GpuSource::Drm,
            pci_id: Some("8086:46a6".into()),
        }],
        vulkan: Vulkan::unavailable("no Vulkan loader"),
        accelerators: vec![Accelerator::Cpu],
        container_runtime: ContainerRuntime {
            podman: Some(Podman {
                version: "5.4.2".into(),
                quadlet: true,
            }),
            docker: None,
        },
        systemd: Systemd {
            system: true,
            user: false,
            version: Some("257".into()),
        },
        cgroup_version: CgroupVersion::V2,
        selinux: SelinuxMode::Disabled,
        profile: Profile::SourceosWorkstation,
    }
}

#[test]
fn embedded_schema_is_json_with_the_right_id() {
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    assert_eq!(schema["$id"], SCHEMA_ID);
    assert_eq!(
        schema["properties"]["schemaVersion"]["const"],
        SCHEMA_VERSION
    );
    jsonschema::validator_for(&schema).unwrap();
}

#[test]
fn serialised_facts_validate_and_round_trip() {
    let facts = sample();
    let text = facts.to_json();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(validate_value(&value), Ok(()));
    assert_eq!(HostFacts::from_json(&text).unwrap(), facts);
}

#[test]
fn vulkan_available_shape_validates() {
    let mut facts = sample();
    facts.vulkan = Vulkan {
        status: VulkanStatus::Available,
        reason: None,
        instance_version: Some("1.4.309".into()),
        devices: vec![VulkanDevice {
            name: "llvmpipe (LLVM 19.1.7, 256 bits)".into(),
            device_type: VulkanDeviceType::Cpu,
            driver_name: Some("llvmpipe".into()),
            driver_info: Some("Mesa 25.0.7".into()),
            api_version: "1.4.305".into(),
            vendor_id: 0x10005,
            device_id: 0,
            heaps: vec![VulkanHeap {
                size_bytes: 1 << 33,
                device_local: true,
            }],
        }],
    };
    facts.accelerators = vec![Accelerator::Cpu, Accelerator::Vulkan];
    let value = serde_json::to_value(&facts).unwrap();
    assert_eq!(validate_value(&value), Ok(()));
}

#[test]
fn field_order_is_output_order() {
    let text = sample().to_json();
    let keys = [
        "\"schemaVersion\"",
        "\"kind\"",
        "\"provenance\"",
        "\"host\"",
        "\"cpu\"",
        "\"memory\"",
        "\"disks\"",
        "\"gpus\"",
        "\"vulkan\"",
        "\"accelerators\"",
        "\"containerRuntime\"",
        "\"systemd\"",
        "\"cgroupVersion\"",
        "\"selinux\"",
        "\"profile\"",
    ];
    let positions: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap()).collect();
    let mut sorted = positions.clone();
    sorted.sort();
    assert_eq!(positions, sorted);
    // Every top-level schema property is a struct field and vice versa.
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let required: Vec<String> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| format!("\"{}\"", v.as_str().unwrap()))
        .collect();
    assert_eq!(
        required,
        keys.iter().map(|k| k.to_string()).collect::<Vec<_>>()
    );
}

#[test]
fn cpu_feature_vocabulary_matches_schema_and_is_sorted() {
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let in_schema: Vec<&str> =
        schema["properties"]["cpu"]["properties"]["features"]["items"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
    assert_eq!(in_schema, CPU_FEATURES);
    let mut sorted = CPU_FEATURES.to_vec();
    sorted.sort();
    assert_eq!(sorted, CPU_FEATURES);
}

#[test]
fn unknown_field_is_a_schema_error_with_its_path() {
    let mut value = serde_json::to_value(sample()).unwrap();
    value["memory"]["swapBytes"] = serde_json::json!(0);
    let Err(FactsError::Schema(errs)) = HostFacts::from_json(&value.to_string()) else {
        panic!("expected a schema error");
    };
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].0, "/memory");
    assert!(errs[0].1.contains("swapBytes"), "{}", errs[0].1);
}

#[test]
fn cpu_is_required_in_accelerators() {
    let mut value = serde_json::to_value(sample()).unwrap();
    value["accelerators"] = serde_json::json!(["cuda"]);
    let errs = validate_value(&value).unwrap_err();
    assert_eq!(errs[0].0, "/accelerators");
}

#[test]
fn metal_is_rejected_on_linux_but_allowed_on_macos() {
    let mut value = serde_json::to_value(sample()).unwrap();
    value["accelerators"] = serde_json::json!(["cpu", "metal"]);
    let errs = validate_value(&value).unwrap_err();
    assert_eq!(errs[0].0, "/accelerators", "{errs:?}");
    value["host"]["os"] = serde_json::json!("macos");
    assert_eq!(validate_value(&value), Ok(()));
}

#[test]
fn bad_mode_and_pci_id_are_rejected() {
    let mut value = serde_json::to_value(sample()).unwrap();
    value["disks"][0]["mode"] = serde_json::json!("755");
    value["gpus"][0]["pciId"] = serde_json::json!("0x8086");
    let errs = validate_value(&value).unwrap_err();
    let paths: Vec<&str> = errs.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, ["/disks/0/mode", "/gpus/0/pciId"]);
}

#[test]
fn not_json_is_a_json_error() {
    assert!(matches!(
        HostFacts::from_json("{"),
        Err(FactsError::Json(_))
    ));
}

#[test]
fn example_facts_files_are_canonical() {
    let mut seen = 0;
    for path in example_facts_files() {
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let facts =
            HostFacts::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            facts.to_json(),
            text,
            "{} is not in canonical form",
            path.display()
        );
        let mut accels = facts.accelerators.clone();
        accels.sort();
        assert_eq!(
            accels,
            facts.accelerators,
            "{}: accelerators unsorted",
            path.display()
        );
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.contains("hand-written") {
            assert_eq!(facts.provenance.source, FactsSource::HandWritten, "{name}");
            assert!(facts.provenance.note.is_some(), "{name} needs a note");
        }
        seen += 1;
    }
    assert!(seen >= 2, "expected the example facts files, saw {seen}");
}
