//! Generates the typed module of the tenant's endpoint from its schema into `OUT_DIR`, as one
//! file that `src/lib.rs` `include!`s. Cargo reruns this only when the schema changes.

use std::path::{Path, PathBuf};

fn main() {
    // A small published schema (DeviceHub: 4 services, 6 entity types), committed in the
    // repository. Your crate keeps its own tenant's schema beside its Cargo.toml.
    let schema = Path::new("../../schemas/DeviceHub_23.200.001.json");
    println!("cargo::rerun-if-changed={}", schema.display());

    let endpoint = acumatica_codegen::read_schema_file(schema)
        .unwrap_or_else(|e| panic!("reading {}: {e}", schema.display()));
    for warning in &endpoint.warnings {
        println!("cargo::warning={}: {}", warning.pointer, warning.message);
    }
    // The label, not the path, goes into the header: the output depends on the schema only.
    let settings = acumatica_codegen::Settings::external(acumatica_codegen::source_label(schema));
    let code = acumatica_codegen::generate_single_file(&endpoint, &settings)
        .unwrap_or_else(|e| panic!("generating from {}: {e}", schema.display()));

    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("device_hub.rs"), code).expect("writing the generated module");
}
