//! The config file `.fitscan.yaml`: a repository's defaults for outputs and gates, its rule
//! selection and severity overrides, per-path ignores, extra rules, metrics and catalog
//! files, and right-sizing assumptions. Found by walking up from the working directory (or
//! named with `--config`); the command line overrides it.
//!
//! One table, [`KEYS`], describes every key: the parser checks keys and value types against
//! it and `fitscan config schema` generates the JSON Schema from it, so the two cannot drift.
//! Paths in the file are relative to the file's folder.

use crate::source::AuxiliaryError;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use serde_json::{Value as Json, json};

use crate::model::{Location, Phase, Severity};
use crate::node::{Node, Value};
use crate::report::Format;
use crate::report::outputs::OutputSpec;
use crate::rules::loader::suggest;
use crate::scan::policy::{ConfigError, PathIgnore, Policy, Selector, normalise};
use crate::sizing::rightsize::SizingOptions;
use crate::{Error, Gate, yaml};

/// The names looked for in each folder, in order.
pub const FILE_NAMES: &[&str] = &[".fitscan.yaml", ".fitscan.yml"];

/// `--fail-on` / `fail-on:`: a severity, or never.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    At(Severity),
    Never,
}

impl FailOn {
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::At(s) => Some(s),
            FailOn::Never => None,
        }
    }
}

impl FromStr for FailOn {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "never" {
            return Ok(FailOn::Never);
        }
        s.parse::<Severity>()
            .map(FailOn::At)
            .map_err(|_| format!("`{s}`: expected error, warning, info or never"))
    }
}

/// Headroom in percent (`30`, `30%`, `0`) as a fraction. A bare value between 0 and 1 is
/// refused as ambiguous: `0.3` may mean 0.3 % or 30 %.
pub fn parse_headroom(s: &str) -> Result<f64, String> {
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

/// The oversize threshold in percent (`25`, `25%`) as a fraction: above 0, at most 100.
pub fn parse_oversize_threshold(s: &str) -> Result<f64, String> {
    let text = s.trim().trim_end_matches('%').trim();
    let v: f64 = text
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| format!("`{s}` is not a percentage"))?;
    if !(v > 0.0 && v <= 100.0) {
        return Err(format!(
            "`{s}`: the oversize threshold is a percentage of the current size, above 0 and at most 100"
        ));
    }
    if v < 1.0 && !s.contains('%') {
        return Err(format!(
            "`{s}` is ambiguous: the threshold is in percent; write {} for {}% or {s}% for {s}%",
            v * 100.0,
            v * 100.0
        ));
    }
    Ok(v / 100.0)
}

/// Person-days per effort point: a positive number.
pub fn parse_days_per_point(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 100.0 => Ok(v),
        _ => Err(format!(
            "`{s}`: person-days per effort point must be a number above 0 (at most 100)"
        )),
    }
}

/// A percentile above 0 and at most 100 (`95`, `p95`).
pub fn parse_percentile(s: &str) -> Result<f64, String> {
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

/// The shape of a key's value.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Bool,
    /// A whole number, 0 or more.
    Count,
    /// Percent: a number or `"30%"`.
    Headroom,
    Percentile,
    /// The oversize threshold: a percentage above 0, at most 100.
    Threshold,
    /// Person-days per effort point.
    DaysPerPoint,
    Choice(&'static [&'static str]),
    /// A path relative to the config file.
    Path,
    /// A path or a list of paths.
    Paths,
    /// A rule id or id prefix, or a list of them.
    Ids,
    /// `FORMAT[=PATH]` or a list of them.
    Formats,
    /// A mapping from rule id or prefix to a severity.
    SeverityMap,
    /// A list of `{path, rules, reason}`.
    PathIgnores,
    /// A list of `{name, folder, annotation, cluster, role}` (`src/clusters/mapping.rs`).
    KubernetesClusters,
    /// A list of `{cluster, role, reason}` (`src/clusters/reservations.rs`).
    KubernetesReservations,
}

pub struct Key {
    pub name: &'static str,
    kind: Kind,
    pub help: &'static str,
}

const SEVERITIES: &[&str] = &["error", "warning", "info"];

/// The built-in migration targets (`targets/*.yaml`; a test keeps the two lists equal).
pub const TARGETS: &[&str] = &["azure", "aws", "gcp", "vsphere", "openstack", "kubernetes"];

/// Every key of `.fitscan.yaml`.
pub const KEYS: &[Key] = &[
    Key {
        name: "format",
        kind: Kind::Formats,
        help: "Outputs when --format is not given: FORMAT or FORMAT=PATH (one may go to standard output), e.g. [table, sarif=fitscan.sarif, junit=fitscan.xml].",
    },
    Key {
        name: "fail-on",
        kind: Kind::Choice(&["error", "warning", "info", "never"]),
        help: "Exit 1 when a finding at or above this severity is reported (default error).",
    },
    Key {
        name: "min-phase",
        kind: Kind::Choice(&["unchanged", "optimised", "optimized", "purpose-built"]),
        help: "Exit 1 when a workload is below this phase.",
    },
    Key {
        name: "max-findings",
        kind: Kind::Count,
        help: "Exit 1 when more findings than this are reported (any severity, file errors included).",
    },
    Key {
        name: "select",
        kind: Kind::Ids,
        help: "Run only the rules with these ids or id prefixes (e.g. [VM, K8S001]); default: all.",
    },
    Key {
        name: "ignore",
        kind: Kind::Ids,
        help: "Do not run the rules with these ids or id prefixes.",
    },
    Key {
        name: "severity",
        kind: Kind::SeverityMap,
        help: "Severity overrides by rule id or prefix (the most specific wins), e.g. {VM003: info}. They change reporting and gating, not the phase ladder.",
    },
    Key {
        name: "per-path-ignores",
        kind: Kind::PathIgnores,
        help: "Findings of the listed rules (or `all`) are suppressed, with an optional reason, when a glob matches the file the finding is in or the file its workload is reported at. Globs are relative to this file's folder; a glob without `/` matches at any depth; a folder matches everything under it.",
    },
    Key {
        name: "no-inline-ignores",
        kind: Kind::Bool,
        help: "Disregard every inline suppression (Dockerfile comments, Kubernetes annotations, VM spec `ignore:` lists): central policy only.",
    },
    Key {
        name: "rules",
        kind: Kind::Paths,
        help: "Extra rule files or folders, added to the built-in rules.",
    },
    Key {
        name: "no-default-rules",
        kind: Kind::Bool,
        help: "Leave the built-in rules out.",
    },
    Key {
        name: "baseline",
        kind: Kind::Path,
        help: "Baseline file: report and gate only on findings not in it (--baseline).",
    },
    Key {
        name: "metrics",
        kind: Kind::Paths,
        help: "Utilisation metrics CSV files joined to workloads by name (--metrics).",
    },
    Key {
        name: "catalog",
        kind: Kind::Path,
        help: "Size catalog for right-sizing recommendations (--catalog).",
    },
    Key {
        name: "headroom",
        kind: Kind::Headroom,
        help: "Headroom added to demand when right-sizing, in percent (default 30; 0 sizes to demand).",
    },
    Key {
        name: "percentile",
        kind: Kind::Percentile,
        help: "Percentile of utilisation taken as demand (default 95).",
    },
    Key {
        name: "oversize-threshold",
        kind: Kind::Threshold,
        help: "Share of the current size a recommendation must reclaim (besides one step of the size ladder) to call a size oversized, in percent (default 25).",
    },
    Key {
        name: "effort-days-per-point",
        kind: Kind::DaysPerPoint,
        help: "Person-days one effort point stands for in reports (default 1; see docs/effort.md).",
    },
    Key {
        name: "kubernetes-clusters",
        kind: Kind::KubernetesClusters,
        help: "VMs that are Kubernetes nodes, ahead of the built-in recognition: a list of {name, folder, annotation: REGEX (case-insensitive; every one given must match), cluster: NAME ($1 takes a group; `none`: not Kubernetes nodes), role: control-plane | worker}. The first entry that matches decides (see docs/kubernetes-platform.md).",
    },
    Key {
        name: "target",
        kind: Kind::Choice(TARGETS),
        help: "Migration target VMs are judged for (--target): ready, conditionally-ready or not-ready, from targets/*.yaml (see docs/readiness.md); default: the platform-neutral checks only.",
    },
    Key {
        name: "kubernetes-reservations",
        kind: Kind::KubernetesReservations,
        help: "Where Kubernetes node VMs may hold CPU or memory reservations (KC015): a list of {cluster: REGEX (case-insensitive), role: control-plane | worker (default: both), reason: TEXT}. Nodes that carry a data-plane CNF may always hold them.",
    },
];

const PATH_IGNORE_KEYS: &[&str] = &["path", "rules", "reason"];

/// A parsed config file. Paths are resolved against the file's folder.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file as shown in messages.
    pub display: String,
    /// The file's folder, absolute.
    pub dir: PathBuf,
    pub formats: Vec<OutputSpec>,
    pub fail_on: Option<FailOn>,
    pub min_phase: Option<Phase>,
    pub max_findings: Option<usize>,
    pub select: Vec<Selector>,
    pub ignore: Vec<Selector>,
    pub severity: Vec<(Selector, Severity)>,
    pub per_path_ignores: Vec<PathIgnore>,
    pub no_inline_ignores: bool,
    pub rules: Vec<PathBuf>,
    pub no_default_rules: bool,
    pub baseline: Option<PathBuf>,
    pub metrics: Vec<PathBuf>,
    pub catalog: Option<PathBuf>,
    /// A fraction (0.3 for 30 %).
    pub headroom: Option<f64>,
    pub percentile: Option<f64>,
    /// A fraction (0.25 for 25 %).
    pub oversize_threshold: Option<f64>,
    pub effort_days_per_point: Option<f64>,
    pub kubernetes_clusters: Vec<crate::clusters::mapping::Mapping>,
    pub kubernetes_reservations: crate::clusters::reservations::ReservationPolicy,
    pub target: Option<String>,
}

struct Parser<'a> {
    file: &'a Arc<str>,
    dir: &'a Path,
}

impl Parser<'_> {
    fn loc(&self, node: &Node) -> Location {
        Location {
            file: Arc::clone(self.file),
            line: node.line,
        }
    }

    fn err(&self, node: &Node, message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: self.file.to_string(),
            line: node.line,
            column: node.column,
            message: message.into(),
        }
    }

    fn text(&self, node: &Node, key: &str) -> Result<String, ConfigError> {
        match &node.value {
            Value::Str(s) if !s.trim().is_empty() => Ok(s.clone()),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                Ok(node.scalar_text().unwrap_or_default())
            }
            _ => Err(self.err(node, format!("`{key}` must be non-empty text"))),
        }
    }

    /// Text or a list of text, each with its node.
    fn texts<'n>(&self, node: &'n Node, key: &str) -> Result<Vec<(String, &'n Node)>, ConfigError> {
        match &node.value {
            Value::Seq(items) => items
                .iter()
                .map(|i| self.text(i, key).map(|t| (t, i)))
                .collect(),
            Value::Null => Ok(Vec::new()),
            _ => Ok(vec![(self.text(node, key)?, node)]),
        }
    }

    fn path(&self, text: &str) -> PathBuf {
        normalise(&self.dir.join(text))
    }

    fn ids(&self, node: &Node, key: &str) -> Result<Vec<Selector>, ConfigError> {
        self.texts(node, key)?
            .into_iter()
            .map(|(t, n)| {
                let t = t.trim().to_string();
                let valid = t
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
                if valid {
                    Ok(Selector::new(t, Some(self.loc(n))))
                } else {
                    Err(self.err(n, format!("`{key}`: `{t}` is not a rule id or id prefix")))
                }
            })
            .collect()
    }

    fn choice(&self, node: &Node, key: &str, choices: &[&str]) -> Result<String, ConfigError> {
        let t = self.text(node, key)?;
        if choices.contains(&t.as_str()) {
            Ok(t)
        } else {
            Err(self.err(
                node,
                format!(
                    "`{key}`: `{t}` is not one of {}{}",
                    choices.join(", "),
                    suggest(&t, choices)
                ),
            ))
        }
    }

    fn path_ignores(&self, node: &Node) -> Result<Vec<PathIgnore>, ConfigError> {
        let Some(items) = node.as_seq() else {
            return Err(self.err(
                node,
                "`per-path-ignores` must be a list of {path, rules, reason}",
            ));
        };
        let mut out = Vec::new();
        for item in items {
            let Some(entries) = item.as_map() else {
                return Err(self.err(
                    item,
                    "each per-path ignore is a mapping: {path: GLOB, rules: [ID, ...], reason: TEXT}",
                ));
            };
            for e in entries {
                if !PATH_IGNORE_KEYS.contains(&e.key.as_str()) {
                    return Err(self.err(
                        &e.value,
                        format!(
                            "unknown key `{}` in a per-path ignore{} (expected path, rules, reason)",
                            e.key,
                            suggest(&e.key, PATH_IGNORE_KEYS)
                        ),
                    ));
                }
            }
            let path_node = item.get("path").ok_or_else(|| {
                self.err(
                    item,
                    "a per-path ignore needs `path` (a glob or a list of globs)",
                )
            })?;
            let rules_node = item.get("rules").ok_or_else(|| {
                self.err(item, "a per-path ignore needs `rules` (rule ids, or `all`)")
            })?;
            let patterns: Vec<(String, Location)> = self
                .texts(path_node, "path")?
                .into_iter()
                .map(|(t, n)| (t, self.loc(n)))
                .collect();
            if patterns.is_empty() {
                return Err(self.err(path_node, "`path` needs at least one glob"));
            }
            let rules: Vec<(String, Location)> = self
                .ids(rules_node, "rules")?
                .into_iter()
                .map(|s| {
                    let at = s.at.unwrap_or_else(|| self.loc(rules_node));
                    (s.text, at)
                })
                .collect();
            if rules.is_empty() {
                return Err(self.err(rules_node, "`rules` needs at least one rule id (or `all`)"));
            }
            let reason = match item.get("reason") {
                None => None,
                Some(n) if n.is_null() => None,
                Some(n) => Some(self.text(n, "reason")?.trim().to_string()),
            };
            out.push(PathIgnore::new(
                patterns,
                rules,
                reason,
                self.loc(item),
                self.dir.to_path_buf(),
            )?);
        }
        Ok(out)
    }
}

/// Parses a config file's text. `display` names it in errors; `dir` is its folder
/// (absolute), against which its paths are resolved.
pub fn parse(text: &str, display: &str, dir: &Path) -> Result<Config, ConfigError> {
    let file: Arc<str> = Arc::from(display);
    let p = Parser { file: &file, dir };
    let mut config = Config {
        display: display.to_string(),
        dir: dir.to_path_buf(),
        ..Config::default()
    };
    let docs = yaml::parse_documents(text).map_err(|e| ConfigError {
        file: display.to_string(),
        line: e.line.unwrap_or(0),
        column: 0,
        message: e.message,
    })?;
    if docs.len() > 1 {
        return Err(ConfigError {
            file: display.to_string(),
            line: docs[1].line,
            column: 0,
            message: "a config file holds one YAML document".to_string(),
        });
    }
    let Some(root) = docs.first() else {
        return Ok(config);
    };
    if root.is_null() {
        return Ok(config);
    }
    let Some(entries) = root.as_map() else {
        return Err(p.err(
            root,
            "the config file must be a mapping of keys (see `fitscan config schema`)",
        ));
    };
    let names: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
    for e in entries {
        let node = &e.value;
        let Some(key) = KEYS.iter().find(|k| k.name == e.key) else {
            return Err(p.err(
                node,
                format!(
                    "unknown key `{}`{} (see `fitscan config schema`)",
                    e.key,
                    suggest(&e.key, &names)
                ),
            ));
        };
        let name = key.name;
        match key.kind {
            Kind::Bool => {
                let b = node
                    .as_bool()
                    .ok_or_else(|| p.err(node, format!("`{name}` must be true or false")))?;
                match name {
                    "no-inline-ignores" => config.no_inline_ignores = b,
                    _ => config.no_default_rules = b,
                }
            }
            Kind::Count => {
                let n = match &node.value {
                    Value::Int(i) if *i >= 0 => usize::try_from(*i).ok(),
                    _ => None,
                }
                .ok_or_else(|| {
                    p.err(node, format!("`{name}` must be a whole number, 0 or more"))
                })?;
                config.max_findings = Some(n);
            }
            Kind::Headroom => {
                let t = p.text(node, name)?;
                config.headroom =
                    Some(parse_headroom(&t).map_err(|m| p.err(node, format!("`{name}`: {m}")))?);
            }
            Kind::Percentile => {
                let t = p.text(node, name)?;
                config.percentile =
                    Some(parse_percentile(&t).map_err(|m| p.err(node, format!("`{name}`: {m}")))?);
            }
            Kind::Threshold => {
                let t = p.text(node, name)?;
                config.oversize_threshold = Some(
                    parse_oversize_threshold(&t)
                        .map_err(|m| p.err(node, format!("`{name}`: {m}")))?,
                );
            }
            Kind::DaysPerPoint => {
                let t = p.text(node, name)?;
                config.effort_days_per_point = Some(
                    parse_days_per_point(&t).map_err(|m| p.err(node, format!("`{name}`: {m}")))?,
                );
            }
            Kind::Choice(choices) => {
                let t = p.choice(node, name, choices)?;
                let bad = |m: String| p.err(node, format!("`{name}`: {m}"));
                match name {
                    "fail-on" => config.fail_on = Some(t.parse().map_err(bad)?),
                    "target" => config.target = Some(t.to_string()),
                    _ => config.min_phase = Some(t.parse().map_err(bad)?),
                }
            }
            Kind::Path => {
                let path = Some(p.path(&p.text(node, name)?));
                match name {
                    "baseline" => config.baseline = path,
                    _ => config.catalog = path,
                }
            }
            Kind::Paths => {
                let paths: Vec<PathBuf> = p
                    .texts(node, name)?
                    .into_iter()
                    .map(|(t, _)| p.path(&t))
                    .collect();
                match name {
                    "rules" => config.rules = paths,
                    _ => config.metrics = paths,
                }
            }
            Kind::Ids => {
                let ids = p.ids(node, name)?;
                match name {
                    "select" => config.select = ids,
                    _ => config.ignore = ids,
                }
            }
            Kind::Formats => {
                for (t, n) in p.texts(node, name)? {
                    let mut spec: OutputSpec =
                        t.parse().map_err(|m| p.err(n, format!("`{name}`: {m}")))?;
                    spec.path = spec.path.map(|path| p.path(&path.to_string_lossy()));
                    config.formats.push(spec);
                }
            }
            Kind::SeverityMap => {
                let Some(map) = node.as_map() else {
                    return Err(p.err(node, "`severity` maps rule ids or prefixes to error, warning or info, e.g. {VM003: info}"));
                };
                for m in map {
                    let s: Severity = p
                        .choice(&m.value, &m.key, SEVERITIES)?
                        .parse()
                        .map_err(|msg: String| p.err(&m.value, msg))?;
                    let id_node = Node::str(m.key.clone(), m.value.line);
                    let mut ids = p.ids(&id_node, name)?;
                    if let Some(sel) = ids.pop() {
                        config.severity.push((sel, s));
                    }
                }
            }
            Kind::PathIgnores => config.per_path_ignores = p.path_ignores(node)?,
            Kind::KubernetesClusters => {
                config.kubernetes_clusters = crate::clusters::mapping::parse(node, p.file)?;
            }
            Kind::KubernetesReservations => {
                config.kubernetes_reservations =
                    crate::clusters::reservations::parse(node, p.file)?;
            }
        }
    }
    Ok(config)
}

/// The config file for a run: the one named, else the first found walking up from `cwd`,
/// else none. `display` paths are relative to `cwd` where possible.
pub fn load(explicit: Option<&Path>, cwd: &Path) -> Result<Option<Config>, Error> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => discover(cwd),
    };
    let Some(path) = path else {
        return Ok(None);
    };
    let absolute = normalise(&cwd.join(&path));
    let display = absolute.strip_prefix(cwd).map_or_else(
        |_| absolute.display().to_string(),
        |p| p.display().to_string(),
    );
    let text = crate::source::read_auxiliary_text(&absolute).map_err(|e| Error::Path {
        path: display.clone(),
        message: match e {
            AuxiliaryError::NotFound => "no such config file".to_string(),
            AuxiliaryError::Other(m) => format!("config file: {m}"),
        },
    })?;
    let dir = absolute.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(Some(parse(&text, &display, &dir)?))
}

/// The first `.fitscan.yaml` (or `.fitscan.yml`) in `start` or a folder above it. Anything
/// of that name counts (a link, a FIFO): reading it then says what is wrong with it, rather
/// than the run going on as if there were no config.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start.ancestors().find_map(|dir| {
        FILE_NAMES
            .iter()
            .map(|n| dir.join(n))
            .find(|p| std::fs::symlink_metadata(p).is_ok_and(|m| !m.is_dir()))
    })
}

/// What the command line said; `None` (or empty) means "not given", so that the config
/// file's value (or the default) applies.
#[derive(Debug, Clone, Default)]
pub struct CommandLine {
    pub formats: Vec<OutputSpec>,
    pub output: Option<PathBuf>,
    pub fail_on: Option<FailOn>,
    pub min_phase: Option<Phase>,
    pub max_findings: Option<usize>,
    pub headroom: Option<f64>,
    pub percentile: Option<f64>,
    pub oversize_threshold: Option<f64>,
    pub rules: Vec<PathBuf>,
    pub no_default_rules: bool,
    pub no_inline_ignores: bool,
    pub baseline: Option<PathBuf>,
    pub write_baseline: Option<PathBuf>,
    pub metrics: Vec<PathBuf>,
    pub catalog: Option<PathBuf>,
    pub target: Option<String>,
}

/// The settings of a run: command line over config file over defaults.
#[derive(Debug, Clone)]
pub struct Settings {
    pub outputs: Vec<OutputSpec>,
    pub gate: Gate,
    pub rules: Vec<PathBuf>,
    pub no_default_rules: bool,
    pub sizing: SizingOptions,
    /// Person-days one effort point stands for.
    pub effort_days_per_point: f64,
    pub policy: Policy,
    pub kubernetes_clusters: Vec<crate::clusters::mapping::Mapping>,
    pub kubernetes_reservations: crate::clusters::reservations::ReservationPolicy,
    /// The migration target (`--target`, else the config's).
    pub target: Option<String>,
    pub baseline: Option<PathBuf>,
    pub write_baseline: Option<PathBuf>,
    /// Metrics and catalog files (the command line's, else the config's), for the scan
    /// options that read them.
    pub metrics: Vec<PathBuf>,
    pub catalog: Option<PathBuf>,
    /// The config file in effect, as shown to the user.
    pub config: Option<String>,
}

pub fn resolve(cli: CommandLine, config: Option<Config>, cwd: &Path) -> Result<Settings, Error> {
    let config = config.unwrap_or_default();
    let formats = if cli.formats.is_empty() {
        config.formats
    } else {
        cli.formats
    };
    let outputs = crate::report::outputs::plan(formats, cli.output).map_err(Error::Usage)?;
    let fail_on = cli
        .fail_on
        .or(config.fail_on)
        .unwrap_or(FailOn::At(Severity::Error));
    let defaults = SizingOptions::default();
    let mut rules = config.rules;
    rules.extend(cli.rules);
    Ok(Settings {
        outputs,
        gate: Gate {
            fail_on: fail_on.threshold(),
            min_phase: cli.min_phase.or(config.min_phase),
            max_findings: cli.max_findings.or(config.max_findings),
        },
        rules,
        no_default_rules: cli.no_default_rules || config.no_default_rules,
        sizing: SizingOptions {
            headroom: cli
                .headroom
                .or(config.headroom)
                .unwrap_or(defaults.headroom),
            percentile: cli
                .percentile
                .or(config.percentile)
                .unwrap_or(defaults.percentile),
            oversize_threshold: cli
                .oversize_threshold
                .or(config.oversize_threshold)
                .unwrap_or(defaults.oversize_threshold),
            storage_max_fill: defaults.storage_max_fill,
        },
        effort_days_per_point: config.effort_days_per_point.unwrap_or(1.0),
        kubernetes_clusters: config.kubernetes_clusters,
        kubernetes_reservations: config.kubernetes_reservations,
        target: cli.target.or(config.target),
        policy: Policy {
            select: config.select,
            ignore: config.ignore,
            severity: config.severity,
            path_ignores: config.per_path_ignores,
            no_inline_ignores: cli.no_inline_ignores || config.no_inline_ignores,
            cwd: cwd.to_path_buf(),
        },
        baseline: cli.baseline.or(config.baseline),
        write_baseline: cli.write_baseline,
        metrics: if cli.metrics.is_empty() {
            config.metrics
        } else {
            cli.metrics
        },
        catalog: cli.catalog.or(config.catalog),
        config: (!config.display.is_empty()).then_some(config.display),
    })
}

fn kind_schema(kind: Kind) -> Json {
    let text_or_list =
        |item: Json| json!({ "anyOf": [item.clone(), { "type": "array", "items": item }] });
    let id = json!({ "type": "string", "pattern": "^[A-Za-z0-9_.-]+$" });
    match kind {
        Kind::Bool => json!({ "type": "boolean" }),
        Kind::Count => json!({ "type": "integer", "minimum": 0 }),
        Kind::Headroom => json!({ "anyOf": [
            { "type": "number", "minimum": 0, "maximum": 1000 },
            { "type": "string", "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*%\\s*$" }
        ] }),
        Kind::Percentile => json!({ "type": "number", "exclusiveMinimum": 0, "maximum": 100 }),
        Kind::Threshold => json!({ "anyOf": [
            { "type": "number", "exclusiveMinimum": 0, "maximum": 100 },
            { "type": "string", "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*%\\s*$" }
        ] }),
        Kind::DaysPerPoint => json!({ "type": "number", "exclusiveMinimum": 0, "maximum": 100 }),
        Kind::Choice(choices) => json!({ "type": "string", "enum": choices }),
        Kind::Path => json!({ "type": "string", "minLength": 1 }),
        Kind::Paths => text_or_list(json!({ "type": "string", "minLength": 1 })),
        Kind::Ids => text_or_list(id),
        Kind::Formats => {
            let names: Vec<&str> = Format::ALL.iter().map(|(n, _)| *n).collect();
            text_or_list(json!({
                "type": "string",
                "pattern": format!("^({})(=.+)?$", names.join("|")),
            }))
        }
        Kind::SeverityMap => json!({
            "type": "object",
            "propertyNames": { "pattern": "^[A-Za-z0-9_.-]+$" },
            "additionalProperties": { "type": "string", "enum": SEVERITIES },
        }),
        Kind::KubernetesClusters => json!({
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["cluster"],
                "properties": {
                    "name": { "type": "string" },
                    "folder": { "type": "string" },
                    "annotation": { "type": "string" },
                    "cluster": { "type": ["string", "null"] },
                    "role": { "type": "string", "enum": ["control-plane", "worker"] },
                },
            },
        }),
        Kind::KubernetesReservations => json!({
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["cluster"],
                "properties": {
                    "cluster": { "type": "string", "minLength": 1 },
                    "role": { "type": "string", "enum": ["control-plane", "worker"] },
                    "reason": { "type": "string" },
                },
            },
        }),
        Kind::PathIgnores => json!({
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["path", "rules"],
                "properties": {
                    "path": kind_schema(Kind::Paths),
                    "rules": kind_schema(Kind::Ids),
                    "reason": { "type": "string" },
                },
            },
        }),
    }
}

/// The JSON Schema (draft 7) of `.fitscan.yaml`, generated from [`KEYS`].
pub fn schema() -> Json {
    let mut properties = serde_json::Map::new();
    for key in KEYS {
        let mut s = kind_schema(key.kind);
        s["description"] = json!(key.help);
        properties.insert(key.name.to_string(), s);
    }
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://github.com/fitscan/fitscan/blob/main/docs/fitscan-config.schema.json",
        "title": "fitscan configuration (.fitscan.yaml)",
        "description": "Defaults for `fitscan scan`; command-line flags override them. Paths are relative to the file's folder.",
        "type": "object",
        "additionalProperties": false,
        "properties": properties,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = "\
format: [table, sarif=out/fitscan.sarif]
fail-on: warning
min-phase: optimized
max-findings: 12
select: [VM]
ignore: VM014
severity: { VM003: info, VM: warning }
per-path-ignores:
  - path: legacy/**
    rules: [VM005, VM012]
    reason: vendor appliances, OPS-12
no-inline-ignores: true
rules: [policies]
no-default-rules: false
baseline: .fitscan-baseline.json
metrics: [metrics/util.csv]
catalog: sizes.yaml
headroom: 20%
percentile: p90
oversize-threshold: 30
effort-days-per-point: 0.5
kubernetes-clusters:
  - { name: '^pay-ctl-', cluster: payments, role: control-plane }
kubernetes-reservations:
  - { cluster: '^telco-', role: worker, reason: DPDK user plane }
target: azure
";

    fn parse_ok(text: &str) -> Config {
        parse(text, ".fitscan.yaml", Path::new("/repo")).unwrap_or_else(|e| panic!("{e}"))
    }

    fn parse_err(text: &str) -> String {
        match parse(text, ".fitscan.yaml", Path::new("/repo")) {
            Ok(_) => panic!("expected an error for {text}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn every_key_parses() {
        let c = parse_ok(FULL);
        for key in KEYS {
            assert!(FULL.contains(&format!("\n{}:", key.name)) || FULL.starts_with(key.name));
        }
        assert_eq!(c.formats.len(), 2);
        assert_eq!(
            c.formats[1].path,
            Some(PathBuf::from("/repo/out/fitscan.sarif"))
        );
        assert_eq!(c.fail_on, Some(FailOn::At(Severity::Warning)));
        assert_eq!(c.min_phase, Some(Phase::Optimised));
        assert_eq!(c.max_findings, Some(12));
        assert_eq!(c.select[0].text, "VM");
        assert_eq!(c.ignore[0].at.as_ref().map(|l| l.line), Some(6));
        assert_eq!(c.severity.len(), 2);
        assert_eq!(c.per_path_ignores[0].rules[1].1.line, 10);
        assert_eq!(
            c.per_path_ignores[0].reason.as_deref(),
            Some("vendor appliances, OPS-12")
        );
        assert!(c.no_inline_ignores);
        assert_eq!(c.rules, vec![PathBuf::from("/repo/policies")]);
        assert_eq!(
            c.baseline,
            Some(PathBuf::from("/repo/.fitscan-baseline.json"))
        );
        assert_eq!(c.metrics, vec![PathBuf::from("/repo/metrics/util.csv")]);
        assert_eq!(c.catalog, Some(PathBuf::from("/repo/sizes.yaml")));
        assert_eq!(c.headroom, Some(0.2));
        assert_eq!(c.percentile, Some(90.0));
        assert_eq!(c.oversize_threshold, Some(0.3));
        assert_eq!(c.effort_days_per_point, Some(0.5));
    }

    #[test]
    fn unknown_keys_name_file_line_and_a_hint() {
        let e = parse_err("fail-on: error\nfail_on: warning\n");
        assert!(e.starts_with(".fitscan.yaml:2:"), "{e}");
        assert!(e.contains("unknown key `fail_on`"), "{e}");
        assert!(e.contains("did you mean `fail-on`"), "{e}");
        let e = parse_err("per-path-ignores:\n  - path: a\n    rule: [VM001]\n");
        assert!(e.starts_with(".fitscan.yaml:3:"), "{e}");
        assert!(e.contains("did you mean `rules`"), "{e}");
    }

    #[test]
    fn bad_values_name_their_line() {
        let cases = [
            ("fail-on: warnings\n", "did you mean `warning`"),
            ("max-findings: -1\n", "whole number"),
            ("headroom: 0.3\n", "ambiguous"),
            ("percentile: 120\n", "at most 100"),
            ("format: [yaml]\n", "unknown format `yaml`"),
            (
                "severity: {VM003: fatal}\n",
                "not one of error, warning, info",
            ),
            ("select: [\"VM 1\"]\n", "not a rule id"),
            ("per-path-ignores:\n  - rules: [VM001]\n", "needs `path`"),
            (
                "per-path-ignores:\n  - path: \"a/[\"\n    rules: [VM001]\n",
                "bad glob",
            ),
            ("no-inline-ignores: maybe\n", "true or false"),
            ("- a\n", "mapping of keys"),
            ("a: 1\n---\nb: 2\n", "one YAML document"),
            ("select: [VM\n", "invalid YAML"),
        ];
        for (text, expected) in cases {
            let e = parse_err(text);
            assert!(e.contains(expected), "{text:?}: {e}");
            assert!(e.starts_with(".fitscan.yaml:"), "{text:?}: {e}");
        }
    }

    #[test]
    fn an_empty_file_is_an_empty_config() {
        let c = parse_ok("# nothing yet\n");
        assert!(c.formats.is_empty() && c.fail_on.is_none());
    }

    #[test]
    fn the_command_line_wins_over_the_file() {
        let c = parse_ok(FULL);
        let cli = CommandLine {
            fail_on: Some(FailOn::Never),
            headroom: Some(0.0),
            rules: vec![PathBuf::from("mine")],
            ..CommandLine::default()
        };
        let s = resolve(cli, Some(c), Path::new("/repo")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.gate.fail_on, None);
        assert_eq!(s.gate.min_phase, Some(Phase::Optimised));
        assert_eq!(s.gate.max_findings, Some(12));
        assert_eq!(s.sizing.headroom, 0.0);
        assert_eq!(s.sizing.percentile, 90.0);
        assert_eq!(s.rules.len(), 2, "rule folders add up");
        assert_eq!(s.outputs.len(), 2);
        assert!(s.policy.no_inline_ignores);
        assert_eq!(s.target.as_deref(), Some("azure"));
        let cli = CommandLine {
            target: Some("aws".into()),
            ..CommandLine::default()
        };
        let s = resolve(cli, Some(parse_ok(FULL)), Path::new("/repo"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.target.as_deref(), Some("aws"));
        // The list `--target` offers is the list of target files.
        assert_eq!(TARGETS, crate::readiness::names().as_slice());
        let d =
            resolve(CommandLine::default(), None, Path::new("/")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.gate.fail_on, Some(Severity::Error));
        assert_eq!(d.sizing.headroom, 0.3);
        assert_eq!(d.outputs[0].format, Format::Table);
    }

    #[test]
    fn the_schema_lists_every_key_and_nothing_else() {
        let s = schema();
        let props = s["properties"].as_object().cloned().unwrap_or_default();
        assert_eq!(props.len(), KEYS.len());
        for key in KEYS {
            assert!(props.contains_key(key.name), "{}", key.name);
            assert!(props[key.name]["description"].is_string());
        }
        assert_eq!(s["additionalProperties"], json!(false));
    }

    #[test]
    fn the_readme_documents_every_key() {
        let readme = include_str!("../README.md");
        for key in KEYS {
            assert!(
                readme.contains(&format!("\n{}:", key.name)),
                "README's example config lacks `{}`",
                key.name
            );
            assert!(
                readme.contains(&format!("`{}`", key.name)),
                "README's key table lacks `{}`",
                key.name
            );
        }
    }

    #[test]
    fn the_readme_example_parses() {
        let readme = include_str!("../README.md");
        let example = readme
            .split("```yaml\n# .fitscan.yaml\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .unwrap_or_else(|| panic!("the README has an example .fitscan.yaml"));
        let c = parse_ok(example);
        assert_eq!(c.formats.len(), 3);
        assert_eq!(c.per_path_ignores.len(), 1);
    }

    #[test]
    fn discovery_walks_up() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let deep = dir.path().join("a/b");
        std::fs::create_dir_all(&deep).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(discover(&deep), None);
        std::fs::write(dir.path().join(".fitscan.yaml"), "fail-on: info\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(discover(&deep), Some(dir.path().join(".fitscan.yaml")));
        let c = load(None, &deep).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.and_then(|c| c.fail_on), Some(FailOn::At(Severity::Info)));
    }
}
