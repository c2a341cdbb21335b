//! `fitscan rules facts`: the declared facts as a table, JSON or Markdown (the list in
//! docs/writing-rules.md is this Markdown).

use std::fmt::Write;

use crate::model::{FactDoc, FactGroup, Target};
use crate::rules::facts::groups;

/// The groups that apply to `target` (all when None).
fn selected(target: Option<Target>) -> Vec<&'static FactGroup> {
    groups()
        .into_iter()
        .filter(|g| target.is_none_or(|t| g.targets.contains(&t)))
        .collect()
}

/// The targets to list, each with its groups (a group shared by several targets is listed
/// under each: a rule author reads one target's list).
fn by_target(target: Option<Target>) -> Vec<(Target, Vec<&'static FactGroup>)> {
    Target::ALL
        .into_iter()
        .filter(|t| target.is_none_or(|x| x == *t))
        .map(|t| (t, selected(Some(t))))
        .collect()
}

fn shown_path(f: &FactDoc) -> String {
    if f.open {
        format!("facts.{}.*", f.path)
    } else {
        format!("facts.{}", f.path)
    }
}

/// The facts as terminal tables, per target and source.
pub fn table(target: Option<Target>) -> String {
    use comfy_table::Table;
    use comfy_table::presets::UTF8_FULL_CONDENSED;
    let mut out = String::new();
    for (t, groups) in by_target(target) {
        let _ = writeln!(out, "target: {t}\n");
        for g in groups {
            let _ = writeln!(out, "{}", g.title);
            let mut table = Table::new();
            table.load_style(UTF8_FULL_CONDENSED);
            table.set_header(vec!["fact", "meaning"]);
            for f in g.facts {
                table.add_row(vec![shown_path(f), f.meaning.to_string()]);
            }
            let _ = writeln!(out, "{table}\n");
        }
    }
    out
}

pub fn json(target: Option<Target>) -> String {
    let items: Vec<serde_json::Value> = selected(target)
        .iter()
        .map(|g| {
            serde_json::json!({
                "targets": g.targets.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
                "title": g.title,
                "facts": g.facts.iter().map(|f| serde_json::json!({
                    "path": format!("facts.{}", f.path),
                    "meaning": f.meaning,
                    "as_written_below": f.open,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&items).unwrap_or_default();
    out.push('\n');
    out
}

/// The facts as Markdown, per target and source: the generated section of
/// docs/writing-rules.md. A path ending in `.*` is kept as written: any key below it is
/// valid.
pub fn markdown(target: Option<Target>) -> String {
    let mut out = String::new();
    for (t, groups) in by_target(target) {
        let _ = writeln!(out, "#### `target: {t}`\n");
        for g in groups {
            let _ = writeln!(out, "{}:\n", g.title);
            out.push_str("| fact | meaning |\n|---|---|\n");
            for f in g.facts {
                let _ = writeln!(
                    out,
                    "| `{}` | {} |",
                    shown_path(f).replace('|', "\\|"),
                    f.meaning.replace('|', "\\|")
                );
            }
            out.push('\n');
        }
    }
    out
}
