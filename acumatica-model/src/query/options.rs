//! [`QueryOptions`]: the query string of a contract-based API request.

use super::custom::CustomRef;
use super::fields::{Detail, Field, FieldSet, Path};
use super::filter::Filter;
use crate::error::QueryError;

type Result<T> = std::result::Result<T, QueryError>;

/// `$filter`, `$select`, `$expand`, `$custom`, `$top` and `$skip` of a request.
///
/// Acumatica has no `$orderby` and no `$count` on the contract-based API, so neither is here.
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct QueryOptions {
    filter: Option<Filter>,
    select: Vec<String>,
    expand: Vec<String>,
    custom: Vec<String>,
    top: Option<u32>,
    skip: Option<u32>,
    business_date: Option<chrono::NaiveDate>,
    branch: Option<String>,
    invalid: Option<String>,
}

impl QueryOptions {
    /// No options: all top-level fields of all records.
    pub fn new() -> Self {
        QueryOptions::default()
    }

    /// Sets `$filter` (calling it again combines the filters with `and`).
    pub fn filter(mut self, filter: Filter) -> Self {
        let (combined, problem) = Filter::combine(self.filter.take(), filter);
        if let Some(p) = problem {
            self.invalid.get_or_insert_with(|| p.message("field path"));
        }
        self.filter = Some(combined);
        self
    }

    /// Adds fields to `$select`: a typed field, a string path, or a tuple or array of them.
    pub fn select(mut self, fields: impl Selectable) -> Self {
        fields.add_to(&mut self.select);
        self.check(|s| &s.select, "$select");
        self
    }

    /// Adds a linked or detail entity to `$expand`, with every level above it (Acumatica needs
    /// `MainContact,MainContact/Address` for the address).
    pub fn expand(mut self, entity: impl Expandable) -> Self {
        self.expand_with_parents(&entity.expand_path());
        self.check(|s| &s.expand, "$expand");
        self
    }

    /// Adds `files` to `$expand`: the record's attached files.
    pub fn expand_files(mut self) -> Self {
        if !self.expand.iter().any(|e| e == "files") {
            self.expand.push("files".to_owned());
        }
        self
    }

    /// Adds a field outside the contract to `$custom`: a typed path generated from the tenant's
    /// `$adHocSchema` (`Customer::fields().usr_loyalty_tier()`; for a linked or detail entity
    /// its entity is expanded too), or text (`ItemSettings.UsrRepairItemType`,
    /// `Details/Transactions.UsrX`, `Document.AttributeCOLOR`).
    ///
    /// ```
    /// use acumatica_sdk::default::{SalesOrder, SalesOrderDetail};
    /// use acumatica_sdk::entity::CustomKey;
    /// use acumatica_sdk::query::{CustomPath, FieldSet, QueryOptions};
    /// use rust_decimal::Decimal;
    ///
    /// // What the generator emits for a decimal on sales-order lines.
    /// const USR_UNIT_WEIGHT: CustomKey<SalesOrderDetail, Decimal> =
    ///     CustomKey::new("Transactions", "UsrUnitWeight");
    /// let line_weight = CustomPath::at(SalesOrder::fields().details().fields().path(), USR_UNIT_WEIGHT);
    /// let q = QueryOptions::new().custom(&line_weight).custom("Document.UsrExternalRef");
    /// assert_eq!(
    ///     q.pairs().unwrap(),
    ///     [("$expand", "Details".to_owned()),
    ///      ("$custom", "Details/Transactions.UsrUnitWeight,Document.UsrExternalRef".to_owned())]
    /// );
    /// ```
    pub fn custom(mut self, field: impl Into<CustomRef>) -> Self {
        let CustomRef {
            reference: field,
            expand,
        } = field.into();
        if let Some(entity) = expand {
            self.expand_with_parents(entity.as_str());
            self.check(|s| &s.expand, "$expand");
        }
        let ok = !field.is_empty()
            && field
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/'));
        if !ok {
            self.invalid.get_or_insert_with(|| {
                format!("$custom: {field:?} is not a custom field reference")
            });
        }
        self.custom.push(field);
        self
    }

    /// Adds `path` to `$expand`, with every level above it.
    fn expand_with_parents(&mut self, path: &str) {
        let mut prefix = String::new();
        for segment in path.split('/') {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(segment);
            if !self.expand.contains(&prefix) {
                self.expand.push(prefix.clone());
            }
        }
    }

    /// `$top`: at most `n` records.
    pub fn top(mut self, n: u32) -> Self {
        self.top = Some(n);
        self
    }

    /// `$skip`: skip the first `n` records.
    pub fn skip(mut self, n: u32) -> Self {
        self.skip = Some(n);
        self
    }

    /// Runs the request as of this business date (`PX-CbApiBusinessDate` header).
    pub fn business_date(mut self, date: chrono::NaiveDate) -> Self {
        self.business_date = Some(date);
        self
    }

    /// Runs the request in this branch, by branch name (`PX-CbApiBranch` header).
    pub fn branch(mut self, branch: impl Into<String>) -> Self {
        let branch = branch.into();
        // What an HTTP header value may hold (visible ASCII, spaces, tabs, and bytes from 0x80).
        let sendable = branch
            .bytes()
            .all(|b| b == b'\t' || (b' '..=b'~').contains(&b) || b >= 0x80);
        if !sendable {
            self.invalid.get_or_insert_with(|| {
                format!("PX-CbApiBranch: {branch:?} cannot be sent in a header")
            });
        }
        self.branch = Some(branch);
        self
    }

    /// The business date set with [`business_date`](Self::business_date), if any.
    pub fn business_date_value(&self) -> Option<chrono::NaiveDate> {
        self.business_date
    }

    /// The branch set with [`branch`](Self::branch), if any.
    pub fn branch_value(&self) -> Option<&str> {
        self.branch.as_deref()
    }

    /// The `$top` set, if any.
    pub fn top_value(&self) -> Option<u32> {
        self.top
    }

    /// The `$skip` set, if any.
    pub fn skip_value(&self) -> Option<u32> {
        self.skip
    }

    /// The rendered `$filter`, or the error that a malformed path would cause.
    pub fn filter_string(&self) -> Result<String> {
        self.validate()?;
        Ok(self
            .filter
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default())
    }

    fn check(&mut self, list: impl Fn(&Self) -> &Vec<String>, name: &str) {
        if self.invalid.is_some() {
            return;
        }
        if let Some(bad) = list(self).iter().find(|p| {
            !Path::parse(p.as_str()).is_valid() && p.as_str() != "files" && !p.ends_with("/files")
        }) {
            self.invalid = Some(format!("{name}: {bad:?} is not a field path"));
        }
    }

    fn validate(&self) -> Result<()> {
        match &self.invalid {
            Some(message) => Err(QueryError {
                message: message.clone(),
            }),
            None => Ok(()),
        }
    }

    /// The query parameters as they are sent (before URL encoding), in a fixed order:
    /// `$filter`, `$select`, `$expand`, `$custom`, `$skip`, `$top`; an error if a path given as
    /// text is malformed.
    pub fn pairs(&self) -> Result<Vec<(&'static str, String)>> {
        self.validate()?;
        let mut pairs = Vec::new();
        if let Some(f) = &self.filter {
            pairs.push(("$filter", f.to_string()));
        }
        if !self.select.is_empty() {
            pairs.push(("$select", self.select.join(",")));
        }
        if !self.expand.is_empty() {
            pairs.push(("$expand", self.expand.join(",")));
        }
        if !self.custom.is_empty() {
            pairs.push(("$custom", self.custom.join(",")));
        }
        if let Some(n) = self.skip {
            pairs.push(("$skip", n.to_string()));
        }
        if let Some(n) = self.top {
            pairs.push(("$top", n.to_string()));
        }
        Ok(pairs)
    }

    /// The same options without `$top`/`$skip` (paging sets its own).
    #[doc(hidden)]
    pub fn without_paging(&self) -> Self {
        QueryOptions {
            top: None,
            skip: None,
            ..self.clone()
        }
    }
}

/// Things `$select` accepts: typed fields, paths as text, and tuples, arrays or vectors of them.
pub trait Selectable {
    /// Appends the paths.
    fn add_to(self, out: &mut Vec<String>);
}

impl<T> Selectable for Field<T> {
    fn add_to(self, out: &mut Vec<String>) {
        out.push(self.path().to_owned());
    }
}
impl Selectable for &str {
    fn add_to(self, out: &mut Vec<String>) {
        out.extend(
            self.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
        );
    }
}
impl Selectable for String {
    fn add_to(self, out: &mut Vec<String>) {
        self.as_str().add_to(out)
    }
}
impl<S: Selectable, const N: usize> Selectable for [S; N] {
    fn add_to(self, out: &mut Vec<String>) {
        self.into_iter().for_each(|s| s.add_to(out));
    }
}
impl<S: Selectable> Selectable for Vec<S> {
    fn add_to(self, out: &mut Vec<String>) {
        self.into_iter().for_each(|s| s.add_to(out));
    }
}
macro_rules! selectable_tuple {
    ($($name:ident)+) => {
        impl<$($name: Selectable),+> Selectable for ($($name,)+) {
            #[allow(non_snake_case)]
            fn add_to(self, out: &mut Vec<String>) {
                let ($($name,)+) = self;
                $($name.add_to(out);)+
            }
        }
    };
}
selectable_tuple!(A);
selectable_tuple!(A B);
selectable_tuple!(A B C);
selectable_tuple!(A B C D);
selectable_tuple!(A B C D E);
selectable_tuple!(A B C D E F);
selectable_tuple!(A B C D E F G);
selectable_tuple!(A B C D E F G H);

/// Things `$expand` accepts: linked entities (their field sets), detail collections, and paths
/// as text.
pub trait Expandable {
    /// The path to expand.
    fn expand_path(&self) -> String;
}

impl<F: FieldSet> Expandable for F {
    fn expand_path(&self) -> String {
        self.path().as_str().to_owned()
    }
}
impl<F: FieldSet> Expandable for Detail<F> {
    fn expand_path(&self) -> String {
        self.path().as_str().to_owned()
    }
}
impl Expandable for &str {
    fn expand_path(&self) -> String {
        (*self).to_owned()
    }
}
impl Expandable for String {
    fn expand_path(&self) -> String {
        self.clone()
    }
}
