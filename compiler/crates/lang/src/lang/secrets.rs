//! What counts as a secret value.
//!
//! Takes a string written in a spec; says whether it looks like a credential
//! and which kind (for the diagnostic). Shape checking runs it over every
//! string value of every node (`args`, `env`, labels, descriptions, ...), so
//! no credential written into a spec reaches a unit, a manifest or a
//! receipt. Never looks at names alone: `check` also refuses env variables
//! whose *name* says secret. The patterns are prefixes and shapes of real
//! token formats, chosen to stay quiet on ordinary values (model names,
//! sizes, flags such as `--max-tokens=512`).

/// The kind of credential `s` appears to hold, if any.
pub fn secret_in(s: &str) -> Option<&'static str> {
    if s.contains("-----BEGIN ") {
        return Some("a PEM block (private key or certificate)");
    }
    if url_credentials(s) {
        return Some("credentials in a URL (`scheme://user:password@host`)");
    }
    let words = s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'));
    for w in words {
        if let Some(kind) = token_word(w) {
            return Some(kind);
        }
    }
    if let Some(kind) = assignment(s) {
        return Some(kind);
    }
    bearer(s)
}

/// Whether `s` is a command-line flag whose next argument is a credential
/// (`--api-key`, `--token`, `--password`, `--hf-token`, ...), written
/// without `=value`.
pub fn secret_flag(s: &str) -> bool {
    let Some(name) = s.strip_prefix("--").or_else(|| s.strip_prefix('-')) else {
        return false;
    };
    if name.contains('=') {
        return false;
    }
    let n = name.to_ascii_lowercase().replace('_', "-");
    KEY_WORDS
        .iter()
        .any(|k| n == *k || n.ends_with(&format!("-{k}")))
}

/// Whether a value is a reference resolved on the target rather than a
/// literal (`$VAR`, `${VAR}`, `$(VAR)`, a `{placeholder}`).
pub fn is_reference(s: &str) -> bool {
    s.starts_with('$') || (s.starts_with('{') && s.ends_with('}'))
}

/// Key words that name a credential in `key=value` and `--key value`.
const KEY_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "api-key",
    "apikey",
    "access-key",
    "secret-key",
    "private-key",
    "client-secret",
    "auth-token",
    "hf-token",
];

fn all_token_chars(s: &str) -> bool {
    s.bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

/// One word that is a known token format.
fn token_word(w: &str) -> Option<&'static str> {
    let b = w.as_bytes();
    // AWS access key ids: AKIA/ASIA + 16 upper-case letters or digits.
    if b.len() == 20
        && (w.starts_with("AKIA") || w.starts_with("ASIA"))
        && b[4..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return Some("an AWS access key id");
    }
    for p in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"] {
        if let Some(rest) = w.strip_prefix(p)
            && rest.len() >= 20
            && all_token_chars(rest)
        {
            return Some("a GitHub token");
        }
    }
    if let Some(rest) = w.strip_prefix("glpat-")
        && rest.len() >= 20
        && all_token_chars(rest)
    {
        return Some("a GitLab token");
    }
    for p in ["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"] {
        if let Some(rest) = w.strip_prefix(p)
            && rest.len() >= 10
        {
            return Some("a Slack token");
        }
    }
    if let Some(rest) = w.strip_prefix("hf_")
        && rest.len() >= 30
        && rest.bytes().all(|c| c.is_ascii_alphanumeric())
    {
        return Some("a Hugging Face token");
    }
    if let Some(rest) = w.strip_prefix("sk-")
        && rest.len() >= 20
        && all_token_chars(rest)
    {
        return Some("an API secret key (`sk-...`)");
    }
    // A JWT: three base64url parts, the first two JSON objects (`eyJ`).
    let parts: Vec<&str> = w.split('.').collect();
    if parts.len() == 3
        && parts[0].starts_with("eyJ")
        && parts[1].starts_with("eyJ")
        && parts.iter().all(|p| p.len() >= 4 && all_token_chars(p))
    {
        return Some("a JSON Web Token");
    }
    None
}

/// `password=...`, `DB_PASSWORD=...`, `--api-key=...`, `token = ...`: a key
/// word right before `=`, then a literal value (not a number, not a reference).
fn assignment(s: &str) -> Option<&'static str> {
    let lower = s.to_ascii_lowercase().replace('_', "-");
    let mut from = 0;
    while let Some(eq) = lower[from..].find('=').map(|i| i + from) {
        let key = lower[..eq].trim_end();
        let value = s[eq + 1..].trim_start();
        let value = value
            .split(|c: char| c.is_whitespace() || c == '&' || c == ';' || c == ',')
            .next()
            .unwrap_or("")
            .trim_matches(|c| c == '"' || c == '\'');
        let literal = !value.is_empty()
            && !is_reference(value)
            && !value.bytes().all(|c| c.is_ascii_digit())
            && !matches!(value, "true" | "false" | "none" | "null");
        if literal {
            for k in KEY_WORDS {
                if let Some(before) = key.strip_suffix(k)
                    && before
                        .chars()
                        .last()
                        .is_none_or(|c| !c.is_ascii_alphanumeric())
                {
                    return Some("a credential assigned to a key that names one");
                }
            }
        }
        from = eq + 1;
    }
    None
}

/// `Bearer <token>` (an `Authorization` header value).
fn bearer(s: &str) -> Option<&'static str> {
    let lower = s.to_ascii_lowercase();
    let at = lower.find("bearer ")?;
    let token = s[at + 7..].split_whitespace().next().unwrap_or("");
    (token.len() >= 16 && !is_reference(token)).then_some("a bearer token")
}

/// `scheme://user:password@host`.
fn url_credentials(s: &str) -> bool {
    let Some(i) = s.find("://") else {
        return false;
    };
    let rest = &s[i + 3..];
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    match authority.rsplit_once('@') {
        Some((userinfo, _)) => userinfo
            .split_once(':')
            .is_some_and(|(_, pw)| !pw.is_empty() && !is_reference(pw)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_token_shapes_are_found() {
        for s in [
            "AKIAIOSFODNN7EXAMPLE",
            "--key=AKIAIOSFODNN7EXAMPLE",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "Authorization: token ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
            "glpat-abcdefghijklmnopqrst",
            "xoxb-123456789012-abcdef",
            "hf_abcdefghijklmnopqrstuvwxyzABCDEF",
            "sk-proj-abcdefghijklmnopqrstuvwx",
            "-----BEGIN RSA PRIVATE KEY-----",
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            "password=hunter2",
            "DB_PASSWORD=hunter2",
            "--api-key=s3cr3tvalue",
            "token = abc123def",
            "postgres://app:hunter2@db:5432/x",
            "https://user:pw@example.com/",
            "Bearer abcdefghijklmnop1234",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
        ] {
            assert!(secret_in(s).is_some(), "{s} should be a secret");
        }
    }

    #[test]
    fn ordinary_values_are_not_secrets() {
        for s in [
            "--max-tokens=512",
            "--tokenizer=/models/tok.json",
            "max_token=512",
            "--ctx-size",
            "qwen2.5-coder-7b-instruct-q4_k_m.gguf",
            "ghcr.io/ggml-org/llama.cpp:server",
            "sha256:09fbb2e8e4cc5d0bc2c4e1fe2ef6e3bd4b47cfdec1b9b2b0f2b1d5b3c4e5f6a7",
            "https://huggingface.co/org/repo/resolve/main/x.gguf",
            "oci://registry.local/models/x@sha256:ab",
            "password=$DB_PASSWORD",
            "token=${TOKEN}",
            "secret=true",
            "sk-short",
            "AKIA-not-a-key",
            "Bearer $TOKEN",
            "http://127.0.0.1:8080/health",
            "user@example.com",
        ] {
            assert_eq!(secret_in(s), None, "{s} should not be a secret");
        }
    }

    #[test]
    fn flags_that_take_a_credential() {
        for s in [
            "--api-key",
            "--token",
            "--hf-token",
            "--password",
            "-password",
            "--client_secret",
        ] {
            assert!(secret_flag(s), "{s}");
        }
        for s in [
            "--max-tokens",
            "--tokenizer",
            "--api-key=x",
            "api-key",
            "--port",
        ] {
            assert!(!secret_flag(s), "{s}");
        }
    }
}
