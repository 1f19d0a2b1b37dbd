//! Key segments of the entity URL: a literal `|` or `/` separates key values, while an encoded
//! `%7C` or `%2F` is part of one value. A key value can never turn into two keys, and a URL
//! with more or fewer key values than the entity has key fields finds nothing.

mod common;

use acumatica_emulator::Config;
use common::{base, call, login, start, val};
use serde_json::json;

/// Creates a customer with `id` through `PUT /Customer`.
async fn put_customer(c: &reqwest::Client, b: &str, id: &str) {
    let (status, body) = call(c.put(format!("{b}/Customer")).json(
        &json!({"CustomerID": {"value": id}, "CustomerName": {"value": format!("named {id}")}}),
    ))
    .await;
    assert_eq!(status, 200, "PUT {id}: {body}");
    assert_eq!(val(&body, "CustomerID"), id);
}

#[tokio::test]
async fn an_encoded_bar_is_part_of_the_key_value() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let b = base(&emu);
    put_customer(&c, &b, "A|B").await;
    put_customer(&c, &b, "A").await;

    let (status, found) = call(c.get(format!("{b}/Customer/A%7CB"))).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(val(&found, "CustomerID"), "A|B");
    let (status, found) = call(c.get(format!("{b}/Customer/A%7cB"))).await;
    assert_eq!(status, 200, "lower-case escape: {found}");
    assert_eq!(val(&found, "CustomerID"), "A|B");

    // A literal `|` (or `/`) gives two key values, one too many for Customer: neither `A|B`
    // nor `A` (the first value alone) is found.
    for two_keys in ["A|B", "A/B"] {
        let (status, body) = call(c.get(format!("{b}/Customer/{two_keys}"))).await;
        assert_eq!(status, 500, "{two_keys}: {body}");
        assert_eq!(
            body["exceptionType"], "PX.Api.ContractBased.NoEntitySatisfiesTheConditionException",
            "{two_keys}"
        );
    }

    // The same for DELETE: the two-key form deletes nothing, the encoded form deletes `A|B`.
    let (status, _) = call(c.delete(format!("{b}/Customer/A|B"))).await;
    assert_eq!(status, 500);
    assert_eq!(call(c.get(format!("{b}/Customer/A"))).await.0, 200);
    assert_eq!(call(c.get(format!("{b}/Customer/A%7CB"))).await.0, 200);
    assert_eq!(call(c.delete(format!("{b}/Customer/A%7CB"))).await.0, 204);
    assert_eq!(call(c.get(format!("{b}/Customer/A%7CB"))).await.0, 500);
    let (status, a) = call(c.get(format!("{b}/Customer/A"))).await;
    assert_eq!(status, 200, "deleting A|B left A alone");
    assert_eq!(val(&a, "CustomerID"), "A");
}

#[tokio::test]
async fn an_encoded_slash_is_part_of_the_key_value() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let b = base(&emu);
    put_customer(&c, &b, "X/Y").await;
    put_customer(&c, &b, "X").await;

    let (status, found) = call(c.get(format!("{b}/Customer/X%2FY"))).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(val(&found, "CustomerID"), "X/Y");
    let (status, _) = call(c.get(format!("{b}/Customer/X/Y"))).await;
    assert_eq!(status, 500, "X/Y as two key values finds nothing");
    let (status, found) = call(c.get(format!("{b}/Customer/X"))).await;
    assert_eq!(status, 200);
    assert_eq!(val(&found, "CustomerID"), "X");
}

#[tokio::test]
async fn a_literal_bar_still_separates_key_values() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let (status, by_slash) = call(c.get(format!("{b}/SalesOrder/SO/000001"))).await;
    assert_eq!(status, 200, "{by_slash}");
    let (status, by_bar) = call(c.get(format!("{b}/SalesOrder/SO|000001"))).await;
    assert_eq!(status, 200, "{by_bar}");
    assert_eq!(by_bar["id"], by_slash["id"]);
    assert_eq!(val(&by_bar, "OrderType"), "SO");
    assert_eq!(val(&by_bar, "OrderNbr"), "000001");

    // Encoded, the bar is one value `SO|000001`: one key value for two key fields.
    assert_eq!(
        call(c.get(format!("{b}/SalesOrder/SO%7C000001"))).await.0,
        500
    );
    // Too few and too many key values find nothing either.
    assert_eq!(call(c.get(format!("{b}/SalesOrder/SO"))).await.0, 500);
    assert_eq!(
        call(c.get(format!("{b}/SalesOrder/SO/000001/extra")))
            .await
            .0,
        500
    );
    assert_eq!(
        call(c.get(format!("{b}/SalesOrder/SO|000001|extra")))
            .await
            .0,
        500
    );

    // The legacy file upload by keys takes the same key forms.
    let (status, body) = call(
        c.put(format!("{b}/SalesOrder/SO|000001/files/note.txt"))
            .body("hello"),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, _) = call(
        c.put(format!("{b}/SalesOrder/SO%7C000001/files/note.txt"))
            .body("hello"),
    )
    .await;
    assert_eq!(status, 500, "an encoded bar is one key value");
}
