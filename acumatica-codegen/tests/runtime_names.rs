//! The runtime method names the generator keeps free (`runtime_paths.rs`) are exactly the
//! public methods of the runtime's `EntityService` and `AcumaticaClient`, read from the SDK's
//! source: a method added to the runtime and not to the list fails here, before an action or
//! service named like it can shadow it.

use std::collections::BTreeSet;
use std::path::Path;

use acumatica_codegen::__reserved::{CLIENT_METHODS, SERVICE_METHODS};

/// Methods every value has through derives and `Deref`, which the source does not spell as
/// `impl` blocks of the type.
const TRAIT_METHODS: &[&str] = &["clone", "fmt", "deref"];

/// Public method names in `impl` blocks of `ty` (inherent only) in every `.rs` file under `dir`.
fn public_methods(dir: &Path, ty: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "generated") {
                    stack.push(p);
                }
                continue;
            }
            if p.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            for item in file.items {
                let syn::Item::Impl(imp) = item else { continue };
                if imp.trait_.is_some() {
                    continue;
                }
                let syn::Type::Path(tp) = &*imp.self_ty else {
                    continue;
                };
                if tp.path.segments.last().is_none_or(|s| s.ident != ty) {
                    continue;
                }
                for it in imp.items {
                    if let syn::ImplItem::Fn(f) = it
                        && matches!(f.vis, syn::Visibility::Public(_))
                    {
                        out.insert(f.sig.ident.to_string());
                    }
                }
            }
        }
    }
    out
}

/// `foo_batch` is covered by `foo` (the generator reserves both).
fn base(name: &str) -> &str {
    name.strip_suffix("_batch").unwrap_or(name)
}

fn check(ty: &str, listed: &[&str]) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../acumatica-sdk/src");
    let actual = public_methods(&src, ty);
    assert!(
        !actual.is_empty(),
        "no methods of {ty} found under {}",
        src.display()
    );
    let listed: BTreeSet<&str> = listed.iter().copied().collect();
    let missing: Vec<&String> = actual
        .iter()
        .filter(|m| !listed.contains(base(m)))
        .collect();
    let bases: BTreeSet<&str> = actual.iter().map(|m| base(m)).collect();
    let extra: Vec<&&str> = listed
        .iter()
        .filter(|m| !bases.contains(**m) && !TRAIT_METHODS.contains(m))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "runtime_paths.rs is out of date for {ty}: add {missing:?}, remove {extra:?}"
    );
}

#[test]
fn service_methods_match_the_runtime() {
    check("EntityService", SERVICE_METHODS);
}

#[test]
fn client_methods_match_the_runtime() {
    check("AcumaticaClient", CLIENT_METHODS);
}
