//! `--format csv` (one row per finding) and `--format csv-workloads` (one row per
//! workload), for spreadsheets. Quoting is the `csv` crate's (RFC 4180). A spreadsheet
//! runs a cell that starts with `=`, `+`, `-` or `@` as a formula, so every text cell that
//! starts with one of those (or with a tab or carriage return) gets a leading `'`, as OWASP
//! recommends; numbers fitscan computed are written as numbers.

use crate::model::Sizing;

use crate::assessment::{Report, WorkloadReport};
use crate::node::format_number;
use crate::sizing::rightsize::Basis;

use super::overview::{Counts, Overview};

/// Columns of `--format csv`.
pub const FINDING_COLUMNS: &[&str] = &[
    "status",
    "rule",
    "severity",
    "level",
    "gating",
    "property",
    "title",
    "workload",
    "workload_id",
    "kind",
    "generation",
    "phase",
    "file",
    "line",
    "message",
    "remediation",
    "rationale",
    "suppressed_by",
    "suppression_reason",
    "fingerprint",
];

/// Columns of `--format csv-workloads`.
pub const WORKLOAD_COLUMNS: &[&str] = &[
    "workload",
    "id",
    "kind",
    "generation",
    "platform",
    "phase",
    "score",
    "confidence",
    "disconnect",
    "disposition",
    "effort",
    "file",
    "line",
    "findings_error",
    "findings_warning",
    "findings_info",
    "suppressed",
    "roadmap",
    "evidence_needed",
    "sizing_basis",
    "sizing_confidence",
    "current_vcpu",
    "current_memory_gib",
    "current_storage_gib",
    "demand_vcpu",
    "demand_memory_gib",
    "demand_storage_gib",
    "recommended_vcpu",
    "recommended_memory_gib",
    "recommended_storage_gib",
    "reclaimable_vcpu",
    "reclaimable_memory_gib",
    "reclaimable_storage_gib",
    "catalog_entry",
    "price_now_per_month",
    "price_recommended_per_month",
    "saving_per_month",
    "datacenter",
    "cluster",
    "host",
    "vcenter",
    "power_state",
    "notes",
];

/// A text cell a spreadsheet will not evaluate.
pub fn guard(s: &str) -> String {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

fn number(v: Option<f64>) -> String {
    v.map(format_number).unwrap_or_default()
}

fn money(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2}")).unwrap_or_default()
}

fn write_rows(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut ok = writer.write_record(header).is_ok();
    for row in rows {
        ok &= writer.write_record(&row).is_ok();
    }
    // Writing to memory only fails on a bug; say so in the output rather than lose it.
    let bytes = match writer.into_inner() {
        Ok(bytes) if ok => bytes,
        _ => return "error\nfitscan could not write this CSV (a bug: please report it)\n".into(),
    };
    String::from_utf8(bytes).unwrap_or_default()
}

/// Workload columns every finding row repeats.
fn workload_cells(w: Option<&WorkloadReport>) -> [String; 5] {
    match w {
        Some(w) => [
            guard(&w.name),
            guard(&w.id),
            w.kind.as_str().to_string(),
            w.generation.number().to_string(),
            w.phase.as_str().to_string(),
        ],
        None => Default::default(),
    }
}

pub fn render_findings(report: &Report) -> String {
    let ov = Overview::new(report);
    let mut rows: Vec<Vec<String>> = Vec::new();
    for w in &report.workloads {
        let [name, id, kind, generation, phase] = workload_cells(Some(w));
        for f in &w.findings {
            rows.push(vec![
                "open".into(),
                guard(&f.rule),
                f.severity.as_str().into(),
                f.level.as_str().into(),
                f.gating.to_string(),
                f.property.map_or("", |p| p.as_str()).into(),
                guard(&f.title),
                name.clone(),
                id.clone(),
                kind.clone(),
                generation.clone(),
                phase.clone(),
                guard(&f.file),
                f.line.to_string(),
                guard(&f.message),
                guard(&f.remediation),
                guard(ov.rationale(&f.rule)),
                String::new(),
                String::new(),
                f.fingerprint.clone(),
            ]);
        }
        for s in &w.suppressed {
            let rule = ov.rule(&s.rule);
            rows.push(vec![
                "suppressed".into(),
                guard(&s.rule),
                s.severity.as_str().into(),
                rule.map(|r| r.level.as_str().to_string())
                    .unwrap_or_default(),
                rule.map(|r| r.gating.to_string()).unwrap_or_default(),
                rule.and_then(|r| r.property)
                    .map_or("", |p| p.as_str())
                    .into(),
                guard(rule.map_or("", |r| r.title.as_str())),
                name.clone(),
                id.clone(),
                kind.clone(),
                generation.clone(),
                phase.clone(),
                guard(&s.file),
                s.line.to_string(),
                guard(&s.message),
                String::new(),
                guard(ov.rationale(&s.rule)),
                guard(&format!(
                    "{} {}:{}",
                    s.by.origin.as_str(),
                    s.by.file,
                    s.by.line
                )),
                guard(s.reason.as_deref().unwrap_or("")),
                s.fingerprint.clone(),
            ]);
        }
    }
    for u in &report.unused_suppressions {
        let w = u
            .workload
            .as_deref()
            .and_then(|name| report.workloads.iter().find(|w| w.name == name));
        let [name, id, kind, generation, phase] = workload_cells(w);
        rows.push(vec![
            "open".into(),
            u.rule.into(),
            u.severity.as_str().into(),
            String::new(),
            "false".into(),
            "Suppression matches nothing".into(),
            if w.is_some() {
                name
            } else {
                guard(u.workload.as_deref().unwrap_or(""))
            },
            id,
            kind,
            generation,
            phase,
            guard(&u.file),
            u.line.to_string(),
            guard(&u.message),
            guard(&u.remediation),
            String::new(),
            String::new(),
            String::new(),
            u.fingerprint.clone(),
        ]);
    }
    for e in &report.errors {
        rows.push(vec![
            "open".into(),
            e.rule.into(),
            "error".into(),
            String::new(),
            "false".into(),
            String::new(),
            if e.rule == "parse-error" {
                "A file could not be parsed".into()
            } else {
                "A file could not be read".into()
            },
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            guard(&e.file),
            e.line.map(|l| l.to_string()).unwrap_or_default(),
            guard(&e.message),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    write_rows(FINDING_COLUMNS, rows.into_iter())
}

pub fn render_workloads(report: &Report) -> String {
    let rows = report.workloads.iter().map(workload_row);
    write_rows(WORKLOAD_COLUMNS, rows)
}

fn sizing_cells(s: Option<&Sizing>) -> [String; 3] {
    match s {
        Some(s) => [number(s.vcpu), number(s.memory_gib), number(s.storage_gib)],
        None => Default::default(),
    }
}

fn workload_row(w: &WorkloadReport) -> Vec<String> {
    let c = Counts::of(w);
    let rs = w.rightsizing.as_ref();
    let measured = rs.filter(|rs| rs.basis == Basis::Utilisation);
    let ids = |items: Vec<&str>| guard(&items.join(" "));
    let label = |key: &str| guard(w.labels.get(key).unwrap_or(""));
    let fit = w.catalog.as_ref();
    let mut row = vec![
        guard(&w.name),
        guard(&w.id),
        w.kind.as_str().into(),
        w.generation.number().to_string(),
        w.generation.platform().into(),
        w.phase.as_str().into(),
        w.score.to_string(),
        format_number(w.confidence),
        w.disconnect.to_string(),
        w.disposition.as_str().into(),
        w.effort.to_string(),
        guard(&w.file),
        w.line.to_string(),
        c.error.to_string(),
        c.warning.to_string(),
        c.info.to_string(),
        w.suppressed.len().to_string(),
        ids(w.roadmap.iter().map(|r| &*r.rule).collect()),
        ids(w.evidence_needed.iter().map(|e| &*e.rule).collect()),
        rs.map(|rs| match rs.basis {
            Basis::Utilisation => "utilisation",
            Basis::None => "none",
        })
        .unwrap_or_default()
        .into(),
        rs.map(|rs| rs.confidence.as_str())
            .unwrap_or_default()
            .into(),
    ];
    row.extend(sizing_cells(rs.map(|rs| &rs.current)));
    row.extend(sizing_cells(measured.map(|rs| &rs.demand)));
    row.extend(sizing_cells(rs.map(|rs| &rs.recommended)));
    row.extend(sizing_cells(rs.map(|rs| &rs.reclaimable)));
    row.extend([
        guard(fit.map_or("", |f| f.entry.as_str())),
        money(fit.and_then(|f| f.current_price_per_month)),
        money(fit.and_then(|f| f.price_per_month)),
        money(super::overview::monthly_saving(w)),
        label("datacenter"),
        label("cluster"),
        label("host"),
        label("vcenter"),
        label("power_state"),
        guard(&w.notes.join("; ")),
    ]);
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_defused() {
        assert_eq!(guard("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(guard("+1"), "'+1");
        assert_eq!(guard("-2"), "'-2");
        assert_eq!(guard("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(guard("\tx"), "'\tx");
        assert_eq!(guard("web-01"), "web-01");
        assert_eq!(guard(""), "");
    }
}
