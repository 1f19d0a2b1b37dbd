//! The generated module as a user's crate holds it: a binary with `#![deny(warnings)]`, the
//! modules private (`mod hub;`), one service of each called. It compiles clean for a small
//! schema (DeviceHub, 4 services) and a large one (Manufacturing, 53), and the user's own code
//! still gets its warnings.
//!
//! The crate lives in `<target>/codegen-user-crate/` and shares the target directory of
//! `shared_schemas_compile.rs` (`<target>/codegen-check/target`), so the dependencies build once.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use acumatica_codegen::output::write_module;
use acumatica_codegen::{RuntimeCrate, Settings, generate, read_schema_file};

fn workspace_root() -> PathBuf {
    common::crate_dir().parent().unwrap().to_owned()
}

fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return workspace_root().join(dir);
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.ancestors()
                .find(|d| d.join("CACHEDIR.TAG").is_file())
                .map(Path::to_path_buf)
        })
        .unwrap_or_else(|| workspace_root().join("target"))
}

fn write_if_changed(path: &Path, contents: &str) {
    if std::fs::read_to_string(path).ok().as_deref() == Some(contents) {
        return;
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

const MAIN: &str = r#"//! A user's binary: two generated modules, private, one service of each called.

#![deny(warnings)]

#[rustfmt::skip]
mod hub;
#[rustfmt::skip]
mod mfg;

use acumatica_sdk::query::QueryOptions;
use acumatica_sdk::{AcumaticaClient, Credentials};
use hub::DeviceHubEndpoint as _;
use mfg::ManufacturingEndpoint as _;

async fn count(client: &AcumaticaClient) -> acumatica_sdk::Result<usize> {
    let jobs: Vec<hub::PrintJobs> = client.print_jobs().get_list(QueryOptions::new()).await?;
    let boms = client.bills_of_material().get_list(QueryOptions::new().top(1)).await?;
    Ok(jobs.len() + boms.len())
}

fn main() {
    let client = AcumaticaClient::builder()
        .base_url("http://127.0.0.1:9")
        .credentials(Credentials::new("admin", "admin"))
        .build();
    if let Ok(client) = client {
        // Built, not run: this checks that the code compiles, not a tenant.
        drop(count(&client));
    }
    //USER CODE
}
"#;

fn check(dir: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO"))
        .args(["check", "--message-format=short"])
        .current_dir(dir)
        .env(
            "CARGO_TARGET_DIR",
            target_dir().join("codegen-check/target"),
        )
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .expect("running cargo check");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_private_module_in_a_deny_warnings_binary_compiles_clean() {
    let root = workspace_root();
    let dir = target_dir().join("codegen-user-crate");
    for (module, schema) in [
        ("hub", "DeviceHub_23.200.001.json"),
        ("mfg", "Manufacturing_24.200.001.json"),
    ] {
        let endpoint = read_schema_file(&root.join("schemas").join(schema)).unwrap();
        let settings = Settings {
            runtime: RuntimeCrate::External,
            source: schema.to_owned(),
            entity_features: false,
        };
        let files = generate(&endpoint, &settings).unwrap();
        write_module(&dir.join("src").join(module), &files).unwrap();
    }
    write_if_changed(
        &dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"user-crate\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nacumatica-sdk = {{ path = {:?} }}\n\n[workspace]\n\n\
             [profile.dev]\ndebug = \"line-tables-only\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n",
            root.join("acumatica-sdk").display().to_string()
        ),
    );
    if let Ok(lock) = std::fs::read_to_string(root.join("Cargo.lock")) {
        write_if_changed(&dir.join("Cargo.lock"), &lock);
    }
    let main = dir.join("src/main.rs");
    write_if_changed(&main, MAIN);
    let (ok, stderr) = check(&dir);
    assert!(
        ok,
        "the user's crate in {} does not compile clean:\n{stderr}",
        dir.display()
    );

    // The allowances are the generated module's only: the user's own code keeps its warnings.
    write_if_changed(&main, &MAIN.replace("//USER CODE", "let unused = 1;"));
    let (ok, stderr) = check(&dir);
    write_if_changed(&main, MAIN);
    assert!(
        !ok,
        "an unused variable in the user's main.rs must fail #![deny(warnings)]"
    );
    assert!(
        stderr.contains("src/main.rs") && stderr.contains("unused variable"),
        "{stderr}"
    );
}

const DEFAULT_MAIN: &str = r#"//! A user's binary with a module generated for its own Default endpoint (another version, or an
//! extension of Default: the same entity and method names as the SDK's built-in module), used
//! beside the SDK's prelude, with the SDK's default features (the built-in module compiled).

#![deny(warnings)]

#[rustfmt::skip]
mod acumatica;

use acumatica::*;
use acumatica_sdk::prelude::*;
//BUILT-IN

async fn big(client: &AcumaticaClient) -> acumatica_sdk::Result<Vec<acumatica::Customer>> {
    let f = Customer::filter();
    client
        .customers()
        .get_list(QueryOptions::new().filter(f.credit_limit().gt(dec!(1000))).top(10))
        .await
}

fn main() {
    let client = AcumaticaClient::builder()
        .base_url("http://127.0.0.1:9")
        .credentials(Credentials::new("admin", "admin"))
        .build();
    if let Ok(client) = client {
        // Built, not run: this checks that the code compiles, not a tenant.
        drop(big(&client));
    }
}
"#;

/// The design this checks: the SDK's prelude holds no endpoint (neither the built-in
/// `DefaultEndpoint` trait nor the built-in entity types), so a user's own Default module
/// is the only one in scope, even with globs of both. Importing the built-in trait as well
/// makes `client.customers()` ambiguous again (E0034), which shows what the prelude avoids.
#[test]
fn a_user_generated_default_module_works_beside_the_prelude() {
    let root = workspace_root();
    let dir = target_dir().join("codegen-user-default");
    let schema = "Default_23.200.001.json";
    let mut endpoint = read_schema_file(&root.join("schemas").join(schema)).unwrap();
    // A subset keeps the build short; the names are those of the full module.
    let missing = endpoint.retain_reachable(&["Customer".to_owned()]);
    assert!(missing.is_empty(), "{missing:?}");
    let settings = Settings {
        runtime: RuntimeCrate::External,
        source: schema.to_owned(),
        entity_features: false,
    };
    let files = generate(&endpoint, &settings).unwrap();
    write_module(&dir.join("src/acumatica"), &files).unwrap();
    assert!(
        files
            .iter()
            .any(|f| f.contents.contains("pub trait DefaultEndpoint")),
        "the user's module has its own `DefaultEndpoint` trait"
    );
    write_if_changed(
        &dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"user-default\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nacumatica-sdk = {{ path = {:?} }}\n\n[workspace]\n\n\
             [profile.dev]\ndebug = \"line-tables-only\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n",
            root.join("acumatica-sdk").display().to_string()
        ),
    );
    if let Ok(lock) = std::fs::read_to_string(root.join("Cargo.lock")) {
        write_if_changed(&dir.join("Cargo.lock"), &lock);
    }
    let main = dir.join("src/main.rs");
    write_if_changed(&main, DEFAULT_MAIN);
    let (ok, stderr) = check(&dir);
    assert!(
        ok,
        "the user's Default module beside the prelude does not compile clean in {}:\n{stderr}",
        dir.display()
    );

    // With the built-in trait in scope too, the call is ambiguous: the prelude must not bring it.
    write_if_changed(
        &main,
        &DEFAULT_MAIN.replace(
            "//BUILT-IN",
            "use acumatica_sdk::default::DefaultEndpoint as _;",
        ),
    );
    let (ok, stderr) = check(&dir);
    write_if_changed(&main, DEFAULT_MAIN);
    assert!(
        !ok && stderr.contains("E0034"),
        "both endpoint traits in scope must make `client.customers()` ambiguous:\n{stderr}"
    );
}
