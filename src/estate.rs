//! The estate summary: what an inventory adds to the per-workload figures — powered-off
//! VMs, end-of-life operating systems, rows that are not workloads, capacity and findings
//! by datacenter / cluster / host / vCenter, and the monthly cost with a catalog.

use std::collections::BTreeMap;

use crate::model::WorkloadKind;

use crate::assessment::{CostSummary, EstateSummary, GroupSummary, Totals, WorkloadReport};
use crate::sizing::rightsize::round2;

/// The labels the summary groups by, when the inventory names them.
pub const GROUP_KEYS: &[&str] = &["datacenter", "cluster", "host", "vcenter"];

/// The rule whose findings mark an end-of-life operating system.
const END_OF_LIFE_RULE: &str = "VM012";

fn is_powered_off(w: &WorkloadReport) -> bool {
    w.labels
        .get("power_state")
        .is_some_and(|s| s == "poweredOff")
}

fn has_end_of_life_os(w: &WorkloadReport) -> bool {
    w.findings.iter().any(|f| f.rule == END_OF_LIFE_RULE)
}

/// (current, recommended) monthly price of a workload, summed over its components.
fn prices(w: &WorkloadReport) -> Option<(f64, f64)> {
    if let Some(fit) = &w.catalog {
        return Some((fit.current_price_per_month?, fit.price_per_month?));
    }
    if w.components.is_empty() {
        return None;
    }
    let mut total = (0.0, 0.0);
    for c in &w.components {
        let fit = c.catalog.as_ref()?;
        total.0 += c.count * fit.current_price_per_month?;
        total.1 += c.count * fit.price_per_month?;
    }
    Some(total)
}

fn fitted(w: &WorkloadReport) -> bool {
    w.catalog.is_some()
        || (!w.components.is_empty() && w.components.iter().all(|c| c.catalog.is_some()))
}

pub fn summarise(
    workloads: &[WorkloadReport],
    skipped: BTreeMap<String, usize>,
    unmatched_metrics: usize,
    catalog: Option<&crate::sizing::catalog::CatalogInfo>,
) -> EstateSummary {
    let mut s = EstateSummary {
        skipped,
        unmatched_metrics,
        ..EstateSummary::default()
    };
    let mut cost = catalog.map(|c| CostSummary {
        currency: c.currency.clone(),
        ..CostSummary::default()
    });
    for w in workloads {
        let off = is_powered_off(w);
        let eol = has_end_of_life_os(w);
        s.powered_off += usize::from(off);
        s.end_of_life_os += usize::from(eol);
        if let Some(c) = cost.as_mut() {
            match prices(w) {
                Some((now, after)) => {
                    c.priced_workloads += 1;
                    c.current_per_month += now;
                    c.recommended_per_month += after;
                }
                None if !fitted(w)
                    && w.rightsizing.is_some()
                    && matches!(w.kind, WorkloadKind::Vm | WorkloadKind::Vnf) =>
                {
                    c.unfit += 1;
                }
                None => {}
            }
        }
        for key in GROUP_KEYS {
            let Some(value) = w.labels.get(key) else {
                continue;
            };
            let g = s
                .groups
                .entry((*key).to_string())
                .or_default()
                .entry(value.clone())
                .or_default();
            g.workloads += 1;
            g.powered_off += usize::from(off);
            g.end_of_life_os += usize::from(eol);
            if let Some(rs) = &w.rightsizing {
                let mut under = false;
                for (cur, rec, total_cur, total_rec) in [
                    (
                        rs.current.vcpu,
                        rs.reclaimable.vcpu,
                        &mut g.current.vcpu,
                        &mut g.reclaimable.vcpu,
                    ),
                    (
                        rs.current.memory_gib,
                        rs.reclaimable.memory_gib,
                        &mut g.current.memory_gib,
                        &mut g.reclaimable.memory_gib,
                    ),
                    (
                        rs.current.storage_gib,
                        rs.reclaimable.storage_gib,
                        &mut g.current.storage_gib,
                        &mut g.reclaimable.storage_gib,
                    ),
                ] {
                    *total_cur += cur.unwrap_or(0.0);
                    match rec {
                        Some(r) if r > 0.0 => *total_rec += r,
                        Some(r) if r < 0.0 => under = true,
                        _ => {}
                    }
                }
                g.undersized += usize::from(under);
            }
        }
    }
    for groups in s.groups.values_mut() {
        for g in groups.values_mut() {
            for t in [&mut g.current, &mut g.reclaimable] {
                t.vcpu = round2(t.vcpu);
                t.memory_gib = round2(t.memory_gib);
                t.storage_gib = round2(t.storage_gib);
            }
        }
    }
    if let Some(mut c) = cost {
        c.current_per_month = round2(c.current_per_month);
        c.recommended_per_month = round2(c.recommended_per_month);
        c.saving_per_month = round2(c.current_per_month - c.recommended_per_month);
        s.cost = Some(c);
    }
    s
}

/// Groups shown per dimension in the table; JSON has them all.
const TABLE_GROUPS: usize = 20;

/// The estate part of the table summary: powered off, end of life, skipped rows, cost,
/// groups, unmatched metrics. Empty when the scan had none of these.
pub fn render_table(report: &crate::assessment::Report, terminal: bool) -> String {
    use std::fmt::Write;

    use comfy_table::presets::UTF8_FULL_CONDENSED;
    use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};

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
