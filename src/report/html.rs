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
use crate::model::{
    Generation, Level, Phase, Property, PropertyState, Severity, Sizing, WorkloadKind,
};
use crate::node::format_number;
use crate::sizing::rightsize::{Basis, Rightsizing};

/// Appends formatted text to a `String` (which cannot fail).
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

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
pub const SCRIPT: &str = include_str!("html/report.js");
/// `sha256-` + base64 of the SHA-256 of [`SCRIPT`].
pub const SCRIPT_HASH: &str = include_str!("html/report.js.sha256");
const STYLE: &str = include_str!("html/report.css");

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
    out.push_str(&super::cnf_section::html(report));
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

fn summary(out: &mut String, ov: &Overview<'_>) {
    let r = ov.report;
    let s = &r.summary;
    out.push_str("<section id=\"summary\">\n<h2>Executive summary</h2>\n");
    if s.workloads == 0 {
        out.push_str("<p class=\"lead\">No workloads were found in the inputs.</p>\n</section>\n");
        return;
    }
    out.push_str("<div class=\"cards\">\n");
    card(out, &s.workloads.to_string(), "workloads", "");
    for p in Phase::ALL {
        let n = s.by_phase.get(p.as_str()).copied().unwrap_or(0);
        card(
            out,
            &format!(
                "{n} <small>{}</small>",
                percent(n, s.workloads).replace(' ', "&nbsp;")
            ),
            p.as_str(),
            phase_class(p),
        );
    }
    card(
        out,
        &s.disconnects.to_string(),
        "generation disconnects",
        "disconnect",
    );
    card(
        out,
        &format!(
            "<span class=\"sev-error\">{}</span> / <span class=\"sev-warning\">{}</span> / <span class=\"sev-info\">{}</span>",
            s.findings.error, s.findings.warning, s.findings.info
        ),
        "findings: error / warning / info",
        "",
    );
    card(
        out,
        &format!(
            "{} <small>vCPU</small> {} <small>GiB</small>",
            format_number(s.reclaimable.vcpu),
            format_number(s.reclaimable.memory_gib)
        ),
        &format!(
            "reclaimable, and {} GiB storage",
            format_number(s.reclaimable.storage_gib)
        ),
        "",
    );
    if let Some(cost) = &s.estate.cost {
        card(
            out,
            &esc(&money(cost.saving_per_month, cost.currency.as_deref())).to_string(),
            "saving per month",
            "",
        );
    }
    let effort: u32 = ov.dispositions.iter().map(|d| d.effort).sum();
    card(
        out,
        &effort.to_string(),
        "effort points to the next phase",
        "",
    );
    card(
        out,
        &ov.assessment_effort.to_string(),
        "points of evidence to collect",
        "",
    );
    out.push_str("</div>\n");

    let unchanged = s.by_phase.get("unchanged").copied().unwrap_or(0);
    let purpose_built = s.by_phase.get("purpose-built").copied().unwrap_or(0);
    w!(
        out,
        "<p class=\"lead\">Of {} workloads, <strong>{unchanged} ({})</strong> are <em>unchanged</em>: {}. \
<strong>{}</strong> of them run unchanged on a newer platform generation than the one they were built for \
(a <a href=\"#disconnects\">generation disconnect</a>). {purpose_built} ({}) are <em>purpose-built</em>: they {}.</p>\n",
        s.workloads,
        percent(unchanged, s.workloads),
        overview::phase_meaning(Phase::Unchanged),
        s.disconnects,
        percent(purpose_built, s.workloads),
        overview::phase_meaning(Phase::PurposeBuilt).replacen("uses", "use", 1),
    );

    out.push_str("<h3>Workloads by kind</h3>\n<table class=\"numbers\">\n<thead><tr><th>Kind</th><th>Workloads</th>");
    for p in Phase::ALL {
        w!(out, "<th>{}</th>", p.as_str());
    }
    out.push_str("<th>Disconnects</th></tr></thead>\n<tbody>\n");
    for k in &ov.kinds {
        w!(
            out,
            "<tr><td>{}</td><td>{}</td>",
            kind_label(k.kind),
            k.workloads
        );
        for n in k.by_phase {
            w!(out, "<td>{n}</td>");
        }
        w!(out, "<td>{}</td></tr>\n", k.disconnects);
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn kind_label(k: WorkloadKind) -> &'static str {
    match k {
        WorkloadKind::Vm => "VM",
        WorkloadKind::ContainerImage => "container image",
        WorkloadKind::Kubernetes => "Kubernetes workload",
        WorkloadKind::Compose => "Compose service",
        WorkloadKind::Vnf => "VNF",
    }
}

/// The generation x phase matrix as a stacked bar chart, one bar per generation.
fn matrix_chart(out: &mut String, ov: &Overview<'_>) {
    const LABEL_W: f64 = 150.0;
    const BAR_W: f64 = 440.0;
    const ROW_H: f64 = 40.0;
    const TOP: f64 = 34.0;
    let totals: Vec<usize> = (0..3)
        .map(|g| ov.total_workloads_in_generation(g))
        .collect();
    let max = totals.iter().copied().max().unwrap_or(0).max(1) as f64;
    let height = TOP + 3.0 * ROW_H + 8.0;
    w!(
        out,
        "<svg class=\"chart matrix-chart\" viewBox=\"0 0 640 {height}\" width=\"640\" height=\"{height}\" role=\"img\" aria-labelledby=\"matrix-title\">\n<title id=\"matrix-title\">Workloads by platform generation and phase</title>\n"
    );
    // Legend.
    let mut x = LABEL_W;
    for p in Phase::ALL {
        w!(
            out,
            "<rect class=\"{}\" x=\"{x}\" y=\"6\" width=\"12\" height=\"12\"/><text x=\"{}\" y=\"16\">{}</text>\n",
            phase_class(p),
            x + 16.0,
            p.as_str()
        );
        x += 120.0;
    }
    for (g, generation) in Generation::ALL.iter().enumerate() {
        let y = TOP + g as f64 * ROW_H;
        w!(
            out,
            "<text class=\"axis\" x=\"0\" y=\"{}\">Gen {}</text>\n",
            y + 20.0,
            esc(&generation_label(*generation))
        );
        let mut x = LABEL_W;
        for (p, phase) in Phase::ALL.iter().enumerate() {
            let n = ov.matrix[g][p];
            if n == 0 {
                continue;
            }
            let width = n as f64 / max * BAR_W;
            w!(
                out,
                "<rect class=\"{}\" x=\"{x:.1}\" y=\"{y}\" width=\"{width:.1}\" height=\"28\"><title>generation {}, {}: {n}</title></rect>\n",
                phase_class(*phase),
                generation.number(),
                phase.as_str()
            );
            if width >= 24.0 {
                w!(
                    out,
                    "<text class=\"in-bar\" x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{n}</text>\n",
                    x + width / 2.0,
                    y + 19.0
                );
            }
            x += width;
        }
        w!(
            out,
            "<text class=\"total\" x=\"{:.1}\" y=\"{}\">{}</text>\n",
            x + 6.0,
            y + 19.0,
            totals[g]
        );
    }
    out.push_str("</svg>\n");
}

fn matrix(out: &mut String, ov: &Overview<'_>) {
    let total = ov.report.summary.workloads;
    out.push_str("<section id=\"matrix\">\n<h2>Generation × phase</h2>\n");
    out.push_str("<p>Each workload runs on a platform generation (1 mainframe, 2 client-server and virtualised, 3 cloud-native) and is in a phase of its evolution there: \
<em>unchanged</em> (moved 1:1, the same application in a different wrapper), <em>optimised</em> (right-sized, configured from outside, data separable from compute) \
or <em>purpose-built</em> (uses the platform's own APIs to scale, heal and isolate itself).</p>\n");
    out.push_str("<div class=\"matrix\">\n");
    matrix_chart(out, ov);
    out.push_str("<table class=\"numbers\">\n<thead><tr><th>Generation</th>");
    for p in Phase::ALL {
        w!(out, "<th class=\"{}\">{}</th>", phase_class(p), p.as_str());
    }
    out.push_str("<th>Total</th><th>Disconnects</th></tr></thead>\n<tbody>\n");
    for (g, generation) in Generation::ALL.iter().enumerate() {
        let row_total = ov.total_workloads_in_generation(g);
        w!(
            out,
            "<tr><th scope=\"row\">{}</th>",
            esc(&generation_label(*generation))
        );
        for n in ov.matrix[g] {
            w!(
                out,
                "<td>{n} <small>{}</small></td>",
                percent(n, total).replace(' ', "&nbsp;")
            );
        }
        w!(
            out,
            "<td>{row_total}</td><td>{}</td></tr>\n",
            ov.disconnects_by_generation[g]
        );
    }
    out.push_str("<tr class=\"sum\"><th scope=\"row\">All</th>");
    for p in 0..3 {
        let n: usize = ov.matrix.iter().map(|row| row[p]).sum();
        w!(out, "<td>{n}</td>");
    }
    w!(
        out,
        "<td>{total}</td><td>{}</td></tr>\n</tbody>\n</table>\n</div>\n",
        ov.report.summary.disconnects
    );

    out.push_str("<h3 id=\"disconnects\">Generation disconnects</h3>\n");
    let disconnected: Vec<(usize, &WorkloadReport)> = ov
        .report
        .workloads
        .iter()
        .enumerate()
        .filter(|(_, w)| w.disconnect)
        .collect();
    if disconnected.is_empty() {
        out.push_str("<p>None: no workload runs unchanged on a client-server or cloud-native platform.</p>\n</section>\n");
        return;
    }
    w!(
        out,
        "<p>{} workload{} run{} <em>unchanged</em> on generation 2 or 3: an application built for the previous generation, \
carried over with its old sizing, identity and configuration. They pay for the new platform without using it; their roadmaps below say what to change first.</p>\n",
        disconnected.len(),
        if disconnected.len() == 1 { "" } else { "s" },
        if disconnected.len() == 1 { "s" } else { "" },
    );
    // The lowest scores first: the furthest from using their platform.
    let mut listed = disconnected.clone();
    listed.sort_by_key(|(i, w)| (w.score, *i));
    out.push_str("<table>\n<thead><tr><th>Workload</th><th>Kind</th><th>Generation</th><th>Score</th><th>First step on its roadmap</th></tr></thead>\n<tbody>\n");
    for (i, w) in listed.iter().take(DISCONNECTS_LISTED) {
        w!(
            out,
            "<tr><td><a href=\"#w-{}\">{}</a><div class=\"where\">{}:{}</div></td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>",
            i + 1,
            esc(&w.name),
            path(&w.file),
            w.line,
            w.kind.as_str(),
            w.generation.number(),
            w.score
        );
        match w.roadmap.first() {
            Some(item) => {
                rule_link(out, ov, &item.rule);
                w!(out, " {}", rich(&item.title));
            }
            None if !w.evidence_needed.is_empty() => out.push_str("collect the evidence it needs"),
            None => out.push('–'),
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    if listed.len() > DISCONNECTS_LISTED {
        w!(
            out,
            "<p class=\"note\">And {} more: filter the <a href=\"#workloads\">workloads table</a> on phase unchanged.</p>\n",
            listed.len() - DISCONNECTS_LISTED
        );
    }
    out.push_str("</section>\n");
}

fn totals_of(s: &Totals) -> Sizing {
    Sizing {
        vcpu: Some(s.vcpu),
        memory_gib: Some(s.memory_gib),
        storage_gib: Some(s.storage_gib),
    }
}

fn rightsizing(out: &mut String, ov: &Overview<'_>) {
    let s = &ov.report.summary;
    out.push_str("<section id=\"rightsizing\">\n<h2>Right-sizing</h2>\n");
    if ov.sized_workloads == 0 {
        out.push_str("<p>No workload has a known size.</p>\n</section>\n");
        return;
    }
    let a = &ov.report.assumptions;
    w!(
        out,
        "<p>{} workload{} have a known size; {} of them have measured utilisation, and are sized to the {}th percentile of demand plus {} % headroom{}. \
The others keep their size until utilisation is collected.</p>\n",
        ov.sized_workloads,
        if ov.sized_workloads == 1 { "" } else { "s" },
        ov.measured_workloads,
        format_number(a.percentile),
        format_number(a.headroom_pct),
        match &a.catalog {
            Some(c) => format!(
                ", rounded to the cheapest fitting entry of the catalog “{}”",
                esc(c.name.as_deref().unwrap_or(&c.file))
            ),
            None => ", rounded up to the next standard size".to_string(),
        }
    );
    out.push_str("<div class=\"sizing\">\n");
    sizing_chart(
        out,
        &SizingBars {
            current: &totals_of(&ov.current_total),
            recommended: &totals_of(&ov.recommended_total),
            demand: None,
            missing: [false; 3],
        },
        "Estate size now and right-sized",
    );
    out.push_str("<table class=\"numbers\">\n<thead><tr><th></th><th>vCPU</th><th>Memory GiB</th><th>Storage GiB</th></tr></thead>\n<tbody>\n");
    let row = |out: &mut String, label: &str, t: &Totals| {
        w!(
            out,
            "<tr><th scope=\"row\">{label}</th><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            format_number(t.vcpu),
            format_number(t.memory_gib),
            format_number(t.storage_gib)
        );
    };
    let table = ov.sizing_table();
    for r in &table.rows {
        row(out, &r.label, &r.totals);
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
    if let Some(note) = table.note {
        w!(out, "<p class=\"note\">{}</p>\n", esc(note));
    }
    if let Some(cost) = &s.estate.cost {
        let cur = cost.currency.as_deref();
        w!(
            out,
            "<p>Monthly cost in the catalog: <strong>{}</strong> now, <strong>{}</strong> right-sized, a saving of <strong>{}</strong> per month \
({} priced workload{}{}).</p>\n",
            esc(&money(cost.current_per_month, cur)),
            esc(&money(cost.recommended_per_month, cur)),
            esc(&money(cost.saving_per_month, cur)),
            cost.priced_workloads,
            if cost.priced_workloads == 1 { "" } else { "s" },
            if cost.unfit > 0 {
                format!("; {} fit no catalog entry", cost.unfit)
            } else {
                String::new()
            }
        );
    }
    // The largest opportunities, by memory then vCPU (what licences and hosts are counted in).
    let mut largest: Vec<(usize, &WorkloadReport, &Rightsizing)> = ov
        .report
        .workloads
        .iter()
        .enumerate()
        .filter_map(|(i, w)| w.rightsizing.as_ref().map(|rs| (i, w, rs)))
        .filter(|(_, _, rs)| {
            rs.reclaimable.vcpu.unwrap_or(0.0) > 0.0
                || rs.reclaimable.memory_gib.unwrap_or(0.0) > 0.0
                || rs.reclaimable.storage_gib.unwrap_or(0.0) > 0.0
        })
        .collect();
    largest.sort_by(|a, b| {
        let key = |rs: &Rightsizing| {
            (
                rs.reclaimable.memory_gib.unwrap_or(0.0),
                rs.reclaimable.vcpu.unwrap_or(0.0),
                rs.reclaimable.storage_gib.unwrap_or(0.0),
            )
        };
        let (ka, kb) = (key(a.2), key(b.2));
        kb.0.total_cmp(&ka.0)
            .then(kb.1.total_cmp(&ka.1))
            .then(kb.2.total_cmp(&ka.2))
            .then(a.0.cmp(&b.0))
    });
    if !largest.is_empty() {
        out.push_str("<h3>Largest opportunities</h3>\n<table>\n<thead><tr><th>Workload</th><th>Basis</th><th>Now vCPU / GiB / disk</th><th>Recommended</th><th>Reclaimable</th>");
        let priced = s.estate.cost.is_some();
        if priced {
            out.push_str("<th>Saving / month</th>");
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for (i, w, rs) in largest.iter().take(LARGEST_LISTED) {
            w!(
                out,
                "<tr><td><a href=\"#w-{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
                i + 1,
                esc(&w.name),
                basis_text(rs),
                triple(&rs.current),
                triple(&rs.recommended),
                triple(&rs.reclaimable)
            );
            if priced {
                w!(
                    out,
                    "<td class=\"num\">{}</td>",
                    overview::monthly_saving(w)
                        .map_or_else(|| "–".to_string(), |v| format!("{v:.2}"))
                );
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}

fn basis_text(rs: &Rightsizing) -> &'static str {
    match (rs.basis, rs.confidence) {
        (Basis::None, _) => "no utilisation",
        (Basis::Utilisation, c) => match c {
            crate::sizing::rightsize::Confidence::High => "utilisation, high confidence",
            crate::sizing::rightsize::Confidence::Medium => "utilisation, medium confidence",
            crate::sizing::rightsize::Confidence::Low => "utilisation, low confidence",
        },
    }
}

fn triple(s: &Sizing) -> String {
    format!(
        "{} / {} / {}",
        num(s.vcpu),
        num(s.memory_gib),
        num(s.storage_gib)
    )
}

/// Current against recommended per dimension, each dimension on its own scale (they are in
/// different units); demand is a tick where known, a recommendation above today's size in
/// a dimension that is missing capacity is drawn as such.
struct SizingBars<'a> {
    current: &'a Sizing,
    recommended: &'a Sizing,
    demand: Option<&'a Sizing>,
    /// Per dimension (vCPU, memory, storage): the workload lacks capacity there.
    missing: [bool; 3],
}

fn sizing_chart(out: &mut String, bars: &SizingBars<'_>, title: &str) {
    const LABEL_W: f64 = 92.0;
    const BAR_W: f64 = 250.0;
    const ROW_H: f64 = 38.0;
    let pick: [fn(&Sizing) -> Option<f64>; 3] = [|s| s.vcpu, |s| s.memory_gib, |s| s.storage_gib];
    struct Row {
        label: &'static str,
        current: Option<f64>,
        recommended: Option<f64>,
        demand: Option<f64>,
        missing: bool,
    }
    let rows: Vec<Row> = ["vCPU", "Memory GiB", "Storage GiB"]
        .into_iter()
        .zip(pick)
        .zip(bars.missing)
        .map(|((label, pick), missing)| Row {
            label,
            current: pick(bars.current),
            recommended: pick(bars.recommended),
            demand: bars.demand.and_then(pick),
            missing,
        })
        .filter(|r| r.current.is_some() || r.recommended.is_some())
        .collect();
    if rows.is_empty() {
        return;
    }
    let height = 22.0 + rows.len() as f64 * ROW_H;
    w!(
        out,
        "<svg class=\"chart sizing-chart\" viewBox=\"0 0 430 {height}\" width=\"430\" height=\"{height}\" role=\"img\"><title>{}</title>\n",
        esc(title)
    );
    out.push_str("<rect class=\"current\" x=\"92\" y=\"4\" width=\"10\" height=\"10\"/><text x=\"106\" y=\"13\">now</text>\
<rect class=\"recommended\" x=\"142\" y=\"4\" width=\"10\" height=\"10\"/><text x=\"156\" y=\"13\">recommended</text>");
    let mut legend_x = 256.0;
    if bars.demand.is_some() {
        w!(
            out,
            "<line class=\"demand\" x1=\"{legend_x}\" y1=\"3\" x2=\"{legend_x}\" y2=\"15\"/><text x=\"{}\" y=\"13\">demand</text>",
            legend_x + 6.0
        );
        legend_x += 62.0;
    }
    if bars.missing.iter().any(|m| *m) {
        w!(
            out,
            "<rect class=\"undersized\" x=\"{legend_x}\" y=\"4\" width=\"10\" height=\"10\"/><text x=\"{}\" y=\"13\">undersized</text>",
            legend_x + 14.0
        );
    }
    out.push('\n');
    for (i, row) in rows.iter().enumerate() {
        let (label, cur, rec, dem) = (row.label, &row.current, &row.recommended, &row.demand);
        let y = 22.0 + i as f64 * ROW_H;
        let max = [*cur, *rec, *dem]
            .iter()
            .flatten()
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max);
        let scale = if max > 0.0 { BAR_W / max } else { 0.0 };
        w!(
            out,
            "<text class=\"axis\" x=\"0\" y=\"{}\">{label}</text>\n",
            y + 17.0
        );
        for (k, (class, v)) in [("current", cur), ("recommended", rec)].iter().enumerate() {
            let by = y + k as f64 * 14.0;
            let Some(v) = v.filter(|v| v.is_finite()) else {
                continue;
            };
            let class = if k == 1 && row.missing {
                "undersized"
            } else {
                class
            };
            let width = (v * scale).max(1.0);
            w!(
                out,
                "<rect class=\"{class}\" x=\"{LABEL_W}\" y=\"{by}\" width=\"{width:.1}\" height=\"12\"/><text x=\"{:.1}\" y=\"{}\">{}</text>\n",
                LABEL_W + width + 4.0,
                by + 10.0,
                format_number(v)
            );
        }
        if let Some(d) = dem.filter(|d| d.is_finite()) {
            let x = LABEL_W + d * scale;
            w!(
                out,
                "<line class=\"demand\" x1=\"{x:.1}\" y1=\"{}\" x2=\"{x:.1}\" y2=\"{}\"><title>demand {}</title></line>\n",
                y - 2.0,
                y + 28.0,
                format_number(d)
            );
        }
    }
    out.push_str("</svg>\n");
}

fn effort(out: &mut String, ov: &Overview<'_>) {
    let per_point = ov.report.assumptions.effort_days_per_point;
    out.push_str("<section id=\"effort\">\n<h2>Effort: the plan</h2>\n");
    w!(
        out,
        "<p>One recommended treatment per workload, each with its reason in the workload's details. \
Effort is the sum of the rule points between each workload and its next phase (the work its disposition recommends); \
one point is {} person-day{} (<code>effort-days-per-point</code>). Purpose-built workloads add none.</p>\n",
        crate::node::format_number(per_point),
        if (per_point - 1.0).abs() < 1e-9 {
            ""
        } else {
            "s"
        }
    );
    out.push_str("<table class=\"numbers\">\n<thead><tr><th>Disposition</th><th>What it means here</th><th>Workloads</th><th>Effort points</th><th>Person-days</th><th>For example</th></tr></thead>\n<tbody>\n");
    for d in ov.dispositions.iter().filter(|d| d.workloads > 0) {
        w!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"text\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"text\">",
            d.disposition.as_str(),
            overview::disposition_meaning(d.disposition),
            d.workloads,
            d.effort,
            overview::person_days(d.effort, per_point)
        );
        for (n, i) in d.examples.iter().enumerate() {
            if n > 0 {
                out.push_str(", ");
            }
            w!(out, "{}", esc(&ov.report.workloads[*i].name));
        }
        out.push_str("</td></tr>\n");
    }
    let total: u32 = ov.dispositions.iter().map(|d| d.effort).sum();
    w!(
        out,
        "<tr class=\"sum\"><th scope=\"row\">All</th><td></td><td>{}</td><td>{total}</td><td>{}</td><td></td></tr>\n</tbody>\n</table>\n",
        ov.report.summary.workloads,
        overview::person_days(total, per_point)
    );
    out.push_str("<h3>Evidence to collect</h3>\n");
    if ov.evidence.is_empty() {
        out.push_str("<p>Nothing: every check could be judged.</p>\n</section>\n");
        return;
    }
    w!(
        out,
        "<p>Assessment effort, apart from the work: {} point{} ({} person-days), one per distinct piece of evidence per workload.</p>\n",
        ov.assessment_effort,
        if ov.assessment_effort == 1 { "" } else { "s" },
        overview::person_days(ov.assessment_effort, per_point)
    );
    out.push_str("<table class=\"numbers\">\n<thead><tr><th>What to collect</th><th>Workloads</th><th>Needed by</th></tr></thead>\n<tbody>\n");
    for e in &ov.evidence {
        w!(
            out,
            "<tr><td class=\"text\">{}</td><td>{}</td><td class=\"text\">",
            esc(e.collect),
            e.workloads
        );
        for (n, rule) in e.rules.iter().enumerate() {
            if n > 0 {
                out.push_str(", ");
            }
            rule_link(out, ov, rule);
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn rule_link(out: &mut String, ov: &Overview<'_>, rule: &str) {
    match ov.rule_doc_url(rule) {
        // Tens of thousands of these on a large estate: no class, styled by their target.
        Some(url) => w!(out, "<a href=\"{}\">{}</a>", esc(&url), esc(rule)),
        None => w!(out, "<span class=\"rule\">{}</span>", esc(rule)),
    }
}

fn severity_badge(out: &mut String, s: Severity) {
    w!(out, "<span class=\"sev sev-{0}\">{0}</span>", s.as_str());
}

fn top_findings(out: &mut String, ov: &Overview<'_>) {
    out.push_str("<section id=\"findings\">\n<h2>Top findings</h2>\n");
    if ov.rule_counts.is_empty() {
        out.push_str("<p>No findings.</p>\n</section>\n");
        return;
    }
    let shown = ov.rule_counts.len().min(TOP_RULES);
    w!(
        out,
        "<p>{} rule{} fired; {} by the number of workloads they concern. Rule ids link to their documentation.</p>\n",
        ov.rule_counts.len(),
        if ov.rule_counts.len() == 1 { "" } else { "s" },
        if shown < ov.rule_counts.len() {
            format!("the {shown} most widespread")
        } else {
            "here".to_string()
        }
    );
    out.push_str("<table>\n<thead><tr><th>Rule</th><th>Title</th><th>Severity</th><th>Needed for</th><th class=\"num\">Findings</th><th class=\"num\">Workloads</th><th>For example</th></tr></thead>\n<tbody>\n");
    for c in ov.rule_counts.iter().take(shown) {
        out.push_str("<tr><td>");
        rule_link(out, ov, c.rule);
        w!(out, "</td><td>{}</td><td>", rich(c.title));
        severity_badge(out, c.severity);
        w!(
            out,
            "</td><td class=\"nw\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>",
            c.level.as_str(),
            c.findings,
            c.workloads
        );
        for (k, i) in c.examples.iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            if let Some(w) = ov.report.workloads.get(*i) {
                w!(out, "<a href=\"#w-{}\">{}</a>", i + 1, esc(&w.name));
            }
        }
        if c.workloads > c.examples.len() {
            w!(out, " and {} more", c.workloads - c.examples.len());
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    if shown < ov.rule_counts.len() {
        w!(
            out,
            "<p class=\"note\">The other {} are listed under <a href=\"#rules-fired\">rules that fired</a>.</p>\n",
            ov.rule_counts.len() - shown
        );
    }
    out.push_str("</section>\n");
}

fn has_estate_section(report: &Report) -> bool {
    let s = &report.summary.estate;
    !(s.groups.is_empty() && s.powered_off == 0 && s.end_of_life_os == 0 && s.skipped.is_empty())
}

fn estate_groups(out: &mut String, report: &Report) {
    let s = &report.summary.estate;
    if !has_estate_section(report) {
        return;
    }
    out.push_str("<section id=\"estate\">\n<h2>Estate</h2>\n<ul>\n");
    if s.powered_off > 0 {
        w!(
            out,
            "<li>{} VM{} powered off: candidates to retire.</li>\n",
            s.powered_off,
            if s.powered_off == 1 { "" } else { "s" }
        );
    }
    if s.end_of_life_os > 0 {
        w!(
            out,
            "<li>{} workload{} on an end-of-life operating system.</li>\n",
            s.end_of_life_os,
            if s.end_of_life_os == 1 { "" } else { "s" }
        );
    }
    for (reason, n) in &s.skipped {
        w!(
            out,
            "<li>{n} inventory row{} skipped as not workloads: {}.</li>\n",
            if *n == 1 { "" } else { "s" },
            esc(reason)
        );
    }
    out.push_str("</ul>\n");
    for (key, groups) in &s.groups {
        w!(
            out,
            "<h3>By {0}</h3>\n<table class=\"numbers\">\n<thead><tr><th>{0}</th><th>Workloads</th><th>Powered off</th><th>EOL OS</th><th>Undersized</th><th>Now vCPU / GiB / disk</th><th>Reclaimable</th></tr></thead>\n<tbody>\n",
            esc(key)
        );
        let mut rows: Vec<_> = groups.iter().collect();
        rows.sort_by(|a, b| b.1.workloads.cmp(&a.1.workloads).then(a.0.cmp(b.0)));
        for (name, g) in rows.iter().take(GROUP_ROWS) {
            w!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                esc(name),
                g.workloads,
                g.powered_off,
                g.end_of_life_os,
                g.undersized,
                triple(&totals_of(&g.current)),
                triple(&totals_of(&g.reclaimable))
            );
        }
        out.push_str("</tbody>\n</table>\n");
        if rows.len() > GROUP_ROWS {
            w!(
                out,
                "<p class=\"note\">The {GROUP_ROWS} largest of {} (the JSON report has them all).</p>\n",
                rows.len()
            );
        }
    }
    out.push_str("</section>\n");
}

fn workloads_table(out: &mut String, ov: &Overview<'_>) {
    let r = ov.report;
    if r.workloads.is_empty() {
        return;
    }
    out.push_str("<section id=\"workloads\">\n<h2>Workloads</h2>\n");
    // Hidden until the script runs: without it, the table reads as it is.
    out.push_str("<div class=\"controls\" id=\"workload-controls\" hidden>\n<label>Filter <input type=\"search\" id=\"wf-text\" placeholder=\"name, file, label…\"></label>\n");
    out.push_str("<label>Phase <select id=\"wf-phase\"><option value=\"\">all</option>");
    for p in Phase::ALL {
        w!(out, "<option>{}</option>", p.as_str());
    }
    out.push_str(
        "</select></label>\n<label>Kind <select id=\"wf-kind\"><option value=\"\">all</option>",
    );
    for k in &ov.kinds {
        w!(out, "<option>{}</option>", k.kind.as_str());
    }
    out.push_str("</select></label>\n<label>Generation <select id=\"wf-gen\"><option value=\"\">all</option><option>1</option><option>2</option><option>3</option></select></label>\n");
    out.push_str("<label><input type=\"checkbox\" id=\"wf-disconnect\"> disconnects only</label>\n<span id=\"wf-count\" aria-live=\"polite\"></span>\n</div>\n");
    out.push_str(
        "<div class=\"scroll\">\n<table id=\"workload-table\" class=\"workloads\">\n<thead><tr>",
    );
    let columns: [(&str, bool, &str); 13] = [
        ("Workload", false, ""),
        ("Kind", false, ""),
        ("Gen", true, "platform generation"),
        ("Phase", true, ""),
        (
            "Score",
            true,
            "weighted share of applicable checks passed, 0-100",
        ),
        ("Conf.", true, "share of gating checks that were known"),
        ("Disposition", false, ""),
        ("Effort", true, "points on the roadmap to the next phase"),
        ("Findings", true, "error / warning / info"),
        (
            "Size now → recommended",
            true,
            "vCPU / memory GiB / storage GiB; sorts by memory now",
        ),
        ("Recl. vCPU", true, "reclaimable vCPU (negative: missing)"),
        (
            "Recl. GiB",
            true,
            "reclaimable memory GiB (negative: missing)",
        ),
        (
            "Recl. disk",
            true,
            "reclaimable storage GiB (negative: missing)",
        ),
    ];
    for (name, numeric, title) in columns {
        w!(
            out,
            "<th{}{}>{name}</th>",
            if numeric { " data-type=\"num\"" } else { "" },
            if title.is_empty() {
                String::new()
            } else {
                format!(" title=\"{title}\"")
            }
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (i, w) in r.workloads.iter().enumerate() {
        let counts = Counts::of(w);
        w!(
            out,
            "<tr data-phase=\"{}\" data-kind=\"{}\" data-gen=\"{}\" data-disconnect=\"{}\"><td><a href=\"#w-{}\">{}</a><div class=\"where\">{}:{}</div></td><td>{}</td><td class=\"num\">{}</td><td data-v=\"{}\"><span class=\"phase {}\">{}</span>{}</td><td class=\"num\">{}</td><td class=\"num\" data-v=\"{}\">{}</td><td>{}</td><td class=\"num\">{}</td>",
            phase_class(w.phase),
            w.kind.as_str(),
            w.generation.number(),
            u8::from(w.disconnect),
            i + 1,
            esc(&w.name),
            path(&w.file),
            w.line,
            w.kind.as_str(),
            w.generation.number(),
            overview::phase_index(w.phase),
            phase_class(w.phase),
            w.phase.as_str(),
            if w.disconnect {
                " <span class=\"flag\" title=\"generation disconnect\">⚡</span>"
            } else {
                ""
            },
            w.score,
            w.confidence,
            percent_f(w.confidence),
            w.disposition.as_str(),
            w.effort
        );
        w!(
            out,
            "<td class=\"num\" data-v=\"{}\"><span class=\"sev-error\">{}</span>/<span class=\"sev-warning\">{}</span>/<span class=\"sev-info\">{}</span></td>",
            counts.error * 1_000_000 + counts.warning * 1000 + counts.info,
            counts.error,
            counts.warning,
            counts.info
        );
        let rs = w.rightsizing.as_ref();
        match rs {
            Some(rs) if rs.current == rs.recommended => w!(
                out,
                "<td class=\"num\" data-v=\"{}\">{}</td>",
                rs.current.memory_gib.unwrap_or(-1.0),
                triple(&rs.current)
            ),
            Some(rs) => w!(
                out,
                "<td class=\"num\" data-v=\"{}\">{} → {}</td>",
                rs.current.memory_gib.unwrap_or(-1.0),
                triple(&rs.current),
                triple(&rs.recommended)
            ),
            None => out.push_str("<td class=\"num\" data-v=\"-1\">–</td>"),
        }
        for pick in [
            (|s: &Sizing| s.vcpu) as fn(&Sizing) -> Option<f64>,
            |s: &Sizing| s.memory_gib,
            |s: &Sizing| s.storage_gib,
        ] {
            let v = rs.and_then(|rs| pick(&rs.reclaimable));
            w!(
                out,
                "<td class=\"num{}\" data-v=\"{}\">{}</td>",
                if v.is_some_and(|v| v < 0.0) {
                    " missing"
                } else {
                    ""
                },
                v.unwrap_or(0.0),
                num(v)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

fn percent_f(share: f64) -> String {
    format!("{} %", (share * 100.0).round())
}

/// The defining properties of a workload: what holds, what fails, what is unknown, and the
/// checks behind each; what a reader checks the phase against.
fn property_grid(out: &mut String, ov: &Overview<'_>, w: &WorkloadReport) {
    out.push_str("<table class=\"properties\">\n<thead><tr><th>Phase</th><th>Property</th><th>State</th><th>Checks</th></tr></thead>\n<tbody>\n");
    for p in Property::ALL {
        let (state, rules) = overview::property_line(w, p);
        w!(
            out,
            "<tr class=\"prop-{}\"><td>{}</td><td title=\"{}\">{}</td><td><span class=\"state {}\">{}</span></td><td>",
            state_class(state),
            p.level().as_str(),
            esc(p.meaning()),
            p.as_str(),
            state_class(state),
            state.as_str()
        );
        for (k, rule) in rules.iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            rule_link(out, ov, rule);
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn state_class(s: PropertyState) -> &'static str {
    match s {
        PropertyState::Holds => "holds",
        PropertyState::Fails => "fails",
        PropertyState::Unknown => "unknown",
        PropertyState::NotApplicable => "na",
    }
}

fn workload_sections(out: &mut String, ov: &Overview<'_>) {
    if ov.report.workloads.is_empty() {
        return;
    }
    out.push_str("<section id=\"details\">\n<h2>Workload by workload</h2>\n");
    for (i, w) in ov.report.workloads.iter().enumerate() {
        workload_section(out, ov, i, w);
    }
    out.push_str("</section>\n");
}

fn workload_section(out: &mut String, ov: &Overview<'_>, i: usize, w: &WorkloadReport) {
    w!(
        out,
        "<article class=\"wl\" id=\"w-{}\">\n<h3>{} <span class=\"phase {}\">{}</span>",
        i + 1,
        esc(&w.name),
        phase_class(w.phase),
        w.phase.as_str()
    );
    if w.disconnect {
        out.push_str(" <span class=\"badge disconnect\">generation disconnect</span>");
    }
    w!(
        out,
        "</h3>\n<p class=\"meta\">{} · generation {} · <span class=\"where\">{}:{}</span>",
        kind_label(w.kind),
        esc(&generation_label(w.generation)),
        path(&w.file),
        w.line
    );
    for (k, v) in w.labels.iter() {
        w!(out, " · {}: {}", esc(k), esc(v));
    }
    out.push_str("</p>\n<dl class=\"facts\">\n");
    w!(
        out,
        "<dt>Phase</dt><dd>{}{} — score {} / 100, confidence {}</dd>\n",
        w.phase.as_str(),
        if w.held_by.is_empty() {
            String::new()
        } else {
            format!(
                ", held by {}",
                esc(&w
                    .held_by
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join(", "))
            )
        },
        w.score,
        percent_f(w.confidence)
    );
    w!(
        out,
        "<dt>Disposition</dt><dd>{}: {}</dd>\n",
        w.disposition.as_str(),
        esc(&w.disposition_reason)
    );
    for note in &w.notes {
        w!(out, "<dt>Note</dt><dd>{}</dd>\n", esc(note));
    }
    out.push_str("</dl>\n");

    property_grid(out, ov, w);

    let groups = overview::roadmap_groups(w);
    if w.phase == Phase::PurposeBuilt && groups.is_empty() {
        out.push_str("<h4>Roadmap</h4>\n<p>Purpose-built: the top of the ladder on this platform. Keep the findings below in check.</p>\n");
    } else {
        w!(
            out,
            "<h4>Roadmap to purpose-built <span class=\"effort\">{} effort point{}</span></h4>\n",
            w.effort,
            if w.effort == 1 { "" } else { "s" }
        );
        if groups.is_empty() {
            out.push_str("<p>No failed check stands in the way: the evidence below decides whether it is there already.</p>\n");
        }
        for g in &groups {
            w!(
                out,
                "<p class=\"step\"><b>{}</b>{}</p>\n<ol class=\"roadmap\">\n",
                esc(&g.heading()),
                if g.property.is_none() {
                    " (never moves the phase)"
                } else {
                    ""
                }
            );
            for item in &g.items {
                out.push_str("<li>");
                rule_link(out, ov, &item.rule);
                w!(out, " {} ", rich(&item.title));
                severity_badge(out, item.severity);
                w!(
                    out,
                    " <span class=\"effort\">{} point{}</span></li>\n",
                    item.effort,
                    if item.effort == 1 { "" } else { "s" }
                );
            }
            out.push_str("</ol>\n");
        }
    }

    if !w.evidence_needed.is_empty() {
        out.push_str("<h4>Evidence needed</h4>\n<p class=\"note\">Unknown is not a pass: these checks hold the workload below their phase until the data is collected.</p>\n<ul class=\"evidence\">\n");
        let mut groups: Vec<(&str, Vec<&str>, Level)> = Vec::new();
        for e in &w.evidence_needed {
            match groups.iter_mut().find(|(c, _, _)| *c == &*e.collect) {
                Some((_, rules, _)) => rules.push(&e.rule),
                None => groups.push((&e.collect, vec![&e.rule], e.level)),
            }
        }
        for (collect, rules, level) in groups {
            w!(out, "<li>{} <span class=\"for\">(", esc(collect));
            for (k, rule) in rules.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                rule_link(out, ov, rule);
            }
            w!(out, "; needed for {})</span></li>\n", level.as_str());
        }
        out.push_str("</ul>\n");
    }

    if !w.findings.is_empty() {
        w!(
            out,
            "<h4>Findings ({})</h4>\n<table class=\"findings\">\n<thead><tr><th>Where</th><th>Rule</th><th>What, how to fix it, and why</th></tr></thead>\n<tbody>\n",
            w.findings.len()
        );
        // A rule's rationale is the same for each of its findings: said once per workload.
        let mut explained: Vec<&str> = Vec::new();
        for f in &w.findings {
            w!(
                out,
                "<tr><td class=\"where\">{}:{}</td><td>",
                path(&f.file),
                f.line
            );
            rule_link(out, ov, &f.rule);
            out.push(' ');
            severity_badge(out, f.severity);
            w!(
                out,
                "<div class=\"level\">{}</div></td><td><p class=\"msg\">{}</p><p class=\"fix\"><b>Fix:</b> {}</p>",
                f.level.as_str(),
                rich(&f.message),
                rich(&f.remediation)
            );
            let why = ov.rationale(&f.rule);
            if !why.trim().is_empty() && !explained.contains(&f.rule.as_str()) {
                explained.push(&f.rule);
                w!(
                    out,
                    "<p class=\"why\"><b>Why it matters for {}:</b> {}</p>",
                    f.level.as_str(),
                    rich(why)
                );
            }
            out.push_str("</td></tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
    }

    if !w.suppressed.is_empty() {
        out.push_str("<h4>Accepted exceptions (suppressed)</h4>\n<ul class=\"suppressed\">\n");
        for s in &w.suppressed {
            out.push_str("<li>");
            rule_link(out, ov, &s.rule);
            w!(
                out,
                " at <span class=\"where\">{}:{}</span>, by the {} suppression at <span class=\"where\">{}:{}</span>: {}</li>\n",
                esc(&s.file),
                s.line,
                s.by.origin.as_str(),
                esc(&s.by.file),
                s.by.line,
                match &s.reason {
                    Some(r) => esc(r).to_string(),
                    None => "no reason given".to_string(),
                }
            );
        }
        out.push_str("</ul>\n");
    }

    if let Some(rs) = &w.rightsizing {
        out.push_str("<h4>Right-sizing</h4>\n<div class=\"sizing\">\n");
        let demand = (rs.basis == Basis::Utilisation).then_some(&rs.demand);
        let short = |v: Option<f64>| v.is_some_and(|v| v < 0.0);
        sizing_chart(
            out,
            &SizingBars {
                current: &rs.current,
                recommended: &rs.recommended,
                demand,
                missing: [
                    short(rs.reclaimable.vcpu),
                    short(rs.reclaimable.memory_gib),
                    short(rs.reclaimable.storage_gib),
                ],
            },
            &format!("{}: size now and recommended", w.name),
        );
        out.push_str("<table class=\"numbers\">\n<thead><tr><th></th><th>vCPU</th><th>Memory GiB</th><th>Storage GiB</th></tr></thead>\n<tbody>\n");
        let mut row = |label: &str, s: &Sizing| {
            w!(
                out,
                "<tr><th scope=\"row\">{label}</th><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                num(s.vcpu),
                num(s.memory_gib),
                num(s.storage_gib)
            );
        };
        row("Now", &rs.current);
        if rs.basis == Basis::Utilisation {
            row("Demand", &rs.demand);
        }
        row("Recommended", &rs.recommended);
        row("Reclaimable", &rs.reclaimable);
        out.push_str("</tbody>\n</table>\n</div>\n");
        w!(out, "<p class=\"note\">Basis: {}", basis_text(rs));
        if rs.basis == Basis::Utilisation {
            if !rs.statistic.is_empty() {
                w!(out, " ({})", esc(&rs.statistic.describe()));
            }
            w!(out, ", rated {} of 5", rs.rating);
            if let Some(dp) = rs.data_points {
                w!(out, " ({} of the expected data points", percent_f(dp));
                if let Some(days) = rs.period_days {
                    w!(out, " over {} days", format_number(days));
                }
                out.push(')');
            }
        } else {
            let fitted = w.catalog.is_some() || w.components.iter().any(|c| c.catalog.is_some());
            out.push_str(if fitted {
                ": the recommendation is the cheapest catalog entry that holds today's size"
            } else {
                ": the recommendation keeps today's size until utilisation is collected"
            });
        }
        out.push_str(".</p>\n");
        let parts = w
            .components
            .iter()
            .filter_map(|c| c.rightsizing.as_ref().map(|r| (Some(c.name.as_str()), r)))
            .chain(std::iter::once((None, rs)));
        for (part, r) in parts {
            for note in &r.notes {
                match part {
                    Some(name) => w!(out, "<p class=\"note\">{}: {}</p>\n", esc(name), esc(note)),
                    None => w!(out, "<p class=\"note\">{}</p>\n", esc(note)),
                }
            }
        }
        if let Some(fit) = &w.catalog {
            w!(
                out,
                "<p class=\"note\">Catalog: <strong>{}</strong> ({} vCPU, {} GiB",
                esc(&fit.entry),
                format_number(fit.vcpu),
                format_number(fit.memory_gib)
            );
            if let Some(st) = fit.storage_gib {
                w!(out, ", {} GiB storage", format_number(st));
            }
            out.push(')');
            if let Some(cur) = &fit.current_entry {
                w!(out, " instead of {}", esc(cur));
            }
            if let (Some(now), Some(after)) = (fit.current_price_per_month, fit.price_per_month) {
                w!(out, "; {now:.2} → {after:.2} per month");
            }
            if let Some(s) = fit.saving_per_month {
                w!(out, ", saving {s:.2}");
            }
            out.push_str(".</p>\n");
        }
    }

    if !w.components.is_empty() {
        out.push_str("<h4>Components</h4>\n<table class=\"components\">\n<thead><tr><th>Component</th><th>Where</th><th class=\"num\">Instances</th><th>Now per instance vCPU / GiB / disk</th><th>Recommended</th><th>Reclaimable</th><th>Catalog</th></tr></thead>\n<tbody>\n");
        for c in &w.components {
            w!(
                out,
                "<tr><td>{}</td><td class=\"where\">{}:{}</td><td class=\"num\">{}</td>",
                esc(&c.name),
                esc(c.file.as_deref().unwrap_or(&w.file)),
                c.line,
                format_number(c.count)
            );
            match &c.rightsizing {
                Some(rs) => w!(
                    out,
                    "<td>{}</td><td>{}</td><td>{}</td>",
                    triple(&rs.current),
                    triple(&rs.recommended),
                    triple(&rs.reclaimable)
                ),
                None => out.push_str("<td>–</td><td>–</td><td>–</td>"),
            }
            match &c.catalog {
                Some(fit) => w!(out, "<td>{}</td>", esc(&fit.entry)),
                None => out.push_str("<td>–</td>"),
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("<p class=\"back\"><a href=\"#workloads\">↑ Workloads</a></p>\n</article>\n");
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
            "<h3>Files that could not be assessed ({})</h3>\n<p>Nothing in these files was assessed: fix them and scan again.</p>\n<table class=\"errors\">\n<thead><tr><th>Where</th><th>Rule</th><th>Error</th></tr></thead>\n<tbody>\n",
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
        out.push_str("</tbody>\n</table>\n");
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
        out.push_str("<h3 id=\"rules-fired\">Rules that fired</h3>\n<table>\n<thead><tr><th>Rule</th><th>Title</th><th>Needed for</th><th>Severity</th><th class=\"num\">Weight</th><th class=\"num\">Effort</th><th>Disposition</th><th class=\"num\">Findings</th><th class=\"num\">Workloads</th></tr></thead>\n<tbody>\n");
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
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_controls() {
        assert_eq!(
            Esc("<script>alert('x')</script> & \"y\"").to_string(),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        assert_eq!(Esc("a\u{0}b\tc\n").to_string(), "a\u{FFFD}b\tc\n");
        assert_eq!(Esc("héllo — ok").to_string(), "héllo — ok");
    }
}
