//! Rebuilds the crate when embedded data changes: `include_dir!` of a
//! directory does not tell cargo about files added later.

fn main() {
    println!("cargo:rerun-if-changed=../../../targets");
}
