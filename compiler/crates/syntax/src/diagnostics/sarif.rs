//! SARIF 2.1.0 output for code-scanning tools (`amc check --format sarif`).
//!
//! Takes diagnostics with the source maps they point into; produces one SARIF
//! log with one run: a rule per code that occurs (id, title, help text from
//! docs/diagnostics.md, a help URI to its section), and a result per
//! diagnostic with its primary region and the other labels as related
//! locations. Columns are Unicode code points, as everywhere in amc. Never
//! decides severity or wording, and writes no clock or absolute path it was
//! not given.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Code, Diagnostic, Label, Severity};
use crate::source::SourceMap;

/// Where the rules' `helpUri`s point: the diagnostics reference in the
/// repository named by the package.
fn help_uri(code: Code) -> String {
    let info = code.info();
    // GitHub's anchor for "## E0102 — unknown property": lower case, punctuation
    // other than `-` dropped, spaces to `-`.
    let heading = format!("{} — {}", info.code, info.title).to_lowercase();
    let anchor: String = heading
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect();
    format!("{}/blob/main/docs/diagnostics.md#{anchor}", repository())
}

/// The repository URL from Cargo.toml.
fn repository() -> &'static str {
    match env!("CARGO_PKG_REPOSITORY").trim_end_matches('/') {
        "" => "https://example.invalid/amc",
        r => r,
    }
}

/// A SARIF log.
#[derive(Debug, Serialize)]
pub struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    column_kind: &'static str,
    original_uri_base_ids: OriginalUriBaseIds,
    results: Vec<SarifResult>,
}

#[derive(Debug, Serialize)]
struct OriginalUriBaseIds {
    #[serde(rename = "%SRCROOT%")]
    src_root: BaseDescription,
}

#[derive(Debug, Serialize)]
struct BaseDescription {
    description: Text,
}

#[derive(Debug, Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: String,
    short_description: Text,
    help_uri: String,
    help: Help,
    default_configuration: Configuration,
}

#[derive(Debug, Serialize)]
struct Text {
    text: String,
}

#[derive(Debug, Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Debug, Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A file name as a URI reference: relative names stay relative (to
/// `%SRCROOT%`), absolute ones become `file://` URIs; unsafe bytes are
/// percent-encoded.
fn artifact(name: &str) -> ArtifactLocation {
    let encode = |s: &str, keep: &[u8]| {
        let mut out = String::new();
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) || keep.contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    };
    if name.starts_with('/') {
        ArtifactLocation {
            uri: format!("file://{}", encode(name, b":")),
            uri_base_id: None,
        }
    } else if let Some(module) = name.strip_prefix("std:") {
        // Embedded stdlib modules have no file: `std:NAME`, as amc writes them.
        ArtifactLocation {
            uri: format!("std:{}", encode(module, b"")),
            uri_base_id: None,
        }
    } else {
        // `:` is encoded so that a relative path never reads as a URI scheme.
        let rel = name.strip_prefix("./").unwrap_or(name);
        ArtifactLocation {
            uri: encode(rel, b""),
            uri_base_id: Some("%SRCROOT%"),
        }
    }
}

fn location(label: &Label, map: &SourceMap, id: Option<usize>) -> Option<Location> {
    let file = map.get(label.span.file)?;
    let (start_line, start_column) = file.line_col(label.span.start as usize);
    let (end_line, end_column) = file.line_col(label.span.end as usize);
    Some(Location {
        id,
        physical_location: PhysicalLocation {
            artifact_location: artifact(&file.name),
            region: Region {
                start_line,
                start_column,
                end_line,
                end_column,
            },
        },
        message: id.map(|_| Text {
            text: label.message.clone(),
        }),
    })
}

fn pascal(title: &str) -> String {
    title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|f| f.to_uppercase().chain(cs).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// Builds the SARIF log for diagnostics from one or more compilations.
pub fn log<'a>(batches: impl IntoIterator<Item = (&'a [Diagnostic], &'a SourceMap)>) -> Log {
    let batches: Vec<(&[Diagnostic], &SourceMap)> = batches.into_iter().collect();
    let codes: BTreeSet<Code> = batches
        .iter()
        .flat_map(|(ds, _)| ds.iter().map(|d| d.code))
        .collect();
    let codes: Vec<Code> = codes.into_iter().collect();
    let rules = codes
        .iter()
        .map(|c| {
            let info = c.info();
            let page = super::explain(*c).trim_end().to_string();
            Rule {
                id: info.code,
                name: pascal(info.title),
                short_description: Text {
                    text: info.title.to_string(),
                },
                help_uri: help_uri(*c),
                help: Help {
                    text: page.clone(),
                    markdown: page,
                },
                default_configuration: Configuration {
                    level: level(info.severity),
                },
            }
        })
        .collect();
    let mut results = Vec::new();
    for (diags, map) in &batches {
        for d in diags.iter() {
            let mut text = d.message.clone();
            if let Some(h) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(h);
            }
            let mut labels = d.labels.iter();
            let locations = labels
                .next()
                .and_then(|l| location(l, map, None))
                .into_iter()
                .collect();
            let related_locations = labels
                .enumerate()
                .filter_map(|(i, l)| location(l, map, Some(i + 1)))
                .collect();
            results.push(SarifResult {
                rule_id: d.code.info().code,
                rule_index: codes.iter().position(|c| *c == d.code).unwrap_or(0),
                level: level(d.severity),
                message: Text { text },
                locations,
                related_locations,
            });
        }
    }
    Log {
        schema: "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "amc",
                    version: crate::VERSION,
                    semantic_version: crate::VERSION,
                    information_uri: repository(),
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            original_uri_base_ids: OriginalUriBaseIds {
                src_root: BaseDescription {
                    description: Text {
                        text: "The directory amc was run in.".to_string(),
                    },
                },
            },
            results,
        }],
    }
}

/// The SARIF log as pretty JSON text (with a final newline).
pub fn to_string(log: &Log) -> String {
    let mut s = serde_json::to_string_pretty(log).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_uri_points_at_the_docs_section() {
        assert!(help_uri(Code::E0102).ends_with("docs/diagnostics.md#e0102--unknown-property"));
        assert!(help_uri(Code::E0001).ends_with("#e0001--kdl-syntax-error"));
    }

    #[test]
    fn uris_are_relative_and_encoded() {
        let a = artifact("./my specs/a.kdl");
        assert_eq!(a.uri, "my%20specs/a.kdl");
        assert_eq!(a.uri_base_id, Some("%SRCROOT%"));
        assert_eq!(artifact("/abs/a.kdl").uri, "file:///abs/a.kdl");
        assert_eq!(artifact("std:providers").uri_base_id, None);
    }

    #[test]
    fn pascal_names() {
        assert_eq!(pascal("KDL syntax error"), "KDLSyntaxError");
    }
}
