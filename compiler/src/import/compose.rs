//! Compose file → workloads.
//!
//! Takes: the parsed Compose document (the input podlet reads too).
//! Produces: a [`Workload`] per service (inference servers recognised by
//! image and command), the top-level fields it could not carry over, and
//! `E0406` for a field whose shape amc cannot read. Never: interpolates
//! variables from the environment (a `${VAR:-default}` takes its default; a
//! bare `${VAR}` is not carried over), runs anything.

use super::workload::{
    Gpu, Mount, Port, Workload, bytes, cpu_quantity, engine_of, ident, qualify_image, read_args,
    secret_name,
};
use super::yaml::{V, Y};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::FileId;

/// Splits a command string the way a POSIX shell splits words (quotes, backslashes).
pub(crate) fn split_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next()
                    && n != '\n'
                {
                    cur.push(n);
                    in_word = true;
                }
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// A command or entrypoint: a string (split into words) or a list.
fn words(y: &Y) -> Vec<String> {
    match &y.v {
        V::Seq(items) => items.iter().filter_map(Y::text).collect(),
        _ => y.text().map(|s| split_words(&s)).unwrap_or_default(),
    }
}

/// `${VAR:-default}` → `default`; `None` when a variable has no default.
pub(crate) fn interpolate(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(a) = after.strip_prefix('$') {
            out.push('$');
            rest = a;
        } else if let Some(inner) = after.strip_prefix('{') {
            let end = inner.find('}')?;
            let body = &inner[..end];
            let (_, default) = body.split_once(":-").or_else(|| body.split_once('-'))?;
            out.push_str(default);
            rest = &inner[end + 1..];
        } else if after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            return None;
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Some(out)
}

/// The variable a value is made of (`${HF_TOKEN}` or `$HF_TOKEN` → `HF_TOKEN`).
fn bare_variable(s: &str) -> Option<&str> {
    let v = s.strip_prefix("${").and_then(|x| x.strip_suffix('}'));
    let v = v.or_else(|| s.strip_prefix('$'))?;
    v.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
        .then_some(v)
}

const SERVICE_FIELDS_DROPPED: &[(&str, &str)] = &[
    (
        "build",
        "amc runs images; build and push it, then name it in `image`",
    ),
    (
        "healthcheck",
        "amc writes its own health check from the provider's `health` path",
    ),
    (
        "labels",
        "container labels: amc labels the units it writes itself",
    ),
    ("networks", "amc gives every tenant one private network"),
    ("network_mode", "amc never uses the host's network (E0305)"),
    ("container_name", "amc names containers after the pod"),
    ("hostname", "amc names containers after the pod"),
    (
        "env_file",
        "read the file and declare each variable with `env` (secrets with `secret`)",
    ),
    (
        "ipc",
        "amc sizes /dev/shm with `shm` instead of sharing the host's IPC namespace",
    ),
    ("privileged", "never allowed (`policy allow-privileged`)"),
    ("cap_add", "amc drops every capability"),
    ("security_opt", "amc sets its own confinement"),
    ("user", "the provider's `user` (non-root) decides"),
    ("working_dir", "amc has no working directory setting"),
    ("logging", "logs go to the journal"),
    ("ulimits", "amc has no ulimit setting"),
    ("profiles", "every imported service is part of the spec"),
    (
        "secrets",
        "file secrets: declare a Podman secret and reference it with `secret`",
    ),
    ("configs", "amc has no config files: use `env` or a volume"),
    ("extra_hosts", "amc has no host entries"),
    ("stop_grace_period", "amc has no stop timeout setting"),
    ("init", "amc has no init setting"),
    (
        "platform",
        "placement picks a machine of the right architecture",
    ),
    ("pull_policy", "the image policy (`image-policy`) decides"),
    ("expose", "recorded as ports that are not published"),
];

struct Ctx<'a> {
    file: FileId,
    name: &'a str,
    diags: &'a mut Diagnostics,
}

impl Ctx<'_> {
    fn shape(&mut self, y: &Y, what: &str, expected: &str) {
        let mut d = Diagnostic::new(
            Code::E0406,
            format!("`{}`: {what} is not {expected}", self.name),
        )
        .help(format!(
            "write {what} as {expected}, as the Compose specification does"
        ));
        if let Some(s) = y.span(self.file) {
            d = d.label(s, format!("expected {expected}"));
        }
        self.diags.push(d);
    }
}

fn ports(w: &mut Workload, y: &Y, path: &str) {
    for (i, p) in y.items().iter().enumerate() {
        let port = match &p.v {
            V::Map(_) => p.get("target").int().map(|c| Port {
                name: p.get("name").text(),
                container: c,
                host: p.get("published").int(),
                loopback: p
                    .get("host_ip")
                    .text()
                    .is_some_and(|ip| ip.starts_with("127.") || ip == "::1"),
            }),
            _ => p.text().and_then(|s| {
                let s = s.split('/').next().unwrap_or("").to_string();
                let parts: Vec<&str> = s.rsplitn(3, ':').collect();
                match parts.as_slice() {
                    [c] => c.parse().ok().map(|c| Port {
                        name: None,
                        container: c,
                        host: None,
                        loopback: false,
                    }),
                    [c, h] => Some(Port {
                        name: None,
                        container: c.parse().ok()?,
                        host: Some(h.parse().ok()?),
                        loopback: false,
                    }),
                    [c, h, ip] => Some(Port {
                        name: None,
                        container: c.parse().ok()?,
                        host: Some(h.parse().ok()?),
                        loopback: ip.starts_with("127.") || *ip == "::1" || *ip == "[::1]",
                    }),
                    _ => None,
                }
            }),
        };
        match port.filter(|p| (1..=65535).contains(&p.container)) {
            Some(p) => w.ports.push(p),
            None => w.drop(
                format!("{path}[{i}]"),
                "not a port amc can read (one port, not a range)",
            ),
        }
    }
}

fn volumes(w: &mut Workload, y: &Y) {
    for (i, v) in y.items().iter().enumerate() {
        let m = match &v.v {
            V::Map(_) => {
                let kind = v.get("type").text().unwrap_or_else(|| "volume".into());
                v.get("target").text().map(|target| Mount {
                    source: v.get("source").text().unwrap_or_default(),
                    bind: kind == "bind",
                    memory: kind == "tmpfs",
                    target,
                    read_only: v.get("read_only").v == V::Bool(true),
                    size: v
                        .get("tmpfs")
                        .get("size")
                        .text()
                        .and_then(|s| bytes(&s.to_ascii_lowercase())),
                    storage_class: None,
                    claim: None,
                })
            }
            _ => v.text().and_then(|s| {
                let parts: Vec<&str> = s.split(':').collect();
                let (source, target, opts) = match parts.as_slice() {
                    [t] => ("", *t, ""),
                    [s, t] => (*s, *t, ""),
                    [s, t, o] => (*s, *t, *o),
                    _ => return None,
                };
                let bind = source.starts_with(['/', '.', '~']);
                Some(Mount {
                    source: source.to_string(),
                    bind,
                    target: target.to_string(),
                    read_only: opts.split(',').any(|o| o == "ro"),
                    size: None,
                    storage_class: None,
                    claim: None,
                    memory: false,
                })
            }),
        };
        match m.filter(|m| m.target.starts_with('/')) {
            Some(m) => w.mounts.push(m),
            None => w.drop(format!("volumes[{i}]"), "not a volume amc can read"),
        }
    }
}

fn gpu_of_devices(w: &mut Workload, svc: &Y) {
    // deploy.resources.reservations.devices: the Compose GPU request.
    for d in svc.at_path("deploy/resources/reservations/devices").items() {
        let driver = d.get("driver").text().unwrap_or_default();
        let caps: Vec<String> = d
            .get("capabilities")
            .items()
            .iter()
            .filter_map(Y::text)
            .collect();
        let count = match d.get("count").text().as_deref() {
            Some("all") | None => d.get("device_ids").items().len().max(1) as i64,
            Some(_) => d.get("count").int().unwrap_or(1),
        };
        let (accelerator, vendor) = match driver.as_str() {
            "amd" => ("rocm", "amd"),
            "nvidia" | "cdi" | "" if caps.iter().any(|c| c == "gpu") || driver == "nvidia" => {
                ("cuda", "nvidia")
            }
            _ => continue,
        };
        if d.get("count").text().as_deref() == Some("all") {
            w.drop(
                "deploy.resources.reservations.devices.count",
                format!("`all`: {count} GPU assumed; set `gpus` to what one replica needs"),
            );
        }
        w.gpu = Some(Gpu {
            accelerator,
            vendor,
            count,
        });
        return;
    }
    if let Some(g) = svc
        .get("gpus")
        .text()
        .filter(|_| !svc.get("gpus").is_null())
    {
        let count = g.parse().unwrap_or(1);
        if g == "all" {
            w.drop(
                "gpus",
                "`all`: 1 GPU assumed; set `gpus` to what one replica needs",
            );
        }
        w.gpu = Some(Gpu {
            accelerator: "cuda",
            vendor: "nvidia",
            count,
        });
        return;
    }
    if svc.get("runtime").text().as_deref() == Some("nvidia") {
        w.gpu = Some(Gpu {
            accelerator: "cuda",
            vendor: "nvidia",
            count: 1,
        });
        return;
    }
    let devices: Vec<String> = svc
        .get("devices")
        .items()
        .iter()
        .filter_map(Y::text)
        .collect();
    let has = |p: &str| {
        devices
            .iter()
            .any(|d| d.split(':').next() == Some(p) || d.starts_with(p))
    };
    if devices.iter().any(|d| d.starts_with("nvidia.com/gpu")) {
        w.gpu = Some(Gpu {
            accelerator: "cuda",
            vendor: "nvidia",
            count: 1,
        });
    } else if has("/dev/kfd") {
        w.gpu = Some(Gpu {
            accelerator: "rocm",
            vendor: "amd",
            count: 1,
        });
    } else if has("/dev/dri") {
        // /dev/dri alone: a Vulkan (or VA-API) GPU of any vendor.
        w.gpu = Some(Gpu {
            accelerator: "vulkan",
            vendor: "other",
            count: 1,
        });
    }
    for d in &devices {
        let known = d.starts_with("/dev/dri")
            || d.starts_with("/dev/kfd")
            || d.starts_with("nvidia.com/gpu");
        if !known {
            w.drop(format!("devices: {d}"), "amc passes through GPUs only");
        }
    }
}

fn environment(w: &mut Workload, y: &Y) {
    let pairs: Vec<(String, Option<String>)> = match &y.v {
        V::Map(m) => m.iter().map(|(k, v)| (k.clone(), v.text())).collect(),
        V::Seq(items) => items
            .iter()
            .filter_map(Y::text)
            .map(|s| match s.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (s, None),
            })
            .collect(),
        _ => Vec::new(),
    };
    for (k, v) in pairs {
        let valid = !k.is_empty()
            && !k.starts_with(|c: char| c.is_ascii_digit())
            && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            w.drop(
                format!("environment.{k}"),
                "not an environment variable name amc accepts",
            );
            continue;
        }
        if secret_name(&k) {
            w.secrets.insert(k.clone(), ident(&k));
            if v.is_some_and(|v| bare_variable(&v).is_none()) {
                w.drop(
                    format!("environment.{k}"),
                    "its value is a credential: it becomes a `secret` (create it on the target)",
                );
            }
            continue;
        }
        match v.as_deref().map(interpolate) {
            Some(Some(v)) => {
                w.env.insert(k, v);
            }
            Some(None) => w.drop(
                format!("environment.{k}"),
                "its value comes from the shell environment (`${VAR}`): set it with `env`",
            ),
            None => w.drop(
                format!("environment.{k}"),
                "passed through from the shell environment: set it with `env`",
            ),
        }
    }
}

fn restart(w: &mut Workload, y: &Y) {
    match y.text().as_deref() {
        None => {}
        Some("always") => w.restart = Some("always"),
        Some("unless-stopped") => {
            w.restart = Some("always");
            w.drop(
                "restart",
                "`unless-stopped` is `always` in amc (systemd restarts it)",
            );
        }
        Some("no") => w.restart = Some("never"),
        Some(r) if r.starts_with("on-failure") => {
            w.restart = Some("on-failure");
            if r.contains(':') {
                w.drop("restart", "the retry count is not kept");
            }
        }
        Some(r) => w.drop("restart", format!("`{r}` is not a Compose restart policy")),
    }
}

/// The workloads of a Compose file, in service order, and the top-level
/// fields not carried over. `None` after an `E0406`.
pub(crate) fn read(
    file: FileId,
    name: &str,
    doc: &Y,
    diags: &mut Diagnostics,
) -> Option<(Vec<Workload>, Vec<String>)> {
    let mut cx = Ctx { file, name, diags };
    let services = doc.get("services");
    if !matches!(services.v, V::Map(_)) {
        cx.shape(
            services,
            "`services`",
            "a mapping of service names to services",
        );
        return None;
    }
    let mut top = Vec::new();
    for (k, _) in doc.entries() {
        match k.as_str() {
            "services" => {}
            "name" => top.push("name: amc names pods after the services".to_string()),
            "version" => top.push("version: obsolete in the Compose specification".to_string()),
            "volumes" => top.push(
                "volumes: named volumes become cache tiers (each a stand-in: review it)"
                    .to_string(),
            ),
            "networks" => top.push("networks: amc gives every tenant one private network".into()),
            "secrets" => top.push(
                "secrets: declare them as Podman secrets and reference them with `secret`".into(),
            ),
            k if k.starts_with("x-") => top.push(format!(
                "{k}: an extension field (anchors are already expanded)"
            )),
            k => top.push(format!("{k}: not a field amc reads")),
        }
    }
    let mut out = Vec::new();
    let mut ok = true;
    for (sname, svc) in services.entries() {
        if !matches!(svc.v, V::Map(_)) {
            cx.shape(svc, &format!("service `{sname}`"), "a mapping");
            ok = false;
            continue;
        }
        let mut w = Workload {
            id: ident(sname),
            origin: format!("service `{sname}`"),
            ..Workload::default()
        };
        let image_text = svc.get("image").text();
        if svc.get("image").text().is_none() && !svc.get("image").is_null() {
            cx.shape(
                svc.get("image"),
                &format!("`services.{sname}.image`"),
                "a string",
            );
            ok = false;
            continue;
        }
        let command = words(svc.get("command"));
        let entrypoint = words(svc.get("entrypoint"));
        let mut argv = entrypoint.clone();
        argv.extend(command.iter().cloned());
        w.engine = engine_of(image_text.as_deref().unwrap_or(""), &argv);
        match image_text.as_deref().map(|i| interpolate(i).and_then(|i| qualify_image(&i))) {
            Some(Some(i)) => w.image = Some(i),
            Some(None) => w.drop(
                "image",
                "not an image reference amc accepts (a variable, or upper-case letters): name the image in the provider",
            ),
            None => w.drop("image", "the service has no image (only `build`?)"),
        }
        match w.engine {
            Some(engine) => {
                let mut args = argv.clone();
                // The server's own launcher is the provider's entrypoint.
                let launcher: &[&str] = match engine {
                    super::workload::Engine::Vllm => &["vllm", "serve"],
                    super::workload::Engine::Sglang => &["python3", "-m", "sglang.launch_server"],
                    _ => &[],
                };
                if args.len() >= launcher.len()
                    && !launcher.is_empty()
                    && args.iter().zip(launcher).all(|(a, b)| a == b)
                {
                    args.drain(..launcher.len());
                } else if let Some(first) = args.first()
                    && (first.ends_with("llama-server")
                        || first == "python"
                        || first == "python3"
                        || (first == "ollama" && engine == super::workload::Engine::Ollama))
                {
                    if first.starts_with("python") {
                        // python3 -m sglang.launch_server / vllm.entrypoints…
                        let module_end = args
                            .iter()
                            .position(|a| {
                                a.contains("sglang.launch_server") || a.contains("vllm.entrypoints")
                            })
                            .map(|i| i + 1)
                            .unwrap_or(1);
                        args.drain(..module_end);
                    } else {
                        args.remove(0);
                    }
                } else if !entrypoint.is_empty() {
                    w.entrypoint = entrypoint.clone();
                    args = command.clone();
                }
                if w.entrypoint.is_empty() && args.len() < argv.len() {
                    let launcher = argv[..argv.len() - args.len()].join(" ");
                    w.drop(
                        format!("entrypoint/command: {launcher}"),
                        format!(
                            "the stdlib `{}` provider starts the server itself",
                            engine.provider()
                        ),
                    );
                }
                w.server = read_args(engine, &args);
                for f in w.server.secret_flags.clone() {
                    w.drop(
                        format!("command: {f}"),
                        "its value is a credential: pass it as a `secret` environment variable",
                    );
                }
                for (f, why) in w.server.replaced.clone() {
                    w.drop(format!("command: {f}"), why);
                }
            }
            None => {
                w.entrypoint = entrypoint;
                w.args = command;
            }
        }
        environment(&mut w, svc.get("environment"));
        ports(&mut w, svc.get("ports"), "ports");
        for (i, p) in svc.get("expose").items().iter().enumerate() {
            match p.int().filter(|p| (1..=65535).contains(p)) {
                Some(c) => w.ports.push(Port {
                    name: None,
                    container: c,
                    host: None,
                    loopback: false,
                }),
                None => w.drop(format!("expose[{i}]"), "not a port amc can read"),
            }
        }
        volumes(&mut w, svc.get("volumes"));
        for (i, t) in svc.get("tmpfs").items().iter().enumerate() {
            if let Some(t) = t.text() {
                w.mounts.push(Mount {
                    source: String::new(),
                    bind: false,
                    target: t.split(':').next().unwrap_or("").to_string(),
                    read_only: false,
                    size: None,
                    storage_class: None,
                    claim: None,
                    memory: true,
                });
            } else {
                w.drop(format!("tmpfs[{i}]"), "not a path");
            }
        }
        gpu_of_devices(&mut w, svc);
        let res = svc.at_path("deploy/resources");
        w.cpu = res
            .at_path("reservations/cpus")
            .text()
            .and_then(|c| cpu_quantity(&c));
        w.cpu_limit = res
            .at_path("limits/cpus")
            .text()
            .or_else(|| svc.get("cpus").text())
            .and_then(|c| cpu_quantity(&c));
        let mem = |y: &Y| y.text().and_then(|m| bytes(&m.to_ascii_lowercase()));
        w.memory =
            mem(res.at_path("reservations/memory")).or_else(|| mem(svc.get("mem_reservation")));
        w.memory_limit = mem(res.at_path("limits/memory")).or_else(|| mem(svc.get("mem_limit")));
        w.shm = mem(svc.get("shm_size"));
        w.replicas = svc.at_path("deploy/replicas").int().filter(|r| *r >= 1);
        match &svc.get("depends_on").v {
            V::Seq(items) => w
                .uses
                .extend(items.iter().filter_map(Y::text).map(|s| ident(&s))),
            V::Map(m) => w.uses.extend(m.iter().map(|(k, _)| ident(k))),
            _ => {}
        }
        restart(&mut w, svc.get("restart"));
        for (key, _) in svc.entries() {
            let handled = matches!(
                key.as_str(),
                "image"
                    | "command"
                    | "entrypoint"
                    | "environment"
                    | "ports"
                    | "volumes"
                    | "tmpfs"
                    | "deploy"
                    | "devices"
                    | "gpus"
                    | "runtime"
                    | "cpus"
                    | "mem_limit"
                    | "mem_reservation"
                    | "shm_size"
                    | "depends_on"
                    | "restart"
            );
            if handled {
                if key == "deploy" {
                    for (k, _) in svc.get("deploy").entries() {
                        if k != "resources" && k != "replicas" {
                            w.drop(
                                format!("deploy.{k}"),
                                "Swarm deployment settings are not kept",
                            );
                        }
                    }
                    if res.at_path("limits/pids").int().is_some() {
                        w.drop("deploy.resources.limits.pids", "amc has no process limit");
                    }
                }
                continue;
            }
            match SERVICE_FIELDS_DROPPED.iter().find(|(f, _)| f == key) {
                Some((f, why)) if *f != "expose" => w.drop(*f, *why),
                Some(_) => {}
                None => w.drop(key, "not a field amc reads"),
            }
        }
        out.push(w);
    }
    ok.then_some((out, top))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_variables() {
        assert_eq!(
            split_words("--model 'a b' \"c\\\"d\" e\\ f"),
            vec!["--model", "a b", "c\"d", "e f"]
        );
        assert_eq!(interpolate("v${TAG:-0.11}").as_deref(), Some("v0.11"));
        assert_eq!(interpolate("$$x").as_deref(), Some("$x"));
        assert_eq!(interpolate("${TAG}"), None);
        assert_eq!(bare_variable("${HF_TOKEN}"), Some("HF_TOKEN"));
    }
}
