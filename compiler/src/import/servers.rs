//! Workloads (from Compose or Kubernetes) → spec nodes.
//!
//! Takes: the [`Workload`]s of every Compose or Kubernetes input. Produces:
//! the stdlib imports, a stand-in machine (and cluster) sized to fit, cache
//! tiers for the volumes, a model and a provider (derived from the stdlib
//! one with `extends`) per inference server, a provider per other container,
//! and a pod per workload, each with a `// not carried over:` comment per
//! field amc has no place for. Never: claims a value the input did not give
//! without a `// stand-in:` comment.

use std::collections::{BTreeMap, BTreeSet};

use super::kdl::{Node, Val};
use super::workload::{Engine, Mount, Workload, ident};

const STD_PROVIDERS: &[&str] = &[
    "vllm",
    "llama-cpp",
    "sglang",
    "ollama",
    "omlx",
    "mlx-lm",
    "openai-compatible-local",
    "remote-governed",
];
const STD_TIERS: &[&str] = &["models", "cache-hot", "cache-warm", "scratch", "evidence"];
pub(crate) const GIB: i64 = 1 << 30;

/// Where the model of a server comes from.
pub(crate) struct ModelPlan {
    id: String,
    node: Node,
    pub(crate) size: i64,
}

pub(crate) fn gib_ceil(b: i64) -> i64 {
    (b + GIB - 1) / GIB
}

/// A size for a model the input names but does not describe: from the
/// parameter count in its name (`7B`) and its format, else 1 GB.
fn guessed_size(name: &str, format: &str) -> i64 {
    let lower = name.to_ascii_lowercase();
    let bytes_per_param = if format == "gguf" {
        if lower.contains("q8") {
            1.1
        } else if lower.contains("q5") || lower.contains("q6") {
            0.75
        } else {
            0.6
        }
    } else {
        2.0
    };
    let b = lower.as_bytes();
    let mut best: Option<f64> = None;
    for (i, c) in b.iter().enumerate() {
        if *c != b'b' || i == 0 || !b[i - 1].is_ascii_digit() {
            continue;
        }
        if b.get(i + 1).is_some_and(|n| n.is_ascii_alphanumeric()) {
            continue;
        }
        let mut s = i;
        while s > 0 && (b[s - 1].is_ascii_digit() || b[s - 1] == b'.') {
            s -= 1;
        }
        if s > 0 && b[s - 1].is_ascii_alphabetic() {
            continue;
        }
        if let Ok(p) = lower[s..i].parse::<f64>() {
            best = Some(p);
        }
    }
    match best {
        Some(p) => ((p * 1e9 * bytes_per_param / 1e9).ceil() as i64).max(1) * 1_000_000_000,
        None => 1_000_000_000,
    }
}

fn hf_repo(s: &str) -> bool {
    let parts: Vec<&str> = s.split('/').collect();
    parts.len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
}

/// The mount that holds the model: under the model's path, or a cache or models directory.
fn model_mount<'a>(w: &'a Workload, model: Option<&str>) -> Option<&'a Mount> {
    if let Some(m) = model.filter(|m| m.starts_with('/')) {
        let best = w
            .mounts
            .iter()
            .filter(|x| !x.memory && m.starts_with(&format!("{}/", x.target.trim_end_matches('/'))))
            .max_by_key(|x| x.target.len());
        if best.is_some() {
            return best;
        }
    }
    w.mounts.iter().find(|x| {
        !x.memory
            && (x.target.contains("huggingface")
                || x.target == "/models"
                || x.target.ends_with("/models")
                || x.target.contains(".ollama"))
    })
}

fn model_plan(w: &Workload, engine: Engine) -> Option<ModelPlan> {
    let kubernetes = w.kubernetes();
    let name = w.server.model.clone()?;
    let format = if name.to_ascii_lowercase().ends_with(".gguf")
        || name.to_ascii_lowercase().contains("gguf")
        || w.server.hf_file.is_some()
    {
        "gguf"
    } else {
        engine.format()
    };
    let base = name
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(&name);
    let base_id = base
        .strip_suffix(".gguf")
        .or_else(|| base.strip_suffix(".GGUF"))
        .unwrap_or(base);
    let id = ident(base_id);
    let size = guessed_size(&name, format);
    let mut node = Node::new("model").arg(id.as_str());
    let files: Vec<String>;
    if name.starts_with('/') {
        let (dir, file) = name.rsplit_once('/').unwrap_or(("", &name));
        let host_dir = model_mount(w, Some(&name)).and_then(|m| {
            let rel = dir.strip_prefix(m.target.trim_end_matches('/'))?;
            (m.bind && m.source.starts_with('/'))
                .then(|| format!("{}{rel}", m.source.trim_end_matches('/')))
        });
        let host = host_dir
            .clone()
            .unwrap_or_else(|| format!("/var/lib/agent-machine/models/{id}"));
        node = node.comment(format!(
            "from `{name}` in {}: the file has no sha256 yet; `amc model digest DIR` writes the `file` lines",
            w.origin
        ));
        if kubernetes {
            // Kubernetes pods mount no host paths (E0332): the claim was
            // filled outside the manifests, so say where the files come from.
            node = node.comment(format!(
                "stand-in: the manifests do not say how `{name}` got into its volume; \
                 name its source (`hf`, `url` or `oci`): `models.invalid` never resolves"
            ));
            node.child(Node::new("url").arg(format!("https://models.invalid/{id}/")));
        } else {
            if host_dir.is_none() {
                node = node.comment(format!(
                    "stand-in: the input does not say which host directory holds `{name}`"
                ));
            }
            node.child(Node::new("path").arg(host));
        }
        files = if format == "gguf" {
            vec![file.to_string()]
        } else {
            vec![
                format!("{file}/config.json"),
                format!("{file}/model.safetensors"),
            ]
        };
        if format != "gguf" {
            node.leaf("entry", file);
        }
    } else if hf_repo(&name) {
        node = node.comment(format!(
            "stand-in: {} names Hugging Face `{name}` only; pin a revision and list every file with its sha256",
            w.origin
        ));
        node.child(Node::new("hf").arg(name.as_str()));
        if w.server.hf_file_guessed
            && let Some(f) = &w.server.hf_file
        {
            node = node.comment(format!(
                "stand-in: `{name}` was given with a quantisation tag, from which llama.cpp picks a file itself; `{f}` is the usual name for it: check the repo's file list"
            ));
        }
        files = match (&w.server.hf_file, format) {
            (Some(f), _) if !f.contains('*') => vec![f.clone()],
            (Some(f), _) => vec![format!(
                "{}{}",
                ident(base_id.trim_end_matches("-GGUF").trim_end_matches("-gguf")),
                f.trim_matches('*')
            )],
            (None, "gguf") => vec![format!("{id}.gguf")],
            (None, _) => vec!["config.json".into(), "model.safetensors".into()],
        };
    } else {
        return None;
    }
    for f in &files {
        node.child(Node::new("file").arg(f.as_str()));
    }
    node.child(Node::new("allow-unpinned").arg(true));
    node.leaf("format", format);
    node.child(
        Node::new("size")
            .arg(format!("{}GB", size / 1_000_000_000))
            .comment("stand-in: a size guessed from the name; the files' sizes replace it"),
    );
    Some(ModelPlan { id, node, size })
}

fn provider_id(w: &Workload, taken: &BTreeSet<String>) -> String {
    let mut id = w.id.clone();
    if STD_PROVIDERS.contains(&id.as_str()) || taken.contains(&id) {
        id = ident(&format!("{}-local", w.id));
    }
    id
}

/// Everything the build of the nodes needs about one workload.
pub(crate) struct Plan {
    provider: String,
    pub(crate) model: Option<ModelPlan>,
    model_mount: Option<Mount>,
    pub(crate) tiers: Vec<(String, Mount)>,
}

pub(crate) fn size_str(b: i64) -> String {
    super::size(b)
}

fn cpu_val(c: &str) -> Val {
    match c.parse::<i64>() {
        Ok(n) => Val::Int(n),
        Err(_) => Val::Str(c.to_string()),
    }
}

fn tier_node(id: &str, m: &Mount, kubernetes: bool, model: bool) -> Node {
    let backend = if kubernetes {
        "topolvm-k8s"
    } else {
        "filesystem"
    };
    let (class, tier, durability, eviction, sens) = if model {
        ("agent-models", "model", "durable", "manual", "internal")
    } else {
        (
            "agent-artifacts",
            "artifact",
            "durable",
            "manual",
            "sensitive",
        )
    };
    let mut n = Node::new("cache-tier").arg(id).comment(format!(
        "stand-in: from volume `{}`; class, lifecycle and sensitivity are guesses: review them",
        if m.source.is_empty() {
            &m.target
        } else {
            &m.source
        }
    ));
    n.leaf("backend", backend);
    n.leaf("volume-class", class);
    n.leaf("tier", tier);
    n.leaf("sensitivity", sens);
    n.child(
        Node::new("lifecycle")
            .prop("durability", durability)
            .prop("eviction", eviction),
    );
    n.leaf(
        "quota",
        size_str(m.size.unwrap_or(if model { 120 * GIB } else { 10 * GIB })),
    );
    n.child(Node::new("mount").arg(m.target.as_str()).prop(
        "access",
        if model || m.read_only {
            "read-only"
        } else {
            "read-write"
        },
    ));
    n
}

/// The nodes of the spec, and the stdlib modules it imports.
pub(crate) fn nodes(ws: &[Workload], source: &str) -> (Vec<String>, Vec<Node>) {
    let ids: BTreeSet<String> = ws.iter().map(|w| w.id.clone()).collect();
    let servers: BTreeSet<String> = ws
        .iter()
        .filter(|w| w.engine.is_some())
        .map(|w| w.id.clone())
        .collect();
    let mut imports: BTreeSet<String> = BTreeSet::new();
    let mut providers_taken: BTreeSet<String> = BTreeSet::new();
    let mut tiers: BTreeMap<String, Node> = BTreeMap::new();
    let mut models: BTreeMap<String, Node> = BTreeMap::new();
    let mut plans = Vec::new();
    for w in ws {
        let model = w.engine.and_then(|e| model_plan(w, e));
        let mm = model
            .as_ref()
            .map(|_| model_mount(w, w.server.model.as_deref()).cloned());
        let model_mount = mm.flatten();
        let mut tier_list = Vec::new();
        for m in &w.mounts {
            if Some(m) == model_mount.as_ref() || m.memory || m.bind {
                continue;
            }
            let id = if w.kubernetes() {
                ident(&format!("{}-{}", w.id, m.source))
            } else {
                ident(&m.source)
            };
            let id = if STD_TIERS.contains(&id.as_str()) {
                ident(&format!("{id}-volume"))
            } else {
                id
            };
            tiers
                .entry(id.clone())
                .or_insert_with(|| tier_node(&id, m, w.kubernetes(), false));
            tier_list.push((id, m.clone()));
        }
        if let Some(m) = &model {
            if w.kubernetes() {
                let mount = model_mount.clone().unwrap_or(Mount {
                    source: String::new(),
                    bind: false,
                    target: "/models".into(),
                    read_only: true,
                    size: None,
                    storage_class: None,
                    claim: None,
                    memory: false,
                });
                let id = match &model_mount {
                    Some(x) if !x.source.is_empty() => ident(&format!("{}-{}", w.id, x.source)),
                    _ => "k8s-models".into(),
                };
                tiers
                    .entry(id.clone())
                    .or_insert_with(|| tier_node(&id, &mount, true, true));
                tier_list.insert(0, (id, mount));
            } else {
                imports.insert("std:cache-tiers".into());
                let mount = model_mount.clone().unwrap_or(Mount {
                    source: String::new(),
                    bind: false,
                    target: "/models".into(),
                    read_only: true,
                    size: None,
                    storage_class: None,
                    claim: None,
                    memory: false,
                });
                tier_list.insert(0, ("models".into(), mount));
            }
            models.entry(m.id.clone()).or_insert_with(|| m.node.clone());
        }
        if let Some(e) = w.engine {
            imports.insert(format!("std:providers/{}", e.provider()));
        }
        let provider = provider_id(w, &providers_taken);
        providers_taken.insert(provider.clone());
        plans.push(Plan {
            provider,
            model,
            model_mount,
            tiers: tier_list,
        });
    }

    let mut out = Vec::new();
    let (quadlet_machines, _) = super::fleet::machines(ws, &plans, false, source);
    let (k8s_machines, node_ids) = super::fleet::machines(ws, &plans, true, source);
    out.extend(quadlet_machines);
    out.extend(k8s_machines);

    let mut clusters: BTreeMap<String, Vec<&Workload>> = BTreeMap::new();
    for w in ws {
        if let Some(ns) = &w.namespace {
            clusters.entry(ns.clone()).or_default().push(w);
        }
    }
    for (ns, members) in &clusters {
        let mut c = Node::new("cluster").arg(ident(ns)).comment(format!(
            "stand-in: {source} names no cluster; derived from namespace `{ns}`"
        ));
        c.leaf("namespace", ident(ns));
        if let Some(sa) = members.iter().find_map(|w| w.service_account.clone()) {
            c.leaf("service-account", ident(&sa));
        }
        let classes: BTreeSet<String> = members
            .iter()
            .flat_map(|w| w.mounts.iter().filter_map(|m| m.storage_class.clone()))
            .collect();
        let class = classes
            .iter()
            .next()
            .cloned()
            .unwrap_or_else(|| "topolvm-provisioner".into());
        let mut sc = Node::new("storage-class")
            .arg("topolvm-k8s")
            .arg(class.as_str());
        if classes.is_empty() {
            sc = sc.comment("stand-in: no StorageClass named; TopoLVM's default");
        }
        c.child(sc);
        c.list("nodes", &node_ids);
        c.child(
            Node::new("tenant")
                .arg("default")
                .prop("namespace", ident(ns)),
        );
        if let Some(rc) = members.iter().find_map(|w| w.runtime_class.clone()) {
            c.leaf("gpu-runtime-class", ident(&rc));
        }
        let tolerations: BTreeMap<String, Option<String>> = members
            .iter()
            .flat_map(|w| w.tolerations.iter().cloned())
            .collect();
        for (key, effect) in tolerations {
            c.child(
                Node::new("gpu-toleration")
                    .arg(key)
                    .prop_opt("effect", effect),
            );
        }
        out.push(c);
    }

    out.extend(tiers.into_values());
    out.extend(models.into_values());
    for (w, p) in ws.iter().zip(&plans) {
        let mut n = provider_node(w, p);
        n.disabled = w.engine.is_none();
        out.push(n);
    }
    for (w, p) in ws.iter().zip(&plans) {
        let mut n = pod_node(w, p, &ids, &servers, &clusters);
        if w.engine.is_none() {
            n.disabled = true;
            n.comments.insert(
                1,
                "stand-in, commented out (`/-`): amc places a pod only where the machine's profile \
                 serves its provider's type (vLLM, SGLang, llama.cpp, Ollama); an agent container has \
                 none yet. Review it, and remove the `/-` here and on its provider when the target can run it"
                    .into(),
            );
        }
        out.push(n);
    }
    let mut imports: Vec<String> = imports.into_iter().collect();
    // Providers first, as the examples write them.
    imports.sort_by_key(|i| (!i.starts_with("std:providers"), i.clone()));
    (imports, out)
}

fn provider_node(w: &Workload, p: &Plan) -> Node {
    let mut n = Node::new("provider").arg(p.provider.as_str());
    match w.engine {
        Some(e) => {
            n = n.prop("extends", e.provider()).comment(format!(
                "from {}: the stdlib `{}` provider with its image",
                w.origin,
                e.provider()
            ));
        }
        None => {
            n = n.comment(format!(
                "from {}: not an inference server amc knows; the pod runs its image",
                w.origin
            ));
            n.leaf("runtime", "container");
        }
    }
    if let Some(img) = &w.image {
        let mut i = Node::new("image").arg(img.as_str());
        if let Some(g) = &w.gpu {
            i = i.prop("accelerator", g.accelerator);
        }
        n.child(i);
    }
    if w.engine.is_none() {
        let mut acc = vec!["cpu".to_string()];
        acc.extend(w.gpu.as_ref().map(|g| g.accelerator.to_string()));
        n.list("accelerators", &acc);
    }
    if w.engine.is_none()
        && let Some(port) = w.ports.first()
    {
        n.leaf("port", port.container);
    }
    n.list("entrypoint", &w.entrypoint);
    if w.engine.is_none() {
        n.list("args", &w.args);
    }
    n
}

fn pod_node(
    w: &Workload,
    p: &Plan,
    ids: &BTreeSet<String>,
    servers: &BTreeSet<String>,
    clusters: &BTreeMap<String, Vec<&Workload>>,
) -> Node {
    let mut pod = Node::new("pod")
        .arg(w.id.as_str())
        .comment(format!("from {}", w.origin));
    for d in &w.dropped {
        pod = pod.comment(format!("not carried over: {d}"));
    }
    pod.child(
        Node::new("tenant")
            .arg("default")
            .comment("stand-in: the input names no tenant; caches are shared only within a tenant"),
    );
    if w.engine.is_none() {
        pod.leaf("purpose", "agent-runner");
    }
    pod.leaf("provider", p.provider.as_str());
    if let Some(m) = &p.model {
        pod.leaf("model", m.id.as_str());
    } else if w.engine.is_some() {
        pod = pod.comment(
            "no model named in the command line: the server loads what it is told at run time",
        );
    }
    if let Some(r) = w.replicas.filter(|r| *r > 1) {
        pod.leaf("replicas", r);
    }
    if let Some(g) = &w.gpu {
        let mut acc = Node::new("accelerator").arg(g.accelerator);
        if w.gpu_stand_in {
            acc = acc.comment(format!(
                "stand-in: the input requests no GPU, but the stdlib `{}` provider runs only on an accelerator (cuda or rocm): one NVIDIA GPU assumed",
                w.engine.map_or("", Engine::provider)
            ));
        }
        pod.child(acc);
    }
    let mut res = Node::new("resources");
    if let Some(c) = &w.cpu {
        res = res.prop("cpu", cpu_val(c));
    }
    if let Some(c) = &w.cpu_limit {
        res = res.prop("cpu-limit", cpu_val(c));
    }
    if let Some(m) = w.memory {
        res = res.prop("memory", size_str(m));
    }
    if let Some(m) = w.memory_limit {
        res = res.prop("memory-limit", size_str(m));
    }
    if let Some(g) = w.gpu.as_ref().filter(|g| g.count > 0) {
        res = res.prop("gpus", g.count);
    }
    if !res.props.is_empty() {
        pod.child(res);
    }
    for (t, m) in &p.tiers {
        let mut v = Node::new("volume").arg(t.as_str());
        let is_model = p.model.is_some() && p.tiers.first().map(|x| &x.0) == Some(t);
        if m.target != "/models" || !is_model {
            v = v.prop("mount", m.target.as_str());
        }
        if let Some(c) = m.claim.as_ref().filter(|_| w.replicas.unwrap_or(1) == 1) {
            v = v.prop("pvc", ident(c));
        }
        if is_model && p.model_mount.is_some() && !w.kubernetes() {
            v = v.comment(format!(
                "volume `{}:{}`: amc stages the model into the `models` tier mounted here",
                p.model_mount
                    .as_ref()
                    .map(|m| m.source.as_str())
                    .unwrap_or(""),
                m.target
            ));
        }
        pod.child(v);
    }
    let mut names = BTreeSet::new();
    for (i, port) in w.ports.iter().enumerate() {
        let name = port
            .name
            .as_deref()
            .map(ident)
            .filter(|n| n.len() <= 15 && !names.contains(n))
            .unwrap_or_else(|| {
                if i == 0 {
                    "http".into()
                } else {
                    format!("http-{}", port.container)
                }
            });
        names.insert(name.clone());
        let exposure = if w.kubernetes() {
            "cluster"
        } else if port.host.is_none() {
            "none"
        } else if port.loopback {
            "loopback"
        } else {
            "host"
        };
        let mut n = Node::new("port")
            .arg(name.as_str())
            .arg(port.container)
            .prop("exposure", exposure);
        if !w.kubernetes()
            && let Some(h) = port.host.filter(|h| *h != port.container)
        {
            n = n.prop("host-port", h);
        }
        pod.child(n);
    }
    if let Some(r) = w.restart {
        pod.leaf("restart", r);
    }
    let mut target = Node::new("target").arg(if w.kubernetes() {
        "kubernetes"
    } else {
        "quadlet"
    });
    if let Some(ns) = &w.namespace
        && clusters.contains_key(ns)
    {
        target = target.prop("cluster", ident(ns));
    }
    pod.child(target);
    if !w.node_labels.is_empty() {
        let mut pl = Node::new("placement");
        let mut rl = Node::new("require-label");
        for (k, v) in &w.node_labels {
            rl = rl.prop(k, v.as_str());
        }
        pl.child(rl.comment("from nodeSelector (the stand-in machine carries the labels)"));
        pod.child(pl);
    }
    // Calls to other imported services: affinity to servers on the same target.
    let mut uses: BTreeSet<String> = w.uses.iter().cloned().collect();
    for v in w.env.values() {
        for id in ids {
            if *id != w.id && (v.contains(&format!("://{id}:")) || v.contains(&format!("://{id}/")))
            {
                uses.insert(id.clone());
            }
        }
    }
    let affinity: Vec<String> = uses
        .iter()
        .filter(|u| servers.contains(*u) && **u != w.id)
        .cloned()
        .collect();
    let others: Vec<String> = uses
        .iter()
        .filter(|u| !servers.contains(*u) && ids.contains(*u) && **u != w.id)
        .cloned()
        .collect();
    if !affinity.is_empty() {
        let mut pl = Node::new("placement");
        let mut a = Node::new("affinity");
        a.args = affinity.iter().map(Val::from).collect();
        pl.child(a.comment(format!(
            "it calls {}: on the same machine (amc has no start order between pods; reach it by its pod name on the tenant network)",
            affinity.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
        )));
        if let Some(existing) = pod.children.iter_mut().find(|c| c.name == "placement") {
            existing.children.extend(pl.children);
        } else {
            pod.child(pl);
        }
    }
    if !others.is_empty() {
        pod = pod.comment(format!(
            "not carried over: depends_on {}: amc has no start order between pods",
            others
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for (k, v) in &w.env {
        pod.child(Node::new("env").arg(k.as_str()).arg(v.as_str()));
    }
    for (env, secret) in &w.secrets {
        pod.child(
            Node::new("secret")
                .arg(secret.as_str())
                .prop("env", env.as_str())
                .comment(format!(
                    "stand-in: create the secret `{secret}` on the target"
                )),
        );
    }
    if let Some(e) = w.engine {
        let extra = &w.server.extra;
        if !extra.is_empty() {
            let mut args: Vec<String> = e.base_args().iter().map(|s| s.to_string()).collect();
            args.extend(extra.iter().cloned());
            let mut a = Node::new("args");
            a.args = args.iter().map(Val::from).collect();
            pod.child(a.comment(format!(
                "the stdlib `{}` arguments, then the input's own",
                e.provider()
            )));
        }
    }
    if let Some(s) = w.shm {
        pod.leaf("shm", size_str(s));
    }
    pod
}
