//! The JSON contract (schema_version 1) from PRODUCT.md, plus (an addition the contract
//! allows) `rules`: for each rule the report speaks of, its title, phase, severity, why it
//! matters and its documentation, said once per rule rather than repeated in every finding.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use crate::model::{Level, Severity};

use crate::assessment::{Report, RuleInfo};
use crate::json_once;
use crate::json_pretty::Pretty;

#[derive(Serialize)]
struct WithRules<'a> {
    #[serde(flatten)]
    report: &'a Report,
    rules: BTreeMap<&'a str, RuleNote<'a>>,
}

#[derive(Serialize)]
struct RuleNote<'a> {
    title: &'a str,
    level: Level,
    severity: Severity,
    /// Why the rule matters for its phase.
    rationale: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
}

fn with_rules(report: &Report) -> WithRules<'_> {
    let rules = report
        .rules_spoken_of()
        .into_iter()
        .map(|r: &RuleInfo| {
            (
                r.id.as_str(),
                RuleNote {
                    title: &r.title,
                    level: r.level,
                    severity: r.severity,
                    rationale: &r.rationale,
                    help_uri: super::sarif::help_uri(r),
                },
            )
        })
        .collect();
    WithRules { report, rules }
}

pub fn render(report: &Report) -> String {
    let mut out = serde_json::to_string_pretty(&with_rules(report))
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot serialise report: {e}\"}}"));
    out.push('\n');
    out
}

/// Writes the report straight to `out`: an estate of 50,000 VMs is a quarter of a
/// gigabyte of JSON, which is never held in memory as one string. The workloads, nearly all
/// of it, are rendered in parallel a batch at a time and written in order; the bytes are
/// those [`render`] gives.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    // serde_json writes a few bytes at a time: through a buffer of a known type those writes
    // are inlined copies, where straight to `dyn Write` each was a virtual call.
    let mut buffered = std::io::BufWriter::with_capacity(256 * 1024, out);
    let rules = with_rules(report).rules;
    // The report without its workloads, whose empty list marks where they go.
    let shell = Report {
        schema_version: report.schema_version,
        tool: report.tool.clone(),
        summary: report.summary.clone(),
        workloads: Vec::new(),
        errors: report.errors.clone(),
        skipped: report.skipped.clone(),
        assumptions: report.assumptions.clone(),
        unused_suppressions: report.unused_suppressions.clone(),
        rules: Vec::new(),
        unmatched_metrics: report.unmatched_metrics.clone(),
        clusters: report.clusters.clone(),
    };
    let mut head = Vec::new();
    WithRules {
        report: &shell,
        rules,
    }
    .serialize(&mut serde_json::Serializer::with_formatter(
        &mut head,
        Pretty::default(),
    ))
    .map_err(std::io::Error::other)?;
    drop(shell);
    // A top-level key is the only text at this indent after a line break (strings never
    // hold a raw line break), so the marker is the workloads' own list.
    let at = head
        .windows(WORKLOADS_MARKER.len())
        .position(|w| w == WORKLOADS_MARKER);
    match at {
        Some(at) if !report.workloads.is_empty() => {
            let open = at + WORKLOADS_MARKER.len() - 1;
            buffered.write_all(&head[..open])?;
            write_workloads(&report.workloads, &mut buffered)?;
            buffered.write_all(b"\n  ]")?;
            buffered.write_all(&head[open + 1..])?;
        }
        _ if report.workloads.is_empty() => buffered.write_all(&head)?,
        _ => {
            // An error writing keeps its kind (a closed pipe is not a failure to report).
            let mut serializer =
                serde_json::Serializer::with_formatter(&mut buffered, Pretty::default());
            with_rules(report)
                .serialize(&mut serializer)
                .map_err(|e| match e.io_error_kind() {
                    Some(kind) => std::io::Error::new(kind, e),
                    None => std::io::Error::other(e),
                })?;
        }
    }
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// The workloads' key and empty list as the pretty layout writes them at the top level.
const WORKLOADS_MARKER: &[u8] = b"\n  \"workloads\": []";

/// Workloads rendered per batch, at least: a batch gives every core two pieces, and its text
/// (about 10 KB a workload) stays small enough that the next batch reuses its memory instead
/// of touching new pages (page faults were a fifth of a 10,000-file scan's time).
const BATCH: usize = 256;

fn batch_size() -> usize {
    BATCH.max(rayon::current_num_threads() * PIECE * 2)
}
/// Workloads one worker renders into one buffer.
const PIECE: usize = 64;

/// Writes the elements of the top-level `workloads` list (from the first line break to the
/// last workload's closing brace), as serde_json's pretty printer writes them there.
fn write_workloads(
    workloads: &[crate::assessment::WorkloadReport],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let scope = json_once::new_scope();
    let written = write_batches(workloads, out, scope);
    // The texts of shared values were kept per worker thread for the whole report.
    rayon::broadcast(|_| json_once::forget());
    written
}

fn write_batches(
    workloads: &[crate::assessment::WorkloadReport],
    out: &mut impl Write,
    scope: u64,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    let mut first = true;
    // Bytes a workload took so far, at most: a piece's buffer starts that large, rather than
    // growing (and copying itself) by doubling. RVTools VMs take about 8.5 KB, pods 10.
    let per_workload = std::sync::atomic::AtomicUsize::new(8 * 1024);
    for batch in workloads.chunks(batch_size()) {
        let pieces: Vec<std::io::Result<Vec<u8>>> = batch
            .par_chunks(PIECE)
            .enumerate()
            .map(|(i, piece)| {
                // A workload's fields are three levels in: what workloads share is written
                // there once for the piece.
                json_once::rendering(scope, 3, || {
                    use std::sync::atomic::Ordering::Relaxed;
                    let mut buf = Vec::with_capacity(piece.len() * per_workload.load(Relaxed));
                    for (j, w) in piece.iter().enumerate() {
                        let very_first = first && i == 0 && j == 0;
                        buf.extend_from_slice(if very_first { b"\n    " } else { b",\n    " });
                        // Inside the top-level object and its list: two levels in.
                        crate::json_pretty::write(w, &mut buf, 2).map_err(std::io::Error::other)?;
                    }
                    // A sixteenth more than the largest average seen (the next piece's
                    // workloads are rarely all larger still), up to 32 KB: a piece of
                    // giants grows its buffer as it goes rather than reserve for the next.
                    let average = buf.len() / piece.len().max(1);
                    per_workload.fetch_max((average + average / 16).min(32 * 1024), Relaxed);
                    Ok(buf)
                })
            })
            .collect();
        for piece in pieces {
            out.write_all(&piece?)?;
        }
        first = false;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same bytes as serde_json's own pretty printer, deep nesting included.
    #[test]
    fn the_layout_is_serde_jsons_pretty_one() {
        let mut deep = serde_json::json!({"leaf": [1, "two", null, {"k": []}, {}]});
        for i in 0..80 {
            deep = serde_json::json!({ format!("level{i}"): [deep, i, {"x": "y\n\"z\""}] });
        }
        let mut ours = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut ours, Pretty::default());
        deep.serialize(&mut ser).unwrap();
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            serde_json::to_string_pretty(&deep).unwrap()
        );
    }

    /// What `write` streams is what `render` gives, byte for byte, for an estate of more
    /// workloads than one batch holds.
    #[test]
    fn written_is_rendered() {
        let opts = crate::ScanOptions {
            jobs: 2,
            ..crate::ScanOptions::default()
        };
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
        let mut report = crate::scan::scan(&[root], &opts).unwrap_or_else(|e| panic!("{e}"));
        assert!(!report.workloads.is_empty());
        let one = report.workloads[0].clone();
        while report.workloads.len() < super::batch_size() + 3 {
            report.workloads.push(one.clone());
        }
        let mut written = Vec::new();
        super::write(&report, &mut written).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(String::from_utf8_lossy(&written), super::render(&report));
        report.workloads.clear();
        let mut written = Vec::new();
        super::write(&report, &mut written).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(String::from_utf8_lossy(&written), super::render(&report));
    }
}
