//! Generated files: formatting with prettyplease, and writing or checking a whole module
//! directory at once.

use std::path::{Path, PathBuf};

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

/// What [`write_module`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Files written.
    pub files: usize,
    /// Lines written.
    pub lines: usize,
    /// Bytes written.
    pub bytes: usize,
}

/// Replaces the directory `dir` with exactly `files`, atomically as far as the file system
/// allows: everything is written to a sibling directory first, then swapped in by renames, so
/// an error leaves the previous output untouched.
pub fn write_module(dir: &Path, files: &[GeneratedFile]) -> Result<WriteReport> {
    let io = |action: &'static str, path: &Path| {
        let path = path.to_owned();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    };
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io("creating", parent))?;
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("generated");
    let staging = parent.join(format!(".{name}.new-{}", std::process::id()));
    let backup = parent.join(format!(".{name}.old-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);

    let mut report = WriteReport::default();
    for f in files {
        report.files += 1;
        report.lines += f.contents.lines().count();
        report.bytes += f.contents.len();
    }
    let write_all = |part: &[GeneratedFile]| -> Result<()> {
        for f in part {
            let target = staging.join(&f.path);
            if let Some(p) = target.parent() {
                std::fs::create_dir_all(p).map_err(io("creating", p))?;
            }
            std::fs::write(&target, &f.contents).map_err(io("writing", &target))?;
        }
        Ok(())
    };
    // Hundreds of small files: spread the file-system work over the cores.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = files.len().div_ceil(threads).max(1);
    let written = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| scope.spawn(move || write_all(part)))
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
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    let had_old = dir.exists();
    if had_old {
        std::fs::rename(dir, &backup).map_err(io("moving aside", dir))?;
    }
    if let Err(source) = std::fs::rename(&staging, dir) {
        if had_old {
            let _ = std::fs::rename(&backup, dir);
        }
        let _ = std::fs::remove_dir_all(&staging);
        return Err(Error::Io {
            action: "moving into place",
            path: dir.to_owned(),
            source,
        });
    }
    if had_old {
        let _ = std::fs::remove_dir_all(&backup);
    }
    Ok(report)
}

/// The files under `dir` that differ from `files` (changed, missing, or not generated any more),
/// as paths relative to `dir`, sorted.
pub fn check_module(dir: &Path, files: &[GeneratedFile]) -> Result<Vec<PathBuf>> {
    let mut differ = Vec::new();
    let mut expected = std::collections::BTreeSet::new();
    for f in files {
        expected.insert(f.path.clone());
        let on_disk = std::fs::read_to_string(dir.join(&f.path)).ok();
        // Line endings may be rewritten by git on checkout; they are not a difference.
        if on_disk.map(|s| s.replace("\r\n", "\n")) != Some(f.contents.clone()) {
            differ.push(f.path.clone());
        }
    }
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir)
                && !expected.contains(rel)
            {
                differ.push(rel.to_owned());
            }
        }
    }
    differ.sort();
    Ok(differ)
}
