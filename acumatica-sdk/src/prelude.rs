//! The names most programs need: `use acumatica_sdk::prelude::*;`.

pub use crate::batch::{Batch, BatchCall, BatchResults};
pub use crate::client::{AcumaticaClient, Credentials};
#[cfg(feature = "customer")]
pub use crate::default::Customer;
pub use crate::default::DefaultEndpoint as _;
#[cfg(feature = "invoice")]
pub use crate::default::Invoice;
#[cfg(feature = "sales_order")]
pub use crate::default::SalesOrder;
#[cfg(feature = "stock_item")]
pub use crate::default::StockItem;
pub use crate::entity::{Entity, TopLevelEntity};
pub use crate::error::{Error, Result};
pub use crate::query::{Filter, QueryOptions, field};
pub use crate::types::{DateTime, Decimal, Uuid, Value};
