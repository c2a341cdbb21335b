//! SARIF 2.1.0 (OASIS), for code scanning dashboards: one run, every rule that can fire as
//! a `reportingDescriptor`, and a result per finding, file error and unused suppression.
//! Suppressed findings are results too, with `suppressions` (so that dashboards show them
//! as accepted rather than lose them). Results are sorted by file, line and rule.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Value, json};

use crate::rules::template::Template;

use crate::model::Severity;

use crate::assessment::{
    Report, RuleInfo, SuppressionOrigin, UNUSED_SUPPRESSION_RULE, WorkloadReport,
};

/// Where each rule's documentation lives: `<base><ID>.md`. One place, so that moving the
/// docs is a one-line change.
pub const RULE_DOCS_BASE: &str = "https://github.com/fitscan/fitscan/blob/main/docs/rules/";
pub const INFORMATION_URI: &str = "https://github.com/fitscan/fitscan";
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// The base every relative artifact URI is resolved against: the folder fitscan ran in
/// (the repository root in CI).
pub const SRCROOT: &str = "%SRCROOT%";
/// Key of fitscan's fingerprint in `partialFingerprints` (versioned: a new formula is a
/// new key, so that dashboards do not mistake old alerts for new ones).
pub const FINGERPRINT_KEY: &str = "fitscan/v2";

pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Rules fitscan reports that are not in any rule pack: (id, title, severity, why, fix).
/// `fitscan rules docs` writes their pages too, so that every `helpUri` resolves.
pub const BUILTIN_RULES: &[(&str, &str, Severity, &str, &str)] = &[
    (
        "input-error",
        "A file could not be read",
        Severity::Error,
        "A file named for the scan could not be read, was too large, or is not an input fitscan recognises. Nothing in it was assessed.",
        "Check the path, the file's permissions and size (--max-file-size), or leave the file out of the scan.",
    ),
    (
        "parse-error",
        "A file could not be parsed",
        Severity::Error,
        "The file is one of fitscan's inputs but is malformed, so none of its workloads could be assessed: a broken file must never pass a gate silently.",
        "Fix the syntax at the line given (the message says what the parser expected).",
    ),
    (
        crate::model::TYPO_RULE,
        "Unknown field close to a known one",
        Severity::Warning,
        "A field one or two edits from a field fitscan reads (`memmory`, `ap`) is almost surely a typo: the value it holds is not read, and the checks that need the field are unknown or judged without it. The field is kept, for user rules that read it.",
        "Rename the field to the one the message names, or give a field of your own a name further from fitscan's.",
    ),
    (
        UNUSED_SUPPRESSION_RULE,
        "Suppression matches nothing",
        Severity::Info,
        "A suppression that matches no finding hides nothing today but would silently hide a new finding of that rule tomorrow; a typo in a rule id looks like a working suppression.",
        "Remove the rule id from the suppression (comment, annotation, `ignore:` list or per-path ignore), or correct it.",
    ),
];

/// Percent-encodes what a URI reference may not hold (RFC 3986), keeping `/`.
fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A rule's remediation as a reader sees it: literal braces unescaped (`{{` -> `{`), each
/// placeholder written by `placeholder`. In the markdown help, placeholders are code so that
/// they read as placeholders, not as prose.
fn readable_template(template: &str, placeholder: impl Fn(&str) -> String) -> String {
    match Template::parse(template) {
        Ok(t) => t.describe(placeholder),
        // Rules are validated at load, so this is a rule that never came through the loader.
        Err(_) => template.to_string(),
    }
}

/// Where a rule is documented: its page in fitscan's docs for a built-in rule; a user's rule
/// has no page there, so its own first web link is the best help.
pub(crate) fn help_uri(rule: &RuleInfo) -> Option<String> {
    match &rule.source {
        None => Some(format!(
            "{RULE_DOCS_BASE}{}.md",
            super::overview::encode_uri_component(&rule.id)
        )),
        Some(_) => rule
            .links
            .iter()
            .find(|l| l.starts_with("https://") || l.starts_with("http://"))
            .cloned(),
    }
}

fn descriptor(rule: &RuleInfo) -> Value {
    let full = if rule.rationale.trim().is_empty() {
        rule.title.clone()
    } else {
        rule.rationale.clone()
    };
    let mut help_text = format!(
        "Remediation: {}",
        readable_template(&rule.remediation, |p| format!("{{{p}}}"))
    );
    let mut help_md = format!(
        "**Remediation:** {}",
        readable_template(&rule.remediation, |p| format!("`{{{p}}}`"))
    );
    if !rule.rationale.trim().is_empty() {
        help_text.push_str(&format!(
            "\n\nWhy it matters for the {} phase: {}",
            rule.level.as_str(),
            rule.rationale
        ));
        help_md.push_str(&format!(
            "\n\n**Why it matters for the {} phase:** {}",
            rule.level.as_str(),
            rule.rationale
        ));
    }
    if let Some(evidence) = &rule.evidence {
        help_text.push_str(&format!("\n\nEvidence it needs: {evidence}"));
        help_md.push_str(&format!("\n\n**Evidence it needs:** {evidence}"));
    }
    for link in &rule.links {
        help_md.push_str(&format!("\n\n<{link}>"));
    }
    let mut d = json!({
        "id": rule.id,
        "name": rule.name,
        "shortDescription": { "text": rule.title },
        "fullDescription": { "text": full },
        "help": { "text": help_text, "markdown": help_md },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": {
            "level": rule.level.as_str(),
            "target": rule.target.as_str(),
            "tags": rule.tags,
            "severity": rule.severity.as_str(),
            "gating": rule.gating,
            "property": rule.property.map(|p| p.as_str()),
            "weight": rule.weight,
            "effort": rule.effort,
            "disposition": rule.disposition.as_str(),
        },
    });
    if let Some(uri) = help_uri(rule) {
        d["helpUri"] = Value::String(uri);
    }
    if !rule.aliases.is_empty() {
        d["deprecatedIds"] = json!(rule.aliases);
    }
    d
}

fn builtin_descriptor(
    (id, title, severity, why, fix): &(&str, &str, Severity, &str, &str),
) -> Value {
    json!({
        "id": id,
        "name": id,
        "shortDescription": { "text": title },
        "fullDescription": { "text": why },
        "help": {
            "text": format!("Remediation: {fix}\n\nWhy: {why}"),
            "markdown": format!("**Remediation:** {fix}\n\n**Why:** {why}"),
        },
        "helpUri": format!("{RULE_DOCS_BASE}{id}.md"),
        "defaultConfiguration": { "level": level(*severity) },
        "properties": { "tags": ["fitscan"], "severity": severity.as_str() },
    })
}

// Results are typed and borrow from the report: an estate yields hundreds of thousands of
// them, and a `serde_json::Value` per result costs gigabytes and seconds.

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: &'a str,
    fully_qualified_name: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation<'a>>,
}

#[derive(Serialize)]
struct Fingerprints<'a> {
    #[serde(rename = "fitscan/v2")]
    fitscan: &'a str,
}

#[derive(Serialize)]
struct SuppressionOut<'a> {
    kind: &'static str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'a str>,
    location: Location<'a>,
}

/// Properties of a result; which ones are present depends on what it reports.
#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct Properties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    workload: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    workload_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phase: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    generation: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remediation: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed_rule: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: [Location<'a>; 1],
    partial_fingerprints: Fingerprints<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SuppressionOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    #[serde(skip_serializing_if = "is_empty_properties")]
    properties: Properties<'a>,
    /// Sort key (not serialised): file, line, rule.
    #[serde(skip)]
    sort_file: &'a str,
    #[serde(skip)]
    sort_line: u32,
}

fn is_empty_properties(p: &Properties<'_>) -> bool {
    p.workload.is_none() && p.severity.is_none() && p.suppressed_rule.is_none()
}

fn artifact(path: &str) -> ArtifactLocation {
    let slashed = path.replace('\\', "/");
    let mut rel = slashed.as_str();
    while let Some(rest) = rel.strip_prefix("./") {
        rel = rest;
    }
    let bytes = rel.as_bytes();
    let windows_drive = bytes.len() > 2 && bytes[1] == b':' && bytes[2] == b'/';
    if rel.starts_with('/') {
        ArtifactLocation {
            uri: format!("file://{}", encode_uri_path(rel)),
            uri_base_id: None,
        }
    } else if windows_drive {
        let (drive, rest) = rel.split_at(2);
        ArtifactLocation {
            uri: format!("file:///{drive}{}", encode_uri_path(rest)),
            uri_base_id: None,
        }
    } else {
        ArtifactLocation {
            uri: encode_uri_path(rel),
            uri_base_id: Some(SRCROOT),
        }
    }
}

/// A path as reported (relative to where fitscan ran, or absolute) as an artifact location:
/// relative paths against `%SRCROOT%`, absolute ones as `file://` URIs.
pub fn artifact_location(path: &str) -> Value {
    serde_json::to_value(artifact(path)).unwrap_or(Value::Null)
}

fn location<'a>(
    file: &str,
    line: Option<u32>,
    workload: Option<&'a WorkloadReport>,
) -> Location<'a> {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: artifact(file),
            region: line
                .filter(|l| *l > 0)
                .map(|start_line| Region { start_line }),
        },
        logical_locations: workload
            .map(|w| LogicalLocation {
                name: &w.name,
                fully_qualified_name: &w.id,
                kind: "resource",
            })
            .into_iter()
            .collect(),
    }
}

fn workload_properties(w: &WorkloadReport) -> Properties<'_> {
    Properties {
        workload: Some(&w.name),
        workload_id: Some(&w.id),
        kind: Some(w.kind.as_str()),
        phase: Some(w.phase.as_str()),
        generation: Some(w.generation.number()),
        ..Properties::default()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Value,
    invocations: [Invocation; 1],
    results: Vec<SarifResult<'a>>,
    properties: Value,
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

pub fn render(report: &Report) -> String {
    let mut ids: Vec<&str> = report.rules.iter().map(|r| r.id.as_str()).collect();
    ids.extend(BUILTIN_RULES.iter().map(|b| b.0));
    let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let baseline_state = report.assumptions.baseline.as_ref().map(|_| "new");
    let mut results: Vec<SarifResult<'_>> = Vec::new();
    for w in &report.workloads {
        for f in &w.findings {
            results.push(SarifResult {
                rule_id: &f.rule,
                rule_index: index.get(f.rule.as_str()).copied(),
                level: level(f.severity),
                message: Text {
                    text: format!("{}\nFix: {}", f.message, f.remediation),
                },
                locations: [location(&f.file, Some(f.line), Some(w))],
                partial_fingerprints: Fingerprints {
                    fitscan: &f.fingerprint,
                },
                suppressions: Vec::new(),
                baseline_state,
                properties: Properties {
                    severity: Some(f.severity.as_str()),
                    level: Some(f.level.as_str()),
                    remediation: Some(&f.remediation),
                    ..workload_properties(w)
                },
                sort_file: &f.file,
                sort_line: f.line,
            });
        }
        for s in &w.suppressed {
            results.push(SarifResult {
                rule_id: &s.rule,
                rule_index: index.get(s.rule.as_str()).copied(),
                level: level(s.severity),
                message: Text {
                    text: s.message.clone(),
                },
                locations: [location(&s.file, Some(s.line), Some(w))],
                partial_fingerprints: Fingerprints {
                    fitscan: &s.fingerprint,
                },
                suppressions: vec![SuppressionOut {
                    kind: match s.by.origin {
                        SuppressionOrigin::Inline => "inSource",
                        SuppressionOrigin::Config => "external",
                    },
                    status: "accepted",
                    justification: s.reason.as_deref(),
                    location: location(&s.by.file, Some(s.by.line), None),
                }],
                baseline_state,
                properties: Properties {
                    severity: Some(s.severity.as_str()),
                    ..workload_properties(w)
                },
                sort_file: &s.file,
                sort_line: s.line,
            });
        }
    }
    let error_fingerprints: Vec<String> = report
        .errors
        .iter()
        .map(|e| crate::model::fingerprint(&[e.rule, &e.file, &e.message]))
        .collect();
    for (e, fingerprint) in report.errors.iter().zip(&error_fingerprints) {
        results.push(SarifResult {
            rule_id: e.rule,
            rule_index: index.get(e.rule).copied(),
            level: "error",
            message: Text {
                text: e.message.clone(),
            },
            locations: [location(&e.file, e.line, None)],
            partial_fingerprints: Fingerprints {
                fitscan: fingerprint,
            },
            suppressions: Vec::new(),
            baseline_state,
            properties: Properties::default(),
            sort_file: &e.file,
            sort_line: e.line.unwrap_or(0),
        });
    }
    for u in &report.unused_suppressions {
        results.push(SarifResult {
            rule_id: u.rule,
            rule_index: index.get(u.rule).copied(),
            level: level(u.severity),
            message: Text {
                text: format!("{}\nFix: {}", u.message, u.remediation),
            },
            locations: [location(&u.file, Some(u.line), None)],
            partial_fingerprints: Fingerprints {
                fitscan: &u.fingerprint,
            },
            suppressions: Vec::new(),
            baseline_state,
            properties: Properties {
                workload: u.workload.as_deref(),
                suppressed_rule: Some(&u.suppressed_rule),
                origin: Some(u.origin.as_str()),
                remediation: Some(&u.remediation),
                ..Properties::default()
            },
            sort_file: &u.file,
            sort_line: u.line,
        });
    }
    results.sort_by(|x, y| {
        (x.sort_file, x.sort_line, x.rule_id).cmp(&(y.sort_file, y.sort_line, y.rule_id))
    });

    let mut rules: Vec<Value> = report.rules.iter().map(descriptor).collect();
    rules.extend(BUILTIN_RULES.iter().map(builtin_descriptor));
    let s = &report.summary;
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: json!({
                "driver": {
                    "name": report.tool.name,
                    "version": report.tool.version,
                    "semanticVersion": report.tool.version,
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            }),
            invocations: [Invocation {
                execution_successful: true,
            }],
            results,
            properties: json!({
                "workloads": s.workloads,
                "byPhase": s.by_phase,
                "byGeneration": s.by_generation,
                "suppressed": s.suppressed,
                "unusedSuppressions": s.unused_suppressions,
                "baselined": s.baselined,
                "fileErrors": s.errors,
                "skippedFiles": s.skipped_files,
            }),
        }],
    };
    let mut out = serde_json::to_string_pretty(&log)
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot serialise SARIF: {e}\"}}"));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_to_srcroot_or_absolute_file_uris() {
        assert_eq!(
            artifact_location("./samples/vms/a b.yaml"),
            json!({ "uri": "samples/vms/a%20b.yaml", "uriBaseId": "%SRCROOT%" })
        );
        assert_eq!(
            artifact_location("k8s\\deploy#1.yaml"),
            json!({ "uri": "k8s/deploy%231.yaml", "uriBaseId": "%SRCROOT%" })
        );
        assert_eq!(
            artifact_location("/etc/x.yaml"),
            json!({ "uri": "file:///etc/x.yaml" })
        );
        assert_eq!(
            artifact_location("C:\\estate\\vm.yaml"),
            json!({ "uri": "file:///C:/estate/vm.yaml" })
        );
    }

    #[test]
    fn placeholders_become_code_in_markdown() {
        let code = |p: &str| format!("`{{{p}}}`");
        assert_eq!(
            readable_template("Reduce {name} to {facts.x} vCPU.", code),
            "Reduce `{name}` to `{facts.x}` vCPU."
        );
        assert_eq!(readable_template("no placeholder", code), "no placeholder");
    }

    #[test]
    fn escaped_braces_read_as_single_braces() {
        let plain = |p: &str| format!("{{{p}}}");
        assert_eq!(
            readable_template(
                "Add `depends_on: {{ db: {{ condition: service_healthy }} }}` to {name}",
                plain
            ),
            "Add `depends_on: { db: { condition: service_healthy } }` to {name}"
        );
    }

    #[test]
    fn severities_map_to_sarif_levels() {
        assert_eq!(level(Severity::Error), "error");
        assert_eq!(level(Severity::Warning), "warning");
        assert_eq!(level(Severity::Info), "note");
    }
}
