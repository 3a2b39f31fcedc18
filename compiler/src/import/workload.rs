//! What a Compose service or a Kubernetes workload says, in one shape.
//!
//! Takes: nothing itself; `compose.rs` and `kubernetes.rs` fill a
//! [`Workload`] per service or container, and `servers.rs` turns them into
//! spec nodes. Here too: recognising an inference server (vLLM, llama.cpp,
//! SGLang, Ollama) from its image and command, and reading its model and port
//! from the command line. Never: reads files, decides layout.

use std::collections::BTreeMap;

/// An inference server amc has a stdlib provider for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Engine {
    /// vLLM (`vllm serve`, `vllm/vllm-openai`).
    Vllm,
    /// llama.cpp's `llama-server`.
    LlamaCpp,
    /// SGLang (`sglang.launch_server`).
    Sglang,
    /// Ollama.
    Ollama,
}

impl Engine {
    /// The stdlib provider id (and module `std:providers/<id>`).
    pub fn provider(self) -> &'static str {
        match self {
            Engine::Vllm => "vllm",
            Engine::LlamaCpp => "llama-cpp",
            Engine::Sglang => "sglang",
            Engine::Ollama => "ollama",
        }
    }
    /// The stdlib provider's `args`, which a pod's `args` replace whole.
    pub fn base_args(self) -> &'static [&'static str] {
        match self {
            Engine::Vllm => &[
                "{model-path}",
                "--host",
                "0.0.0.0",
                "--port",
                "{port}",
                "--served-model-name",
                "{model-id}",
            ],
            Engine::LlamaCpp => &[
                "--host",
                "0.0.0.0",
                "--port",
                "{port}",
                "--model",
                "{model-path}",
                "--alias",
                "{model-id}",
                "--n-gpu-layers",
                "{gpu-layers}",
            ],
            Engine::Sglang => &[
                "--model-path",
                "{model-path}",
                "--served-model-name",
                "{model-id}",
                "--host",
                "0.0.0.0",
                "--port",
                "{port}",
            ],
            Engine::Ollama => &["serve"],
        }
    }
    /// The model format it serves by default.
    pub fn format(self) -> &'static str {
        match self {
            Engine::Vllm | Engine::Sglang => "safetensors",
            Engine::LlamaCpp | Engine::Ollama => "gguf",
        }
    }
    /// Flags that take a value amc sets itself from the spec (`{port}`, `{model-path}`, ...).
    fn owned_flags(self) -> &'static [&'static str] {
        match self {
            Engine::Vllm => &["--model", "--host", "--port", "--served-model-name"],
            Engine::LlamaCpp => &[
                "--model",
                "-m",
                "--host",
                "--port",
                "--alias",
                "-a",
                "--n-gpu-layers",
                "-ngl",
                "--gpu-layers",
                "--hf-repo",
                "-hf",
                "-hfr",
                "--hf-file",
                "-hff",
            ],
            Engine::Sglang => &[
                "--model-path",
                "--model",
                "--host",
                "--port",
                "--served-model-name",
            ],
            Engine::Ollama => &[],
        }
    }
    /// Flags that are switches (no value).
    fn switch(flag: &str) -> bool {
        matches!(
            flag,
            "--trust-remote-code"
                | "--enable-prefix-caching"
                | "--no-enable-prefix-caching"
                | "--enforce-eager"
                | "--enable-auto-tool-choice"
                | "--disable-log-requests"
                | "--disable-log-stats"
                | "--cont-batching"
                | "-cb"
                | "--flash-attn"
                | "-fa"
                | "--metrics"
                | "--embedding"
                | "--embeddings"
                | "--jinja"
                | "--mlock"
                | "--no-mmap"
                | "--verbose"
        )
    }
}

/// Recognises an inference server from its image and command line.
pub(crate) fn engine_of(image: &str, command: &[String]) -> Option<Engine> {
    let image = image.to_ascii_lowercase();
    let repo = image.split(['@']).next().unwrap_or("");
    let repo = repo
        .rsplit_once(':')
        .map_or(repo, |(r, t)| if t.contains('/') { repo } else { r });
    let cmd = command.join(" ");
    if repo.ends_with("vllm/vllm-openai")
        || repo.ends_with("rocm/vllm")
        || repo.contains("vllm")
        || cmd.starts_with("vllm serve")
        || cmd.contains("vllm.entrypoints.openai.api_server")
    {
        Some(Engine::Vllm)
    } else if repo.contains("llama.cpp")
        || repo.contains("llama-cpp")
        || command
            .first()
            .is_some_and(|c| c.rsplit('/').next() == Some("llama-server"))
    {
        Some(Engine::LlamaCpp)
    } else if repo.contains("sglang") || cmd.contains("sglang.launch_server") {
        Some(Engine::Sglang)
    } else if repo.ends_with("ollama/ollama") || repo.contains("ollama") {
        Some(Engine::Ollama)
    } else {
        None
    }
}

/// The command line of an inference server, read.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ServerArgs {
    /// The model: a Hugging Face repo (`org/name`), a path, or a name.
    pub model: Option<String>,
    /// A GGUF file inside a Hugging Face repo (llama.cpp `--hf-file`, `-hf org/repo:quant`).
    pub hf_file: Option<String>,
    /// The served model name (`--served-model-name`, `--alias`).
    pub served_name: Option<String>,
    /// The port the server listens on (`--port`).
    pub port: Option<i64>,
    /// Everything else, carried over after the stdlib arguments.
    pub extra: Vec<String>,
    /// Flags whose value is a credential: never carried over.
    pub secret_flags: Vec<String>,
    /// Flags amc sets itself, as given (`-ngl 99`), and what amc does instead.
    pub replaced: Vec<(String, String)>,
    /// `hf_file` is a guess from a `-hf repo:QUANT` tag, not a file name the input gave.
    pub hf_file_guessed: bool,
}

/// What amc does instead of an owned flag of the input's command line, when
/// that flag is not carried over into the spec some other way.
fn replaced_by(flag: &str, value: &str) -> Option<String> {
    match flag {
        "--host" if value == "0.0.0.0" => None,
        "--host" => Some(
            "amc runs the server with `--host 0.0.0.0` in its container; the port's `exposure` decides who reaches it"
                .into(),
        ),
        "--served-model-name" | "--alias" | "-a" => Some(format!(
            "amc serves the model under its model id (`{{model-id}}`); name the model `{}` if clients ask for that",
            value
        )),
        "--n-gpu-layers" | "-ngl" | "--gpu-layers" => Some(
            "amc sets `--n-gpu-layers {gpu-layers}` itself: every layer on the GPU when the pod has an accelerator, none on CPU"
                .into(),
        ),
        _ => None,
    }
}

fn secret_flag(flag: &str) -> bool {
    let f = flag.trim_start_matches('-').to_ascii_lowercase();
    f.contains("api-key") || f.contains("token") || f.contains("password") || f == "hf-token"
}

/// Reads the model, port and remaining flags from an inference server's
/// arguments (the entrypoint already removed).
pub(crate) fn read_args(engine: Engine, args: &[String]) -> ServerArgs {
    let mut out = ServerArgs::default();
    let owned = engine.owned_flags();
    let mut i = 0;
    // `vllm serve MODEL`: the model is the first positional argument.
    let mut positional_model = matches!(engine, Engine::Vllm);
    while i < args.len() {
        let a = &args[i];
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with('-') => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        if !flag.starts_with('-') {
            if positional_model && out.model.is_none() {
                out.model = Some(a.clone());
            } else if !(engine == Engine::Ollama && a == "serve") {
                out.extra.push(a.clone());
            }
            positional_model = false;
            i += 1;
            continue;
        }
        positional_model = false;
        let takes_value = !Engine::switch(&flag);
        let value = match (inline, takes_value) {
            (Some(v), _) => Some(v),
            (None, true) => {
                let v = args.get(i + 1).filter(|v| !v.starts_with("--")).cloned();
                if v.is_some() {
                    i += 1;
                }
                v
            }
            (None, false) => None,
        };
        i += 1;
        if secret_flag(&flag) {
            out.secret_flags.push(flag);
            continue;
        }
        if owned.contains(&flag.as_str()) {
            match (flag.as_str(), value) {
                ("--model" | "-m" | "--model-path", Some(v)) => out.model = Some(v),
                ("--hf-repo" | "-hf" | "-hfr", Some(v)) => match v.split_once(':') {
                    Some((repo, quant)) => {
                        // llama.cpp picks the repo's file for the tag; its
                        // files are usually named `<repo>-<QUANT>.gguf`.
                        let base = repo.rsplit('/').next().unwrap_or(repo);
                        let base = base
                            .strip_suffix("-GGUF")
                            .or_else(|| base.strip_suffix("-gguf"))
                            .unwrap_or(base);
                        out.model = Some(repo.to_string());
                        if out.hf_file.is_none() {
                            out.hf_file = Some(format!("{base}-{quant}.gguf"));
                            out.hf_file_guessed = true;
                        }
                    }
                    None => out.model = Some(v),
                },
                ("--hf-file" | "-hff", Some(v)) => {
                    out.hf_file = Some(v);
                    out.hf_file_guessed = false;
                }
                ("--served-model-name" | "--alias" | "-a", Some(v)) => {
                    if let Some(why) = replaced_by(&flag, &v) {
                        out.replaced.push((format!("{flag} {v}"), why));
                    }
                    out.served_name = Some(v);
                }
                ("--port", Some(v)) => out.port = v.parse().ok(),
                (f, v) => {
                    let v = v.unwrap_or_default();
                    if let Some(why) = replaced_by(f, &v) {
                        out.replaced
                            .push((format!("{f} {v}").trim_end().to_string(), why));
                    }
                }
            }
            continue;
        }
        out.extra.push(flag);
        out.extra.extend(value);
    }
    out
}

/// A GPU request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Gpu {
    /// The accelerator API (`cuda`, `rocm`, `vulkan`).
    pub accelerator: &'static str,
    /// The vendor (`nvidia`, `amd`, `intel`, `other`).
    pub vendor: &'static str,
    /// Whole GPUs (0: a device passed through without a count, e.g. /dev/dri).
    pub count: i64,
}

/// A published or served port.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Port {
    /// Port name (Kubernetes), if any.
    pub name: Option<String>,
    /// The container port.
    pub container: i64,
    /// The published host port (Compose).
    pub host: Option<i64>,
    /// Published on loopback only.
    pub loopback: bool,
}

/// A volume mounted into the workload.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mount {
    /// The volume's name (named volume, claim or volume name), or the host path of a bind mount.
    pub source: String,
    /// A bind mount of a host path (Compose), not a managed volume.
    pub bind: bool,
    /// Mount path in the container.
    pub target: String,
    /// Mounted read-only.
    pub read_only: bool,
    /// Requested size in bytes (PVCs).
    pub size: Option<i64>,
    /// StorageClass (PVCs).
    pub storage_class: Option<String>,
    /// A Kubernetes PersistentVolumeClaim name the workload uses (not a template).
    pub claim: Option<String>,
    /// Memory-backed (tmpfs, emptyDir medium Memory).
    pub memory: bool,
}

/// One workload of the input: a Compose service or a Kubernetes container.
#[derive(Debug, Clone, Default)]
pub(crate) struct Workload {
    /// amc id (pod id).
    pub id: String,
    /// Where it came from (`service `vllm``, `Deployment `x``), for comments.
    pub origin: String,
    /// The inference server it runs, if it is one.
    pub engine: Option<Engine>,
    /// The image, fully qualified.
    pub image: Option<String>,
    /// The entrypoint, when set and not the server's own.
    pub entrypoint: Vec<String>,
    /// The server's arguments read (inference servers).
    pub server: ServerArgs,
    /// The command and arguments (other workloads).
    pub args: Vec<String>,
    /// Plain environment variables (sorted by name).
    pub env: BTreeMap<String, String>,
    /// Environment variables that hold secrets: env name → secret name.
    pub secrets: BTreeMap<String, String>,
    /// Ports.
    pub ports: Vec<Port>,
    /// GPU or device passthrough.
    pub gpu: Option<Gpu>,
    /// CPU request and limit.
    pub cpu: Option<String>,
    /// CPU limit.
    pub cpu_limit: Option<String>,
    /// Memory request in bytes.
    pub memory: Option<i64>,
    /// Memory limit in bytes.
    pub memory_limit: Option<i64>,
    /// /dev/shm size in bytes.
    pub shm: Option<i64>,
    /// Replicas.
    pub replicas: Option<i64>,
    /// Volumes.
    pub mounts: Vec<Mount>,
    /// Workloads (ids) it depends on or calls.
    pub uses: Vec<String>,
    /// Restart policy in amc's vocabulary.
    pub restart: Option<&'static str>,
    /// Kubernetes namespace (Kubernetes workloads only).
    pub namespace: Option<String>,
    /// nodeSelector labels.
    pub node_labels: BTreeMap<String, String>,
    /// Tolerated taint keys with their effect (GPU taints).
    pub tolerations: Vec<(String, Option<String>)>,
    /// RuntimeClass.
    pub runtime_class: Option<String>,
    /// ServiceAccount.
    pub service_account: Option<String>,
    /// Fields that could not be carried over: `path: why`.
    pub dropped: Vec<String>,
    /// `gpu` is a stand-in: the input requests none, but the server needs one.
    pub gpu_stand_in: bool,
}

impl Workload {
    /// vLLM and SGLang run only on an accelerator (their stdlib providers
    /// say so): a server of theirs that requests no GPU gets a stand-in one,
    /// so the imported spec checks.
    pub fn gpu_for_engine(&mut self) {
        if self.gpu.is_none() && matches!(self.engine, Some(Engine::Vllm | Engine::Sglang)) {
            self.gpu = Some(Gpu {
                accelerator: "cuda",
                vendor: "nvidia",
                count: 1,
            });
            self.gpu_stand_in = true;
        }
    }

    /// llama.cpp reads its model and port from `LLAMA_ARG_*` too: moves
    /// them from the environment to the server's arguments.
    pub fn server_env(&mut self) {
        if self.engine != Some(Engine::LlamaCpp) {
            return;
        }
        if let Some(m) = self.env.remove("LLAMA_ARG_MODEL") {
            self.server.model.get_or_insert(m);
        }
        if let Some(m) = self.env.remove("LLAMA_ARG_HF_REPO") {
            self.server.model.get_or_insert(m);
        }
        if let Some(f) = self.env.remove("LLAMA_ARG_HF_FILE") {
            self.server.hf_file.get_or_insert(f);
        }
        if let Some(p) = self.env.remove("LLAMA_ARG_PORT")
            && self.server.port.is_none()
        {
            self.server.port = p.parse().ok();
        }
        // amc sets the host, the alias and the GPU layers itself.
        for k in [
            "LLAMA_ARG_HOST",
            "LLAMA_ARG_ALIAS",
            "LLAMA_ARG_N_GPU_LAYERS",
        ] {
            self.env.remove(k);
        }
    }

    /// Notes a field that is not carried over.
    pub fn drop(&mut self, path: impl AsRef<str>, why: impl AsRef<str>) {
        self.dropped
            .push(format!("{}: {}", path.as_ref(), why.as_ref()));
    }
    /// Whether it is a Kubernetes workload.
    pub fn kubernetes(&self) -> bool {
        self.namespace.is_some()
    }
}

/// An image reference with its registry (`vllm/vllm-openai` →
/// `docker.io/vllm/vllm-openai:latest`); `None` when it is not one amc accepts.
pub(crate) fn qualify_image(image: &str) -> Option<String> {
    let image = image.trim();
    if image.is_empty() || image.contains(char::is_whitespace) || image.contains('$') {
        return None;
    }
    let first = image.split('/').next().unwrap_or("");
    let has_registry =
        image.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let mut out = if has_registry {
        image.to_string()
    } else if image.contains('/') {
        format!("docker.io/{image}")
    } else {
        format!("docker.io/library/{image}")
    };
    let last = out.rsplit('/').next().unwrap_or("");
    if !last.contains(':') && !last.contains('@') {
        out.push_str(":latest");
    }
    let (repo, rest) = out.split_at(out.find(['@']).unwrap_or(out.len()));
    let lower = repo.to_ascii_lowercase();
    if lower != repo && !has_registry {
        return None;
    }
    Some(format!("{lower}{rest}"))
}

/// An amc identifier from any name (`Qwen/Qwen2.5-7B` → `qwen-qwen2-5-7b`).
pub(crate) fn ident(name: &str) -> String {
    let mut id = String::new();
    for c in name.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    let mut id = id.trim_matches('-').to_string();
    if id.is_empty() {
        id = "x".into();
    }
    id.truncate(40);
    while id.ends_with('-') {
        id.pop();
    }
    id
}

/// A Kubernetes or Compose quantity of bytes (`16Gi`, `512M`, `2g`, `1073741824`).
pub(crate) fn bytes(q: &str) -> Option<i64> {
    let q = q.trim();
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(q.len());
    let (num, unit) = q.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mul: f64 = match unit.trim() {
        "" | "b" | "B" => 1.0,
        "k" | "K" | "kb" | "KB" => 1e3,
        "Ki" | "KiB" => 1024.0,
        "m" | "M" | "mb" | "MB" => 1e6,
        "Mi" | "MiB" => 1024.0 * 1024.0,
        "g" | "G" | "gb" | "GB" => 1e9,
        "Gi" | "GiB" => 1024.0 * 1024.0 * 1024.0,
        "t" | "T" | "tb" | "TB" => 1e12,
        "Ti" | "TiB" => 1024f64.powi(4),
        _ => return None,
    };
    // Compose reads `512m` and `2g` as binary units (docker's units.RAMInBytes).
    let mul = match unit.trim() {
        "k" | "kb" => 1024.0,
        "m" | "mb" => 1024f64.powi(2),
        "g" | "gb" => 1024f64.powi(3),
        "t" | "tb" => 1024f64.powi(4),
        _ => mul,
    };
    let v = (n * mul).round();
    (1.0..9e18).contains(&v).then_some(v as i64)
}

/// A CPU quantity as amc writes it (`"2"`, `"500m"`, `"1.5"`); `None` when it is not one.
pub(crate) fn cpu_quantity(q: &str) -> Option<String> {
    let q = q.trim();
    if let Some(m) = q.strip_suffix('m') {
        return m
            .parse::<u64>()
            .ok()
            .filter(|m| *m > 0)
            .map(|m| format!("{m}m"));
    }
    let v: f64 = q.parse().ok()?;
    if v <= 0.0 {
        return None;
    }
    let milli = (v * 1000.0).round() as u64;
    Some(if milli.is_multiple_of(1000) {
        format!("{}", milli / 1000)
    } else {
        format!("{milli}m")
    })
}

/// Whether an environment variable name suggests a secret value.
pub(crate) fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "CREDENTIAL",
    ]
    .iter()
    .any(|s| n.contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn engines_are_recognised() {
        assert_eq!(
            engine_of("vllm/vllm-openai:v0.11.1", &[]),
            Some(Engine::Vllm)
        );
        assert_eq!(
            engine_of("python:3.12", &v(&["vllm", "serve", "m"])),
            Some(Engine::Vllm)
        );
        assert_eq!(
            engine_of("ghcr.io/ggml-org/llama.cpp:server", &[]),
            Some(Engine::LlamaCpp)
        );
        assert_eq!(
            engine_of("x/y", &v(&["/app/llama-server"])),
            Some(Engine::LlamaCpp)
        );
        assert_eq!(
            engine_of("lmsysorg/sglang:latest", &[]),
            Some(Engine::Sglang)
        );
        assert_eq!(engine_of("ollama/ollama", &[]), Some(Engine::Ollama));
        assert_eq!(engine_of("ghcr.io/example/agent:1", &[]), None);
        assert_eq!(engine_of("localhost:5000/agent", &[]), None);
    }

    #[test]
    fn server_arguments() {
        let a = read_args(
            Engine::Vllm,
            &v(&[
                "Qwen/Qwen2.5-7B",
                "--port",
                "8001",
                "--max-model-len=8192",
                "--enforce-eager",
                "--api-key",
                "sk-x",
            ]),
        );
        assert_eq!(a.model.as_deref(), Some("Qwen/Qwen2.5-7B"));
        assert_eq!(a.port, Some(8001));
        assert_eq!(a.extra, v(&["--max-model-len", "8192", "--enforce-eager"]));
        assert_eq!(a.secret_flags, v(&["--api-key"]));
        let a = read_args(
            Engine::LlamaCpp,
            &v(&["-m", "/models/q.gguf", "-c", "4096", "-ngl", "99"]),
        );
        assert_eq!(a.model.as_deref(), Some("/models/q.gguf"));
        assert_eq!(a.extra, v(&["-c", "4096"]));
        let a = read_args(
            Engine::LlamaCpp,
            &v(&["-hf", "ggml-org/gemma-3-1b-it-GGUF:Q4_K_M"]),
        );
        assert_eq!(a.model.as_deref(), Some("ggml-org/gemma-3-1b-it-GGUF"));
    }

    #[test]
    fn quantities_and_names() {
        assert_eq!(bytes("16Gi"), Some(16 << 30));
        assert_eq!(bytes("512m"), Some(512 << 20));
        assert_eq!(bytes("2G"), Some(2_000_000_000));
        assert_eq!(bytes("lots"), None);
        assert_eq!(cpu_quantity("0.5").as_deref(), Some("500m"));
        assert_eq!(cpu_quantity("4").as_deref(), Some("4"));
        assert_eq!(cpu_quantity("250m").as_deref(), Some("250m"));
        assert_eq!(
            ident("Qwen/Qwen2.5-7B-Instruct"),
            "qwen-qwen2-5-7b-instruct"
        );
        assert_eq!(
            qualify_image("vllm/vllm-openai:v0.11.1").as_deref(),
            Some("docker.io/vllm/vllm-openai:v0.11.1")
        );
        assert_eq!(
            qualify_image("redis").as_deref(),
            Some("docker.io/library/redis:latest")
        );
        assert_eq!(
            qualify_image("ghcr.io/ggml-org/llama.cpp:server").as_deref(),
            Some("ghcr.io/ggml-org/llama.cpp:server")
        );
        assert_eq!(qualify_image("${IMAGE}"), None);
    }
}
