//! [`CustomKey`]: a typed handle on one custom field of one entity type, generated from the
//! tenant's `$adHocSchema` (or declared by hand for a field the generator has not seen).

use std::fmt;
use std::marker::PhantomData;

use super::Entity;
use super::custom::{CustomField, CustomValue};
use crate::types::Value;

/// One custom field (`"custom": {"<View>": {"<Field>": ...}}`) of entity type `E`, holding `T`.
///
/// Generated as an associated constant of the entity (`Customer::USR_LOYALTY_TIER`), so a
/// misspelled field, a field of another entity, or a value of the wrong type does not compile.
/// Reading and writing are one expression each; writing sends exactly the `custom` JSON
/// Acumatica expects, and only for the fields that were set.
///
/// ```
/// use acumatica_sdk::default::Customer;
/// use acumatica_sdk::entity::CustomKey;
///
/// // What `acumatica-codegen --url` generates for a tenant with this field.
/// const USR_LOYALTY_TIER: CustomKey<Customer, String> =
///     CustomKey::new("CurrentCustomer", "UsrLoyaltyTier");
///
/// let mut customer = Customer::default();
/// USR_LOYALTY_TIER.set(&mut customer, "Gold");
/// assert_eq!(USR_LOYALTY_TIER.get(&customer).map(String::as_str), Some("Gold"));
/// assert_eq!(
///     serde_json::to_string(&customer).unwrap(),
///     r#"{"custom":{"CurrentCustomer":{"UsrLoyaltyTier":{"type":"CustomStringField","value":"Gold"}}}}"#
/// );
/// ```
pub struct CustomKey<E, T> {
    view: &'static str,
    field: &'static str,
    kinds: PhantomData<fn() -> (E, T)>,
}

impl<E, T> CustomKey<E, T> {
    /// The field `field` of the data view `view`.
    pub const fn new(view: &'static str, field: &'static str) -> Self {
        CustomKey {
            view,
            field,
            kinds: PhantomData,
        }
    }

    /// The data view (`CurrentCustomer`).
    pub const fn view(&self) -> &'static str {
        self.view
    }

    /// The field of the view (`UsrLoyaltyTier`).
    pub const fn field(&self) -> &'static str {
        self.field
    }
}

impl<E: Entity, T: CustomValue> CustomKey<E, T> {
    /// The field as the record carries it, if it does and with this key's kind.
    pub fn raw<'a>(&self, record: &'a E) -> Option<&'a CustomField> {
        record.meta().custom_field(self.view, self.field)
    }

    /// The field's value and error, if the record carries it (ask for it with `$custom`).
    pub fn value<'a>(&self, record: &'a E) -> Option<&'a Value<T>> {
        self.raw(record).and_then(T::unwrap)
    }

    /// The field's value, if the record carries one.
    pub fn get<'a>(&self, record: &'a E) -> Option<&'a T> {
        self.value(record).and_then(Value::get)
    }

    /// Sets the field to send on the next write.
    pub fn set(&self, record: &mut E, value: impl Into<T>) {
        self.put(record, Value::new(value.into()));
    }

    /// Sends the field as `{"value": null}` on the next write.
    pub fn clear(&self, record: &mut E) {
        self.put(record, Value::null());
    }

    /// Stops sending the field (the record keeps its other custom fields).
    pub fn remove(&self, record: &mut E) {
        if let Some(views) = record.meta_mut().custom.as_mut()
            && let Some(fields) = views.get_mut(self.view)
        {
            fields.remove(self.field);
            if fields.is_empty() {
                views.remove(self.view);
            }
        }
    }

    fn put(&self, record: &mut E, value: Value<T>) {
        record
            .meta_mut()
            .set_custom(self.view, self.field, T::wrap(value));
    }
}

// Derives would require `E: Clone` and `T: Clone`; a key is two static strings.
impl<E, T> Clone for CustomKey<E, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E, T> Copy for CustomKey<E, T> {}

impl<E: Entity, T: CustomValue> fmt::Debug for CustomKey<E, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CustomKey<{}, {}>({}.{})",
            E::NAME,
            T::TYPE_NAME,
            self.view,
            self.field
        )
    }
}
