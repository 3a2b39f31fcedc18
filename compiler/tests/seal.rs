//! Sealing: the signature-side files of a real build (the workstation
//! example) — deterministic, verifiable, in the upstream envelope contract,
//! and each checked byte for byte by `amc verify`.

use amc::driver;
use amc::emit::Artifacts;
use amc::emit::manifest::MANIFEST;
use amc::sign::*;
use amc::source::SourceMap;
use amc::vfs::RealFs;

fn built(signer: Option<&Signer>) -> Artifacts {
    let spec =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/workstation-llama");
    let opts = driver::Options {
        stop: driver::Stop::Build,
        ..Default::default()
    };
    let c = driver::compile(&RealFs, &spec, "spec", &opts).unwrap();
    assert!(!c.diagnostics.has_errors(), "{:?}", c.diagnostics.sorted());
    let mut a = c.artifacts;
    // Start again from the unsigned emit output.
    for f in SIGNATURE_FILES {
        a.remove(f);
    }
    seal(&mut a, signer).unwrap();
    a
}

fn signer() -> Signer {
    let (private, _) = keys::generate().unwrap();
    keys::load_private("k", private.as_bytes(), None, &mut SourceMap::new()).unwrap()
}

#[test]
fn sealed_builds_verify_and_envelopes_follow_the_upstream_contract() {
    let s = signer();
    let signed = built(Some(&s));
    assert_eq!(signed, built(Some(&s)), "deterministic");
    let unsigned = built(None);
    assert_eq!(
        signed[MANIFEST], unsigned[MANIFEST],
        "the manifest ignores the key"
    );
    for (tree, status) in [(&signed, "signed"), (&unsigned, "unsigned")] {
        let env: serde_json::Value = serde_json::from_slice(&tree[ENVELOPE]).unwrap();
        let errs =
            amc::contracts::validate("upstream/signed-release-bundle-envelope", &env).unwrap();
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(env["signature"]["status"], status);
    }
    let r = verify::verify(&signed, Some(s.public()));
    assert!(!r.diagnostics.has_errors(), "{:?}", r.diagnostics.sorted());
    assert!(r.signature_verified && r.signed);
    let r = verify::verify(&unsigned, None);
    assert!(!r.diagnostics.has_errors(), "{:?}", r.diagnostics.sorted());
    let mut rebuilt = unsigned.clone();
    let mut r = verify::verify(&signed, None);
    verify::compare_rebuild(&mut r, &signed, &rebuilt);
    assert!(!r.diagnostics.has_errors(), "{:?}", r.diagnostics.sorted());
    rebuilt.insert("placement.json".into(), b"{}\n".to_vec());
    verify::compare_rebuild(&mut r, &signed, &rebuilt);
    assert_eq!(
        r.diagnostics.sorted()[0].code,
        amc::diagnostics::Code::E0715
    );
}

#[test]
fn every_signature_side_file_is_checked_byte_for_byte() {
    let s = signer();
    let signed = built(Some(&s));
    for f in SIGNATURE_FILES {
        let mut t = signed.clone();
        t.get_mut(f).unwrap().push(b' ');
        let r = verify::verify(&t, Some(s.public()));
        let d = r.diagnostics.sorted();
        assert_eq!(d.len(), 1, "{f}: {d:?}");
        assert!(d[0].message.contains(f), "{f}: {}", d[0].message);
    }
}
