//! `fitscan diff OLD.json NEW.json`: what moved between two scans. Workloads that changed
//! phase, disposition, score, properties or sizing; findings fixed and new (matched as a
//! baseline matches them: rule, file and fingerprint, so that moved lines do not count);
//! workloads added and removed; totals before and after.
//!
//! Reads the JSON reports leniently: a report written by an older fitscan (without
//! `properties`, `held_by` or `disposition`) compares on what it has.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::node::format_number;

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("{file}: cannot read: {message}")]
    Read { file: String, message: String },
    #[error("{file}: not a fitscan JSON report (`fitscan scan --format json`): {message}")]
    Parse { file: String, message: String },
}

/// A JSON report as `diff` reads it: every field optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReportFile {
    pub schema_version: Option<u32>,
    pub tool: Option<ToolIn>,
    pub workloads: Vec<WorkloadIn>,
    pub errors: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ToolIn {
    pub version: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WorkloadIn {
    pub id: Option<String>,
    pub name: String,
    pub kind: Option<String>,
    pub file: Option<String>,
    pub phase: Option<String>,
    pub held_by: Vec<String>,
    pub properties: BTreeMap<String, String>,
    pub score: Option<f64>,
    pub disposition: Option<String>,
    pub findings: Vec<FindingIn>,
    pub rightsizing: Option<RightsizingIn>,
}

impl WorkloadIn {
    fn key(&self) -> String {
        self.id
            .clone()
            .unwrap_or_else(|| format!("{}:{}", self.kind.as_deref().unwrap_or("?"), self.name))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FindingIn {
    pub rule: String,
    pub severity: Option<String>,
    pub message: String,
    pub file: String,
    pub line: Option<u32>,
    pub fingerprint: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct SizeIn {
    pub vcpu: Option<f64>,
    pub memory_gib: Option<f64>,
    pub storage_gib: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RightsizingIn {
    pub current: SizeIn,
    pub recommended: SizeIn,
    pub reclaimable: SizeIn,
}

impl ReportFile {
    /// Reads a JSON report from `path`.
    pub fn load(path: &std::path::Path) -> Result<ReportFile, DiffError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| DiffError::Read {
            file: file.clone(),
            message: e.to_string(),
        })?;
        ReportFile::parse(&file, &text)
    }

    pub fn parse(file: &str, text: &str) -> Result<ReportFile, DiffError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| DiffError::Parse {
                file: file.to_string(),
                message: e.to_string(),
            })?;
        if !value
            .get("workloads")
            .is_some_and(serde_json::Value::is_array)
        {
            return Err(DiffError::Parse {
                file: file.to_string(),
                message: "it has no `workloads` list".to_string(),
            });
        }
        serde_json::from_value(value).map_err(|e| DiffError::Parse {
            file: file.to_string(),
            message: e.to_string(),
        })
    }

    /// The report a scan produced, read as `diff` reads a file (for `scan --watch`).
    pub fn of(report: &crate::assessment::Report) -> ReportFile {
        serde_json::to_value(report)
            .ok()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }
}

/// Counts before or after.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Totals {
    pub workloads: usize,
    pub by_phase: BTreeMap<String, usize>,
    pub findings: BTreeMap<String, usize>,
    pub errors: usize,
    pub reclaimable: SizeIn,
}

fn totals(r: &ReportFile) -> Totals {
    let mut t = Totals {
        workloads: r.workloads.len(),
        errors: r.errors.len(),
        ..Totals::default()
    };
    for s in ["error", "warning", "info"] {
        t.findings.insert(s.to_string(), 0);
    }
    let mut recl = [0.0f64; 3];
    for w in &r.workloads {
        *t.by_phase
            .entry(w.phase.clone().unwrap_or_else(|| "?".into()))
            .or_default() += 1;
        for f in &w.findings {
            *t.findings
                .entry(f.severity.clone().unwrap_or_else(|| "?".into()))
                .or_default() += 1;
        }
        if let Some(rs) = &w.rightsizing {
            for (i, v) in [
                rs.reclaimable.vcpu,
                rs.reclaimable.memory_gib,
                rs.reclaimable.storage_gib,
            ]
            .into_iter()
            .enumerate()
            {
                if let Some(v) = v.filter(|v| *v > 0.0) {
                    recl[i] += v;
                }
            }
        }
    }
    let r2 = crate::sizing::rightsize::round2;
    t.reclaimable = SizeIn {
        vcpu: Some(r2(recl[0])),
        memory_gib: Some(r2(recl[1])),
        storage_gib: Some(r2(recl[2])),
    };
    t
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Change<T> {
    pub old: T,
    pub new: T,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WorkloadChange {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<Change<Option<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disposition: Option<Change<Option<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<Change<Option<f64>>>,
    /// Properties whose state changed (a report without properties compares none).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, Change<Option<String>>>,
    /// The recommended size, where it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommended: Option<Change<SizeIn>>,
    pub findings_new: usize,
    pub findings_fixed: usize,
}

impl WorkloadChange {
    /// Whether the phase, disposition or sizing moved (not only the score or findings).
    pub fn moved(&self) -> bool {
        self.phase.is_some() || self.disposition.is_some() || self.recommended.is_some()
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WorkloadRef {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FindingRef {
    pub rule: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub message: String,
    pub workload: String,
    pub workload_id: String,
    /// The workload itself was added (a new finding) or removed (a fixed one).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub with_workload: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Diff {
    pub old: Source,
    pub new: Source,
    pub totals: Change<Totals>,
    pub changed: Vec<WorkloadChange>,
    pub added: Vec<WorkloadRef>,
    pub removed: Vec<WorkloadRef>,
    pub findings_new: Vec<FindingRef>,
    pub findings_fixed: Vec<FindingRef>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Source {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_version: Option<String>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.findings_new.is_empty()
            && self.findings_fixed.is_empty()
    }
}

/// The identity of a finding across runs: rule, file and fingerprint (the message where an
/// old report has no fingerprint).
type FindingKey = (String, String, String);

fn finding_key(f: &FindingIn) -> FindingKey {
    (
        f.rule.clone(),
        f.file.clone(),
        f.fingerprint.clone().unwrap_or_else(|| f.message.clone()),
    )
}

fn workload_ref(w: &WorkloadIn) -> WorkloadRef {
    WorkloadRef {
        id: w.key(),
        name: w.name.clone(),
        kind: w.kind.clone(),
        phase: w.phase.clone(),
    }
}

/// What moved from `old` to `new`.
pub fn diff(old_name: &str, old: &ReportFile, new_name: &str, new: &ReportFile) -> Diff {
    let index = |r: &ReportFile| -> BTreeMap<String, usize> {
        r.workloads
            .iter()
            .enumerate()
            .map(|(i, w)| (w.key(), i))
            .collect()
    };
    let (old_ix, new_ix) = (index(old), index(new));

    // Findings, matched as a multiset: two identical findings and one left is one fixed.
    let mut old_left: BTreeMap<FindingKey, Vec<(usize, &FindingIn)>> = BTreeMap::new();
    for (wi, w) in old.workloads.iter().enumerate() {
        for f in &w.findings {
            old_left.entry(finding_key(f)).or_default().push((wi, f));
        }
    }
    let mut new_findings: Vec<(usize, &FindingIn)> = Vec::new();
    for (wi, w) in new.workloads.iter().enumerate() {
        for f in &w.findings {
            match old_left.get_mut(&finding_key(f)).and_then(Vec::pop) {
                Some(_) => {}
                None => new_findings.push((wi, f)),
            }
        }
    }
    let fixed: Vec<(usize, &FindingIn)> = old_left.into_values().flatten().collect();
    let refer = |f: &FindingIn, w: &WorkloadIn, with_workload: bool| FindingRef {
        rule: f.rule.clone(),
        severity: f.severity.clone(),
        file: f.file.clone(),
        line: f.line,
        message: f.message.clone(),
        workload: w.name.clone(),
        workload_id: w.key(),
        with_workload,
    };
    let mut findings_new: Vec<FindingRef> = new_findings
        .iter()
        .map(|(wi, f)| {
            let w = &new.workloads[*wi];
            refer(f, w, !old_ix.contains_key(&w.key()))
        })
        .collect();
    let mut findings_fixed: Vec<FindingRef> = fixed
        .iter()
        .map(|(wi, f)| {
            let w = &old.workloads[*wi];
            refer(f, w, !new_ix.contains_key(&w.key()))
        })
        .collect();
    let order = |a: &FindingRef, b: &FindingRef| {
        (&a.file, a.line, &a.rule).cmp(&(&b.file, b.line, &b.rule))
    };
    findings_new.sort_by(order);
    findings_fixed.sort_by(order);

    let mut changed = Vec::new();
    for w in &new.workloads {
        let Some(o) = old_ix.get(&w.key()).map(|i| &old.workloads[*i]) else {
            continue;
        };
        let change = |a: &Option<String>, b: &Option<String>| {
            (a != b).then(|| Change {
                old: a.clone(),
                new: b.clone(),
            })
        };
        let mut properties = BTreeMap::new();
        // Only where both reports judge properties: an older report has none to compare.
        if !o.properties.is_empty() && !w.properties.is_empty() {
            let keys: BTreeSet<&String> = o.properties.keys().chain(w.properties.keys()).collect();
            for k in keys {
                let (a, b) = (o.properties.get(k), w.properties.get(k));
                if a != b {
                    properties.insert(
                        k.clone(),
                        Change {
                            old: a.cloned(),
                            new: b.cloned(),
                        },
                    );
                }
            }
        }
        let size = |w: &WorkloadIn| w.rightsizing.as_ref().map(|r| r.recommended);
        let recommended = (size(o) != size(w)).then(|| Change {
            old: size(o).unwrap_or_default(),
            new: size(w).unwrap_or_default(),
        });
        let key = w.key();
        let c = WorkloadChange {
            id: key.clone(),
            name: w.name.clone(),
            kind: w.kind.clone(),
            phase: change(&o.phase, &w.phase),
            disposition: if o.disposition.is_some() && w.disposition.is_some() {
                change(&o.disposition, &w.disposition)
            } else {
                None
            },
            score: (o.score != w.score).then_some(Change {
                old: o.score,
                new: w.score,
            }),
            properties,
            recommended,
            findings_new: findings_new.iter().filter(|f| f.workload_id == key).count(),
            findings_fixed: findings_fixed
                .iter()
                .filter(|f| f.workload_id == key)
                .count(),
        };
        let any = c.moved()
            || c.score.is_some()
            || !c.properties.is_empty()
            || c.findings_new > 0
            || c.findings_fixed > 0;
        if any {
            changed.push(c);
        }
    }
    let added = new
        .workloads
        .iter()
        .filter(|w| !old_ix.contains_key(&w.key()))
        .map(workload_ref)
        .collect();
    let removed = old
        .workloads
        .iter()
        .filter(|w| !new_ix.contains_key(&w.key()))
        .map(workload_ref)
        .collect();
    Diff {
        old: Source {
            file: old_name.to_string(),
            tool_version: old.tool.as_ref().and_then(|t| t.version.clone()),
        },
        new: Source {
            file: new_name.to_string(),
            tool_version: new.tool.as_ref().and_then(|t| t.version.clone()),
        },
        totals: Change {
            old: totals(old),
            new: totals(new),
        },
        changed,
        added,
        removed,
        findings_new,
        findings_fixed,
    }
}

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("-")
}

fn size_text(s: &SizeIn) -> String {
    let n = |v: Option<f64>| v.map_or_else(|| "?".to_string(), format_number);
    format!("{}/{}/{}", n(s.vcpu), n(s.memory_gib), n(s.storage_gib))
}

/// What changed in one workload, in words: `phase unchanged -> optimised; score 34 -> 42`.
pub fn change_words(c: &WorkloadChange) -> String {
    let mut parts = Vec::new();
    if let Some(p) = &c.phase {
        parts.push(format!("phase {} -> {}", opt(&p.old), opt(&p.new)));
    }
    if let Some(d) = &c.disposition {
        parts.push(format!("disposition {} -> {}", opt(&d.old), opt(&d.new)));
    }
    if let Some(s) = &c.score {
        let n = |v: Option<f64>| v.map_or_else(|| "?".to_string(), format_number);
        parts.push(format!("score {} -> {}", n(s.old), n(s.new)));
    }
    for (p, ch) in &c.properties {
        parts.push(format!("{p} {} -> {}", opt(&ch.old), opt(&ch.new)));
    }
    if let Some(r) = &c.recommended {
        parts.push(format!(
            "recommended vCPU/GiB/disk GiB {} -> {}",
            size_text(&r.old),
            size_text(&r.new)
        ));
    }
    if c.findings_new > 0 {
        parts.push(format!("{} new finding(s)", c.findings_new));
    }
    if c.findings_fixed > 0 {
        parts.push(format!("{} fixed", c.findings_fixed));
    }
    parts.join("; ")
}

fn totals_line(label: &str, t: &Totals) -> String {
    let phases = ["unchanged", "optimised", "purpose-built", "not-assessed"]
        .iter()
        .map(|p| format!("{} {p}", t.by_phase.get(*p).copied().unwrap_or(0)))
        .collect::<Vec<_>>()
        .join(", ");
    let f = |s: &str| t.findings.get(s).copied().unwrap_or(0);
    format!(
        "{label}: {} workload(s) ({phases}); findings {} error, {} warning, {} info; {} file error(s); reclaimable {} vCPU, {} GiB memory, {} GiB storage",
        t.workloads,
        f("error"),
        f("warning"),
        f("info"),
        t.errors,
        t.reclaimable.vcpu.map_or_else(|| "?".into(), format_number),
        t.reclaimable
            .memory_gib
            .map_or_else(|| "?".into(), format_number),
        t.reclaimable
            .storage_gib
            .map_or_else(|| "?".into(), format_number),
    )
}

fn finding_line(f: &FindingRef) -> String {
    format!(
        "{}:{} {} {} ({}{}): {}",
        f.file,
        f.line.map_or_else(|| "?".to_string(), |l| l.to_string()),
        f.rule,
        f.severity.as_deref().unwrap_or("?"),
        f.workload,
        if f.with_workload {
            ", with the workload"
        } else {
            ""
        },
        f.message
    )
}

/// The diff as text for a terminal.
pub fn render_table(d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} -> {}", d.old.file, d.new.file);
    if d.is_empty() {
        out.push_str("Nothing moved: same workloads, phases, sizing and findings.\n");
    }
    if !d.changed.is_empty() {
        out.push_str("\nChanged\n");
        for c in &d.changed {
            let _ = writeln!(out, "  {}: {}", c.name, change_words(c));
        }
    }
    if !d.added.is_empty() {
        out.push_str("\nAdded\n");
        for w in &d.added {
            let _ = writeln!(out, "  {} ({}, {})", w.name, opt(&w.kind), opt(&w.phase));
        }
    }
    if !d.removed.is_empty() {
        out.push_str("\nRemoved\n");
        for w in &d.removed {
            let _ = writeln!(
                out,
                "  {} ({}, was {})",
                w.name,
                opt(&w.kind),
                opt(&w.phase)
            );
        }
    }
    if !d.findings_new.is_empty() {
        out.push_str("\nNew findings\n");
        for f in &d.findings_new {
            let _ = writeln!(out, "  + {}", finding_line(f));
        }
    }
    if !d.findings_fixed.is_empty() {
        out.push_str("\nFixed findings\n");
        for f in &d.findings_fixed {
            let _ = writeln!(out, "  - {}", finding_line(f));
        }
    }
    out.push('\n');
    let _ = writeln!(out, "{}", totals_line("Before", &d.totals.old));
    let _ = writeln!(out, "{}", totals_line("After ", &d.totals.new));
    crate::report::terminal::escape_text(&out).into_owned()
}

/// Escapes what Markdown would read as markup in a table cell or a list item.
fn md(s: &str) -> String {
    crate::report::markdown::text(s)
}

/// The diff as Markdown, to paste into a pull request or the minutes of a workshop.
pub fn render_markdown(d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## fitscan: what moved\n\n{} → {}\n",
        crate::report::markdown::code(&d.old.file, false),
        crate::report::markdown::code(&d.new.file, false)
    );
    if d.is_empty() {
        out.push_str("Nothing moved: same workloads, phases, sizing and findings.\n\n");
    }
    if !d.changed.is_empty() {
        out.push_str("### Changed\n\n| Workload | Phase | Disposition | Score | Recommended vCPU/GiB/disk GiB | Findings |\n|---|---|---|---|---|---|\n");
        for c in &d.changed {
            let pair = |c: &Option<Change<Option<String>>>| {
                c.as_ref().map_or_else(String::new, |c| {
                    format!("{} → {}", md(opt(&c.old)), md(opt(&c.new)))
                })
            };
            let score = c.score.as_ref().map_or_else(String::new, |s| {
                let n = |v: Option<f64>| v.map_or_else(|| "?".to_string(), format_number);
                format!("{} → {}", n(s.old), n(s.new))
            });
            let size = c.recommended.as_ref().map_or_else(String::new, |r| {
                format!("{} → {}", size_text(&r.old), size_text(&r.new))
            });
            let mut findings = Vec::new();
            if c.findings_new > 0 {
                findings.push(format!("+{}", c.findings_new));
            }
            if c.findings_fixed > 0 {
                findings.push(format!("−{}", c.findings_fixed));
            }
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                md(&c.name),
                pair(&c.phase),
                pair(&c.disposition),
                score,
                size,
                findings.join(" ")
            );
        }
        out.push('\n');
    }
    let list = |out: &mut String, title: &str, items: &[WorkloadRef]| {
        if items.is_empty() {
            return;
        }
        let _ = writeln!(out, "### {title}\n");
        for w in items {
            let _ = writeln!(
                out,
                "- {} ({}, {})",
                md(&w.name),
                md(opt(&w.kind)),
                md(opt(&w.phase))
            );
        }
        out.push('\n');
    };
    list(&mut out, "Added", &d.added);
    list(&mut out, "Removed", &d.removed);
    let findings = |out: &mut String, title: &str, items: &[FindingRef]| {
        if items.is_empty() {
            return;
        }
        let _ = writeln!(out, "### {title}\n");
        for f in items {
            let _ = writeln!(out, "- {}", md(&finding_line(f)));
        }
        out.push('\n');
    };
    findings(&mut out, "New findings", &d.findings_new);
    findings(&mut out, "Fixed findings", &d.findings_fixed);
    let _ = writeln!(
        out,
        "### Totals\n\n- {}\n- {}",
        md(&totals_line("Before", &d.totals.old)),
        md(&totals_line("After", &d.totals.new))
    );
    out
}

pub fn render_json(d: &Diff) -> String {
    let mut text = serde_json::to_string_pretty(d)
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot serialise: {e}\"}}"));
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(text: &str) -> ReportFile {
        ReportFile::parse("r.json", text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn an_old_report_without_properties_compares_on_what_it_has() {
        let old = report(
            r#"{"workloads":[{"id":"vm:a","name":"a","phase":"unchanged","score":34,
               "findings":[{"rule":"VM001","file":"v.yaml","line":3,"message":"m","fingerprint":"f1"},
                           {"rule":"VM002","file":"v.yaml","line":4,"message":"m2","fingerprint":"f2"}]},
              {"id":"vm:gone","name":"gone","phase":"unchanged","findings":[]}]}"#,
        );
        let new = report(
            r#"{"workloads":[{"id":"vm:a","name":"a","phase":"optimised","score":42,
               "properties":{"right-sized":"holds"},
               "findings":[{"rule":"VM001","file":"v.yaml","line":9,"message":"moved","fingerprint":"f1"},
                           {"rule":"VM011","file":"v.yaml","line":5,"message":"new","fingerprint":"f3"}]}]}"#,
        );
        let d = diff("old.json", &old, "new.json", &new);
        assert_eq!(d.changed.len(), 1);
        let c = &d.changed[0];
        assert_eq!(
            c.phase.as_ref().map(|p| p.new.clone()),
            Some(Some("optimised".into()))
        );
        assert!(c.properties.is_empty(), "the old report judged no property");
        assert_eq!((c.findings_new, c.findings_fixed), (1, 1));
        assert_eq!(d.findings_new.len(), 1);
        assert_eq!(d.findings_new[0].rule, "VM011");
        assert_eq!(d.findings_fixed[0].rule, "VM002");
        assert_eq!(d.removed.len(), 1);
        assert_eq!(d.totals.old.workloads, 2);
        assert!(render_table(&d).contains("phase unchanged -> optimised"));
        assert!(render_markdown(&d).contains("| a | unchanged → optimised |"));
    }

    #[test]
    fn not_a_report_is_an_error_naming_the_file() {
        let e = ReportFile::parse("x.json", "{\"a\": 1}").err();
        assert!(e.is_some_and(|e| {
            e.to_string()
                .starts_with("x.json: not a fitscan JSON report")
        }));
    }
}
