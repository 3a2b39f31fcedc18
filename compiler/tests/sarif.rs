//! `amc check --format sarif`: the log validates against the SARIF 2.1.0
//! JSON Schema (vendored in tests/data/, from OASIS) and points at the right
//! places.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
    )
    .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn assert_valid(v: &jsonschema::Validator, log: &serde_json::Value) {
    let errors: Vec<String> = v
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

fn check_sarif(paths: &[&str]) -> (Option<i32>, serde_json::Value) {
    let o = Command::new(env!("CARGO_BIN_EXE_amc"))
        .arg("check")
        .args(paths)
        .args(["--format", "sarif"])
        .current_dir(repo())
        .output()
        .unwrap();
    (
        o.status.code(),
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {:?}", o)),
    )
}

#[test]
fn sarif_of_failing_and_clean_specs_validates() {
    let v = validator();
    let (code, log) = check_sarif(&[
        "golden/err-shape/input",
        "golden/err-contradictions/input",
        "golden/err-resolve/input",
        "golden/err-documents/input",
        "golden/err-syntax/input",
        "examples/m2-asahi",
    ]);
    assert_eq!(code, Some(1));
    assert_valid(&v, &log);
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(results.len() > 20, "{}", results.len());
    // Every result's rule is the one its ruleIndex names.
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
    }
    // The unknown property `colour` of err-shape, line 15.
    let colour = results
        .iter()
        .find(|r| {
            r["ruleId"] == "E0102" && r["message"]["text"].as_str().unwrap().contains("colour")
        })
        .unwrap();
    let loc = &colour["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "golden/err-shape/input/spec.kdl"
    );
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    let text = std::fs::read_to_string(repo().join("golden/err-shape/input/spec.kdl")).unwrap();
    let line = loc["region"]["startLine"].as_u64().unwrap() as usize;
    let col = loc["region"]["startColumn"].as_u64().unwrap() as usize;
    let end = loc["region"]["endColumn"].as_u64().unwrap() as usize;
    let src_line: Vec<char> = text.lines().nth(line - 1).unwrap().chars().collect();
    let covered: String = src_line[col - 1..end - 1].iter().collect();
    assert_eq!(covered, "colour");
    let rule = &rules[colour["ruleIndex"].as_u64().unwrap() as usize];
    assert!(
        rule["helpUri"]
            .as_str()
            .unwrap()
            .ends_with("/docs/diagnostics.md#e0102--unknown-property")
    );
    assert!(
        rule["help"]["text"]
            .as_str()
            .unwrap()
            .starts_with("## E0102 — unknown property")
    );
}

#[test]
fn sarif_of_a_clean_spec_has_no_results_and_exit_0() {
    let (code, log) = check_sarif(&["examples/workstation-llama"]);
    assert_eq!(code, Some(0));
    assert_valid(&validator(), &log);
    assert!(
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["level"] == "warning")
    );
}

#[test]
fn the_schema_rejects_a_broken_log() {
    // The validator is real: a region starting at line 0 is refused.
    let (_, mut log) = check_sarif(&["golden/err-shape/input"]);
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        serde_json::json!(0);
    assert!(!validator().is_valid(&log));
}
