//! In-memory records per tenant and entity, indexed by id, by key values and by position.
//!
//! A table keeps each record once, as the bytes of [`crate::codec`] (its id, then its members)
//! in large chunks, and decodes it into wire JSON whenever it is read: a million seeded
//! customers take a few hundred bytes each instead of a tree of `serde_json::Value`s. Beside
//! the bytes, a slot per record in insertion order (a deleted record leaves a dead slot until
//! the table compacts), a count of live and of shown (not archived) records per block of
//! slots, so the `n`-th record of a page is found without reading the records before it, and
//! two hash indexes of slot numbers: by id, and by normalized key values (read back from the
//! record's bytes, so the keys are not stored twice).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use hashbrown::HashTable;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::codec::{self, Codec, FastBuild, Node};
use crate::error::StoreError;
use crate::files::Files;
use crate::filter::{CompareOp, Expr, FieldRef, Literal, Operand};
use crate::model::Model;

/// A stored record as it is read: wire JSON without `rowNumber` and `_links` (added when
/// rendered).
pub(crate) type Record = Map<String, Value>;

/// Slots per block of the position counts.
const BLOCK: usize = 1024;
/// Bytes per chunk of record bytes (a larger record gets a chunk of its own).
const CHUNK: usize = 1 << 20;

const LIVE: u8 = 1;
const ARCHIVED: u8 = 2;

/// Where a record's bytes are: chunk << 32 | offset, length, flags.
#[derive(Debug, Clone, Copy)]
struct Slot {
    loc: u64,
    len: u32,
    flags: u8,
}

impl Slot {
    fn live(self) -> bool {
        self.flags & LIVE != 0
    }

    fn shown(self, show_archived: bool) -> bool {
        self.live() && (show_archived || self.flags & ARCHIVED == 0)
    }
}

/// A record's place in its table: valid until the table is next written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos(u32);

/// The id of a record (`"id"` member), if it has a valid one.
pub(crate) fn record_id(record: &Record) -> Option<Uuid> {
    record
        .get("id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
}

/// The text of a `{"value": ...}` wrapper, as a key compares it.
pub(crate) fn value_text(v: Option<&Value>) -> Option<String> {
    match v?.get("value")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Key values compare like SQL Server compares them: without case and trailing blanks.
pub(crate) fn normalize_key(values: &[String]) -> String {
    values
        .iter()
        .map(|v| v.trim_end().to_uppercase())
        .collect::<Vec<_>>()
        .join("\u{1}")
}

/// Whether a key member reads in a `$filter` exactly as the key index compares it: absent,
/// null, or an ASCII string in a wrapper (see [`Table::filter_candidates`]).
fn plain_key_member(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::Object(m)) => match m.get("value") {
            None | Some(Value::Null) => !m.values().any(|v| v.is_object() || v.is_array()),
            Some(Value::String(s)) => s.is_ascii(),
            Some(_) => false,
        },
        Some(_) => false,
    }
}

/// The bytes of the records and how to read them (apart from the indexes, so an index can
/// rehash while it is being changed).
struct Rows {
    key_fields: Vec<String>,
    codec: Codec,
    chunks: Vec<Vec<u8>>,
    slots: Vec<Slot>,
    hasher: FastBuild,
}

impl Rows {
    fn bytes(&self, slot: Slot) -> &[u8] {
        let chunk = &self.chunks[(slot.loc >> 32) as usize];
        let at = (slot.loc & 0xFFFF_FFFF) as usize;
        &chunk[at..at + slot.len as usize]
    }

    fn id_at(&self, pos: u32) -> Uuid {
        let b = self.bytes(self.slots[pos as usize]);
        Uuid::from_slice(&b[..16]).unwrap_or_default()
    }

    fn record_at(&self, pos: u32) -> Record {
        let b = self.bytes(self.slots[pos as usize]);
        let id = Uuid::from_slice(&b[..16]).unwrap_or_default();
        self.codec
            .decode(&b[16..], Some(("id", Value::String(id.to_string()))))
    }

    /// Only the members named by `names` (ids of the codec), and `id`.
    fn members_at(&self, pos: u32, names: &[u32]) -> Record {
        let b = self.bytes(self.slots[pos as usize]);
        let id = Uuid::from_slice(&b[..16]).unwrap_or_default();
        self.codec
            .decode_members(&b[16..], Some(("id", Value::String(id.to_string()))), |n| {
                names.contains(&n)
            })
    }

    fn keys_of(&self, record: &Record) -> Option<Vec<String>> {
        if self.key_fields.is_empty() {
            return None;
        }
        self.key_fields
            .iter()
            .map(|k| value_text(record.get(k)).filter(|s| !s.trim().is_empty()))
            .collect()
    }

    /// The normalized key of a stored record, read from its bytes.
    fn key_at(&self, pos: u32) -> Option<String> {
        let names: Vec<u32> = self
            .key_fields
            .iter()
            .filter_map(|k| self.codec.name_id(k))
            .collect();
        let b = self.bytes(self.slots[pos as usize]);
        let partial = self
            .codec
            .decode_members(&b[16..], None, |n| names.contains(&n));
        self.keys_of(&partial).map(|k| normalize_key(&k))
    }

    fn hash_id(&self, id: &Uuid) -> u64 {
        self.hasher.hash_one(id.as_bytes())
    }

    fn hash_key(&self, key: &str) -> u64 {
        self.hasher.hash_one(key)
    }

    fn hash_key_at(&self, pos: u32) -> u64 {
        self.hash_key(&self.key_at(pos).unwrap_or_default())
    }

    /// Appends a record's bytes (its id, then its members) to the chunks.
    fn append(&mut self, id: Uuid, record: &Record) -> (u64, u32) {
        self.append_with(id, |codec, bytes| codec.encode_into(bytes, record, "id"))
    }

    /// Appends the bytes of the id and of what `encode` writes.
    fn append_with(
        &mut self,
        id: Uuid,
        encode: impl FnOnce(&mut Codec, &mut Vec<u8>),
    ) -> (u64, u32) {
        let mut bytes = Vec::with_capacity(256);
        bytes.extend_from_slice(id.as_bytes());
        encode(&mut self.codec, &mut bytes);
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.len() + bytes.len() <= c.capacity());
        if !fits {
            self.chunks.push(Vec::with_capacity(CHUNK.max(bytes.len())));
        }
        let index = self.chunks.len() - 1;
        let chunk = &mut self.chunks[index];
        let at = chunk.len();
        chunk.extend_from_slice(&bytes);
        (((index as u64) << 32) | at as u64, bytes.len() as u32)
    }
}

/// The records of one top-level entity in one tenant.
pub(crate) struct Table {
    rows: Rows,
    /// Per block of slots: live records, and live records that are not archived.
    live_in: Vec<u32>,
    shown_in: Vec<u32>,
    live: usize,
    /// Bytes of records replaced or removed, still in the chunks.
    garbage: usize,
    by_id: HashTable<u32>,
    by_key: HashTable<u32>,
    /// Whether every key member stored so far reads in a `$filter` as the index compares it.
    keys_plain: bool,
}

impl fmt::Debug for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Table")
            .field("key_fields", &self.rows.key_fields)
            .field("records", &self.live)
            .field("slots", &self.rows.slots.len())
            .field("chunks", &self.rows.chunks.len())
            .field("garbage", &self.garbage)
            .finish_non_exhaustive()
    }
}

impl Table {
    fn new(key_fields: Vec<String>) -> Self {
        Table {
            rows: Rows {
                key_fields,
                codec: Codec::default(),
                chunks: Vec::new(),
                slots: Vec::new(),
                hasher: FastBuild::default(),
            },
            live_in: Vec::new(),
            shown_in: Vec::new(),
            live: 0,
            garbage: 0,
            by_id: HashTable::new(),
            by_key: HashTable::new(),
            keys_plain: true,
        }
    }

    /// Room for `n` more records in the indexes.
    fn reserve(&mut self, n: usize) {
        self.rows.slots.reserve(n);
        let rows = &self.rows;
        self.by_id.reserve(n, |&p| rows.hash_id(&rows.id_at(p)));
        if !rows.key_fields.is_empty() {
            self.by_key.reserve(n, |&p| rows.hash_key_at(p));
        }
    }

    /// The key values of a record, if every key field has one.
    pub(crate) fn keys_of(&self, record: &Record) -> Option<Vec<String>> {
        self.rows.keys_of(record)
    }

    fn pos_of(&self, id: Uuid) -> Option<u32> {
        let rows = &self.rows;
        self.by_id
            .find(rows.hash_id(&id), |&p| rows.id_at(p) == id)
            .copied()
    }

    fn pos_of_key(&self, key: &str) -> Option<u32> {
        let rows = &self.rows;
        self.by_key
            .find(rows.hash_key(key), |&p| {
                rows.key_at(p).as_deref() == Some(key)
            })
            .copied()
    }

    /// Whether a record with this id is here.
    pub(crate) fn contains(&self, id: Uuid) -> bool {
        self.pos_of(id).is_some()
    }

    /// A record by id, decoded.
    pub(crate) fn get(&self, id: Uuid) -> Option<Record> {
        self.pos_of(id).map(|p| self.rows.record_at(p))
    }

    pub(crate) fn find_by_keys(&self, values: &[String]) -> Option<Uuid> {
        if values.len() != self.rows.key_fields.len() || values.is_empty() {
            return None;
        }
        self.pos_of_key(&normalize_key(values))
            .map(|p| self.rows.id_at(p))
    }

    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// Records in insertion order, decoded one at a time.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Record> + '_ {
        self.positions(0, true).map(|p| self.record(p))
    }

    /// The record at a position.
    pub(crate) fn record(&self, pos: Pos) -> Record {
        self.rows.record_at(pos.0)
    }

    /// The id of the record at a position.
    pub(crate) fn id(&self, pos: Pos) -> Uuid {
        self.rows.id_at(pos.0)
    }

    /// Whether the record at a position is archived.
    pub(crate) fn archived_at(&self, pos: Pos) -> bool {
        self.rows.slots[pos.0 as usize].flags & ARCHIVED != 0
    }

    /// The record at a position with only the top-level members a `$filter` reads: what
    /// [`crate::filter::eval`] needs, without decoding the rest.
    pub(crate) fn filter_view(&self, pos: Pos, names: &FilterNames) -> Record {
        match names {
            FilterNames::All => self.record(pos),
            FilterNames::Some(ids) => self.rows.members_at(pos.0, ids),
        }
    }

    /// The top-level members a condition reads, as this table's member ids.
    pub(crate) fn filter_names(&self, expr: &Expr) -> FilterNames {
        let mut ids = Vec::new();
        for field in expr.fields() {
            let first = match field.base() {
                FieldRef::Path(path) => path.first().map(String::as_str),
                FieldRef::Custom(c) => Some(c.entity.first().map_or("custom", String::as_str)),
                // `base` has no case function left.
                FieldRef::Case { .. } => None,
            };
            let Some(first) = first else {
                return FilterNames::All;
            };
            if let Some(id) = self.rows.codec.name_id(first) {
                ids.push(id);
            }
        }
        FilterNames::Some(ids)
    }

    /// These top-level members, as a [`FilterNames`] for [`Table::filter_view`].
    pub(crate) fn member_names<'n>(&self, names: impl Iterator<Item = &'n str>) -> FilterNames {
        FilterNames::Some(names.filter_map(|n| self.rows.codec.name_id(n)).collect())
    }

    /// The positions of the records shown (archived ones too with `show_archived`), in order,
    /// from the `skip`-th shown one on: found through the block counts, not by reading the
    /// records before it.
    pub(crate) fn positions(
        &self,
        skip: usize,
        show_archived: bool,
    ) -> impl Iterator<Item = Pos> + '_ {
        let counts = if show_archived {
            &self.live_in
        } else {
            &self.shown_in
        };
        let mut left = skip;
        let mut start = self.rows.slots.len();
        for (block, &n) in counts.iter().enumerate() {
            let n = n as usize;
            if left >= n {
                left -= n;
                continue;
            }
            let from = block * BLOCK;
            let to = (from + BLOCK).min(self.rows.slots.len());
            start = (from..to)
                .filter(|&i| self.rows.slots[i].shown(show_archived))
                .nth(left)
                .unwrap_or(to);
            break;
        }
        (start..self.rows.slots.len())
            .filter(move |&i| self.rows.slots[i].shown(show_archived))
            .map(|i| Pos(i as u32))
    }

    /// The only records that can satisfy `expr` when it is a conjunction of `Key eq 'text'`,
    /// one per key field, through the key index; `None` when it is not (then every record has
    /// to be read). Exact: the index compares without case and trailing blanks, which for ASCII
    /// is what a `$filter` compares too or coarser (a case-sensitive one), so the caller still
    /// evaluates `expr` on each candidate; a table that ever held a key a `$filter` reads
    /// otherwise (not a string, not ASCII, not wrapped) answers `None`.
    pub(crate) fn filter_candidates(&self, expr: &Expr) -> Option<Vec<Pos>> {
        let fields = &self.rows.key_fields;
        if fields.is_empty() || !self.keys_plain {
            return None;
        }
        let mut parts = Vec::new();
        flatten_and(expr, &mut parts);
        let mut values: Vec<Option<String>> = vec![None; fields.len()];
        for part in parts {
            let Expr::Compare {
                left,
                op: CompareOp::Eq,
                right,
            } = part
            else {
                return None;
            };
            let (path, text) = match (left, right) {
                (Operand::Field(FieldRef::Path(p)), Operand::Literal(Literal::String(t)))
                | (Operand::Literal(Literal::String(t)), Operand::Field(FieldRef::Path(p))) => {
                    (p, t)
                }
                _ => return None,
            };
            let [name] = path.as_slice() else {
                return None;
            };
            let i = fields.iter().position(|f| f == name)?;
            if !text.is_ascii() || text.trim().is_empty() || values[i].is_some() {
                return None;
            }
            values[i] = Some(text.clone());
        }
        let values: Vec<String> = values.into_iter().collect::<Option<_>>()?;
        Some(
            self.pos_of_key(&normalize_key(&values))
                .map(Pos)
                .into_iter()
                .collect(),
        )
    }

    fn note_keys(&mut self, record: &Record) {
        if self.keys_plain
            && !self
                .rows
                .key_fields
                .iter()
                .all(|k| plain_key_member(record.get(k)))
        {
            self.keys_plain = false;
        }
    }

    /// Inserts a record the seeder built as [`Node`]s (without an `id` member), as
    /// [`Table::insert`] inserts its JSON.
    fn insert_nodes(
        &mut self,
        entity: &str,
        id: Uuid,
        members: &[(Cow<'_, str>, Node<'_>)],
    ) -> Result<Uuid, StoreError> {
        let fields = &self.rows.key_fields;
        let mut keys = (!fields.is_empty()).then(|| Vec::with_capacity(fields.len()));
        let mut plain = true;
        for k in fields {
            let found = codec::member(members, k);
            let (text, is_plain) = match found {
                None => (None, true),
                Some(Node::Wrapped(v)) => (
                    match v {
                        Value::String(s) => Some(s.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        Value::Bool(b) => Some(b.to_string()),
                        _ => None,
                    },
                    match v {
                        Value::Null => true,
                        Value::String(s) => s.is_ascii(),
                        _ => false,
                    },
                ),
                Some(other) => {
                    let v = other.to_value();
                    (value_text(Some(&v)), plain_key_member(Some(&v)))
                }
            };
            plain &= is_plain;
            keys = match (keys, text.filter(|s| !s.trim().is_empty())) {
                (Some(mut ks), Some(t)) => {
                    ks.push(t);
                    Some(ks)
                }
                _ => None,
            };
        }
        let key = self.new_key(entity, id, keys)?;
        self.keys_plain &= plain;
        let (loc, len) = self
            .rows
            .append_with(id, |codec, bytes| codec.encode_nodes_into(bytes, members));
        self.push_slot(id, key, loc, len);
        Ok(id)
    }

    /// The normalized key of a record about to be added, or the clash with a record there is:
    /// the same key fields, or the same id.
    fn new_key(
        &self,
        entity: &str,
        id: Uuid,
        keys: Option<Vec<String>>,
    ) -> Result<Option<String>, StoreError> {
        let key = keys.as_ref().map(|k| normalize_key(k));
        if key.as_deref().is_some_and(|k| self.pos_of_key(k).is_some()) {
            return Err(StoreError::DuplicateKey {
                entity: entity.to_owned(),
                keys: keys.unwrap_or_default(),
            });
        }
        if self.contains(id) {
            return Err(StoreError::DuplicateKey {
                entity: entity.to_owned(),
                keys: vec![id.to_string()],
            });
        }
        Ok(key)
    }

    /// A new slot at the end for bytes just appended, in the counts and the indexes.
    fn push_slot(&mut self, id: Uuid, key: Option<String>, loc: u64, len: u32) {
        let pos = self.rows.slots.len() as u32;
        self.rows.slots.push(Slot {
            loc,
            len,
            flags: LIVE,
        });
        if (pos as usize).is_multiple_of(BLOCK) {
            self.live_in.push(0);
            self.shown_in.push(0);
        }
        let block = pos as usize / BLOCK;
        self.live_in[block] += 1;
        self.shown_in[block] += 1;
        self.live += 1;
        let rows = &self.rows;
        self.by_id
            .insert_unique(rows.hash_id(&id), pos, |&p| rows.hash_id(&rows.id_at(p)));
        if let Some(k) = key {
            self.by_key
                .insert_unique(rows.hash_key(&k), pos, |&p| rows.hash_key_at(p));
        }
    }

    /// Inserts a record; it gets a new id unless it has one.
    fn insert(&mut self, entity: &str, mut record: Record) -> Result<Uuid, StoreError> {
        let id = record_id(&record).unwrap_or_else(Uuid::new_v4);
        record.insert("id".into(), Value::String(id.to_string()));
        let keys = self.keys_of(&record);
        let key = self.new_key(entity, id, keys)?;
        self.note_keys(&record);
        let (loc, len) = self.rows.append(id, &record);
        self.push_slot(id, key, loc, len);
        Ok(id)
    }

    /// Replaces a record, keeping its place in the order.
    fn replace(&mut self, entity: &str, id: Uuid, mut record: Record) -> Result<(), StoreError> {
        let Some(pos) = self.pos_of(id) else {
            return Err(StoreError::NotFound {
                entity: entity.to_owned(),
                id,
            });
        };
        record.insert("id".into(), Value::String(id.to_string()));
        let old_key = self.rows.key_at(pos);
        let keys = self.keys_of(&record);
        let new_key = keys.as_ref().map(|k| normalize_key(k));
        if new_key
            .as_deref()
            .and_then(|k| self.pos_of_key(k))
            .is_some_and(|other| other != pos)
        {
            return Err(StoreError::DuplicateKey {
                entity: entity.to_owned(),
                keys: keys.unwrap_or_default(),
            });
        }
        self.note_keys(&record);
        if let Some(k) = &old_key
            && old_key != new_key
            && let Ok(entry) = self.by_key.find_entry(self.rows.hash_key(k), |&p| p == pos)
        {
            entry.remove();
        }
        let (loc, len) = self.rows.append(id, &record);
        let slot = &mut self.rows.slots[pos as usize];
        self.garbage += slot.len as usize;
        slot.loc = loc;
        slot.len = len;
        if let Some(k) = new_key
            && old_key.as_ref() != Some(&k)
        {
            let rows = &self.rows;
            self.by_key
                .insert_unique(rows.hash_key(&k), pos, |&p| rows.hash_key_at(p));
        }
        self.compact_if_wasteful();
        Ok(())
    }

    fn remove(&mut self, id: Uuid) -> Option<Record> {
        let pos = self.pos_of(id)?;
        let record = self.rows.record_at(pos);
        if let Some(k) = self.rows.key_at(pos)
            && let Ok(entry) = self
                .by_key
                .find_entry(self.rows.hash_key(&k), |&p| p == pos)
        {
            entry.remove();
        }
        if let Ok(entry) = self.by_id.find_entry(self.rows.hash_id(&id), |&p| p == pos) {
            entry.remove();
        }
        let slot = &mut self.rows.slots[pos as usize];
        let block = pos as usize / BLOCK;
        self.live_in[block] -= 1;
        if slot.flags & ARCHIVED == 0 {
            self.shown_in[block] -= 1;
        }
        slot.flags = 0;
        self.garbage += slot.len as usize;
        self.live -= 1;
        self.compact_if_wasteful();
        Some(record)
    }

    /// Archives a record or brings it back; whether the table has it.
    fn set_archived(&mut self, id: Uuid, archived: bool) -> bool {
        let Some(pos) = self.pos_of(id) else {
            return false;
        };
        let slot = &mut self.rows.slots[pos as usize];
        let was = slot.flags & ARCHIVED != 0;
        if was != archived {
            slot.flags ^= ARCHIVED;
            let block = pos as usize / BLOCK;
            if archived {
                self.shown_in[block] -= 1;
            } else {
                self.shown_in[block] += 1;
            }
        }
        true
    }

    fn is_archived(&self, id: Uuid) -> bool {
        self.pos_of(id)
            .is_some_and(|p| self.rows.slots[p as usize].flags & ARCHIVED != 0)
    }

    fn archived_ids(&self) -> impl Iterator<Item = Uuid> + '_ {
        (0..self.rows.slots.len())
            .filter(|&i| {
                let s = self.rows.slots[i];
                s.live() && s.flags & ARCHIVED != 0
            })
            .map(|i| self.rows.id_at(i as u32))
    }

    /// Drops dead slots and dead bytes once they outweigh the live ones.
    fn compact_if_wasteful(&mut self) {
        let dead = self.rows.slots.len() - self.live;
        let live_bytes: usize = self.rows.chunks.iter().map(Vec::len).sum::<usize>() - self.garbage;
        if dead <= BLOCK.max(self.live) && self.garbage <= (16 * CHUNK).max(live_bytes) {
            return;
        }
        let old_chunks = std::mem::take(&mut self.rows.chunks);
        let old_slots = std::mem::take(&mut self.rows.slots);
        self.live_in.clear();
        self.shown_in.clear();
        self.by_id.clear();
        self.by_key.clear();
        self.garbage = 0;
        for slot in old_slots.into_iter().filter(|s| s.live()) {
            let chunk = &old_chunks[(slot.loc >> 32) as usize];
            let at = (slot.loc & 0xFFFF_FFFF) as usize;
            let bytes = &chunk[at..at + slot.len as usize];
            let fits = self
                .rows
                .chunks
                .last()
                .is_some_and(|c| c.len() + bytes.len() <= c.capacity());
            if !fits {
                self.rows
                    .chunks
                    .push(Vec::with_capacity(CHUNK.max(bytes.len())));
            }
            let index = self.rows.chunks.len() - 1;
            let c = &mut self.rows.chunks[index];
            let loc = ((index as u64) << 32) | c.len() as u64;
            c.extend_from_slice(bytes);
            let pos = self.rows.slots.len() as u32;
            self.rows.slots.push(Slot { loc, ..slot });
            if (pos as usize).is_multiple_of(BLOCK) {
                self.live_in.push(0);
                self.shown_in.push(0);
            }
            let block = pos as usize / BLOCK;
            self.live_in[block] += 1;
            if slot.flags & ARCHIVED == 0 {
                self.shown_in[block] += 1;
            }
            let rows = &self.rows;
            let id = rows.id_at(pos);
            self.by_id
                .insert_unique(rows.hash_id(&id), pos, |&p| rows.hash_id(&rows.id_at(p)));
            if let Some(k) = rows.key_at(pos) {
                self.by_key
                    .insert_unique(rows.hash_key(&k), pos, |&p| rows.hash_key_at(p));
            }
        }
    }
}

/// Which top-level members a `$filter` reads ([`Table::filter_names`]).
#[derive(Debug)]
pub(crate) enum FilterNames {
    /// Every member (a path without segments).
    All,
    /// These member ids.
    Some(Vec<u32>),
}

fn flatten_and<'e>(expr: &'e Expr, out: &mut Vec<&'e Expr>) {
    match expr {
        Expr::And(items) => items.iter().for_each(|i| flatten_and(i, out)),
        other => out.push(other),
    }
}

/// Everything one tenant holds.
#[derive(Debug, Default)]
pub(crate) struct TenantData {
    tables: HashMap<String, Table>,
    /// Attached files.
    pub(crate) files: Files,
    /// Last number handed out per auto-numbered key (`SalesOrder.OrderNbr`).
    pub(crate) counters: BTreeMap<String, u64>,
}

impl TenantData {
    pub(crate) fn table(&self, entity: &str) -> Option<&Table> {
        self.tables.get(entity)
    }

    pub(crate) fn table_or_new(&mut self, entity: &str, keys: &[String]) -> &mut Table {
        // Looked up before `entry`, which would allocate the name for every insert.
        if !self.tables.contains_key(entity) {
            self.tables
                .insert(entity.to_owned(), Table::new(keys.to_vec()));
        }
        self.tables
            .get_mut(entity)
            .expect("the table was just made")
    }

    /// The seeder is done: every table forgets what only the seeding needed.
    pub(crate) fn end_seeding(&mut self) {
        for t in self.tables.values_mut() {
            t.rows.codec.end_seeding();
        }
    }

    /// Room for `n` more records of an entity.
    pub(crate) fn reserve(&mut self, entity: &str, keys: &[String], n: usize) {
        self.table_or_new(entity, keys).reserve(n);
    }

    /// The entity of a top-level record, by id.
    pub(crate) fn entity_of(&self, id: Uuid) -> Option<&str> {
        self.tables
            .iter()
            .find(|(_, t)| t.contains(id))
            .map(|(name, _)| name.as_str())
    }

    /// A record by id, decoded.
    pub(crate) fn get(&self, entity: &str, id: Uuid) -> Option<Record> {
        self.tables.get(entity)?.get(id)
    }

    pub(crate) fn insert(
        &mut self,
        entity: &str,
        keys: &[String],
        record: Record,
    ) -> Result<Uuid, StoreError> {
        self.table_or_new(entity, keys).insert(entity, record)
    }

    /// Inserts a record built as [`Node`]s (the seeder's), with its id.
    pub(crate) fn insert_nodes(
        &mut self,
        entity: &str,
        keys: &[String],
        id: Uuid,
        members: &[(Cow<'_, str>, Node<'_>)],
    ) -> Result<Uuid, StoreError> {
        self.table_or_new(entity, keys)
            .insert_nodes(entity, id, members)
    }

    pub(crate) fn replace(
        &mut self,
        entity: &str,
        id: Uuid,
        record: Record,
    ) -> Result<(), StoreError> {
        match self.tables.get_mut(entity) {
            Some(t) => t.replace(entity, id, record),
            None => Err(StoreError::NotFound {
                entity: entity.to_owned(),
                id,
            }),
        }
    }

    pub(crate) fn remove(&mut self, entity: &str, id: Uuid) -> Option<Record> {
        let record = self.tables.get_mut(entity)?.remove(id)?;
        self.files.remove_owner(id);
        Some(record)
    }

    /// Whether a record is archived.
    pub(crate) fn is_archived(&self, id: Uuid) -> bool {
        self.tables.values().any(|t| t.is_archived(id))
    }

    /// Archives a record of an entity, or brings it back; `NotFound` if there is none.
    pub(crate) fn set_archived(
        &mut self,
        entity: &str,
        id: Uuid,
        archived: bool,
    ) -> Result<(), StoreError> {
        match self
            .tables
            .get_mut(entity)
            .map(|t| t.set_archived(id, archived))
        {
            Some(true) => Ok(()),
            _ => Err(StoreError::NotFound {
                entity: entity.to_owned(),
                id,
            }),
        }
    }

    /// Archives a record of whichever entity has it (ids no record has are ignored).
    pub(crate) fn archive_id(&mut self, id: Uuid) {
        for t in self.tables.values_mut() {
            if t.set_archived(id, true) {
                return;
            }
        }
    }

    /// The ids of every archived record, sorted.
    pub(crate) fn archived_ids(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self.tables.values().flat_map(Table::archived_ids).collect();
        ids.sort();
        ids
    }

    /// Every (entity, records in order), for persistence.
    pub(crate) fn tables(&self) -> impl Iterator<Item = (&String, &Table)> {
        self.tables.iter()
    }
}

/// Shared by every [`Store`] handle.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) model: Arc<Model>,
    /// Lower-case tenant name → (name as configured, data).
    pub(crate) tenants: BTreeMap<String, (String, RwLock<TenantData>)>,
    /// Set on every change, cleared by the persistence task.
    pub(crate) dirty: AtomicBool,
}

/// Reads a lock even if a panicking thread poisoned it: the data are plain maps, always valid.
pub(crate) fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

/// Writes a lock even if a panicking thread poisoned it.
pub(crate) fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub(crate) fn new(model: Arc<Model>, tenants: &[String]) -> Self {
        let tenants = tenants
            .iter()
            .map(|t| {
                (
                    t.to_lowercase(),
                    (t.clone(), RwLock::new(TenantData::default())),
                )
            })
            .collect();
        Shared {
            model,
            tenants,
            dirty: AtomicBool::new(false),
        }
    }

    pub(crate) fn tenant(&self, name: &str) -> Option<&RwLock<TenantData>> {
        self.tenants.get(&name.to_lowercase()).map(|(_, d)| d)
    }

    pub(crate) fn mark_dirty(&self) {
        self.dirty.store(true, Ordering::Relaxed);
    }
}

/// A handle on the emulator's records of one tenant (the first configured tenant unless
/// [`Store::tenant`] chose another), for test setup and inspection. Records are wire JSON:
/// `{"CustomerID": {"value": "C001"}, "MainContact": {"Email": {"value": ..}}, "Contacts": [..]}`.
///
/// Writes through this handle are not validated and not counted in the metrics.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) shared: Arc<Shared>,
    pub(crate) tenant: String,
}

impl Store {
    /// The same store, seen from another tenant.
    pub fn tenant(&self, name: &str) -> Result<Store, StoreError> {
        match self.shared.tenants.get(&name.to_lowercase()) {
            Some((configured, _)) => Ok(Store {
                shared: self.shared.clone(),
                tenant: configured.clone(),
            }),
            None => Err(StoreError::UnknownTenant(name.to_owned())),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&TenantData) -> R) -> R {
        match self.shared.tenant(&self.tenant) {
            Some(lock) => f(&read(lock)),
            None => f(&TenantData::default()),
        }
    }

    fn with_mut<R>(
        &self,
        f: impl FnOnce(&mut TenantData) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let lock = self
            .shared
            .tenant(&self.tenant)
            .ok_or_else(|| StoreError::UnknownTenant(self.tenant.clone()))?;
        let result = f(&mut write(lock));
        if result.is_ok() {
            self.shared.mark_dirty();
        }
        result
    }

    fn entity(&self, name: &str) -> Result<String, StoreError> {
        self.shared
            .model
            .canonical_entity(name)
            .ok_or_else(|| StoreError::UnknownEntity(name.to_owned()))
    }

    /// Inserts a record; it gets a new id unless it carries one. Returns the id.
    pub fn insert(&self, entity: &str, record: Value) -> Result<Uuid, StoreError> {
        let entity = self.entity(entity)?;
        let Value::Object(record) = record else {
            return Err(StoreError::NotAnObject);
        };
        let keys = self.shared.model.keys_of(&entity).to_vec();
        self.with_mut(|t| t.insert(&entity, &keys, record))
    }

    /// A record by id.
    pub fn get(&self, entity: &str, id: Uuid) -> Option<Value> {
        let entity = self.entity(entity).ok()?;
        self.with(|t| t.get(&entity, id).map(Value::Object))
    }

    /// A record by its key values, in key order (`["SO", "000001"]`).
    pub fn find(&self, entity: &str, keys: &[&str]) -> Option<Value> {
        let entity = self.entity(entity).ok()?;
        let keys: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
        self.with(|t| {
            let table = t.table(&entity)?;
            let id = table.find_by_keys(&keys)?;
            table.get(id).map(Value::Object)
        })
    }

    /// Replaces a record.
    pub fn update(&self, entity: &str, id: Uuid, record: Value) -> Result<(), StoreError> {
        let entity = self.entity(entity)?;
        let Value::Object(record) = record else {
            return Err(StoreError::NotAnObject);
        };
        self.with_mut(|t| t.replace(&entity, id, record))
    }

    /// Removes a record; whether it was there.
    pub fn remove(&self, entity: &str, id: Uuid) -> bool {
        let Ok(entity) = self.entity(entity) else {
            return false;
        };
        self.with_mut(|t| Ok(t.remove(&entity, id).is_some()))
            .unwrap_or(false)
    }

    /// Archives a record, as a tenant's data archiving does: reads leave it out unless they send
    /// `PX-ApiArchive: SHOW`; writes still reach it. `NotFound` if there is no such record.
    pub fn archive(&self, entity: &str, id: Uuid) -> Result<(), StoreError> {
        let entity = self.entity(entity)?;
        self.with_mut(|t| t.set_archived(&entity, id, true))
    }

    /// Brings an archived record back.
    pub fn unarchive(&self, entity: &str, id: Uuid) -> Result<(), StoreError> {
        let entity = self.entity(entity)?;
        self.with_mut(|t| t.set_archived(&entity, id, false))
    }

    /// Whether a record is archived.
    pub fn is_archived(&self, id: Uuid) -> bool {
        self.with(|t| t.is_archived(id))
    }

    /// How many records an entity has.
    pub fn count(&self, entity: &str) -> usize {
        let Ok(entity) = self.entity(entity) else {
            return 0;
        };
        self.with(|t| t.table(&entity).map_or(0, Table::len))
    }

    /// Every record of an entity, in insertion order.
    pub fn list(&self, entity: &str) -> Vec<Value> {
        let Ok(entity) = self.entity(entity) else {
            return Vec::new();
        };
        self.with(|t| {
            t.table(&entity)
                .map(|tb| tb.iter().map(Value::Object).collect())
                .unwrap_or_default()
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn rec(key: &str, n: u64) -> Record {
        serde_json::from_value(json!({ "K": { "value": key }, "N": { "value": n } })).unwrap()
    }

    /// Removing most records compacts the table; positions, ids, keys and archiving survive it,
    /// and a replaced key moves in the key index.
    #[test]
    fn compaction_keeps_order_and_indexes() {
        let mut t = Table::new(vec!["K".into()]);
        let ids: Vec<Uuid> = (0..5000)
            .map(|i| t.insert("E", rec(&format!("k{i}"), i)).unwrap())
            .collect();
        assert!(t.set_archived(ids[4001], true));
        for (i, id) in ids.iter().enumerate() {
            if i % 5 != 1 {
                assert!(t.remove(*id).is_some());
            }
        }
        assert_eq!(t.len(), 1000);
        assert!(
            t.rows.slots.len() < 5000,
            "compacted: {} slots",
            t.rows.slots.len()
        );
        let shown: Vec<u64> = t
            .positions(0, false)
            .map(|p| t.record(p)["N"]["value"].as_u64().unwrap())
            .take(3)
            .collect();
        assert_eq!(shown, [1, 6, 11]);
        let far: Vec<u64> = t
            .positions(799, false)
            .map(|p| t.record(p)["N"]["value"].as_u64().unwrap())
            .take(3)
            .collect();
        assert_eq!(far, [3996, 4006, 4011], "k4001 is archived");
        assert_eq!(
            t.positions(800, true).next().map(|p| t.id(p)),
            Some(ids[4001])
        );
        assert!(t.is_archived(ids[4001]));
        assert_eq!(t.find_by_keys(&["K6".into()]), Some(ids[6]));
        assert_eq!(t.find_by_keys(&["k7".into()]), None);
        t.replace("E", ids[6], rec("moved", 6)).unwrap();
        assert_eq!(t.find_by_keys(&["k6".into()]), None);
        assert_eq!(t.find_by_keys(&["MOVED".into()]), Some(ids[6]));
        assert!(matches!(
            t.insert("E", rec("moved ", 1)),
            Err(StoreError::DuplicateKey { .. })
        ));
        assert_eq!(t.get(ids[6]).unwrap()["id"], ids[6].to_string());
    }
}
