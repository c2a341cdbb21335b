//! The default output: the findings of each workload grouped by the phase they hold back,
//! then the table a person reads at a glance, the estate summary, and what to run next.

use std::fmt::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Table};

use super::RenderOptions;
use super::terminal::{escape_text, escape_value};
use crate::assessment::{Report, WorkloadReport};
use crate::model::{Phase, PropertyState, Severity, Sizing};
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

/// How much of the verdict rests on evidence: the properties known (holds or fails) of
/// those that apply, `3/4 known`; the rest are unknown (evidence needed).
pub fn evidence_text(w: &WorkloadReport) -> String {
    let judged = w
        .properties
        .iter()
        .filter(|o| o.state != PropertyState::NotApplicable)
        .count();
    let known = w
        .properties
        .iter()
        .filter(|o| matches!(o.state, PropertyState::Holds | PropertyState::Fails))
        .count();
    if judged == 0 {
        "-".to_string()
    } else {
        format!("{known}/{judged} known")
    }
}

/// `text` shortened to `max` columns by cutting its middle: `billing-…-batch-01`.
pub fn shorten_middle(text: &str, max: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let width = unicode_width::UnicodeWidthStr::width(text);
    if width <= max || max < 5 {
        return text.to_string();
    }
    let keep = max - 1;
    let (head_w, tail_w) = (keep.div_ceil(2), keep / 2);
    let mut head = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > head_w {
            break;
        }
        used += w;
        head.push(c);
    }
    let mut tail: Vec<char> = Vec::new();
    let mut used = 0;
    for c in text.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > tail_w {
            break;
        }
        used += w;
        tail.push(c);
    }
    tail.reverse();
    format!("{head}…{}", tail.into_iter().collect::<String>())
}

/// The longest workload name the table shows at `width` columns.
fn name_budget(width: Option<usize>) -> Option<usize> {
    width.map(|w| (w / 5).clamp(14, 48))
}

/// `text` as lines of at most `width` columns after `indent` (no wrapping without a width).
fn wrapped(out: &mut String, text: &str, indent: &str, width: Option<usize>) {
    match width {
        Some(w) => {
            let opts = textwrap::Options::new(w.max(indent.len() + 30))
                .initial_indent(indent)
                .subsequent_indent(indent)
                .break_words(false)
                .word_splitter(textwrap::WordSplitter::NoHyphenation);
            for line in textwrap::wrap(text, opts) {
                out.push_str(&line);
                out.push('\n');
            }
        }
        None => {
            out.push_str(indent);
            out.push_str(text);
            out.push('\n');
        }
    }
}

/// A word a shell passes as it is (else in single quotes).
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The one line under the table that says what to run next.
pub fn next_step(report: &Report) -> Option<String> {
    if report.workloads.is_empty() {
        return None;
    }
    // The workload most worth a look: the lowest phase, then the lowest score.
    let rank = |p: Phase| match p {
        Phase::Unchanged => 0,
        Phase::NotAssessed => 1,
        Phase::Optimised => 2,
        Phase::PurposeBuilt => 3,
    };
    let w = report
        .workloads
        .iter()
        .min_by_key(|w| (rank(w.phase), w.score))?;
    let inputs: Vec<String> = report
        .assumptions
        .inputs
        .iter()
        .filter(|i| i.as_str() != ".")
        .map(|i| shell_word(i))
        .collect();
    let paths = if inputs.is_empty() {
        String::new()
    } else {
        format!(" {}", inputs.join(" "))
    };
    Some(format!(
        "Next: `fitscan explain {}{paths}` says why it is {}; `--format html=report.html` writes the whole report.",
        shell_word(&w.name),
        w.phase
    ))
}

/// What moved since the last run of `scan --watch`, under the redrawn table.
pub fn since_last_run(d: &crate::report::diff::Diff) -> String {
    let mut out = String::new();
    if d.is_empty() {
        out.push_str("\nSince the last run: nothing moved\n");
        return escape_text(&out).into_owned();
    }
    let _ = writeln!(
        out,
        "\nSince the last run (marked * in the table): {} workload(s) changed, {} added, {} removed; {} new finding(s), {} fixed",
        d.changed.len(),
        d.added.len(),
        d.removed.len(),
        d.findings_new.len(),
        d.findings_fixed.len()
    );
    for c in &d.changed {
        let _ = writeln!(
            out,
            "  * {}: {}",
            c.name,
            crate::report::diff::change_words(c)
        );
    }
    for a in &d.added {
        let _ = writeln!(
            out,
            "  + {} added ({})",
            a.name,
            a.phase.as_deref().unwrap_or("?")
        );
    }
    for r in &d.removed {
        let _ = writeln!(out, "  - {} removed", r.name);
    }
    escape_text(&out).into_owned()
}

/// Which group a finding is listed under: the phase its property defines, or advice.
fn group_of(f: &crate::model::Finding) -> &'static str {
    match f.property {
        Some(p) => p.level().as_str(),
        None => "advice",
    }
}

/// Below this many columns the workloads are listed two lines each rather than tabled.
pub const NARROW: usize = 100;

/// The cells of a workload's row: name, kind, generation, phase, score, evidence,
/// findings, size; and whether it is marked.
fn row(
    w: &WorkloadReport,
    opts: &RenderOptions,
    name_max: Option<usize>,
    (cnf_column, readiness_column): (bool, bool),
) -> (Vec<String>, bool) {
    let marked = opts.highlight.contains(&w.id);
    let off = w
        .labels
        .get("power_state")
        .is_some_and(|s| s == "poweredOff");
    let extra = if off { " (powered off)".len() } else { 0 } + if marked { 2 } else { 0 };
    let mut name = escape_value(&w.name).into_owned();
    if let Some(max) = name_max {
        name = shorten_middle(&name, max.saturating_sub(extra).max(8));
    }
    if off {
        name.push_str(" (powered off)");
    }
    if marked {
        name = format!("* {name}");
    }
    let mut cells = vec![
        name,
        w.kind.as_str().to_string(),
        w.generation.number().to_string(),
        phase_text(w),
        w.score.to_string(),
        evidence_text(w),
        counts(w),
        size_cell(w),
    ];
    if cnf_column {
        cells.push(super::cnf_section::table_cell(w));
    }
    if readiness_column {
        cells.push(super::readiness_section::table_cell(w));
    }
    (cells, marked)
}

const HEADER: [&str; 8] = [
    "Workload",
    "Kind",
    "Gen",
    "Phase",
    "Score",
    "Evidence",
    "Findings E/W/I",
    "vCPU/GiB/disk GiB (now → recommended)",
];

fn workload_table(report: &Report, opts: &RenderOptions) -> String {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    if let Some(w) = opts.width {
        table.set_content_arrangement(ContentArrangement::Dynamic);
        table.set_width(u16::try_from(w).unwrap_or(u16::MAX));
    } else if opts.terminal {
        table.set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        table.force_no_tty();
    }
    let cnf_column = super::cnf_section::has_readiness(report);
    let readiness_column = super::readiness_section::has_readiness(report);
    let mut header = HEADER.to_vec();
    if cnf_column {
        header.push(super::cnf_section::TABLE_HEADER);
    }
    if readiness_column {
        header.push(super::readiness_section::TABLE_HEADER);
    }
    table.set_header(header.clone());
    // A column is never narrower than its longest word: cells wrap between words, and a
    // name is shortened in its middle rather than broken. Every column but the phase and
    // the size is as wide as its widest cell; those two share what is left.
    let width_of = |s: &str| unicode_width::UnicodeWidthStr::width(s);
    let longest_word = |s: &str| s.split_whitespace().map(width_of).max().unwrap_or(0);
    const PHASE: usize = 3;
    const SIZE: usize = 7;
    // Borders (one more than the columns) and a space either side of every cell.
    let columns = header.len();
    let chrome = columns + 1 + 2 * columns;
    let measure = |name_max: Option<usize>| {
        let mut word: Vec<usize> = header.iter().map(|h| longest_word(h)).collect();
        let mut full = word.clone();
        let mut rows = Vec::new();
        for w in &report.workloads {
            let (cells, marked) = row(w, opts, name_max, (cnf_column, readiness_column));
            for (i, c) in cells.iter().enumerate() {
                let whole = c.lines().map(width_of).max().unwrap_or(0);
                word[i] = word[i].max(if i == 0 { whole } else { longest_word(c) });
                full[i] = full[i].max(whole);
            }
            rows.push((w, cells, marked));
        }
        (word, full, rows)
    };
    let (mut word, mut full, mut rows) = measure(None);
    if let Some(total) = opts.width {
        // The name gets what the other columns leave at their narrowest, within its budget.
        let others: usize = (1..columns)
            .map(|i| {
                if i == PHASE || i == SIZE {
                    word[i]
                } else {
                    full[i]
                }
            })
            .sum();
        let room = total.saturating_sub(chrome + others).max(12);
        let name_max = name_budget(Some(total)).unwrap_or(room).min(room);
        if full[0] > name_max {
            (word, full, rows) = measure(Some(name_max));
        }
    }
    for (w, cells, marked) in rows {
        let mut cells = cells.into_iter();
        let mut next = || cells.next().unwrap_or_default();
        let (name, kind, generation, phase) = (next(), next(), next(), next());
        let (score, evidence, findings, size) = (next(), next(), next(), next());
        let cnf = cnf_column.then(&mut next);
        let readiness = readiness_column.then(&mut next);
        let mut name = Cell::new(name);
        let mut phase = Cell::new(phase);
        if opts.terminal {
            phase = phase.fg(phase_color(w.phase));
            if marked {
                name = name.add_attribute(comfy_table::Attribute::Bold);
            }
        }
        table.add_row(vec![
            name,
            Cell::new(kind),
            Cell::new(generation).set_alignment(CellAlignment::Right),
            phase,
            Cell::new(score).set_alignment(CellAlignment::Right),
            Cell::new(evidence).set_alignment(CellAlignment::Right),
            Cell::new(findings).set_alignment(CellAlignment::Right),
            Cell::new(size),
        ]);
        for extra in [cnf, readiness].into_iter().flatten() {
            if let Some(row) = table.row_mut(table.row_count() - 1) {
                row.add_cell(Cell::new(extra));
            }
        }
    }
    if let Some(total) = opts.width {
        let mut widths = full.clone();
        let fixed: usize = (0..columns)
            .filter(|i| *i != PHASE && *i != SIZE)
            .map(|i| full[i])
            .sum();
        let left = total.saturating_sub(chrome + fixed);
        if left < full[PHASE] + full[SIZE] {
            let size = full[SIZE]
                .min(left.saturating_sub(word[PHASE]))
                .max(word[SIZE]);
            widths[SIZE] = size;
            widths[PHASE] = left.saturating_sub(size).max(word[PHASE]);
        }
        for (i, w) in widths.iter().enumerate() {
            if let Some(col) = table.column_mut(i) {
                // An absolute width counts the cell's padding.
                col.set_constraint(comfy_table::ColumnConstraint::Absolute(
                    comfy_table::Width::Fixed(u16::try_from(*w + 2).unwrap_or(u16::MAX)),
                ));
            }
        }
    }
    format!("{table}\n")
}

/// The workloads two lines each, for a narrow terminal.
fn workload_cards(report: &Report, opts: &RenderOptions) -> String {
    let mut out = String::new();
    let width = opts.width;
    wrapped(
        &mut out,
        "Workloads (kind, generation: phase; score, properties known, findings E/W/I, vCPU/GiB/disk GiB now → recommended)",
        "",
        width,
    );
    let cnf_column = super::cnf_section::has_readiness(report);
    let readiness_column = super::readiness_section::has_readiness(report);
    for w in &report.workloads {
        let (cells, _) = row(
            w,
            opts,
            width.map(|w| w.saturating_sub(20)),
            (cnf_column, readiness_column),
        );
        let cell = |i: usize| cells.get(i).map_or("", String::as_str);
        let (name, kind, generation, phase) = (cell(0), cell(1), cell(2), cell(3));
        let (score, evidence, findings, size) = (cell(4), cell(5), cell(6), cell(7));
        wrapped(
            &mut out,
            &format!("{name} ({kind}, gen {generation}): {phase}"),
            "",
            width,
        );
        let cnf = cnf_column
            .then(|| cells.get(8))
            .flatten()
            .filter(|c| !c.is_empty())
            .map(|c| format!("; CNF {c}"))
            .unwrap_or_default();
        let readiness = readiness_column
            .then(|| cells.get(8 + usize::from(cnf_column)))
            .flatten()
            .filter(|c| !c.is_empty())
            .map(|c| format!("; migration {c}"))
            .unwrap_or_default();
        wrapped(
            &mut out,
            &format!("score {score}; {evidence}; {findings}; {size}{cnf}{readiness}"),
            "    ",
            width,
        );
    }
    escape_text(&out).into_owned()
}

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    let width = opts.width;
    let mut head = String::new();
    if report.workloads.is_empty() {
        head.push_str("No workloads found.\n");
    } else if width.is_some_and(|w| w < NARROW) {
        head = workload_cards(report, opts);
    } else {
        head = workload_table(report, opts);
    }

    // Everything else is plain text built from names, paths and messages read from the
    // inputs: their control characters are escaped at the end, in one place. The details
    // come first and the table, the summary and what to do next last, where a terminal
    // leaves the reader.
    let mut out = String::new();
    if !opts.quiet {
        let mut any = false;
        for w in &report.workloads {
            if w.findings.is_empty() && w.evidence_needed.is_empty() && w.suppressed.is_empty() {
                continue;
            }
            if !any {
                out.push_str("Findings (by the phase they hold back, then advice)\n");
                any = true;
            }
            out.push('\n');
            wrapped(
                &mut out,
                &format!(
                    "{} ({}, {}:{}) — {}, score {}, {}",
                    w.name,
                    w.kind.as_str(),
                    w.file,
                    w.line,
                    phase_text(w),
                    w.score,
                    w.disposition.as_str()
                ),
                "",
                width,
            );
            wrapped(
                &mut out,
                &format!("{}: {}", w.disposition.as_str(), w.disposition_reason),
                "  ",
                width,
            );
            for group in ["optimised", "purpose-built", "advice"] {
                let mine: Vec<_> = w.findings.iter().filter(|f| group_of(f) == group).collect();
                if mine.is_empty() {
                    continue;
                }
                let _ = writeln!(out, "  {group}");
                for f in mine {
                    let place = format!(
                        "{}:{}: {} {} [{}]",
                        f.file,
                        f.line,
                        f.rule,
                        f.severity,
                        f.property.map_or("advice", |p| p.as_str()),
                    );
                    wrapped(&mut out, &place, "    ", width);
                    wrapped(&mut out, &f.message, "        ", width);
                    wrapped(
                        &mut out,
                        &format!("fix: {}", first_line(&f.remediation)),
                        "        ",
                        width,
                    );
                }
            }
            for s in &w.suppressed {
                let line = format!(
                    "{}:{}: {} suppressed by {} {}:{}{}",
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
                wrapped(&mut out, &line, "  ", width);
            }
            if !w.evidence_needed.is_empty() {
                let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
                for e in w.evidence_needed.iter() {
                    match groups.iter_mut().find(|(c, _)| *c == &*e.collect) {
                        Some((_, rules)) => rules.push(&e.rule),
                        None => groups.push((&e.collect, vec![&e.rule])),
                    }
                }
                let items: Vec<String> = groups
                    .iter()
                    .map(|(c, rules)| format!("{c} ({})", rules.join(", ")))
                    .collect();
                wrapped(
                    &mut out,
                    &format!("evidence needed: {}", items.join("; ")),
                    "  ",
                    width,
                );
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
                wrapped(
                    &mut out,
                    &format!(
                        "{} {} ({}): {}",
                        r.id,
                        r.title,
                        r.level.as_str(),
                        first_line(r.rationale.trim())
                    ),
                    "  ",
                    width,
                );
            }
        }
    }

    if !opts.quiet && !report.unused_suppressions.is_empty() {
        out.push_str("\nUnused suppressions\n");
        for u in &report.unused_suppressions {
            let line = format!(
                "{}:{}: {} {}: {}",
                u.file, u.line, u.rule, u.severity, u.message
            );
            wrapped(&mut out, &line, "  ", width);
        }
    }

    if !report.errors.is_empty() {
        out.push_str("\nErrors\n");
        for e in &report.errors {
            wrapped(&mut out, &e.to_string(), "  ", width);
        }
    }

    if opts.verbose && !report.skipped.is_empty() {
        out.push_str("\nSkipped\n");
        for s in &report.skipped {
            wrapped(&mut out, &s.to_string(), "  ", width);
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    let details = escape_text(&out).into_owned();
    let estate = super::estate_table::render_table(report, opts.terminal);
    let mut out = String::new();

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
    if super::readiness_section::has_readiness(report) {
        let _ = writeln!(out, "{}", super::readiness_section::summary_line(report));
    }
    // The summary lines fit the width too.
    let mut summary = String::new();
    for line in out.lines() {
        if line.is_empty() {
            summary.push('\n');
        } else {
            wrapped(&mut summary, line, "", width);
        }
    }
    if let Some(next) = next_step(report) {
        wrapped(&mut summary, &next, "", width);
    }
    details + &head + &escape_text(&estate) + &escape_text(&summary)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}
