//! Rebuilds the crate when embedded data changes: `include_dir!` and
//! `include_str!` of directories do not tell cargo about files added later.

fn main() {
    for dir in ["../stdlib", "../contracts", "../targets", "../docs"] {
        println!("cargo:rerun-if-changed={dir}");
    }
}
