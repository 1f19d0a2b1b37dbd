//! Optional persistence: the records, files and counters of every tenant in one JSON file.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::Ordering;

use std::io::Write as _;
use std::sync::RwLockReadGuard;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Error;
use crate::files::FileEntry;
use crate::store::{self, Shared, Table, TenantData};

const FORMAT: &str = "acumatica-emulator/1";

#[derive(Deserialize)]
struct File {
    format: String,
    tenants: BTreeMap<String, Tenant>,
}

#[derive(Deserialize, Default)]
struct Tenant {
    entities: BTreeMap<String, Vec<Value>>,
    files: Vec<FileEntry>,
    counters: BTreeMap<String, u64>,
    /// Ids of archived records (absent when there are none, so older files read the same).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    archived: Vec<uuid::Uuid>,
}

/// Loads the file into the store; `false` when it does not exist (the caller seeds instead).
pub(crate) fn load(shared: &Shared, path: &Path) -> Result<bool, Error> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(source) => {
            return Err(Error::Io {
                action: format!("reading {}", path.display()),
                source,
            });
        }
    };
    let bad = |message: String| Error::Persistence {
        path: path.display().to_string(),
        message,
    };
    let file: File = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
    if file.format != FORMAT {
        return Err(bad(format!(
            "format {:?}, expected {FORMAT:?}",
            file.format
        )));
    }
    for (name, tenant) in file.tenants {
        let Some(lock) = shared.tenant(&name) else {
            continue;
        };
        let mut data = store::write(lock);
        for (entity, records) in tenant.entities {
            let Some(entity) = shared.model.canonical_entity(&entity) else {
                continue;
            };
            let keys = shared.model.keys_of(&entity).to_vec();
            data.reserve(&entity, &keys, records.len());
            for record in records {
                if let Value::Object(r) = record {
                    data.insert(&entity, &keys, r)
                        .map_err(|e| bad(e.to_string()))?;
                }
            }
        }
        for f in tenant.files {
            data.files.restore(f);
        }
        data.counters = tenant.counters;
        for id in tenant.archived {
            data.archive_id(id);
        }
    }
    Ok(true)
}

/// A table's records as a JSON array, decoded one at a time as they are written: saving a
/// large tenant never holds more than one record in wire JSON.
struct Records<'a>(&'a Table);

impl Serialize for Records<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter())
    }
}

/// [`Tenant`] as it is written, borrowing the store.
#[derive(Serialize)]
struct SavedTenant<'a> {
    entities: BTreeMap<&'a str, Records<'a>>,
    files: Vec<&'a FileEntry>,
    counters: &'a BTreeMap<String, u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    archived: Vec<uuid::Uuid>,
}

/// [`File`] as it is written.
#[derive(Serialize)]
struct SavedFile<'a> {
    format: &'a str,
    tenants: BTreeMap<&'a str, SavedTenant<'a>>,
}

/// Writes every tenant to the file (through a temporary file, so a crash leaves the old one),
/// record by record.
pub(crate) fn save(shared: &Shared, path: &Path) -> Result<(), Error> {
    shared.dirty.store(false, Ordering::Relaxed);
    let io = |action: &str, source| Error::Io {
        action: format!("{action} {}", path.display()),
        source,
    };
    let guards: Vec<(&String, RwLockReadGuard<'_, TenantData>)> = shared
        .tenants
        .values()
        .map(|(name, lock)| (name, store::read(lock)))
        .collect();
    let mut file = SavedFile {
        format: FORMAT,
        tenants: BTreeMap::new(),
    };
    for (name, data) in &guards {
        let t = SavedTenant {
            entities: data
                .tables()
                .map(|(entity, table)| (entity.as_str(), Records(table)))
                .collect(),
            files: data.files.all().collect(),
            counters: &data.counters,
            archived: data.archived_ids(),
        };
        file.tenants.insert(name.as_str(), t);
    }
    let tmp = path.with_extension("tmp");
    let out = std::fs::File::create(&tmp).map_err(|e| io("writing", e))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
    serde_json::to_writer(&mut out, &file)
        .map_err(|e| io("serializing", std::io::Error::other(e)))?;
    out.flush().map_err(|e| io("writing", e))?;
    drop(out);
    drop(file);
    drop(guards);
    std::fs::rename(&tmp, path).map_err(|e| io("replacing", e))
}
