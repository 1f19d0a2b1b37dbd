//! Quickstart: the SDK end to end against the embedded Acumatica emulator — no tenant, no
//! credentials of your own.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! To run the same code against a real tenant, build the client with
//! `AcumaticaClient::from_env()` (ACUMATICA_URL, ACUMATICA_USERNAME, ACUMATICA_PASSWORD, ...)
//! instead of pointing it at the emulator.

use acumatica_emulator::{Config, Emulator};
use acumatica_sdk::default::{Customer, DefaultEndpoint as _, Invoice, SalesOrder};
use acumatica_sdk::entity::CustomKey;
use acumatica_sdk::prelude::*;
use acumatica_sdk::query::{CustomPath, Path};

/// A custom field of this tenant (not in the endpoint schema). `acumatica-codegen --url`
/// generates it from the tenant's `$adHocSchema` as `Customer::USR_LOYALTY_TIER`, with the
/// field path `Customer::fields().usr_loyalty_tier()`; the SDK's built-in Default module is
/// generated from the published schema alone, so here it is declared by hand.
const USR_LOYALTY_TIER: CustomKey<Customer, String> =
    CustomKey::new("CurrentCustomer", "UsrLoyaltyTier");

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // 1. A local tenant: the Default/24.200.001 endpoint with deterministic seed data.
    let emulator = Emulator::start(Config::default()).await?;
    let creds = emulator.credentials();
    println!(
        "emulator at {} (user {}, tenant {})",
        emulator.url(),
        creds.username,
        creds.tenant
    );

    // 2. A client; it signs in on first use.
    let client = AcumaticaClient::builder()
        .base_url(emulator.url())
        .credentials(Credentials::new(creds.username, creds.password.as_str()).tenant(creds.tenant))
        .build()?;
    client.login().await?;
    println!("signed in\n");

    // 3. List and filter customers with a typed filter: field names and value kinds are
    //    checked at compile time, literals are escaped.
    let f = Customer::filter();
    let active = client
        .customers()
        .get_list(
            QueryOptions::new()
                .filter(f.status().eq("Active").and(f.credit_limit().gt(dec!(1000))))
                .select((f.customer_id(), f.customer_name(), f.credit_limit()))
                .top(5),
        )
        .await?;
    println!(
        "active customers with a credit limit above 1000 (first {}):",
        active.len()
    );
    for c in &active {
        // `Value<T>` displays its value (nothing when empty).
        println!(
            "  {:<6} {:<28} {:>12}",
            c.customer_id.to_string(),
            c.customer_name.to_string(),
            c.credit_limit.to_string()
        );
    }

    // 4. Read one by key, with its main contact expanded.
    let mut customer = client
        .customers()
        .get_by_id_with(
            "C001",
            QueryOptions::new().expand(Customer::fields().main_contact()),
        )
        .await?;
    let email = customer
        .main_contact
        .as_ref()
        .and_then(|c| c.email.get().cloned())
        .unwrap_or_default();
    println!(
        "\nC001: {} <{email}>, credit limit {}",
        customer.customer_name, customer.credit_limit
    );

    // 5. Update it: only the fields that are set are sent.
    let update = Customer {
        customer_id: "C001".into(),
        credit_limit: dec!(7500.00).into(),
        ..Default::default()
    };
    customer = client
        .customers()
        .put_entity(&update, QueryOptions::new())
        .await?;
    println!(
        "updated C001: credit limit is now {}",
        customer.credit_limit
    );

    // 6. A typed custom field: asked for with `$custom`, read, written, and filtered on with
    //    `cf.String(...)`. The value kinds are checked at compile time.
    let tier = CustomPath::at(&Path::root(), USR_LOYALTY_TIER);
    let c002 = client
        .customers()
        .get_by_id_with("C002", QueryOptions::new().custom(&tier))
        .await?;
    println!(
        "\nC002's loyalty tier (custom field CurrentCustomer.UsrLoyaltyTier): {}",
        USR_LOYALTY_TIER.get(&c002).map_or("-", String::as_str)
    );
    let mut promote = Customer {
        customer_id: "C002".into(),
        ..Default::default()
    };
    USR_LOYALTY_TIER.set(&mut promote, "Gold");
    client
        .customers()
        .put_entity(&promote, QueryOptions::new())
        .await?;
    let gold = client
        .customers()
        .get_list(
            QueryOptions::new()
                .filter(tier.eq("Gold"))
                .select(f.customer_id()),
        )
        .await?;
    let ids: Vec<String> = gold.iter().map(|c| c.customer_id.to_string()).collect();
    println!("gold customers after promoting C002: {}", ids.join(", "));

    // 7. Run an action (a long-running one is polled until it finishes).
    let open = client
        .sales_orders()
        .get_list(
            QueryOptions::new()
                .filter(SalesOrder::filter().status().eq("Open"))
                .top(1),
        )
        .await?;
    let order = open
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no open sales order"))?;
    let keys = [order.order_type.to_string(), order.order_nbr.to_string()];
    println!("\nsales order {}/{} is {}", keys[0], keys[1], order.status);
    client.sales_orders().cancel_sales_order(&order).await?;
    let order = client
        .sales_orders()
        .get_by_keys(&[&keys[0], &keys[1]])
        .await?;
    println!("after CancelSalesOrder it is {}", order.status);

    // 8. A typed batch of three entity types, each call on its own session.
    let (customer, order, invoices) = client
        .batch()
        .max_concurrent(3)
        .run((
            client.customers().get_by_id_batch("C002"),
            client.sales_orders().get_by_keys_batch(&["SO", "000002"]),
            client.invoices().get_list_batch(QueryOptions::new().top(3)),
        ))
        .await;
    let (customer, order, invoices): (Customer, SalesOrder, Vec<Invoice>) =
        (customer?, order?, invoices?);
    println!("\nbatch results:");
    println!(
        "  Customer   {}: {}",
        customer.customer_id, customer.customer_name
    );
    println!(
        "  SalesOrder {}/{}: {}, total {}",
        order.order_type, order.order_nbr, order.status, order.order_total
    );
    for i in &invoices {
        println!(
            "  Invoice    {}: customer {}, balance {}",
            i.reference_nbr, i.customer, i.balance
        );
    }

    // 9. Sign out; the emulator confirms nothing is left open.
    client.logout().await?;
    let m = emulator.metrics();
    println!(
        "\nsigned out: {} sign-ins, {} sign-outs, {} sessions still open",
        m.logins, m.logouts, m.active_sessions
    );
    Ok(())
}
