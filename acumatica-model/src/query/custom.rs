//! Custom fields in queries: [`CustomPath`] for `$custom` (and `$filter` through `cf.`), and
//! [`CustomRef`], what [`QueryOptions::custom`](super::QueryOptions::custom) takes.

use std::marker::PhantomData;
use std::ops::Deref;

use super::fields::{CustomKind, Field, Path, custom_field};
use crate::entity::CustomKey;
use crate::types::DateTime;
use rust_decimal::Decimal;

/// A custom field reached through an entity's typed field paths:
/// `Customer::fields().usr_loyalty_tier()` (`CurrentCustomer.UsrLoyaltyTier`) or
/// `SalesOrder::fields().details().fields().usr_unit_weight()`
/// (`Details/Transactions.UsrUnitWeight`, which also needs `Details` expanded:
/// [`QueryOptions::custom`](super::QueryOptions::custom) adds it).
///
/// For the kinds Acumatica filters on with `cf.` (`String`, `Decimal`, `DateTime`), a path is
/// also a [`Field`] to compare: `Customer::filter().usr_loyalty_tier().eq("Gold")` is
/// `cf.String(f='CurrentCustomer.UsrLoyaltyTier') eq 'Gold'`. Other kinds have no comparisons,
/// so such a filter does not compile.
///
/// ```
/// use acumatica_sdk::default::Customer;
/// use acumatica_sdk::entity::CustomKey;
/// use acumatica_sdk::query::{CustomPath, Path};
///
/// // What the generator emits as `Customer::USR_LOYALTY_TIER` and `Customer::fields().usr_loyalty_tier()`.
/// const TIER: CustomKey<Customer, String> = CustomKey::new("CurrentCustomer", "UsrLoyaltyTier");
/// let tier = CustomPath::at(&Path::root(), TIER);
/// assert_eq!(tier.reference(), "CurrentCustomer.UsrLoyaltyTier");
/// assert_eq!(
///     tier.eq("Gold").to_string(),
///     "cf.String(f='CurrentCustomer.UsrLoyaltyTier') eq 'Gold'"
/// );
/// ```
// No `PartialEq`: its `eq` would be found before the comparison of the `Field` inside.
#[derive(Debug, Clone)]
pub struct CustomPath<T> {
    entity: Path,
    view: &'static str,
    field: &'static str,
    filter: Field<T>,
    kind: PhantomData<fn() -> T>,
}

impl<T> CustomPath<T> {
    /// The custom field `key` of the entity at `entity` (generated code calls this).
    #[doc(hidden)]
    pub fn at<E>(entity: &Path, key: CustomKey<E, T>) -> Self
    where
        T: CustomKind,
    {
        let view = match entity.as_str() {
            "" => key.view().to_owned(),
            path => format!("{path}/{}", key.view()),
        };
        CustomPath {
            entity: entity.clone(),
            view: key.view(),
            field: key.field(),
            filter: custom_field::<T>(&view, key.field()),
            kind: PhantomData,
        }
    }

    /// The reference `$custom` takes: `CurrentCustomer.UsrLoyaltyTier`,
    /// `Details/Transactions.UsrUnitWeight`.
    pub fn reference(&self) -> String {
        match self.entity.as_str() {
            "" => format!("{}.{}", self.view, self.field),
            path => format!("{path}/{}.{}", self.view, self.field),
        }
    }

    /// The linked or detail entity holding the field (empty at the top level).
    pub fn entity(&self) -> &Path {
        &self.entity
    }
}

/// The kinds Acumatica's documentation shows in `cf.<Type>(f='View.Field')`: `String`,
/// `Decimal` and `DateTime`.
pub trait CustomFilterKind: CustomKind {}

impl CustomFilterKind for String {}
impl CustomFilterKind for Decimal {}
impl CustomFilterKind for DateTime {}

impl<T: CustomFilterKind> Deref for CustomPath<T> {
    type Target = Field<T>;
    fn deref(&self) -> &Field<T> {
        &self.filter
    }
}

/// A `$custom` entry: a typed [`CustomPath`] (which also knows what to expand), or text
/// (`"ItemSettings.UsrRepairItemType"`, `"Details/Transactions.UsrX"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomRef {
    pub(crate) reference: String,
    pub(crate) expand: Option<Path>,
}

impl From<&str> for CustomRef {
    fn from(reference: &str) -> Self {
        CustomRef {
            reference: reference.to_owned(),
            expand: None,
        }
    }
}

impl From<String> for CustomRef {
    fn from(reference: String) -> Self {
        CustomRef {
            reference,
            expand: None,
        }
    }
}

impl From<&String> for CustomRef {
    fn from(reference: &String) -> Self {
        CustomRef::from(reference.as_str())
    }
}

impl<T> From<&CustomPath<T>> for CustomRef {
    fn from(path: &CustomPath<T>) -> Self {
        CustomRef {
            reference: path.reference(),
            expand: (!path.entity.as_str().is_empty()).then(|| path.entity.clone()),
        }
    }
}

impl<T> From<CustomPath<T>> for CustomRef {
    fn from(path: CustomPath<T>) -> Self {
        CustomRef::from(&path)
    }
}
