//! Writing into a directory that is not the generator's alone: the manifest decides what is
//! replaced and removed, a user's files are never touched, and a directory of unknown files is
//! refused.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use acumatica_codegen::output::{MANIFEST, check_module, read_manifest, write_module};
use acumatica_codegen::{Error, generate};
use common::{generate_fixture, read_fixture, settings};

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_owned(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

/// A user's files: a `main.rs`, a module of theirs, and a file inside `entities/`.
fn user_files() -> [(&'static str, &'static [u8]); 4] {
    [
        ("main.rs", b"fn main() {}\n"),
        ("lib.rs", b"//! mine\n"),
        ("notes/readme.txt", b"not generated\r\n\xff bytes"),
        ("entities/my_extra.rs", b"// mine too\n"),
    ]
}

fn put_user_files(dir: &Path) {
    for (path, bytes) in user_files() {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
}

fn assert_user_files_intact(dir: &Path) {
    for (path, bytes) in user_files() {
        assert_eq!(std::fs::read(dir.join(path)).unwrap(), bytes, "{path}");
    }
}

#[test]
fn a_directory_of_unknown_files_is_refused_and_left_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("app/src");
    put_user_files(&src);
    let before = snapshot(&src);
    let err = write_module(&src, &generate_fixture("tiny_openapi3")).unwrap_err();
    assert!(matches!(err, Error::NotGenerated { .. }), "{err:?}");
    let message = err.to_string();
    for needle in [
        "refusing to write into",
        "main.rs",
        MANIFEST,
        "src/acumatica",
    ] {
        assert!(message.contains(needle), "{needle:?} not in {message}");
    }
    assert_eq!(snapshot(&src), before, "nothing may change");
}

#[test]
fn regenerating_leaves_a_users_files_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("src");
    let files = generate_fixture("tiny_openapi3");
    let report = write_module(&dir, &files).unwrap();
    assert_eq!(
        (report.files, report.written, report.removed),
        (files.len(), files.len(), 0)
    );
    put_user_files(&dir);
    assert!(
        check_module(&dir, &files).unwrap().is_empty(),
        "a user's files are not differences"
    );

    // A generated file edited by hand is put back; the user's files stay.
    let edited = dir.join(&files[0].path);
    std::fs::write(&edited, "// edited\n").unwrap();
    assert_eq!(check_module(&dir, &files).unwrap(), [files[0].path.clone()]);
    let report = write_module(&dir, &files).unwrap();
    assert_eq!(
        (report.written, report.removed),
        (1, 0),
        "only the changed file is written"
    );
    assert_user_files_intact(&dir);
    for f in &files {
        assert_eq!(
            std::fs::read_to_string(dir.join(&f.path)).unwrap(),
            f.contents
        );
    }
    let manifest = read_manifest(&dir).unwrap().unwrap();
    let generated: BTreeSet<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    assert_eq!(manifest, generated);
    // No temporary file is left behind.
    assert!(
        snapshot(&dir)
            .keys()
            .all(|p| !p.to_string_lossy().contains(".tmp-")),
        "{:?}",
        snapshot(&dir).keys()
    );
}

#[test]
fn an_entity_that_disappears_takes_just_its_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("acumatica");
    let all = generate_fixture("tiny_openapi3");
    write_module(&dir, &all).unwrap();
    put_user_files(&dir);

    let mut fewer = read_fixture("tiny_openapi3");
    assert!(fewer.retain_reachable(&["Customer".to_owned()]).is_empty());
    let some = generate(&fewer, &settings("tiny_openapi3")).unwrap();
    let kept: BTreeSet<PathBuf> = some.iter().map(|f| f.path.clone()).collect();
    let gone: BTreeSet<PathBuf> = all
        .iter()
        .map(|f| f.path.clone())
        .filter(|p| !kept.contains(p))
        .collect();
    assert!(!gone.is_empty() && gone.len() < all.len(), "{gone:?}");

    let stale = check_module(&dir, &some).unwrap();
    for p in &gone {
        assert!(
            stale.contains(p),
            "{} not reported stale in {stale:?}",
            p.display()
        );
    }
    let before = snapshot(&dir);
    let report = write_module(&dir, &some).unwrap();
    assert_eq!(report.removed, gone.len());
    let after = snapshot(&dir);
    let removed: BTreeSet<PathBuf> = before
        .keys()
        .filter(|p| !after.contains_key(*p))
        .cloned()
        .collect();
    assert_eq!(removed, gone, "exactly the disappeared entities' files go");
    assert_user_files_intact(&dir);
    assert!(check_module(&dir, &some).unwrap().is_empty());
}

#[test]
fn a_manifest_pointing_outside_its_directory_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("precious.rs");
    std::fs::write(&outside, "keep me").unwrap();
    let dir = tmp.path().join("gen");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(MANIFEST),
        "generator acumatica-codegen 0.0.0\nfile ../precious.rs\n",
    )
    .unwrap();
    let err = write_module(&dir, &generate_fixture("tiny_swagger2")).unwrap_err();
    assert!(matches!(err, Error::Manifest { line: 2, .. }), "{err:?}");
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep me");
}

#[test]
fn an_empty_or_missing_directory_is_fine() {
    let tmp = tempfile::tempdir().unwrap();
    let files = generate_fixture("tiny_swagger2");
    write_module(tmp.path(), &files).unwrap();
    write_module(&tmp.path().join("a/b/c"), &files).unwrap();
    assert!(
        check_module(&tmp.path().join("a/b/c"), &files)
            .unwrap()
            .is_empty()
    );
    // A directory never generated into: everything differs, the manifest included.
    let empty = tempfile::tempdir().unwrap();
    let differ = check_module(empty.path(), &files).unwrap();
    assert_eq!(differ.len(), files.len() + 1);
}

/// Adding an entity whose name differs only in case (`CUSTOMER` beside `Customer`) leaves every
/// existing file, type, service and accessor name as it was, and warns naming both.
#[test]
fn a_case_twin_renames_nothing() {
    let mut doc: serde_json::Value =
        serde_json::from_slice(&common::fixture_bytes("tiny_openapi3")).unwrap();
    let schemas = doc["components"]["schemas"].as_object_mut().unwrap();
    let customer = schemas["Customer"].clone();
    schemas.insert("CUSTOMER".into(), customer);
    let paths = doc["paths"].as_object_mut().unwrap();
    let twin: Vec<(String, serde_json::Value)> = paths
        .iter()
        .filter(|(p, _)| *p == "/Customer" || p.starts_with("/Customer/{"))
        .map(|(p, v)| {
            let text = v.to_string().replace(
                "#/components/schemas/Customer\"",
                "#/components/schemas/CUSTOMER\"",
            );
            (
                p.replacen("/Customer", "/CUSTOMER", 1),
                serde_json::from_str(&text).unwrap(),
            )
        })
        .collect();
    assert!(!twin.is_empty());
    paths.extend(twin);

    let before = generate_fixture("tiny_openapi3");
    let twinned = common::read_fixture_from("tiny_openapi3", &serde_json::to_vec(&doc).unwrap());
    assert!(twinned.entity("CUSTOMER").unwrap().top_level.is_some());
    let after = generate(&twinned, &settings("tiny_openapi3")).unwrap();
    let paths_after: BTreeSet<&PathBuf> = after.iter().map(|f| &f.path).collect();
    for f in &before {
        assert!(
            paths_after.contains(&f.path),
            "{} was renamed",
            f.path.display()
        );
    }
    let root = |files: &[acumatica_codegen::GeneratedFile]| {
        files
            .iter()
            .find(|f| f.path == Path::new("mod.rs"))
            .unwrap()
            .contents
            .clone()
    };
    let (old_root, new_root) = (root(&before), root(&after));
    let accessors = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.trim_start().starts_with("fn ") && l.contains("(&self) ->"))
            .map(|l| l.trim().to_owned())
            .collect()
    };
    for decl in accessors(&old_root) {
        assert!(
            new_root.contains(&decl),
            "accessor changed: {decl}\n{new_root}"
        );
    }
    assert!(
        new_root.contains("fn customers(&self) -> CustomerService;"),
        "{new_root}"
    );
    let warnings = acumatica_codegen::naming_warnings(&twinned);
    assert!(
        warnings
            .iter()
            .any(|w| w.message.contains("`Customer` and `CUSTOMER`")
                && w.message.contains("client accessor")),
        "{warnings:#?}"
    );
}

/// A 5,000-character entity name gets a short, deterministic file name.
#[test]
fn very_long_names_get_short_file_names() {
    let mut doc: serde_json::Value =
        serde_json::from_slice(&common::fixture_bytes("tiny_swagger2")).unwrap();
    let long = "A".repeat(2500) + &"b".repeat(2500);
    let defs = doc["definitions"].as_object_mut().unwrap();
    let contact = defs["Contact"].clone();
    defs.insert(long.clone(), contact);
    let ep = common::read_fixture_from("tiny_swagger2", &serde_json::to_vec(&doc).unwrap());
    assert!(ep.entity(&long).is_some());
    let files = generate(&ep, &settings("tiny_swagger2")).unwrap();
    assert!(
        files.iter().all(|f| f.path.to_string_lossy().len() < 100),
        "a long path"
    );
    assert_eq!(files, generate(&ep, &settings("tiny_swagger2")).unwrap());
    let tmp = tempfile::tempdir().unwrap();
    write_module(&tmp.path().join("m"), &files).unwrap();
}
