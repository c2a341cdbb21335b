//! SARIF 2.1.0 (OASIS), for code scanning dashboards: one run, every rule that can fire as
//! a `reportingDescriptor`, and a result per finding, file error and unused suppression.
//! Suppressed findings are results too, with `suppressions` (so that dashboards show them
//! as accepted rather than lose them). Results are sorted by file, line and rule.

use serde_json::{Map, Value, json};

use crate::model::{
    Report, RuleInfo, Severity, SuppressionOrigin, UNUSED_SUPPRESSION_RULE, WorkloadReport,
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
pub const FINGERPRINT_KEY: &str = "fitscan/v1";

pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Rules fitscan reports that are not in any rule pack.
const BUILTIN_RULES: &[(&str, &str, Severity, &str, &str)] = &[
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

/// A path as reported (relative to where fitscan ran, or absolute) as an artifact location:
/// relative paths against `%SRCROOT%`, absolute ones as `file://` URIs.
pub fn artifact_location(path: &str) -> Value {
    let slashed = path.replace('\\', "/");
    let mut rel = slashed.as_str();
    while let Some(rest) = rel.strip_prefix("./") {
        rel = rest;
    }
    let bytes = rel.as_bytes();
    let windows_drive = bytes.len() > 2 && bytes[1] == b':' && bytes[2] == b'/';
    if rel.starts_with('/') {
        json!({ "uri": format!("file://{}", encode_uri_path(rel)) })
    } else if windows_drive {
        let (drive, rest) = rel.split_at(2);
        json!({ "uri": format!("file:///{drive}{}", encode_uri_path(rest)) })
    } else {
        json!({ "uri": encode_uri_path(rel), "uriBaseId": SRCROOT })
    }
}

fn physical(file: &str, line: Option<u32>) -> Value {
    let mut loc = Map::new();
    loc.insert("artifactLocation".into(), artifact_location(file));
    if let Some(line) = line.filter(|l| *l > 0) {
        loc.insert("region".into(), json!({ "startLine": line }));
    }
    json!({ "physicalLocation": Value::Object(loc) })
}

fn help_uri(rule: &RuleInfo) -> Option<String> {
    match &rule.source {
        None => Some(format!("{RULE_DOCS_BASE}{}.md", rule.id)),
        // A user's rule has no page in fitscan's docs; its own first link is the best help.
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
    let mut help_text = format!("Remediation: {}", rule.remediation);
    let mut help_md = format!("**Remediation:** {}", rule.remediation);
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

/// A result with the sort key it is ordered by.
struct Entry {
    file: String,
    line: u32,
    rule: String,
    result: Value,
}

struct Builder<'a> {
    ids: Vec<&'a str>,
    baseline: bool,
    entries: Vec<Entry>,
}

impl<'a> Builder<'a> {
    fn push(
        &mut self,
        rule: &str,
        (file, line): (&str, Option<u32>),
        workload: Option<&WorkloadReport>,
        mut result: Value,
    ) {
        result["ruleId"] = Value::String(rule.to_string());
        if let Some(i) = self.ids.iter().position(|id| *id == rule) {
            result["ruleIndex"] = json!(i);
        }
        let mut location = physical(file, line);
        if let Some(w) = workload {
            location["logicalLocations"] =
                json!([{ "name": w.name, "fullyQualifiedName": w.id, "kind": "resource" }]);
        }
        result["locations"] = json!([location]);
        if self.baseline {
            result["baselineState"] = json!("new");
        }
        self.entries.push(Entry {
            file: file.to_string(),
            line: line.unwrap_or(0),
            rule: rule.to_string(),
            result,
        });
    }
}

fn workload_properties(w: &WorkloadReport) -> Map<String, Value> {
    let mut p = Map::new();
    p.insert("workload".into(), json!(w.name));
    p.insert("workloadId".into(), json!(w.id));
    p.insert("kind".into(), json!(w.kind.as_str()));
    p.insert("phase".into(), json!(w.phase.as_str()));
    p.insert("generation".into(), json!(w.generation.number()));
    p
}

pub fn render(report: &Report) -> String {
    let mut ids: Vec<&str> = report.rules.iter().map(|r| r.id.as_str()).collect();
    ids.extend(BUILTIN_RULES.iter().map(|b| b.0));
    let mut b = Builder {
        ids,
        baseline: report.assumptions.baseline.is_some(),
        entries: Vec::new(),
    };
    for w in &report.workloads {
        for f in &w.findings {
            let mut props = workload_properties(w);
            props.insert("severity".into(), json!(f.severity.as_str()));
            props.insert("level".into(), json!(f.level.as_str()));
            props.insert("remediation".into(), json!(f.remediation));
            b.push(
                &f.rule,
                (&f.file, Some(f.line)),
                Some(w),
                json!({
                    "level": level(f.severity),
                    "message": { "text": format!("{}\nFix: {}", f.message, f.remediation) },
                    "partialFingerprints": { FINGERPRINT_KEY: f.fingerprint },
                    "properties": Value::Object(props),
                }),
            );
        }
        for s in &w.suppressed {
            let mut suppression = json!({
                "kind": match s.by.origin {
                    SuppressionOrigin::Inline => "inSource",
                    SuppressionOrigin::Config => "external",
                },
                "status": "accepted",
                "location": physical(&s.by.file, Some(s.by.line)),
            });
            if let Some(reason) = &s.reason {
                suppression["justification"] = json!(reason);
            }
            let mut props = workload_properties(w);
            props.insert("severity".into(), json!(s.severity.as_str()));
            b.push(
                &s.rule,
                (&s.file, Some(s.line)),
                Some(w),
                json!({
                    "level": level(s.severity),
                    "message": { "text": s.message },
                    "partialFingerprints": { FINGERPRINT_KEY: s.fingerprint },
                    "suppressions": [suppression],
                    "properties": Value::Object(props),
                }),
            );
        }
    }
    for e in &report.errors {
        let fingerprint = crate::fingerprint(&[e.rule, &e.file, &e.message]);
        b.push(
            e.rule,
            (&e.file, e.line),
            None,
            json!({
                "level": "error",
                "message": { "text": e.message },
                "partialFingerprints": { FINGERPRINT_KEY: fingerprint },
            }),
        );
    }
    for u in &report.unused_suppressions {
        let mut props = Map::new();
        props.insert("suppressedRule".into(), json!(u.suppressed_rule));
        props.insert("origin".into(), json!(u.origin.as_str()));
        if let Some(w) = &u.workload {
            props.insert("workload".into(), json!(w));
        }
        props.insert("remediation".into(), json!(u.remediation));
        b.push(
            u.rule,
            (&u.file, Some(u.line)),
            None,
            json!({
                "level": level(u.severity),
                "message": { "text": format!("{}\nFix: {}", u.message, u.remediation) },
                "partialFingerprints": { FINGERPRINT_KEY: u.fingerprint },
                "properties": Value::Object(props),
            }),
        );
    }
    b.entries
        .sort_by(|x, y| (&x.file, x.line, &x.rule).cmp(&(&y.file, y.line, &y.rule)));

    let mut rules: Vec<Value> = report.rules.iter().map(descriptor).collect();
    rules.extend(BUILTIN_RULES.iter().map(builtin_descriptor));
    let s = &report.summary;
    let sarif = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": report.tool.name,
                    "version": report.tool.version,
                    "semanticVersion": report.tool.version,
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "invocations": [{ "executionSuccessful": true }],
            "results": b.entries.into_iter().map(|e| e.result).collect::<Vec<_>>(),
            "properties": {
                "workloads": s.workloads,
                "byPhase": s.by_phase,
                "byGeneration": s.by_generation,
                "suppressed": s.suppressed,
                "unusedSuppressions": s.unused_suppressions,
                "baselined": s.baselined,
                "fileErrors": s.errors,
            },
        }],
    });
    let mut out = serde_json::to_string_pretty(&sarif)
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
    fn severities_map_to_sarif_levels() {
        assert_eq!(level(Severity::Error), "error");
        assert_eq!(level(Severity::Warning), "warning");
        assert_eq!(level(Severity::Info), "note");
    }
}
