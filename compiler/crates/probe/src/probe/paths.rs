//! `amc paths`: where things live for amc on this host.
//!
//! Takes an environment lookup (so tests replay any environment) and whether
//! each path exists; produces a list of named paths with what they are for.
//! Never writes, never records the values anywhere but the caller's terminal
//! (they are not build inputs or outputs).

use serde::Serialize;

/// One named location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathEntry {
    /// Stable key (`quadlet-user`, ...).
    pub key: &'static str,
    /// The path, or a description for embedded data.
    pub path: String,
    /// Whether it exists on this host (`None` for embedded data).
    pub exists: Option<bool>,
    /// What amc uses it for.
    pub purpose: &'static str,
}

/// The locations, from an environment lookup and an existence test.
pub fn paths(
    env: &dyn Fn(&str) -> Option<String>,
    exists: &dyn Fn(&str) -> bool,
    exe: Option<String>,
) -> Vec<PathEntry> {
    let nonempty = |k: &str| env(k).filter(|v| !v.is_empty());
    let home = nonempty("HOME");
    let config = nonempty("XDG_CONFIG_HOME").or_else(|| {
        home.as_ref()
            .map(|h| format!("{}/.config", h.trim_end_matches('/')))
    });
    let mut out = Vec::new();
    let mut add = |key, path: String, purpose| {
        let e = Some(exists(&path));
        out.push(PathEntry {
            key,
            path,
            exists: e,
            purpose,
        });
    };
    if let Some(c) = config {
        add(
            "quadlet-user",
            format!("{}/containers/systemd", c.trim_end_matches('/')),
            "install rootless Quadlet units from OUT/quadlet/<machine>/ here, then `systemctl --user daemon-reload`",
        );
    }
    add(
        "quadlet-system",
        "/etc/containers/systemd".to_string(),
        "install rootful Quadlet units from OUT/quadlet/<machine>/ here, then `systemctl daemon-reload`",
    );
    add(
        "quadlet-generator",
        "/usr/libexec/podman/quadlet".to_string(),
        "Podman's Quadlet generator (podman >= 5.0); `quadlet -dryrun` checks units",
    );
    add(
        "agent-machine-data",
        "/var/lib/agent-machine".to_string(),
        "the conventional root of storage-pool paths (models, caches, evidence)",
    );
    add(
        "drm",
        "/sys/class/drm".to_string(),
        "GPUs as the kernel sees them (read by `amc probe`)",
    );
    add(
        "os-release",
        "/etc/os-release".to_string(),
        "distribution facts (read by `amc probe`)",
    );
    if let Some(e) = exe {
        out.push(PathEntry {
            key: "amc",
            exists: Some(exists(&e)),
            path: e,
            purpose: "this amc binary",
        });
    }
    out.push(PathEntry {
        key: "stdlib",
        path: "embedded (std:…; `amc schema` lists contracts)".to_string(),
        exists: None,
        purpose: "providers, profiles and cache tiers compiled into the binary; builds never read them from disk",
    });
    out.push(PathEntry {
        key: "facts",
        path:
            "FILE given to `amc probe --out FILE`, referenced from the spec with `facts \"FILE\"`"
                .to_string(),
        exists: None,
        purpose: "host facts; builds read them, never probe",
    });
    out
}

/// Human rendering: one aligned line per entry.
pub fn render(entries: &[PathEntry]) -> String {
    let mut s = String::new();
    for e in entries {
        let mark = match e.exists {
            Some(true) => "",
            Some(false) => "  (missing)",
            None => "",
        };
        s.push_str(&format!("{:<19} {}{mark}\n", e.key, e.path));
        s.push_str(&format!("{:<19} {}\n", "", e.purpose));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xdg_config_home_wins_over_home() {
        let env = |k: &str| match k {
            "HOME" => Some("/home/u".to_string()),
            "XDG_CONFIG_HOME" => Some("/cfg/".to_string()),
            _ => None,
        };
        let p = paths(&env, &|_| false, None);
        assert_eq!(p[0].key, "quadlet-user");
        assert_eq!(p[0].path, "/cfg/containers/systemd");
        assert_eq!(p[0].exists, Some(false));
    }

    #[test]
    fn home_fallback_and_no_home() {
        let env = |k: &str| (k == "HOME").then(|| "/home/u".to_string());
        let p = paths(
            &env,
            &|p| p == "/etc/containers/systemd",
            Some("/bin/amc".into()),
        );
        assert_eq!(p[0].path, "/home/u/.config/containers/systemd");
        assert_eq!(p[1].exists, Some(true));
        assert!(p.iter().any(|e| e.key == "amc" && e.path == "/bin/amc"));
        let none = paths(&|_| None, &|_| false, None);
        assert!(none.iter().all(|e| e.key != "quadlet-user"));
        assert!(render(&none).contains("quadlet-system"));
    }
}
