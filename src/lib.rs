//! fitscan: assesses an estate of workloads and says, for each, which platform generation
//! it runs on, which phase of its evolution there it is in, what to change to reach the
//! next phase, and how to right-size it.
//!
//! Data flows one way: discover -> ingest -> rules -> classify / rightsize -> report.
//! [`scan`] is the one entry point.

pub mod classify;
pub mod discover;
pub mod ingest;
pub mod model;
pub mod node;
pub mod report;
pub mod rightsize;
pub mod rules;
pub mod source;
pub mod units;
pub mod yaml;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::classify::{Check, CheckState, classify};
use crate::ingest::{FileOutput, IngestContext};
use crate::model::{
    Assumptions, CheckRecord, Finding, Generation, Phase, Report, ScanError, Severity,
    SeverityCounts, Summary, SuppressedFinding, Tool, Totals, Workload, WorkloadReport,
};
use crate::node::Node;
use crate::rightsize::{Ladder, Rightsizing, SizingOptions, rightsize};
use crate::rules::RuleSet;
use crate::rules::eval::{Outcome, evaluate};
use crate::rules::path::Roots;
use crate::source::SourceFile;

/// Errors that stop a scan before it starts (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Rules(#[from] rules::RuleError),
    #[error("{path}: {message}")]
    Path { path: String, message: String },
    #[error("{0}")]
    Usage(String),
}

pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// User rule files or folders, added to (or, with `no_default_rules`, replacing) the
    /// embedded defaults.
    pub rules: Vec<PathBuf>,
    pub no_default_rules: bool,
    pub sizing: SizingOptions,
    /// Worker threads; 0 picks one per core.
    pub jobs: usize,
    pub max_file_size: u64,
    pub follow_links: bool,
    pub no_ignore: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            rules: Vec::new(),
            no_default_rules: false,
            sizing: SizingOptions::default(),
            jobs: 0,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            follow_links: false,
            no_ignore: false,
        }
    }
}

/// Scans `paths` (files or folders) and assesses every workload found.
pub fn scan(paths: &[PathBuf], opts: &ScanOptions) -> Result<Report, Error> {
    let rules = rules::loader::load(!opts.no_default_rules, &opts.rules)?;
    let candidates = discover::discover(
        paths,
        discover::WalkOptions {
            follow_links: opts.follow_links,
            no_ignore: opts.no_ignore,
        },
    )?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs)
        // Parsers recurse; a deep document must not overflow a worker's stack.
        .stack_size(64 * 1024 * 1024)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))?;
    let inputs: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    Ok(pool.install(|| {
        let outputs: Vec<FileOutput> = candidates
            .par_iter()
            .map(|c| match discover::read(c, opts.max_file_size) {
                Ok(Some(file)) => ingest_guarded(&file, opts),
                Ok(None) => FileOutput::default(),
                Err(e) => FileOutput {
                    errors: vec![e],
                    ..FileOutput::default()
                },
            })
            .collect();
        assemble(outputs, &rules, opts, inputs)
    }))
}

/// Assesses files already in memory (used by `rules test`), on the current thread pool.
pub fn assess_sources(files: &[SourceFile], rules: &RuleSet, opts: &ScanOptions) -> Report {
    let outputs: Vec<FileOutput> = files.iter().map(|f| ingest_guarded(f, opts)).collect();
    let inputs = files.iter().map(|f| f.display.to_string()).collect();
    assemble(outputs, rules, opts, inputs)
}

/// Ingests one file; a panic in a parser becomes an error entry naming the file.
fn ingest_guarded(file: &SourceFile, opts: &ScanOptions) -> FileOutput {
    let ctx = IngestContext {
        sizing: opts.sizing,
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ingest::ingest(file, &ctx))).unwrap_or_else(|_| {
        FileOutput {
            errors: vec![ScanError::input(
                &file.display,
                "internal error while reading this file (a bug in fitscan, please report it with the file)",
            )],
            ..FileOutput::default()
        }
    })
}

fn assemble(
    outputs: Vec<FileOutput>,
    rules: &RuleSet,
    opts: &ScanOptions,
    inputs: Vec<String>,
) -> Report {
    let mut workloads = Vec::new();
    let mut objects = Vec::new();
    let mut errors = Vec::new();
    for out in outputs {
        workloads.extend(out.workloads);
        objects.extend(out.objects);
        errors.extend(out.errors);
    }
    ingest::link(&mut workloads, objects, &mut errors);

    let mut assessed: Vec<WorkloadReport> = workloads
        .into_par_iter()
        .map(|w| assess(w, rules, &opts.sizing))
        .collect();
    assessed.sort_by(|a, b| {
        (a.file.as_ref(), a.line, a.name.as_str()).cmp(&(b.file.as_ref(), b.line, b.name.as_str()))
    });
    make_ids_unique(&mut assessed);
    errors.sort();
    errors.dedup();

    let summary = summarise(&assessed, &errors);
    let mut rule_sources: Vec<String> = rules
        .rules
        .iter()
        .filter(|r| !r.source.embedded)
        .map(|r| r.source.file.clone())
        .collect();
    rule_sources.dedup();
    Report {
        schema_version: model::SCHEMA_VERSION,
        tool: Tool::default(),
        summary,
        workloads: assessed,
        errors,
        assumptions: Assumptions {
            percentile: opts.sizing.percentile,
            headroom_pct: rightsize::round2(opts.sizing.headroom * 100.0),
            rules: rules.len(),
            default_rules: !opts.no_default_rules,
            rule_sources,
            inputs,
        },
    }
}

fn make_ids_unique(workloads: &mut [WorkloadReport]) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for w in workloads.iter_mut() {
        let n = seen.entry(w.id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            w.id = format!("{}#{}", w.id, n);
        }
    }
}

/// Derived facts every rule can read, whatever the input kind.
fn insert_common_facts(w: &mut Workload, sizing: Option<&Rightsizing>) {
    let facts = &mut w.facts;
    if facts.as_map().is_none() {
        *facts = Node::map(0);
    }
    facts.insert("name", Node::str(w.name.clone(), w.line));
    facts.insert("kind", Node::str(w.kind.as_str(), w.line));
    facts.insert(
        "generation",
        Node::int(i64::from(w.generation.number()), w.line),
    );
    facts.insert("file", Node::str(w.file.to_string(), 0));
    let Some(rs) = sizing else { return };
    let dims = [
        (
            "vcpu",
            rs.current.vcpu,
            rs.demand.vcpu,
            rs.recommended.vcpu,
            rs.reclaimable.vcpu,
        ),
        (
            "memory_gib",
            rs.current.memory_gib,
            rs.demand.memory_gib,
            rs.recommended.memory_gib,
            rs.reclaimable.memory_gib,
        ),
        (
            "storage_gib",
            rs.current.storage_gib,
            rs.demand.storage_gib,
            rs.recommended.storage_gib,
            rs.reclaimable.storage_gib,
        ),
    ];
    let basis = match rs.basis {
        rightsize::Basis::Utilisation => "utilisation",
        rightsize::Basis::None => "none",
    };
    facts.insert_path("rightsizing.basis", Node::str(basis, 0));
    facts.insert_path(
        "rightsizing.confidence",
        Node::str(rs.confidence.as_str(), 0),
    );
    for (dim, current, demand, recommended, reclaimable) in dims {
        // Sizing facts point where the ingest module located that dimension (`facts.vcpu`).
        let line = facts.get(dim).map_or(0, |n| n.line);
        if let Some(c) = current {
            facts.insert_path(&format!("current.{dim}"), Node::float(c, line));
        }
        // Recommendations only where demand is known: a rule on them is unknown otherwise.
        let Some(d) = demand else { continue };
        facts.insert_path(&format!("demand.{dim}"), Node::float(d, line));
        if let Some(r) = recommended {
            facts.insert_path(
                &format!("rightsizing.recommended.{dim}"),
                Node::float(r, line),
            );
        }
        if let Some(r) = reclaimable {
            facts.insert_path(
                &format!("rightsizing.reclaimable.{dim}"),
                Node::float(r, line),
            );
            if let Some(c) = current.filter(|c| *c > 0.0) {
                facts.insert_path(
                    &format!("rightsizing.reclaimable_share.{dim}"),
                    Node::float(rightsize::round2(r / c), line),
                );
                facts.insert_path(
                    &format!("demand.share.{dim}"),
                    Node::float(rightsize::round2(d / c), line),
                );
            }
        }
    }
}

/// Rules, ladder and sizing for one workload.
fn assess(mut w: Workload, rules: &RuleSet, sizing: &SizingOptions) -> WorkloadReport {
    let rs = rightsize(
        &w.current,
        w.demand.as_ref(),
        Ladder::for_kind(w.kind),
        sizing,
    );
    insert_common_facts(&mut w, rs.as_ref());
    let roots = Roots {
        doc: &w.doc,
        facts: &w.facts,
    };
    let mut checks = Vec::new();
    let mut findings = Vec::new();
    let mut suppressed = Vec::new();
    let suppressions = SuppressionIndex::new(&w, rules);
    for rule in rules.for_target(w.target) {
        let outcome = evaluate(rule, roots);
        let mut missing = Vec::new();
        let state = match outcome {
            Outcome::Pass => CheckState::Pass,
            Outcome::NotApplicable => CheckState::NotApplicable,
            Outcome::Unknown(m) => {
                missing = m;
                CheckState::Unknown
            }
            Outcome::Fail(hits) => {
                let mut kept = 0;
                for f in findings_for(rule, &w, roots, &hits) {
                    match suppressions.find(&f) {
                        Some(reason) => suppressed.push(SuppressedFinding {
                            rule: f.rule.clone(),
                            file: Arc::clone(&f.file),
                            line: f.line,
                            reason,
                        }),
                        None => {
                            kept += 1;
                            findings.push(f);
                        }
                    }
                }
                if kept > 0 {
                    CheckState::Fail
                } else {
                    CheckState::Suppressed
                }
            }
        };
        checks.push(Check {
            rule: rule.id.clone(),
            title: rule.title.clone(),
            level: rule.level,
            severity: rule.severity,
            gating: rule.gating,
            weight: rule.weight,
            effort: rule.effort,
            disposition: rule.disposition,
            state,
            missing,
            evidence: rule.evidence.clone(),
        });
    }
    let c = classify(&checks, w.generation);
    findings.sort_by(|a, b| {
        (a.file.as_ref(), a.line, a.rule.as_str()).cmp(&(b.file.as_ref(), b.line, b.rule.as_str()))
    });
    WorkloadReport {
        id: w.id,
        name: w.name,
        kind: w.kind,
        file: w.file,
        line: w.line,
        generation: w.generation,
        phase: c.phase,
        score: c.score,
        confidence: c.confidence,
        disconnect: c.disconnect,
        disposition: c.disposition,
        effort: c.effort,
        roadmap: c.roadmap,
        evidence_needed: c.evidence_needed,
        findings,
        rightsizing: rs,
        target: w.target,
        notes: w.notes,
        suppressed,
        checks: checks
            .into_iter()
            .map(|c| CheckRecord {
                rule: c.rule,
                state: c.state,
            })
            .collect(),
    }
}

/// One finding per occurrence; otherwise one finding at the rule's `at` path, or at the
/// first located evidence, or at the workload.
fn findings_for(
    rule: &rules::Rule,
    w: &Workload,
    roots: Roots<'_>,
    hits: &[rules::eval::Hit],
) -> Vec<Finding> {
    let make = |line: u32, value: Option<&str>| {
        let message = rule.message.render(&w.name, value, roots);
        let offending = value.unwrap_or(&w.name);
        Finding {
            rule: rule.id.clone(),
            severity: rule.severity,
            level: rule.level,
            message,
            file: Arc::clone(&w.file),
            line: line.max(1),
            remediation: rule.remediation.render(&w.name, value, roots),
            title: rule.title.clone(),
            gating: rule.gating,
            fingerprint: fingerprint(&[&rule.id, &w.file, &w.name, offending]),
        }
    };
    let occurrences: Vec<&rules::eval::Hit> =
        hits.iter().filter(|h| h.occurrence && h.line > 0).collect();
    if !occurrences.is_empty() {
        return occurrences
            .iter()
            .map(|h| make(h.line, h.value.as_deref()))
            .collect();
    }
    let at = rule.at.as_ref().and_then(|p| {
        p.resolve(roots, None)
            .into_iter()
            .find(|n| !n.is_null() && n.line > 0)
    });
    let evidence = hits.iter().filter(|h| h.line > 0).min_by_key(|h| h.line);
    let line = at
        .map(|n| n.line)
        .or(evidence.map(|h| h.line))
        .unwrap_or(w.line);
    let value = hits
        .iter()
        .find_map(|h| h.value.clone())
        .or_else(|| at.map(|n| n.display_text()));
    vec![make(line, value.as_deref())]
}

/// A workload's suppressions by canonical rule id (upper case; `ALL` for every rule) and
/// line, built once per workload: a file with thousands of inline ignores and findings
/// stays linear.
#[derive(Default)]
struct SuppressionIndex<'a> {
    at_line: BTreeMap<(String, u32), &'a model::Suppression>,
    anywhere: BTreeMap<String, &'a model::Suppression>,
}

impl<'a> SuppressionIndex<'a> {
    fn new(w: &'a Workload, rules: &RuleSet) -> Self {
        let mut index = SuppressionIndex::default();
        for s in &w.suppressions {
            let key = if s.rule.eq_ignore_ascii_case("all") {
                "ALL".to_string()
            } else {
                rules.canonical_id(&s.rule).to_ascii_uppercase()
            };
            // The first suppression written for a place wins, as before.
            match s.applies_to_line {
                Some(line) => {
                    index.at_line.entry((key, line)).or_insert(s);
                }
                None => {
                    index.anywhere.entry(key).or_insert(s);
                }
            }
        }
        index
    }

    /// The reason (possibly none) when one of the suppressions covers the finding.
    fn find(&self, f: &Finding) -> Option<Option<String>> {
        let rule = f.rule.to_ascii_uppercase();
        [rule.as_str(), "ALL"]
            .into_iter()
            .find_map(|key| {
                self.at_line
                    .get(&(key.to_string(), f.line))
                    .or_else(|| self.anywhere.get(key))
            })
            .map(|s| s.reason.clone())
    }
}

/// FNV-1a over the parts: stable across runs, platforms and versions.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn summarise(workloads: &[WorkloadReport], errors: &[ScanError]) -> Summary {
    let mut by_phase: BTreeMap<&'static str, usize> =
        Phase::ALL.iter().map(|p| (p.as_str(), 0)).collect();
    let mut by_generation: BTreeMap<String, usize> = Generation::ALL
        .iter()
        .map(|g| (g.number().to_string(), 0))
        .collect();
    let mut by_kind: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut findings = SeverityCounts::default();
    let mut reclaimable = Totals::default();
    let mut missing = Totals::default();
    let mut undersized = 0;
    let mut effort: BTreeMap<&'static str, u32> = BTreeMap::new();
    let mut suppressed = 0;
    for w in workloads {
        *by_phase.entry(w.phase.as_str()).or_default() += 1;
        *by_generation
            .entry(w.generation.number().to_string())
            .or_default() += 1;
        *by_kind.entry(w.kind.as_str()).or_default() += 1;
        *effort.entry(w.disposition.as_str()).or_default() += w.effort;
        suppressed += w.suppressed.len();
        for f in &w.findings {
            match f.severity {
                Severity::Error => findings.error += 1,
                Severity::Warning => findings.warning += 1,
                Severity::Info => findings.info += 1,
            }
        }
        if let Some(rs) = &w.rightsizing {
            let mut under = false;
            let mut add = |value: Option<f64>, r: &mut f64, m: &mut f64| match value {
                Some(v) if v > 0.0 => *r += v,
                Some(v) if v < 0.0 => {
                    *m -= v;
                    under = true;
                }
                _ => {}
            };
            add(
                rs.reclaimable.vcpu,
                &mut reclaimable.vcpu,
                &mut missing.vcpu,
            );
            add(
                rs.reclaimable.memory_gib,
                &mut reclaimable.memory_gib,
                &mut missing.memory_gib,
            );
            add(
                rs.reclaimable.storage_gib,
                &mut reclaimable.storage_gib,
                &mut missing.storage_gib,
            );
            if under {
                undersized += 1;
            }
        }
    }
    let round = |t: Totals| Totals {
        vcpu: rightsize::round2(t.vcpu),
        memory_gib: rightsize::round2(t.memory_gib),
        storage_gib: rightsize::round2(t.storage_gib),
    };
    Summary {
        workloads: workloads.len(),
        by_phase,
        by_generation,
        by_kind,
        findings,
        errors: errors.len(),
        suppressed,
        reclaimable: round(reclaimable),
        missing: round(missing),
        undersized,
        disconnects: workloads.iter().filter(|w| w.disconnect).count(),
        effort,
    }
}

/// When the CI gate fails: the reasons, each one line. Empty means pass.
#[derive(Debug, Clone, Default)]
pub struct Gate {
    /// Fail when a finding (or a file error, which is severity error) is at or above this.
    pub fail_on: Option<Severity>,
    /// Fail when a workload is below this phase.
    pub min_phase: Option<Phase>,
}

pub fn gate(report: &Report, gate: &Gate) -> Vec<String> {
    let mut reasons = Vec::new();
    if let Some(threshold) = gate.fail_on {
        let counts = &report.summary.findings;
        let mut n = 0;
        if threshold <= Severity::Error {
            n += counts.error + report.errors.len();
        }
        if threshold <= Severity::Warning {
            n += counts.warning;
        }
        if threshold <= Severity::Info {
            n += counts.info;
        }
        if n > 0 {
            let files = if report.errors.is_empty() {
                String::new()
            } else {
                format!(" (including {} file error(s))", report.errors.len())
            };
            reasons.push(format!(
                "{n} finding(s) at or above severity {threshold}{files} (--fail-on {threshold})"
            ));
        }
    }
    if let Some(min) = gate.min_phase {
        let below: Vec<&WorkloadReport> =
            report.workloads.iter().filter(|w| w.phase < min).collect();
        if let Some(first) = below.first() {
            reasons.push(format!(
                "{} workload(s) below phase {min} (e.g. {} is {}) (--min-phase {min})",
                below.len(),
                first.name,
                first.phase
            ));
        }
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Level, Suppression, Target, WorkloadKind};

    fn finding(rule: &str, line: u32) -> Finding {
        Finding {
            rule: rule.to_string(),
            severity: Severity::Warning,
            level: Level::Optimised,
            message: String::new(),
            file: Arc::from("f"),
            line,
            remediation: String::new(),
            title: String::new(),
            gating: true,
            fingerprint: String::new(),
        }
    }

    #[test]
    fn suppressions_match_rule_alias_line_and_all() {
        let text = "id: R1\ntarget: vm\nlevel: optimised\ntitle: t\nmessage: m\nremediation: r\naliases: [OLD1]\nwhen: { path: x, exists: true }\n";
        let rules =
            RuleSet::new(rules::loader::parse_rule_file("r.yaml", text, false).unwrap_or_default());
        let mut w = Workload::new(
            WorkloadKind::Vm,
            Target::Vm,
            "w",
            Arc::from("f"),
            1,
            Generation::ClientServer,
            Node::map(1),
        );
        let sup = |rule: &str, line: Option<u32>, reason: &str| Suppression {
            rule: rule.to_string(),
            reason: Some(reason.to_string()),
            file: Arc::from("f"),
            line: 1,
            applies_to_line: line,
        };
        w.suppressions = vec![
            sup("old1", Some(7), "line seven"),
            sup("R2", None, "everywhere"),
        ];
        let index = SuppressionIndex::new(&w, &rules);
        assert_eq!(
            index.find(&finding("R1", 7)),
            Some(Some("line seven".into()))
        );
        assert_eq!(index.find(&finding("R1", 8)), None);
        assert_eq!(
            index.find(&finding("R2", 99)),
            Some(Some("everywhere".into()))
        );
        w.suppressions = vec![sup("all", Some(3), "all rules here")];
        let index = SuppressionIndex::new(&w, &rules);
        assert_eq!(
            index.find(&finding("R9", 3)),
            Some(Some("all rules here".into()))
        );
        assert_eq!(index.find(&finding("R9", 4)), None);
    }
}
