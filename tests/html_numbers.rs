//! The HTML report's numbers are the JSON report's: the summary cards, the right-sizing
//! table and its largest opportunities, and the effort table, read from the page of one
//! scan and checked against the JSON of the same scan, computed from its workloads where
//! the page sums them.
//!
//! The page is read by plain string search, not an HTML parser: fitscan writes it, one
//! element per line and without optional tags left out, so the few patterns below find
//! what a reader sees; a parser would add a dependency to read four sections.

mod common;

use std::collections::BTreeMap;

use common::{fitscan, json, tempdir, write};
use serde_json::Value;

/// One scan of `samples/` written as JSON and as HTML, with a person-day per point that is
/// not 1 (so that points and person-days cannot stand in for each other).
fn both() -> (Value, String) {
    let dir = tempdir();
    let config = write(dir.path(), "fitscan.yaml", "effort-days-per-point: 0.5\n");
    let (json_path, html_path) = (dir.path().join("r.json"), dir.path().join("r.html"));
    let out = fitscan()
        .args(["scan", "samples", "--config", &config, "--fail-on", "never"])
        .arg("--format")
        .arg(format!("json={}", json_path.display()))
        .arg("--format")
        .arg(format!("html={}", html_path.display()))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{e}"));
    (json(&read(&json_path)), read(&html_path))
}

/// The text of `<section id="ID">`.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let open = format!("<section id=\"{id}\">");
    let start = html
        .find(&open)
        .unwrap_or_else(|| panic!("no section {id}"));
    let end = html[start..]
        .find("</section>")
        .map_or(html.len(), |e| start + e);
    &html[start..end]
}

/// Text without its tags and with the entities the report writes decoded.
fn text(fragment: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in fragment.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// The cards of the summary: label -> value, as text.
fn cards(summary: &str) -> BTreeMap<String, String> {
    summary
        .split("<div class=\"card ")
        .skip(1)
        .map(|card| {
            let value = between(card, "<div class=\"value\">", "</div>");
            let label = between(card, "<div class=\"label\">", "</div>");
            (text(label), text(value))
        })
        .collect()
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> &'a str {
    let start = s
        .find(open)
        .map(|i| i + open.len())
        .unwrap_or_else(|| panic!("no {open} in {s}"));
    let end = s[start..].find(close).map_or(s.len(), |e| start + e);
    &s[start..end]
}

/// The rows of the first table after `after` in `html`: each row's cells (header cells
/// included) as text, with the `href` of a row's first link, if any, first.
fn rows(html: &str, after: &str) -> Vec<Vec<String>> {
    let from = html.find(after).unwrap_or_else(|| panic!("no {after}"));
    let body = between(&html[from..], "<tbody>", "</tbody>");
    body.split("<tr")
        .skip(1)
        .map(|row| {
            let mut cells = Vec::new();
            if let Some(i) = row.find("href=\"#") {
                let rest = &row[i + 7..];
                cells.push(rest[..rest.find('"').unwrap_or(0)].to_string());
            }
            for cell in row.split("<t").skip(1) {
                if cell.starts_with('d') || cell.starts_with('h') {
                    let inner = &cell[cell.find('>').map_or(0, |i| i + 1)..];
                    cells.push(text(&inner[..inner.find("</t").unwrap_or(inner.len())]));
                }
            }
            cells
        })
        .collect()
}

fn number(s: &str) -> f64 {
    s.trim()
        .parse()
        .unwrap_or_else(|e| panic!("`{s}` is not a number: {e}"))
}

/// Equal within the report's rounding (two decimals).
fn close(page: f64, json: f64) -> bool {
    (page - json).abs() < 0.006
}

fn workloads(r: &Value) -> &Vec<Value> {
    r["workloads"]
        .as_array()
        .unwrap_or_else(|| panic!("no workloads"))
}

const DIMENSIONS: [&str; 3] = ["vcpu", "memory_gib", "storage_gib"];

#[test]
fn the_summary_cards_are_the_json_figures() {
    let (r, html) = both();
    let ws = workloads(&r);
    let s = &r["summary"];
    let cards = cards(section(&html, "summary"));
    assert_eq!(number(&cards["workloads"]), ws.len() as f64);
    assert!(ws.len() > 50, "samples/ is the whole sample estate");
    for phase in ["unchanged", "optimised", "purpose-built", "not-assessed"] {
        let n = ws.iter().filter(|w| w["phase"] == phase).count();
        let shown = cards[phase].split(' ').next().map(number);
        assert_eq!(shown, Some(n as f64), "{phase}: {}", cards[phase]);
    }
    let disconnects = ws.iter().filter(|w| w["disconnect"] == true).count();
    assert_eq!(number(&cards["generation disconnects"]), disconnects as f64);
    // Findings by severity, counted from the workloads (and the unused suppressions, which
    // are info findings of their own).
    let count = |sev: &str| {
        ws.iter()
            .flat_map(|w| w["findings"].as_array().into_iter().flatten())
            .filter(|f| f["severity"] == sev)
            .count()
    };
    let unused = r["unused_suppressions"].as_array().map_or(0, Vec::len);
    let shown: Vec<f64> = cards["findings: error / warning / info"]
        .split(" / ")
        .map(number)
        .collect();
    assert_eq!(
        shown,
        [
            count("error") as f64,
            count("warning") as f64,
            (count("info") + unused) as f64
        ]
    );
    // Reclaimable: what the workloads give back (a negative reclaimable is missing, not
    // reclaimable).
    let reclaimable = |d: &str| -> f64 {
        ws.iter()
            .filter_map(|w| w["rightsizing"]["reclaimable"][d].as_f64())
            .filter(|v| *v > 0.0)
            .sum()
    };
    let (label, value) = cards
        .iter()
        .find(|(l, _)| l.starts_with("reclaimable, and "))
        .unwrap_or_else(|| panic!("no reclaimable card: {cards:?}"));
    let parts: Vec<&str> = value.split_whitespace().collect();
    assert_eq!(parts[1], "vCPU");
    assert!(close(number(parts[0]), reclaimable("vcpu")), "{value}");
    assert!(
        close(number(parts[2]), reclaimable("memory_gib")),
        "{value}"
    );
    let storage = label
        .trim_start_matches("reclaimable, and ")
        .trim_end_matches(" GiB storage");
    assert!(
        close(number(storage), reclaimable("storage_gib")),
        "{label}"
    );
    assert!(reclaimable("storage_gib") > 1000.0);
    let effort: f64 = ws.iter().filter_map(|w| w["effort"].as_f64()).sum();
    assert_eq!(number(&cards["effort points to the next phase"]), effort);
    let evidence: f64 = ws
        .iter()
        .filter_map(|w| w["assessment_effort"].as_f64())
        .sum();
    assert_eq!(number(&cards["points of evidence to collect"]), evidence);
    assert_eq!(
        number(&cards["points of evidence to collect"]),
        s["assessment_effort"].as_f64().unwrap_or(-1.0)
    );
}

#[test]
fn the_right_sizing_table_sums_the_workloads_sizing() {
    let (r, html) = both();
    let ws = workloads(&r);
    let page = section(&html, "rightsizing");
    let sum = |key: &str, d: &str, keep: fn(f64) -> f64| -> f64 {
        ws.iter()
            .filter_map(|w| w["rightsizing"][key][d].as_f64())
            .map(keep)
            .sum()
    };
    let table = rows(page, "<table class=\"numbers\">");
    let row = |label: &str| -> Vec<f64> {
        table
            .iter()
            .find(|r| r[0].starts_with(label))
            .unwrap_or_else(|| panic!("no row {label}: {table:?}"))[1..]
            .iter()
            .map(|c| number(c))
            .collect()
    };
    let undersized = ws
        .iter()
        .filter(|w| {
            w["rightsizing"]["reclaimable"]
                .as_object()
                .is_some_and(|m| m.values().any(|v| v.as_f64().is_some_and(|v| v < 0.0)))
        })
        .count();
    for (i, d) in DIMENSIONS.iter().enumerate() {
        let expected = [
            ("Now", sum("current", d, |v| v)),
            ("Right-sized", sum("recommended", d, |v| v)),
            ("Reclaimable", sum("reclaimable", d, |v| v.max(0.0))),
            (
                &format!("Missing ({undersized} undersized)"),
                sum("reclaimable", d, |v| (-v).max(0.0)),
            ),
        ];
        for (label, want) in expected {
            let got = row(label)[i];
            assert!(close(got, want), "{label} {d}: page {got}, JSON {want}");
        }
    }
    assert!(undersized > 0, "the samples have an undersized workload");

    // The largest opportunities: each row is its workload's sizing, largest memory first.
    let largest = rows(page, "<h3>Largest opportunities</h3>");
    assert!(largest.len() >= 5, "{largest:?}");
    let mut previous = f64::INFINITY;
    for row in &largest {
        let index: usize = row[0]
            .trim_start_matches("w-")
            .parse()
            .unwrap_or_else(|e| panic!("{row:?}: {e}"));
        let w = &ws[index - 1];
        assert_eq!(row[1], w["name"].as_str().unwrap_or(""), "{row:?}");
        for (column, key) in [(3, "current"), (4, "recommended"), (5, "reclaimable")] {
            let shown: Vec<&str> = row[column].split(" / ").collect();
            for (part, d) in shown.iter().zip(DIMENSIONS) {
                match w["rightsizing"][key][d].as_f64() {
                    Some(v) => assert!(close(number(part), v), "{row:?} {key} {d}: {v}"),
                    None => assert!(number_or_dash(part), "{row:?} {key} {d}"),
                }
            }
        }
        let memory = w["rightsizing"]["reclaimable"]["memory_gib"]
            .as_f64()
            .unwrap_or(0.0);
        assert!(memory <= previous, "{row:?}");
        previous = memory;
    }
}

fn number_or_dash(s: &str) -> bool {
    matches!(s.trim(), "–" | "-" | "?" | "")
}

#[test]
fn the_effort_table_counts_workloads_and_points_per_disposition() {
    let (r, html) = both();
    let ws = workloads(&r);
    let page = section(&html, "effort");
    let table = rows(page, "<table class=\"numbers\">");
    let mut expected: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    for w in ws {
        let d = w["disposition"].as_str().unwrap_or("").to_string();
        let e = expected.entry(d).or_default();
        e.0 += 1;
        e.1 += w["effort"].as_f64().unwrap_or(0.0);
    }
    let mut seen = BTreeMap::new();
    for row in &table {
        // disposition, meaning, workloads, points, person-days, examples
        let (workloads, points, days) = (number(&row[2]), number(&row[3]), number(&row[4]));
        assert!(
            close(days, points * 0.5),
            "{row:?}: 0.5 person-days per point"
        );
        if row[0] == "All" {
            assert_eq!(workloads, ws.len() as f64);
            assert_eq!(points, expected.values().map(|e| e.1).sum::<f64>());
            continue;
        }
        let (n, effort) = expected
            .get(&row[0])
            .unwrap_or_else(|| panic!("{row:?}: no workload has this disposition"));
        assert_eq!((workloads, points), (*n as f64, *effort), "{row:?}");
        // The examples are workloads of this disposition.
        for example in row[5].split(", ").filter(|e| !e.is_empty()) {
            assert!(
                ws.iter()
                    .any(|w| w["name"] == example && w["disposition"] == row[0].as_str()),
                "{row:?}: {example}"
            );
        }
        seen.insert(row[0].clone(), *n);
    }
    let with_workloads: BTreeMap<String, usize> =
        expected.iter().map(|(d, e)| (d.clone(), e.0)).collect();
    assert_eq!(
        seen, with_workloads,
        "every disposition with workloads has its row"
    );
    assert!(seen.len() >= 4, "{seen:?}");
}
