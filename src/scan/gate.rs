//! The CI gate: whether a report passes, and if not, why, in one line per reason.

use crate::model::{Phase, Severity};

use crate::assessment::{Report, WorkloadReport};

/// When the CI gate fails. The default fails on nothing.
#[derive(Debug, Clone, Default)]
pub struct Gate {
    /// Fail when a finding (or a file error, which is severity error) is at or above this.
    pub fail_on: Option<Severity>,
    /// Fail when a workload is below this phase.
    pub min_phase: Option<Phase>,
    /// Fail when more findings than this are reported (any severity, file errors included).
    pub max_findings: Option<usize>,
}

/// Something the gate counts: a finding, an unused suppression or a file error.
struct Item<'a> {
    severity: Severity,
    rule: &'a str,
    file: &'a str,
    line: Option<u32>,
}

impl Item<'_> {
    fn place(&self) -> String {
        match self.line {
            Some(l) => format!("{} at {}:{l}", self.rule, self.file),
            None => format!("{} at {}", self.rule, self.file),
        }
    }
}

/// Everything reported, in report order (file errors first: they are the most urgent).
fn items(report: &Report) -> impl Iterator<Item = Item<'_>> {
    let errors = report.errors.iter().map(|e| Item {
        severity: Severity::Error,
        rule: e.rule,
        file: &e.file,
        line: e.line,
    });
    let findings = report.workloads.iter().flat_map(|w| {
        w.findings.iter().map(|f| Item {
            severity: f.severity,
            rule: &f.rule,
            file: &f.file,
            line: Some(f.line),
        })
    });
    let unused = report.unused_suppressions.iter().map(|u| Item {
        severity: u.severity,
        rule: u.rule,
        file: &u.file,
        line: Some(u.line),
    });
    errors.chain(findings).chain(unused)
}

/// The reasons the gate fails, each one line naming an example. Empty means pass.
pub fn gate(report: &Report, gate: &Gate) -> Vec<String> {
    let mut reasons = Vec::new();
    if let Some(threshold) = gate.fail_on {
        let mut failing = items(report).filter(|i| i.severity >= threshold);
        if let Some(first) = failing.next() {
            let n = 1 + failing.count();
            let files = if report.errors.is_empty() {
                String::new()
            } else {
                format!(", including {} file error(s)", report.errors.len())
            };
            reasons.push(format!(
                "{n} finding(s) at or above severity {threshold}{files} (first: {}) (--fail-on {threshold})",
                first.place()
            ));
        }
    }
    if let Some(max) = gate.max_findings {
        let total = items(report).count();
        if total > max {
            reasons.push(format!(
                "{total} finding(s) reported, more than the {max} allowed (--max-findings {max})"
            ));
        }
    }
    if let Some(min) = gate.min_phase {
        let below: Vec<&WorkloadReport> =
            report.workloads.iter().filter(|w| w.phase < min).collect();
        if let Some(first) = below.first() {
            reasons.push(format!(
                "{} workload(s) below phase {min} (e.g. {} is {}) (--min-phase {min})",
                below.len(),
                first.name,
                first.phase
            ));
        }
    }
    reasons
}
