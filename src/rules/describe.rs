//! `rules list` and `rules show`: rules described for their authors and readers.

use std::fmt::Write;

use comfy_table::Table;
use comfy_table::presets::UTF8_FULL_CONDENSED;

use super::{Rule, RuleSet};
use crate::model::Target;

fn source(rule: &Rule) -> String {
    if rule.source.embedded {
        "embedded".to_string()
    } else {
        format!("{}:{}", rule.source.file, rule.source.line)
    }
}

fn selected(rules: &RuleSet, target: Option<Target>) -> impl Iterator<Item = &Rule> {
    rules
        .rules
        .iter()
        .filter(move |r| target.is_none_or(|t| r.target == t))
}

pub fn list_table(rules: &RuleSet, target: Option<Target>) -> String {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    table.set_header(vec![
        "id", "name", "target", "level", "severity", "title", "source",
    ]);
    for r in selected(rules, target) {
        table.add_row(vec![
            r.id.clone(),
            r.name.clone(),
            r.target.to_string(),
            r.level.as_str().to_string(),
            r.severity.to_string(),
            r.title.clone(),
            source(r),
        ]);
    }
    format!("{table}\n")
}

pub fn list_json(rules: &RuleSet, target: Option<Target>) -> String {
    let items: Vec<serde_json::Value> = selected(rules, target)
        .map(|r| {
            serde_json::json!({
                "id": r.id,
                "name": r.name,
                "target": r.target.as_str(),
                "level": r.level.as_str(),
                "severity": r.severity.as_str(),
                "gating": r.gating,
                "weight": r.weight,
                "effort": r.effort,
                "disposition": r.disposition.as_str(),
                "title": r.title,
                "tags": r.tags,
                "source": source(r),
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&items).unwrap_or_default();
    out.push('\n');
    out
}

pub fn list_markdown(rules: &RuleSet, target: Option<Target>) -> String {
    let mut out = String::from(
        "| id | name | target | level | severity | title |\n|---|---|---|---|---|---|\n",
    );
    for r in selected(rules, target) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            r.id,
            r.name,
            r.target,
            r.level.as_str(),
            r.severity,
            r.title.replace('|', "\\|")
        );
    }
    out
}

/// Everything about one rule, as text for a terminal.
pub fn show(rule: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({}): {}", rule.id, rule.name, rule.title);
    let _ = writeln!(out);
    let _ = writeln!(out, "target:      {}", rule.target);
    let _ = writeln!(out, "level:       {}", rule.level.as_str());
    let _ = writeln!(out, "severity:    {}", rule.severity);
    let _ = writeln!(
        out,
        "gating:      {}",
        if rule.gating {
            "yes"
        } else {
            "no (informational)"
        }
    );
    let _ = writeln!(
        out,
        "weight:      {}",
        crate::node::format_number(rule.weight)
    );
    let _ = writeln!(out, "effort:      {} point(s)", rule.effort);
    let _ = writeln!(out, "disposition: {}", rule.disposition.as_str());
    if !rule.tags.is_empty() {
        let _ = writeln!(out, "tags:        {}", rule.tags.join(", "));
    }
    if !rule.aliases.is_empty() {
        let _ = writeln!(out, "aliases:     {}", rule.aliases.join(", "));
    }
    let _ = writeln!(out, "source:      {}", source(rule));
    let _ = writeln!(out, "\nmessage:\n  {}", rule.message.source);
    let _ = writeln!(out, "\nwhy it matters:\n{}", indent(&rule.rationale));
    let _ = writeln!(out, "\nhow to fix:\n{}", indent(&rule.remediation.source));
    if !rule.needs.is_empty() {
        let needs: Vec<&str> = rule.needs.iter().map(|p| p.text.as_str()).collect();
        let _ = writeln!(out, "\nneeds (unknown without): {}", needs.join(", "));
    }
    for key in ["applies", "when"] {
        if let Some(node) = rule.raw.get(key) {
            let json = serde_json::to_string_pretty(&node.to_json()).unwrap_or_default();
            let _ = writeln!(out, "\n{key}:\n{}", indent(&json));
        }
    }
    if !rule.links.is_empty() {
        let _ = writeln!(out, "\nreferences:");
        for l in &rule.links {
            let _ = writeln!(out, "  {l}");
        }
    }
    out
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
