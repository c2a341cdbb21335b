//! Walks the paths given, honouring `.gitignore`, and picks the files worth reading.
//!
//! Folders are walked in parallel (ripgrep's walker). Only regular files are read: a FIFO,
//! socket or device found while walking is passed over, and one named on the command line
//! is an error, never a read that blocks. Symbolic links are not followed unless asked, and
//! then a loop is reported once instead of walked forever.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkState};

use crate::ingest;
use crate::model::ScanError;
use crate::source::SourceFile;

#[derive(Debug, Clone)]
pub struct Candidate {
    pub path: PathBuf,
    pub display: String,
    /// Named on the command line (an error if unreadable or unrecognised).
    pub explicit: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct WalkOptions {
    pub follow_links: bool,
    pub no_ignore: bool,
    /// Walker threads (0: one per core).
    pub threads: usize,
}

/// What walking found: the files to read, sorted by path, and the folders that could not be
/// read (permission denied, a symbolic link loop), as error entries.
#[derive(Debug, Default)]
pub struct Walked {
    pub candidates: Vec<Candidate>,
    pub errors: Vec<ScanError>,
}

/// The candidate files under `paths`, sorted; a path that does not exist is an error.
pub fn discover(paths: &[PathBuf], opts: WalkOptions) -> Result<Walked, crate::Error> {
    let found = Mutex::new(Walked::default());
    let mut stdin_named = false;
    for root in paths {
        if root.as_os_str() == STDIN_ARG {
            // Standard input is read once, however often `-` is named.
            if !std::mem::replace(&mut stdin_named, true) {
                push(
                    &found,
                    Walked {
                        candidates: vec![Candidate {
                            path: root.clone(),
                            display: STDIN_DISPLAY.to_string(),
                            explicit: true,
                        }],
                        errors: Vec::new(),
                    },
                );
            }
            continue;
        }
        let meta = std::fs::metadata(root).map_err(|e| crate::Error::Path {
            path: root.display().to_string(),
            message: if e.kind() == std::io::ErrorKind::NotFound {
                "no such file or directory".to_string()
            } else {
                e.to_string()
            },
        })?;
        if !meta.is_dir() {
            // Named on the command line: read (or refused, if not a regular file) as given.
            push(
                &found,
                Walked {
                    candidates: vec![Candidate {
                        path: root.clone(),
                        display: escaped(root),
                        explicit: true,
                    }],
                    errors: Vec::new(),
                },
            );
            continue;
        }
        let mut builder = ignore::WalkBuilder::new(root);
        builder
            .follow_links(opts.follow_links)
            .require_git(false)
            .git_ignore(!opts.no_ignore)
            .git_exclude(!opts.no_ignore)
            .git_global(!opts.no_ignore)
            .ignore(!opts.no_ignore)
            .parents(!opts.no_ignore)
            .hidden(true)
            .threads(opts.threads);
        builder
            .build_parallel()
            .visit(&mut Collectors { found: &found });
    }
    let mut walked = found.into_inner().unwrap_or_else(|p| p.into_inner());
    walked
        .candidates
        .sort_by(|a, b| a.display.cmp(&b.display).then_with(|| a.path.cmp(&b.path)));
    walked
        .candidates
        .dedup_by(|a, b| a.display == b.display && a.path == b.path);
    walked.errors.sort();
    walked.errors.dedup();
    Ok(walked)
}

fn push(found: &Mutex<Walked>, mut local: Walked) {
    let mut shared = found.lock().unwrap_or_else(|p| p.into_inner());
    shared.candidates.append(&mut local.candidates);
    shared.errors.append(&mut local.errors);
}

/// Hands each walker thread its own list, merged once when the thread is done.
struct Collectors<'a> {
    found: &'a Mutex<Walked>,
}

impl<'s> ParallelVisitorBuilder<'s> for Collectors<'s> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(Collector {
            found: self.found,
            local: Walked::default(),
        })
    }
}

struct Collector<'a> {
    found: &'a Mutex<Walked>,
    local: Walked,
}

impl ParallelVisitor for Collector<'_> {
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        match entry {
            Ok(entry) => {
                // Symbolic links (when not followed), FIFOs, sockets and devices are passed
                // over: only regular files are read.
                if entry.file_type().is_some_and(|t| t.is_file())
                    && ingest::is_walked_candidate(entry.path())
                {
                    let path = entry.into_path();
                    self.local.candidates.push(Candidate {
                        display: display_path(&path),
                        path,
                        explicit: false,
                    });
                }
            }
            Err(e) => self.local.errors.push(walk_error(&e)),
        }
        WalkState::Continue
    }
}

impl Drop for Collector<'_> {
    fn drop(&mut self) {
        push(self.found, std::mem::take(&mut self.local));
    }
}

/// A folder the walk could not enter, or a link loop, as an error entry on its path.
fn walk_error(err: &ignore::Error) -> ScanError {
    let mut path: Option<&Path> = None;
    let mut inner = err;
    loop {
        match inner {
            ignore::Error::WithPath { path: p, err } => {
                path.get_or_insert(p);
                inner = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                inner = err;
            }
            ignore::Error::Partial(errs) if !errs.is_empty() => inner = &errs[0],
            _ => break,
        }
    }
    match inner {
        ignore::Error::Loop { ancestor, child } => ScanError::input(
            &display_path(child),
            format!(
                "symbolic link loop: it leads back to {}, which is walked once",
                display_path(ancestor)
            ),
        ),
        ignore::Error::Io(io)
            if io.kind() == std::io::ErrorKind::NotFound
                && path.is_some_and(|p| p.is_symlink()) =>
        {
            ScanError::input(
                &path.map_or_else(|| "(walk)".to_string(), display_path),
                "broken symbolic link: its target does not exist",
            )
        }
        ignore::Error::Io(io) => ScanError::input(
            &path.map_or_else(|| "(walk)".to_string(), display_path),
            format!("cannot read: {}", io_message(io)),
        ),
        other => ScanError::input(
            &path.map_or_else(|| "(walk)".to_string(), display_path),
            format!("cannot read: {other}"),
        ),
    }
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::NotFound => {
            "no such file or directory (removed while scanning?)".to_string()
        }
        _ => e.to_string(),
    }
}

fn display_path(path: &Path) -> String {
    let s = escaped(path);
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// A path as text; bytes of a name that are not valid UTF-8 are written `\xNN`, so that
/// two such names stay apart and the file is reported under a name that says what it is.
pub fn escaped(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::fmt::Write;
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in path.as_os_str().as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        path.display().to_string()
    }
}

/// Opens a file without ever blocking: a FIFO named on the command line (or one that
/// replaced a regular file since the walk) would otherwise wait for a writer forever.
pub(crate) fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// The path that names standard input (`helm template . | fitscan scan -`).
pub const STDIN_ARG: &str = "-";
/// How standard input is named in reports.
pub const STDIN_DISPLAY: &str = "<stdin>";

/// Standard input as one file of YAML documents, at most `max_size` bytes: a stream of
/// JSON documents (`{...} {...}`) is read as YAML documents, one per value.
fn read_stdin(max_size: u64) -> Result<SourceFile, ScanError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ScanError::input(STDIN_DISPLAY, format!("cannot read: {}", io_message(&e))))?;
    if bytes.len() as u64 > max_size {
        return Err(ScanError::input(
            STDIN_DISPLAY,
            format!("skipped: more than the {max_size} byte limit (--max-file-size)"),
        ));
    }
    let bytes = crate::source::json_stream_as_yaml(crate::source::utf16_to_utf8(bytes));
    Ok(SourceFile {
        path: PathBuf::from(STDIN_DISPLAY),
        display: Arc::from(STDIN_DISPLAY),
        bytes,
        explicit: true,
        archive: None,
        in_place: false,
    })
}

/// Reads a candidate: regular files only, at most `max_size` bytes. Ok(None) means
/// "skip silently" (something found by walking that is not a regular file).
pub fn read(c: &Candidate, max_size: u64) -> Result<Option<SourceFile>, ScanError> {
    if c.explicit && c.path.as_os_str() == STDIN_ARG && c.display == STDIN_DISPLAY {
        return read_stdin(max_size).map(Some);
    }
    let cannot = |e: std::io::Error| {
        ScanError::input(&c.display, format!("cannot read: {}", io_message(&e)))
    };
    let not_regular = || {
        if c.explicit {
            Err(ScanError::input(
                &c.display,
                "not a regular file (a FIFO, socket or device is never read)",
            ))
        } else {
            Ok(None)
        }
    };
    // The type is checked before opening, and again on the open file: a path can change
    // between the two.
    if !std::fs::metadata(&c.path).map_err(cannot)?.is_file() {
        return not_regular();
    }
    let file = open_nonblocking(&c.path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if !meta.is_file() {
        return not_regular();
    }
    if ingest::reads_in_place(&c.path) {
        // An archive: its kind reads the directory and the entries it needs from the file,
        // so neither the archive's size nor memory limits what it may carry (VM images).
        return Ok(Some(SourceFile {
            path: c.path.clone(),
            display: Arc::from(c.display.as_str()),
            bytes: Vec::new(),
            explicit: c.explicit,
            archive: None,
            in_place: true,
        }));
    }
    if meta.len() > max_size {
        return Err(ScanError::input(
            &c.display,
            format!(
                "skipped: {} bytes is larger than the {} byte limit (--max-file-size)",
                meta.len(),
                max_size
            ),
        ));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The size may change between stat and read; never read more than the cap.
    file.take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > max_size {
        return Err(ScanError::input(
            &c.display,
            "skipped: file grew beyond the size limit while being read",
        ));
    }
    Ok(Some(SourceFile {
        path: c.path.clone(),
        display: Arc::from(c.display.as_str()),
        bytes: crate::source::utf16_to_utf8(bytes),
        explicit: c.explicit,
        archive: None,
        in_place: false,
    }))
}

/// The size cap of an auxiliary file (`--config` and `.fitscan.yaml`, `--rules` files,
/// `--baseline`, `--metrics`, `--catalog`): none of them comes near it, while `/dev/zero`
/// (or a committed link to it) would otherwise be read until memory runs out.
pub const MAX_AUXILIARY_SIZE: u64 = 64 * 1024 * 1024;

/// Why an auxiliary file could not be read: `NotFound` lets each caller say what was
/// missing in its own words; the rest is a message for after the file's path.
#[derive(Debug)]
pub enum AuxiliaryError {
    NotFound,
    Other(String),
}

/// Reads an auxiliary file the way inputs are read: regular files only (a FIFO, socket or
/// device is refused, never waited on), opened without blocking, the type checked on the
/// open handle, at most `MAX_AUXILIARY_SIZE` bytes, read once from that handle. A UTF-16
/// file with a BOM is re-encoded as UTF-8.
pub fn read_auxiliary(path: &Path) -> Result<Vec<u8>, AuxiliaryError> {
    read_auxiliary_capped(path, MAX_AUXILIARY_SIZE)
}

/// [`read_auxiliary`] with another cap (tests).
pub fn read_auxiliary_capped(path: &Path, cap: u64) -> Result<Vec<u8>, AuxiliaryError> {
    let failed = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::NotFound {
            AuxiliaryError::NotFound
        } else {
            AuxiliaryError::Other(format!("cannot read: {}", io_message(&e)))
        }
    };
    let not_regular = || {
        AuxiliaryError::Other("not a regular file (a FIFO, socket or device is never read)".into())
    };
    // Checked before opening (a FIFO is never opened) and again on the open handle.
    if !std::fs::metadata(path).map_err(failed)?.is_file() {
        return Err(not_regular());
    }
    let file = open_nonblocking(path).map_err(failed)?;
    let meta = file.metadata().map_err(failed)?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    let too_big = |size: u64| {
        AuxiliaryError::Other(format!(
            "{size} bytes is larger than the {cap} byte limit of an auxiliary file"
        ))
    };
    if meta.len() > cap {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(failed)?;
    if bytes.len() as u64 > cap {
        return Err(AuxiliaryError::Other(format!(
            "grew beyond the {cap} byte limit of an auxiliary file while being read"
        )));
    }
    Ok(crate::source::utf16_to_utf8(bytes))
}

/// [`read_auxiliary`] as text: not UTF-8 is an error naming the byte offset.
pub fn read_auxiliary_text(path: &Path) -> Result<String, AuxiliaryError> {
    let bytes = read_auxiliary(path)?;
    String::from_utf8(bytes).map_err(|e| {
        AuxiliaryError::Other(format!(
            "not valid UTF-8 (byte offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}
