//! `--format xlsx`: the workbook consultants hand over, written with rust_xlsxwriter.
//! Sheets: Summary (key figures, the generation x phase matrix with a chart, kinds, effort
//! by disposition, top findings, assumptions), Workloads, Findings, Right-sizing,
//! Components (when any workload has some) and Rules. Every table sheet has a frozen
//! header row and an autofilter; numbers are numbers (sizes, prices, percentages), so they
//! sort and sum.
//!
//! Text is written as text cells: a name starting with `=` is never a formula here. Excel's
//! limits are kept: a cell holds at most 32,767 characters (longer text is cut with `…`), a
//! sheet 1,048,576 rows (a note says what was left out), 65,530 hyperlinks.

mod sizing;

use sizing::*;
use std::borrow::Cow;

use rust_xlsxwriter::{
    Chart, ChartFormat, ChartSolidFill, ChartType, Color, DocProperties, ExcelDateTime, Format,
    FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::RenderOptions;
use super::overview::{self, Counts, Overview};
use crate::assessment::{Report, Totals, WorkloadReport};
use crate::model::{Generation, Phase, Sizing};
use crate::sizing::rightsize::Basis;

/// Excel's longest cell text, in UTF-16 units; text is cut a little below it.
const MAX_CELL: usize = 32_000;
/// Excel's last row (0-based), keeping one for the "left out" note.
const LAST_ROW: u32 = 1_048_574;
/// Hyperlinks Excel allows on one sheet.
const MAX_LINKS: usize = 65_530;

const PHASE_COLOURS: [u32; 4] = [0xC0392B, 0xD68910, 0x1E8449, 0x7F8C8D];

fn cell(s: &str) -> Cow<'_, str> {
    if s.len() <= MAX_CELL {
        // Bytes bound UTF-16 units from above.
        return Cow::Borrowed(s);
    }
    let mut units = 0;
    let mut end = s.len();
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > MAX_CELL {
            end = i;
            break;
        }
    }
    if end == s.len() {
        return Cow::Borrowed(s);
    }
    Cow::Owned(format!("{}…", &s[..end]))
}

struct Formats {
    title: Format,
    bold: Format,
    header: Format,
    integer: Format,
    number: Format,
    signed: Format,
    percent: Format,
    money: Format,
    link: Format,
    phases: [Format; 4],
}

impl Formats {
    fn new() -> Formats {
        let phase = |rgb: u32| {
            Format::new()
                .set_background_color(Color::RGB(rgb))
                .set_font_color(Color::White)
                .set_bold()
                .set_align(FormatAlign::Center)
        };
        Formats {
            title: Format::new().set_bold().set_font_size(16),
            bold: Format::new().set_bold(),
            header: Format::new()
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(Color::RGB(0x17324D))
                .set_border_bottom(FormatBorder::Thin),
            integer: Format::new().set_num_format("0"),
            number: Format::new().set_num_format("General"),
            signed: Format::new().set_num_format("General;[Red]-General"),
            percent: Format::new().set_num_format("0%"),
            money: Format::new().set_num_format("#,##0.00"),
            link: Format::new()
                .set_font_color(Color::RGB(0x1F5F8B))
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
            phases: [
                phase(PHASE_COLOURS[0]),
                phase(PHASE_COLOURS[1]),
                phase(PHASE_COLOURS[2]),
                phase(PHASE_COLOURS[3]),
            ],
        }
    }
    fn phase(&self, p: Phase) -> &Format {
        &self.phases[overview::phase_index(p)]
    }
}

/// A table sheet: header, frozen panes, widths and an autofilter over what was written.
fn table_header(
    ws: &mut Worksheet,
    f: &Formats,
    columns: &[(&str, f64)],
    frozen_columns: u16,
) -> Result<(), XlsxError> {
    for (col, (name, width)) in columns.iter().enumerate() {
        let col = col as u16;
        ws.write_string_with_format(0, col, *name, &f.header)?;
        ws.set_column_width(col, *width)?;
    }
    ws.set_freeze_panes(1, frozen_columns)?;
    Ok(())
}

fn finish_table(
    ws: &mut Worksheet,
    f: &Formats,
    columns: usize,
    last_row: u32,
    left_out: usize,
    what: &str,
) -> Result<(), XlsxError> {
    ws.autofilter(0, 0, last_row, (columns.max(1) - 1) as u16)?;
    if left_out > 0 {
        ws.write_string_with_format(
            last_row + 1,
            0,
            format!("{left_out} more {what} do not fit in a sheet: see the CSV or JSON report"),
            &f.bold,
        )?;
    }
    Ok(())
}

fn opt_number(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    v: Option<f64>,
    f: &Format,
) -> Result<(), XlsxError> {
    if let Some(v) = v.filter(|v| v.is_finite()) {
        ws.write_number_with_format(row, col, v, f)?;
    }
    Ok(())
}

fn text(ws: &mut Worksheet, row: u32, col: u16, s: &str) -> Result<(), XlsxError> {
    if !s.is_empty() {
        ws.write_string(row, col, cell(s))?;
    }
    Ok(())
}

pub fn render(report: &Report, opts: &RenderOptions) -> Result<Vec<u8>, XlsxError> {
    let ov = Overview::new(report);
    let f = Formats::new();
    let mut workbook = Workbook::new();
    let mut properties = DocProperties::new()
        .set_title(format!(
            "Workload assessment: {} workloads",
            report.summary.workloads
        ))
        .set_author(format!("fitscan {}", report.tool.version))
        .set_comment(overview::reproduce_command(report));
    if let Some(date) = opts.scan_date.as_deref().and_then(excel_date) {
        properties = properties.set_creation_datetime(&date);
    }
    workbook.set_properties(&properties);

    summary_sheet(workbook.add_worksheet(), &ov, &f, opts)?;
    workloads_sheet(workbook.add_worksheet(), report, &f)?;
    findings_sheet(workbook.add_worksheet(), &ov, &f)?;
    rightsizing_sheet(workbook.add_worksheet(), report, &f)?;
    if report.workloads.iter().any(|w| !w.components.is_empty()) {
        components_sheet(workbook.add_worksheet(), report, &f)?;
    }
    if !report.clusters.is_empty() {
        super::clusters::xlsx(workbook.add_worksheet(), report)?;
    }
    if super::readiness_section::has_readiness(report) {
        super::readiness_section::xlsx_sheet(workbook.add_worksheet(), report)?;
    }
    if super::cnf_section::has_readiness(report) {
        super::cnf_section::xlsx_sheet(workbook.add_worksheet(), report)?;
    }
    rules_sheet(workbook.add_worksheet(), &ov, &f)?;
    workbook.save_to_buffer()
}

/// `2024-05-01T10:05:00Z` as the workbook's creation time.
fn excel_date(rfc3339: &str) -> Option<ExcelDateTime> {
    let part = |a: usize, b: usize| rfc3339.get(a..b).and_then(|s| s.parse::<u16>().ok());
    let small = |a: usize, b: usize| rfc3339.get(a..b).and_then(|s| s.parse::<u8>().ok());
    let d = ExcelDateTime::from_ymd(part(0, 4)?, small(5, 7)?, small(8, 10)?).ok()?;
    d.and_hms(part(11, 13)?, small(14, 16)?, small(17, 19)?)
        .ok()
}

fn summary_sheet(
    ws: &mut Worksheet,
    ov: &Overview<'_>,
    f: &Formats,
    opts: &RenderOptions,
) -> Result<(), XlsxError> {
    let r = ov.report;
    let s = &r.summary;
    ws.set_name("Summary")?;
    ws.set_column_width(0, 34)?;
    for col in 1..=6 {
        ws.set_column_width(col, 15)?;
    }
    ws.set_column_width(7, 60)?;
    ws.write_string_with_format(0, 0, "Workload assessment", &f.title)?;
    let mut subtitle = format!("{} workloads · fitscan {}", s.workloads, r.tool.version);
    if let Some(date) = &opts.scan_date {
        subtitle.push_str(&format!(" · scanned {}", overview::readable_date(date)));
    }
    text(ws, 1, 0, &subtitle)?;

    // Key figures.
    let mut row = 3;
    ws.write_string_with_format(row, 0, "Key figures", &f.bold)?;
    row += 1;
    let mut figure =
        |ws: &mut Worksheet, label: &str, v: f64, format: &Format| -> Result<(), XlsxError> {
            ws.write_string(row, 0, label)?;
            ws.write_number_with_format(row, 1, v, format)?;
            row += 1;
            Ok(())
        };
    figure(ws, "Workloads", s.workloads as f64, &f.integer)?;
    for p in Phase::ALL {
        figure(
            ws,
            p.as_str(),
            s.by_phase.get(p.as_str()).copied().unwrap_or(0) as f64,
            &f.integer,
        )?;
    }
    figure(
        ws,
        "Generation disconnects",
        s.disconnects as f64,
        &f.integer,
    )?;
    figure(ws, "Findings: error", s.findings.error as f64, &f.integer)?;
    figure(
        ws,
        "Findings: warning",
        s.findings.warning as f64,
        &f.integer,
    )?;
    figure(ws, "Findings: info", s.findings.info as f64, &f.integer)?;
    figure(ws, "Suppressed findings", s.suppressed as f64, &f.integer)?;
    figure(ws, "File errors", s.errors as f64, &f.integer)?;
    figure(ws, "Files skipped", s.skipped_files as f64, &f.integer)?;
    figure(ws, "Reclaimable vCPU", s.reclaimable.vcpu, &f.number)?;
    figure(
        ws,
        "Reclaimable memory GiB",
        s.reclaimable.memory_gib,
        &f.number,
    )?;
    figure(
        ws,
        "Reclaimable storage GiB",
        s.reclaimable.storage_gib,
        &f.number,
    )?;
    if s.undersized > 0 {
        figure(ws, "Undersized workloads", s.undersized as f64, &f.integer)?;
        figure(ws, "Missing vCPU", s.missing.vcpu, &f.number)?;
        figure(ws, "Missing memory GiB", s.missing.memory_gib, &f.number)?;
        figure(ws, "Missing storage GiB", s.missing.storage_gib, &f.number)?;
    }
    if let Some(cost) = &s.estate.cost {
        let cur = cost.currency.as_deref().unwrap_or("");
        figure(
            ws,
            format!("Cost per month now {cur}").trim_end(),
            cost.current_per_month,
            &f.money,
        )?;
        figure(
            ws,
            format!("Cost per month right-sized {cur}").trim_end(),
            cost.recommended_per_month,
            &f.money,
        )?;
        figure(
            ws,
            format!("Saving per month {cur}").trim_end(),
            cost.saving_per_month,
            &f.money,
        )?;
    }
    let effort: u32 = ov.dispositions.iter().map(|d| d.effort).sum();
    figure(
        ws,
        "Effort points to the next phase",
        f64::from(effort),
        &f.integer,
    )?;
    let mut row = row + 1;

    // Generation x phase, and its chart beside it.
    ws.write_string_with_format(row, 0, "Generation × phase", &f.bold)?;
    row += 1;
    let matrix_header = row;
    for (col, name) in [
        "Generation",
        "unchanged",
        "optimised",
        "purpose-built",
        "Total",
        "Disconnects",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(row, col as u16, *name, &f.header)?;
    }
    row += 1;
    for (g, generation) in Generation::ALL.iter().enumerate() {
        ws.write_string(
            row,
            0,
            format!("{} {}", generation.number(), generation.platform()),
        )?;
        for p in 0..3 {
            ws.write_number_with_format(row, 1 + p as u16, ov.matrix[g][p] as f64, &f.integer)?;
        }
        ws.write_number_with_format(
            row,
            4,
            ov.total_workloads_in_generation(g) as f64,
            &f.integer,
        )?;
        ws.write_number_with_format(row, 5, ov.disconnects_by_generation[g] as f64, &f.integer)?;
        row += 1;
    }
    let mut chart = Chart::new(ChartType::BarStacked);
    chart.title().set_name("Workloads by generation and phase");
    // One series per phase, in the matrix's column order.
    for (p, colour) in PHASE_COLOURS.iter().enumerate() {
        let col = 1 + p as u16;
        chart
            .add_series()
            .set_name(("Summary", matrix_header, col))
            .set_categories(("Summary", matrix_header + 1, 0, matrix_header + 3, 0))
            .set_values(("Summary", matrix_header + 1, col, matrix_header + 3, col))
            .set_format(
                ChartFormat::new()
                    .set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(*colour))),
            )
            .set_gap(60);
    }
    // In a bar chart the value axis is x and the category axis y: generations read 1, 2, 3
    // from the top, as in the table.
    chart.x_axis().set_name("Workloads");
    chart.y_axis().set_reverse();
    chart.set_width(560).set_height(260);
    ws.insert_chart(3, 3, &chart)?;
    row += 1;

    ws.write_string_with_format(row, 0, "Workloads by kind", &f.bold)?;
    row += 1;
    for (col, name) in [
        "Kind",
        "Workloads",
        "unchanged",
        "optimised",
        "purpose-built",
        "Disconnects",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(row, col as u16, *name, &f.header)?;
    }
    row += 1;
    for k in &ov.kinds {
        ws.write_string(row, 0, k.kind.as_str())?;
        ws.write_number_with_format(row, 1, k.workloads as f64, &f.integer)?;
        for p in 0..3 {
            ws.write_number_with_format(row, 2 + p as u16, k.by_phase[p] as f64, &f.integer)?;
        }
        ws.write_number_with_format(row, 5, k.disconnects as f64, &f.integer)?;
        row += 1;
    }
    row += 1;

    let per_point = ov.report.assumptions.effort_days_per_point;
    ws.write_string_with_format(row, 0, "Effort: the plan", &f.bold)?;
    row += 1;
    for (col, name) in ["Disposition", "Workloads", "Effort points", "Person-days"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(row, col as u16, *name, &f.header)?;
    }
    ws.write_string_with_format(row, 7, "What it means here", &f.header)?;
    ws.write_string_with_format(row, 8, "For example", &f.header)?;
    row += 1;
    for d in ov.dispositions.iter().filter(|d| d.workloads > 0) {
        ws.write_string(row, 0, d.disposition.as_str())?;
        ws.write_number_with_format(row, 1, d.workloads as f64, &f.integer)?;
        ws.write_number_with_format(row, 2, f64::from(d.effort), &f.integer)?;
        ws.write_number_with_format(row, 3, f64::from(d.effort) * per_point, &f.number)?;
        ws.write_string(row, 7, overview::disposition_meaning(d.disposition))?;
        let examples: Vec<&str> = d
            .examples
            .iter()
            .map(|i| ov.report.workloads[*i].name.as_str())
            .collect();
        text(ws, row, 8, &examples.join(", "))?;
        row += 1;
    }
    if !ov.evidence.is_empty() {
        row += 1;
        ws.write_string_with_format(row, 0, "Evidence to collect", &f.bold)?;
        ws.write_string(
            row,
            1,
            format!(
                "assessment effort: {} points ({} person-days), apart from the work",
                ov.assessment_effort,
                overview::person_days(ov.assessment_effort, per_point)
            ),
        )?;
        row += 1;
        for (col, name) in ["What to collect", "Workloads", "Needed by"]
            .iter()
            .enumerate()
        {
            ws.write_string_with_format(row, col as u16, *name, &f.header)?;
        }
        row += 1;
        for e in &ov.evidence {
            text(ws, row, 0, e.collect)?;
            ws.write_number_with_format(row, 1, e.workloads as f64, &f.integer)?;
            text(ws, row, 2, &e.rules.join(", "))?;
            row += 1;
        }
    }
    row += 1;

    if ov.sized_workloads > 0 {
        ws.write_string_with_format(row, 0, "Right-sizing", &f.bold)?;
        row += 1;
        for (col, name) in ["", "vCPU", "Memory GiB", "Storage GiB"].iter().enumerate() {
            ws.write_string_with_format(row, col as u16, *name, &f.header)?;
        }
        row += 1;
        let mut totals = |ws: &mut Worksheet, label: &str, t: &Totals| -> Result<(), XlsxError> {
            ws.write_string(row, 0, label)?;
            ws.write_number_with_format(row, 1, t.vcpu, &f.number)?;
            ws.write_number_with_format(row, 2, t.memory_gib, &f.number)?;
            ws.write_number_with_format(row, 3, t.storage_gib, &f.number)?;
            row += 1;
            Ok(())
        };
        totals(ws, "Now", &ov.current_total)?;
        totals(ws, "Right-sized", &ov.recommended_total)?;
        totals(ws, "Reclaimable", &s.reclaimable)?;
        row += 1;
    }

    ws.write_string_with_format(row, 0, "Top findings", &f.bold)?;
    row += 1;
    for (col, name) in [
        "Rule",
        "Severity",
        "Needed for",
        "Findings",
        "Workloads",
        "",
        "",
        "Title and examples",
    ]
    .iter()
    .enumerate()
    {
        if !name.is_empty() {
            ws.write_string_with_format(row, col as u16, *name, &f.header)?;
        }
    }
    row += 1;
    for c in &ov.rule_counts {
        text(ws, row, 0, c.rule)?;
        ws.write_string(row, 1, c.severity.as_str())?;
        ws.write_string(row, 2, c.level.as_str())?;
        ws.write_number_with_format(row, 3, c.findings as f64, &f.integer)?;
        ws.write_number_with_format(row, 4, c.workloads as f64, &f.integer)?;
        let examples: Vec<&str> = c
            .examples
            .iter()
            .filter_map(|i| r.workloads.get(*i))
            .map(|w| w.name.as_str())
            .collect();
        let more = c.workloads.saturating_sub(c.examples.len());
        text(
            ws,
            row,
            7,
            &format!(
                "{} — e.g. {}{}",
                c.title,
                examples.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ),
        )?;
        row += 1;
    }
    row += 1;

    let a = &r.assumptions;
    ws.write_string_with_format(row, 0, "Assumptions", &f.bold)?;
    row += 1;
    let mut line = |ws: &mut Worksheet, label: &str, value: &str| -> Result<(), XlsxError> {
        ws.write_string(row, 0, label)?;
        text(ws, row, 1, value)?;
        row += 1;
        Ok(())
    };
    if let Some(date) = &opts.scan_date {
        line(ws, "Scan date", &overview::readable_date(date))?;
    }
    line(ws, "Inputs", &a.inputs.join(", "))?;
    line(
        ws,
        "Demand",
        &format!(
            "{}th percentile of CPU and memory; storage used",
            crate::node::format_number(a.percentile)
        ),
    )?;
    line(
        ws,
        "Headroom",
        &format!("{} %", crate::node::format_number(a.headroom_pct)),
    )?;
    for note in &a.sizing_notes {
        line(ws, "Sizing", note)?;
    }
    match &a.catalog {
        Some(c) => line(
            ws,
            "Size catalog",
            &format!(
                "{}{} ({} entries, {})",
                c.file,
                c.name
                    .as_deref()
                    .map(|n| format!(" — {n}"))
                    .unwrap_or_default(),
                c.entries,
                if c.priced { "priced" } else { "not priced" }
            ),
        )?,
        None => line(ws, "Sizes", "fitscan's standard ladders")?,
    }
    if !a.metrics.is_empty() {
        line(ws, "Utilisation metrics", &a.metrics.join(", "))?;
    }
    line(
        ws,
        "Rule set",
        &format!(
            "{} rules of fitscan {}{}",
            a.rules,
            r.tool.version,
            if a.default_rules {
                " (built-in rules included)"
            } else {
                " (built-in rules left out)"
            }
        ),
    )?;
    if !a.rule_sources.is_empty() {
        line(ws, "User rules", &a.rule_sources.join(", "))?;
    }
    if let Some(c) = &a.config {
        line(ws, "Config file", c)?;
    }
    if let Some(b) = &a.baseline {
        line(ws, "Baseline", b)?;
    }
    line(ws, "Reproduce", &overview::reproduce_command(r))?;
    Ok(())
}

const WORKLOAD_COLUMNS: &[(&str, f64)] = &[
    ("Workload", 32.0),
    ("Kind", 15.0),
    ("Generation", 11.0),
    ("Phase", 14.0),
    ("Score", 8.0),
    ("Confidence", 11.0),
    ("Disconnect", 11.0),
    ("Disposition", 12.0),
    ("Effort", 8.0),
    ("Errors", 8.0),
    ("Warnings", 9.0),
    ("Info", 7.0),
    ("Suppressed", 11.0),
    ("Roadmap", 30.0),
    ("Evidence needed", 24.0),
    ("Reclaimable vCPU", 12.0),
    ("Reclaimable memory GiB", 14.0),
    ("Reclaimable storage GiB", 14.0),
    ("Saving / month", 12.0),
    ("File", 40.0),
    ("Line", 7.0),
    ("Datacenter", 14.0),
    ("Cluster", 14.0),
    ("Host", 20.0),
    ("Power state", 12.0),
    ("Notes", 40.0),
    ("Id", 30.0),
    ("Held by", 28.0),
    ("right-sized", 12.0),
    ("configured-from-outside", 14.0),
    ("data-separable", 12.0),
    ("health-observable", 12.0),
    ("scales-out", 11.0),
    ("heals-itself", 11.0),
    ("secure-by-default", 12.0),
    ("Disposition reason", 60.0),
    ("Assessment effort", 11.0),
    ("Sizing statistic", 22.0),
];

fn workloads_sheet(ws: &mut Worksheet, report: &Report, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Workloads")?;
    table_header(ws, f, WORKLOAD_COLUMNS, 1)?;
    let mut row = 0;
    for w in &report.workloads {
        if row >= LAST_ROW {
            break;
        }
        row += 1;
        let c = Counts::of(w);
        text(ws, row, 0, &w.name)?;
        ws.write_string(row, 1, w.kind.as_str())?;
        ws.write_number_with_format(row, 2, f64::from(w.generation.number()), &f.integer)?;
        ws.write_string_with_format(row, 3, w.phase.as_str(), f.phase(w.phase))?;
        ws.write_number_with_format(row, 4, f64::from(w.score), &f.integer)?;
        ws.write_number_with_format(row, 5, w.confidence, &f.percent)?;
        ws.write_boolean(row, 6, w.disconnect)?;
        ws.write_string(row, 7, w.disposition.as_str())?;
        ws.write_number_with_format(row, 8, f64::from(w.effort), &f.integer)?;
        ws.write_number_with_format(row, 9, c.error as f64, &f.integer)?;
        ws.write_number_with_format(row, 10, c.warning as f64, &f.integer)?;
        ws.write_number_with_format(row, 11, c.info as f64, &f.integer)?;
        ws.write_number_with_format(row, 12, w.suppressed.len() as f64, &f.integer)?;
        let roadmap: Vec<&str> = w.roadmap.iter().map(|r| &*r.rule).collect();
        text(ws, row, 13, &roadmap.join(" "))?;
        let evidence: Vec<&str> = w.evidence_needed.iter().map(|e| &*e.rule).collect();
        text(ws, row, 14, &evidence.join(" "))?;
        let reclaimable = w.rightsizing.as_ref().map(|rs| rs.reclaimable);
        opt_number(ws, row, 15, reclaimable.and_then(|s| s.vcpu), &f.signed)?;
        opt_number(
            ws,
            row,
            16,
            reclaimable.and_then(|s| s.memory_gib),
            &f.signed,
        )?;
        opt_number(
            ws,
            row,
            17,
            reclaimable.and_then(|s| s.storage_gib),
            &f.signed,
        )?;
        opt_number(ws, row, 18, overview::monthly_saving(w), &f.money)?;
        text(ws, row, 19, &w.file)?;
        ws.write_number_with_format(row, 20, f64::from(w.line), &f.integer)?;
        for (col, key) in [
            (21, "datacenter"),
            (22, "cluster"),
            (23, "host"),
            (24, "power_state"),
        ] {
            text(ws, row, col, w.labels.get(key).unwrap_or(""))?;
        }
        text(ws, row, 25, &w.notes.join("; "))?;
        text(ws, row, 26, &w.id)?;
        let held: Vec<&str> = w.held_by.iter().map(|p| p.as_str()).collect();
        text(ws, row, 27, &held.join(", "))?;
        for (k, p) in crate::model::Property::ALL.iter().enumerate() {
            ws.write_string(row, 28 + k as u16, w.properties.state(*p).as_str())?;
        }
        text(ws, row, 35, &w.disposition_reason)?;
        ws.write_number_with_format(row, 36, f64::from(w.assessment_effort), &f.integer)?;
        text(
            ws,
            row,
            37,
            &w.rightsizing
                .as_ref()
                .map_or(String::new(), |r| r.statistic.describe()),
        )?;
    }
    finish_table(
        ws,
        f,
        WORKLOAD_COLUMNS.len(),
        row,
        report.workloads.len().saturating_sub(row as usize),
        "workloads",
    )
}

const FINDING_COLUMNS: &[(&str, f64)] = &[
    ("Status", 11.0),
    ("Rule", 10.0),
    ("Severity", 9.0),
    ("Needed for", 13.0),
    ("Title", 40.0),
    ("Workload", 30.0),
    ("Kind", 14.0),
    ("Phase", 13.0),
    ("File", 40.0),
    ("Line", 7.0),
    ("Message", 80.0),
    ("Remediation", 80.0),
    ("Why it matters", 60.0),
    ("Suppressed by", 30.0),
    ("Reason", 30.0),
];

fn findings_sheet(ws: &mut Worksheet, ov: &Overview<'_>, f: &Formats) -> Result<(), XlsxError> {
    let report = ov.report;
    ws.set_name("Findings")?;
    table_header(ws, f, FINDING_COLUMNS, 0)?;
    let total: usize = report
        .workloads
        .iter()
        .map(|w| w.findings.len() + w.suppressed.len())
        .sum::<usize>()
        + report.errors.len()
        + report.unused_suppressions.len();
    let mut row: u32 = 0;
    'workloads: for w in &report.workloads {
        for fd in &w.findings {
            if row >= LAST_ROW {
                break 'workloads;
            }
            row += 1;
            ws.write_string(row, 0, "open")?;
            text(ws, row, 1, &fd.rule)?;
            ws.write_string(row, 2, fd.severity.as_str())?;
            ws.write_string(row, 3, fd.level.as_str())?;
            text(ws, row, 4, &fd.title)?;
            text(ws, row, 5, &w.name)?;
            ws.write_string(row, 6, w.kind.as_str())?;
            ws.write_string_with_format(row, 7, w.phase.as_str(), f.phase(w.phase))?;
            text(ws, row, 8, &fd.file)?;
            ws.write_number_with_format(row, 9, f64::from(fd.line), &f.integer)?;
            text(ws, row, 10, &fd.message)?;
            text(ws, row, 11, &fd.remediation)?;
            text(ws, row, 12, ov.rationale(&fd.rule))?;
        }
        for s in &w.suppressed {
            if row >= LAST_ROW {
                break 'workloads;
            }
            row += 1;
            let rule = ov.rule(&s.rule);
            ws.write_string(row, 0, "suppressed")?;
            text(ws, row, 1, &s.rule)?;
            ws.write_string(row, 2, s.severity.as_str())?;
            if let Some(rule) = rule {
                ws.write_string(row, 3, rule.level.as_str())?;
                text(ws, row, 4, &rule.title)?;
            }
            text(ws, row, 5, &w.name)?;
            ws.write_string(row, 6, w.kind.as_str())?;
            ws.write_string_with_format(row, 7, w.phase.as_str(), f.phase(w.phase))?;
            text(ws, row, 8, &s.file)?;
            ws.write_number_with_format(row, 9, f64::from(s.line), &f.integer)?;
            text(ws, row, 10, &s.message)?;
            text(ws, row, 12, ov.rationale(&s.rule))?;
            text(
                ws,
                row,
                13,
                &format!("{} {}:{}", s.by.origin.as_str(), s.by.file, s.by.line),
            )?;
            text(ws, row, 14, s.reason.as_deref().unwrap_or(""))?;
        }
    }
    for u in &report.unused_suppressions {
        if row >= LAST_ROW {
            break;
        }
        row += 1;
        ws.write_string(row, 0, "open")?;
        ws.write_string(row, 1, u.rule)?;
        ws.write_string(row, 2, u.severity.as_str())?;
        ws.write_string(row, 4, "Suppression matches nothing")?;
        text(ws, row, 5, u.workload.as_deref().unwrap_or(""))?;
        text(ws, row, 8, &u.file)?;
        ws.write_number_with_format(row, 9, f64::from(u.line), &f.integer)?;
        text(ws, row, 10, &u.message)?;
        text(ws, row, 11, &u.remediation)?;
    }
    for e in &report.errors {
        if row >= LAST_ROW {
            break;
        }
        row += 1;
        ws.write_string(row, 0, "open")?;
        ws.write_string(row, 1, e.rule)?;
        ws.write_string(row, 2, "error")?;
        ws.write_string(
            row,
            4,
            if e.rule == "parse-error" {
                "A file could not be parsed"
            } else {
                "A file could not be read"
            },
        )?;
        text(ws, row, 8, &e.file)?;
        if let Some(l) = e.line {
            ws.write_number_with_format(row, 9, f64::from(l), &f.integer)?;
        }
        text(ws, row, 10, &e.message)?;
    }
    finish_table(
        ws,
        f,
        FINDING_COLUMNS.len(),
        row,
        total.saturating_sub(row as usize),
        "findings",
    )
}

const RULE_COLUMNS: &[(&str, f64)] = &[
    ("Rule", 12.0),
    ("Title", 50.0),
    ("Target", 12.0),
    ("Needed for", 13.0),
    ("Severity", 9.0),
    ("Weight", 8.0),
    ("Effort", 8.0),
    ("Disposition", 12.0),
    ("Findings", 9.0),
    ("Workloads", 10.0),
    ("Why it matters", 80.0),
    ("Documentation", 60.0),
];

fn rules_sheet(ws: &mut Worksheet, ov: &Overview<'_>, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Rules")?;
    table_header(ws, f, RULE_COLUMNS, 1)?;
    let mut row = 0;
    let mut links = 0;
    for rule in &ov.report.rules {
        if row >= LAST_ROW {
            break;
        }
        row += 1;
        let count = ov.rule_counts.iter().find(|c| c.rule == rule.id);
        text(ws, row, 0, &rule.id)?;
        text(ws, row, 1, &rule.title)?;
        ws.write_string(row, 2, rule.target.as_str())?;
        ws.write_string(row, 3, rule.level.as_str())?;
        ws.write_string(row, 4, rule.severity.as_str())?;
        ws.write_number_with_format(row, 5, rule.weight, &f.number)?;
        ws.write_number_with_format(row, 6, f64::from(rule.effort), &f.integer)?;
        ws.write_string(row, 7, rule.disposition.as_str())?;
        ws.write_number_with_format(row, 8, count.map_or(0, |c| c.findings) as f64, &f.integer)?;
        ws.write_number_with_format(row, 9, count.map_or(0, |c| c.workloads) as f64, &f.integer)?;
        text(ws, row, 10, &rule.rationale)?;
        if let Some(url) = ov.rule_doc_url(&rule.id) {
            // A user's link that Excel would refuse stays as text.
            let linked = links < MAX_LINKS
                && url.len() < 2000
                && ws
                    .write_url_with_format(row, 11, url.as_str(), &f.link)
                    .is_ok();
            if linked {
                links += 1;
            } else {
                text(ws, row, 11, &url)?;
            }
        }
    }
    finish_table(
        ws,
        f,
        RULE_COLUMNS.len(),
        row,
        ov.report.rules.len().saturating_sub(row as usize),
        "rules",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_to_what_a_cell_holds() {
        let long = "é".repeat(40_000);
        let cut = cell(&long);
        assert!(cut.encode_utf16().count() <= MAX_CELL + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(cell("short"), "short");
    }

    #[test]
    fn scan_dates_become_creation_times() {
        assert!(excel_date("2024-05-01T10:05:00Z").is_some());
        assert!(excel_date("not a date").is_none());
    }
}
