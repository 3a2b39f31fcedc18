//! Rename: an id at its definition and at every reference, in every file of
//! the spec.
//!
//! Takes the buffer and offset of the cursor, the spec's [`Index`] (its files
//! read through the open buffers, and the stdlib) and a new id; produces the
//! edits by file, or a refusal: the cursor is on no id, the id is defined in
//! the stdlib (which is read-only), the new id is not a valid id or is taken.
//! Never edits the stdlib; never writes (the client applies the edits).

use std::collections::BTreeMap;
use std::path::PathBuf;

use amc_lang::lang::types::is_identifier;
use amc_syntax::diagnostics::quote;

use super::index::{Index, Place};
use super::outline::outline;
use super::references::{at, occurrences};

/// An id under the cursor that can be renamed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renamable {
    /// Its kind (`machine`, `pod`, ...).
    pub kind: &'static str,
    /// The id.
    pub id: String,
    /// Byte range of the value under the cursor, quotes included.
    pub span: (usize, usize),
}

/// What the id under the cursor is, or why it cannot be renamed.
pub fn prepare(text: &str, offset: usize, index: &Index) -> Result<Renamable, String> {
    let nodes = outline(text);
    let occ = occurrences(&nodes);
    let o = at(&occ, offset).and_then(|i| occ.get(i)).ok_or_else(|| {
        "only the id of a machine, provider, model, cache tier, cluster or pod can be renamed"
            .to_string()
    })?;
    let id = o.value.text.clone();
    if id.contains('{') {
        return Err(format!(
            "`{id}` is stamped by a `for-each` from its variables; rename the values in its rows instead"
        ));
    }
    // A reference to an id a `for-each` stamps: the definition is a template.
    let stamped = index.find(o.kind, &id).is_some_and(|d| {
        index
            .file(d)
            .and_then(|(_, text)| text.get(d.id_span.0..d.id_span.1))
            .is_some_and(|t| t.contains('{'))
    });
    if stamped {
        return Err(format!(
            "{} `{id}` is stamped by a `for-each`; rename the values in its rows instead",
            o.kind
        ));
    }
    let in_spec = definitions(index, o.kind, &id)
        .iter()
        .any(|p| matches!(p, Place::Path(_)));
    if !in_spec && let Some(Place::Std(module)) = definitions(index, o.kind, &id).first() {
        return Err(format!(
            "{} `{id}` is defined in the stdlib ({module}), which is read-only; define your own {} to rename it",
            o.kind, o.kind
        ));
    }
    Ok(Renamable {
        kind: o.kind,
        id,
        span: o.value.span,
    })
}

/// Where `kind` `id` is defined: spec files and stdlib modules.
fn definitions(index: &Index, kind: &str, id: &str) -> Vec<Place> {
    let mut out = Vec::new();
    for (place, text) in &index.files {
        let nodes = outline(text);
        if occurrences(&nodes)
            .iter()
            .any(|o| o.definition && o.kind == kind && o.value.text == id)
        {
            out.push(place.clone());
        }
    }
    out
}

/// Edits by spec file: byte ranges into that file's text, and the new text.
pub type FileEdits = BTreeMap<PathBuf, Vec<((usize, usize), String)>>;

/// The edits renaming what [`prepare`] found to `new_id`.
pub fn rename(what: &Renamable, new_id: &str, index: &Index) -> Result<FileEdits, String> {
    if !is_identifier(new_id) {
        return Err(format!(
            "`{new_id}` is not a valid id: ids use lower-case letters, digits and `-`, start with a letter or digit, do not end with `-`, and have at most 40 characters"
        ));
    }
    let mut out = FileEdits::new();
    if new_id == what.id {
        return Ok(out);
    }
    if let Some(place) = definitions(index, what.kind, new_id).first() {
        let where_ = match place {
            Place::Path(p) => p.display().to_string(),
            Place::Std(m) => m.clone(),
        };
        return Err(format!(
            "{} `{new_id}` is already defined (in {where_})",
            what.kind
        ));
    }
    let replacement = quote(new_id);
    for (place, text) in &index.files {
        let Place::Path(path) = place else { continue };
        let nodes = outline(text);
        let edits: Vec<((usize, usize), String)> = occurrences(&nodes)
            .iter()
            .filter(|o| o.kind == what.kind && o.value.text == what.id)
            .map(|o| (o.value.span, replacement.clone()))
            .collect();
        if !edits.is_empty() {
            out.entry(path.clone()).or_default().extend(edits);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::store::Target;
    use super::*;
    use amc_lang::vfs::MemoryFs;

    #[test]
    fn renames_across_files_and_refuses_the_stdlib() {
        let a = "provider \"p1\" extends=\"vllm\"\nmachine \"m1\"\n";
        let b = "pod \"x\" {\n    provider \"p1\"\n    placement {\n        pin \"m1\"\n    }\n}\npod \"y\" {\n    provider \"p1\"\n    placement {\n        affinity \"x\"\n    }\n}\n";
        let mut fs = MemoryFs::new();
        fs.insert("s/a.kdl", a);
        fs.insert("s/b.kdl", b);
        let idx = Index::build(&Target::Dir(PathBuf::from("s")), &fs);
        let what = prepare(b, b.find("\"p1\"").unwrap() + 1, &idx).unwrap();
        assert_eq!((what.kind, what.id.as_str()), ("provider", "p1"));
        let edits = rename(&what, "p2", &idx).unwrap();
        assert_eq!(edits[&PathBuf::from("s/a.kdl")].len(), 1);
        assert_eq!(edits[&PathBuf::from("s/b.kdl")].len(), 2);
        // A pod, named by an affinity.
        let pod = prepare(b, b.find("\"x\"").unwrap(), &idx).unwrap();
        assert_eq!(
            rename(&pod, "z", &idx).unwrap()[&PathBuf::from("s/b.kdl")].len(),
            2
        );
        // Refusals.
        assert!(rename(&what, "Bad Id", &idx).is_err());
        assert!(
            rename(&what, "m1", &idx).is_ok(),
            "another kind's id is free"
        );
        let m = prepare(a, a.find("m1").unwrap(), &idx).unwrap();
        assert!(rename(&m, "m1", &idx).unwrap().is_empty());
        let err = prepare(a, a.find("vllm").unwrap(), &idx).unwrap_err();
        assert!(err.contains("stdlib"), "{err}");
        assert!(prepare(a, 2, &idx).is_err());
    }
}
