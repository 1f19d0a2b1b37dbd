//! Actions and the standard operations of a top-level entity.

use std::collections::BTreeMap;

use super::Field;

/// A named action of a top-level entity: `POST /{Entity}/{Action}` with `{entity, parameters}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// Action name as it appears in the URL (`ReleaseFromHold`).
    pub name: String,
    /// Name of the invocation schema (`{entity, parameters}`), usually equal to `name`.
    pub schema: String,
    /// JSON pointer of the invocation schema.
    pub pointer: String,
    /// Typed parameters by wire name (empty when the action takes none).
    pub parameters: BTreeMap<String, Field>,
    /// Whether the parameters also accept custom fields (`parameters.custom`).
    pub custom_parameters: bool,
}

/// The standard operations Acumatica declares for a top-level entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operation {
    /// `GET /{Entity}`
    GetList,
    /// `PUT /{Entity}`
    PutEntity,
    /// `GET /{Entity}/{id}`
    GetById,
    /// `GET /{Entity}/{ids}`
    GetByKeys,
    /// `DELETE /{Entity}/{id}`
    DeleteById,
    /// `DELETE /{Entity}/{ids}`
    DeleteByKeys,
    /// `PUT /{Entity}/{ids}/files/{filename}`
    PutFile,
    /// `GET /{Entity}/$adHocSchema`
    GetAdHocSchema,
}

impl Operation {
    /// Every standard operation.
    pub const ALL: [Operation; 8] = [
        Operation::GetList,
        Operation::PutEntity,
        Operation::GetById,
        Operation::GetByKeys,
        Operation::DeleteById,
        Operation::DeleteByKeys,
        Operation::PutFile,
        Operation::GetAdHocSchema,
    ];
}
