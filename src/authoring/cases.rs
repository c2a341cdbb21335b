//! Reading a rule's test cases (`tests:` in the rule file, or a pack's `*.tests.yaml`):
//! inputs, options, and what each case expects of the rule.

use std::fmt::Write;
use std::path::{Path as FsPath, PathBuf};

use super::testing::*;
use crate::node::{Node, Value};
use crate::rules::loader::{self, RuleError, suggest};
use crate::sizing::rightsize::SizingOptions;
use crate::source::SourceFile;
use crate::{ScanOptions, yaml};

pub(super) fn parse_cases(file: &str, text: &str, base: &FsPath) -> Result<Vec<Case>, RuleError> {
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
            cases.push(parse_case(file, item, base, None)?);
        }
    }
    Ok(cases)
}

/// The `tests` of each single-rule document of a rule file (a pack's are in `*.test.yaml`).
/// The rules themselves were checked by the loader.
pub(super) fn parse_rule_tests(
    file: &str,
    text: &str,
    base: &FsPath,
) -> Result<Vec<Case>, RuleError> {
    let docs = yaml::parse_documents(text).map_err(|e| RuleError {
        file: file.to_string(),
        line: e.line.unwrap_or(0),
        column: 0,
        message: e.message,
    })?;
    let mut cases = Vec::new();
    for doc in docs.iter().filter(|d| loader::is_single_rule(d)) {
        let (Some(id), Some(tests)) = (doc.get("id").and_then(Node::as_str), doc.get("tests"))
        else {
            continue;
        };
        let list = tests
            .as_seq()
            .ok_or_else(|| err(file, tests, "`tests` is a list of cases"))?;
        for item in list {
            cases.push(parse_case(file, item, base, Some(id))?);
        }
    }
    Ok(cases)
}

pub(super) const CASE_KEYS: &[&str] = &[
    "name", "files", "inline", "options", "errors", "expect", "metrics", "catalog",
];

/// One case; `rule` is the rule of a single-rule file, whose outcome `expect` is.
pub(super) fn parse_case(
    file: &str,
    node: &Node,
    base: &FsPath,
    rule: Option<&str>,
) -> Result<Case, RuleError> {
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
    // Everything the report depends on, for running a case shared by several rules once.
    let mut key = format!("{}\n", base.display());
    if let Some(list) = node.get("files") {
        let items = list
            .as_seq()
            .ok_or_else(|| err(file, list, "`files` is a list of paths"))?;
        for item in items {
            let rel = item
                .as_str()
                .ok_or_else(|| err(file, item, "a fixture path is text"))?;
            let path = base.join(rel);
            let _ = writeln!(key, "file {rel}");
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
                archive: None,
                in_place: false,
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
            let _ = writeln!(key, "inline {fname:?} {content:?}");
            let mut file = SourceFile::from_text(fname, content);
            // In a folder of its own, so that nothing about it comes from the folder a test
            // runs in (a Compose project's name and `.env`).
            file.path = FsPath::new("inline").join(fname);
            files.push(file);
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
            if e.key == "as_of" {
                // The day end-of-support dates are judged for: a case on either side of a
                // date stays true whatever day the tests run.
                let text = e.value.scalar_text().unwrap_or_default();
                let day = crate::lifecycle::Date::parse(&text)
                    .map_err(|m| err(file, &e.value, format!("`as_of`: {m}")))?;
                let _ = writeln!(key, "as_of {day}");
                options.as_of = Some(day);
                continue;
            }
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
                        format!("unknown option `{other}` (headroom, percentile, as_of)"),
                    ));
                }
            }
        }
    }
    options.sizing = sizing;
    let _ = writeln!(key, "sizing {} {}", sizing.headroom, sizing.percentile);
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
            let path = existing(item, "metrics file")?;
            let _ = writeln!(key, "metrics {}", path.display());
            options.metrics.push(path);
        }
    }
    if let Some(c) = node.get("catalog") {
        let path = existing(c, "catalog")?;
        let _ = writeln!(key, "catalog {}", path.display());
        options.catalog = Some(path);
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
    if let Some(id) = rule {
        let outcome = parse_expect(file, expect_node).map_err(|e| RuleError {
            message: format!(
                "{} (in a rule file, `expect` is the outcome of its rule)",
                e.message
            ),
            ..e
        })?;
        expect.push(Expectation {
            written: id.to_string(),
            id: id.to_string(),
            expect: outcome,
            line: expect_node.line,
        });
    }
    let listed = if rule.is_some() {
        &[][..]
    } else {
        expect_node
            .as_map()
            .ok_or_else(|| err(file, expect_node, "`expect` maps rule ids to outcomes"))?
    };
    for e in listed {
        expect.push(Expectation {
            written: e.key.clone(),
            id: e.key.clone(),
            expect: parse_expect(file, &e.value)?,
            line: e.value.line,
        });
    }
    Ok(Case {
        name,
        line: node.line,
        base: base.to_path_buf(),
        files,
        options,
        errors,
        expect,
        key,
    })
}

pub(super) fn parse_expect(file: &str, node: &Node) -> Result<Expect, RuleError> {
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
