//! Key fields of top-level entities.
//!
//! Acumatica's schemas (JSON and endpoint XML alike) do not say which fields form a record's
//! key: that lives in the screen's data access classes. Keys matter for `GET /{Entity}/{k1}/{k2}`
//! and for upserts, so this module carries a table of documented keys for well-known entities
//! and falls back to a guess from field names, marked [`KeySource::Inferred`].

use std::collections::BTreeMap;

use crate::ir::{Entity, FieldKind, KeySource, Keys};

/// Key fields of well-known entities, in URL order (Acumatica's Integration Development Guide
/// and the forms behind them: `SalesOrder/SO/000123`, `Invoice/INV/000045`, `Customer/ABARTENDE`).
const DOCUMENTED: &[(&str, &[&str])] = &[
    ("Account", &["AccountCD"]),
    ("AccountGroup", &["AccountGroupID"]),
    ("Appointment", &["ServiceOrderType", "AppointmentNbr"]),
    ("AttributeDefinition", &["AttributeID"]),
    ("Bill", &["Type", "ReferenceNbr"]),
    ("BusinessAccount", &["BusinessAccountID"]),
    ("Carrier", &["CarrierID"]),
    ("Case", &["CaseID"]),
    ("CashSale", &["Type", "ReferenceNbr"]),
    ("ChangeOrder", &["RefNbr"]),
    ("ChangeOrderClass", &["ClassID"]),
    ("Check", &["Type", "ReferenceNbr"]),
    ("Contact", &["ContactID"]),
    ("CostCode", &["CostCodeID"]),
    ("Currency", &["CurrencyID"]),
    ("Customer", &["CustomerID"]),
    ("CustomerClass", &["ClassID"]),
    ("CustomerLocation", &["CustomerID", "LocationID"]),
    ("CustomerPriceClass", &["PriceClassID"]),
    ("DeductionBenefitCode", &["DeductionBenefitCodeID"]),
    ("DiscountCode", &["DiscountCodeID"]),
    ("EarningTypeCode", &["EarningTypeCodeID"]),
    ("Employee", &["EmployeeID"]),
    ("EmployeePayrollClass", &["EmployeePayrollClassID"]),
    ("EmployeePayrollSettings", &["EmployeeID"]),
    ("ExpenseClaim", &["RefNbr"]),
    ("ExpenseReceipt", &["ReceiptID"]),
    ("FOBPoint", &["FOBPointID"]),
    ("InventoryAdjustment", &["ReferenceNbr"]),
    ("InventoryIssue", &["ReferenceNbr"]),
    ("InventoryReceipt", &["ReferenceNbr"]),
    ("Invoice", &["Type", "ReferenceNbr"]),
    ("ItemClass", &["ClassID"]),
    ("ItemSalesCategory", &["CategoryID"]),
    ("ItemWarehouse", &["InventoryID", "WarehouseID"]),
    ("JournalTransaction", &["Module", "BatchNbr"]),
    ("KitAssembly", &["Type", "ReferenceNbr"]),
    ("KitSpecification", &["KitInventoryID", "RevisionID"]),
    ("Lead", &["LeadID"]),
    ("Ledger", &["LedgerID"]),
    ("LotSerialClass", &["ClassID"]),
    ("NonStockItem", &["InventoryID"]),
    ("Opportunity", &["OpportunityID"]),
    ("PTOBank", &["PTOBankID"]),
    ("PayGroup", &["PayGroupID"]),
    ("Payment", &["Type", "ReferenceNbr"]),
    ("PaymentMethod", &["PaymentMethodID"]),
    ("PayrollUnionLocal", &["PayrollUnionLocalID"]),
    ("PhysicalInventoryReview", &["ReferenceNbr"]),
    ("ProFormaInvoice", &["RefNbr"]),
    ("Project", &["ProjectID"]),
    ("ProjectTask", &["ProjectID", "ProjectTaskID"]),
    ("ProjectTemplate", &["ProjectTemplateID"]),
    (
        "ProjectTemplateTask",
        &["ProjectTemplateID", "ProjectTemplateTaskID"],
    ),
    ("ProjectTransaction", &["Module", "ReferenceNbr"]),
    ("PurchaseOrder", &["Type", "OrderNbr"]),
    ("PurchaseReceipt", &["Type", "ReceiptNbr"]),
    ("SalesInvoice", &["Type", "ReferenceNbr"]),
    ("SalesOrder", &["OrderType", "OrderNbr"]),
    ("SalesPriceWorksheet", &["ReferenceNbr"]),
    ("Salesperson", &["SalespersonID"]),
    ("ServiceOrder", &["ServiceOrderType", "ServiceOrderNbr"]),
    ("ShipVia", &["CarrierID"]),
    ("Shipment", &["ShipmentNbr"]),
    ("ShippingBox", &["BoxID"]),
    ("ShippingTerm", &["TermID"]),
    ("ShippingZones", &["ZoneID"]),
    ("StockItem", &["InventoryID"]),
    ("Subaccount", &["SubaccountCD"]),
    ("Subcontract", &["SubcontractNbr"]),
    ("Tax", &["TaxID"]),
    ("TaxCategory", &["TaxCategoryID"]),
    ("TaxZone", &["TaxZoneID"]),
    ("TimeEntry", &["TimeEntryID"]),
    ("TransferOrder", &["ReferenceNbr"]),
    ("UnionLocal", &["UnionLocalID"]),
    ("Vendor", &["VendorID"]),
    ("VendorClass", &["ClassID"]),
    ("VendorPriceWorksheet", &["ReferenceNbr"]),
    ("Warehouse", &["WarehouseID"]),
    ("WorkCalendar", &["WorkCalendarID"]),
    ("WorkClassCompensationCode", &["WCCCode"]),
    ("WorkLocation", &["WorkLocationID"]),
];

/// The documented key fields of a well-known entity, whatever the endpoint.
pub fn documented_keys(entity: &str) -> Option<&'static [&'static str]> {
    DOCUMENTED
        .iter()
        .find(|(name, _)| *name == entity)
        .map(|(_, keys)| *keys)
}

/// Sets the key fields of every top-level entity: documented ones when every one of them is a
/// field of the entity, otherwise a guess from field names.
pub(crate) fn assign(_endpoint: &str, entities: &mut BTreeMap<String, Entity>) {
    for entity in entities.values_mut() {
        let keys = documented(entity).or_else(|| inferred(entity));
        if let Some(top) = entity.top_level.as_mut() {
            top.keys = keys;
        }
    }
}

fn documented(entity: &Entity) -> Option<Keys> {
    let keys = documented_keys(&entity.name)?;
    keys.iter().all(|k| is_scalar(entity, k)).then(|| Keys {
        fields: keys.iter().map(|k| (*k).to_owned()).collect(),
        source: KeySource::Documented,
    })
}

/// `<Entity>ID` / `<Entity>CD` / `<Entity>Nbr`, else `Type` + `ReferenceNbr`, else a single
/// `...Nbr` field, else a single `...ID` field.
fn inferred(entity: &Entity) -> Option<Keys> {
    let name = &entity.name;
    let make = |fields: &[&str]| Keys {
        fields: fields.iter().map(|f| (*f).to_owned()).collect(),
        source: KeySource::Inferred,
    };
    for suffix in ["ID", "CD", "Nbr"] {
        let candidate = format!("{name}{suffix}");
        if is_scalar(entity, &candidate) {
            return Some(make(&[&candidate]));
        }
    }
    if is_scalar(entity, "Type") && is_scalar(entity, "ReferenceNbr") {
        return Some(make(&["Type", "ReferenceNbr"]));
    }
    for suffix in ["Nbr", "ID"] {
        let matching: Vec<&str> = entity
            .fields
            .keys()
            .filter(|f| f.ends_with(suffix) && !f.ends_with("NoteID") && is_scalar(entity, f))
            .map(String::as_str)
            .collect();
        if let [only] = matching.as_slice() {
            return Some(make(&[only]));
        }
    }
    None
}

fn is_scalar(entity: &Entity, field: &str) -> bool {
    entity
        .fields
        .get(field)
        .is_some_and(|f| matches!(f.kind, FieldKind::Value(_)))
}
