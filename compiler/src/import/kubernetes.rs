//! Kubernetes manifests → workloads.
//!
//! Takes: the parsed documents of a manifest stream (YAML or JSON, `---`
//! separated, `List` kinds expanded). Produces: a [`Workload`] per
//! Deployment or StatefulSet (its first inference-server container, else its
//! first container), a `W0401` warning and a header line per other object,
//! and `E0406` for a field whose shape amc cannot read. Never: drops an
//! object silently.

use std::collections::BTreeMap;

use super::workload::{
    Gpu, Mount, Port, Workload, bytes, cpu_quantity, engine_of, ident, qualify_image, read_args,
    secret_name,
};
use super::yaml::{V, Y};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::FileId;

/// Why an object of another kind is not carried over.
fn why_not(kind: &str) -> &'static str {
    match kind {
        "Service" => "amc writes a Service for each port with exposure=\"cluster\"",
        "Ingress" => "amc writes an Ingress for each port with exposure=\"ingress\" and a host",
        "ConfigMap" => "amc has no config files: use `env` or a volume",
        "Secret" => "secret values never enter a spec: reference the Secret with `secret`",
        "PersistentVolumeClaim" => {
            "amc writes a claim per volume of a cache tier (`pvc=` keeps a name)"
        }
        "Namespace" => "amc writes the namespaces of its clusters' tenants",
        "ServiceAccount" => "amc writes the cluster's `service-account`",
        "NetworkPolicy" => "amc writes default-deny network policies itself",
        "HorizontalPodAutoscaler" => "amc has no autoscaling: set `replicas`",
        _ => "not a kind amc imports (Deployment and StatefulSet are)",
    }
}

/// The objects of a stream, `List` kinds expanded.
fn objects(docs: &[Y]) -> Vec<&Y> {
    let mut out = Vec::new();
    for d in docs {
        let kind = d.get("kind").text().unwrap_or_default();
        if kind == "List" || kind.ends_with("List") {
            out.extend(d.get("items").items());
        } else {
            out.push(d);
        }
    }
    out
}

fn quantity_text(y: &Y) -> Option<String> {
    y.text()
}

fn container(
    w: &mut Workload,
    c: &Y,
    volumes: &BTreeMap<String, (Y, Option<Mount>)>,
    templates: &BTreeMap<String, Mount>,
) {
    let image = c.get("image").text().unwrap_or_default();
    let command: Vec<String> = c
        .get("command")
        .items()
        .iter()
        .filter_map(Y::text)
        .collect();
    let args: Vec<String> = c.get("args").items().iter().filter_map(Y::text).collect();
    let mut argv = command.clone();
    argv.extend(args.iter().cloned());
    w.engine = engine_of(&image, &argv);
    match qualify_image(&image) {
        Some(i) => w.image = Some(i),
        None => w.drop("image", "not an image reference amc accepts"),
    }
    match w.engine {
        Some(e) => {
            let mut rest = argv.clone();
            let launchers: &[&[&str]] = &[
                &["vllm", "serve"],
                &["python3", "-m", "vllm.entrypoints.openai.api_server"],
                &["python3", "-m", "sglang.launch_server"],
                &["python", "-m", "sglang.launch_server"],
                &["/app/llama-server"],
                &["llama-server"],
                &["ollama"],
            ];
            for l in launchers {
                if rest.len() >= l.len() && rest.iter().zip(l.iter()).all(|(a, b)| a == b) {
                    rest.drain(..l.len());
                    w.drop(
                        format!("command: {}", l.join(" ")),
                        format!(
                            "the stdlib `{}` provider starts the server itself",
                            e.provider()
                        ),
                    );
                    break;
                }
            }
            w.server = read_args(e, &rest);
            for f in w.server.secret_flags.clone() {
                w.drop(
                    format!("args: {f}"),
                    "its value is a credential: pass it as a `secret` environment variable",
                );
            }
            for (f, why) in w.server.replaced.clone() {
                w.drop(format!("args: {f}"), why);
            }
        }
        None => {
            w.entrypoint = command;
            w.args = args;
        }
    }
    for e in c.get("env").items() {
        let Some(name) = e.get("name").text() else {
            continue;
        };
        let from = e.at_path("valueFrom/secretKeyRef");
        if !from.is_null() {
            let secret = from
                .get("name")
                .text()
                .map(|s| ident(&s))
                .unwrap_or_else(|| ident(&name));
            w.secrets.insert(name, secret);
            continue;
        }
        match e.get("value").text() {
            Some(v) if !secret_name(&name) => {
                w.env.insert(name, v);
            }
            Some(_) => {
                w.drop(
                    format!("env.{name}"),
                    "its value is a credential: it becomes a `secret`",
                );
                w.secrets.insert(name.clone(), ident(&name));
            }
            None => w.drop(format!("env.{name}"), "valueFrom other than a Secret"),
        }
    }
    if !c.get("envFrom").is_null() {
        w.drop(
            "envFrom",
            "declare each variable with `env` (secrets with `secret`)",
        );
    }
    for p in c.get("ports").items() {
        if let Some(cp) = p
            .get("containerPort")
            .int()
            .filter(|p| (1..=65535).contains(p))
        {
            w.ports.push(Port {
                name: p.get("name").text(),
                container: cp,
                host: None,
                loopback: false,
            });
        }
    }
    let res = c.get("resources");
    w.cpu = res
        .at_path("requests/cpu")
        .text()
        .and_then(|c| cpu_quantity(&c));
    w.cpu_limit = res
        .at_path("limits/cpu")
        .text()
        .and_then(|c| cpu_quantity(&c));
    w.memory = quantity_text(res.at_path("requests/memory")).and_then(|m| bytes(&m));
    w.memory_limit = quantity_text(res.at_path("limits/memory")).and_then(|m| bytes(&m));
    for (key, accelerator, vendor) in [
        ("nvidia.com/gpu", "cuda", "nvidia"),
        ("amd.com/gpu", "rocm", "amd"),
        ("gpu.intel.com/i915", "vulkan", "intel"),
    ] {
        let n = res
            .get("limits")
            .get(key)
            .int()
            .or_else(|| res.get("requests").get(key).int());
        if let Some(count) = n.filter(|n| *n > 0) {
            w.gpu = Some(Gpu {
                accelerator,
                vendor,
                count,
            });
        }
    }
    for m in c.get("volumeMounts").items() {
        let (Some(name), Some(target)) = (m.get("name").text(), m.get("mountPath").text()) else {
            continue;
        };
        let read_only = m.get("readOnly").v == V::Bool(true);
        if let Some(t) = templates.get(&name) {
            w.mounts.push(Mount {
                target,
                read_only,
                ..t.clone()
            });
            continue;
        }
        match volumes.get(&name) {
            Some((_, Some(v))) if v.memory && target == "/dev/shm" => w.shm = v.size,
            Some((_, Some(v))) => w.mounts.push(Mount {
                target,
                read_only: read_only || v.read_only,
                ..v.clone()
            }),
            Some((y, None)) => {
                let kind = y
                    .entries()
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .find(|k| *k != "name")
                    .unwrap_or("?")
                    .to_string();
                w.drop(
                    format!("volumeMounts.{name}"),
                    format!("a `{kind}` volume: amc mounts volumes of cache tiers only"),
                );
            }
            None => w.drop(format!("volumeMounts.{name}"), "no volume of that name"),
        }
    }
    for (k, _) in c.entries() {
        let why = match k.as_str() {
            "name" | "image" | "command" | "args" | "env" | "envFrom" | "ports" | "resources"
            | "volumeMounts" => continue,
            "livenessProbe" | "readinessProbe" | "startupProbe" => {
                "amc writes its probes from the provider's `health` path"
            }
            "securityContext" => "amc sets its own (non-root, no capabilities, read-only root)",
            "imagePullPolicy" => "the image policy (`image-policy`) decides",
            "workingDir" => "amc has no working directory setting",
            _ => "not a field amc reads",
        };
        w.drop(format!("containers.{k}"), why);
    }
}

/// The workloads of a manifest stream and the objects not carried over.
/// `None` after an `E0406`.
pub(crate) fn read(
    file: FileId,
    name: &str,
    docs: &[Y],
    diags: &mut Diagnostics,
) -> Option<(Vec<Workload>, Vec<String>)> {
    let mut out = Vec::new();
    let mut top = Vec::new();
    let mut ok = true;
    for obj in objects(docs) {
        let kind = obj.get("kind").text().unwrap_or_default();
        let oname = obj.at_path("metadata/name").text().unwrap_or_default();
        if !matches!(kind.as_str(), "Deployment" | "StatefulSet") {
            let why = why_not(&kind);
            top.push(format!("{kind} `{oname}`: {why}"));
            let mut d = Diagnostic::new(
                Code::W0401,
                format!("{kind} `{oname}` in `{name}` is not carried over"),
            )
            .help(why);
            if let Some(s) = obj.get("kind").span(file) {
                d = d.label(s, "not imported");
            }
            diags.push(d);
            continue;
        }
        let spec = obj.at_path("spec/template/spec");
        let containers = spec.get("containers");
        if containers.items().is_empty() {
            let mut d = Diagnostic::new(
                Code::E0406,
                format!("`{name}`: {kind} `{oname}` has no `spec.template.spec.containers` list"),
            )
            .help("a Deployment or StatefulSet runs at least one container: `spec.template.spec.containers: [{name, image}]`");
            if let Some(s) = containers.span(file).or_else(|| obj.get("kind").span(file)) {
                d = d.label(s, "expected a list of containers");
            }
            diags.push(d);
            ok = false;
            continue;
        }
        let mut w = Workload {
            id: ident(&oname),
            origin: format!("{kind} `{oname}`"),
            namespace: Some(
                obj.at_path("metadata/namespace")
                    .text()
                    .unwrap_or_else(|| "default".into()),
            ),
            ..Workload::default()
        };
        if let Some(api) = obj.get("apiVersion").text().filter(|a| a != "apps/v1") {
            w.drop("apiVersion", format!("`{api}`: read as apps/v1"));
        }
        w.replicas = obj.at_path("spec/replicas").int().filter(|r| *r >= 1);
        let mut volumes: BTreeMap<String, (Y, Option<Mount>)> = BTreeMap::new();
        for v in spec.get("volumes").items() {
            let Some(vname) = v.get("name").text() else {
                continue;
            };
            let claim = v.at_path("persistentVolumeClaim/claimName").text();
            let mount = if let Some(c) = claim {
                Some(Mount {
                    source: vname.clone(),
                    bind: false,
                    target: String::new(),
                    read_only: v.at_path("persistentVolumeClaim/readOnly").v == V::Bool(true),
                    size: None,
                    storage_class: None,
                    claim: Some(c),
                    memory: false,
                })
            } else if !v.get("emptyDir").is_null() || matches!(v.get("emptyDir").v, V::Map(_)) {
                let memory = v.at_path("emptyDir/medium").text().as_deref() == Some("Memory");
                memory.then(|| Mount {
                    source: vname.clone(),
                    bind: false,
                    target: String::new(),
                    read_only: false,
                    size: v
                        .at_path("emptyDir/sizeLimit")
                        .text()
                        .and_then(|s| bytes(&s)),
                    storage_class: None,
                    claim: None,
                    memory: true,
                })
            } else {
                None
            };
            volumes.insert(vname, (v.clone(), mount));
        }
        let mut templates = BTreeMap::new();
        for t in obj.at_path("spec/volumeClaimTemplates").items() {
            let Some(tname) = t.at_path("metadata/name").text() else {
                continue;
            };
            templates.insert(
                tname.clone(),
                Mount {
                    source: tname,
                    bind: false,
                    target: String::new(),
                    read_only: false,
                    size: t
                        .at_path("spec/resources/requests/storage")
                        .text()
                        .and_then(|s| bytes(&s)),
                    storage_class: t.at_path("spec/storageClassName").text(),
                    claim: None,
                    memory: false,
                },
            );
        }
        let list = containers.items();
        let pick = list
            .iter()
            .position(|c| {
                let img = c.get("image").text().unwrap_or_default();
                let mut argv: Vec<String> = c
                    .get("command")
                    .items()
                    .iter()
                    .filter_map(Y::text)
                    .collect();
                argv.extend(c.get("args").items().iter().filter_map(Y::text));
                engine_of(&img, &argv).is_some()
            })
            .unwrap_or(0);
        if let Some(c) = list.get(pick) {
            container(&mut w, c, &volumes, &templates);
        }
        for (i, c) in list.iter().enumerate().filter(|(i, _)| *i != pick) {
            let cname = c.get("name").text().unwrap_or_else(|| format!("{i}"));
            w.drop(
                format!("containers.{cname}"),
                "a second container: amc runs one container per pod",
            );
        }
        for (k, v) in spec.get("nodeSelector").entries() {
            if let Some(v) = v.text() {
                w.node_labels.insert(k.clone(), v);
            }
        }
        for t in spec.get("tolerations").items() {
            let key = t.get("key").text().unwrap_or_default();
            if key.contains("gpu") && w.gpu.is_some() {
                let effect = t
                    .get("effect")
                    .text()
                    .filter(|e| {
                        matches!(e.as_str(), "NoSchedule" | "PreferNoSchedule" | "NoExecute")
                    })
                    .filter(|e| e != "NoSchedule");
                w.tolerations.push((key, effect));
            } else {
                w.drop(
                    format!("tolerations.{key}"),
                    "amc tolerates only the cluster's `gpu-toleration` taints, for pods with GPUs",
                );
            }
        }
        w.runtime_class = spec.get("runtimeClassName").text();
        w.service_account = spec.get("serviceAccountName").text();
        for (k, _) in spec.entries() {
            let why = match k.as_str() {
                "containers" | "volumes" | "nodeSelector" | "tolerations" | "runtimeClassName"
                | "serviceAccountName" => continue,
                "initContainers" => "amc writes its own init containers (model verification)",
                "affinity" => "use `placement` (`require-label`, `affinity`, `spread`)",
                "hostNetwork" => "amc never uses the host's network (E0305)",
                "securityContext" => "amc sets its own (non-root)",
                "imagePullSecrets" => "amc has no pull secrets",
                "terminationGracePeriodSeconds" => "amc has no stop timeout setting",
                _ => "not a field amc reads",
            };
            w.drop(format!("spec.template.spec.{k}"), why);
        }
        for (k, _) in obj.at_path("metadata").entries() {
            if !matches!(k.as_str(), "name" | "namespace") {
                w.drop(
                    format!("metadata.{k}"),
                    "amc labels the objects it writes itself",
                );
            }
        }
        for (k, _) in obj.get("spec").entries() {
            let why = match k.as_str() {
                "replicas" | "template" | "volumeClaimTemplates" => continue,
                "selector" => "amc writes its own selector",
                "serviceName" => "amc writes the Service",
                "strategy" | "updateStrategy" | "podManagementPolicy" => {
                    "amc has no rollout settings"
                }
                _ => "not a field amc reads",
            };
            w.drop(format!("spec.{k}"), why);
        }
        out.push(w);
    }
    ok.then_some((out, top))
}
