//! Document and workspace symbols.
//!
//! Takes a buffer's outline (document symbols: every node, nested as
//! written; a definition is named by its id) or the files of the specs the
//! open buffers belong to (workspace symbols: every machine, provider,
//! model, cache tier, cluster and pod, filtered by the query); produces LSP
//! symbols in a deterministic order. Never reads the stdlib into workspace
//! symbols (it is not the user's code).

use lsp_types::{DocumentSymbol, Location, Range, SymbolInformation, SymbolKind, Uri};

use super::convert::LineIndex;
use super::outline::{ONode, outline};
use super::references::defining_kind;

/// The symbol kind shown for a node.
pub fn kind_of(name: &str, leaf: bool) -> SymbolKind {
    match name {
        "machine" => SymbolKind::CLASS,
        "cluster" => SymbolKind::NAMESPACE,
        "provider" | "profile" => SymbolKind::INTERFACE,
        "model" => SymbolKind::STRUCT,
        "cache-tier" => SymbolKind::ENUM,
        "pod" => SymbolKind::MODULE,
        "import" => SymbolKind::PACKAGE,
        _ if leaf => SymbolKind::PROPERTY,
        _ => SymbolKind::OBJECT,
    }
}

/// The hierarchical symbols of a buffer.
pub fn document_symbols(text: &str) -> Vec<DocumentSymbol> {
    let lines = LineIndex::new(text);
    symbols(&outline(text), &lines, true)
}

#[allow(deprecated)] // `deprecated` is a required field of the struct.
fn symbols(nodes: &[ONode], lines: &LineIndex<'_>, top: bool) -> Vec<DocumentSymbol> {
    nodes
        .iter()
        .filter(|n| !n.name.is_empty())
        .map(|n| {
            let defines = top && defining_kind(&n.name).is_some();
            let id = n.args.first().filter(|_| defines || n.name == "import");
            let (name, detail, selection) = match id {
                Some(id) if !id.text.is_empty() => (id.text.clone(), Some(n.name.clone()), id.span),
                _ => {
                    let args: Vec<&str> = n.args.iter().map(|a| a.text.as_str()).collect();
                    let detail = (!args.is_empty()).then(|| args.join(" "));
                    (n.name.clone(), detail, n.name_span)
                }
            };
            let children = symbols(&n.children, lines, false);
            DocumentSymbol {
                name,
                detail,
                kind: kind_of(&n.name, n.children.is_empty() && n.block.is_none()),
                tags: None,
                deprecated: None,
                range: lines.range(n.span.0, n.span.1),
                selection_range: lines.range(selection.0, selection.1),
                children: (!children.is_empty()).then_some(children),
            }
        })
        .collect()
}

/// A definition for workspace symbols.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WorkspaceDef {
    /// The id.
    pub id: String,
    /// Its kind (`machine`, ...).
    pub kind: String,
    /// The URI of its file.
    pub uri: String,
    /// Where its id is.
    pub range: (u32, u32, u32, u32),
}

/// The top-level definitions of a file.
///
/// What a `for-each` stamps is listed by its stamped ids (`agent-acme`,
/// `agent-globex`), each at the template's id.
pub fn file_defs(uri: &str, text: &str) -> Vec<WorkspaceDef> {
    let lines = LineIndex::new(text);
    super::references::with_ids(&outline(text))
        .into_iter()
        .filter_map(|(n, id)| {
            let kind = defining_kind(&n.name)?;
            let at = n.args.first()?;
            let r = lines.range(at.span.0, at.span.1);
            Some(WorkspaceDef {
                id,
                kind: kind.to_string(),
                uri: uri.to_string(),
                range: (r.start.line, r.start.character, r.end.line, r.end.character),
            })
        })
        .collect()
}

/// Whether `query`'s characters appear in `id` in order, ignoring case (an
/// empty query matches everything).
pub fn matches(query: &str, id: &str) -> bool {
    let mut chars = id.chars().flat_map(char::to_lowercase);
    query
        .chars()
        .flat_map(char::to_lowercase)
        .all(|q| chars.any(|c| c == q))
}

/// Workspace symbols: the definitions matching `query`, sorted by id, kind,
/// URI and position, each once.
#[allow(deprecated)] // `deprecated` is a required field of the struct.
pub fn workspace_symbols(mut defs: Vec<WorkspaceDef>, query: &str) -> Vec<SymbolInformation> {
    defs.retain(|d| matches(query, &d.id));
    defs.sort();
    defs.dedup();
    defs.into_iter()
        .filter_map(|d| {
            let uri: Uri = d.uri.parse().ok()?;
            let (sl, sc, el, ec) = d.range;
            Some(SymbolInformation {
                name: d.id,
                kind: kind_of(&d.kind, false),
                tags: None,
                deprecated: None,
                location: Location {
                    uri,
                    range: Range {
                        start: lsp_types::Position {
                            line: sl,
                            character: sc,
                        },
                        end: lsp_types::Position {
                            line: el,
                            character: ec,
                        },
                    },
                },
                container_name: Some(d.kind),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_nest_and_definitions_are_named_by_id() {
        let t = "import \"std:providers\"\nmachine \"ws\" {\n    capacity {\n        cpu 8\n    }\n}\npod \"coder\" {\n    port \"http\" exposure=\"loopback\"\n}\n";
        let s = document_symbols(t);
        let names: Vec<(&str, Option<&str>)> = s
            .iter()
            .map(|d| (d.name.as_str(), d.detail.as_deref()))
            .collect();
        assert_eq!(
            names,
            [
                ("std:providers", Some("import")),
                ("ws", Some("machine")),
                ("coder", Some("pod"))
            ]
        );
        let cap = &s[1].children.as_ref().unwrap()[0];
        assert_eq!(cap.name, "capacity");
        assert_eq!(cap.children.as_ref().unwrap()[0].name, "cpu");
        assert_eq!(
            cap.children.as_ref().unwrap()[0].detail.as_deref(),
            Some("8")
        );
        let port = &s[2].children.as_ref().unwrap()[0];
        assert_eq!(
            (port.name.as_str(), port.detail.as_deref()),
            ("port", Some("http"))
        );
        for d in &s {
            assert!(
                d.range.start <= d.selection_range.start && d.selection_range.end <= d.range.end
            );
        }
    }

    #[test]
    fn workspace_queries_filter_and_sort() {
        let mut defs = file_defs("file:///s/b.kdl", "pod \"coder\"\nmachine \"gpu-1\"\n");
        defs.extend(file_defs(
            "file:///s/a.kdl",
            "model \"codellama\"\nmachine \"cpu-box\"\n",
        ));
        let names = |q: &str| -> Vec<String> {
            workspace_symbols(defs.clone(), q)
                .into_iter()
                .map(|s| s.name)
                .collect()
        };
        assert_eq!(names(""), ["codellama", "coder", "cpu-box", "gpu-1"]);
        assert_eq!(names("CODE"), ["codellama", "coder"]);
        assert_eq!(names("cb"), ["cpu-box"]);
        assert!(names("zzz").is_empty());
    }
}
