//! Progress hooks: what the driver is doing, for whoever wants to show it.
//!
//! Takes nothing; the driver calls an [`Observer`] at each stage with counts
//! (files read, pods and machines to place, artifacts emitted). Produces
//! nothing itself and never does I/O: the CLI passes an observer that draws a
//! progress line on a terminal (`cli/progress.rs`), everything else passes
//! [`Silent`]. Observers must not change what is compiled.

/// A pipeline stage, as reported to an [`Observer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading and parsing the spec files and stdlib modules.
    Resolve,
    /// Loading the JSON documents the spec refers to.
    Documents {
        /// Spec and stdlib files read so far.
        files: usize,
    },
    /// Semantic checks.
    Check,
    /// Placing pod replicas on machines.
    Solve {
        /// Pods to place.
        pods: usize,
        /// Machines to place them on.
        machines: usize,
    },
    /// Rendering artifacts.
    Emit,
    /// Finished; `artifacts` were produced.
    Done {
        /// Artifacts produced (0 for `check` or a failed build).
        artifacts: usize,
    },
}

impl Stage {
    /// A short present-tense description, e.g. "placing 4 pods on 3 machines".
    pub fn describe(self) -> String {
        match self {
            Stage::Resolve => "reading the spec".to_string(),
            Stage::Documents { files } => format!(
                "loading documents ({files} file{} read)",
                if files == 1 { "" } else { "s" }
            ),
            Stage::Check => "checking".to_string(),
            Stage::Solve { pods, machines } => format!(
                "placing {pods} pod{} on {machines} machine{}",
                if pods == 1 { "" } else { "s" },
                if machines == 1 { "" } else { "s" }
            ),
            Stage::Emit => "rendering artifacts".to_string(),
            Stage::Done { artifacts } => format!(
                "done ({artifacts} artifact{})",
                if artifacts == 1 { "" } else { "s" }
            ),
        }
    }
}

/// Receives stage reports from the driver.
pub trait Observer {
    /// Called when a stage starts (and once with [`Stage::Done`]).
    fn stage(&self, stage: Stage);
}

/// An observer that ignores everything (library callers, tests, LSP).
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Observer for Silent {
    fn stage(&self, _stage: Stage) {}
}
