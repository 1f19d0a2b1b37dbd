//! In-memory records per tenant and entity, in wire JSON, indexed by id and by key values.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::StoreError;
use crate::files::Files;
use crate::model::Model;

/// A stored record: wire JSON without `rowNumber` and `_links` (added when rendered).
pub(crate) type Record = Map<String, Value>;

/// The records of one top-level entity in one tenant.
#[derive(Debug, Default)]
pub(crate) struct Table {
    key_fields: Vec<String>,
    records: HashMap<Uuid, (u64, Value)>,
    order: BTreeMap<u64, Uuid>,
    next_seq: u64,
    by_key: HashMap<String, Uuid>,
}

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

impl Table {
    fn new(key_fields: Vec<String>) -> Self {
        Table {
            key_fields,
            ..Table::default()
        }
    }

    /// The key values of a record, if every key field has one.
    pub(crate) fn keys_of(&self, record: &Record) -> Option<Vec<String>> {
        if self.key_fields.is_empty() {
            return None;
        }
        self.key_fields
            .iter()
            .map(|k| value_text(record.get(k)).filter(|s| !s.trim().is_empty()))
            .collect()
    }

    pub(crate) fn get(&self, id: Uuid) -> Option<&Record> {
        self.records.get(&id).and_then(|(_, r)| r.as_object())
    }

    pub(crate) fn find_by_keys(&self, values: &[String]) -> Option<Uuid> {
        if values.len() != self.key_fields.len() || values.is_empty() {
            return None;
        }
        self.by_key.get(&normalize_key(values)).copied()
    }

    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// Records in insertion order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Record> {
        self.values().filter_map(Value::as_object)
    }

    /// Records in insertion order with their ids.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (Uuid, &Value)> {
        self.order
            .values()
            .filter_map(|id| self.records.get(id).map(|(_, r)| (*id, r)))
    }

    /// Records in insertion order, as JSON values (what `$filter` evaluates).
    pub(crate) fn values(&self) -> impl Iterator<Item = &Value> {
        self.order
            .values()
            .filter_map(|id| self.records.get(id).map(|(_, r)| r))
    }

    /// Inserts a record; it gets a new id unless it has one.
    fn insert(&mut self, entity: &str, mut record: Record) -> Result<Uuid, StoreError> {
        let id = record_id(&record).unwrap_or_else(Uuid::new_v4);
        record.insert("id".into(), Value::String(id.to_string()));
        let key = self.keys_of(&record).map(|k| normalize_key(&k));
        if key.as_ref().is_some_and(|k| self.by_key.contains_key(k)) {
            return Err(StoreError::DuplicateKey {
                entity: entity.to_owned(),
                keys: self.keys_of(&record).unwrap_or_default(),
            });
        }
        if self.records.contains_key(&id) {
            return Err(StoreError::DuplicateKey {
                entity: entity.to_owned(),
                keys: vec![id.to_string()],
            });
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        if let Some(k) = key {
            self.by_key.insert(k, id);
        }
        self.order.insert(seq, id);
        self.records.insert(id, (seq, Value::Object(record)));
        Ok(id)
    }

    /// Replaces a record, keeping its place in the order.
    fn replace(&mut self, entity: &str, id: Uuid, mut record: Record) -> Result<(), StoreError> {
        let Some((seq, old)) = self.records.get(&id) else {
            return Err(StoreError::NotFound {
                entity: entity.to_owned(),
                id,
            });
        };
        let seq = *seq;
        record.insert("id".into(), Value::String(id.to_string()));
        let old_key = old
            .as_object()
            .and_then(|o| self.keys_of(o))
            .map(|k| normalize_key(&k));
        let new_key = self.keys_of(&record).map(|k| normalize_key(&k));
        if new_key
            .as_ref()
            .and_then(|k| self.by_key.get(k))
            .is_some_and(|other| *other != id)
        {
            return Err(StoreError::DuplicateKey {
                entity: entity.to_owned(),
                keys: self.keys_of(&record).unwrap_or_default(),
            });
        }
        if let Some(k) = old_key {
            self.by_key.remove(&k);
        }
        if let Some(k) = new_key {
            self.by_key.insert(k, id);
        }
        self.records.insert(id, (seq, Value::Object(record)));
        Ok(())
    }

    fn remove(&mut self, id: Uuid) -> Option<Record> {
        let (seq, record) = self.records.remove(&id)?;
        self.order.remove(&seq);
        let Value::Object(record) = record else {
            return None;
        };
        if let Some(k) = self.keys_of(&record) {
            self.by_key.remove(&normalize_key(&k));
        }
        Some(record)
    }
}

/// Everything one tenant holds.
#[derive(Debug, Default)]
pub(crate) struct TenantData {
    tables: HashMap<String, Table>,
    /// Top-level record id → entity, for `files:put` links that carry only the id.
    ids: HashMap<Uuid, String>,
    /// Attached files.
    pub(crate) files: Files,
    /// Last number handed out per auto-numbered key (`SalesOrder.OrderNbr`).
    pub(crate) counters: BTreeMap<String, u64>,
    /// Ids of archived records: hidden from reads without `PX-ApiArchive: SHOW`.
    pub(crate) archived: HashSet<Uuid>,
}

impl TenantData {
    pub(crate) fn table(&self, entity: &str) -> Option<&Table> {
        self.tables.get(entity)
    }

    pub(crate) fn table_or_new(&mut self, entity: &str, keys: &[String]) -> &mut Table {
        self.tables
            .entry(entity.to_owned())
            .or_insert_with(|| Table::new(keys.to_vec()))
    }

    pub(crate) fn entity_of(&self, id: Uuid) -> Option<&str> {
        self.ids.get(&id).map(String::as_str)
    }

    pub(crate) fn get(&self, entity: &str, id: Uuid) -> Option<&Record> {
        self.tables.get(entity)?.get(id)
    }

    pub(crate) fn insert(
        &mut self,
        entity: &str,
        keys: &[String],
        record: Record,
    ) -> Result<Uuid, StoreError> {
        let id = self.table_or_new(entity, keys).insert(entity, record)?;
        self.ids.insert(id, entity.to_owned());
        Ok(id)
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
        self.ids.remove(&id);
        self.archived.remove(&id);
        self.files.remove_owner(id);
        Some(record)
    }

    /// Whether a record is archived.
    pub(crate) fn is_archived(&self, id: Uuid) -> bool {
        !self.archived.is_empty() && self.archived.contains(&id)
    }

    /// Archives a record of an entity, or brings it back; `NotFound` if there is none.
    pub(crate) fn set_archived(
        &mut self,
        entity: &str,
        id: Uuid,
        archived: bool,
    ) -> Result<(), StoreError> {
        if self.get(entity, id).is_none() {
            return Err(StoreError::NotFound {
                entity: entity.to_owned(),
                id,
            });
        }
        if archived {
            self.archived.insert(id);
        } else {
            self.archived.remove(&id);
        }
        Ok(())
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
        self.with(|t| t.get(&entity, id).cloned().map(Value::Object))
    }

    /// A record by its key values, in key order (`["SO", "000001"]`).
    pub fn find(&self, entity: &str, keys: &[&str]) -> Option<Value> {
        let entity = self.entity(entity).ok()?;
        let keys: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
        self.with(|t| {
            let table = t.table(&entity)?;
            let id = table.find_by_keys(&keys)?;
            table.get(id).cloned().map(Value::Object)
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
                .map(|tb| tb.iter().cloned().map(Value::Object).collect())
                .unwrap_or_default()
        })
    }
}
