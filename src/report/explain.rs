//! `fitscan explain`: why one workload is where it is. Every defining property, phase by
//! phase, with the checks behind its state and where their findings are; the evidence to
//! collect; the whole roadmap to purpose-built; and the sizing worked out step by step.
//!
//! Built from a [`Report`] alone, so that what it says is what every other format says.

use std::fmt::Write;

use serde::Serialize;

use crate::model::{Level, Phase, Property, PropertyState, Severity, Sizing};

use crate::assessment::{Report, RuleInfo, WorkloadReport};
use crate::node::format_number;
use crate::sizing::rightsize::{Ladder, Rightsizing};

/// Errors choosing the workloads to explain.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    #[error("`{pattern}` is not a valid glob: {message}")]
    Glob { pattern: String, message: String },
    #[error("no workload matches `{pattern}`{hint}")]
    NoMatch { pattern: String, hint: String },
}

/// The workloads `pattern` names: an id (`vm:db-01`), a name, or a glob over names and ids
/// (`db-*`). An exact id or name wins over a glob reading of the same text.
pub fn select<'a>(
    report: &'a Report,
    pattern: &str,
) -> Result<Vec<&'a WorkloadReport>, ExplainError> {
    let by_id: Vec<&WorkloadReport> = report
        .workloads
        .iter()
        .filter(|w| w.id == pattern)
        .collect();
    if !by_id.is_empty() {
        return Ok(by_id);
    }
    let by_name: Vec<&WorkloadReport> = report
        .workloads
        .iter()
        .filter(|w| w.name == pattern)
        .collect();
    if !by_name.is_empty() {
        return Ok(by_name);
    }
    if pattern.contains(['*', '?', '[', '{']) {
        let glob = globset::Glob::new(pattern)
            .map_err(|e| ExplainError::Glob {
                pattern: pattern.to_string(),
                message: e.kind().to_string(),
            })?
            .compile_matcher();
        let matched: Vec<&WorkloadReport> = report
            .workloads
            .iter()
            .filter(|w| glob.is_match(&w.name) || glob.is_match(&w.id))
            .collect();
        if !matched.is_empty() {
            return Ok(matched);
        }
    }
    // Names a reader may have meant: a close spelling, else the first few.
    let names: Vec<&str> = report.workloads.iter().map(|w| w.name.as_str()).collect();
    let hint = match crate::rules::loader::closest(pattern, &names) {
        Some(near) => format!(" (did you mean `{near}`?)"),
        None if names.is_empty() => " (the scan found no workload)".to_string(),
        None => {
            const SHOWN: usize = 8;
            let more = names.len().saturating_sub(SHOWN);
            format!(
                " (workloads: {}{})",
                names
                    .iter()
                    .take(SHOWN)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            )
        }
    };
    Err(ExplainError::NoMatch {
        pattern: pattern.to_string(),
        hint,
    })
}

/// Everything `explain` says about one workload (its JSON form).
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub file: String,
    pub line: u32,
    pub generation: u8,
    pub platform: &'static str,
    pub phase: Phase,
    /// The phase it would reach next (none for purpose-built or not-assessed).
    pub next_phase: Option<Phase>,
    /// The properties keeping it from the next phase.
    pub held_by: Vec<Property>,
    pub score: u32,
    pub confidence: f64,
    pub disconnect: bool,
    pub disposition: &'static str,
    pub effort: u32,
    /// The two phases a property defines, each with its properties.
    pub phases: Vec<PhaseProperties>,
    pub evidence_needed: Vec<Evidence>,
    pub roadmap: Roadmap,
    pub sizing: Option<SizingSteps>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhaseProperties {
    pub phase: Phase,
    /// Whether the workload has reached this phase.
    pub reached: bool,
    pub properties: Vec<PropertyExplained>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PropertyExplained {
    pub property: Property,
    pub state: PropertyState,
    pub meaning: &'static str,
    pub checks: Vec<CheckExplained>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckExplained {
    pub rule: String,
    pub title: String,
    /// pass, fail, unknown, or suppressed (failed, with every finding suppressed).
    pub state: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Place>,
    /// For a suppressed check: the reason the suppression gives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For an unknown check: what to collect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collect: Option<String>,
}

/// A finding's place and message.
#[derive(Debug, Clone, Serialize)]
pub struct Place {
    pub file: String,
    pub line: u32,
    pub severity: Severity,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub rule: String,
    pub title: String,
    pub property: Option<Property>,
    pub collect: String,
    pub needs: Vec<String>,
}

/// The roadmap to purpose-built: per phase, per property, the changes; then the advice.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Roadmap {
    pub phases: Vec<RoadmapPhase>,
    pub advice: Vec<Step>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoadmapPhase {
    pub phase: Phase,
    pub properties: Vec<RoadmapProperty>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoadmapProperty {
    pub property: Property,
    pub steps: Vec<Step>,
    /// Checks of this property that could not be judged: collect first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub rule: String,
    pub title: String,
    pub severity: Severity,
    pub effort: u32,
    /// What to do, as the first finding's remediation says it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    pub findings: Vec<Place>,
}

/// The right-sizing arithmetic of a workload (and of each part sized on its own).
#[derive(Debug, Clone, Serialize)]
pub struct SizingSteps {
    pub percentile: f64,
    pub headroom_pct: f64,
    /// `vm` (the spec's vCPU and memory ladders, 16 GiB storage steps) or `container`.
    pub ladder: &'static str,
    pub basis: &'static str,
    pub confidence: &'static str,
    pub rating: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_points: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_days: Option<f64>,
    pub dimensions: Vec<DimensionSteps>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog: Option<String>,
    /// Parts sized on their own (containers, VDUs), per instance; the workload's figures
    /// are their sum over instances.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<ComponentSteps>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComponentSteps {
    pub name: String,
    pub count: f64,
    pub dimensions: Vec<DimensionSteps>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DimensionSteps {
    /// vcpu, memory_gib or storage_gib.
    pub dimension: &'static str,
    pub unit: &'static str,
    pub current: Option<f64>,
    pub demand: Option<f64>,
    /// Which statistic the demand is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statistic: Option<String>,
    /// Demand plus headroom.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<f64>,
    /// The allowed size the required figure rounds up to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<f64>,
    pub recommended: Option<f64>,
    /// Positive: freed; negative: missing (undersized).
    pub reclaimable: Option<f64>,
    /// The steps in words.
    pub worked: String,
}

fn rule<'a>(report: &'a Report, id: &str) -> Option<&'a RuleInfo> {
    report.rules.iter().find(|r| r.id == id)
}

fn places(w: &WorkloadReport, rule: &str) -> Vec<Place> {
    w.findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| Place {
            file: f.file.to_string(),
            line: f.line,
            severity: f.severity,
            message: f.message.clone(),
        })
        .collect()
}

/// The explanation of one workload of `report`.
pub fn explain(report: &Report, w: &WorkloadReport) -> Explanation {
    let title = |id: &str| -> String {
        rule(report, id)
            .map(|r| r.title.clone())
            .or_else(|| {
                w.roadmap
                    .iter()
                    .find(|r| &*r.rule == id)
                    .map(|r| r.title.to_string())
            })
            .unwrap_or_default()
    };
    let phases = [Level::Optimised, Level::PurposeBuilt]
        .into_iter()
        .map(|level| {
            let properties = Property::ALL
                .into_iter()
                .filter(|p| p.level() == level)
                .map(|property| {
                    let outcome = w.properties.iter().find(|o| o.property == property);
                    let mut checks: Vec<CheckExplained> = outcome
                        .map(|o| {
                            o.checks
                                .iter()
                                .map(|(id, state)| CheckExplained {
                                    rule: id.to_string(),
                                    title: title(id),
                                    state: state.as_str(),
                                    findings: places(w, id),
                                    reason: None,
                                    collect: w
                                        .evidence_needed
                                        .iter()
                                        .find(|e| e.rule == *id)
                                        .map(|e| e.collect.to_string()),
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    // A check whose findings were all suppressed takes no part in the
                    // property: shown, with the reason, so that the exception is visible.
                    for s in &w.suppressed {
                        let of_property =
                            rule(report, &s.rule).is_some_and(|r| r.property == Some(property));
                        if of_property && !checks.iter().any(|c| c.rule == s.rule) {
                            checks.push(CheckExplained {
                                rule: s.rule.clone(),
                                title: title(&s.rule),
                                state: "suppressed",
                                findings: vec![Place {
                                    file: s.file.to_string(),
                                    line: s.line,
                                    severity: s.severity,
                                    message: s.message.clone(),
                                }],
                                reason: s.reason.clone(),
                                collect: None,
                            });
                        }
                    }
                    PropertyExplained {
                        property,
                        state: outcome.map_or(PropertyState::NotApplicable, |o| o.state),
                        meaning: property.meaning(),
                        checks,
                    }
                })
                .collect();
            PhaseProperties {
                phase: level.phase(),
                reached: w.phase != Phase::NotAssessed && w.phase >= level.phase(),
                properties,
            }
        })
        .collect();

    let evidence_needed = w
        .evidence_needed
        .iter()
        .map(|e| Evidence {
            rule: e.rule.to_string(),
            title: e.title.to_string(),
            property: e.property,
            collect: e.collect.to_string(),
            needs: e.needs.clone(),
        })
        .collect();

    let step = |item: &crate::classify::RoadmapItem| {
        let findings = places(w, &item.rule);
        Step {
            rule: item.rule.to_string(),
            title: item.title.to_string(),
            severity: item.severity,
            effort: item.effort,
            fix: w
                .findings
                .iter()
                .find(|f| *f.rule == *item.rule)
                .map(|f| f.remediation.to_string()),
            findings,
        }
    };
    let mut roadmap = Roadmap::default();
    for level in [Level::Optimised, Level::PurposeBuilt] {
        let mut properties = Vec::new();
        for property in Property::ALL.into_iter().filter(|p| p.level() == level) {
            let steps: Vec<Step> = w
                .roadmap
                .iter()
                .filter(|r| r.property == Some(property))
                .map(step)
                .collect();
            let evidence: Vec<String> = w
                .evidence_needed
                .iter()
                .filter(|e| e.property == Some(property))
                .map(|e| format!("{} ({})", e.collect, e.rule))
                .collect();
            if !steps.is_empty() || !evidence.is_empty() {
                properties.push(RoadmapProperty {
                    property,
                    steps,
                    evidence,
                });
            }
        }
        // A phase already reached needs nothing; one to come is listed even when its
        // properties need nothing but what is listed for the phase below.
        if !properties.is_empty() {
            roadmap.phases.push(RoadmapPhase {
                phase: level.phase(),
                properties,
            });
        }
    }
    roadmap.advice = w
        .roadmap
        .iter()
        .filter(|r| r.is_advice())
        .map(step)
        .collect();

    Explanation {
        id: w.id.clone(),
        name: w.name.clone(),
        kind: w.kind.as_str(),
        file: w.file.to_string(),
        line: w.line,
        generation: w.generation.number(),
        platform: w.generation.platform(),
        phase: w.phase,
        next_phase: w.phase.next(),
        held_by: w.held_by.clone(),
        score: w.score,
        confidence: w.confidence,
        disconnect: w.disconnect,
        disposition: w.disposition.as_str(),
        effort: w.effort,
        phases,
        evidence_needed,
        roadmap,
        sizing: sizing_steps(report, w),
        notes: w.notes.clone(),
    }
}

fn sizing_steps(report: &Report, w: &WorkloadReport) -> Option<SizingSteps> {
    let rs = w.rightsizing.as_deref()?;
    let ladder = Ladder::for_kind(w.kind);
    let headroom = report.assumptions.headroom_pct / 100.0;
    let catalog_of = |fit: Option<&crate::sizing::catalog::CatalogFit>| {
        fit.map(|c| {
            let mut text = format!(
                "{}: {} vCPU, {} GiB",
                c.entry,
                format_number(c.vcpu),
                format_number(c.memory_gib)
            );
            if let Some(s) = c.storage_gib {
                let _ = write!(text, ", {} GiB storage", format_number(s));
            }
            text.push_str(" (the cheapest catalog entry that holds the required size)");
            text
        })
    };
    let components = w
        .components
        .iter()
        .filter_map(|c| {
            let r = c.rightsizing.as_ref()?;
            Some(ComponentSteps {
                name: c.name.clone(),
                count: c.count,
                dimensions: dimensions(r, ladder, headroom, c.catalog.is_some()),
                catalog: catalog_of(c.catalog.as_ref()),
            })
        })
        .collect();
    Some(SizingSteps {
        percentile: report.assumptions.percentile,
        headroom_pct: report.assumptions.headroom_pct,
        ladder: match ladder {
            Ladder::Vm => "vm",
            Ladder::Container => "container",
        },
        basis: match rs.basis {
            crate::sizing::rightsize::Basis::Utilisation => "utilisation",
            crate::sizing::rightsize::Basis::None => "none",
        },
        confidence: rs.confidence.as_str(),
        rating: rs.rating,
        data_points: rs.data_points,
        period_days: rs.period_days,
        dimensions: dimensions(rs, ladder, headroom, w.catalog.is_some()),
        catalog: catalog_of(w.catalog.as_deref()),
        components,
    })
}

/// The ladder a dimension rounds to, in words.
fn ladder_words(ladder: Ladder, dim: &str) -> &'static str {
    match (ladder, dim) {
        (Ladder::Vm, "vcpu") => {
            "1, 2, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, then multiples of 32"
        }
        (Ladder::Vm, "memory_gib") => {
            "0.5, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, ... 1024, then multiples of 256"
        }
        (Ladder::Vm, _) => "multiples of 16 GiB",
        (Ladder::Container, "vcpu") => "steps of 50m",
        (Ladder::Container, "memory_gib") => "steps of 64 MiB",
        (Ladder::Container, _) => "steps of 1 GiB",
    }
}

/// A dimension: its key, its unit, how to read it from a size, and its statistic.
type Dimension<'a> = (
    &'static str,
    &'static str,
    fn(&Sizing) -> Option<f64>,
    Option<&'a String>,
);

fn dimensions(
    rs: &Rightsizing,
    ladder: Ladder,
    headroom: f64,
    catalog: bool,
) -> Vec<DimensionSteps> {
    let dims: [Dimension<'_>; 3] = [
        ("vcpu", "vCPU", |s| s.vcpu, rs.statistic.vcpu.as_ref()),
        (
            "memory_gib",
            "GiB",
            |s| s.memory_gib,
            rs.statistic.memory_gib.as_ref(),
        ),
        (
            "storage_gib",
            "GiB",
            |s| s.storage_gib,
            rs.statistic.storage_gib.as_ref(),
        ),
    ];
    dims.into_iter()
        .filter(|(_, _, pick, _)| pick(&rs.current).is_some() || pick(&rs.demand).is_some())
        .map(|(dimension, unit, pick, statistic)| {
            let current = pick(&rs.current);
            let demand = pick(&rs.demand);
            let recommended = pick(&rs.recommended);
            let reclaimable = pick(&rs.reclaimable);
            let n = |v: Option<f64>| v.map_or_else(|| "?".to_string(), format_number);
            let required = demand.map(|d| crate::sizing::rightsize::round2(d * (1.0 + headroom)));
            let step = required.map(|r| match dimension {
                "vcpu" => ladder.vcpu(r),
                "memory_gib" => ladder.memory_gib(r),
                _ => ladder.storage_gib(r),
            });
            let mut worked = String::new();
            match (demand, required, step) {
                (Some(d), Some(req), Some(st)) => {
                    let _ = write!(
                        worked,
                        "demand {} {unit}{} x {} (headroom {}%) = {} -> next allowed size {} ({})",
                        format_number(d),
                        statistic.map(|s| format!(" [{s}]")).unwrap_or_default(),
                        format_number(1.0 + headroom),
                        format_number(headroom * 100.0),
                        format_number(req),
                        format_number(st),
                        ladder_words(ladder, dimension),
                    );
                    if catalog {
                        let _ = write!(worked, "; the catalog entry gives {}", n(recommended));
                    } else if let (Some(c), Some(r)) = (current, recommended)
                        && (r - st).abs() > 1e-9
                        && r <= c
                    {
                        let _ = write!(
                            worked,
                            "; the current {} already covers the requirement and is not grown: {}",
                            format_number(c),
                            format_number(r)
                        );
                    }
                }
                _ => {
                    let _ = write!(
                        worked,
                        "no demand known: stays at the current {} (evidence needed)",
                        n(current)
                    );
                }
            }
            if demand.is_some() {
                match reclaimable {
                    Some(r) if r > 0.0 => {
                        let _ = write!(
                            worked,
                            "; recommended {} of {}: {} reclaimable",
                            n(recommended),
                            n(current),
                            format_number(r)
                        );
                    }
                    Some(r) if r < 0.0 => {
                        let _ = write!(
                            worked,
                            "; recommended {} of {}: {} missing (undersized)",
                            n(recommended),
                            n(current),
                            format_number(-r)
                        );
                    }
                    _ => {
                        let _ = write!(worked, "; recommended {}: as it is", n(recommended));
                    }
                }
            }
            DimensionSteps {
                dimension,
                unit,
                current,
                demand,
                statistic: statistic.cloned(),
                required,
                step,
                recommended,
                reclaimable,
                worked,
            }
        })
        .collect()
}

fn state_mark(state: PropertyState) -> &'static str {
    match state {
        PropertyState::Holds => "[+]",
        PropertyState::Fails => "[x]",
        PropertyState::Unknown => "[?]",
        PropertyState::NotApplicable => "[-]",
    }
}

/// `text` wrapped at `width` columns, every line indented by `indent` spaces (the first
/// line by `first` instead).
fn wrap(out: &mut String, text: &str, first: &str, indent: usize, width: usize) {
    let rest = " ".repeat(indent);
    let opts = textwrap::Options::new(width.max(indent + 20))
        .initial_indent(first)
        .subsequent_indent(&rest)
        .break_words(false)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    for line in textwrap::wrap(text, opts) {
        out.push_str(&line);
        out.push('\n');
    }
}

/// The explanations as text a person reads, wrapped at `width` columns.
pub fn render_text(explanations: &[Explanation], width: usize) -> String {
    let mut out = String::new();
    for (i, e) in explanations.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render_one(&mut out, e, width);
    }
    crate::report::terminal::escape_text(&out).into_owned()
}

fn render_one(out: &mut String, e: &Explanation, width: usize) {
    let _ = writeln!(
        out,
        "{} ({}, generation {} {}) {}:{}",
        e.name, e.kind, e.generation, e.platform, e.file, e.line
    );
    let held = if e.held_by.is_empty() {
        String::new()
    } else {
        format!(
            ", held below {} by {}",
            e.next_phase.map_or("the next phase", Phase::as_str),
            e.held_by
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let _ = writeln!(out, "Phase: {}{held}", e.phase);
    let _ = writeln!(
        out,
        "Score {}, confidence {} (share of the judged properties known), disposition {}, effort {} point(s)",
        e.score,
        format_number(e.confidence),
        e.disposition,
        e.effort
    );
    if e.disconnect {
        wrap(
            out,
            &format!(
                "Generation disconnect: an application built for the previous generation runs unchanged on generation {}.",
                e.generation
            ),
            "",
            0,
            width,
        );
    }
    if e.phase == Phase::NotAssessed {
        wrap(
            out,
            "Not assessed: no gating check applied (every rule deselected or suppressed, or nothing to judge).",
            "",
            0,
            width,
        );
    }
    for note in &e.notes {
        wrap(out, note, "Note: ", 6, width);
    }

    out.push_str("\nProperties ([+] holds, [x] fails, [?] unknown, [-] n/a)\n");
    for phase in &e.phases {
        let _ = writeln!(
            out,
            "  {} ({})",
            phase.phase,
            if phase.reached {
                "reached"
            } else {
                "not reached"
            }
        );
        for p in &phase.properties {
            let _ = writeln!(
                out,
                "    {} {} {}",
                state_mark(p.state),
                p.property,
                p.state.as_str()
            );
            wrap(out, p.meaning, "        ", 8, width);
            if p.checks.is_empty() {
                wrap(
                    out,
                    "no check of this property applies to this workload",
                    "        - ",
                    10,
                    width,
                );
            }
            for c in &p.checks {
                let mut line = format!("{} {}: {}", c.rule, c.title, c.state);
                if !c.findings.is_empty() {
                    let at: Vec<String> = c
                        .findings
                        .iter()
                        .map(|f| format!("{}:{}", f.file, f.line))
                        .collect();
                    let _ = write!(line, " at {}", at.join(", "));
                }
                if let Some(r) = &c.reason {
                    let _ = write!(line, " ({r})");
                }
                if let Some(collect) = &c.collect {
                    let _ = write!(line, "; collect: {collect}");
                }
                wrap(out, &line, "        - ", 10, width);
            }
        }
    }

    out.push_str("\nEvidence to collect\n");
    if e.evidence_needed.is_empty() {
        out.push_str("  nothing: every applicable check could be judged\n");
    }
    for ev in &e.evidence_needed {
        let line = format!(
            "{}: {} ({} {})",
            ev.property.map_or("advice", Property::as_str),
            ev.collect,
            ev.rule,
            ev.title
        );
        wrap(out, &line, "  - ", 4, width);
    }

    out.push_str("\nRoadmap to purpose-built\n");
    if e.roadmap.phases.is_empty() && e.roadmap.advice.is_empty() {
        out.push_str("  nothing to change\n");
    }
    for (i, phase) in e.roadmap.phases.iter().enumerate() {
        let _ = writeln!(out, "  {}. {}", i + 1, phase.phase);
        for p in &phase.properties {
            let _ = writeln!(out, "     {}", p.property);
            for s in &p.steps {
                render_step(out, s, width);
            }
            for ev in &p.evidence {
                wrap(out, &format!("collect: {ev}"), "       ? ", 9, width);
            }
        }
    }
    if !e.roadmap.advice.is_empty() {
        out.push_str("  also recommended (advice: never moves the phase)\n");
        for s in &e.roadmap.advice {
            render_step(out, s, width);
        }
    }

    out.push_str("\nSizing\n");
    match &e.sizing {
        None => out.push_str("  no size or demand known\n"),
        Some(s) => {
            let head = format!(
                "percentile p{}, headroom {}%, {} ladder; basis {}, confidence {} ({} star(s){}{})",
                format_number(s.percentile),
                format_number(s.headroom_pct),
                s.ladder,
                s.basis,
                s.confidence,
                s.rating,
                s.data_points
                    .map(|d| format!(
                        ", {}% of the expected data points",
                        format_number(d * 100.0)
                    ))
                    .unwrap_or_default(),
                s.period_days
                    .map(|d| format!(" over {} day(s)", format_number(d)))
                    .unwrap_or_default(),
            );
            wrap(out, &head, "  ", 4, width);
            if s.components.is_empty() {
                render_dimensions(out, &s.dimensions, "  ", width);
            } else {
                for c in &s.components {
                    let _ = writeln!(
                        out,
                        "  {} (x{}, per instance)",
                        c.name,
                        format_number(c.count)
                    );
                    render_dimensions(out, &c.dimensions, "    ", width);
                    if let Some(cat) = &c.catalog {
                        wrap(out, &format!("catalog: {cat}"), "    ", 6, width);
                    }
                }
                out.push_str("  total over instances\n");
                for d in &s.dimensions {
                    let _ = writeln!(
                        out,
                        "    {} ({}): {} -> {}",
                        d.dimension,
                        d.unit,
                        d.current.map_or_else(|| "?".into(), format_number),
                        d.recommended.map_or_else(|| "?".into(), format_number)
                    );
                }
            }
            if let Some(cat) = &s.catalog {
                wrap(out, &format!("catalog: {cat}"), "  ", 4, width);
            }
        }
    }
}

fn render_step(out: &mut String, s: &Step, width: usize) {
    let at: Vec<String> = s
        .findings
        .iter()
        .map(|f| format!("{}:{}", f.file, f.line))
        .collect();
    let line = format!(
        "{} {} ({}, effort {}){}",
        s.rule,
        s.title,
        s.severity,
        s.effort,
        if at.is_empty() {
            String::new()
        } else {
            format!(" at {}", at.join(", "))
        }
    );
    wrap(out, &line, "       - ", 9, width);
    if let Some(fix) = &s.fix {
        wrap(
            out,
            &format!("fix: {}", fix.lines().next().unwrap_or("")),
            "         ",
            14,
            width,
        );
    }
}

fn render_dimensions(out: &mut String, dims: &[DimensionSteps], indent: &str, width: usize) {
    for d in dims {
        let label = match d.dimension {
            "vcpu" => "vCPU",
            "memory_gib" => "memory",
            _ => "storage",
        };
        let head = format!("{indent}{label}: ");
        let now = format!(
            "now {} {}; {}",
            d.current.map_or_else(|| "?".into(), format_number),
            d.unit,
            d.worked
        );
        wrap(out, &now, &head, indent.len() + 4, width);
    }
}

/// The explanations as JSON (an array, one object per workload).
pub fn render_json(explanations: &[Explanation]) -> String {
    let mut text = serde_json::to_string_pretty(explanations)
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot serialise: {e}\"}}"));
    text.push('\n');
    text
}
