#![allow(dead_code)] // each target uses its part

//! What the targets share: reading one in-memory file the way a scan does, and failing
//! loudly when the scan's panic guard had to step in (a panic is a bug, even a caught one).

use fitscan::ingest::{FileOutput, IngestContext, ingest};
use fitscan::source::SourceFile;

pub fn file(name: &str, data: &[u8]) -> SourceFile {
    let mut file = SourceFile::from_text(name, "");
    file.bytes = data.to_vec();
    file
}

/// Ingests a file named on the command line; panics escape to libFuzzer.
pub fn ingest_named(name: &str, data: &[u8]) -> FileOutput {
    ingest(&file(name, data), &IngestContext::default())
}

/// libFuzzer's panic hook aborts on every panic, even one fitscan catches on purpose (the
/// guard around calamine, whose cell-reference arithmetic overflows on malformed input).
/// Targets that reach such a guard let caught panics unwind; a panic that escapes the
/// target still aborts, and so does an "internal error" entry (the scan's own guard).
pub fn allow_caught_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| std::panic::set_hook(Box::new(|_| {})));
}
