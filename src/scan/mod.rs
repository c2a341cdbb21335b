//! The pipeline: discover -> read and ingest (in parallel) -> link (cross-file joins) ->
//! metrics joined -> size -> assess (rules, classify, policy) -> assemble the report.
//! [`scan`] is the one entry point; [`assess_sources`] runs the same steps on files in
//! memory (`rules test`).

pub mod anonymise;
mod assemble;
pub(crate) mod assess;
pub mod baseline;
pub mod clusters;
pub mod discover;
pub mod estate;
mod gate;
pub mod policy;
mod shared;
mod size;
#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::{assessment, ingest, model, node, rules, sizing};

use crate::assessment::Report;
use crate::ingest::{FileOutput, IngestContext};
use crate::model::ScanError;
use crate::rules::RuleSet;
use crate::sizing::rightsize::SizingOptions;
use crate::sizing::{catalog, metrics};
use crate::source::SourceFile;

use assemble::*;
use assess::*;
use size::*;

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
    #[error(transparent)]
    Sizing(#[from] sizing::LoadError),
    #[error(transparent)]
    Lifecycle(#[from] crate::lifecycle::TableError),
}

pub use gate::{Gate, gate};

pub use ingest::read::DEFAULT_MAX_FILE_SIZE;

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
    /// `kubernetes-clusters` of `.fitscan.yaml`: VMs mapped to Kubernetes clusters.
    pub kubernetes_clusters: Vec<crate::clusters::mapping::Mapping>,
    /// `kubernetes-reservations` of `.fitscan.yaml`: where node VMs may hold reservations.
    pub kubernetes_reservations: crate::clusters::reservations::ReservationPolicy,
    /// The migration target VMs are judged for (`--target`); `None`: platform-neutral checks.
    pub migration_target: Option<String>,
    /// The configuration file the options came from, recorded in the report's assumptions
    /// (as a token under `anonymise`).
    pub config_file: Option<String>,
    /// Replace names, hosts, clusters and paths by stable hashes (`--anonymise`), salted
    /// with this key (empty: unsalted).
    pub anonymise: Option<String>,
    /// Told how far the scan is (the CLI draws a progress bar with it).
    pub progress: Option<ProgressHook>,
    /// The day end-of-support dates are judged for (`--as-of`); None: today
    /// (`SOURCE_DATE_EPOCH` pins it).
    pub as_of: Option<crate::lifecycle::Date>,
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
    /// The target VMs are judged for: `--target`, else the platform-neutral checks.
    pub fn readiness_target(&self) -> &str {
        self.migration_target
            .as_deref()
            .unwrap_or(crate::readiness::NEUTRAL)
    }
    fn progress(&self) -> Option<&dyn Progress> {
        self.progress.as_ref().map(|p| p.0.as_ref())
    }
}

/// Metrics and catalog, read once before the scan.
pub(crate) struct Extras {
    pub(crate) metrics: metrics::Metrics,
    pub(crate) catalog: Option<catalog::Catalog>,
    pub(crate) errors: Vec<ScanError>,
    /// The lifecycle table (built in, and `lifecycle/` of the rules folders) and its day.
    pub(crate) lifecycle: crate::lifecycle::Judge,
}

pub(crate) fn load_extras(opts: &ScanOptions) -> Result<Extras, Error> {
    let (metrics, errors) = metrics::load(&opts.metrics, opts.sizing.percentile)?;
    let catalog = opts.catalog.as_deref().map(catalog::load).transpose()?;
    let table = crate::lifecycle::Table::load(&opts.rules)?;
    Ok(Extras {
        metrics,
        catalog,
        errors,
        lifecycle: crate::lifecycle::Judge::new(Arc::new(table), opts.as_of),
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
            config_file: None,
            kubernetes_clusters: Vec::new(),
            kubernetes_reservations: Default::default(),
            migration_target: None,
            anonymise: None,
            progress: None,
            as_of: None,
        }
    }
}

/// Scans `paths` (files or folders) and assesses every workload found.
pub fn scan(paths: &[PathBuf], opts: &ScanOptions) -> Result<Report, Error> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.min(MAX_JOBS))
        // Parsers recurse; a deep document must not overflow a worker's stack.
        .stack_size(64 * 1024 * 1024)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))?;
    // The rules, the lifecycle table and the migration target are read side by side.
    let (rules, extras) = pool.install(|| {
        rayon::join(
            || rules::loader::load(!opts.no_default_rules, &opts.rules),
            || {
                let extras = load_extras(opts)?;
                crate::readiness::destination(opts.readiness_target()).map_err(Error::Usage)?;
                Ok::<_, Error>(extras)
            },
        )
    });
    let (rules, applied) = opts.policy.apply(rules?)?;
    let extras = extras?;
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
        lifecycle,
    } = extras;
    let assessor = Assessor {
        rules: &rules,
        applied: &applied,
        opts,
        catalog: catalog.as_ref(),
        lifecycle: &lifecycle,
        // Metrics join by name across the whole estate: with them, every workload waits.
        early: metrics.is_empty(),
        shared: shared::Shared::default(),
    };
    let early = assess::EarlyAssessor::new(&assessor, &candidates);
    let report = pool.install(|| {
        let files: Vec<FileResult> = candidates
            .par_iter()
            .map(|c| {
                let (out, taken) = match ingest::read::read(c, opts.max_file_size) {
                    Ok(Some(file)) => ingest_early(file, opts, assessor.early.then_some(&early)),
                    Ok(None) => (
                        FileOutput {
                            skips: vec![model::Skipped::new(
                                &c.display,
                                "not a regular file (a FIFO, socket or device is never read)",
                            )],
                            ..FileOutput::default()
                        },
                        None,
                    ),
                    Err(e) => (
                        FileOutput {
                            errors: vec![e],
                            ..FileOutput::default()
                        },
                        None,
                    ),
                };
                if let Some(p) = opts.progress() {
                    p.advance(1);
                }
                let mut result = assessor.file(out);
                if let Some(taken) = taken {
                    taken.into_result(&mut result);
                }
                result
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
    let mut report = report;
    report.assumptions.config = match &opts.anonymise {
        Some(key) => opts
            .config_file
            .as_deref()
            .map(|c| anonymise::path_token(key, c)),
        None => opts.config_file.clone(),
    };
    Ok(report)
}

/// Assesses files already in memory (used by `rules test`), on the current thread pool.
pub fn assess_sources(files: &[SourceFile], rules: &RuleSet, opts: &ScanOptions) -> Report {
    let inputs = files.iter().map(|f| f.display.to_string()).collect();
    let extras = load_extras(opts).unwrap_or_else(|e| Extras {
        metrics: metrics::Metrics::default(),
        catalog: None,
        errors: vec![ScanError::input("(options)", e.to_string())],
        lifecycle: crate::lifecycle::Judge::new(
            Arc::new(crate::lifecycle::Table::embedded().unwrap_or_default()),
            opts.as_of,
        ),
    });
    let applied = policy::Applied::default();
    let assessor = Assessor {
        rules,
        applied: &applied,
        opts,
        catalog: extras.catalog.as_ref(),
        lifecycle: &extras.lifecycle,
        early: false,
        shared: shared::Shared::default(),
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

fn ingest_context(opts: &ScanOptions, roots: Option<Vec<PathBuf>>) -> IngestContext<'static> {
    IngestContext {
        percentile: opts.sizing.percentile,
        max_file_size: opts.max_file_size,
        follow_links: opts.follow_links,
        roots,
        no_ignore: opts.no_ignore,
        early: None,
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
pub(crate) fn ingest_guarded(file: &SourceFile, opts: &ScanOptions) -> FileOutput {
    ingest_guarded_with(file, opts, None).0
}

/// [`ingest_guarded`] with what an inventory handed over while it was read (`early`), and
/// whether the ingest panicked.
fn ingest_guarded_with(
    file: &SourceFile,
    opts: &ScanOptions,
    early: Option<&dyn ingest::Early>,
) -> (FileOutput, bool) {
    let ctx = IngestContext {
        early,
        ..ingest_context(opts, None)
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ingest::ingest(file, &ctx))) {
        Ok(out) => (out, false),
        Err(_) => (
            FileOutput {
                errors: vec![ScanError::input(
                    &file.display,
                    "internal error while reading this file (a bug in fitscan, please report it with the file)",
                )],
                ..FileOutput::default()
            },
            true,
        ),
    }
}

/// Ingests one file, with the assessed batches it handed over as it was read. A file whose
/// ingest panicked gives its one error and nothing else, as before anything was handed over.
fn ingest_early(
    file: SourceFile,
    opts: &ScanOptions,
    early: Option<&assess::EarlyAssessor<'_>>,
) -> (FileOutput, Option<assess::Taken>) {
    let (out, panicked) = ingest_guarded_with(&file, opts, early.map(|e| e as &dyn ingest::Early));
    let display = Arc::clone(&file.display);
    // The file's bytes go before its batches are joined: an inventory's text and the list
    // of all its reports would otherwise be held at once.
    drop(file);
    let taken = early.and_then(|e| e.remove(&display));
    (out, taken.filter(|_| !panicked))
}
