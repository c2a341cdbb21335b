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

/// serde_json's pretty layout (two spaces a level), written with one copy for each line
/// break and its indentation where serde_json's own writes the indentation a level at a
/// time: about a million keys for 1,000 workloads.
#[derive(Default)]
struct Pretty {
    level: usize,
    has_value: bool,
}

/// A comma, a line break and the deepest indentation written in one piece.
const BREAK: &[u8] = b",\n                                                                                                                                ";

impl Pretty {
    /// `,\n` (or `\n` when first) and the indentation of the current level.
    fn line<W: ?Sized + Write>(&self, w: &mut W, first: bool) -> std::io::Result<()> {
        let start = usize::from(first);
        let mut spaces = self.level * 2;
        let room = BREAK.len() - 2;
        w.write_all(&BREAK[start..2 + spaces.min(room)])?;
        while spaces > room {
            spaces -= room;
            w.write_all(&BREAK[2..2 + spaces.min(room)])?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.line(w, true)?;
        }
        w.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.line(w, true)?;
        }
        w.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
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
    let mut serializer = serde_json::Serializer::with_formatter(&mut buffered, Pretty::default());
    with_rules(report)
        .serialize(&mut serializer)
        .map_err(|e| match e.io_error_kind() {
            Some(kind) => std::io::Error::new(kind, e),
            None => std::io::Error::other(e),
        })?;
    buffered.write_all(b"\n")?;
    buffered.flush()
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
}
