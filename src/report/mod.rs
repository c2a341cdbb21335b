//! Output formats. Each module renders a [`Report`]; none knows about input formats.
//! Adding a format is one module and one line in [`Format`].

pub mod clusters;
pub mod cnf_section;
pub mod csv_report;
pub mod diff;
mod estate_table;
pub mod explain;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod outputs;
pub mod overview;
pub mod readiness_section;
pub mod sarif;
pub mod table;
pub mod terminal;
pub mod xlsx;

use std::str::FromStr;

use crate::model::{Phase, Severity};

use crate::assessment::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Sarif,
    Junit,
    Html,
    Markdown,
    /// One row per finding.
    Csv,
    /// One row per workload.
    CsvWorkloads,
    /// An Excel workbook: a binary format (see [`Format::is_binary`]).
    Xlsx,
}

impl Format {
    pub const ALL: &'static [(&'static str, Format)] = &[
        ("table", Format::Table),
        ("json", Format::Json),
        ("sarif", Format::Sarif),
        ("junit", Format::Junit),
        ("html", Format::Html),
        ("markdown", Format::Markdown),
        ("csv", Format::Csv),
        ("csv-workloads", Format::CsvWorkloads),
        ("xlsx", Format::Xlsx),
    ];

    /// Whether the format is bytes rather than text: it is written with [`Format::write`]
    /// or [`Format::render_bytes`], and never to a terminal.
    pub fn is_binary(self) -> bool {
        matches!(self, Format::Xlsx)
    }

    /// The report in this format, as bytes (text formats as UTF-8).
    pub fn render_bytes(self, report: &Report, opts: &RenderOptions) -> std::io::Result<Vec<u8>> {
        match self {
            Format::Xlsx => xlsx::render(report, opts).map_err(std::io::Error::other),
            text => Ok(text.render(report, opts).into_bytes()),
        }
    }

    /// The report as text. A binary format has no text: it renders as an empty string
    /// here; use [`Format::render_bytes`] or [`Format::write`].
    pub fn render(self, report: &Report, opts: &RenderOptions) -> String {
        match self {
            Format::Table => table::render(report, opts),
            Format::Json => json::render(report),
            Format::Sarif => sarif::render(report),
            Format::Junit => junit::render(report, opts),
            Format::Html => html::render(report, opts),
            Format::Markdown => markdown::render(report, opts),
            Format::Csv => csv_report::render_findings(report),
            Format::CsvWorkloads => csv_report::render_workloads(report),
            Format::Xlsx => String::new(),
        }
    }
}

impl Format {
    /// Renders to a writer; formats that can stream (JSON) do, others write their text.
    pub fn write(
        self,
        report: &Report,
        opts: &RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        match self {
            Format::Json => json::write(report, out),
            Format::Xlsx => out.write_all(&self.render_bytes(report, opts)?),
            other => out.write_all(other.render(report, opts).as_bytes()),
        }
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(s))
            .map(|(_, f)| *f)
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|(n, _)| *n).collect();
                format!(
                    "unknown format `{s}` (expected one of: {})",
                    names.join(", ")
                )
            })
    }
}

#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Colour and widths for a terminal.
    pub terminal: bool,
    /// Leave the per-finding list out of the table.
    pub quiet: bool,
    /// The gate's thresholds, for formats that show pass and fail (JUnit): findings at or
    /// above `fail_on` and workloads below `min_phase` are failures.
    pub fail_on: Option<Severity>,
    pub min_phase: Option<Phase>,
    /// HTML and Markdown: the estate summary and top findings only, no per-workload part
    /// (`--summary-only`).
    pub summary_only: bool,
    /// When the scan ran (RFC 3339, UTC), for the reports' assumptions.
    pub scan_date: Option<String>,
    /// The table lists the files found and not assessed, with the reason (`--verbose`).
    pub verbose: bool,
    /// The table fits this many columns (the terminal's, or `COLUMNS`): names are
    /// shortened in the middle and messages wrapped. None: as wide as the text.
    pub width: Option<usize>,
    /// Workloads (ids) to mark in the table: what moved since the last run of `--watch`.
    pub highlight: Vec<String>,
}
