//! `fitscan rules test`: runs the test cases of rules. A rule file of one rule carries its
//! own under `tests:`, each `expect` being that rule's outcome (the default rules,
//! `rules/<target>/<ID>-<name>.yaml`, fixtures under `rules/<target>/fixtures/`):
//!
//! ```yaml
//! id: VM001
//! # ... the rule ...
//! tests:
//!   - name: the seed server is oversized
//!     files: [fixtures/seed.yaml]        # relative to this file
//!     expect: { at: [9] }                # this rule's outcome (as below)
//! ```
//!
//! A pack of rules (`rules: [...]`) has its cases in `*.test.yaml` files beside it, each
//! case expecting outcomes of any rules of the folder:
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
//! Cases with the same inputs (the same case in several rules' files) are assessed once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path as FsPath, PathBuf};

use super::cases::*;
use crate::assessment::Report;
use crate::classify::CheckState;
use crate::node::Node;
use crate::rules::loader::{self, RuleError, is_rule_file_name, is_test_file_name, suggest};
use crate::rules::{Rule, RuleSet};
use crate::source::SourceFile;
use crate::{ScanOptions, assess_sources};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Expect {
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
                let parts: Vec<String> =
                    list.iter().map(|(f, l)| place(f.as_deref(), *l)).collect();
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

/// One expectation of a case: the rule id as written, the canonical id (an alias is
/// accepted), the outcome and its line in the test file.
pub(super) struct Expectation {
    pub(super) written: String,
    pub(super) id: String,
    pub(super) expect: Expect,
    pub(super) line: u32,
}

pub(super) struct Case {
    pub(super) name: String,
    pub(super) line: u32,
    /// The test file's folder: fixtures (and files they import) are relative to it.
    pub(super) base: PathBuf,
    pub(super) files: Vec<SourceFile>,
    pub(super) options: ScanOptions,
    pub(super) errors: usize,
    pub(super) expect: Vec<Expectation>,
    /// The inputs (folder, fixtures, options): cases with the same key give the same report.
    pub(super) key: String,
}

pub(super) fn err(file: &str, node: &Node, message: impl Into<String>) -> RuleError {
    RuleError {
        file: file.to_string(),
        line: node.line,
        column: node.column,
        message: message.into(),
    }
}

pub(super) fn file_name(path: &FsPath) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

pub(super) fn io_err(file: &FsPath, message: String) -> RuleError {
    RuleError {
        file: file.display().to_string(),
        line: 0,
        column: 0,
        message,
    }
}

/// A folder of rules with their tests and fixtures: a folder on disk (a workshop's rules,
/// the repository's `rules/`), or the default rules compiled into fitscan. The embedded
/// copy is unpacked into a private temporary folder for as long as the tree lives: its
/// fixtures are read exactly as a user's are, by path, because some name other files by
/// path (a VNF package's imports, metrics and catalogs).
pub struct RuleTree {
    root: PathBuf,
    /// A single file to run instead of every test under `root`: a test file, or a rule file
    /// (its own `tests`, and the `*.test.yaml` of the same name beside a pack).
    only: Option<PathBuf>,
    embedded: bool,
    _unpacked: Option<tempfile::TempDir>,
}

impl RuleTree {
    /// The rules, tests and fixtures under `path` (a folder), or the one test or rule file
    /// named and the rules beside it.
    pub fn disk(path: &FsPath) -> RuleTree {
        let (root, only) = if path.is_file() {
            let root = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            (root, Some(path.to_path_buf()))
        } else {
            (path.to_path_buf(), None)
        };
        RuleTree {
            root,
            only,
            embedded: false,
            _unpacked: None,
        }
    }

    /// The default rules with their tests and fixtures, as compiled into fitscan.
    pub fn embedded() -> Result<RuleTree, RuleError> {
        let dir = tempfile::Builder::new()
            .prefix("fitscan-rules-")
            .tempdir()
            .map_err(|e| {
                io_err(
                    &std::env::temp_dir(),
                    format!("cannot unpack the default rule tests: {e}"),
                )
            })?;
        let texts = loader::embedded_files()
            .iter()
            .map(|(name, text)| (*name, text.as_bytes()));
        for (name, bytes) in texts.chain(loader::embedded_test_files().iter().copied()) {
            let path = dir.path().join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    io_err(parent, format!("cannot unpack the default rule tests: {e}"))
                })?;
            }
            std::fs::write(&path, bytes)
                .map_err(|e| io_err(&path, format!("cannot unpack the default rule tests: {e}")))?;
        }
        Ok(RuleTree {
            root: dir.path().join("rules"),
            only: None,
            embedded: true,
            _unpacked: Some(dir),
        })
    }

    pub fn is_embedded(&self) -> bool {
        self.embedded
    }

    /// The rules of the tree (the embedded ones keep their repository paths).
    pub fn rules(&self) -> Result<Vec<Rule>, RuleError> {
        if self.embedded {
            loader::load_embedded()
        } else {
            loader::load_path(&self.root)
        }
    }

    /// A path of the tree as its reader knows it: the embedded tree by repository path.
    pub fn show(&self, path: &FsPath) -> String {
        match path.strip_prefix(&self.root) {
            Ok(rel) if self.embedded => {
                format!("rules/{}", rel.to_string_lossy().replace('\\', "/"))
            }
            _ => path.display().to_string(),
        }
    }

    /// Files of the tree that hold test cases: every `*.test.yaml` and rule file outside
    /// `fixtures/` folders (a rule file of one rule carries its own `tests`); or the one
    /// file named, with the `*.test.yaml` of the same name beside it if it is a pack.
    fn test_sources(&self) -> Result<Vec<PathBuf>, RuleError> {
        if let Some(only) = &self.only {
            let mut out = vec![only.clone()];
            let name = file_name(only);
            if is_rule_file_name(&name) {
                let stem = name
                    .strip_suffix(".yaml")
                    .or_else(|| name.strip_suffix(".yml"))
                    .unwrap_or(&name);
                let test = only.with_file_name(format!("{stem}.test.yaml"));
                if test.is_file() {
                    out.push(test);
                }
            }
            return Ok(out);
        }
        let mut out = Vec::new();
        let mut stack = vec![self.root.clone()];
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir)
                .map_err(|e| io_err(&dir, format!("cannot read folder: {e}")))?;
            for entry in entries.flatten() {
                let p = entry.path();
                let name = entry.file_name().to_string_lossy().to_string();
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    if name != "fixtures" && name != "lifecycle" && !name.starts_with('.') {
                        stack.push(p);
                    }
                } else if is_test_file_name(&name) || is_rule_file_name(&name) {
                    out.push(p);
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Every case of every test file, with the rule set the cases run against and, when
    /// one rule file was named, the ids of its rules (the rules whose coverage is checked).
    fn cases(&self) -> Result<Tests, RuleError> {
        let rules = self.rules()?;
        loader::check_unique(&rules)?;
        let ruleset = RuleSet::new(rules);
        let mut out = Vec::new();
        let mut scope = None;
        for test in self.test_sources()? {
            let display = self.show(&test);
            let text = std::fs::read_to_string(&test)
                .map_err(|e| io_err(&test, format!("cannot read test file: {e}")))?;
            let base = test.parent().unwrap_or(FsPath::new("."));
            let cases = if is_test_file_name(&file_name(&test)) {
                parse_cases(&display, &text, base)?
            } else {
                if self.only.as_ref() == Some(&test) {
                    let ids = loader::parse_rule_file(&display, &text, self.embedded)?
                        .into_iter()
                        .map(|r| r.id)
                        .collect::<BTreeSet<_>>();
                    scope = Some(ids);
                }
                parse_rule_tests(&display, &text, base)?
            };
            for mut case in cases {
                for e in &mut case.expect {
                    let Some(rule) = ruleset.get(&e.written) else {
                        return Err(RuleError {
                            file: display.clone(),
                            line: e.line,
                            column: 0,
                            message: format!(
                                "case `{}` expects rule `{}`, which is not defined beside the test{}",
                                case.name,
                                e.written,
                                suggest(
                                    &e.written,
                                    &ruleset
                                        .rules
                                        .iter()
                                        .map(|r| r.id.as_str())
                                        .collect::<Vec<_>>()
                                )
                            ),
                        });
                    };
                    e.id = rule.id.clone();
                }
                out.push((display.clone(), case));
            }
        }
        Ok(Tests {
            ruleset,
            cases: out,
            scope,
        })
    }
}

/// The cases of a tree, the rules they run against, and the rules whose coverage counts
/// (all, unless one rule file was named).
pub(super) struct Tests {
    ruleset: RuleSet,
    cases: Vec<(String, Case)>,
    scope: Option<BTreeSet<String>>,
}

/// The reports of the cases run so far, by their inputs: a case shared by several rules'
/// files is assessed once.
#[derive(Default)]
pub(super) struct Reports(HashMap<String, Report>);

impl Reports {
    fn of(&mut self, case: &Case, ruleset: &RuleSet) -> &Report {
        self.0
            .entry(case.key.clone())
            .or_insert_with(|| assess_sources(&case.files, ruleset, &case.options))
    }
}

/// Every case's inputs and options (for checks over all fixtures, such as the facts
/// declarations' test).
#[cfg(test)]
pub(crate) fn case_inputs(
    tree: &RuleTree,
) -> Result<Vec<(Vec<SourceFile>, ScanOptions)>, RuleError> {
    let mut seen = BTreeSet::new();
    Ok(tree
        .cases()?
        .cases
        .into_iter()
        .filter(|(_, c)| seen.insert(c.key.clone()))
        .map(|(_, c)| (c.files, c.options))
        .collect())
}

/// Runs every test of the tree against the rules of the tree. Returns the case results,
/// including one failing "coverage" result per rule that lacks a firing or a passing case.
pub fn run(tree: &RuleTree) -> Result<Vec<CaseResult>, RuleError> {
    let Tests {
        ruleset,
        cases,
        scope,
    } = tree.cases()?;
    let mut reports = Reports::default();
    let mut results = Vec::new();
    let mut fired: BTreeSet<String> = BTreeSet::new();
    let mut passed: BTreeSet<String> = BTreeSet::new();
    for (display, case) in &cases {
        for e in &case.expect {
            if e.expect.fires() {
                fired.insert(e.id.clone());
            }
            if e.expect == Expect::Pass {
                passed.insert(e.id.clone());
            }
        }
        let report = reports.of(case, &ruleset);
        results.push(CaseResult {
            file: display.clone(),
            name: format!("{} (line {})", case.name, case.line),
            failures: check_case(case, report),
        });
    }
    let in_scope = |id: &str| scope.as_ref().is_none_or(|ids| ids.contains(id));
    for rule in ruleset.rules.iter().filter(|r| in_scope(&r.id)) {
        let mut missing = Vec::new();
        if !fired.contains(&rule.id) {
            missing.push("no case makes it fire");
        }
        if !passed.contains(&rule.id) {
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

/// A few lines of a fixture.
#[derive(Debug, Clone, PartialEq)]
pub struct Excerpt {
    /// The fixture as the test names it (`fixtures/vm/seed.yaml`, or an inline file's name).
    pub file: String,
    /// Each line shown: its number and text.
    pub lines: Vec<(u32, String)>,
    /// The lines a finding points at.
    pub marked: Vec<u32>,
    /// Lines of the file before and after the excerpt, left out.
    pub omitted_before: usize,
    pub omitted_after: usize,
}

/// A finding of an example, as a reader sees it in a report.
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleFinding {
    pub file: String,
    pub line: u32,
    pub message: String,
}

/// A test case that shows a rule at work: it fires (with its findings and the fixture
/// lines around the first), or it passes (with the fixture, trimmed).
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub case: String,
    /// The test file and the case's line in it.
    pub test_file: String,
    pub line: u32,
    pub fires: bool,
    pub findings: Vec<ExampleFinding>,
    pub excerpt: Option<Excerpt>,
}

/// Firing and passing examples shown per rule.
pub(super) const FIRING_EXAMPLES: usize = 2;
pub(super) const PASSING_EXAMPLES: usize = 1;
/// Lines shown around a finding, and of a passing fixture.
pub(super) const CONTEXT_LINES: u32 = 3;
pub(super) const PASSING_LINES: u32 = 20;
/// A passing fixture this short is shown whole.
pub(super) const SHORT_FIXTURE: usize = 30;

/// Examples for every rule of the tree (or for the one rule `only` names), taken from its
/// tests: the first cases that make it fire and that make it pass. Each case runs at most
/// once, whatever number of rules it shows.
pub fn examples(
    tree: &RuleTree,
    only: Option<&str>,
) -> Result<BTreeMap<String, Vec<Example>>, RuleError> {
    let Tests { ruleset, cases, .. } = tree.cases()?;
    let only = only.map(|id| ruleset.canonical_id(id).to_string());
    let mut out: BTreeMap<String, Vec<Example>> = BTreeMap::new();
    let mut reports = Reports::default();
    for (display, case) in &cases {
        for e in &case.expect {
            if only.as_ref().is_some_and(|o| *o != e.id) {
                continue;
            }
            let shown = out.entry(e.id.clone()).or_default();
            let firing = shown.iter().filter(|x| x.fires).count();
            let wanted = if e.expect.fires() {
                firing < FIRING_EXAMPLES
            } else {
                e.expect == Expect::Pass && shown.len() - firing < PASSING_EXAMPLES
            };
            if !wanted
                || shown
                    .iter()
                    .any(|x| x.case == case.name && x.test_file == *display)
            {
                continue;
            }
            let report = reports.of(case, &ruleset);
            if let Some(example) = example(display, case, report, &e.id, e.expect.fires()) {
                shown.push(example);
            }
        }
    }
    out.retain(|_, v| !v.is_empty());
    for list in out.values_mut() {
        // Firing examples first; each kind in test order (a stable sort).
        list.sort_by_key(|x| !x.fires);
    }
    Ok(out)
}

pub(super) fn example(
    display: &str,
    case: &Case,
    report: &Report,
    id: &str,
    fires: bool,
) -> Option<Example> {
    let (findings, excerpt) = if fires {
        let findings: Vec<ExampleFinding> = report
            .workloads
            .iter()
            .flat_map(|w| &w.findings)
            .filter(|f| f.rule == id)
            .map(|f| ExampleFinding {
                file: f.file.to_string(),
                line: f.line,
                message: f.message.clone(),
            })
            .collect();
        let first = findings.first()?;
        let marked: Vec<u32> = findings
            .iter()
            .filter(|f| f.file == first.file)
            .map(|f| f.line)
            .collect();
        let excerpt = fixture_text(case, &first.file).map(|text| {
            let start = first.line.saturating_sub(CONTEXT_LINES).max(1);
            let last = marked
                .iter()
                .copied()
                .filter(|l| *l <= first.line + 2 * CONTEXT_LINES)
                .max()
                .unwrap_or(first.line)
                + CONTEXT_LINES;
            excerpt(&first.file, &text, start, last, marked.clone())
        });
        (findings, excerpt)
    } else {
        let w = report.workloads.iter().find(|w| {
            w.checks
                .iter()
                .any(|c| &*c.rule == id && c.state == CheckState::Pass)
        })?;
        let excerpt = fixture_text(case, &w.file).map(|text| {
            let total = text.lines().count();
            let (start, last) = if total <= SHORT_FIXTURE {
                (1, total as u32)
            } else {
                (w.line.max(1), w.line.max(1) + PASSING_LINES - 1)
            };
            excerpt(&w.file, &text, start, last, Vec::new())
        });
        (Vec::new(), excerpt)
    };
    Some(Example {
        case: case.name.clone(),
        test_file: display.to_string(),
        line: case.line,
        fires,
        findings,
        excerpt,
    })
}

/// A fixture's text: an input of the case, or a file it reads by path (a VNF import).
pub(super) fn fixture_text(case: &Case, display: &str) -> Option<String> {
    let from_case = case.files.iter().find(|f| &*f.display == display);
    let bytes = match from_case {
        Some(f) => f.bytes.clone(),
        None => std::fs::read(case.base.join(display)).ok()?,
    };
    let file = SourceFile {
        path: PathBuf::from(display),
        display: display.into(),
        bytes,
        explicit: true,
        archive: None,
        in_place: false,
    };
    if file.looks_binary() {
        return None;
    }
    file.text().ok().map(str::to_string)
}

pub(super) fn excerpt(file: &str, text: &str, first: u32, last: u32, marked: Vec<u32>) -> Excerpt {
    let all: Vec<&str> = text.lines().collect();
    let first = first.max(1) as usize;
    let last = (last as usize).min(all.len());
    let lines = (first..=last)
        .map(|n| (n as u32, all[n - 1].trim_end().to_string()))
        .collect();
    Excerpt {
        file: file.to_string(),
        lines,
        marked,
        omitted_before: first - 1,
        omitted_after: all.len().saturating_sub(last),
    }
}

/// A place as rule tests write it: `FILE:LINE`, or a bare line.
pub(super) fn place(file: Option<&str>, line: u32) -> String {
    match file {
        Some(f) => format!("{f}:{line}"),
        None => line.to_string(),
    }
}

pub(super) fn file_matches(expected: &str, actual: &str) -> bool {
    actual == expected || actual.ends_with(&format!("/{expected}"))
}

pub(super) fn check_case(case: &Case, report: &Report) -> Vec<String> {
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
    for Expectation {
        written,
        id,
        expect,
        ..
    } in &case.expect
    {
        let hits: Vec<(String, u32)> = report
            .workloads
            .iter()
            .flat_map(|w| w.findings.iter())
            .filter(|f| f.rule == *id)
            .map(|f| (f.file.to_string(), f.line))
            .collect();
        let states: Vec<CheckState> = report
            .workloads
            .iter()
            .flat_map(|w| w.checks.iter())
            .filter(|c| &*c.rule == id)
            .map(|c| c.state)
            .collect();
        let mut actual = describe_actual(&hits, &states);
        let ok = match expect {
            Expect::Fires(n) => hits.len() == *n,
            Expect::At(list) => {
                let mut remaining = hits.clone();
                let mut missing = Vec::new();
                for (f, l) in list {
                    let pos = remaining.iter().position(|(af, al)| {
                        al == l && f.as_deref().is_none_or(|f| file_matches(f, af))
                    });
                    match pos {
                        Some(p) => {
                            remaining.remove(p);
                        }
                        None => missing.push(place(f.as_deref(), *l)),
                    }
                }
                // Name the difference: in a long list, an off-by-one line is easy to miss.
                let mut diff = Vec::new();
                if !missing.is_empty() && !hits.is_empty() {
                    diff.push(format!("not at {}", missing.join(", ")));
                }
                if !remaining.is_empty() && !list.is_empty() {
                    let extra: Vec<String> =
                        remaining.iter().map(|(f, l)| place(Some(f), *l)).collect();
                    diff.push(format!("not expected at {}", extra.join(", ")));
                }
                if !diff.is_empty() {
                    actual = format!("{actual} ({})", diff.join("; "));
                }
                missing.is_empty() && remaining.is_empty()
            }
            Expect::Pass => !states.is_empty() && states.iter().all(|s| *s == CheckState::Pass),
            Expect::Unknown => hits.is_empty() && states.contains(&CheckState::Unknown),
            Expect::NotApplicable => {
                !states.is_empty() && states.iter().all(|s| *s == CheckState::NotApplicable)
            }
            Expect::Suppressed => hits.is_empty() && states.contains(&CheckState::Suppressed),
        };
        if !ok {
            let rule = if written.eq_ignore_ascii_case(id) {
                id.clone()
            } else {
                format!("{written} (now {id})")
            };
            failures.push(format!(
                "{rule}: expected {}, got {actual}",
                expect.describe()
            ));
        }
    }
    failures
}

pub(super) fn describe_actual(hits: &[(String, u32)], states: &[CheckState]) -> String {
    if !hits.is_empty() {
        let at: Vec<String> = hits.iter().map(|(f, l)| place(Some(f), *l)).collect();
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
