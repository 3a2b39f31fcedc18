//! The editor that fixes things: quick fixes (one test per kind of fix-it,
//! each checking the fixed text compiles past the diagnostic), rename across
//! files, symbols, inlay hints and semantic tokens, in process.

use super::*;

/// A clean single-file spec each fix-it test breaks in one place.
const CLEAN: &str = r#"import "std:providers/llama-cpp"

machine "ws" {
    profile "sourceos-workstation"
    capacity {
        cpu 8
        memory "32GiB"
    }
}

pod "coder" {
    tenant "dev"
    provider "llama-cpp"
    port "http" exposure="loopback"
    target "quadlet"
}
"#;

fn start(dir: &Path) -> Client {
    let mut c = Client::start(dir.join("stdlib-copy"));
    c.request(
        "initialize",
        json!({"capabilities": {}, "workspaceFolders": [{"uri": uri(dir), "name": "w"}]}),
    );
    c.notify("initialized", json!({}));
    c
}

fn open(c: &Client, doc: &str, text: &str) {
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": doc, "languageId": "kdl", "version": 1, "text": text}}),
    );
}

fn errors(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d["severity"] == 1)
        .map(|d| format!("{}: {}", d["code"], d["message"]))
        .collect()
}

fn apply(text: &str, edits: &Value) -> String {
    let edits: Vec<lsp_types::TextEdit> = serde_json::from_value(edits.clone()).unwrap();
    amc::lsp::actions::apply(text, &edits)
}

/// Opens `broken`, takes the quick fix titled `title` of its `code`
/// diagnostic, applies it and returns the fixed text, after checking that
/// the fixed text no longer has that diagnostic and, when `clean`, no error.
fn fix(broken: &str, code: &str, title: &str, clean: bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("spec/spec.kdl");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, broken).unwrap();
    let doc = uri(&file);
    let mut c = start(dir.path());
    open(&c, &doc, broken);
    let diags = c.diagnostics(&doc);
    let d = diags
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {diags:#?}"))
        .clone();
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": d["range"], "context": {"diagnostics": [d], "only": ["quickfix"]}}),
    );
    let actions = actions.as_array().unwrap().clone();
    let action = actions
        .iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no action `{title}` in {actions:#?}"));
    assert_eq!(action["kind"], "quickfix");
    assert_eq!(action["diagnostics"][0]["code"], code);
    let edits = &action["edit"]["changes"][doc.as_str()];
    let fixed = apply(broken, edits);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    let after = c.diagnostics_until(&doc, |ds| {
        ds.iter()
            .all(|x| x["range"] != d["range"] || x["code"] != code)
    });
    assert!(
        after.iter().all(|x| x["code"] != code),
        "{code} is still there after `{title}`:\n{fixed}\n{after:#?}"
    );
    if clean {
        assert_eq!(errors(&after), Vec::<String>::new(), "{fixed}");
    }
    // A code action request elsewhere, or for other kinds, offers nothing.
    let none = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": d["range"], "context": {"diagnostics": [], "only": ["refactor"]}}),
    );
    assert_eq!(none, json!([]));
    c.shutdown();
    fixed
}

#[test]
fn the_clean_spec_is_clean() {
    let opts = amc::driver::Options::default();
    let mut fs = amc::vfs::MemoryFs::new();
    fs.insert("spec.kdl", CLEAN);
    let c = amc::driver::compile(&fs, Path::new("spec.kdl"), "", &opts).unwrap();
    let errs: Vec<String> = c
        .diagnostics
        .sorted()
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert!(!c.diagnostics.has_errors(), "{errs:#?}");
}

#[test]
fn quick_fix_did_you_mean_a_node() {
    let fixed = fix(
        &CLEAN.replace("capacity {", "capacty {"),
        "E0101",
        "replace with `capacity`",
        true,
    );
    assert_eq!(fixed, CLEAN);
}

#[test]
fn quick_fix_did_you_mean_a_property() {
    let fixed = fix(
        &CLEAN.replace("exposure=", "exposre="),
        "E0102",
        "replace with `exposure`",
        true,
    );
    assert_eq!(fixed, CLEAN);
}

#[test]
fn quick_fix_did_you_mean_a_value() {
    let fixed = fix(
        &CLEAN.replace("\"loopback\"", "\"loopbak\""),
        "E0106",
        "replace with `loopback`",
        true,
    );
    assert_eq!(fixed, CLEAN);
}

#[test]
fn quick_fix_did_you_mean_a_reference() {
    let fixed = fix(
        &CLEAN.replace("provider \"llama-cpp\"", "provider \"llama-cp\""),
        "E0203",
        "replace with `llama-cpp`",
        true,
    );
    assert_eq!(fixed, CLEAN);
}

#[test]
fn quick_fix_adds_the_missing_import() {
    let broken = CLEAN.replace("import \"std:providers/llama-cpp\"\n", "");
    let fixed = fix(
        &broken,
        "E0203",
        "add `import \"std:providers/llama-cpp\"`",
        true,
    );
    assert_eq!(
        fixed,
        format!("import \"std:providers/llama-cpp\"\n{broken}")
    );
}

#[test]
fn quick_fix_adds_a_unit() {
    let broken = CLEAN.replace("memory \"32GiB\"", "memory 32");
    assert_eq!(fix(&broken, "E0107", "write \"32GiB\"", true), CLEAN);
    let broken = CLEAN.replace("memory \"32GiB\"", "memory \"32\"");
    assert_eq!(fix(&broken, "E0107", "write \"32GiB\"", true), CLEAN);
}

#[test]
fn quick_fix_adds_a_missing_required_child() {
    // Into the block, indented like its siblings.
    let broken = CLEAN.replace("    tenant \"dev\"\n", "");
    let fixed = fix(&broken, "E0113", "add `tenant`", true);
    assert_eq!(
        fixed,
        broken.replace(
            "    target \"quadlet\"\n}",
            "    target \"quadlet\"\n    tenant \"tenant\"\n}"
        )
    );
    // A node without a block gets one.
    let broken = format!("{CLEAN}machine \"spare\"\n");
    let fixed = fix(&broken, "E0113", "add `profile`", false);
    assert!(
        fixed.contains("machine \"spare\" {\n    profile \"") && fixed.ends_with("\"\n}\n"),
        "{fixed}"
    );
}

/// Sends a request the server must refuse; returns its error message.
fn refused(c: &mut Client, method: &str, params: Value) -> String {
    c.next += 1;
    let id = RequestId::from(c.next);
    c.conn
        .sender
        .send(Request::new(id.clone(), method.into(), params).into())
        .unwrap();
    loop {
        match c.recv() {
            Message::Response(r) if r.id == id => match r.response_result {
                Ok(v) => panic!("{method} was not refused: {v}"),
                Err(e) => return e.message,
            },
            Message::Notification(n) => c.notes.push(n),
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn rename_symbols_hints_and_tokens() {
    // A spec of two files: the machine is defined in one, pinned in the other.
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("fleet");
    std::fs::create_dir_all(&spec).unwrap();
    let machines = "machine \"ws\" {\n    profile \"sourceos-workstation\"\n    capacity {\n        cpu 8\n        memory \"32GiB\"\n    }\n}\n";
    let pods = "import \"std:providers/llama-cpp\"\n\npod \"coder\" {\n    tenant \"dev\"\n    provider \"llama-cpp\"\n    placement {\n        pin \"ws\"\n    }\n    target \"quadlet\"\n}\n";
    std::fs::write(spec.join("machines.kdl"), machines).unwrap();
    std::fs::write(spec.join("pods.kdl"), pods).unwrap();
    let pods_uri = uri(&spec.join("pods.kdl"));
    let machines_uri = uri(&spec.join("machines.kdl"));
    let mut c = start(dir.path());
    open(&c, &pods_uri, pods);
    let diags = c.diagnostics(&pods_uri);
    assert_eq!(errors(&diags), Vec::<String>::new());

    // Capabilities.
    let caps = amc::lsp::capabilities();
    let caps = serde_json::to_value(caps).unwrap();
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix"])
    );
    assert_eq!(caps["renameProvider"]["prepareProvider"], true);
    assert_eq!(caps["documentSymbolProvider"], true);
    assert_eq!(caps["workspaceSymbolProvider"], true);
    assert_eq!(caps["inlayHintProvider"], true);
    assert_eq!(caps["semanticTokensProvider"]["full"], true);

    // prepareRename on the pin: the id's range and the id.
    let (l, col) = pos_of(pods, "\"ws\"", 0);
    let prep = c.request("textDocument/prepareRename", at(&pods_uri, (l, col + 1)));
    assert_eq!(prep["placeholder"], "ws");
    assert_eq!(prep["range"]["start"], position((l, col)));
    // Rename: the definition in machines.kdl (not open) and the pin.
    let mut params = at(&pods_uri, (l, col + 1));
    params["newName"] = json!("ws-1");
    let edit = c.request("textDocument/rename", params.clone());
    let changes = edit["changes"].as_object().unwrap();
    assert_eq!(changes.len(), 2, "{edit:#}");
    let new_machines = apply(machines, &edit["changes"][machines_uri.as_str()]);
    let new_pods = apply(pods, &edit["changes"][pods_uri.as_str()]);
    assert_eq!(new_machines, machines.replace("\"ws\"", "\"ws-1\""));
    assert_eq!(new_pods, pods.replace("\"ws\"", "\"ws-1\""));
    // The renamed spec still compiles clean.
    let mut fs = amc::vfs::MemoryFs::new();
    fs.insert("s/machines.kdl", new_machines.as_str());
    fs.insert("s/pods.kdl", new_pods.as_str());
    let compiled =
        amc::driver::compile(&fs, Path::new("s"), "", &amc::driver::Options::default()).unwrap();
    assert!(!compiled.diagnostics.has_errors());
    // Refusals: an invalid id, a taken id, a stdlib definition, no id.
    params["newName"] = json!("Not An Id");
    assert!(refused(&mut c, "textDocument/rename", params.clone()).contains("not a valid id"));
    let (l2, col2) = pos_of(pods, "\"llama-cpp\"", 0);
    let msg = refused(
        &mut c,
        "textDocument/prepareRename",
        at(&pods_uri, (l2, col2 + 1)),
    );
    assert!(msg.contains("stdlib"), "{msg}");
    let msg = refused(
        &mut c,
        "textDocument/prepareRename",
        at(&pods_uri, pos_of(pods, "tenant", 0)),
    );
    assert!(msg.contains("can be renamed"), "{msg}");

    // Document symbols: hierarchical, definitions named by id.
    let syms = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": pods_uri}}),
    );
    let syms = syms.as_array().unwrap();
    assert_eq!(syms[0]["name"], "std:providers/llama-cpp");
    assert_eq!(syms[1]["name"], "coder");
    assert_eq!(syms[1]["detail"], "pod");
    let children: Vec<&str> = syms[1]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(children, ["tenant", "provider", "placement", "target"]);

    // Workspace symbols: every file of the spec, filtered, sorted.
    let ws = c.request("workspace/symbol", json!({"query": ""}));
    let names: Vec<&str> = ws
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["coder", "ws"]);
    let ws = c.request("workspace/symbol", json!({"query": "W"}));
    assert_eq!(ws.as_array().unwrap().len(), 1);
    assert_eq!(ws[0]["location"]["uri"], machines_uri.as_str());
    assert_eq!(ws[0]["containerName"], "machine");

    // Inlay hints: where the replica was placed, the resources filled in.
    let full = json!({"textDocument": {"uri": pods_uri}, "range": {"start": position((0, 0)), "end": position((99, 0))}});
    let hints = c.request("textDocument/inlayHint", full);
    let labels: Vec<&str> = hints
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"→ ws"), "{labels:?}");
    assert!(
        labels
            .iter()
            .any(|l| l.starts_with("cpu=") && l.contains("memory=")),
        "{labels:?}"
    );
    let placed = hints
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["label"] == "→ ws")
        .unwrap();
    let (pl, pc) = pos_of(pods, "pod \"coder\"", 0);
    assert_eq!(placed["position"], position((pl, pc + 11)));
    // Only the requested range: nothing on the first line.
    let first = json!({"textDocument": {"uri": pods_uri}, "range": {"start": position((0, 0)), "end": position((0, 5))}});
    assert_eq!(c.request("textDocument/inlayHint", first), json!([]));
    // Sizes, in the machines file.
    open(&c, &machines_uri, machines);
    let full = json!({"textDocument": {"uri": machines_uri}, "range": {"start": position((0, 0)), "end": position((99, 0))}});
    let hints = c.request("textDocument/inlayHint", full);
    assert_eq!(hints[0]["label"], "= 34,359,738,368 B");
    let (ml, mc) = pos_of(machines, "\"32GiB\"", 0);
    assert_eq!(hints[0]["position"], position((ml, mc + 7)));

    // Semantic tokens: the legend's types, relative encoding.
    let legend: Vec<String> =
        serde_json::from_value(caps["semanticTokensProvider"]["legend"]["tokenTypes"].clone())
            .unwrap();
    let toks = c.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": pods_uri}}),
    );
    let data: Vec<u64> = serde_json::from_value(toks["data"].clone()).unwrap();
    assert_eq!(data.len() % 5, 0);
    // The first token: `import`, a node name, at 0:0, 6 long.
    assert_eq!(&data[..3], &[0, 0, 6]);
    assert_eq!(legend[data[3] as usize], "keyword");
    // `"ws"` in the pin is a reference.
    let (pl, pc) = pos_of(pods, "\"ws\"", 0);
    let (mut line, mut start) = (0u64, 0u64);
    let mut found = None;
    for t in data.chunks(5) {
        if t[0] > 0 {
            line += t[0];
            start = t[1];
        } else {
            start += t[1];
        }
        if (line, start) == (pl, pc) {
            found = Some(legend[t[3] as usize].clone());
        }
    }
    assert_eq!(found.as_deref(), Some("variable"));
    c.shutdown();
}

/// The spec of [`templates_and_overlays`]: a machine in one file, a
/// `for-each` of pods pinned to it in another, and an overlay.
const TEMPLATE_MACHINES: &str = "machine \"ws\" {\n    profile \"sourceos-workstation\"\n    capacity {\n        cpu 8\n        memory \"32GiB\"\n    }\n}\n";
const TEMPLATE_PODS: &str = "import \"std:providers/llama-cpp\"\n\nfor-each \"t\" {\n    values \"a\" \"b\"\n    pod \"agent-{t}\" {\n        tenant \"{t}\"\n        provider \"llama-cpp\"\n        placement {\n            pin \"ws\"\n        }\n        target \"quadlet\"\n    }\n}\n";
const TEMPLATE_OVERLAY: &str = "pod \"agent-a\" {\n    resources cpu=2 memory=\"4GiB\"\n}\n";

#[test]
fn templates_and_overlays() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("fleet");
    let prod = spec.join("overlays/prod");
    std::fs::create_dir_all(&prod).unwrap();
    std::fs::write(spec.join("machines.kdl"), TEMPLATE_MACHINES).unwrap();
    std::fs::write(spec.join("pods.kdl"), TEMPLATE_PODS).unwrap();
    std::fs::write(prod.join("prod.kdl"), TEMPLATE_OVERLAY).unwrap();
    let pods_uri = uri(&spec.join("pods.kdl"));
    let machines_uri = uri(&spec.join("machines.kdl"));
    let prod_uri = uri(&prod.join("prod.kdl"));
    let mut c = start(dir.path());

    // An open overlay file is checked as the base spec with that overlay
    // applied, not as a spec of its own (which would not know `agent-a`'s
    // provider or tenant).
    open(&c, &prod_uri, TEMPLATE_OVERLAY);
    let diags = c.diagnostics(&prod_uri);
    assert_eq!(errors(&diags), Vec::<String>::new(), "{diags:#?}");
    let broken = TEMPLATE_OVERLAY.replace("\"4GiB\"", "\"lots\"");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": prod_uri, "version": 2}, "contentChanges": [{"text": broken}]}),
    );
    let diags = c.diagnostics_until(&prod_uri, |ds| ds.iter().any(|d| d["code"] == "E0107"));
    assert!(
        errors(&diags).iter().any(|e| e.contains("E0107")),
        "{diags:#?}"
    );

    // Rename the machine from its definition: the pin inside the for-each
    // is renamed too.
    open(&c, &machines_uri, TEMPLATE_MACHINES);
    let (l, col) = pos_of(TEMPLATE_MACHINES, "\"ws\"", 0);
    let mut params = at(&machines_uri, (l, col + 1));
    params["newName"] = json!("ws-1");
    let edit = c.request("textDocument/rename", params);
    let new_pods = apply(TEMPLATE_PODS, &edit["changes"][pods_uri.as_str()]);
    assert_eq!(
        new_pods,
        TEMPLATE_PODS.replace("\"ws\"", "\"ws-1\""),
        "{edit:#}"
    );
    // A stamped id is not renamed: its rows are.
    open(&c, &pods_uri, TEMPLATE_PODS);
    let msg = refused(
        &mut c,
        "textDocument/prepareRename",
        at(&pods_uri, pos_of(TEMPLATE_PODS, "agent-{t}", 0)),
    );
    assert!(msg.contains("for-each"), "{msg}");
    // Workspace symbols list the stamped pods by their ids, at the template
    // (and the overlay's `agent-a`, in its own file).
    let ws = c.request("workspace/symbol", json!({"query": "agent"}));
    let found: Vec<(&str, &str)> = ws
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap(),
                s["location"]["uri"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("agent-a", prod_uri.as_str()),
            ("agent-a", pods_uri.as_str()),
            ("agent-b", pods_uri.as_str())
        ],
        "{ws:#}"
    );
    assert_eq!(
        ws[1]["location"]["range"]["start"],
        position(pos_of(TEMPLATE_PODS, "\"agent-{t}\"", 0))
    );
    // Hover inside the template: the pod's node, as at the top level.
    let h = c.request(
        "textDocument/hover",
        at(&pods_uri, pos_of(TEMPLATE_PODS, "pod", 0)),
    );
    let md = h["contents"]["value"].as_str().unwrap_or_default();
    assert!(md.contains(amc::lang::spec::POD.doc), "{h:#}");

    // Inlay hints: each copy's placement, named, at the template.
    let full = json!({"textDocument": {"uri": pods_uri}, "range": {"start": position((0, 0)), "end": position((99, 0))}});
    let hints = c.request("textDocument/inlayHint", full);
    let labels: Vec<String> = hints
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["label"].as_str().unwrap_or_default().trim().to_string())
        .collect();
    assert!(
        labels.iter().any(|l| l == "agent-a → ws") && labels.iter().any(|l| l == "agent-b → ws"),
        "{labels:?}"
    );

    // A misspelt provider shared by both copies: one diagnostic, one fix.
    let typo = TEMPLATE_PODS.replace("provider \"llama-cpp\"", "provider \"llama-cp\"");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": pods_uri, "version": 2}, "contentChanges": [{"text": typo}]}),
    );
    let diags = c.diagnostics_until(&pods_uri, |ds| ds.iter().any(|d| d["code"] == "E0203"));
    let e0203: Vec<&Value> = diags.iter().filter(|d| d["code"] == "E0203").collect();
    assert_eq!(e0203.len(), 1, "{diags:#?}");
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": pods_uri}, "range": e0203[0]["range"], "context": {"diagnostics": [e0203[0]], "only": ["quickfix"]}}),
    );
    assert_eq!(actions.as_array().map(Vec::len), Some(1), "{actions:#}");
    c.shutdown();
}

#[test]
fn quick_fix_an_unknown_template_variable() {
    let broken = CLEAN
        .replace(
            "pod \"coder\" {",
            "param \"team\" default=\"dev\"\n\npod \"coder\" {",
        )
        .replace("tenant \"dev\"", "tenant \"{taem}\"");
    let fixed = fix(&broken, "E0118", "replace with `{team}`", true);
    assert!(fixed.contains("tenant \"{team}\""), "{fixed}");
}
