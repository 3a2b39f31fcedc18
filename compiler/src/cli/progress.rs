//! A progress line on stderr while the driver works (indicatif), shown only
//! when stderr is a terminal; silent otherwise, so logs and pipes stay clean.

use std::io::IsTerminal;
use std::time::Duration;

use amc::progress::{Observer, Stage};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The CLI's [`Observer`]: a spinner with the current stage and elapsed time.
pub struct Progress {
    bar: Option<ProgressBar>,
}

/// Whether progress should be drawn: stderr is a terminal, `TERM` is not
/// `dumb` and `AMC_NO_PROGRESS` is unset.
pub fn wanted() -> bool {
    std::io::stderr().is_terminal()
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
        && std::env::var_os("AMC_NO_PROGRESS").is_none()
}

impl Progress {
    /// A progress line for the spec `what`, drawn only if [`wanted`].
    pub fn new(what: &str) -> Self {
        if !wanted() {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {prefix}: {msg} [{elapsed}]") {
            bar.set_style(style);
        }
        bar.set_prefix(what.to_string());
        bar.set_message("starting");
        bar.enable_steady_tick(Duration::from_millis(100));
        Progress { bar: Some(bar) }
    }

    /// Removes the line (before diagnostics are printed).
    pub fn clear(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Observer for Progress {
    fn stage(&self, stage: Stage) {
        if let Some(b) = &self.bar {
            if let Stage::Done { .. } = stage {
                b.finish_and_clear();
            } else {
                b.set_message(stage.describe());
            }
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}
