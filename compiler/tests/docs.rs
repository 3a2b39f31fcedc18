//! Repository rules: docs stay in sync with the code.

use std::fs;
use std::path::Path;

fn doc(name: &str) -> String {
    fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../docs")
            .join(name),
    )
    .unwrap()
}

#[test]
fn every_diagnostic_code_is_documented_and_explained() {
    let text = doc("diagnostics.md");
    for c in amc::diagnostics::all_codes() {
        let info = c.info();
        let head = format!("## {} — {}", info.code, info.title);
        assert!(text.contains(&head), "docs/diagnostics.md lacks `{head}`");
        assert!(amc::diagnostics::explain(*c).starts_with(&head));
    }
    // And no section documents a code that does not exist.
    for line in text.lines().filter(|l| l.starts_with("## ")) {
        let code = line[3..].split_whitespace().next().unwrap();
        assert!(
            amc::diagnostics::Code::parse(code).is_some(),
            "documented code {code} does not exist"
        );
    }
}

#[test]
fn every_node_and_property_is_in_the_language_reference() {
    let text = doc("language.md");
    for (path, spec) in amc::lang::spec::all_nodes() {
        assert!(
            text.contains(&format!("`{}`", spec.name)),
            "docs/language.md lacks node `{}` ({path})",
            spec.name
        );
        for p in spec.props {
            assert!(
                text.contains(&format!("`{}`", p.name)),
                "docs/language.md lacks property `{}` of {path}",
                p.name
            );
        }
    }
}

#[test]
fn every_stdlib_module_parses_and_checks() {
    // Importing every module into an empty spec must produce no error.
    let mut fs_ = amc::vfs::MemoryFs::new();
    let mut src = String::new();
    for m in amc::resolve::stdlib::module_names() {
        src.push_str(&format!("import \"{m}\"\n"));
    }
    fs_.insert("spec/spec.kdl", src);
    let opts = amc::driver::Options {
        stop: amc::driver::Stop::Check,
        ..Default::default()
    };
    let c = amc::driver::compile(&fs_, Path::new("spec"), "spec", &opts).unwrap();
    let errors: Vec<String> = c
        .diagnostics
        .iter()
        .filter(|d| d.severity == amc::diagnostics::Severity::Error)
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(c.spec.providers.len() >= 8 && c.spec.profiles.len() == 7);
}

#[test]
fn every_template_parses_is_used_and_every_contract_compiles() {
    let templates = amc::emit::templates::all();
    assert!(
        templates.len() >= 8,
        "only {} files in targets/",
        templates.len()
    );
    // Every file of targets/ is named by the emitter (no dead template), and
    // every `.j2` parses; rendering each against real contexts is the golden
    // cases' job, which compare the bytes.
    let mut source = String::new();
    for e in walkdir::WalkDir::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/emit/src")) {
        let e = e.unwrap();
        if e.path().extension().is_some_and(|x| x == "rs") {
            source.push_str(&std::fs::read_to_string(e.path()).unwrap());
        }
    }
    let env = minijinja::Environment::new();
    for (name, text) in &templates {
        assert!(
            source.contains(&format!("\"{name}\"")),
            "targets/{name} is not named anywhere in compiler/crates/emit/src"
        );
        if name.ends_with(".j2")
            && let Err(e) = env.template_from_str(text)
        {
            panic!("targets/{name} does not parse: {e}");
        }
    }
    for c in amc::contracts::all() {
        let v: serde_json::Value = serde_json::from_str(c.text).unwrap();
        assert!(
            jsonschema::validator_for(&v).is_ok(),
            "{} does not compile",
            c.name
        );
    }
}

#[test]
fn every_vocabulary_value_is_in_the_language_reference_with_its_doc() {
    let text = doc("language.md");
    for v in amc::lang::vocab_docs::VOCABULARIES {
        let head = format!("### {}\n", v.title);
        let start = text
            .find(&head)
            .unwrap_or_else(|| panic!("docs/language.md lacks `### {}`", v.title));
        let section = &text[start + head.len()..];
        let section = &section[..section.find("\n#").unwrap_or(section.len())];
        for (value, d) in v.docs {
            let row = format!("| `{value}` | {d} |");
            assert!(
                section.contains(&row),
                "docs/language.md section `{}` lacks the row {row}",
                v.title
            );
        }
    }
}
