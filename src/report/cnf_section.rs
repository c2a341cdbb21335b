//! The "CNF readiness" part of the reports (issue 21): per VM-based VNF and VDU, the
//! verdict, the cluster features it needs and the rework; for the estate, the features the
//! Kubernetes clusters must offer. The table gets a column, HTML and Markdown a section,
//! the workbook a sheet. Nothing here when no workload has a readiness.

use rust_xlsxwriter::{Format, Worksheet, XlsxError};

use crate::assessment::{Report, WorkloadReport};
use crate::model::cnf::{CnfReadiness, EstateReadiness, Verdict};

pub const TABLE_HEADER: &str = "CNF readiness";

const INTRO: &str = "Each VDU of a VM-based VNF (generation 2) judged for running as containers on Kubernetes (generation 3): ready, ready with platform features (what the cluster must offer), or needs rework (what the function must change).";

pub fn has_readiness(report: &Report) -> bool {
    report.workloads.iter().any(|w| w.cnf_readiness.is_some())
}

fn readiness(report: &Report) -> impl Iterator<Item = (&WorkloadReport, &CnfReadiness)> {
    report
        .workloads
        .iter()
        .filter_map(|w| w.cnf_readiness.as_deref().map(|r| (w, r)))
}

/// The table's cell: the verdict, and how many cluster features or rework items.
pub fn table_cell(w: &WorkloadReport) -> String {
    let Some(r) = &w.cnf_readiness else {
        let cnf = w.kind == crate::model::WorkloadKind::Vnf
            && w.generation == crate::model::Generation::CloudNative;
        return if cnf {
            "a CNF already".into()
        } else {
            String::new()
        };
    };
    let rework: usize = r.vdus.iter().map(|v| v.rework.len()).sum();
    match r.verdict {
        Verdict::Ready => "ready".into(),
        Verdict::ReadyWithPlatformFeatures => {
            format!("ready with {} cluster feature(s)", r.cluster_features.len())
        }
        Verdict::NeedsRework => format!("needs rework ({rework} item(s))"),
    }
}

fn features_text(r: &crate::model::cnf::VduReadiness) -> String {
    r.cluster_features
        .iter()
        .map(|f| f.label())
        .collect::<Vec<_>>()
        .join("; ")
}

fn rework_text(r: &crate::model::cnf::VduReadiness) -> String {
    r.rework
        .iter()
        .map(|x| format!("{}: {} → {}", x.kind.as_str(), x.detail, x.kind.remedy()))
        .collect::<Vec<_>>()
        .join("; ")
}

fn counts(e: &EstateReadiness) -> String {
    Verdict::ALL
        .iter()
        .map(|v| {
            format!(
                "{} {} VNF(s) / {} VDU(s)",
                v.as_str(),
                e.workloads.get(v.as_str()).copied().unwrap_or(0),
                e.vdus.get(v.as_str()).copied().unwrap_or(0)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------
// Markdown

fn md(s: &str) -> String {
    super::markdown::text(s).replace('|', "\\|")
}

pub fn markdown(report: &Report) -> String {
    let Some(estate) = &report.summary.cnf_readiness else {
        return String::new();
    };
    let mut out = format!("### CNF readiness\n\n{INTRO}\n\n{}.\n\n", counts(estate));
    if !estate.cluster_features.is_empty() {
        out.push_str(
            "#### Cluster features to plan for\n\n| Feature | VNFs | VDUs |\n|---|--:|--:|\n",
        );
        for f in &estate.cluster_features {
            out.push_str(&format!("| {} | {} | {} |\n", f.label, f.workloads, f.vdus));
        }
        out.push('\n');
    }
    out.push_str("| VNF | VDU | Verdict | Cluster features | Rework |\n|---|---|---|---|---|\n");
    for (w, r) in readiness(report) {
        for v in &r.vdus {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                md(&w.name),
                md(&v.vdu),
                v.verdict.as_str(),
                md(&features_text(v)),
                md(&rework_text(v))
            ));
        }
    }
    out.push('\n');
    out
}

// ---------------------------------------------------------------------------------------
// HTML

/// HTML's own escaping (controls too), as text.
fn esc(s: &str) -> String {
    super::html::Esc(s).to_string()
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "—".into();
    }
    let li: Vec<String> = items
        .iter()
        .map(|i| format!("<li>{}</li>", esc(i)))
        .collect();
    format!("<ul>{}</ul>", li.join(""))
}

pub fn html(report: &Report) -> String {
    let Some(estate) = &report.summary.cnf_readiness else {
        return String::new();
    };
    let mut out = String::from("<section id=\"cnf-readiness\">\n<h2>CNF readiness</h2>\n");
    out.push_str(&format!(
        "<p>{}</p>\n<p>{}.</p>\n",
        esc(INTRO),
        esc(&counts(estate))
    ));
    if !estate.cluster_features.is_empty() {
        out.push_str("<h3>Cluster features to plan for</h3>\n<table>\n<thead><tr><th>Feature</th><th>VNFs</th><th>VDUs</th></tr></thead>\n<tbody>\n");
        for f in &estate.cluster_features {
            out.push_str(&format!(
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                esc(f.label),
                f.workloads,
                f.vdus
            ));
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("<h3>Per VNF and VDU</h3>\n<table>\n<thead><tr><th>VNF (generation 2: phase)</th><th>VDU</th><th>Verdict</th><th>Cluster features</th><th>Rework</th></tr></thead>\n<tbody>\n");
    for (w, r) in readiness(report) {
        for (i, v) in r.vdus.iter().enumerate() {
            let vnf = if i == 0 {
                format!(
                    "{} ({}: {})",
                    esc(&w.name),
                    w.generation.number(),
                    w.phase.as_str()
                )
            } else {
                String::new()
            };
            let features: Vec<String> = v
                .cluster_features
                .iter()
                .map(|f| f.label().to_string())
                .collect();
            let rework: Vec<String> = v
                .rework
                .iter()
                .map(|x| format!("{} → {}", x.detail, x.kind.remedy()))
                .collect();
            out.push_str(&format!(
                "<tr><td>{vnf}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                esc(&v.vdu),
                v.verdict.as_str(),
                list(&features),
                list(&rework)
            ));
        }
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
    out
}

// ---------------------------------------------------------------------------------------
// Workbook

/// A "CNF readiness" sheet: one row per VDU, then the estate's cluster features.
pub fn xlsx_sheet(ws: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    ws.set_name("CNF readiness")?;
    let bold = Format::new().set_bold();
    let header = [
        "VNF",
        "Generation",
        "Phase",
        "VDU",
        "Verdict",
        "Cluster features",
        "Rework",
    ];
    for (i, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *h, &bold)?;
    }
    let mut row: u32 = 0;
    for (w, r) in readiness(report) {
        for v in &r.vdus {
            if row >= 1_048_000 {
                break;
            }
            row += 1;
            ws.write_string(row, 0, &w.name)?;
            ws.write_number(row, 1, f64::from(w.generation.number()))?;
            ws.write_string(row, 2, w.phase.as_str())?;
            ws.write_string(row, 3, &v.vdu)?;
            ws.write_string(row, 4, v.verdict.as_str())?;
            ws.write_string(row, 5, features_text(v))?;
            ws.write_string(row, 6, rework_text(v))?;
        }
    }
    if let Some(estate) = &report.summary.cnf_readiness {
        row += 2;
        ws.write_string_with_format(row, 0, "Cluster features to plan for", &bold)?;
        ws.write_string_with_format(row, 1, "VNFs", &bold)?;
        ws.write_string_with_format(row, 2, "VDUs", &bold)?;
        for f in &estate.cluster_features {
            row += 1;
            ws.write_string(row, 0, f.label)?;
            ws.write_number(row, 1, f.workloads as f64)?;
            ws.write_number(row, 2, f.vdus as f64)?;
        }
    }
    ws.set_column_width(0, 32)?;
    ws.set_column_width(5, 60)?;
    ws.set_column_width(6, 80)?;
    Ok(())
}
