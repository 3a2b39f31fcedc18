//! Progress: the driver reports its stages to an observer, and the CLI draws
//! them on a terminal only.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::Command;

use amc::driver::{self, Options, Stop};
use amc::progress::{Observer, Stage};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[derive(Default)]
struct Record(RefCell<Vec<Stage>>);

impl Observer for Record {
    fn stage(&self, s: Stage) {
        self.0.borrow_mut().push(s);
    }
}

#[test]
fn the_driver_reports_every_stage_in_order() {
    let rec = Record::default();
    let opts = Options {
        stop: Stop::Build,
        ..Default::default()
    };
    let spec = repo().join("examples/mixed-fleet");
    let c = driver::compile_observed(&amc::vfs::RealFs, &spec, "mixed-fleet", &opts, &rec).unwrap();
    let stages = rec.0.into_inner();
    assert_eq!(stages.len(), 6, "{stages:?}");
    assert_eq!(stages[0], Stage::Resolve);
    assert!(matches!(stages[1], Stage::Documents { files } if files >= 1));
    assert_eq!(stages[2], Stage::Check);
    assert_eq!(
        stages[3],
        Stage::Solve {
            pods: 4,
            machines: 3
        }
    );
    assert_eq!(stages[4], Stage::Emit);
    assert_eq!(
        stages[5],
        Stage::Done {
            artifacts: c.artifacts.len()
        }
    );
    assert_eq!(stages[3].describe(), "placing 4 pods on 3 machines");

    // A spec with errors is not placed or emitted.
    let rec = Record::default();
    let broken = repo().join("golden/err-shape/input");
    driver::compile_observed(&amc::vfs::RealFs, &broken, "b", &opts, &rec).unwrap();
    let stages = rec.0.into_inner();
    assert!(
        !stages
            .iter()
            .any(|s| matches!(s, Stage::Solve { .. } | Stage::Emit))
    );
    assert_eq!(stages.last(), Some(&Stage::Done { artifacts: 0 }));
}

fn build_cmd(out: &Path) -> String {
    format!(
        "'{}' build examples/mixed-fleet --out '{}' --decided-at 2026-01-01T00:00:00Z",
        env!("CARGO_BIN_EXE_amc"),
        out.display()
    )
}

#[test]
fn progress_is_drawn_on_a_terminal_and_silent_otherwise() {
    let tmp = tempfile::tempdir().unwrap();
    // Not a terminal: stderr holds diagnostics and the summary, no progress.
    let o = Command::new("sh")
        .arg("-c")
        .arg(build_cmd(&tmp.path().join("a")))
        .current_dir(repo())
        .env_remove("AMC_NO_PROGRESS")
        .output()
        .unwrap();
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("placing") && !err.contains('\r'), "{err}");
    // A terminal (a pseudo-terminal from `script`): the stages are drawn.
    let o = Command::new("script")
        .args(["-qec", &build_cmd(&tmp.path().join("b")), "/dev/null"])
        .current_dir(repo())
        .env("TERM", "xterm")
        .env_remove("AMC_NO_PROGRESS")
        .output();
    let Ok(o) = o else {
        eprintln!("`script` is not installed; terminal case skipped");
        return;
    };
    assert!(o.status.success());
    let tty = String::from_utf8_lossy(&o.stdout);
    assert!(
        tty.contains("examples/mixed-fleet: placing 4 pods on 3 machines"),
        "{tty}"
    );
    assert!(tty.contains(" files to "), "{tty}");
}
