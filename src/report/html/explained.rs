//! What `fitscan explain` says about one workload, in its HTML section: the properties phase
//! by phase with holds / fails / unknown and the checks behind each, and the sizing worked
//! out step by step. Both come from [`crate::report::explain::explain`], so that the page and the
//! command cannot tell two stories; the details fold out (`<details>`) to keep the page short.

use super::*;
use crate::report::explain::{DimensionSteps, Explanation, SizingSteps};

/// A check's state as a class: `pass`, `fail`, `unknown`, `suppressed`, `na`.
fn check_class(state: &str) -> &'static str {
    match state {
        "pass" => "pass",
        "fail" => "fail",
        "unknown" => "unknown",
        "suppressed" => "suppressed",
        _ => "na",
    }
}

/// The defining properties of a workload: what holds, what fails, what is unknown, and the
/// checks behind each with their state; what a reader checks the phase against. The table
/// names the checks that decide (every check of a property that holds, the failed and
/// unknown ones of one that does not); the checks in full (title, where, reason, what to
/// collect) fold out below it.
pub(super) fn property_grid(out: &mut String, ov: &Overview<'_>, e: &Explanation) {
    out.push_str("<div class=\"scroll\">\n<table class=\"properties\">\n<thead><tr><th>Phase</th><th>Property</th><th>State</th><th>Checks</th></tr></thead>\n<tbody>\n");
    for phase in &e.phases {
        for p in &phase.properties {
            let state = state_class(p.state);
            w!(
                out,
                "<tr class=\"prop-{state}\"><td>{}</td><td title=\"{}\">{}</td><td><span class=\"state {state}\">{}</span></td><td>",
                phase.phase.as_str(),
                esc(p.meaning),
                p.property.as_str(),
                p.state.as_str()
            );
            let deciding = p
                .checks
                .iter()
                .filter(|c| p.state == PropertyState::Holds || c.state != "pass");
            for (k, c) in deciding.enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                rule_link(out, ov, &c.rule);
                w!(
                    out,
                    "&nbsp;<span class=\"cs {}\">{}</span>",
                    check_class(c.state),
                    c.state
                );
            }
            out.push_str("</td></tr>\n");
        }
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
    check_details(out, ov, e);
}

/// Every check behind every property, phase by phase, as `fitscan explain` lists them.
fn check_details(out: &mut String, ov: &Overview<'_>, e: &Explanation) {
    let checks: usize = e
        .phases
        .iter()
        .flat_map(|ph| &ph.properties)
        .map(|p| p.checks.len())
        .sum();
    if checks == 0 {
        return;
    }
    w!(
        out,
        "<details class=\"explain\">\n<summary>The {checks} check{} behind each property</summary>\n",
        if checks == 1 { "" } else { "s" }
    );
    for phase in &e.phases {
        w!(
            out,
            "<p class=\"step\"><b>{}</b> — {}</p>\n<ul class=\"checks\">\n",
            phase.phase.as_str(),
            if phase.reached {
                "reached"
            } else {
                "not reached"
            }
        );
        let mut unchecked: Vec<&str> = Vec::new();
        for p in &phase.properties {
            if p.checks.is_empty() {
                unchecked.push(p.property.as_str());
                continue;
            }
            w!(
                out,
                "<li><span class=\"state {}\">{}</span> <b>{}</b>: {}\n<ul>\n",
                state_class(p.state),
                p.state.as_str(),
                p.property.as_str(),
                esc(p.meaning)
            );
            for c in &p.checks {
                out.push_str("<li>");
                rule_link(out, ov, &c.rule);
                if !c.title.is_empty() {
                    w!(out, " {}", rich(&c.title));
                }
                w!(
                    out,
                    ": <span class=\"cs {}\">{}</span>",
                    check_class(c.state),
                    c.state
                );
                for (k, f) in c.findings.iter().enumerate() {
                    out.push_str(if k == 0 { " at " } else { ", " });
                    w!(
                        out,
                        "<span class=\"where\">{}:{}</span>",
                        path(&f.file),
                        f.line
                    );
                }
                if let Some(reason) = &c.reason {
                    w!(out, " ({})", esc(reason));
                }
                if let Some(collect) = &c.collect {
                    w!(out, "; collect: {}", esc(collect));
                }
                out.push_str("</li>\n");
            }
            out.push_str("</ul>\n</li>\n");
        }
        if !unchecked.is_empty() {
            w!(
                out,
                "<li class=\"note\">No check applies to this workload for: {}</li>\n",
                unchecked.join(", ")
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</details>\n");
}

/// The right-sizing arithmetic: statistic, percentile, headroom, the ladder or catalog step,
/// the result; per part sized on its own, then the total over instances.
pub(super) fn sizing_steps(out: &mut String, s: &SizingSteps) {
    out.push_str("<details class=\"explain\">\n<summary>Worked out step by step</summary>\n");
    w!(
        out,
        "<p>Percentile p{}, headroom {} %, {} ladder; basis {}, confidence {} ({} of 5{}{}).</p>\n",
        format_number(s.percentile),
        format_number(s.headroom_pct),
        s.ladder,
        s.basis,
        s.confidence,
        s.rating,
        s.data_points
            .map(|d| format!(
                ", {} % of the expected data points",
                format_number(d * 100.0)
            ))
            .unwrap_or_default(),
        s.period_days
            .map(|d| format!(" over {} day(s)", format_number(d)))
            .unwrap_or_default(),
    );
    if s.components.is_empty() {
        dimensions(out, &s.dimensions);
    } else {
        for c in &s.components {
            w!(
                out,
                "<p class=\"step\"><b>{}</b> (×{}, per instance)</p>\n",
                esc(&c.name),
                format_number(c.count)
            );
            dimensions(out, &c.dimensions);
            if let Some(cat) = &c.catalog {
                w!(out, "<p class=\"note\">Catalog: {}</p>\n", esc(cat));
            }
        }
        out.push_str("<p class=\"step\"><b>Total over instances</b></p>\n<dl class=\"worked\">\n");
        for d in &s.dimensions {
            w!(
                out,
                "<dt>{}</dt><dd>{} → {} {}</dd>\n",
                dimension_label(d),
                num(d.current),
                num(d.recommended),
                d.unit
            );
        }
        out.push_str("</dl>\n");
    }
    if let Some(cat) = &s.catalog {
        w!(out, "<p class=\"note\">Catalog: {}</p>\n", esc(cat));
    }
    out.push_str("</details>\n");
}

fn dimension_label(d: &DimensionSteps) -> &'static str {
    match d.dimension {
        "vcpu" => "vCPU",
        "memory_gib" => "Memory",
        _ => "Storage",
    }
}

fn dimensions(out: &mut String, dims: &[DimensionSteps]) {
    out.push_str("<dl class=\"worked\">\n");
    for d in dims {
        w!(
            out,
            "<dt>{}</dt><dd>now {} {}; {}</dd>\n",
            dimension_label(d),
            num(d.current),
            d.unit,
            esc(&d.worked)
        );
    }
    out.push_str("</dl>\n");
}
