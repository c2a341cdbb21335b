//! Assembling the report: cross-file joins, metrics, the workloads that waited, bounded
//! texts, unique ids, the summary.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::assessment::{
    Assumptions, Report, RuleInfo, SeverityCounts, Summary, Tool, Totals, WorkloadReport,
};
use crate::ingest::IngestContext;
use crate::model::{Disposition, Generation, Phase, ScanError, Severity, Skipped, Workload};
use crate::sizing::metrics;
use crate::sizing::rightsize::{self};

use super::*;

pub(super) fn assemble(
    files: Vec<FileResult>,
    assessor: &Assessor<'_>,
    inputs: Vec<String>,
    metrics: &metrics::Metrics,
    early_errors: Vec<ScanError>,
    // Per-check outcomes are for `rules test`; a scan of a large estate drops them.
    keep_checks: bool,
    link_ctx: &IngestContext,
) -> Report {
    let (rules, applied, opts) = (assessor.rules, assessor.applied, assessor.opts);
    let mut results: Vec<Assessed> = Vec::new();
    let mut workloads = Vec::new();
    let mut objects = Vec::new();
    let mut errors = early_errors;
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut skipped_files = Vec::new();
    let mut disregarded_suppressions = 0;
    let mut vsphere = Vec::new();
    for file in files {
        // Moved, not copied, when one file holds the estate (a workbook of 50,000 VMs):
        // a copy would hold two lists of every report at once.
        if results.is_empty() {
            results = file.assessed;
        } else {
            results.extend(file.assessed);
        }
        disregarded_suppressions += file.disregarded;
        let out = file.output;
        // Moved, not copied, when one file holds the estate (an inventory of 50,000 VMs).
        if workloads.is_empty() {
            workloads = out.workloads;
        } else {
            workloads.extend(out.workloads);
        }
        objects.extend(out.objects);
        vsphere.extend(out.vsphere_clusters);
        errors.extend(out.errors);
        for (reason, n) in out.skipped {
            *skipped.entry(reason).or_default() += n;
        }
        skipped_files.extend(out.skips);
    }
    let unjoined = ingest::link(&mut workloads, objects, &mut errors, link_ctx);
    let unjoined = unaccounted(unjoined, &workloads, &results, &errors, &skipped_files);
    skipped_files.extend(unjoined);
    let unmatched_metrics = metrics.apply(&mut workloads, &mut errors);
    size_failover_groups(&mut workloads);
    disregarded_suppressions += assessor.disregarded(&workloads);
    if let Some(p) = opts.progress() {
        p.stage("assessing", workloads.len() as u64);
    }
    let joined: Vec<Result<Assessed, ScanError>> = workloads
        .into_par_iter()
        .map(|w| {
            let r = assessor.assess(w, keep_checks);
            if let Some(p) = opts.progress() {
                p.advance(1);
            }
            r
        })
        .collect();
    // Collected in place (the results take over the list they came in), then appended:
    // growing `results` one by one would hold two lists of every report while it moves.
    let joined: Vec<Assessed> = joined
        .into_iter()
        .filter_map(|r| r.map_err(|e| errors.push(e)).ok())
        .collect();
    if results.is_empty() {
        results = joined;
    } else {
        results.extend(joined);
    }
    let clusters = super::clusters::run(
        &mut results,
        &vsphere,
        &opts.kubernetes_reservations,
        &mut errors,
        |w| assessor.assess(w, keep_checks),
    );
    let mut unused_suppressions = Vec::new();
    let mut config_used = BTreeSet::new();
    let mut covering = BTreeSet::new();
    // In place, as above: the reports keep the list the results were in.
    let mut assessed: Vec<WorkloadReport> = results
        .into_iter()
        .map(|r| {
            if let Some(policy) = r.policy {
                unused_suppressions.extend(policy.unused);
                config_used.extend(policy.config_used);
                covering.extend(policy.config_covering);
            }
            r.report
        })
        .collect();
    unused_suppressions.extend(policy::unused_config(
        &opts.policy,
        &config_used,
        &covering,
        rules,
        applied,
    ));
    unused_suppressions.sort();
    assessed.sort_by(|a, b| {
        (a.file.as_ref(), a.line, a.name.as_str()).cmp(&(b.file.as_ref(), b.line, b.name.as_str()))
    });
    make_ids_unique(&mut assessed);
    bound_report_texts(&mut assessed, &mut errors);
    errors.sort();
    errors.dedup();
    skipped_files.sort();
    skipped_files.dedup();

    let sizing_notes = sizing_assumptions(&assessed, &opts.sizing);
    let mut summary = summarise(&assessed, &errors);
    summary.skipped_files = skipped_files.len();
    summary.unused_suppressions = unused_suppressions.len();
    summary.findings.info += unused_suppressions.len();
    summary.disregarded_suppressions = disregarded_suppressions;
    let end_of_life_rules: std::collections::HashSet<&str> = rules
        .rules
        .iter()
        .filter(|r| r.tags.iter().any(|t| t == estate::END_OF_LIFE_TAG))
        .map(|r| r.id.as_str())
        .collect();
    summary.estate = estate::summarise(
        &assessed,
        skipped,
        unmatched_metrics.len(),
        assessor.catalog.map(|c| &c.info),
        &end_of_life_rules,
    );
    let mut rule_sources: Vec<String> = rules
        .rules
        .iter()
        .filter(|r| !r.source.embedded)
        .map(|r| r.source.file.clone())
        .collect();
    rule_sources.dedup();
    let mut report = Report {
        schema_version: assessment::SCHEMA_VERSION,
        tool: Tool::default(),
        summary,
        workloads: assessed,
        errors,
        skipped: skipped_files,
        assumptions: Assumptions {
            percentile: opts.sizing.percentile,
            headroom_pct: rightsize::round2(opts.sizing.headroom * 100.0),
            oversize_threshold_pct: rightsize::round2(opts.sizing.oversize_threshold * 100.0),
            storage_max_fill_pct: rightsize::round2(opts.sizing.storage_max_fill * 100.0),
            effort_days_per_point: opts.effort_days_per_point,
            as_of: assessor.lifecycle.as_of.to_string(),
            sizing_notes,
            rules: rules.len(),
            default_rules: !opts.no_default_rules,
            rule_sources,
            inputs,
            config: None,
            baseline: None,
            metrics: metrics.files().to_vec(),
            catalog: assessor.catalog.map(|c| c.info.clone()),
            anonymised: opts.anonymise.is_some(),
        },
        unused_suppressions,
        rules: rules.rules.iter().map(rule_info).collect(),
        unmatched_metrics,
        clusters,
    };
    if let Some(key) = &opts.anonymise {
        anonymise::apply(&mut report, key);
    }
    report
}

/// Of the files whose objects joined nothing in `link`, those that gave no workload (as
/// its file or one of its sources), no error and no other skip: each a skip, so that no
/// file found is left in silence.
fn unaccounted(
    unjoined: Vec<Skipped>,
    workloads: &[Workload],
    assessed: &[Assessed],
    errors: &[ScanError],
    skips: &[Skipped],
) -> Vec<Skipped> {
    if unjoined.is_empty() {
        return unjoined;
    }
    let mut accounted: HashSet<&str> = HashSet::new();
    for w in workloads {
        accounted.insert(&w.file);
        accounted.extend(w.sources.iter().map(|s| s.file.as_ref()));
    }
    accounted.extend(assessed.iter().map(|a| a.report.file.as_ref()));
    accounted.extend(errors.iter().map(|e| e.file.as_str()));
    accounted.extend(skips.iter().map(|s| s.file.as_str()));
    unjoined
        .into_iter()
        .filter(|s| !accounted.contains(s.file.as_str()))
        .collect()
}

pub(super) fn rule_info(r: &rules::Rule) -> RuleInfo {
    RuleInfo {
        id: r.id.clone(),
        name: r.name.clone(),
        target: r.target,
        level: r.level,
        property: r.property,
        severity: r.severity,
        gating: r.gating,
        weight: r.weight,
        effort: r.effort,
        disposition: r.disposition,
        title: r.title.clone(),
        rationale: r.rationale.clone(),
        remediation: r.remediation.source.clone(),
        evidence: r.evidence.clone(),
        tags: r.tags.clone(),
        links: r.links.clone(),
        aliases: r.aliases.clone(),
        source: (!r.source.embedded).then(|| format!("{}:{}", r.source.file, r.source.line)),
    }
}

/// The longest text of a finding (its message) or a note the report holds, in bytes. A
/// message quotes the workload's name and values: a name as long as a spreadsheet cell, in
/// every finding of every workload, would multiply through every format.
pub const MAX_REPORT_TEXT: usize = 4096;

/// Cuts findings' messages and notes longer than [`MAX_REPORT_TEXT`], saying so on the text
/// and in one error entry per file.
pub(super) fn bound_report_texts(workloads: &mut [WorkloadReport], errors: &mut Vec<ScanError>) {
    fn cut(text: &mut String) -> bool {
        if text.len() <= MAX_REPORT_TEXT {
            return false;
        }
        let mut end = MAX_REPORT_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let dropped = text.len() - end;
        text.truncate(end);
        text.push_str(&format!(" ... ({dropped} more bytes cut)"));
        true
    }
    let mut cuts: BTreeMap<Arc<str>, usize> = BTreeMap::new();
    for w in workloads.iter_mut() {
        let mut n = 0;
        for f in &mut w.findings {
            n += usize::from(cut(&mut f.message));
        }
        for note in &mut w.notes {
            n += usize::from(cut(note));
        }
        if n > 0 {
            *cuts.entry(Arc::clone(&w.file)).or_default() += n;
        }
    }
    for (file, n) in cuts {
        errors.push(ScanError::input(
            &file,
            format!(
                "{n} finding message(s) or note(s) longer than {MAX_REPORT_TEXT} bytes cut to that length (the limit of one text in a report)"
            ),
        ));
    }
}

pub(super) fn make_ids_unique(workloads: &mut [WorkloadReport]) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for w in workloads.iter_mut() {
        let n = seen.entry(w.id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            w.id = format!("{}#{}", w.id, n);
        }
    }
}

/// The VMs' readiness added up, under the target they were judged for.
fn estate_readiness(
    workloads: &[WorkloadReport],
) -> Option<crate::model::readiness::EstateReadiness> {
    let mut judged = workloads
        .iter()
        .filter_map(|w| w.readiness.as_ref())
        .peekable();
    let first = judged.peek()?;
    let mut estate = crate::readiness::destination(&first.target)
        .map(|d| d.estate())
        .unwrap_or_default();
    for r in judged {
        estate.add(r);
    }
    Some(estate)
}

pub(super) fn summarise(workloads: &[WorkloadReport], errors: &[ScanError]) -> Summary {
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
    let mut effort: BTreeMap<&'static str, u32> =
        Disposition::ALL.iter().map(|d| (d.as_str(), 0)).collect();
    let mut by_disposition: BTreeMap<&'static str, usize> =
        Disposition::ALL.iter().map(|d| (d.as_str(), 0)).collect();
    let mut assessment_effort = 0;
    let mut suppressed = 0;
    for w in workloads {
        *by_phase.entry(w.phase.as_str()).or_default() += 1;
        *by_generation
            .entry(w.generation.number().to_string())
            .or_default() += 1;
        *by_kind.entry(w.kind.as_str()).or_default() += 1;
        *effort.entry(w.disposition.as_str()).or_default() += w.effort;
        *by_disposition.entry(w.disposition.as_str()).or_default() += 1;
        assessment_effort += w.assessment_effort;
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
        by_disposition,
        assessment_effort,
        unused_suppressions: 0,
        disregarded_suppressions: 0,
        baselined: 0,
        skipped_files: 0,
        estate: assessment::EstateSummary::default(),
        cnf_readiness: crate::model::cnf::summarise(
            workloads.iter().filter_map(|w| w.cnf_readiness.as_deref()),
        ),
        readiness: estate_readiness(workloads),
    }
}
