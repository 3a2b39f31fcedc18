//! Signing keys: generation, loading, fingerprints.
//!
//! Takes PEM text (private keys from `amc keygen`, OpenSSL or
//! `cosign generate-key-pair`; SubjectPublicKeyInfo public keys); produces a
//! [`Signer`] (ECDSA P-256 with RFC 6979 deterministic nonces) or a
//! [`PublicKey`]. Key problems are diagnostics pointing at the key file's PEM
//! header line; the key body never enters the source map, so no secret can be
//! echoed in a report. Never reads the disk or the environment: callers pass
//! the bytes and the password.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{DerSignature, Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::Generate as _;
use p256::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use sha2::{Digest, Sha256};

use amc_syntax::diagnostics::{Code, Diagnostic};
use amc_syntax::source::{SourceMap, Span};

/// Environment variable holding the password of an encrypted cosign key
/// (cosign's own convention); read by the CLI, never by the library.
pub const PASSWORD_ENV: &str = "COSIGN_PASSWORD";

/// A password for an encrypted private key; its `Debug` never shows it.
#[derive(Clone, Default)]
pub struct Password(pub Vec<u8>);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

/// A P-256 public key with the identifiers the signature formats use.
#[derive(Clone)]
pub struct PublicKey {
    key: VerifyingKey,
    der: Vec<u8>,
    pem: String,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.fingerprint())
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl PublicKey {
    fn from_verifying(key: VerifyingKey) -> Result<Self, String> {
        let der = key
            .to_public_key_der()
            .map_err(|e| format!("cannot encode public key: {e}"))?
            .as_bytes()
            .to_vec();
        let pem = key
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| format!("cannot encode public key: {e}"))?;
        Ok(PublicKey { key, der, pem })
    }

    /// SubjectPublicKeyInfo PEM (64-column base64, `\n` line ends).
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// SubjectPublicKeyInfo DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// `sha256:<hex>` of the DER SubjectPublicKeyInfo: the envelope's `keyRef`
    /// (what `openssl pkey -pubin -outform DER | sha256sum` prints).
    pub fn fingerprint(&self) -> String {
        amc_emit::manifest::sha256(&self.der)
    }

    /// Base64 of the SHA-256 of the DER SubjectPublicKeyInfo: the Sigstore
    /// bundle's public-key hint, as sigstore-go computes it.
    pub fn hint(&self) -> String {
        B64.encode(Sha256::digest(&self.der))
    }

    /// The DSSE `keyid`: securesystemslib's default key id, the SHA-256 hex of
    /// the canonical JSON `{"keytype":"ecdsa","keyval":{"public":PEM},"scheme":"ecdsa-sha2-nistp256"}`,
    /// so `SSlibKey.from_pem(pub)` finds the signature without being told.
    pub fn dsse_keyid(&self) -> String {
        // OLPC canonical JSON escapes only `"` and `\`; PEM has neither.
        let canonical = format!(
            "{{\"keytype\":\"ecdsa\",\"keyval\":{{\"public\":\"{}\"}},\"scheme\":\"ecdsa-sha2-nistp256\"}}",
            self.pem
        );
        amc_syntax::hash::sha256_hex(canonical.as_bytes())
    }

    /// Whether `der_sig` is a valid ECDSA-P256-SHA256 signature of `msg`
    /// (independent verifiers — openssl, securesystemslib — check the same
    /// signatures in scripts/test-signing.sh).
    pub fn verify(&self, msg: &[u8], der_sig: &[u8]) -> bool {
        Signature::from_der(der_sig)
            .map(|s| self.key.verify(msg, &s).is_ok())
            .unwrap_or(false)
    }
}

/// A P-256 private key that signs deterministically (RFC 6979).
#[derive(Clone)]
pub struct Signer {
    key: SigningKey,
    public: PublicKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({})", self.public.fingerprint())
    }
}

impl Signer {
    fn from_key(key: SigningKey) -> Result<Self, String> {
        let public = PublicKey::from_verifying(*key.verifying_key())?;
        Ok(Signer { key, public })
    }

    /// The matching public key.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// ASN.1 DER ECDSA-P256-SHA256 signature of `msg` (what `cosign
    /// sign-blob` and `openssl dgst -sha256 -sign` produce); the same bytes
    /// every time for the same key and message.
    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        let sig: Signature = self.key.sign(msg);
        let der: DerSignature = sig.to_der();
        der.as_bytes().to_vec()
    }
}

/// A fresh key pair as (`PKCS#8` private PEM, SubjectPublicKeyInfo PEM).
pub fn generate() -> Result<(String, String), String> {
    let key = SigningKey::try_generate().map_err(|e| format!("no system randomness: {e}"))?;
    let private = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| format!("cannot encode private key: {e}"))?;
    let public = PublicKey::from_verifying(*key.verifying_key())?;
    Ok((private.to_string(), public.pem))
}

/// The label and byte range of the first `-----BEGIN LABEL-----` line.
fn pem_label(text: &str) -> Option<(String, usize, usize)> {
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start + 11..];
    let end = rest.find("-----")?;
    let label = rest[..end].to_string();
    Some((label, start, start + 11 + end + 5))
}

/// Registers only the header line of a key file (never its body) and
/// returns a span over the header, or over nothing when there is none.
fn header_span(name: &str, text: &str, sources: &mut SourceMap) -> Span {
    match pem_label(text) {
        Some((_, start, end)) => {
            let line_start = text[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
            let line = &text[line_start..end];
            let prefix = text[..line_start].matches('\n').count();
            // Keep line numbers: blank lines stand in for what precedes the header.
            let shown = format!("{}{line}\n", "\n".repeat(prefix));
            let off = prefix + (start - line_start);
            let id = sources.add(name, shown);
            Span::new(id, off, off + (end - start))
        }
        None => {
            let id = sources.add(name, String::new());
            Span::new(id, 0, 0)
        }
    }
}

fn key_error(code: Code, span: Span, msg: String, label: &str, help: &str) -> Diagnostic {
    Diagnostic::new(code, msg).label(span, label).help(help)
}

const PRIVATE_HELP: &str = "use a P-256 key: `amc keygen --out PREFIX` writes one (PREFIX.key); \
    `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256` and \
    `cosign generate-key-pair` keys work too";

/// Loads a private signing key: PKCS#8 `PRIVATE KEY`, SEC1 `EC PRIVATE KEY`,
/// or cosign's `ENCRYPTED SIGSTORE PRIVATE KEY` / `ENCRYPTED COSIGN PRIVATE
/// KEY` (decrypted with `password`). Only P-256 keys are accepted.
pub fn load_private(
    name: &str,
    bytes: &[u8],
    password: Option<&Password>,
    sources: &mut SourceMap,
) -> Result<Signer, Diagnostic> {
    let text = String::from_utf8_lossy(bytes);
    let span = header_span(name, &text, sources);
    let Some((label, _, _)) = pem_label(&text) else {
        return Err(key_error(
            Code::E0701,
            span,
            format!("{name} is not a PEM private key"),
            "no `-----BEGIN ...-----` line",
            PRIVATE_HELP,
        ));
    };
    let bad = |why: String| {
        key_error(
            Code::E0701,
            span,
            format!("{name}: {why}"),
            "this key",
            PRIVATE_HELP,
        )
    };
    let key = match label.as_str() {
        "PRIVATE KEY" => SigningKey::from_pkcs8_pem(&text)
            .map_err(|e| bad(format!("not an ECDSA P-256 PKCS#8 private key ({e})")))?,
        "EC PRIVATE KEY" => p256::SecretKey::from_sec1_pem(&text)
            .map(SigningKey::from)
            .map_err(|e| bad(format!("not a P-256 SEC1 private key ({e})")))?,
        "ENCRYPTED SIGSTORE PRIVATE KEY" | "ENCRYPTED COSIGN PRIVATE KEY" => {
            decrypt_cosign(name, bytes, password, span)?
        }
        other => {
            return Err(bad(format!(
                "`{other}` is not a supported private key type"
            )));
        }
    };
    Signer::from_key(key).map_err(bad)
}

/// A cosign encrypted key: base64 JSON inside the PEM armour.
#[derive(serde::Deserialize)]
struct CosignKey {
    kdf: CosignKdf,
    cipher: CosignCipher,
    ciphertext: String,
}
#[derive(serde::Deserialize)]
struct CosignKdf {
    name: String,
    params: CosignScrypt,
    salt: String,
}
#[derive(serde::Deserialize)]
#[allow(non_snake_case)]
struct CosignScrypt {
    N: u64,
    r: u32,
    p: u32,
}
#[derive(serde::Deserialize)]
struct CosignCipher {
    name: String,
    nonce: String,
}

/// Decrypts cosign's format: the key is scrypt(password, salt, N, r, p, 32
/// bytes), the PKCS#8 DER is NaCl secretbox (XSalsa20-Poly1305) under it.
fn cosign_der(text: &str, password: &[u8]) -> Result<Vec<u8>, String> {
    use crypto_secretbox::aead::{Aead, KeyInit};
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    let json = B64
        .decode(body.as_bytes())
        .map_err(|e| format!("the PEM body is not base64 ({e})"))?;
    let k: CosignKey = serde_json::from_slice(&json)
        .map_err(|e| format!("not cosign's encrypted key JSON ({e})"))?;
    if k.kdf.name != "scrypt" || k.cipher.name != "nacl/secretbox" {
        return Err(format!(
            "unsupported cosign key format (kdf {}, cipher {})",
            k.kdf.name, k.cipher.name
        ));
    }
    let n = k.kdf.params.N;
    if !n.is_power_of_two() || !(2..=(1 << 20)).contains(&n) {
        return Err(format!("scrypt N={n} is not a power of two up to 2^20"));
    }
    let log_n = u8::try_from(n.trailing_zeros()).map_err(|_| "scrypt N too large".to_string())?;
    let params = scrypt::Params::new(log_n, k.kdf.params.r, k.kdf.params.p)
        .map_err(|e| format!("invalid scrypt parameters ({e})"))?;
    let salt = B64
        .decode(k.kdf.salt.as_bytes())
        .map_err(|e| format!("bad salt ({e})"))?;
    let mut key = [0u8; 32];
    scrypt::scrypt(password, &salt, &params, &mut key)
        .map_err(|e| format!("scrypt failed ({e})"))?;
    let nonce = B64
        .decode(k.cipher.nonce.as_bytes())
        .map_err(|e| format!("bad nonce ({e})"))?;
    if nonce.len() != 24 {
        return Err("the secretbox nonce is not 24 bytes".into());
    }
    let ciphertext = B64
        .decode(k.ciphertext.as_bytes())
        .map_err(|e| format!("bad ciphertext ({e})"))?;
    let cipher = crypto_secretbox::XSalsa20Poly1305::new(&key.into());
    let nonce: [u8; 24] = nonce.try_into().map_err(|_| "bad nonce".to_string())?;
    cipher
        .decrypt(&nonce.into(), ciphertext.as_slice())
        .map_err(|_| "wrong password, or the key was altered".to_string())
}

/// Decrypts a cosign key (scrypt + NaCl secretbox).
fn decrypt_cosign(
    name: &str,
    bytes: &[u8],
    password: Option<&Password>,
    span: Span,
) -> Result<SigningKey, Diagnostic> {
    let Some(password) = password else {
        return Err(key_error(
            Code::E0702,
            span,
            format!("{name} is an encrypted cosign key and no password was given"),
            "encrypted key",
            &format!(
                "set {PASSWORD_ENV} to the key's password (empty for a key made with an empty password)"
            ),
        ));
    };
    let der = cosign_der(&String::from_utf8_lossy(bytes), &password.0).map_err(|e| {
        key_error(
            Code::E0702,
            span,
            format!("{name} cannot be decrypted: {e}"),
            "encrypted key",
            &format!("check {PASSWORD_ENV}; the key must come from `cosign generate-key-pair` (or `cosign import-key-pair`)"),
        )
    })?;
    SigningKey::from_pkcs8_der(&der).map_err(|e| {
        key_error(
            Code::E0701,
            span,
            format!("{name}: the decrypted key is not ECDSA P-256 ({e})"),
            "this key",
            PRIVATE_HELP,
        )
    })
}

/// Loads a SubjectPublicKeyInfo PEM public key (`amc keygen`'s `.pub`,
/// `cosign.pub`, `openssl pkey -pubout`); only P-256 keys are accepted.
pub fn load_public(
    name: &str,
    bytes: &[u8],
    sources: &mut SourceMap,
) -> Result<PublicKey, Diagnostic> {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let label = pem_label(&text);
    // A public key may be shown whole; anything else (a private key passed
    // by mistake) only by its header line.
    let span = match &label {
        Some((l, s, e)) if l == "PUBLIC KEY" => Span::new(sources.add(name, text.clone()), *s, *e),
        _ => header_span(name, &text, sources),
    };
    let fail = |why: String| {
        Diagnostic::new(Code::E0703, format!("{name}: {why}"))
            .label(span, "this key")
            .help("pass the `.pub` file `amc keygen` wrote beside the signing key (SubjectPublicKeyInfo PEM, ECDSA P-256)")
    };
    match label {
        Some((l, _, _)) if l == "PUBLIC KEY" => {}
        Some((l, _, _)) => return Err(fail(format!("`{l}` is not a public key"))),
        None => return Err(fail("not a PEM public key".into())),
    }
    let key = VerifyingKey::from_public_key_pem(&text)
        .map_err(|e| fail(format!("not an ECDSA P-256 public key ({e})")))?;
    PublicKey::from_verifying(key).map_err(fail)
}

/// Standard base64 (with padding), as cosign writes it.
pub fn base64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

/// Decodes standard base64; `None` if it is not.
pub fn unbase64(text: &str) -> Option<Vec<u8>> {
    B64.decode(text.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> Signer {
        let (private, _) = generate().unwrap();
        load_private("t.key", private.as_bytes(), None, &mut SourceMap::new()).unwrap()
    }

    #[test]
    fn generated_keys_round_trip_and_sign_deterministically() {
        let (private, public) = generate().unwrap();
        assert!(private.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(public.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        let mut sources = SourceMap::new();
        let s = load_private("k", private.as_bytes(), None, &mut sources).unwrap();
        let p = load_public("k.pub", public.as_bytes(), &mut sources).unwrap();
        assert_eq!(s.public(), &p);
        let a = s.sign(b"hello");
        assert_eq!(a, s.sign(b"hello"), "RFC 6979 signatures are deterministic");
        assert!(p.verify(b"hello", &a));
        assert!(!p.verify(b"hellO", &a));
        assert!(
            !signer().public().verify(b"hello", &a),
            "another key rejects it"
        );
    }

    #[test]
    fn private_key_body_never_enters_the_source_map() {
        let (private, _) = generate().unwrap();
        let broken = private.replace("PRIVATE KEY-----\n", "PRIVATE KEY-----\nAAAA");
        let mut sources = SourceMap::new();
        let d = load_private("k", broken.as_bytes(), None, &mut sources).unwrap_err();
        assert_eq!(d.code, Code::E0701);
        for (_, f) in sources.files() {
            assert_eq!(f.text.trim(), "-----BEGIN PRIVATE KEY-----");
        }
    }

    #[test]
    fn cosign_encrypted_keys_need_the_password() {
        // Encrypted by scripts/cosign_encrypt_key.py (PyNaCl + hashlib's
        // scrypt), an implementation independent of this one.
        let dir =
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("tests/keys");
        let enc = std::fs::read(dir.join("cosign-test.key")).unwrap();
        let private = std::fs::read(dir.join("test.key")).unwrap();
        let mut sources = SourceMap::new();
        let d = load_private("c.key", &enc, None, &mut sources).unwrap_err();
        assert_eq!(d.code, Code::E0702);
        let d =
            load_private("c.key", &enc, Some(&Password(b"no".to_vec())), &mut sources).unwrap_err();
        assert_eq!(d.code, Code::E0702);
        assert!(d.message.contains("wrong password"), "{}", d.message);
        let s = load_private(
            "c.key",
            &enc,
            Some(&Password(b"amc-test-password".to_vec())),
            &mut sources,
        )
        .unwrap();
        let plain = load_private("k", &private, None, &mut sources).unwrap();
        assert_eq!(s.public(), plain.public());
        // One flipped ciphertext byte is refused, not mis-decrypted.
        let text = String::from_utf8(enc).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let body: String = lines[1..lines.len() - 1].concat();
        let mut json = B64.decode(body).unwrap();
        let pos = json.len() - 10;
        json[pos] ^= 1;
        let flipped = B64.encode(&json);
        lines = vec![lines[0].clone(), flipped, lines[lines.len() - 1].clone()];
        let bad = lines.join("\n");
        assert!(
            load_private(
                "c.key",
                bad.as_bytes(),
                Some(&Password(b"amc-test-password".to_vec())),
                &mut sources
            )
            .is_err()
        );
    }

    #[test]
    fn public_keys_must_be_p256_spki() {
        let (private, _) = generate().unwrap();
        let mut sources = SourceMap::new();
        let d = load_public("x.pub", private.as_bytes(), &mut sources).unwrap_err();
        assert_eq!(d.code, Code::E0703);
        for (_, f) in sources.files() {
            assert_eq!(
                f.text.trim(),
                "-----BEGIN PRIVATE KEY-----",
                "no key body shown"
            );
        }
        let d = load_public("x.pub", b"garbage", &mut sources).unwrap_err();
        assert_eq!(d.code, Code::E0703);
    }

    #[test]
    fn key_ids_have_the_documented_shapes() {
        let p = signer().public().clone();
        assert!(p.fingerprint().starts_with("sha256:") && p.fingerprint().len() == 71);
        assert_eq!(p.hint().len(), 44);
        assert_eq!(p.dsse_keyid().len(), 64);
    }
}
