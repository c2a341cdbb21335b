//! Output formats. Each module renders a [`Report`]; none knows about input formats.
//! Adding a format is one module and one line in [`Format`].

pub mod json;
pub mod junit;
pub mod outputs;
pub mod sarif;
pub mod table;

use std::str::FromStr;

use crate::model::{Phase, Report, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Sarif,
    Junit,
}

impl Format {
    pub const ALL: &'static [(&'static str, Format)] = &[
        ("table", Format::Table),
        ("json", Format::Json),
        ("sarif", Format::Sarif),
        ("junit", Format::Junit),
    ];

    pub fn render(self, report: &Report, opts: &RenderOptions) -> String {
        match self {
            Format::Table => table::render(report, opts),
            Format::Json => json::render(report),
            Format::Sarif => sarif::render(report),
            Format::Junit => junit::render(report, opts),
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
}
