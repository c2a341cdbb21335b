//! `--format markdown`: the estate summary and the top findings as GitHub-flavoured
//! Markdown, short enough for a pull-request comment with `--summary-only`; without it, the
//! workloads table and each workload's roadmap and findings follow.
//!
//! Nothing from an input is written as markup: names and paths go in code spans (no
//! mentions, links or emphasis happen there), other text has every character Markdown or
//! GitHub give a meaning to backslash-escaped, and `|` is escaped in table cells. The only
//! HTML is none at all.

use std::fmt::Write;

use super::RenderOptions;
use super::overview::{self, Counts, Overview};
use crate::assessment::{Report, Totals, WorkloadReport};
use crate::model::{Generation, Phase, Property, PropertyState, Sizing};
use crate::node::format_number;

macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

/// Rules listed under "Top findings" with `--summary-only` (a comment must stay short).
const TOP_RULES_IN_SUMMARY: usize = 10;
/// File errors listed with `--summary-only`.
const ERRORS_IN_SUMMARY: usize = 20;
/// Longest name or path shown in a summary cell, in characters.
const MAX_NAME: usize = 80;

/// Escapes text so that Markdown (and GitHub's extensions: strikethrough, math, entities,
/// HTML) renders it as the characters it is. Line breaks become spaces.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' | '!' | '&' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Text in which the rule texts' `code` spans (paired backticks) stay code spans; the rest
/// is escaped as [`text`]. A value interpolated into a span cannot leave it.
pub fn rich(s: &str, in_table: bool) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len() < 3 {
        return text(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for (i, part) in parts.iter().enumerate() {
        let inside = i % 2 == 1;
        if inside && i + 1 < parts.len() {
            out.push_str(&code(part, in_table));
        } else if inside {
            // An unpaired backtick: literal.
            out.push_str("\\`");
            out.push_str(&text(part));
        } else {
            out.push_str(&text(part));
        }
    }
    out
}

/// A code span holding `s` exactly, whatever backticks it contains. In a table cell, `|`
/// must still be escaped (GitHub splits cells before it reads code spans).
pub fn code(s: &str, in_table: bool) -> String {
    let s: String = s
        .chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect();
    if s.is_empty() {
        return String::new();
    }
    let longest_run = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.starts_with(' ') && s.ends_with(' ') {
        " "
    } else {
        ""
    };
    let body = if in_table { s.replace('|', "\\|") } else { s };
    format!("{fence}{pad}{body}{pad}{fence}")
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= MAX_NAME {
        s.to_string()
    } else {
        let mut cut: String = s.chars().take(MAX_NAME - 1).collect();
        cut.push('…');
        cut
    }
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "0 %".to_string()
    } else {
        format!("{} %", (100.0 * part as f64 / whole as f64).round())
    }
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), format_number)
}

fn triple(s: &Sizing) -> String {
    format!(
        "{} / {} / {}",
        num(s.vcpu),
        num(s.memory_gib),
        num(s.storage_gib)
    )
}

fn rule_ref(ov: &Overview<'_>, rule: &str, in_table: bool) -> String {
    let id = code(rule, in_table);
    match ov.rule_doc_url(rule) {
        // The URL is ours or a user rule's http(s) link: `<`, `>` and spaces are encoded so
        // that it stays one link destination.
        Some(url) => format!("[{id}](<{}>)", url.replace(['<', '>', ' ', '\n'], "")),
        None => id,
    }
}

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    let ov = Overview::new(report);
    let mut out = String::with_capacity(8192 + report.workloads.len() * 512);
    summary(&mut out, &ov);
    super::clusters::markdown(&mut out, report);
    top_findings(&mut out, &ov, opts.summary_only);
    out.push_str(&super::cnf_section::markdown(report));
    out.push_str(&super::readiness_section::markdown(report));
    if !opts.summary_only {
        workloads(&mut out, &ov);
        details(&mut out, &ov);
    }
    errors(&mut out, report, opts.summary_only);
    skipped(&mut out, report, opts.summary_only);
    assumptions(&mut out, report, opts);
    out
}

fn summary(out: &mut String, ov: &Overview<'_>) {
    let s = &ov.report.summary;
    w!(
        out,
        "## fitscan assessment: {} workload{}\n\n",
        s.workloads,
        if s.workloads == 1 { "" } else { "s" }
    );
    if s.workloads == 0 {
        out.push_str("No workloads were found in the inputs.\n\n");
        return;
    }
    let phases: Vec<String> = Phase::ALL
        .iter()
        .map(|p| {
            let n = s.by_phase.get(p.as_str()).copied().unwrap_or(0);
            format!("**{n} {}** ({})", p.as_str(), percent(n, s.workloads))
        })
        .collect();
    w!(
        out,
        "{} · **{} generation disconnect{}** · findings: {} error, {} warning, {} info",
        phases.join(" · "),
        s.disconnects,
        if s.disconnects == 1 { "" } else { "s" },
        s.findings.error,
        s.findings.warning,
        s.findings.info
    );
    if s.suppressed > 0 {
        w!(out, " · {} suppressed", s.suppressed);
    }
    if s.errors > 0 {
        w!(
            out,
            " · **{} file error{}**",
            s.errors,
            if s.errors == 1 { "" } else { "s" }
        );
    }
    out.push_str("\n\n### Generation × phase\n\n| Generation | unchanged | optimised | purpose-built | Total | Disconnects |\n|---|--:|--:|--:|--:|--:|\n");
    for (g, generation) in Generation::ALL.iter().enumerate() {
        let row = ov.matrix[g];
        w!(
            out,
            "| {} {} | {} | {} | {} | {} | {} |\n",
            generation.number(),
            generation.platform(),
            row[0],
            row[1],
            row[2],
            ov.total_workloads_in_generation(g),
            ov.disconnects_by_generation[g]
        );
    }
    let col = |p: usize| -> usize { ov.matrix.iter().map(|r| r[p]).sum() };
    w!(
        out,
        "| **All** | **{}** | **{}** | **{}** | **{}** | **{}** |\n\n",
        col(0),
        col(1),
        col(2),
        s.workloads,
        s.disconnects
    );

    out.push_str("### Workloads by kind\n\n| Kind | Workloads | unchanged | optimised | purpose-built | Disconnects |\n|---|--:|--:|--:|--:|--:|\n");
    for k in &ov.kinds {
        w!(
            out,
            "| {} | {} | {} | {} | {} | {} |\n",
            k.kind.as_str(),
            k.workloads,
            k.by_phase[0],
            k.by_phase[1],
            k.by_phase[2],
            k.disconnects
        );
    }
    out.push('\n');

    if ov.sized_workloads > 0 {
        w!(
            out,
            "### Right-sizing\n\n{} workload{} sized, {} on measured utilisation.\n\n| | vCPU | Memory GiB | Storage GiB |\n|---|--:|--:|--:|\n",
            ov.sized_workloads,
            if ov.sized_workloads == 1 { "" } else { "s" },
            ov.measured_workloads
        );
        let row = |out: &mut String, label: &str, t: &Totals| {
            w!(
                out,
                "| {label} | {} | {} | {} |\n",
                format_number(t.vcpu),
                format_number(t.memory_gib),
                format_number(t.storage_gib)
            );
        };
        let table = ov.sizing_table();
        for r in &table.rows {
            if r.headline {
                row(out, &format!("**{}**", r.label), &r.totals);
            } else {
                row(out, &r.label, &r.totals);
            }
        }
        out.push('\n');
        if let Some(note) = table.note {
            w!(out, "{note}\n\n");
        }
        if let Some(cost) = &s.estate.cost {
            let cur = cost
                .currency
                .as_deref()
                .map(|c| format!(" {}", text(c)))
                .unwrap_or_default();
            w!(
                out,
                "Monthly cost in the catalog: {:.2}{cur} now, {:.2}{cur} right-sized, **saving {:.2}{cur} per month** ({} priced workload{}).\n\n",
                cost.current_per_month,
                cost.recommended_per_month,
                cost.saving_per_month,
                cost.priced_workloads,
                if cost.priced_workloads == 1 { "" } else { "s" }
            );
        }
    }

    let per_point = ov.report.assumptions.effort_days_per_point;
    w!(
        out,
        "### Effort: the plan\n\nOne recommended treatment per workload, each with its reason below. Effort is the sum of the rule points between each workload and its next phase; one point is {} person-day{} (`effort-days-per-point`). Purpose-built workloads add none.\n\n| Disposition | What it means here | Workloads | Effort points | Person-days | For example |\n|---|---|--:|--:|--:|---|\n",
        format_number(per_point),
        if (per_point - 1.0).abs() < 1e-9 {
            ""
        } else {
            "s"
        }
    );
    for d in ov.dispositions.iter().filter(|d| d.workloads > 0) {
        let examples: Vec<String> = d
            .examples
            .iter()
            .map(|i| code(&ov.report.workloads[*i].name, true))
            .collect();
        w!(
            out,
            "| {} | {} | {} | {} | {} | {} |\n",
            d.disposition.as_str(),
            overview::disposition_meaning(d.disposition),
            d.workloads,
            d.effort,
            overview::person_days(d.effort, per_point),
            examples.join(", ")
        );
    }
    let total: u32 = ov.dispositions.iter().map(|d| d.effort).sum();
    w!(
        out,
        "| **All** | | **{}** | **{total}** | **{}** | |\n\n",
        s.workloads,
        overview::person_days(total, per_point)
    );
    if !ov.evidence.is_empty() {
        w!(
            out,
            "#### Evidence to collect\n\nAssessment effort, apart from the work: {} point{} ({} person-days), one per distinct piece of evidence per workload.\n\n| What to collect | Workloads | Needed by |\n|---|--:|---|\n",
            ov.assessment_effort,
            if ov.assessment_effort == 1 { "" } else { "s" },
            overview::person_days(ov.assessment_effort, per_point)
        );
        for e in &ov.evidence {
            let rules: Vec<String> = e.rules.iter().map(|r| rule_ref(ov, r, true)).collect();
            w!(
                out,
                "| {} | {} | {} |\n",
                rich(e.collect, true),
                e.workloads,
                rules.join(", ")
            );
        }
        out.push('\n');
    }
}

fn top_findings(out: &mut String, ov: &Overview<'_>, summary_only: bool) {
    out.push_str("### Top findings\n\n");
    if ov.rule_counts.is_empty() {
        out.push_str("No findings.\n\n");
        return;
    }
    let shown = if summary_only {
        TOP_RULES_IN_SUMMARY.min(ov.rule_counts.len())
    } else {
        ov.rule_counts.len()
    };
    out.push_str("| Rule | Title | Severity | Needed for | Findings | Workloads | For example |\n|---|---|---|---|--:|--:|---|\n");
    for c in ov.rule_counts.iter().take(shown) {
        let mut examples: Vec<String> = c
            .examples
            .iter()
            .filter_map(|i| ov.report.workloads.get(*i))
            .map(|w| code(&shorten(&w.name), true))
            .collect();
        if c.workloads > c.examples.len() {
            examples.push(format!("{} more", c.workloads - c.examples.len()));
        }
        w!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            rule_ref(ov, c.rule, true),
            rich(c.title, true),
            c.severity.as_str(),
            c.level.as_str(),
            c.findings,
            c.workloads,
            examples.join(", ")
        );
    }
    if shown < ov.rule_counts.len() {
        w!(
            out,
            "\n{} more rule{} fired; the full report lists them.\n",
            ov.rule_counts.len() - shown,
            if ov.rule_counts.len() - shown == 1 {
                ""
            } else {
                "s"
            }
        );
    }
    out.push('\n');
}

fn workloads(out: &mut String, ov: &Overview<'_>) {
    if ov.report.workloads.is_empty() {
        return;
    }
    out.push_str("### Workloads\n\n| Workload | Kind | Gen | Phase | Score | Disposition | Effort | Findings E/W/I | vCPU / GiB / disk now | Recommended |\n|---|---|--:|---|--:|---|--:|--:|--:|--:|\n");
    for w in &ov.report.workloads {
        let c = Counts::of(w);
        let (now, rec) = match &w.rightsizing {
            Some(rs) => (triple(&rs.current), triple(&rs.recommended)),
            None => ("–".to_string(), "–".to_string()),
        };
        w!(
            out,
            "| {} | {} | {} | {}{} | {} | {} | {} | {}/{}/{} | {now} | {rec} |\n",
            code(&w.name, true),
            w.kind.as_str(),
            w.generation.number(),
            w.phase.as_str(),
            if w.disconnect { " (disconnect)" } else { "" },
            w.score,
            w.disposition.as_str(),
            w.effort,
            c.error,
            c.warning,
            c.info
        );
    }
    out.push('\n');
}

fn details(out: &mut String, ov: &Overview<'_>) {
    let with_content: Vec<&WorkloadReport> = ov
        .report
        .workloads
        .iter()
        .filter(|w| !w.findings.is_empty() || !w.evidence_needed.is_empty())
        .collect();
    if with_content.is_empty() {
        return;
    }
    out.push_str("### Findings by workload\n\n");
    for w in with_content {
        w!(
            out,
            "#### {} — {}, score {}\n\n{} · generation {} · {} · {} effort point{}\n\n**{}**: {}\n\n",
            code(&w.name, false),
            w.phase.as_str(),
            w.score,
            w.kind.as_str(),
            w.generation.number(),
            code(&format!("{}:{}", w.file, w.line), false),
            w.effort,
            if w.effort == 1 { "" } else { "s" },
            w.disposition.as_str(),
            text(&w.disposition_reason)
        );
        let props: Vec<String> = Property::ALL
            .iter()
            .filter_map(|p| {
                let (state, rules) = overview::property_line(w, *p);
                if state == PropertyState::NotApplicable {
                    return None;
                }
                let shown = match state {
                    PropertyState::Holds => String::new(),
                    _ => format!(
                        " ({})",
                        rules
                            .iter()
                            .map(|r| rule_ref(ov, r, false))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                Some(format!("{p} **{}**{shown}", state.as_str()))
            })
            .collect();
        if !props.is_empty() {
            w!(out, "Properties: {}.\n\n", props.join(" · "));
        }
        let groups = overview::roadmap_groups(w);
        if !groups.is_empty() {
            out.push_str("Roadmap to purpose-built:\n");
            for g in &groups {
                let steps: Vec<String> = g
                    .items
                    .iter()
                    .map(|r| format!("{} {}", rule_ref(ov, &r.rule, false), rich(&r.title, false)))
                    .collect();
                w!(out, "- {}: {}\n", g.heading(), steps.join("; "));
            }
            out.push('\n');
        }
        for f in &w.findings {
            w!(
                out,
                "- {} {} ({}): {}  \n  Fix: {}\n",
                code(&format!("{}:{}", f.file, f.line), false),
                rule_ref(ov, &f.rule, false),
                f.severity.as_str(),
                rich(&f.message, false),
                rich(&f.remediation, false)
            );
        }
        if !w.evidence_needed.is_empty() {
            let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
            for e in w.evidence_needed.iter() {
                match groups.iter_mut().find(|(c, _)| *c == &*e.collect) {
                    Some((_, rules)) => rules.push(&e.rule),
                    None => groups.push((&e.collect, vec![&e.rule])),
                }
            }
            if !w.findings.is_empty() {
                out.push('\n');
            }
            out.push_str("Evidence needed:\n");
            for (collect, rules) in groups {
                let ids: Vec<String> = rules.iter().map(|r| rule_ref(ov, r, false)).collect();
                w!(out, "- {} ({})\n", text(collect), ids.join(", "));
            }
        }
        out.push('\n');
    }
}

fn errors(out: &mut String, report: &Report, summary_only: bool) {
    if report.errors.is_empty() {
        return;
    }
    w!(
        out,
        "### File errors\n\n{} file{} could not be assessed:\n\n",
        report.errors.len(),
        if report.errors.len() == 1 { "" } else { "s" }
    );
    let shown = if summary_only {
        ERRORS_IN_SUMMARY.min(report.errors.len())
    } else {
        report.errors.len()
    };
    for e in report.errors.iter().take(shown) {
        let place = match e.line {
            Some(l) => format!("{}:{l}", e.file),
            None => e.file.clone(),
        };
        w!(
            out,
            "- {} {}: {}\n",
            code(&place, false),
            code(e.rule, false),
            text(&e.message)
        );
    }
    if shown < report.errors.len() {
        w!(
            out,
            "- and {} more: the full report lists them\n",
            report.errors.len() - shown
        );
    }
    out.push('\n');
}

fn skipped(out: &mut String, report: &Report, summary_only: bool) {
    let n = report.skipped.len();
    if n == 0 {
        return;
    }
    w!(
        out,
        "### Files not assessed\n\n{n} file{} found and not assessed:\n\n",
        if n == 1 { " was" } else { "s were" }
    );
    let shown = if summary_only {
        ERRORS_IN_SUMMARY.min(n)
    } else {
        n
    };
    for s in report.skipped.iter().take(shown) {
        w!(out, "- {}: {}\n", code(&s.file, false), text(&s.reason));
    }
    if shown < n {
        w!(
            out,
            "- and {} more: the full report lists them\n",
            n - shown
        );
    }
    out.push('\n');
}

fn assumptions(out: &mut String, report: &Report, opts: &RenderOptions) {
    let a = &report.assumptions;
    w!(
        out,
        "---\nfitscan {} · {} rules · {}th percentile, {} % headroom · lifecycle as of {}",
        text(report.tool.version),
        a.rules,
        format_number(a.percentile),
        format_number(a.headroom_pct),
        text(&a.as_of)
    );
    if let Some(c) = &a.catalog {
        w!(
            out,
            " · catalog {}",
            code(c.name.as_deref().unwrap_or(&c.file), false)
        );
    }
    if let Some(date) = &opts.scan_date {
        w!(out, " · scanned {}", text(&overview::readable_date(date)));
    }
    w!(
        out,
        " · reproduce with {}\n",
        code(&overview::reproduce_command(report), false)
    );
    for note in &a.sizing_notes {
        w!(out, "\n- {}", text(note));
    }
    if !a.sizing_notes.is_empty() {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(text("a|b"), "a\\|b");
        assert_eq!(text("<script>"), "\\<script\\>");
        assert_eq!(text("*x* _y_ [z](u)"), "\\*x\\* \\_y\\_ \\[z\\](u)");
        assert_eq!(text("a\nb"), "a b");
        assert_eq!(text("&lt; $x$"), "\\&lt; \\$x\\$");
    }

    #[test]
    fn rule_code_spans_stay_code() {
        assert_eq!(rich("scales `none` only", false), "scales `none` only");
        assert_eq!(rich("a `<b>|` b", true), "a `<b>\\|` b");
        assert_eq!(rich("one ` tick", false), "one \\` tick");
        assert_eq!(rich("x `a` y `b", false), "x `a` y \\`b");
    }

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code("a", false), "`a`");
        assert_eq!(code("a`b", false), "``a`b``");
        assert_eq!(code("`a", false), "`` `a ``");
        assert_eq!(code("a|b", true), "`a\\|b`");
        assert_eq!(code("a|b", false), "`a|b`");
        assert_eq!(code("", false), "");
    }
}
