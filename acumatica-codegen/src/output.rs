//! Generated files: formatting with prettyplease, and writing or checking a module directory
//! that may sit among a user's own files.
//!
//! The directory holds a manifest, [`MANIFEST`], naming the generator and every file it wrote.
//! Only the files it names are ever replaced or removed; a non-empty directory without one is
//! refused, because the generator cannot tell its files from the user's.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use proc_macro2::TokenStream;
use quote::quote;

use crate::error::{Error, Result};

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the module directory (`entities/customer.rs`).
    pub path: PathBuf,
    /// Formatted Rust source.
    pub contents: String,
}

/// Parses the tokens as a file and formats them; a parse failure is the generator's bug,
/// reported as an error naming the file.
pub(crate) fn format_file(path: &str, header: &str, body: TokenStream) -> Result<GeneratedFile> {
    let header = crate::emit::inner_doc(header);
    let tokens = quote!(#header #body);
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error::Emit {
        file: path.to_owned(),
        message: e.to_string(),
    })?;
    Ok(GeneratedFile {
        path: PathBuf::from(path),
        contents: prettyplease::unparse(&file),
    })
}

/// The manifest's file name, in the output directory.
pub const MANIFEST: &str = crate::error::MANIFEST;

/// The generator named in manifests.
const GENERATOR: &str = concat!("acumatica-codegen ", env!("CARGO_PKG_VERSION"));

/// The manifest's text for `paths`: a comment, the generator, then one `file` line per path.
pub fn manifest_text<'a>(paths: impl IntoIterator<Item = &'a Path>) -> String {
    let mut sorted: Vec<String> = paths
        .into_iter()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    sorted.sort();
    sorted.dedup();
    let mut out = String::from(
        "# The files acumatica-codegen generated in this directory. It replaces or removes only\n\
         # these; every other file here is left alone. Do not edit by hand.\n",
    );
    out.push_str(&format!("generator {GENERATOR}\n"));
    for p in sorted {
        out.push_str(&format!("file {p}\n"));
    }
    out
}

/// Whether `path` stays inside the directory it is relative to: only plain components, no
/// `..`, no root. A manifest naming anything else is refused, so that a tampered manifest
/// cannot make the generator delete a file outside its directory.
fn is_inside(path: &Path) -> bool {
    !path.as_os_str().is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)))
}

/// Reads the manifest of `dir`: `None` when there is none.
pub fn read_manifest(dir: &Path) -> Result<Option<BTreeSet<PathBuf>>> {
    let path = dir.join(MANIFEST);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Io {
                action: "reading",
                path,
                source,
            });
        }
    };
    let mut files = BTreeSet::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') || line.starts_with("generator ") {
            continue;
        }
        let bad = |message: &str| Error::Manifest {
            path: path.clone(),
            line: n + 1,
            message: message.to_owned(),
        };
        let Some(file) = line.strip_prefix("file ") else {
            return Err(bad(
                "expected `file <path>`, `generator <name>` or a `#` comment",
            ));
        };
        let file = PathBuf::from(file);
        if !is_inside(&file) || file == Path::new(MANIFEST) {
            return Err(bad(
                "the path must be relative and stay inside the directory",
            ));
        }
        files.insert(file);
    }
    Ok(Some(files))
}

/// What [`write_module`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Generated files (written or already up to date).
    pub files: usize,
    /// Files whose contents changed (or that are new).
    pub written: usize,
    /// Files of an earlier generation that are not generated any more, removed.
    pub removed: usize,
    /// Lines generated.
    pub lines: usize,
    /// Bytes generated.
    pub bytes: usize,
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Error + use<> {
    let path = path.to_owned();
    move |source| Error::Io {
        action,
        path,
        source,
    }
}

/// Writes `contents` to `path` atomically: a temporary file beside it, then a rename.
fn write_atomic(path: &Path, contents: &str) -> Result<()> {
    let tmp = temp_path(path);
    std::fs::write(&tmp, contents).map_err(io("writing", &tmp))?;
    std::fs::rename(&tmp, path).map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        Error::Io {
            action: "replacing",
            path: path.to_owned(),
            source,
        }
    })
}

/// `dir/.name.tmp-<pid>`: a sibling, so the final rename stays on one file system.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// The entries of `dir` that are not the manifest (empty when `dir` does not exist).
fn entries(dir: &Path) -> Result<Vec<String>> {
    match std::fs::read_dir(dir) {
        Ok(rd) => {
            let mut names = Vec::new();
            for entry in rd {
                let entry = entry.map_err(io("listing", dir))?;
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
            names.sort();
            Ok(names)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(source) => Err(Error::Io {
            action: "listing",
            path: dir.to_owned(),
            source,
        }),
    }
}

/// The files a previous generation wrote into `dir`, from its manifest; an empty or missing
/// directory has none; a non-empty one without a manifest is refused.
fn previous_files(dir: &Path) -> Result<BTreeSet<PathBuf>> {
    if let Some(files) = read_manifest(dir)? {
        return Ok(files);
    }
    let found = entries(dir)?;
    if found.is_empty() {
        Ok(BTreeSet::new())
    } else {
        Err(Error::NotGenerated {
            dir: dir.to_owned(),
            found,
        })
    }
}

/// Writes `files` into `dir` (created if missing) beside whatever else it holds.
///
/// - Only files named in the directory's [`MANIFEST`] are replaced or removed: files of an
///   earlier generation that are not generated any more go, every other file stays untouched.
/// - A non-empty directory without a manifest is refused with [`Error::NotGenerated`].
/// - Each file is written to a temporary file beside it and renamed into place, and files whose
///   contents did not change are not touched (cargo then rebuilds nothing). All new contents
///   are written before the first rename, so a failure while writing leaves the previous output
///   as it was; during the renames the manifest names the old and the new files, so a run
///   interrupted there is cleaned up by the next one.
pub fn write_module(dir: &Path, files: &[GeneratedFile]) -> Result<WriteReport> {
    let previous = previous_files(dir)?;
    let mut report = WriteReport::default();
    let mut current = BTreeSet::new();
    for f in files {
        if !is_inside(&f.path) || f.path == Path::new(MANIFEST) {
            return Err(Error::Emit {
                file: f.path.display().to_string(),
                message: "a generated file must have a relative path inside its directory".into(),
            });
        }
        current.insert(f.path.clone());
        report.files += 1;
        report.lines += f.contents.lines().count();
        report.bytes += f.contents.len();
    }
    std::fs::create_dir_all(dir).map_err(io("creating", dir))?;

    // 1. Stage what changed: temporary files beside their targets.
    let changed: Vec<&GeneratedFile> = files
        .iter()
        .filter(|f| std::fs::read_to_string(dir.join(&f.path)).ok().as_deref() != Some(&f.contents))
        .collect();
    let stage = |part: &[&GeneratedFile]| -> Result<()> {
        for f in part {
            let target = dir.join(&f.path);
            if let Some(p) = target.parent() {
                std::fs::create_dir_all(p).map_err(io("creating", p))?;
            }
            let tmp = temp_path(&target);
            std::fs::write(&tmp, &f.contents).map_err(io("writing", &tmp))?;
        }
        Ok(())
    };
    // Hundreds of small files: spread the file-system work over the cores.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = changed.len().div_ceil(threads).max(1);
    let staged = std::thread::scope(|scope| {
        let handles: Vec<_> = changed
            .chunks(chunk)
            .map(|part| scope.spawn(move || stage(part)))
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join().unwrap_or_else(|_| {
                Err(Error::Emit {
                    file: dir.display().to_string(),
                    message: "a writer thread panicked".into(),
                })
            })
        })
    });
    let discard = || {
        for f in &changed {
            let _ = std::fs::remove_file(temp_path(&dir.join(&f.path)));
        }
    };
    if let Err(e) = staged {
        discard();
        return Err(e);
    }

    // 2. The manifest names old and new files while they are swapped.
    let manifest = dir.join(MANIFEST);
    if let Err(e) = write_atomic(
        &manifest,
        &manifest_text(previous.union(&current).map(PathBuf::as_path)),
    ) {
        discard();
        return Err(e);
    }

    // 3. Swap the new contents in.
    for f in &changed {
        let target = dir.join(&f.path);
        if let Err(source) = std::fs::rename(temp_path(&target), &target) {
            discard();
            return Err(Error::Io {
                action: "moving into place",
                path: target,
                source,
            });
        }
        report.written += 1;
    }

    // 4. Remove what an earlier generation wrote and this one does not, and the directories
    // that leaves empty (never `dir` itself).
    for stale in previous.difference(&current) {
        let path = dir.join(stale);
        match std::fs::remove_file(&path) {
            Ok(()) => report.removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(Error::Io {
                    action: "removing",
                    path,
                    source,
                });
            }
        }
        let mut parent = stale.parent();
        while let Some(p) = parent.filter(|p| !p.as_os_str().is_empty()) {
            // Fails, harmlessly, while the directory still holds anything.
            if std::fs::remove_dir(dir.join(p)).is_err() {
                break;
            }
            parent = p.parent();
        }
    }

    // 5. The manifest names exactly this generation's files.
    write_atomic(
        &manifest,
        &manifest_text(current.iter().map(PathBuf::as_path)),
    )?;
    Ok(report)
}

/// The files under `dir` that differ from `files`, as paths relative to `dir`, sorted: changed or
/// missing files, files of an earlier generation that are not generated any more, and the
/// manifest when it is missing or names other files. Files the manifest does not name are not
/// the generator's and are not compared.
pub fn check_module(dir: &Path, files: &[GeneratedFile]) -> Result<Vec<PathBuf>> {
    let mut differ = Vec::new();
    let mut expected = BTreeSet::new();
    for f in files {
        expected.insert(f.path.clone());
        let on_disk = std::fs::read_to_string(dir.join(&f.path)).ok();
        // Line endings may be rewritten by git on checkout; they are not a difference.
        if on_disk.map(|s| s.replace("\r\n", "\n")) != Some(f.contents.clone()) {
            differ.push(f.path.clone());
        }
    }
    let manifest = std::fs::read_to_string(dir.join(MANIFEST))
        .ok()
        .map(|s| s.replace("\r\n", "\n"));
    if manifest.as_deref() != Some(&manifest_text(expected.iter().map(PathBuf::as_path))) {
        differ.push(PathBuf::from(MANIFEST));
    }
    if let Ok(Some(previous)) = read_manifest(dir) {
        differ.extend(previous.difference(&expected).cloned());
    }
    differ.sort();
    differ.dedup();
    Ok(differ)
}

/// The generated module as one file of items, for a build script that writes it into `OUT_DIR`
/// and a crate that `include!`s it inside a module of its own:
///
/// ```ignore
/// mod tenant {
///     include!(concat!(env!("OUT_DIR"), "/tenant.rs"));
/// }
/// ```
///
/// Every `mod x;` of `files` (as [`generate`](crate::generate) makes them) becomes `mod x { .. }`
/// holding that file's items and inner attributes. `include!` refuses inner attributes at the
/// top of the included file, so the root's are moved: its docs become a `//` header and its lint
/// allowances (`#![allow(..)]`) go onto each of its items, which keeps them to the generated
/// code only.
pub fn single_file(files: &[GeneratedFile]) -> Result<String> {
    let parsed: std::collections::BTreeMap<&Path, &str> = files
        .iter()
        .map(|f| (f.path.as_path(), f.contents.as_str()))
        .collect();
    let parse = |path: &Path| -> Result<syn::File> {
        let text = parsed.get(path).ok_or_else(|| Error::Emit {
            file: path.display().to_string(),
            message: "a `mod` declaration names a file that was not generated".into(),
        })?;
        syn::parse_file(text).map_err(|e| Error::Emit {
            file: path.display().to_string(),
            message: e.to_string(),
        })
    };
    let exists = |path: &Path| parsed.contains_key(path);
    let root = Path::new("mod.rs");
    let mut file = parse(root)?;
    file.items = inline_modules(file.items, Path::new(""), &parse, &exists)?;

    let mut header = String::new();
    let mut allows = Vec::new();
    for mut attr in std::mem::take(&mut file.attrs) {
        match doc_text(&attr) {
            Some(line) => {
                header.push_str("//");
                if !line.is_empty() {
                    header.push(' ');
                    header.push_str(line.strip_prefix(' ').unwrap_or(&line));
                }
                header.push('\n');
            }
            None => {
                attr.style = syn::AttrStyle::Outer;
                allows.push(quote!(#attr));
            }
        }
    }
    for item in &mut file.items {
        let attrs = item_attrs(item).ok_or_else(|| Error::Emit {
            file: root.display().to_string(),
            message: "an item of the root cannot carry the root's attributes".into(),
        })?;
        let outer = allows
            .iter()
            .map(|tokens| {
                syn::parse::Parser::parse2(syn::Attribute::parse_outer, tokens.clone()).map_err(
                    |e| Error::Emit {
                        file: root.display().to_string(),
                        message: e.to_string(),
                    },
                )
            })
            .collect::<Result<Vec<_>>>()?;
        attrs.splice(0..0, outer.into_iter().flatten());
    }
    header.push_str(
        "//\n// One file for `include!` inside a module of yours; generated by a build script, not \
         edited by hand.\n",
    );
    Ok(header + &prettyplease::unparse(&file))
}

/// Replaces each `mod x;` among `items`, of the module whose children live in `dir`, by the
/// items of `dir/x.rs` (or `dir/x/mod.rs`), recursively.
fn inline_modules(
    items: Vec<syn::Item>,
    dir: &Path,
    parse: &dyn Fn(&Path) -> Result<syn::File>,
    exists: &dyn Fn(&Path) -> bool,
) -> Result<Vec<syn::Item>> {
    items
        .into_iter()
        .map(|item| match item {
            syn::Item::Mod(mut m) if m.content.is_none() => {
                let name = m.ident.to_string();
                // `x.rs` and `x/mod.rs` both keep their children in `x/`.
                let flat = dir.join(format!("{name}.rs"));
                let path = if exists(&flat) {
                    flat
                } else {
                    dir.join(&name).join("mod.rs")
                };
                let syn::File { attrs, items, .. } = parse(&path)?;
                m.attrs.extend(attrs);
                let items = inline_modules(items, &dir.join(&name), parse, exists)?;
                m.content = Some((syn::token::Brace::default(), items));
                m.semi = None;
                Ok(syn::Item::Mod(m))
            }
            other => Ok(other),
        })
        .collect()
}

/// The text of a `#[doc = ".."]` attribute, or `None` for any other attribute.
fn doc_text(attr: &syn::Attribute) -> Option<String> {
    if !attr.path().is_ident("doc") {
        return None;
    }
    match &attr.meta {
        syn::Meta::NameValue(syn::MetaNameValue {
            value:
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }),
            ..
        }) => Some(s.value()),
        _ => None,
    }
}

fn item_attrs(item: &mut syn::Item) -> Option<&mut Vec<syn::Attribute>> {
    use syn::Item;
    Some(match item {
        Item::Const(i) => &mut i.attrs,
        Item::Enum(i) => &mut i.attrs,
        Item::Fn(i) => &mut i.attrs,
        Item::Impl(i) => &mut i.attrs,
        Item::Macro(i) => &mut i.attrs,
        Item::Mod(i) => &mut i.attrs,
        Item::Static(i) => &mut i.attrs,
        Item::Struct(i) => &mut i.attrs,
        Item::Trait(i) => &mut i.attrs,
        Item::Type(i) => &mut i.attrs,
        Item::Use(i) => &mut i.attrs,
        _ => return None,
    })
}
