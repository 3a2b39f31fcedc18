//! `model`: what to fetch, how to verify every byte of it, and what it needs.
//!
//! A model names exactly one source — a Hugging Face repository pinned to a
//! commit (`hf`), an OCI image or artifact by digest (`oci`), an HTTPS URL
//! (`url`) or a directory already on the host (`path`) — and lists every
//! file with its sha256 (`file`). `check/models.rs` holds the rules that tie
//! them together (one source, pinned, every file verifiable); the legacy
//! `source "hf://…"` spelling is still read and gets a rewrite (W0304).

use super::*;

/// `model "ID" { ... }`.
pub static MODEL: NodeSpec = NodeSpec {
    name: "model",
    doc: "A model artifact: where it is fetched from (pinned), every file with its sha256, its format and the memory it needs.",
    args: &[arg("id", Ty::Id, "Model id.")],
    props: &[],
    open_props: None,
    children: &[
        &DESCRIPTION,
        &MODEL_HF,
        &MODEL_OCI,
        &MODEL_URL,
        &MODEL_PATH,
        &MODEL_SOURCE,
        &MODEL_FILE,
        &MODEL_ENTRY,
        &MODEL_ALLOW_UNPINNED,
        &MODEL_DIGEST,
        &MODEL_FORMAT,
        &MODEL_SIZE,
        &MODEL_QUANT,
        &MODEL_TOKENIZER,
        &MODEL_MEMORY,
        &MODEL_VRAM,
        &MODEL_HEADS,
        &MODEL_REF,
    ],
    repeatable: true,
    required: false,
};
static MODEL_HF: NodeSpec = with_props(
    leaf(
        "hf",
        &[arg("repo", Ty::Str, "Repository, \"org/name\".")],
        "A Hugging Face repository. Files are fetched from `<endpoint>/<repo>/resolve/<revision>/<file>` (endpoint https://huggingface.co, or the machine's or cluster's `hf-endpoint`).",
    ),
    &[prop(
        "revision",
        Ty::Str,
        "The commit: 40 lower-case hex digits. A branch or tag is not a pin.",
    )],
);
static MODEL_OCI: NodeSpec = with_props(
    leaf(
        "oci",
        &[arg(
            "reference",
            Ty::Image,
            "registry/repository@sha256:<digest>.",
        )],
        "An OCI image or artifact holding the model files, by digest. Mounted read-only where the target can (Kubernetes image volumes, Podman image or artifact mounts); the registry's content addressing verifies it.",
    ),
    &[prop(
        "media",
        Ty::Enum(crate::lang::vocab::OCI_MEDIA),
        "\"image\" (default: a container image whose filesystem holds the files) or \"artifact\" (an OCI artifact).",
    )],
);
static MODEL_URL: NodeSpec = leaf(
    "url",
    &[arg(
        "url",
        Ty::Str,
        "https://… (http:// only on a loopback host).",
    )],
    "An HTTPS location. A URL ending in `/` is a directory: each `file` is fetched at the URL plus its path. Otherwise it is the one file the model has.",
);
static MODEL_PATH: NodeSpec = leaf(
    "path",
    &[arg("path", Ty::AbsPath, "Host directory.")],
    "A directory already present on every machine that serves the model (e.g. a shared mount). Nothing is fetched; every file is still verified before the server starts.",
);
static MODEL_SOURCE: NodeSpec = leaf(
    "source",
    &[arg("uri", Ty::Str, "Source URI.")],
    "Legacy spelling (`hf://org/repo/file`, `oci://…`, `https://…`, `file:///…`): still read, with a warning that shows the pinned form to write instead.",
);
static MODEL_FILE: NodeSpec = repeatable(with_props(
    leaf(
        "file",
        &[arg("path", Ty::RelPath, "Path inside the model directory.")],
        "One file of the model (weights, shards, tokenizer, config), with its sha256. `amc model digest DIR` writes these lines from a local copy.",
    ),
    &[
        prop(
            "sha256",
            Ty::Sha256Hex,
            "sha256 of the file: 64 lower-case hex digits.",
        ),
        prop("size", Ty::Size, "Size of the file."),
    ],
));
static MODEL_ENTRY: NodeSpec = leaf(
    "entry",
    &[arg("path", Ty::RelPath, "Path inside the model directory.")],
    "What the server loads, relative to the model directory (default: the only file, else the directory itself).",
);
static MODEL_ALLOW_UNPINNED: NodeSpec = leaf(
    "allow-unpinned",
    &[arg("allow", Ty::Bool, "Whether to allow it.")],
    "Accept a source that is not pinned (a branch, a tag, a file without sha256) for bootstrapping: a warning instead of an error, trust on first use when staging, and a blocker in the release evidence.",
);
static MODEL_DIGEST: NodeSpec = leaf(
    "digest",
    &[arg("digest", Ty::Digest, "Digest.")],
    "Legacy: sha256 of the single model file, with `source`. Write `file \"NAME\" sha256=\"…\"` instead.",
);
static MODEL_FORMAT: NodeSpec = required(leaf(
    "format",
    &[arg("format", Ty::Enum(MODEL_FORMATS), "Format.")],
    "Model file format.",
));
static MODEL_SIZE: NodeSpec = leaf(
    "size",
    &[arg("size", Ty::Size, "Size.")],
    "Size of the weights on disk (default: the sum of the files' sizes; required when a file has none).",
);
static MODEL_QUANT: NodeSpec = leaf(
    "quantization",
    &[arg("scheme", Ty::Str, "Scheme, e.g. \"q4_k_m\".")],
    "Quantisation scheme.",
);
static MODEL_TOKENIZER: NodeSpec = leaf(
    "tokenizer-digest",
    &[arg("digest", Ty::Digest, "Digest.")],
    "sha256 of the tokenizer.",
);
static MODEL_MEMORY: NodeSpec = leaf(
    "memory",
    &[arg("size", Ty::Size, "Size.")],
    "Memory needed when served from CPU RAM (default: size plus 20%).",
);
static MODEL_VRAM: NodeSpec = leaf(
    "vram",
    &[arg("size", Ty::Size, "Size.")],
    "VRAM needed when served from a GPU (default: size plus 20%).",
);
static MODEL_HEADS: NodeSpec = leaf(
    "attention-heads",
    &[arg("count", COUNT, "Attention heads.")],
    "Attention heads of the model: tensor parallelism splits them, so a replica's GPU count must divide them.",
);
static MODEL_REF: NodeSpec = leaf(
    "ref",
    &[arg("urn", Ty::Urn, "URN.")],
    "Model reference used in grants (default urn:srcos:model:ID).",
);
