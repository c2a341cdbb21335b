//! The estate-wide sections of the HTML report: summary, generation × phase, right-sizing,
//! effort, top findings and the estate groups.

use super::*;

pub(super) fn summary(out: &mut String, ov: &Overview<'_>) {
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

    out.push_str("<h3>Workloads by kind</h3>\n<div class=\"scroll\">\n<table class=\"numbers\">\n<thead><tr><th>Kind</th><th>Workloads</th>");
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
    out.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

pub(super) fn kind_label(k: WorkloadKind) -> &'static str {
    match k {
        WorkloadKind::Vm => "VM",
        WorkloadKind::ContainerImage => "container image",
        WorkloadKind::Kubernetes => "Kubernetes workload",
        WorkloadKind::Compose => "Compose service",
        WorkloadKind::Vnf => "VNF",
        WorkloadKind::KubernetesCluster => "Kubernetes cluster",
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
        "<div class=\"scroll\">\n<svg class=\"chart matrix-chart\" viewBox=\"0 0 640 {height}\" width=\"640\" height=\"{height}\" role=\"img\" aria-labelledby=\"matrix-title\">\n<title id=\"matrix-title\">Workloads by platform generation and phase</title>\n"
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
    out.push_str("</svg>\n</div>\n");
}

pub(super) fn matrix(out: &mut String, ov: &Overview<'_>) {
    let total = ov.report.summary.workloads;
    out.push_str("<section id=\"matrix\">\n<h2>Generation × phase</h2>\n");
    out.push_str("<p>Each workload runs on a platform generation (1 mainframe, 2 client-server and virtualised, 3 cloud-native) and is in a phase of its evolution there: \
<em>unchanged</em> (moved 1:1, the same application in a different wrapper), <em>optimised</em> (right-sized, configured from outside, data separable from compute) \
or <em>purpose-built</em> (uses the platform's own APIs to scale, heal and isolate itself).</p>\n");
    out.push_str("<div class=\"matrix\">\n");
    matrix_chart(out, ov);
    out.push_str(
        "<div class=\"scroll\">\n<table class=\"numbers\">\n<thead><tr><th>Generation</th>",
    );
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
        "<td>{total}</td><td>{}</td></tr>\n</tbody>\n</table>\n</div>\n</div>\n",
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
    out.push_str("<div class=\"scroll\">\n<table>\n<thead><tr><th>Workload</th><th>Kind</th><th>Generation</th><th>Score</th><th>First step on its roadmap</th></tr></thead>\n<tbody>\n");
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
    out.push_str("</tbody>\n</table>\n</div>\n");
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

pub(super) fn rightsizing(out: &mut String, ov: &Overview<'_>) {
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
    out.push_str("<div class=\"scroll\">\n<table class=\"numbers\">\n<thead><tr><th></th><th>vCPU</th><th>Memory GiB</th><th>Storage GiB</th></tr></thead>\n<tbody>\n");
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
    out.push_str("</tbody>\n</table>\n</div>\n</div>\n");
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
        .filter_map(|(i, w)| w.rightsizing.as_deref().map(|rs| (i, w, rs)))
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
        out.push_str("<h3>Largest opportunities</h3>\n<div class=\"scroll\">\n<table>\n<thead><tr><th>Workload</th><th>Basis</th><th>Now vCPU / GiB / disk</th><th>Recommended</th><th>Reclaimable</th>");
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
        out.push_str("</tbody>\n</table>\n</div>\n");
    }
    out.push_str("</section>\n");
}

pub(super) fn basis_text(rs: &Rightsizing) -> &'static str {
    match (rs.basis, rs.confidence) {
        (Basis::None, _) => "no utilisation",
        (Basis::Utilisation, c) => match c {
            crate::sizing::rightsize::Confidence::High => "utilisation, high confidence",
            crate::sizing::rightsize::Confidence::Medium => "utilisation, medium confidence",
            crate::sizing::rightsize::Confidence::Low => "utilisation, low confidence",
        },
    }
}

pub(super) fn triple(s: &Sizing) -> String {
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
pub(super) struct SizingBars<'a> {
    pub(super) current: &'a Sizing,
    pub(super) recommended: &'a Sizing,
    pub(super) demand: Option<&'a Sizing>,
    /// Per dimension (vCPU, memory, storage): the workload lacks capacity there.
    pub(super) missing: [bool; 3],
}

pub(super) fn sizing_chart(out: &mut String, bars: &SizingBars<'_>, title: &str) {
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
        "<div class=\"scroll\">\n<svg class=\"chart sizing-chart\" viewBox=\"0 0 430 {height}\" width=\"430\" height=\"{height}\" role=\"img\"><title>{}</title>\n",
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
    out.push_str("</svg>\n</div>\n");
}

pub(super) fn effort(out: &mut String, ov: &Overview<'_>) {
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
    out.push_str("<div class=\"scroll\">\n<table class=\"numbers\">\n<thead><tr><th>Disposition</th><th>What it means here</th><th>Workloads</th><th>Effort points</th><th>Person-days</th><th>For example</th></tr></thead>\n<tbody>\n");
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
        "<tr class=\"sum\"><th scope=\"row\">All</th><td></td><td>{}</td><td>{total}</td><td>{}</td><td></td></tr>\n</tbody>\n</table>\n</div>\n",
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
    out.push_str("<div class=\"scroll\">\n<table class=\"numbers\">\n<thead><tr><th>What to collect</th><th>Workloads</th><th>Needed by</th></tr></thead>\n<tbody>\n");
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
    out.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

pub(super) fn rule_link(out: &mut String, ov: &Overview<'_>, rule: &str) {
    match ov.rule_doc_url(rule) {
        // Tens of thousands of these on a large estate: no class, styled by their target.
        Some(url) => w!(out, "<a href=\"{}\">{}</a>", esc(&url), esc(rule)),
        None => w!(out, "<span class=\"rule\">{}</span>", esc(rule)),
    }
}

pub(super) fn severity_badge(out: &mut String, s: Severity) {
    w!(out, "<span class=\"sev sev-{0}\">{0}</span>", s.as_str());
}

pub(super) fn top_findings(out: &mut String, ov: &Overview<'_>) {
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
    out.push_str("<div class=\"scroll\">\n<table>\n<thead><tr><th>Rule</th><th>Title</th><th>Severity</th><th>Needed for</th><th class=\"num\">Findings</th><th class=\"num\">Workloads</th><th>For example</th></tr></thead>\n<tbody>\n");
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
    out.push_str("</tbody>\n</table>\n</div>\n");
    if shown < ov.rule_counts.len() {
        w!(
            out,
            "<p class=\"note\">The other {} are listed under <a href=\"#rules-fired\">rules that fired</a>.</p>\n",
            ov.rule_counts.len() - shown
        );
    }
    out.push_str("</section>\n");
}

pub(super) fn has_estate_section(report: &Report) -> bool {
    let s = &report.summary.estate;
    !(s.groups.is_empty() && s.powered_off == 0 && s.end_of_life_os == 0 && s.skipped.is_empty())
}

pub(super) fn estate_groups(out: &mut String, report: &Report) {
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
            "<h3>By {0}</h3>\n<div class=\"scroll\">\n<table class=\"numbers\">\n<thead><tr><th>{0}</th><th>Workloads</th><th>Powered off</th><th>EOL OS</th><th>Undersized</th><th>Now vCPU / GiB / disk</th><th>Reclaimable</th></tr></thead>\n<tbody>\n",
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
        out.push_str("</tbody>\n</table>\n</div>\n");
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
