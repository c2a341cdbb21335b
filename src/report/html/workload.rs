//! The workloads table and the section of each workload.

use super::*;

pub(super) fn workloads_table(out: &mut String, ov: &Overview<'_>) {
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

pub(super) fn state_class(s: PropertyState) -> &'static str {
    match s {
        PropertyState::Holds => "holds",
        PropertyState::Fails => "fails",
        PropertyState::Unknown => "unknown",
        PropertyState::NotApplicable => "na",
    }
}

pub(super) fn workload_sections(out: &mut String, ov: &Overview<'_>) {
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

    let explained = crate::report::explain::explain(ov.report, w);
    property_grid(out, ov, &explained);

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
        for e in w.evidence_needed.iter() {
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
            "<h4>Findings ({})</h4>\n<div class=\"scroll\">\n<table class=\"findings\">\n<thead><tr><th class=\"where\">Where</th><th>Rule</th><th>What, how to fix it, and why</th></tr></thead>\n<tbody>\n",
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
                // On a phone the place moves into the text (docs/reports.md): one of the two
                // is displayed, and read, at any width.
                "<div class=\"level\">{}</div></td><td><p class=\"where narrow\">{}:{}</p><p class=\"msg\">{}</p><p class=\"fix\"><b>Fix:</b> {}</p>",
                f.level.as_str(),
                path(&f.file),
                f.line,
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
        out.push_str("</tbody>\n</table>\n</div>\n");
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
        out.push_str("<div class=\"scroll\">\n<table class=\"numbers\">\n<thead><tr><th></th><th>vCPU</th><th>Memory GiB</th><th>Storage GiB</th></tr></thead>\n<tbody>\n");
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
        out.push_str("</tbody>\n</table>\n</div>\n</div>\n");
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
            .chain(std::iter::once((None, &**rs)));
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
        if let Some(steps) = &explained.sizing {
            sizing_steps(out, steps);
        }
    }

    if !w.components.is_empty() {
        out.push_str("<h4>Components</h4>\n<div class=\"scroll\">\n<table class=\"components\">\n<thead><tr><th>Component</th><th>Where</th><th class=\"num\">Instances</th><th>Now per instance vCPU / GiB / disk</th><th>Recommended</th><th>Reclaimable</th><th>Catalog</th></tr></thead>\n<tbody>\n");
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
        out.push_str("</tbody>\n</table>\n</div>\n");
    }
    out.push_str("<p class=\"back\"><a href=\"#workloads\">↑ Workloads</a></p>\n</article>\n");
}
