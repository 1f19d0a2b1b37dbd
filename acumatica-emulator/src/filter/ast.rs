//! Typed syntax tree of a `$filter` condition, limited to what Acumatica accepts.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use uuid::Uuid;

/// The OData syntax a `$filter` is written in. The tree ([`Expr`]) and its evaluation are the
/// same for both; the literals and the "contains" function are spelled differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Dialect {
    /// OData v3, as Acumatica's contract-based API takes it: `12.5M`, `12L`, `1.5d`,
    /// `datetimeoffset'...'`, `datetime'...'`, `date'...'`, `guid'...'`,
    /// `substringof('text', Field)`.
    #[default]
    V3,
    /// OData v4, as generic inquiries (`/t/{tenant}/api/odata/gi`) take it: numbers without a
    /// suffix (`12.5`), bare date-times with an offset (`2024-07-15T10:31:28.402+03:00`),
    /// bare dates (`2025-06-17`) and GUIDs, `contains(Field, 'text')`.
    V4,
}

impl Dialect {
    /// The API that speaks the dialect, for error messages.
    pub(super) fn api(self) -> &'static str {
        match self {
            Dialect::V3 => "Acumatica's contract-based API",
            Dialect::V4 => "Acumatica's generic inquiries (OData v4)",
        }
    }
}

/// A boolean `$filter` condition.
///
/// The tree can only express what Acumatica's contract-based API accepts: a field on its own
/// is not a condition, and a function result is only ever compared with `true`/`false`, so
/// the parser folds `f eq true` into [`Expr::Function`] and `f eq false` into
/// `Expr::Not(Expr::Function(f))`.
///
/// `Display` prints a canonical form that parses back to an equal tree. That holds for every
/// tree the parser can build; a hand-built tree must keep the same invariants: `And`/`Or`
/// hold at least two items, and names and literals stay within what the syntax can spell
/// (see [`FieldRef`] and [`Literal`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `left op right`, e.g. `CustomerID eq 'C001'`.
    Compare {
        /// Left operand.
        left: Operand,
        /// Comparison operator.
        op: CompareOp,
        /// Right operand.
        right: Operand,
    },
    /// A boolean function used as a condition, e.g. `startswith(CustomerID, 'C')`.
    Function(Function),
    /// `not <condition>`.
    Not(Box<Expr>),
    /// `a and b and ...`: one item per operand of an unparenthesised chain.
    And(Vec<Expr>),
    /// `a or b or ...`: one item per operand of an unparenthesised chain.
    Or(Vec<Expr>),
}

impl Expr {
    /// Every field the condition reads, in order of appearance (duplicates kept), so the
    /// caller can check them against the entity's schema.
    pub fn fields(&self) -> Vec<&FieldRef> {
        let mut out = Vec::new();
        self.collect_fields(&mut out);
        out
    }

    fn collect_fields<'a>(&'a self, out: &mut Vec<&'a FieldRef>) {
        match self {
            Expr::Compare { left, right, .. } => {
                for operand in [left, right] {
                    if let Operand::Field(field) = operand {
                        out.push(field);
                    }
                }
            }
            Expr::Function(function) => out.push(function.field()),
            Expr::Not(inner) => inner.collect_fields(out),
            Expr::And(items) | Expr::Or(items) => {
                for item in items {
                    item.collect_fields(out);
                }
            }
        }
    }
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A field of the record.
    Field(FieldRef),
    /// A constant.
    Literal(Literal),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
}

impl CompareOp {
    /// Every operator, in the order OData lists them.
    pub const ALL: [CompareOp; 6] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Gt,
        CompareOp::Ge,
        CompareOp::Lt,
        CompareOp::Le,
    ];

    /// The keyword, e.g. `"eq"`.
    pub fn keyword(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }

    /// The operator spelled by `keyword` (lower-case only, as in OData).
    pub fn from_keyword(keyword: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.keyword() == keyword)
    }
}

/// A reference to a value of the record.
///
/// Path segments are `[A-Za-z_][A-Za-z0-9_]*`; a one-segment path must not be a keyword
/// (`and`, `eq`, `true`, `null`...), which the parser would read as the keyword.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FieldRef {
    /// `CustomerID`, `MainContact/Email`, `MainContact/Address/City`: one item per segment.
    Path(Vec<String>),
    /// `cf.String(f='View.Field')` and the other `cf.<Type>` functions.
    Custom(CustomField),
    /// `tolower(Field)` (`upper: false`) or `toupper(Field)`: the field's text in one case.
    /// Not named by Acumatica's documentation for the contract API; parsed only by
    /// [`parse_unconfirmed`](crate::filter::parse_unconfirmed).
    Case {
        /// `toupper` rather than `tolower`.
        upper: bool,
        /// The field.
        field: Box<FieldRef>,
    },
}

impl FieldRef {
    /// The field itself, without `tolower`/`toupper` around it.
    pub fn base(&self) -> &FieldRef {
        match self {
            FieldRef::Case { field, .. } => field.base(),
            other => other,
        }
    }
}

/// A custom field: `cf.<Type>(f='[Entity/...]View.Field')`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CustomField {
    /// The declared type, `cf.<Type>`.
    pub kind: CustomType,
    /// The linked entity holding the field (`Entity/` prefix), empty for the top-level record.
    pub entity: Vec<String>,
    /// The data view, e.g. `Document`.
    pub view: String,
    /// The field, e.g. `UsrRepairItemType` or `AttributeCOLOR`.
    pub field: String,
}

/// The `<Type>` of `cf.<Type>(...)`, matching the `Custom<Type>Field` wire types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CustomType {
    /// `cf.String`
    String,
    /// `cf.Decimal`
    Decimal,
    /// `cf.DateTime`
    DateTime,
    /// `cf.Boolean`
    Boolean,
    /// `cf.Int`
    Int,
    /// `cf.Short`
    Short,
    /// `cf.Long`
    Long,
    /// `cf.Byte`
    Byte,
    /// `cf.Double`
    Double,
    /// `cf.Guid`
    Guid,
}

impl CustomType {
    /// Every custom type.
    pub const ALL: [CustomType; 10] = [
        CustomType::String,
        CustomType::Decimal,
        CustomType::DateTime,
        CustomType::Boolean,
        CustomType::Int,
        CustomType::Short,
        CustomType::Long,
        CustomType::Byte,
        CustomType::Double,
        CustomType::Guid,
    ];

    /// The name after `cf.`, e.g. `"String"`.
    pub fn name(self) -> &'static str {
        match self {
            CustomType::String => "String",
            CustomType::Decimal => "Decimal",
            CustomType::DateTime => "DateTime",
            CustomType::Boolean => "Boolean",
            CustomType::Int => "Int",
            CustomType::Short => "Short",
            CustomType::Long => "Long",
            CustomType::Byte => "Byte",
            CustomType::Double => "Double",
            CustomType::Guid => "Guid",
        }
    }

    /// The type called `name` (case-sensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The `type` discriminator of a custom field of this type on the wire, e.g.
    /// `"CustomStringField"`.
    pub fn type_name(self) -> String {
        format!("Custom{}Field", self.name())
    }

    /// The type named `name` or `Custom<name>Field`, in any case (`"decimal"`,
    /// `"CustomDecimalField"`).
    pub fn parse_loose(name: &str) -> Option<Self> {
        let name = name.trim();
        let lower = name.to_ascii_lowercase();
        let inner = lower
            .strip_prefix("custom")
            .and_then(|s| s.strip_suffix("field"))
            .unwrap_or(&lower);
        Self::ALL
            .into_iter()
            .find(|kind| kind.name().eq_ignore_ascii_case(inner))
    }

    /// The value kind of a contract field of the same type.
    pub(crate) fn value_kind(self) -> acumatica_codegen::ir::ValueKind {
        use acumatica_codegen::ir::ValueKind;
        match self {
            CustomType::String => ValueKind::String,
            CustomType::Decimal => ValueKind::Decimal,
            CustomType::DateTime => ValueKind::DateTime,
            CustomType::Boolean => ValueKind::Boolean,
            CustomType::Int => ValueKind::Int,
            CustomType::Short => ValueKind::Short,
            CustomType::Long => ValueKind::Long,
            CustomType::Byte => ValueKind::Byte,
            CustomType::Double => ValueKind::Double,
            CustomType::Guid => ValueKind::Guid,
        }
    }
}

/// A boolean string function.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Function {
    /// The field contains the text: `substringof('text', Field)` in OData v3,
    /// `contains(Field, 'text')` in OData v4.
    SubstringOf {
        /// The text looked for.
        text: String,
        /// The field searched.
        field: FieldRef,
    },
    /// `startswith(Field, 'text')`.
    StartsWith {
        /// The field tested.
        field: FieldRef,
        /// The prefix.
        text: String,
    },
    /// `endswith(Field, 'text')`.
    EndsWith {
        /// The field tested.
        field: FieldRef,
        /// The suffix.
        text: String,
    },
}

impl Function {
    /// The function name in OData v3, e.g. `"substringof"`.
    pub fn name(&self) -> &'static str {
        self.name_in(Dialect::V3)
    }

    /// The function name in `dialect`: `"substringof"` is `"contains"` in OData v4.
    pub fn name_in(&self, dialect: Dialect) -> &'static str {
        match (self, dialect) {
            (Function::SubstringOf { .. }, Dialect::V3) => "substringof",
            (Function::SubstringOf { .. }, Dialect::V4) => "contains",
            (Function::StartsWith { .. }, _) => "startswith",
            (Function::EndsWith { .. }, _) => "endswith",
        }
    }

    /// The field argument.
    pub fn field(&self) -> &FieldRef {
        match self {
            Function::SubstringOf { field, .. }
            | Function::StartsWith { field, .. }
            | Function::EndsWith { field, .. } => field,
        }
    }

    /// The text argument.
    pub fn text(&self) -> &str {
        match self {
            Function::SubstringOf { text, .. }
            | Function::StartsWith { text, .. }
            | Function::EndsWith { text, .. } => text,
        }
    }
}

/// A constant. The forms are given as OData v3 / OData v4 ([`Dialect`]).
///
/// The parser only builds values its syntax can spell, and `Display` relies on that: doubles
/// are finite; date/times have years 0001–9999, at most nanosecond precision (no leap
/// second) and whole-minute offsets within ±14:00.
///
/// OData v4 has no suffixes, so its parser infers the type: an integer is `Int` when it fits
/// 32 bits, else `Long`, else `Decimal`; a number with a fraction is `Decimal` (`Double` when
/// a decimal cannot hold it exactly), one with an exponent `Double`. It never builds
/// `DateTime`, which v4 lacks; printed in v4, that reads back as the same instant in UTC.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `'text'`; a quote inside is written doubled: `'O''Brien'`.
    String(String),
    /// `100073`, `-5`: Edm.Int32.
    Int(i32),
    /// `12L` / `9223372036854775807`: Edm.Int64.
    Long(i64),
    /// `12.5M`, `0M` / `12.5`, `0.0`: Edm.Decimal.
    Decimal(Decimal),
    /// `12.5`, `1.5d`, `2E3` / `2E3`, `1.25e0`: Edm.Double.
    Double(f64),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `datetimeoffset'2024-07-15T10:31:28.402+03:00'` / `2024-07-15T10:31:28.402+03:00`; in
    /// v3 the bare date and a missing offset mean midnight and UTC, v4 requires the offset.
    DateTimeOffset(DateTime<FixedOffset>),
    /// `datetime'2024-07-15T10:31:28'` (no offset; evaluated as UTC); v3 only.
    DateTime(NaiveDateTime),
    /// `date'2025-06-17'` / `2025-06-17` (evaluated as midnight UTC).
    Date(NaiveDate),
    /// `guid'8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd'` / `8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd`.
    Guid(Uuid),
}

impl Literal {
    /// The OData type name, e.g. `"Edm.Decimal"`, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Literal::String(_) => "Edm.String",
            Literal::Int(_) => "Edm.Int32",
            Literal::Long(_) => "Edm.Int64",
            Literal::Decimal(_) => "Edm.Decimal",
            Literal::Double(_) => "Edm.Double",
            Literal::Bool(_) => "Edm.Boolean",
            Literal::Null => "null",
            Literal::DateTimeOffset(_) => "Edm.DateTimeOffset",
            Literal::DateTime(_) => "Edm.DateTime",
            Literal::Date(_) => "Edm.Date",
            Literal::Guid(_) => "Edm.Guid",
        }
    }
}
