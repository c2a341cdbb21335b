//! ETSI NFV-SOL 004 VNF packages delivered as CSAR archives (zip files).
//!
//! An archive is never extracted: it is read in place from disk (only its central directory
//! and the entries wanted, so VM images inside cost nothing and the archive's own size is not
//! limited), or from memory when it comes as bytes. Each entry that a scan of the unzipped
//! folder would read (YAML/JSON, `TOSCA.meta`, ...) is decompressed into memory and becomes a
//! [`SourceFile`] displayed as
//! `ARCHIVE!/ENTRY` (`packages/vfw.csar!/Definitions/vfw_df.yaml`) and is ingested exactly as
//! the walk would ingest it, so that a package gives the same workloads, findings and lines
//! zipped or not. Its path lies under the archive's path, where nothing exists on disk, and
//! [`SourceFile::archive`] tells the SOL001 reader to keep its imports inside the archive.
//!
//! Untrusted archives are bounded: at most [`MAX_ENTRIES`] entries (counted from the end
//! record before the central directory is parsed); each entry read holds at most
//! `--max-file-size` bytes, and so do all of them together. Declared sizes are checked
//! first and reading stops at the cap anyway, since a declared size may lie. Entry names
//! that climb out of the archive, encrypted entries, compression methods other than stored
//! and deflate, and archives inside the archive are reported, never read.

use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

use crate::ingest::{self, FileOutput, IngestContext, Input};
use crate::model::ScanError;
use crate::source::{self, ENTRY_SEPARATOR, SourceFile};

/// Entries an archive may list. A package holds tens to a few hundred files (a CNF's Helm
/// charts); a hostile one lists millions of empty entries to exhaust memory.
pub const MAX_ENTRIES: u64 = 10_000;

/// Where SOL004 puts the metadata naming the entry definitions.
const TOSCA_META: &str = "TOSCA-Metadata/TOSCA.meta";

/// What makes an archive unreadable as a whole.
#[derive(Debug, thiserror::Error)]
enum ArchiveError {
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a readable zip archive (truncated or corrupt?): {0}")]
    Unreadable(zip::result::ZipError),
    #[error("the archive lists {0} entries, more than the {MAX_ENTRIES} fitscan reads")]
    TooManyEntries(u64),
    #[error("an empty archive: no VNF package in it")]
    Empty,
    #[error(
        "the archive lists an entry name twice: which copy a VNF manager would read is ambiguous, so none is read"
    )]
    DuplicateNames,
}

pub struct Csar;

fn is_csar_name(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".csar")
}

fn is_zip_name(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".zip")
}

impl Input for Csar {
    fn name(&self) -> &'static str {
        "csar"
    }

    fn wants_file_name(&self, name: &str) -> bool {
        is_csar_name(name) || is_zip_name(name)
    }

    /// Vendors ship images (gigabytes) in their packages: only the central directory and the
    /// descriptors are read, never the whole archive.
    fn reads_in_place(&self, _name: &str) -> bool {
        true
    }

    /// A `.zip` found by walking is read only when its central directory lists a
    /// `TOSCA.meta`: other zips (releases, backups) are passed over without being read.
    fn worth_reading_walked(&self, path: &Path) -> bool {
        let name = path.file_name().map(|n| n.to_string_lossy());
        if name.as_deref().is_some_and(is_csar_name) {
            return true;
        }
        open_regular_file(path).is_ok_and(holds_tosca_meta)
    }

    fn claims_file(&self, file: &SourceFile) -> bool {
        let name = file.file_name();
        is_csar_name(&name)
            || (is_zip_name(&name) && (file.explicit || open(file).is_ok_and(holds_tosca_meta)))
    }

    fn ingest_file(&self, file: &SourceFile, ctx: &IngestContext, out: &mut FileOutput) {
        if let Err(e) = read_archive(file, ctx, out) {
            out.errors
                .push(ScanError::input(&file.display, e.to_string()));
        }
    }
}

/// Read and Seek, for an archive in memory or on disk.
trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// The archive: its bytes in memory, or the file itself when it is read in place.
fn open(file: &SourceFile) -> std::io::Result<Box<dyn ReadSeek + '_>> {
    if file.in_place {
        Ok(Box::new(open_regular_file(&file.path)?))
    } else {
        Ok(Box::new(Cursor::new(file.bytes.as_slice())))
    }
}

/// Opened as every input is: without blocking (a FIFO that replaced the file since it was
/// found), and only if it is still a regular file.
fn open_regular_file(path: &Path) -> std::io::Result<BufReader<std::fs::File>> {
    let file = crate::source::open_nonblocking(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other(
            "not a regular file (a FIFO, socket or device is never read)",
        ));
    }
    Ok(BufReader::new(file))
}

/// Whether the archive's central directory lists `TOSCA-Metadata/TOSCA.meta` (no entry is
/// decompressed).
fn holds_tosca_meta<R: Read + Seek>(mut reader: R) -> bool {
    if declared_entries(&mut reader).is_none_or(|n| n > MAX_ENTRIES) {
        return false;
    }
    zip::ZipArchive::new(reader).is_ok_and(|zip| {
        zip.file_names()
            .flatten()
            .any(|n| n.eq_ignore_ascii_case(TOSCA_META))
    })
}

/// The number of entries the end of central directory record declares (its ZIP64 record's
/// when it defers to one), read from the archive's tail alone: a hostile count is refused
/// before anything is allocated for it. None when no such record is found.
fn declared_entries<R: Read + Seek>(reader: &mut R) -> Option<u64> {
    const END: &[u8] = b"PK\x05\x06";
    const END_LEN: usize = 22;
    const ZIP64_LOCATOR: &[u8] = b"PK\x06\x07";
    const ZIP64_END: &[u8] = b"PK\x06\x06";
    let len = reader.seek(SeekFrom::End(0)).ok()?;
    // The record is 22 bytes followed by a comment of at most 64 KiB.
    let tail_len = len.min(END_LEN as u64 + 0xFFFF);
    reader.seek(SeekFrom::Start(len - tail_len)).ok()?;
    let mut tail = Vec::new();
    reader.by_ref().take(tail_len).read_to_end(&mut tail).ok()?;
    let at = (0..=tail.len().checked_sub(END_LEN)?)
        .rev()
        .find(|&i| tail[i..].starts_with(END))?;
    let u16_at = |b: &[u8], i: usize| b.get(i..i + 2).map(|s| u16::from_le_bytes([s[0], s[1]]));
    let count = u16_at(&tail, at + 10)?;
    if count != u16::MAX {
        return Some(u64::from(count));
    }
    let u64_at = |b: &[u8], i: usize| {
        b.get(i..i + 8)
            .and_then(|s| <[u8; 8]>::try_from(s).ok())
            .map(u64::from_le_bytes)
    };
    // ZIP64: a 20-byte locator just before the record points at the ZIP64 end record.
    let locator = at.checked_sub(20)?;
    if !tail[locator..].starts_with(ZIP64_LOCATOR) {
        return Some(u64::from(count));
    }
    let record_at = u64_at(&tail, locator + 8)?;
    reader.seek(SeekFrom::Start(record_at)).ok()?;
    let mut record = Vec::new();
    reader.by_ref().take(40).read_to_end(&mut record).ok()?;
    if !record.starts_with(ZIP64_END) {
        return None;
    }
    u64_at(&record, 32)
}

/// An entry's name as a path inside the archive: `/`-separated parts without `.` or empty
/// ones. Err when it is absolute or climbs out with `..` (it is then never read).
fn entry_parts(name: &str) -> Result<Vec<&str>, ()> {
    let drive = name.as_bytes().get(1) == Some(&b':');
    if name.starts_with(['/', '\\']) || drive {
        return Err(());
    }
    let parts: Vec<&str> = name
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return Err(());
    }
    Ok(parts)
}

/// An entry worth reading, found in the central directory.
struct Wanted {
    index: usize,
    name: String,
    declared: u64,
}

fn read_archive(
    file: &SourceFile,
    ctx: &IngestContext,
    out: &mut FileOutput,
) -> Result<(), ArchiveError> {
    let mut reader = open(file)?;
    if let Some(n) = declared_entries(&mut reader).filter(|n| *n > MAX_ENTRIES) {
        return Err(ArchiveError::TooManyEntries(n));
    }
    let mut zip = zip::ZipArchive::new(reader).map_err(ArchiveError::Unreadable)?;
    if zip.len() as u64 > MAX_ENTRIES {
        return Err(ArchiveError::TooManyEntries(zip.len() as u64));
    }
    if zip.is_empty() {
        return Err(ArchiveError::Empty);
    }
    if zip.has_duplicate_names() {
        return Err(ArchiveError::DuplicateNames);
    }
    let member = |name: &str| format!("{}{ENTRY_SEPARATOR}{name}", file.display);
    let (wanted, names) = wanted_entries(&zip, file, &member, out);
    check_package_shape(file, &names, out);

    // Members live under the archive's own path, where nothing exists on disk: identical
    // archives reached by two paths are one package.
    let root: Arc<Path> = Arc::from(
        std::fs::canonicalize(&file.path)
            .unwrap_or_else(|_| file.path.clone())
            .as_path(),
    );
    let mut budget = ctx.max_file_size;
    let mut recognised = false;
    for entry in wanted {
        let display = member(&entry.name);
        if entry.declared > ctx.max_file_size {
            out.errors.push(ScanError::input(
                &display,
                format!(
                    "skipped: {} bytes uncompressed is larger than the {} byte limit (--max-file-size)",
                    entry.declared, ctx.max_file_size
                ),
            ));
            continue;
        }
        if entry.declared > budget {
            out.errors.push(ScanError::input(
                &file.display,
                format!(
                    "stopped reading at `{}`: the entries read add up to more than the {} byte limit (--max-file-size), which holds for an archive's entries together",
                    entry.name, ctx.max_file_size
                ),
            ));
            return Ok(());
        }
        let bytes = match read_entry(&mut zip, &entry) {
            Ok(bytes) => bytes,
            Err(EntryError::Lied) => {
                out.errors.push(ScanError::input(
                    &display,
                    format!(
                        "holds more than the {} bytes its header declares (a zip bomb?): the rest of the archive is not read",
                        entry.declared
                    ),
                ));
                return Ok(());
            }
            Err(EntryError::Zip(zip::result::ZipError::Io(e))) => {
                out.errors
                    .push(ScanError::input(&display, format!("cannot read: {e}")));
                continue;
            }
            Err(EntryError::Zip(e)) => {
                out.errors
                    .push(ScanError::input(&display, format!("cannot read: {e}")));
                continue;
            }
        };
        budget -= bytes.len() as u64;
        let source = SourceFile {
            path: entry
                .name
                .split('/')
                .fold(root.to_path_buf(), |p, part| p.join(part)),
            display: Arc::from(display.as_str()),
            bytes: source::utf16_to_utf8(bytes),
            explicit: false,
            archive: Some(Arc::clone(&root)),
            in_place: false,
        };
        // Guarded per entry, as the scan guards each file: a bug in one reader costs that
        // entry, not the rest of the package.
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            ingest::ingest(&source, ctx)
        }))
        .unwrap_or_else(|_| FileOutput {
            errors: vec![ScanError::input(
                &source.display,
                "internal error while reading this entry (a bug in fitscan, please report it with the archive)",
            )],
            ..FileOutput::default()
        });
        recognised |= read.recognised;
        out.workloads.extend(read.workloads);
        out.objects.extend(read.objects);
        out.errors.extend(read.errors);
        for (reason, n) in read.skipped {
            *out.skipped.entry(reason).or_default() += n;
        }
    }
    if file.explicit && !recognised && out.errors.is_empty() {
        out.errors.push(ScanError::input(
            &file.display,
            "no VNF descriptor in the archive (no TOSCA definitions, no SOL006 descriptor)",
        ));
    }
    Ok(())
}

/// The entries a walk of the unzipped folder would read, in archive order, and the names of
/// every file entry (for the package's shape). Entries that cannot be read safely are
/// reported here.
fn wanted_entries<R: Read + Seek>(
    zip: &zip::ZipArchive<R>,
    file: &SourceFile,
    member: &dyn Fn(&str) -> String,
    out: &mut FileOutput,
) -> (Vec<Wanted>, Vec<String>) {
    let mut wanted = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for index in 0..zip.len() {
        let Ok(entry) = zip.by_index_data(index) else {
            continue;
        };
        let raw = entry.name_raw();
        let Ok(name) = std::str::from_utf8(raw) else {
            let lossy = String::from_utf8_lossy(raw);
            if ingest::is_candidate(&lossy) {
                out.errors.push(ScanError::input(
                    &file.display,
                    format!("entry `{lossy}`: its name is not UTF-8, so it is not read"),
                ));
            }
            continue;
        };
        let Ok(parts) = entry_parts(name) else {
            out.errors.push(ScanError::input(
                &file.display,
                format!(
                    "entry `{name}` points outside the archive (an absolute path or `..`): never read"
                ),
            ));
            continue;
        };
        if entry.is_dir() || parts.is_empty() {
            continue;
        }
        let name = parts.join("/");
        if names.contains(&name) {
            out.errors.push(ScanError::input(
                &member(&name),
                "appears twice in the archive: the first entry is read",
            ));
            continue;
        }
        names.push(name.clone());
        let file_name = parts.last().copied().unwrap_or_default();
        // As a walk does: links are not followed, hidden files are passed over.
        if entry.is_symlink() || parts.iter().any(|p| p.starts_with('.')) {
            continue;
        }
        if Csar.wants_file_name(file_name) {
            if is_csar_name(file_name) {
                out.errors.push(ScanError::input(
                    &member(&name),
                    "an archive inside the archive is not read: unzip the outer one to scan it",
                ));
            }
            continue;
        }
        if !ingest::is_candidate(file_name) {
            continue;
        }
        if entry.encrypted() {
            out.errors.push(ScanError::input(
                &member(&name),
                "encrypted: fitscan takes no passwords, so it is not read",
            ));
            continue;
        }
        let method = entry.compression();
        if !matches!(
            method,
            zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
        ) {
            out.errors.push(ScanError::input(
                &member(&name),
                format!(
                    "compressed with {method}, which fitscan does not read (only stored and deflate, as SOL004 packages use)"
                ),
            ));
            continue;
        }
        wanted.push(Wanted {
            index,
            name,
            declared: entry.size(),
        });
    }
    (wanted, names)
}

/// SOL004: the entry definitions are named by `TOSCA-Metadata/TOSCA.meta`, or are the one
/// YAML file at the archive's root. Anything else is reported; the entries are still read,
/// as in an unzipped folder.
fn check_package_shape(file: &SourceFile, names: &[String], out: &mut FileOutput) {
    if names.iter().any(|n| n.eq_ignore_ascii_case(TOSCA_META)) {
        return;
    }
    let roots: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| !n.contains('/') && ingest::is_yaml_name(n) && !n.ends_with(".json"))
        .collect();
    let message = match roots.as_slice() {
        [_] => return,
        [] => format!(
            "not an SOL004 VNF package: expected {TOSCA_META} or one YAML file at the archive's root (the entry definitions); its entries are read as in an unzipped folder"
        ),
        several => format!(
            "no {TOSCA_META}, and {} YAML files at the archive's root ({}): SOL004 wants exactly one, the entry definitions; each is read as in an unzipped folder",
            several.len(),
            several.join(", ")
        ),
    };
    out.errors.push(ScanError::input(&file.display, message));
}

enum EntryError {
    Zip(zip::result::ZipError),
    /// The entry decompresses to more than its declared size.
    Lied,
}

fn read_entry<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    entry: &Wanted,
) -> Result<Vec<u8>, EntryError> {
    let reader = zip.by_index(entry.index).map_err(EntryError::Zip)?;
    let mut bytes = Vec::with_capacity(usize::try_from(entry.declared).unwrap_or(0));
    reader
        .take(entry.declared.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| EntryError::Zip(e.into()))?;
    if bytes.len() as u64 > entry.declared {
        return Err(EntryError::Lied);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_that_leave_the_archive_are_refused() {
        assert_eq!(
            entry_parts("Definitions/./vnfd.yaml"),
            Ok(vec!["Definitions", "vnfd.yaml"])
        );
        assert_eq!(entry_parts("a\\b.yaml"), Ok(vec!["a", "b.yaml"]));
        for bad in [
            "../../etc/passwd",
            "/etc/passwd",
            "C:\\x.yaml",
            "a/../../b",
            "\\x",
        ] {
            assert_eq!(entry_parts(bad), Err(()), "{bad}");
        }
    }

    #[test]
    fn the_entry_count_comes_from_the_end_record() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..3 {
            let _ = zip.start_file(
                format!("{i}.yaml"),
                zip::write::SimpleFileOptions::default(),
            );
        }
        let bytes = zip
            .finish()
            .map(Cursor::into_inner)
            .unwrap_or_else(|e| panic!("zip: {e}"));
        assert_eq!(declared_entries(&mut Cursor::new(&bytes)), Some(3));
        assert_eq!(declared_entries(&mut Cursor::new(b"not a zip")), None);
        assert_eq!(
            declared_entries(&mut Cursor::new(&bytes[..bytes.len() - 5])),
            None
        );
    }
}
