//! The command line: arguments in, exit code out. Everything else lives in the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use fitscan::model::{Phase, Severity, Target};
use fitscan::report::{Format, RenderOptions};
use fitscan::rightsize::SizingOptions;
use fitscan::rules::{describe, loader, testing};
use fitscan::{Gate, ScanOptions};

#[derive(Parser)]
#[command(
    name = "fitscan",
    version,
    about = "Assess an estate of workloads: platform generation, phase, roadmap and right-sizing",
    long_about = "fitscan reads VM specs, Dockerfiles, Kubernetes manifests, Compose files and VNF \
descriptors and says, for every workload, which platform generation it runs on (1 mainframe, \
2 client-server, 3 cloud-native), whether it is unchanged, optimised or purpose-built there, \
what to change to reach the next phase, and how to right-size it.\n\n\
Exit codes: 0 pass, 1 gate failed (--fail-on, --min-phase), 2 usage or configuration error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan files and folders and assess every workload found
    Scan(ScanArgs),
    /// List, show and test rules
    #[command(subcommand)]
    Rules(RulesCommand),
}

#[derive(Args)]
struct RuleSelection {
    /// Add rules from a file or folder (repeatable)
    #[arg(long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
    /// Leave out the rules built into fitscan
    #[arg(long)]
    no_default_rules: bool,
}

#[derive(Args)]
struct ScanArgs {
    /// Files and folders to scan (folders are walked, honouring .gitignore)
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Output format: table or json
    #[arg(long, short = 'f', default_value = "table", value_parser = parse_format)]
    format: Format,
    /// Write the report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    selection: RuleSelection,
    /// Headroom added to observed demand when right-sizing, in percent (0 sizes to demand)
    #[arg(long, default_value = "30", value_parser = parse_headroom, value_name = "PERCENT")]
    headroom: f64,
    /// Percentile of CPU and memory utilisation taken as demand
    #[arg(long, default_value = "95", value_parser = parse_percentile, value_name = "P")]
    percentile: f64,
    /// Exit 1 when a workload is below this phase: unchanged, optimised (optimized) or purpose-built
    #[arg(long, value_parser = parse_phase, value_name = "PHASE")]
    min_phase: Option<Phase>,
    /// Exit 1 when a finding at or above this severity is reported: error, warning, info or never
    #[arg(long, default_value = "error", value_parser = parse_fail_on, value_name = "SEVERITY")]
    fail_on: FailOn,
    /// Worker threads (0: one per core)
    #[arg(long, short = 'j', default_value_t = 0, value_name = "N")]
    jobs: usize,
    /// Print the table without the list of findings, and no progress
    #[arg(long, short = 'q')]
    quiet: bool,
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
    /// Show everything about one rule
    Show {
        /// Rule id (or a former id)
        id: String,
        #[command(flatten)]
        selection: RuleSelection,
    },
    /// Run the *.test.yaml rule tests under each path against the rules beside them
    Test {
        /// Rule folders or test files
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy)]
struct FailOn(Option<Severity>);

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

fn parse_phase(s: &str) -> Result<Phase, String> {
    s.parse()
}

fn parse_target(s: &str) -> Result<Target, String> {
    s.parse()
}

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    if s == "never" {
        return Ok(FailOn(None));
    }
    s.parse::<Severity>()
        .map(|s| FailOn(Some(s)))
        .map_err(|_| format!("`{s}`: expected error, warning, info or never"))
}

fn parse_headroom(s: &str) -> Result<f64, String> {
    let (text, explicit_percent) = match s.trim().strip_suffix('%') {
        Some(t) => (t.trim(), true),
        None => (s.trim(), false),
    };
    let v: f64 = text
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| format!("`{s}` is not a percentage"))?;
    if !(0.0..=1000.0).contains(&v) {
        return Err(format!(
            "`{s}`: headroom must be between 0 and 1000 percent"
        ));
    }
    if !explicit_percent && v > 0.0 && v < 1.0 {
        return Err(format!(
            "`{s}` is ambiguous: headroom is in percent; write {} for {}% or {s}% for {s}%",
            v * 100.0,
            v * 100.0
        ));
    }
    Ok(v / 100.0)
}

fn parse_percentile(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .trim_start_matches(['p', 'P'])
        .parse()
        .map_err(|_| format!("`{s}` is not a percentile"))?;
    if v > 0.0 && v <= 100.0 {
        Ok(v)
    } else {
        Err(format!(
            "`{s}`: the percentile must be above 0 and at most 100"
        ))
    }
}

// mimalloc: estates of 50,000 VMs allocate millions of small strings from several threads;
// glibc's per-thread arenas kept half again as much memory resident and spent a third of
// the scan in malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => run_scan(args),
        Command::Rules(cmd) => run_rules(cmd),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fitscan: {e:#}");
            ExitCode::from(2)
        }
    }
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
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(e).context("cannot write to standard output")
                }
                _ => Ok(()),
            }
        }
    }
}

/// Streams the report to a file or standard output (a closed pipe is not an error).
fn write_report(
    path: Option<&PathBuf>,
    format: Format,
    report: &fitscan::model::Report,
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
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(e).context("cannot write to standard output")
                }
                _ => Ok(()),
            }
        }
    }
}

fn run_scan(args: ScanArgs) -> Result<ExitCode> {
    let opts = ScanOptions {
        rules: args.selection.rules,
        no_default_rules: args.selection.no_default_rules,
        sizing: SizingOptions {
            headroom: args.headroom,
            percentile: args.percentile,
        },
        jobs: args.jobs,
        max_file_size: args.max_file_size,
        follow_links: args.follow_links,
        no_ignore: args.no_ignore,
        metrics: args.metrics,
        catalog: args.catalog,
        anonymise: match args.anonymise_key {
            Some(key) => Some(key),
            None => args.anonymise.then(String::new),
        },
        progress: (!args.quiet && std::io::stderr().is_terminal()).then(|| {
            fitscan::ProgressHook(std::sync::Arc::new(
                fitscan::progress::TerminalProgress::default(),
            ))
        }),
    };
    let report = fitscan::scan(&args.paths, &opts)?;
    let render = RenderOptions {
        terminal: args.output.is_none() && std::io::stdout().is_terminal(),
        quiet: args.quiet,
    };
    write_report(args.output.as_ref(), args.format, &report, &render)?;
    let reasons = fitscan::gate(
        &report,
        &Gate {
            fail_on: args.fail_on.0,
            min_phase: args.min_phase,
        },
    );
    for r in &reasons {
        eprintln!("fitscan: gate failed: {r}");
    }
    Ok(if reasons.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
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
            write_output(None, &describe::show(rule))?;
            Ok(ExitCode::SUCCESS)
        }
        RulesCommand::Test { paths } => {
            let mut failed = 0;
            let mut total = 0;
            let mut out = String::new();
            for path in &paths {
                if !path.exists() {
                    anyhow::bail!("{}: no such file or directory", path.display());
                }
                for case in testing::run(path)? {
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
    }
}
