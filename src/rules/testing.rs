//! `fitscan rules test`: runs `*.test.yaml` files that sit beside rule files.
//!
//! ```yaml
//! cases:
//!   - name: the seed server is oversized
//!     files: [fixtures/vm/seed.yaml]     # relative to this test file
//!     inline:                            # or fixtures written in place
//!       - { name: small.yaml, content: "..." }
//!     options: { headroom: 0, percentile: 95 }
//!     metrics: [fixtures/vm/metrics.csv]   # utilisation joined by name (`--metrics`)
//!     catalog: fixtures/vm/sizes.yaml     # a size catalog (`--catalog`)
//!     errors: 0                          # file errors expected (default 0)
//!     expect:
//!       VM001: { fires: 1 }              # fires this many times
//!       VM002: { at: [9, "seed.yaml:12"] } # fires exactly at these lines
//!       VM003: pass                      # evaluated and did not fire
//!       VM004: unknown                   # a fact it needs is missing
//!       VM005: n/a                       # `applies` is false
//!       VM006: suppressed                # fired, and a suppression covered it
//! ```
//!
//! Every rule of the folder must have a case that makes it fire and one where it passes.

use std::collections::BTreeSet;
use std::path::{Path as FsPath, PathBuf};

use super::RuleSet;
use super::loader::{self, RuleError, is_test_file_name, suggest};
use crate::classify::CheckState;
use crate::model::Report;
use crate::node::{Node, Value};
use crate::rightsize::SizingOptions;
use crate::source::SourceFile;
use crate::{ScanOptions, assess_sources, yaml};

#[derive(Debug, Clone, PartialEq)]
enum Expect {
    Fires(usize),
    At(Vec<(Option<String>, u32)>),
    Pass,
    Unknown,
    NotApplicable,
    Suppressed,
}

impl Expect {
    fn describe(&self) -> String {
        match self {
            Expect::Fires(n) => format!("fires {n} time(s)"),
            Expect::At(list) => {
                let parts: Vec<String> = list
                    .iter()
                    .map(|(f, l)| match f {
                        Some(f) => format!("{f}:{l}"),
                        None => l.to_string(),
                    })
                    .collect();
                format!("fires at {}", parts.join(", "))
            }
            Expect::Pass => "pass".into(),
            Expect::Unknown => "unknown".into(),
            Expect::NotApplicable => "n/a".into(),
            Expect::Suppressed => "suppressed".into(),
        }
    }
    fn fires(&self) -> bool {
        matches!(self, Expect::Fires(n) if *n > 0) || matches!(self, Expect::At(l) if !l.is_empty())
    }
}

/// The result of one test case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub file: String,
    pub name: String,
    /// One line per mismatch: expected vs actual. Empty means the case passed.
    pub failures: Vec<String>,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

struct Case {
    name: String,
    line: u32,
    files: Vec<SourceFile>,
    options: ScanOptions,
    errors: usize,
    expect: Vec<(String, Expect, u32)>,
}

fn err(file: &str, node: &Node, message: impl Into<String>) -> RuleError {
    RuleError {
        file: file.to_string(),
        line: node.line,
        column: node.column,
        message: message.into(),
    }
}

/// Test files under `path` (a folder, searched recursively, or one test file).
pub fn test_files(path: &FsPath) -> Result<Vec<PathBuf>, RuleError> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| RuleError {
            file: dir.display().to_string(),
            line: 0,
            column: 0,
            message: format!("cannot read folder: {e}"),
        })?;
        for entry in entries.flatten() {
            let p = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                if name != "fixtures" && !name.starts_with('.') {
                    stack.push(p);
                }
            } else if is_test_file_name(&name) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Runs every test under `path` against the rules under `path` (the folder of a single
/// test file). Returns the case results, including one failing "coverage" result per rule
/// that lacks a firing or a passing case.
pub fn run(path: &FsPath) -> Result<Vec<CaseResult>, RuleError> {
    let rules_root = if path.is_file() {
        path.parent().map(FsPath::to_path_buf).unwrap_or_default()
    } else {
        path.to_path_buf()
    };
    let rules = loader::load_path(&rules_root)?;
    loader::check_unique(&rules)?;
    let ruleset = RuleSet::new(rules);
    let mut results = Vec::new();
    let mut fired: BTreeSet<String> = BTreeSet::new();
    let mut passed: BTreeSet<String> = BTreeSet::new();
    let tests = test_files(path)?;
    for test in &tests {
        let display = test.display().to_string();
        let text = std::fs::read_to_string(test).map_err(|e| RuleError {
            file: display.clone(),
            line: 0,
            column: 0,
            message: format!("cannot read test file: {e}"),
        })?;
        let base = test.parent().unwrap_or(FsPath::new("."));
        let cases = parse_cases(&display, &text, base)?;
        for case in cases {
            for (rule, expect, line) in &case.expect {
                if ruleset.get(rule).is_none() {
                    return Err(RuleError {
                        file: display.clone(),
                        line: *line,
                        column: 0,
                        message: format!(
                            "case `{}` expects rule `{rule}`, which is not defined beside the test",
                            case.name
                        ),
                    });
                }
                if expect.fires() {
                    fired.insert(rule.to_ascii_uppercase());
                }
                if *expect == Expect::Pass {
                    passed.insert(rule.to_ascii_uppercase());
                }
            }
            let report = assess_sources(&case.files, &ruleset, &case.options);
            results.push(CaseResult {
                file: display.clone(),
                name: format!("{} (line {})", case.name, case.line),
                failures: check_case(&case, &report),
            });
        }
    }
    for rule in &ruleset.rules {
        let key = rule.id.to_ascii_uppercase();
        let mut missing = Vec::new();
        if !fired.contains(&key) {
            missing.push("no case makes it fire");
        }
        if !passed.contains(&key) {
            missing.push("no case where it passes");
        }
        if !missing.is_empty() {
            results.push(CaseResult {
                file: rule.source.file.clone(),
                name: format!("coverage of {}", rule.id),
                failures: vec![format!("{}: {}", rule.id, missing.join(" and "))],
            });
        }
    }
    Ok(results)
}

fn parse_cases(file: &str, text: &str, base: &FsPath) -> Result<Vec<Case>, RuleError> {
    let docs = yaml::parse_documents(text).map_err(|e| RuleError {
        file: file.to_string(),
        line: e.line.unwrap_or(0),
        column: 0,
        message: e.message,
    })?;
    let mut cases = Vec::new();
    for doc in &docs {
        for e in doc.as_map().unwrap_or_default() {
            if e.key != "cases" {
                return Err(err(
                    file,
                    &e.value,
                    format!(
                        "unknown field `{}` in a test file (expected `cases`)",
                        e.key
                    ),
                ));
            }
        }
        let list = doc
            .get("cases")
            .and_then(Node::as_seq)
            .ok_or_else(|| err(file, doc, "a test file holds `cases:` with a list of cases"))?;
        for item in list {
            cases.push(parse_case(file, item, base)?);
        }
    }
    Ok(cases)
}

const CASE_KEYS: &[&str] = &[
    "name", "files", "inline", "options", "errors", "expect", "metrics", "catalog",
];

fn parse_case(file: &str, node: &Node, base: &FsPath) -> Result<Case, RuleError> {
    for e in node
        .as_map()
        .ok_or_else(|| err(file, node, "a case is a mapping"))?
    {
        if !CASE_KEYS.contains(&e.key.as_str()) {
            return Err(err(
                file,
                &e.value,
                format!(
                    "unknown field `{}` in a case{}",
                    e.key,
                    suggest(&e.key, CASE_KEYS)
                ),
            ));
        }
    }
    let name = node
        .get("name")
        .and_then(Node::scalar_text)
        .ok_or_else(|| err(file, node, "a case needs `name`"))?;
    let mut files = Vec::new();
    if let Some(list) = node.get("files") {
        let items = list
            .as_seq()
            .ok_or_else(|| err(file, list, "`files` is a list of paths"))?;
        for item in items {
            let rel = item
                .as_str()
                .ok_or_else(|| err(file, item, "a fixture path is text"))?;
            let path = base.join(rel);
            let bytes = std::fs::read(&path).map_err(|e| {
                err(
                    file,
                    item,
                    format!("cannot read fixture `{}`: {e}", path.display()),
                )
            })?;
            files.push(SourceFile {
                path: path.clone(),
                display: rel.into(),
                bytes,
                explicit: true,
            });
        }
    }
    if let Some(list) = node.get("inline") {
        let items = list
            .as_seq()
            .ok_or_else(|| err(file, list, "`inline` is a list of { name, content }"))?;
        for item in items {
            let fname = item.get("name").and_then(Node::as_str);
            let content = item.get("content").and_then(Node::as_str);
            let (Some(fname), Some(content)) = (fname, content) else {
                return Err(err(
                    file,
                    item,
                    "an inline fixture needs `name` and `content`",
                ));
            };
            files.push(SourceFile::from_text(fname, content));
        }
    }
    if files.is_empty() {
        return Err(err(
            file,
            node,
            format!("case `{name}` names no fixture (`files` or `inline`)"),
        ));
    }
    let mut options = ScanOptions::default();
    let mut sizing = SizingOptions::default();
    if let Some(o) = node.get("options") {
        for e in o
            .as_map()
            .ok_or_else(|| err(file, o, "`options` is a mapping"))?
        {
            let v = e
                .value
                .as_f64()
                .ok_or_else(|| err(file, &e.value, "option values are numbers"))?;
            match e.key.as_str() {
                "headroom" => sizing.headroom = v / 100.0,
                "percentile" => sizing.percentile = v,
                other => {
                    return Err(err(
                        file,
                        &e.value,
                        format!("unknown option `{other}` (headroom, percentile)"),
                    ));
                }
            }
        }
    }
    options.sizing = sizing;
    let existing = |item: &Node, what: &str| -> Result<PathBuf, RuleError> {
        let rel = item
            .as_str()
            .ok_or_else(|| err(file, item, format!("a {what} path is text")))?;
        let path = base.join(rel);
        if !path.is_file() {
            return Err(err(
                file,
                item,
                format!("cannot read {what} `{}`", path.display()),
            ));
        }
        Ok(path)
    };
    if let Some(list) = node.get("metrics") {
        let items = list
            .as_seq()
            .ok_or_else(|| err(file, list, "`metrics` is a list of paths"))?;
        for item in items {
            options.metrics.push(existing(item, "metrics file")?);
        }
    }
    if let Some(c) = node.get("catalog") {
        options.catalog = Some(existing(c, "catalog")?);
    }
    let errors = match node.get("errors") {
        None => 0,
        Some(n) => n
            .as_f64()
            .filter(|v| *v >= 0.0 && v.fract() == 0.0)
            .ok_or_else(|| err(file, n, "`errors` is a count"))? as usize,
    };
    let expect_node = node
        .get("expect")
        .ok_or_else(|| err(file, node, format!("case `{name}` has no `expect`")))?;
    let mut expect = Vec::new();
    for e in expect_node
        .as_map()
        .ok_or_else(|| err(file, expect_node, "`expect` maps rule ids to outcomes"))?
    {
        expect.push((e.key.clone(), parse_expect(file, &e.value)?, e.value.line));
    }
    Ok(Case {
        name,
        line: node.line,
        files,
        options,
        errors,
        expect,
    })
}

fn parse_expect(file: &str, node: &Node) -> Result<Expect, RuleError> {
    const HINT: &str = "an outcome is `pass`, `unknown`, `n/a`, `suppressed`, `{ fires: N }` or `{ at: [LINE, \"FILE:LINE\"] }`";
    match &node.value {
        Value::Str(s) => match s.as_str() {
            "pass" => Ok(Expect::Pass),
            "unknown" => Ok(Expect::Unknown),
            "n/a" | "not-applicable" => Ok(Expect::NotApplicable),
            "suppressed" => Ok(Expect::Suppressed),
            _ => Err(err(file, node, HINT)),
        },
        Value::Map(_) => {
            if let Some(n) = node.get("fires") {
                let count = n
                    .as_f64()
                    .filter(|v| *v >= 0.0 && v.fract() == 0.0)
                    .ok_or_else(|| err(file, n, "`fires` is a count"))?;
                return Ok(Expect::Fires(count as usize));
            }
            if let Some(list) = node.get("at").and_then(Node::as_seq) {
                let mut at = Vec::new();
                for item in list {
                    let text = item.scalar_text().unwrap_or_default();
                    let parsed = match text.rsplit_once(':') {
                        Some((f, l)) => l.parse::<u32>().ok().map(|l| (Some(f.to_string()), l)),
                        None => text.parse::<u32>().ok().map(|l| (None, l)),
                    };
                    at.push(parsed.ok_or_else(|| {
                        err(file, item, "`at` entries are LINE or \"FILE:LINE\"")
                    })?);
                }
                return Ok(Expect::At(at));
            }
            Err(err(file, node, HINT))
        }
        _ => Err(err(file, node, HINT)),
    }
}

fn file_matches(expected: &str, actual: &str) -> bool {
    actual == expected || actual.ends_with(&format!("/{expected}"))
}

fn check_case(case: &Case, report: &Report) -> Vec<String> {
    let mut failures = Vec::new();
    if report.errors.len() != case.errors {
        let list: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        failures.push(format!(
            "expected {} file error(s), got {}{}",
            case.errors,
            report.errors.len(),
            if list.is_empty() {
                String::new()
            } else {
                format!(": {}", list.join("; "))
            }
        ));
    }
    for (rule, expect, _) in &case.expect {
        let id = rule.to_ascii_uppercase();
        let hits: Vec<(String, u32)> = report
            .workloads
            .iter()
            .flat_map(|w| w.findings.iter())
            .filter(|f| f.rule.eq_ignore_ascii_case(&id))
            .map(|f| (f.file.to_string(), f.line))
            .collect();
        let states: Vec<CheckState> = report
            .workloads
            .iter()
            .flat_map(|w| w.checks.iter())
            .filter(|c| c.rule.eq_ignore_ascii_case(&id))
            .map(|c| c.state)
            .collect();
        let actual = describe_actual(&hits, &states);
        let ok = match expect {
            Expect::Fires(n) => hits.len() == *n,
            Expect::At(list) => {
                let mut remaining = hits.clone();
                let all_found = list.iter().all(|(f, l)| {
                    let pos = remaining.iter().position(|(af, al)| {
                        al == l && f.as_deref().is_none_or(|f| file_matches(f, af))
                    });
                    pos.map(|p| remaining.remove(p)).is_some()
                });
                all_found && remaining.is_empty()
            }
            Expect::Pass => !states.is_empty() && states.iter().all(|s| *s == CheckState::Pass),
            Expect::Unknown => hits.is_empty() && states.contains(&CheckState::Unknown),
            Expect::NotApplicable => {
                !states.is_empty() && states.iter().all(|s| *s == CheckState::NotApplicable)
            }
            Expect::Suppressed => hits.is_empty() && states.contains(&CheckState::Suppressed),
        };
        if !ok {
            failures.push(format!(
                "{rule}: expected {}, got {actual}",
                expect.describe()
            ));
        }
    }
    failures
}

fn describe_actual(hits: &[(String, u32)], states: &[CheckState]) -> String {
    if !hits.is_empty() {
        let at: Vec<String> = hits.iter().map(|(f, l)| format!("{f}:{l}")).collect();
        return format!("fires {} time(s) at {}", hits.len(), at.join(", "));
    }
    if states.is_empty() {
        return "not evaluated (no workload of the rule's target in the fixtures)".into();
    }
    let mut names: Vec<&str> = states
        .iter()
        .map(|s| match s {
            CheckState::Pass => "pass",
            CheckState::Fail => "fail",
            CheckState::Unknown => "unknown",
            CheckState::NotApplicable => "n/a",
            CheckState::Suppressed => "suppressed",
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    names.join(" and ")
}
