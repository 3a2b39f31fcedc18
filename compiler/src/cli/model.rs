//! `amc model digest DIR`: the `file` lines of a model, from a local copy.
//!
//! Walks DIR (sorted, symbolic links not followed, `.git` and `.cache`
//! skipped), hashes every regular file with sha256 as it streams, and prints
//! a formatted `model` node with one `file "PATH" sha256="…" size="…B"` line
//! per file — the lines a pinned model lists. The source line comes from
//! `--hf ORG/REPO --revision COMMIT`, `--url URL` or `--oci REF`, else it is
//! `path "DIR"` (DIR made absolute).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use sha2::{Digest, Sha256};

/// Arguments of `amc model`.
#[derive(Args)]
pub struct ModelArgs {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    /// Print a `model` node listing every file of DIR with its sha256 and size.
    Digest(DigestArgs),
}

#[derive(Args)]
struct DigestArgs {
    /// The model directory (a local copy, e.g. a Hugging Face snapshot).
    dir: PathBuf,
    /// The model id (default: DIR's name, lower-cased, other characters as `-`).
    #[arg(long)]
    id: Option<String>,
    /// A Hugging Face repository the files come from ("org/name").
    #[arg(long, requires = "revision", conflicts_with_all = ["url", "oci"])]
    hf: Option<String>,
    /// The commit of --hf (40 hex digits).
    #[arg(long)]
    revision: Option<String>,
    /// An https:// directory URL the files are fetched from.
    #[arg(long, conflicts_with = "oci")]
    url: Option<String>,
    /// An OCI reference (registry/repo@sha256:…) holding the files.
    #[arg(long)]
    oci: Option<String>,
}

/// Runs `amc model`.
pub fn run(a: ModelArgs) -> ExitCode {
    match a.what {
        What::Digest(d) => digest(d),
    }
}

fn model_id(dir: &Path) -> String {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_else(|| "model".into());
    let mut id: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while id.contains("--") {
        id = id.replace("--", "-");
    }
    let id = id.trim_matches('-').chars().take(40).collect::<String>();
    let id = id.trim_end_matches('-').to_string();
    if id.is_empty() { "model".into() } else { id }
}

fn format_of(files: &[(String, String, u64)]) -> &'static str {
    if files.iter().any(|(p, _, _)| p.ends_with(".gguf")) {
        "gguf"
    } else if files.iter().any(|(p, _, _)| p.ends_with(".onnx")) {
        "onnx"
    } else {
        "safetensors"
    }
}

fn hash_file(p: &Path) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(p)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((hex, n))
}

fn digest(a: DigestArgs) -> ExitCode {
    if !a.dir.is_dir() {
        stderrln!("error: {} is not a directory", a.dir.display());
        return ExitCode::from(2);
    }
    if let Some(r) = &a.revision
        && !amc::lang::types::is_hex(r, 40)
    {
        stderrln!("error: --revision `{r}` is not a 40-hex commit (a branch or tag is not a pin)");
        return ExitCode::from(2);
    }
    let mut files: Vec<(String, String, u64)> = Vec::new();
    let walk = walkdir::WalkDir::new(&a.dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !matches!(e.file_name().to_str(), Some(".git" | ".cache"))
        });
    for e in walk {
        let e = match e {
            Ok(e) => e,
            Err(err) => {
                stderrln!("error: cannot list {}: {err}", a.dir.display());
                return ExitCode::from(1);
            }
        };
        if !e.file_type().is_file() {
            continue;
        }
        let rel = amc::vfs::slash_path(e.path().strip_prefix(&a.dir).unwrap_or(e.path()));
        if let Some(why) = amc::lang::types::rel_path_problem(&rel) {
            stderrln!("error: {rel} {why}");
            return ExitCode::from(1);
        }
        match hash_file(e.path()) {
            Ok((hex, n)) => files.push((rel, hex, n)),
            Err(err) => {
                stderrln!("error: cannot read {}: {err}", e.path().display());
                return ExitCode::from(1);
            }
        }
    }
    if files.is_empty() {
        stderrln!("error: {} holds no files", a.dir.display());
        return ExitCode::from(1);
    }
    let source = match (&a.hf, &a.url, &a.oci) {
        (Some(repo), _, _) => format!(
            "hf \"{repo}\" revision=\"{}\"",
            a.revision.clone().unwrap_or_default()
        ),
        (_, Some(url), _) => format!("url \"{url}\""),
        (_, _, Some(oci)) => format!("oci \"{oci}\""),
        _ => {
            let abs = std::fs::canonicalize(&a.dir).unwrap_or_else(|_| a.dir.clone());
            format!("path \"{}\"", abs.display())
        }
    };
    let id = a.id.unwrap_or_else(|| model_id(&a.dir));
    let total: u64 = files.iter().map(|f| f.2).sum();
    let mut out = format!("model \"{id}\" {{\n    {source}\n");
    for (p, h, n) in &files {
        out.push_str(&format!("    file \"{p}\" sha256=\"{h}\" size=\"{n}B\"\n"));
    }
    out.push_str(&format!(
        "    format \"{}\"\n    size \"{total}B\"\n}}\n",
        format_of(&files)
    ));
    // The canonical layout (and a check that what was printed parses).
    match amc::fmt::format_str("model.kdl", &out) {
        Ok(formatted) => stdout!("{formatted}"),
        Err(_) => stdout!("{out}"),
    }
    ExitCode::SUCCESS
}
