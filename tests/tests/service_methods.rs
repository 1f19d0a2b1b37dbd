//! One test per standard service method (get_list, get_list_stream, get_by_id(_with),
//! get_by_keys(_with), put_entity, insert, update, patch_entity, delete_by_id, delete_by_keys,
//! files, get_ad_hoc_schema) for Customer, StockItem, SalesOrder and Invoice, with typed results
//! checked against the emulator's store. Actions are in `actions.rs`.

use std::collections::BTreeSet;

use acumatica_sdk::Error;
use acumatica_sdk::TopLevelEntity;
use acumatica_sdk::default::{Customer, Invoice, SalesOrder, StockItem};
use acumatica_sdk::query::{QueryOptions, field};
use acumatica_sdk::types::Uuid;
use acumatica_tests::fixtures::{
    Fixture, keys_of, stored, stored_id, stored_keys, stored_text, text_for, with_keys,
};
use acumatica_tests::{answers, builder, client, emulator};
use futures::TryStreamExt;

/// The members of a record's JSON that are fields (not `id`, `_links`, `custom`, ...).
fn field_names<E: TopLevelEntity>(record: &E) -> BTreeSet<String> {
    let json = serde_json::to_value(record).expect("a record serializes");
    json.as_object()
        .expect("a record is an object")
        .keys()
        .filter(|k| k.starts_with(|c: char| c.is_ascii_uppercase()))
        .cloned()
        .collect()
}

fn strings(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| (*k).to_owned()).collect()
}

async fn get_list<E: Fixture>() {
    let emu = emulator().await;
    let client = client(&emu);
    let service = E::service(&client);
    let records: Vec<E> = service.get_list(QueryOptions::new()).await.unwrap();
    let want: Vec<Vec<String>> = emu
        .store()
        .list(E::NAME)
        .iter()
        .map(stored_keys::<E>)
        .collect();
    assert!(!want.is_empty());
    assert_eq!(records.iter().map(keys_of).collect::<Vec<_>>(), want);
    assert!(records.iter().all(|r| r.meta().id.is_some()));

    // A filter on the last key field narrows the list to the seeded record.
    let last = E::KEYS.len() - 1;
    let filtered = service
        .get_list(QueryOptions::new().filter(field(E::KEYS[last]).eq(E::SEEDED[last])))
        .await
        .unwrap();
    assert_eq!(
        filtered.iter().map(keys_of).collect::<Vec<_>>(),
        vec![strings(E::SEEDED)]
    );
}

async fn get_list_stream<E: Fixture>() {
    let emu = emulator().await;
    let client = builder(&emu).page_size(3).build().unwrap();
    let service = E::service(&client);
    let want: Vec<Vec<String>> = emu
        .store()
        .list(E::NAME)
        .iter()
        .map(stored_keys::<E>)
        .collect();
    let streamed: Vec<E> = service
        .get_list_stream(QueryOptions::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed.iter().map(keys_of).collect::<Vec<_>>(), want);
    // Pages of 3: a short last page ends the stream.
    let pages = want.len() / 3 + 1;
    assert_eq!(answers(&emu.metrics(), 200), pages as u64);

    // $skip is where the stream starts, $top caps it.
    let window: Vec<E> = service
        .get_list_stream(QueryOptions::new().skip(2).top(5))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(window.iter().map(keys_of).collect::<Vec<_>>(), want[2..7]);
}

async fn get_by_id<E: Fixture>() {
    let emu = emulator().await;
    let client = client(&emu);
    let service = E::service(&client);
    let id = stored_id::<E>(&emu, E::SEEDED);
    let record: E = service.get_by_id(id).await.unwrap();
    assert_eq!(record.meta().id, Some(id));
    assert_eq!(keys_of(&record), strings(E::SEEDED));
    let stored = stored::<E>(&emu, E::SEEDED).unwrap();
    assert_eq!(
        record.text().map(str::to_owned),
        stored_text(&stored, E::TEXT)
    );
    // The deferred twin sends the same request and decodes the same record.
    let call = service.get_by_id_batch(id);
    assert_eq!(call.send(&client).await.unwrap(), record);

    let err = service.get_by_id(Uuid::new_v4()).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

async fn get_by_id_with<E: Fixture>() {
    let emu = emulator().await;
    let client = client(&emu);
    let service = E::service(&client);
    let id = stored_id::<E>(&emu, E::SEEDED);
    let selected = format!("{},{}", E::TEXT, E::KEYS.join(","));
    let record: E = service
        .get_by_id_with(id, QueryOptions::new().select(selected.as_str()))
        .await
        .unwrap();
    let want: BTreeSet<String> = selected.split(',').map(str::to_owned).collect();
    assert_eq!(field_names(&record), want);
    assert!(record.text().is_some());
    assert!(record.meta().files.is_none());

    let full: E = service.get_by_id(id).await.unwrap();
    assert!(field_names(&full).len() > want.len());
}

async fn get_by_keys<E: Fixture>() {
    let emu = emulator().await;
    let client = client(&emu);
    let service = E::service(&client);
    let record: E = service.get_by_keys(E::SEEDED).await.unwrap();
    assert_eq!(record.meta().id, Some(stored_id::<E>(&emu, E::SEEDED)));
    assert_eq!(keys_of(&record), strings(E::SEEDED));
    let err = service.get_by_keys(E::MISSING).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

async fn get_by_keys_with<E: Fixture>() {
    let emu = emulator().await;
    let client = client(&emu);
    let service = E::service(&client);
    let record: E = service
        .get_by_keys_with(
            E::SEEDED,
            QueryOptions::new().select(E::TEXT).expand_files(),
        )
        .await
        .unwrap();
    assert_eq!(field_names(&record), BTreeSet::from([E::TEXT.to_owned()]));
    // `$expand=files` brings the (empty) file list.
    assert_eq!(record.meta().files.as_deref(), Some(&[][..]));
}

async fn put_entity<E: Fixture>() {
    let emu = emulator().await;
    let client = client(&emu);
    let service = E::service(&client);
    let before = emu.store().count(E::NAME);
    let saved: E = service
        .put_entity(&E::new_record("PUT1"), QueryOptions::new())
        .await
        .unwrap();
    assert_eq!(saved.text(), Some(text_for("PUT1").as_str()));
    let keys = keys_of(&saved);
    assert!(keys.iter().all(|k| !k.is_empty()), "{keys:?}");
    assert_eq!(emu.store().count(E::NAME), before + 1);

    // The same keys again update the record instead of adding one.
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let mut again = with_keys::<E>(&key_refs);
    again.set_text("Changed by a second PUT");
    let updated = service
        .put_entity(&again, QueryOptions::new())
        .await
        .unwrap();
    assert_eq!(updated.meta().id, saved.meta().id);
    assert_eq!(emu.store().count(E::NAME), before + 1);
    let stored = stored::<E>(&emu, &key_refs).unwrap();
    assert_eq!(
        stored_text(&stored, E::TEXT).as_deref(),
        Some("Changed by a second PUT")
    );
}

async fn insert<E: Fixture>() {
    let emu = emulator().await;
    let client = client(&emu);
    let service = E::service(&client);
    let before = emu.store().count(E::NAME);
    let created = service
        .insert(&E::new_record("INS1"), QueryOptions::new())
        .await
        .unwrap();
    let keys = keys_of(&created);
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let mut same = with_keys::<E>(&key_refs);
    same.set_text("must not be written");
    let err = service
        .insert(&same, QueryOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::PreconditionFailed { .. }), "{err:?}");
    assert_eq!(emu.store().count(E::NAME), before + 1);
    let stored = stored::<E>(&emu, &key_refs).unwrap();
    assert_eq!(stored_text(&stored, E::TEXT), Some(text_for("INS1")));
}

async fn update<E: Fixture>() {
    let emu = emulator().await;
    let client = client(&emu);
    let service = E::service(&client);
    let mut record = with_keys::<E>(E::SEEDED);
    record.set_text("Updated by the test");
    let saved = service.update(&record, QueryOptions::new()).await.unwrap();
    assert_eq!(saved.text(), Some("Updated by the test"));
    let stored = stored::<E>(&emu, E::SEEDED).unwrap();
    assert_eq!(
        stored_text(&stored, E::TEXT).as_deref(),
        Some("Updated by the test")
    );

    let before = emu.store().count(E::NAME);
    let mut missing = with_keys::<E>(E::MISSING);
    missing.set_text("must not be written");
    let err = service
        .update(&missing, QueryOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::PreconditionFailed { .. }), "{err:?}");
    assert_eq!(emu.store().count(E::NAME), before);
}

async fn patch_entity<E: Fixture>() {
    let emu = emulator().await;
    let client = client(&emu);
    let service = E::service(&client);
    let before = stored::<E>(&emu, E::SEEDED).unwrap();
    let mut record = with_keys::<E>(E::SEEDED);
    record.set_text("Patched");
    let saved = service
        .patch_entity(&record, QueryOptions::new())
        .await
        .unwrap();
    assert_eq!(saved.text(), Some("Patched"));
    let after = stored::<E>(&emu, E::SEEDED).unwrap();
    assert_eq!(stored_text(&after, E::TEXT).as_deref(), Some("Patched"));
    // Every other field is as it was.
    let others = |r: &serde_json::Value| {
        let mut m = r.as_object().unwrap().clone();
        m.retain(|k, _| k != E::TEXT && !k.starts_with("LastModified"));
        m
    };
    assert_eq!(others(&after), others(&before));

    let mut missing = with_keys::<E>(E::MISSING);
    missing.set_text("must not be written");
    let err = service
        .patch_entity(&missing, QueryOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound { status: 404, .. }),
        "{err:?}"
    );
}

async fn delete_by_id<E: Fixture>() {
    let emu = emulator().await;
    let client = client(&emu);
    let service = E::service(&client);
    let before = emu.store().count(E::NAME);
    let created = service
        .put_entity(&E::new_record("DEL1"), QueryOptions::new())
        .await
        .unwrap();
    let id = created.meta().id.expect("a saved record has an id");
    assert!(emu.store().get(E::NAME, id).is_some());
    service.delete_by_id(id).await.unwrap();
    assert!(emu.store().get(E::NAME, id).is_none());
    assert_eq!(emu.store().count(E::NAME), before);
    let err = service.get_by_id(id).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let err = service.delete_by_id(id).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

async fn delete_by_keys<E: Fixture>() {
    let emu = emulator().await;
    let client = client(&emu);
    let service = E::service(&client);
    let before = emu.store().count(E::NAME);
    service.delete_by_keys(E::SEEDED).await.unwrap();
    assert!(stored::<E>(&emu, E::SEEDED).is_none());
    assert_eq!(emu.store().count(E::NAME), before - 1);
    let err = service.delete_by_keys(E::MISSING).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

async fn files<E: Fixture>() {
    let emu = emulator().await;
    let client = client(&emu);
    let service = E::service(&client);
    let record: E = service.get_by_keys(E::SEEDED).await.unwrap();
    let id = record.meta().id.unwrap();
    assert!(record.meta().links.as_ref().unwrap().files_put.is_some());

    // Through the record's files:put link, with a comment.
    service
        .put_file(
            &record,
            "notes.txt",
            b"hello, world".to_vec(),
            Some("first draft"),
        )
        .await
        .unwrap();
    // From a stream, in chunks.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        vec![Ok(b"part one, ".to_vec()), Ok(b"part two".to_vec())];
    service
        .put_file_stream(&record, "streamed.bin", futures::stream::iter(chunks), None)
        .await
        .unwrap();
    // A record without links goes through the legacy key URL.
    service
        .put_file(
            &with_keys::<E>(E::SEEDED),
            "legacy name.txt",
            b"by keys".to_vec(),
            None,
        )
        .await
        .unwrap();

    let files = service.get_files(id).await.unwrap();
    let mut names: Vec<&str> = files.iter().map(|f| f.name()).collect();
    names.sort_unstable();
    assert_eq!(names, ["legacy name.txt", "notes.txt", "streamed.bin"]);
    let notes = files.iter().find(|f| f.name() == "notes.txt").unwrap();
    assert_eq!(notes.comment.as_deref(), Some("first draft"));
    for (name, content) in [
        ("notes.txt", &b"hello, world"[..]),
        ("streamed.bin", b"part one, part two"),
        ("legacy name.txt", b"by keys"),
    ] {
        let link = files.iter().find(|f| f.name() == name).unwrap();
        assert_eq!(
            &service.get_file(link).await.unwrap()[..],
            content,
            "{name}"
        );
    }
}

async fn get_ad_hoc_schema<E: Fixture>() {
    let emu = emulator().await;
    let client = client(&emu);
    let schema: E = E::service(&client).get_ad_hoc_schema().await.unwrap();
    let (view, name) = E::CUSTOM;
    let custom = schema
        .meta()
        .custom_field(view, name)
        .unwrap_or_else(|| panic!("{}: no custom field {view}.{name}", E::NAME));
    assert!(custom.type_name().starts_with("Custom"), "{custom:?}");
    // The shape lists the entity's fields, all empty.
    assert!(field_names(&schema).contains(E::TEXT));
    assert!(schema.text().is_none());
}

macro_rules! service_method_tests {
    ($($module:ident: $entity:ty;)*) => {$(
        mod $module {
            use super::*;
            #[tokio::test]
            async fn get_list() { super::get_list::<$entity>().await }
            #[tokio::test]
            async fn get_list_stream() { super::get_list_stream::<$entity>().await }
            #[tokio::test]
            async fn get_by_id() { super::get_by_id::<$entity>().await }
            #[tokio::test]
            async fn get_by_id_with() { super::get_by_id_with::<$entity>().await }
            #[tokio::test]
            async fn get_by_keys() { super::get_by_keys::<$entity>().await }
            #[tokio::test]
            async fn get_by_keys_with() { super::get_by_keys_with::<$entity>().await }
            #[tokio::test]
            async fn put_entity() { super::put_entity::<$entity>().await }
            #[tokio::test]
            async fn insert() { super::insert::<$entity>().await }
            #[tokio::test]
            async fn update() { super::update::<$entity>().await }
            #[tokio::test]
            async fn patch_entity() { super::patch_entity::<$entity>().await }
            #[tokio::test]
            async fn delete_by_id() { super::delete_by_id::<$entity>().await }
            #[tokio::test]
            async fn delete_by_keys() { super::delete_by_keys::<$entity>().await }
            #[tokio::test]
            async fn files() { super::files::<$entity>().await }
            #[tokio::test]
            async fn get_ad_hoc_schema() { super::get_ad_hoc_schema::<$entity>().await }
        }
    )*};
}

service_method_tests! {
    customer: Customer;
    stock_item: StockItem;
    sales_order: SalesOrder;
    invoice: Invoice;
}

/// A download asks for bytes only: one `Accept`, `application/octet-stream`.
#[tokio::test]
async fn get_file_sends_one_accept_header() {
    use acumatica_sdk::default::DefaultEndpoint;
    let emu = emulator().await;
    let proxy = acumatica_tests::proxy::RecordingProxy::start(emu.addr()).await;
    let client = acumatica_tests::builder_at(proxy.url(), &emu)
        .build()
        .unwrap();
    let item: StockItem = client
        .stock_items()
        .get_by_keys(&["ITEM001"])
        .await
        .unwrap();
    client
        .stock_items()
        .put_file(&item, "photo.jpg", vec![0xFF, 0xD8, 0xFF], None)
        .await
        .unwrap();
    let files = client.stock_items().get_files("ITEM001").await.unwrap();
    proxy.clear();
    let bytes = client.stock_items().get_file(&files[0]).await.unwrap();
    assert_eq!(&bytes[..], [0xFF, 0xD8, 0xFF]);
    let sent = proxy.requests().to_ascii_lowercase();
    assert!(
        sent.starts_with("get /entity/default/24.200.001/files/"),
        "{sent}"
    );
    let accepts: Vec<&str> = sent.lines().filter(|l| l.starts_with("accept:")).collect();
    assert_eq!(accepts, ["accept: application/octet-stream"], "{sent}");
}

/// A file comment that cannot be a header value is refused before anything is sent, streamed
/// or not; a valid one is stored with the file.
#[tokio::test]
async fn file_comments_must_fit_in_a_header() {
    use acumatica_sdk::default::DefaultEndpoint;
    let emu = emulator().await;
    let client = client(&emu);
    let item: StockItem = client
        .stock_items()
        .get_by_keys(&["ITEM002"])
        .await
        .unwrap();
    let before = emu.metrics().requests_total;
    let bad = "two\nlines";
    let err = client
        .stock_items()
        .put_file(&item, "a.txt", b"a".to_vec(), Some(bad))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![Ok(b"b".to_vec())];
    let err = client
        .stock_items()
        .put_file_stream(&item, "b.txt", futures::stream::iter(chunks), Some(bad))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert_eq!(emu.metrics().requests_total, before, "nothing was sent");

    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![Ok(b"c".to_vec())];
    client
        .stock_items()
        .put_file_stream(
            &item,
            "c.txt",
            futures::stream::iter(chunks),
            Some("streamed, with a comment"),
        )
        .await
        .unwrap();
    let files = client.stock_items().get_files("ITEM002").await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(
        files[0].comment.as_deref(),
        Some("streamed, with a comment")
    );
}
