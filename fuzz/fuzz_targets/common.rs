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
