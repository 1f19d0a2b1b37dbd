//! [`Fixture`]: what the per-method tests need to know about each entity they run against
//! (Customer, StockItem, SalesOrder, Invoice), and key helpers that work for every entity.

use acumatica_emulator::Emulator;
use acumatica_sdk::default::{
    Customer, DefaultEndpoint, Invoice, InvoiceDetail, SalesOrder, SalesOrderDetail, StockItem,
};
use acumatica_sdk::service::EntityService;
use acumatica_sdk::types::Decimal;
use acumatica_sdk::{AcumaticaClient, TopLevelEntity};

/// An entity the per-method tests run against.
pub trait Fixture: TopLevelEntity {
    /// Keys of a seeded record, in URL order.
    const SEEDED: &'static [&'static str];
    /// Keys no record has.
    const MISSING: &'static [&'static str];
    /// Wire name of the free-text field the tests change.
    const TEXT: &'static str;
    /// A custom field (`view`, `field`) the tenant defines for the entity.
    const CUSTOM: (&'static str, &'static str);

    /// The generated service (`client.customers()`), as the generic service it dereferences to.
    fn service(client: &AcumaticaClient) -> EntityService<Self>;
    /// A new record the tenant accepts; `tag` is its key where the key is not numbered, and is
    /// in its text.
    fn new_record(tag: &str) -> Self;
    /// The text field's value.
    fn text(&self) -> Option<&str>;
    /// Sets the text field.
    fn set_text(&mut self, text: &str);
}

/// The text [`Fixture::new_record`] puts in a record tagged `tag`.
pub fn text_for(tag: &str) -> String {
    format!("Record {tag}")
}

impl Fixture for Customer {
    const SEEDED: &'static [&'static str] = &["C001"];
    const MISSING: &'static [&'static str] = &["NOSUCH99"];
    const TEXT: &'static str = "CustomerName";
    const CUSTOM: (&'static str, &'static str) = ("CurrentCustomer", "UsrLoyaltyTier");

    fn service(client: &AcumaticaClient) -> EntityService<Self> {
        (*client.customers()).clone()
    }
    fn new_record(tag: &str) -> Self {
        Customer {
            customer_id: tag.into(),
            customer_name: text_for(tag).into(),
            ..Customer::default()
        }
    }
    fn text(&self) -> Option<&str> {
        self.customer_name.get().map(String::as_str)
    }
    fn set_text(&mut self, text: &str) {
        self.customer_name = text.into();
    }
}

impl Fixture for StockItem {
    const SEEDED: &'static [&'static str] = &["ITEM001"];
    const MISSING: &'static [&'static str] = &["NOSUCHITEM"];
    const TEXT: &'static str = "Description";
    const CUSTOM: (&'static str, &'static str) = ("ItemSettings", "UsrRepairItemType");

    fn service(client: &AcumaticaClient) -> EntityService<Self> {
        (*client.stock_items()).clone()
    }
    fn new_record(tag: &str) -> Self {
        StockItem {
            inventory_id: tag.into(),
            description: text_for(tag).into(),
            ..StockItem::default()
        }
    }
    fn text(&self) -> Option<&str> {
        self.description.get().map(String::as_str)
    }
    fn set_text(&mut self, text: &str) {
        self.description = text.into();
    }
}

impl Fixture for SalesOrder {
    const SEEDED: &'static [&'static str] = &["SO", "000001"];
    const MISSING: &'static [&'static str] = &["SO", "999999"];
    const TEXT: &'static str = "Description";
    const CUSTOM: (&'static str, &'static str) = ("Document", "UsrExternalRef");

    fn service(client: &AcumaticaClient) -> EntityService<Self> {
        (*client.sales_orders()).clone()
    }
    fn new_record(tag: &str) -> Self {
        SalesOrder {
            order_type: "SO".into(),
            customer_id: "C001".into(),
            description: text_for(tag).into(),
            details: Some(vec![SalesOrderDetail {
                inventory_id: "ITEM001".into(),
                order_qty: Decimal::new(2, 0).into(),
                ..SalesOrderDetail::default()
            }]),
            ..SalesOrder::default()
        }
    }
    fn text(&self) -> Option<&str> {
        self.description.get().map(String::as_str)
    }
    fn set_text(&mut self, text: &str) {
        self.description = text.into();
    }
}

impl Fixture for Invoice {
    const SEEDED: &'static [&'static str] = &["Invoice", "INV000001"];
    const MISSING: &'static [&'static str] = &["Invoice", "INV999999"];
    const TEXT: &'static str = "Description";
    const CUSTOM: (&'static str, &'static str) = ("Document", "CuryBalanceWOTotal");

    fn service(client: &AcumaticaClient) -> EntityService<Self> {
        (*client.invoices()).clone()
    }
    fn new_record(tag: &str) -> Self {
        Invoice {
            type_: "Invoice".into(),
            customer: "C001".into(),
            description: text_for(tag).into(),
            details: Some(vec![InvoiceDetail {
                inventory_id: "ITEM001".into(),
                qty: Decimal::new(1, 0).into(),
                ..InvoiceDetail::default()
            }]),
            ..Invoice::default()
        }
    }
    fn text(&self) -> Option<&str> {
        self.description.get().map(String::as_str)
    }
    fn set_text(&mut self, text: &str) {
        self.description = text.into();
    }
}

/// The text of a `{"value": ...}` member of wire JSON.
fn value_text(v: Option<&serde_json::Value>) -> Option<String> {
    match v?.get("value")? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// The key values of a typed record, in URL order (empty strings for missing keys).
pub fn keys_of<E: TopLevelEntity>(record: &E) -> Vec<String> {
    let json = serde_json::to_value(record).unwrap_or_default();
    E::KEYS
        .iter()
        .map(|k| value_text(json.get(*k)).unwrap_or_default())
        .collect()
}

/// The key values of a stored (wire JSON) record, in URL order.
pub fn stored_keys<E: TopLevelEntity>(record: &serde_json::Value) -> Vec<String> {
    E::KEYS
        .iter()
        .map(|k| value_text(record.get(*k)).unwrap_or_default())
        .collect()
}

/// A record that carries only key values (what actions and updates need).
pub fn with_keys<E: TopLevelEntity>(keys: &[&str]) -> E {
    let json: serde_json::Map<String, serde_json::Value> = E::KEYS
        .iter()
        .zip(keys)
        .map(|(k, v)| ((*k).to_owned(), serde_json::json!({ "value": v })))
        .collect();
    serde_json::from_value(serde_json::Value::Object(json))
        .unwrap_or_else(|e| panic!("a {} with keys {keys:?}: {e}", E::NAME))
}

/// The stored record of `E` with these keys, as wire JSON.
pub fn stored<E: TopLevelEntity>(emulator: &Emulator, keys: &[&str]) -> Option<serde_json::Value> {
    emulator.store().find(E::NAME, keys)
}

/// The entity ID of the stored record of `E` with these keys.
pub fn stored_id<E: TopLevelEntity>(
    emulator: &Emulator,
    keys: &[&str],
) -> acumatica_sdk::types::Uuid {
    let record = stored::<E>(emulator, keys)
        .unwrap_or_else(|| panic!("no stored {} with keys {keys:?}", E::NAME));
    record["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("the stored {} {keys:?} has no id", E::NAME))
}

/// The value of wire field `field` in a stored record.
pub fn stored_text(record: &serde_json::Value, field: &str) -> Option<String> {
    value_text(record.get(field))
}
