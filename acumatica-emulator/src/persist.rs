//! Optional persistence: the records, files and counters of every tenant in one JSON file.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Error;
use crate::files::FileEntry;
use crate::store::{self, Shared};

const FORMAT: &str = "acumatica-emulator/1";

#[derive(Serialize, Deserialize)]
struct File {
    format: String,
    tenants: BTreeMap<String, Tenant>,
}

#[derive(Serialize, Deserialize, Default)]
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
        data.archived = tenant.archived.into_iter().collect();
    }
    Ok(true)
}

/// Writes every tenant to the file (through a temporary file, so a crash leaves the old one).
pub(crate) fn save(shared: &Shared, path: &Path) -> Result<(), Error> {
    shared.dirty.store(false, Ordering::Relaxed);
    let mut file = File {
        format: FORMAT.into(),
        tenants: BTreeMap::new(),
    };
    for (name, lock) in shared.tenants.values() {
        let data = store::read(lock);
        let mut t = Tenant {
            counters: data.counters.clone(),
            ..Tenant::default()
        };
        for (entity, table) in data.tables() {
            t.entities.insert(
                entity.clone(),
                table.iter().cloned().map(Value::Object).collect(),
            );
        }
        t.files = data.files.all().cloned().collect();
        t.archived = data.archived.iter().copied().collect();
        t.archived.sort();
        file.tenants.insert(name.clone(), t);
    }
    let io = |action: &str, source| Error::Io {
        action: format!("{action} {}", path.display()),
        source,
    };
    let bytes =
        serde_json::to_vec(&file).map_err(|e| io("serializing", std::io::Error::other(e)))?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(|e| io("writing", e))?;
    std::fs::rename(&tmp, path).map_err(|e| io("replacing", e))
}
