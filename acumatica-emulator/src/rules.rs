//! Entity-specific business facts, as data: references, drop-downs, defaults, numbering, the
//! effects of schema actions. Handlers stay generic; an entity without rules is served as the
//! schema says. The tenant's custom fields and workflow actions are configurable:
//! [`crate::Customizations`].
//!
//! Every rule names fields by wire name and applies only when the entity being served has them,
//! so the same table works for every endpoint version.

use acumatica_codegen::ir::ValueKind;

/// A literal a rule writes into a record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Lit {
    Str(&'static str),
    Bool(bool),
}

impl Lit {
    pub(crate) fn to_json(self) -> serde_json::Value {
        match self {
            Lit::Str(s) => serde_json::Value::String(s.to_owned()),
            Lit::Bool(b) => serde_json::Value::Bool(b),
        }
    }
}

/// A field whose value must be the key of a record of another entity.
#[derive(Debug)]
pub(crate) struct Reference {
    pub(crate) entity: &'static str,
    /// `CustomerID`, or `Details/InventoryID` for a field of detail lines.
    pub(crate) path: &'static str,
    /// Entities whose (single) key the value may name.
    pub(crate) targets: &'static [&'static str],
    /// The display name used in the error: `'Customer' cannot be found in the system.`
    pub(crate) label: &'static str,
}

pub(crate) const REFERENCES: &[Reference] = &[
    Reference {
        entity: "SalesOrder",
        path: "CustomerID",
        targets: &["Customer"],
        label: "Customer",
    },
    Reference {
        entity: "SalesOrder",
        path: "Details/InventoryID",
        targets: &["StockItem", "NonStockItem"],
        label: "Inventory ID",
    },
    Reference {
        entity: "Invoice",
        path: "Customer",
        targets: &["Customer"],
        label: "Customer",
    },
    Reference {
        entity: "Invoice",
        path: "Details/InventoryID",
        targets: &["StockItem", "NonStockItem"],
        label: "Inventory ID",
    },
    Reference {
        entity: "SalesInvoice",
        path: "CustomerID",
        targets: &["Customer"],
        label: "Customer",
    },
    Reference {
        entity: "SalesInvoice",
        path: "Details/InventoryID",
        targets: &["StockItem", "NonStockItem"],
        label: "Inventory ID",
    },
    Reference {
        entity: "Bill",
        path: "Vendor",
        targets: &["Vendor"],
        label: "Vendor",
    },
    Reference {
        entity: "PurchaseOrder",
        path: "VendorID",
        targets: &["Vendor"],
        label: "Vendor",
    },
    Reference {
        entity: "PurchaseOrder",
        path: "Details/InventoryID",
        targets: &["StockItem", "NonStockItem"],
        label: "Inventory ID",
    },
    Reference {
        entity: "Shipment",
        path: "CustomerID",
        targets: &["Customer"],
        label: "Customer",
    },
    Reference {
        entity: "Payment",
        path: "CustomerID",
        targets: &["Customer"],
        label: "Customer",
    },
    Reference {
        entity: "CustomerLocation",
        path: "CustomerID",
        targets: &["Customer"],
        label: "Customer",
    },
    Reference {
        entity: "ItemWarehouse",
        path: "InventoryID",
        targets: &["StockItem"],
        label: "Inventory ID",
    },
];

/// A drop-down: the values it accepts, each a label (what the API shows) with its internal codes.
#[derive(Debug)]
pub(crate) struct DropDown {
    pub(crate) entity: &'static str,
    pub(crate) path: &'static str,
    pub(crate) values: &'static [(&'static str, &'static [&'static str])],
}

const DOC_TYPES_AR: &[(&str, &[&str])] = &[
    ("Invoice", &["INV"]),
    ("Debit Memo", &["DRM"]),
    ("Credit Memo", &["CRM"]),
    ("Overdue Charge", &["FCH"]),
    ("Credit WO", &["CRW"]),
];
const DOC_STATUSES: &[(&str, &[&str])] = &[
    ("On Hold", &["H"]),
    ("Balanced", &["B"]),
    ("Open", &["N"]),
    ("Closed", &["C"]),
    ("Voided", &["V"]),
    ("Pending Print", &["P"]),
    ("Pending Email", &["E"]),
    ("Canceled", &["L"]),
    ("Credit Hold", &["R"]),
];
const ACCOUNT_STATUSES: &[(&str, &[&str])] = &[
    ("Active", &["A"]),
    ("On Hold", &["H"]),
    ("Credit Hold", &["C"]),
    ("Hold Payments", &["P"]),
    ("Inactive", &["I"]),
    ("One-Time", &["T"]),
];

pub(crate) const DROP_DOWNS: &[DropDown] = &[
    DropDown {
        entity: "Customer",
        path: "Status",
        values: ACCOUNT_STATUSES,
    },
    DropDown {
        entity: "Vendor",
        path: "Status",
        values: ACCOUNT_STATUSES,
    },
    DropDown {
        entity: "StockItem",
        path: "ItemStatus",
        values: &[
            ("Active", &["AC"]),
            ("No Sales", &["NS"]),
            ("No Purchases", &["NP"]),
            ("No Request", &["NR"]),
            ("Inactive", &["IN"]),
            ("Marked for Deletion", &["DE"]),
        ],
    },
    DropDown {
        entity: "SalesOrder",
        path: "OrderType",
        values: &[
            ("SO", &[]),
            ("QT", &[]),
            ("IN", &[]),
            ("RC", &[]),
            ("RM", &[]),
            ("CM", &[]),
            ("CS", &[]),
            ("TR", &[]),
        ],
    },
    DropDown {
        entity: "SalesOrder",
        path: "Status",
        values: &[
            ("Open", &["N"]),
            ("On Hold", &["H"]),
            ("Pending Approval", &["P"]),
            ("Rejected", &["V"]),
            ("Credit Hold", &["R"]),
            ("Back Order", &["B"]),
            ("Shipping", &["S"]),
            ("Completed", &["C"]),
            ("Cancelled", &["L"]),
            ("Invoiced", &["I"]),
        ],
    },
    DropDown {
        entity: "Invoice",
        path: "Type",
        values: DOC_TYPES_AR,
    },
    DropDown {
        entity: "Invoice",
        path: "Status",
        values: DOC_STATUSES,
    },
    DropDown {
        entity: "SalesInvoice",
        path: "Type",
        values: DOC_TYPES_AR,
    },
    DropDown {
        entity: "SalesInvoice",
        path: "Status",
        values: DOC_STATUSES,
    },
    DropDown {
        entity: "Bill",
        path: "Type",
        values: &[
            ("Bill", &["INV"]),
            ("Debit Adj.", &["ADR"]),
            ("Credit Adj.", &["ACR"]),
            ("Prepayment", &["PPM"]),
        ],
    },
];

/// The drop-down on `entity`'s `path`, if there is one.
pub(crate) fn drop_down(entity: &str, path: &str) -> Option<&'static DropDown> {
    DROP_DOWNS
        .iter()
        .find(|d| d.entity == entity && d.path == path)
}

impl DropDown {
    /// The label a value stands for (a label or an internal code, any case).
    pub(crate) fn resolve(&self, value: &str) -> Option<&'static str> {
        let v = value.trim();
        self.values
            .iter()
            .find(|(label, codes)| {
                label.eq_ignore_ascii_case(v) || codes.iter().any(|c| c.eq_ignore_ascii_case(v))
            })
            .map(|(label, _)| *label)
    }

    pub(crate) fn labels(&self) -> String {
        self.values
            .iter()
            .map(|(l, _)| *l)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Fields that must have a value when a record is inserted (besides keys that are not
/// auto-numbered).
pub(crate) const REQUIRED_ON_INSERT: &[(&str, &str)] =
    &[("SalesOrder", "CustomerID"), ("Invoice", "Customer")];

/// A value the graph sets on insert when the request leaves the field out.
#[derive(Debug)]
pub(crate) struct InsertDefault {
    pub(crate) entity: &'static str,
    pub(crate) field: &'static str,
    pub(crate) value: Lit,
}

const fn default(entity: &'static str, field: &'static str, value: Lit) -> InsertDefault {
    InsertDefault {
        entity,
        field,
        value,
    }
}

/// Values the graph sets on insert when the request leaves them out.
pub(crate) const DEFAULTS: &[InsertDefault] = &[
    default("Customer", "Status", Lit::Str("Active")),
    default("Vendor", "Status", Lit::Str("Active")),
    default("StockItem", "ItemStatus", Lit::Str("Active")),
    default("SalesOrder", "Hold", Lit::Bool(false)),
    default("SalesOrder", "Status", Lit::Str("Open")),
    default("SalesOrder", "CurrencyID", Lit::Str("USD")),
    default("Invoice", "Hold", Lit::Bool(false)),
    default("Invoice", "Status", Lit::Str("Balanced")),
    default("Invoice", "Type", Lit::Str("Invoice")),
];

/// On insert, a field the request set decides another one it left out (a sales order entered
/// on hold is "On Hold", not the default "Open").
#[derive(Debug)]
pub(crate) struct Implied {
    pub(crate) entity: &'static str,
    /// The field the request set, and the value that decides.
    pub(crate) when: (&'static str, Lit),
    /// The field set unless the request gave it, and its value.
    pub(crate) then: (&'static str, Lit),
}

/// Values that follow on insert from others the request set (applied after [`DEFAULTS`]).
pub(crate) const IMPLIED_ON_INSERT: &[Implied] = &[Implied {
    entity: "SalesOrder",
    when: ("Hold", Lit::Bool(true)),
    then: ("Status", Lit::Str("On Hold")),
}];

/// A document total the graph keeps: the sum over the detail lines of quantity × unit price,
/// each line's amount set on the way.
#[derive(Debug)]
pub(crate) struct Total {
    pub(crate) entity: &'static str,
    pub(crate) detail: &'static str,
    pub(crate) quantity: &'static str,
    pub(crate) unit_price: &'static str,
    pub(crate) line_amount: &'static str,
    pub(crate) total: &'static str,
}

/// Document totals the graph keeps.
pub(crate) const TOTALS: &[Total] = &[
    Total {
        entity: "SalesOrder",
        detail: "Details",
        quantity: "OrderQty",
        unit_price: "UnitPrice",
        line_amount: "ExtendedPrice",
        total: "OrderTotal",
    },
    Total {
        entity: "Invoice",
        detail: "Details",
        quantity: "Qty",
        unit_price: "UnitPrice",
        line_amount: "ExtendedPrice",
        total: "Amount",
    },
];

/// An auto-numbered key: the number is `prefix` and `digits` zero-padded digits.
#[derive(Debug)]
pub(crate) struct Numbering {
    pub(crate) entity: &'static str,
    pub(crate) field: &'static str,
    pub(crate) prefix: &'static str,
    pub(crate) digits: usize,
}

const fn numbering(
    entity: &'static str,
    field: &'static str,
    prefix: &'static str,
    digits: usize,
) -> Numbering {
    Numbering {
        entity,
        field,
        prefix,
        digits,
    }
}

/// Auto-numbered keys. Any other key ending in `Nbr` is numbered with six digits and no
/// prefix; integer keys count up from 100000.
pub(crate) const NUMBERING: &[Numbering] = &[
    numbering("SalesOrder", "OrderNbr", "", 6),
    numbering("Invoice", "ReferenceNbr", "INV", 6),
    numbering("SalesInvoice", "ReferenceNbr", "INV", 6),
    numbering("Bill", "ReferenceNbr", "BILL", 6),
    numbering("Case", "CaseID", "", 6),
    numbering("Opportunity", "OpportunityID", "OP", 6),
];

/// Whether a key field is numbered by the server when a new record leaves it out.
pub(crate) fn is_auto_numbered(entity: &str, field: &str, kind: Option<ValueKind>) -> bool {
    NUMBERING
        .iter()
        .any(|n| n.entity == entity && n.field == field)
        || field.ends_with("Nbr")
        || matches!(kind, Some(ValueKind::Int | ValueKind::Long))
}

/// The n-th number of an auto-numbered key.
pub(crate) fn format_number(
    entity: &str,
    field: &str,
    kind: Option<ValueKind>,
    n: u64,
) -> serde_json::Value {
    if matches!(kind, Some(ValueKind::Int | ValueKind::Long)) {
        return serde_json::Value::from(100_000 + n);
    }
    let (prefix, width) = NUMBERING
        .iter()
        .find(|n| n.entity == entity && n.field == field)
        .map_or(("", 6), |n| (n.prefix, n.digits));
    serde_json::Value::String(format!("{prefix}{n:0width$}"))
}

/// Key fields of detail lines, for matching lines in a PUT; `LineNbr` when not listed.
pub(crate) const DETAIL_KEYS: &[(&str, &[&str])] = &[("CustomerContact", &["ContactID"])];

/// Field assignments an action makes.
pub(crate) type Effects = &'static [(&'static str, Lit)];

/// What a schema action does to the record it is applied to: (entity, action, assignments).
/// Workflow actions and their effects are data of [`crate::Customizations`].
pub(crate) const ACTION_EFFECTS: &[(&str, &str, Effects)] = &[
    (
        "SalesOrder",
        "CancelSalesOrder",
        &[("Status", Lit::Str("Cancelled"))],
    ),
    (
        "SalesOrder",
        "ReopenSalesOrder",
        &[("Status", Lit::Str("Open"))],
    ),
    (
        "SalesOrder",
        "OpenSalesOrder",
        &[("Status", Lit::Str("Open")), ("Hold", Lit::Bool(false))],
    ),
    (
        "SalesOrder",
        "ReleaseFromCreditHoldSalesOrder",
        &[
            ("CreditHold", Lit::Bool(false)),
            ("Status", Lit::Str("Open")),
        ],
    ),
    (
        "SalesOrder",
        "SalesOrderCreateShipment",
        &[("Status", Lit::Str("Shipping"))],
    ),
    (
        "Invoice",
        "ReleaseInvoice",
        &[("Hold", Lit::Bool(false)), ("Status", Lit::Str("Open"))],
    ),
    (
        "SalesInvoice",
        "ReleaseSalesInvoice",
        &[("Hold", Lit::Bool(false)), ("Status", Lit::Str("Open"))],
    ),
    (
        "Bill",
        "ReleaseBill",
        &[("Hold", Lit::Bool(false)), ("Status", Lit::Str("Open"))],
    ),
];

/// The effects of an action, if any.
pub(crate) fn action_effects(entity: &str, action: &str) -> Effects {
    ACTION_EFFECTS
        .iter()
        .find(|(e, a, _)| *e == entity && a.eq_ignore_ascii_case(action))
        .map_or(&[], |(_, _, effects)| effects)
}

/// (view or property, field or path, kind) triples.
pub(crate) type Columns = &'static [(&'static str, &'static str, ValueKind)];

/// The graph and primary view of top-level entities, for `files:put` links; detail lines use
/// their parent's graph and the detail field as the view.
pub(crate) const GRAPHS: &[(&str, &str, &str)] = &[
    ("Customer", "PX.Objects.AR.CustomerMaint", "BAccount"),
    ("Vendor", "PX.Objects.AP.VendorMaint", "BAccount"),
    ("StockItem", "PX.Objects.IN.InventoryItemMaint", "Item"),
    ("NonStockItem", "PX.Objects.IN.NonStockItemMaint", "Item"),
    ("SalesOrder", "PX.Objects.SO.SOOrderEntry", "Document"),
    ("Invoice", "PX.Objects.AR.ARInvoiceEntry", "Document"),
    ("SalesInvoice", "PX.Objects.SO.SOInvoiceEntry", "Document"),
    ("Bill", "PX.Objects.AP.APInvoiceEntry", "Document"),
    ("Contact", "PX.Objects.CR.ContactMaint", "Contact"),
];

/// (graph type, view) of an entity.
pub(crate) fn graph(entity: &str) -> (String, String) {
    GRAPHS
        .iter()
        .find(|(e, ..)| *e == entity)
        .map(|(_, g, v)| ((*g).to_owned(), (*v).to_owned()))
        .unwrap_or_else(|| (format!("PX.Objects.{entity}Maint"), entity.to_owned()))
}

/// Fraction digits of a decimal field: quantities have 6 in the database, amounts and prices 4.
pub(crate) fn decimal_scale(field: &str) -> u32 {
    if field.contains("Qty") || field.contains("Quantity") {
        6
    } else {
        4
    }
}

/// A generic inquiry served over OData.
pub(crate) struct Inquiry {
    /// The entity set (`Customers`).
    pub(crate) name: &'static str,
    /// The top-level entity whose records are the rows.
    pub(crate) source: &'static str,
    /// (OData property, wire field or `Linked/Field`, kind).
    pub(crate) columns: Columns,
    /// Key properties.
    pub(crate) keys: &'static [&'static str],
    /// Parameters, read through `<name>_WithParameters(..)`; none for an inquiry without.
    pub(crate) parameters: &'static [InquiryParameter],
}

/// A parameter of a generic inquiry: the inquiry's condition `field = [Parameter]`.
///
/// INFERENCE (the protocol notes give the URL forms, not the conditions): a parameter left out
/// of the call, or given as null or `''`, drops its condition, as an empty parameter does on the
/// inquiry's form; plain `/<name>` reads the inquiry with every parameter empty.
pub(crate) struct InquiryParameter {
    /// The parameter's name in the function call (`Warehouse`).
    pub(crate) name: &'static str,
    /// The wire field or `Linked/Field` of the source record it is compared with.
    pub(crate) field: &'static str,
    /// Its EDM type.
    pub(crate) kind: ValueKind,
}

impl Inquiry {
    /// The name of its function import: `<name>_WithParameters`.
    pub(crate) fn function(&self) -> Option<String> {
        (!self.parameters.is_empty()).then(|| format!("{}_WithParameters", self.name))
    }
}

/// Generic inquiries served over OData.
pub(crate) const INQUIRIES: &[Inquiry] = &[
    Inquiry {
        name: "Customers",
        source: "Customer",
        columns: &[
            ("CustomerID", "CustomerID", ValueKind::String),
            ("CustomerName", "CustomerName", ValueKind::String),
            ("Status", "Status", ValueKind::String),
            ("CustomerClass", "CustomerClass", ValueKind::String),
            ("Email", "MainContact/Email", ValueKind::String),
            ("City", "MainContact/Address/City", ValueKind::String),
            ("CreditLimit", "CreditLimit", ValueKind::Decimal),
            (
                "LastModifiedDateTime",
                "LastModifiedDateTime",
                ValueKind::DateTime,
            ),
        ],
        keys: &["CustomerID"],
        parameters: &[
            InquiryParameter {
                name: "CustomerClass",
                field: "CustomerClass",
                kind: ValueKind::String,
            },
            InquiryParameter {
                name: "City",
                field: "MainContact/Address/City",
                kind: ValueKind::String,
            },
        ],
    },
    Inquiry {
        name: "SalesOrders",
        source: "SalesOrder",
        columns: &[
            ("OrderType", "OrderType", ValueKind::String),
            ("OrderNbr", "OrderNbr", ValueKind::String),
            ("CustomerID", "CustomerID", ValueKind::String),
            ("Status", "Status", ValueKind::String),
            ("Date", "Date", ValueKind::DateTime),
            ("OrderTotal", "OrderTotal", ValueKind::Decimal),
            ("Description", "Description", ValueKind::String),
        ],
        keys: &["OrderType", "OrderNbr"],
        parameters: &[],
    },
    Inquiry {
        name: "StockItems",
        source: "StockItem",
        columns: &[
            ("InventoryID", "InventoryID", ValueKind::String),
            ("Description", "Description", ValueKind::String),
            ("ItemClass", "ItemClass", ValueKind::String),
            ("ItemStatus", "ItemStatus", ValueKind::String),
            ("DefaultPrice", "DefaultPrice", ValueKind::Decimal),
            ("BaseUOM", "BaseUOM", ValueKind::String),
        ],
        keys: &["InventoryID"],
        // The protocol notes' example: `/<Name>_WithParameters(Warehouse='WHOLESALE')`.
        parameters: &[InquiryParameter {
            name: "Warehouse",
            field: "DefaultWarehouseID",
            kind: ValueKind::String,
        }],
    },
];
