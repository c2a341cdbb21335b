//! `--format html`: the assessment report a consultant hands over. One self-contained file
//! (inline CSS, inline SVG charts, one small inline script) that opens offline from a USB
//! stick: a Content-Security-Policy with `default-src 'none'` forbids the browser to load
//! anything, and only the script whose hash it names may run. The page reads without the
//! script (it adds sorting and filtering to the workloads table) and prints.
//!
//! HTML is written by hand: the page is one pass over the report, and every string from an
//! input (names, paths, labels, messages, rule texts from user rule files) goes through
//! [`Esc`]. Plain `<a href>` links to the rule documentation are navigation a reader may
//! follow, never loaded by the page.

use std::fmt::{self, Write};

use super::RenderOptions;
use super::overview::{self, Counts, Overview};
use crate::assessment::{Report, Totals, WorkloadReport};
use crate::model::{Generation, Level, Phase, PropertyState, Severity, Sizing, WorkloadKind};
use crate::node::format_number;
use crate::sizing::rightsize::{Basis, Rightsizing};

/// Appends formatted text to a `String` (which cannot fail).
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

mod explained;
mod sections;
mod workload;

use explained::*;
use sections::*;
use workload::*;

/// Escapes text for HTML element content and double- or single-quoted attribute values.
/// C0 controls other than tab and line ends are replaced: they are parse errors in HTML.
pub struct Esc<'a>(pub &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let mut start = 0;
        for (i, c) in s.char_indices() {
            let rep = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                '\t' | '\n' | '\r' => continue,
                c if c.is_control() => "\u{FFFD}",
                _ => continue,
            };
            f.write_str(&s[start..i])?;
            f.write_str(rep)?;
            start = i + c.len_utf8();
        }
        f.write_str(&s[start..])
    }
}

fn esc(s: &str) -> Esc<'_> {
    Esc(s)
}

/// Escaped text in which the rule texts' `code` spans (paired backticks) become `<code>`.
/// The spans are found after escaping, so nothing inside them is markup either.
fn rich(s: &str) -> String {
    let escaped = esc(s).to_string();
    if escaped.matches('`').count() < 2 {
        return escaped;
    }
    let mut out = String::with_capacity(escaped.len() + 16);
    let mut parts = escaped.split('`').peekable();
    let mut inside = false;
    while let Some(part) = parts.next() {
        if inside {
            if parts.peek().is_some() {
                out.push_str("<code>");
                out.push_str(part);
                out.push_str("</code>");
            } else {
                // An unpaired backtick stays as it was.
                out.push('`');
                out.push_str(part);
            }
        } else {
            out.push_str(part);
        }
        inside = !inside;
    }
    out
}

/// An escaped file path that may break after each `/` rather than mid-name.
fn path(s: &str) -> String {
    esc(s).to_string().replace('/', "/<wbr>")
}

/// The inline script: sorting and filtering of the workloads table. Its SHA-256 is in the
/// page's Content-Security-Policy; a test recomputes it (`cargo test script_hash`).
pub const SCRIPT: &str = include_str!("report.js");
/// `sha256-` + base64 of the SHA-256 of [`SCRIPT`].
pub const SCRIPT_HASH: &str = include_str!("report.js.sha256");
const STYLE: &str = include_str!("report.css");

/// Rows of the disconnect list in the summary; the workloads table has them all.
const DISCONNECTS_LISTED: usize = 20;
/// Rows of the largest right-sizing opportunities.
const LARGEST_LISTED: usize = 10;
/// Rules listed under "Top findings"; the assumptions list every rule that fired.
const TOP_RULES: usize = 20;
/// Rows of each estate group table (datacenter, cluster, ...).
const GROUP_ROWS: usize = 20;

fn phase_class(p: Phase) -> &'static str {
    p.as_str()
}

fn generation_label(g: Generation) -> String {
    format!("{} {}", g.number(), g.platform())
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

fn money(v: f64, currency: Option<&str>) -> String {
    let amount = format!("{v:.2}");
    match currency {
        Some(c) => format!("{amount} {c}"),
        None => amount,
    }
}

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    let ov = Overview::new(report);
    // About 4 KiB per workload section; reserving up front avoids regrowing a large page.
    let capacity = 64 * 1024
        + if opts.summary_only {
            0
        } else {
            report.workloads.len() * 4096
        };
    let mut out = String::with_capacity(capacity);
    head(&mut out, report, opts);
    header(&mut out, report, opts);
    out.push_str("<main>\n");
    summary(&mut out, &ov);
    matrix(&mut out, &ov);
    rightsizing(&mut out, &ov);
    effort(&mut out, &ov);
    crate::report::clusters::html(&mut out, report);
    out.push_str(&crate::report::cnf_section::html(report));
    out.push_str(&crate::report::readiness_section::html(report));
    top_findings(&mut out, &ov);
    estate_groups(&mut out, report);
    if !opts.summary_only {
        workloads_table(&mut out, &ov);
        workload_sections(&mut out, &ov);
    }
    problems(&mut out, report);
    assumptions(&mut out, &ov, opts);
    out.push_str("</main>\n");
    w!(
        out,
        "<footer>Written by fitscan {} — rules as data, one binary, no network.</footer>\n",
        esc(report.tool.version)
    );
    if !opts.summary_only && !report.workloads.is_empty() {
        w!(out, "<script>{SCRIPT}</script>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn head(out: &mut String, report: &Report, opts: &RenderOptions) {
    let n = report.summary.workloads;
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    // Nothing may be fetched: no images, fonts, frames, connections; only this page's own
    // style and the script with this hash run.
    w!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src '{}'; base-uri 'none'; form-action 'none'\">\n",
        SCRIPT_HASH.trim()
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n");
    w!(
        out,
        "<meta name=\"generator\" content=\"fitscan {}\">\n",
        esc(report.tool.version)
    );
    w!(
        out,
        "<title>Workload assessment: {n} workload{}{}</title>\n",
        if n == 1 { "" } else { "s" },
        opts.scan_date
            .as_deref()
            .map(|d| format!(", {}", esc(&overview::readable_date(d))))
            .unwrap_or_default()
    );
    w!(out, "<style>\n{STYLE}</style>\n</head>\n<body>\n");
}

fn header(out: &mut String, report: &Report, opts: &RenderOptions) {
    out.push_str("<header class=\"top\">\n<h1>Workload assessment</h1>\n<p class=\"sub\">");
    let inputs: Vec<String> = report
        .assumptions
        .inputs
        .iter()
        .map(|i| esc(i).to_string())
        .collect();
    w!(
        out,
        "{} workload{} from {}",
        report.summary.workloads,
        if report.summary.workloads == 1 {
            ""
        } else {
            "s"
        },
        if inputs.is_empty() {
            "no input".to_string()
        } else {
            inputs.join(", ")
        }
    );
    if let Some(date) = &opts.scan_date {
        w!(out, " · scanned {}", esc(&overview::readable_date(date)));
    }
    w!(out, " · fitscan {}", esc(report.tool.version));
    if opts.summary_only {
        out.push_str(" · summary only");
    }
    out.push_str("</p>\n<nav class=\"toc\" aria-label=\"Contents\">");
    let mut links = vec![
        ("summary", "Summary"),
        ("matrix", "Generation × phase"),
        ("rightsizing", "Right-sizing"),
        ("effort", "Effort"),
        ("findings", "Top findings"),
    ];
    if has_estate_section(report) {
        links.push(("estate", "Estate"));
    }
    if !opts.summary_only && !report.workloads.is_empty() {
        links.push(("workloads", "Workloads"));
    }
    if has_problems(report) {
        links.push(("problems", "Errors"));
    }
    links.push(("assumptions", "Assumptions"));
    for (id, text) in links {
        w!(out, "<a href=\"#{id}\">{text}</a>");
    }
    out.push_str("</nav>\n</header>\n");
}

fn card(out: &mut String, value: &str, label: &str, class: &str) {
    w!(
        out,
        "<div class=\"card {class}\"><div class=\"value\">{value}</div><div class=\"label\">{label}</div></div>\n"
    );
}

fn has_problems(report: &Report) -> bool {
    !report.errors.is_empty()
        || !report.skipped.is_empty()
        || !report.unused_suppressions.is_empty()
        || !report.unmatched_metrics.is_empty()
}

fn problems(out: &mut String, report: &Report) {
    if !has_problems(report) {
        return;
    }
    out.push_str("<section id=\"problems\">\n<h2>Errors and loose ends</h2>\n");
    if !report.errors.is_empty() {
        w!(
            out,
            "<h3>Files that could not be assessed ({})</h3>\n<p>Nothing in these files was assessed: fix them and scan again.</p>\n<div class=\"scroll\">\n<table class=\"errors\">\n<thead><tr><th>Where</th><th>Rule</th><th>Error</th></tr></thead>\n<tbody>\n",
            report.errors.len()
        );
        for e in &report.errors {
            w!(
                out,
                "<tr><td class=\"where\">{}{}</td><td class=\"nw\">{}</td><td>{}</td></tr>\n",
                path(&e.file),
                e.line.map(|l| format!(":{l}")).unwrap_or_default(),
                esc(e.rule),
                esc(&e.message)
            );
        }
        out.push_str("</tbody>\n</table>\n</div>\n");
    }
    if !report.unused_suppressions.is_empty() {
        out.push_str("<h3>Suppressions that matched nothing</h3>\n<p>They hide nothing today but would hide a new finding of their rule tomorrow.</p>\n<ul>\n");
        for u in &report.unused_suppressions {
            w!(
                out,
                "<li><span class=\"where\">{}:{}</span>: {}</li>\n",
                esc(&u.file),
                u.line,
                esc(&u.message)
            );
        }
        out.push_str("</ul>\n");
    }
    if !report.skipped.is_empty() {
        w!(
            out,
            "<h3>Files not assessed ({})</h3>\n<ul>\n",
            report.skipped.len()
        );
        for s in &report.skipped {
            w!(
                out,
                "<li><span class=\"where\">{}</span>: {}</li>\n",
                path(&s.file),
                esc(&s.reason)
            );
        }
        out.push_str("</ul>\n");
    }
    if !report.unmatched_metrics.is_empty() {
        out.push_str("<h3>Metrics rows that matched no workload</h3>\n<ul>\n");
        for m in &report.unmatched_metrics {
            w!(
                out,
                "<li><span class=\"where\">{}:{}</span>: {}</li>\n",
                esc(&m.file),
                m.line,
                esc(&m.name)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn assumptions(out: &mut String, ov: &Overview<'_>, opts: &RenderOptions) {
    let r = ov.report;
    let a = &r.assumptions;
    out.push_str("<section id=\"assumptions\">\n<h2>Assumptions</h2>\n<p>What this report rests on, so that it can be reproduced.</p>\n<dl class=\"facts\">\n");
    if let Some(date) = &opts.scan_date {
        w!(
            out,
            "<dt>Scan date</dt><dd>{}</dd>\n",
            esc(&overview::readable_date(date))
        );
    }
    w!(
        out,
        "<dt>Inputs</dt><dd>{}</dd>\n",
        a.inputs
            .iter()
            .map(|i| format!("<span class=\"where\">{}</span>", esc(i)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    w!(
        out,
        "<dt>Demand</dt><dd>the {}th percentile of CPU and memory utilisation; storage used</dd>\n<dt>Headroom</dt><dd>{} % added to demand</dd>\n",
        format_number(a.percentile),
        format_number(a.headroom_pct)
    );
    for note in &a.sizing_notes {
        w!(out, "<dt>Sizing</dt><dd>{}</dd>\n", esc(note));
    }
    w!(
        out,
        "<dt>Lifecycle</dt><dd>end-of-support dates judged as of {} (docs/lifecycle.md)</dd>\n",
        esc(&a.as_of)
    );
    match &a.catalog {
        Some(c) => {
            w!(
                out,
                "<dt>Size catalog</dt><dd><span class=\"where\">{}</span>",
                esc(&c.file)
            );
            if let Some(name) = &c.name {
                w!(out, " — {}", esc(name));
            }
            w!(
                out,
                " ({} entries, {}{})</dd>\n",
                c.entries,
                if c.priced { "priced" } else { "not priced" },
                c.currency
                    .as_deref()
                    .map(|cur| format!(", {}", esc(cur)))
                    .unwrap_or_default()
            );
        }
        None => out.push_str("<dt>Sizes</dt><dd>fitscan's standard ladders (vCPU 1, 2, 4, 6, 8, 12, 16, …; memory 0.5, 1, 2, 3, 4, 6, 8, … GiB; storage in 16 GiB steps)</dd>\n"),
    }
    if !a.metrics.is_empty() {
        w!(
            out,
            "<dt>Utilisation metrics</dt><dd>{}</dd>\n",
            a.metrics
                .iter()
                .map(|m| format!("<span class=\"where\">{}</span>", esc(m)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut by_prefix: Vec<(&str, usize)> = Vec::new();
    for rule in &r.rules {
        let prefix = rule.target.id_prefix();
        match by_prefix.iter_mut().find(|(p, _)| *p == prefix) {
            Some((_, n)) => *n += 1,
            None => by_prefix.push((prefix, 1)),
        }
    }
    w!(
        out,
        "<dt>Rule set</dt><dd>{} rules of fitscan {}{}",
        a.rules,
        esc(r.tool.version),
        if a.default_rules {
            " (built-in rules included)"
        } else {
            " (built-in rules left out)"
        }
    );
    if !by_prefix.is_empty() {
        out.push_str(": ");
        let parts: Vec<String> = by_prefix
            .iter()
            .map(|(p, n)| format!("{n} {}", esc(p)))
            .collect();
        out.push_str(&parts.join(", "));
    }
    out.push_str("</dd>\n");
    if !a.rule_sources.is_empty() {
        w!(
            out,
            "<dt>User rules</dt><dd>{}</dd>\n",
            a.rule_sources
                .iter()
                .map(|m| format!("<span class=\"where\">{}</span>", esc(m)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(c) = &a.config {
        w!(
            out,
            "<dt>Config file</dt><dd><span class=\"where\">{}</span></dd>\n",
            esc(c)
        );
    }
    if let Some(b) = &a.baseline {
        w!(
            out,
            "<dt>Baseline</dt><dd><span class=\"where\">{}</span> ({} finding{} left out as known)</dd>\n",
            esc(b),
            r.summary.baselined,
            if r.summary.baselined == 1 { "" } else { "s" }
        );
    }
    let s = &r.summary;
    w!(
        out,
        "<dt>Suppressions</dt><dd>{} finding{} accepted by suppressions{}{}</dd>\n",
        s.suppressed,
        if s.suppressed == 1 { "" } else { "s" },
        if s.unused_suppressions > 0 {
            format!("; {} suppression(s) matched nothing", s.unused_suppressions)
        } else {
            String::new()
        },
        if s.disregarded_suppressions > 0 {
            format!(
                "; {} inline suppression(s) disregarded (--no-inline-ignores)",
                s.disregarded_suppressions
            )
        } else {
            String::new()
        }
    );
    if a.anonymised {
        out.push_str(
            "<dt>Anonymised</dt><dd>names, hosts, clusters and paths are stable hashes</dd>\n",
        );
    }
    w!(
        out,
        "<dt>Reproduce</dt><dd><code>{}</code></dd>\n</dl>\n",
        esc(&overview::reproduce_command(r))
    );

    let fired: Vec<(
        &crate::assessment::RuleInfo,
        Option<&overview::RuleCount<'_>>,
    )> = r
        .rules
        .iter()
        .map(|rule| (rule, ov.rule_counts.iter().find(|c| c.rule == rule.id)))
        .filter(|(_, count)| count.is_some())
        .collect();
    if !fired.is_empty() {
        out.push_str("<h3 id=\"rules-fired\">Rules that fired</h3>\n<div class=\"scroll\">\n<table>\n<thead><tr><th>Rule</th><th>Title</th><th>Needed for</th><th>Severity</th><th class=\"num\">Weight</th><th class=\"num\">Effort</th><th>Disposition</th><th class=\"num\">Findings</th><th class=\"num\">Workloads</th></tr></thead>\n<tbody>\n");
        for (rule, count) in fired {
            out.push_str("<tr><td>");
            rule_link(out, ov, &rule.id);
            w!(
                out,
                "</td><td>{}</td><td class=\"nw\">{}</td><td>",
                rich(&rule.title),
                rule.level.as_str()
            );
            severity_badge(out, rule.severity);
            w!(
                out,
                "</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                format_number(rule.weight),
                rule.effort,
                rule.disposition.as_str(),
                count.map_or(0, |c| c.findings),
                count.map_or(0, |c| c.workloads)
            );
        }
        out.push_str("</tbody>\n</table>\n</div>\n");
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests;
