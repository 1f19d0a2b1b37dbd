//! Query options (`$filter`, `$select`, `$expand`, `$custom`, `$top`, `$skip`) and the typed
//! field paths generated entities expose to build them.
//!
//! ```
//! use acumatica_sdk::default::Customer;
//! use acumatica_sdk::query::QueryOptions;
//! use rust_decimal_macros::dec;
//!
//! let f = Customer::fields();
//! let options = QueryOptions::new()
//!     .filter(f.status().eq("Active").and(f.credit_limit().gt(dec!(1000))))
//!     .select((f.customer_id(), f.customer_name(), f.main_contact().email()))
//!     .expand(f.main_contact())
//!     .top(10);
//! assert_eq!(
//!     options.filter_string().unwrap(),
//!     "Status eq 'Active' and CreditLimit gt 1000M"
//! );
//! ```

mod custom;
mod fields;
mod filter;
mod options;

pub use custom::{CustomFilterKind, CustomPath, CustomRef};
pub use fields::{
    Any, CustomKind, Detail, Field, FieldSet, FilterValue, Path, custom_field, field,
};
pub use filter::{CompareOp, Filter, Literal};
pub use options::{Expandable, QueryOptions, Selectable};
