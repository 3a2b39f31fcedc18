//! Plans over small trees.

use super::*;

fn tree(files: &[(&str, &[u8])]) -> Artifacts {
    files
        .iter()
        .map(|(p, b)| (p.to_string(), b.to_vec()))
        .collect()
}

#[test]
fn added_removed_changed_by_kind() {
    let old = tree(&[
        ("amc-build.json", b"{\"a\":1}"),
        (
            "k/app.yaml",
            b"kind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 1\n",
        ),
        ("q/m/app.container", b"[Container]\nImage=a\n"),
        ("q/m/gone.network", b"[Network]\n"),
        ("blob.bin", &[0xff, 0x00]),
        ("same.json", b"{}"),
        ("layout.json", b"{\"a\":1}"),
    ]);
    let new = tree(&[
        ("amc-build.json", b"{\"a\":2}"),
        (
            "k/app.yaml",
            b"kind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 2\n",
        ),
        ("q/m/app.container", b"[Container]\nImage=b\n"),
        ("q/n/new.network", b"[Network]\n"),
        ("blob.bin", &[0xff, 0x01, 0x02]),
        ("same.json", b"{}"),
        ("layout.json", b"{ \"a\": 1 }\n"),
    ]);
    let p = plan(&old, &new);
    assert!(p.changed);
    let got: Vec<(&str, Change, Kind)> = p
        .artifacts
        .iter()
        .map(|a| (a.path.as_str(), a.change, a.kind))
        .collect();
    assert_eq!(
        got,
        vec![
            ("amc-build.json", Change::Changed, Kind::Record),
            ("blob.bin", Change::Changed, Kind::Binary),
            ("k/app.yaml", Change::Changed, Kind::Yaml),
            ("layout.json", Change::Changed, Kind::Json),
            ("q/m/app.container", Change::Changed, Kind::Text),
            ("q/m/gone.network", Change::Removed, Kind::Text),
            ("q/n/new.network", Change::Added, Kind::Text),
        ]
    );
    assert_eq!(p.artifacts[0].fields, vec![]);
    assert_eq!(p.artifacts[2].fields[0].path, "spec.replicas");
    assert!(
        p.artifacts[3].diff.contains("+{ \"a\": 1 }"),
        "layout-only change shows text"
    );
    assert!(p.artifacts[4].diff.contains("-Image=a\n+Image=b\n"));
    assert_eq!(
        p.summary,
        Summary {
            added: 1,
            removed: 1,
            changed: 5,
            placement_moves: 0,
            activation_changes: 0
        }
    );
    let h = human(&p);
    assert!(
        h.starts_with("1 added, 1 removed, 5 changed; 0 placement moves, 0 activation changes\n"),
        "{h}"
    );
    assert!(
        h.contains("  ~ k/app.yaml\n      ~ spec.replicas: 1 → 2\n"),
        "{h}"
    );
    assert!(h.contains("  ~ amc-build.json (build record)\n"), "{h}");
    assert!(h.contains("  ~ blob.bin (binary, 2 → 3 bytes)\n"), "{h}");
}

#[test]
fn identical_trees_have_no_changes() {
    let t = tree(&[("a.json", b"{}")]);
    let p = plan(&t, &t);
    assert!(!p.changed);
    assert_eq!(human(&p), "no changes\n");
    let j = serde_json::to_value(&p).unwrap();
    assert_eq!(j["changed"], false);
    assert_eq!(j["artifacts"], serde_json::json!([]));
}
