//! Queries: literals with quotes and `' or 1 eq 1` match only what they say, typed filters and
//! the by-name builder agree with the data, custom-field filters, and typed `$select`/`$expand`.

use acumatica_sdk::default::{Customer, DefaultEndpoint};
use acumatica_sdk::query::{QueryOptions, custom_field, field};
use acumatica_sdk::types::{DateTime, Decimal};
use acumatica_tests::fixtures::{stored_keys, stored_text};
use acumatica_tests::proxy::RecordingProxy;
use acumatica_tests::{builder_at, client, emulator};

fn ids(customers: &[Customer]) -> Vec<String> {
    customers
        .iter()
        .map(|c| c.customer_id.get().cloned().unwrap_or_default())
        .collect()
}

/// CustomerIDs of the stored customers that satisfy `keep`, in store order.
fn stored_ids(
    emu: &acumatica_tests::Emulator,
    keep: impl Fn(&serde_json::Value) -> bool,
) -> Vec<String> {
    emu.store()
        .list("Customer")
        .iter()
        .filter(|r| keep(r))
        .map(|r| stored_keys::<Customer>(r).remove(0))
        .collect()
}

#[tokio::test]
async fn quotes_and_injected_conditions_in_literals_match_only_that_text() {
    let emu = emulator().await;
    let proxy = RecordingProxy::start(emu.addr()).await;
    let client = builder_at(proxy.url(), &emu).build().unwrap();
    let tricky = "O'Brien' or 1 eq 1";
    for (id, name) in [
        ("OBRIEN1", tricky),
        ("OBRIEN2", "O'Brien"),
        ("OBRIEN3", "O'Brien' or '1' eq '1"),
    ] {
        client
            .customers()
            .put_entity(
                &Customer {
                    customer_id: id.into(),
                    customer_name: name.into(),
                    ..Customer::default()
                },
                QueryOptions::new(),
            )
            .await
            .unwrap();
    }
    let total = emu.store().count("Customer");
    assert!(total > 3);

    let typed = client
        .customers()
        .get_list(QueryOptions::new().filter(Customer::filter().customer_name().eq(tricky)))
        .await
        .unwrap();
    assert_eq!(ids(&typed), ["OBRIEN1"]);
    assert_eq!(typed[0].customer_name, tricky);

    let by_name = client
        .customers()
        .get_list(QueryOptions::new().filter(field("CustomerName").eq("O'Brien")))
        .await
        .unwrap();
    assert_eq!(ids(&by_name), ["OBRIEN2"]);

    let contains = client
        .customers()
        .get_list(
            QueryOptions::new().filter(
                Customer::filter()
                    .customer_name()
                    .contains("' or '1' eq '1"),
            ),
        )
        .await
        .unwrap();
    assert_eq!(ids(&contains), ["OBRIEN3"]);

    let starts = client
        .customers()
        .get_list(
            QueryOptions::new().filter(Customer::filter().customer_name().starts_with("O'Brien")),
        )
        .await
        .unwrap();
    assert_eq!(ids(&starts), ["OBRIEN1", "OBRIEN2", "OBRIEN3"]);

    // On the wire the quotes are doubled inside one literal.
    let sent = proxy.requests();
    assert!(
        sent.contains("%24filter=CustomerName+eq+%27O%27%27Brien%27%27+or+1+eq+1%27"),
        "{sent}"
    );
}

#[tokio::test]
async fn typed_and_by_name_filters_agree_with_the_data() {
    let emu = emulator().await;
    let client = client(&emu);
    let f = Customer::filter();
    let active_and_high = client
        .customers()
        .get_list(
            QueryOptions::new()
                .filter(f.status().eq("Active") & f.credit_limit().gt(Decimal::from(5000))),
        )
        .await
        .unwrap();
    let want = stored_ids(&emu, |r| {
        stored_text(r, "Status").as_deref() == Some("Active")
            && stored_text(r, "CreditLimit")
                .and_then(|v| v.parse::<Decimal>().ok())
                .is_some_and(|v| v > Decimal::from(5000))
    });
    assert!(!want.is_empty() && want.len() < emu.store().count("Customer"));
    assert_eq!(ids(&active_and_high), want);

    // The same by wire names, negated: the complement.
    let rest =
        client
            .customers()
            .get_list(QueryOptions::new().filter(
                !(field("Status").eq("Active") & field("CreditLimit").gt(Decimal::from(5000))),
            ))
            .await
            .unwrap();
    assert_eq!(rest.len() + want.len(), emu.store().count("Customer"));
    assert!(ids(&rest).iter().all(|id| !want.contains(id)));

    // Date-times compare as instants.
    let cutoff: DateTime = "2024-07-01T00:00:00+00:00".parse().unwrap();
    let recent = client
        .customers()
        .get_list(QueryOptions::new().filter(f.last_modified_date_time().ge(cutoff)))
        .await
        .unwrap();
    let want = stored_ids(&emu, |r| {
        stored_text(r, "LastModifiedDateTime")
            .and_then(|t| t.parse::<DateTime>().ok())
            .is_some_and(|t| t.to_fixed_offset() >= cutoff.to_fixed_offset())
    });
    assert!(!want.is_empty());
    assert_eq!(ids(&recent), want);
}

#[tokio::test]
async fn custom_fields_filter_and_come_back_typed() {
    let emu = emulator().await;
    let client = client(&emu);
    let gold = client
        .customers()
        .get_list(
            QueryOptions::new()
                .filter(custom_field::<String>("CurrentCustomer", "UsrLoyaltyTier").eq("Gold"))
                .custom("CurrentCustomer.UsrLoyaltyTier"),
        )
        .await
        .unwrap();
    let want = stored_ids(&emu, |r| {
        r["custom"]["CurrentCustomer"]["UsrLoyaltyTier"]["value"] == "Gold"
    });
    assert!(!want.is_empty());
    assert_eq!(ids(&gold), want);
    for c in &gold {
        let tier = c
            .meta
            .custom_field("CurrentCustomer", "UsrLoyaltyTier")
            .unwrap();
        assert_eq!(tier, &acumatica_sdk::CustomField::string("Gold"));
    }
}

#[tokio::test]
async fn typed_select_and_expand_return_only_what_was_asked() {
    let emu = emulator().await;
    let client = client(&emu);
    let f = Customer::fields();
    let c: Customer = client
        .customers()
        .get_by_keys_with(
            &["C001"],
            QueryOptions::new()
                .select((f.customer_id(), f.main_contact().email()))
                .expand(f.main_contact()),
        )
        .await
        .unwrap();
    assert_eq!(c.customer_id, "C001");
    assert!(c.customer_name.is_absent() && c.credit_limit.is_absent());
    let contact = c.main_contact.expect("MainContact was expanded");
    let stored = emu.store().find("Customer", &["C001"]).unwrap();
    assert_eq!(
        contact.email.get().map(String::as_str),
        stored["MainContact"]["Email"]["value"].as_str()
    );
    assert!(contact.first_name.is_absent());

    // Without $expand a linked entity is not returned.
    let plain: Customer = client.customers().get_by_keys(&["C001"]).await.unwrap();
    assert!(plain.main_contact.is_none());
    assert!(plain.customer_name.is_set());
}
