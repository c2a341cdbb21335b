//! The default output: a table a person reads at a glance, the findings under it, and the
//! estate summary.

use std::fmt::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Table};

use super::RenderOptions;
use super::terminal::{escape_text, escape_value};
use crate::model::{Phase, Report, Severity, Sizing, WorkloadReport};
use crate::node::format_number;

fn phase_color(p: Phase) -> Color {
    match p {
        Phase::Unchanged => Color::Red,
        Phase::Optimised => Color::Yellow,
        Phase::PurposeBuilt => Color::Green,
        Phase::NotAssessed => Color::DarkGrey,
    }
}

fn dim(v: Option<f64>) -> String {
    v.map_or_else(|| "?".to_string(), format_number)
}

fn sizing_text(s: &Sizing) -> String {
    format!(
        "{}/{}/{}",
        dim(s.vcpu),
        dim(s.memory_gib),
        dim(s.storage_gib)
    )
}

fn size_cell(w: &WorkloadReport) -> String {
    match &w.rightsizing {
        None => "-".to_string(),
        Some(rs) if rs.recommended == rs.current => sizing_text(&rs.current),
        Some(rs) => format!(
            "{} → {}",
            sizing_text(&rs.current),
            sizing_text(&rs.recommended)
        ),
    }
}

/// The phase and what holds it back: `unchanged: configured-from-outside (+1)`.
pub fn phase_text(w: &WorkloadReport) -> String {
    let mut text = w.phase.to_string();
    if let Some(first) = w.held_by.first() {
        text.push_str(": ");
        text.push_str(first.as_str());
        if w.held_by.len() > 1 {
            let _ = write!(text, " (+{})", w.held_by.len() - 1);
        }
    }
    if w.disconnect {
        text.push_str(" (disconnect)");
    }
    text
}

fn counts(w: &WorkloadReport) -> String {
    let c = |s: Severity| w.findings.iter().filter(|f| f.severity == s).count();
    format!(
        "{}/{}/{}",
        c(Severity::Error),
        c(Severity::Warning),
        c(Severity::Info)
    )
}

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    let mut out = String::new();
    if report.workloads.is_empty() {
        out.push_str("No workloads found.\n");
    } else {
        let mut table = Table::new();
        table.load_style(UTF8_FULL_CONDENSED);
        if opts.terminal {
            table.set_content_arrangement(ContentArrangement::Dynamic);
        } else {
            table.force_no_tty();
        }
        table.set_header(vec![
            "Workload",
            "Kind",
            "Gen",
            "Phase",
            "Score",
            "Findings E/W/I",
            "vCPU/GiB/disk GiB (now → recommended)",
        ]);
        for w in &report.workloads {
            let mut phase = Cell::new(phase_text(w));
            if opts.terminal {
                phase = phase.fg(phase_color(w.phase));
            }
            table.add_row(vec![
                Cell::new(
                    if w.labels
                        .get("power_state")
                        .is_some_and(|s| s == "poweredOff")
                    {
                        format!("{} (powered off)", escape_value(&w.name))
                    } else {
                        escape_value(&w.name).into_owned()
                    },
                ),
                Cell::new(w.kind.as_str()),
                Cell::new(w.generation.number()).set_alignment(CellAlignment::Right),
                phase,
                Cell::new(w.score).set_alignment(CellAlignment::Right),
                Cell::new(counts(w)).set_alignment(CellAlignment::Right),
                Cell::new(size_cell(w)),
            ]);
        }
        let _ = writeln!(out, "{table}");
    }
    // Everything below is plain text built from names, paths and messages read from the
    // inputs: their control characters are escaped at the end, in one place.
    let head = std::mem::take(&mut out);

    if !opts.quiet {
        let mut any = false;
        for w in &report.workloads {
            if w.findings.is_empty() && w.evidence_needed.is_empty() && w.suppressed.is_empty() {
                continue;
            }
            if !any {
                out.push_str("\nFindings\n");
                any = true;
            }
            let _ = writeln!(
                out,
                "\n{} ({}, {}:{}) — {}, score {}, {}",
                w.name,
                w.kind.as_str(),
                w.file,
                w.line,
                w.phase,
                w.score,
                w.disposition.as_str()
            );
            for f in &w.findings {
                let _ = writeln!(
                    out,
                    "  {}:{}: {} {} [{}]: {}",
                    f.file,
                    f.line,
                    f.rule,
                    f.severity,
                    f.property.map_or("advice", |p| p.as_str()),
                    f.message
                );
                let _ = writeln!(out, "      fix: {}", first_line(&f.remediation));
            }
            for s in &w.suppressed {
                let _ = writeln!(
                    out,
                    "  {}:{}: {} suppressed by {} {}:{}{}",
                    s.file,
                    s.line,
                    s.rule,
                    s.by.origin.as_str(),
                    s.by.file,
                    s.by.line,
                    s.reason
                        .as_deref()
                        .map(|r| format!(": {r}"))
                        .unwrap_or_default()
                );
            }
            if !w.evidence_needed.is_empty() {
                let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
                for e in &w.evidence_needed {
                    match groups.iter_mut().find(|(c, _)| *c == &*e.collect) {
                        Some((_, rules)) => rules.push(&e.rule),
                        None => groups.push((&e.collect, vec![&e.rule])),
                    }
                }
                let items: Vec<String> = groups
                    .iter()
                    .map(|(c, rules)| format!("{c} ({})", rules.join(", ")))
                    .collect();
                let _ = writeln!(out, "  evidence needed: {}", items.join("; "));
            }
        }
    }

    if !opts.quiet {
        let shown: Vec<_> = report
            .rules_spoken_of()
            .into_iter()
            .filter(|r| !r.rationale.trim().is_empty())
            .collect();
        if !shown.is_empty() {
            out.push_str("\nWhy it matters (`fitscan rules show ID` for the whole rule)\n");
            for r in shown {
                let _ = writeln!(
                    out,
                    "  {} {} ({}): {}",
                    r.id,
                    r.title,
                    r.level.as_str(),
                    first_line(r.rationale.trim())
                );
            }
        }
    }

    if !opts.quiet && !report.unused_suppressions.is_empty() {
        out.push_str("\nUnused suppressions\n");
        for u in &report.unused_suppressions {
            let _ = writeln!(
                out,
                "  {}:{}: {} {}: {}",
                u.file, u.line, u.rule, u.severity, u.message
            );
        }
    }

    if !report.errors.is_empty() {
        out.push_str("\nErrors\n");
        for e in &report.errors {
            let _ = writeln!(out, "  {e}");
        }
    }

    if opts.verbose && !report.skipped.is_empty() {
        out.push_str("\nSkipped\n");
        for s in &report.skipped {
            let _ = writeln!(out, "  {s}");
        }
    }

    let s = &report.summary;
    let not_assessed = s.by_phase.get("not-assessed").copied().unwrap_or(0);
    let _ = writeln!(
        out,
        "\n{} workload(s): {} unchanged, {} optimised, {} purpose-built{}; generation 1/2/3: {}/{}/{}; {} disconnect(s)",
        s.workloads,
        s.by_phase.get("unchanged").copied().unwrap_or(0),
        s.by_phase.get("optimised").copied().unwrap_or(0),
        s.by_phase.get("purpose-built").copied().unwrap_or(0),
        if not_assessed > 0 {
            format!(", {not_assessed} not assessed")
        } else {
            String::new()
        },
        s.by_generation.get("1").copied().unwrap_or(0),
        s.by_generation.get("2").copied().unwrap_or(0),
        s.by_generation.get("3").copied().unwrap_or(0),
        s.disconnects,
    );
    let mut extra = String::new();
    if s.unused_suppressions > 0 {
        let _ = write!(extra, "; {} unused suppression(s)", s.unused_suppressions);
    }
    if s.disregarded_suppressions > 0 {
        let _ = write!(
            extra,
            "; {} inline suppression(s) disregarded (--no-inline-ignores)",
            s.disregarded_suppressions
        );
    }
    if report.assumptions.baseline.is_some() {
        let _ = write!(extra, "; {} baselined", s.baselined);
    }
    if s.skipped_files > 0 {
        let _ = write!(
            extra,
            "; {} file(s) skipped{}",
            s.skipped_files,
            if opts.verbose {
                ""
            } else {
                " (--verbose lists them)"
            }
        );
    }
    let _ = writeln!(
        out,
        "Findings: {} error, {} warning, {} info; {} suppressed; {} file error(s){extra}",
        s.findings.error, s.findings.warning, s.findings.info, s.suppressed, s.errors
    );
    let _ = writeln!(
        out,
        "Reclaimable: {} vCPU, {} GiB memory, {} GiB storage",
        format_number(s.reclaimable.vcpu),
        format_number(s.reclaimable.memory_gib),
        format_number(s.reclaimable.storage_gib)
    );
    if s.undersized > 0 {
        let _ = writeln!(
            out,
            "Undersized: {} workload(s) missing {} vCPU, {} GiB memory, {} GiB storage",
            s.undersized,
            format_number(s.missing.vcpu),
            format_number(s.missing.memory_gib),
            format_number(s.missing.storage_gib)
        );
    }
    out.push_str(&crate::estate::render_table(report, opts.terminal));
    head + &escape_text(&out)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}
