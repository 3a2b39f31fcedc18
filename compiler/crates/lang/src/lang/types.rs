//! Value types of the language and their checks.
//!
//! Takes a written [`Value`] and a [`Ty`]; produces a diagnostic when the value
//! does not fit. Never looks at other nodes (references are resolved later).

use crate::lang::units;
use amc_syntax::diagnostics::{Code, Diagnostic, closest, did_you_mean, quote};
use amc_syntax::syntax::{Value, ValueKind};

/// What kind of definition a reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RefKind {
    /// A `machine`.
    Machine,
    /// A `provider`.
    Provider,
    /// A `model`.
    Model,
    /// A `cache-tier`.
    CacheTier,
    /// A `cluster`.
    Cluster,
}

impl RefKind {
    /// The node name that defines this kind.
    pub fn node_name(self) -> &'static str {
        match self {
            RefKind::Machine => "machine",
            RefKind::Provider => "provider",
            RefKind::Model => "model",
            RefKind::CacheTier => "cache-tier",
            RefKind::Cluster => "cluster",
        }
    }
}

/// The type of an argument or property value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// Any string.
    Str,
    /// A definition id: lower-case letters, digits and `-`, starting with a letter or digit, at most 40 characters.
    Id,
    /// An integer in a range.
    Int {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// `#true` or `#false`.
    Bool,
    /// A size with a unit (`"24GiB"`, `"1024B"`); a bare number is an error.
    Size,
    /// A duration with a unit (`"7d"`).
    Duration,
    /// A CPU quantity: an integer, or a string like `"1.5"` or `"500m"`.
    Cpu,
    /// One of a fixed set of strings.
    Enum(&'static [&'static str]),
    /// A target's spelling: one of the registered targets (`crate::target`),
    /// the built-in `quadlet` and `kubernetes` unless a target is registered.
    Target,
    /// A reference to a definition, by id.
    Ref(RefKind),
    /// A path to a file inside the spec root, relative to it.
    File,
    /// An absolute path (on a host or inside a container). It becomes a
    /// mount field, so it holds no `:` and no `..` component.
    AbsPath,
    /// An environment variable name: `[A-Za-z_][A-Za-z0-9_]*`.
    EnvName,
    /// A secret's name on the target: a DNS-1123 subdomain (lower-case
    /// letters, digits, `-` and `.`), which Podman and Kubernetes both accept.
    SecretName,
    /// A key inside a Kubernetes Secret: letters, digits, `-`, `_` and `.`.
    SecretKey,
    /// A relative path that stays inside the directory it is relative to (a
    /// file inside a volume): no leading `/`, no `.` or `..` component.
    RelPath,
    /// `sha256:` followed by 64 lower-case hex digits.
    Digest,
    /// 64 lower-case hex digits (a file's sha256, as `sha256sum` prints it).
    Sha256Hex,
    /// A container image reference (`registry/name:tag` or `...@sha256:...`).
    Image,
    /// A URN (`urn:...`).
    Urn,
}

impl Ty {
    /// The values of an enumerated type (`Enum`, `Target`).
    pub fn enum_values(self) -> Option<&'static [&'static str]> {
        match self {
            Ty::Enum(values) => Some(values),
            Ty::Target => Some(crate::lang::vocab::target_ids()),
            _ => None,
        }
    }

    /// Short human description, for messages and docs.
    pub fn describe(&self) -> String {
        match self {
            Ty::Target => Ty::Enum(crate::lang::vocab::target_ids()).describe(),
            Ty::Str => "string".into(),
            Ty::Id => "identifier".into(),
            Ty::Int { min, max } => format!("integer ({min}..={max})"),
            Ty::Bool => "boolean (#true or #false)".into(),
            Ty::Size => "size (e.g. \"24GiB\")".into(),
            Ty::Duration => "duration (e.g. \"7d\")".into(),
            Ty::Cpu => "CPU quantity (e.g. 2, \"1.5\" or \"500m\")".into(),
            Ty::Enum(vals) => format!("one of {}", quote_list(vals)),
            Ty::Ref(k) => format!("{} id", k.node_name()),
            Ty::File => "relative file path".into(),
            Ty::AbsPath => "absolute path".into(),
            Ty::RelPath => "relative path inside its volume".into(),
            Ty::EnvName => "environment variable name".into(),
            Ty::SecretName => "secret name (DNS-1123 subdomain)".into(),
            Ty::SecretKey => "secret key".into(),
            Ty::Digest => "digest (sha256:<64 hex>)".into(),
            Ty::Sha256Hex => "sha256 (64 hex digits)".into(),
            Ty::Image => "container image reference".into(),
            Ty::Urn => "URN (urn:...)".into(),
        }
    }
}

/// A value of type `ty` to fill in for a missing one (a fix-it inserts it
/// for the user to edit): the first value of an enumeration, the smallest
/// number, a size or duration with its unit, `name` for ids and strings.
pub fn placeholder(ty: Ty, name: &str) -> String {
    match ty {
        Ty::Enum(_) | Ty::Target => match ty.enum_values().and_then(|v| v.first()) {
            Some(v) => quote(v),
            None => quote(name),
        },
        Ty::Int { min, .. } => min.to_string(),
        Ty::Bool => "#false".into(),
        Ty::Size => quote("1GiB"),
        Ty::Duration => quote("1h"),
        Ty::Cpu => "1".into(),
        Ty::AbsPath => quote(&format!("/{name}")),
        Ty::Digest => quote(&format!("sha256:{}", "0".repeat(64))),
        Ty::Sha256Hex => quote(&"0".repeat(64)),
        Ty::Image => quote("docker.io/library/busybox:latest"),
        Ty::Urn => quote(&format!("urn:{name}")),
        Ty::EnvName => quote(&name.to_uppercase().replace('-', "_")),
        Ty::Str | Ty::Id | Ty::Ref(_) | Ty::File | Ty::SecretName | Ty::SecretKey | Ty::RelPath => {
            quote(name)
        }
    }
}

/// Whether `s` is a number without a unit (`"64"`, `"1.5"`).
fn unitless(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty()
        && t.bytes().any(|c| c.is_ascii_digit())
        && t.bytes()
            .all(|c| c.is_ascii_digit() || c == b'.' || c == b'_')
}

/// Fix-its adding each of `units` to the number `n` written at `v`.
fn add_unit(d: Diagnostic, v: &Value, n: &str, units: &[&str]) -> Diagnostic {
    units.iter().fold(d, |d, u| {
        d.fix(
            v.span,
            quote(&format!("{n}{u}")),
            format!("write \"{n}{u}\""),
        )
    })
}

const SIZE_FIXES: &[&str] = &["GiB", "MiB", "B"];
const DURATION_FIXES: &[&str] = &["s", "m", "h", "d"];

/// `"a", "b" or "c"`.
pub fn quote_list(vals: &[&str]) -> String {
    let q: Vec<String> = vals.iter().map(|v| format!("\"{v}\"")).collect();
    match q.len() {
        0 => String::new(),
        1 => q[0].clone(),
        n => format!("{} or {}", q[..n - 1].join(", "), q[n - 1]),
    }
}

/// Whether `s` is a valid definition id.
pub fn is_identifier(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 40
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && !s.ends_with('-')
}

/// Whether `s` is exactly `len` lower-case hex digits.
pub fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// Whether `s` is `sha256:` + 64 lower-case hex digits.
pub fn is_digest(s: &str) -> bool {
    s.strip_prefix("sha256:")
        .map(|h| {
            h.len() == 64
                && h.bytes()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        })
        .unwrap_or(false)
}

/// Checks an image reference; returns the problem, if any.
pub fn image_problem(s: &str) -> Option<String> {
    if s.is_empty() {
        return Some("the image reference is empty".into());
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("an image reference cannot contain whitespace".into());
    }
    if s.chars().any(|c| c.is_ascii_uppercase()) && !s.contains('@') {
        let name = s.split(':').next().unwrap_or(s);
        if name.chars().any(|c| c.is_ascii_uppercase()) {
            return Some("repository names must be lower case".into());
        }
    }
    if let Some((_, digest)) = s.split_once('@')
        && !is_digest(digest)
    {
        return Some(format!("`{digest}` is not a sha256 digest"));
    }
    if !s.contains('/') {
        return Some(
            "use a fully qualified image name with its registry (e.g. \"docker.io/library/x:tag\"), so the pull does not depend on the host's search registries".into(),
        );
    }
    None
}

/// Whether `s` is a valid name of kind `ty` (EnvName, SecretName, SecretKey).
fn name_fits(ty: Ty, s: &str) -> bool {
    let b = s.as_bytes();
    match ty {
        Ty::EnvName => {
            !b.is_empty()
                && !b[0].is_ascii_digit()
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        }
        Ty::SecretName => {
            !b.is_empty()
                && b.len() <= 253
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-' || *c == b'.'
                })
        }
        _ => {
            !b.is_empty()
                && b.len() <= 253
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        }
    }
}

/// Why `s` is not a relative path that stays inside its directory, if it is not.
pub fn rel_path_problem(s: &str) -> Option<&'static str> {
    if s.is_empty() {
        Some("is empty")
    } else if s.starts_with('/') || s.starts_with('\\') {
        Some("is absolute")
    } else if s.contains('\\') {
        Some("uses `\\`; separate directories with `/`")
    } else if s.split('/').any(|c| c == "..") {
        Some("leaves its directory through `..`")
    } else if s.split('/').any(|c| c.is_empty() || c == ".") {
        Some("has an empty or `.` component")
    } else {
        None
    }
}

fn int_value(v: &Value) -> Option<i128> {
    match v.kind {
        ValueKind::Int(i) => Some(i),
        _ => None,
    }
}

/// Checks one value against a type. `what` names it in messages (e.g. "property `vram`").
pub fn check_value(v: &Value, ty: Ty, what: &str) -> Option<Diagnostic> {
    if ty == Ty::Target {
        return check_value(v, Ty::Enum(crate::lang::vocab::target_ids()), what);
    }
    let wrong = |expected: &str| {
        Some(
            Diagnostic::new(
                Code::E0103,
                format!("{what} expects {expected}, found {}", v.kind.type_name()),
            )
            .label(v.span, format!("this is a {}", v.kind.type_name())),
        )
    };
    match ty {
        Ty::Bool => match v.kind {
            ValueKind::Bool(_) => None,
            ValueKind::Str(ref s) if s == "true" || s == "false" => Some(
                Diagnostic::new(
                    Code::E0103,
                    format!("{what} expects a boolean, found the string \"{s}\""),
                )
                .label(v.span, "a string, not a boolean")
                .help(format!("write #{s} (KDL 2.0 booleans start with #)"))
                .fix(v.span, format!("#{s}"), format!("write #{s}")),
            ),
            _ => wrong("a boolean (#true or #false)"),
        },
        Ty::Int { min, max } => match int_value(v) {
            Some(i) if i < i128::from(min) || i > i128::from(max) => Some(
                Diagnostic::new(
                    Code::E0112,
                    format!("{what} must be between {min} and {max}, found {i}"),
                )
                .label(v.span, "out of range"),
            ),
            Some(_) => None,
            None => wrong(&ty.describe()),
        },
        Ty::Size => match &v.kind {
            ValueKind::Int(i) => Some(add_unit(
                Diagnostic::new(Code::E0107, format!("{what}: the bare number {i} is not a size"))
                    .label(v.span, "no unit")
                    .help(format!(
                        "sizes carry a unit: write \"{i}GiB\" (or \"{i}MB\", or \"{i}B\" for bytes); a bare number is never silently bytes"
                    )),
                v,
                &i.to_string(),
                SIZE_FIXES,
            )),
            ValueKind::Str(s) => units::parse_size(s).err().map(|e| {
                let d = Diagnostic::new(Code::E0107, format!("{what}: invalid size: {e}"))
                    .label(v.span, "not a size")
                    .help("write a number with a unit, e.g. \"24GiB\", \"512MiB\" or \"500MB\"");
                if unitless(s) {
                    add_unit(d, v, s.trim(), SIZE_FIXES)
                } else {
                    d
                }
            }),
            _ => wrong(&ty.describe()),
        },
        Ty::Duration => match &v.kind {
            ValueKind::Str(s) => units::parse_duration(s).err().map(|e| {
                let d = Diagnostic::new(Code::E0108, format!("{what}: invalid duration: {e}"))
                    .label(v.span, "not a duration")
                    .help("write a number with a unit, e.g. \"30s\", \"12h\" or \"7d\"");
                if unitless(s) && !s.contains('.') {
                    add_unit(d, v, s.trim(), DURATION_FIXES)
                } else {
                    d
                }
            }),
            ValueKind::Int(i) if *i >= 0 => {
                wrong(&ty.describe()).map(|d| add_unit(d, v, &i.to_string(), DURATION_FIXES))
            }
            _ => wrong(&ty.describe()),
        },
        Ty::Cpu => match &v.kind {
            ValueKind::Int(i) if *i >= 0 && *i <= 1_000_000 => None,
            ValueKind::Float(f) if *f >= 0.0 && *f <= 1_000_000.0 => None,
            ValueKind::Str(s) => units::parse_cpu(s).err().map(|e| {
                Diagnostic::new(Code::E0103, format!("{what}: {e}")).label(v.span, "not a CPU quantity")
            }),
            _ => wrong(&ty.describe()),
        },
        Ty::Target => None,
        Ty::Enum(vals) => match &v.kind {
            ValueKind::Str(s) if vals.contains(&s.as_str()) => None,
            ValueKind::Str(s) => Some(
                Diagnostic::new(Code::E0106, format!("{what}: `{s}` is not a known value"))
                    .label(v.span, "unknown value")
                    .help(match did_you_mean(s, vals.iter().copied()) {
                        Some(d) => format!("{d} expected {}", quote_list(vals)),
                        None => format!("expected {}", quote_list(vals)),
                    })
                    .fix_quoted(v.span, closest(s, vals.iter().copied())),
            ),
            _ => wrong(&ty.describe()),
        },
        Ty::Id | Ty::Ref(_) => match &v.kind {
            ValueKind::Str(s) if is_identifier(s) => None,
            ValueKind::Str(s) => Some(
                Diagnostic::new(Code::E0110, format!("{what}: `{s}` is not a valid identifier"))
                    .label(v.span, "invalid identifier")
                    .help("identifiers use lower-case letters, digits and `-`, start with a letter or digit, and have at most 40 characters (they become URNs and Kubernetes names)"),
            ),
            _ => wrong(&ty.describe()),
        },
        Ty::Digest => match &v.kind {
            ValueKind::Str(s) if is_digest(s) => None,
            ValueKind::Str(s) => Some(
                Diagnostic::new(Code::E0111, format!("{what}: `{s}` is not a sha256 digest"))
                    .label(v.span, "invalid digest")
                    .help("write `sha256:` followed by 64 lower-case hex digits"),
            ),
            _ => wrong(&ty.describe()),
        },
        Ty::Sha256Hex => match &v.kind {
            ValueKind::Str(s) if is_hex(s, 64) => None,
            ValueKind::Str(s) => Some(
                Diagnostic::new(Code::E0111, format!("{what}: `{s}` is not a sha256"))
                    .label(v.span, "invalid sha256")
                    .help(if s.starts_with("sha256:") {
                        "write the 64 hex digits alone, as `sha256sum` prints them (no `sha256:` prefix)"
                    } else {
                        "write 64 lower-case hex digits, as `sha256sum FILE` prints them"
                    }),
            ),
            _ => wrong(&ty.describe()),
        },
        Ty::Image => match &v.kind {
            ValueKind::Str(s) => image_problem(s).map(|p| {
                Diagnostic::new(Code::E0114, format!("{what}: invalid image reference `{s}`"))
                    .label(v.span, p)
                    .help("write registry/repository:tag, optionally pinned as registry/repository@sha256:<digest>")
            }),
            _ => wrong(&ty.describe()),
        },
        Ty::AbsPath => match &v.kind {
            ValueKind::Str(s) if s.contains(':') => Some(
                Diagnostic::new(Code::E0103, format!("{what}: the path `{s}` holds a `:`"))
                    .label(v.span, "`:` separates the fields of a mount")
                    .help("Podman's `Volume=` and `Tmpfs=` split on `:`, so a `:` in a path would add mount fields; rename the directory"),
            ),
            ValueKind::Str(s) if s.starts_with('/') && !s.split('/').any(|c| c == "..") => None,
            ValueKind::Str(s) => Some(
                Diagnostic::new(Code::E0103, format!("{what} expects an absolute path, found `{s}`"))
                    .label(v.span, "not an absolute path")
                    .help("write a path starting with `/`, without `..` components"),
            ),
            _ => wrong(&ty.describe()),
        },
        Ty::EnvName | Ty::SecretName | Ty::SecretKey => match &v.kind {
            ValueKind::Str(s) if name_fits(ty, s) => None,
            ValueKind::Str(s) => Some(
                Diagnostic::new(Code::E0110, format!("{what}: `{s}` is not a valid {}", ty.describe()))
                    .label(v.span, "invalid name")
                    .help(match ty {
                        Ty::EnvName => "environment variable names use letters, digits and `_`, and do not start with a digit",
                        Ty::SecretName => "secret names use lower-case letters, digits, `-` and `.`, start and end with a letter or digit, and have at most 253 characters (Podman and Kubernetes both accept them)",
                        _ => "secret keys use letters, digits, `-`, `_` and `.`, with at most 253 characters",
                    }),
            ),
            _ => wrong(&ty.describe()),
        },
        Ty::RelPath => match &v.kind {
            ValueKind::Str(s) => rel_path_problem(s).map(|p| {
                Diagnostic::new(Code::E0103, format!("{what}: `{s}` {p}"))
                    .label(v.span, "not a path inside the volume")
                    .help("write a relative path such as \"org/model-q4_k_m.gguf\", without a leading `/` and without `.` or `..` components")
            }),
            _ => wrong(&ty.describe()),
        },
        Ty::Urn => match &v.kind {
            ValueKind::Str(s) if s.starts_with("urn:") && s.len() > 4 && !s.contains(char::is_whitespace) => None,
            ValueKind::Str(s) => Some(
                Diagnostic::new(Code::E0103, format!("{what} expects a URN, found `{s}`"))
                    .label(v.span, "not a URN")
                    .help("write a URN such as \"urn:srcos:agent:coder\""),
            ),
            _ => wrong(&ty.describe()),
        },
        Ty::Str | Ty::File => match v.kind {
            ValueKind::Str(_) => None,
            _ => wrong("a string"),
        },
    }
}
