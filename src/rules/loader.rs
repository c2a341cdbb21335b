//! Loads rule files and validates every field: a bad rule is an error naming the file, the
//! line, the column and the field, with a did-you-mean hint for misspelt keys.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path as FsPath, PathBuf};

use super::conditions::*;
use super::facts;
use super::path::{Path, Segment};
use super::template::Template;
use super::{Rule, RuleSet, RuleSource};
use crate::model::{Disposition, Level, Property, Severity, Target};
use crate::node::{Node, Value};
use crate::yaml;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

/// The default rule files compiled into the binary: (path under the repository, text).
pub fn embedded_files() -> &'static [(&'static str, &'static str)] {
    embedded::RULE_FILES
}

/// The default rule files as a scan reads them: in the order of [`embedded_files`], each
/// with its `tests:` section blanked out (every line keeps its number).
fn embedded_scan_texts() -> &'static [&'static str] {
    embedded::RULE_SCAN_TEXTS
}

/// The default rules' tests and fixtures compiled into the binary: (path under the
/// repository, content).
pub fn embedded_test_files() -> &'static [(&'static str, &'static [u8])] {
    embedded::RULE_TEST_FILES
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct RuleError {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => write!(f, "{}: {}", self.file, self.message),
            (l, 0) => write!(f, "{}:{}: {}", self.file, l, self.message),
            (l, c) => write!(f, "{}:{}:{}: {}", self.file, l, c, self.message),
        }
    }
}

pub(super) const RULE_KEYS: &[&str] = &[
    "id",
    "name",
    "target",
    "level",
    "property",
    "severity",
    "escalate",
    "weight",
    "effort",
    "gating",
    "disposition",
    "title",
    "message",
    "remediation",
    "rationale",
    "evidence",
    "needs",
    "applies",
    "when",
    "at",
    "tags",
    "links",
    "aliases",
];
pub(super) const FILE_KEYS: &[&str] = &["rules", "pack", "description"];
/// What a single-rule file holds besides the rule's own keys: its test cases.
pub(super) const SINGLE_RULE_FILE_KEYS: &[&str] = &["tests"];
pub(super) const OP_KEYS: &[&str] = &[
    "exists",
    "absent",
    "equals",
    "not_equals",
    "one_of",
    "not_one_of",
    "matches",
    "not_matches",
    "contains",
    "gt",
    "gte",
    "lt",
    "lte",
];
pub(super) const COMBINATOR_KEYS: &[&str] = &[
    "all", "any", "not", "some", "every", "none", "where", "path",
];
pub(super) const INSTRUCTION_KEYS: &[&str] = &["instruction", "stage", "matches", "not_matches"];

/// Where the relative paths of a condition start: the workload (top level), an element of
/// a list of facts (`some: facts.containers[*]`), or an element of a document list.
#[derive(Debug, Clone)]
pub(super) enum Scope {
    Root,
    Facts(Vec<Segment>),
    Document,
}

#[derive(Clone)]
pub(super) struct Ctx<'a> {
    pub(super) file: &'a str,
    pub(super) target: Option<Target>,
    pub(super) scope: Scope,
    /// A default rule: its patterns and the facts it reads were checked by the rule pack's
    /// tests; its patterns are compiled when first used.
    pub(super) embedded: bool,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(file: &'a str) -> Self {
        Ctx {
            file,
            target: None,
            scope: Scope::Root,
            embedded: false,
        }
    }

    pub(super) fn err(&self, node: &Node, message: impl Into<String>) -> RuleError {
        RuleError {
            file: self.file.to_string(),
            line: node.line,
            column: node.column,
            message: message.into(),
        }
    }

    /// The path under `facts.` that `path` reads here, if it reads facts at all.
    pub(super) fn fact_segments(&self, path: &Path) -> Option<Vec<Segment>> {
        match (&self.scope, path.absolute) {
            (_, true) | (Scope::Root, false) => path.is_fact().then(|| path.segments[1..].to_vec()),
            (Scope::Facts(prefix), false) => {
                Some(prefix.iter().chain(&path.segments).cloned().collect())
            }
            (Scope::Document, false) => None,
        }
    }

    /// A path that reads facts must read facts the rule's target provides (document paths
    /// are free: unknown fields are kept and matchable).
    pub(super) fn check_facts(&self, path: &Path, at: &Node) -> Result<(), RuleError> {
        // The default rules passed this check in their tests
        // (`the_default_rules_pass_every_check_a_users_rule_gets`); at start-up it was a
        // fifth of reading them.
        if self.embedded {
            return Ok(());
        }
        // No fact has a key `facts`: inside an element of a list of facts, `facts.x` is
        // the workload's fact the author meant.
        if !path.absolute && path.is_fact() && matches!(self.scope, Scope::Facts(_)) {
            return Err(self.err(
                at,
                format!(
                    "`{path}`: inside `some` / `every` / `none` a path is relative to the element; write `$.{path}` for the workload's facts"
                ),
            ));
        }
        let (Some(target), Some(segments)) = (self.target, self.fact_segments(path)) else {
            return Ok(());
        };
        facts::check(target, &segments).map_err(|message| self.err(at, message))
    }

    /// The context of the conditions on each element of `list`.
    pub(super) fn element(&self, list: &Path) -> Ctx<'a> {
        let scope = match self.fact_segments(list) {
            Some(segments) => Scope::Facts(segments),
            None => Scope::Document,
        };
        Ctx {
            scope,
            ..self.clone()
        }
    }
}

/// The form of a rule file's document: one rule with its test cases (`id: ...`,
/// `tests: [...]`; the default rules' `rules/<target>/<ID>-<name>.yaml`), or a pack
/// (`rules:` with a list of rules, or a bare list) whose tests sit in `*.test.yaml` files.
pub fn is_single_rule(doc: &Node) -> bool {
    doc.as_map().is_some() && doc.get("rules").is_none()
}

/// Parses every rule in one rule file.
pub fn parse_rule_file(file: &str, text: &str, embedded: bool) -> Result<Vec<Rule>, RuleError> {
    let docs = yaml::parse_documents(text).map_err(|e| RuleError {
        file: file.to_string(),
        line: e.line.unwrap_or(0),
        column: 0,
        message: e.message,
    })?;
    parse_rule_documents(file, text, &docs, embedded)
}

/// The rules of a file already parsed into `docs` (`text` is what they were parsed from).
fn parse_rule_documents(
    file: &str,
    text: &str,
    docs: &[Node],
    embedded: bool,
) -> Result<Vec<Rule>, RuleError> {
    let ctx = Ctx::new(file);
    // Split once: each rule's source is sliced from these (a file of 8,000 rules stays linear).
    let lines: Vec<&str> = text.lines().collect();
    let mut rules = Vec::new();
    for doc in docs {
        if is_single_rule(doc) {
            rules.push(parse_single_rule(&ctx, &lines, doc, embedded)?);
            continue;
        }
        let items: Vec<&Node> = match &doc.value {
            Value::Seq(items) => items.iter().collect(),
            Value::Map(_) if doc.get("rules").is_some() => {
                check_keys(&ctx, doc, FILE_KEYS, "rule file")?;
                match doc.get("rules").map(|r| &r.value) {
                    Some(Value::Seq(items)) => items.iter().collect(),
                    Some(Value::Null) => Vec::new(),
                    _ => {
                        let n = doc.get("rules").unwrap_or(doc);
                        return Err(ctx.err(n, "`rules` must be a list of rules"));
                    }
                }
            }
            _ => {
                return Err(ctx.err(
                    doc,
                    "a rule file holds `rules:` with a list of rules, a list of rules, or one rule",
                ));
            }
        };
        for item in items {
            let mut rule = parse_rule(file, item, embedded)?;
            rule.source_text = source_slice(&lines, item.line, item.column);
            rules.push(rule);
        }
    }
    Ok(rules)
}

/// One rule with its test cases: `tests` is checked here (its cases by `rules test`), and
/// the rule is parsed, and kept as written, without it.
pub(super) fn parse_single_rule(
    ctx: &Ctx<'_>,
    lines: &[&str],
    doc: &Node,
    embedded: bool,
) -> Result<Rule, RuleError> {
    let keys: Vec<&str> = RULE_KEYS
        .iter()
        .chain(SINGLE_RULE_FILE_KEYS)
        .copied()
        .collect();
    check_keys(ctx, doc, &keys, "rule").map_err(|e| {
        match doc.get("id").and_then(Node::as_str) {
            Some(id) => RuleError {
                message: format!("rule {id}: {}", e.message),
                ..e
            },
            None => e,
        }
    })?;
    let mut rule_node = doc.clone();
    if let Value::Map(entries) = &mut rule_node.value {
        entries.retain(|e| !SINGLE_RULE_FILE_KEYS.contains(&e.key.as_str()));
    }
    let mut rule = parse_rule(ctx.file, &rule_node, embedded)?;
    let mut written = source_slice(lines, doc.line, doc.column);
    for key in SINGLE_RULE_FILE_KEYS {
        written = without_top_level_key(&written, key);
    }
    rule.source_text = written;
    Ok(rule)
}

/// `text` (a rule as written, dedented) without the top-level `key` and what is indented
/// under it or listed after it.
pub(super) fn without_top_level_key(text: &str, key: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut skipping = false;
    for l in text.lines() {
        if !l.is_empty() && !l.starts_with([' ', '\t', '#', '-']) {
            skipping = l
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'));
        }
        if !skipping {
            out.push(l);
        }
    }
    without_trailing_comments(out)
}

pub(super) fn parse_rule(file: &str, node: &Node, embedded: bool) -> Result<Rule, RuleError> {
    let mut ctx = Ctx::new(file);
    ctx.embedded = embedded;
    if node.as_map().is_none() {
        return Err(ctx.err(
            node,
            "a rule must be a mapping with `id`, `target`, `level`, `when`, ...",
        ));
    }
    check_keys(&ctx, node, RULE_KEYS, "rule").map_err(|e| {
        match node.get("id").and_then(Node::as_str) {
            Some(id) => RuleError {
                message: format!("rule {id}: {}", e.message),
                ..e
            },
            None => e,
        }
    })?;
    let id = required_str(&ctx, node, "id")?;
    let valid_id = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if !valid_id {
        return Err(ctx.err(
            field(node, "id"),
            format!("rule id `{id}` may use only letters, digits, `-`, `_` and `.`"),
        ));
    }
    let with_id = |e: RuleError| RuleError {
        message: format!("rule {id}: {}", e.message),
        ..e
    };
    let mut inner = || -> Result<Rule, RuleError> {
        let targets: Vec<&str> = Target::ALL.iter().map(|t| t.as_str()).collect();
        let target: Target = parse_enum(&ctx, node, "target", None, &targets)?;
        ctx.target = Some(target);
        let properties: Vec<&str> = Property::ALL.iter().map(|p| p.as_str()).collect();
        let property: Option<Property> = match node.get("property") {
            None => None,
            Some(_) => Some(parse_enum(&ctx, node, "property", None, &properties)?),
        };
        // A gating rule's phase is its property's; advice names the phase it helps towards.
        let level: Level = parse_enum(
            &ctx,
            node,
            "level",
            property.map(Property::level),
            &["optimised", "purpose-built"],
        )?;
        if let Some(p) = property
            && p.level() != level
        {
            return Err(ctx.err(
                field(node, "level"),
                format!(
                    "`level: {}` contradicts `property: {p}`, which defines {} (leave `level` out)",
                    level.as_str(),
                    p.level().as_str()
                ),
            ));
        }
        let severity: Severity = parse_enum(
            &ctx,
            node,
            "severity",
            Some(Severity::Warning),
            &["error", "warning", "info"],
        )?;
        let default_disposition = match level {
            Level::Optimised => Disposition::Replatform,
            Level::PurposeBuilt => Disposition::Refactor,
        };
        let disposition: Disposition = parse_enum(
            &ctx,
            node,
            "disposition",
            Some(default_disposition),
            &["rehost", "replatform", "refactor"],
        )?;
        if !matches!(
            disposition,
            Disposition::Rehost | Disposition::Replatform | Disposition::Refactor
        ) {
            return Err(ctx.err(
                field(node, "disposition"),
                format!(
                    "`disposition: {}`: a rule's disposition says what fixing it needs, `replatform` (platform or configuration work) or `refactor` (code); retire, retain and none come from facts and the phase",
                    disposition.as_str()
                ),
            ));
        }
        let escalate = match node.get("escalate") {
            None => None,
            Some(e) => {
                check_keys(&ctx, e, &["severity", "when"], "escalate")?;
                let to: Severity =
                    parse_enum(&ctx, e, "severity", None, &["error", "warning", "info"])?;
                if to <= severity {
                    return Err(ctx.err(
                        field(e, "severity"),
                        format!(
                            "`escalate.severity: {}` must be above the rule's own severity ({})",
                            to.as_str(),
                            severity.as_str()
                        ),
                    ));
                }
                let when = e
                    .get("when")
                    .ok_or_else(|| ctx.err(e, "missing field `when` in `escalate`"))?;
                Some(super::Escalation {
                    severity: to,
                    when: parse_cond(&ctx, when)?,
                })
            }
        };
        let weight = optional_number(&ctx, node, "weight")?.unwrap_or(1.0);
        if !(weight > 0.0 && weight <= 1000.0) {
            return Err(ctx.err(
                field(node, "weight"),
                "`weight` must be a number above 0 (at most 1000)",
            ));
        }
        let effort = optional_number(&ctx, node, "effort")?.unwrap_or(1.0);
        if !(0.0..=10_000.0).contains(&effort) || effort.fract() != 0.0 {
            return Err(ctx.err(
                field(node, "effort"),
                "`effort` must be a whole number of points, 0 or more",
            ));
        }
        // `gating` is the older spelling: a rule gates a phase by naming the property it is
        // evidence for, and only then.
        if let Some(n) = node.get("gating") {
            let gating = n
                .as_bool()
                .ok_or_else(|| ctx.err(n, "`gating` must be true or false"))?;
            if gating && property.is_none() {
                return Err(ctx.err(
                    n,
                    format!(
                        "`gating: true` needs the property the rule is evidence for: add `property:` ({}); a rule without one is advice",
                        properties.join(", ")
                    ),
                ));
            }
            if !gating && property.is_some() {
                return Err(ctx.err(
                    n,
                    "`gating: false` contradicts `property:` (a rule that names a property gates its phase; leave `property` out for advice)",
                ));
            }
        }
        let gating = property.is_some();
        let title = required_str(&ctx, node, "title")?;
        let message_text = required_str(&ctx, node, "message")?;
        let message = Template::parse(&message_text)
            .map_err(|e| ctx.err(field(node, "message"), format!("`message`: {e}")))?;
        let remediation_text = required_str(&ctx, node, "remediation")?;
        let remediation = Template::parse(&remediation_text)
            .map_err(|e| ctx.err(field(node, "remediation"), format!("`remediation`: {e}")))?;
        for (key, template) in [("message", &message), ("remediation", &remediation)] {
            for path in template.paths() {
                ctx.check_facts(path, field(node, key))
                    .map_err(|e| RuleError {
                        message: format!("`{key}` placeholder {{{path}}}: {}", e.message),
                        ..e
                    })?;
            }
        }
        let evidence = optional_str(&ctx, node, "evidence")?;
        let rationale = optional_str(&ctx, node, "rationale")?.unwrap_or_default();
        let name = match optional_str(&ctx, node, "name")? {
            Some(n) => n,
            None => kebab(&title),
        };
        let needs = match node.get("needs") {
            None => Vec::new(),
            Some(n) => string_list(&ctx, n, "needs")?
                .into_iter()
                .map(|(text, at)| {
                    let path =
                        Path::parse(&text).map_err(|e| ctx.err(at, format!("`needs`: {e}")))?;
                    ctx.check_facts(&path, at)?;
                    Ok(path)
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        let applies = node
            .get("applies")
            .map(|n| parse_cond(&ctx, n))
            .transpose()?;
        let when_node = node
            .get("when")
            .ok_or_else(|| ctx.err(node, "missing field `when` (the failure condition)"))?;
        let when = parse_cond(&ctx, when_node)?;
        let at = match node.get("at") {
            None => None,
            Some(n) => {
                let text = n
                    .as_str()
                    .ok_or_else(|| ctx.err(n, "`at` must be a path"))?;
                let path = Path::parse(text).map_err(|e| ctx.err(n, format!("`at`: {e}")))?;
                ctx.check_facts(&path, n)?;
                Some(path)
            }
        };
        let list = |key: &str| -> Result<Vec<String>, RuleError> {
            match node.get(key) {
                None => Ok(Vec::new()),
                Some(n) => Ok(string_list(&ctx, n, key)?
                    .into_iter()
                    .map(|(s, _)| s)
                    .collect()),
            }
        };
        // Links end up in HTML and SARIF reports: only web addresses (not `javascript:`).
        if let Some(n) = node.get("links") {
            for (link, at) in string_list(&ctx, n, "links")? {
                let lower = link.trim_start().to_ascii_lowercase();
                if !(lower.starts_with("https://") || lower.starts_with("http://")) {
                    return Err(ctx.err(
                        at,
                        format!("`links`: `{link}` is not an http:// or https:// address"),
                    ));
                }
            }
        }
        Ok(Rule {
            id: id.clone(),
            name,
            target,
            level,
            property,
            severity,
            escalate,
            weight,
            effort: effort as u32,
            gating,
            disposition,
            title,
            message,
            remediation,
            rationale,
            evidence,
            needs,
            applies,
            when,
            at,
            tags: list("tags")?,
            links: list("links")?,
            aliases: list("aliases")?,
            source: RuleSource {
                file: file.to_string(),
                line: node.line,
                embedded,
            },
            raw: node.clone(),
            source_text: String::new(),
        })
    };
    inner().map_err(with_id)
}

/// A rule as written: from its first key to the last line indented under it, without the
/// list's `- `, dedented, and without trailing blank or comment lines (a comment above the
/// next rule is about that rule).
pub(super) fn source_slice(lines: &[&str], line: u32, column: u32) -> String {
    let start = (line.max(1) - 1) as usize;
    let Some(first) = lines.get(start) else {
        return String::new();
    };
    let indent = |l: &str| l.len() - l.trim_start_matches([' ', '\t']).len();
    // The column is 1-based, in characters; rule files indent with spaces.
    let col = (column.max(1) - 1) as usize;
    let lead: String = first.chars().take(col).collect();
    let col = if lead.chars().all(|c| c == ' ' || c == '-' || c == '\t') {
        lead.len()
    } else {
        indent(first)
    };
    let mut out: Vec<&str> = vec![first.get(col..).unwrap_or(first)];
    for l in &lines[start + 1..] {
        let trimmed = l.trim_start();
        let significant = !trimmed.is_empty() && !trimmed.starts_with('#');
        if l.starts_with("---") || l.starts_with("...") || (significant && indent(l) < col) {
            break;
        }
        out.push(if indent(l) >= col { &l[col..] } else { trimmed });
    }
    without_trailing_comments(out)
}

/// A rule's lines as text, without the blank and comment lines after it (they introduce
/// what follows in the file).
pub(super) fn without_trailing_comments(mut out: Vec<&str>) -> String {
    while out
        .last()
        .is_some_and(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        out.pop();
    }
    let mut joined = out.join("\n");
    joined.push('\n');
    joined
}

pub(super) fn field<'a>(node: &'a Node, key: &str) -> &'a Node {
    node.get(key).unwrap_or(node)
}

pub(super) fn required_str(ctx: &Ctx<'_>, node: &Node, key: &str) -> Result<String, RuleError> {
    match node.get(key) {
        None => Err(ctx.err(node, format!("missing field `{key}`"))),
        Some(n) => match n.scalar_text() {
            Some(s) if !s.trim().is_empty() => Ok(s.trim_end().to_string()),
            _ => Err(ctx.err(n, format!("`{key}` must be non-empty text"))),
        },
    }
}

pub(super) fn optional_str(
    ctx: &Ctx<'_>,
    node: &Node,
    key: &str,
) -> Result<Option<String>, RuleError> {
    match node.get(key) {
        None => Ok(None),
        Some(n) if n.is_null() => Ok(None),
        Some(n) => match n.scalar_text() {
            Some(s) => Ok(Some(s.trim_end().to_string())),
            None => Err(ctx.err(n, format!("`{key}` must be text"))),
        },
    }
}

pub(super) fn optional_number(
    ctx: &Ctx<'_>,
    node: &Node,
    key: &str,
) -> Result<Option<f64>, RuleError> {
    match node.get(key) {
        None => Ok(None),
        Some(n) => n
            .as_f64()
            .map(Some)
            .ok_or_else(|| ctx.err(n, format!("`{key}` must be a number"))),
    }
}

pub(super) fn parse_enum<T: std::str::FromStr<Err = String>>(
    ctx: &Ctx<'_>,
    node: &Node,
    key: &str,
    default: Option<T>,
    choices: &[&str],
) -> Result<T, RuleError> {
    match node.get(key) {
        None => default.ok_or_else(|| ctx.err(node, format!("missing field `{key}`"))),
        Some(n) => {
            let text = n
                .as_str()
                .ok_or_else(|| ctx.err(n, format!("`{key}` must be text")))?;
            text.parse::<T>()
                .map_err(|e| ctx.err(n, format!("`{key}`: {e}{}", suggest(text, choices))))
        }
    }
}

pub(super) fn string_list<'a>(
    ctx: &Ctx<'_>,
    node: &'a Node,
    key: &str,
) -> Result<Vec<(String, &'a Node)>, RuleError> {
    match &node.value {
        Value::Str(s) => Ok(vec![(s.clone(), node)]),
        Value::Seq(items) => items
            .iter()
            .map(|i| {
                i.scalar_text()
                    .filter(|s| !s.is_empty())
                    .map(|s| (s, i))
                    .ok_or_else(|| ctx.err(i, format!("`{key}` entries must be text")))
            })
            .collect(),
        _ => Err(ctx.err(node, format!("`{key}` must be a list of text"))),
    }
}

pub(super) fn check_keys(
    ctx: &Ctx<'_>,
    node: &Node,
    allowed: &[&str],
    what: &str,
) -> Result<(), RuleError> {
    for e in node.as_map().unwrap_or_default() {
        if !allowed.contains(&e.key.as_str()) {
            return Err(ctx.err(
                &e.value,
                format!(
                    "unknown field `{}` in {what}{}",
                    e.key,
                    suggest(&e.key, allowed)
                ),
            ));
        }
    }
    Ok(())
}

pub use crate::model::spelling::{closest, suggest};

pub(super) fn kebab(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Rule files under a directory (recursively, skipping `fixtures/` and `lifecycle/` folders and
/// `*.test.yaml` files), or the one file named.
pub fn rule_files(path: &FsPath) -> Result<Vec<PathBuf>, RuleError> {
    let meta = std::fs::metadata(path).map_err(|e| RuleError {
        file: path.display().to_string(),
        line: 0,
        column: 0,
        message: format!("cannot read rules: {e}"),
    })?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| RuleError {
            file: dir.display().to_string(),
            line: 0,
            column: 0,
            message: format!("cannot read rules folder: {e}"),
        })?;
        for entry in entries.flatten() {
            let p = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                if name != "fixtures" && name != "lifecycle" && !name.starts_with('.') {
                    stack.push(p);
                }
            } else if is_rule_file_name(&name) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

pub fn is_rule_file_name(name: &str) -> bool {
    (name.ends_with(".yaml") || name.ends_with(".yml")) && !is_test_file_name(name)
}

pub fn is_test_file_name(name: &str) -> bool {
    name.ends_with(".test.yaml") || name.ends_with(".test.yml")
}

pub fn load_path(path: &FsPath) -> Result<Vec<Rule>, RuleError> {
    let mut rules = Vec::new();
    for file in rule_files(path)? {
        let display = file.display().to_string();
        let text = crate::source::read_auxiliary_text(&file).map_err(|e| RuleError {
            file: display.clone(),
            line: 0,
            column: 0,
            message: match e {
                crate::source::AuxiliaryError::NotFound => "rule file: no such file".to_string(),
                crate::source::AuxiliaryError::Other(m) => format!("rule file: {m}"),
            },
        })?;
        rules.extend(parse_rule_file(&display, &text, false)?);
    }
    Ok(rules)
}

pub fn load_embedded() -> Result<Vec<Rule>, RuleError> {
    use rayon::prelude::*;
    // In parallel, on the pool of the caller (a scan's `--jobs`): reading the rules is most
    // of a one-file scan's start-up.
    let per_file: Vec<Vec<Rule>> = embedded_files()
        .par_iter()
        .zip(embedded_scan_texts())
        .zip(embedded::RULE_SCAN_NODES)
        .map(
            |(((file, _), text), nodes)| match nodes.and_then(crate::node_binary::decode) {
                Some(docs) => parse_rule_documents(file, text, &docs, true),
                None => parse_rule_file(file, text, true),
            },
        )
        .collect::<Result<_, _>>()?;
    Ok(per_file.into_iter().flatten().collect())
}

/// The embedded defaults (unless left out) plus every user rule path, with ids checked
/// for duplicates across all of them.
pub fn load(defaults: bool, extra: &[PathBuf]) -> Result<RuleSet, RuleError> {
    let mut rules = if defaults {
        load_embedded()?
    } else {
        Vec::new()
    };
    for p in extra {
        rules.extend(load_path(p)?);
    }
    check_unique(&rules)?;
    Ok(RuleSet::new(rules))
}

/// Ids and former ids (aliases) are unique across every rule loaded: a duplicate is an
/// error at the second one's `id` (or alias), naming where the first is.
pub fn check_unique(rules: &[Rule]) -> Result<(), RuleError> {
    let mut seen: HashMap<String, (&Rule, bool)> = HashMap::new();
    for r in rules {
        let alias_nodes: Vec<&Node> = match r.raw.get("aliases").map(|n| &n.value) {
            Some(Value::Seq(items)) => items.iter().collect(),
            Some(_) => r.raw.get("aliases").into_iter().collect(),
            None => Vec::new(),
        };
        let ids = std::iter::once((&r.id, false, r.raw.get("id"))).chain(
            r.aliases
                .iter()
                .enumerate()
                .map(|(i, a)| (a, true, alias_nodes.get(i).copied())),
        );
        for (id, alias, at) in ids {
            let key = id.to_ascii_uppercase();
            if let Some((first, first_alias)) = seen.get(&key) {
                let what = |is_alias: bool, rule: &Rule| {
                    if is_alias {
                        format!("a former id (alias) of {}", rule.id)
                    } else {
                        "a rule id".to_string()
                    }
                };
                let at = at.unwrap_or(&r.raw);
                return Err(RuleError {
                    file: r.source.file.clone(),
                    line: if at.line > 0 { at.line } else { r.source.line },
                    column: at.column,
                    message: format!(
                        "rule {}: duplicate id `{id}`: {} here, already {} at {}:{}; ids are never reused (give this rule a new number)",
                        r.id,
                        what(alias, r),
                        what(*first_alias, first),
                        first.source.file,
                        first.source.line
                    ),
                });
            }
            seen.insert(key, (r, alias));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Cond, Op};

    fn patterns<'a>(cond: &'a Cond, out: &mut Vec<&'a crate::pattern::Pattern>) {
        match cond {
            Cond::All(list) | Cond::Any(list) => list.iter().for_each(|c| patterns(c, out)),
            Cond::Not(c) => patterns(c, out),
            Cond::Some { cond, .. } | Cond::Every { cond, .. } | Cond::NoneOf { cond, .. } => {
                patterns(cond, out)
            }
            Cond::Test { op, .. } => {
                if let Op::Matches(p) | Op::NotMatches(p) = op {
                    out.push(p);
                }
            }
        }
    }

    /// Every pattern a rule holds: in `when`, `applies` and `escalate`.
    fn rule_patterns(rule: &Rule) -> Vec<&crate::pattern::Pattern> {
        let mut found = Vec::new();
        patterns(&rule.when, &mut found);
        if let Some(a) = &rule.applies {
            patterns(a, &mut found);
        }
        if let Some(e) = &rule.escalate {
            patterns(&e.when, &mut found);
        }
        found
    }

    /// A scan reads the default rules without their tests: the same rules, at the same lines,
    /// written the same.
    #[test]
    fn the_rules_a_scan_reads_are_the_files_without_their_tests() {
        assert_eq!(embedded_files().len(), embedded_scan_texts().len());
        for ((file, full), scan) in embedded_files().iter().zip(embedded_scan_texts()) {
            assert_eq!(full.lines().count(), scan.lines().count(), "{file}");
            assert!(!scan.contains("\ntests:"), "{file}");
            let a = parse_rule_file(file, full, true).unwrap();
            let b = parse_rule_file(file, scan, true).unwrap();
            assert_eq!(a.len(), b.len(), "{file}");
            for (a, b) in a.iter().zip(&b) {
                assert_eq!(
                    (&a.id, &a.source, &a.source_text, &a.title, &a.rationale),
                    (&b.id, &b.source, &b.source_text, &b.title, &b.rationale),
                    "{file}"
                );
                assert_eq!(format!("{:?}", a.when), format!("{:?}", b.when), "{file}");
            }
        }
    }

    /// The default rules skip, as they load, the checks that cannot fail on them (their
    /// facts, their patterns): read as a user's rules are, they pass every check.
    #[test]
    fn the_default_rules_pass_every_check_a_users_rule_gets() {
        for (file, text) in embedded_files() {
            if let Err(e) = parse_rule_file(file, text, false) {
                panic!("{e}");
            }
        }
    }

    /// A scan reads the default rules as the build parsed them: the documents their text
    /// parses into.
    #[test]
    fn the_parsed_default_rules_are_their_text_parsed() {
        let texts = embedded_scan_texts();
        assert_eq!(texts.len(), embedded::RULE_SCAN_NODES.len());
        for ((file, _), (text, nodes)) in embedded_files()
            .iter()
            .zip(texts.iter().zip(embedded::RULE_SCAN_NODES))
        {
            let parsed = yaml::parse_documents(text).unwrap();
            let decoded = nodes.and_then(crate::node_binary::decode);
            assert_eq!(decoded, Some(parsed), "{file}");
        }
    }

    /// The default rules' patterns are compiled on first use, where an error could no
    /// longer name the rule: every one of them must compile here.
    #[test]
    fn every_embedded_pattern_compiles() {
        let rules = load_embedded().unwrap();
        let mut count = 0;
        for rule in &rules {
            for p in rule_patterns(rule) {
                if let Err(e) = crate::pattern::Pattern::compile(p.as_str()) {
                    panic!("{} ({}): `{}`: {e}", rule.id, rule.source.file, p.as_str());
                }
                count += 1;
            }
        }
        assert!(count > 50, "only {count} patterns in the default rules");
    }

    /// On an ASCII text a pattern runs without Unicode: on every ASCII line of the rules'
    /// files, fixtures and tests, each default rule's pattern matches where the regular
    /// expression as written does.
    #[test]
    fn every_embedded_pattern_matches_ascii_text_as_written() {
        let mut texts: Vec<String> = Vec::new();
        for (_, content) in embedded_test_files() {
            let text = String::from_utf8_lossy(content);
            texts.extend(text.lines().filter(|l| l.is_ascii()).map(str::to_string));
        }
        for (_, text) in embedded_files() {
            texts.extend(
                text.lines()
                    .filter(|l| l.is_ascii())
                    .map(|l| l.trim().to_string()),
            );
        }
        let rules = load_embedded().unwrap();
        let (mut checked, mut matched) = (0, 0);
        for rule in &rules {
            for p in rule_patterns(rule) {
                let written = regex::Regex::new(p.as_str()).unwrap();
                for t in &texts {
                    let m = written.is_match(t);
                    assert_eq!(p.is_match(t), m, "{}: `{}` on `{t}`", rule.id, p.as_str());
                    matched += usize::from(m);
                }
                checked += 1;
            }
        }
        assert!(
            checked > 50 && matched > 1_000,
            "{checked} patterns, {matched} matches"
        );
    }

    const GOOD: &str = r#"
rules:
  - id: T001
    target: vm
    level: optimised
    severity: warning
    title: Big CPU
    message: "{name} has {facts.vcpu} vCPU"
    remediation: Shrink it.
    when: { path: facts.vcpu, gt: 8 }
"#;

    fn err(text: &str) -> RuleError {
        match parse_rule_file("r.yaml", text, false) {
            Ok(_) => panic!("expected an error for:\n{text}"),
            Err(e) => e,
        }
    }

    #[test]
    fn loads_a_good_rule_with_defaults() {
        let rules = parse_rule_file("r.yaml", GOOD, false).unwrap_or_default();
        assert_eq!(rules.len(), 1);
        let r = &rules[0];
        assert_eq!(r.name, "big-cpu");
        // no property: advice, never the phase
        assert!(!r.gating);
        assert_eq!(r.property, None);
        assert_eq!(r.weight, 1.0);
        assert_eq!(r.disposition, Disposition::Replatform);
        assert_eq!(r.source.line, 3);
    }

    #[test]
    fn a_property_makes_a_rule_gate_its_phase_and_is_checked() {
        let with = |extra: &str| GOOD.replace("    when:", &format!("{extra}    when:"));
        let rules = parse_rule_file("r.yaml", &with("    property: right-sized\n"), false)
            .unwrap_or_default();
        assert_eq!(rules[0].property, Some(Property::RightSized));
        assert!(rules[0].gating);
        assert_eq!(rules[0].level, Level::Optimised);
        let typo = err(&with("    property: rightsized\n"));
        assert!(
            typo.message.contains("did you mean `right-sized`"),
            "{typo}"
        );
        let contradiction = err(&GOOD.replace(
            "level: optimised",
            "level: purpose-built\n    property: right-sized",
        ));
        assert!(
            contradiction
                .message
                .contains("contradicts `property: right-sized`"),
            "{contradiction}"
        );
        let bare_gating = err(&with("    gating: true\n"));
        assert!(
            bare_gating.message.contains("needs the property"),
            "{bare_gating}"
        );
        // a property implies the level
        let no_level = GOOD
            .replace("    level: optimised\n", "")
            .replace("    when:", "    property: heals-itself\n    when:");
        let rules = parse_rule_file("r.yaml", &no_level, false).unwrap_or_default();
        assert_eq!(rules[0].level, Level::PurposeBuilt);
    }

    #[test]
    fn keeps_each_rule_as_written() {
        let text = "# pack header\nrules:\n  - id: A1 # first\n    target: vm\n    level: optimised\n    title: A\n    message: m\n    remediation: |\n      line one\n\n      line two\n    when: { path: spec.os, exists: true }\n\n  # about B1\n  - {id: B1, target: vm, level: optimised, title: B, message: m, remediation: r,\n     when: {path: spec.os, absent: true}}\npack: x\n";
        let rules = parse_rule_file("r.yaml", text, false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            rules[0].source_text,
            "id: A1 # first\ntarget: vm\nlevel: optimised\ntitle: A\nmessage: m\nremediation: |\n  line one\n\n  line two\nwhen: { path: spec.os, exists: true }\n"
        );
        assert_eq!(
            rules[1].source_text,
            "{id: B1, target: vm, level: optimised, title: B, message: m, remediation: r,\n when: {path: spec.os, absent: true}}\n"
        );
        let single = parse_rule_file("s.yaml", "id: S1\ntarget: vm\nlevel: optimised\ntitle: S\nmessage: m\nremediation: r\nwhen: {path: a, exists: true}\n---\n", false)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(single[0].source_text.starts_with("id: S1\n"));
        assert!(
            single[0]
                .source_text
                .ends_with("when: {path: a, exists: true}\n")
        );
    }

    #[test]
    fn a_single_rule_file_keeps_its_tests_out_of_the_rule() {
        let text = "# about S1\nid: S1\ntarget: vm\nlevel: optimised\ntitle: S\nmessage: m\nremediation: r\nwhen: {path: spec.os, exists: true}\n\n# cases\ntests:\n- name: fires\n  inline: [{name: a.yaml, content: x}]\n  expect: {fires: 1}\n";
        let rules = parse_rule_file("s.yaml", text, false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].source.line, 2);
        assert_eq!(
            rules[0].source_text,
            "id: S1\ntarget: vm\nlevel: optimised\ntitle: S\nmessage: m\nremediation: r\nwhen: {path: spec.os, exists: true}\n"
        );
        assert!(rules[0].raw.get("tests").is_none());
        // Rule keys after `tests` are the rule's.
        let later = "id: S2\ntarget: vm\nlevel: optimised\ntests:\n  - name: x\n    expect: pass\ntitle: S\nmessage: m\nremediation: r\nwhen: {path: spec.os, exists: true}\n";
        let rules = parse_rule_file("s.yaml", later, false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            rules[0].source_text,
            "id: S2\ntarget: vm\nlevel: optimised\ntitle: S\nmessage: m\nremediation: r\nwhen: {path: spec.os, exists: true}\n"
        );
    }

    #[test]
    fn tests_is_a_key_of_a_single_rule_file_only() {
        let single = "id: S1\ntarget: vm\nlevel: optimised\ntitle: S\nmessage: m\nremediation: r\nwhen: {path: spec.os, exists: true}\ntest: none\n";
        let e = err(single);
        assert_eq!(
            e.to_string(),
            "r.yaml:8:1: rule S1: unknown field `test` in rule (did you mean `tests`?)"
        );
        let e = err(&GOOD.replace("    when:", "    tests: []\n    when:"));
        assert!(
            e.message
                .contains("rule T001: unknown field `tests` in rule"),
            "{}",
            e.message
        );
        let e = err(&single.replace("test: none", "serverity: error"));
        assert_eq!(
            e.to_string(),
            "r.yaml:8:1: rule S1: unknown field `serverity` in rule (did you mean `severity`?)"
        );
    }

    #[test]
    fn every_default_rule_file_holds_one_rule_with_its_tests() {
        for (file, text) in embedded_files() {
            let rules = parse_rule_file(file, text, true).unwrap_or_else(|e| panic!("{e}"));
            let [rule] = rules.as_slice() else {
                panic!("{file}: {} rules, not one", rules.len());
            };
            let expected = format!(
                "rules/{}/{}-{}.yaml",
                rule.target.as_str(),
                rule.id,
                rule.name
            );
            assert_eq!(
                *file, expected,
                "a default rule's file is named by its id and name"
            );
            assert!(
                text.contains("\ntests:\n") && !rule.source_text.contains("tests:"),
                "{file}"
            );
        }
    }

    #[test]
    fn embedded_rules_load() {
        let rules = load(true, &[]);
        assert!(
            rules.as_ref().is_ok_and(|r| !r.is_empty()),
            "{:?}",
            rules.err()
        );
    }

    #[test]
    fn misspelt_field_names_file_line_and_hint() {
        let e = err(&GOOD.replace("severity: warning", "serverity: warning"));
        assert_eq!((e.file.as_str(), e.line), ("r.yaml", 6));
        assert!(
            e.message.contains("unknown field `serverity`"),
            "{}",
            e.message
        );
        assert!(
            e.message.contains("did you mean `severity`"),
            "{}",
            e.message
        );
        assert!(e.to_string().starts_with("r.yaml:6:"));
    }

    #[test]
    fn bad_regex_unknown_operator_and_target_are_errors() {
        let e = err(&GOOD.replace(
            "{ path: facts.vcpu, gt: 8 }",
            "{ path: facts.os, matches: \"(unclosed\" }",
        ));
        assert!(
            e.message.contains("bad regular expression"),
            "{}",
            e.message
        );
        assert_eq!(e.line, 10);
        let e = err(&GOOD.replace("gt: 8", "greater: 8"));
        assert!(
            e.message.contains("unknown operator `greater`"),
            "{}",
            e.message
        );
        assert!(
            e.message.contains("one of: exists, absent"),
            "{}",
            e.message
        );
        assert_eq!((e.line, e.column), (10, 31), "at the operator");
        let e = err(&GOOD.replace("gt: 8", "matchs: x"));
        assert!(
            e.message.contains("did you mean `matches`?"),
            "{}",
            e.message
        );
        let e = err(&GOOD.replace("gt: 8", "gte: lots"));
        assert!(e.message.contains("takes a number"), "{}", e.message);
        let e = err(&GOOD.replace("target: vm", "target: mainframe"));
        assert!(e.message.contains("unknown target"), "{}", e.message);
        assert!(e.message.starts_with("rule T001:"), "{}", e.message);
        assert_eq!((e.line, e.column), (4, 5));
        let e = err(&GOOD.replace("target: vm", "target: kubernets"));
        assert!(
            e.message.contains("did you mean `kubernetes`?"),
            "{}",
            e.message
        );
        let e = err(&GOOD.replace("level: optimised", "level: best"));
        assert!(e.message.contains("unknown level"), "{}", e.message);
    }

    #[test]
    fn missing_fields_and_bad_templates_are_errors() {
        let e = err(&GOOD.replace("    when: { path: facts.vcpu, gt: 8 }\n", ""));
        assert!(e.message.contains("missing field `when`"), "{}", e.message);
        let e = err(&GOOD.replace("{name} has", "{name has"));
        assert!(e.message.contains("not closed"), "{}", e.message);
        let e = err(&GOOD.replace(
            "{ path: facts.vcpu, gt: 8 }",
            "{ path: facts.vcpu, gt: 8, lt: 2 }",
        ));
        assert!(e.message.contains("exactly one operator"), "{}", e.message);
        let e = err(&GOOD.replace("{ path: facts.vcpu, gt: 8 }", "{ instruction: RUN }"));
        assert!(
            e.message
                .contains("only for rules with `target: dockerfile`"),
            "{}",
            e.message
        );
        let e = err("rules:\n  - 3\n");
        assert!(e.message.contains("must be a mapping"), "{}", e.message);
    }

    #[test]
    fn instruction_findings_show_the_arguments() {
        use crate::node::Node;
        use crate::rules::eval::{Outcome, evaluate};
        use crate::rules::path::Roots;
        let text = "id: D1\ntarget: dockerfile\nlevel: optimised\ntitle: t\nmessage: m\nremediation: r\nwhen: { instruction: [maintainer, env], matches: x }\n";
        let rules = parse_rule_file("d.yaml", text, false).unwrap_or_default();
        let doc = crate::yaml::parse_documents(
            "final:\n  instructions:\n    - { instruction: ENV, args: A=x }\n    - { instruction: RUN, args: x }\n",
        )
        .unwrap_or_default()
        .pop()
        .unwrap_or_else(Node::null);
        let facts = Node::map(0);
        let outcome = rules.first().map(|r| {
            evaluate(
                r,
                Roots {
                    doc: &doc,
                    facts: &facts,
                },
            )
        });
        match outcome {
            Some(Outcome::Fail(hits)) => {
                assert_eq!(hits.len(), 1);
                assert_eq!(hits[0].value.as_deref(), Some("A=x"));
                assert_eq!(hits[0].line, 3);
            }
            other => panic!("expected one finding, got {other:?}"),
        }
    }

    #[test]
    fn duplicate_ids_are_errors_at_the_second_id() {
        let twice = format!("{GOOD}{}", GOOD.replace("rules:\n", ""));
        let rules = parse_rule_file("r.yaml", &twice, false).unwrap_or_default();
        let e = check_unique(&rules)
            .err()
            .unwrap_or_else(|| panic!("no error"));
        assert!(e.message.contains("duplicate id `T001`"), "{}", e.message);
        assert!(
            e.message.contains("already a rule id at r.yaml:3"),
            "{}",
            e.message
        );
        assert_eq!((e.file.as_str(), e.line, e.column), ("r.yaml", 12, 5));
    }

    #[test]
    fn duplicate_ids_across_files_and_aliases_are_errors() {
        let mut rules = parse_rule_file("a.yaml", GOOD, false).unwrap_or_default();
        let renamed = GOOD
            .replace("id: T001", "id: T002")
            .replace("    when:", "    aliases: [X9, t001]\n    when:");
        rules.extend(parse_rule_file("b.yaml", &renamed, false).unwrap_or_default());
        let e = check_unique(&rules)
            .err()
            .unwrap_or_else(|| panic!("no error"));
        assert!(e.message.contains("duplicate id `t001`"), "{}", e.message);
        assert!(
            e.message
                .contains("a former id (alias) of T002 here, already a rule id at a.yaml:3"),
            "{}",
            e.message
        );
        assert_eq!((e.file.as_str(), e.line, e.column), ("b.yaml", 10, 19));
        // An alias taken by another rule's alias
        let mut rules = parse_rule_file("a.yaml", &renamed, false).unwrap_or_default();
        let other = renamed
            .replace("id: T002", "id: T003")
            .replace("[X9, t001]", "[x9]");
        rules.extend(parse_rule_file("c.yaml", &other, false).unwrap_or_default());
        let e = check_unique(&rules)
            .err()
            .unwrap_or_else(|| panic!("no error"));
        assert!(
            e.message
                .contains("already a former id (alias) of T002 at a.yaml:3"),
            "{}",
            e.message
        );
    }

    #[test]
    fn facts_no_input_provides_are_errors_with_a_hint() {
        // in `needs`
        let e = err(&GOOD.replace("    when:", "    needs: [facts.vcpus]\n    when:"));
        assert!(
            e.message.contains(
                "`facts.vcpus` is not a fact of vm workloads (did you mean `facts.vcpu`?)"
            ),
            "{}",
            e.message
        );
        assert_eq!((e.line, e.column), (10, 13));
        // in `when`, `applies` and `at`
        let e = err(&GOOD.replace("path: facts.vcpu", "path: facts.memory_gb"));
        assert!(
            e.message.contains("did you mean `facts.memory_gib`?"),
            "{}",
            e.message
        );
        assert_eq!(e.line, 10);
        let e = err(&GOOD.replace(
            "    when:",
            "    applies: { path: facts.replicas, gt: 1 }\n    when:",
        ));
        assert!(
            e.message.contains("(only of kubernetes, compose)"),
            "{}",
            e.message
        );
        let e = err(&GOOD.replace("    when:", "    at: facts.disk_cont\n    when:"));
        assert!(
            e.message.contains("did you mean `facts.disk_count`?"),
            "{}",
            e.message
        );
        // in a message placeholder
        let e = err(&GOOD.replace("{facts.vcpu} vCPU", "{facts.cpus} vCPU"));
        assert!(
            e.message.contains("`message` placeholder {facts.cpus}"),
            "{}",
            e.message
        );
        assert_eq!(e.line, 8);
        // inside `some`, paths are relative to the element
        let k8s = |cond: &str| {
            GOOD.replace("target: vm", "target: kubernetes")
                .replace("{facts.vcpu}", "{facts.replicas}")
                .replace("{ path: facts.vcpu, gt: 8 }", cond)
        };
        let ok = parse_rule_file(
            "k.yaml",
            &k8s(
                "{ some: 'facts.containers[*]', where: { path: livenessProbe.httpGet, absent: true } }",
            ),
            false,
        );
        assert!(ok.is_ok(), "{:?}", ok.err());
        let e = err(&k8s(
            "{ some: 'facts.autoscalers[*]', where: { path: min_replica, lt: 2 } }",
        ));
        assert!(
            e.message.contains("`facts.autoscalers[*].min_replica` is not a fact of kubernetes workloads (did you mean `facts.autoscalers[*].min_replicas`?)"),
            "{}",
            e.message
        );
        let e = err(&k8s(
            "{ some: 'facts.containers[*]', where: { path: facts.replicas, lt: 2 } }",
        ));
        assert!(
            e.message
                .contains("write `$.facts.replicas` for the workload's facts"),
            "{}",
            e.message
        );
        let ok = parse_rule_file(
            "k.yaml",
            &k8s("{ some: 'facts.containers[*]', where: { path: $.facts.replicas, lt: 2 } }"),
            false,
        );
        assert!(ok.is_ok(), "{:?}", ok.err());
        // document paths are free: unknown fields are kept and matchable
        let ok = parse_rule_file(
            "r.yaml",
            &GOOD.replace("path: facts.vcpu", "path: spec.costCentre"),
            false,
        );
        assert!(ok.is_ok(), "{:?}", ok.err());
    }

    #[test]
    fn every_fact_a_default_rule_uses_is_declared() {
        // Loading validates every `facts.` path against the declarations; this names the
        // rule when one is missing.
        for (file, text) in embedded_files() {
            if let Err(e) = parse_rule_file(file, text, true) {
                panic!("{e}");
            }
        }
    }

    #[test]
    fn suggestions_only_when_close() {
        assert_eq!(
            suggest("serverity", RULE_KEYS),
            " (did you mean `severity`?)"
        );
        assert_eq!(suggest("zzzzzz", RULE_KEYS), "");
    }
}
