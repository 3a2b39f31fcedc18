//! Rebuilds the crate when embedded data changes: `include_dir!` of a
//! directory does not tell cargo about files added later.

fn main() {
    for dir in ["../../../stdlib", "../../../contracts"] {
        println!("cargo:rerun-if-changed={dir}");
    }
}
