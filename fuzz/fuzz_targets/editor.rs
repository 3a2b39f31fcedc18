//! The language server's features on whatever an editor holds: hover,
//! go-to-definition and completion at offsets chosen by the input, on the
//! text and on every cut of it (a user typing), plus formatting.
#![no_main]

use amc::lsp::completion::complete;
use amc::lsp::convert::LineIndex;
use amc::lsp::definition::definition;
use amc::lsp::hover::hover;
use amc::lsp::index::Index;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let (head, body) = data.split_at(2);
    let Ok(text) = std::str::from_utf8(body) else { return };
    let index = Index::default();
    let lazy = || Index::default();
    let step = usize::from(head[0]).max(1);
    let cut_at = usize::from(head[1]) * text.len() / 255;
    for t in [text, &text[..floor_boundary(text, cut_at)]] {
        let lines = LineIndex::new(t);
        for off in (0..=t.len()).step_by(step) {
            let _ = hover(t, off, &lazy);
            let _ = definition(t, off, &index);
            let _ = complete(t, off, &lines, &lazy);
        }
        let _ = amc::fmt::format_str("edit.kdl", t);
    }
});

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
