//! Entity features: with `Settings::entity_features`, every entity module, service and client
//! accessor is behind the cargo features of the top-level entities that reach it.

mod common;

use std::collections::BTreeSet;

use acumatica_codegen::ir::FieldKind;
use acumatica_codegen::{ALL_ENTITIES_FEATURE, entity_features, generate};

#[test]
fn every_item_is_gated_by_the_features_that_reach_it() {
    let endpoint = common::read_fixture("tiny_openapi3");
    let mut settings = common::settings("tiny_openapi3");
    settings.entity_features = true;
    let files = generate(&endpoint, &settings).unwrap();
    let file = |p: &str| {
        &files
            .iter()
            .find(|f| f.path == std::path::Path::new(p))
            .unwrap()
            .contents
    };

    let features: BTreeSet<String> = entity_features(&endpoint).into_iter().collect();
    assert_eq!(features.len(), endpoint.top_level().count());

    // Every `mod` line of the indexes has a cfg right above it, naming only known features.
    for index in ["entities/mod.rs", "services/mod.rs"] {
        let lines: Vec<&str> = file(index).lines().collect();
        let mods: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].starts_with("mod "))
            .collect();
        assert!(!mods.is_empty());
        for i in mods {
            let cfg = lines[i - 1];
            assert!(
                cfg.starts_with("#[cfg("),
                "{index}: `{}` is not gated",
                lines[i]
            );
            for name in cfg.split('"').skip(1).step_by(2) {
                assert!(
                    features.contains(name) || name == ALL_ENTITIES_FEATURE,
                    "{index}: unknown feature {name}"
                );
            }
        }
    }

    // A detail entity is compiled with every top-level entity that has it as detail lines.
    let (parent, detail) = endpoint
        .top_level()
        .find_map(|e| {
            e.fields.values().find_map(|f| match &f.kind {
                FieldKind::Detail(d)
                    if endpoint.entity(d).is_some_and(|d| d.top_level.is_none()) =>
                {
                    Some((e, d.clone()))
                }
                _ => None,
            })
        })
        .expect("the fixture has a top-level entity with detail lines");
    let index = file("entities/mod.rs");
    let parent_feature = common::module_of(&files, &parent.name);
    let detail_module = common::module_of(&files, &detail);
    let detail_cfg = index
        .lines()
        .zip(index.lines().skip(1))
        .find(|(_, next)| *next == format!("mod {detail_module};"))
        .map(|(cfg, _)| cfg)
        .unwrap();
    assert!(
        detail_cfg.contains(&format!("\"{parent_feature}\"")),
        "{detail_cfg}"
    );

    // The client accessors are gated one by one.
    let root = file("mod.rs");
    let gated = root
        .lines()
        .filter(|l| l.trim_start().starts_with("#[cfg(feature = "))
        .count();
    assert_eq!(gated, 2 * endpoint.top_level().count(), "{root}");
    assert!(root.contains("#[allow(unused_imports, unreachable_pub)]"));
}

#[test]
fn without_entity_features_nothing_is_gated() {
    let files = common::generate_fixture("tiny_openapi3");
    let gated = files
        .iter()
        .flat_map(|f| f.contents.lines())
        .filter(|l| l.trim_start().starts_with("#[cfg("))
        .count();
    assert_eq!(gated, 0);
}
