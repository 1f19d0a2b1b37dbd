//! Snapshot tests: each fixture in `tests/fixtures` generates exactly the files of one module of
//! the `acumatica-codegen-snapshots` crate (`tests/output`), which `cargo test --workspace` and
//! `cargo clippy --workspace` compile with `#![deny(warnings)]`.
//!
//! After a deliberate change to the generator, update the snapshots with
//! `EXPECTORATE=overwrite cargo test -p acumatica-codegen --test snapshots` and review the diff.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use acumatica_codegen::ir::{Endpoint, FieldKind, KeySource, Operation, ValueKind};
use acumatica_codegen::{GeneratedFile, generate};
use common::{
    FIXTURES, crate_dir, fixture_bytes, generate_fixture, identifiers, read_fixture,
    read_fixture_from, settings, text_problems,
};

fn overwrite() -> bool {
    std::env::var("EXPECTORATE").as_deref() == Ok("overwrite")
}

fn files_under(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.insert(rel.to_owned());
            }
        }
    }
    out
}

/// Compares every generated file with its snapshot, and the snapshot directory with the set of
/// generated files (a file the generator no longer writes is stale).
fn snapshot(stem: &str) {
    let warnings: String = read_fixture(stem)
        .warnings
        .iter()
        .map(|w| format!("{w}\n"))
        .collect();
    snapshot_files(stem, &generate_fixture(stem), &warnings);
}

/// Compares `files` with the snapshot module `name` and `warnings` with `name.warnings.txt`.
fn snapshot_files(name: &str, files: &[GeneratedFile], warnings: &str) {
    let dir = crate_dir().join("tests/output/src").join(name);
    for f in files {
        let path = dir.join(&f.path);
        if overwrite() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        }
        expectorate::assert_contents(path, &f.contents);
    }
    let generated: BTreeSet<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    let stale: Vec<PathBuf> = files_under(&dir).difference(&generated).cloned().collect();
    if overwrite() {
        for p in &stale {
            std::fs::remove_file(dir.join(p)).unwrap();
        }
    } else {
        assert!(
            stale.is_empty(),
            "{name}: snapshot files the generator no longer writes (run with EXPECTORATE=overwrite): {stale:?}"
        );
    }
    expectorate::assert_contents(
        crate_dir().join(format!("tests/output/{name}.warnings.txt")),
        warnings,
    );
}

#[test]
fn tiny_openapi3() {
    snapshot("tiny_openapi3");
}

#[test]
fn tiny_swagger2() {
    snapshot("tiny_swagger2");
}

/// Actions named after every method of the runtime's `EntityService` (and their `_batch`
/// twins), and an entity whose accessor would be a client method: the snapshot crate compiles
/// them, and every generated method gets a name that hides no runtime method.
#[test]
fn runtime_names() {
    snapshot("runtime_names");
    let files = generate_fixture("runtime_names");
    let service = file(&files, "services/clash.rs");
    for m in acumatica_codegen::__reserved::SERVICE_METHODS {
        for name in [m.to_string(), format!("{m}_batch")] {
            // `new` is the service's own constructor; every other runtime name stays free.
            let hides = service.contains(&format!("pub async fn {name}("))
                || (name != "new" && service.contains(&format!("pub fn {name}(")));
            assert!(
                !hides,
                "the action named after `{name}` hides the runtime method"
            );
            let pascal: String = name
                .split('_')
                .map(|w| w[..1].to_uppercase() + &w[1..])
                .collect();
            assert!(
                service.contains(&format!("\"{pascal}\"")),
                "the fixture has no action `{pascal}` for the runtime method `{name}`: add it to tests/fixtures/runtime_names.json"
            );
        }
    }
    let root = file(&files, "mod.rs");
    assert!(!root.contains("fn stats(&self)"), "{root}");
}

/// No top-level entities: a warning, and a module that compiles clean and names no method
/// that does not exist.
#[test]
fn empty_paths() {
    snapshot("empty_paths");
    let ep = read_fixture("empty_paths");
    assert!(
        ep.warnings
            .iter()
            .any(|w| w.pointer == "#/paths" && w.message.contains("no top-level entities")),
        "{:?}",
        ep.warnings
    );
    let files = generate_fixture("empty_paths");
    let root = file(&files, "mod.rs");
    assert!(!root.contains("client.service()"), "{root}");
}

fn file<'a>(files: &'a [GeneratedFile], path: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.path == Path::new(path))
        .unwrap_or_else(|| panic!("no generated file {path}"))
        .contents
}

/// What the reader makes of the OpenAPI 3 fixture: every construct it was written to cover.
#[test]
fn fixture_model() {
    let ep = read_fixture("tiny_openapi3");
    assert_eq!(
        (ep.name.as_str(), ep.version.as_str()),
        ("Tiny", "24.200.001")
    );

    let customer = ep.entity("Customer").unwrap();
    let kind = |name: &str| &customer.fields[name].kind;
    for (field, value_kind) in [
        ("CustomerID", ValueKind::String),
        ("CreditLimit", ValueKind::Decimal),
        ("Active", ValueKind::Boolean),
        ("CreatedDateTime", ValueKind::DateTime),
        ("Counter", ValueKind::Int),
        ("LeadTimeDays", ValueKind::Short),
        ("BigCounter", ValueKind::Long),
        ("Priority", ValueKind::Byte),
        ("Ratio", ValueKind::Double),
        ("ExternalRef", ValueKind::Guid),
        ("BirthDate", ValueKind::DateOnly),
        // Not a wrapper the generator knows by name: typed by the shape of its `value`.
        ("Balance", ValueKind::Decimal),
    ] {
        assert_eq!(kind(field), &FieldKind::Value(value_kind), "{field}");
    }
    assert!(matches!(kind("Blob"), FieldKind::Untyped(_)));
    assert!(matches!(kind("Inline"), FieldKind::Untyped(_)));
    assert!(matches!(kind("Labels"), FieldKind::Untyped(_)));
    assert_eq!(kind("MainContact"), &FieldKind::Linked("Contact".into()));
    assert_eq!(
        kind("Contacts"),
        &FieldKind::Detail("CustomerContact".into())
    );
    // System fields are the runtime's, not the entity's.
    assert!(!customer.fields.contains_key("id") && !customer.fields.contains_key("note"));

    let top = customer.top_level.as_ref().unwrap();
    assert_eq!(top.operations.len(), Operation::ALL.len());
    assert!(top.custom_actions);
    assert_eq!(
        top.actions.keys().map(String::as_str).collect::<Vec<_>>(),
        ["ChangeID", "Do It", "GetList"]
    );
    let change = &top.actions["ChangeID"];
    assert_eq!(
        change
            .parameters
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        ["Amount", "NewID", "Type"]
    );
    assert!(change.custom_parameters);
    assert!(top.actions["GetList"].parameters.is_empty());
    let keys = top.keys.as_ref().unwrap();
    assert_eq!(
        (keys.fields.as_slice(), keys.source),
        (&["CustomerID".to_owned()][..], KeySource::Documented)
    );
    let x_keys = ep.entity("X").unwrap().keys().unwrap();
    assert_eq!(
        (x_keys.fields.as_slice(), x_keys.source),
        (&["XID".to_owned()][..], KeySource::Inferred)
    );

    // Titles and screen IDs: the tag's screen wins over the XML's; the XML fills in the rest.
    assert_eq!(customer.title.as_deref(), Some("Customers"));
    assert_eq!(customer.screen_id.as_deref(), Some("AR303000"));
    let contact = ep.entity("Contact").unwrap();
    assert_eq!(
        (contact.title.as_deref(), contact.screen_id.as_deref()),
        (Some("Contacts"), Some("CR302000"))
    );
    let hostile = ep.entity("Hostile").unwrap();
    assert_eq!(
        hostile.title.as_deref(),
        Some("Hostile \"names\" */ #[doc]")
    );
    assert_eq!(hostile.screen_id.as_deref(), Some("HO\"1*/"));
    let m = customer.fields["CustomerID"].mapping.as_ref().unwrap();
    assert_eq!((m.view.as_str(), m.field.as_str()), ("BAccount", "AcctCD"));
    assert!(change.parameters["NewID"].mapping.is_some());

    // Entities that are only linked are entities too; a name with `/` is found through `~1`.
    assert!(ep.entity("Slash/Name").unwrap().top_level.is_none());
    assert_eq!(
        hostile.fields["Slashed"].kind,
        FieldKind::Linked("Slash/Name".into())
    );

    // Each workaround is a warning that names the place.
    let warned: Vec<&str> = ep.warnings.iter().map(|w| w.pointer.as_str()).collect();
    for pointer in [
        "#/components/schemas/FooValue",
        "#/components/schemas/Customer/allOf/1/properties/Blob",
        "#/components/schemas/Customer/allOf/1/properties/Inline",
        "#/components/schemas/Customer/allOf/1/properties/Labels",
        "#/components/schemas/SomethingElse",
        "#/paths/~1Customer~1{id}~1weird/get",
    ] {
        assert!(
            warned.contains(&pointer),
            "no warning at {pointer}: {warned:#?}"
        );
    }
}

/// Both fixtures describe the same endpoint in the two formats: they must read to the same model
/// (up to the pointers, which name each format's own places).
#[test]
fn both_formats_read_to_the_same_model() {
    fn normalized(mut ep: Endpoint) -> Endpoint {
        ep.name = String::new();
        ep.version = String::new();
        ep.warnings.clear();
        for e in ep.entities.values_mut() {
            e.pointer.clear();
            for f in e.fields.values_mut() {
                f.pointer.clear();
                f.mapping = None;
            }
            for t in e.top_level.iter_mut() {
                for a in t.actions.values_mut() {
                    a.pointer.clear();
                    for p in a.parameters.values_mut() {
                        p.pointer.clear();
                        p.mapping = None;
                    }
                }
            }
            if e.name == "Contact" {
                e.screen_id = None; // from the OpenAPI fixture's endpoint XML only
            }
        }
        ep
    }
    let mut a = normalized(read_fixture("tiny_openapi3"));
    let mut b = normalized(read_fixture("tiny_swagger2"));
    a.format = b.format;
    assert_eq!(
        a.entities.keys().collect::<Vec<_>>(),
        b.entities.keys().collect::<Vec<_>>()
    );
    for (name, e) in &a.entities {
        assert_eq!(e, &b.entities[name], "{name}");
    }
    b.format = a.format;
    assert_eq!(a, b);
    let swagger = read_fixture("tiny_swagger2");
    // Swagger 2: the title is free text; the endpoint comes from `basePath`.
    assert_eq!(
        (swagger.name.as_str(), swagger.version.as_str()),
        ("TinySwagger", "23.200.001")
    );
}

/// The emitter's decisions on the constructs the fixture was written for, spelled out (the
/// snapshots hold the same facts, but a reviewer should not have to find them there).
#[test]
fn emitted_names_and_types() {
    let files = generate_fixture("tiny_openapi3");

    // Linked cycles are boxed, detail collections and acyclic links are not.
    let node = file(&files, "entities/node.rs");
    assert!(
        node.contains("pub parent: ::core::option::Option<::std::boxed::Box<super::Node>>,"),
        "{node}"
    );
    assert!(
        node.contains("pub children: ::core::option::Option<::std::vec::Vec<super::Node>>,"),
        "{node}"
    );
    let beta = file(&files, "entities/beta.rs");
    assert!(
        beta.contains("pub alpha: ::core::option::Option<::std::boxed::Box<super::Alpha>>,"),
        "{beta}"
    );
    assert!(
        beta.contains("pub node: ::core::option::Option<super::Node>,"),
        "{beta}"
    );
    assert!(file(&files, "entities/alpha.rs").contains("::std::boxed::Box<super::Beta>"));
    // An entity named `Box` that links to itself, next to std's `Box`.
    let boxed = file(&files, "entities/box_.rs");
    assert!(boxed.contains("pub struct Box {"), "{boxed}");
    assert!(
        boxed.contains("pub inner: ::core::option::Option<::std::boxed::Box<super::Box>>,"),
        "{boxed}"
    );
    assert!(
        boxed.contains("pub opt: ::core::option::Option<super::Option>,"),
        "{boxed}"
    );
    let string = file(&files, "entities/string.rs");
    assert!(
        string.contains("pub string: ::acumatica_sdk::types::Value<::std::string::String>,"),
        "{string}"
    );

    // Collisions after snake-casing, and with the reserved `meta`.
    let customer = file(&files, "entities/customer.rs");
    // `CustomerID` keeps `customer_id` (PascalCase first, then by name); its twin `CustomerId`
    // and the fields named like the reserved `meta` get suffixes from their own names, so that
    // adding a twin never renames a field that had its identifier.
    for decl in [
        "pub customer_id:",
        "pub customer_id_438f:",
        "pub meta_e8dd:",
        "pub meta_81fe:",
    ] {
        assert!(customer.contains(decl), "{decl} in {customer}");
    }
    // Decimals are exact, whatever the schema's `format: double` says; unknown values are raw JSON.
    assert!(customer.contains(
        "pub credit_limit: ::acumatica_sdk::types::Value<::acumatica_sdk::types::Decimal>,"
    ));
    assert!(
        customer.contains(
            "pub balance: ::acumatica_sdk::types::Value<::acumatica_sdk::types::Decimal>,"
        )
    );
    assert!(
        customer.contains("pub blob: ::core::option::Option<::acumatica_sdk::types::RawJson>,")
    );
    // `XFields` keeps its name; `X`'s field paths move aside.
    assert!(file(&files, "entities/x_fields.rs").contains("pub struct XFields {"));
    assert!(file(&files, "entities/x.rs").contains("pub struct XFields2("));

    // An action named like a runtime method cannot hide it, and keeps its `_batch` twin.
    let service = file(&files, "services/customer.rs");
    for decl in [
        "pub async fn get_list_2(",
        "pub fn get_list_2_batch(",
        "pub async fn change_id(",
        "parameters: &super::super::entities::ChangeIDParameters,",
        "pub async fn do_it(",
        "invoke_action_batch(\n                \"Do It\",",
    ] {
        assert!(service.contains(decl), "{decl} in {service}");
    }
    // Names that once made the emitter fail or the output warn, each fixed in the generator:
    // a plural that is a keyword (`A` → `as`), a keyword type whose derived names kept the `_`
    // (`Self_Fields` is not UpperCamelCase), suffixed types (`_2Step24E0`, not `_2Step_2`), and a module named
    // like its parent (`entities::entities`, clippy's `module_inception`).
    let root = file(&files, "mod.rs");
    assert!(root.contains("fn as_(&self) -> AService;"), "{root}");
    let me = file(&files, "entities/self_.rs");
    assert!(
        me.contains("pub struct Self_ {") && me.contains("pub struct SelfFields("),
        "{me}"
    );
    assert!(file(&files, "entities/hostile.rs").contains("pub struct SelfParameters {"));
    assert!(
        file(&files, "entities/hostile.rs")
            .contains("pub step: ::core::option::Option<super::_2Step24E0>,")
    );
    assert!(file(&files, "entities/mod.rs").contains("mod entities_1838;"));

    assert!(
        root.contains("fn customers(&self) -> CustomerService;"),
        "{root}"
    );
    assert!(
        root.contains("fn results(&self) -> ResultService;"),
        "{root}"
    );
}

/// No name in the fixtures, however hostile, becomes code: names reach the output only as string
/// literals and doc text, so the identifiers of the injected fragments never appear, and doc
/// comments carry no code block rustdoc would run.
#[test]
fn names_cannot_inject_code() {
    for stem in FIXTURES {
        let files = generate_fixture(stem);
        let mut problems = Vec::new();
        for f in &files {
            let idents = identifiers(&f.contents);
            for evil in ["evil", "injected", "abort", "exit", "indented", "boom"] {
                if idents.iter().any(|i| i == evil) {
                    problems.push(format!("{stem}/{}: identifier `{evil}`", f.path.display()));
                }
            }
            problems.extend(text_problems(f));
        }
        assert!(problems.is_empty(), "{problems:#?}");
        // The hostile wire names are still there, exactly, as string literals.
        let hostile = file(&files, "entities/hostile.rs");
        for literal in [
            r#""a\"; fn evil() {} \"""#,
            r#""back\\slash""#,
            r#""*/ end /*""#,
            r##""#[cfg(any())]""##,
            r#""}} mod injected {""#,
            r#""Carriage\rReturn""#,
            r#""Bidi\u{202e}Txt""#,
            r#""x\n```\nstd::process::abort();\n```""#,
            r#""Größe""#,
        ] {
            assert!(hostile.contains(literal), "{literal} in {hostile}");
        }
    }
}

#[test]
fn generation_is_deterministic() {
    for stem in FIXTURES {
        assert_eq!(generate_fixture(stem), generate_fixture(stem), "{stem}");
    }
}

/// A document whose members, tags and `allOf` parts come in another order (as a re-exported
/// schema may) generates the same bytes: the output is sorted by name, never by document order.
#[test]
fn document_order_does_not_matter() {
    for stem in FIXTURES {
        let original: serde_json::Value = serde_json::from_slice(&fixture_bytes(stem)).unwrap();
        let mut text = String::new();
        write_reordered(&original, &mut text, false);
        assert_ne!(
            text.as_bytes(),
            fixture_bytes(stem),
            "the reordered text must differ"
        );
        let reordered = read_fixture_from(stem, text.as_bytes());
        let files = generate(&reordered, &settings(stem)).unwrap();
        assert_eq!(files, generate_fixture(stem), "{stem}");
    }
}

/// Writes `v` as JSON with every object's members in reverse order, and arrays whose order means
/// nothing (`tags`, `allOf`) reversed too.
fn write_reordered(v: &serde_json::Value, out: &mut String, reverse_array: bool) {
    match v {
        serde_json::Value::Object(map) => {
            out.push('{');
            for (i, (k, x)) in map.iter().rev().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::from(k.as_str()).to_string());
                out.push(':');
                write_reordered(x, out, k == "tags" || k == "allOf");
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            let ordered: Vec<&serde_json::Value> = if reverse_array {
                items.iter().rev().collect()
            } else {
                items.iter().collect()
            };
            for (i, x) in ordered.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_reordered(x, out, false);
            }
            out.push(']');
        }
        leaf => out.push_str(&leaf.to_string()),
    }
}

/// The tenant's `$adHocSchema` answers (`fixtures/tiny_openapi3.adhoc/`) add typed custom
/// fields (top level, linked and detail entities, every kind, names that collide) and workflow
/// actions; what cannot be typed safely (hostile names, unknown kinds, an action the schema
/// declares, an entity the schema lacks) is a warning naming the place. The snapshot crate
/// compiles the result with `#![deny(warnings)]`.
#[test]
fn tiny_openapi3_adhoc() {
    // Only `Customer` and what it references: the other entities are the `tiny_openapi3`
    // snapshot's, unchanged.
    let (files, warnings) = common::generate_fixture_with_ad_hoc("tiny_openapi3", &["Customer"]);
    snapshot_files("tiny_openapi3_adhoc", &files, &warnings);
    for expected in [
        "Customer.json#/custom/CurrentCustomer/UsrBirthday: \"CustomDateOnlyField\" is not a custom field type",
        "Customer.json#/custom/CurrentCustomer/UsrMystery: \"CustomFooField\" is not a custom field type",
        "Customer.json#/custom/CurrentCustomer/Usr\"; fn evil() {} \": the field name",
        "Customer.json#/custom/Evil~1View: the view name \"Evil/View\" is not an identifier",
        "Customer.json#/custom/CurrentCustomer/UsrNoType: a custom field without a `type` string",
        "Customer.json#/_workflowActions/2/ChangeID: `ChangeID` is an action of the schema already",
        "Customer.json#/_workflowActions/3/Evil\"Action: the action name",
        "Customer.json#/_workflowActions/4/archive: `archive` is listed twice",
        "Nowhere.json: \"Nowhere\" is not a top-level entity",
    ] {
        assert!(
            warnings.contains(expected),
            "no warning {expected:?} in:\n{warnings}"
        );
    }
    let customer = file(&files, "entities/customer.rs");
    for expected in [
        "pub const USR_LOYALTY_TIER: ::acumatica_sdk::entity::CustomKey<",
        "CustomKey::new(\"CurrentCustomer\", \"UsrLoyaltyTier\")",
        "CustomKey::new(\"Document\", \"AttributeINDUSTRY\")",
        // Two views with a `UsrNote`: each gets its view in the name.
        "pub const CURRENT_CUSTOMER_USR_NOTE:",
        "pub const DOCUMENT_USR_NOTE:",
        // A custom `CustomerID` beside the contract's `customer_id` takes another name.
        "pub fn customer_id_2(",
        "CustomPath::at(&self.0, Customer::CUSTOMER_ID_2)",
        "pub struct CustomerChangeLoyaltyTierParameters",
    ] {
        assert!(
            customer.contains(expected),
            "{expected:?} not in:\n{customer}"
        );
    }
    assert!(!customer.contains("evil"), "{customer}");
    let service = file(&files, "services/customer.rs");
    for expected in [
        "pub async fn change_loyalty_tier(",
        "pub fn change_loyalty_tier_batch(",
        "pub async fn archive(",
        "pub fn archive_batch(",
    ] {
        assert!(
            service.contains(expected),
            "{expected:?} not in:\n{service}"
        );
    }
}

/// Empty `$adHocSchema` answers (a tenant without customizations) change nothing: the output is
/// byte for byte the schema's alone.
#[test]
fn empty_ad_hoc_answers_change_nothing() {
    let mut endpoint = read_fixture("tiny_openapi3");
    let mut ad_hoc = acumatica_codegen::load::ad_hoc::AdHoc::default();
    for entity in ["Customer", "Hostile", "Collisions"] {
        ad_hoc
            .read(
                &endpoint,
                entity,
                br#"{"custom":{},"_workflowActions":[]}"#,
                entity,
            )
            .unwrap();
    }
    assert!(ad_hoc.warnings.is_empty(), "{:?}", ad_hoc.warnings);
    ad_hoc.apply(&mut endpoint);
    let with = generate(&endpoint, &settings("tiny_openapi3")).unwrap();
    assert_eq!(with, generate_fixture("tiny_openapi3"));
}
