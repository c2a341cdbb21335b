//! Walks the paths given, honouring `.gitignore`, and picks the files worth reading.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
}

/// The candidate files under `paths`, sorted; a path that does not exist is an error.
pub fn discover(paths: &[PathBuf], opts: WalkOptions) -> Result<Vec<Candidate>, crate::Error> {
    let mut out = Vec::new();
    for root in paths {
        let meta = std::fs::metadata(root).map_err(|e| crate::Error::Path {
            path: root.display().to_string(),
            message: if e.kind() == std::io::ErrorKind::NotFound {
                "no such file or directory".to_string()
            } else {
                e.to_string()
            },
        })?;
        if !meta.is_dir() {
            out.push(Candidate {
                path: root.clone(),
                display: root.display().to_string(),
                explicit: true,
            });
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
            .hidden(true);
        for entry in builder.build() {
            let Ok(entry) = entry else { continue };
            let is_file = entry.file_type().is_some_and(|t| t.is_file());
            if !is_file {
                continue;
            }
            let name = entry.file_name().to_string_lossy();
            if !ingest::is_candidate(&name) {
                continue;
            }
            let path = entry.into_path();
            out.push(Candidate {
                display: display_path(&path),
                path,
                explicit: false,
            });
        }
    }
    out.sort_by(|a, b| a.display.cmp(&b.display));
    out.dedup_by(|a, b| a.display == b.display);
    Ok(out)
}

fn display_path(path: &Path) -> String {
    let s = path.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// Reads a candidate: regular files only, at most `max_size` bytes. Ok(None) means
/// "skip silently" (something found by walking that is not a regular file).
pub fn read(c: &Candidate, max_size: u64) -> Result<Option<SourceFile>, ScanError> {
    let meta = std::fs::metadata(&c.path)
        .map_err(|e| ScanError::input(&c.display, format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return if c.explicit {
            Err(ScanError::input(
                &c.display,
                "not a regular file (a FIFO, socket or device is never read)",
            ))
        } else {
            Ok(None)
        };
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
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    let file = std::fs::File::open(&c.path)
        .map_err(|e| ScanError::input(&c.display, format!("cannot read: {e}")))?;
    // The size may change between stat and read; never read more than the cap.
    file.take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ScanError::input(&c.display, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > max_size {
        return Err(ScanError::input(
            &c.display,
            "skipped: file grew beyond the size limit while being read",
        ));
    }
    Ok(Some(SourceFile {
        path: c.path.clone(),
        display: Arc::from(c.display.as_str()),
        bytes,
        explicit: c.explicit,
    }))
}
