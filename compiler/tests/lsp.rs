//! Language server sessions: in process over `Connection::memory()`, and
//! through the real binary over stdio with Content-Length framing.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

#[path = "lsp/editing.rs"]
mod editing;

const TIMEOUT: Duration = Duration::from_secs(60);

/// A broken spec: pod `broken` names an undefined provider, on a line whose
/// earlier characters are not ASCII (so byte, character and UTF-16 columns differ).
const SPEC: &str = r#"// Ünïcødé comment.
import "std:providers/llama-cpp"

provider "my-llama" extends="llama-cpp" {
    description "Llama für alle 😀"
}

machine "ws" {
    profile "sourceos-workstation"
    capacity {
        cpu 8
        memory "32GiB"
    }
}

pod "coder" {
    tenant "dev"
    provider "my-llama"
    port "http" exposure="loopback"
    target "quadlet"

}

pod "broken" {
    tenant "dev"
    description "😀 é"; provider "nope"
    target "quadlet"
}
"#;

struct Client {
    conn: Connection,
    next: i32,
    notes: Vec<Notification>,
    server: Option<JoinHandle<Result<(), String>>>,
}

impl Client {
    fn start(stdlib_dir: PathBuf) -> Client {
        let (server, client) = Connection::memory();
        let handle =
            std::thread::spawn(move || amc::lsp::serve(&server, amc::lsp::Config { stdlib_dir }));
        Client {
            conn: client,
            next: 0,
            notes: Vec::new(),
            server: Some(handle),
        }
    }

    fn recv(&mut self) -> Message {
        self.conn
            .receiver
            .recv_timeout(TIMEOUT)
            .expect("the server said nothing")
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = RequestId::from(self.next);
        self.conn
            .sender
            .send(Request::new(id.clone(), method.into(), params).into())
            .unwrap();
        loop {
            match self.recv() {
                Message::Response(r) if r.id == id => {
                    return r
                        .response_result
                        .unwrap_or_else(|e| panic!("{method}: {e:?}"));
                }
                Message::Notification(n) => self.notes.push(n),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Notification::new(method.into(), params).into())
            .unwrap();
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        loop {
            if let Some(i) = self.notes.iter().position(|n| {
                n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri
            }) {
                let n = self.notes.remove(i);
                return n.params["diagnostics"].as_array().unwrap().clone();
            }
            match self.recv() {
                Message::Notification(n) => self.notes.push(n),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    /// Diagnostics published for `uri` until one set satisfies `pred` (edits
    /// may be compiled in one batch or several).
    fn diagnostics_until(&mut self, uri: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        loop {
            let d = self.diagnostics(uri);
            if pred(&d) {
                return d;
            }
        }
    }

    fn shutdown(mut self) {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        let result = self.server.take().unwrap().join().unwrap();
        assert_eq!(result, Ok(()));
    }
}

fn uri(p: &Path) -> String {
    amc::lsp::convert::path_to_uri(p)
}

/// Line and UTF-16 column (0-based) of the `n`th occurrence of `needle` in `text`.
fn pos_of(text: &str, needle: &str, n: usize) -> (u64, u64) {
    let off = text.match_indices(needle).nth(n).unwrap().0;
    let before = &text[..off];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col: usize = text[line_start..off].chars().map(char::len_utf16).sum();
    (line as u64, col as u64)
}

fn position(p: (u64, u64)) -> Value {
    json!({"line": p.0, "character": p.1})
}

fn at(doc: &str, p: (u64, u64)) -> Value {
    json!({"textDocument": {"uri": doc}, "position": position(p)})
}

fn setup() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let spec_dir = dir.path().join("spec");
    std::fs::create_dir_all(&spec_dir).unwrap();
    let file = spec_dir.join("spec.kdl");
    std::fs::write(&file, SPEC).unwrap();
    let doc = uri(&file);
    (dir, file, doc)
}

#[test]
fn a_session_in_process() {
    let (dir, _file, doc) = setup();
    let stdlib_dir = dir.path().join("stdlib-copy");
    let mut c = Client::start(stdlib_dir.clone());

    // initialize: the capabilities the editors rely on.
    let init = c.request(
        "initialize",
        json!({"capabilities": {}, "workspaceFolders": [{"uri": uri(dir.path()), "name": "w"}]}),
    );
    let caps = &init["capabilities"];
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(caps["definitionProvider"], true);
    assert_eq!(caps["documentFormattingProvider"], true);
    assert_eq!(caps["textDocumentSync"]["change"], 1);
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(init["serverInfo"]["name"], "amc");
    c.notify("initialized", json!({}));

    // Open the broken document: E0203 on `"nope"`, in UTF-16 columns.
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": doc, "languageId": "kdl", "version": 1, "text": SPEC}}),
    );
    let diags = c.diagnostics(&doc);
    let e = diags
        .iter()
        .find(|d| d["code"] == "E0203")
        .unwrap_or_else(|| panic!("no E0203 in {diags:#?}"));
    let (line, col) = pos_of(SPEC, "\"nope\"", 0);
    assert_eq!(e["range"]["start"], position((line, col)));
    assert_eq!(e["range"]["end"], position((line, col + 6)));
    assert_eq!(e["severity"], 1);
    assert_eq!(e["source"], "amc");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("refers to provider `nope`")
    );
    // The character column is 32 but the UTF-16 one is 33 (the emoji is two units).
    assert_eq!(col, 33);

    // Hover on a node: the catalogue's documentation.
    let h = c.request("textDocument/hover", at(&doc, pos_of(SPEC, "pod", 0)));
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.contains(amc::lang::spec::POD.doc), "{md}");
    assert_eq!(h["range"]["start"], position(pos_of(SPEC, "pod", 0)));
    // Hover on an enum value: the vocabulary's line.
    let (l, col) = pos_of(SPEC, "\"loopback\"", 0);
    let h = c.request("textDocument/hover", at(&doc, (l, col + 3)));
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(
        md.contains("Published on 127.0.0.1 of the host only."),
        "{md}"
    );

    // Definition: the pod's provider reference → the provider node.
    let (l, col) = pos_of(SPEC, "\"my-llama\"", 1);
    let d = c.request("textDocument/definition", at(&doc, (l, col + 2)));
    assert_eq!(d["uri"], doc.as_str());
    assert_eq!(
        d["range"]["start"],
        position(pos_of(SPEC, "provider \"my-llama\"", 0))
    );
    // ... and `extends` → the stdlib's provider, in the read-only copy.
    let (l, col) = pos_of(SPEC, "\"llama-cpp\"", 0);
    let d = c.request("textDocument/definition", at(&doc, (l, col + 2)));
    let target = amc::lsp::convert::uri_to_path(d["uri"].as_str().unwrap()).unwrap();
    assert!(target.starts_with(&stdlib_dir), "{target:?}");
    let text = std::fs::read_to_string(&target).unwrap();
    let start = &d["range"]["start"];
    let line = text
        .lines()
        .nth(start["line"].as_u64().unwrap() as usize)
        .unwrap();
    assert!(line.starts_with("provider \"llama-cpp\""), "{line}");

    // Completion inside the pod block (the blank line) and of an enum value.
    let (l, _) = pos_of(SPEC, "    target \"quadlet\"\n\n}", 0);
    let items = c.request("textDocument/completion", at(&doc, (l + 1, 0)));
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"model") && labels.contains(&"volume"),
        "{labels:?}"
    );
    assert!(
        !labels.contains(&"tenant"),
        "tenant is written already: {labels:?}"
    );
    assert!(!labels.contains(&"machine"), "{labels:?}");
    let (l, col) = pos_of(SPEC, "exposure=", 0);
    let items = c.request("textDocument/completion", at(&doc, (l, col + 9)));
    let ingress = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "ingress")
        .unwrap();
    assert_eq!(ingress["textEdit"]["newText"], "\"ingress\"");

    // Formatting: the edits turn the document into the formatter's output.
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": doc}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    let mut text = SPEC.to_string();
    for e in edits.as_array().unwrap() {
        let r: lsp_types::Range = serde_json::from_value(e["range"].clone()).unwrap();
        let idx = amc::lsp::convert::LineIndex::new(&text);
        let (s, end) = (idx.offset(r.start), idx.offset(r.end));
        text.replace_range(s..end, e["newText"].as_str().unwrap());
    }
    assert_eq!(Some(text), amc::lsp::formatting::formatted(SPEC));

    // Fixing the reference clears the error (the change is not saved).
    let fixed = SPEC.replace("\"nope\"", "\"my-llama\"");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    let diags = c.diagnostics(&doc);
    assert!(
        diags.iter().all(|d| d["severity"] != 1),
        "errors left: {diags:#?}"
    );

    c.shutdown();
}

#[test]
fn diagnostics_follow_files_of_a_spec_directory() {
    // A spec directory: a broken facts document is reported on the facts
    // file; once nothing reads it, its diagnostics are cleared; placement
    // problems of unsaved buffers are reported on the pod.
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("fleet");
    std::fs::create_dir_all(spec.join("facts")).unwrap();
    std::fs::write(spec.join("facts/ws.json"), "{ \"not\": \"facts\" }\n").unwrap();
    std::fs::write(
        spec.join("machines.kdl"),
        "machine \"ws\" {\n    profile \"sourceos-workstation\"\n    facts \"facts/ws.json\"\n}\n",
    )
    .unwrap();
    let pods = "import \"std:providers/llama-cpp\"\npod \"big\" {\n    tenant \"t\"\n    provider \"llama-cpp\"\n    target \"quadlet\"\n}\n";
    std::fs::write(spec.join("pods.kdl"), pods).unwrap();
    let mut c = Client::start(dir.path().join("stdlib-copy"));
    c.request("initialize", json!({"capabilities": {}}));
    c.notify("initialized", json!({}));
    let pods_uri = uri(&spec.join("pods.kdl"));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": pods_uri, "languageId": "kdl", "version": 1, "text": pods}}),
    );
    let facts = c.diagnostics(&uri(&spec.join("facts/ws.json")));
    assert!(!facts.is_empty(), "no diagnostics for the facts file");
    let codes: Vec<&str> = facts.iter().map(|d| d["code"].as_str().unwrap()).collect();
    // The same codes `amc check` reports for that file.
    let opts = amc::driver::Options::default();
    let compiled = amc::driver::compile(&amc::vfs::RealFs, &spec, "", &opts).unwrap();
    let mut expected: Vec<&str> = compiled
        .diagnostics
        .sorted()
        .iter()
        .filter(|d| {
            d.primary_span()
                .is_some_and(|s| compiled.sources.name(s.file) == "facts/ws.json")
        })
        .map(|d| d.code.info().code)
        .collect();
    expected.dedup();
    let mut got = codes.clone();
    got.dedup();
    assert_eq!(got, expected);
    // Consume what the same compilation published for the .kdl files.
    let pods_before = c.diagnostics(&pods_uri);
    assert!(pods_before.iter().all(|d| d["code"] != "E0501"));
    c.diagnostics(&uri(&spec.join("machines.kdl")));

    // Edit the machine (unsaved) to declare its capacity instead of reading
    // the facts file: the facts file is cleared, and placement now runs and
    // finds the pod too big for the machine.
    let machine = "machine \"ws\" {\n    profile \"sourceos-workstation\"\n    capacity {\n        cpu 4\n        memory \"8GiB\"\n    }\n}\n";
    let pods_big = pods.replace("    target", "    resources memory=\"64GiB\"\n    target");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&spec.join("machines.kdl")), "languageId": "kdl", "version": 1, "text": machine}}),
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": pods_uri, "version": 2}, "contentChanges": [{"text": pods_big}]}),
    );
    assert_eq!(
        c.diagnostics(&uri(&spec.join("facts/ws.json"))),
        Vec::<Value>::new()
    );
    let pods_after = c.diagnostics_until(&pods_uri, |ds| ds.iter().any(|d| d["code"] == "E0501"));
    let e = pods_after
        .iter()
        .find(|d| d["code"] == "E0501")
        .unwrap_or_else(|| panic!("no E0501 in {pods_after:#?}"));
    assert_eq!(
        e["range"]["start"],
        position(pos_of(&pods_big, "\"big\"", 0))
    );
    c.shutdown();
}

#[test]
fn lsp_diagnostics_match_amc_check_on_every_golden_case() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../golden");
    let opts = amc::driver::Options::default();
    let mut cases = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let input = entry.unwrap().path().join("input");
        if !input.is_dir() {
            continue;
        }
        cases += 1;
        let target = amc::lsp::store::Target::Dir(input.clone());
        let client_uri = |_: &Path| None;
        let uris = amc::lsp::diagnostics::UriMap {
            root: input.clone(),
            stdlib_dir: None,
            client_uri: &client_uri,
        };
        let lsp = amc::lsp::diagnostics::check(
            &target,
            &amc::lsp::store::Overlay::default(),
            &uris,
            "file:///anchor",
        );
        let mut got: Vec<(String, String, u32, u32)> = lsp
            .iter()
            .flat_map(|(u, ds)| {
                ds.iter().map(move |d: &lsp_types::Diagnostic| {
                    let code = match &d.code {
                        Some(lsp_types::NumberOrString::String(s)) => s.clone(),
                        _ => String::new(),
                    };
                    (u.clone(), code, d.range.start.line, d.range.start.character)
                })
            })
            .collect();
        let c = amc::driver::compile(&amc::vfs::RealFs, &input, "", &opts).unwrap();
        let mut want: Vec<(String, String, u32, u32)> = c
            .diagnostics
            .sorted()
            .iter()
            .map(|d| match d.primary_span() {
                Some(s) if !c.sources.name(s.file).starts_with("std:") => {
                    let f = c.sources.get(s.file).unwrap();
                    let before = &f.text[..s.start as usize];
                    let line = before.matches('\n').count() as u32;
                    let ls = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
                    let col: usize = before[ls..].chars().map(char::len_utf16).sum();
                    let u = if f.name.is_empty() {
                        "file:///anchor".to_string()
                    } else {
                        uri(&amc::vfs::normalize(&input.join(&f.name)))
                    };
                    (u, d.code.info().code.to_string(), line, col as u32)
                }
                _ => (
                    "file:///anchor".into(),
                    d.code.info().code.to_string(),
                    0,
                    0,
                ),
            })
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{}", input.display());
    }
    assert!(cases >= 8);
}

/// Writes one framed message.
fn frame(w: &mut impl Write, v: &Value) {
    let body = v.to_string();
    write!(w, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    w.flush().unwrap();
}

/// Reads one framed message.
fn unframe(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

#[test]
fn the_binary_speaks_lsp_over_stdio() {
    let (dir, _file, doc) = setup();
    let mut child = Command::new(env!("CARGO_BIN_EXE_amc"))
        .args(["lsp", "--stdio"])
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        while let Some(v) = unframe(&mut r) {
            if tx.send(v).is_err() {
                break;
            }
        }
    });
    let next = |pred: &dyn Fn(&Value) -> bool| loop {
        let v = rx.recv_timeout(TIMEOUT).expect("no message from amc lsp");
        if pred(&v) {
            return v;
        }
    };

    frame(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
    );
    let init = next(&|v| v["id"] == 1);
    assert_eq!(init["result"]["capabilities"]["hoverProvider"], true);
    frame(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );
    frame(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": doc, "languageId": "kdl", "version": 1, "text": SPEC}}}),
    );
    let published = next(&|v| {
        v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == doc.as_str()
    });
    let diags = published["params"]["diagnostics"].as_array().unwrap();
    let e = diags.iter().find(|d| d["code"] == "E0203").unwrap();
    assert_eq!(e["range"]["start"], position(pos_of(SPEC, "\"nope\"", 0)));

    frame(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
    );
    let done = next(&|v| v["id"] == 2);
    assert_eq!(done["result"], Value::Null);
    frame(&mut stdin, &json!({"jsonrpc": "2.0", "method": "exit"}));
    drop(stdin);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}
