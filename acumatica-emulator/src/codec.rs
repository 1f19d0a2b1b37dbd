//! A compact binary form of a stored record, so a tenant of millions of records fits in memory:
//! each record is encoded once into bytes and decoded back into wire JSON when it is read.
//!
//! A record's member names are interned per table (a number instead of `"CustomerName"`), a
//! `{"value": x}` wrapper is one bit of `x`'s tag byte, and strings that repeat under the same
//! member name (`Status`, `City`, a custom field's `type`) are kept once in the table's
//! dictionary; a member stops adding new strings there after [`DICTIONARY_PER_MEMBER`]
//! distinct ones. A string with digits is kept as its template (`C\0`, `Order \0 for the
//! summer season`, from the dictionary) and its numbers; an e-mail address as its local part
//! and its `@domain`, each a string again. GUIDs and the wire's date-times are packed into
//! their bytes and fields when printing them back gives the same text; numbers keep their
//! JSON kind (`5000` and `5000.0` stay apart), doubles exactly. Decoding gives back the very
//! same JSON ([`Codec::decode`] of [`Codec::encode`] is the identity; tests hold it over
//! arbitrary values).
//!
//! Objects and arrays carry their length in bytes, so a reader can skip what it does not need:
//! [`Codec::decode_members`] decodes only some top-level members (what a `$filter` reads).

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde_json::{Map, Number, Value};
use uuid::Uuid;

/// How many distinct strings one member name may add to the dictionary.
pub(crate) const DICTIONARY_PER_MEMBER: u32 = 1024;

/// Strings longer than this never enter the dictionary.
const DICTIONARY_MAX_LEN: usize = 96;

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
/// A JSON integer ≥ 0: varint.
const UINT: u8 = 3;
/// A negative JSON integer: zigzag varint.
const NEG_INT: u8 = 4;
/// A double: its 8 bytes.
const F64: u8 = 5;
/// A double with an integer value in `0..2^53`: varint.
const F64_INT: u8 = 6;
/// A double that is `n / 100.0` for an integer `n` in `0..2^53` (money): varint `n`.
const F64_CENTS: u8 = 7;
/// A string: varint length, bytes.
const STR: u8 = 8;
/// A string of the dictionary: varint index.
const STR_DICT: u8 = 9;
/// A GUID in its canonical lower-case text: 16 bytes.
const STR_GUID: u8 = 10;
/// A date-time as the wire prints it (see [`pack_datetime`]).
const STR_DATETIME: u8 = 11;
/// An array: varint byte length of what follows, varint count, items.
const ARRAY: u8 = 12;
/// An object: varint byte length of what follows, varint count, (varint name, value) pairs.
const OBJECT: u8 = 13;
/// A template of the dictionary (digit runs replaced by `\0`), then per run a varint of
/// `value << 5 | digits`.
const STR_TEMPLATE: u8 = 14;
/// `local@domain`: two strings, `local` and `@domain`.
const STR_SPLIT: u8 = 15;
/// Set on a value's tag: the value is wrapped, `{"value": x}`.
const WRAPPED: u8 = 0x80;

/// Digit runs longer than this stay in the text of a string.
const MAX_RUN: usize = 15;

/// A fast hash for the store's own maps (names, strings, ids, keys): a multiply per 8 bytes
/// and a folded multiply at the end, so both the low bits (the bucket) and the high bits
/// (hashbrown's tag) vary. Not meant to resist chosen collisions: this is a test server.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

const K: u64 = 0x9E37_79B9_7F4A_7C15;

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(a)).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut a = [0u8; 8];
            a[..rest.len()].copy_from_slice(rest);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(a) ^ ((rest.len() as u64) << 59))
                .wrapping_mul(K);
        }
        self.0 = h;
    }

    fn write_u8(&mut self, n: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(n)).wrapping_mul(K);
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0.rotate_left(5) ^ n as u64).wrapping_mul(K);
    }

    fn finish(&self) -> u64 {
        let m = u128::from(self.0 ^ 0x243F_6A88_85A3_08D3) * u128::from(K);
        (m as u64) ^ ((m >> 64) as u64)
    }
}

/// [`FastHasher`] as a `BuildHasher`.
pub(crate) type FastBuild = BuildHasherDefault<FastHasher>;

/// The names and the string dictionary of one table's records.
#[derive(Debug, Default)]
pub(crate) struct Codec {
    names: Vec<Box<str>>,
    name_ids: HashMap<Box<str>, u32, FastBuild>,
    strings: Vec<Box<str>>,
    string_ids: HashMap<Box<str>, u32, FastBuild>,
    /// Per member name: how many strings it added to the dictionary.
    admitted: Vec<u32>,
    /// While seeding: member names by the address of borrowed text (names that outlive the
    /// seeding, never a heap string that could be freed and reused), so the millions of
    /// seeded records look their names up without hashing them. See [`Codec::end_seeding`].
    seed_names: Option<Box<[(usize, usize, u32); NAME_CACHE]>>,
}

/// Entries of the seeding name cache (direct-mapped by address).
const NAME_CACHE: usize = 512;

/// A record as the seeder builds it, lighter than a tree of `serde_json::Value`s (no map per
/// `{"value": ..}` wrapper, member names borrowed): encoded as the JSON it stands for.
#[derive(Debug, Clone)]
pub(crate) enum Node<'a> {
    /// `{"value": v}`.
    Wrapped(Value),
    /// `v` itself.
    Plain(Value),
    /// An object; a name given twice counts once, the last time (as a map insert).
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
    /// An array.
    Array(Vec<Node<'a>>),
}

impl Node<'_> {
    /// The JSON it stands for.
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Node::Wrapped(v) => {
                let mut m = Map::new();
                m.insert("value".to_owned(), v.clone());
                Value::Object(m)
            }
            Node::Plain(v) => v.clone(),
            Node::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, n)| (k.to_string(), n.to_value()))
                    .collect(),
            ),
            Node::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
        }
    }
}

/// The last member of that name.
pub(crate) fn member<'n, 'a>(
    members: &'n [(Cow<'a, str>, Node<'a>)],
    name: &str,
) -> Option<&'n Node<'a>> {
    members
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, n)| n)
}

/// Bytes that `encode` did not write: a bug, never the data's fault.
#[derive(Debug)]
pub(crate) struct Corrupt;

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Leaves one byte for the length of what follows; returns where what follows starts.
fn open_length(out: &mut Vec<u8>) -> usize {
    out.push(0);
    out.len()
}

/// Writes the length of what was written since `start` (a varint, in the byte left for it and
/// as many more as it needs).
fn close_length(out: &mut Vec<u8>, start: usize) {
    let len = out.len() - start;
    if len < 0x80 {
        out[start - 1] = len as u8;
        return;
    }
    let mut v = Vec::with_capacity(4);
    put_varint(&mut v, len as u64);
    out[start - 1] = v[0];
    out.splice(start..start, v[1..].iter().copied());
}

fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

const EXACT_INT: f64 = 9_007_199_254_740_992.0; // 2^53

impl Codec {
    fn name(&mut self, name: &str) -> u32 {
        if let Some(id) = self.name_ids.get(name) {
            return *id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.into());
        self.name_ids.insert(name.into(), id);
        self.admitted.push(0);
        id
    }

    /// The id of a member name, if any record has it.
    pub(crate) fn name_id(&self, name: &str) -> Option<u32> {
        self.name_ids.get(name).copied()
    }

    /// Appends the members of a record (all but the one named `skip`) to `out`.
    pub(crate) fn encode_into(
        &mut self,
        out: &mut Vec<u8>,
        record: &Map<String, Value>,
        skip: &str,
    ) {
        let count = record.keys().filter(|k| *k != skip).count();
        put_varint(out, count as u64);
        for (k, v) in record {
            if k == skip {
                continue;
            }
            let id = self.name(k);
            put_varint(out, u64::from(id));
            self.value(out, v, id, true);
        }
    }

    /// Appends the members of a record built as [`Node`]s to `out`.
    pub(crate) fn encode_nodes_into(
        &mut self,
        out: &mut Vec<u8>,
        members: &[(Cow<'_, str>, Node<'_>)],
    ) {
        put_varint(out, members.len() as u64);
        for (k, n) in members {
            let id = self.node_name(k);
            put_varint(out, u64::from(id));
            self.node(out, n, id);
        }
    }

    /// A member name of a [`Node`]: borrowed ones through the address cache (the borrowed
    /// names must stay alive and unchanged until [`Codec::end_seeding`]).
    // The `Cow` itself matters: only a borrowed name's address may be cached.
    #[allow(clippy::ptr_arg)]
    fn node_name(&mut self, k: &Cow<'_, str>) -> u32 {
        let Cow::Borrowed(text) = k else {
            return self.name(k);
        };
        let (addr, len) = (text.as_ptr() as usize, text.len());
        let slot = ((addr >> 3) ^ (addr >> 12) ^ len) % NAME_CACHE;
        let cache = self
            .seed_names
            .get_or_insert_with(|| Box::new([(0, 0, 0); NAME_CACHE]));
        let (a, l, id) = cache[slot];
        if a == addr && l == len && addr != 0 {
            return id;
        }
        let id = self.name(text);
        if let Some(cache) = &mut self.seed_names {
            cache[slot] = (addr, len, id);
        }
        id
    }

    /// Forgets the addresses [`Codec::encode_nodes_into`] cached.
    pub(crate) fn end_seeding(&mut self) {
        self.seed_names = None;
    }

    fn node(&mut self, out: &mut Vec<u8>, n: &Node<'_>, member: u32) {
        match n {
            Node::Wrapped(v) => {
                let at = out.len();
                self.value(out, v, member, false);
                out[at] |= WRAPPED;
            }
            Node::Plain(v) => self.value(out, v, member, true),
            Node::Object(members) => {
                out.push(OBJECT);
                let start = open_length(out);
                put_varint(out, members.len() as u64);
                for (k, c) in members {
                    let id = self.node_name(k);
                    put_varint(out, u64::from(id));
                    self.node(out, c, id);
                }
                close_length(out, start);
            }
            Node::Array(items) => {
                out.push(ARRAY);
                let start = open_length(out);
                put_varint(out, items.len() as u64);
                for item in items {
                    self.node(out, item, member);
                }
                close_length(out, start);
            }
        }
    }

    /// Encodes one value; `collapse` lets a `{"value": x}` wrapper become a bit of `x`'s tag.
    fn value(&mut self, out: &mut Vec<u8>, v: &Value, member: u32, collapse: bool) {
        match v {
            Value::Null => out.push(NULL),
            Value::Bool(false) => out.push(FALSE),
            Value::Bool(true) => out.push(TRUE),
            Value::Number(n) => number(out, n),
            Value::String(s) => self.string(out, s, member, true),
            Value::Array(items) => {
                out.push(ARRAY);
                let start = open_length(out);
                put_varint(out, items.len() as u64);
                for item in items {
                    self.value(out, item, member, true);
                }
                close_length(out, start);
            }
            Value::Object(map) => {
                if collapse
                    && map.len() == 1
                    && let Some(inner) = map.get("value")
                {
                    let at = out.len();
                    self.value(out, inner, member, false);
                    out[at] |= WRAPPED;
                    return;
                }
                out.push(OBJECT);
                let start = open_length(out);
                put_varint(out, map.len() as u64);
                for (k, item) in map {
                    let id = self.name(k);
                    put_varint(out, u64::from(id));
                    self.value(out, item, id, true);
                }
                close_length(out, start);
            }
        }
    }

    /// The dictionary id of `s`, adding it if `member` may still add strings.
    fn admit(&mut self, s: &str, member: u32) -> Option<u32> {
        if let Some(id) = self.string_ids.get(s) {
            return Some(*id);
        }
        let admitted = &mut self.admitted[member as usize];
        if *admitted >= DICTIONARY_PER_MEMBER || s.len() > DICTIONARY_MAX_LEN {
            return None;
        }
        *admitted += 1;
        let id = self.strings.len() as u32;
        self.strings.push(s.into());
        self.string_ids.insert(s.into(), id);
        Some(id)
    }

    fn string(&mut self, out: &mut Vec<u8>, s: &str, member: u32, split: bool) {
        if let Some(id) = self.string_ids.get(s) {
            out.push(STR_DICT);
            put_varint(out, u64::from(*id));
            return;
        }
        if s.len() == 36
            && let Ok(g) = Uuid::try_parse(s)
            && g.hyphenated().encode_lower(&mut [0u8; 36]) == s
        {
            out.push(STR_GUID);
            out.extend_from_slice(g.as_bytes());
            return;
        }
        if let Some(packed) = pack_datetime(s) {
            out.push(STR_DATETIME);
            out.extend_from_slice(&packed);
            return;
        }
        if let Some((template, runs)) = template(s)
            && let Some(id) = self.admit(&template, member)
        {
            out.push(STR_TEMPLATE);
            put_varint(out, u64::from(id));
            for run in runs {
                put_varint(out, run);
            }
            return;
        }
        if split
            && let Some(at) = s.find('@').filter(|&at| at > 0)
            && !s[at + 1..].contains('@')
        {
            out.push(STR_SPLIT);
            self.string(out, &s[..at], member, false);
            self.string(out, &s[at..], member, false);
            return;
        }
        if let Some(id) = self.admit(s, member) {
            out.push(STR_DICT);
            put_varint(out, u64::from(id));
            return;
        }
        out.push(STR);
        put_varint(out, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    }

    /// The whole record back, with `id` (if given) as its `"id"` member.
    pub(crate) fn decode(&self, bytes: &[u8], id: Option<(&str, Value)>) -> Map<String, Value> {
        self.decode_members(bytes, id, |_| true)
    }

    /// The top-level members whose name ids `want` accepts (and `id`); the others are skipped
    /// without being decoded.
    pub(crate) fn decode_members(
        &self,
        bytes: &[u8],
        id: Option<(&str, Value)>,
        mut want: impl FnMut(u32) -> bool,
    ) -> Map<String, Value> {
        let mut map = Map::new();
        if let Some((name, v)) = id {
            map.insert(name.to_owned(), v);
        }
        let mut r = Reader { bytes, pos: 0 };
        // Records are only ever decoded from bytes `encode_into` wrote; a failure would be a
        // bug, and the record then reads as far as it was decoded.
        let _ = (|| -> Result<(), Corrupt> {
            let count = r.varint()?;
            for _ in 0..count {
                let name = r.varint()? as u32;
                if want(name) {
                    let v = self.read(&mut r)?;
                    map.insert(self.name_text(name)?.to_owned(), v);
                } else {
                    self.skip(&mut r)?;
                }
            }
            Ok(())
        })();
        map
    }

    fn name_text(&self, id: u32) -> Result<&str, Corrupt> {
        self.names.get(id as usize).map(|s| &**s).ok_or(Corrupt)
    }

    fn dictionary(&self, id: u64) -> Result<&str, Corrupt> {
        self.strings.get(id as usize).map(|s| &**s).ok_or(Corrupt)
    }

    fn read(&self, r: &mut Reader<'_>) -> Result<Value, Corrupt> {
        let tag = r.byte()?;
        let v = match tag & !WRAPPED {
            NULL => Value::Null,
            FALSE => Value::Bool(false),
            TRUE => Value::Bool(true),
            UINT => Value::from(r.varint()?),
            NEG_INT => Value::from(unzigzag(r.varint()?)),
            F64 => {
                let mut a = [0u8; 8];
                a.copy_from_slice(r.take(8)?);
                float(f64::from_le_bytes(a))
            }
            F64_INT => float(r.varint()? as f64),
            F64_CENTS => float(r.varint()? as f64 / 100.0),
            STR | STR_DICT | STR_GUID | STR_DATETIME | STR_TEMPLATE | STR_SPLIT => {
                let mut s = String::new();
                self.read_string(tag & !WRAPPED, r, &mut s)?;
                Value::String(s)
            }
            ARRAY => {
                let _len = r.varint()?;
                let count = r.varint()? as usize;
                let mut items = Vec::with_capacity(count.min(4096));
                for _ in 0..count {
                    items.push(self.read(r)?);
                }
                Value::Array(items)
            }
            OBJECT => {
                let _len = r.varint()?;
                let count = r.varint()?;
                let mut map = Map::new();
                for _ in 0..count {
                    let name = r.varint()? as u32;
                    let v = self.read(r)?;
                    map.insert(self.name_text(name)?.to_owned(), v);
                }
                Value::Object(map)
            }
            _ => return Err(Corrupt),
        };
        if tag & WRAPPED == 0 {
            return Ok(v);
        }
        let mut map = Map::new();
        map.insert("value".to_owned(), v);
        Ok(Value::Object(map))
    }

    /// Steps over one value.
    fn skip(&self, r: &mut Reader<'_>) -> Result<(), Corrupt> {
        let tag = r.byte()? & !WRAPPED;
        self.skip_body(r, tag)
    }

    fn skip_body(&self, r: &mut Reader<'_>, tag: u8) -> Result<(), Corrupt> {
        match tag {
            NULL | FALSE | TRUE => {}
            UINT | NEG_INT | F64_INT | F64_CENTS | STR_DICT => {
                r.varint()?;
            }
            F64 => {
                r.take(8)?;
            }
            STR | ARRAY | OBJECT => {
                let n = r.varint()? as usize;
                r.take(n)?;
            }
            STR_GUID => {
                r.take(16)?;
            }
            STR_DATETIME => {
                let head = r.varint()?;
                if head & 7 > 0 {
                    r.varint()?;
                }
                r.varint()?;
            }
            STR_TEMPLATE => {
                let runs = self.dictionary(r.varint()?)?.matches('\0').count();
                for _ in 0..runs {
                    r.varint()?;
                }
            }
            STR_SPLIT => {
                for _ in 0..2 {
                    let t = r.byte()?;
                    self.skip_body(r, t)?;
                }
            }
            _ => return Err(Corrupt),
        }
        Ok(())
    }

    fn read_string(&self, tag: u8, r: &mut Reader<'_>, out: &mut String) -> Result<(), Corrupt> {
        use std::fmt::Write as _;
        match tag {
            STR => {
                let n = r.varint()? as usize;
                out.push_str(std::str::from_utf8(r.take(n)?).map_err(|_| Corrupt)?);
            }
            STR_DICT => out.push_str(self.dictionary(r.varint()?)?),
            STR_GUID => {
                let g = Uuid::from_slice(r.take(16)?).map_err(|_| Corrupt)?;
                out.push_str(g.hyphenated().encode_lower(&mut [0u8; 36]));
            }
            STR_DATETIME => unpack_datetime(r, out)?,
            STR_TEMPLATE => {
                let template = self.dictionary(r.varint()?)?;
                for (i, part) in template.split('\0').enumerate() {
                    if i > 0 {
                        let run = r.varint()?;
                        let digits = (run & 31) as usize;
                        let _ = write!(out, "{:0digits$}", run >> 5);
                    }
                    out.push_str(part);
                }
            }
            STR_SPLIT => {
                for _ in 0..2 {
                    let t = r.byte()?;
                    self.read_string(t, r, out)?;
                }
            }
            _ => return Err(Corrupt),
        }
        Ok(())
    }
}

/// `s` with its ASCII digit runs replaced by `\0`, and each run as `value << 5 | digits`;
/// `None` without digits, with a `\0`, or with a run too long.
fn template(s: &str) -> Option<(String, Vec<u64>)> {
    if !s.bytes().any(|b| b.is_ascii_digit()) || s.contains('\0') {
        return None;
    }
    let mut text = String::with_capacity(s.len());
    let mut runs = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    let mut plain = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i - start > MAX_RUN {
            return None;
        }
        text.push_str(&s[plain..start]);
        text.push('\0');
        plain = i;
        let value = b[start..i]
            .iter()
            .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
        runs.push(value << 5 | (i - start) as u64);
    }
    text.push_str(&s[plain..]);
    Some((text, runs))
}

fn float(f: f64) -> Value {
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

fn number(out: &mut Vec<u8>, n: &Number) {
    if let Some(u) = n.as_u64() {
        out.push(UINT);
        put_varint(out, u);
    } else if let Some(i) = n.as_i64() {
        out.push(NEG_INT);
        put_varint(out, zigzag(i));
    } else {
        let f = n.as_f64().unwrap_or(0.0);
        let positive = f.is_sign_positive();
        if positive && f < EXACT_INT && f.fract() == 0.0 {
            out.push(F64_INT);
            put_varint(out, f as u64);
            return;
        }
        let cents = (f * 100.0).round();
        if positive && cents < EXACT_INT && (cents / 100.0).to_bits() == f.to_bits() {
            out.push(F64_CENTS);
            put_varint(out, cents as u64);
            return;
        }
        out.push(F64);
        out.extend_from_slice(&f.to_le_bytes());
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, Corrupt> {
        let b = *self.bytes.get(self.pos).ok_or(Corrupt)?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Corrupt> {
        let end = self.pos.checked_add(n).ok_or(Corrupt)?;
        let b = self.bytes.get(self.pos..end).ok_or(Corrupt)?;
        self.pos = end;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, Corrupt> {
        let mut n = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            if shift >= 64 {
                return Err(Corrupt);
            }
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(n);
            }
            shift += 7;
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f{1,7}](+|-)HH:MM` (how the wire prints date-times) as varints: the
/// date and time as one number (times 8, plus the number of fraction digits), the fraction
/// when there is one, and the offset in minutes (zigzag); `None` unless printing them back
/// gives exactly `s`.
fn pack_datetime(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !(25..=33).contains(&b.len())
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u64> {
        let part = b.get(r)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(part.iter().fold(0, |n, d| n * 10 + u64::from(d - b'0')))
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let (digits, fraction, rest) = if b[19] == b'.' {
        let end = (20..b.len()).find(|&i| !b[i].is_ascii_digit())?;
        (end - 20, num(20..end)?, end)
    } else {
        (0, 0, 19)
    };
    if digits > 7 || b.len() != rest + 6 || b[rest + 3] != b':' {
        return None;
    }
    let sign = match b[rest] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (oh, om) = (num(rest + 1..rest + 3)?, num(rest + 4..rest + 6)?);
    // `-00:00` would print back as `+00:00`, and minutes past 59 as another hour.
    if om > 59 || (sign < 0 && oh == 0 && om == 0) {
        return None;
    }
    let offset = sign * (oh * 60 + om) as i64;
    let moment =
        ((((year * 12 + month - 1) * 31 + day - 1) * 24 + hour) * 60 + minute) * 60 + second;
    let mut out = Vec::with_capacity(12);
    put_varint(&mut out, moment << 3 | digits as u64);
    if digits > 0 {
        put_varint(&mut out, fraction);
    }
    put_varint(&mut out, zigzag(offset));
    // Every part has the width it prints with and is in range, so the same text comes back
    // (the tests check it; debug builds check every packed one).
    debug_assert!({
        let mut back = String::new();
        let mut r = Reader {
            bytes: &out,
            pos: 0,
        };
        unpack_datetime(&mut r, &mut back).is_ok() && back == s
    });
    Some(out)
}

fn unpack_datetime(r: &mut Reader<'_>, out: &mut String) -> Result<(), Corrupt> {
    use std::fmt::Write as _;
    let head = r.varint()?;
    let digits = (head & 7) as usize;
    let mut t = head >> 3;
    let second = t % 60;
    t /= 60;
    let minute = t % 60;
    t /= 60;
    let hour = t % 24;
    t /= 24;
    let day = t % 31 + 1;
    t /= 31;
    let month = t % 12 + 1;
    let year = t / 12;
    let _ = write!(
        out,
        "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}"
    );
    if digits > 0 {
        let fraction = r.varint()?;
        let _ = write!(out, ".{fraction:0digits$}");
    }
    let offset = unzigzag(r.varint()?);
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.unsigned_abs();
    let _ = write!(out, "{sign}{:02}:{:02}", a / 60, a % 60);
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[A-Za-z0-9 @._+:-]{0,12}",
            "\\PC{0,8}",
            "[a-z]{1,6}[0-9]{1,20}[a-z@.]{0,6}[0-9]{0,3}",
            "[a-z.]{1,8}@[a-z]{1,8}\\.example\\.com",
            // Date-time shapes, valid and not.
            "[0-9]{4}-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-6][0-9]:[0-6][0-9](\\.[0-9]{0,8})?[+-][0-9]{2}:[0-9]{2}",
            Just("2024-03-05T09:30:00.123+03:00".to_owned()),
            Just("2024-03-05T09:30:00-00:00".to_owned()),
            Just("0000-01-01T00:00:00+99:59".to_owned()),
            // GUIDs, canonical and not.
            any::<u128>().prop_map(|n| Uuid::from_u128(n).to_string()),
            any::<u128>().prop_map(|n| Uuid::from_u128(n).to_string().to_uppercase()),
            Just("a\0b1".to_owned()),
        ]
    }

    fn number() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<u64>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            (0u64..1_000_000).prop_map(|c| Value::from(c as f64 / 100.0)),
            (0u64..1_000_000).prop_map(|c| Value::from(c as f64)),
            Just(Value::from(-0.0)),
        ]
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            number(),
            text().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map("[A-Za-z]{1,6}|value", inner.clone(), 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
                inner.prop_map(|v| json!({ "value": v })),
            ]
        })
    }

    fn record() -> impl Strategy<Value = Map<String, Value>> {
        prop::collection::btree_map("[A-Za-z]{1,8}|value|id", json_value(), 0..8)
            .prop_map(|m| m.into_iter().collect())
    }

    proptest! {
        /// Decoding gives back exactly what was encoded (the member `id` aside), one codec
        /// over many records, as a table's is; decoding some members gives those members.
        #[test]
        fn decode_of_encode_is_the_identity(records in prop::collection::vec(record(), 1..12)) {
            let mut codec = Codec::default();
            let encoded: Vec<Vec<u8>> = records
                .iter()
                .map(|r| {
                    let mut out = Vec::new();
                    codec.encode_into(&mut out, r, "id");
                    out
                })
                .collect();
            for (r, bytes) in records.iter().zip(&encoded) {
                let mut want = r.clone();
                want.remove("id");
                prop_assert_eq!(&codec.decode(bytes, None), &want);
                let first = want.keys().next().cloned();
                if let Some(first) = first {
                    let id = codec.name_id(&first).expect("interned");
                    let some = codec.decode_members(bytes, None, |n| n == id);
                    prop_assert_eq!(some.get(&first), want.get(&first));
                    prop_assert_eq!(some.len(), 1);
                }
            }
        }
    }

    #[test]
    fn strings_take_their_compact_forms() {
        let mut codec = Codec::default();
        let record: Map<String, Value> = serde_json::from_value(json!({
            "Id": { "value": "5c7a2f3e-1b2c-4d5e-8f90-0123456789ab" },
            "When": { "value": "2024-03-05T09:30:00.123+03:00" },
            "Key": { "value": "C000123" },
            "Email": { "value": "anna.smith@cedar.example.com" },
        }))
        .unwrap();
        let mut out = Vec::new();
        codec.encode_into(&mut out, &record, "id");
        let json_len = serde_json::to_vec(&record).unwrap().len();
        assert!(
            out.len() * 3 < json_len,
            "{} bytes for {json_len} of JSON",
            out.len()
        );
        assert_eq!(codec.decode(&out, None), record);
    }

    #[test]
    fn the_fast_hash_spreads_low_and_high_bits() {
        use std::hash::BuildHasher;
        let b = FastBuild::default();
        let hashes: Vec<u64> = (0..4096).map(|i| b.hash_one(format!("C{i:03}"))).collect();
        let low: std::collections::HashSet<u64> = hashes.iter().map(|h| h & 4095).collect();
        let high: std::collections::HashSet<u64> = hashes.iter().map(|h| h >> 57).collect();
        assert!(low.len() > 2500, "{} distinct low 12 bits", low.len());
        assert_eq!(high.len(), 128);
    }
}
