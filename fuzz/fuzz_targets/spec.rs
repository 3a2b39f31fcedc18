//! Spec text → the whole pipeline (check, solve, emit, sign-free build) and
//! `amc fmt`. Any panic, hang or OOM is a bug: user input only ever gets
//! diagnostics.
#![no_main]

use std::path::Path;

use amc::driver::{self, Options, Stop};
use amc::vfs::MemoryFs;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut fs = MemoryFs::new();
    fs.insert("/spec/spec.kdl", data.to_vec());
    let opts = Options {
        stop: Stop::Build,
        ..Default::default()
    };
    let _ = driver::compile(&fs, Path::new("/spec"), "spec", &opts);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(once) = amc::fmt::format_str("spec.kdl", text) {
            // Formatting is idempotent on whatever it accepts.
            let twice = amc::fmt::format_str("spec.kdl", &once);
            assert_eq!(twice.ok().as_deref(), Some(once.as_str()), "fmt not idempotent");
        }
    }
});
