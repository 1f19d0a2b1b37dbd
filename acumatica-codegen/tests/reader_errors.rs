//! Malformed schemas: each error names the exact JSON pointer of the offending construct and
//! says what was expected; invalid JSON gives the line and column.

use acumatica_codegen::load::xml::read_endpoint_xml;
use acumatica_codegen::{Error, read_schema};
use serde_json::{Value, json};

/// A small valid OpenAPI 3 document: one top-level entity with a field and an action.
fn openapi3() -> Value {
    json!({
        "openapi": "3.0.1",
        "info": {"title": "Tiny/1.0", "version": "4"},
        "paths": {
            "/Customer": {"get": {}, "put": {}},
            "/Customer/Release": {"post": {"requestBody": {"content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Release"}}
            }}}}
        },
        "components": {"schemas": {
            "Entity": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}}},
            "StringValue": {"type": "object", "properties": {"value": {"type": "string"}}},
            "Customer": {"allOf": [
                {"$ref": "#/components/schemas/Entity"},
                {"type": "object", "properties": {
                    "CustomerID": {"$ref": "#/components/schemas/StringValue"},
                    "Lines": {"type": "array", "items": {"$ref": "#/components/schemas/Line"}}
                }}
            ]},
            "Line": {"allOf": [
                {"$ref": "#/components/schemas/Entity"},
                {"type": "object", "properties": {"Qty": {"$ref": "#/components/schemas/StringValue"}}}
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

/// The same endpoint in Swagger 2.0.
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

fn read(doc: &Value) -> Result<acumatica_codegen::ir::Endpoint, Error> {
    read_schema(&serde_json::to_vec(doc).unwrap(), "test.json")
}

/// The pointer and message of the schema error `doc` must give.
fn schema_error(doc: &Value) -> (String, String) {
    match read(doc) {
        Err(Error::Schema { pointer, message }) => (pointer, message),
        Err(other) => panic!("expected Error::Schema, got {other:?}"),
        Ok(_) => panic!("expected Error::Schema, the document was accepted"),
    }
}

#[track_caller]
fn assert_schema_error(doc: &Value, pointer: &str, message_part: &str) {
    let (p, m) = schema_error(doc);
    assert_eq!(p, pointer, "message: {m}");
    assert!(
        m.contains(message_part),
        "{m:?} does not say {message_part:?}"
    );
}

#[test]
fn the_base_documents_are_valid() {
    for doc in [openapi3(), swagger2()] {
        let ep = read(&doc).unwrap();
        assert_eq!(ep.top_level().count(), 1);
        assert!(ep.warnings.is_empty(), "{:?}", ep.warnings);
        let customer = ep.entity("Customer").unwrap();
        assert_eq!(customer.actions().count(), 1);
    }
}

#[test]
fn ref_to_a_missing_schema() {
    let mut doc = openapi3();
    doc["components"]["schemas"]["Customer"]["allOf"][1]["properties"]["Foo"] =
        json!({"$ref": "#/components/schemas/Missing"});
    assert_schema_error(
        &doc,
        "#/components/schemas/Customer/allOf/1/properties/Foo",
        "#/components/schemas/Missing, which the document does not define",
    );

    let mut doc = openapi3();
    doc["components"]["schemas"]["Line"] = json!(null);
    doc["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .remove("Line");
    assert_schema_error(
        &doc,
        "#/components/schemas/Customer/allOf/1/properties/Lines/items",
        "#/components/schemas/Line, which the document does not define",
    );

    // An entity extending a schema that is not there loses fields: an error, not silence.
    let mut doc = openapi3();
    doc["components"]["schemas"]["Customer"]["allOf"]
        .as_array_mut()
        .unwrap()
        .push(json!({"$ref": "#/components/schemas/BaseCustomer"}));
    assert_schema_error(
        &doc,
        "#/components/schemas/Customer/allOf/2",
        "#/components/schemas/BaseCustomer, which the document does not define",
    );

    // Swagger 2 names its own place.
    let mut doc = swagger2();
    doc["definitions"]["Line"]["allOf"][1]["properties"]["Qty"] =
        json!({"$ref": "#/definitions/DecimalValue2"});
    assert_schema_error(
        &doc,
        "#/definitions/Line/allOf/1/properties/Qty",
        "#/definitions/DecimalValue2, which the document does not define",
    );

    // A reference into the other format's place is not a reference to a named schema.
    let mut doc = openapi3();
    doc["components"]["schemas"]["Line"]["allOf"][1]["properties"]["Qty"] =
        json!({"$ref": "#/definitions/StringValue"});
    assert_schema_error(
        &doc,
        "#/components/schemas/Line/allOf/1/properties/Qty/$ref",
        "expected a reference to a named schema (#/components/schemas/...)",
    );

    // The action's invocation schema.
    let mut doc = openapi3();
    doc["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .remove("Release");
    assert_schema_error(
        &doc,
        "#/paths/~1Customer~1Release/post",
        "action Release refers to #/components/schemas/Release, which the document does not define",
    );
}

#[test]
fn all_of_that_is_not_an_array() {
    let mut doc = openapi3();
    doc["components"]["schemas"]["Customer"]["allOf"] =
        json!({"$ref": "#/components/schemas/Entity"});
    assert_schema_error(
        &doc,
        "#/components/schemas/Customer/allOf",
        "expected an array, found an object",
    );
}

#[test]
fn property_that_is_a_number() {
    let mut doc = openapi3();
    doc["components"]["schemas"]["Customer"]["allOf"][1]["properties"]["Foo"] = json!(42);
    assert_schema_error(
        &doc,
        "#/components/schemas/Customer/allOf/1/properties/Foo",
        "expected an object, found a number",
    );
    let mut doc = swagger2();
    doc["definitions"]["Release"]["properties"]["parameters"]["properties"]["Reason"] = json!(true);
    assert_schema_error(
        &doc,
        "#/definitions/Release/properties/parameters/properties/Reason",
        "expected an object, found a boolean",
    );
}

#[test]
fn action_without_a_body() {
    let mut doc = openapi3();
    doc["paths"]["/Customer/Release"]["post"] = json!({"summary": "no body"});
    assert_schema_error(
        &doc,
        "#/paths/~1Customer~1Release/post",
        "action Release has no JSON request body (expected {entity, parameters})",
    );
    let mut doc = swagger2();
    doc["paths"]["/Customer/Release"]["post"] =
        json!({"parameters": [{"in": "query", "name": "x"}]});
    assert_schema_error(
        &doc,
        "#/paths/~1Customer~1Release/post",
        "action Release has no JSON request body",
    );
    // A body that is not a reference to an invocation schema.
    let mut doc = openapi3();
    doc["paths"]["/Customer/Release"]["post"]["requestBody"]["content"]["application/json"]["schema"] =
        json!({"type": "object"});
    assert_schema_error(
        &doc,
        "#/paths/~1Customer~1Release/post/requestBody/content/application~1json/schema",
        "expected the action's body to be a `$ref` to its invocation schema",
    );
    // An invocation schema whose `entity` is not a reference.
    let mut doc = openapi3();
    doc["components"]["schemas"]["Release"]["properties"]["entity"] = json!({"type": "object"});
    assert_schema_error(
        &doc,
        "#/components/schemas/Release/properties/entity",
        "expected `entity` to be a `$ref` to the entity",
    );
}

#[test]
fn unsupported_format_versions() {
    let mut doc = openapi3();
    doc["openapi"] = json!("3.1.0");
    assert_schema_error(
        &doc,
        "#/openapi",
        "OpenAPI 3.1.0 is not supported: Acumatica serves 3.0.x (or Swagger 2.0)",
    );
    let mut doc = swagger2();
    doc["swagger"] = json!("1.2");
    assert_schema_error(&doc, "#/swagger", "expected swagger \"2.0\", found \"1.2\"");
    let mut doc = openapi3();
    doc["openapi"] = json!(3);
    assert_schema_error(&doc, "#/openapi", "expected a string, found a number");
    let mut doc = openapi3();
    doc.as_object_mut().unwrap().remove("openapi");
    assert_schema_error(&doc, "#", "neither member is present");
    assert_schema_error(&json!([1, 2]), "#", "expected an object, found an array");
}

#[test]
fn path_naming_an_entity_without_a_schema() {
    let mut doc = openapi3();
    doc["paths"]["/Ghost"] = json!({"get": {}});
    assert_schema_error(
        &doc,
        "#/paths/~1Ghost",
        "the path names entity \"Ghost\", but #/components/schemas/Ghost is not an entity schema",
    );
    // A schema that exists but is not an entity is no better.
    let mut doc = openapi3();
    doc["paths"]["/StringValue"] = json!({"get": {}});
    assert_schema_error(
        &doc,
        "#/paths/~1StringValue",
        "#/components/schemas/StringValue is not an entity schema",
    );
}

#[test]
fn other_misplaced_constructs() {
    let mut doc = openapi3();
    doc["info"]["title"] = json!("no version here");
    assert_schema_error(
        &doc,
        "#/info",
        "cannot tell the endpoint's name and version",
    );

    let mut doc = openapi3();
    doc["components"]["schemas"]["Customer"]["allOf"][1]["properties"]["Lines"] =
        json!({"type": "array"});
    assert_schema_error(
        &doc,
        "#/components/schemas/Customer/allOf/1/properties/Lines",
        "expected a member \"items\"",
    );

    let mut doc = openapi3();
    doc["components"]["schemas"]["Customer"]["allOf"][1]["properties"] = json!([]);
    assert_schema_error(
        &doc,
        "#/components/schemas/Customer/allOf/1/properties",
        "expected an object, found an array",
    );

    let mut doc = openapi3();
    doc["components"]["schemas"]["Customer"]["allOf"][0] =
        json!({"$ref": "#/components/schemas/Customer"});
    assert_schema_error(
        &doc,
        "#/components/schemas/Customer",
        "`allOf` of \"Customer\" refers back to itself",
    );

    let mut doc = openapi3();
    doc["tags"] = json!({"name": "Customer"});
    assert_schema_error(&doc, "#/tags", "expected an array, found an object");

    let mut doc = openapi3();
    doc["paths"] = json!("none");
    assert_schema_error(&doc, "#/paths", "expected an object, found a string");

    let mut doc = openapi3();
    doc["components"].as_object_mut().unwrap().remove("schemas");
    assert_schema_error(&doc, "#/components", "expected a member \"schemas\"");

    // Names with `/` and `~` are escaped in pointers as RFC 6901 says.
    let mut doc = openapi3();
    doc["components"]["schemas"]["Customer"]["allOf"][1]["properties"]["a/b~c"] = json!(1);
    assert_schema_error(
        &doc,
        "#/components/schemas/Customer/allOf/1/properties/a~1b~0c",
        "expected an object, found a number",
    );
}

#[test]
fn schema_errors_display_pointer_then_message() {
    let mut doc = openapi3();
    doc["openapi"] = json!("3.1.0");
    let err = read(&doc).unwrap_err();
    assert_eq!(
        err.to_string(),
        "#/openapi: OpenAPI 3.1.0 is not supported: Acumatica serves 3.0.x (or Swagger 2.0)"
    );
}

#[test]
fn invalid_json_gives_line_and_column() {
    let text = "{\n  \"openapi\": \"3.0.1\",\n  \"info\": {\"title\": \"T/1\",}\n}";
    match read_schema(text.as_bytes(), "broken.json") {
        Err(Error::Json {
            origin,
            line,
            column,
            message,
        }) => {
            assert_eq!(origin, "broken.json");
            // `  "info": {"title": "T/1",}`: the comma is column 26, the `}` serde_json
            // stops at is column 27.
            assert_eq!((line, column), (3, 27), "{message}");
            assert!(message.contains("trailing comma"), "{message}");
        }
        other => panic!("expected Error::Json, got {other:?}"),
    }
    match read_schema(b"", "empty.json") {
        Err(Error::Json { line, column, .. }) => assert_eq!((line, column), (1, 0)),
        other => panic!("expected Error::Json, got {other:?}"),
    }
    // A UTF-8 byte-order mark is not an error; bytes that are not UTF-8 are.
    let with_bom = [
        b"\xEF\xBB\xBF".as_slice(),
        &serde_json::to_vec(&openapi3()).unwrap(),
    ]
    .concat();
    assert!(read_schema(&with_bom, "bom.json").is_ok());
    let err = read_schema(b"{\"openapi\": \"\xFF\"}", "bad.json").unwrap_err();
    assert!(matches!(err, Error::Json { line: 1, .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("bad.json: not valid JSON at line 1, column"),
        "{err}"
    );
}

#[test]
fn endpoint_xml_errors() {
    let err = read_endpoint_xml(b"<Endpoint name=\"A\"><TopLevelEntity></Endpoint>", "e.xml")
        .unwrap_err();
    assert!(matches!(err, Error::Xml { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("e.xml: endpoint XML: "),
        "{err}"
    );
    let err = read_endpoint_xml(b"<Other/>", "e.xml").unwrap_err();
    assert_eq!(
        err.to_string(),
        "e.xml: endpoint XML: expected the root element <Endpoint>, found <Other>"
    );
    let err = read_endpoint_xml(b"<Endpoint><TopLevelEntity/></Endpoint>", "e.xml").unwrap_err();
    assert!(err.to_string().contains("has no name attribute"), "{err}");
    assert!(read_endpoint_xml(b"\xFF", "e.xml").is_err());
}
