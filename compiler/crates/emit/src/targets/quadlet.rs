//! The Quadlet target's units: `emit::quadlet` lowers each placed replica;
//! the placement-time check is that OCI artifact mounts need Podman 5.7
//! where a replica lands.

use super::{EmitCx, Emitter};
use amc_lang::artifacts::Artifacts;
use amc_lang::check::Checked;
use amc_lang::check::pods::Workload;
use amc_lang::ir;
use amc_lang::target::quadlet::Quadlet;
use amc_solve::Placement;
use amc_syntax::diagnostics::{Bug, BugResult};
use amc_syntax::diagnostics::{Code, Diagnostic, Diagnostics};

impl Emitter for Quadlet {
    fn check_placed(
        &self,
        workloads: &[&Workload],
        checked: &Checked,
        placement: &Placement,
        diags: &mut Diagnostics,
    ) {
        oci_artifacts_need_podman_5_7(workloads, checked, placement, diags);
    }

    fn emit(&self, cx: &EmitCx<'_>, out: &mut Artifacts) -> BugResult<()> {
        for w in cx.workloads_of(self) {
            let machines = cx.placement.machines_of(w.id());
            if machines.len() != w.pod.replicas as usize {
                continue;
            }
            for (replica, mid) in machines.iter().enumerate() {
                let Some(m) = cx.checked.machine(mid) else {
                    return Err(Bug::new(format!("machine {mid} vanished"))
                        .at(w.pod.id.span, "emitting this pod"));
                };
                let replica = u32::try_from(replica)
                    .map_err(|_| format!("pod {}: too many replicas", w.id()))?;
                crate::quadlet::emit(w, m, replica, cx.plan, out)
                    .map_err(|b| b.at(w.pod.id.span, "emitting this pod"))?;
            }
        }
        Ok(())
    }
}

/// OCI artifact models need Podman 5.7 (`.artifact` units and
/// `Mount=type=artifact`) on the machine a replica landed on (Quadlet).
fn oci_artifacts_need_podman_5_7(
    workloads: &[&Workload],
    checked: &Checked,
    placement: &Placement,
    diags: &mut Diagnostics,
) {
    for w in workloads {
        let Some(m) = &w.model else { continue };
        let Some(src) = &m.source else { continue };
        if !matches!(src.value, ir::ModelSource::Oci { artifact: true, .. }) {
            continue;
        }
        for node in placement.machines_of(w.id()) {
            let Some(view) = checked.machine(node) else {
                continue;
            };
            if view.podman.is_some_and(|v| v >= (5, 7, 0)) {
                continue;
            }
            let have = match view.podman {
                Some((a, b, c)) => format!("Podman {a}.{b}.{c}"),
                None => "an unknown Podman (no facts)".to_string(),
            };
            diags.push(
                Diagnostic::new(
                    Code::E0332,
                    format!(
                        "pod `{}` is placed on machine `{node}`, which has {have}, but its model `{}` is an OCI artifact",
                        w.id(),
                        m.id.value
                    ),
                )
                .label(src.span, "an OCI artifact")
                .label(view.def.id.span, "this machine")
                .help("OCI artifact mounts need Podman 5.7 or later (`.artifact` units): probe the machine (`amc probe --out`) to show its version, pin the pod elsewhere, or publish the model as an image (`media=\"image\"`)"),
            );
        }
    }
}
