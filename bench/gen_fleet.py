#!/usr/bin/env python3
"""Writes an amc spec for the perf-anchor workload (../shared/bench/anchors):
N agent pods, engine i%4, a model the engine serves, 1 + i%2 GPUs, 16 GiB memory per GPU,
a models volume per pod, on a Kubernetes cluster of ceil(N/8) GPU nodes
(4 GPUs each, so the fleet fits). Deterministic: same N, same bytes.

    python3 bench/gen_fleet.py N OUT_DIR      # writes OUT_DIR/spec.kdl
"""
import os
import sys

ENGINES = ["llama-cpp", "vllm", "sglang", "ollama"]
MODELS = [
    ("qwen2-5-7b-instruct-q4", "gguf", "4.7GB", "model.gguf"),
    ("llama-3-1-8b-instruct", "safetensors", "16GB", "model.safetensors"),
    ("mistral-7b-instruct-v0-3", "safetensors", "14.5GB", "model.safetensors"),
]
IMAGES = {
    "llama-cpp": "ghcr.io/ggml-org/llama.cpp:server-cuda-b9014",
    "vllm": "docker.io/vllm/vllm-openai:v0.11.1",
    "sglang": "docker.io/lmsysorg/sglang:v0.5.9",
    "ollama": "docker.io/ollama/ollama:0.12.6",
}


def hexof(s: str, n: int) -> str:
    return (s.encode().hex() * 16)[:n]


def main() -> None:
    n = int(sys.argv[1])
    out = sys.argv[2]
    nodes = max(1, -(-n // 2))  # 2 pods per node on average: 1.5 GPUs/pod, 4 GPUs/node
    lines = [f"// perf anchor: {n} agent pods on {nodes} Kubernetes GPU nodes (bench/gen_fleet.py)."]
    for e in ENGINES:
        lines.append(f'import "std:providers/{e}"')
    lines.append("")
    # Pinned providers: every image by digest, as a production fleet runs them.
    for e in ENGINES:
        lines += [
            f'provider "{e}-pinned" extends="{e}" {{',
            f'    image "{IMAGES[e]}" accelerator="cuda" digest="sha256:{hexof(e, 64)}"',
            "}",
            "",
        ]
    for j in range(nodes):
        lines += [
            f'machine "node-{j}" {{',
            '    profile "kubernetes-node"',
            "    capacity {",
            "        cpu 64",
            '        memory "512GiB"',
            '        gpu "nvidia-l40s" vendor="nvidia" vram="48GiB" count=4',
            '        accelerators "cpu" "cuda"',
            "    }",
            '    storage-pool "topolvm" backend="topolvm-k8s" capacity="20TiB"',
            f'    labels zone="zone-{j % 3}"',
            "}",
            "",
        ]
    lines += [
        'cluster "agents" {',
        '    namespace "agents"',
        '    storage-class "topolvm-k8s" "local-path"',
        "    nodes " + " ".join(f'"node-{j}"' for j in range(nodes)),
        "}",
        "",
        'cache-tier "models" {',
        '    backend "topolvm-k8s"',
        '    volume-class "agent-models"',
        '    tier "model"',
        '    purpose "model-artifacts"',
        '    sensitivity "internal"',
        '    lifecycle durability="durable" eviction="manual" wipe-receipt-required=#false',
        '    quota "40GiB"',
        '    mount "/models" access="read-only"',
        "}",
        "",
    ]
    # Pinned models: a Hugging Face revision and the digest of every file.
    for name, fmt, size, file in MODELS:
        lines += [
            f'model "{name}" {{',
            f'    hf "anchors/{name}" revision="{hexof(name, 40)}"',
            f'    file "{file}" sha256="{hexof(name[::-1], 64)}" size="{size}"',
            f'    format "{fmt}"',
            f'    size "{size}"',
            '    vram "16GiB"',
            "}",
            "",
        ]
    for i in range(n):
        engine = ENGINES[i % 4]
        # Engines only get formats they serve: GGUF for llama.cpp and Ollama,
        # safetensors (two models in turn) for vLLM and SGLang.
        model = MODELS[0] if engine in ("llama-cpp", "ollama") else MODELS[1 + (i // 4) % 2]
        gpus = 1 + i % 2
        lines += [
            f'pod "agent-{i}" {{',
            f'    tenant "team-{i % 7}"',
            f'    provider "{engine}-pinned"',
            f'    model "{model[0]}"',
            '    accelerator "cuda"',
            f'    resources cpu=4 memory="{16 * gpus}GiB" gpus={gpus} vram="{16 * gpus}GiB"',
            '    volume "models"',
            '    port "http" exposure="cluster"',
            '    target "kubernetes" cluster="agents"',
            "}",
            "",
        ]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "spec.kdl"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
