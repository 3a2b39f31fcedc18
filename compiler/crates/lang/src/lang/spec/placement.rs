//! Catalogue entry for `placement-weights`: the placement objective's data.

use super::*;
use crate::lang::types::Ty;

static PW_BANDWIDTH: NodeSpec = with_props(
    leaf(
        "bandwidth",
        &[],
        "Default bandwidths (bytes per second) for machines that declare none.",
    ),
    &[
        prop(
            "network",
            Ty::Size,
            "Download (staging) bandwidth per second.",
        ),
        prop("nvme", Ty::Size, "NVMe read bandwidth per second."),
        prop("ram", Ty::Size, "RAM to accelerator bandwidth per second."),
    ],
);
static PW_PREFILL: NodeSpec = leaf(
    "prefill-rate",
    &[arg(
        "tokens-per-second",
        Ty::Int {
            min: 1,
            max: 100_000_000,
        },
        "Tokens per second.",
    )],
    "Prompt prefill rate used to price a `cache-key` given in tokens.",
);
static PW_PACK: NodeSpec = leaf(
    "pack-bandwidth",
    &[arg("per-second", Ty::Size, "Bytes per second.")],
    "Load bandwidth used to price a `cache-key` given as a size.",
);
const WEIGHT: Ty = Ty::Int {
    min: 0,
    max: 1_000_000,
};
static PW_TERMS: NodeSpec = with_props(
    leaf(
        "terms",
        &[],
        "Integer multipliers of the objective's terms (default 1 each).",
    ),
    &[
        prop("load", WEIGHT, "Per-replica model load."),
        prop("stage", WEIGHT, "Per-machine model staging (download)."),
        prop("warm", WEIGHT, "Per-machine cache warm-up."),
        prop("balance", WEIGHT, "Convex balance penalty."),
    ],
);
static PW_STEP: NodeSpec = repeatable(with_props(
    leaf(
        "balance-step",
        &[arg(
            "threshold",
            Ty::Int { min: 0, max: 1000 },
            "Utilisation in ‰ above which the step applies.",
        )],
        "A step of the convex balance penalty: every ‰ of CPU, memory or VRAM utilisation above the threshold costs `slope` ms, per machine.",
    ),
    &[req_prop(
        "slope",
        Ty::Int {
            min: 0,
            max: 1_000_000,
        },
        "Milliseconds per ‰ above the threshold.",
    )],
));

/// `placement-weights "NAME" { ... }`.
pub static PLACEMENT_WEIGHTS: NodeSpec = NodeSpec {
    name: "placement-weights",
    doc: "The placement objective's weights, as data. The stdlib defines `default` (module `std:placement`, in the prelude); a spec may define its own `placement-weights`, which then replaces it (values it leaves out keep the stdlib's).",
    args: &[arg("name", Ty::Id, "Name.")],
    props: &[],
    open_props: None,
    children: &[
        &DESCRIPTION,
        &PW_BANDWIDTH,
        &PW_PREFILL,
        &PW_PACK,
        &PW_TERMS,
        &PW_STEP,
    ],
    repeatable: true,
    required: false,
};
