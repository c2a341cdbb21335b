//! The "Kubernetes platform" section of the assessment reports (HTML, Markdown, xlsx): the
//! clusters found among the VMs (`report.clusters`), one row each.

use std::fmt::Write as _;

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::html::Esc;
use super::markdown::text;
use crate::assessment::Report;
use crate::clusters::ClusterReport;

const COLUMNS: [&str; 10] = [
    "Cluster",
    "Platform",
    "Nodes",
    "Control plane / workers",
    "Hosts",
    "HA",
    "DRS",
    "Admission control",
    "Phase",
    "Findings",
];

fn yes_no(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "on",
        Some(false) => "off",
        None => "unknown",
    }
}

fn cells(c: &ClusterReport) -> [String; 10] {
    [
        c.name.clone(),
        c.platform.to_string(),
        c.nodes.to_string(),
        format!("{} / {}", c.control_plane, c.workers),
        if c.hosts.is_empty() {
            "unknown".into()
        } else {
            c.hosts.len().to_string()
        },
        yes_no(c.ha).into(),
        yes_no(c.drs).into(),
        yes_no(c.admission_control).into(),
        c.phase.as_str().to_string(),
        if c.findings.is_empty() {
            "none".into()
        } else {
            c.findings.join(", ")
        },
    ]
}

const INTRO: &str = "Kubernetes clusters found among the VMs, each judged as a workload of its own (docs/kubernetes-platform.md).";

/// The Markdown section; nothing when no cluster was found.
pub fn markdown(out: &mut String, report: &Report) {
    if report.clusters.is_empty() {
        return;
    }
    let _ = write!(out, "### Kubernetes platform\n\n{INTRO}\n\n|");
    for c in COLUMNS {
        let _ = write!(out, " {c} |");
    }
    out.push_str("\n|");
    out.push_str(&"---|".repeat(COLUMNS.len()));
    out.push('\n');
    for c in &report.clusters {
        out.push('|');
        for cell in cells(c) {
            let _ = write!(out, " {} |", text(&cell));
        }
        out.push('\n');
    }
    out.push('\n');
}

/// The HTML section; nothing when no cluster was found.
pub fn html(out: &mut String, report: &Report) {
    if report.clusters.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section id=\"kubernetes-platform\">\n<h2>Kubernetes platform</h2>\n<p>{}</p>\n<table>\n<thead><tr>",
        Esc(INTRO)
    );
    for c in COLUMNS {
        let _ = write!(out, "<th>{}</th>", Esc(c));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for c in &report.clusters {
        out.push_str("<tr>");
        for cell in cells(c) {
            let _ = write!(out, "<td>{}</td>", Esc(&cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// The xlsx sheet "Kubernetes platform".
pub fn xlsx(ws: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    ws.set_name("Kubernetes platform")?;
    for (col, name) in COLUMNS.iter().enumerate() {
        ws.write_string(0, col as u16, *name)?;
    }
    for (row, c) in report.clusters.iter().enumerate() {
        for (col, cell) in cells(c).iter().enumerate() {
            ws.write_string(row as u32 + 1, col as u16, cell)?;
        }
    }
    Ok(())
}
