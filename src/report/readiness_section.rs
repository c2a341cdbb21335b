//! The "Migration readiness" part of the reports (issue 20): per VM, ready, conditionally
//! ready or not ready for the target (`--target`, else the platform-neutral checks), with
//! the checks that decided it; for the estate, the counts and the checks that hold most
//! VMs back. The table gets a column, HTML and Markdown a section, the workbook a sheet.
//! Nothing here when every VM is ready for the platform-neutral checks: no target asked,
//! nothing to say.

use rust_xlsxwriter::{Format, Worksheet, XlsxError};

use crate::assessment::{Report, WorkloadReport};
use crate::model::readiness::{EstateReadiness, Readiness, Verdict};
use crate::readiness::NEUTRAL;

pub const TABLE_HEADER: &str = "Readiness";

pub fn has_readiness(report: &Report) -> bool {
    match &report.summary.readiness {
        None => false,
        Some(e) if e.target == NEUTRAL => e.vms.keys().any(|v| *v != Verdict::Ready.as_str()),
        Some(_) => true,
    }
}

fn judged(report: &Report) -> impl Iterator<Item = (&WorkloadReport, &Readiness)> {
    report
        .workloads
        .iter()
        .filter_map(|w| w.readiness.as_deref().map(|r| (w, r)))
}

/// The table's cell: the verdict and the checks behind it.
pub fn table_cell(w: &WorkloadReport) -> String {
    let Some(r) = &w.readiness else {
        return String::new();
    };
    if r.blockers.is_empty() {
        return r.verdict.as_str().to_string();
    }
    let checks: Vec<&str> = r.blockers.iter().map(|b| b.check.as_str()).collect();
    format!("{}: {}", r.verdict.as_str(), checks.join(", "))
}

fn intro(e: &EstateReadiness) -> String {
    let target = if e.target == NEUTRAL {
        "any target (no `--target` given: the platform-neutral checks only)".to_string()
    } else {
        format!("{} (limits checked {})", e.title, e.checked)
    };
    format!(
        "Each VM judged for {target}: ready to move as it is, conditionally ready (a change first), or not ready (it cannot move as it is)."
    )
}

fn counts(e: &EstateReadiness) -> String {
    let mut parts: Vec<String> = Verdict::ALL
        .iter()
        .map(|v| {
            format!(
                "{} {}",
                e.vms.get(v.as_str()).copied().unwrap_or(0),
                v.as_str()
            )
        })
        .collect();
    if e.incomplete > 0 {
        parts.push(format!(
            "{} with checks the inventory could not answer",
            e.incomplete
        ));
    }
    parts.join(", ")
}

fn reasons(r: &Readiness) -> Vec<String> {
    r.blockers
        .iter()
        .map(|b| {
            let fix = b
                .fix
                .as_deref()
                .map(|f| format!(" → {f}"))
                .unwrap_or_default();
            format!("{} ({}): {}{fix}", b.check, b.found, b.why)
        })
        .collect()
}

/// The checks that held most VMs back, most first.
fn top_checks(e: &EstateReadiness) -> Vec<(&str, usize)> {
    let mut v: Vec<(&str, usize)> = e.checks.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v
}

/// One line for the text summary: `Migration readiness (azure): 2 ready, ...`.
pub fn summary_line(report: &Report) -> String {
    match &report.summary.readiness {
        Some(e) => format!("Migration readiness ({}): {}", e.target, counts(e)),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------
// Markdown

fn md(s: &str) -> String {
    super::markdown::text(s).replace('|', "\\|")
}

pub fn markdown(report: &Report) -> String {
    let Some(e) = report
        .summary
        .readiness
        .as_ref()
        .filter(|_| has_readiness(report))
    else {
        return String::new();
    };
    let mut out = format!(
        "### Migration readiness\n\n{}\n\n{}.\n\n",
        md(&intro(e)),
        counts(e)
    );
    if !e.checks.is_empty() {
        out.push_str("| Check | VMs |\n|---|--:|\n");
        for (check, n) in top_checks(e) {
            out.push_str(&format!("| {} | {n} |\n", md(check)));
        }
        out.push('\n');
    }
    out.push_str("| VM | Verdict | Why | Not checked |\n|---|---|---|---|\n");
    for (w, r) in judged(report) {
        if r.verdict == Verdict::Ready && e.target == NEUTRAL {
            continue;
        }
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            md(&w.name),
            r.verdict.as_str(),
            md(&reasons(r).join("; ")),
            md(&r.not_checked.join(", "))
        ));
    }
    out.push_str(&format!("\nSources: {}.\n\n", e.sources.join(", ")));
    out
}

// ---------------------------------------------------------------------------------------
// HTML

/// HTML's own escaping (controls too), as text.
fn esc(s: &str) -> String {
    super::html::Esc(s).to_string()
}

pub fn html(report: &Report) -> String {
    let Some(e) = report
        .summary
        .readiness
        .as_ref()
        .filter(|_| has_readiness(report))
    else {
        return String::new();
    };
    let mut out =
        String::from("<section id=\"migration-readiness\">\n<h2>Migration readiness</h2>\n");
    out.push_str(&format!(
        "<p>{}</p>\n<p>{}.</p>\n",
        esc(&intro(e)),
        esc(&counts(e))
    ));
    if !e.checks.is_empty() {
        out.push_str("<table>\n<thead><tr><th>Check</th><th>VMs</th></tr></thead>\n<tbody>\n");
        for (check, n) in top_checks(e) {
            out.push_str(&format!(
                "<tr><td>{}</td><td class=\"num\">{n}</td></tr>\n",
                esc(check)
            ));
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("<table>\n<thead><tr><th>VM</th><th>Verdict</th><th>Why</th><th>Not checked</th></tr></thead>\n<tbody>\n");
    for (w, r) in judged(report) {
        if r.verdict == Verdict::Ready && e.target == NEUTRAL {
            continue;
        }
        let why: Vec<String> = reasons(r)
            .iter()
            .map(|x| format!("<li>{}</li>", esc(x)))
            .collect();
        let why = if why.is_empty() {
            "—".to_string()
        } else {
            format!("<ul>{}</ul>", why.join(""))
        };
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{why}</td><td>{}</td></tr>\n",
            esc(&w.name),
            r.verdict.as_str(),
            esc(&r.not_checked.join(", "))
        ));
    }
    let sources: Vec<String> = e.sources.iter().map(|s| esc(s)).collect();
    out.push_str(&format!(
        "</tbody>\n</table>\n<p>Sources: {}.</p>\n</section>\n",
        sources.join(", ")
    ));
    out
}

// ---------------------------------------------------------------------------------------
// Workbook

/// A "Migration readiness" sheet: one row per VM and blocking check.
pub fn xlsx_sheet(ws: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    ws.set_name("Migration readiness")?;
    let bold = Format::new().set_bold();
    let header = [
        "VM",
        "Target",
        "Verdict",
        "Check",
        "Check verdict",
        "Found",
        "Why",
        "Fix",
        "Not checked",
    ];
    for (i, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *h, &bold)?;
    }
    let mut row: u32 = 0;
    for (w, r) in judged(report) {
        let lines: Vec<Option<&crate::model::readiness::Blocker>> = if r.blockers.is_empty() {
            vec![None]
        } else {
            r.blockers.iter().map(Some).collect()
        };
        for b in lines {
            if row >= 1_048_000 {
                break;
            }
            row += 1;
            ws.write_string(row, 0, &w.name)?;
            ws.write_string(row, 1, &r.target)?;
            ws.write_string(row, 2, r.verdict.as_str())?;
            if let Some(b) = b {
                ws.write_string(row, 3, &b.check)?;
                ws.write_string(row, 4, b.verdict.as_str())?;
                ws.write_string(row, 5, &b.found)?;
                ws.write_string(row, 6, &b.why)?;
                ws.write_string(row, 7, b.fix.as_deref().unwrap_or(""))?;
            }
            ws.write_string(row, 8, r.not_checked.join(", "))?;
        }
    }
    ws.set_column_width(0, 32)?;
    ws.set_column_width(5, 40)?;
    ws.set_column_width(6, 60)?;
    ws.set_column_width(7, 60)?;
    Ok(())
}
