//! A crate of a tenant's own: its build script (`build.rs`) generates the typed module of the
//! tenant's endpoint (here DeviceHub/23.200.001) into `OUT_DIR`, and this crate includes it.
//!
//! Nothing generated is committed: the module follows the schema on every build.

#![deny(warnings)]

/// The generated `DeviceHub/23.200.001` endpoint: entities, services and the
/// `DeviceHubEndpoint` trait that adds `client.printers()`, ... to the client.
pub mod device_hub {
    include!(concat!(env!("OUT_DIR"), "/device_hub.rs"));
}

use acumatica_sdk::prelude::*;
use device_hub::{DeviceHubEndpoint as _, Printer};

/// The names of the active printers, sorted: one call of one generated service.
pub async fn active_printers(client: &AcumaticaClient) -> Result<Vec<String>> {
    let f = Printer::filter();
    let printers = client
        .printers()
        .get_list(QueryOptions::new().filter(f.is_active().eq(true)))
        .await?;
    let mut names: Vec<String> = printers
        .iter()
        .filter_map(|p| p.printer_name.get().cloned())
        .collect();
    names.sort();
    Ok(names)
}

/// Registers a printer.
pub async fn add_printer(client: &AcumaticaClient, name: &str, active: bool) -> Result<Printer> {
    let printer = Printer {
        printer_name: name.into(),
        description: format!("{name} (added by tenant-app)").into(),
        is_active: active.into(),
        ..Default::default()
    };
    client
        .printers()
        .put_entity(&printer, QueryOptions::new())
        .await
}

/// The README's Rust examples, compiled as doc-tests here: this crate depends on the SDK (with
/// its default features, as a user's crate does), has the generator for the build-script
/// example, and has an `OUT_DIR` holding the generated module for the `include!` example.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
