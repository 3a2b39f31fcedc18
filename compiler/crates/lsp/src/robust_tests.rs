//! Editor features never panic on half-typed text: every example and stdlib
//! file, cut at many points, queried at many offsets.

use super::completion::complete;
use super::convert::LineIndex;
use super::definition::definition;
use super::hover::hover;
use super::index::Index;
use super::{inlay, rename, semantic, symbols};

fn texts() -> Vec<String> {
    let root =
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("../examples");
    let mut out: Vec<String> = amc_lang::resolve::stdlib::all_files()
        .into_iter()
        .map(|f| f.text.to_string())
        .collect();
    for e in walkdir::WalkDir::new(root) {
        let e = e.unwrap();
        if e.path().extension().is_some_and(|x| x == "kdl") {
            out.push(std::fs::read_to_string(e.path()).unwrap());
        }
    }
    out.push("pod \"é😀\" { port \"x\" exposure=\"lo".into());
    out.push("\"\"\"\n#\"raw /* { } \\\n/-".into());
    out
}

#[test]
fn features_survive_any_prefix_and_offset() {
    let index = Index::default();
    let lazy = || Index::default();
    for full in texts() {
        let cuts: Vec<usize> = (0..full.len())
            .step_by(full.len() / 3 + 1)
            .chain([full.len()])
            .filter(|c| full.is_char_boundary(*c))
            .collect();
        for cut in cuts {
            let text = &full[..cut];
            let lines = LineIndex::new(text);
            let _ = semantic::encode(text, &semantic::tokens(text));
            let _ = symbols::document_symbols(text);
            let _ = symbols::file_defs("file:///x.kdl", text);
            let _ = inlay::to_lsp(text, 0, text.len(), &[]);
            for off in (0..=text.len()).step_by(97) {
                if let Ok(what) = rename::prepare(text, off, &index) {
                    let _ = rename::rename(&what, "new-id", &index);
                }
                let _ = hover(text, off, &lazy);
                let _ = definition(text, off, &index);
                let _ = complete(text, off, &lines, &lazy);
            }
        }
    }
}
