//! Helpers shared by the integration tests: the fixtures, and checks on generated text.

#![allow(dead_code)] // each test file uses a different part

use std::path::{Path, PathBuf};

use acumatica_codegen::ir::Endpoint;
use acumatica_codegen::load::xml::read_endpoint_xml_file;
use acumatica_codegen::{GeneratedFile, RuntimeCrate, Settings, generate, read_schema};

/// The fixtures written for the tests.
pub const FIXTURES: [&str; 2] = ["tiny_openapi3", "tiny_swagger2"];

/// `acumatica-codegen/` (the tests' working directory too).
pub fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture_path(file: &str) -> PathBuf {
    crate_dir().join("tests/fixtures").join(file)
}

pub fn fixture_bytes(stem: &str) -> Vec<u8> {
    let path = fixture_path(&format!("{stem}.json"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Reads a fixture, with its endpoint XML when there is one.
pub fn read_fixture(stem: &str) -> Endpoint {
    read_fixture_from(stem, &fixture_bytes(stem))
}

/// Reads `bytes` as the fixture `stem` (with the fixture's endpoint XML, if any).
pub fn read_fixture_from(stem: &str, bytes: &[u8]) -> Endpoint {
    let mut endpoint = read_schema(bytes, stem).unwrap_or_else(|e| panic!("{stem}: {e}"));
    let xml = fixture_path(&format!("{stem}.endpoint.xml"));
    if xml.exists() {
        read_endpoint_xml_file(&xml).unwrap().apply(&mut endpoint);
    }
    endpoint
}

/// The settings snapshots are generated with: a user's crate, and a source path that is the same
/// on every machine.
pub fn settings(stem: &str) -> Settings {
    Settings {
        runtime: RuntimeCrate::External,
        source: format!("{stem}.json"),
        entity_features: false,
    }
}

/// Generates `roots` of a fixture (and what they reference) with the saved `$adHocSchema`
/// answers in `fixtures/<stem>.adhoc/`; also returns the answers' warnings, one per line, with
/// the directory left out so that the text is the same on every machine. (The schema's own
/// warnings are in its snapshot already.)
pub fn generate_fixture_with_ad_hoc(stem: &str, roots: &[&str]) -> (Vec<GeneratedFile>, String) {
    let mut endpoint = read_fixture(stem);
    let roots: Vec<String> = roots.iter().map(|r| (*r).to_owned()).collect();
    assert!(endpoint.retain_reachable(&roots).is_empty(), "{roots:?}");
    let dir = fixture_path(&format!("{stem}.adhoc"));
    let mut ad_hoc = acumatica_codegen::load::ad_hoc::AdHoc::default();
    ad_hoc.read_dir(&endpoint, &dir).unwrap();
    let prefix = format!("{}/", dir.display());
    let warnings = ad_hoc
        .warnings
        .iter()
        .map(|w| format!("{}\n", w.to_string().replace(&prefix, "")))
        .collect();
    ad_hoc.apply(&mut endpoint);
    let files = generate(&endpoint, &settings(stem)).unwrap_or_else(|e| panic!("{stem}: {e}"));
    (files, warnings)
}

pub fn generate_fixture(stem: &str) -> Vec<GeneratedFile> {
    generate(&read_fixture(stem), &settings(stem)).unwrap_or_else(|e| panic!("{stem}: {e}"))
}

/// Characters that must never reach generated source as themselves: a bare carriage return
/// (rejected in doc comments) and the Unicode direction controls of "Trojan Source" (rejected in
/// comments and literals by `text_direction_codepoint_*`, and able to make code read unlike what
/// it does).
pub fn forbidden_char(c: char) -> bool {
    matches!(c, '\r' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
        || (c.is_control() && c != '\n')
}

/// Problems in one generated file's text that the compiler alone would not catch: characters
/// that must be escaped, and Markdown code blocks in doc comments (rustdoc runs those as tests,
/// so a schema name could put code into `cargo test`).
pub fn text_problems(file: &GeneratedFile) -> Vec<String> {
    let mut problems = Vec::new();
    let path = file.path.display();
    for (n, line) in file.contents.split('\n').enumerate() {
        let n = n + 1;
        if let Some(c) = line.chars().find(|c| forbidden_char(*c)) {
            problems.push(format!("{path}:{n}: unescaped {c:?}: {line:?}"));
        }
        let trimmed = line.trim_start();
        let doc = trimmed
            .strip_prefix("///")
            .or_else(|| trimmed.strip_prefix("//!"));
        if let Some(doc) = doc {
            // `/// text`: the space after the marker belongs to the marker.
            let text = doc.strip_prefix(' ').unwrap_or(doc);
            if text.contains("```") || text.contains("~~~") {
                problems.push(format!("{path}:{n}: code fence in a doc comment: {line:?}"));
            }
            if text.contains("    ") || text.starts_with(' ') {
                problems.push(format!(
                    "{path}:{n}: indentation that Markdown reads as code: {line:?}"
                ));
            }
        }
    }
    problems
}

/// Every identifier in a file's tokens (doc comments and string literals are literals, not
/// identifiers, so a name that only appears there is inert).
pub fn identifiers(source: &str) -> Vec<String> {
    fn walk(tokens: proc_macro2::TokenStream, out: &mut Vec<String>) {
        for t in tokens {
            match t {
                proc_macro2::TokenTree::Ident(i) => out.push(i.to_string()),
                proc_macro2::TokenTree::Group(g) => walk(g.stream(), out),
                _ => {}
            }
        }
    }
    syn::parse_file(source).expect("generated file parses as Rust");
    let tokens: proc_macro2::TokenStream = source.parse().expect("generated file lexes");
    let mut out = Vec::new();
    walk(tokens, &mut out);
    out
}

/// The module (file stem) generated for entity `name`: the file whose first doc line names it.
pub fn module_of(files: &[GeneratedFile], name: &str) -> String {
    let header = format!("//! `{name}`");
    let file = files
        .iter()
        .find(|f| {
            f.path.starts_with("entities")
                && f.contents.lines().next().is_some_and(|l| {
                    l == header
                        || l.starts_with(&format!("{header}:"))
                        || l.starts_with(&format!("{header}."))
                })
        })
        .unwrap_or_else(|| panic!("no entity file for {name}"));
    file.path
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}
