//! Governance: the trust boundary between a rendered deployment and its activation.
//!
//! Takes: upstream Agent Machine documents (AgentPod, PolicyAdmission,
//! AgentRegistryGrant, StorageReceipt, AttestationDecision) as JSON, and the
//! decision time as an input.
//! Produces: canonical digests ([`canonical`]), semantic-rule violations of
//! governance documents ([`semantics`], diagnostic `E0601`), ActivationDecisions
//! ([`activation`]), teardown and wipe decisions ([`request`]) and the
//! `--require-activation` gate ([`gate`], diagnostic `E0602`), the runtime-only
//! evidence kinds ([`evidence`]); [`tokens`] lists every reason token.
//! Never: reads the clock or the disk, or treats rendered output as
//! authorization — only an allowed PolicyAdmission and an active
//! AgentRegistryGrant, checked in full, allow activation; everything else
//! fails closed with reasons (docs/governance.md lists every rule and token).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::todo,
    clippy::unimplemented
)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![warn(missing_docs)]

pub mod activation;
pub mod canonical;
pub mod decision;
pub mod evidence;
pub mod gate;
pub mod request;
pub mod rules;
pub mod semantics;
pub mod tokens;

#[cfg(test)]
pub(crate) mod testdata;

use amc_lang::resolve::documents::{DocKind, Documents};
use amc_syntax::diagnostics::{Code, Diagnostic, Diagnostics};
use amc_syntax::json_span;
use amc_syntax::source::{SourceMap, Span};

/// Reports every semantic-rule violation of the referenced PolicyAdmissions,
/// AgentRegistryGrants and AttestationDecisions as `E0601`, pointing into the
/// JSON file.
pub fn check_documents(docs: &Documents, sources: &SourceMap, diags: &mut Diagnostics) {
    for (path, doc) in &docs.by_path {
        let violations = match doc.kind {
            DocKind::PolicyAdmission => semantics::policy(&doc.value),
            DocKind::AgentRegistryGrant => semantics::grant(&doc.value),
            DocKind::AttestationDecision => semantics::attestation(&doc.value),
            DocKind::HostFacts => continue,
        };
        for d in violation_diagnostics(doc.kind.kind(), path, doc.file, sources, &violations) {
            diags.push(d);
        }
    }
}

/// `E0601` diagnostics for violations found in one loaded file.
pub fn violation_diagnostics(
    kind: &str,
    path: &str,
    file: amc_syntax::source::FileId,
    sources: &SourceMap,
    violations: &[semantics::Violation],
) -> Vec<Diagnostic> {
    let text = sources.get(file).map(|f| f.text.as_str()).unwrap_or("");
    violations
        .iter()
        .map(|v| {
            let (s, e) = json_span::locate(text, &v.pointer, None).unwrap_or((0, 1));
            Diagnostic::new(
                Code::E0601,
                format!("{kind} `{path}` breaks a semantic rule at {}: {}", v.pointer, v.message),
            )
            .label(Span::new(file, s, e), "here")
            .help(format!(
                "a {kind} that contradicts itself cannot be evaluated; ask its issuer for a corrected document (docs/governance.md lists the rules)"
            ))
        })
        .collect()
}
