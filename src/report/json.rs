//! The JSON contract (schema_version 1) from PRODUCT.md.

use std::io::Write;

use crate::model::Report;

pub fn render(report: &Report) -> String {
    let mut out = serde_json::to_string_pretty(report)
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot serialise report: {e}\"}}"));
    out.push('\n');
    out
}

/// Writes the report straight to `out`: an estate of 50,000 VMs is a quarter of a
/// gigabyte of JSON, which is never held in memory as one string.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    // serde_json writes a few bytes at a time: through a buffer of a known type those writes
    // are inlined copies, where straight to `dyn Write` each was a virtual call.
    let mut buffered = std::io::BufWriter::with_capacity(256 * 1024, out);
    serde_json::to_writer_pretty(&mut buffered, report).map_err(std::io::Error::other)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}
