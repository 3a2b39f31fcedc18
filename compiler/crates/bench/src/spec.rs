//! Spec text for benchmarks and tests: a generated fleet in the amc
//! language (the benchmark's other instances are [`crate::fleet`]'s dense
//! problems, which skip the language). Deterministic; no I/O.

/// Engines of the generated pods: (provider name, stdlib provider).
const ENGINES: [(&str, &str); 2] = [("llama-cpp", "llama-cpp"), ("vllm", "vllm")];

/// A fleet like `bench/gen_fleet.py`'s: `pods` GPU pods (alternating
/// llama.cpp and vLLM, three pinned models, seven tenants, one or two GPUs)
/// on `machines` four-GPU nodes of one Kubernetes cluster; pod `skip` left
/// out, pod `grow` given all four GPUs of a node.
pub fn fleet(pods: usize, machines: usize, skip: Option<usize>, grow: Option<usize>) -> String {
    let mut s = String::new();
    for (_, std) in ENGINES {
        s += &format!("import \"std:providers/{std}\"\n");
    }
    for (i, (name, std)) in ENGINES.iter().enumerate() {
        s += &format!(
            "provider \"{name}-pinned\" extends=\"{std}\" {{\n    image \"registry.example/{name}:1\" accelerator=\"cuda\" digest=\"sha256:{}\"\n}}\n",
            format!("{i}").repeat(64)
        );
    }
    for m in 0..machines {
        s += &format!(
            "machine \"node-{m}\" {{\n    profile \"kubernetes-node\"\n    capacity {{\n        cpu 64\n        memory \"512GiB\"\n        gpu \"nvidia-l40s\" vendor=\"nvidia\" vram=\"48GiB\" count=4\n        accelerators \"cpu\" \"cuda\"\n    }}\n    storage-pool \"topolvm\" backend=\"topolvm-k8s\" capacity=\"20TiB\"\n}}\n"
        );
    }
    let nodes: Vec<String> = (0..machines).map(|m| format!("\"node-{m}\"")).collect();
    s += &format!(
        "cluster \"agents\" {{\n    namespace \"agents\"\n    storage-class \"topolvm-k8s\" \"local-path\"\n    nodes {}\n}}\n",
        nodes.join(" ")
    );
    s += "cache-tier \"models\" {\n    backend \"topolvm-k8s\"\n    volume-class \"agent-models\"\n    tier \"model\"\n    purpose \"model-artifacts\"\n    sensitivity \"internal\"\n    lifecycle durability=\"durable\" eviction=\"manual\" wipe-receipt-required=#false\n    quota \"40GiB\"\n    mount \"/models\" access=\"read-only\"\n}\n";
    for (i, size) in [("a", "4.7GB"), ("b", "16GB"), ("c", "14.5GB")] {
        s += &format!(
            "model \"m-{i}\" {{\n    hf \"anchors/m-{i}\" revision=\"{}\"\n    file \"model.gguf\" sha256=\"{}\" size=\"{size}\"\n    format \"gguf\"\n    size \"{size}\"\n    vram \"16GiB\"\n}}\n",
            "7".repeat(40),
            "8".repeat(64)
        );
    }
    for p in 0..pods {
        if Some(p) == skip {
            continue;
        }
        let (engine, _) = ENGINES[p % 2];
        let model = ["a", "b", "c"][p % 3];
        let gpus = if Some(p) == grow { 4 } else { 1 + p % 2 };
        s += &format!(
            "pod \"agent-{p}\" {{\n    tenant \"team-{}\"\n    provider \"{engine}-pinned\"\n    model \"m-{model}\"\n    accelerator \"cuda\"\n    resources cpu=4 memory=\"{}GiB\" gpus={gpus} vram=\"{}GiB\"\n    volume \"models\"\n    port \"http\" exposure=\"cluster\"\n    target \"kubernetes\" cluster=\"agents\"\n}}\n",
            p % 7,
            16 * gpus,
            16 * gpus
        );
    }
    s
}
