//! Streaming 10,000 customers page by page returns every one exactly once.

use std::collections::HashSet;

use acumatica_sdk::default::DefaultEndpoint;
use acumatica_sdk::query::QueryOptions;
use acumatica_tests::{Config, SeedCounts, answers, builder, emulator_with};
use futures::TryStreamExt;

#[tokio::test]
async fn ten_thousand_customers_stream_exactly_once() {
    const CUSTOMERS: usize = 10_000;
    const PAGE: usize = 500;
    let emu = emulator_with(Config::default().counts(SeedCounts {
        customers: CUSTOMERS,
        ..SeedCounts::NONE
    }))
    .await;
    let client = builder(&emu).page_size(PAGE as u32).build().unwrap();

    let mut seen = HashSet::with_capacity(CUSTOMERS);
    let mut yielded = 0usize;
    let stream = client.customers().get_list_stream(QueryOptions::new());
    futures::pin_mut!(stream);
    while let Some(customer) = stream.try_next().await.unwrap() {
        yielded += 1;
        let id = customer
            .customer_id
            .into_inner()
            .expect("every customer has an ID");
        assert!(seen.insert(id.clone()), "{id} came twice");
    }
    assert_eq!(yielded, CUSTOMERS);
    assert_eq!(seen.len(), CUSTOMERS);
    let stored: HashSet<String> = emu
        .store()
        .list("Customer")
        .iter()
        .filter_map(|r| r["CustomerID"]["value"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(seen, stored);

    // One request per page of the configured size (the last, short page ends the stream): the
    // stream never holds more than one page.
    assert_eq!(answers(&emu.metrics(), 200), (CUSTOMERS / PAGE + 1) as u64);
}
