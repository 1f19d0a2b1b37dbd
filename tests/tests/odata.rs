//! Generic inquiries over OData v4 (`acumatica_sdk::odata`): typed and untyped rows, `$filter`,
//! `$orderby`, `$top`, `$skip`, `$select`, paging, the session's cookie or bearer token, the
//! tenant, and errors.

use acumatica_sdk::default::{Customer, DefaultEndpoint};
use acumatica_sdk::oauth::OAuthConfig;
use acumatica_sdk::odata::{GenericInquiry, InquiryOptions};
use acumatica_sdk::query::{Filter, QueryOptions, field};
use acumatica_sdk::types::{DateTime, Decimal};
use acumatica_sdk::{AcumaticaClient, Credentials, Error};
use acumatica_tests::fixtures::stored_text;
use acumatica_tests::{Config, Emulator, answers, builder, client, emulator, emulator_with};
use chrono::FixedOffset;
use futures::TryStreamExt;
use serde::Deserialize;

/// A row of the `Customers` inquiry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CustomerRow {
    #[serde(rename = "CustomerID")]
    customer_id: String,
    customer_name: Option<String>,
    status: Option<String>,
    email: Option<String>,
    #[serde(default, deserialize_with = "acumatica_sdk::odata::decimal")]
    credit_limit: Option<Decimal>,
}

/// (CustomerID, CreditLimit) of the stored customers that satisfy `keep`.
fn stored_customers(
    emu: &Emulator,
    keep: impl Fn(&serde_json::Value) -> bool,
) -> Vec<(String, Decimal)> {
    emu.store()
        .list("Customer")
        .iter()
        .filter(|r| keep(r))
        .map(|r| {
            (
                stored_text(r, "CustomerID").unwrap(),
                stored_text(r, "CreditLimit").unwrap().parse().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn typed_rows_with_filter_order_and_top() {
    let emu = emulator().await;
    let client = client(&emu);
    let rows: Vec<CustomerRow> = client
        .inquiry::<CustomerRow>("Customers")
        .get(
            InquiryOptions::new()
                .filter(field("Status").eq("Active"))
                .order_by_desc("CreditLimit")
                .order_by("CustomerID")
                .top(5),
        )
        .await
        .unwrap();
    let mut want = stored_customers(&emu, |r| {
        stored_text(r, "Status").as_deref() == Some("Active")
    });
    want.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    want.truncate(5);
    assert_eq!(want.len(), 5);
    let got: Vec<(String, Decimal)> = rows
        .iter()
        .map(|r| (r.customer_id.clone(), r.credit_limit.unwrap()))
        .collect();
    assert_eq!(got, want);
    assert!(rows.iter().all(|r| r.status.as_deref() == Some("Active")));
    // Decimals keep the database scale.
    assert_eq!(rows[0].credit_limit.unwrap().scale(), 4);
    // The e-mail comes from the linked MainContact.
    let stored = emu
        .store()
        .find("Customer", &[rows[0].customer_id.as_str()])
        .unwrap();
    assert_eq!(
        rows[0].email.as_deref(),
        stored["MainContact"]["Email"]["value"].as_str()
    );
}

#[tokio::test]
async fn untyped_rows_with_select_and_skip() {
    let emu = emulator().await;
    let client = client(&emu);
    let rows = client
        .inquiry::<serde_json::Map<String, serde_json::Value>>("Customers")
        .get(
            InquiryOptions::new()
                .select("CustomerID,City")
                .order_by("CustomerID")
                .skip(3)
                .top(4),
        )
        .await
        .unwrap();
    let ids: Vec<&str> = rows
        .iter()
        .map(|r| r["CustomerID"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["C004", "C005", "C006", "C007"]);
    for r in &rows {
        let keys: Vec<&String> = r.keys().collect();
        assert_eq!(keys, ["City", "CustomerID"]);
    }
}

#[tokio::test]
async fn quotes_in_inquiry_filters_match_only_that_text() {
    let emu = emulator().await;
    let client = client(&emu);
    let tricky = "O'Brien' or 1 eq 1";
    client
        .customers()
        .put_entity(
            &Customer {
                customer_id: "OBRIEN".into(),
                customer_name: tricky.into(),
                ..Customer::default()
            },
            QueryOptions::new(),
        )
        .await
        .unwrap();
    let rows: Vec<CustomerRow> = client
        .inquiry("Customers")
        .get(InquiryOptions::new().filter(field("CustomerName").eq(tricky)))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].customer_id, "OBRIEN");
    assert_eq!(rows[0].customer_name.as_deref(), Some(tricky));
}

/// The sorted `CustomerID`s of the inquiry's rows that match `filter`.
async fn matching(inquiry: &GenericInquiry<CustomerRow>, filter: Filter) -> Vec<String> {
    let rows = inquiry
        .get(InquiryOptions::new().filter(filter))
        .await
        .unwrap();
    let mut ids: Vec<String> = rows.into_iter().map(|r| r.customer_id).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn decimal_and_date_time_filters_are_sent_in_odata_v4() {
    let emu = emulator().await;
    let client = client(&emu);
    let inquiry = client.inquiry::<CustomerRow>("Customers");
    let total = emu.store().count("Customer");

    // A decimal with a fraction goes as `CreditLimit gt 5000.50`, without v3's `M`.
    let limit: Decimal = "5000.50".parse().unwrap();
    let mut want: Vec<String> = stored_customers(&emu, |_| true)
        .into_iter()
        .filter(|(_, credit)| *credit > limit)
        .map(|(id, _)| id)
        .collect();
    want.sort();
    assert!(!want.is_empty() && want.len() < total, "{want:?}");
    assert_eq!(
        matching(&inquiry, field("CreditLimit").gt(limit)).await,
        want
    );

    // Date-times: the middle one of the stored customers, written with a +03:00 offset (the
    // `+` must survive the query string), and without an offset (sent with `Z`, read as UTC).
    let mut stamps: Vec<(String, chrono::DateTime<FixedOffset>)> = emu
        .store()
        .list("Customer")
        .iter()
        .map(|r| {
            let stamp = stored_text(r, "LastModifiedDateTime").unwrap();
            (
                stored_text(r, "CustomerID").unwrap(),
                chrono::DateTime::parse_from_rfc3339(&stamp).unwrap(),
            )
        })
        .collect();
    stamps.sort_by_key(|(_, at)| *at);
    let middle = stamps[stamps.len() / 2].1;
    let ids_where = |keep: &dyn Fn(&chrono::DateTime<FixedOffset>) -> bool| {
        let mut ids: Vec<String> = stamps
            .iter()
            .filter(|(_, at)| keep(at))
            .map(|(id, _)| id.clone())
            .collect();
        ids.sort();
        ids
    };
    let east = FixedOffset::east_opt(3 * 3600).unwrap();
    let with_offset = DateTime::from(middle.with_timezone(&east));
    let filter = field("LastModifiedDateTime").ge(with_offset);
    assert!(filter.to_odata_v4().contains("+03:00"), "{filter}");
    let want = ids_where(&|at| *at >= middle);
    assert!(!want.is_empty() && want.len() < total, "{want:?}");
    assert_eq!(matching(&inquiry, filter).await, want);

    let without_offset = DateTime::local(middle.naive_utc());
    let filter = field("LastModifiedDateTime").lt(without_offset);
    assert!(filter.to_odata_v4().ends_with('Z'), "{filter}");
    let want = ids_where(&|at| *at < middle);
    assert!(!want.is_empty(), "{want:?}");
    assert_eq!(matching(&inquiry, filter).await, want);
}

#[tokio::test]
async fn text_with_quotes_in_contains_and_the_other_functions() {
    let emu = emulator().await;
    let client = client(&emu);
    for (id, name) in [("OBRIEN", "O'Brien's Bakery"), ("OTHER", "Brien Bakery")] {
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
    let inquiry = client.inquiry::<CustomerRow>("Customers");
    let name = Customer::fields().customer_name();
    // `contains(CustomerName, '''Brien''s')`: v4 has no `substringof`.
    let filter = name.contains("'Brien's");
    assert_eq!(filter.to_odata_v4(), "contains(CustomerName, '''Brien''s')");
    assert_eq!(matching(&inquiry, filter).await, ["OBRIEN"]);
    assert_eq!(
        matching(&inquiry, name.starts_with("O'B")).await,
        ["OBRIEN"]
    );
    assert_eq!(
        matching(&inquiry, name.ends_with("n's Bakery")).await,
        ["OBRIEN"]
    );
    assert_eq!(
        matching(&inquiry, name.contains("Brien") & !name.contains("'")).await,
        ["OTHER"]
    );
    // An injection attempt is one string that matches nothing.
    assert!(
        matching(&inquiry, name.contains("x') or contains(CustomerName, '"))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn streaming_pages_through_every_row_once() {
    let emu = emulator().await;
    let client = builder(&emu).page_size(6).build().unwrap();
    let rows: Vec<CustomerRow> = client
        .inquiry::<CustomerRow>("Customers")
        .stream(InquiryOptions::new().order_by("CustomerID"))
        .try_collect()
        .await
        .unwrap();
    let mut want: Vec<String> = stored_customers(&emu, |_| true)
        .into_iter()
        .map(|c| c.0)
        .collect();
    want.sort();
    assert_eq!(
        rows.iter()
            .map(|r| r.customer_id.clone())
            .collect::<Vec<_>>(),
        want
    );
    assert_eq!(answers(&emu.metrics(), 200), (want.len() / 6 + 1) as u64);

    // $skip and $top bound the stream.
    let window: Vec<CustomerRow> = client
        .inquiry::<CustomerRow>("Customers")
        .stream(InquiryOptions::new().order_by("CustomerID").skip(5).top(8))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        window
            .iter()
            .map(|r| r.customer_id.as_str())
            .collect::<Vec<_>>(),
        want[5..13].iter().map(String::as_str).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn other_inquiries_read_into_their_own_rows() {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct OrderRow {
        order_type: String,
        order_nbr: String,
        #[serde(rename = "CustomerID")]
        customer_id: String,
        #[serde(default, deserialize_with = "acumatica_sdk::odata::decimal")]
        order_total: Option<Decimal>,
    }
    let emu = emulator().await;
    let client = client(&emu);
    let orders: Vec<OrderRow> = client
        .inquiry("SalesOrders")
        .get(InquiryOptions::new().filter(field("OrderNbr").eq("000001")))
        .await
        .unwrap();
    assert_eq!(orders.len(), 1);
    let stored = emu.store().find("SalesOrder", &["SO", "000001"]).unwrap();
    assert_eq!(orders[0].order_type, "SO");
    assert_eq!(orders[0].order_nbr, "000001");
    assert_eq!(
        Some(orders[0].customer_id.clone()),
        stored_text(&stored, "CustomerID")
    );
    assert_eq!(
        orders[0].order_total,
        stored_text(&stored, "OrderTotal").map(|t| t.parse::<Decimal>().unwrap())
    );
    assert_eq!(orders[0].order_total.unwrap().scale(), 4);
}

#[tokio::test]
async fn the_session_signs_in_and_again_after_expiry() {
    let emu = emulator().await;
    let client = client(&emu);
    let inquiry = client.inquiry::<CustomerRow>("Customers");
    assert_eq!(inquiry.path().unwrap(), "/t/Company/api/odata/gi/Customers");
    assert_eq!(
        inquiry
            .get(InquiryOptions::new().top(2))
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(emu.metrics().logins, 1, "signed in with a cookie session");
    emu.expire_sessions();
    assert_eq!(
        inquiry
            .get(InquiryOptions::new().top(2))
            .await
            .unwrap()
            .len(),
        2
    );
    let m = emu.metrics();
    assert_eq!((m.logins, answers(&m, 401)), (2, 1));
}

#[tokio::test]
async fn a_bearer_token_reads_the_inquiry_of_the_client_ids_tenant() {
    let emu = emulator().await;
    let oc = emu.oauth_client();
    let client = AcumaticaClient::builder()
        .base_url(emu.url())
        .oauth(OAuthConfig::password(
            oc.client_id,
            oc.client_secret,
            "admin",
            "admin",
        ))
        .build()
        .unwrap();
    let inquiry = client.inquiry::<CustomerRow>("Customers");
    assert_eq!(inquiry.path().unwrap(), "/t/Company/api/odata/gi/Customers");
    let rows = inquiry.get(InquiryOptions::new()).await.unwrap();
    assert_eq!(rows.len(), emu.store().count("Customer"));
    assert_eq!(emu.metrics().logins, 1);
}

#[tokio::test]
async fn tenant_errors() {
    let emu = emulator_with(Config::default().tenants(["Company", "Other"])).await;
    // Credentials without a tenant: the inquiry's URL cannot be made, nothing is sent.
    let no_tenant = AcumaticaClient::builder()
        .base_url(emu.url())
        .credentials(Credentials::new("admin", "admin"))
        .build()
        .unwrap();
    let err = no_tenant
        .inquiry::<CustomerRow>("Customers")
        .get(InquiryOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Config { setting, .. } if setting == "tenant"),
        "{err:?}"
    );
    assert_eq!(emu.metrics().requests_total, 0);
    // ... unless it is given.
    let rows = no_tenant
        .inquiry::<CustomerRow>("Customers")
        .tenant("Company")
        .get(InquiryOptions::new().top(1))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);

    // A session of one tenant cannot read another's inquiries.
    let client = client(&emu);
    let err = client
        .inquiry::<CustomerRow>("Customers")
        .tenant("Other")
        .get(InquiryOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Authentication { status: 401, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn errors_name_what_went_wrong() {
    let emu = emulator().await;
    let client = client(&emu);
    let err = client
        .inquiry::<CustomerRow>("NotExposed")
        .get(InquiryOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound { status: 404, .. }),
        "{err:?}"
    );

    let err = client
        .inquiry::<CustomerRow>("Customers")
        .get(InquiryOptions::new().filter(field("NoSuchColumn").eq(1)))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Server { status: 400, message, .. } if message.contains("NoSuchColumn")),
        "{err:?}"
    );

    // A row type that does not fit: the path names the row and the column.
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Wrong {
        #[serde(rename = "CreditLimit")]
        credit_limit: String,
    }
    let err = client
        .inquiry::<Wrong>("Customers")
        .get(InquiryOptions::new().top(3))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Decode { json_path, .. } if json_path == "value[0].CreditLimit"),
        "{err:?}"
    );

    // A property name that could change the query's shape is refused before sending.
    let before = emu.metrics().requests_total;
    let err = client
        .inquiry::<CustomerRow>("Customers")
        .get(InquiryOptions::new().order_by("CustomerID desc,Status"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert_eq!(emu.metrics().requests_total, before);
}
