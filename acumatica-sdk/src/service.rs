//! [`EntityService`]: every standard operation of a top-level entity, once, for all entities.
//! Generated services (`client.customers()`) dereference to it and add only named actions.

use std::marker::PhantomData;

use bytes::Bytes;
use futures::Stream;
use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};
use serde::Serialize;

use crate::batch::BatchCall;
use crate::client::AcumaticaClient;
use crate::entity::{CustomFields, CustomParameters, FileLink, TopLevelEntity};
use crate::error::{Error, Result};
use crate::http::{Body, CallKind, RawResponse, RequestSpec, decode_json};
use crate::query::QueryOptions;
use crate::segment::{self, Segment};
use crate::types::Uuid;

/// How a record is addressed in a URL: its entity ID, or its key values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordId {
    /// The entity ID (`GET /Customer/{guid}`).
    Id(Uuid),
    /// Key values in URL order (`GET /SalesOrder/SO/000123`).
    Keys(Vec<String>),
}

impl From<Uuid> for RecordId {
    fn from(id: Uuid) -> Self {
        RecordId::Id(id)
    }
}

/// A single string is a single key, or an entity ID if it is a GUID (the server decides the same
/// way between `/{id}` and `/{ids}`).
impl From<&str> for RecordId {
    fn from(key: &str) -> Self {
        match Uuid::parse_str(key) {
            Ok(id) if key.len() == 36 => RecordId::Id(id),
            _ => RecordId::Keys(vec![key.to_owned()]),
        }
    }
}

impl From<String> for RecordId {
    fn from(key: String) -> Self {
        RecordId::from(key.as_str())
    }
}

impl From<&String> for RecordId {
    fn from(key: &String) -> Self {
        RecordId::from(key.as_str())
    }
}

impl<const N: usize> From<[&str; N]> for RecordId {
    fn from(keys: [&str; N]) -> Self {
        RecordId::Keys(keys.iter().map(|k| (*k).to_owned()).collect())
    }
}

impl From<&[&str]> for RecordId {
    fn from(keys: &[&str]) -> Self {
        RecordId::Keys(keys.iter().map(|k| (*k).to_owned()).collect())
    }
}

impl RecordId {
    /// The URL segments, each percent-encoded; a value that would address another resource
    /// (`..`, an empty key, a key holding `/` or `|`) is an error.
    fn segments(&self) -> Result<String> {
        match self {
            RecordId::Id(id) => Ok(format!("/{id}")),
            RecordId::Keys(keys) => segment::keys(keys),
        }
    }
}

/// Parameters of an action that takes none.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct NoParameters {}

/// The standard operations of top-level entity `E`, each with a `_batch` twin returning a
/// deferred [`BatchCall`].
pub struct EntityService<E> {
    client: AcumaticaClient,
    /// `/entity/Default/24.200.001/Customer`
    base: String,
    entity: PhantomData<fn() -> E>,
}

impl<E> Clone for EntityService<E> {
    fn clone(&self) -> Self {
        EntityService {
            client: self.client.clone(),
            base: self.base.clone(),
            entity: PhantomData,
        }
    }
}

impl<E> std::fmt::Debug for EntityService<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntityService")
            .field("path", &self.base)
            .finish()
    }
}

fn decode_unit(_: &RawResponse) -> Result<()> {
    Ok(())
}

fn decode_bytes(resp: &RawResponse) -> Result<Bytes> {
    Ok(resp.body.clone())
}

fn decode_files<E: TopLevelEntity>(resp: &RawResponse) -> Result<Vec<FileLink>> {
    let record: E = decode_json(resp)?;
    Ok(record.meta().files.clone().unwrap_or_default())
}

impl<E: TopLevelEntity> EntityService<E> {
    /// The service of `E` on `client`.
    pub fn new(client: &AcumaticaClient) -> Self {
        let endpoint = client.endpoint_for(&E::ENDPOINT);
        EntityService {
            client: client.clone(),
            base: format!("{}/{}", endpoint.base_path(), E::NAME),
            entity: PhantomData,
        }
    }

    /// The client.
    pub fn client(&self) -> &AcumaticaClient {
        &self.client
    }

    /// The entity's path from the instance root: `/entity/Default/24.200.001/Customer`.
    pub fn path(&self) -> &str {
        &self.base
    }

    /// Runs a call on the client's own session.
    pub async fn execute<T>(&self, call: BatchCall<T>) -> Result<T> {
        call.send(&self.client).await
    }

    fn spec(
        &self,
        method: Method,
        suffix: &str,
        options: Option<&QueryOptions>,
        kind: CallKind,
    ) -> Result<RequestSpec> {
        let mut spec = RequestSpec::new(method, format!("{}{suffix}", self.base), kind);
        if let Some(o) = options {
            spec.query = o.pairs()?;
            spec.headers = option_headers(o);
        }
        Ok(spec)
    }

    /// The spec of a call on one record: `/{Entity}/{id or keys}{rest}`.
    fn record_spec(
        &self,
        method: Method,
        id: RecordId,
        options: Option<&QueryOptions>,
        kind: CallKind,
    ) -> Result<RequestSpec> {
        let suffix = id.segments()?;
        self.spec(method, &suffix, options, kind)
    }

    fn call<T>(
        &self,
        spec: Result<RequestSpec>,
        decode: fn(&RawResponse) -> Result<T>,
    ) -> BatchCall<T> {
        match spec {
            Ok(s) => BatchCall::new(s, decode),
            Err(error) => BatchCall::invalid(error, decode),
        }
    }

    fn with_body<T>(
        &self,
        spec: Result<RequestSpec>,
        body: &impl Serialize,
        decode: fn(&RawResponse) -> Result<T>,
    ) -> BatchCall<T> {
        let spec = spec.and_then(|mut s| {
            let bytes = serde_json::to_vec(body).map_err(|e| Error::InvalidRequest {
                what: "body".into(),
                message: format!("cannot encode the {} record: {e}", E::NAME),
            })?;
            s.body = Some(Body::Json(bytes.into()));
            Ok(s)
        });
        self.call(spec, decode)
    }

    /// `GET /{Entity}`: the records that match `options` (all of them without `$top`).
    pub async fn get_list(&self, options: QueryOptions) -> Result<Vec<E>> {
        self.execute(self.get_list_batch(options)).await
    }

    /// Deferred [`get_list`](Self::get_list).
    pub fn get_list_batch(&self, options: QueryOptions) -> BatchCall<Vec<E>> {
        self.call(
            self.spec(Method::GET, "", Some(&options), CallKind::Idempotent),
            decode_json::<Vec<E>>,
        )
    }

    /// `GET /{Entity}` page by page (`$top`/`$skip`, the client's page size), yielding records
    /// one at a time: memory stays flat however many records there are. A `$top` in `options`
    /// caps the total; a `$skip` is where the first page starts.
    pub fn get_list_stream(
        &self,
        options: QueryOptions,
    ) -> impl Stream<Item = Result<E>> + Send + 'static {
        let page = self.client.config().page_size;
        let base = options.without_paging();
        let limit = options.top_value();
        let start = options.skip_value().unwrap_or(0);
        let service = self.clone();
        let state = (
            service,
            base,
            start,
            0u32,
            Vec::<E>::new().into_iter(),
            false,
        );
        futures::stream::unfold(
            state,
            move |(service, base, mut skip, mut yielded, mut buffer, mut done)| async move {
                loop {
                    if limit.is_some_and(|l| yielded >= l) {
                        return None;
                    }
                    if let Some(item) = buffer.next() {
                        yielded += 1;
                        return Some((Ok(item), (service, base, skip, yielded, buffer, done)));
                    }
                    if done {
                        return None;
                    }
                    let want = limit.map_or(page, |l| page.min(l - yielded));
                    match service.get_list(base.clone().skip(skip).top(want)).await {
                        Ok(records) => {
                            done = (records.len() as u32) < want;
                            skip += records.len() as u32;
                            buffer = records.into_iter();
                        }
                        Err(e) => {
                            return Some((
                                Err(e),
                                (service, base, skip, yielded, Vec::new().into_iter(), true),
                            ));
                        }
                    }
                }
            },
        )
    }

    /// `GET /{Entity}/{id}` or `GET /{Entity}/{key}`: one record.
    pub async fn get_by_id(&self, id: impl Into<RecordId>) -> Result<E> {
        self.execute(self.get_by_id_batch(id)).await
    }

    /// Deferred [`get_by_id`](Self::get_by_id).
    pub fn get_by_id_batch(&self, id: impl Into<RecordId>) -> BatchCall<E> {
        self.get_by_id_with_batch(id, QueryOptions::new())
    }

    /// One record, with `$select`/`$expand`/`$custom`.
    pub async fn get_by_id_with(
        &self,
        id: impl Into<RecordId>,
        options: QueryOptions,
    ) -> Result<E> {
        self.execute(self.get_by_id_with_batch(id, options)).await
    }

    /// Deferred [`get_by_id_with`](Self::get_by_id_with).
    pub fn get_by_id_with_batch(
        &self,
        id: impl Into<RecordId>,
        options: QueryOptions,
    ) -> BatchCall<E> {
        self.call(
            self.record_spec(Method::GET, id.into(), Some(&options), CallKind::Idempotent),
            decode_json::<E>,
        )
    }

    /// One deferred `get_by_id` per ID, for a batch.
    pub fn get_by_ids_batch<I: Into<RecordId>>(
        &self,
        ids: impl IntoIterator<Item = I>,
    ) -> Vec<BatchCall<E>> {
        ids.into_iter().map(|id| self.get_by_id_batch(id)).collect()
    }

    /// `GET /{Entity}/{key1}/{key2}`: one record by its key values, in URL order.
    pub async fn get_by_keys(&self, keys: &[&str]) -> Result<E> {
        self.execute(self.get_by_keys_batch(keys)).await
    }

    /// Deferred [`get_by_keys`](Self::get_by_keys).
    pub fn get_by_keys_batch(&self, keys: &[&str]) -> BatchCall<E> {
        self.get_by_id_with_batch(RecordId::from(keys), QueryOptions::new())
    }

    /// One record by key values, with `$select`/`$expand`/`$custom`.
    pub async fn get_by_keys_with(&self, keys: &[&str], options: QueryOptions) -> Result<E> {
        self.execute(self.get_by_keys_with_batch(keys, options))
            .await
    }

    /// Deferred [`get_by_keys_with`](Self::get_by_keys_with).
    pub fn get_by_keys_with_batch(&self, keys: &[&str], options: QueryOptions) -> BatchCall<E> {
        self.get_by_id_with_batch(RecordId::from(keys), options)
    }

    /// `PUT /{Entity}`: creates the record, or updates the one its ID, key fields or `$filter`
    /// match. Only the fields that are set are sent; returns the record as saved (list every
    /// detail and linked entity you want back in `$expand`).
    pub async fn put_entity(&self, entity: &E, options: QueryOptions) -> Result<E> {
        self.execute(self.put_entity_batch(entity, options)).await
    }

    /// Deferred [`put_entity`](Self::put_entity).
    pub fn put_entity_batch(&self, entity: &E, options: QueryOptions) -> BatchCall<E> {
        self.with_body(
            self.spec(Method::PUT, "", Some(&options), CallKind::Write),
            entity,
            decode_json::<E>,
        )
    }

    /// `PUT` with `If-None-Match: *`: creates only; an existing record is
    /// [`Error::PreconditionFailed`].
    pub async fn insert(&self, entity: &E, options: QueryOptions) -> Result<E> {
        self.execute(self.insert_batch(entity, options)).await
    }

    /// Deferred [`insert`](Self::insert).
    pub fn insert_batch(&self, entity: &E, options: QueryOptions) -> BatchCall<E> {
        let spec = self
            .spec(Method::PUT, "", Some(&options), CallKind::Write)
            .map(|mut s| {
                s.headers.push((
                    HeaderName::from_static("if-none-match"),
                    HeaderValue::from_static("*"),
                ));
                s
            });
        self.with_body(spec, entity, decode_json::<E>)
    }

    /// `PUT` with `If-Match: *`: updates only; a missing record is [`Error::PreconditionFailed`].
    pub async fn update(&self, entity: &E, options: QueryOptions) -> Result<E> {
        self.execute(self.update_batch(entity, options)).await
    }

    /// Deferred [`update`](Self::update).
    pub fn update_batch(&self, entity: &E, options: QueryOptions) -> BatchCall<E> {
        let spec = self
            .spec(Method::PUT, "", Some(&options), CallKind::Write)
            .map(|mut s| {
                s.headers.push((
                    HeaderName::from_static("if-match"),
                    HeaderValue::from_static("*"),
                ));
                s
            });
        self.with_body(spec, entity, decode_json::<E>)
    }

    /// `PATCH /{Entity}`: sets exactly the fields given, whatever the stored values; a missing
    /// record is [`Error::NotFound`].
    pub async fn patch_entity(&self, entity: &E, options: QueryOptions) -> Result<E> {
        self.execute(self.patch_entity_batch(entity, options)).await
    }

    /// Deferred [`patch_entity`](Self::patch_entity).
    pub fn patch_entity_batch(&self, entity: &E, options: QueryOptions) -> BatchCall<E> {
        self.with_body(
            self.spec(Method::PATCH, "", Some(&options), CallKind::Write),
            entity,
            decode_json::<E>,
        )
    }

    /// `DELETE /{Entity}/{id}` (or `/{key}`).
    pub async fn delete_by_id(&self, id: impl Into<RecordId>) -> Result<()> {
        self.execute(self.delete_by_id_batch(id)).await
    }

    /// Deferred [`delete_by_id`](Self::delete_by_id).
    pub fn delete_by_id_batch(&self, id: impl Into<RecordId>) -> BatchCall<()> {
        self.call(
            self.record_spec(Method::DELETE, id.into(), None, CallKind::Idempotent),
            decode_unit,
        )
    }

    /// `DELETE /{Entity}/{key1}/{key2}`.
    pub async fn delete_by_keys(&self, keys: &[&str]) -> Result<()> {
        self.execute(self.delete_by_keys_batch(keys)).await
    }

    /// Deferred [`delete_by_keys`](Self::delete_by_keys).
    pub fn delete_by_keys_batch(&self, keys: &[&str]) -> BatchCall<()> {
        self.delete_by_id_batch(RecordId::from(keys))
    }

    /// `POST /{Entity}/{action}` with `{entity, parameters}`; waits for a long-running action.
    /// Generated services have a typed method per action; this is what they call.
    pub async fn invoke_action<P: Serialize>(
        &self,
        action: &str,
        entity: &E,
        parameters: Option<&P>,
    ) -> Result<()> {
        self.execute(self.invoke_action_batch(action, entity, parameters))
            .await
    }

    /// Deferred [`invoke_action`](Self::invoke_action).
    pub fn invoke_action_batch<P: Serialize>(
        &self,
        action: &str,
        entity: &E,
        parameters: Option<&P>,
    ) -> BatchCall<()> {
        #[derive(Serialize)]
        struct Invocation<'a, E, P> {
            entity: &'a E,
            #[serde(skip_serializing_if = "Option::is_none")]
            parameters: Option<&'a P>,
        }
        let spec = segment::segment(action, Segment::Action)
            .and_then(|a| self.spec(Method::POST, &format!("/{a}"), None, CallKind::Action));
        self.with_body(spec, &Invocation { entity, parameters }, decode_unit)
    }

    /// A custom or workflow action (`POST /Case/Close` with `parameters.custom`).
    pub async fn invoke_custom_action(
        &self,
        action: &str,
        entity: &E,
        custom: CustomFields,
    ) -> Result<()> {
        self.execute(self.invoke_custom_action_batch(action, entity, custom))
            .await
    }

    /// Deferred [`invoke_custom_action`](Self::invoke_custom_action).
    pub fn invoke_custom_action_batch(
        &self,
        action: &str,
        entity: &E,
        custom: CustomFields,
    ) -> BatchCall<()> {
        #[derive(Serialize)]
        struct Custom {
            custom: CustomFields,
        }
        self.invoke_action_batch(action, entity, Some(&Custom { custom }))
    }

    /// A workflow action with typed custom parameters (generated from the tenant's
    /// `_workflowActions`): `POST /{Entity}/{action}` with the set parameters in
    /// `parameters.custom`. Generated services call this; [`invoke_custom_action_batch`]
    /// (Self::invoke_custom_action_batch) takes the parameters untyped.
    pub fn invoke_workflow_action_batch<P: CustomParameters>(
        &self,
        action: &str,
        entity: &E,
        parameters: &P,
    ) -> BatchCall<()> {
        self.invoke_custom_action_batch(action, entity, parameters.custom_fields())
    }

    /// Attaches a file to `record` (`PUT` on its `files:put` link; for a record without links,
    /// the legacy `/{Entity}/{keys}/files/{name}` from its key fields), with an optional
    /// comment (`PX-CbFileComment`, up to 500 characters).
    pub async fn put_file(
        &self,
        record: &E,
        filename: &str,
        data: impl Into<Bytes>,
        comment: Option<&str>,
    ) -> Result<()> {
        self.execute(self.put_file_batch(record, filename, data, comment))
            .await
    }

    /// Deferred [`put_file`](Self::put_file).
    pub fn put_file_batch(
        &self,
        record: &E,
        filename: &str,
        data: impl Into<Bytes>,
        comment: Option<&str>,
    ) -> BatchCall<()> {
        let spec = self.file_put_path(record, filename).and_then(|path| {
            let mut spec = RequestSpec::new(Method::PUT, path, CallKind::Write);
            spec.body = Some(Body::Bytes {
                data: data.into(),
                content_type: "application/octet-stream",
            });
            if let Some(c) = comment {
                let v = HeaderValue::from_str(c).map_err(|_| Error::InvalidRequest {
                    what: "file comment".into(),
                    message: "must be visible ASCII".into(),
                })?;
                spec.headers
                    .push((HeaderName::from_static("px-cbfilecomment"), v));
            }
            Ok(spec)
        });
        self.call(spec, decode_unit)
    }

    /// Attaches a file read from a stream (not re-runnable, so it has no `_batch` twin).
    pub async fn put_file_stream<S>(
        &self,
        record: &E,
        filename: &str,
        stream: S,
        comment: Option<&str>,
    ) -> Result<()>
    where
        S: futures::TryStream + Send + 'static,
        S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
        Bytes: From<S::Ok>,
    {
        let path = self.file_put_path(record, filename)?;
        self.client
            .session()
            .send_stream(
                Method::PUT,
                &path,
                reqwest::Body::wrap_stream(stream),
                comment,
            )
            .await
            .map(|_| ())
    }

    fn file_put_path(&self, record: &E, filename: &str) -> Result<String> {
        let name = segment::segment(filename, Segment::FileName)?;
        if let Some(link) = record
            .meta()
            .links
            .as_ref()
            .and_then(|l| l.files_put.as_deref())
        {
            let path = self.client.shared().instance_path(link);
            return Ok(path.replace("{filename}", &name));
        }
        let keys = key_values(record)?;
        Ok(format!(
            "{}{}/files/{name}",
            self.base,
            RecordId::Keys(keys).segments()?
        ))
    }

    /// The files attached to a record (`GET /{Entity}/{id}?$expand=files`).
    pub async fn get_files(&self, id: impl Into<RecordId>) -> Result<Vec<FileLink>> {
        self.execute(self.get_files_batch(id)).await
    }

    /// Deferred [`get_files`](Self::get_files).
    pub fn get_files_batch(&self, id: impl Into<RecordId>) -> BatchCall<Vec<FileLink>> {
        let options = QueryOptions::new().expand_files();
        self.call(
            self.record_spec(Method::GET, id.into(), Some(&options), CallKind::Idempotent),
            decode_files::<E>,
        )
    }

    /// Downloads an attached file.
    pub async fn get_file(&self, file: &FileLink) -> Result<Bytes> {
        self.execute(self.get_file_batch(file)).await
    }

    /// Deferred [`get_file`](Self::get_file).
    pub fn get_file_batch(&self, file: &FileLink) -> BatchCall<Bytes> {
        let path = self.client.shared().instance_path(&file.href);
        let mut spec = RequestSpec::new(Method::GET, path, CallKind::Idempotent);
        spec.limit = crate::http::BodyLimit::File;
        spec.headers.push((
            reqwest::header::ACCEPT,
            HeaderValue::from_static("application/octet-stream"),
        ));
        BatchCall::new(spec, decode_bytes)
    }

    /// `GET /{Entity}/$adHocSchema`: the entity's shape with its custom fields (in
    /// `meta.custom`) and workflow actions (in `meta.extra["_workflowActions"]`).
    pub async fn get_ad_hoc_schema(&self) -> Result<E> {
        self.execute(self.get_ad_hoc_schema_batch()).await
    }

    /// Deferred [`get_ad_hoc_schema`](Self::get_ad_hoc_schema).
    pub fn get_ad_hoc_schema_batch(&self) -> BatchCall<E> {
        self.call(
            self.spec(Method::GET, "/$adHocSchema", None, CallKind::Idempotent),
            decode_json::<E>,
        )
    }
}

/// The key values of a record, from its serialized form.
fn key_values<E: TopLevelEntity>(record: &E) -> Result<Vec<String>> {
    let refuse = |message: String| Error::InvalidRequest {
        what: "key".into(),
        message,
    };
    if E::KEYS.is_empty() {
        return Err(refuse(format!(
            "{} has no known key fields and the record has no files:put link; read the record first",
            E::NAME
        )));
    }
    let json = serde_json::to_value(record).map_err(|e| refuse(e.to_string()))?;
    E::KEYS
        .iter()
        .map(|k| match json.get(*k).and_then(|v| v.get("value")) {
            Some(serde_json::Value::String(s)) => Ok(s.clone()),
            Some(v) if !v.is_null() => Ok(v.to_string()),
            _ => Err(refuse(format!(
                "the {} record has no value for key field {k}",
                E::NAME
            ))),
        })
        .collect()
}

/// The per-request headers of `options`: `PX-CbApiBusinessDate` and `PX-CbApiBranch`.
fn option_headers(options: &QueryOptions) -> Vec<(HeaderName, HeaderValue)> {
    let mut out = Vec::new();
    if let Some(d) = options.business_date_value()
        && let Ok(v) = HeaderValue::from_str(&d.format("%Y-%m-%d").to_string())
    {
        out.push((HeaderName::from_static("px-cbapibusinessdate"), v));
    }
    // `QueryOptions::branch` refuses a value a header cannot carry.
    if let Some(v) = options
        .branch_value()
        .and_then(|b| HeaderValue::from_str(b).ok())
    {
        out.push((HeaderName::from_static("px-cbapibranch"), v));
    }
    out
}
