//! The Kubernetes target's manifests: `emit::kubernetes` writes namespaces,
//! quotas, policies, staging Jobs and one StatefulSet per replica pinned to
//! its node.

use super::{EmitCx, Emitter};
use amc_lang::artifacts::Artifacts;
use amc_lang::target::kubernetes::Kubernetes;
use amc_syntax::diagnostics::BugResult;

impl Emitter for Kubernetes {
    fn emit(&self, cx: &EmitCx<'_>, out: &mut Artifacts) -> BugResult<()> {
        let workloads = cx.workloads_of(self);
        let node_labels = crate::kubernetes::gpu_node_labels(cx.checked, cx.docs);
        crate::kubernetes::emit(
            cx.spec,
            &workloads,
            cx.placement,
            cx.plan,
            &node_labels,
            out,
        )
    }
}
