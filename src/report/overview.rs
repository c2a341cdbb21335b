//! What the reports a consultant hands over (HTML, Markdown, CSV, Excel) compute from a
//! [`Report`]: the generation x phase matrix, workloads by kind and by disposition, the
//! findings that recur across the estate, where each rule's documentation lives, and the
//! command line that reproduces the report. Computed once per rendering, in one pass over
//! the findings.

use std::collections::{BTreeMap, HashMap};

use crate::assessment::{Report, RuleInfo, Totals, WorkloadReport};
use crate::classify::RoadmapItem;
use crate::model::{
    Disposition, Generation, Level, Phase, Property, PropertyState, Severity, Sizing, WorkloadKind,
};
use crate::report::sarif::RULE_DOCS_BASE;
use crate::sizing::rightsize::{Basis, round2};

/// How many example workloads a recurring finding names.
pub const EXAMPLES_PER_RULE: usize = 3;

pub const DISPOSITIONS: [Disposition; 6] = Disposition::ALL;

/// Row index of a generation in [`Overview::matrix`].
pub fn generation_index(g: Generation) -> usize {
    usize::from(g.number()).saturating_sub(1).min(2)
}

/// Column index of a phase in [`Overview::matrix`].
pub fn phase_index(p: Phase) -> usize {
    match p {
        Phase::Unchanged => 0,
        Phase::Optimised => 1,
        Phase::PurposeBuilt => 2,
        Phase::NotAssessed => 3,
    }
}

/// What a phase means, in a sentence a workshop audience follows.
pub fn phase_meaning(p: Phase) -> &'static str {
    match p {
        Phase::Unchanged => {
            "moved 1:1 onto the platform: the sizing, identity and configuration of its old home came along"
        }
        Phase::Optimised => {
            "right-sized, configured from outside, data separable from compute, health observable"
        }
        Phase::PurposeBuilt => {
            "uses the platform's own APIs: scales out, heals itself, isolated and encrypted"
        }
        Phase::NotAssessed => {
            "no check that decides a phase applied (rules deselected or suppressed, or nothing to judge)"
        }
    }
}

pub fn disposition_meaning(d: Disposition) -> &'static str {
    match d {
        Disposition::Retire => "idle or powered off: confirm with the owner and decommission",
        Disposition::Retain => "cannot move now: no target runs it yet",
        Disposition::Rehost => "move as it is; decide once the evidence is in",
        Disposition::Replatform => {
            "platform and configuration work reaches the next phase (sizing, configuration, volumes, probes)"
        }
        Disposition::Refactor => "reaching the next phase needs code changes",
        Disposition::None => "purpose-built: nothing to do",
    }
}

/// Workloads of one kind.
#[derive(Debug, Clone, PartialEq)]
pub struct KindRow {
    pub kind: WorkloadKind,
    pub workloads: usize,
    /// By phase, in [`Phase::ALL`] order.
    pub by_phase: [usize; 4],
    pub disconnects: usize,
}

/// Workloads and roadmap effort of one disposition.
#[derive(Debug, Clone, PartialEq)]
pub struct DispositionRow {
    pub disposition: Disposition,
    pub workloads: usize,
    pub effort: u32,
    /// Indexes of a few workloads of this disposition, the most effort first.
    pub examples: Vec<usize>,
}

/// One piece of evidence to collect across the estate: what, for how many workloads,
/// for which rules.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceRow<'a> {
    pub collect: &'a str,
    pub workloads: usize,
    pub rules: Vec<&'a str>,
}

/// Person-days for effort points, as the report's assumptions convert them.
pub fn person_days(points: u32, per_point: f64) -> String {
    crate::node::format_number(crate::sizing::rightsize::round2(
        f64::from(points) * per_point,
    ))
}

/// A rule that fired across the estate.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleCount<'a> {
    pub rule: &'a str,
    pub title: &'a str,
    pub severity: Severity,
    pub level: Level,
    pub findings: usize,
    pub workloads: usize,
    /// Indices into `report.workloads` of the first few workloads it fired on.
    pub examples: Vec<usize>,
}

/// Findings of one workload by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

impl Counts {
    pub fn of(w: &WorkloadReport) -> Counts {
        let mut c = Counts::default();
        for f in &w.findings {
            match f.severity {
                Severity::Error => c.error += 1,
                Severity::Warning => c.warning += 1,
                Severity::Info => c.info += 1,
            }
        }
        c
    }
    pub fn total(self) -> usize {
        self.error + self.warning + self.info
    }
}

/// One row of the right-sizing table; the headline row is the one a report emphasises.
pub struct SizingRow {
    pub label: String,
    pub totals: Totals,
    pub headline: bool,
}

pub struct SizingTable {
    pub rows: Vec<SizingRow>,
    /// What a reader needs to know to make the rows add up, when there is anything.
    pub note: Option<&'static str>,
}

const CATALOG_SURPLUS_NOTE: &str = "Catalog entries come in fixed shapes: the cheapest one that fits may hold more of a dimension than a workload has now. That surplus is neither reclaimed nor missing: now − reclaimable + missing + surplus = right-sized.";

pub struct Overview<'a> {
    pub report: &'a Report,
    /// Workloads by generation (rows 1, 2, 3) and phase (columns in [`Phase::ALL`] order).
    pub matrix: [[usize; 4]; 3],
    pub disconnects_by_generation: [usize; 3],
    /// Kinds present in the estate, in a fixed order.
    pub kinds: Vec<KindRow>,
    /// Every disposition, present or not.
    pub dispositions: Vec<DispositionRow>,
    /// Evidence to collect, the most workloads first; and its points (assessment effort).
    pub evidence: Vec<EvidenceRow<'a>>,
    pub assessment_effort: u32,
    /// Every rule that fired: most workloads first, then severity, then findings, then id.
    pub rule_counts: Vec<RuleCount<'a>>,
    /// Size of the workloads that have one, now and as recommended.
    pub current_total: Totals,
    pub recommended_total: Totals,
    pub sized_workloads: usize,
    /// Workloads whose recommendation rests on measured utilisation.
    pub measured_workloads: usize,
    rules: HashMap<&'a str, &'a RuleInfo>,
}

impl<'a> Overview<'a> {
    pub fn new(report: &'a Report) -> Overview<'a> {
        let mut matrix = [[0usize; 4]; 3];
        let mut disconnects_by_generation = [0usize; 3];
        let mut kinds: Vec<KindRow> = Vec::new();
        let mut dispositions: Vec<DispositionRow> = DISPOSITIONS
            .iter()
            .map(|d| DispositionRow {
                disposition: *d,
                workloads: 0,
                effort: 0,
                examples: Vec::new(),
            })
            .collect();
        let mut evidence: BTreeMap<&'a str, (usize, Vec<&'a str>, usize)> = BTreeMap::new();
        let mut assessment_effort = 0;
        // Each rule's count, and the last workload it was counted for.
        let mut current_total = Totals::default();
        let mut recommended_total = Totals::default();
        let mut sized_workloads = 0;
        let mut measured_workloads = 0;
        let mut by_rule: HashMap<&'a str, (RuleCount<'a>, usize)> = HashMap::new();
        for (i, w) in report.workloads.iter().enumerate() {
            let g = generation_index(w.generation);
            let p = phase_index(w.phase);
            matrix[g][p] += 1;
            disconnects_by_generation[g] += usize::from(w.disconnect);
            let row = match kinds.iter_mut().position(|k| k.kind == w.kind) {
                Some(at) => &mut kinds[at],
                None => {
                    kinds.push(KindRow {
                        kind: w.kind,
                        workloads: 0,
                        by_phase: [0; 4],
                        disconnects: 0,
                    });
                    let last = kinds.len() - 1;
                    &mut kinds[last]
                }
            };
            row.workloads += 1;
            row.by_phase[p] += 1;
            row.disconnects += usize::from(w.disconnect);
            if let Some(d) = dispositions
                .iter_mut()
                .find(|d| d.disposition == w.disposition)
            {
                d.workloads += 1;
                d.effort += w.effort;
                d.examples.push(i);
            }
            assessment_effort += w.assessment_effort;
            for e in w.evidence_needed.iter() {
                let (n, rules, last) = evidence
                    .entry(&*e.collect)
                    .or_insert_with(|| (0, Vec::new(), usize::MAX));
                if *last != i {
                    *last = i;
                    *n += 1;
                }
                if !rules.contains(&&*e.rule) {
                    rules.push(&e.rule);
                }
            }
            if let Some(rs) = &w.rightsizing {
                sized_workloads += 1;
                measured_workloads += usize::from(rs.basis == Basis::Utilisation);
                add_sizing(&mut current_total, &rs.current);
                add_sizing(&mut recommended_total, &rs.recommended);
            }
            for f in &w.findings {
                let (entry, last) = by_rule.entry(f.rule.as_str()).or_insert_with(|| {
                    let count = RuleCount {
                        rule: &f.rule,
                        title: &f.title,
                        severity: f.severity,
                        level: f.level,
                        findings: 0,
                        workloads: 0,
                        examples: Vec::new(),
                    };
                    (count, usize::MAX)
                });
                entry.findings += 1;
                if *last != i {
                    *last = i;
                    entry.workloads += 1;
                    if entry.examples.len() < EXAMPLES_PER_RULE {
                        entry.examples.push(i);
                    }
                }
            }
        }
        kinds.sort_by_key(|k| k.kind);
        let workloads = &report.workloads;
        for d in &mut dispositions {
            d.examples.sort_by(|a, b| {
                workloads[*b]
                    .effort
                    .cmp(&workloads[*a].effort)
                    .then(a.cmp(b))
            });
            d.examples.truncate(EXAMPLES_PER_RULE);
        }
        let mut evidence: Vec<EvidenceRow<'a>> = evidence
            .into_iter()
            .map(|(collect, (workloads, mut rules, _))| {
                rules.sort_unstable();
                EvidenceRow {
                    collect,
                    workloads,
                    rules,
                }
            })
            .collect();
        evidence.sort_by(|a, b| b.workloads.cmp(&a.workloads).then(a.collect.cmp(b.collect)));
        let mut rule_counts: Vec<RuleCount<'a>> = by_rule.into_values().map(|(c, _)| c).collect();
        rule_counts.sort_by(|a, b| {
            b.workloads
                .cmp(&a.workloads)
                .then(b.severity.cmp(&a.severity))
                .then(b.findings.cmp(&a.findings))
                .then(a.rule.cmp(b.rule))
        });
        Overview {
            report,
            matrix,
            disconnects_by_generation,
            kinds,
            dispositions,
            evidence,
            assessment_effort,
            rule_counts,
            current_total: round_totals(current_total),
            recommended_total: round_totals(recommended_total),
            sized_workloads,
            measured_workloads,
            rules: report.rules.iter().map(|r| (r.id.as_str(), r)).collect(),
        }
    }

    /// What catalog sizes add beyond what the workloads need, per dimension, when there is
    /// any: the cheapest entry that fits may hold more of a dimension than a workload has
    /// now, which is neither reclaimed nor missing. With it the right-sizing table adds up:
    /// now - reclaimable + missing + surplus = right-sized.
    fn catalog_surplus(&self) -> Option<Totals> {
        let s = &self.report.summary;
        let residual = |now: f64, sized: f64, reclaimable: f64, missing: f64| {
            crate::sizing::rightsize::round2((sized - (now - reclaimable + missing)).max(0.0))
        };
        let (now, sized) = (&self.current_total, &self.recommended_total);
        let surplus = Totals {
            vcpu: residual(now.vcpu, sized.vcpu, s.reclaimable.vcpu, s.missing.vcpu),
            memory_gib: residual(
                now.memory_gib,
                sized.memory_gib,
                s.reclaimable.memory_gib,
                s.missing.memory_gib,
            ),
            storage_gib: residual(
                now.storage_gib,
                sized.storage_gib,
                s.reclaimable.storage_gib,
                s.missing.storage_gib,
            ),
        };
        (surplus.vcpu > 0.01 || surplus.memory_gib > 0.01 || surplus.storage_gib > 0.01)
            .then_some(surplus)
    }

    /// The right-sizing table every report draws, so that it adds up the same way in each:
    /// now, right-sized, reclaimable, then missing and the catalog surplus where there are
    /// any, and the note that explains the surplus.
    pub fn sizing_table(&self) -> SizingTable {
        let s = &self.report.summary;
        let row = |label: String, totals: Totals, headline: bool| SizingRow {
            label,
            totals,
            headline,
        };
        let mut rows = vec![
            row("Now".into(), self.current_total, false),
            row("Right-sized".into(), self.recommended_total, false),
            row("Reclaimable".into(), s.reclaimable, true),
        ];
        if s.undersized > 0 {
            let label = format!("Missing ({} undersized)", s.undersized);
            rows.push(row(label, s.missing, false));
        }
        let surplus = self.catalog_surplus();
        if let Some(surplus) = surplus {
            rows.push(row("Surplus of catalog sizes".into(), surplus, false));
        }
        SizingTable {
            rows,
            note: surplus.map(|_| CATALOG_SURPLUS_NOTE),
        }
    }

    pub fn rule(&self, id: &str) -> Option<&'a RuleInfo> {
        self.rules.get(id).copied()
    }

    /// The rule's documentation: fitscan's page for its own rules (and the built-in ones
    /// such as `parse-error`), a user rule's first web link, else nothing.
    pub fn rule_doc_url(&self, id: &str) -> Option<String> {
        match self.rule(id) {
            Some(rule) => crate::report::sarif::help_uri(rule),
            None => Some(format!("{RULE_DOCS_BASE}{}.md", encode_uri_component(id))),
        }
    }

    /// The rationale of a rule: why it matters for its phase.
    pub fn rationale(&self, id: &str) -> &'a str {
        self.rule(id).map_or("", |r| r.rationale.as_str())
    }

    pub fn total_workloads_in_generation(&self, g: usize) -> usize {
        self.matrix[g].iter().sum()
    }
}

/// A workload's monthly saving in the catalog, summed over its components (instances
/// times the saving per instance).
pub fn monthly_saving(w: &WorkloadReport) -> Option<f64> {
    if let Some(fit) = &w.catalog {
        return fit.saving_per_month;
    }
    let mut total = None;
    for c in &w.components {
        if let Some(s) = c.catalog.as_ref().and_then(|f| f.saving_per_month) {
            *total.get_or_insert(0.0) += s * c.count;
        }
    }
    total
}

fn add_sizing(total: &mut Totals, s: &Sizing) {
    total.vcpu += s.vcpu.unwrap_or(0.0);
    total.memory_gib += s.memory_gib.unwrap_or(0.0);
    total.storage_gib += s.storage_gib.unwrap_or(0.0);
}

fn round_totals(t: Totals) -> Totals {
    Totals {
        vcpu: round2(t.vcpu),
        memory_gib: round2(t.memory_gib),
        storage_gib: round2(t.storage_gib),
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn encode_uri_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Quotes a word for a POSIX shell when it needs it.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_./:=@%+-,".contains(&b));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// A command line that runs the same assessment again, from the settings the report
/// recorded. Rule files come with the config file when there is one (listing them again
/// would load them twice).
pub fn reproduce_command(report: &Report) -> String {
    let a = &report.assumptions;
    let mut words: Vec<String> = vec!["fitscan".into(), "scan".into()];
    words.extend(a.inputs.iter().map(|i| shell_word(i)));
    if let Some(config) = &a.config {
        words.push("--config".into());
        words.push(shell_word(config));
    } else {
        for r in &a.rule_sources {
            words.push("--rules".into());
            words.push(shell_word(r));
        }
    }
    if !a.default_rules {
        words.push("--no-default-rules".into());
    }
    words.push(format!(
        "--percentile {}",
        crate::node::format_number(a.percentile)
    ));
    words.push(format!(
        "--headroom {}",
        crate::node::format_number(a.headroom_pct)
    ));
    if (a.oversize_threshold_pct - 25.0).abs() > 1e-9 {
        words.push(format!(
            "--oversize-threshold {}",
            crate::node::format_number(a.oversize_threshold_pct)
        ));
    }
    for m in &a.metrics {
        words.push("--metrics".into());
        words.push(shell_word(m));
    }
    if let Some(c) = &a.catalog {
        words.push("--catalog".into());
        words.push(shell_word(&c.file));
    }
    if let Some(b) = &a.baseline {
        words.push("--baseline".into());
        words.push(shell_word(b));
    }
    if a.anonymised {
        words.push("--anonymise".into());
    }
    words.join(" ")
}

/// The scan date as a reader expects it: `2024-05-01 10:05 UTC` from RFC 3339.
pub fn readable_date(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(day), Some(time)) if rfc3339.ends_with('Z') => format!("{day} {time} UTC"),
        _ => rfc3339.to_string(),
    }
}

/// Seconds since the Unix epoch as RFC 3339 UTC (`2024-05-01T10:05:00Z`).
pub fn rfc3339_utc(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let secs = unix_seconds.rem_euclid(86_400);
    let (y, m, d) = crate::units::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// One step of a workload's roadmap as a reader follows it: the checks that make one
/// property hold, or (no property) the advice.
pub struct RoadmapGroup<'a> {
    pub level: Level,
    pub property: Option<Property>,
    pub items: Vec<&'a RoadmapItem>,
}

impl RoadmapGroup<'_> {
    /// "optimised: configured-from-outside", or "also recommended".
    pub fn heading(&self) -> String {
        match self.property {
            Some(p) => format!("{}: {p}", p.level().as_str()),
            None => "also recommended".to_string(),
        }
    }
}

/// The roadmap to purpose-built grouped by phase and property, then the advice (the order
/// classification gives it).
pub fn roadmap_groups(w: &WorkloadReport) -> Vec<RoadmapGroup<'_>> {
    let mut groups: Vec<RoadmapGroup<'_>> = Vec::new();
    for item in w.roadmap.iter() {
        match groups.last_mut() {
            Some(g) if g.property == item.property => g.items.push(item),
            _ => groups.push(RoadmapGroup {
                level: item.level,
                property: item.property,
                items: vec![item],
            }),
        }
    }
    groups
}

/// How a property's state reads in a report, with the checks that decided it (failed or
/// unknown ones; every passing one when it holds).
pub fn property_line(w: &WorkloadReport, p: Property) -> (PropertyState, Vec<&str>) {
    let outcome = w.properties.iter().find(|o| o.property == p);
    let state = outcome.map_or(PropertyState::NotApplicable, |o| o.state);
    let rules = outcome
        .map(|o| {
            o.checks
                .iter()
                .filter(|(_, s)| {
                    state == PropertyState::Holds || *s != crate::classify::CheckState::Pass
                })
                .map(|(r, _)| &**r)
                .collect()
        })
        .unwrap_or_default();
    (state, rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_and_readable() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(1_714_557_900), "2024-05-01T10:05:00Z");
        assert_eq!(
            readable_date("2024-05-01T10:05:00Z"),
            "2024-05-01 10:05 UTC"
        );
        assert_eq!(readable_date("yesterday"), "yesterday");
    }

    #[test]
    fn shell_words_are_quoted_when_needed() {
        assert_eq!(shell_word("samples/vms"), "samples/vms");
        assert_eq!(shell_word("my vms"), "'my vms'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn rule_ids_are_encoded_in_links() {
        assert_eq!(encode_uri_component("VM001"), "VM001");
        assert_eq!(encode_uri_component("a b/<c>"), "a%20b%2F%3Cc%3E");
    }
}
