//! Reading an input file into memory: regular files only, opened without blocking, at
//! most the size limit, UTF-16 re-encoded; standard input as `-`.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use crate::model::ScanError;
use crate::source::{SourceFile, io_message, open_nonblocking};

/// The default `--max-file-size`: a larger input is an error entry, not read.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Candidate {
    pub path: PathBuf,
    pub display: String,
    /// Named on the command line (an error if unreadable or unrecognised).
    pub explicit: bool,
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
    // A path named on the command line is checked before it is opened (opening a device or a
    // FIFO can have effects of its own); a walked file was a regular file when its folder was
    // listed, which saves a stat per file. The open file is checked again either way: a path
    // can change in between.
    if c.explicit && !std::fs::metadata(&c.path).map_err(cannot)?.is_file() {
        return not_regular();
    }
    let file = open_nonblocking(&c.path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if !meta.is_file() {
        return not_regular();
    }
    if super::reads_in_place(&c.path) {
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
