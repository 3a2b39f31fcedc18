//! The registry of diagnostic codes.
//!
//! Each code is stable once released: tools and people key on it. The long
//! explanation of every code lives in `docs/diagnostics.md` (embedded, shown by
//! `amc explain`); this table holds the code, its default severity and title.

use super::Severity;

macro_rules! codes {
    ($( $code:ident, $sev:ident, $title:literal; )*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[allow(missing_docs)]
        pub enum Code { $( $code, )* }

        /// Every code, in order.
        pub fn all_codes() -> &'static [Code] {
            &[ $( Code::$code, )* ]
        }

        impl Code {
            /// Static facts about this code.
            pub fn info(self) -> CodeInfo {
                match self {
                    $( Code::$code => CodeInfo {
                        code: stringify!($code),
                        severity: Severity::$sev,
                        title: $title,
                    }, )*
                }
            }
        }
    };
}

/// Static facts about a code.
#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    /// The code without namespace, e.g. `E0102`.
    pub code: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// Short title, as in docs/diagnostics.md.
    pub title: &'static str,
}

impl Code {
    /// The namespaced code, e.g. `amc::E0102`.
    pub fn qualified(self) -> String {
        format!("amc::{}", self.info().code)
    }

    /// Looks a code up by `E0102` or `amc::E0102` (case-insensitive).
    pub fn parse(s: &str) -> Option<Code> {
        let s = s.trim();
        let s = s.strip_prefix("amc::").unwrap_or(s);
        all_codes()
            .iter()
            .copied()
            .find(|c| c.info().code.eq_ignore_ascii_case(s))
    }
}

codes! {
    E0001, Error, "KDL syntax error";
    E0002, Error, "spec file cannot be read";
    E0003, Error, "empty spec";
    E0004, Error, "input exceeds a compiler limit";
    E0101, Error, "unknown node";
    E0102, Error, "unknown property";
    E0103, Error, "wrong value type";
    E0104, Error, "missing required value";
    E0105, Error, "too many arguments";
    E0106, Error, "invalid enum value";
    E0107, Error, "invalid size";
    E0108, Error, "invalid duration";
    E0109, Error, "repeated node or property";
    E0110, Error, "invalid identifier";
    E0111, Error, "invalid digest";
    E0112, Error, "value out of range";
    E0113, Error, "missing required node";
    E0114, Error, "invalid image reference";
    E0115, Error, "control character in a string";
    E0116, Error, "model source not pinned";
    E0117, Error, "model URL not HTTPS";
    E0118, Error, "unknown template variable";
    E0119, Error, "invalid param or for-each";
    E0201, Error, "duplicate definition";
    E0202, Error, "unknown stdlib module";
    E0203, Error, "unresolved reference";
    E0204, Error, "path escapes the spec root";
    E0205, Error, "referenced file not found";
    E0206, Error, "import in the wrong place";
    E0207, Error, "cyclic extends";
    E0301, Error, "exposure impossible on target";
    E0302, Error, "accelerator not available on profile";
    E0303, Error, "privileged workload requested";
    E0304, Error, "secret value in spec";
    E0305, Error, "host network requested";
    E0306, Error, "missing target cluster";
    E0307, Error, "provider does not support accelerator";
    E0308, Error, "model format not served by provider";
    E0309, Error, "provider cannot run in a container";
    E0310, Error, "model has no model volume";
    E0311, Error, "machine capacity unknown";
    E0314, Error, "cluster node is not a Kubernetes machine";
    E0315, Error, "ingress needs a host name";
    E0317, Error, "volume unusable on target";
    E0318, Error, "port name repeated";
    E0319, Error, "resource request exceeds limit";
    E0320, Error, "declared capacity contradicts host facts";
    E0321, Error, "pinned machine too small for pod";
    E0322, Error, "pinned machine lacks the pod's accelerator";
    E0323, Error, "storage pool larger than free disk space";
    E0324, Error, "Quadlet target on a host without Quadlet";
    E0330, Error, "memory limit below what the pod needs";
    E0331, Error, "model cannot be split across the replica's GPUs";
    E0332, Error, "model source unusable on the target";
    E0333, Error, "Kubernetes name not valid";
    W0301, Warning, "image not pinned by digest";
    W0302, Warning, "model without digest";
    W0303, Warning, "unused definition";
    W0304, Warning, "legacy model source";
    E0401, Error, "malformed JSON document";
    E0402, Error, "document violates its contract";
    E0403, Error, "document of the wrong kind";
    E0404, Error, "malformed YAML document";
    E0405, Error, "import input not recognised";
    E0406, Error, "Compose or Kubernetes field of the wrong shape";
    W0401, Warning, "Kubernetes object not carried over";
    E0501, Error, "pod cannot be placed";
    E0701, Error, "signing key cannot be used";
    E0702, Error, "encrypted signing key cannot be decrypted";
    E0703, Error, "public key cannot be used";
    E0710, Error, "artifact digest mismatch";
    E0711, Error, "file missing from the output";
    E0712, Error, "unexpected file in the output";
    E0713, Error, "signature does not verify";
    E0714, Error, "signature file inconsistent with the build";
    E0715, Error, "output differs from a rebuild";
    E0716, Error, "input changed since the build";
    E0717, Error, "build manifest unreadable";
    E0718, Error, "output entry with a mode amc never writes";
    E0601, Error, "governance document breaks a semantic rule";
    E0870, Error, "PVC name unusable";
    E0602, Error, "pod may not be activated";
    E0502, Error, "placement names an unusable pod";
    E0503, Error, "cache key without a warm-up cost";
    W0501, Warning, "placement weights ignored";
    W0502, Warning, "cache keys are private";
    E0901, Error, "internal compiler error";
    E0902, Error, "output cannot be written";
}
