//! The runtime's names most programs need: `use acumatica_sdk::prelude::*;`.
//!
//! The prelude holds no endpoint: neither the built-in endpoint's trait
//! ([`DefaultEndpoint`](crate::default::DefaultEndpoint), which gives `client.customers()`) nor its
//! entity types. A module you generate for your own tenant (an extension of Default, another
//! version) has a trait with the same method names and types with the same names, and the two
//! would be ambiguous (E0034, E0659) beside a prelude that imported the built-in ones. Import
//! the endpoint you use from its own module:
//!
//! ```no_run
//! use acumatica_sdk::prelude::*;
//! use acumatica_sdk::default::{Customer, DefaultEndpoint as _}; // or your generated module's
//!
//! # async fn f(client: AcumaticaClient) -> acumatica_sdk::Result<()> {
//! let big: Vec<Customer> = client
//!     .customers()
//!     .get_list(QueryOptions::new().filter(Customer::filter().credit_limit().gt(dec!(1000))))
//!     .await?;
//! # Ok(()) }
//! ```

pub use crate::batch::{Batch, BatchCall, BatchResults};
pub use crate::client::{AcumaticaClient, Credentials};
pub use crate::dec;
pub use crate::entity::{Entity, TopLevelEntity};
pub use crate::error::{Error, Result};
pub use crate::query::{Filter, QueryOptions, field};
pub use crate::types::{DateTime, Decimal, Uuid, Value};

/// A [`Decimal`] literal, checked and converted at compile time: `dec!(1000)`, `dec!(-12.50)`,
/// `dec!(0.000_1)`.
///
/// The literal is an integer or a decimal number (digits, `_` separators, at most one `.`, an
/// optional leading `-`), with at most 28 digits after the point and a value that fits in 96
/// bits; anything else (an exponent, a suffix, a string) fails to compile. It expands to paths
/// through `acumatica_sdk` only, so a crate needs no dependency on `rust_decimal` to use it.
///
/// ```
/// use acumatica_sdk::prelude::*;
///
/// assert_eq!(dec!(1000), Decimal::from(1000));
/// assert_eq!(dec!(-12.50).to_string(), "-12.50");
/// assert_eq!(dec!(1_000.000_1), "1000.0001".parse::<Decimal>().unwrap());
/// const LIMIT: Decimal = dec!(7500);
/// assert_eq!(LIMIT, Decimal::from(7500));
/// ```
///
/// ```compile_fail
/// let _ = acumatica_sdk::dec!(1e6); // exponents are not decimal literals
/// ```
#[macro_export]
macro_rules! dec {
    (- $lit:literal) => {{
        const VALUE: $crate::types::Decimal =
            $crate::prelude::__decimal(::core::concat!("-", ::core::stringify!($lit)));
        VALUE
    }};
    ($lit:literal) => {{
        const VALUE: $crate::types::Decimal = $crate::prelude::__decimal(::core::stringify!($lit));
        VALUE
    }};
}

/// Parses a decimal literal for [`dec!`](crate::dec) at compile time; panics (a compile error
/// in a constant) on anything else. Not part of the public API.
#[doc(hidden)]
pub const fn __decimal(text: &str) -> Decimal {
    let bytes = text.as_bytes();
    let mut i = 0;
    let negative = !bytes.is_empty() && bytes[0] == b'-';
    if negative {
        i = 1;
    }
    let mut mantissa: u128 = 0;
    let mut scale: u32 = 0;
    let mut digits = 0;
    let mut point = false;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'0'..=b'9' => {
                mantissa = match mantissa.checked_mul(10) {
                    Some(m) => match m.checked_add((b - b'0') as u128) {
                        Some(m) => m,
                        None => panic!("dec!: the value does not fit in a Decimal (96 bits)"),
                    },
                    None => panic!("dec!: the value does not fit in a Decimal (96 bits)"),
                };
                digits += 1;
                if point {
                    scale += 1;
                }
            }
            b'_' => {}
            b'.' if !point => point = true,
            _ => panic!(
                "dec!: not a decimal literal (digits, `_`, one `.`, an optional leading `-`)"
            ),
        }
        i += 1;
    }
    if digits == 0 {
        panic!("dec!: not a decimal literal (no digits)");
    }
    if scale > Decimal::MAX_SCALE {
        panic!("dec!: more than 28 digits after the point");
    }
    if mantissa >> 96 != 0 {
        panic!("dec!: the value does not fit in a Decimal (96 bits)");
    }
    Decimal::from_parts(
        mantissa as u32,
        (mantissa >> 32) as u32,
        (mantissa >> 64) as u32,
        negative,
        scale,
    )
}
