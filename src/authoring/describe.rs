//! `rules list` and `rules show`: rules described for their authors and readers.

use std::fmt::Write;

use comfy_table::Table;
use comfy_table::presets::UTF8_FULL_CONDENSED;

use super::testing::Example;
use crate::model::Target;
use crate::rules::{Rule, RuleSet};

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
        "id", "name", "target", "level", "property", "severity", "title", "source",
    ]);
    for r in selected(rules, target) {
        table.add_row(vec![
            r.id.clone(),
            r.name.clone(),
            r.target.to_string(),
            r.level.as_str().to_string(),
            r.property.map_or("advice", |p| p.as_str()).to_string(),
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
                "property": r.property.map(|p| p.as_str()),
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
        "| id | name | target | level | property | severity | title |\n|---|---|---|---|---|---|---|\n",
    );
    for r in selected(rules, target) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.id,
            r.name,
            r.target,
            r.level.as_str(),
            r.property.map_or("advice", |p| p.as_str()),
            r.severity,
            r.title.replace('|', "\\|")
        );
    }
    out
}

/// Everything about one rule, as text for a terminal: its fields, the YAML as written, and
/// examples from its tests (or why there are none).
pub fn show(rule: &Rule, examples: &Result<Vec<Example>, String>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({}): {}", rule.id, rule.name, rule.title);
    let _ = writeln!(out);
    let _ = writeln!(out, "target:      {}", rule.target);
    let _ = writeln!(out, "level:       {}", rule.level.as_str());
    let _ = writeln!(out, "severity:    {}", rule.severity);
    let _ = writeln!(
        out,
        "property:    {}",
        match rule.property {
            Some(p) => format!(
                "{p} (gating: a failure holds the workload below {})",
                p.level().as_str()
            ),
            None => "none (advice: the score and the roadmap, never the phase)".to_string(),
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
    let _ = writeln!(
        out,
        "source:      {}:{}{}",
        rule.source.file,
        rule.source.line,
        if rule.source.embedded {
            " (built in)"
        } else {
            ""
        }
    );
    let _ = writeln!(out, "\nmessage:\n{}", indent(&rule.message.readable()));
    if !rule.rationale.is_empty() {
        let _ = writeln!(out, "\nwhy it matters:\n{}", indent(&rule.rationale));
    }
    let _ = writeln!(
        out,
        "\nhow to fix:\n{}",
        indent(&rule.remediation.readable())
    );
    if !rule.needs.is_empty() || rule.evidence.is_some() {
        let needs: Vec<&str> = rule.needs.iter().map(|p| p.text.as_str()).collect();
        let _ = writeln!(out, "\nevidence needed (the check is unknown without it):");
        if !needs.is_empty() {
            let _ = writeln!(out, "  needs: {}", needs.join(", "));
        }
        if let Some(e) = &rule.evidence {
            let _ = writeln!(out, "  collect: {e}");
        }
    }
    if !rule.links.is_empty() {
        let _ = writeln!(out, "\nreferences:");
        for l in &rule.links {
            let _ = writeln!(out, "  {l}");
        }
    }
    let _ = writeln!(
        out,
        "\nas written ({}:{}):\n{}",
        rule.source.file,
        rule.source.line,
        indent(rule.source_text.trim_end())
    );
    match examples {
        Err(e) => {
            let _ = writeln!(out, "\nexamples: none, the rule's tests do not load: {e}");
        }
        Ok(list) if list.is_empty() => {
            let _ = writeln!(
                out,
                "\nexamples: none (no test case beside the rule names it; see `fitscan rules test`)"
            );
        }
        Ok(list) => {
            for ex in list {
                let _ = writeln!(
                    out,
                    "\n{}: {} ({}:{})",
                    if ex.fires { "fires" } else { "passes" },
                    ex.case,
                    ex.test_file,
                    ex.line
                );
                if let Some(e) = &ex.excerpt {
                    let _ = writeln!(out, "  {}", e.file);
                    out.push_str(&indent(super::docs::excerpt_text(e).trim_end()));
                    out.push('\n');
                }
                for f in &ex.findings {
                    let _ = writeln!(out, "  finding: {}:{}: {}", f.file, f.line, f.message);
                }
            }
        }
    }
    out
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("  {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
