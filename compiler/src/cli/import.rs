//! `amc import`: Compose files, Kubernetes manifests and upstream Agent
//! Machine JSON documents to a formatted `.kdl` spec.

use std::path::PathBuf;
use std::process::ExitCode;

use amc::diagnostics::render;
use amc::diagnostics::{Code, Diagnostic, Diagnostics};
use amc::import::Input;
use amc::source::SourceMap;
use clap::Args;

use super::common::{display_of, style};

/// Arguments of `amc import`.
#[derive(Args)]
pub struct ImportArgs {
    /// Compose files (.yaml/.yml), Kubernetes manifests (YAML or JSON;
    /// Deployments and StatefulSets of vLLM, llama.cpp, SGLang or Ollama),
    /// or AgentPod, InferenceProvider, CacheTier and AgentMachine JSON
    /// documents; the kind is read from the content.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Write DIR/spec.kdl (DIR is created; an existing spec.kdl is never
    /// replaced) instead of printing the spec to standard output.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Runs `amc import`.
pub fn run(a: ImportArgs) -> ExitCode {
    let mut map = SourceMap::new();
    let mut diags = Diagnostics::new();
    let mut inputs = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for path in &a.files {
        let name = display_of(path);
        let name = name.strip_prefix("./").unwrap_or(&name).to_string();
        match std::fs::read(path).map(String::from_utf8) {
            Ok(Ok(text)) => {
                let file = map.add(name.clone(), text.clone());
                inputs.push(Input {
                    file,
                    name: name.clone(),
                    text,
                });
            }
            Ok(Err(_)) => diags.push(
                Diagnostic::new(Code::E0401, format!("`{name}` is not UTF-8 text"))
                    .help("save the file as UTF-8"),
            ),
            Err(e) => diags.push(Diagnostic::new(
                Code::E0205,
                format!("cannot read `{name}`: {e}"),
            )),
        }
        names.push(name);
    }
    let out = amc::import::import(&inputs, &mut diags);
    if diags.error_count() > 0 || out.is_none() {
        stderr!("{}", render::human(&diags.sorted(), &map, style()));
        stderrln!(
            "amc import: {} error(s); nothing written",
            diags.error_count()
        );
        return ExitCode::from(1);
    }
    let Some(text) = out else {
        return ExitCode::from(1);
    };
    if diags.warning_count() > 0 {
        stderr!("{}", render::human(&diags.sorted(), &map, style()));
    }
    let stand_ins = text
        .lines()
        .filter(|l| l.trim_start().starts_with("// stand-in:"))
        .count();
    if stand_ins > 0 {
        stderrln!(
            "note: {stand_ins} stand-in(s) for what the input does not say; review the `// stand-in:` comments"
        );
    }
    match a.out {
        None => {
            stdout!("{text}");
            ExitCode::SUCCESS
        }
        Some(dir) => {
            let target = dir.join("spec.kdl");
            if target.exists() {
                stderrln!(
                    "error: {} exists; amc import never replaces a spec",
                    display_of(&target)
                );
                return ExitCode::from(1);
            }
            let written = std::fs::create_dir_all(&dir)
                .and_then(|()| std::fs::write(&target, text.as_bytes()));
            match written {
                Ok(()) => {
                    stderrln!(
                        "imported {} file(s) into {}",
                        names.len(),
                        display_of(&target)
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    let d = Diagnostic::new(
                        Code::E0902,
                        format!("cannot write {}: {e}", display_of(&target)),
                    );
                    stderr!("{}", render::human(&[d], &SourceMap::new(), style()));
                    ExitCode::from(1)
                }
            }
        }
    }
}
