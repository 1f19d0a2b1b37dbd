//! Turning schema names into Rust identifiers: deterministic, always valid, never code.
//!
//! Names from a schema can be anything: `Type`, `2Update`, `Sales Order`, `a::b`, `"quoted"`,
//! `Größe`. Every function here returns an ASCII identifier that `syn` accepts; characters that
//! are neither ASCII letters nor digits are separators, except non-ASCII letters, which are
//! spelled by code point (`u00f6`) so that two different names do not collapse into one.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (strict, reserved and edition-2024), which cannot be plain identifiers.
const KEYWORDS: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "Self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "try",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    "union",
    "macro_rules",
];

/// Whether `s` is a Rust keyword.
pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// Splits a raw name into ASCII-alphanumeric words; other characters separate words, and
/// non-ASCII alphanumerics become their own `uXXXX` word.
fn clean(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if c.is_alphanumeric() {
            out.push_str(&format!("_u{:04x}_", c as u32));
        } else {
            out.push('_');
        }
    }
    out
}

/// A snake_case identifier for a field, method or module: `CustomerID` → `customer_id`,
/// `Type` → `type_`, `2Update` → `_2_update`, `` → `unnamed`.
pub fn snake_ident(raw: &str) -> String {
    let mut s = clean(raw).to_snake_case();
    if s.is_empty() {
        s = "unnamed".to_owned();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if is_keyword(&s) {
        s.push('_');
    }
    s
}

/// An UpperCamelCase identifier for a type. Names that already are valid UpperCamelCase
/// identifiers are kept as they are (`ACAInformation` stays, so it matches Acumatica's docs);
/// others are recased: `sales order` → `SalesOrder`, `2Step` → `_2Step`.
pub fn type_ident(raw: &str) -> String {
    let keep = raw.starts_with(|c: char| c.is_ascii_uppercase() || c.is_ascii_digit())
        && raw.chars().all(|c| c.is_ascii_alphanumeric());
    let mut s = if keep {
        raw.to_owned()
    } else {
        clean(raw).to_upper_camel_case()
    };
    if s.is_empty() {
        s = "Unnamed".to_owned();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if is_keyword(&s) {
        s.push('_');
    }
    s
}

/// The plural of a snake_case name, by one rule applied to its head noun (the last word, or
/// the word before `of`): `customer` → `customers`, `sales_order` → `sales_orders`,
/// `activity` → `activities`, `address` → `addresses`, `tax` → `taxes`. A head that already
/// looks plural is kept (`shipping_zones`, `print_jobs`, `units_of_measure`).
pub fn plural(snake: &str) -> String {
    let words: Vec<&str> = snake.split('_').collect();
    let head = words
        .iter()
        .position(|w| *w == "of")
        .filter(|&i| i > 0)
        .map_or(words.len() - 1, |i| i - 1);
    let mut out: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
    out[head] = plural_word(words[head]);
    out.join("_")
}

fn plural_word(word: &str) -> String {
    let bytes = word.as_bytes();
    if looks_plural(word) {
        word.to_owned()
    } else if word.ends_with('y')
        && bytes.len() > 1
        && !matches!(bytes[bytes.len() - 2], b'a' | b'e' | b'i' | b'o' | b'u')
    {
        format!("{}ies", &word[..word.len() - 1])
    } else if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|end| word.ends_with(end))
    {
        format!("{word}es")
    } else {
        format!("{word}s")
    }
}

/// `jobs`, `stores`, `zones`, `details`, `units`: a word ending in `s` that is not a singular
/// ending such as `ss` (`address`), `us` (`status`) or `is` (`analysis`).
fn looks_plural(word: &str) -> bool {
    word.len() > 3
        && word.ends_with('s')
        && !["ss", "us", "is", "ys", "os"]
            .iter()
            .any(|end| word.ends_with(end))
}

/// A short, stable digest of `s` (FNV-1a, 32 bits, as 8 hex digits): the same on every run and
/// machine, for suffixes that must depend on a name alone.
pub fn digest(s: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("{h:08x}")
}

/// The longest module (and so file) name the generator writes: file systems limit a name to 255
/// bytes, and paths to a few thousand, so longer names are cut and made unique by a digest.
pub const MAX_MODULE_LEN: usize = 64;

/// `snake` if it is at most [`MAX_MODULE_LEN`] bytes, else its first bytes, `_`, and the
/// [`digest`] of the whole name: deterministic, and different names stay different.
pub fn shorten_module(snake: &str) -> String {
    if snake.len() <= MAX_MODULE_LEN {
        return snake.to_owned();
    }
    // snake_ident's output is ASCII, so any byte index is a char boundary.
    let keep = MAX_MODULE_LEN - 9;
    let head = snake[..keep].trim_end_matches('_');
    format!("{head}_{}", digest(snake))
}

/// The order in which names that make the same identifier claim it: PascalCase names
/// (`Branch`, `CustomerID`) before all-capitals (`BRANCH`), before the rest (`branch`), then by
/// name. The usual Acumatica spelling keeps the identifier when a twin appears beside it.
pub fn claim_rank(raw: &str) -> (u8, &str) {
    let has_lower = raw.chars().any(|c| c.is_lowercase());
    let rank = match raw.chars().next() {
        Some(c) if c.is_uppercase() && has_lower => 0,
        _ if !has_lower => 1,
        _ => 2,
    };
    (rank, raw)
}

/// Hands out identifiers that are unique within one scope, deterministically: the first claim
/// of a name gets it, later claims get `_2`, `_3`, ... (in claim order, which callers keep sorted).
#[derive(Debug, Default, Clone)]
pub struct Scope {
    used: BTreeSet<String>,
    types: bool,
}

impl Scope {
    /// A scope of type names: later claims always get `BaseN`, never `Base_N`, which would not be
    /// UpperCamelCase (`_2Step` → `_2Step2`).
    pub fn for_types() -> Self {
        Scope {
            types: true,
            ..Scope::default()
        }
    }

    /// A scope in which `reserved` names are already taken.
    pub fn with_reserved<'a>(reserved: impl IntoIterator<Item = &'a str>) -> Self {
        Scope {
            used: reserved.into_iter().map(str::to_owned).collect(),
            types: false,
        }
    }

    /// Claims `base`, or the first free `base_N` (for snake case) / `BaseN` (for types).
    pub fn claim(&mut self, base: &str) -> String {
        if self.used.insert(base.to_owned()) {
            return base.to_owned();
        }
        let sep = if self.types || base.starts_with(|c: char| c.is_ascii_uppercase()) {
            ""
        } else {
            "_"
        };
        let base = base.trim_end_matches('_');
        (2..)
            .map(|n| format!("{base}{sep}{n}"))
            .find(|candidate| self.used.insert(candidate.clone()))
            .unwrap_or_default()
    }

    /// Claims `base` for the schema name `key`, or, when `base` is taken, `base_<digest of key>`
    /// (`BaseDigest` for types): the fallback depends on `key` alone, not on how many names
    /// came before, so adding a name never renames another one that had its own identifier.
    /// Callers claim in [`claim_rank`] order, so `Branch` keeps its identifier when a twin
    /// (`BRANCH`) is added. Returns the identifier and whether it fell back.
    pub fn claim_for(&mut self, base: &str, key: &str) -> (String, bool) {
        if !self.used.contains(base) {
            return (self.claim(base), false);
        }
        let stem = base.trim_end_matches('_');
        let d = &digest(key)[..4];
        let candidate = if self.types || base.starts_with(|c: char| c.is_ascii_uppercase()) {
            format!("{stem}{}", d.to_uppercase())
        } else {
            format!("{stem}_{d}")
        };
        (self.claim(&candidate), true)
    }

    /// Whether `name` is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.used.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_names() {
        for (raw, want) in [
            ("CustomerID", "customer_id"),
            ("Type", "type_"),
            ("Override", "override_"),
            ("IN", "in_"),
            ("UOM", "uom"),
            ("ACAInformation", "aca_information"),
            ("2Update", "_2update"),
            ("Sales Order", "sales_order"),
            ("a::b", "a_b"),
            ("\"quoted\"", "quoted"),
            ("", "unnamed"),
            ("___", "unnamed"),
            ("Größe", "gr_u00f6_u00df_e"),
            ("self", "self_"),
        ] {
            assert_eq!(snake_ident(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn type_names() {
        for (raw, want) in [
            ("SalesOrder", "SalesOrder"),
            ("ACAInformation", "ACAInformation"),
            ("FOBPoint", "FOBPoint"),
            ("sales order", "SalesOrder"),
            ("2Step", "_2Step"),
            ("Self", "Self_"),
            ("a\"b::c", "ABC"),
            ("", "Unnamed"),
        ] {
            assert_eq!(type_ident(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn every_result_is_an_identifier() {
        for raw in [
            "", "0", "::", "é", "a b", "fn", "r#type", "_", "__", "'", "\u{200b}", "🦀x",
        ] {
            for ident in [snake_ident(raw), type_ident(raw)] {
                assert!(
                    ident.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        && !ident.starts_with(|c: char| c.is_ascii_digit())
                        && !is_keyword(&ident)
                        && ident != "_",
                    "{raw:?} gave {ident:?}"
                );
            }
        }
    }

    #[test]
    fn plurals() {
        for (one, many) in [
            ("customer", "customers"),
            ("sales_order", "sales_orders"),
            ("stock_item", "stock_items"),
            ("invoice", "invoices"),
            ("activity", "activities"),
            ("address", "addresses"),
            ("tax", "taxes"),
            ("case", "cases"),
            ("ship_via", "ship_vias"),
            ("survey", "surveys"),
            ("status", "statuses"),
            ("shipping_zones", "shipping_zones"),
            ("print_jobs", "print_jobs"),
            ("units_of_measure", "units_of_measure"),
            ("cost_roll_history", "cost_roll_histories"),
            ("companies_structure", "companies_structures"),
            (
                "account_details_for_period_inquiry",
                "account_details_for_period_inquiries",
            ),
            ("big_commerce_stores", "big_commerce_stores"),
        ] {
            assert_eq!(plural(one), many, "{one}");
        }
    }

    #[test]
    fn scope_is_deterministic() {
        let mut s = Scope::with_reserved(["meta"]);
        assert_eq!(s.claim("meta"), "meta_2");
        assert_eq!(s.claim("a"), "a");
        assert_eq!(s.claim("a"), "a_2");
        assert_eq!(s.claim("a"), "a_3");
        assert_eq!(s.claim("Foo"), "Foo");
        assert_eq!(s.claim("Foo"), "Foo2");
        let mut t = Scope::for_types();
        assert_eq!(t.claim("_2Step"), "_2Step");
        assert_eq!(t.claim("_2Step"), "_2Step2");
    }
}
