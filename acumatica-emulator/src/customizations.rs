//! The tenant's customization as data: custom fields and workflow actions.
//!
//! On a tenant, customization projects and user-defined attributes add fields that are not in
//! the endpoint's contract, and workflows add actions. Acumatica's Integration Development Guide
//! describes how the contract-based API reaches them ("Custom Fields", "Get the List of Custom
//! Fields", "Filter Records by Custom Fields", "Execute a Custom Action"):
//!
//! - every custom field sits in the `custom` block of whichever entity holds it (top-level,
//!   detail line or linked entity): `"custom": {"<View>": {"<Field>": {"type":
//!   "CustomStringField", "value": ...}}}`; `$custom=<View>.<Field>` (or
//!   `<Detail>/<View>.<Field>`) asks for it, `PUT` writes it, `cf.<Type>(f='<View>.<Field>')`
//!   filters on it;
//! - `GET /{Entity}/$adHocSchema` lists them, each `{"type": ..., "value": null}`, and the
//!   entity's workflow actions in `_workflowActions`;
//! - a workflow action is invoked as `POST /{Entity}/{Action}` with its parameters in
//!   `parameters.custom`.
//!
//! [`Customizations`] holds them; its documentation gives the JSON format.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use acumatica_codegen::ir::FieldKind;
use chrono::FixedOffset;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value, json};

use crate::codec::{FastBuild, Node};
use crate::error::Error;
pub use crate::filter::CustomType;
use crate::model::Model;
use crate::write::coerce;

/// The custom fields and workflow actions of the emulated tenant.
///
/// [`Config::customizations`](crate::Config::customizations) holds one; without it the emulator
/// serves [`Customizations::builtin`].
///
/// It says which fields and actions the emulated tenant has, what values the
/// seeded records carry, and what each action does to the record. It is read from JSON
/// ([`Customizations::from_json`], `--customizations FILE`) or built in Rust; the format:
///
/// ```json
/// {
///   "fields": {
///     "Customer": {
///       "CurrentCustomer": {
///         "UsrLoyaltyTier": { "type": "String", "values": ["Gold", "Silver", "Bronze"] },
///         "UsrCreditScore": "Int"
///       }
///     },
///     "SalesOrderDetail": {
///       "Transactions": { "UsrUnitWeight": { "type": "Decimal", "values": [1.5, 2.25] } }
///     }
///   },
///   "actions": {
///     "Customer": {
///       "ChangeLoyaltyTier": {
///         "parameters": { "FilterPreview": { "Tier": "String" } },
///         "set": { "CurrentCustomer.UsrLoyaltyTier": { "parameter": "FilterPreview.Tier" } }
///       },
///       "PutOnHold": { "set": { "Status": "On Hold" } }
///     }
///   }
/// }
/// ```
///
/// - `fields`: entity schema name (top-level, detail or linked: `SalesOrderDetail`) → view →
///   field → its type, either a name (`"String"`, `"Decimal"`, `"Boolean"`, `"DateTime"`,
///   `"Int"`, `"Short"`, `"Long"`, `"Byte"`, `"Double"`, `"Guid"`, or the wire name
///   `"CustomStringField"`) or an object with `type` and at most one way to seed the records:
///   `value` (the same on every record), `values` (in turn, record after record; for a detail
///   entity, line after line), `pick` (one per record, drawn from a stream seeded with the
///   configuration's seed), `format` (text with the record's number: `"EXT-{n:05}"` gives
///   `EXT-00001`, …) or `copy` (the value of a contract field of the same record).
/// - `actions`: top-level entity → action name → `parameters` (view → field → type) and `set`:
///   what the action does to the record, each key a contract field (`Status`) or a custom field
///   of the entity (`View.Field`, declared in `fields`), each value a constant or
///   `{"parameter": "View.Field"}`, the value the call passed for that parameter.
///
/// Every entity must be in a served endpoint and every field an action sets must exist; an error
/// names where (`fields.SalesOrderLine`, `actions.Customer.PutOnHold.set.Statu`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Customizations {
    /// Custom fields.
    pub fields: Vec<CustomFieldSpec>,
    /// Workflow actions.
    pub actions: Vec<WorkflowActionSpec>,
}

/// One custom field: `"custom": {"<view>": {"<field>": {"type": ..., "value": ...}}}` inside
/// every record of `entity`.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomFieldSpec {
    /// The schema name of the entity that holds it: top-level (`Customer`), detail
    /// (`SalesOrderDetail`) or linked.
    pub entity: String,
    /// The screen's data view (`CurrentCustomer`).
    pub view: String,
    /// The field (`UsrLoyaltyTier`, `AttributeINDUSTRY`).
    pub field: String,
    /// Its type: `Custom<Type>Field` on the wire, `cf.<Type>` in filters.
    pub kind: CustomType,
    /// The values seeded records get; `None` leaves them empty.
    pub seed: Option<SeedValues>,
}

/// The values a custom field gets on the seeded records, in the order the records are seeded
/// (for a field of a detail entity, line after line).
#[derive(Debug, Clone, PartialEq)]
pub enum SeedValues {
    /// The same value on every record (`"value": ...`).
    Fixed(Value),
    /// The values in turn, the first on the first record (`"values": [...]`).
    Cycle(Vec<Value>),
    /// One of the values for each record, drawn from a stream seeded with
    /// [`Config::seed`](crate::Config::seed) and the field's name (`"pick": [...]`).
    Pick(Vec<Value>),
    /// Text with the record's number, 1 for the first: `{n}`, or `{n:05}` zero-padded to five
    /// digits (`"format": "EXT-{n:05}"`).
    Format(String),
    /// The value of a contract field of the same record (`"copy": "Balance"`).
    Copy(String),
}

/// A workflow action of a top-level entity: listed in `_workflowActions`, invoked through
/// `POST /{entity}/{name}`.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowActionSpec {
    /// The top-level entity (`Customer`).
    pub entity: String,
    /// The action's name in the URL (`ChangeLoyaltyTier`); matched without regard to case.
    pub name: String,
    /// Its parameters, passed in `parameters.custom`.
    pub parameters: Vec<ActionParameter>,
    /// What it does to the record, in order.
    pub effects: Vec<ActionEffect>,
}

/// A parameter of a workflow action: `parameters.custom.<view>.<field>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionParameter {
    /// The view (`FilterPreview`).
    pub view: String,
    /// The field (`Tier`).
    pub field: String,
    /// Its type; a value of another type is refused with a 422.
    pub kind: CustomType,
}

/// One assignment an action makes to the record it runs on.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionEffect {
    /// The field set.
    pub target: EffectTarget,
    /// The value.
    pub value: EffectValue,
}

/// A field an action sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EffectTarget {
    /// A value field of the contract (`Status`).
    Field(String),
    /// A custom field of the entity, declared in [`Customizations::fields`].
    Custom {
        /// The view.
        view: String,
        /// The field.
        field: String,
    },
}

/// The value an action sets.
#[derive(Debug, Clone, PartialEq)]
pub enum EffectValue {
    /// Always this value.
    Constant(Value),
    /// The value the call passed for one of the action's parameters (nothing is set when the
    /// call leaves it out).
    Parameter {
        /// The parameter's view.
        view: String,
        /// The parameter's field.
        field: String,
    },
}

/// A customization that cannot be used, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomizationsError {
    /// The file it was read from, if any.
    pub file: Option<PathBuf>,
    /// Where: a path into the JSON such as `fields.Customer.CurrentCustomer.UsrLoyaltyTier.type`
    /// (`actions.Customer.ChangeLoyaltyTier.set["CurrentCustomer.UsrLoyaltyTier"]` for a key
    /// with a dot), `line 3, column 7` for a syntax error, or `the top level`.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for CustomizationsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}: ", file.display())?;
        }
        write!(f, "at {}: {}", self.location, self.message)
    }
}

impl std::error::Error for CustomizationsError {}

impl CustomFieldSpec {
    /// A field left empty on seeded records.
    pub fn new(
        entity: impl Into<String>,
        view: impl Into<String>,
        field: impl Into<String>,
        kind: CustomType,
    ) -> Self {
        CustomFieldSpec {
            entity: entity.into(),
            view: view.into(),
            field: field.into(),
            kind,
            seed: None,
        }
    }

    /// Gives the seeded records values.
    #[must_use]
    pub fn seeded(mut self, seed: SeedValues) -> Self {
        self.seed = Some(seed);
        self
    }

    fn location(&self) -> String {
        path(
            &path(&path(&path("", "fields"), &self.entity), &self.view),
            &self.field,
        )
    }
}

impl SeedValues {
    /// `Cycle` of the given values.
    pub fn cycle<I: IntoIterator<Item = V>, V: Into<Value>>(values: I) -> Self {
        SeedValues::Cycle(values.into_iter().map(Into::into).collect())
    }

    /// `Pick` among the given values.
    pub fn pick<I: IntoIterator<Item = V>, V: Into<Value>>(values: I) -> Self {
        SeedValues::Pick(values.into_iter().map(Into::into).collect())
    }
}

impl WorkflowActionSpec {
    /// An action without parameters or effects.
    pub fn new(entity: impl Into<String>, name: impl Into<String>) -> Self {
        WorkflowActionSpec {
            entity: entity.into(),
            name: name.into(),
            parameters: Vec::new(),
            effects: Vec::new(),
        }
    }

    /// Adds a parameter.
    #[must_use]
    pub fn parameter(
        mut self,
        view: impl Into<String>,
        field: impl Into<String>,
        kind: CustomType,
    ) -> Self {
        self.parameters.push(ActionParameter {
            view: view.into(),
            field: field.into(),
            kind,
        });
        self
    }

    /// Adds an effect.
    #[must_use]
    pub fn effect(mut self, target: EffectTarget, value: EffectValue) -> Self {
        self.effects.push(ActionEffect { target, value });
        self
    }

    /// Adds an effect that sets a contract field to a constant.
    #[must_use]
    pub fn sets(self, field: impl Into<String>, value: impl Into<Value>) -> Self {
        self.effect(
            EffectTarget::Field(field.into()),
            EffectValue::Constant(value.into()),
        )
    }

    fn location(&self) -> String {
        path(&path(&path("", "actions"), &self.entity), &self.name)
    }
}

impl EffectTarget {
    /// A contract field.
    pub fn field(field: impl Into<String>) -> Self {
        EffectTarget::Field(field.into())
    }

    /// A custom field.
    pub fn custom(view: impl Into<String>, field: impl Into<String>) -> Self {
        EffectTarget::Custom {
            view: view.into(),
            field: field.into(),
        }
    }

    /// The key in `set`: `Status` or `View.Field`.
    fn key(&self) -> String {
        match self {
            EffectTarget::Field(f) => f.clone(),
            EffectTarget::Custom { view, field } => format!("{view}.{field}"),
        }
    }
}

impl EffectValue {
    /// A constant.
    pub fn constant(value: impl Into<Value>) -> Self {
        EffectValue::Constant(value.into())
    }

    /// The value passed for a parameter.
    pub fn parameter(view: impl Into<String>, field: impl Into<String>) -> Self {
        EffectValue::Parameter {
            view: view.into(),
            field: field.into(),
        }
    }
}

impl Customizations {
    /// No custom fields and no workflow actions.
    pub fn none() -> Self {
        Customizations::default()
    }

    /// What the emulator serves unless told otherwise:
    ///
    /// | entity | view.field | type | seeded |
    /// |---|---|---|---|
    /// | `Customer` | `CurrentCustomer.UsrLoyaltyTier` | String | `Gold`, `Silver`, `Bronze` in turn |
    /// | `Customer` | `CurrentCustomer.UsrCreditScore` | Int | no |
    /// | `Customer` | `Document.AttributeINDUSTRY` | String | picked from `RETAIL`, `WHOLESALE`, `MANUFACT`, `SERVICES` |
    /// | `StockItem` | `ItemSettings.UsrRepairItemType` | String | picked from `Battery`, `Motor`, `Blade` |
    /// | `SalesOrder` | `Document.UsrExternalRef` | String | `EXT-00001`, … |
    /// | `SalesOrderDetail` | `Transactions.UsrGiftWrap` | Boolean | no |
    /// | `SalesOrderDetail` | `Transactions.UsrUnitWeight` | Decimal | `1.5`, `2.25`, `0.75`, `4` in turn, line after line |
    /// | `Invoice` | `Document.CuryBalanceWOTotal` | Decimal | the invoice's `Balance` |
    ///
    /// Workflow actions: `PutOnHold` and `ReleaseFromHold` of `SalesOrder`, `Invoice`,
    /// `SalesInvoice` and `Bill` (`Hold` and `Status`); `PutOnHold` and `RemoveHold` of
    /// `Customer` (`Status`); `Customer/ChangeLoyaltyTier` with the parameter
    /// `FilterPreview.Tier` (String), which it writes into `CurrentCustomer.UsrLoyaltyTier`;
    /// `Case/Close` with `FilterPreview.Reason` (String), which sets `Status` to `Closed`.
    ///
    /// Entities an endpoint does not have are left out (an explicit [`Config::customizations`]
    /// is checked instead).
    ///
    /// [`Config::customizations`]: crate::Config::customizations
    pub fn builtin() -> Self {
        use CustomType::{Boolean, Decimal, Int, String};
        let mut c = Customizations::none()
            .field(
                CustomFieldSpec::new("Customer", "CurrentCustomer", "UsrLoyaltyTier", String)
                    .seeded(SeedValues::cycle(["Gold", "Silver", "Bronze"])),
            )
            .field(CustomFieldSpec::new(
                "Customer",
                "CurrentCustomer",
                "UsrCreditScore",
                Int,
            ))
            .field(
                CustomFieldSpec::new("Customer", "Document", "AttributeINDUSTRY", String).seeded(
                    SeedValues::pick(["RETAIL", "WHOLESALE", "MANUFACT", "SERVICES"]),
                ),
            )
            .field(
                CustomFieldSpec::new("StockItem", "ItemSettings", "UsrRepairItemType", String)
                    .seeded(SeedValues::pick(["Battery", "Motor", "Blade"])),
            )
            .field(
                CustomFieldSpec::new("SalesOrder", "Document", "UsrExternalRef", String)
                    .seeded(SeedValues::Format("EXT-{n:05}".into())),
            )
            .field(CustomFieldSpec::new(
                "SalesOrderDetail",
                "Transactions",
                "UsrGiftWrap",
                Boolean,
            ))
            .field(
                CustomFieldSpec::new("SalesOrderDetail", "Transactions", "UsrUnitWeight", Decimal)
                    .seeded(SeedValues::cycle([1.5, 2.25, 0.75, 4.0])),
            )
            .field(
                CustomFieldSpec::new("Invoice", "Document", "CuryBalanceWOTotal", Decimal)
                    .seeded(SeedValues::Copy("Balance".into())),
            )
            .action(
                WorkflowActionSpec::new("SalesOrder", "PutOnHold")
                    .sets("Hold", true)
                    .sets("Status", "On Hold"),
            )
            .action(
                WorkflowActionSpec::new("SalesOrder", "ReleaseFromHold")
                    .sets("Hold", false)
                    .sets("Status", "Open"),
            );
        for entity in ["Invoice", "SalesInvoice", "Bill"] {
            c = c
                .action(
                    WorkflowActionSpec::new(entity, "PutOnHold")
                        .sets("Hold", true)
                        .sets("Status", "On Hold"),
                )
                .action(
                    WorkflowActionSpec::new(entity, "ReleaseFromHold")
                        .sets("Hold", false)
                        .sets("Status", "Balanced"),
                );
        }
        c.action(WorkflowActionSpec::new("Customer", "PutOnHold").sets("Status", "On Hold"))
            .action(WorkflowActionSpec::new("Customer", "RemoveHold").sets("Status", "Active"))
            .action(
                WorkflowActionSpec::new("Customer", "ChangeLoyaltyTier")
                    .parameter("FilterPreview", "Tier", String)
                    .effect(
                        EffectTarget::custom("CurrentCustomer", "UsrLoyaltyTier"),
                        EffectValue::parameter("FilterPreview", "Tier"),
                    ),
            )
            .action(
                WorkflowActionSpec::new("Case", "Close")
                    .parameter("FilterPreview", "Reason", String)
                    .sets("Status", "Closed"),
            )
    }

    /// Adds a custom field.
    #[must_use]
    pub fn field(mut self, spec: CustomFieldSpec) -> Self {
        self.fields.push(spec);
        self
    }

    /// Adds a workflow action.
    #[must_use]
    pub fn action(mut self, spec: WorkflowActionSpec) -> Self {
        self.actions.push(spec);
        self
    }

    /// Reads the JSON format described above; the error names the offending place.
    pub fn from_json(text: &str) -> Result<Self, CustomizationsError> {
        let value: Value =
            serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
                CustomizationsError {
                    file: None,
                    location: format!("line {}, column {}", e.line(), e.column()),
                    message: e.to_string(),
                }
            })?;
        let parsed = parse(&value)?;
        // Values are checked here too, so a file's mistakes surface with their place before
        // anything starts (date-times without an offset are read as UTC for the check).
        parsed.checked(FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!()))?;
        Ok(parsed)
    }

    /// Reads a JSON file (see [`Customizations::from_json`]).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, CustomizationsError> {
        let path = path.as_ref();
        let with_file = |mut e: CustomizationsError| {
            e.file = Some(path.to_owned());
            e
        };
        let text = std::fs::read_to_string(path).map_err(|e| {
            with_file(CustomizationsError {
                file: None,
                location: "the top level".into(),
                message: format!("cannot read the file: {e}"),
            })
        })?;
        Customizations::from_json(&text).map_err(with_file)
    }

    /// The custom fields of an entity.
    pub(crate) fn fields_of<'a>(
        &'a self,
        entity: &'a str,
    ) -> impl Iterator<Item = &'a CustomFieldSpec> + 'a {
        self.fields.iter().filter(move |f| f.entity == entity)
    }

    /// A custom field of an entity.
    pub(crate) fn field_of(
        &self,
        entity: &str,
        view: &str,
        field: &str,
    ) -> Option<&CustomFieldSpec> {
        self.fields
            .iter()
            .find(|f| f.entity == entity && f.view == view && f.field == field)
    }

    /// The workflow actions of an entity.
    pub(crate) fn actions_of<'a>(
        &'a self,
        entity: &'a str,
    ) -> impl Iterator<Item = &'a WorkflowActionSpec> + 'a {
        self.actions.iter().filter(move |a| a.entity == entity)
    }

    /// A workflow action of an entity, by a name in any case.
    pub(crate) fn action_of(&self, entity: &str, name: &str) -> Option<&WorkflowActionSpec> {
        self.actions
            .iter()
            .find(|a| a.entity == entity && a.name.eq_ignore_ascii_case(name))
    }

    /// Checks what can be checked without an endpoint (names, duplicates, values against their
    /// types, the parameters and custom fields effects refer to); returns the values normalized
    /// as a write would store them.
    fn checked(&self, site: FixedOffset) -> Result<Customizations, CustomizationsError> {
        let mut out = self.clone();
        for i in 0..out.fields.len() {
            let f = &mut out.fields[i];
            let loc = f.location();
            check_name(&f.entity, &loc, "an entity")?;
            check_name(&f.view, &loc, "a view")?;
            check_name(&f.field, &loc, "a field")?;
            if self.fields[..i]
                .iter()
                .any(|g| (&g.entity, &g.view, &g.field) == (&f.entity, &f.view, &f.field))
            {
                return fail(&loc, "the field is declared twice");
            }
            let kind = f.kind;
            match &mut f.seed {
                None | Some(SeedValues::Format(_)) => {}
                Some(SeedValues::Fixed(v)) => typed_in_place(kind, v, site, &path(&loc, "value"))?,
                Some(SeedValues::Cycle(vs)) => typed_list(kind, vs, site, &path(&loc, "values"))?,
                Some(SeedValues::Pick(vs)) => typed_list(kind, vs, site, &path(&loc, "pick"))?,
                Some(SeedValues::Copy(field)) => {
                    check_name(field, &path(&loc, "copy"), "a field")?;
                }
            }
        }
        let fields = &out.fields;
        for i in 0..out.actions.len() {
            let (before, rest) = out.actions.split_at_mut(i);
            let a = &mut rest[0];
            let loc = a.location();
            check_name(&a.entity, &loc, "an entity")?;
            check_name(&a.name, &loc, "an action")?;
            if before
                .iter()
                .any(|b| b.entity == a.entity && b.name.eq_ignore_ascii_case(&a.name))
            {
                return fail(&loc, "the action is declared twice");
            }
            for (j, p) in a.parameters.iter().enumerate() {
                let ploc = path(&path(&path(&loc, "parameters"), &p.view), &p.field);
                check_name(&p.view, &ploc, "a view")?;
                check_name(&p.field, &ploc, "a field")?;
                if a.parameters[..j]
                    .iter()
                    .any(|q| q.view == p.view && q.field == p.field)
                {
                    return fail(&ploc, "the parameter is declared twice");
                }
            }
            for e in &mut a.effects {
                let eloc = path(&path(&loc, "set"), &e.target.key());
                let target_kind = match &e.target {
                    EffectTarget::Field(f) => {
                        check_name(f, &eloc, "a field")?;
                        None
                    }
                    EffectTarget::Custom { view, field } => {
                        check_name(view, &eloc, "a view")?;
                        check_name(field, &eloc, "a field")?;
                        let declared = fields
                            .iter()
                            .find(|f| f.entity == a.entity && &f.view == view && &f.field == field);
                        match declared {
                            Some(f) => Some(f.kind),
                            None => {
                                return fail(
                                    &eloc,
                                    format!(
                                        "{} has no custom field {view}.{field}; declare it in \"fields\"",
                                        a.entity
                                    ),
                                );
                            }
                        }
                    }
                };
                match &mut e.value {
                    EffectValue::Parameter { view, field } => {
                        if !a
                            .parameters
                            .iter()
                            .any(|p| &p.view == view && &p.field == field)
                        {
                            let declared: Vec<String> = a
                                .parameters
                                .iter()
                                .map(|p| format!("{}.{}", p.view, p.field))
                                .collect();
                            return fail(
                                &path(&eloc, "parameter"),
                                format!(
                                    "the action has no parameter {view}.{field} (its parameters: {})",
                                    if declared.is_empty() {
                                        "none".to_owned()
                                    } else {
                                        declared.join(", ")
                                    }
                                ),
                            );
                        }
                    }
                    EffectValue::Constant(v) => {
                        if let Some(kind) = target_kind {
                            typed_in_place(kind, v, site, &eloc)?;
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// The customizations as served by `model`: checked, values normalized, every entity and
    /// contract field looked up. `strict` refuses what the endpoints lack; otherwise (the
    /// built-in defaults) it is left out.
    pub(crate) fn resolve(
        &self,
        model: &Model,
        strict: bool,
        site: FixedOffset,
    ) -> Result<Customizations, Error> {
        let bad = |e: CustomizationsError| Error::Config(format!("customizations {e}"));
        let checked = self.checked(site).map_err(bad)?;
        let mut out = Customizations::none();
        for f in checked.fields {
            if model.any_entity(&f.entity).is_some() {
                out.fields.push(f);
            } else if strict {
                let loc = path(&path("", "fields"), &f.entity);
                return Err(bad(unknown_entity(model, &loc, &f.entity, false)));
            }
        }
        for mut a in checked.actions {
            let Some(entity) = model
                .endpoints
                .iter()
                .find_map(|e| e.ir.entity(&a.entity).filter(|x| x.top_level.is_some()))
            else {
                if strict {
                    let loc = path(&path("", "actions"), &a.entity);
                    return Err(bad(unknown_entity(model, &loc, &a.entity, true)));
                }
                continue;
            };
            let loc = a.location();
            let mut effects = Vec::with_capacity(a.effects.len());
            for mut e in a.effects {
                if let EffectTarget::Field(name) = &e.target {
                    let eloc = path(&path(&loc, "set"), name);
                    let kind = match entity.fields.get(name).map(|f| &f.kind) {
                        Some(FieldKind::Value(kind)) => *kind,
                        _ if strict => {
                            return Err(bad(error(
                                &eloc,
                                format!("{} has no value field named {name:?}", a.entity),
                            )));
                        }
                        _ => continue,
                    };
                    if let EffectValue::Constant(v) = &mut e.value
                        && !v.is_null()
                    {
                        *v = coerce(kind, v, site).map_err(|m| bad(error(&eloc, m)))?;
                    }
                }
                effects.push(e);
            }
            a.effects = effects;
            out.actions.push(a);
        }
        Ok(out)
    }
}

impl<'de> Deserialize<'de> for Customizations {
    /// The JSON format of [`Customizations`]; the error names the offending place.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        parse(&value).map_err(serde::de::Error::custom)
    }
}

type Checked<T> = Result<T, CustomizationsError>;

fn error(location: &str, message: impl Into<String>) -> CustomizationsError {
    CustomizationsError {
        file: None,
        location: if location.is_empty() {
            "the top level".into()
        } else {
            location.into()
        },
        message: message.into(),
    }
}

fn fail<T>(location: &str, message: impl Into<String>) -> Checked<T> {
    Err(error(location, message))
}

/// `loc.key`, or `loc["key"]` for a key that is not a plain name.
fn path(loc: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match (loc.is_empty(), plain) {
        (true, true) => key.to_owned(),
        (true, false) => format!("[{key:?}]"),
        (false, true) => format!("{loc}.{key}"),
        (false, false) => format!("{loc}[{key:?}]"),
    }
}

/// Names of entities, views and fields: a letter or `_`, then letters, digits and `_`.
fn check_name(name: &str, loc: &str, what: &str) -> Checked<()> {
    let mut chars = name.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        fail(
            loc,
            format!(
                "{name:?} is not {what} name (letters, digits and _, not starting with a digit)"
            ),
        )
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn typed(kind: CustomType, v: &Value, site: FixedOffset, loc: &str) -> Checked<Value> {
    coerce(kind.value_kind(), v, site)
        .map_err(|_| error(loc, format!("{v} is not a valid {} value", kind.name())))
}

fn typed_in_place(kind: CustomType, v: &mut Value, site: FixedOffset, loc: &str) -> Checked<()> {
    if !v.is_null() {
        *v = typed(kind, v, site, loc)?;
    }
    Ok(())
}

fn typed_list(kind: CustomType, vs: &mut [Value], site: FixedOffset, loc: &str) -> Checked<()> {
    if vs.is_empty() {
        return fail(loc, "at least one value is needed");
    }
    for (i, v) in vs.iter_mut().enumerate() {
        typed_in_place(kind, v, site, &format!("{loc}[{i}]"))?;
    }
    Ok(())
}

/// An entity no endpoint has, with the name it probably meant.
fn unknown_entity(model: &Model, loc: &str, name: &str, top_level: bool) -> CustomizationsError {
    let what = if top_level {
        "a top-level entity"
    } else {
        "an entity"
    };
    let near = model.endpoints.iter().find_map(|e| {
        e.ir.entities
            .values()
            .find(|x| x.name.eq_ignore_ascii_case(name) && (!top_level || x.top_level.is_some()))
            .map(|x| x.name.clone())
    });
    let hint = match near {
        Some(n) => format!("; did you mean {n:?}?"),
        None if !top_level => {
            "; a custom field goes on an entity by its schema name, such as Customer or SalesOrderDetail".into()
        }
        None => String::new(),
    };
    error(
        loc,
        format!("no endpoint being served has {what} named {name:?}{hint}"),
    )
}

fn object<'v>(v: &'v Value, loc: &str, what: &str) -> Checked<&'v Map<String, Value>> {
    match v {
        Value::Object(map) => Ok(map),
        other => fail(loc, format!("expected {what}, found {}", describe(other))),
    }
}

fn kind(v: &Value, loc: &str) -> Checked<CustomType> {
    let known = || {
        CustomType::ALL
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match v {
        Value::String(s) => CustomType::parse_loose(s).ok_or_else(|| {
            error(
                loc,
                format!(
                    "unknown type {s:?}; expected one of {} (or Custom<Type>Field)",
                    known()
                ),
            )
        }),
        other => fail(
            loc,
            format!(
                "expected a type name such as \"String\", found {}",
                describe(other)
            ),
        ),
    }
}

/// Reads the JSON format.
fn parse(v: &Value) -> Checked<Customizations> {
    let root = object(v, "", "an object with \"fields\" and \"actions\"")?;
    let mut out = Customizations::none();
    for (key, value) in root {
        let loc = path("", key);
        match key.as_str() {
            "fields" => parse_fields(value, &loc, &mut out.fields)?,
            "actions" => parse_actions(value, &loc, &mut out.actions)?,
            _ => {
                return fail(
                    &loc,
                    format!("unknown key {key:?}; expected \"fields\" or \"actions\""),
                );
            }
        }
    }
    Ok(out)
}

fn parse_fields(v: &Value, loc: &str, out: &mut Vec<CustomFieldSpec>) -> Checked<()> {
    for (entity, views) in object(v, loc, "an object: entity → view → field → type")? {
        let eloc = path(loc, entity);
        check_name(entity, &eloc, "an entity")?;
        for (view, fields) in object(views, &eloc, "an object: view → field → type")? {
            let vloc = path(&eloc, view);
            check_name(view, &vloc, "a view")?;
            for (field, spec) in object(fields, &vloc, "an object: field → type")? {
                let floc = path(&vloc, field);
                check_name(field, &floc, "a field")?;
                out.push(parse_field(entity, view, field, spec, &floc)?);
            }
        }
    }
    Ok(())
}

fn parse_field(
    entity: &str,
    view: &str,
    field: &str,
    spec: &Value,
    loc: &str,
) -> Checked<CustomFieldSpec> {
    let map = match spec {
        Value::String(_) => return Ok(CustomFieldSpec::new(entity, view, field, kind(spec, loc)?)),
        Value::Object(map) => map,
        other => {
            return fail(
                loc,
                format!(
                    "expected a type name such as \"String\" or an object such as {{\"type\": \"String\", \"values\": [...]}}, found {}",
                    describe(other)
                ),
            );
        }
    };
    let Some(t) = map.get("type") else {
        return fail(loc, "the field has no \"type\"");
    };
    let mut out = CustomFieldSpec::new(entity, view, field, kind(t, &path(loc, "type"))?);
    for (key, v) in map {
        let kloc = path(loc, key);
        let list = |v: &Value| match v {
            Value::Array(items) => Ok(items.clone()),
            other => fail(
                &kloc,
                format!("expected an array of values, found {}", describe(other)),
            ),
        };
        let text = |v: &Value| match v {
            Value::String(s) => Ok(s.clone()),
            other => fail(
                &kloc,
                format!("expected a string, found {}", describe(other)),
            ),
        };
        let seed = match key.as_str() {
            "type" => continue,
            "value" => SeedValues::Fixed(v.clone()),
            "values" => SeedValues::Cycle(list(v)?),
            "pick" => SeedValues::Pick(list(v)?),
            "format" => SeedValues::Format(text(v)?),
            "copy" => SeedValues::Copy(text(v)?),
            _ => {
                return fail(
                    &kloc,
                    format!(
                        "unknown key {key:?}; expected \"type\" and at most one of \"value\", \"values\", \"pick\", \"format\", \"copy\""
                    ),
                );
            }
        };
        if out.seed.is_some() {
            return fail(
                &kloc,
                "only one of \"value\", \"values\", \"pick\", \"format\" and \"copy\" may be given",
            );
        }
        out.seed = Some(seed);
    }
    Ok(out)
}

fn parse_actions(v: &Value, loc: &str, out: &mut Vec<WorkflowActionSpec>) -> Checked<()> {
    for (entity, actions) in object(v, loc, "an object: entity → action name → action")? {
        let eloc = path(loc, entity);
        check_name(entity, &eloc, "an entity")?;
        for (name, spec) in object(actions, &eloc, "an object: action name → action")? {
            let aloc = path(&eloc, name);
            check_name(name, &aloc, "an action")?;
            let mut action = WorkflowActionSpec::new(entity, name);
            let spec = object(spec, &aloc, "an object with \"parameters\" and \"set\"")?;
            for (key, v) in spec {
                let kloc = path(&aloc, key);
                match key.as_str() {
                    "parameters" => {
                        for (view, fields) in object(v, &kloc, "an object: view → field → type")?
                        {
                            let vloc = path(&kloc, view);
                            check_name(view, &vloc, "a view")?;
                            for (field, t) in object(fields, &vloc, "an object: field → type")? {
                                let floc = path(&vloc, field);
                                check_name(field, &floc, "a field")?;
                                let kind = match t {
                                    Value::Object(m) if m.len() == 1 && m.contains_key("type") => {
                                        kind(&m["type"], &path(&floc, "type"))?
                                    }
                                    other => kind(other, &floc)?,
                                };
                                action = action.parameter(view, field, kind);
                            }
                        }
                    }
                    "set" => {
                        for (target, value) in
                            object(v, &kloc, "an object: field (or View.Field) → value")?
                        {
                            let tloc = path(&kloc, target);
                            let target = match target.split_once('.') {
                                Some((view, field)) => {
                                    check_name(view, &tloc, "a view")?;
                                    check_name(field, &tloc, "a field")?;
                                    EffectTarget::custom(view, field)
                                }
                                None => {
                                    check_name(target, &tloc, "a field")?;
                                    EffectTarget::field(target)
                                }
                            };
                            action = action.effect(target, effect_value(value, &tloc)?);
                        }
                    }
                    _ => {
                        return fail(
                            &kloc,
                            format!("unknown key {key:?}; expected \"parameters\" or \"set\""),
                        );
                    }
                }
            }
            out.push(action);
        }
    }
    Ok(())
}

fn effect_value(v: &Value, loc: &str) -> Checked<EffectValue> {
    match v {
        Value::Object(m) => {
            let parameter = m.get("parameter").filter(|_| m.len() == 1);
            let Some(Value::String(p)) = parameter else {
                return fail(
                    loc,
                    "expected a constant or {\"parameter\": \"View.Field\"}",
                );
            };
            let ploc = path(loc, "parameter");
            let Some((view, field)) = p.split_once('.') else {
                return fail(
                    &ploc,
                    format!("{p:?} is not a parameter; expected \"View.Field\""),
                );
            };
            check_name(view, &ploc, "a view")?;
            check_name(field, &ploc, "a field")?;
            Ok(EffectValue::parameter(view, field))
        }
        Value::Array(_) => fail(
            loc,
            "expected a constant or {\"parameter\": \"View.Field\"}, found an array",
        ),
        constant => Ok(EffectValue::Constant(constant.clone())),
    }
}

/// Stores a custom field's value in a record: `custom.<view>.<field>`.
pub(crate) fn set_custom(
    record: &mut Map<String, Value>,
    view: &str,
    field: &str,
    kind: CustomType,
    value: Value,
) {
    let custom = record.entry("custom").or_insert_with(|| json!({}));
    if !custom.is_object() {
        *custom = json!({});
    }
    if let Some(views) = custom.as_object_mut() {
        let block = views.entry(view.to_owned()).or_insert_with(|| json!({}));
        if !block.is_object() {
            *block = json!({});
        }
        if let Some(b) = block.as_object_mut() {
            b.insert(
                field.to_owned(),
                json!({ "type": kind.type_name(), "value": value }),
            );
        }
    }
}

/// [`set_custom`] on a record built as [`Node`]s.
fn set_custom_node<'a>(
    members: &mut Vec<(Cow<'a, str>, Node<'a>)>,
    view: &str,
    field: &str,
    kind: CustomType,
    value: Value,
) {
    fn object<'n, 'a>(
        members: &'n mut Vec<(Cow<'a, str>, Node<'a>)>,
        name: &str,
    ) -> &'n mut Vec<(Cow<'a, str>, Node<'a>)> {
        let at = match members.iter().rposition(|(k, _)| k == name) {
            Some(at) => at,
            None => {
                members.push((Cow::Owned(name.to_owned()), Node::Object(Vec::new())));
                members.len() - 1
            }
        };
        let slot = &mut members[at].1;
        if !matches!(slot, Node::Object(_)) {
            // A map that is not one becomes `{}`, as `set_custom` makes it.
            *slot = match slot.to_value() {
                Value::Object(m) => Node::Object(
                    m.into_iter()
                        .map(|(k, v)| (Cow::Owned(k), Node::Plain(v)))
                        .collect(),
                ),
                _ => Node::Object(Vec::new()),
            };
        }
        match slot {
            Node::Object(inner) => inner,
            _ => unreachable!("made an object above"),
        }
    }
    let block = object(object(members, "custom"), view);
    block.retain(|(k, _)| k != field);
    block.push((
        Cow::Owned(field.to_owned()),
        Node::Plain(json!({ "type": kind.type_name(), "value": value })),
    ));
}

/// FNV-1a, for a stable per-field seed.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `{n}` and `{n:05}` (zero-padded to five digits) replaced by `n`; anything else kept.
fn format_number(template: &str, n: usize) -> String {
    let mut out = String::with_capacity(template.len() + 8);
    let mut rest = template;
    while let Some(start) = rest.find("{n") {
        let after = &rest[start + 2..];
        let spec = if after.starts_with('}') {
            Some((0, 1))
        } else {
            after.strip_prefix(':').and_then(|s| {
                let end = s.find('}')?;
                s[..end].parse::<usize>().ok().map(|w| (w, end + 2))
            })
        };
        out.push_str(&rest[..start]);
        match spec {
            Some((width, len)) => {
                out.push_str(&format!("{n:0width$}"));
                rest = &after[len..];
            }
            None => {
                out.push_str("{n");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Gives seeded records the values [`CustomFieldSpec::seed`] says, record after record.
pub(crate) struct CustomSeeder<'c> {
    fields: Vec<(&'c CustomFieldSpec, &'c SeedValues)>,
    /// Records (or lines) seen so far, per field.
    counts: Vec<usize>,
    /// The stream `pick` draws from, per field.
    rngs: Vec<SmallRng>,
    site: FixedOffset,
    /// Per entity name: the fields (indexes into `fields`) it holds, and its linked and detail
    /// fields (name → target, detail or not); worked out once, as millions of records ask.
    plans: HashMap<String, Rc<Plan>, FastBuild>,
}

/// What [`CustomSeeder::apply`] does on a record of one entity.
#[derive(Debug, Default)]
struct Plan {
    fields: Vec<usize>,
    nested: Vec<(String, String, bool)>,
    /// Index into `nested` by field name.
    nested_by_name: HashMap<String, usize, FastBuild>,
}

impl<'c> CustomSeeder<'c> {
    pub(crate) fn new(custom: &'c Customizations, seed: u64, site: FixedOffset) -> Self {
        let fields: Vec<_> = custom
            .fields
            .iter()
            .filter_map(|f| f.seed.as_ref().map(|s| (f, s)))
            .collect();
        let rngs = fields
            .iter()
            .map(|(f, _)| {
                let name = format!("{}/{}.{}", f.entity, f.view, f.field);
                SmallRng::seed_from_u64(seed ^ fnv1a(&name))
            })
            .collect();
        CustomSeeder {
            counts: vec![0; fields.len()],
            fields,
            rngs,
            site,
            plans: HashMap::default(),
        }
    }

    fn plan(&mut self, model: &Model, entity: &str) -> Rc<Plan> {
        if let Some(p) = self.plans.get(entity) {
            return p.clone();
        }
        let fields = (0..self.fields.len())
            .filter(|&i| self.fields[i].0.entity == entity)
            .collect();
        let nested: Vec<(String, String, bool)> = model
            .any_entity(entity)
            .map(|def| {
                def.fields
                    .iter()
                    .filter_map(|(name, f)| match &f.kind {
                        FieldKind::Linked(t) => Some((name.clone(), t.clone(), false)),
                        FieldKind::Detail(t) => Some((name.clone(), t.clone(), true)),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let nested_by_name = nested
            .iter()
            .enumerate()
            .map(|(i, (name, _, _))| (name.clone(), i))
            .collect();
        let plan = Rc::new(Plan {
            fields,
            nested,
            nested_by_name,
        });
        self.plans.insert(entity.to_owned(), plan.clone());
        plan
    }

    /// The next seeded value of field `i` (its record number advances); `copy` reads a
    /// contract field's value of the record, for [`SeedValues::Copy`].
    fn next_value(&mut self, i: usize, copy: impl FnOnce(&str) -> Option<Value>) -> Value {
        let (spec, seed) = self.fields[i];
        self.counts[i] += 1;
        let n = self.counts[i];
        let value = match seed {
            SeedValues::Fixed(v) => v.clone(),
            SeedValues::Cycle(vs) if !vs.is_empty() => vs[(n - 1) % vs.len()].clone(),
            SeedValues::Pick(vs) if !vs.is_empty() => {
                vs[self.rngs[i].random_range(0..vs.len())].clone()
            }
            SeedValues::Cycle(_) | SeedValues::Pick(_) => Value::Null,
            SeedValues::Format(template) => Value::String(format_number(template, n)),
            SeedValues::Copy(field) => copy(field).unwrap_or(Value::Null),
        };
        if value.is_null() {
            value
        } else {
            coerce(spec.kind.value_kind(), &value, self.site).unwrap_or(Value::Null)
        }
    }

    /// Writes the seeded custom values into a record of `entity` about to be stored (built as
    /// [`Node`]s), and into its linked entities and detail lines, in name order.
    pub(crate) fn apply_nodes<'a>(
        &mut self,
        model: &Model,
        entity: &str,
        members: &mut Vec<(Cow<'a, str>, Node<'a>)>,
    ) {
        if self.fields.is_empty() {
            return;
        }
        let plan = self.plan(model, entity);
        for &i in &plan.fields {
            let (spec, _) = self.fields[i];
            let value = self.next_value(i, |field| {
                crate::codec::member(members, field).and_then(|n| match n {
                    Node::Wrapped(v) => Some(v.clone()),
                    other => other.to_value().get("value").cloned(),
                })
            });
            set_custom_node(members, &spec.view, &spec.field, spec.kind, value);
        }
        // The record's linked entities and lines (the last member of a name, as a map keeps
        // it), in name order: the definition's order.
        let mut nested: Vec<(usize, usize)> = Vec::new();
        for (at, (k, _)) in members.iter().enumerate() {
            if let Some(&which) = plan.nested_by_name.get(k.as_ref()) {
                match nested.iter_mut().find(|(w, _)| *w == which) {
                    Some(found) => found.1 = at,
                    None => nested.push((which, at)),
                }
            }
        }
        nested.sort_unstable();
        for (which, at) in nested {
            let (_, target, detail) = &plan.nested[which];
            match (&mut members[at].1, detail) {
                (Node::Object(inner), false) => self.apply_nodes(model, target, inner),
                (Node::Array(lines), true) => {
                    for line in lines.iter_mut() {
                        if let Node::Object(line) = line {
                            self.apply_nodes(model, target, line);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> CustomizationsError {
        Customizations::from_json(text).expect_err(text)
    }

    #[test]
    fn reads_the_documented_format() {
        let c = Customizations::from_json(
            r#"{
              "fields": {
                "Customer": {
                  "CurrentCustomer": {
                    "UsrLoyaltyTier": { "type": "String", "values": ["Gold", "Silver"] },
                    "UsrCreditScore": "Int",
                    "UsrSince": { "type": "CustomDateTimeField", "value": "2024-01-02" }
                  }
                }
              },
              "actions": {
                "Customer": {
                  "ChangeLoyaltyTier": {
                    "parameters": { "FilterPreview": { "Tier": "String" } },
                    "set": {
                      "CurrentCustomer.UsrLoyaltyTier": { "parameter": "FilterPreview.Tier" },
                      "Status": "Active"
                    }
                  }
                }
              }
            }"#,
        )
        .unwrap();
        let tier = c.field_of("Customer", "CurrentCustomer", "UsrLoyaltyTier");
        assert_eq!(
            tier.unwrap().seed,
            Some(SeedValues::cycle(["Gold", "Silver"]))
        );
        assert_eq!(
            c.field_of("Customer", "CurrentCustomer", "UsrCreditScore")
                .unwrap()
                .kind,
            CustomType::Int
        );
        let since = c
            .field_of("Customer", "CurrentCustomer", "UsrSince")
            .unwrap();
        assert_eq!(since.kind, CustomType::DateTime);
        let action = c.action_of("Customer", "changeloyaltytier").unwrap();
        assert_eq!(
            action.parameters,
            [ActionParameter {
                view: "FilterPreview".into(),
                field: "Tier".into(),
                kind: CustomType::String
            }]
        );
        assert!(action.effects.contains(&ActionEffect {
            target: EffectTarget::custom("CurrentCustomer", "UsrLoyaltyTier"),
            value: EffectValue::parameter("FilterPreview", "Tier"),
        }));
        assert!(action.effects.contains(&ActionEffect {
            target: EffectTarget::field("Status"),
            value: EffectValue::constant("Active"),
        }));
        // Through serde as well.
        let via_serde: Customizations =
            serde_json::from_str(r#"{"fields": {"Case": {"Case": {"UsrX": "Guid"}}}}"#).unwrap();
        assert_eq!(via_serde.fields[0].kind, CustomType::Guid);
    }

    #[test]
    fn errors_name_the_place() {
        let cases = [
            (r#"{"feilds": {}}"#, "feilds", "unknown key"),
            (r#"[1]"#, "the top level", "expected an object"),
            (
                r#"{"fields": {"Customer": {"CurrentCustomer": {"UsrTier": "Strng"}}}}"#,
                "fields.Customer.CurrentCustomer.UsrTier",
                "unknown type \"Strng\"",
            ),
            (
                r#"{"fields": {"Customer": {"CurrentCustomer": {"UsrTier": {"type": 5}}}}}"#,
                "fields.Customer.CurrentCustomer.UsrTier.type",
                "expected a type name",
            ),
            (
                r#"{"fields": {"Customer": {"V": {"F": {"type": "Decimal", "values": [1, "x"]}}}}}"#,
                "fields.Customer.V.F.values[1]",
                "\"x\" is not a valid Decimal value",
            ),
            (
                r#"{"fields": {"Customer": {"V": {"F": {"type": "Int", "values": 3}}}}}"#,
                "fields.Customer.V.F.values",
                "expected an array",
            ),
            (
                r#"{"fields": {"Customer": {"V": {"F": {"type": "Int", "value": 1, "pick": [1]}}}}}"#,
                "fields.Customer.V.F.value",
                "only one of",
            ),
            (
                r#"{"fields": {"Customer": {"V": {"F": {"values": [1]}}}}}"#,
                "fields.Customer.V.F",
                "no \"type\"",
            ),
            (
                r#"{"actions": {"Customer": {"A": {"set": {"V.F": 1}}}}}"#,
                "actions.Customer.A.set[\"V.F\"]",
                "has no custom field V.F",
            ),
            (
                r#"{"actions": {"Customer": {"A": {"parameters": {"P": {"Q": "String"}}, "set": {"Status": {"parameter": "P.R"}}}}}}"#,
                "actions.Customer.A.set.Status.parameter",
                "no parameter P.R (its parameters: P.Q)",
            ),
            (
                r#"{"actions": {"Customer": {"A": {"run": true}}}}"#,
                "actions.Customer.A.run",
                "unknown key",
            ),
            (
                r#"{"fields": {"Customer": {"Current Customer": {"F": "String"}}}}"#,
                "fields.Customer[\"Current Customer\"]",
                "not a view name",
            ),
        ];
        for (text, location, message) in cases {
            let e = err(text);
            assert_eq!(e.location, location, "{text}: {e}");
            assert!(e.message.contains(message), "{text}: {e}");
            assert!(e.to_string().contains(location), "{e}");
        }
        let syntax = err("{\n  \"fields\": {,\n}");
        assert_eq!(syntax.location, "line 2, column 14");
    }

    #[test]
    fn formats_record_numbers() {
        assert_eq!(format_number("EXT-{n:05}", 7), "EXT-00007");
        assert_eq!(format_number("{n}/{n:3}", 42), "42/042");
        assert_eq!(format_number("{n:x} {name}", 1), "{n:x} {name}");
    }

    #[test]
    fn the_builtin_set_is_valid() {
        let utc = FixedOffset::east_opt(0).unwrap();
        let checked = Customizations::builtin().checked(utc).unwrap();
        assert!(
            checked
                .field_of("SalesOrderDetail", "Transactions", "UsrUnitWeight")
                .is_some()
        );
        assert!(checked.action_of("Case", "Close").is_some());
    }
}
