//! Reads every published schema committed in `schemas/` (unmodified copies of what Acumatica
//! publishes) and checks the model against facts counted independently in the documents.

use std::path::{Path, PathBuf};

use acumatica_codegen::ir::{FieldKind, KeySource, Operation, SchemaFormat, ValueKind};
use acumatica_codegen::{load::xml, read_schema_file};

fn shared(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../schemas")
        .join(name)
}

#[test]
fn default_24_reads_completely() {
    let ep = read_schema_file(&shared("Default_24.200.001.json")).unwrap();
    assert_eq!(
        (ep.name.as_str(), ep.version.as_str()),
        ("Default", "24.200.001")
    );
    assert_eq!(ep.format, SchemaFormat::OpenApi3);
    assert_eq!(ep.top_level().count(), 119);
    // 434 allOf schemas, of which 10 are Custom*Field: 424 entities.
    assert_eq!(ep.entities.len(), 424);
    let actions: usize = ep.top_level().map(|e| e.actions().count()).sum();
    assert_eq!(actions, 163);
    for e in ep.top_level() {
        let top = e.top_level.as_ref().unwrap();
        assert_eq!(top.operations.len(), Operation::ALL.len(), "{}", e.name);
        assert!(top.custom_actions, "{}", e.name);
    }
    let fields: usize = ep.entities.values().map(|e| e.fields.len()).sum();
    let details = ep
        .entities
        .values()
        .flat_map(|e| e.fields.values())
        .filter(|f| matches!(f.kind, FieldKind::Detail(_)))
        .count();
    let linked = ep
        .entities
        .values()
        .flat_map(|e| e.fields.values())
        .filter(|f| matches!(f.kind, FieldKind::Linked(_)))
        .count();
    // The README counts 272 arrays of entities; one of them is `Entity.files` (system).
    assert_eq!(details, 271);
    assert!(fields > 5_000, "{fields} fields");
    assert!(linked > 100, "{linked} linked");
    assert!(ep.warnings.is_empty(), "{:#?}", ep.warnings);

    let customer = ep.entity("Customer").unwrap();
    assert_eq!(customer.screen_id.as_deref(), Some("AR303000"));
    assert_eq!(
        customer.fields["CreditLimit"].kind,
        FieldKind::Value(ValueKind::Decimal)
    );
    assert_eq!(
        customer.fields["MainContact"].kind,
        FieldKind::Linked("Contact".into())
    );
    assert_eq!(
        customer.fields["Contacts"].kind,
        FieldKind::Detail("CustomerContact".into())
    );
    assert_eq!(
        customer.fields["LeadTimedays"].kind,
        FieldKind::Value(ValueKind::Short)
    );
    assert_eq!(
        customer.fields["MainContact"].pointer,
        "#/components/schemas/Customer/allOf/1/properties/MainContact"
    );
    let keys = customer.keys().unwrap();
    assert_eq!(
        (keys.fields.as_slice(), keys.source),
        (&["CustomerID".to_owned()][..], KeySource::Documented)
    );
    let so = ep.entity("SalesOrder").unwrap();
    assert_eq!(so.keys().unwrap().fields, ["OrderType", "OrderNbr"]);

    let bill = ep.entity("Bill").unwrap();
    let retainage = &bill.top_level.as_ref().unwrap().actions["ReleaseRetainage"];
    assert_eq!(
        retainage.parameters["AmtToRelease"].kind,
        FieldKind::Value(ValueKind::Decimal)
    );
    // Named actions declare only their typed parameters; custom ones go through CustomAction.
    assert!(!retainage.custom_parameters);
}

#[test]
fn swagger_2_reads_like_openapi_3() {
    let ep = read_schema_file(&shared("Default_23.200.001.json")).unwrap();
    assert_eq!(ep.format, SchemaFormat::Swagger2);
    assert_eq!(
        (ep.name.as_str(), ep.version.as_str()),
        ("Default", "23.200.001")
    );
    assert_eq!(ep.top_level().count(), 117);
    assert_eq!(ep.entities.len(), 416);
    assert!(ep.warnings.is_empty(), "{:#?}", ep.warnings);
    let so = ep.entity("SalesOrder").unwrap();
    assert_eq!(
        so.fields["Details"].kind,
        FieldKind::Detail("SalesOrderDetail".into())
    );
    assert_eq!(
        so.fields["Details"].pointer,
        "#/definitions/SalesOrder/allOf/1/properties/Details"
    );
}

#[test]
fn manufacturing_and_device_hub_read() {
    let mfg = read_schema_file(&shared("Manufacturing_24.200.001.json")).unwrap();
    assert_eq!(
        (mfg.name.as_str(), mfg.top_level().count()),
        ("MANUFACTURING", 53)
    );
    assert!(mfg.warnings.is_empty(), "{:#?}", mfg.warnings);
    let hub = read_schema_file(&shared("DeviceHub_23.200.001.json")).unwrap();
    assert_eq!(
        (hub.name.as_str(), hub.top_level().count()),
        ("DeviceHub", 4)
    );
    let jobs = hub.entity("PrintJobs").unwrap();
    assert_eq!(
        jobs.fields["Jobs"].kind,
        FieldKind::Detail("PrintJob".into())
    );
}

#[test]
fn endpoint_xml_adds_mappings() {
    let mut ep = read_schema_file(&shared("Default_24.200.001.json")).unwrap();
    let x = xml::read_endpoint_xml_file(&shared("Default_24.200.001.endpoint.xml")).unwrap();
    assert_eq!(x.entities.len(), 119);
    let warnings = x.apply(&mut ep);
    assert!(warnings.is_empty(), "{warnings:#?}");
    let customer = ep.entity("Customer").unwrap();
    let m = customer.fields["AccountRef"].mapping.as_ref().unwrap();
    assert_eq!(
        (m.view.as_str(), m.field.as_str()),
        ("CurrentCustomer", "AcctReferenceNbr")
    );
    let bill = ep.entity("Bill").unwrap();
    let p =
        &bill.top_level.as_ref().unwrap().actions["ReleaseRetainage"].parameters["AmtToRelease"];
    assert_eq!(p.mapping.as_ref().unwrap().view, "ReleaseRetainageFilter");
}
