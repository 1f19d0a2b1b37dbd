//! Serde round trips of the generated Default endpoint's types on payloads shaped like the
//! responses real tenants send (records, 422 bodies and wire formats as Acumatica's Integration
//! Development Guide and captured fixtures of other clients show them): decode → encode gives back the input, exactly (numbers are compared as text, so a
//! decimal that went through `f64` or lost its scale fails), and typed access sees the values.

use std::collections::BTreeMap;

use acumatica_sdk::default::{Bill, Customer, SalesOrder, SalesOrderDetail};
use acumatica_sdk::types::{DateTime, Decimal, Uuid};
use acumatica_sdk::{CustomField, Entity, EntityMeta, Value};
use rust_decimal_macros::dec;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

// ---------------------------------------------------------------------------------------------
// Exact JSON comparison

/// A JSON document compared exactly: member order does not matter, duplicate members are an
/// error, and numbers are kept as the text they were written with (`5.0000` ≠ `5`,
/// `12345678901234.5678` ≠ `12345678901234.568`), which parsing into `serde_json::Value` would
/// hide.
#[derive(Debug, PartialEq)]
enum Exact {
    Object(BTreeMap<String, Exact>),
    Array(Vec<Exact>),
    String(String),
    /// A number, `true`, `false` or `null`, as written.
    Literal(String),
}

/// An object's members in document order, keeping duplicates.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
                    out.push((k, v));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V)
    }
}

struct Items<'a>(Vec<&'a RawValue>);

impl<'de: 'a, 'a> Deserialize<'de> for Items<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Items<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<&'de RawValue>()? {
                    out.push(v);
                }
                Ok(Items(out))
            }
        }
        d.deserialize_seq(V)
    }
}

fn exact(text: &str) -> Exact {
    let raw: &RawValue = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    from_raw(raw)
}

fn from_raw(raw: &RawValue) -> Exact {
    let text = raw.get().trim();
    match text.as_bytes().first() {
        Some(b'{') => {
            let Members(members) = serde_json::from_str(text).unwrap();
            let mut out = BTreeMap::new();
            for (k, v) in members {
                let dup = out.insert(k.clone(), from_raw(v));
                assert!(dup.is_none(), "member {k:?} written twice in {text}");
            }
            Exact::Object(out)
        }
        Some(b'[') => {
            let Items(items) = serde_json::from_str(text).unwrap();
            Exact::Array(items.into_iter().map(from_raw).collect())
        }
        Some(b'"') => Exact::String(serde_json::from_str(text).unwrap()),
        _ => Exact::Literal(text.to_owned()),
    }
}

/// Decodes `json` as `E`, encodes it again, and checks the result is the same document.
#[track_caller]
fn round_trip<E: Entity>(json: &str) -> E {
    let entity: E = serde_json::from_str(json).unwrap_or_else(|e| panic!("decoding: {e}"));
    let encoded = serde_json::to_string(&entity).unwrap();
    assert_eq!(exact(&encoded), exact(json), "re-encoded:\n{encoded}");
    entity
}

#[test]
fn the_comparison_is_exact() {
    assert_ne!(exact(r#"{"a":5.0000}"#), exact(r#"{"a":5}"#));
    assert_ne!(
        exact(r#"{"a":12345678901234.5678}"#),
        exact(r#"{"a":12345678901234.568}"#)
    );
    assert_eq!(
        exact(r#"{"a":1,"b":[true,null]}"#),
        exact(r#"{ "b": [true, null], "a": 1 }"#)
    );
    assert_ne!(exact(r#"{"a":{}}"#), exact(r#"{"a":{"value":null}}"#));
    let dup = std::panic::catch_unwind(|| exact(r#"{"a":1,"a":1}"#));
    assert!(dup.is_err(), "duplicate members must not compare equal");
}

// ---------------------------------------------------------------------------------------------
// Customer: linked and detail entities, custom fields, note, files, _links, {} and unknowns

const CUSTOMER_ID: &str = "a0f8594a-7de2-e811-b816-00155d408001";

fn customer_json() -> String {
    r#"{
  "id": "a0f8594a-7de2-e811-b816-00155d408001",
  "rowNumber": 1,
  "note": {"value": "Key account; call before shipping."},
  "AccountRef": {},
  "CreatedDateTime": {"value": "2014-10-25T00:31:17.56+00:00"},
  "CreditLimit": {"value": 12345678901234.5678},
  "CustomerClass": {"value": "DEFAULT"},
  "CustomerID": {"value": "ABARTENDE"},
  "CustomerName": {"value": "USA Bartending School", "Translations": {"fr": "École de barmans"}},
  "Email": {"value": "barkeep@example.com"},
  "LastModifiedDateTime": {"value": "2021-02-08T15:46:23.611591+00:00"},
  "LeadTimedays": {"value": 3},
  "NoteID": {"value": "b3a6c2d4-1f2e-4c3d-9e8f-0a1b2c3d4e5f"},
  "ParentRecord": {"value": null},
  "Status": {"value": "Active"},
  "MainContact": {
    "id": "b1f8594a-7de2-e811-b816-00155d408001",
    "rowNumber": 1,
    "note": null,
    "Address": {
      "id": "c2f8594a-7de2-e811-b816-00155d408001",
      "rowNumber": 1,
      "note": null,
      "AddressLine1": {"value": "201 Lower Notch Rd"},
      "AddressLine2": {},
      "City": {"value": "Little Falls"},
      "Country": {"value": "US"},
      "PostalCode": {"value": "07424"},
      "State": {"value": "NJ"},
      "custom": {}
    },
    "DisplayName": {"value": "Mr. Jack Sweeney"},
    "Email": {"value": "jack@example.com"},
    "custom": {}
  },
  "Contacts": [
    {
      "id": "d3f8594a-7de2-e811-b816-00155d408001",
      "rowNumber": 1,
      "note": {"value": ""},
      "Contact": {
        "id": "e4f8594a-7de2-e811-b816-00155d408001",
        "rowNumber": 1,
        "note": null,
        "DisplayName": {"value": "Ms. Anna Lee"},
        "Phone1": {"value": "+1 (555) 010-0001"},
        "custom": {}
      },
      "ContactID": {"value": 100},
      "LastModifiedDateTime": {"value": "2023-12-03T14:59:30.693+03:00"},
      "custom": {},
      "_links": {"files:put": "/23r211/entity/Default/24.200.001/files/PX.Objects.AR.CustomerMaint/Contacts/d3f8594a-7de2-e811-b816-00155d408001/{filename}"}
    },
    {
      "id": "f5f8594a-7de2-e811-b816-00155d408001",
      "rowNumber": 2,
      "note": {"value": ""},
      "ContactID": {"value": 101},
      "LastModifiedDateTime": {},
      "custom": {}
    }
  ],
  "custom": {
    "CurrentCustomer": {
      "UsrLoyaltyTier": {"type": "CustomStringField", "value": "Gold"},
      "UsrDiscountRate": {"type": "CustomDecimalField", "value": 5.0000},
      "UsrVip": {"type": "CustomBooleanField", "value": true},
      "UsrSince": {"type": "CustomDateTimeField", "value": "2013-07-07T00:00:00+00:00"},
      "UsrVisits": {"type": "CustomIntField", "value": 42},
      "UsrRegion": {"type": "CustomShortField", "value": -7},
      "UsrFlags": {"type": "CustomByteField", "value": 255},
      "UsrScore": {"type": "CustomDoubleField", "value": 0.5},
      "UsrExternalID": {"type": "CustomGuidField", "value": "0c6c3a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"},
      "UsrEmpty": {"type": "CustomStringField"},
      "UsrBad": {"type": "CustomStringField", "value": "x", "error": "Too long."}
    },
    "DefContact": {
      "UsrTicket": {"type": "CustomLongField", "value": 9007199254740993},
      "UsrBirthday": {"type": "CustomDateOnlyField", "value": "1990-05-17"}
    }
  },
  "files": [
    {
      "id": "9be45eb7-f97d-400b-96a5-1c4cf82faa96",
      "filename": "Customers (ABARTENDE)\\logo.png",
      "href": "/23r211/(W(3))/Frames/GetFile.ashx?fileID=9be45eb7-f97d-400b-96a5-1c4cf82faa96"
    }
  ],
  "_links": {
    "self": "/23r211/entity/Default/24.200.001/Customer/a0f8594a-7de2-e811-b816-00155d408001",
    "files:put": "/23r211/entity/Default/24.200.001/files/PX.Objects.AR.CustomerMaint/BAccount/a0f8594a-7de2-e811-b816-00155d408001/{filename}"
  },
  "UsrUnknownField": {"value": 1.10},
  "SomethingNew": [1, 2.50, "three", {"four": null}]
}"#
    .to_owned()
}

#[test]
fn customer_round_trips_exactly() {
    round_trip::<Customer>(&customer_json());
}

#[test]
fn customer_typed_access() {
    let c: Customer = serde_json::from_str(&customer_json()).unwrap();

    assert_eq!(c.meta.id, Some(CUSTOMER_ID.parse::<Uuid>().unwrap()));
    assert_eq!(c.meta.row_number, Some(1));
    assert_eq!(c.meta.note, "Key account; call before shipping.");
    assert_eq!(c.customer_id, "ABARTENDE");
    assert_eq!(c.customer_name, "USA Bartending School");
    assert_eq!(c.customer_name.other_members().count(), 1);
    let limit: &Decimal = c.credit_limit.get().unwrap();
    assert_eq!(
        (limit.to_string().as_str(), limit.scale()),
        ("12345678901234.5678", 4)
    );
    assert_eq!(c.lead_timedays, 3i16);
    assert_eq!(
        c.note_id.get().unwrap().to_string(),
        "b3a6c2d4-1f2e-4c3d-9e8f-0a1b2c3d4e5f"
    );
    // `{}` is "no value" (not absent, not an error); `{"value": null}` is a null; a field that
    // was not sent is absent.
    assert!(c.account_ref.is_empty() && !c.account_ref.is_absent());
    assert_eq!(c.account_ref.get(), None);
    assert_eq!(c.account_ref.error(), None);
    assert!(c.parent_record.is_empty() && !c.parent_record.is_absent());
    assert!(c.currency_id.is_absent());
    let created = c.created_date_time.get().unwrap();
    assert_eq!(created.offset().map(|o| o.local_minus_utc()), Some(0));
    assert_eq!(
        created.naive_local().and_utc().timestamp_subsec_millis(),
        560
    );

    // Linked entities nest; a linked entity's `note` is a bare null.
    let main = c.main_contact.as_ref().unwrap();
    assert!(main.meta.note.is_empty());
    assert_eq!(main.display_name, "Mr. Jack Sweeney");
    let address = main.address.as_ref().unwrap();
    assert_eq!(
        (
            address.city.get().unwrap().as_str(),
            address.postal_code.get().unwrap().as_str()
        ),
        ("Little Falls", "07424")
    );
    assert!(address.address_line2.is_empty());

    // Detail lines.
    let contacts = c.contacts.as_ref().unwrap();
    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[0].contact_id, 100);
    assert_eq!(contacts[0].meta.row_number, Some(1));
    assert_eq!(
        contacts[0].contact.as_ref().unwrap().phone1,
        "+1 (555) 010-0001"
    );
    let links = contacts[0].meta.links.as_ref().unwrap();
    assert!(links.self_link.is_none());
    assert!(links.files_put.as_deref().unwrap().ends_with("/{filename}"));
    assert_eq!(contacts[1].contact_id, 101);
    assert!(contacts[1].contact.is_none());
    assert!(contacts[1].last_modified_date_time.is_empty());

    // Custom fields, typed by their discriminator.
    let custom = |view: &str, field: &str| c.meta.custom_field(view, field).unwrap();
    match custom("CurrentCustomer", "UsrDiscountRate") {
        CustomField::Decimal(v) => {
            assert_eq!(v.get().unwrap().to_string(), "5.0000");
            assert_eq!(v.get().unwrap().scale(), 4);
        }
        other => panic!("not a decimal: {other:?}"),
    }
    assert!(
        matches!(custom("CurrentCustomer", "UsrLoyaltyTier"), CustomField::String(v) if *v == "Gold")
    );
    assert!(
        matches!(custom("CurrentCustomer", "UsrVip"), CustomField::Boolean(v) if *v.get().unwrap())
    );
    assert!(matches!(custom("CurrentCustomer", "UsrVisits"), CustomField::Int(v) if *v == 42));
    assert!(matches!(custom("CurrentCustomer", "UsrRegion"), CustomField::Short(v) if *v == -7));
    assert!(matches!(custom("CurrentCustomer", "UsrFlags"), CustomField::Byte(v) if *v == 255));
    assert!(matches!(custom("CurrentCustomer", "UsrScore"), CustomField::Double(v) if *v == 0.5));
    assert!(
        matches!(custom("CurrentCustomer", "UsrExternalID"), CustomField::Guid(v) if v.is_set())
    );
    assert!(
        matches!(custom("CurrentCustomer", "UsrEmpty"), CustomField::String(v) if v.is_empty())
    );
    assert!(
        matches!(custom("CurrentCustomer", "UsrBad"), CustomField::String(v) if v.error() == Some("Too long."))
    );
    match custom("CurrentCustomer", "UsrSince") {
        CustomField::DateTime(v) => {
            assert_eq!(v.get().unwrap().to_string(), "2013-07-07T00:00:00+00:00")
        }
        other => panic!("not a date: {other:?}"),
    }
    assert!(
        matches!(custom("DefContact", "UsrTicket"), CustomField::Long(v) if *v == 9_007_199_254_740_993)
    );
    // A kind this SDK does not know is kept verbatim.
    let birthday = custom("DefContact", "UsrBirthday");
    assert_eq!(birthday.type_name(), "CustomDateOnlyField");
    assert!(matches!(birthday, CustomField::Other { .. }));

    // Files and links.
    let files = c.meta.files.as_ref().unwrap();
    assert_eq!(files[0].name(), "logo.png");
    let links = c.meta.links.as_ref().unwrap();
    assert!(links.self_link.as_deref().unwrap().ends_with(CUSTOMER_ID));

    // Properties the schema does not describe are kept, verbatim.
    assert_eq!(c.meta.extra["UsrUnknownField"].get(), r#"{"value": 1.10}"#);
    assert_eq!(
        c.meta.extra["SomethingNew"].get(),
        r#"[1, 2.50, "three", {"four": null}]"#
    );
}

/// Read, change one field, write back: everything else, down to the decimal scales, the custom
/// fields and the unknown properties, goes back as it came.
#[test]
fn read_modify_write_loses_nothing() {
    let mut c: Customer = serde_json::from_str(&customer_json()).unwrap();
    c.credit_limit.set(dec!(2500.00));
    let written = serde_json::to_string(&c).unwrap();
    let expected = customer_json().replace(
        r#""CreditLimit": {"value": 12345678901234.5678}"#,
        r#""CreditLimit": {"value": 2500.00}"#,
    );
    assert_ne!(expected, customer_json());
    assert_eq!(exact(&written), exact(&expected));
}

// ---------------------------------------------------------------------------------------------
// SalesOrder: detail lines, one deleted

fn sales_order_json() -> &'static str {
    r#"{
  "id": "286f2af0-21f5-eb11-9df1-9828a61840c3",
  "rowNumber": 1,
  "note": {"value": ""},
  "CurrencyRate": {"value": 1.00000000},
  "CustomerID": {"value": "ABARTENDE"},
  "Date": {"value": "2024-02-01T00:00:00"},
  "Description": {},
  "Hold": {"value": false},
  "OrderNbr": {"value": "SO005207"},
  "OrderTotal": {"value": 704.550000},
  "OrderType": {"value": "SO"},
  "RequestedOn": {"value": "2024-12-18T17:07:45.433+00:00"},
  "Details": [
    {
      "id": "3a6f2af0-21f5-eb11-9df1-9828a61840c3",
      "rowNumber": 1,
      "note": {"value": ""},
      "DiscountPercent": {"value": 0.000000},
      "InventoryID": {"value": "AALEGO500"},
      "LineNbr": {"value": 1},
      "OrderQty": {"value": 10.00},
      "RequestedOn": {"value": "2024-02-05T10:11:12.1234567-05:30"},
      "UnitPrice": {"value": 9999999999999.9999},
      "custom": {},
      "_links": {"files:put": "/23r211/entity/Default/24.200.001/files/PX.Objects.SO.SOOrderEntry/Transactions/3a6f2af0-21f5-eb11-9df1-9828a61840c3/{filename}"}
    },
    {
      "id": "4b6f2af0-21f5-eb11-9df1-9828a61840c3",
      "delete": true
    },
    {
      "InventoryID": {"value": "CONGRILL"},
      "OrderQty": {"value": 1},
      "UnitPrice": {"value": 70.4550}
    }
  ],
  "custom": {},
  "_links": {
    "self": "/23r211/entity/Default/24.200.001/SalesOrder/286f2af0-21f5-eb11-9df1-9828a61840c3",
    "files:put": "/23r211/entity/Default/24.200.001/files/PX.Objects.SO.SOOrderEntry/Document/286f2af0-21f5-eb11-9df1-9828a61840c3/{filename}"
  }
}"#
}

#[test]
fn sales_order_round_trips_exactly() {
    let so = round_trip::<SalesOrder>(sales_order_json());
    assert_eq!(
        (
            so.order_type.get().unwrap().as_str(),
            so.order_nbr.get().unwrap().as_str()
        ),
        ("SO", "SO005207")
    );
    assert_eq!(so.order_total.get().unwrap().to_string(), "704.550000");
    assert_eq!(so.currency_rate.get().unwrap().to_string(), "1.00000000");
    assert_eq!(so.hold.get(), Some(&false));
    assert!(so.description.is_empty());
    let date = so.date.get().unwrap();
    assert!(date.offset().is_none());
    assert_eq!(date.to_string(), "2024-02-01T00:00:00");

    let lines = so.details.as_ref().unwrap();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0].inventory_id, "AALEGO500");
    assert_eq!(lines[0].line_nbr, 1);
    assert_eq!(lines[0].order_qty.get().unwrap().to_string(), "10.00");
    assert_eq!(
        lines[0].unit_price.get().unwrap().to_string(),
        "9999999999999.9999"
    );
    assert_eq!(
        lines[0].discount_percent.get().unwrap().to_string(),
        "0.000000"
    );
    // The deleted line: only its ID and `delete`.
    assert_eq!(lines[1].meta.delete, Some(true));
    assert_eq!(
        lines[1].meta.id,
        Some("4b6f2af0-21f5-eb11-9df1-9828a61840c3".parse().unwrap())
    );
    assert!(lines[1].inventory_id.is_absent());
    // A new line has no ID.
    assert_eq!(lines[2].meta.id, None);
    assert_eq!(lines[2].unit_price.get().unwrap().to_string(), "70.4550");
}

// ---------------------------------------------------------------------------------------------
// 422: the record comes back with `error` members (§3.3)

/// The 422 body of Acumatica's own client tests (`RESTClientTests/ErrorMessagesTests.cs`), with
/// its elided IDs filled in.
fn bill_422_json() -> &'static str {
    r#"{"id":"b6410f3c-1c2b-4a5d-9e8f-7a6b5c4d3e2f","rowNumber":1,"error":"Inserting  'AP Transactions' record raised at least one error. Please review the errors.","Amount":{"value":201.73},"Details":[{"id":"b8410f3c-1c2b-4a5d-9e8f-7a6b5c4d3e2f","rowNumber":1,"note":{"value":""},"Amount":{"value":201.73},"InventoryID":{},"Project":{"value":"TES2323T","error":"Project 'TES2323T  ' cannot be found in the system."},"_links":{"files:put":"/23r211/entity/Default/20.200.001/files/PX.Objects.AP.APInvoiceEntry/Transactions/b8410f3c-1c2b-4a5d-9e8f-7a6b5c4d3e2f/{filename}"}}],"ReferenceNbr":{"value":"<NEW>"},"_links":{"self":"/23r211/entity/Default/20.200.001/Bill/b6410f3c-1c2b-4a5d-9e8f-7a6b5c4d3e2f","files:put":"/23r211/entity/Default/20.200.001/files/PX.Objects.AP.APInvoiceEntry/Document/b6410f3c-1c2b-4a5d-9e8f-7a6b5c4d3e2f/{filename}"}}"#
}

#[test]
fn validation_errors_are_readable_per_field() {
    let bill = round_trip::<Bill>(bill_422_json());
    assert_eq!(
        bill.meta.error.as_deref(),
        Some(
            "Inserting  'AP Transactions' record raised at least one error. Please review the errors."
        )
    );
    assert_eq!(bill.reference_nbr, "<NEW>");
    assert_eq!(bill.reference_nbr.error(), None);
    assert_eq!(bill.amount.get().unwrap().to_string(), "201.73");
    let line = &bill.details.as_ref().unwrap()[0];
    assert_eq!(line.project, "TES2323T");
    assert_eq!(
        line.project.error(),
        Some("Project 'TES2323T  ' cannot be found in the system.")
    );
    // An empty value is not an error.
    assert!(line.inventory_id.is_empty());
    assert_eq!(line.inventory_id.error(), None);
    assert_eq!(line.amount.error(), None);

    // The documented single-field shape, on a top-level field.
    let so = round_trip::<SalesOrder>(
        r#"{"CustomerID":{"value":"ABARTENDE1","error":"'Customer' cannot be found in the system."},"OrderType":{"value":"SO"}}"#,
    );
    assert_eq!(so.customer_id, "ABARTENDE1");
    assert_eq!(
        so.customer_id.error(),
        Some("'Customer' cannot be found in the system.")
    );
    assert_eq!(so.order_type.error(), None);
}

// ---------------------------------------------------------------------------------------------
// Wire formats (§8)

#[test]
fn decimals_keep_their_text_and_scale() {
    for text in [
        "12345678901234.5678",
        "9999999999999.9999",
        "5.0000",
        "0.000000",
        "704.550000",
        "201.73",
        "-0.01",
        "0",
        "79228162514264337593543950335",
    ] {
        let json = format!(r#"{{"UnitPrice":{{"value":{text}}}}}"#);
        let line = round_trip::<SalesOrderDetail>(&json);
        let value = line.unit_price.get().unwrap();
        assert_eq!(value.to_string(), text);
        let scale = text.split_once('.').map_or(0, |(_, f)| f.len() as u32);
        assert_eq!(value.scale(), scale, "{text}");
        assert_eq!(serde_json::to_string(&line).unwrap(), json);
    }
    // Some clients send decimals as strings; they are read exactly, and written as numbers.
    let line: SalesOrderDetail =
        serde_json::from_str(r#"{"UnitPrice":{"value":"1222.80"}}"#).unwrap();
    assert_eq!(line.unit_price.get().unwrap().to_string(), "1222.80");
    assert_eq!(
        serde_json::to_string(&line).unwrap(),
        r#"{"UnitPrice":{"value":1222.80}}"#
    );
}

#[test]
fn datetimes_in_every_acumatica_form() {
    // (text, date and time as written, fraction in nanoseconds, offset in seconds)
    let cases: [(&str, &str, u32, Option<i32>); 11] = [
        ("2024-02-01T00:00:00", "2024-02-01 00:00:00", 0, None),
        (
            "2024-02-01T10:11:12.5",
            "2024-02-01 10:11:12",
            500_000_000,
            None,
        ),
        (
            "2024-02-01T10:11:12.1234567",
            "2024-02-01 10:11:12",
            123_456_700,
            None,
        ),
        (
            "2013-07-07T00:00:00+00:00",
            "2013-07-07 00:00:00",
            0,
            Some(0),
        ),
        (
            "2014-10-25T00:31:17.56+00:00",
            "2014-10-25 00:31:17",
            560_000_000,
            Some(0),
        ),
        (
            "2024-12-18T17:07:45.433+00:00",
            "2024-12-18 17:07:45",
            433_000_000,
            Some(0),
        ),
        (
            "2024-12-18T17:07:45.4331+00:00",
            "2024-12-18 17:07:45",
            433_100_000,
            Some(0),
        ),
        (
            "2024-12-18T17:07:45.43312+00:00",
            "2024-12-18 17:07:45",
            433_120_000,
            Some(0),
        ),
        (
            "2021-02-08T15:46:23.611591+00:00",
            "2021-02-08 15:46:23",
            611_591_000,
            Some(0),
        ),
        (
            "2023-12-03T14:59:30.693+03:00",
            "2023-12-03 14:59:30",
            693_000_000,
            Some(3 * 3600),
        ),
        (
            "2023-12-03T14:59:30.1234567-05:30",
            "2023-12-03 14:59:30",
            123_456_700,
            Some(-(5 * 3600 + 1800)),
        ),
    ];
    for (text, local, nanos, offset) in cases {
        let json = format!(r#"{{"RequestedOn":{{"value":"{text}"}}}}"#);
        let line = round_trip::<SalesOrderDetail>(&json);
        let t: &DateTime = line.requested_on.get().unwrap();
        let naive = t.naive_local();
        assert_eq!(
            naive.format("%Y-%m-%d %H:%M:%S").to_string(),
            local,
            "{text}"
        );
        assert_eq!(naive.and_utc().timestamp_subsec_nanos(), nanos, "{text}");
        assert_eq!(t.offset().map(|o| o.local_minus_utc()), offset, "{text}");
        assert_eq!(t.to_string(), text);
    }
    // The instant of an offset value.
    let t: DateTime = "2023-12-03T14:59:30.693+03:00".parse().unwrap();
    assert_eq!(
        t.to_fixed_offset().unwrap().to_utc().to_rfc3339(),
        "2023-12-03T11:59:30.693+00:00"
    );
}

// ---------------------------------------------------------------------------------------------
// Writing: a PUT payload is one struct expression, and only what is set is sent

#[test]
fn put_payload_sends_only_the_set_fields() {
    let deleted: Uuid = "4b6f2af0-21f5-eb11-9df1-9828a61840c3".parse().unwrap();
    let order = SalesOrder {
        order_type: "SO".into(),
        customer_id: "ABARTENDE".into(),
        description: Value::null(),
        details: Some(vec![
            SalesOrderDetail {
                inventory_id: "AALEGO500".into(),
                order_qty: dec!(10.00).into(),
                requested_on: "2024-02-05T00:00:00".parse::<DateTime>().unwrap().into(),
                ..Default::default()
            },
            SalesOrderDetail {
                meta: EntityMeta::delete_line(deleted),
                ..Default::default()
            },
        ]),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_string(&order).unwrap(),
        concat!(
            r#"{"CustomerID":{"value":"ABARTENDE"},"Description":{"value":null},"#,
            r#""Details":[{"InventoryID":{"value":"AALEGO500"},"OrderQty":{"value":10.00},"#,
            r#""RequestedOn":{"value":"2024-02-05T00:00:00"}},"#,
            r#"{"id":"4b6f2af0-21f5-eb11-9df1-9828a61840c3","delete":true}],"#,
            r#""OrderType":{"value":"SO"}}"#
        )
    );

    let mut customer = Customer {
        customer_id: "ABARTENDE".into(),
        credit_limit: dec!(12345678901234.5678).into(),
        ..Default::default()
    };
    customer.meta.set_custom(
        "CurrentCustomer",
        "UsrLoyaltyTier",
        CustomField::string("Gold"),
    );
    customer.meta.set_custom(
        "CurrentCustomer",
        "UsrDiscountRate",
        CustomField::decimal(dec!(5.0000)),
    );
    assert_eq!(
        serde_json::to_string(&customer).unwrap(),
        concat!(
            r#"{"CreditLimit":{"value":12345678901234.5678},"CustomerID":{"value":"ABARTENDE"},"#,
            r#""custom":{"CurrentCustomer":{"UsrDiscountRate":{"type":"CustomDecimalField","value":5.0000},"#,
            r#""UsrLoyaltyTier":{"type":"CustomStringField","value":"Gold"}}}}"#
        )
    );
    assert_eq!(serde_json::to_string(&Customer::default()).unwrap(), "{}");
}
