//! Typed paths to fields: what `Customer::fields().main_contact().email()` returns.

use std::marker::PhantomData;

use rust_decimal::Decimal;

use super::filter::{CompareOp, Filter, Literal};
use crate::types::{DateTime, Uuid};

/// A path from a top-level entity to a linked entity or a field: `MainContact/Address/City`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Path(String);

impl Path {
    /// The top-level entity itself.
    pub fn root() -> Self {
        Path(String::new())
    }

    /// A path given as text (`MainContact/Email`); checked when the query is built.
    pub fn parse(path: impl Into<String>) -> Self {
        Path(path.into())
    }

    /// The path one level down.
    pub fn child(&self, name: &str) -> Path {
        if self.0.is_empty() {
            Path(name.to_owned())
        } else {
            Path(format!("{}/{name}", self.0))
        }
    }

    /// The path as Acumatica writes it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether every segment is an identifier, so that the path cannot change a query's shape.
    #[doc(hidden)]
    pub fn is_valid(&self) -> bool {
        !self.0.is_empty()
            && self.0.split('/').all(|seg| {
                seg.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
    }
}

/// The typed field paths of one entity. Generated for every entity; reached through
/// `Customer::fields()`, or through a linked field of another entity.
pub trait FieldSet: Sized {
    /// The field set of the entity found at `path`.
    #[doc(hidden)]
    fn at(path: Path) -> Self;
    /// Where this entity sits relative to the top-level entity.
    fn path(&self) -> &Path;
}

/// Marker for fields addressed by name without a known type ([`field`]).
#[derive(Debug, Clone, Copy)]
pub enum Any {}

/// A typed path to one field: comparisons accept only values of the field's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<T> {
    operand: String,
    valid: bool,
    kind: PhantomData<fn() -> T>,
}

impl<T> Field<T> {
    /// A field at `path` (generated code calls this).
    #[doc(hidden)]
    pub fn at(path: Path) -> Self {
        Field {
            valid: path.is_valid(),
            operand: path.0,
            kind: PhantomData,
        }
    }

    /// The path as it appears in `$filter` and `$select`.
    pub fn path(&self) -> &str {
        &self.operand
    }

    fn compare(&self, op: CompareOp, literal: Literal) -> Filter {
        Filter::compare(self.operand.clone(), self.valid, op, literal)
    }

    /// `Field eq null`.
    pub fn is_null(&self) -> Filter {
        self.compare(CompareOp::Eq, Literal::Null)
    }

    /// `Field ne null`.
    pub fn is_not_null(&self) -> Filter {
        self.compare(CompareOp::Ne, Literal::Null)
    }
}

/// Values that can stand on the right of a comparison with a field of their kind.
pub trait FilterValue {
    /// The literal.
    fn into_literal(self) -> Literal;
}

macro_rules! filter_value {
    ($($t:ty => $variant:ident),*) => {$(
        impl FilterValue for $t {
            fn into_literal(self) -> Literal {
                Literal::$variant(self.into())
            }
        }
    )*};
}

filter_value!(String => String, Decimal => Decimal, bool => Bool, i16 => Int, i32 => Int, i64 => Int, u8 => Int, f64 => Double, Uuid => Guid, DateTime => DateTime);

macro_rules! comparisons {
    ($($method:ident => $op:ident, $doc:literal;)*) => {
        impl<T: FilterValue> Field<T> {
            $(
                #[doc = $doc]
                pub fn $method(&self, value: impl Into<T>) -> Filter {
                    self.compare(CompareOp::$op, value.into().into_literal())
                }
            )*
        }
        impl Field<Any> {
            $(
                #[doc = $doc]
                pub fn $method(&self, value: impl Into<Literal>) -> Filter {
                    self.compare(CompareOp::$op, value.into())
                }
            )*
        }
    };
}

comparisons! {
    eq => Eq, "`Field eq value`";
    ne => Ne, "`Field ne value`";
    gt => Gt, "`Field gt value`";
    ge => Ge, "`Field ge value`";
    lt => Lt, "`Field lt value`";
    le => Le, "`Field le value`";
}

impl Field<String> {
    /// The field contains `text`: `substringof('text', Field)` on the contract API,
    /// `contains(Field, 'text')` in generic inquiries (OData v4).
    pub fn contains(&self, text: impl Into<String>) -> Filter {
        Filter::function("substringof", self.operand.clone(), self.valid, text.into())
    }
    /// `startswith(Field, 'text')`.
    pub fn starts_with(&self, text: impl Into<String>) -> Filter {
        Filter::function("startswith", self.operand.clone(), self.valid, text.into())
    }
    /// `endswith(Field, 'text')`.
    pub fn ends_with(&self, text: impl Into<String>) -> Filter {
        Filter::function("endswith", self.operand.clone(), self.valid, text.into())
    }
}

/// A field addressed by its wire name, untyped, like easy-acumatica's `F.Status`.
///
/// ```
/// use acumatica_sdk::query::field;
/// let f = field("MainContact/Email").eq("a@example.com") & !field("Status").eq("Inactive");
/// assert_eq!(f.to_string(), "MainContact/Email eq 'a@example.com' and not (Status eq 'Inactive')");
/// ```
pub fn field(path: &str) -> Field<Any> {
    Field::at(Path::parse(path))
}

/// A custom field in `$filter`: `cf.String(f='ItemSettings.UsrRepairItemType')`.
///
/// `T` picks the `cf.` function (`String`, `Decimal`, `DateTime`, `Boolean`, `Int`, ...).
/// ```
/// use acumatica_sdk::query::custom_field;
/// let f = custom_field::<String>("ItemSettings", "UsrRepairItemType").eq("Battery");
/// assert_eq!(f.to_string(), "cf.String(f='ItemSettings.UsrRepairItemType') eq 'Battery'");
/// ```
pub fn custom_field<T: CustomKind>(view: &str, field: &str) -> Field<T> {
    let ident = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '/')
    };
    Field {
        operand: format!("cf.{}(f='{view}.{field}')", T::FUNCTION),
        valid: ident(view) && ident(field),
        kind: PhantomData,
    }
}

/// Kinds with a `cf.` filter function.
pub trait CustomKind: FilterValue {
    /// `String`, `Decimal`, ...
    const FUNCTION: &'static str;
}

macro_rules! custom_kind {
    ($($t:ty => $f:literal),*) => {$( impl CustomKind for $t { const FUNCTION: &'static str = $f; } )*};
}
custom_kind!(String => "String", Decimal => "Decimal", DateTime => "DateTime", bool => "Boolean", i32 => "Int", i16 => "Short", i64 => "Long", u8 => "Byte", f64 => "Double", Uuid => "Guid");

/// A detail collection in a field set: expandable, and its fields selectable
/// (`Details/InventoryID`). Acumatica does not filter on detail fields, so there is no filter
/// through a detail.
#[derive(Debug, Clone)]
pub struct Detail<F> {
    path: Path,
    fields: PhantomData<fn() -> F>,
}

impl<F: FieldSet> Detail<F> {
    /// The collection at `path` (generated code calls this).
    #[doc(hidden)]
    pub fn at(path: Path) -> Self {
        Detail {
            path,
            fields: PhantomData,
        }
    }

    /// The collection's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The fields of the detail entity, for `$select` (`Details/InventoryID`).
    pub fn fields(&self) -> F {
        F::at(self.path.clone())
    }
}
