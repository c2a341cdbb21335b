//! The JSON contract (schema_version 1) from PRODUCT.md, plus (an addition the contract
//! allows) `rules`: for each rule the report speaks of, its title, phase, severity, why it
//! matters and its documentation, said once per rule rather than repeated in every finding.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use crate::model::{Level, Severity};

use crate::assessment::{Report, RuleInfo};

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
/// gigabyte of JSON, which is never held in memory as one string.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    // serde_json writes a few bytes at a time: through a buffer of a known type those writes
    // are inlined copies, where straight to `dyn Write` each was a virtual call.
    let mut buffered = std::io::BufWriter::with_capacity(256 * 1024, out);
    // An error writing keeps its kind (a closed pipe is not a failure to report).
    serde_json::to_writer_pretty(&mut buffered, &with_rules(report)).map_err(|e| {
        match e.io_error_kind() {
            Some(kind) => std::io::Error::new(kind, e),
            None => std::io::Error::other(e),
        }
    })?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}
