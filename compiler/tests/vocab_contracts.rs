//! One source of truth for the language's vocabularies (issue 16, item 2):
//! every closed list in `lang/vocab.rs` is tied to the enum of the contract
//! it is emitted into — equal to it, a subset that leaves out named values
//! for a stated reason, or amc's own word with no contract enum (and then
//! the reason is written here). A value added upstream, a typo in a list, or
//! a new list with no entry here fails this test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use amc::lang::vocab;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// How a vocabulary relates to a contract enum.
enum Tie {
    /// Exactly the values of the enum at `pointer` in `schema`.
    Equal(&'static str, &'static str),
    /// The enum's values except `left_out`, for `why`.
    Subset(
        &'static str,
        &'static str,
        &'static [&'static str],
        &'static str,
    ),
    /// The property names of the object at `pointer`, camelCased.
    Keys(&'static str, &'static str),
    /// amc's own vocabulary: no contract carries it as an enum.
    Own(&'static str),
}

use Tie::*;

fn ties() -> Vec<(&'static str, &'static [&'static str], Tie)> {
    vec![
        (
            "PROFILES",
            vocab::PROFILES,
            Equal("upstream/agent-machine.schema.json", "/properties/profile"),
        ),
        (
            "ACCELERATORS",
            vocab::ACCELERATORS,
            Equal("host-facts.schema.json", "/properties/accelerators/items"),
        ),
        (
            "ACCELERATORS",
            vocab::ACCELERATORS,
            Subset(
                "upstream/agent-machine.schema.json",
                "/properties/accelerators/items/properties/type",
                &["unknown"],
                "a spec declares what a machine has; `unknown` is only ever observed",
            ),
        ),
        (
            "GPU_VENDORS",
            vocab::GPU_VENDORS,
            Equal("host-facts.schema.json", "/$defs/gpu/properties/vendor"),
        ),
        (
            "BACKENDS",
            vocab::BACKENDS,
            Equal("upstream/cache-tier.schema.json", "/properties/backend"),
        ),
        (
            "BACKENDS",
            vocab::BACKENDS,
            Equal(
                "upstream/storage-receipt.schema.json",
                "/properties/backend",
            ),
        ),
        (
            "ENCRYPTION_MODES",
            vocab::ENCRYPTION_MODES,
            Equal(
                "upstream/cache-tier.schema.json",
                "/properties/encryption/properties/mode",
            ),
        ),
        (
            "ENCRYPTION_MODES",
            vocab::ENCRYPTION_MODES,
            Equal(
                "upstream/storage-receipt.schema.json",
                "/properties/encryption/properties/mode",
            ),
        ),
        (
            "RESIDENCY_TIERS",
            vocab::RESIDENCY_TIERS,
            Own("where a model is held for the placement's residency score; no contract field"),
        ),
        (
            "ENVELOPES",
            vocab::ENVELOPES,
            Equal(
                "upstream/agent-machine.schema.json",
                "/properties/runtime/properties/localEnvelopes/items",
            ),
        ),
        (
            "PROVIDER_TYPES",
            vocab::PROVIDER_TYPES,
            Equal(
                "upstream/inference-provider.schema.json",
                "/properties/providerType",
            ),
        ),
        (
            "PROVIDER_STATUS",
            vocab::PROVIDER_STATUS,
            Equal(
                "upstream/inference-provider.schema.json",
                "/properties/status",
            ),
        ),
        (
            "PROVIDER_RUNTIMES",
            vocab::PROVIDER_RUNTIMES,
            Own(
                "`container` is lowered per target to runtime.mode podman-quadlet or kubernetes; \
                 local-process and remote-endpoint are the contract's own spellings",
            ),
        ),
        (
            "API_SURFACES",
            vocab::API_SURFACES,
            Equal(
                "upstream/inference-provider.schema.json",
                "/properties/apiSurfaces/items",
            ),
        ),
        (
            "CAPABILITIES",
            vocab::CAPABILITIES,
            Keys(
                "upstream/inference-provider.schema.json",
                "/properties/capabilities/properties",
            ),
        ),
        (
            "MODEL_FORMATS",
            vocab::MODEL_FORMATS,
            Subset(
                "upstream/inference-provider.schema.json",
                "/properties/modelStore/properties/format",
                &["mixed", "unknown"],
                "a model has one known format; `mixed` and `unknown` describe a provider's store",
            ),
        ),
        (
            "VOLUME_CLASSES",
            vocab::VOLUME_CLASSES,
            Equal("upstream/cache-tier.schema.json", "/properties/volumeClass"),
        ),
        (
            "VOLUME_CLASSES",
            vocab::VOLUME_CLASSES,
            Equal(
                "upstream/agent-pod.schema.json",
                "/properties/storage/items/properties/volumeClass",
            ),
        ),
        (
            "TIERS",
            vocab::TIERS,
            Equal("upstream/cache-tier.schema.json", "/properties/tier"),
        ),
        (
            "TIERS",
            vocab::TIERS,
            Equal("upstream/storage-receipt.schema.json", "/properties/tier"),
        ),
        (
            "PURPOSES",
            vocab::PURPOSES,
            Equal(
                "upstream/cache-tier.schema.json",
                "/properties/purpose/items",
            ),
        ),
        (
            "SENSITIVITY",
            vocab::SENSITIVITY,
            Equal("upstream/cache-tier.schema.json", "/properties/sensitivity"),
        ),
        (
            "DURABILITY",
            vocab::DURABILITY,
            Equal(
                "upstream/cache-tier.schema.json",
                "/properties/lifecycle/properties/durability",
            ),
        ),
        (
            "DURABILITY",
            vocab::DURABILITY,
            Equal(
                "teardown-plan.schema.json",
                "/properties/volumes/items/properties/durability",
            ),
        ),
        (
            "EVICTION",
            vocab::EVICTION,
            Equal(
                "upstream/cache-tier.schema.json",
                "/properties/lifecycle/properties/evictionPolicy",
            ),
        ),
        (
            "ACCESS_MODES",
            vocab::ACCESS_MODES,
            Equal(
                "upstream/agent-pod.schema.json",
                "/properties/storage/items/properties/accessMode",
            ),
        ),
        (
            "ACCESS_MODES",
            vocab::ACCESS_MODES,
            Equal(
                "upstream/cache-tier.schema.json",
                "/properties/mount/properties/mode",
            ),
        ),
        (
            "WORKLOAD_PURPOSES",
            vocab::WORKLOAD_PURPOSES,
            Equal(
                "upstream/agent-pod.schema.json",
                "/properties/workload/properties/purpose",
            ),
        ),
        (
            "EXPOSURES",
            vocab::EXPOSURES,
            Subset(
                "upstream/agent-pod.schema.json",
                "/properties/ports/items/properties/exposure",
                &["policy-managed"],
                "amc decides exposure at compile time; nothing is left to a later policy",
            ),
        ),
        (
            "NETWORK_MODES",
            vocab::NETWORK_MODES,
            Own(
                "the spec's intent; lowered per target to runtime.networkMode \
                 (`private` becomes pod or kubernetes-service)",
            ),
        ),
        (
            "RESTART_POLICIES",
            vocab::RESTART_POLICIES,
            Equal(
                "upstream/agent-pod.schema.json",
                "/properties/runtime/properties/restartPolicy",
            ),
        ),
        (
            "TARGETS",
            vocab::TARGETS,
            Equal("teardown-plan.schema.json", "/properties/target"),
        ),
        (
            "IMAGE_POLICIES",
            vocab::IMAGE_POLICIES,
            Equal(
                "upstream/agent-pod.schema.json",
                "/properties/runtime/properties/imageReferencePolicy",
            ),
        ),
        (
            "REQUEST_TYPES",
            vocab::REQUEST_TYPES,
            Equal(
                "upstream/policy-admission.schema.json",
                "/properties/request/properties/requestType",
            ),
        ),
        (
            "TAINT_EFFECTS",
            vocab::TAINT_EFFECTS,
            Own("Kubernetes' taint effects (core/v1 Taint.effect), not an Agent Machine contract"),
        ),
        (
            "OCI_MEDIA",
            vocab::OCI_MEDIA,
            Own("how amc stages an OCI model source; no contract field"),
        ),
        (
            "OPERATING_SYSTEMS",
            vocab::OPERATING_SYSTEMS,
            Subset(
                "host-facts.schema.json",
                "/properties/host/properties/os",
                &["other"],
                "a profile names a supported OS; `other` is only ever probed",
            ),
        ),
        (
            "ARCHES",
            vocab::ARCHES,
            Equal("host-facts.schema.json", "/properties/host/properties/arch"),
        ),
        (
            "ARCHES",
            vocab::ARCHES,
            Subset(
                "upstream/agent-machine.schema.json",
                "/properties/host/properties/arch",
                &["arm64"],
                "amc spells ARM as the kernel does (`aarch64`); `arm64` is the same machine",
            ),
        ),
    ]
}

fn schema(file: &str) -> serde_json::Value {
    let path = repo().join("contracts").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn strings(v: &serde_json::Value) -> BTreeSet<String> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}

/// The values of the enum at `pointer` in `file`.
fn enum_at(name: &str, file: &str, pointer: &str) -> BTreeSet<String> {
    let s = schema(file);
    let e = s
        .pointer(pointer)
        .and_then(|n| n.get("enum"))
        .unwrap_or_else(|| panic!("{name}: {file}#{pointer} has no enum"));
    strings(e)
}

fn camel(kebab: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in kebab.chars() {
        if c == '-' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn every_vocabulary_matches_the_contract_enum_it_is_emitted_into() {
    let mut failures = Vec::new();
    for (name, ours, tie) in ties() {
        let ours: BTreeSet<String> = ours.iter().map(|s| s.to_string()).collect();
        let (file, pointer, want): (&str, &str, BTreeSet<String>) = match tie {
            Own(why) => {
                assert!(!why.is_empty());
                continue;
            }
            Equal(file, pointer) => (file, pointer, enum_at(name, file, pointer)),
            Subset(file, pointer, left_out, why) => {
                assert!(!why.is_empty());
                let mut all = enum_at(name, file, pointer);
                for v in left_out {
                    if !all.remove(*v) {
                        failures.push(format!(
                            "{name}: `{v}` is listed as left out but {file}#{pointer} has no such value"
                        ));
                    }
                }
                (file, pointer, all)
            }
            Keys(file, pointer) => {
                let s = schema(file);
                let keys = s
                    .pointer(pointer)
                    .and_then(|n| n.as_object())
                    .unwrap_or_else(|| panic!("{name}: {file}#{pointer} is not an object"));
                let got: BTreeSet<String> = ours.iter().map(|v| camel(v)).collect();
                let want: BTreeSet<String> = keys.keys().cloned().collect();
                if got != want {
                    failures.push(format!(
                        "{name} (camelCased) vs the keys of {file}#{pointer}: only ours {:?}, only theirs {:?}",
                        got.difference(&want).collect::<Vec<_>>(),
                        want.difference(&got).collect::<Vec<_>>()
                    ));
                }
                continue;
            }
        };
        if ours != want {
            failures.push(format!(
                "{name} vs {file}#{pointer}: only ours {:?}, only the contract's {:?}",
                ours.difference(&want).collect::<Vec<_>>(),
                want.difference(&ours).collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_vocabulary_in_the_language_is_tied_to_a_contract_or_says_why_not() {
    let src =
        std::fs::read_to_string(repo().join("compiler/crates/lang/src/lang/vocab.rs")).unwrap();
    // `pub const NAME: &[&str]` lists and `vocabulary!` enums (`=> NAME {`).
    let declared: BTreeSet<&str> = src
        .lines()
        .filter_map(|l| {
            l.strip_prefix("pub const ")
                .and_then(|l| l.split(':').next())
                .or_else(|| {
                    let (_, rest) = l.trim().strip_prefix("pub enum ")?.split_once("=> ")?;
                    rest.strip_suffix(" {")
                })
        })
        .collect();
    assert!(declared.len() >= 25, "found only {declared:?}");
    let tied: BTreeSet<&str> = ties().iter().map(|(n, _, _)| *n).collect();
    let untied: Vec<_> = declared.difference(&tied).collect();
    assert!(
        untied.is_empty(),
        "vocabularies with no contract tie: {untied:?}"
    );
    let stale: Vec<_> = tied.difference(&declared).collect();
    assert!(
        stale.is_empty(),
        "ties to vocabularies that no longer exist: {stale:?}"
    );
}

#[test]
fn a_value_the_contract_lacks_is_caught() {
    // The comparison itself can fail: a list with an extra value does.
    let s = schema("upstream/cache-tier.schema.json");
    let theirs = strings(&s["properties"]["tier"]["enum"]);
    let mut ours: BTreeSet<String> = vocab::TIERS.iter().map(|s| s.to_string()).collect();
    assert_eq!(ours, theirs);
    ours.insert("lukewarm".into());
    assert_ne!(ours, theirs);
}
