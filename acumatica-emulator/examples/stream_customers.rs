//! Streams every customer of a running emulator (or tenant) through the SDK's
//! `get_list_stream` and prints how many came and how fast, for `cargo xtask bench emulator`
//! (which runs it under `/usr/bin/time -v` to read its peak memory).
//!
//! `cargo run --release -p acumatica-emulator --example stream_customers -- URL [PAGE_SIZE]`
//! (admin / admin on tenant `Company`, the emulator's defaults; page size 500 unless given).

use std::time::{Duration, Instant};

use acumatica_sdk::default::DefaultEndpoint;
use acumatica_sdk::query::QueryOptions;
use acumatica_sdk::{AcumaticaClient, Credentials};
use futures::TryStreamExt;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or("usage: stream_customers URL [PAGE_SIZE]")?;
    let page: u32 = args.next().map_or(Ok(500), |p| p.parse())?;
    // One thread: the figure is the client's memory, not a thread pool's stacks.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let client = AcumaticaClient::builder()
            .base_url(url)
            .credentials(Credentials::new("admin", "admin").tenant("Company"))
            .page_size(page)
            .timeout(Duration::from_secs(120))
            .build()?;
        let started = Instant::now();
        let mut count = 0u64;
        let mut last = String::new();
        let stream = client.customers().get_list_stream(QueryOptions::new());
        futures::pin_mut!(stream);
        while let Some(customer) = stream.try_next().await? {
            count += 1;
            if let Some(id) = customer.customer_id.into_inner() {
                last = id;
            }
        }
        let secs = started.elapsed().as_secs_f64();
        client.logout().await?;
        println!(
            "streamed {count} customers (last {last}) in {secs:.2} s: {:.0} records/s",
            count as f64 / secs.max(1e-9)
        );
        Ok(())
    })
}
