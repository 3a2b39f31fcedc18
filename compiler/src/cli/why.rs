//! `amc why OUT_DIR POD`: why a pod runs where it runs, and why not elsewhere.
//!
//! Reads `placement.json` from a build output (validated against the
//! amc-placement contract) and prints, per replica, the chosen machine with
//! its cost terms, then every other machine with the constraint that excludes
//! it or the extra milliseconds it would cost. Never rebuilds anything.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::Value;

use super::common::Format;

/// Arguments of `amc why`.
#[derive(Args)]
pub struct WhyArgs {
    /// Build output directory (the one holding placement.json).
    out: PathBuf,
    /// Pod id, or `POD-REPLICA` for one replica.
    pod: String,
    /// Only explain this machine ("why not there?").
    #[arg(long)]
    machine: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

fn ms(v: &Value) -> String {
    let n = v.as_i64().unwrap_or(0);
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out} ms")
    } else {
        format!("{out} ms")
    }
}

fn pick<'a>(assignments: &'a [Value], pod: &str) -> Vec<&'a Value> {
    let exact: Vec<&Value> = assignments.iter().filter(|a| a["pod"] == pod).collect();
    if !exact.is_empty() {
        return exact;
    }
    // `POD-REPLICA`.
    if let Some((p, r)) = pod.rsplit_once('-')
        && let Ok(r) = r.parse::<u64>()
    {
        return assignments
            .iter()
            .filter(|a| a["pod"] == p && a["replica"].as_u64() == Some(r))
            .collect();
    }
    Vec::new()
}

fn human(a: &Value, machine: Option<&str>) -> String {
    let mut s = String::new();
    let c = &a["cost"];
    let chosen = a["machine"].as_str().unwrap_or("?");
    s.push_str(&format!(
        "{} replica {} runs on {chosen}: {} (load {}, staging {}, warm-up {}, balance {})\n",
        a["pod"].as_str().unwrap_or("?"),
        a["replica"],
        ms(&c["totalMs"]),
        ms(&c["loadMs"]),
        ms(&c["stageMs"]),
        ms(&c["warmMs"]),
        ms(&c["balanceMs"]),
    ));
    if machine.is_none_or(|m| m == chosen) {
        for t in a["terms"].as_array().into_iter().flatten() {
            let shared = t["sharedBy"].as_u64().unwrap_or(1);
            let share = if shared > 1 {
                format!(" (shared by {shared})")
            } else {
                String::new()
            };
            s.push_str(&format!(
                "  {:<8} {:>12}{share}  {}\n",
                t["term"].as_str().unwrap_or("?"),
                ms(&t["ms"]),
                t["detail"].as_str().unwrap_or("")
            ));
        }
    }
    let mut lines = Vec::new();
    for e in a["excluded"].as_array().into_iter().flatten() {
        let m = e["machine"].as_str().unwrap_or("?");
        if machine.is_some_and(|x| x != m) {
            continue;
        }
        let tag = match (&e["constraint"], &e["extraMs"]) {
            (Value::String(c), _) => c.clone(),
            (_, Value::Number(_)) => format!("+{}", ms(&e["extraMs"])).replace("+-", "-"),
            _ => String::new(),
        };
        lines.push(format!(
            "  {m:<16} {tag:<18} {}\n",
            e["reason"].as_str().unwrap_or("")
        ));
    }
    if !lines.is_empty() {
        s.push_str("why not:\n");
        for l in lines {
            s.push_str(&l);
        }
    }
    if let Some(o) = a["omitted"]
        .as_object()
        .filter(|o| !o.is_empty() && machine.is_none())
    {
        let parts: Vec<String> = o
            .iter()
            .map(|(k, n)| format!("{k} {}", n.as_u64().unwrap_or(0)))
            .collect();
        s.push_str(&format!(
            "  (other machines not listed, by constraint: {})\n",
            parts.join(", ")
        ));
    }
    s
}

/// Runs `amc why`.
pub fn run(a: WhyArgs) -> ExitCode {
    let path = a.out.join("placement.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            stderrln!(
                "error: cannot read {}: {e} (is it an `amc build` output?)",
                path.display()
            );
            return ExitCode::from(2);
        }
    };
    let v: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            stderrln!("error: {} is not JSON: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    match amc::contracts::validate("amc-placement", &v) {
        Ok(errs) if errs.is_empty() => {}
        Ok(errs) => {
            stderrln!(
                "error: {} does not match the amc-placement contract ({} at {}); rebuild with this amc",
                path.display(),
                errs[0].message,
                errs[0].pointer
            );
            return ExitCode::from(2);
        }
        Err(e) => {
            stderrln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    let all = v["assignments"].as_array().cloned().unwrap_or_default();
    let chosen = pick(&all, &a.pod);
    if chosen.is_empty() {
        let mut pods: Vec<&str> = all.iter().filter_map(|x| x["pod"].as_str()).collect();
        pods.sort_unstable();
        pods.dedup();
        stderrln!(
            "error: no pod `{}` in {}; pods: {}",
            a.pod,
            path.display(),
            pods.join(", ")
        );
        return ExitCode::from(2);
    }
    if let Some(m) = &a.machine {
        let known = chosen.iter().any(|x| {
            x["machine"] == m.as_str()
                || x["excluded"]
                    .as_array()
                    .is_some_and(|e| e.iter().any(|y| y["machine"] == m.as_str()))
        });
        if !known {
            let omitted = chosen.iter().any(|x| x["omitted"].is_object());
            if omitted {
                stderrln!(
                    "error: machine `{m}` is not among the closest alternatives {} lists for `{}` (large fleets list the {} closest per replica and count the rest by constraint: run without --machine)",
                    path.display(),
                    a.pod,
                    amc::solve::LIST_CLOSEST
                );
            } else {
                stderrln!("error: no machine `{m}` in {}", path.display());
            }
            return ExitCode::from(2);
        }
    }
    match a.format {
        Format::Json => {
            let out: Vec<&Value> = chosen;
            stdoutln!(
                "{}",
                serde_json::to_string_pretty(&out).unwrap_or_else(|_| "[]".into())
            );
        }
        Format::Human => {
            let parts: Vec<String> = chosen
                .iter()
                .map(|x| human(x, a.machine.as_deref()))
                .collect();
            stdout!("{}", parts.join("\n"));
            stdoutln!(
                "\nobjective of the whole placement: {} ({}; see docs/placement.md)",
                ms(&v["objective"]["totalMs"]),
                v["solver"].as_str().unwrap_or("?")
            );
        }
    }
    ExitCode::SUCCESS
}
