//! Calibration: fitscan's phase against hand labels of workloads written for the purpose.
//!
//! `tests/calibration/` holds Dockerfiles and Compose projects written like the ones found in
//! public repositories, and `labels.tsv` gives each workload the phase (or the two phases of
//! a one-gap case) the rubric of issue 14 gives it, with the reason. The labels were decided
//! from the rubric and the files alone, never by running fitscan; see the folder's README.
//!
//! `agreement` scans the folder, prints the confusion matrix (rows: the label's lowest
//! phase; columns: fitscan's phase) and every miss with the label's reason, and asserts an
//! agreement of at least 90 %. It is part of `cargo test`; to see the matrix,
//! `cargo test --test calibration -- --nocapture`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fitscan::{ScanOptions, scan};
use serde_json::Value;

/// The agreement `agreement` asks for, in percent.
const MIN_AGREEMENT: f64 = 90.0;

/// The phases a label may name, from lowest to highest.
const PHASES: [&str; 3] = ["unchanged", "optimised", "purpose-built"];

/// What a scan may say of a workload: the phases, then the verdict of no applicable check.
const PREDICTED: [&str; 4] = ["unchanged", "optimised", "purpose-built", "not-assessed"];

/// One row of `labels.tsv`.
struct Label {
    /// File relative to `tests/calibration`, with `/`.
    file: String,
    /// `*` (every workload of the file; one is expected) or a Compose service name.
    workload: String,
    /// The allowed phases, lowest first.
    allowed: Vec<String>,
    why: String,
    /// Line in `labels.tsv`.
    line: usize,
}

impl Label {
    fn lowest(&self) -> &str {
        &self.allowed[0]
    }

    fn category(&self) -> &str {
        self.file.split('/').next().unwrap_or("")
    }

    /// Whether the scanned workload `name` of `file` is the one this label speaks of.
    fn matches(&self, file: &str, name: &str) -> bool {
        file == self.file
            && (self.workload == "*"
                || name == self.workload
                || name.ends_with(&format!("/{}", self.workload)))
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/calibration")
}

fn rank(phase: &str) -> Option<usize> {
    PHASES.iter().position(|p| *p == phase)
}

fn labels() -> Vec<Label> {
    let path = root().join("labels.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            cols.len(),
            4,
            "labels.tsv:{line_no}: expected file, workload, allowed phases, why (tab-separated)"
        );
        let allowed: Vec<String> = cols[2].split(',').map(str::to_string).collect();
        out.push(Label {
            file: cols[0].to_string(),
            workload: cols[1].to_string(),
            allowed,
            why: cols[3].to_string(),
            line: line_no,
        });
    }
    out
}

/// The report as JSON: the test reads the phase as text, whatever the model's enum becomes.
fn scan_set() -> Value {
    let report = scan(&[root()], &ScanOptions::default())
        .unwrap_or_else(|e| panic!("scan {}: {e}", root().display()));
    serde_json::to_value(&report).unwrap_or_else(|e| panic!("report as JSON: {e}"))
}

/// A path of the report relative to `tests/calibration`, with `/`.
fn relative(file: &str) -> String {
    let root = root();
    let path = Path::new(file);
    let rel = path.strip_prefix(&root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// (file relative to the set, name, phase) of every workload of the report.
fn workloads(report: &Value) -> Vec<(String, String, String)> {
    report["workloads"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|w| {
            (
                relative(w["file"].as_str().unwrap_or("")),
                w["name"].as_str().unwrap_or("").to_string(),
                w["phase"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Every error of the report (a file fitscan refused), as `file:line: rule: message`.
fn errors(report: &Value) -> Vec<String> {
    report["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            format!(
                "{}:{}: {}: {}",
                relative(e["file"].as_str().unwrap_or("")),
                e["line"],
                e["rule"].as_str().unwrap_or(""),
                e["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// The labels are well formed: known phases, lowest first, two only when adjacent (the
/// rubric's one-gap case), a reason, an existing file, one label per workload.
#[test]
fn labels_are_well_formed() {
    let labels = labels();
    assert!(!labels.is_empty(), "labels.tsv has no labels");
    let mut seen = BTreeSet::new();
    for l in &labels {
        let at = format!("labels.tsv:{}", l.line);
        let ranks: Vec<usize> = l
            .allowed
            .iter()
            .map(|p| rank(p).unwrap_or_else(|| panic!("{at}: unknown phase {p:?}")))
            .collect();
        match ranks.as_slice() {
            [_] => {}
            [a, b] => assert_eq!(*b, a + 1, "{at}: two phases must be adjacent, lowest first"),
            _ => panic!("{at}: one phase, or two for a one-gap case"),
        }
        assert!(!l.why.trim().is_empty(), "{at}: no reason given");
        assert!(
            root().join(&l.file).is_file(),
            "{at}: {} does not exist",
            l.file
        );
        assert!(
            seen.insert((l.file.clone(), l.workload.clone())),
            "{at}: {} [{}] is labelled twice",
            l.file,
            l.workload
        );
    }
}

/// Every workload the set yields is labelled (a new file cannot go unlabelled).
#[test]
fn every_workload_is_labelled() {
    let report = scan_set();
    let labels = labels();
    let unlabelled: Vec<String> = workloads(&report)
        .into_iter()
        .filter(|(file, name, _)| !labels.iter().any(|l| l.matches(file, name)))
        .map(|(file, name, _)| format!("{file} [{name}]"))
        .collect();
    assert!(
        unlabelled.is_empty(),
        "workloads without a label:\n  {}",
        unlabelled.join("\n  ")
    );
}

/// Every file of the set is read: all of them are valid Dockerfiles and Compose files.
#[test]
fn every_file_is_read() {
    let errors = errors(&scan_set());
    assert!(
        errors.is_empty(),
        "fitscan refused files of the set:\n  {}",
        errors.join("\n  ")
    );
}

/// fitscan's phase agrees with the labels for at least [`MIN_AGREEMENT`] % of them.
#[test]
fn agreement() {
    let report = scan_set();
    let scanned = workloads(&report);
    let labels = labels();

    // matrix[lowest label phase][predicted] and per category (right, too low, too high, missing)
    let mut matrix: BTreeMap<(&str, String), usize> = BTreeMap::new();
    let mut by_category: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut right = 0;
    for l in &labels {
        let found: Vec<&(String, String, String)> = scanned
            .iter()
            .filter(|(file, name, _)| l.matches(file, name))
            .collect();
        let counts = by_category.entry(l.category().to_string()).or_default();
        let predicted = match found.as_slice() {
            [] => "missing".to_string(),
            [(_, _, phase), ..] => phase.clone(),
        };
        *matrix.entry((l.lowest(), predicted.clone())).or_default() += 1;
        let what = if l.allowed.contains(&predicted) {
            right += 1;
            counts[0] += 1;
            continue;
        } else if predicted == "missing" {
            counts[3] += 1;
            "missing"
        } else if rank(&predicted).is_none_or(|r| r < rank(l.lowest()).unwrap_or(0)) {
            counts[1] += 1;
            "too low"
        } else {
            counts[2] += 1;
            "too high"
        };
        misses.push(format!(
            "{} [{}]: {predicted} ({what}), labelled {} ({})",
            l.file,
            l.workload,
            l.allowed.join(","),
            l.why
        ));
    }

    let mut columns: Vec<String> = PREDICTED.iter().map(|p| p.to_string()).collect();
    for (_, predicted) in matrix.keys() {
        if !columns.contains(predicted) {
            columns.push(predicted.clone());
        }
    }
    println!("confusion matrix (rows: label's lowest phase; columns: fitscan's phase)");
    print!("{:<15}", "label \\ fitscan");
    for c in &columns {
        print!(" {c:>13}");
    }
    println!(" {:>6}", "total");
    for row in PHASES {
        print!("{row:<15}");
        let mut total = 0;
        for c in &columns {
            let n = matrix.get(&(row, c.clone())).copied().unwrap_or(0);
            total += n;
            print!(" {n:>13}");
        }
        println!(" {total:>6}");
    }
    println!();
    for (category, [ok, low, high, missing]) in &by_category {
        let n = ok + low + high + missing;
        println!(
            "{category:<10} n={n:3} right={ok:3} ({:.0}%) too-low={low} too-high={high} missing={missing}",
            100.0 * *ok as f64 / n.max(1) as f64
        );
    }
    for m in &misses {
        println!("  miss: {m}");
    }
    let errors = errors(&report);
    for e in &errors {
        println!("  refused: {e}");
    }
    let total = labels.len();
    let pct = 100.0 * right as f64 / total.max(1) as f64;
    println!("agreement {right}/{total} = {pct:.0}%");
    assert!(
        pct >= MIN_AGREEMENT,
        "agreement {right}/{total} = {pct:.1}% is below {MIN_AGREEMENT}%"
    );
}
