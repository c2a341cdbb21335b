//! Utilisation metrics (`--metrics FILE`, repeatable): CSV files joined to workloads by name
//! (case-insensitive), after every input is read and linked, before assessment.
//!
//! Two shapes, told apart by the header:
//! - **summary rows**: `name` plus any of `cpu_p95_pct` / `cpu_p95_cores` (any percentile,
//!   `peak`, `avg`), `memory_p95_gib` / `memory_peak_gib` (or `_pct`), `storage_used_gib`,
//!   `samples`, `period_days`;
//! - **long time series**: `timestamp,name,metric,value` with metrics `cpu_pct`,
//!   `cpu_cores`, `memory_gib`, `memory_pct`, `storage_used_gib`. The percentile is computed
//!   as Azure Migrate does: the peak of each 10-minute window, then the chosen percentile
//!   over those peaks. Storage used is the largest value seen.
//!
//! Names join a VM (`app01`), a workload's component (`namespace/name/container` for
//! Kubernetes, `vnf/vdu` for VNFs: the part after the last `/` names the component), or a
//! Kubernetes workload as `namespace/name`. Confidence follows Azure: the share of expected
//! data points (one every 5 minutes over the period, at least one day) present. A row that
//! matches no workload is reported in the report's `unmatched_metrics`, never dropped.

use crate::source::AuxiliaryError;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use regex::Regex;
use serde::Serialize;

use crate::ingest::vmspec::SAMPLES_PER_DAY;
use crate::model::{Demand, ScanError, Sizing, Workload};
use crate::node::Node;
use crate::sizing::LoadError as Error;
use crate::units::days_from_civil;
use crate::units::percentile;

/// A metrics row that joined nothing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unmatched {
    pub file: String,
    pub line: u32,
    pub name: String,
}

/// A CPU or memory figure: a share of the current size, or an absolute amount (vCPU, GiB).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Amount {
    Share(f64),
    Absolute(f64),
}

impl Amount {
    fn resolve(self, current: Option<f64>) -> Option<f64> {
        match self {
            Amount::Absolute(v) => Some(v),
            Amount::Share(s) => current.map(|c| s * c),
        }
    }
}

/// One workload's utilisation from one metrics file.
#[derive(Debug, Clone)]
struct Record {
    file: Arc<str>,
    line: u32,
    name: String,
    cpu: Option<Amount>,
    memory: Option<Amount>,
    storage_gib: Option<f64>,
    samples: Option<u64>,
    period_days: Option<f64>,
    weak: bool,
    /// What the CPU and memory figures are (`p95`, `peak (p95 not given)`, `p95 of 10-minute
    /// peaks`).
    cpu_stat: Option<String>,
    memory_stat: Option<String>,
    throughput_per_vcpu: Option<f64>,
}

impl Record {
    fn new(file: &Arc<str>, line: u32, name: &str) -> Self {
        Record {
            file: Arc::clone(file),
            line,
            name: name.to_string(),
            cpu: None,
            memory: None,
            storage_gib: None,
            samples: None,
            period_days: None,
            weak: false,
            cpu_stat: None,
            memory_stat: None,
            throughput_per_vcpu: None,
        }
    }

    /// The demand this record gives a workload of `current` size, merged over `existing`
    /// (the inventory's own figures): each dimension the metrics give replaces the old one.
    fn demand(&self, current: &Sizing, existing: Option<&Demand>) -> Result<Demand, String> {
        let mut d = existing.cloned().unwrap_or_default();
        let vcpu = match self.cpu {
            Some(a) => Some(
                a.resolve(current.vcpu)
                    .ok_or("CPU is given in percent but the workload's vCPU count is unknown")?,
            ),
            None => None,
        };
        let memory =
            match self.memory {
                Some(a) => Some(a.resolve(current.memory_gib).ok_or(
                    "memory is given in percent but the workload's memory size is unknown",
                )?),
                None => None,
            };
        if vcpu.is_some() || memory.is_some() {
            d.samples = self.samples;
            d.period_days = self.period_days;
            d.expected_samples = self.period_days.map(expected_samples);
            d.weak = self.weak;
        }
        // Where the figures came from is `source`; the statistic names no file (an
        // anonymised report replaces file names where it knows them, not inside texts).
        let at = format!("{}:{}", self.file, self.line);
        if vcpu.is_some() {
            d.statistic.vcpu = self.cpu_stat.as_ref().map(|s| format!("{s} (metrics)"));
        }
        if memory.is_some() {
            d.statistic.memory_gib = self.memory_stat.as_ref().map(|s| format!("{s} (metrics)"));
        }
        if self.storage_gib.is_some() {
            d.statistic.storage_gib = Some("used (metrics)".to_string());
        }
        d.throughput_per_vcpu = self.throughput_per_vcpu.or(d.throughput_per_vcpu);
        d.vcpu = vcpu.or(d.vcpu);
        d.memory_gib = memory.or(d.memory_gib);
        d.storage_gib = self.storage_gib.or(d.storage_gib);
        d.source = at;
        Ok(d)
    }
}

/// Data points expected over a period at 5-minute steps; Azure's shortest performance
/// history is one day, so a shorter series is rated against a day.
fn expected_samples(period_days: f64) -> u64 {
    (period_days.max(1.0) * SAMPLES_PER_DAY).round() as u64
}

/// Every metrics file, read once.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    files: Vec<String>,
    records: Vec<Record>,
}

impl Metrics {
    pub fn files(&self) -> &[String] {
        &self.files
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Joins every record to the workloads (or components) it names and sets their demand.
    /// Returns the records that matched nothing; records that cannot apply (a percentage
    /// of an unknown size) are errors.
    pub fn apply(&self, workloads: &mut [Workload], errors: &mut Vec<ScanError>) -> Vec<Unmatched> {
        if self.records.is_empty() {
            return Vec::new();
        }
        let mut index: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, w) in workloads.iter().enumerate() {
            index.entry(w.name.to_lowercase()).or_default().push(i);
            if let Some(ns) = w.facts.get("namespace").and_then(Node::as_str) {
                index
                    .entry(format!("{}/{}", ns, w.name).to_lowercase())
                    .or_default()
                    .push(i);
            }
        }
        let mut unmatched = Vec::new();
        for r in &self.records {
            let key = r.name.to_lowercase();
            let mut matched = false;
            if let Some(targets) = index.get(&key) {
                for &i in targets {
                    let w = &mut workloads[i];
                    // A workload sized only by its one part (a Compose service) takes the
                    // record as that part's, per instance, as `workload/part` would.
                    if w.current.is_empty() && w.components.len() == 1 {
                        let c = &mut w.components[0];
                        match r.demand(&c.current, c.demand.as_ref()) {
                            Ok(d) => {
                                c.demand = Some(d);
                                w.notes
                                    .push(format!("utilisation from {}:{}", r.file, r.line));
                            }
                            Err(e) => errors.push(ScanError::parse(
                                &r.file,
                                Some(r.line),
                                format!("`{}`: {e}", r.name),
                            )),
                        }
                        continue;
                    }
                    match r.demand(&w.current, w.demand.as_ref()) {
                        Ok(d) => {
                            w.notes
                                .push(format!("utilisation from {}:{}", r.file, r.line));
                            w.demand = Some(d);
                        }
                        Err(e) => errors.push(ScanError::parse(
                            &r.file,
                            Some(r.line),
                            format!("`{}`: {e}", r.name),
                        )),
                    }
                }
                matched = true;
            } else if let Some((owner, part)) = key.rsplit_once('/')
                && let Some(targets) = index.get(owner)
            {
                for &i in targets {
                    let w = &mut workloads[i];
                    let Some(c) = w
                        .components
                        .iter_mut()
                        .find(|c| c.name.to_lowercase() == part)
                    else {
                        continue;
                    };
                    matched = true;
                    match r.demand(&c.current, c.demand.as_ref()) {
                        Ok(d) => c.demand = Some(d),
                        Err(e) => errors.push(ScanError::parse(
                            &r.file,
                            Some(r.line),
                            format!("`{}`: {e}", r.name),
                        )),
                    }
                }
            }
            if !matched {
                unmatched.push(Unmatched {
                    file: r.file.to_string(),
                    line: r.line,
                    name: r.name.clone(),
                });
            }
        }
        unmatched
    }
}

/// Reads every metrics file. A file that cannot be read, or whose header is neither shape,
/// stops the scan (exit 2); a bad row is an error naming its line and the rest is read.
pub fn load(paths: &[PathBuf], want: f64) -> Result<(Metrics, Vec<ScanError>), Error> {
    let mut metrics = Metrics::default();
    let mut errors = Vec::new();
    let mut read: HashSet<&PathBuf> = HashSet::new();
    for path in paths {
        // A file named twice is read once: its rows would otherwise join twice.
        if !read.insert(path) {
            continue;
        }
        let display: Arc<str> = Arc::from(path.display().to_string());
        let bytes = crate::source::read_auxiliary(path).map_err(|e| Error::Path {
            path: display.to_string(),
            message: match e {
                AuxiliaryError::NotFound => "no such metrics file".to_string(),
                AuxiliaryError::Other(m) => format!("metrics: {m}"),
            },
        })?;
        let source = crate::source::SourceFile {
            path: path.clone(),
            display: Arc::clone(&display),
            bytes,
            explicit: true,
            archive: None,
            in_place: false,
        };
        let text = crate::ingest::tabular::decode(&source);
        let records = parse(&display, &text, want, &mut errors)?;
        metrics.files.push(display.to_string());
        metrics.records.extend(records);
    }
    Ok((metrics, errors))
}

/// Parses one metrics text (summary rows or a long time series).
fn parse(
    file: &Arc<str>,
    text: &str,
    want: f64,
    errors: &mut Vec<ScanError>,
) -> Result<Vec<Record>, Error> {
    let delimiter = crate::ingest::tabular::delimiter_of(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut header: Option<(u32, Vec<String>)> = None;
    let mut rows: Vec<(u32, Vec<String>)> = Vec::new();
    loop {
        let line = u32::try_from(reader.position().line()).unwrap_or(u32::MAX);
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                errors.push(ScanError::parse(
                    file,
                    Some(line),
                    format!("unreadable row: {e}"),
                ));
                continue;
            }
        }
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        match &header {
            None => header = Some((line, cells)),
            Some((_, h)) if cells.len() != h.len() => errors.push(ScanError::parse(
                file,
                Some(line),
                format!(
                    "row has {} cell(s) but the header has {}: this row is skipped",
                    cells.len(),
                    h.len()
                ),
            )),
            Some(_) => rows.push((line, cells)),
        }
    }
    let Some((header_line, header)) = header else {
        return Err(Error::Usage(format!("{file}: empty metrics file")));
    };
    let lower: Vec<String> = header
        .iter()
        .map(|h| h.trim().to_ascii_lowercase().replace([' ', '-'], "_"))
        .collect();
    let col = |name: &str| lower.iter().position(|h| h == name);
    if let (Some(ts), Some(name), Some(metric), Some(value)) =
        (col("timestamp"), col("name"), col("metric"), col("value"))
    {
        return Ok(parse_series(
            file,
            &rows,
            [ts, name, metric, value],
            want,
            errors,
        ));
    }
    let Some(name) = col("name") else {
        return Err(Error::Usage(format!(
            "{file}:{header_line}: not a metrics file: expected a `name` column with summary figures (cpu_p95_pct, memory_p95_gib, ...) or the columns timestamp,name,metric,value"
        )));
    };
    let summary = SummaryColumns::new(&lower);
    if summary.is_empty() {
        return Err(Error::Usage(format!(
            "{file}:{header_line}: no utilisation column (cpu_p95_pct, cpu_p95_cores, memory_p95_gib, memory_peak_gib, storage_used_gib, ...)"
        )));
    }
    Ok(rows
        .iter()
        .filter_map(|(line, cells)| summary.read(file, *line, cells, name, want, errors))
        .collect())
}

static SUMMARY_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(cpu|memory|mem)_(p(\d+(?:\.\d+)?)|peak|max|avg|average|mean)_(pct|percent|cores|gib|gb)$")
        .unwrap_or_else(|e| panic!("static regex: {e}"))
});

/// A statistic column of a summary file.
#[derive(Debug, Clone, Copy)]
struct StatColumn {
    col: usize,
    /// Percentile, or 101 for peak, or -1 for an average.
    rank: f64,
    share: bool,
}

struct SummaryColumns {
    cpu: Vec<StatColumn>,
    memory: Vec<StatColumn>,
    storage: Option<usize>,
    samples: Option<usize>,
    period: Option<usize>,
    throughput: Option<usize>,
}

impl SummaryColumns {
    fn new(lower: &[String]) -> Self {
        let mut s = SummaryColumns {
            cpu: Vec::new(),
            memory: Vec::new(),
            storage: None,
            samples: None,
            period: None,
            throughput: None,
        };
        for (i, h) in lower.iter().enumerate() {
            match h.as_str() {
                "storage_used_gib" | "storage_used_gb" | "storage_gib" => s.storage = Some(i),
                "samples" | "data_points" => s.samples = Some(i),
                "period_days" | "days" => s.period = Some(i),
                "throughput_per_vcpu" => s.throughput = Some(i),
                _ => {
                    let Some(c) = SUMMARY_HEADER.captures(h) else {
                        continue;
                    };
                    let rank = match (c.get(3), c.get(2).map(|m| m.as_str())) {
                        (Some(p), _) => p.as_str().parse::<f64>().unwrap_or(0.0),
                        (None, Some("peak" | "max")) => 101.0,
                        _ => -1.0,
                    };
                    let unit = c.get(4).map_or("", |m| m.as_str());
                    let stat = StatColumn {
                        col: i,
                        rank,
                        share: matches!(unit, "pct" | "percent"),
                    };
                    match c.get(1).map(|m| m.as_str()) {
                        Some("cpu") if unit != "gib" && unit != "gb" => s.cpu.push(stat),
                        Some("memory" | "mem") if unit != "cores" => s.memory.push(stat),
                        _ => {}
                    }
                }
            }
        }
        s
    }

    fn is_empty(&self) -> bool {
        self.cpu.is_empty()
            && self.memory.is_empty()
            && self.storage.is_none()
            && self.throughput.is_none()
    }

    fn read(
        &self,
        file: &Arc<str>,
        line: u32,
        cells: &[String],
        name_col: usize,
        want: f64,
        errors: &mut Vec<ScanError>,
    ) -> Option<Record> {
        let name = cells.get(name_col).map_or("", |s| s.as_str());
        if name.is_empty() {
            errors.push(ScanError::parse(
                file,
                Some(line),
                "metrics row has no name: this row is skipped",
            ));
            return None;
        }
        let mut r = Record::new(file, line, name);
        let mut number = |col: usize, what: &str| -> Option<f64> {
            let text = cells.get(col).map_or("", |s| s.as_str());
            match crate::ingest::tabular::parse_number(text.trim_end_matches('%')) {
                Ok(Some(v)) if v >= 0.0 => Some(v),
                Ok(None) => None,
                Ok(Some(_)) | Err(_) => {
                    errors.push(ScanError::parse(
                        file,
                        Some(line),
                        format!("`{name}`: {what}: `{text}` is not a non-negative number"),
                    ));
                    None
                }
            }
        };
        // Within what a machine can be: a percentage 0-100, vCPUs and memory of one machine.
        let mut limit_errors = Vec::new();
        let mut pick = |stats: &[StatColumn],
                        what: &str,
                        limit: fn(f64, &str) -> Result<f64, String>|
         -> Option<(Amount, bool, String)> {
            let present: Vec<(StatColumn, f64)> = stats
                .iter()
                .filter_map(|s| {
                    let v = number(s.col, what)?;
                    let text = cells.get(s.col).map_or("", |t| t.as_str());
                    let checked = if s.share {
                        crate::units::check_percent(v, text)
                    } else {
                        limit(v, text)
                    };
                    match checked {
                        Ok(v) => Some((*s, v)),
                        Err(e) => {
                            limit_errors.push(ScanError::parse(
                                file,
                                Some(line),
                                format!("`{name}`: {what}: {e}"),
                            ));
                            None
                        }
                    }
                })
                .collect();
            let (stat, value, weak) = choose(&present, want)?;
            let amount = if stat.share {
                Amount::Share(value / 100.0)
            } else {
                Amount::Absolute(value)
            };
            let name = match stat.rank {
                r if r > 100.0 => "peak".to_string(),
                r if r < 0.0 => "avg".to_string(),
                r => format!("p{}", crate::node::format_number(r)),
            };
            let wanted = format!("p{}", crate::node::format_number(want));
            let label = if name == wanted {
                name
            } else if weak {
                format!("{name} ({wanted} not given, a weaker figure)")
            } else {
                format!("{name} ({wanted} not given)")
            };
            Some((amount, weak, label))
        };
        if let Some((a, weak, label)) = pick(&self.cpu, "CPU", crate::units::check_vcpu) {
            r.cpu = Some(a);
            r.weak |= weak;
            r.cpu_stat = Some(label);
        }
        if let Some((a, weak, label)) = pick(&self.memory, "memory", |v, t| {
            crate::units::check_memory_gib(v, t, true)
        }) {
            r.memory = Some(a);
            r.weak |= weak;
            r.memory_stat = Some(label);
        }
        r.throughput_per_vcpu = self
            .throughput
            .and_then(|c| number(c, "throughput_per_vcpu"));
        r.storage_gib = self.storage.and_then(|c| {
            let v = number(c, "storage_used_gib")?;
            let text = cells.get(c).map_or("", |t| t.as_str());
            match crate::units::check_size_gib(v, text) {
                Ok(v) => Some(v),
                Err(e) => {
                    limit_errors.push(ScanError::parse(
                        file,
                        Some(line),
                        format!("`{name}`: storage_used_gib: {e}"),
                    ));
                    None
                }
            }
        });
        r.samples = self
            .samples
            .and_then(|c| number(c, "samples"))
            .map(|v| v.round() as u64);
        r.period_days = self
            .period
            .and_then(|c| number(c, "period_days"))
            .filter(|d| *d > 0.0);
        errors.append(&mut limit_errors);
        Some(r)
    }
}

/// The figure that stands for the chosen percentile, by the VM spec's preference: that
/// percentile, a higher one, the peak; then (weak) a lower percentile or the average.
fn choose(present: &[(StatColumn, f64)], want: f64) -> Option<(StatColumn, f64, bool)> {
    let exact = present.iter().find(|(s, _)| (s.rank - want).abs() < 1e-9);
    let higher = present
        .iter()
        .filter(|(s, _)| s.rank > want)
        .min_by(|a, b| a.0.rank.total_cmp(&b.0.rank));
    let lower = present
        .iter()
        .filter(|(s, _)| s.rank < want)
        .max_by(|a, b| a.0.rank.total_cmp(&b.0.rank));
    exact
        .or(higher)
        .map(|(s, v)| (*s, *v, false))
        .or_else(|| lower.map(|(s, v)| (*s, *v, true)))
}

/// Seconds in Azure's aggregation window (the peak of each is kept) and collection step.
const WINDOW_SECONDS: i64 = 600;
const STEP_SECONDS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Series {
    CpuPct,
    CpuCores,
    MemoryGib,
    MemoryPct,
    StorageGib,
}

impl Series {
    fn parse(text: &str) -> Option<Series> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '-'], "_")
            .as_str()
        {
            "cpu_pct" | "cpu_percent" | "cpu" | "cpu_utilisation" | "cpu_utilization" => {
                Some(Series::CpuPct)
            }
            "cpu_cores" | "cpu_vcpu" => Some(Series::CpuCores),
            "memory_gib" | "memory_gb" | "mem_gib" | "memory" => Some(Series::MemoryGib),
            "memory_pct" | "memory_percent" | "mem_pct" => Some(Series::MemoryPct),
            "storage_used_gib" | "storage_used_gb" | "storage_gib" | "storage" => {
                Some(Series::StorageGib)
            }
            _ => None,
        }
    }
}

fn parse_series(
    file: &Arc<str>,
    rows: &[(u32, Vec<String>)],
    [ts_col, name_col, metric_col, value_col]: [usize; 4],
    want: f64,
    errors: &mut Vec<ScanError>,
) -> Vec<Record> {
    // name (lower case) -> (first line, name as written, series -> points)
    type Points = BTreeMap<Series, Vec<(i64, f64)>>;
    let mut by_name: BTreeMap<String, (u32, String, Points)> = BTreeMap::new();
    for (line, cells) in rows {
        let cell = |c: usize| cells.get(c).map_or("", |s| s.as_str());
        let name = cell(name_col);
        if name.is_empty() {
            errors.push(ScanError::parse(
                file,
                Some(*line),
                "metrics row has no name: this row is skipped",
            ));
            continue;
        }
        let Some(ts) = parse_timestamp(cell(ts_col)) else {
            errors.push(ScanError::parse(
                file,
                Some(*line),
                format!(
                    "`{}` is not a timestamp (2024-05-01T10:05:00Z, 2024-05-01 10:05 or Unix seconds)",
                    cell(ts_col)
                ),
            ));
            continue;
        };
        let Some(series) = Series::parse(cell(metric_col)) else {
            errors.push(ScanError::parse(
                file,
                Some(*line),
                format!(
                    "unknown metric `{}` (cpu_pct, cpu_cores, memory_gib, memory_pct, storage_used_gib)",
                    cell(metric_col)
                ),
            ));
            continue;
        };
        let value =
            match crate::ingest::tabular::parse_number(cell(value_col).trim_end_matches('%')) {
                Ok(Some(v)) if v >= 0.0 => v,
                _ => {
                    errors.push(ScanError::parse(
                        file,
                        Some(*line),
                        format!(
                            "`{name}`: `{}` is not a non-negative number",
                            cell(value_col)
                        ),
                    ));
                    continue;
                }
            };
        let text = cell(value_col);
        let checked = match series {
            Series::CpuPct | Series::MemoryPct => crate::units::check_percent(value, text),
            Series::CpuCores => crate::units::check_vcpu(value, text),
            Series::MemoryGib => crate::units::check_memory_gib(value, text, true),
            Series::StorageGib => crate::units::check_size_gib(value, text),
        };
        if let Err(e) = checked {
            errors.push(ScanError::parse(
                file,
                Some(*line),
                format!("`{name}`: {}: {e}", cell(metric_col)),
            ));
            continue;
        }
        let entry = by_name
            .entry(name.to_lowercase())
            .or_insert_with(|| (*line, name.to_string(), BTreeMap::new()));
        entry.2.entry(series).or_default().push((ts, value));
    }
    by_name
        .into_values()
        .map(|(line, name, points)| {
            let mut r = Record::new(file, line, &name);
            let stat =
                |series: Series| points.get(&series).and_then(|p| window_percentile(p, want));
            r.cpu = stat(Series::CpuCores)
                .map(Amount::Absolute)
                .or_else(|| stat(Series::CpuPct).map(|p| Amount::Share(p / 100.0)));
            r.memory = stat(Series::MemoryGib)
                .map(Amount::Absolute)
                .or_else(|| stat(Series::MemoryPct).map(|p| Amount::Share(p / 100.0)));
            let label = |s: Series| {
                points.get(&s).map(|p| {
                    format!(
                        "p{} of 10-minute peaks over {} point(s)",
                        crate::node::format_number(want),
                        p.len()
                    )
                })
            };
            r.cpu_stat = label(Series::CpuCores).or_else(|| label(Series::CpuPct));
            r.memory_stat = label(Series::MemoryGib).or_else(|| label(Series::MemoryPct));
            r.storage_gib = points
                .get(&Series::StorageGib)
                .and_then(|p| p.iter().map(|(_, v)| *v).reduce(f64::max));
            // Confidence from the series the CPU (else memory) demand came from.
            let basis = [
                Series::CpuCores,
                Series::CpuPct,
                Series::MemoryGib,
                Series::MemoryPct,
            ]
            .into_iter()
            .find_map(|s| points.get(&s));
            if let Some(p) = basis {
                let slots: BTreeSet<i64> =
                    p.iter().map(|(t, _)| t.div_euclid(STEP_SECONDS)).collect();
                let first = p.iter().map(|(t, _)| *t).min().unwrap_or(0);
                let last = p.iter().map(|(t, _)| *t).max().unwrap_or(0);
                r.samples = Some(slots.len() as u64);
                r.period_days = Some(crate::sizing::rightsize::round2(
                    (last - first + STEP_SECONDS) as f64 / 86_400.0,
                ));
            }
            r
        })
        .collect()
}

/// Azure Migrate's statistic: the peak of every 10-minute window, then the percentile of
/// those peaks.
fn window_percentile(points: &[(i64, f64)], want: f64) -> Option<f64> {
    let mut peaks: BTreeMap<i64, f64> = BTreeMap::new();
    for (t, v) in points {
        let w = peaks.entry(t.div_euclid(WINDOW_SECONDS)).or_insert(*v);
        *w = w.max(*v);
    }
    let values: Vec<f64> = peaks.into_values().collect();
    percentile(&values, want)
}

/// Seconds since the Unix epoch from `2024-05-01T10:05:00Z`, `2024-05-01 10:05:00`,
/// `2024-05-01T10:05:00.5+02:00`, `2024/05/01 10:05`, `2024-05-01`, or Unix seconds (or
/// milliseconds).
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = t.parse().ok()?;
        return Some(if t.len() >= 13 { n / 1000 } else { n });
    }
    let b = t.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let s = t.get(from..from + len)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    if b.len() < 10 || !matches!(b[4], b'-' | b'/') || b[7] != b[4] {
        return None;
    }
    let (y, mo, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = days_from_civil(y, mo as u32, d as u32) * 86_400;
    let rest = &t[10..];
    if rest.is_empty() {
        return Some(secs);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (h, mi) = (num(11, 2)?, num(14, 2)?);
    if rest.as_bytes().get(2) != Some(&b':') || h > 23 || mi > 59 {
        return None;
    }
    secs += h * 3600 + mi * 60;
    let mut tail = &rest[5..];
    if let Some(after) = tail.strip_prefix(':') {
        let s: i64 = after.get(..2)?.parse().ok()?;
        secs += s;
        tail = &after[2..];
        if let Some(frac) = tail.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            tail = &frac[digits..];
        }
    }
    match tail {
        "" | "Z" | "z" => Some(secs),
        offset => {
            let sign = match offset.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            let o = offset[1..].replace(':', "");
            if o.len() != 4 || !o.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let oh: i64 = o[..2].parse().ok()?;
            let om: i64 = o[2..].parse().ok()?;
            Some(secs - sign * (oh * 3600 + om * 60))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Generation, Target, WorkloadKind};
    use crate::units::civil_from_days;

    fn vm(name: &str, vcpu: f64, memory: f64) -> Workload {
        let mut w = Workload::new(
            WorkloadKind::Vm,
            Target::Vm,
            name,
            Arc::from("inv.csv"),
            2,
            Generation::ClientServer,
            Node::map(2),
        );
        w.current = Sizing {
            vcpu: Some(vcpu),
            memory_gib: Some(memory),
            storage_gib: Some(100.0),
        };
        w
    }

    fn records(text: &str, want: f64) -> (Vec<Record>, Vec<ScanError>) {
        let mut errors = Vec::new();
        let file: Arc<str> = Arc::from("m.csv");
        let r = parse(&file, text, want, &mut errors).unwrap_or_else(|e| panic!("{e}"));
        (r, errors)
    }

    #[test]
    fn summary_rows_join_by_name_case_insensitively() {
        let (recs, errors) = records(
            "name,cpu_p95_pct,memory_p95_gib,memory_peak_gib,storage_used_gib,samples,period_days\nAPP01,50,12,14,80,8640,30\nghost,10,1,1,1,288,1\n",
            95.0,
        );
        assert!(errors.is_empty(), "{errors:?}");
        let m = Metrics {
            files: vec!["m.csv".into()],
            records: recs,
        };
        let mut w = vec![vm("app01", 8.0, 32.0)];
        let mut errors = Vec::new();
        let unmatched = m.apply(&mut w, &mut errors);
        assert_eq!(
            unmatched,
            vec![Unmatched {
                file: "m.csv".into(),
                line: 3,
                name: "ghost".into()
            }]
        );
        let d = w[0].demand.clone().unwrap_or_default();
        assert_eq!(
            (d.vcpu, d.memory_gib, d.storage_gib),
            (Some(4.0), Some(12.0), Some(80.0))
        );
        assert_eq!(
            (d.samples, d.expected_samples, d.weak),
            (Some(8640), Some(8640), false)
        );
        assert_eq!(d.source, "m.csv:2");
    }

    #[test]
    fn summary_prefers_the_percentile_then_higher_then_peak_then_weak() {
        let (r, _) = records(
            "name,cpu_p99_cores,cpu_p50_cores,memory_avg_gib\na,3,1,5\n",
            95.0,
        );
        assert_eq!(r[0].cpu, Some(Amount::Absolute(3.0)));
        assert_eq!(r[0].memory, Some(Amount::Absolute(5.0)));
        assert!(r[0].weak, "an average is weak");
        let (r, _) = records("name,cpu_p50_cores\na,1\n", 95.0);
        assert!(r[0].weak);
        let (r, _) = records("name,cpu_peak_pct\na,80\n", 95.0);
        assert_eq!(r[0].cpu, Some(Amount::Share(0.8)));
        assert!(!r[0].weak);
    }

    #[test]
    fn series_take_the_peak_of_each_ten_minutes_then_the_percentile() {
        // 20 ten-minute windows, two 5-minute points each; the peaks are 1..=20 %.
        let mut text = String::from("timestamp,name,metric,value\n");
        for i in 0..20i64 {
            let t0 = 1_714_557_600 + i * 600;
            text.push_str(&format!("{t0},vm1,cpu_pct,{}\n", i + 1));
            text.push_str(&format!("{},vm1,cpu_pct,0.5\n", t0 + 300));
        }
        let (r, errors) = records(&text, 95.0);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(r[0].cpu, Some(Amount::Share(0.19)));
        assert_eq!(r[0].samples, Some(40));
        // 40 points over 200 minutes: rated against one day (288 expected)
        assert_eq!(r[0].period_days, Some(0.14));
        let d = r[0]
            .demand(
                &Sizing {
                    vcpu: Some(10.0),
                    ..Sizing::default()
                },
                None,
            )
            .unwrap_or_default();
        assert_eq!(d.expected_samples, Some(288));
        assert!((d.vcpu.unwrap_or(0.0) - 1.9).abs() < 1e-9);
    }

    #[test]
    fn components_join_as_owner_slash_part() {
        let (recs, _) = records(
            "name,cpu_p95_cores\nfirewall/vdu1,2\nfirewall/nope,1\n",
            95.0,
        );
        let m = Metrics {
            files: vec![],
            records: recs,
        };
        let mut w = vec![vm("firewall", 8.0, 16.0)];
        w[0].components.push(crate::model::Component {
            name: "VDU1".into(),
            line: 4,
            count: 2.0,
            current: Sizing {
                vcpu: Some(4.0),
                ..Sizing::default()
            },
            demand: None,
            traits: Default::default(),
        });
        let mut errors = Vec::new();
        let unmatched = m.apply(&mut w, &mut errors);
        assert_eq!(unmatched.len(), 1);
        assert_eq!(unmatched[0].name, "firewall/nope");
        assert_eq!(
            w[0].components[0].demand.as_ref().and_then(|d| d.vcpu),
            Some(2.0)
        );
    }

    #[test]
    fn bad_rows_are_errors_with_lines() {
        let (r, errors) = records(
            "timestamp,name,metric,value\nyesterday,a,cpu_pct,5\n2024-05-01T10:00:00Z,a,disk_iops,5\n2024-05-01T10:00:00Z,a,cpu_pct,lots\n2024-05-01T10:00:00Z,a,cpu_pct,5\n",
            95.0,
        );
        assert_eq!(r.len(), 1);
        let lines: Vec<Option<u32>> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![Some(2), Some(3), Some(4)]);
        let mut errors = Vec::new();
        let file: Arc<str> = Arc::from("m.csv");
        assert!(parse(&file, "host,cpu\na,1\n", 95.0, &mut errors).is_err());
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_timestamp("2024-05-01 10:05"), Some(1_714_557_900));
        assert_eq!(
            parse_timestamp("2024-05-01T12:05:00+02:00"),
            Some(1_714_557_900)
        );
        assert_eq!(
            parse_timestamp("2024/05/01 10:05:00.250"),
            Some(1_714_557_900)
        );
        assert_eq!(parse_timestamp("1714557900"), Some(1_714_557_900));
        assert_eq!(parse_timestamp("1714557900000"), Some(1_714_557_900));
        assert_eq!(parse_timestamp("2024-13-01"), None);
        assert_eq!(parse_timestamp("May 1st"), None);
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
    }
}
