//! Go-to-definition for references.
//!
//! Takes a buffer's text, a byte offset and the definitions [`Index`];
//! produces the [`Def`] a reference under the cursor names: a pod's
//! `provider`, `model` and `volume` tiers, `placement` machines, a cluster's
//! `nodes`, a machine's `profile` and `resident-model`s, a provider's
//! `extends`, a target's `cluster`. Ids of definitions themselves resolve to
//! their own definition; an `import` resolves to the stdlib module's file.

use amc_lang::resolve::stdlib;

use super::catalogue::{arg_spec, prop_ty, ref_kind, spec_at};
use super::index::{DEFINING, Def, Index};
use super::outline::{Spot, locate, outline};

/// What a reference leads to.
#[derive(Debug)]
pub enum Found<'i> {
    /// A definition.
    Def(&'i Def),
    /// A stdlib file (`std:providers/vllm`), for an `import`.
    Module(String),
}

/// What the value under the cursor refers to.
pub fn definition<'i>(text: &str, offset: usize, index: &'i Index) -> Option<Found<'i>> {
    let nodes = outline(text);
    let cursor = locate(&nodes, offset);
    let node = cursor.node()?;
    let names = cursor.names();
    if names == ["import"] && cursor.spot == Spot::Arg(0) {
        let module = node.first_arg()?;
        return stdlib::module_files(module)
            .into_iter()
            .next()
            .map(|f| Found::Module(f.name));
    }
    let spec = spec_at(&names)?;
    let (kind, id) = match cursor.spot {
        Spot::Arg(i) => {
            let v = node.args.get(i)?;
            // The id of a top-level definition: itself.
            if names.len() == 1 && i == 0 && DEFINING.contains(&node.name.as_str()) {
                let kind = DEFINING.iter().copied().find(|k| *k == node.name)?;
                (kind, v.text.as_str())
            } else {
                (ref_kind(arg_spec(spec, i)?.ty)?, v.text.as_str())
            }
        }
        Spot::PropValue(i) => {
            let p = node.props.get(i)?;
            let v = p.value.as_ref()?;
            (ref_kind(prop_ty(spec, &p.key)?)?, v.text.as_str())
        }
        _ => return None,
    };
    index.find(kind, id).map(Found::Def)
}

#[cfg(test)]
mod tests {
    use super::*;
    use amc_lang::vfs::MemoryFs;
    use std::path::PathBuf;

    #[test]
    fn references_resolve_to_definitions() {
        let a =
            "provider \"p1\" extends=\"vllm\"\nmachine \"m1\" {\n  profile \"linux-gpu-node\"\n}\n";
        let b = "pod \"x\" {\n  provider \"p1\"\n  placement {\n    pin \"m0\" \"m1\"\n  }\n}\n";
        let mut fs = MemoryFs::new();
        fs.insert("s/a.kdl", a);
        fs.insert("s/b.kdl", b);
        let idx = Index::build(&super::super::store::Target::Dir(PathBuf::from("s")), &fs);
        let definition = |t: &str, o: usize, i: &'_ Index| match super::definition(t, o, i) {
            Some(Found::Def(d)) => Some(d.clone()),
            _ => None,
        };
        let p1 = definition(b, b.find("\"p1\"").unwrap() + 1, &idx).unwrap();
        assert_eq!((p1.kind, p1.id.as_str()), ("provider", "p1"));
        assert_eq!(&a[p1.id_span.0..p1.id_span.1], "\"p1\"");
        let m1 = definition(b, b.find("\"m1\"").unwrap(), &idx).unwrap();
        assert_eq!(m1.id, "m1");
        assert!(definition(b, b.find("\"m0\"").unwrap(), &idx).is_none());
        let base = definition(a, a.find("vllm").unwrap(), &idx).unwrap();
        assert_eq!((base.kind, base.id.as_str()), ("provider", "vllm"));
        let profile = definition(a, a.find("linux-gpu").unwrap(), &idx).unwrap();
        assert_eq!(profile.kind, "profile");
        // The id of a definition is its own definition; other strings are nothing.
        assert_eq!(definition(a, a.find("m1").unwrap(), &idx).unwrap().id, "m1");
        assert!(definition(b, b.find("\"x\"").unwrap(), &idx).is_none());
        let imp = "import \"std:providers\"\n";
        match super::definition(imp, 10, &idx) {
            Some(Found::Module(m)) => assert!(m.starts_with("std:providers/"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}
