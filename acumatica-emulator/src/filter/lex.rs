//! Lexer: `$filter` text to positioned tokens, literals already checked and converted.

use std::str::FromStr;

use rust_decimal::Decimal;
use uuid::Uuid;

use super::ast::{Dialect, Literal};
use super::datetime::parse_iso;
use super::error::FilterError;

/// Typed-literal prefixes that OData defines but Acumatica's examples never use.
const UNSUPPORTED_PREFIXES: [&str; 7] = [
    "binary",
    "X",
    "time",
    "duration",
    "timeofday",
    "geography",
    "geometry",
];

/// Typed-literal prefixes this module accepts in OData v3; OData v4 writes these values bare.
const SUPPORTED_PREFIXES: [&str; 4] = ["datetimeoffset", "datetime", "date", "guid"];

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum TokenKind {
    /// A name, keyword or path: `CustomerID`, `eq`, `MainContact/Email`, `cf.String`.
    Word(String),
    /// A string, number or typed literal (`true`, `false`, `null` are words).
    Literal(Literal),
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `,`
    Comma,
    /// `=` (only inside `cf.<Type>(f=...)`)
    Equals,
    /// The end of the input.
    End,
}

/// A token and its char span.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub(super) kind: TokenKind,
    /// Index of the first char.
    pub(super) start: usize,
    /// Index just past the last char.
    pub(super) end: usize,
}

impl Token {
    /// Words and literals must be separated by a space; punctuation need not be.
    fn is_atom(&self) -> bool {
        matches!(self.kind, TokenKind::Word(_) | TokenKind::Literal(_))
    }
}

/// Produces tokens one at a time, so the first error from the left is the one reported.
#[derive(Debug)]
pub(super) struct Lexer {
    chars: Vec<char>,
    pos: usize,
    /// Whether the previous token was a word or a literal.
    after_atom: bool,
    /// Which literal forms are read.
    dialect: Dialect,
}

impl Lexer {
    pub(super) fn new(input: &str, dialect: Dialect) -> Self {
        Lexer {
            chars: input.chars().collect(),
            pos: 0,
            after_atom: false,
            dialect,
        }
    }

    /// The source text of `token`, shortened for error messages.
    pub(super) fn describe(&self, token: &Token) -> String {
        if token.kind == TokenKind::End {
            return "the end of the filter".into();
        }
        let text: String = self.chars[token.start..token.end].iter().collect();
        if text.ends_with('\'') {
            // A string or typed literal quotes itself.
            shorten(&text)
        } else {
            quote_short(&text)
        }
    }

    pub(super) fn next_token(&mut self) -> Result<Token, FilterError> {
        let before = self.pos;
        // Only spaces separate tokens: the query string arrives percent-decoded.
        while self.peek() == Some(' ') {
            self.pos += 1;
        }
        let spaced = self.pos > before;
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Ok(Token {
                kind: TokenKind::End,
                start,
                end: start,
            });
        };
        let token = match c {
            '(' => self.punct(TokenKind::LParen),
            ')' => self.punct(TokenKind::RParen),
            ',' => self.punct(TokenKind::Comma),
            '=' => self.punct(TokenKind::Equals),
            '\'' => self.string()?,
            _ if self.dialect == Dialect::V4 && self.at_guid() => self.bare_guid()?,
            c if self.dialect == Dialect::V4 && c.is_ascii_digit() && self.at_date() => {
                self.bare_date_time()?
            }
            c if c.is_ascii_digit() => self.number()?,
            '-' if self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) => self.number()?,
            c if is_name_start(c) => self.word()?,
            '-' => {
                return Err(FilterError::new(
                    start,
                    "unexpected '-': arithmetic negation is not supported (a negative number is written -5)",
                ));
            }
            '"' => {
                return Err(FilterError::new(
                    start,
                    "unexpected '\"': string literals are written in single quotes",
                ));
            }
            other => {
                return Err(FilterError::new(
                    start,
                    format!("unexpected character {other:?}"),
                ));
            }
        };
        if token.is_atom() && self.after_atom && !spaced {
            return Err(FilterError::new(
                start,
                format!("expected a space before {}", self.describe(&token)),
            ));
        }
        self.after_atom = token.is_atom();
        Ok(token)
    }

    fn peek(&self) -> Option<char> {
        self.peek_at(0)
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn found(&self) -> String {
        self.peek()
            .map_or_else(|| "the end of the filter".into(), |c| format!("{c:?}"))
    }

    fn punct(&mut self, kind: TokenKind) -> Token {
        self.pos += 1;
        Token {
            kind,
            start: self.pos - 1,
            end: self.pos,
        }
    }

    /// `'...'` with `''` standing for one quote.
    fn string(&mut self) -> Result<Token, FilterError> {
        let start = self.pos;
        self.pos += 1;
        let mut value = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err(FilterError::new(
                        start,
                        "unterminated string literal: no closing quote",
                    ));
                }
                Some('\'') if self.peek_at(1) == Some('\'') => {
                    value.push('\'');
                    self.pos += 2;
                }
                Some('\'') => {
                    self.pos += 1;
                    break;
                }
                Some(c) => {
                    value.push(c);
                    self.pos += 1;
                }
            }
        }
        Ok(Token {
            kind: TokenKind::Literal(Literal::String(value)),
            start,
            end: self.pos,
        })
    }

    /// A name or a `/`- or `.`-joined path of names; a name directly followed by a quote
    /// starts a typed literal.
    fn word(&mut self) -> Result<Token, FilterError> {
        let start = self.pos;
        loop {
            while self.peek().is_some_and(is_name_char) {
                self.pos += 1;
            }
            match self.peek() {
                Some(sep @ ('/' | '.')) => {
                    self.pos += 1;
                    if !self.peek().is_some_and(is_name_start) {
                        return Err(FilterError::new(
                            self.pos,
                            format!("expected a name after '{sep}', found {}", self.found()),
                        ));
                    }
                }
                _ => break,
            }
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        if self.peek() == Some('\'') {
            return self.typed_literal(start, &text);
        }
        Ok(Token {
            kind: TokenKind::Word(text),
            start,
            end: self.pos,
        })
    }

    /// `prefix'content'` for the prefixes in [`SUPPORTED_PREFIXES`].
    fn typed_literal(&mut self, start: usize, prefix: &str) -> Result<Token, FilterError> {
        let quote = self.pos;
        if self.dialect == Dialect::V4
            && let Some(known) = SUPPORTED_PREFIXES
                .iter()
                .find(|known| known.eq_ignore_ascii_case(prefix))
        {
            let example = match *known {
                "guid" => "8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd",
                "date" => "2025-06-17",
                _ => "2024-07-15T10:31:28.402+03:00",
            };
            return Err(FilterError::new(
                start,
                format!(
                    "{known}'...' literals are OData v3; in OData v4 (generic inquiries) the value is written bare, e.g. {example}"
                ),
            ));
        }
        if !SUPPORTED_PREFIXES.contains(&prefix) {
            let message = if let Some(known) = SUPPORTED_PREFIXES
                .iter()
                .find(|known| known.eq_ignore_ascii_case(prefix))
            {
                format!("typed literal prefixes are lower-case: write {known}'...'")
            } else if UNSUPPORTED_PREFIXES
                .iter()
                .any(|known| known.eq_ignore_ascii_case(prefix))
            {
                format!(
                    "{prefix}'...' literals are not supported by {}",
                    self.dialect.api()
                )
            } else {
                return Err(FilterError::new(
                    quote,
                    format!(
                        "expected a space between {} and the quote",
                        quote_short(prefix)
                    ),
                ));
            };
            return Err(FilterError::new(start, message));
        }
        let content_start = quote + 1;
        let Some(close) = self.chars[content_start..]
            .iter()
            .position(|&c| c == '\'')
            .map(|i| content_start + i)
        else {
            return Err(FilterError::new(
                quote,
                "unterminated literal: no closing quote",
            ));
        };
        if self.chars.get(close + 1) == Some(&'\'') {
            return Err(FilterError::new(
                close,
                format!("a quote cannot appear inside a {prefix}'...' literal"),
            ));
        }
        let content = &self.chars[content_start..close];
        let at = |(offset, message): (usize, String)| {
            FilterError::new(
                content_start + offset,
                format!("invalid {prefix}'...' literal: {message}"),
            )
        };
        let literal = match prefix {
            "guid" => Literal::Guid(parse_guid(content).map_err(at)?),
            "date" => {
                let parsed = parse_iso(content).map_err(at)?;
                if let Some((_, t_at)) = parsed.time {
                    return Err(at((t_at, "a date literal has no time part".into())));
                }
                Literal::Date(parsed.date)
            }
            "datetime" => {
                let parsed = parse_iso(content).map_err(at)?;
                if let Some((_, offset_at)) = parsed.offset {
                    return Err(at((
                        offset_at,
                        "a datetime literal has no offset; use datetimeoffset'...'".into(),
                    )));
                }
                Literal::DateTime(parsed.naive())
            }
            _ => {
                let parsed = parse_iso(content).map_err(at)?;
                let value = parsed
                    .with_offset()
                    .ok_or_else(|| at((0, "date/time out of range".into())))?;
                Literal::DateTimeOffset(value)
            }
        };
        self.pos = close + 1;
        Ok(Token {
            kind: TokenKind::Literal(literal),
            start,
            end: self.pos,
        })
    }

    /// `-?digits[.digits][(e|E)[+-]digits][L|M|D]`, as in OData v3.
    fn number(&mut self) -> Result<Token, FilterError> {
        let start = self.pos;
        if self.peek() == Some('-') {
            self.pos += 1;
        }
        self.skip_digits();
        let mut fraction = false;
        let mut exponent = false;
        if self.peek() == Some('.') {
            self.pos += 1;
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(FilterError::new(
                    self.pos,
                    format!("expected a digit after '.', found {}", self.found()),
                ));
            }
            self.skip_digits();
            fraction = true;
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some('+' | '-')) {
                self.pos += 1;
            }
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(FilterError::new(
                    self.pos,
                    format!("expected a digit in the exponent, found {}", self.found()),
                ));
            }
            self.skip_digits();
            exponent = true;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        let literal = match self.dialect {
            Dialect::V3 => self.v3_number(start, &text, fraction, exponent)?,
            Dialect::V4 => self.v4_number(start, &text, fraction, exponent)?,
        };
        if self.peek().is_some_and(|c| is_name_char(c) || c == '.') {
            return Err(FilterError::new(
                self.pos,
                format!("unexpected {} after the number", self.found()),
            ));
        }
        Ok(Token {
            kind: TokenKind::Literal(literal),
            start,
            end: self.pos,
        })
    }

    /// The OData v3 type of a number from its suffix (consumed), or from its shape.
    fn v3_number(
        &mut self,
        start: usize,
        text: &str,
        fraction: bool,
        exponent: bool,
    ) -> Result<Literal, FilterError> {
        let suffix_at = self.pos;
        let out_of_range =
            |type_name: &str| FilterError::new(start, format!("{type_name} literal out of range"));
        Ok(match self.peek() {
            Some('L' | 'l') if !fraction && !exponent => {
                self.pos += 1;
                Literal::Long(i64::from_str(text).map_err(|_| out_of_range("Edm.Int64"))?)
            }
            Some('M' | 'm') if !exponent => {
                self.pos += 1;
                Literal::Decimal(
                    Decimal::from_str_exact(text).map_err(|_| out_of_range("Edm.Decimal"))?,
                )
            }
            Some('D' | 'd') => {
                self.pos += 1;
                Literal::Double(parse_double(text).ok_or_else(|| out_of_range("Edm.Double"))?)
            }
            Some('L' | 'l') => {
                return Err(FilterError::new(
                    suffix_at,
                    "an Edm.Int64 literal ('L') cannot have a fraction or an exponent",
                ));
            }
            Some('M' | 'm') => {
                return Err(FilterError::new(
                    suffix_at,
                    "an Edm.Decimal literal ('M') cannot have an exponent",
                ));
            }
            Some('F' | 'f') => {
                return Err(FilterError::new(
                    suffix_at,
                    "Edm.Single literals ('f' suffix) are not supported; use 'M' or 'd'",
                ));
            }
            _ if fraction || exponent => {
                Literal::Double(parse_double(text).ok_or_else(|| out_of_range("Edm.Double"))?)
            }
            _ => Literal::Int(i32::from_str(text).map_err(|_| {
                FilterError::new(
                    start,
                    "integer literal out of range for Edm.Int32; add the 'L' suffix for Edm.Int64",
                )
            })?),
        })
    }

    /// The OData v4 type of a number, which has no suffix: `Int`, else `Long`, else `Decimal`
    /// for an integer; `Decimal` (`Double` when no decimal holds it exactly) with a fraction;
    /// `Double` with an exponent.
    fn v4_number(
        &self,
        start: usize,
        text: &str,
        fraction: bool,
        exponent: bool,
    ) -> Result<Literal, FilterError> {
        if let Some(suffix @ ('L' | 'l' | 'M' | 'm' | 'D' | 'd' | 'F' | 'f')) = self.peek() {
            return Err(FilterError::new(
                self.pos,
                format!(
                    "the '{suffix}' suffix is OData v3; in OData v4 (generic inquiries) numbers have none, e.g. {text}"
                ),
            ));
        }
        let out_of_range =
            |type_name: &str| FilterError::new(start, format!("{type_name} literal out of range"));
        if exponent {
            return parse_double(text)
                .map(Literal::Double)
                .ok_or_else(|| out_of_range("Edm.Double"));
        }
        if !fraction {
            if let Ok(value) = i32::from_str(text) {
                return Ok(Literal::Int(value));
            }
            if let Ok(value) = i64::from_str(text) {
                return Ok(Literal::Long(value));
            }
        }
        match Decimal::from_str_exact(text) {
            Ok(value) => Ok(Literal::Decimal(value)),
            Err(_) if fraction => parse_double(text)
                .map(Literal::Double)
                .ok_or_else(|| out_of_range("Edm.Double")),
            Err(_) => Err(out_of_range("integer")),
        }
    }

    /// Whether a GUID starts here: 8 hexadecimal digits and a hyphen (v4 writes them bare).
    fn at_guid(&self) -> bool {
        (0..8).all(|i| self.peek_at(i).is_some_and(|c| c.is_ascii_hexdigit()))
            && self.peek_at(8) == Some('-')
    }

    /// Whether a date starts here: 4 digits and a hyphen (v4 writes them bare).
    fn at_date(&self) -> bool {
        (0..4).all(|i| self.peek_at(i).is_some_and(|c| c.is_ascii_digit()))
            && self.peek_at(4) == Some('-')
    }

    /// The chars from here that could belong to a bare literal: letters, digits and `-:.+`.
    fn bare_run(&mut self) -> (usize, Vec<char>) {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '.' | '+'))
        {
            self.pos += 1;
        }
        (start, self.chars[start..self.pos].to_vec())
    }

    /// A bare OData v4 GUID, `8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd`.
    fn bare_guid(&mut self) -> Result<Token, FilterError> {
        let (start, content) = self.bare_run();
        let guid = parse_guid(&content).map_err(|(offset, message)| {
            FilterError::new(start + offset, format!("invalid GUID literal: {message}"))
        })?;
        Ok(Token {
            kind: TokenKind::Literal(Literal::Guid(guid)),
            start,
            end: self.pos,
        })
    }

    /// A bare OData v4 date (`2025-06-17`) or date-time with an offset
    /// (`2024-07-15T10:31:28.402+03:00`, `2024-07-15T10:31Z`).
    fn bare_date_time(&mut self) -> Result<Token, FilterError> {
        let (start, content) = self.bare_run();
        let at = |(offset, message): (usize, String)| {
            FilterError::new(
                start + offset,
                format!("invalid date/time literal: {message}"),
            )
        };
        let parsed = parse_iso(&content).map_err(at)?;
        let literal = match (parsed.time, parsed.offset) {
            (None, _) => Literal::Date(parsed.date),
            (Some(_), None) => {
                return Err(at((
                    content.len(),
                    "a date-time needs an offset in OData v4: add Z or +HH:MM \
                     (in a URL, '+' is sent as %2B)"
                        .into(),
                )));
            }
            (Some(_), Some(_)) => Literal::DateTimeOffset(
                parsed
                    .with_offset()
                    .ok_or_else(|| at((0, "date/time out of range".into())))?,
            ),
        };
        Ok(Token {
            kind: TokenKind::Literal(literal),
            start,
            end: self.pos,
        })
    }

    fn skip_digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
    }
}

pub(super) fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

pub(super) fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `'text'`, cut to a readable length.
pub(super) fn quote_short(text: &str) -> String {
    format!("'{}'", shorten(text))
}

/// `text`, cut to a readable length.
fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() > MAX {
        let head: String = text.chars().take(MAX).collect();
        format!("{head}...")
    } else {
        text.to_string()
    }
}

/// A finite double; overflow to infinity is out of range.
fn parse_double(text: &str) -> Option<f64> {
    f64::from_str(text).ok().filter(|value| value.is_finite())
}

/// Exactly the 8-4-4-4-12 hexadecimal form, either case.
fn parse_guid(content: &[char]) -> Result<Uuid, (usize, String)> {
    const HYPHENS: [usize; 4] = [8, 13, 18, 23];
    for (i, &c) in content.iter().enumerate() {
        if i >= 36 {
            return Err((i, "expected the end after 32 hexadecimal digits".into()));
        }
        let ok = if HYPHENS.contains(&i) {
            c == '-'
        } else {
            c.is_ascii_hexdigit()
        };
        if !ok {
            let wanted = if HYPHENS.contains(&i) {
                "'-'"
            } else {
                "a hexadecimal digit"
            };
            return Err((i, format!("expected {wanted}, found {c:?}")));
        }
    }
    if content.len() < 36 {
        return Err((
            content.len(),
            "too short: expected 8-4-4-4-12 hexadecimal digits".into(),
        ));
    }
    let text: String = content.iter().collect();
    Uuid::parse_str(&text).map_err(|err| (0, err.to_string()))
}
