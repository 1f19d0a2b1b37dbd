//! Generic inquiries over OData v4 (`/t/{tenant}/api/odata/gi/{Inquiry}`), read as typed rows.
//!
//! A generic inquiry exposed via OData (the "Expose via OData" box on SM208000) is read with the
//! client's own session (its cookie, or its OAuth bearer token), so sign-in, the re-sign-in after
//! a 401, retries and tracing work as for every other request. Rows are any
//! `T: DeserializeOwned`: a struct of yours, or `serde_json::Map<String, serde_json::Value>`.
//!
//! ```no_run
//! use acumatica_sdk::odata::InquiryOptions;
//! use acumatica_sdk::prelude::*;
//!
//! #[derive(serde::Deserialize)]
//! #[serde(rename_all = "PascalCase")]
//! struct Row {
//!     #[serde(rename = "CustomerID")]
//!     customer_id: String,
//!     customer_name: Option<String>,
//!     #[serde(default, deserialize_with = "acumatica_sdk::odata::decimal")]
//!     credit_limit: Option<Decimal>,
//! }
//!
//! # async fn f(client: AcumaticaClient) -> acumatica_sdk::Result<()> {
//! let rows: Vec<Row> = client
//!     .inquiry::<Row>("Customers")
//!     .get(InquiryOptions::new().filter(field("Status").eq("Active")).order_by("CustomerID").top(10))
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! `$filter` is written in OData v4 syntax ([`Filter::to_odata_v4`]), which inquiries speak: quotes
//! doubled as everywhere, but decimals without `M` (`1000.50`), date-times and GUIDs bare
//! (`2024-07-15T10:31:28+03:00`; `Z` when the value has no offset) and `contains(Field, 'x')`
//! where the contract API takes `substringof('x', Field)`.
//! Acumatica's inquiries accept `$filter`, `$orderby`, `$select`, `$top` and `$skip`; not
//! `$expand` or `$count`. Formula fields can be neither filtered nor sorted on.

use std::marker::PhantomData;

use futures::Stream;
use reqwest::Method;
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer};

use crate::client::AcumaticaClient;
use crate::config::Auth;
use crate::error::{Error, Result};
use crate::http::{CallKind, RequestSpec, decode_json};
use crate::query::{Filter, Path, Selectable};
use crate::segment::{Segment, segment};
use crate::types::{Decimal, ValueType};

/// `$filter`, `$orderby`, `$select`, `$top` and `$skip` of an inquiry read.
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct InquiryOptions {
    filter: Option<Filter>,
    order_by: Vec<String>,
    select: Vec<String>,
    top: Option<u32>,
    skip: Option<u32>,
    invalid: Option<String>,
}

impl InquiryOptions {
    /// No options: every row, every column.
    pub fn new() -> Self {
        InquiryOptions::default()
    }

    /// Sets `$filter` (calling it again combines the filters with `and`); it is sent in OData v4
    /// syntax ([`Filter::to_odata_v4`]).
    pub fn filter(mut self, filter: Filter) -> Self {
        let (combined, problem) = Filter::combine(self.filter.take(), filter);
        if let Some(p) = problem {
            self.invalid
                .get_or_insert_with(|| p.message("property name"));
        }
        self.filter = Some(combined);
        self
    }

    /// Sorts by a property, ascending (`$orderby=Prop`); later calls sort within earlier ones.
    pub fn order_by(self, property: &str) -> Self {
        self.sort(property, "")
    }

    /// Sorts by a property, descending (`$orderby=Prop desc`).
    pub fn order_by_desc(self, property: &str) -> Self {
        self.sort(property, " desc")
    }

    fn sort(mut self, property: &str, direction: &str) -> Self {
        self.check("$orderby", property);
        self.order_by.push(format!("{property}{direction}"));
        self
    }

    /// Adds properties to `$select`: names as text (`"CustomerID,Email"`), or arrays and tuples
    /// of them.
    pub fn select(mut self, properties: impl Selectable) -> Self {
        let mut added = Vec::new();
        properties.add_to(&mut added);
        for p in &added {
            self.check("$select", p);
        }
        self.select.extend(added);
        self
    }

    /// `$top`: at most `n` rows.
    pub fn top(mut self, n: u32) -> Self {
        self.top = Some(n);
        self
    }

    /// `$skip`: skip the first `n` rows.
    pub fn skip(mut self, n: u32) -> Self {
        self.skip = Some(n);
        self
    }

    /// A property name must be one identifier: it cannot change the shape of the query.
    fn check(&mut self, option: &str, property: &str) {
        if (!Path::parse(property).is_valid() || property.contains('/')) && self.invalid.is_none() {
            self.invalid = Some(format!("{option}: {property:?} is not a property name"));
        }
    }

    fn to_pairs(&self) -> Result<Vec<(&'static str, String)>> {
        if let Some(message) = &self.invalid {
            return Err(Error::InvalidQuery {
                message: message.clone(),
            });
        }
        let mut pairs = Vec::new();
        if let Some(f) = &self.filter {
            pairs.push(("$filter", f.to_odata_v4()));
        }
        if !self.order_by.is_empty() {
            pairs.push(("$orderby", self.order_by.join(",")));
        }
        if !self.select.is_empty() {
            pairs.push(("$select", self.select.join(",")));
        }
        if let Some(n) = self.skip {
            pairs.push(("$skip", n.to_string()));
        }
        if let Some(n) = self.top {
            pairs.push(("$top", n.to_string()));
        }
        Ok(pairs)
    }
}

/// One response of an entity set: the rows, and the link to the next page if the server pages.
#[derive(Deserialize)]
struct Page<T> {
    value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    next_link: Option<String>,
}

/// A generic inquiry exposed via OData, read as rows of `T`; made by
/// [`AcumaticaClient::inquiry`]. Cheap to clone.
pub struct GenericInquiry<T> {
    client: AcumaticaClient,
    name: String,
    tenant: Option<String>,
    rows: PhantomData<fn() -> T>,
}

impl<T> Clone for GenericInquiry<T> {
    fn clone(&self) -> Self {
        GenericInquiry {
            client: self.client.clone(),
            name: self.name.clone(),
            tenant: self.tenant.clone(),
            rows: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for GenericInquiry<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GenericInquiry")
            .field("name", &self.name)
            .field("tenant", &self.tenant)
            .finish_non_exhaustive()
    }
}

impl AcumaticaClient {
    /// The generic inquiry `name` (its OData entity set name, such as `Customers` or
    /// `BI-LeadConversion`), read as rows of `T`.
    pub fn inquiry<T: DeserializeOwned>(&self, name: impl Into<String>) -> GenericInquiry<T> {
        GenericInquiry {
            client: self.clone(),
            name: name.into(),
            tenant: None,
            rows: PhantomData,
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> GenericInquiry<T> {
    /// Reads the inquiry of this tenant (login name) instead of the client's: by default the
    /// tenant of the credentials, or of the OAuth client ID (`<GUID>@<Tenant>`).
    pub fn tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = Some(tenant.into());
        self
    }

    /// The entity set's path from the instance root: `/t/Company/api/odata/gi/Customers`.
    pub fn path(&self) -> Result<String> {
        let tenant = match &self.tenant {
            Some(t) => Some(t.clone()),
            None => match &self.client.config().auth {
                Auth::Session(c) => c.tenant.clone(),
                Auth::OAuth(o) => o.client_id.rsplit_once('@').map(|(_, t)| t.to_owned()),
            },
        };
        let tenant = tenant
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| Error::Config {
                setting: "tenant".into(),
                message: "generic inquiries are read at /t/{tenant}/api/odata/gi: set the tenant in the credentials or with GenericInquiry::tenant".into(),
            })?;
        Ok(format!(
            "/t/{}/api/odata/gi/{}",
            segment(&tenant, Segment::Name)?,
            segment(&self.name, Segment::Name)?
        ))
    }

    /// The rows that match `options` (all of them without `$top`), following the server's
    /// `@odata.nextLink` if it pages on its own.
    pub async fn get(&self, options: InquiryOptions) -> Result<Vec<T>> {
        let mut spec = RequestSpec::new(Method::GET, self.path()?, CallKind::Idempotent);
        spec.query = options.to_pairs()?;
        let mut rows = Vec::new();
        loop {
            let page = self.page(&spec).await?;
            rows.extend(page.value);
            let room = options.top.is_none_or(|t| rows.len() < t as usize);
            match page.next_link {
                Some(link) if room => {
                    let path = self.client.shared().instance_path(&link);
                    spec = RequestSpec::new(Method::GET, path, CallKind::Idempotent);
                }
                _ => break,
            }
        }
        if let Some(t) = options.top {
            rows.truncate(t as usize);
        }
        Ok(rows)
    }

    /// The rows page by page (`$top`/`$skip`, the client's page size), one at a time: memory
    /// stays flat however many rows there are. Give an `$orderby` on the inquiry's key so that
    /// pages do not overlap. A `$top` in `options` caps the total; a `$skip` is where the first
    /// page starts.
    pub fn stream(
        &self,
        options: InquiryOptions,
    ) -> impl Stream<Item = Result<T>> + Send + 'static {
        struct State<T> {
            inquiry: GenericInquiry<T>,
            options: InquiryOptions,
            skip: u32,
            yielded: u32,
            buffer: std::vec::IntoIter<T>,
            done: bool,
        }
        let page = self.client.config().page_size.max(1);
        let limit = options.top;
        let state = State {
            inquiry: self.clone(),
            skip: options.skip.unwrap_or(0),
            options: InquiryOptions {
                top: None,
                skip: None,
                ..options
            },
            yielded: 0,
            buffer: Vec::new().into_iter(),
            done: false,
        };
        futures::stream::unfold(state, move |mut st| async move {
            loop {
                if limit.is_some_and(|l| st.yielded >= l) {
                    return None;
                }
                if let Some(row) = st.buffer.next() {
                    st.yielded += 1;
                    return Some((Ok(row), st));
                }
                if st.done {
                    return None;
                }
                let want = limit.map_or(page, |l| page.min(l - st.yielded));
                let options = st.options.clone().skip(st.skip).top(want);
                let page = async {
                    let mut spec =
                        RequestSpec::new(Method::GET, st.inquiry.path()?, CallKind::Idempotent);
                    spec.query = options.to_pairs()?;
                    st.inquiry.page(&spec).await
                };
                match page.await {
                    Ok(p) => {
                        let n = p.value.len() as u32;
                        // A server that pages on its own may send fewer rows with a next link.
                        st.done = n == 0 || (n < want && p.next_link.is_none());
                        st.skip += n;
                        st.buffer = p.value.into_iter();
                    }
                    Err(e) => {
                        st.done = true;
                        return Some((Err(e), st));
                    }
                }
            }
        })
    }

    async fn page(&self, spec: &RequestSpec) -> Result<Page<T>> {
        let resp = self.client.session().send(spec).await?;
        decode_json::<Page<T>>(&resp)
    }
}

/// Reads an `Edm.Decimal` column exactly, from the number's text (`5000.0000` keeps its scale),
/// never through `f64`: use it as `#[serde(default, deserialize_with = "acumatica_sdk::odata::decimal")]`
/// on an `Option<Decimal>` field of a row struct.
pub fn decimal<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Decimal>, D::Error> {
    <Decimal as ValueType>::deserialize_value(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{Field, field};
    use crate::types::{DateTime, Uuid};

    #[test]
    fn options_render_and_reject_injected_names() {
        let o = InquiryOptions::new()
            .filter(field("CustomerName").eq("O'Brien"))
            .order_by("CustomerID")
            .order_by_desc("CreditLimit")
            .select("CustomerID, CustomerName")
            .skip(5)
            .top(10);
        assert_eq!(
            o.to_pairs().unwrap(),
            vec![
                ("$filter", "CustomerName eq 'O''Brien'".to_owned()),
                ("$orderby", "CustomerID,CreditLimit desc".to_owned()),
                ("$select", "CustomerID,CustomerName".to_owned()),
                ("$skip", "5".to_owned()),
                ("$top", "10".to_owned()),
            ]
        );
        let bad = InquiryOptions::new().order_by("CustomerID desc,Status");
        assert!(matches!(bad.to_pairs(), Err(Error::InvalidQuery { .. })));
        let bad = InquiryOptions::new().filter(field("Status eq 'x' or 1").eq(1));
        assert!(matches!(bad.to_pairs(), Err(Error::InvalidQuery { .. })));
        let bad = InquiryOptions::new().select("Main/Email");
        assert!(matches!(bad.to_pairs(), Err(Error::InvalidQuery { .. })));
    }

    #[test]
    fn filters_are_sent_in_odata_v4_syntax() {
        let t: DateTime = "2024-07-15T10:31:28.402+03:00".parse().unwrap();
        let name = Field::<String>::at(Path::parse("CustomerName"));
        let o = InquiryOptions::new()
            .filter(field("CreditLimit").ge(Decimal::new(100050, 2)))
            .filter(field("LastModifiedDateTime").lt(t))
            .filter(name.contains("O'Br"))
            .filter(field("NoteID").ne(Uuid::nil()));
        assert_eq!(
            o.to_pairs().unwrap(),
            vec![(
                "$filter",
                "CreditLimit ge 1000.50 and LastModifiedDateTime lt 2024-07-15T10:31:28.402+03:00 \
                 and contains(CustomerName, 'O''Br') and NoteID ne 00000000-0000-0000-0000-000000000000"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn decimals_keep_their_scale() {
        #[derive(Deserialize)]
        struct Row {
            #[serde(default, deserialize_with = "decimal")]
            amount: Option<Decimal>,
        }
        let rows: Page<Row> =
            serde_json::from_str(r#"{"value":[{"amount":5000.0000},{"amount":null},{}]}"#).unwrap();
        let amounts: Vec<_> = rows.value.iter().map(|r| r.amount).collect();
        assert_eq!(amounts[0].map(|d| d.to_string()), Some("5000.0000".into()));
        assert_eq!(amounts[1..], [None, None]);
    }
}
