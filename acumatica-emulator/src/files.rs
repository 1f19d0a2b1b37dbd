//! Files attached to records and detail lines.

use std::collections::HashMap;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One attached file (its latest version).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FileEntry {
    pub(crate) id: Uuid,
    /// The record or detail line the file is attached to.
    pub(crate) owner: Uuid,
    /// The name it was uploaded under.
    pub(crate) name: String,
    #[serde(with = "b64")]
    pub(crate) bytes: Bytes,
    pub(crate) comment: Option<String>,
}

/// Every file of a tenant.
#[derive(Debug, Default)]
pub(crate) struct Files {
    entries: HashMap<Uuid, FileEntry>,
    by_owner: HashMap<Uuid, Vec<Uuid>>,
}

impl Files {
    /// Attaches a file; a file of the same name on the same owner becomes a new version, keeping
    /// its id. A version uploaded without a comment clears the comment (D-PUTFILE).
    pub(crate) fn put(
        &mut self,
        owner: Uuid,
        name: &str,
        bytes: Bytes,
        comment: Option<String>,
    ) -> Uuid {
        let ids = self.by_owner.entry(owner).or_default();
        if let Some(id) = ids
            .iter()
            .find(|id| self.entries.get(id).is_some_and(|e| e.name == name))
            && let Some(entry) = self.entries.get_mut(id)
        {
            entry.bytes = bytes;
            entry.comment = comment;
            return entry.id;
        }
        let id = Uuid::new_v4();
        ids.push(id);
        self.entries.insert(
            id,
            FileEntry {
                id,
                owner,
                name: name.to_owned(),
                bytes,
                comment,
            },
        );
        id
    }

    pub(crate) fn get(&self, id: Uuid) -> Option<&FileEntry> {
        self.entries.get(&id)
    }

    /// The files of a record or line, in upload order.
    pub(crate) fn of(&self, owner: Uuid) -> impl Iterator<Item = &FileEntry> {
        self.by_owner
            .get(&owner)
            .into_iter()
            .flatten()
            .filter_map(|id| self.entries.get(id))
    }

    pub(crate) fn remove_owner(&mut self, owner: Uuid) {
        for id in self.by_owner.remove(&owner).unwrap_or_default() {
            self.entries.remove(&id);
        }
    }

    pub(crate) fn all(&self) -> impl Iterator<Item = &FileEntry> {
        self.entries.values()
    }

    pub(crate) fn restore(&mut self, entry: FileEntry) {
        self.by_owner.entry(entry.owner).or_default().push(entry.id);
        self.entries.insert(entry.id, entry);
    }
}

mod b64 {
    use base64::Engine as _;
    use bytes::Bytes;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bytes: &Bytes, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map(Bytes::from)
            .map_err(serde::de::Error::custom)
    }
}
