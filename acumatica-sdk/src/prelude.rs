//! The names most programs need: `use acumatica_sdk::prelude::*;`.

pub use crate::batch::{Batch, BatchCall, BatchResults};
pub use crate::client::{AcumaticaClient, Credentials};
pub use crate::default::DefaultEndpoint as _;
pub use crate::default::{Customer, Invoice, SalesOrder, StockItem};
pub use crate::entity::{Entity, TopLevelEntity};
pub use crate::error::{Error, Result};
pub use crate::query::{Filter, QueryOptions, field};
pub use crate::types::{DateTime, Decimal, Uuid, Value};
