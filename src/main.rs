//! The command line: arguments in, exit code out. Everything else lives in the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, CommandFactory, Parser, Subcommand};

use fitscan::ScanOptions;
use fitscan::authoring::{describe, docs, facts, testing};
use fitscan::config::{self, CommandLine, FailOn};
use fitscan::model::{Phase, Target};
use fitscan::report::outputs::OutputSpec;
use fitscan::report::{Format, RenderOptions};
use fitscan::rules::loader;

/// `fitscan --version`: the release, the commit it was built from and the built-in rule
/// pack (build.rs), so that a report can be traced to what produced it.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("FITSCAN_COMMIT"),
    ", ",
    env!("FITSCAN_RULES"),
    ")"
);

#[derive(Parser)]
#[command(
    name = "fitscan",
    version = VERSION,
    about = "Assess an estate of workloads: platform generation, phase, roadmap and right-sizing",
    long_about = "fitscan reads VM specs, Dockerfiles, Kubernetes manifests, Compose files and VNF \
descriptors (package folders or CSAR archives) and says, for every workload, which platform \
generation it runs on (1 mainframe, 2 client-server, 3 cloud-native), whether it is \
unchanged, optimised or purpose-built there, \
what to change to reach the next phase, and how to right-size it.\n\n\
Settings come from the command line, then `.fitscan.yaml` (found by walking up from the \
working directory, or --config), then the defaults.\n\n\
Exit codes: 0 pass, 1 gate failed (--fail-on, --min-phase, --max-findings), 2 usage or \
configuration error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan files and folders and assess every workload found
    Scan(Box<ScanArgs>),
    /// List, show, test and document rules, and the facts they read
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Explain one workload: every property per phase and the checks behind it, the
    /// evidence to collect, the roadmap to purpose-built and the sizing step by step
    Explain(Box<ExplainArgs>),
    /// Compare two JSON reports (`scan --format json`): what changed phase, disposition or
    /// sizing, findings fixed and new, workloads added and removed, totals before and after
    Diff(DiffArgs),
    /// The config file `.fitscan.yaml`
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command into a folder
    Man {
        /// Write fitscan.1 and a page per subcommand (fitscan-scan.1, ...) into this folder
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Args)]
struct ExplainArgs {
    /// The workload: its name, its id (`vm:db-01`, as in the JSON report) or a glob over
    /// names and ids (`db-*`); every match is explained
    workload: String,
    #[command(flatten)]
    scan: ScanArgs,
}

#[derive(Args)]
struct DiffArgs {
    /// The earlier JSON report
    old: PathBuf,
    /// The later JSON report
    new: PathBuf,
    /// table (default), markdown or json
    #[arg(long, short = 'f', default_value = "table", value_parser = ["table", "markdown", "md", "json"])]
    format: String,
    /// Write to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the JSON Schema of `.fitscan.yaml` (for editors and validation)
    Schema,
}

#[derive(Args, Clone)]
struct RuleSelection {
    /// Add rules from a file or folder (repeatable)
    #[arg(long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
    /// Leave out the rules built into fitscan
    #[arg(long)]
    no_default_rules: bool,
}

#[derive(Args, Clone)]
struct ScanArgs {
    /// Files and folders to scan (folders are walked, honouring .gitignore); `-` reads a
    /// stream of YAML/JSON documents from standard input (`helm template . | fitscan scan -`)
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Rescan whenever an input, the config, a rule, metrics or catalog file changes, and
    /// redraw, marking what moved since the last run (Ctrl-C stops)
    #[arg(long)]
    watch: bool,
    /// Output format, repeatable: table (default), json, sarif, junit, html, markdown, csv
    /// (one row per finding), csv-workloads, xlsx; FORMAT=PATH writes that format to a file
    /// (at most one format goes to standard output)
    #[arg(long, short = 'f', value_parser = parse_output, value_name = "FORMAT[=PATH]")]
    format: Vec<OutputSpec>,
    /// Write the report to FILE instead of standard output (the format without =PATH)
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Read this config file instead of looking for .fitscan.yaml
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Read no config file
    #[arg(long)]
    no_config: bool,
    #[command(flatten)]
    selection: RuleSelection,
    /// Headroom added to observed demand when right-sizing, in percent (default 30; 0 sizes
    /// to demand)
    #[arg(long, value_parser = config::parse_headroom, value_name = "PERCENT")]
    headroom: Option<f64>,
    /// Percentile of CPU and memory utilisation taken as demand (default 95)
    #[arg(long, value_parser = config::parse_percentile, value_name = "P")]
    percentile: Option<f64>,
    /// Share of the current size a recommendation must reclaim, besides one step of the
    /// size ladder, to call a size oversized, in percent (default 25)
    #[arg(long, value_parser = config::parse_oversize_threshold, value_name = "PERCENT")]
    oversize_threshold: Option<f64>,
    /// Migration target VMs are judged for: ready, conditionally ready or not ready, with
    /// the blocking checks (default: the platform-neutral checks only)
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(config::TARGETS), value_name = "TARGET")]
    target: Option<String>,
    /// Exit 1 when a workload is below this phase: unchanged, optimised (optimized) or purpose-built
    #[arg(long, value_parser = parse_phase, value_name = "PHASE")]
    min_phase: Option<Phase>,
    /// Exit 1 when a finding at or above this severity is reported: error (default), warning,
    /// info or never
    #[arg(long, value_parser = parse_fail_on, value_name = "SEVERITY")]
    fail_on: Option<FailOn>,
    /// Exit 1 when more than N findings are reported (any severity, file errors included)
    #[arg(long, value_name = "N")]
    max_findings: Option<usize>,
    /// Disregard inline suppressions (Dockerfile comments, Kubernetes annotations, VM spec
    /// `ignore:` lists): only the config file's policy applies
    #[arg(long)]
    no_inline_ignores: bool,
    /// Report and gate only on findings not recorded in this baseline file
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record today's findings in this baseline file (this run then passes the findings
    /// gates; file errors and --min-phase still count)
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Worker threads (0: one per core; at most 256)
    #[arg(long, short = 'j', default_value_t = 0, value_name = "N")]
    jobs: usize,
    /// List the files found and not assessed, with the reason, under the table
    #[arg(long, short = 'v')]
    verbose: bool,
    /// Pass a scan that finds neither a workload nor a file error (by default it is a usage
    /// error, exit 2: a gate pointed at the wrong folder must not pass)
    #[arg(long)]
    allow_empty: bool,
    /// Print the table without the list of findings, and no progress
    #[arg(long, short = 'q')]
    quiet: bool,
    /// HTML and Markdown: the estate summary and top findings only (a pull-request comment,
    /// an executive read-out), without the section of each workload
    #[arg(long)]
    summary_only: bool,
    /// Skip files larger than this many bytes (reported as errors)
    #[arg(long, default_value_t = fitscan::DEFAULT_MAX_FILE_SIZE, value_name = "BYTES")]
    max_file_size: u64,
    /// Follow symbolic links while walking folders
    #[arg(long)]
    follow_links: bool,
    /// Do not honour .gitignore and .ignore files
    #[arg(long)]
    no_ignore: bool,
    /// Utilisation CSV joined to the workloads by name (repeatable): summary rows
    /// (name,cpu_p95_pct,memory_p95_gib,...) or a long time series (timestamp,name,metric,value)
    #[arg(long = "metrics", value_name = "FILE")]
    metrics: Vec<PathBuf>,
    /// Size catalog (YAML: VM sizes, instance types or NFVI flavours, optional monthly
    /// prices): recommend the cheapest entry that fits
    #[arg(long, value_name = "FILE")]
    catalog: Option<PathBuf>,
    /// Judge end-of-support dates (the lifecycle table) for this day, YYYY-MM-DD, as a
    /// report written for that day would (default: today)
    #[arg(long, value_name = "DATE", value_parser = fitscan::lifecycle::Date::parse)]
    as_of: Option<fitscan::lifecycle::Date>,
    /// Replace VM, host, cluster and file names by stable hashes in every output
    #[arg(long, alias = "anonymize")]
    anonymise: bool,
    /// Secret key salting the --anonymise hashes (implies --anonymise)
    #[arg(long, alias = "anonymize-key", value_name = "KEY")]
    anonymise_key: Option<String>,
}

#[derive(Subcommand)]
enum RulesCommand {
    /// List the rules: id, name, target, level, severity, title, source
    List {
        /// Only the rules for this target: vm, dockerfile, kubernetes, compose, vnf
        #[arg(long, value_parser = parse_target)]
        target: Option<Target>,
        /// table, json or markdown
        #[arg(long, short = 'f', default_value = "table")]
        format: String,
        #[command(flatten)]
        selection: RuleSelection,
    },
    /// Show everything about one rule: fields, the YAML as written, examples from its tests
    Show {
        /// Rule id (or a former id)
        id: String,
        #[command(flatten)]
        selection: RuleSelection,
    },
    /// Run the rule tests under each path (a rule file's `tests:`, a pack's *.test.yaml)
    /// against the rules beside them (no path: the tests of the built-in rules)
    Test {
        /// Rule folders, rule files or test files
        paths: Vec<PathBuf>,
    },
    /// Write one Markdown page per rule (DIR/<ID>.md) and an index (DIR/README.md)
    Docs {
        /// Folder to write into (created if missing; pages of rules that no longer exist
        /// are removed)
        dir: PathBuf,
        #[command(flatten)]
        selection: RuleSelection,
    },
    /// Print, as Markdown, which rules evidence each defining property on each kind (the
    /// repository's docs/phases.md), and why a property is not judged where no rule does
    Phases {
        #[command(flatten)]
        selection: RuleSelection,
    },
    /// List the facts (`facts.*`) each input kind provides to rules
    Facts {
        /// Only the facts of this target: vm, dockerfile, kubernetes, compose, vnf
        #[arg(long, value_parser = parse_target)]
        target: Option<Target>,
        /// table, json or markdown
        #[arg(long, short = 'f', default_value = "table")]
        format: String,
    },
}

fn parse_output(s: &str) -> Result<OutputSpec, String> {
    s.parse()
}

fn parse_phase(s: &str) -> Result<Phase, String> {
    s.parse()
}

fn parse_target(s: &str) -> Result<Target, String> {
    s.parse()
}

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    s.parse()
}

// mimalloc: estates of 50,000 VMs allocate millions of small strings from several threads;
// glibc's per-thread arenas kept half again as much memory resident and spent a third of
// the scan in malloc and free.
#[global_allocator]
static ALLOCATOR: Allocator = Allocator;

/// mimalloc, asked for word-aligned blocks the way C asks: `mimalloc::MiMalloc` asks for every
/// block by its alignment (`mi_malloc_aligned`), a longer path taken for nearly all of Rust's
/// allocations, whose alignment (8 or less) every mimalloc block has; past 1 KB it was the
/// generic aligned path, at five times the cost.
struct Allocator;

/// Every mimalloc block is aligned to a word at least (its sizes are counted in words).
const WORD: usize = std::mem::size_of::<usize>();

// SAFETY: the blocks come from mimalloc and go back to it; one with a stricter alignment than
// a word is asked for by its alignment, as `MiMalloc` asks for every block.
unsafe impl std::alloc::GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        if layout.align() <= WORD {
            // SAFETY: mimalloc's malloc, for any size.
            unsafe { libmimalloc_sys::mi_malloc(layout.size()).cast() }
        } else {
            // SAFETY: as `MiMalloc` (the caller's contract is passed on).
            unsafe { mimalloc::MiMalloc.alloc(layout) }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        if layout.align() <= WORD {
            // SAFETY: mimalloc's zeroed malloc, for any size.
            unsafe { libmimalloc_sys::mi_zalloc(layout.size()).cast() }
        } else {
            // SAFETY: as `MiMalloc`.
            unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        // SAFETY: `ptr` came from mimalloc (above), whichever way it was asked for.
        unsafe { libmimalloc_sys::mi_free(ptr.cast()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= WORD {
            // SAFETY: `ptr` came from mimalloc; a moved block keeps a word's alignment.
            unsafe { libmimalloc_sys::mi_realloc(ptr.cast(), new_size).cast() }
        } else {
            // SAFETY: as `MiMalloc`.
            unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) if args.watch => run_watch(*args),
        Command::Scan(args) => run_scan(*args),
        Command::Explain(args) => run_explain(*args),
        Command::Diff(args) => run_diff(args),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "fitscan", &mut out);
            write_output(None, &String::from_utf8_lossy(&out)).map(|()| ExitCode::SUCCESS)
        }
        Command::Man { dir } => run_man(dir),
        Command::Rules(cmd) => run_rules(cmd),
        Command::Config(ConfigCommand::Schema) => {
            let mut text = serde_json::to_string_pretty(&config::schema()).unwrap_or_default();
            text.push('\n');
            write_output(None, &text).map(|()| ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            warn(&format!("{e:#}"));
            ExitCode::from(2)
        }
    }
}

/// A message on standard error, `fitscan: ` first, with the control characters of the
/// names, paths and messages in it escaped.
fn warn(message: &str) {
    eprintln!(
        "fitscan: {}",
        fitscan::report::terminal::escape_text(message)
    );
}

/// Whether writing failed because the reader went away (`| head`): not an error.
fn is_broken_pipe(e: &std::io::Error) -> bool {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return true;
    }
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        if inner
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
        {
            return true;
        }
        source = inner.source();
    }
    false
}

fn write_output(path: Option<&PathBuf>, text: &str) -> Result<()> {
    match path {
        Some(p) => {
            std::fs::write(p, text).with_context(|| format!("{}: cannot write report", p.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Err(e) if !is_broken_pipe(&e) => Err(e).context("cannot write to standard output"),
                _ => Ok(()),
            }
        }
    }
}

/// Streams the report to a file or standard output (a closed pipe is not an error).
fn write_report(
    path: Option<&PathBuf>,
    format: Format,
    report: &fitscan::assessment::Report,
    render: &RenderOptions,
) -> Result<()> {
    match path {
        Some(p) => {
            let file = std::fs::File::create(p)
                .with_context(|| format!("{}: cannot write report", p.display()))?;
            let mut out = std::io::BufWriter::new(file);
            format
                .write(report, render, &mut out)
                .and_then(|()| out.flush())
                .with_context(|| format!("{}: cannot write report", p.display()))
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            match format
                .write(report, render, &mut out)
                .and_then(|()| out.flush())
            {
                Err(e) if !is_broken_pipe(&e) => Err(e).context("cannot write to standard output"),
                _ => Ok(()),
            }
        }
    }
}

/// A scan done, with the settings it ran under.
struct Scanned {
    report: fitscan::assessment::Report,
    settings: config::Settings,
}

/// Reads the config, scans and applies the baseline: everything `scan`, `scan --watch` and
/// `explain` share. `formats` are the outputs asked for (explain asks for none).
fn prepare(args: &ScanArgs, formats: Vec<OutputSpec>, output: Option<PathBuf>) -> Result<Scanned> {
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let file = if args.no_config {
        None
    } else {
        config::load(args.config.as_deref(), &cwd)?
    };
    let settings = config::resolve(
        CommandLine {
            formats,
            output,
            fail_on: args.fail_on,
            min_phase: args.min_phase,
            max_findings: args.max_findings,
            headroom: args.headroom,
            percentile: args.percentile,
            oversize_threshold: args.oversize_threshold,
            rules: args.selection.rules.clone(),
            no_default_rules: args.selection.no_default_rules,
            no_inline_ignores: args.no_inline_ignores,
            baseline: args.baseline.clone(),
            write_baseline: args.write_baseline.clone(),
            metrics: args.metrics.clone(),
            catalog: args.catalog.clone(),
            target: args.target.clone(),
        },
        file,
        &cwd,
    )?;
    fitscan::report::outputs::refuse_binary_on_terminal(
        &settings.outputs,
        std::io::stdout().is_terminal(),
    )
    .map_err(anyhow::Error::msg)?;
    if args.jobs > fitscan::MAX_JOBS {
        warn(&format!(
            "-j {} is more worker threads than fitscan runs: using {}",
            args.jobs,
            fitscan::MAX_JOBS
        ));
    }
    // The scan runs on a pool of its own; what runs after it (the JSON report's workloads,
    // rendered in parallel) uses rayon's global pool, which keeps to `--jobs` too. Built
    // once: a second scan (`--watch`) finds it built.
    if args.jobs > 0 {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(args.jobs.min(fitscan::MAX_JOBS))
            .build_global();
    }
    let opts = ScanOptions {
        rules: settings.rules.clone(),
        no_default_rules: settings.no_default_rules,
        sizing: settings.sizing,
        effort_days_per_point: settings.effort_days_per_point,
        jobs: args.jobs,
        max_file_size: args.max_file_size,
        follow_links: args.follow_links,
        no_ignore: args.no_ignore,
        policy: settings.policy.clone(),
        metrics: settings.metrics.clone(),
        catalog: settings.catalog.clone(),
        config_file: settings.config.clone(),
        kubernetes_clusters: settings.kubernetes_clusters.clone(),
        kubernetes_reservations: settings.kubernetes_reservations.clone(),
        migration_target: settings.target.clone(),
        anonymise: match &args.anonymise_key {
            Some(key) => Some(key.clone()),
            None => args.anonymise.then(String::new),
        },
        progress: (!args.quiet && !args.watch && std::io::stderr().is_terminal()).then(|| {
            fitscan::ProgressHook(std::sync::Arc::new(
                fitscan::progress::TerminalProgress::default(),
            ))
        }),
        as_of: args.as_of,
    };
    let mut report = fitscan::scan(&args.paths, &opts)?;
    // A baseline being written is also the one this run is compared with.
    let settled = fitscan::scan::baseline::settle(
        &mut report,
        settings.write_baseline.as_deref(),
        settings.baseline.as_deref(),
        &cwd,
    )?;
    if let (Some(written), Some(path)) = (settled.written, &settings.write_baseline) {
        warn(&format!(
            "wrote {written} finding(s) to the baseline {}",
            path.display()
        ));
    }
    if settled.stale > 0 && !args.quiet {
        warn(&format!(
            "{} baseline entr{} matched no finding (fixed or changed since); refresh it with --write-baseline",
            settled.stale,
            if settled.stale == 1 { "y" } else { "ies" }
        ));
    }
    Ok(Scanned { report, settings })
}

/// The width text is wrapped at: `COLUMNS` when set, else the terminal's (None when
/// standard output is not a terminal and nothing says).
fn terminal_width() -> Option<usize> {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
    {
        return Some(n);
    }
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| usize::from(w.0))
}

/// Writes every output of a scan, saying on standard error what each file became.
fn write_outputs(args: &ScanArgs, scanned: &Scanned, highlight: &[String]) -> Result<()> {
    let settings = &scanned.settings;
    for output in &settings.outputs {
        let terminal = output.path.is_none() && std::io::stdout().is_terminal();
        let render = RenderOptions {
            terminal,
            quiet: args.quiet,
            fail_on: settings.gate.fail_on,
            min_phase: settings.gate.min_phase,
            summary_only: args.summary_only,
            scan_date: Some(scan_date()),
            verbose: args.verbose,
            width: if output.path.is_none() {
                terminal_width()
            } else {
                None
            },
            highlight: highlight.to_vec(),
        };
        write_report(
            output.path.as_ref(),
            output.format,
            &scanned.report,
            &render,
        )?;
        if let Some(path) = &output.path {
            let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            warn(&fitscan::report::outputs::written(
                path,
                output.format,
                bytes,
            ));
        }
    }
    Ok(())
}

fn run_scan(args: ScanArgs) -> Result<ExitCode> {
    let scanned = prepare(&args, args.format.clone(), args.output.clone())?;
    write_outputs(&args, &scanned, &[])?;
    let (report, settings) = (scanned.report, scanned.settings);
    let reasons = fitscan::scan::gate(&report, &settings.gate);
    for r in &reasons {
        warn(&format!("gate failed: {r}"));
    }
    // A scan that found nothing to assess (a gate pointed at the wrong folder) is not a
    // pass; file errors are the gate's to judge (`--fail-on`).
    let empty = report.workloads.is_empty() && report.errors.is_empty() && !args.allow_empty;
    if empty {
        warn(&empty_scan_message(&args.paths, &report, args.verbose));
    }
    // The process ends here: freeing a report of tens of thousands of workloads piece by
    // piece would only delay the exit (the system takes the memory back at once).
    std::mem::forget(report);
    Ok(if empty {
        ExitCode::from(2)
    } else if reasons.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `scan --watch`: scan, draw, and again whenever an input changes, with what moved since
/// the run before marked. Runs until interrupted.
fn run_watch(args: ScanArgs) -> Result<ExitCode> {
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        anyhow::bail!("--watch cannot watch standard input (`-`): name files or folders");
    }
    let mut previous: Option<fitscan::report::diff::ReportFile> = None;
    // What the run itself writes (reports, a baseline) is not a change to react to.
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let mut written: Vec<PathBuf> = Vec::new();
    let mut watched: Vec<PathBuf> = args.paths.clone();
    let mut draw = |written: &mut Vec<PathBuf>, watched: &mut Vec<PathBuf>| -> Result<()> {
        let clear = std::io::stdout().is_terminal();
        match prepare(&args, args.format.clone(), args.output.clone()) {
            Ok(scanned) => {
                let now = fitscan::report::diff::ReportFile::of(&scanned.report);
                let moved = previous.as_ref().map(|before| {
                    fitscan::report::diff::diff("last run", before, "this run", &now)
                });
                let highlight: Vec<String> = moved
                    .as_ref()
                    .map(|d| {
                        d.changed
                            .iter()
                            .map(|c| c.id.clone())
                            .chain(d.added.iter().map(|a| a.id.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                if clear {
                    print!("\x1b[2J\x1b[H");
                }
                write_outputs(&args, &scanned, &highlight)?;
                let mut tail = String::new();
                if let Some(d) = &moved {
                    tail.push_str(&fitscan::report::table::since_last_run(d));
                }
                tail.push_str(&format!(
                    "watching {} for changes (Ctrl-C stops)\n",
                    args.paths
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                write_output(None, &tail)?;
                *written = scanned
                    .settings
                    .outputs
                    .iter()
                    .filter_map(|o| o.path.clone())
                    .chain(scanned.settings.write_baseline.clone())
                    .map(|p| cwd.join(p))
                    .collect();
                *watched = args
                    .paths
                    .iter()
                    .cloned()
                    .chain(scanned.settings.rules.iter().cloned())
                    .chain(scanned.settings.metrics.iter().cloned())
                    .chain(scanned.settings.catalog.clone())
                    .chain(scanned.settings.config.as_ref().map(PathBuf::from))
                    .chain(scanned.settings.baseline.clone())
                    .collect();
                previous = Some(now);
            }
            // A broken config or rule file mid-workshop is shown, and the watch goes on.
            Err(e) => {
                if clear {
                    print!("\x1b[2J\x1b[H");
                }
                warn(&format!("{e:#}"));
                write_output(None, "watching for changes (Ctrl-C stops)\n")?;
            }
        }
        Ok(())
    };
    draw(&mut written, &mut watched)?;
    let changes = fitscan::watch::Watch::new(&watched)?;
    loop {
        let batch = changes.next_change(&written)?;
        if !batch.is_empty() {
            draw(&mut written, &mut watched)?;
            changes.rewatch(&watched)?;
        }
    }
}

/// What a scan that found no workload says on standard error.
fn empty_scan_message(
    paths: &[PathBuf],
    report: &fitscan::assessment::Report,
    verbose: bool,
) -> String {
    let inputs: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let s = &report.summary;
    let mut found = Vec::new();
    if s.skipped_files > 0 {
        found.push(format!(
            "{} file(s) skipped{}",
            s.skipped_files,
            if verbose {
                ""
            } else {
                " (--verbose lists them)"
            }
        ));
    }
    let found = if found.is_empty() {
        "no input file found".to_string()
    } else {
        found.join(", ")
    };
    format!(
        "no workloads found in {}: {found}; pass --allow-empty if an empty scan is expected",
        inputs.join(", ")
    )
}

/// When the scan ran, in UTC; `SOURCE_DATE_EPOCH` (the reproducible-builds convention)
/// pins it, so that two runs over the same inputs write the same report.
fn scan_date() -> String {
    fitscan::report::overview::rfc3339_utc(fitscan::units::now_seconds())
}

/// `fitscan explain`: scan as `scan` does, then explain the workloads the pattern names.
fn run_explain(args: ExplainArgs) -> Result<ExitCode> {
    if args.scan.watch {
        anyhow::bail!("--watch is for `fitscan scan`");
    }
    // `--format table|json[=PATH]`; the config file's formats are the scan's, not these.
    let mut json = false;
    let mut path = args.scan.output.clone();
    for spec in &args.scan.format {
        match spec.format {
            Format::Table => json = false,
            Format::Json => json = true,
            _ => anyhow::bail!("--format {spec}: explain writes table or json"),
        }
        if spec.path.is_some() {
            path = spec.path.clone();
        }
    }
    let scanned = prepare(&args.scan, Vec::new(), None)?;
    let chosen = fitscan::report::explain::select(&scanned.report, &args.workload)?;
    let explanations: Vec<fitscan::report::explain::Explanation> = chosen
        .iter()
        .map(|w| fitscan::report::explain::explain(&scanned.report, w))
        .collect();
    let text = if json {
        fitscan::report::explain::render_json(&explanations)
    } else {
        let width = if path.is_none() {
            terminal_width().unwrap_or(100)
        } else {
            100
        };
        fitscan::report::explain::render_text(&explanations, width)
    };
    write_output(path.as_ref(), &text)?;
    if let Some(p) = &path {
        warn(&fitscan::report::outputs::written(
            p,
            if json { Format::Json } else { Format::Table },
            text.len() as u64,
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// `fitscan diff OLD.json NEW.json`.
fn run_diff(args: DiffArgs) -> Result<ExitCode> {
    let old = fitscan::report::diff::ReportFile::load(&args.old)?;
    let new = fitscan::report::diff::ReportFile::load(&args.new)?;
    let d = fitscan::report::diff::diff(
        &args.old.display().to_string(),
        &old,
        &args.new.display().to_string(),
        &new,
    );
    let text = match args.format.as_str() {
        "json" => fitscan::report::diff::render_json(&d),
        "markdown" | "md" => fitscan::report::diff::render_markdown(&d),
        _ => fitscan::report::diff::render_table(&d),
    };
    write_output(args.output.as_ref(), &text)?;
    if let Some(p) = &args.output {
        let format = match args.format.as_str() {
            "json" => Format::Json,
            "markdown" | "md" => Format::Markdown,
            _ => Format::Table,
        };
        warn(&fitscan::report::outputs::written(
            p,
            format,
            text.len() as u64,
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// `fitscan man`: the man page on standard output, or one page per command in a folder.
fn run_man(dir: Option<PathBuf>) -> Result<ExitCode> {
    let cmd = Cli::command();
    match dir {
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut out)
                .context("cannot render the man page")?;
            write_output(None, &String::from_utf8_lossy(&out))?;
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("{}: cannot create the folder", dir.display()))?;
            clap_mangen::generate_to(cmd, &dir)
                .with_context(|| format!("{}: cannot write the man pages", dir.display()))?;
            warn(&format!("wrote the man pages to {}", dir.display()));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_rules(cmd: RulesCommand) -> Result<ExitCode> {
    match cmd {
        RulesCommand::List {
            target,
            format,
            selection,
        } => {
            let rules = loader::load(!selection.no_default_rules, &selection.rules)?;
            let text = match format.as_str() {
                "table" => describe::list_table(&rules, target),
                "json" => describe::list_json(&rules, target),
                "markdown" | "md" => describe::list_markdown(&rules, target),
                other => {
                    anyhow::bail!("unknown format `{other}` (expected table, json or markdown)")
                }
            };
            write_output(None, &text)?;
            Ok(ExitCode::SUCCESS)
        }
        RulesCommand::Show { id, selection } => {
            let rules = loader::load(!selection.no_default_rules, &selection.rules)?;
            let rule = rules
                .get(&id)
                .with_context(|| format!("no rule `{id}` (see `fitscan rules list`)"))?;
            // A broken test beside a user's rule must not hide the rule itself.
            let examples = docs::examples_of(rule, &selection.rules).map_err(|e| e.to_string());
            write_output(None, &describe::show(rule, &examples))?;
            Ok(ExitCode::SUCCESS)
        }
        RulesCommand::Test { paths } => {
            let trees = if paths.is_empty() {
                vec![testing::RuleTree::embedded()?]
            } else {
                let mut trees = Vec::new();
                for path in &paths {
                    if !path.exists() {
                        anyhow::bail!("{}: no such file or directory", path.display());
                    }
                    trees.push(testing::RuleTree::disk(path));
                }
                trees
            };
            let mut failed = 0;
            let mut total = 0;
            let mut out = String::new();
            for tree in &trees {
                for case in testing::run(tree)? {
                    total += 1;
                    if case.passed() {
                        out.push_str(&format!("PASS {}: {}\n", case.file, case.name));
                    } else {
                        failed += 1;
                        out.push_str(&format!("FAIL {}: {}\n", case.file, case.name));
                        for f in &case.failures {
                            out.push_str(&format!("     {f}\n"));
                        }
                    }
                }
            }
            out.push_str(&format!(
                "\n{total} case(s), {} passed, {failed} failed\n",
                total - failed
            ));
            write_output(None, &out)?;
            Ok(if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        RulesCommand::Docs { dir, selection } => {
            let rules = loader::load(!selection.no_default_rules, &selection.rules)?;
            let written = docs::write(&dir, &rules, &selection.rules)?;
            eprintln!(
                "fitscan: wrote {} rule page(s) and the index to {}{}",
                written.pages,
                dir.display(),
                if written.removed > 0 {
                    format!(" (removed {} stale page(s))", written.removed)
                } else {
                    String::new()
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        RulesCommand::Phases { selection } => {
            let rules = loader::load(!selection.no_default_rules, &selection.rules)?;
            write_output(None, &docs::phases(&rules))?;
            Ok(ExitCode::SUCCESS)
        }
        RulesCommand::Facts { target, format } => {
            let text = match format.as_str() {
                "table" => facts::table(target),
                "json" => facts::json(target),
                "markdown" | "md" => facts::markdown(target),
                other => {
                    anyhow::bail!("unknown format `{other}` (expected table, json or markdown)")
                }
            };
            write_output(None, &text)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
