//! Documents a spec refers to: host facts, AttestationDecisions, PolicyAdmissions, AgentRegistryGrants.
//!
//! Takes the lowered spec and the spec root; reads every referenced JSON file
//! through the [`Vfs`], refusing paths that escape the root, and checks each
//! against its contract. Produces [`Documents`] (parsed values keyed by
//! spec-relative path) and diagnostics that point into the JSON files (and
//! back at the referencing spec line). Semantic rules are checked later.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Input, SpecRoot, display_name};
use crate::contracts;
use crate::ir::{self, Spanned};
use crate::vfs::{Vfs, join_inside};
use amc_syntax::diagnostics::{Code, Diagnostic, Diagnostics};
use amc_syntax::json_span;
use amc_syntax::source::{FileId, SourceMap, Span};

/// What a referenced document must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DocKind {
    /// Host facts (amc contract).
    HostFacts,
    /// A PolicyAdmission (upstream contract).
    PolicyAdmission,
    /// An AgentRegistryGrant (upstream contract).
    AgentRegistryGrant,
    /// A host AttestationDecision (upstream contract).
    AttestationDecision,
}

impl DocKind {
    /// The contract name.
    pub fn schema(self) -> &'static str {
        match self {
            DocKind::HostFacts => "host-facts",
            DocKind::PolicyAdmission => "upstream/policy-admission",
            DocKind::AgentRegistryGrant => "upstream/agent-registry-grant",
            DocKind::AttestationDecision => "upstream/attestation-decision",
        }
    }
    /// The expected `kind` field.
    pub fn kind(self) -> &'static str {
        match self {
            DocKind::HostFacts => "HostFacts",
            DocKind::PolicyAdmission => "PolicyAdmission",
            DocKind::AgentRegistryGrant => "AgentRegistryGrant",
            DocKind::AttestationDecision => "AttestationDecision",
        }
    }
}

/// A loaded, contract-valid document.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Its file.
    pub file: FileId,
    /// The parsed value.
    pub value: Value,
    /// What it is.
    pub kind: DocKind,
    /// The file's text, to point diagnostics at a value inside it.
    pub text: String,
}

impl Doc {
    /// The span of the value at a JSON pointer (the whole file when absent).
    pub fn span_of(&self, pointer: &str) -> Span {
        let (s, e) = json_span::locate(&self.text, pointer, None).unwrap_or((0, 1));
        Span::new(self.file, s, e)
    }
}

/// Every valid referenced document, by spec-relative path.
#[derive(Debug, Clone, Default)]
pub struct Documents {
    /// Documents by path.
    pub by_path: BTreeMap<String, Doc>,
}

impl Documents {
    /// The document at a path, when it loaded and validated.
    pub fn get(&self, path: &str) -> Option<&Doc> {
        self.by_path.get(path)
    }
}

/// Every (path, kind) the spec refers to, with the span of the reference.
pub fn references(spec: &ir::Spec) -> Vec<(Spanned<String>, DocKind)> {
    let mut out = Vec::new();
    for m in &spec.machines {
        if let Some(f) = &m.facts {
            out.push((f.clone(), DocKind::HostFacts));
        }
        if let Some(a) = &m.attestation {
            out.push((a.clone(), DocKind::AttestationDecision));
        }
    }
    for p in &spec.pods {
        for a in p.admissions.values() {
            out.push((a.clone(), DocKind::PolicyAdmission));
        }
        if let Some(g) = &p.grant {
            out.push((g.clone(), DocKind::AgentRegistryGrant));
        }
    }
    out
}

/// Loads and validates every referenced document.
pub fn load(
    vfs: &dyn Vfs,
    root: &SpecRoot,
    spec: &ir::Spec,
    map: &mut SourceMap,
    inputs: &mut Vec<Input>,
    diags: &mut Diagnostics,
) -> Documents {
    let mut docs = Documents::default();
    let mut seen: BTreeMap<String, DocKind> = BTreeMap::new();
    for (path, kind) in references(spec) {
        if let Some(prev) = seen.get(&path.value) {
            if *prev != kind {
                diags.push(
                    Diagnostic::new(
                        Code::E0403,
                        format!(
                            "`{}` is used both as a {} and as a {}",
                            path.value,
                            prev.kind(),
                            kind.kind()
                        ),
                    )
                    .label(path.span, format!("expected a {} here", kind.kind())),
                );
            }
            continue;
        }
        seen.insert(path.value.clone(), kind);
        if let Some(doc) = load_one(vfs, root, &path, kind, map, inputs, diags) {
            docs.by_path.insert(path.value.clone(), doc);
        }
    }
    docs
}

fn load_one(
    vfs: &dyn Vfs,
    root: &SpecRoot,
    path: &Spanned<String>,
    kind: DocKind,
    map: &mut SourceMap,
    inputs: &mut Vec<Input>,
    diags: &mut Diagnostics,
) -> Option<Doc> {
    let full = match join_inside(&root.dir, &path.value) {
        Ok(p) => p,
        Err(why) => {
            diags.push(
                Diagnostic::new(Code::E0204, format!("path `{}` {why}", path.value))
                    .label(path.span, "outside the spec root")
                    .help("keep every file a spec refers to inside the spec's directory, so the spec is self-contained and reproducible"),
            );
            return None;
        }
    };
    if !vfs.exists(&full) || vfs.is_dir(&full) {
        diags.push(
            Diagnostic::new(Code::E0205, format!("{} file `{}` not found", kind.kind(), path.value))
                .label(path.span, "no such file")
                .help(match kind {
                    DocKind::HostFacts => "write it with `amc probe --out FILE` on the machine, or declare `capacity` inline and drop `facts`".to_string(),
                    _ => "paths are relative to the spec root".to_string(),
                }),
        );
        return None;
    }
    // Refuse symlinks that lead out of the root.
    if let (Ok(canon_root), Ok(canon)) = (vfs.canonicalize(&root.dir), vfs.canonicalize(&full))
        && !canon.starts_with(&canon_root)
    {
        diags.push(
            Diagnostic::new(
                Code::E0204,
                format!(
                    "path `{}` leads outside the spec root through a link",
                    path.value
                ),
            )
            .label(path.span, "outside the spec root")
            .help("copy the file into the spec directory instead of linking to it"),
        );
        return None;
    }
    let bytes = match vfs.read(&full) {
        Ok(b) => b,
        Err(e) => {
            let d = if e.kind() == std::io::ErrorKind::FileTooLarge {
                Diagnostic::new(Code::E0004, format!("`{}` is {e}", path.value))
                    .label(path.span, "too large")
                    .help("a host-facts or governance document is a few kilobytes; check what the file really holds")
            } else {
                Diagnostic::new(Code::E0205, format!("cannot read `{}`: {e}", path.value))
                    .label(path.span, "unreadable")
            };
            diags.push(d);
            return None;
        }
    };
    inputs.push(Input {
        path: crate::vfs::slash_path(&crate::vfs::normalize(std::path::Path::new(&path.value))),
        bytes: bytes.clone(),
    });
    let name = display_name(root, &path.value);
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(_) => {
            diags.push(
                Diagnostic::new(Code::E0401, format!("`{}` is not UTF-8 JSON", path.value))
                    .label(path.span, "referenced here"),
            );
            return None;
        }
    };
    let file = map.add(name, text.clone());
    let value = checked_json(
        file,
        &text,
        &path.value,
        Expected::One(kind.kind(), kind.schema()),
        Some(path.span),
        diags,
    )?;
    Some(Doc {
        file,
        value,
        kind,
        text,
    })
}

/// What kind of document a JSON file must be.
#[derive(Debug, Clone, Copy)]
pub enum Expected<'a> {
    /// This `kind`, validated against this contract.
    One(&'a str, &'a str),
    /// Any of these (`kind`, contract) pairs (`amc import`).
    AnyOf(&'a [(&'a str, &'a str)]),
}

/// Parses `text` (already in the source map as `file`) as one JSON document,
/// checks its `kind` and validates it against its contract. Malformed JSON
/// is E0401, a wrong kind E0403, a contract violation E0402, each pointing
/// into the file (and at `referenced`, the spec line that named it, if any).
pub fn checked_json(
    file: FileId,
    text: &str,
    name: &str,
    expected: Expected<'_>,
    referenced: Option<Span>,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let with_ref = |d: Diagnostic, label: String| match referenced {
        Some(span) => d.label(span, label),
        None => d,
    };
    // serde_json keeps the last of two equal keys; a document that says
    // `"kind"` twice is refused instead of read as either.
    let parsed =
        serde_json::from_str::<unique::Unique>(text).and_then(|_| serde_json::from_str(text));
    let value: Value = match parsed {
        Ok(v) => v,
        Err(e) => {
            let off = json_span::offset_of(text, e.line(), e.column());
            diags.push(with_ref(
                Diagnostic::new(Code::E0401, format!("malformed JSON in `{name}`: {e}"))
                    .label(Span::new(file, off, (off + 1).min(text.len())), "here")
                    .help("the file must be a single JSON document"),
                "referenced here".into(),
            ));
            return None;
        }
    };
    let found_kind = value.get("kind").and_then(Value::as_str);
    let (kinds, wanted): (Vec<(&str, &str)>, String) = match expected {
        Expected::One(k, s) => (vec![(k, s)], format!("a {k}")),
        Expected::AnyOf(list) => (
            list.to_vec(),
            format!(
                "one of {}",
                list.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
            ),
        ),
    };
    let Some((kind, schema)) = kinds.iter().find(|(k, _)| Some(*k) == found_kind).copied() else {
        let (s, e) = json_span::locate(text, "/kind", None).unwrap_or((0, 1));
        let label = match expected {
            Expected::One(k, _) => format!("expected \"kind\": \"{k}\""),
            Expected::AnyOf(_) => format!("expected {wanted}"),
        };
        diags.push(with_ref(
            Diagnostic::new(
                Code::E0403,
                format!(
                    "`{name}` is a {}, expected {wanted}",
                    found_kind.unwrap_or("document without a kind")
                ),
            )
            .label(Span::new(file, s, e), label),
            format!("used as {wanted} here"),
        ));
        return None;
    };
    match contracts::validate(schema, &value) {
        Err(e) => {
            diags.push(Diagnostic::internal(e));
            None
        }
        Ok(violations) if violations.is_empty() => Some(value),
        Ok(violations) => {
            for v in violations {
                let (s, e) = json_span::locate(text, &v.pointer, v.unexpected_key.as_deref())
                    .unwrap_or((0, 1));
                let at = if v.pointer.is_empty() {
                    "/".to_string()
                } else {
                    v.pointer.clone()
                };
                diags.push(with_ref(
                    Diagnostic::new(
                        Code::E0402,
                        format!("{kind} `{name}` violates its contract at {at}: {}", v.message),
                    )
                    .label(Span::new(file, s, e), "here")
                    .help(format!("the document must validate against contracts/{schema}.schema.json (`amc schema {schema}`)")),
                    "referenced here".into(),
                ));
            }
            None
        }
    }
}

/// A JSON walk that fails on the first object with a repeated key.
mod unique {
    use std::collections::BTreeSet;
    use std::fmt;

    use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

    /// Any JSON value whose objects have distinct keys.
    pub struct Unique;

    impl<'de> Deserialize<'de> for Unique {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(UniqueVisitor)
        }
    }

    struct UniqueVisitor;

    impl<'de> Visitor<'de> for UniqueVisitor {
        type Value = Unique;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON value")
        }
        fn visit_bool<E>(self, _: bool) -> Result<Unique, E> {
            Ok(Unique)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Unique, E> {
            Ok(Unique)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Unique, E> {
            Ok(Unique)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Unique, E> {
            Ok(Unique)
        }
        fn visit_str<E>(self, _: &str) -> Result<Unique, E> {
            Ok(Unique)
        }
        fn visit_unit<E>(self) -> Result<Unique, E> {
            Ok(Unique)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Unique, A::Error> {
            while seq.next_element::<Unique>()?.is_some() {}
            Ok(Unique)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Unique, A::Error> {
            let mut seen = BTreeSet::new();
            while let Some(k) = map.next_key::<String>()? {
                if !seen.insert(k.clone()) {
                    return Err(de::Error::custom(format!("duplicate key `{k}`")));
                }
                map.next_value::<Unique>()?;
            }
            Ok(Unique)
        }
    }
}
