//! Fields and actions the endpoint schema does not describe, read from a tenant's
//! `$adHocSchema`: customization fields (`Usr...`), user-defined attributes (`Attribute...`)
//! and workflow actions.

use std::collections::BTreeMap;

use super::ValueKind;

/// A custom field: `"custom": {"<View>": {"<Field>": {"type": "Custom<T>Field", ...}}}` inside
/// whichever entity (top-level, detail or linked) holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomField {
    /// The screen's data view (`CurrentCustomer`).
    pub view: String,
    /// The field of the view (`UsrLoyaltyTier`, `AttributeINDUSTRY`).
    pub field: String,
    /// The value kind, from the `Custom<T>Field` discriminator.
    pub kind: ValueKind,
    /// Where the field was found: `$adHocSchema` of an entity and the JSON pointer inside it
    /// (`Customer/$adHocSchema#/custom/CurrentCustomer/UsrLoyaltyTier`).
    pub pointer: String,
}

impl CustomField {
    /// The `Custom<T>Field` discriminator of the field's kind.
    pub fn type_name(&self) -> String {
        custom_type_name(self.kind)
    }
}

/// The `Custom<T>Field` discriminator of a kind (`Decimal` → `CustomDecimalField`).
pub fn custom_type_name(kind: ValueKind) -> String {
    format!(
        "Custom{}Field",
        kind.wrapper_name().trim_end_matches("Value")
    )
}

/// Custom fields keyed by (view, field).
pub type CustomFields = BTreeMap<(String, String), CustomField>;

/// A workflow action from `_workflowActions`: `POST /{Entity}/{Action}` with its parameters in
/// `parameters.custom`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowAction {
    /// Action name as it appears in the URL (`ChangeLoyaltyTier`).
    pub name: String,
    /// Its custom parameters, keyed by (view, field).
    pub parameters: CustomFields,
    /// Where the action was found (`Customer/$adHocSchema#/_workflowActions/0`).
    pub pointer: String,
}
