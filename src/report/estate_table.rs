//! The estate summary as a table (after the workloads' table).

use crate::assessment::{GroupSummary, Totals};

/// Groups shown per dimension in the table; JSON has them all.
const TABLE_GROUPS: usize = 20;

/// The estate part of the table summary: powered off, end of life, skipped rows, cost,
/// groups, unmatched metrics. Empty when the scan had none of these.
pub fn render_table(report: &crate::assessment::Report, terminal: bool) -> String {
    use std::fmt::Write;

    use comfy_table::presets::UTF8_FULL_CONDENSED;
    use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};

    use crate::assessment::GROUP_KEYS;
    use crate::node::format_number;

    let s = &report.summary.estate;
    let mut out = String::new();
    let mut facts = Vec::new();
    if s.powered_off > 0 {
        facts.push(format!("{} powered off", s.powered_off));
    }
    if s.end_of_life_os > 0 {
        facts.push(format!("{} with an end-of-life OS", s.end_of_life_os));
    }
    if !s.skipped.is_empty() {
        let parts: Vec<String> = s
            .skipped
            .iter()
            .map(|(reason, n)| match reason.as_str() {
                "template" => format!("{n} template(s)"),
                "srm-placeholder" => format!("{n} SRM placeholder(s)"),
                other => format!("{n} {other}"),
            })
            .collect();
        facts.push(format!("not workloads: {}", parts.join(", ")));
    }
    if !facts.is_empty() {
        let _ = writeln!(out, "Estate: {}", facts.join("; "));
    }
    if let Some(c) = &s.cost {
        let currency = c
            .currency
            .as_deref()
            .map(|c| format!(" {c}"))
            .unwrap_or_default();
        let name = report
            .assumptions
            .catalog
            .as_ref()
            .and_then(|i| i.name.clone())
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let _ = write!(
            out,
            "Catalog{name}: {} workload(s) priced: {}{currency}/month now, {}{currency}/month right-sized, saving {}{currency}/month",
            c.priced_workloads,
            format_number(c.current_per_month),
            format_number(c.recommended_per_month),
            format_number(c.saving_per_month),
        );
        if c.unfit > 0 {
            let _ = write!(out, "; {} fit no entry", c.unfit);
        }
        out.push('\n');
    }
    for (dimension, groups) in GROUP_KEYS
        .iter()
        .filter_map(|k| s.groups.get(*k).map(|g| (*k, g)))
    {
        let mut rows: Vec<(&String, &GroupSummary)> = groups.iter().collect();
        rows.sort_by(|a, b| b.1.workloads.cmp(&a.1.workloads).then(a.0.cmp(b.0)));
        let mut table = Table::new();
        table.load_style(UTF8_FULL_CONDENSED);
        if terminal {
            table.set_content_arrangement(ContentArrangement::Dynamic);
        } else {
            table.force_no_tty();
        }
        table.set_header(vec![
            dimension,
            "Workloads",
            "Off",
            "EOL OS",
            "Undersized",
            "vCPU/GiB/disk GiB now",
            "reclaimable",
        ]);
        let totals = |t: &Totals| {
            format!(
                "{}/{}/{}",
                format_number(t.vcpu),
                format_number(t.memory_gib),
                format_number(t.storage_gib)
            )
        };
        for (name, g) in rows.iter().take(TABLE_GROUPS) {
            let right = |v: usize| Cell::new(v).set_alignment(CellAlignment::Right);
            table.add_row(vec![
                Cell::new(name),
                right(g.workloads),
                right(g.powered_off),
                right(g.end_of_life_os),
                right(g.undersized),
                Cell::new(totals(&g.current)),
                Cell::new(totals(&g.reclaimable)),
            ]);
        }
        let _ = writeln!(out, "By {dimension}:\n{table}");
        if rows.len() > TABLE_GROUPS {
            let _ = writeln!(
                out,
                "  ... and {} more (all in --format json, summary.groups.{dimension})",
                rows.len() - TABLE_GROUPS
            );
        }
    }
    if !report.unmatched_metrics.is_empty() {
        let shown: Vec<String> = report
            .unmatched_metrics
            .iter()
            .take(10)
            .map(|u| format!("{} ({}:{})", u.name, u.file, u.line))
            .collect();
        let more = report.unmatched_metrics.len().saturating_sub(10);
        let _ = writeln!(
            out,
            "Metrics matching no workload: {} row(s): {}{}",
            report.unmatched_metrics.len(),
            shown.join(", "),
            if more > 0 {
                format!(", and {more} more")
            } else {
                String::new()
            }
        );
    }
    out
}
