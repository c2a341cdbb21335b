//! The sizing sheets: one row per workload's right-sizing, one per component (VDU,
//! container).

use super::*;

pub(super) const SIZING_COLUMNS: &[(&str, f64)] = &[
    ("Workload", 32.0),
    ("Kind", 14.0),
    ("Basis", 12.0),
    ("Confidence", 11.0),
    ("Rating (1-5)", 11.0),
    ("Data points", 11.0),
    ("Period days", 11.0),
    ("Now vCPU", 10.0),
    ("Now memory GiB", 12.0),
    ("Now storage GiB", 12.0),
    ("Demand vCPU", 11.0),
    ("Demand memory GiB", 12.0),
    ("Demand storage GiB", 12.0),
    ("Recommended vCPU", 12.0),
    ("Recommended memory GiB", 14.0),
    ("Recommended storage GiB", 14.0),
    ("Reclaimable vCPU", 12.0),
    ("Reclaimable memory GiB", 14.0),
    ("Reclaimable storage GiB", 14.0),
    ("Catalog entry", 16.0),
    ("Current entry", 16.0),
    ("Price now / month", 13.0),
    ("Price right-sized / month", 14.0),
    ("Saving / month", 12.0),
];

pub(super) fn sizing_cells(
    ws: &mut Worksheet,
    row: u32,
    first_col: u16,
    s: &Sizing,
    format: &Format,
) -> Result<(), XlsxError> {
    opt_number(ws, row, first_col, s.vcpu, format)?;
    opt_number(ws, row, first_col + 1, s.memory_gib, format)?;
    opt_number(ws, row, first_col + 2, s.storage_gib, format)
}

pub(super) fn rightsizing_sheet(
    ws: &mut Worksheet,
    report: &Report,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name("Right-sizing")?;
    table_header(ws, f, SIZING_COLUMNS, 1)?;
    let sized: Vec<&WorkloadReport> = report
        .workloads
        .iter()
        .filter(|w| w.rightsizing.is_some())
        .collect();
    let mut row = 0;
    for w in &sized {
        let Some(rs) = &w.rightsizing else { continue };
        if row >= LAST_ROW {
            break;
        }
        row += 1;
        text(ws, row, 0, &w.name)?;
        ws.write_string(row, 1, w.kind.as_str())?;
        let measured = rs.basis == Basis::Utilisation;
        ws.write_string(row, 2, if measured { "utilisation" } else { "none" })?;
        ws.write_string(row, 3, rs.confidence.as_str())?;
        ws.write_number_with_format(row, 4, f64::from(rs.rating), &f.integer)?;
        opt_number(ws, row, 5, rs.data_points, &f.percent)?;
        opt_number(ws, row, 6, rs.period_days, &f.number)?;
        sizing_cells(ws, row, 7, &rs.current, &f.number)?;
        if measured {
            sizing_cells(ws, row, 10, &rs.demand, &f.number)?;
        }
        sizing_cells(ws, row, 13, &rs.recommended, &f.number)?;
        sizing_cells(ws, row, 16, &rs.reclaimable, &f.signed)?;
        if let Some(fit) = &w.catalog {
            text(ws, row, 19, &fit.entry)?;
            text(ws, row, 20, fit.current_entry.as_deref().unwrap_or(""))?;
            opt_number(ws, row, 21, fit.current_price_per_month, &f.money)?;
            opt_number(ws, row, 22, fit.price_per_month, &f.money)?;
        }
        opt_number(ws, row, 23, overview::monthly_saving(w), &f.money)?;
    }
    finish_table(
        ws,
        f,
        SIZING_COLUMNS.len(),
        row,
        sized.len().saturating_sub(row as usize),
        "workloads",
    )
}

pub(super) const COMPONENT_COLUMNS: &[(&str, f64)] = &[
    ("Workload", 32.0),
    ("Component", 24.0),
    ("File", 40.0),
    ("Line", 7.0),
    ("Instances", 10.0),
    ("Basis", 12.0),
    ("Now vCPU", 10.0),
    ("Now memory GiB", 12.0),
    ("Now storage GiB", 12.0),
    ("Recommended vCPU", 12.0),
    ("Recommended memory GiB", 14.0),
    ("Recommended storage GiB", 14.0),
    ("Reclaimable vCPU", 12.0),
    ("Reclaimable memory GiB", 14.0),
    ("Reclaimable storage GiB", 14.0),
    ("Catalog entry", 16.0),
    ("Price / instance / month", 14.0),
];

pub(super) fn components_sheet(
    ws: &mut Worksheet,
    report: &Report,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name("Components")?;
    table_header(ws, f, COMPONENT_COLUMNS, 2)?;
    let total: usize = report.workloads.iter().map(|w| w.components.len()).sum();
    let mut row = 0;
    'workloads: for w in &report.workloads {
        for c in &w.components {
            if row >= LAST_ROW {
                break 'workloads;
            }
            row += 1;
            text(ws, row, 0, &w.name)?;
            text(ws, row, 1, &c.name)?;
            text(ws, row, 2, c.file.as_deref().unwrap_or(&w.file))?;
            ws.write_number_with_format(row, 3, f64::from(c.line), &f.integer)?;
            ws.write_number_with_format(row, 4, c.count, &f.number)?;
            if let Some(rs) = &c.rightsizing {
                let measured = rs.basis == Basis::Utilisation;
                ws.write_string(row, 5, if measured { "utilisation" } else { "none" })?;
                sizing_cells(ws, row, 6, &rs.current, &f.number)?;
                sizing_cells(ws, row, 9, &rs.recommended, &f.number)?;
                sizing_cells(ws, row, 12, &rs.reclaimable, &f.signed)?;
            }
            if let Some(fit) = &c.catalog {
                text(ws, row, 15, &fit.entry)?;
                opt_number(ws, row, 16, fit.price_per_month, &f.money)?;
            }
        }
    }
    finish_table(
        ws,
        f,
        COMPONENT_COLUMNS.len(),
        row,
        total.saturating_sub(row as usize),
        "components",
    )
}
