//! fitscan: assesses an estate of workloads and says, for each, which platform generation
//! it runs on, which phase of its evolution there it is in, what to change to reach the
//! next phase, and how to right-size it.
//!
//! Data flows one way: discover -> ingest -> rules -> classify / rightsize -> report.
//! [`scan`] is the one entry point.

pub mod anonymise;
pub mod baseline;
pub mod catalog;
pub mod classify;
pub mod clusters;
pub mod config;
pub mod diff;
pub mod discover;
pub mod estate;
pub mod explain;
mod gate;
pub mod ingest;
pub mod metrics;
pub mod model;
pub mod node;
pub mod policy;
pub mod progress;
pub mod report;
pub mod rightsize;
pub mod rules;
pub mod source;
pub mod units;
pub mod watch;
pub mod yaml;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::classify::{Check, CheckState, classify};
use crate::ingest::{FileOutput, IngestContext};
use crate::model::{
    Assumptions, CheckRecord, ComponentReport, Disposition, Finding, Generation, Phase, Report,
    RuleInfo, ScanError, Severity, SeverityCounts, Summary, SuppressedFinding, Tool, Totals,
    UnusedSuppression, Workload, WorkloadKind, WorkloadReport,
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
    // Transparent: the inner error is the message, not also its cause (which `{:#}` would
    // print a second time).
    #[error(transparent)]
    Rules(#[from] rules::RuleError),
    #[error("{path}: {message}")]
    Path { path: String, message: String },
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Config(#[from] policy::ConfigError),
}

pub use gate::{Gate, gate};

pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// The most worker threads a scan runs (`-j` above it is capped): each reserves a deep
/// stack, and more threads than this only add start-up time on any machine.
pub const MAX_JOBS: usize = 256;

#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// User rule files or folders, added to (or, with `no_default_rules`, replacing) the
    /// embedded defaults.
    pub rules: Vec<PathBuf>,
    pub no_default_rules: bool,
    pub sizing: SizingOptions,
    /// Person-days one effort point stands for (`effort-days-per-point`), for the reports.
    pub effort_days_per_point: f64,
    /// Worker threads; 0 picks one per core.
    pub jobs: usize,
    pub max_file_size: u64,
    pub follow_links: bool,
    pub no_ignore: bool,
    /// Rule selection, severity overrides, per-path ignores, `--no-inline-ignores`.
    pub policy: policy::Policy,
    /// Utilisation files joined to the workloads by name (`--metrics`).
    pub metrics: Vec<PathBuf>,
    /// A size catalog (VM sizes, instance types, NFVI flavours) to round to (`--catalog`).
    pub catalog: Option<PathBuf>,
    /// Replace names, hosts, clusters and paths by stable hashes (`--anonymise`), salted
    /// with this key (empty: unsalted).
    pub anonymise: Option<String>,
    /// Told how far the scan is (the CLI draws a progress bar with it).
    pub progress: Option<ProgressHook>,
    /// `kubernetes-clusters` of `.fitscan.yaml`: VMs mapped to Kubernetes clusters.
    pub kubernetes_clusters: Vec<clusters::mapping::Mapping>,
}

/// Receives the scan's progress: a stage with its size, then steps of it.
pub trait Progress: Send + Sync {
    fn stage(&self, name: &'static str, total: u64);
    fn advance(&self, steps: u64);
    fn finish(&self);
}

#[derive(Clone)]
pub struct ProgressHook(pub Arc<dyn Progress>);

impl std::fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressHook")
    }
}

impl ScanOptions {
    fn progress(&self) -> Option<&dyn Progress> {
        self.progress.as_ref().map(|p| p.0.as_ref())
    }
}

/// Metrics and catalog, read once before the scan.
struct Extras {
    metrics: metrics::Metrics,
    catalog: Option<catalog::Catalog>,
    errors: Vec<ScanError>,
}

fn load_extras(opts: &ScanOptions) -> Result<Extras, Error> {
    let (metrics, errors) = metrics::load(&opts.metrics, opts.sizing.percentile)?;
    let catalog = opts.catalog.as_deref().map(catalog::load).transpose()?;
    Ok(Extras {
        metrics,
        catalog,
        errors,
    })
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            rules: Vec::new(),
            no_default_rules: false,
            sizing: SizingOptions::default(),
            effort_days_per_point: 1.0,
            jobs: 0,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            follow_links: false,
            no_ignore: false,
            policy: policy::Policy::default(),
            metrics: Vec::new(),
            catalog: None,
            anonymise: None,
            progress: None,
            kubernetes_clusters: Vec::new(),
        }
    }
}

/// Scans `paths` (files or folders) and assesses every workload found.
pub fn scan(paths: &[PathBuf], opts: &ScanOptions) -> Result<Report, Error> {
    let rules = rules::loader::load(!opts.no_default_rules, &opts.rules)?;
    let (rules, applied) = opts.policy.apply(rules)?;
    let extras = load_extras(opts)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.min(MAX_JOBS))
        // Parsers recurse; a deep document must not overflow a worker's stack.
        .stack_size(64 * 1024 * 1024)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))?;
    let walked = discover::discover(
        paths,
        discover::WalkOptions {
            follow_links: opts.follow_links,
            no_ignore: opts.no_ignore,
            threads: pool.current_num_threads(),
        },
    )?;
    let candidates = walked.candidates;
    let inputs: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    if let Some(p) = opts.progress() {
        p.stage("reading", candidates.len() as u64);
    }
    let Extras {
        metrics,
        catalog,
        errors: extra_errors,
    } = extras;
    let assessor = Assessor {
        rules: &rules,
        applied: &applied,
        opts,
        catalog: catalog.as_ref(),
        // Metrics join by name across the whole estate: with them, every workload waits.
        early: metrics.is_empty(),
    };
    let report = pool.install(|| {
        let files: Vec<FileResult> = candidates
            .par_iter()
            .map(|c| {
                let out = match discover::read(c, opts.max_file_size) {
                    Ok(Some(file)) => ingest_guarded(&file, opts),
                    Ok(None) => FileOutput {
                        skips: vec![model::Skipped::new(
                            &c.display,
                            "not a regular file (a FIFO, socket or device is never read)",
                        )],
                        ..FileOutput::default()
                    },
                    Err(e) => FileOutput {
                        errors: vec![e],
                        ..FileOutput::default()
                    },
                };
                if let Some(p) = opts.progress() {
                    p.advance(1);
                }
                assessor.file(out)
            })
            .collect();
        let mut early_errors = extra_errors;
        early_errors.extend(walked.errors);
        let link_ctx = ingest_context(opts, Some(scan_roots(paths)));
        assemble(
            files,
            &assessor,
            inputs,
            &metrics,
            early_errors,
            false,
            &link_ctx,
        )
    });
    if let Some(p) = opts.progress() {
        p.finish();
    }
    Ok(report)
}

/// Assesses files already in memory (used by `rules test`), on the current thread pool.
pub fn assess_sources(files: &[SourceFile], rules: &RuleSet, opts: &ScanOptions) -> Report {
    let inputs = files.iter().map(|f| f.display.to_string()).collect();
    let extras = load_extras(opts).unwrap_or_else(|e| Extras {
        metrics: metrics::Metrics::default(),
        catalog: None,
        errors: vec![ScanError::input("(options)", e.to_string())],
    });
    let applied = policy::Applied::default();
    let assessor = Assessor {
        rules,
        applied: &applied,
        opts,
        catalog: extras.catalog.as_ref(),
        early: false,
    };
    let outputs: Vec<FileResult> = files
        .iter()
        .map(|f| assessor.file(ingest_guarded(f, opts)))
        .collect();
    assemble(
        outputs,
        &assessor,
        inputs,
        &extras.metrics,
        extras.errors.clone(),
        true,
        &ingest_context(opts, None),
    )
}

/// What the scan keeps of one file once it is read: the workloads already assessed (they
/// need nothing from other files, so their documents are dropped at once and memory follows
/// the results, not the inputs), and what waits for the cross-file joins.
#[derive(Default)]
struct FileResult {
    assessed: Vec<Assessed>,
    output: FileOutput,
    /// Inline suppressions disregarded under `--no-inline-ignores`.
    disregarded: usize,
}

/// Everything assessing a workload needs, shared by the workers.
struct Assessor<'a> {
    rules: &'a RuleSet,
    applied: &'a policy::Applied,
    opts: &'a ScanOptions,
    catalog: Option<&'a catalog::Catalog>,
    /// Assess a workload as soon as its file is read when no join concerns it.
    early: bool,
}

impl Assessor<'_> {
    fn file(&self, mut output: FileOutput) -> FileResult {
        // A file that left objects for a join (RVTools tabs, Kubernetes companions, VNF
        // definitions) is part of something larger: all of its workloads wait for `link`.
        if !self.early || !output.objects.is_empty() {
            return FileResult {
                output,
                ..FileResult::default()
            };
        }
        let (later, now): (Vec<Workload>, Vec<Workload>) = std::mem::take(&mut output.workloads)
            .into_iter()
            .partition(|w| ingest::joined_later(w) || in_failover_group(w));
        let mut result = FileResult {
            disregarded: self.disregarded(&now),
            output: FileOutput {
                workloads: later,
                ..output
            },
            ..FileResult::default()
        };
        for w in now {
            match self.assess(w, false) {
                Ok(a) => result.assessed.push(a),
                Err(e) => result.output.errors.push(e),
            }
        }
        result
    }

    fn disregarded(&self, workloads: &[Workload]) -> usize {
        if self.opts.policy.no_inline_ignores {
            workloads.iter().map(|w| w.suppressions.len()).sum()
        } else {
            0
        }
    }

    /// Assesses one workload; a panic becomes an error entry naming the workload and its
    /// file, and the scan goes on.
    fn assess(&self, w: Workload, keep_checks: bool) -> Result<Assessed, ScanError> {
        assess_guarded(w, |w| {
            let node = clusters::recognise(&w, &self.opts.kubernetes_clusters);
            let mut r = assess(w, self.rules, self.opts, self.applied, self.catalog);
            if !keep_checks {
                r.report.checks = Vec::new();
            }
            r.node = node.map(|mut n| {
                let state = r.report.properties.state(model::Property::RightSized);
                n.right_sized = serde_json::to_value(state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string));
                n
            });
            r
        })
    }
}

/// Runs `assess` on the workload; a panic becomes an error entry naming the workload, its
/// file and line, and the scan goes on.
fn assess_guarded(
    w: Workload,
    assess: impl FnOnce(Workload) -> Assessed,
) -> Result<Assessed, ScanError> {
    let file = Arc::clone(&w.file);
    let name = w.name.clone();
    let line = w.line;
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| assess(w))).map_err(|_| ScanError {
        line: (line > 0).then_some(line),
        ..ScanError::input(
            &file,
            format!(
                "internal error while assessing `{name}` (a bug in fitscan, please report it with the file)"
            ),
        )
    })
}

fn ingest_context(opts: &ScanOptions, roots: Option<Vec<PathBuf>>) -> IngestContext {
    IngestContext {
        sizing: opts.sizing,
        max_file_size: opts.max_file_size,
        follow_links: opts.follow_links,
        roots,
        no_ignore: opts.no_ignore,
    }
}

/// The scanned folders, resolved (a file's folder for a file), for the files one file names.
fn scan_roots(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .filter_map(|p| {
            let real = std::fs::canonicalize(p).ok()?;
            if real.is_file() {
                real.parent().map(std::path::Path::to_path_buf)
            } else {
                Some(real)
            }
        })
        .collect()
}

/// Ingests one file; a panic in a parser becomes an error entry naming the file.
fn ingest_guarded(file: &SourceFile, opts: &ScanOptions) -> FileOutput {
    let ctx = ingest_context(opts, None);
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
        results.extend(file.assessed);
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
    ingest::link(&mut workloads, objects, &mut errors, link_ctx);
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
    for r in joined {
        match r {
            Ok(a) => results.push(a),
            Err(e) => errors.push(e),
        }
    }
    let clusters = clusters::stage::run(&mut results, &vsphere, &mut errors, |w| {
        assessor.assess(w, keep_checks)
    });
    let mut unused_suppressions = Vec::new();
    let mut config_used = BTreeSet::new();
    let mut covering = BTreeSet::new();
    let mut assessed = Vec::with_capacity(results.len());
    for r in results {
        assessed.push(r.report);
        unused_suppressions.extend(r.unused);
        config_used.extend(r.config_used);
        covering.extend(r.config_covering);
    }
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
    summary.estate = estate::summarise(
        &assessed,
        skipped,
        unmatched_metrics.len(),
        assessor.catalog.map(|c| &c.info),
    );
    let mut rule_sources: Vec<String> = rules
        .rules
        .iter()
        .filter(|r| !r.source.embedded)
        .map(|r| r.source.file.clone())
        .collect();
    rule_sources.dedup();
    let mut report = Report {
        schema_version: model::SCHEMA_VERSION,
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

fn rule_info(r: &rules::Rule) -> RuleInfo {
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
fn bound_report_texts(workloads: &mut [WorkloadReport], errors: &mut Vec<ScanError>) {
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
    // Judged at the workload level where it is sized as a whole (a VM, a Compose
    // service); Kubernetes workloads and VNFs are judged per component.
    let is_vm = matches!(w.kind, WorkloadKind::Vm | WorkloadKind::Compose);
    // The demand the recommendation is sized for: a failover group's load, without a
    // poll-mode data plane's CPU (a dimension not sized on utilisation has no demand fact).
    let demand = rightsize::sizing_demand(rs);
    let dims = [
        (
            "vcpu",
            rs.current.vcpu,
            demand.vcpu,
            rs.recommended.vcpu,
            rs.reclaimable.vcpu,
        ),
        (
            "memory_gib",
            rs.current.memory_gib,
            demand.memory_gib,
            rs.recommended.memory_gib,
            rs.reclaimable.memory_gib,
        ),
        (
            "storage_gib",
            rs.current.storage_gib,
            demand.storage_gib,
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
        if is_vm {
            insert_judgement(facts, "rightsizing.", rs, dim, line);
        }
    }
}

/// The sizing judgement of one dimension as facts under `prefix`: ladder steps
/// reclaimable, oversized (true / false), undersized (`warning` / `error`, when it is).
/// Only where the dimension was sized on utilisation: a rule on them is unknown otherwise.
fn insert_judgement(facts: &mut Node, prefix: &str, rs: &Rightsizing, dim: &str, line: u32) {
    let Some(steps) = rightsize::Dim::ALL
        .into_iter()
        .find(|d| d.key() == dim)
        .and_then(|d| d.get(&rs.reclaimable_steps))
    else {
        return;
    };
    facts.insert_path(
        &format!("{prefix}reclaimable_steps.{dim}"),
        Node::float(steps, line),
    );
    facts.insert_path(
        &format!("{prefix}oversized.{dim}"),
        Node::bool(rs.oversized.contains(&dim), line),
    );
    if let Some(severity) = rs.undersized.get(dim) {
        facts.insert_path(
            &format!("{prefix}undersized.{dim}"),
            Node::str(*severity, line),
        );
    }
}

/// `facts.components[*]`: each component's name, count and sizing figures, so that rules
/// can iterate containers or VDUs (`some: facts.components[*]`).
fn insert_component_facts(facts: &mut Node, components: &[ComponentReport]) {
    if components.is_empty() {
        return;
    }
    let items = components
        .iter()
        .map(|c| {
            let mut n = Node::map(c.line);
            n.insert("name", Node::str(c.name.clone(), c.line));
            n.insert("count", Node::float(c.count, c.line));
            if !c.poll_mode.is_empty() {
                n.insert("poll_mode", Node::str(c.poll_mode.join(", "), c.line));
            }
            if let Some(t) = c.throughput_per_vcpu {
                n.insert("throughput_per_vcpu", Node::float(t, c.line));
            }
            if let Some(rs) = &c.rightsizing {
                let parts = [
                    ("current", rs.current),
                    ("demand", rightsize::sizing_demand(rs)),
                    ("recommended", rs.recommended),
                    ("reclaimable", rs.reclaimable),
                ];
                if rs.basis == rightsize::Basis::Utilisation {
                    let dims = [
                        ("vcpu", rs.current.vcpu, rs.reclaimable.vcpu),
                        (
                            "memory_gib",
                            rs.current.memory_gib,
                            rs.reclaimable.memory_gib,
                        ),
                        (
                            "storage_gib",
                            rs.current.storage_gib,
                            rs.reclaimable.storage_gib,
                        ),
                    ];
                    for (dim, current, reclaimable) in dims {
                        if let (Some(size), Some(r)) = (current, reclaimable)
                            && size > 0.0
                        {
                            let share = Node::float(rightsize::round2(r / size), c.line);
                            n.insert_path(&format!("reclaimable_share.{dim}"), share);
                        }
                    }
                }
                for dim in ["vcpu", "memory_gib"] {
                    insert_judgement(&mut n, "", rs, dim, c.line);
                }
                for (part, s) in parts {
                    // Without utilisation only the current size is a fact.
                    if part != "current" && rs.basis == rightsize::Basis::None {
                        continue;
                    }
                    for (dim, v) in [
                        ("vcpu", s.vcpu),
                        ("memory_gib", s.memory_gib),
                        ("storage_gib", s.storage_gib),
                    ] {
                        if let Some(v) = v {
                            n.insert_path(&format!("{part}.{dim}"), Node::float(v, c.line));
                        }
                    }
                }
            }
            n
        })
        .collect();
    facts.insert("components", Node::seq(items, 0));
}

/// One assessed workload, and the book-keeping on its suppressions.
struct Assessed {
    report: WorkloadReport,
    unused: Vec<UnusedSuppression>,
    /// Per-path ignore entries (entry, rule) of the policy that suppressed something here.
    config_used: Vec<(usize, usize)>,
    /// Per-path ignore entries covering a file of the workload.
    config_covering: BTreeSet<usize>,
    /// What the Kubernetes cluster stage keeps of a node VM.
    node: Option<clusters::NodeRecord>,
}

impl clusters::stage::Assessment for Assessed {
    fn take_node(&mut self) -> Option<clusters::NodeRecord> {
        self.node.take()
    }
    fn report_mut(&mut self) -> &mut WorkloadReport {
        &mut self.report
    }
}

/// Rules, ladder and sizing for one workload.
fn assess(
    mut w: Workload,
    rules: &RuleSet,
    opts: &ScanOptions,
    applied: &policy::Applied,
    catalog: Option<&catalog::Catalog>,
) -> Assessed {
    let sizing = &opts.sizing;
    let ladder = Ladder::for_kind(w.kind);
    // Catalogs hold VM sizes and NFVI flavours: they size VMs and VDUs, not containers.
    let catalog = catalog.filter(|_| ladder == Ladder::Vm);
    let components: Vec<ComponentReport> = w
        .components
        .iter()
        .map(|c| {
            let mut traits = c.traits.clone();
            // Redundant VDUs (N+1): the instances share the load, and one instance down
            // leaves the others to carry it.
            if w.kind == WorkloadKind::Vnf
                && traits.redundant
                && c.count >= 2.0
                && let Some(d) = &c.demand
            {
                let n = c.count;
                let f = n / (n - 1.0);
                traits.failover = Some((
                    model::Sizing {
                        vcpu: d.vcpu.map(|v| v * f),
                        memory_gib: d.memory_gib.map(|v| v * f),
                        storage_gib: None,
                    },
                    format!(
                        "failover: {} instances of this VDU, kept apart by anti-affinity, share the load (N+1); each is sized to carry it with one instance down (demand x {}/{})",
                        node::format_number(n),
                        node::format_number(n),
                        node::format_number(n - 1.0)
                    ),
                ));
            }
            let mut rightsizing = rightsize(&c.current, c.demand.as_ref(), ladder, sizing, &traits);
            let fit = catalog.and_then(|cat| cat.fit(rightsizing.as_mut(), sizing));
            if fit.is_some()
                && let Some(r) = rightsizing.as_mut()
            {
                rightsize::judge(r, ladder, sizing);
            }
            ComponentReport {
                name: c.name.clone(),
                file: None,
                line: c.line,
                count: c.count,
                poll_mode: traits.poll_mode.clone(),
                throughput_per_vcpu: c.demand.as_ref().and_then(|d| d.throughput_per_vcpu),
                rightsizing,
                catalog: fit,
            }
        })
        .collect();
    let mut traits = w.traits.clone();
    let ha_member = w.facts.get("ha_member").and_then(Node::as_bool) == Some(true);
    if ha_member && traits.failover.is_none() {
        let mode = w
            .facts
            .get("ha")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        traits.keep_size = Some(format!(
            "failover: a member of an {mode} group whose peers are not in the scan: CPU and memory are kept at the current size (a standby must carry its peer's load; name the group in app.haGroup to size it with its peers)"
        ));
    }
    let rs = if w.current.is_empty() && w.demand.is_none() && !components.is_empty() {
        let parts: Vec<(f64, &Rightsizing)> = components
            .iter()
            .filter_map(|c| c.rightsizing.as_ref().map(|r| (c.count, r)))
            .collect();
        rightsize::aggregate(&parts)
    } else {
        rightsize(&w.current, w.demand.as_ref(), ladder, sizing, &traits)
    };
    let mut rs = rs;
    let fit = if components.is_empty() {
        catalog.and_then(|cat| cat.fit(rs.as_mut(), sizing))
    } else {
        None
    };
    if fit.is_some()
        && let Some(r) = rs.as_mut()
    {
        rightsize::judge(r, ladder, sizing);
    }
    if let Some(r) = rs.as_mut()
        && let Some(note) = cores_note(&w.facts, r)
    {
        r.notes.push(note);
    }
    if let Some(d) = &w.demand {
        let stand_ins = d.statistic.stand_ins();
        if !stand_ins.is_empty() {
            w.notes.push(format!(
                "percentile: p{} was asked for but not available: {} stood in",
                node::format_number(sizing.percentile),
                stand_ins.join(", ")
            ));
        }
    }
    if let Some(cat) = catalog
        && fit.is_none()
        && components.is_empty()
        && let Some(note) = cat.unfit_note(rs.as_ref(), sizing)
    {
        w.notes.push(note);
    }
    insert_common_facts(&mut w, rs.as_ref());
    catalog::insert_facts(&mut w.facts, fit.as_ref());
    insert_component_facts(&mut w.facts, &components);
    let roots = Roots {
        doc: &w.doc,
        facts: &w.facts,
    };
    let mut checks = Vec::new();
    let mut findings = Vec::new();
    let mut suppressed = Vec::new();
    let mut tracker = policy::Tracker::new(&w, &opts.policy, rules);
    for (rule, texts) in rules.for_target_with_texts(w.target) {
        let outcome = evaluate(rule, roots);
        let mut missing = Vec::new();
        let state = match outcome {
            Outcome::Pass | Outcome::Unknown(_) if tracker.ignores_wholesale(rules, &rule.id) => {
                CheckState::Suppressed
            }
            Outcome::Pass => CheckState::Pass,
            Outcome::NotApplicable => CheckState::NotApplicable,
            Outcome::Unknown(m) => {
                missing = m;
                CheckState::Unknown
            }
            Outcome::Fail(hits) => {
                let mut kept = 0;
                for f in findings_for(rule, &w, opts, roots, &hits) {
                    match tracker.check(rules, &f) {
                        Some(hit) => suppressed.push(SuppressedFinding {
                            rule: f.rule,
                            file: f.file,
                            line: f.line,
                            reason: hit.reason,
                            severity: f.severity,
                            message: f.message,
                            fingerprint: f.fingerprint,
                            by: hit.by,
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
            rule: Arc::clone(&texts.id),
            title: Arc::clone(&texts.title),
            level: rule.level,
            severity: rule.severity,
            property: rule.property,
            weight: rule.weight,
            effort: rule.effort,
            disposition: rule.disposition,
            treatment: rule_treatment(rule),
            state,
            missing,
            evidence: texts.evidence.clone(),
        });
    }
    findings.extend(typo_findings(&w, opts));
    let (unused, config_used, config_covering) = tracker.finish(&w, rules, applied);
    let circumstances = classify::Circumstances {
        no_target: (w.generation == Generation::Mainframe && w.facts.get("target").is_none()).then(
            || {
                w.facts
                    .get("os")
                    .and_then(Node::scalar_text)
                    .unwrap_or_else(|| "mainframe".into())
            },
        ),
    };
    let c = classify(&checks, w.generation, &circumstances);
    // Component lines were numbered across the workload's files (facts use them); report
    // each in its own file.
    let components = components
        .into_iter()
        .map(|mut c| {
            let (file, line) = w.locate(c.line);
            c.line = line;
            c.file = (file != w.file).then_some(file);
            c
        })
        .collect();
    findings.sort_by(|a, b| {
        (a.file.as_ref(), a.line, a.rule.as_str()).cmp(&(b.file.as_ref(), b.line, b.rule.as_str()))
    });
    suppressed.sort_by(|a, b| {
        (a.file.as_ref(), a.line, a.rule.as_str()).cmp(&(b.file.as_ref(), b.line, b.rule.as_str()))
    });
    // A workload declared in another file of its numbering (a Compose service only an
    // override or included file defines) is reported there.
    let (file, line) = w.locate(w.line);
    let report = WorkloadReport {
        id: w.id,
        name: w.name,
        kind: w.kind,
        file,
        line,
        generation: w.generation,
        phase: c.phase,
        held_by: c.held_by,
        properties: classify::PropertyVerdicts(c.properties),
        score: c.score,
        confidence: c.confidence,
        disconnect: c.disconnect,
        disposition: c.disposition,
        disposition_reason: c.disposition_reason,
        effort: c.effort,
        effort_to_purpose_built: c.effort_to_purpose_built,
        assessment_effort: c.assessment_effort,
        roadmap: c.roadmap,
        evidence_needed: c.evidence_needed,
        findings,
        rightsizing: rs,
        target: w.target,
        notes: w.notes,
        suppressed,
        components,
        // Collected into a fresh vector: an in-place collect would keep the allocation of
        // the (five times larger) `Check`s for the life of the report.
        checks: {
            let mut records = Vec::with_capacity(checks.len());
            records.extend(checks.into_iter().map(|c| CheckRecord {
                rule: c.rule,
                state: c.state,
            }));
            records
        },
        labels: w.labels,
        catalog: fit,
    };
    Assessed {
        report,
        unused,
        config_used,
        config_covering,
        node: None,
    }
}

/// A warning for every field that is almost surely a typo of a known one (never gating,
/// never in the score: the checks that needed the field are unknown or use a default).
fn typo_findings(w: &Workload, opts: &ScanOptions) -> Vec<Finding> {
    let shown = match &opts.anonymise {
        Some(key) => anonymise::name_token(key, w.kind, &w.name),
        None => w.name.clone(),
    };
    w.typos
        .iter()
        .map(|t| {
            let (file, line) = w.locate(t.line);
            let key = t.field.rsplit('.').next().unwrap_or(&t.field);
            let known = t.known.rsplit('.').next().unwrap_or(&t.known);
            Finding {
                rule: model::TYPO_RULE.to_string(),
                severity: Severity::Warning,
                level: model::Level::Optimised,
                message: format!(
                    "{shown}: `{}` is not a field fitscan reads: did you mean `{}`? (kept for user rules; the checks that need `{}` do not see it)",
                    t.field, t.known, t.known
                ),
                fingerprint: fingerprint(&[model::TYPO_RULE, &file, &w.name, &t.field]),
                file,
                line: line.max(1),
                remediation: format!("Rename `{key}` to `{known}`, or give a field of your own a name further from fitscan's."),
                title: "Unknown field close to a known one".to_string(),
                property: None,
                gating: false,
                offending: t.field.clone(),
            }
        })
        .collect()
}

/// A VM that names its failover group (`app.haGroup`): it is sized with its peers, so it
/// waits for every file to be read.
fn in_failover_group(w: &Workload) -> bool {
    w.kind == WorkloadKind::Vm
        && w.facts.get("ha_member").and_then(Node::as_bool) == Some(true)
        && w.facts.get("ha_group").is_some()
}

/// Sizes the members of each failover group (VMs of one `app.haGroup`) for failover: in an
/// active-passive group every member must carry the busiest member's load alone; in a
/// cluster (N+1, active-active) the others must carry the group's load with one member
/// down, so each is sized for the group's total over (members - 1). A standby is never
/// sized on its own near-idle figures. A group of one is left to `keep_size`.
fn size_failover_groups(workloads: &mut [Workload]) {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, w) in workloads.iter().enumerate() {
        if in_failover_group(w)
            && let Some(g) = w.facts.get("ha_group").and_then(Node::scalar_text)
        {
            groups.entry(g).or_default().push(i);
        }
    }
    for (group, members) in groups {
        if members.len() < 2 {
            continue;
        }
        let active_passive = members.iter().any(|i| {
            workloads[*i]
                .facts
                .get("ha")
                .and_then(Node::scalar_text)
                .as_deref()
                == Some("active-passive")
        });
        let n = members.len() as f64;
        let pick = |f: fn(&model::Demand) -> Option<f64>| -> Option<f64> {
            let values: Vec<f64> = members
                .iter()
                .filter_map(|i| workloads[*i].demand.as_ref().and_then(f))
                .collect();
            if values.is_empty() {
                None
            } else if active_passive {
                values.iter().copied().reduce(f64::max)
            } else {
                Some(values.iter().sum::<f64>() / (n - 1.0))
            }
        };
        let load = model::Sizing {
            vcpu: pick(|d| d.vcpu),
            memory_gib: pick(|d| d.memory_gib),
            storage_gib: None,
        };
        if load.vcpu.is_none() && load.memory_gib.is_none() {
            continue;
        }
        let names: Vec<String> = members.iter().map(|i| workloads[*i].name.clone()).collect();
        let figures = [
            load.vcpu
                .map(|v| format!("{} vCPU", node::format_number(rightsize::round2(v)))),
            load.memory_gib
                .map(|v| format!("{} GiB", node::format_number(rightsize::round2(v)))),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" / ");
        let how = if active_passive {
            format!(
                "active-passive: each member is sized to carry the busiest member's load alone ({figures})"
            )
        } else {
            format!(
                "N+1: each member is sized for the group's load spread over {} members with one down ({figures} each)",
                node::format_number(n - 1.0)
            )
        };
        let note = format!(
            "failover: group `{group}` ({} members: {}), {how}; a standby is never idle",
            members.len(),
            names.join(", ")
        );
        for i in &members {
            workloads[*i].traits.failover = Some((load, note.clone()));
        }
    }
}

/// The assumptions sizing made beyond the figures, one line each, for the report's
/// assumptions: the oversize and undersize shapes, the storage floor, and how many
/// workloads a percentile stood in for, a failover group or a poll-mode data plane
/// concerned, and physical cores counted as vCPUs.
fn sizing_assumptions(workloads: &[WorkloadReport], sizing: &SizingOptions) -> Vec<String> {
    let pct = |x: f64| node::format_number(rightsize::round2(x * 100.0));
    let mut lines = vec![
        format!(
            "oversized: the recommendation gives back at least one step of the size ladder and at least {} % of the current size (--oversize-threshold); undersized: a warning when demand plus headroom exceeds the size, an error when demand alone does",
            pct(sizing.oversize_threshold)
        ),
        if sizing.headroom > 0.0 {
            format!(
                "storage: a recommendation leaves a disk at most {} % full; shrinking a disk means a file-level copy (a block-level rehost keeps the provisioned size)",
                pct(sizing.storage_max_fill)
            )
        } else {
            format!(
                "storage: --headroom 0 sizes storage to the space used exactly, so a disk may be full after the move (the {} % floor applies with any headroom above 0); shrinking a disk means a file-level copy",
                pct(sizing.storage_max_fill)
            )
        },
    ];
    let count =
        |pick: &dyn Fn(&WorkloadReport) -> bool| workloads.iter().filter(|w| pick(w)).count();
    let notes_of = |w: &WorkloadReport, prefix: &str| -> bool {
        let parts = w
            .components
            .iter()
            .filter_map(|c| c.rightsizing.as_ref())
            .chain(w.rightsizing.as_ref());
        parts
            .flat_map(|r| r.notes.iter())
            .any(|n| n.starts_with(prefix))
    };
    let missing = count(&|w| w.notes.iter().any(|n| n.starts_with("percentile: ")));
    if missing > 0 {
        lines.push(format!(
            "percentile: p{} was asked for but not available for {missing} workload(s): the statistic that stood in is named in each workload's notes and sizing",
            node::format_number(sizing.percentile)
        ));
    }
    let cores = count(&|w| notes_of(w, "cpu: "));
    if cores > 0 {
        lines.push(format!(
            "cpu: {cores} physical server(s) counted one vCPU per physical core, hyper-threads not counted; where the target's vCPU is a hyper-thread and hyper-threading was on, CPU % was of twice as many threads"
        ));
    }
    let failover = count(&|w| notes_of(w, "failover: "));
    if failover > 0 {
        lines.push(format!(
            "failover: {failover} workload(s) in failover groups (app.ha, redundant VDUs) sized to carry the group's load with one member down; a standby is never idle"
        ));
    }
    let poll = count(&|w| notes_of(w, "poll-mode"));
    if poll > 0 {
        lines.push(format!(
            "poll mode: {poll} workload(s) with a poll-mode data plane (DPDK, SR-IOV, CPU pinning, huge pages) not sized on CPU utilisation, which shows 100 % by design (evidence needed: throughput per vCPU)"
        ));
    }
    lines
}

/// Physical cores against threads, said where a physical server's size is counted: one
/// vCPU per core, hyper-threads not counted.
fn cores_note(facts: &Node, rs: &Rightsizing) -> Option<String> {
    if facts.get("physical").and_then(Node::as_bool) != Some(true) {
        return None;
    }
    let vcpu = rs.current.vcpu?;
    let topology = match (
        facts.get("sockets").and_then(Node::as_f64),
        facts.get("cores_per_socket").and_then(Node::as_f64),
    ) {
        (Some(s), Some(c)) => format!(" ({} x {})", node::format_number(s), node::format_number(c)),
        _ => String::new(),
    };
    Some(format!(
        "cpu: {} physical cores{topology} counted as {} vCPU, one per core (hyper-threads not counted); if hyper-threading was on, the OS showed {} threads and CPU % is of those: check before sizing below the cores",
        node::format_number(vcpu),
        node::format_number(vcpu),
        node::format_number(vcpu * 2.0)
    ))
}

/// The treatment a rule's failure recommends whatever the roadmap says: its `retire` or
/// `retain` tag.
fn rule_treatment(rule: &rules::Rule) -> Option<Disposition> {
    if rule.tags.iter().any(|t| t == "retire") {
        Some(Disposition::Retire)
    } else if rule.tags.iter().any(|t| t == "retain") {
        Some(Disposition::Retain)
    } else {
        None
    }
}

/// One finding per occurrence; otherwise one finding at the rule's `at` path, or at the
/// first located evidence, or at the workload.
fn findings_for(
    rule: &rules::Rule,
    w: &Workload,
    opts: &ScanOptions,
    roots: Roots<'_>,
    hits: &[rules::eval::Hit],
) -> Vec<Finding> {
    // `anchor` is the offending source text the fingerprint hashes: never a line number
    // (moving lines must not make a finding new) and never a computed figure (a sizing
    // finding must not become new when utilisation changes).
    // Under --anonymise a message names the workload by its token from the start: a name
    // that is also a word or a figure (`RHEL`, `8`) cannot be told from them afterwards.
    let shown = match &opts.anonymise {
        Some(key) => anonymise::name_token(key, w.kind, &w.name),
        None => w.name.clone(),
    };
    let severity = rule.severity_on(roots);
    let make = |line: u32, value: Option<&str>, item: Option<&str>, anchor: &str| {
        let message = rule.message.render_item(&shown, value, item, roots);
        // The element (a VDU, a container) tells apart findings with the same text.
        let offending = match item {
            Some(item) => format!("{anchor}\u{1f}{item}"),
            None => anchor.to_string(),
        };
        let (file, line) = w.locate(line);
        Finding {
            rule: rule.id.clone(),
            severity,
            level: rule.level,
            message,
            fingerprint: fingerprint(&[&rule.id, &file, &w.name, &offending]),
            file,
            line: line.max(1),
            remediation: rule.remediation.render_item(&shown, value, item, roots),
            title: rule.title.clone(),
            property: rule.property,
            gating: rule.gating,
            offending,
        }
    };
    let occurrences: Vec<&rules::eval::Hit> =
        hits.iter().filter(|h| h.occurrence && h.line > 0).collect();
    if !occurrences.is_empty() {
        // Each occurrence is an element's own value (a container's name, an instruction, a
        // package): its source text.
        return occurrences
            .iter()
            .map(|h| {
                let value = h.value.as_deref();
                make(h.line, value, h.item.as_deref(), value.unwrap_or(&w.name))
            })
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
    // The field the finding points at, as written: the `at` node, else the document's node
    // on the finding's line (the evidence may be a derived fact, such as a reclaimable size).
    let anchor = at
        .map(node_source_text)
        .or_else(|| node_on_line(&w.doc, line).map(node_source_text))
        .unwrap_or_else(|| w.name.clone());
    vec![make(line, value.as_deref(), None, &anchor)]
}

/// A node's content as canonical text (collections as compact JSON), without its lines.
fn node_source_text(node: &Node) -> String {
    match node.scalar_text() {
        Some(text) => text,
        None => node.to_json().to_string(),
    }
}

/// The document's node for what is written on `line`: the first node that starts there and
/// lies wholly on it (a field, a flow mapping, an instruction), else the first that starts
/// there (a block mapping whose content follows).
fn node_on_line(doc: &Node, line: u32) -> Option<&Node> {
    fn on_line_only(n: &Node, line: u32) -> bool {
        (n.line == line || n.line == 0)
            && match &n.value {
                node::Value::Seq(items) => items.iter().all(|i| on_line_only(i, line)),
                node::Value::Map(entries) => entries.iter().all(|e| on_line_only(&e.value, line)),
                _ => true,
            }
    }
    fn walk<'a>(n: &'a Node, line: u32, first: &mut Option<&'a Node>) -> Option<&'a Node> {
        if n.line == line {
            if on_line_only(n, line) {
                return Some(n);
            }
            first.get_or_insert(n);
        }
        match &n.value {
            node::Value::Seq(items) => items.iter().find_map(|i| walk(i, line, first)),
            node::Value::Map(entries) => entries.iter().find_map(|e| walk(&e.value, line, first)),
            _ => None,
        }
    }
    if line == 0 {
        return None;
    }
    let mut first = None;
    walk(doc, line, &mut first).or(first)
}

/// FNV-1a over the parts: stable across runs, platforms and versions. A finding's parts
/// are its canonical rule id, file, workload and offending source text.
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
        estate: estate::EstateSummary::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_assessing_names_the_workload_and_its_file() {
        let w = Workload {
            name: "db-01".into(),
            file: Arc::from("estate/vms.yaml"),
            line: 12,
            ..ingest::vmspec::VmSpec::workload_from_doc(
                Node::map(12),
                "db-01".into(),
                &Arc::from("estate/vms.yaml"),
                &IngestContext::default(),
                &mut Vec::new(),
            )
        };
        let err = assess_guarded(w, |_| panic!("a bug")).err();
        assert_eq!(
            err,
            Some(ScanError {
                file: "estate/vms.yaml".into(),
                line: Some(12),
                message: "internal error while assessing `db-01` (a bug in fitscan, please report it with the file)".into(),
                rule: "input-error",
            })
        );
    }
}
