//! Walks the paths given, honouring `.gitignore`, and picks the files worth reading.
//!
//! Folders are walked in parallel (ripgrep's walker). Only regular files are read: a FIFO,
//! socket or device found while walking is passed over, and one named on the command line
//! is an error, never a read that blocks. Symbolic links are not followed unless asked, and
//! then a loop is reported once instead of walked forever.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkState};

use crate::ingest;
use crate::ingest::read::{Candidate, STDIN_ARG, STDIN_DISPLAY};
use crate::model::ScanError;
use crate::source::io_message;

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
