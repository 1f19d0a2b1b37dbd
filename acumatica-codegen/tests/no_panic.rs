//! No input makes the reader or the emitter panic: random mutations of small valid documents
//! (values replaced by random JSON, members renamed to hostile names, removed or added) either
//! read and generate, or fail with an error. When they generate, every file parses as Rust and
//! carries nothing that needs escaping.

mod common;

use std::time::{Duration, Instant};

use acumatica_codegen::{Error, generate, read_schema};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Value, json};

/// A small valid document covering what the reader looks at: value wrappers, an entity with a
/// linked entity, a detail collection and a cycle, paths of every shape, an action with
/// parameters, tags.
fn openapi3() -> Value {
    json!({
        "openapi": "3.0.1",
        "info": {"title": "Tiny/1.0", "version": "4"},
        "tags": [{"name": "Customer", "description": "Customers (AR303000)"}],
        "paths": {
            "/Customer": {"get": {}, "put": {}},
            "/Customer/{id}": {"get": {}, "delete": {}},
            "/Customer/{ids}": {"get": {}, "delete": {}},
            "/Customer/{ids}/files/{filename}": {"put": {}},
            "/Customer/$adHocSchema": {"get": {}},
            "/Customer/{actionName}": {"post": {}},
            "/Customer/Release": {"post": {"requestBody": {"content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Release"}}
            }}}}
        },
        "components": {"schemas": {
            "Entity": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}}},
            "StringValue": {"type": "object", "properties": {"value": {"type": "string"}}},
            "DecimalValue": {"type": "object", "properties": {"value": {"type": "number", "format": "double"}}},
            "FooValue": {"type": "object", "properties": {"value": {"type": "object"}}},
            "Customer": {"allOf": [
                {"$ref": "#/components/schemas/Entity"},
                {"type": "object", "properties": {
                    "CustomerID": {"$ref": "#/components/schemas/StringValue"},
                    "Type": {"$ref": "#/components/schemas/DecimalValue"},
                    "Foo": {"$ref": "#/components/schemas/FooValue"},
                    "Main": {"$ref": "#/components/schemas/Contact"},
                    "Lines": {"type": "array", "items": {"$ref": "#/components/schemas/Line"}}
                }}
            ]},
            "Contact": {"allOf": [
                {"$ref": "#/components/schemas/Entity"},
                {"type": "object", "properties": {
                    "Email": {"$ref": "#/components/schemas/StringValue"},
                    "Owner": {"$ref": "#/components/schemas/Customer"}
                }}
            ]},
            "Line": {"allOf": [
                {"$ref": "#/components/schemas/Entity"},
                {"type": "object", "properties": {"Qty": {"$ref": "#/components/schemas/DecimalValue"}}}
            ]},
            "Release": {"type": "object", "properties": {
                "entity": {"$ref": "#/components/schemas/Customer"},
                "parameters": {"type": "object", "properties": {
                    "Reason": {"$ref": "#/components/schemas/StringValue"}
                }}
            }}
        }}
    })
}

/// The same document in Swagger 2.0.
fn swagger2() -> Value {
    let text = openapi3()
        .to_string()
        .replace("#/components/schemas/", "#/definitions/");
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    let map = doc.as_object_mut().unwrap();
    map.remove("openapi");
    map.insert("swagger".into(), json!("2.0"));
    let schemas = map.remove("components").unwrap()["schemas"].take();
    map.insert("definitions".into(), schemas);
    doc["paths"]["/Customer/Release"]["post"] = json!({"parameters": [
        {"in": "body", "name": "invocation", "schema": {"$ref": "#/definitions/Release"}}
    ]});
    doc
}

/// Names that have broken generators: keywords, digits first, separators, quotes, Unicode,
/// direction controls, the reader's own vocabulary.
const HOSTILE: &[&str] = &[
    "",
    "Type",
    "self",
    "Self",
    "meta",
    "2Update",
    "a b",
    "a::b",
    "a\"; fn evil() {} \"",
    "it's",
    "back\\slash",
    "*/",
    "#[x]",
    "Größe",
    "🦀",
    "\u{202e}rtl",
    "line\nbreak",
    "cr\rlf",
    "```",
    "    code",
    "a/b",
    "~0~1",
    "{id}",
    "$adHocSchema",
    "Entity",
    "StringValue",
    "FooValue",
    "Customer",
    "Line",
    "allOf",
    "$ref",
    "A",
    "XFields",
    "Option",
    "get_list",
];

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(HOSTILE).prop_map(str::to_owned),
        1 => "\\PC{0,8}",
        1 => "[A-Za-z0-9 _]{0,10}",
    ]
}

/// Random JSON, biased toward what schemas are made of.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        name().prop_map(Value::String),
        name().prop_map(|n| json!({"$ref": format!("#/components/schemas/{n}")})),
        name().prop_map(|n| json!({"$ref": format!("#/definitions/{n}")})),
        name().prop_map(
            |n| json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{n}")}})
        ),
        Just(json!({"$ref": "#/components/schemas/Customer"})),
        Just(json!({"$ref": "#/components/schemas/StringValue"})),
        Just(json!({"type": "string", "format": "date"})),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(name(), inner.clone(), 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
            inner
                .prop_map(|part| json!({"allOf": [{"$ref": "#/components/schemas/Entity"}, part]})),
        ]
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the value at a place with another.
    Replace(Index, Value),
    /// Give an object member another name.
    Rename(Index, String),
    /// Remove a member or an element.
    Remove(Index),
    /// Add a member to an object (or an element to an array).
    Insert(Index, String, Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), json_value()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        (any::<Index>(), name()).prop_map(|(i, n)| Mutation::Rename(i, n)),
        any::<Index>().prop_map(Mutation::Remove),
        (any::<Index>(), name(), json_value()).prop_map(|(i, n, v)| Mutation::Insert(i, n, v)),
    ]
}

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Item(usize),
}

/// Every place in `v`, as the steps that lead there (the root is the empty path).
fn places(v: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(here.clone());
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                here.push(Step::Key(k.clone()));
                places(x, here, out);
                here.pop();
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                here.push(Step::Item(i));
                places(x, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn at<'v>(v: &'v mut Value, path: &[Step]) -> &'v mut Value {
    path.iter().fold(v, |v, step| match step {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Item(i) => &mut v[*i],
    })
}

fn apply(doc: &mut Value, m: &Mutation) {
    let mut all = Vec::new();
    places(doc, &mut Vec::new(), &mut all);
    let pick = |i: &Index| all[i.index(all.len())].clone();
    match m {
        Mutation::Replace(i, value) => *at(doc, &pick(i)) = value.clone(),
        Mutation::Rename(i, new) => {
            let path = pick(i);
            if let Some((Step::Key(old), parent)) = path.split_last()
                && let Value::Object(map) = at(doc, parent)
                && let Some(v) = map.remove(old)
            {
                map.insert(new.clone(), v);
            }
        }
        Mutation::Remove(i) => {
            let path = pick(i);
            match path.split_last() {
                Some((Step::Key(k), parent)) => {
                    if let Value::Object(map) = at(doc, parent) {
                        map.remove(k);
                    }
                }
                Some((Step::Item(n), parent)) => {
                    if let Value::Array(items) = at(doc, parent) {
                        items.remove(*n);
                    }
                }
                None => {}
            }
        }
        Mutation::Insert(i, key, value) => match at(doc, &pick(i)) {
            Value::Object(map) => {
                map.insert(key.clone(), value.clone());
            }
            Value::Array(items) => items.push(value.clone()),
            _ => {}
        },
    }
}

/// Reads and generates; on success, checks every file. Panics (which proptest reports, with the
/// smallest input it can find) are the bug this test looks for.
fn read_and_generate(bytes: &[u8]) -> Result<usize, Error> {
    let endpoint = read_schema(bytes, "mutated.json")?;
    let files = generate(
        &endpoint,
        &acumatica_codegen::Settings::external("mutated.json"),
    )?;
    for f in &files {
        if let Err(e) = syn::parse_file(&f.contents) {
            panic!("{} does not parse: {e}\n{}", f.path.display(), f.contents);
        }
        let problems = common::text_problems(f);
        assert!(problems.is_empty(), "{problems:#?}");
    }
    Ok(files.len())
}

// 256 cases each (proptest's default; `PROPTEST_CASES=10000` for a longer hunt). A case that
// generates costs about 20 ms in a debug build, most of it re-parsing the files with syn.
proptest! {
    #[test]
    fn mutated_documents_never_panic(
        swagger in any::<bool>(),
        mutations in proptest::collection::vec(mutation(), 1..5),
    ) {
        let mut doc = if swagger { swagger2() } else { openapi3() };
        for m in &mutations {
            apply(&mut doc, m);
        }
        let _ = read_and_generate(&serde_json::to_vec(&doc).unwrap());
    }

    /// Truncated or corrupted text is a JSON error with a position, never a panic.
    #[test]
    fn corrupted_text_never_panics(cut in any::<Index>(), byte in any::<u8>(), at_byte in any::<Index>()) {
        let mut bytes = serde_json::to_vec_pretty(&openapi3()).unwrap();
        let i = at_byte.index(bytes.len());
        bytes[i] = byte;
        bytes.truncate(cut.index(bytes.len() + 1));
        if let Err(Error::Json { line, .. }) = read_and_generate(&bytes) {
            prop_assert!(line >= 1);
        }
    }
}

#[test]
fn the_base_documents_generate() {
    for doc in [openapi3(), swagger2()] {
        let files = read_and_generate(&serde_json::to_vec(&doc).unwrap()).unwrap();
        assert!(files > 5, "{files} files");
    }
}

/// `allOf` chains are read recursively: thousands of schemas extending each other are an error
/// naming where the limit was hit, not a stack overflow that aborts the process.
#[test]
fn deep_all_of_chains_are_an_error() {
    let n = 5_000;
    let mut schemas = Map::new();
    schemas.insert("Entity".into(), json!({"type": "object"}));
    for i in 0..n {
        let next = if i + 1 < n {
            format!("#/components/schemas/E{:05}", i + 1)
        } else {
            "#/components/schemas/Entity".to_owned()
        };
        schemas.insert(
            format!("E{i:05}"),
            json!({"allOf": [{"$ref": next}, {"type": "object"}]}),
        );
    }
    let doc = json!({
        "openapi": "3.0.1", "info": {"title": "Deep/1", "version": "4"}, "paths": {},
        "components": {"schemas": schemas}
    });
    match read_schema(&serde_json::to_vec(&doc).unwrap(), "deep.json") {
        Err(Error::Schema { pointer, message }) => {
            assert_eq!(pointer, "#/components/schemas/E00064");
            assert_eq!(message, "`allOf` extends schemas more than 64 levels deep");
        }
        Err(other) => panic!("expected a schema error, got {other}"),
        Ok(_) => panic!("a 5,000-schema chain was accepted"),
    }
}

/// Schemas that each extend the next one twice: read naively that is 2^40 visits; each schema
/// must be classified once.
#[test]
fn shared_all_of_parts_are_read_once() {
    let depth = 40;
    let mut schemas = Map::new();
    schemas.insert("Entity".into(), json!({"type": "object"}));
    for i in 0..depth {
        let next = json!({"$ref": format!("#/components/schemas/D{:02}", i + 1)});
        schemas.insert(format!("D{i:02}"), json!({"allOf": [next.clone(), next]}));
    }
    schemas.insert(
        format!("D{depth:02}"),
        json!({"type": "object", "properties": {}}),
    );
    let doc = json!({
        "openapi": "3.0.1", "info": {"title": "Wide/1", "version": "4"}, "paths": {},
        "components": {"schemas": schemas}
    });
    let started = Instant::now();
    let ep = read_schema(&serde_json::to_vec(&doc).unwrap(), "wide.json").unwrap();
    assert!(ep.entities.is_empty());
    // One "not an entity" warning per schema, not one per visit (and one for the empty `paths`).
    let per_schema = ep
        .warnings
        .iter()
        .filter(|w| w.pointer != "#/paths")
        .count();
    assert_eq!(per_schema, depth + 1, "{:#?}", ep.warnings);
    assert!(started.elapsed() < Duration::from_secs(5));
}
