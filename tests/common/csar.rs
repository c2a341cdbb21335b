//! Writing CSAR archives (zip files) in tests, from folders or from entries, and patching
//! their headers into the hostile shapes no zip writer produces.

use std::io::{Cursor, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;

/// A zip of `entries` (name, bytes), deflated, in the order given.
pub fn zip_entries(entries: &[(&str, &[u8])]) -> Vec<u8> {
    write_zip(entries, &[], zip::CompressionMethod::Deflated)
}

/// A zip of `entries` compressed with `method` (stored leaves the text as it is).
pub fn zip_entries_with(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    write_zip(entries, &[], method)
}

/// A zip of `entries`, deflated, then symbolic links `(name, target)`.
pub fn zip_entries_and_links(entries: &[(&str, &[u8])], links: &[(&str, &str)]) -> Vec<u8> {
    write_zip(entries, links, zip::CompressionMethod::Deflated)
}

fn write_zip(
    entries: &[(&str, &[u8])],
    links: &[(&str, &str)],
    method: zip::CompressionMethod,
) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(method);
    for (name, bytes) in entries {
        zip.start_file(*name, options)
            .unwrap_or_else(|e| panic!("zip {name}: {e}"));
        zip.write_all(bytes)
            .unwrap_or_else(|e| panic!("zip {name}: {e}"));
    }
    for (name, target) in links {
        zip.add_symlink(*name, *target, options)
            .unwrap_or_else(|e| panic!("zip link {name}: {e}"));
    }
    zip.finish()
        .unwrap_or_else(|e| panic!("zip: {e}"))
        .into_inner()
}

/// A zip of every file under `dir`, named by its path relative to `dir` with `/`, sorted,
/// deflated.
pub fn zip_folder(dir: &Path) -> Vec<u8> {
    zip_folder_with(dir, zip::CompressionMethod::Deflated)
}

pub fn zip_folder_with(dir: &Path, method: zip::CompressionMethod) -> Vec<u8> {
    let mut files = Vec::new();
    collect(dir, dir, &mut files);
    files.sort();
    let entries: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    zip_entries_with(&entries, method)
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .path();
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            let name = path
                .strip_prefix(root)
                .unwrap_or_else(|e| panic!("{e}"))
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            out.push((name, bytes));
        }
    }
}

/// Where a field sits in a local file header and in a central directory header.
#[derive(Clone, Copy)]
pub enum Field {
    /// General purpose flags (bit 0: encrypted).
    Flags,
    /// Compression method.
    Method,
    /// Uncompressed size.
    Size,
}

impl Field {
    fn offsets(self) -> (usize, usize, usize) {
        // (offset in the local header, offset in the central header, width)
        match self {
            Field::Flags => (6, 8, 2),
            Field::Method => (8, 10, 2),
            Field::Size => (22, 24, 4),
        }
    }
}

/// Sets `field` of the entry `name`, in its local header and its central directory header.
pub fn patch(bytes: &mut [u8], name: &str, field: Field, value: u32) {
    let (local, central, width) = field.offsets();
    let mut patched = 0;
    for (signature, at, name_at) in [(b"PK\x03\x04", local, 30), (b"PK\x01\x02", central, 46)] {
        let starts: Vec<usize> = (0..bytes.len().saturating_sub(name_at))
            .filter(|&i| bytes[i..].starts_with(signature))
            .collect();
        for i in starts {
            if bytes[i + name_at..].starts_with(name.as_bytes()) {
                let value = value.to_le_bytes();
                bytes[i + at..i + at + width].copy_from_slice(&value[..width]);
                patched += 1;
            }
        }
    }
    assert_eq!(patched, 2, "entry {name} not found in both headers");
}

/// Replaces every occurrence of `from` by `to` (same length), e.g. an entry's name in both
/// of its headers.
pub fn replace(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let mut i = 0;
    let mut found = 0;
    while i + from.len() <= bytes.len() {
        if bytes[i..].starts_with(from) {
            bytes[i..i + to.len()].copy_from_slice(to);
            found += 1;
            i += from.len();
        } else {
            i += 1;
        }
    }
    assert!(found > 0, "{from:?} not found");
}
