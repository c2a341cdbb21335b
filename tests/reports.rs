//! The reports a consultant hands over: HTML, Markdown, CSV and Excel, as the command line
//! writes them. Each test reads the report back the way its reader would (a browser's
//! view of the markup, a Markdown renderer, a CSV parser, calamine for the workbook).

mod common;
use common::write;
use common::{json, tempdir};

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

use fitscan::report::csv_report::{FINDING_COLUMNS, WORKLOAD_COLUMNS};
use fitscan::report::sarif::RULE_DOCS_BASE;
use fitscan::report::{Format, RenderOptions};
use fitscan::{ScanOptions, scan};

/// 2024-05-01T10:05:00Z: reports written with it are reproducible.
const EPOCH: &str = "1714557900";

fn fitscan() -> Command {
    let mut cmd = Command::cargo_bin("fitscan").unwrap_or_else(|e| panic!("binary: {e}"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.env("SOURCE_DATE_EPOCH", EPOCH);
    cmd
}

/// Runs a scan and returns its standard output (the gate is switched off).
fn stdout_of(args: &[&str]) -> String {
    let out = fitscan()
        .args(["scan", "--fail-on", "never"])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("not UTF-8: {e}"))
}

const ESTATE: &[&str] = &["samples/estate", "--config", "samples/estate/.fitscan.yaml"];

fn estate(format: &str) -> String {
    let mut args = ESTATE.to_vec();
    args.extend(["--format", format]);
    stdout_of(&args)
}

fn workloads(report: &Value) -> Vec<Value> {
    report["workloads"].as_array().cloned().unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// HTML

#[test]
fn html_of_the_sample_estate_shows_every_section() {
    let html = estate("html");
    let report = json(&estate("json"));
    for (needle, what) in [
        ("<!DOCTYPE html>", "a standards-mode page"),
        ("id=\"summary\"", "executive summary"),
        ("Workloads by kind", "workloads by kind"),
        ("class=\"chart matrix-chart\"", "generation x phase chart"),
        (
            "<th scope=\"row\">2 client-server</th>",
            "generation x phase table",
        ),
        ("id=\"disconnects\"", "generation disconnects"),
        ("id=\"rightsizing\"", "right-sizing"),
        (
            "Monthly cost in the catalog",
            "monthly saving with a priced catalog",
        ),
        ("saving per month", "saving card"),
        (
            "Largest opportunities",
            "largest right-sizing opportunities",
        ),
        ("id=\"effort\"", "effort by disposition"),
        ("<th scope=\"row\">replatform</th>", "a disposition row"),
        ("id=\"findings\"", "top findings"),
        ("id=\"estate\"", "inventory groups"),
        ("By cluster", "group table"),
        ("id=\"workload-table\"", "sortable workloads table"),
        ("id=\"details\"", "one section per workload"),
        ("Roadmap to purpose-built", "a roadmap to the top"),
        (
            "<b>optimised: right-sized</b>",
            "a roadmap step by property",
        ),
        ("<b>also recommended</b>", "advice after the properties"),
        ("<table class=\"properties\">", "the property grid"),
        (
            "<span class=\"state fails\">fails</span>",
            "a failing property",
        ),
        ("Evidence needed", "evidence needed"),
        ("Why it matters for", "rationale"),
        ("<b>Fix:</b>", "remediation"),
        ("Accepted exceptions (suppressed)", "suppressions"),
        (
            "extended security updates bought until 2026-10 (CHG-1984)",
            "an inline reason",
        ),
        (
            "MAINTAINER kept until the image is retired in Q3 (CHG-2231)",
            "a config reason",
        ),
        ("<h4>Components</h4>", "components"),
        ("class=\"chart sizing-chart\"", "right-sizing chart"),
        ("id=\"assumptions\"", "assumptions"),
        (
            "<dt>Scan date</dt><dd>2024-05-01 10:05 UTC</dd>",
            "scan date",
        ),
        ("the 95th percentile", "percentile"),
        ("30 % added to demand", "headroom"),
        ("Example cloud sizes, pay as you go", "catalog"),
        ("metrics.csv", "metrics"),
        ("rules of fitscan", "rule set and version"),
        (
            "<dt>Reproduce</dt><dd><code>fitscan scan samples/estate --config",
            "a command that reproduces it",
        ),
        ("id=\"rules-fired\"", "rules that fired"),
        ("@media print", "print styles"),
    ] {
        assert!(html.contains(needle), "no {what}: `{needle}`");
    }
    let n = workloads(&report).len();
    assert_eq!(n, 12, "the sample estate");
    assert_eq!(html.matches("<article class=\"wl\"").count(), n);
    assert_eq!(
        html.matches("<tr data-phase=").count(),
        n,
        "one table row per workload"
    );
    // Every finding is shown at its file and line, with its rule linked to its docs.
    for w in workloads(&report) {
        for f in w["findings"].as_array().cloned().unwrap_or_default() {
            let file = f["file"].as_str().unwrap_or("").replace('/', "/<wbr>");
            let at = format!("<td class=\"where\">{file}:{}</td>", f["line"]);
            assert!(html.contains(&at), "{at}");
            let rule = f["rule"].as_str().unwrap_or("");
            assert!(html.contains(&format!("href=\"{RULE_DOCS_BASE}{rule}.md\"")));
        }
    }
    // The matrix holds the estate: 1 mainframe unchanged, 5 client-server unchanged ...
    let summary = &report["summary"];
    assert!(html.contains(&format!(
        "<div class=\"value\">{}</div><div class=\"label\">generation disconnects</div>",
        summary["disconnects"]
    )));
}

#[test]
fn html_references_nothing_outside_itself() {
    let html = stdout_of(&["samples/", "--format", "html"]);
    let lower = html.to_ascii_lowercase();
    // Nothing is loaded: no stylesheet, image, frame, font, import or script from anywhere.
    for banned in [
        "<link",
        "<img",
        "<iframe",
        "<object",
        "<embed",
        "<audio",
        "<video",
        "<source",
        " src=",
        "srcset",
        "url(",
        "@import",
        "@font-face",
        "xlink:href",
    ] {
        assert!(
            !lower.contains(banned),
            "the page loads something: {banned}"
        );
    }
    // Links are in-page anchors, or the rule docs (navigation a reader may follow).
    let mut external = 0;
    for part in html.split("href=\"").skip(1) {
        let target = part.split('"').next().unwrap_or("");
        if let Some(anchor) = target.strip_prefix('#') {
            assert!(
                html.contains(&format!("id=\"{anchor}\"")),
                "a link to #{anchor} that goes nowhere"
            );
        } else {
            assert!(target.starts_with(RULE_DOCS_BASE), "{target}");
            external += 1;
        }
    }
    assert!(external > 0, "rule ids link to their docs");
    // One inline script, allowed by its hash; the policy forbids every other source.
    assert_eq!(lower.matches("<script").count(), 1);
    assert!(html.contains("<script>(function"));
    assert!(
        html.contains(
            "content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-"
        )
    );
    assert!(html.contains(fitscan::report::html::SCRIPT_HASH.trim()));
}

#[test]
fn the_script_hash_in_the_policy_is_the_scripts() {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(fitscan::report::html::SCRIPT.as_bytes());
    assert_eq!(
        fitscan::report::html::SCRIPT_HASH.trim(),
        format!("sha256-{}", base64(&digest)),
        "src/report/html/report.js changed: update report.js.sha256 (the browser runs no script whose hash differs)"
    );
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A manifest label, a Compose suppression reason, a VM name and a rule message carrying
/// markup: every one must read as text.
fn hostile_estate(dir: &Path) -> Vec<String> {
    write(
        dir,
        "k8s/web.yaml",
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    team: "<script>alert('label')</script>"
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: nginx:1.27
"#,
    );
    write(
        dir,
        "compose/docker-compose.yml",
        r#"services:
  api:
    image: example/api:latest
    labels:
      fitscan.io/ignore: "CMP008: <img src=x onerror=alert(1)> | *bold* [x](javascript:alert(1))"
"#,
    );
    write(
        dir,
        "vms/odd.yaml",
        r#"apiVersion: fitscan/v1
kind: VirtualMachine
metadata: { name: "<b>bold</b> & `tick` | pipe" }
spec:
  platform: vsphere
  os: Windows Server 2008 R2
  cpu: { vcpus: 4 }
  memory: 16GB
"#,
    );
    let rules = write(
        dir,
        "rules/team.yaml",
        r#"rules:
  - id: ACME001
    target: kubernetes
    level: optimised
    severity: warning
    title: Owning team to confirm
    message: "{name} is labelled for team {value}"
    remediation: "Ask team {value} to sign off the move."
    rationale: The owning team signs off the migration.
    when: { path: metadata.labels.team, exists: true }
"#,
    );
    vec![
        dir.display().to_string(),
        "--rules".into(),
        rules,
        "--no-config".into(),
    ]
}

#[test]
fn input_strings_are_escaped_in_html() {
    let dir = tempdir();
    let mut args = hostile_estate(dir.path());
    args.extend(["--format".into(), "html".into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let html = stdout_of(&args);
    // The label shows as text, in the finding's message and remediation.
    assert!(
        html.contains("labelled for team &lt;script&gt;alert(&#39;label&#39;)&lt;/script&gt;"),
        "the label as text"
    );
    assert!(
        html.contains("Ask team &lt;script&gt;alert(&#39;label&#39;)&lt;/script&gt; to sign off")
    );
    assert!(!html.contains("<script>alert"));
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only fitscan's own script"
    );
    // A suppression reason from a Compose label, a VM name.
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!html.contains("<img"));
    assert!(html.contains("&lt;b&gt;bold&lt;/b&gt; &amp; `tick` | pipe"));
    assert!(!html.contains("<b>bold"));
}

#[test]
fn input_strings_are_escaped_in_markdown() {
    let dir = tempdir();
    let mut args = hostile_estate(dir.path());
    args.extend(["--format".into(), "markdown".into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let md = stdout_of(&args);
    let html = markdown_to_html(&md);
    // What a reader sees: the markup as text, no element from an input.
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>bold"));
    assert!(!html.contains("href=\"javascript"));
    assert!(
        html.contains("&lt;script&gt;alert('label')&lt;/script&gt;"),
        "{html}"
    );
    assert!(
        html.contains("<code>&lt;b&gt;bold&lt;/b&gt; &amp; `tick` | pipe</code>"),
        "{html}"
    );
    // The `|` in the name did not split the workloads table.
    let rows = table_rows(&html, "Workload");
    assert!(rows.iter().all(|r| r.len() == 10), "{rows:?}");
}

#[test]
fn summary_only_leaves_the_workloads_out() {
    let mut args = ESTATE.to_vec();
    args.extend(["--format", "html", "--summary-only"]);
    let html = stdout_of(&args);
    assert!(html.contains("id=\"matrix\"") && html.contains("id=\"findings\""));
    assert!(!html.contains("id=\"workload-table\""));
    assert!(!html.contains("<article"));
    assert!(!html.contains("<script"), "no table, no script");

    let mut args = ESTATE.to_vec();
    args.extend(["--format", "markdown", "--summary-only"]);
    let md = stdout_of(&args);
    assert!(md.contains("### Generation × phase"));
    assert!(md.contains("### Top findings"));
    assert!(!md.contains("### Workloads\n"));
    assert!(!md.contains("### Findings by workload"));
    // A pull-request comment holds at most 65,536 characters.
    assert!(md.chars().count() < 65_536);
    let full = estate("markdown");
    assert!(full.contains("### Workloads\n") && full.len() > md.len());
}

// ---------------------------------------------------------------------------------------
// Markdown

fn markdown_to_html(md: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let mut out = String::new();
    html::push_html(
        &mut out,
        Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH),
    );
    out
}

/// The cells of each body row of the table whose first header cell is `first_header`.
fn table_rows(html: &str, first_header: &str) -> Vec<Vec<String>> {
    let Some(table) = html
        .split("<table>")
        .skip(1)
        .find(|t| t.contains(&format!("<th>{first_header}</th>")))
    else {
        return Vec::new();
    };
    let body = table
        .split("<tbody>")
        .nth(1)
        .and_then(|b| b.split("</tbody>").next())
        .unwrap_or("");
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|c| {
                    let c = c.split_once('>').map_or(c, |(_, rest)| rest);
                    c.split("</td>").next().unwrap_or("").to_string()
                })
                .collect()
        })
        .collect()
}

#[test]
fn markdown_renders_as_tables() {
    let md = estate("markdown");
    let html = markdown_to_html(&md);
    assert_eq!(
        html.matches("<table>").count(),
        10,
        "generation x phase, kinds, right-sizing, effort, evidence to collect, CNF readiness, migration readiness (checks, VMs), top findings, workloads"
    );
    let matrix = table_rows(&html, "Generation");
    assert_eq!(matrix.len(), 4, "three generations and the total");
    assert_eq!(matrix[1][0], "2 client-server");
    assert!(matrix.iter().all(|r| r.len() == 6));
    let top = table_rows(&html, "Rule");
    assert!(!top.is_empty());
    assert!(top.iter().all(|r| r.len() == 7));
    assert!(
        top[0][0].starts_with(&format!("<a href=\"{RULE_DOCS_BASE}")),
        "{:?}",
        top[0]
    );
    let report = json(&estate("json"));
    assert_eq!(
        table_rows(&html, "Workload").len(),
        workloads(&report).len()
    );
    assert!(md.contains("Monthly cost in the catalog"));
    assert!(md.contains("reproduce with `fitscan scan samples/estate"));
}

// ---------------------------------------------------------------------------------------
// CSV

fn csv_records(text: &str) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .unwrap_or_else(|e| panic!("headers: {e}"))
        .iter()
        .map(str::to_string)
        .collect();
    let records = reader
        .records()
        .map(|r| r.unwrap_or_else(|e| panic!("record: {e}")))
        .collect();
    (headers, records)
}

#[test]
fn csv_has_a_row_per_finding_with_the_expected_columns() {
    let (headers, rows) = csv_records(&estate("csv"));
    assert_eq!(headers, FINDING_COLUMNS);
    let report = json(&estate("json"));
    let count = |key: &str| -> usize {
        workloads(&report)
            .iter()
            .map(|w| w[key].as_array().map_or(0, Vec::len))
            .sum()
    };
    let (findings, suppressed) = (count("findings"), count("suppressed"));
    assert_eq!(rows.len(), findings + suppressed);
    let col = |name: &str| FINDING_COLUMNS.iter().position(|c| *c == name).unwrap_or(0);
    for r in &rows {
        assert!(r[col("line")].parse::<u32>().is_ok_and(|l| l >= 1));
        assert!(["error", "warning", "info"].contains(&&r[col("severity")]));
        assert!(["open", "suppressed"].contains(&&r[col("status")]));
    }
    let accepted: Vec<_> = rows
        .iter()
        .filter(|r| &r[col("status")] == "suppressed")
        .collect();
    assert_eq!(accepted.len(), suppressed);
    assert!(accepted.iter().any(|r| r[col("suppression_reason")]
        == *"extended security updates bought until 2026-10 (CHG-1984)"
        && r[col("rule")] == *"VM012"
        && r[col("workload")] == *"erp-app-01"));
    let vm001 = rows
        .iter()
        .find(|r| &r[col("rule")] == "VM001" && &r[col("workload")] == "erp-app-01")
        .unwrap_or_else(|| panic!("VM001 on erp-app-01"));
    assert_eq!(&vm001[col("file")], "samples/estate/vms/servers.yaml");
    assert!(!vm001[col("remediation")].is_empty());
    assert!(!vm001[col("rationale")].is_empty());
}

#[test]
fn csv_workloads_has_a_row_per_workload() {
    let (headers, rows) = csv_records(&estate("csv-workloads"));
    assert_eq!(headers, WORKLOAD_COLUMNS);
    let report = json(&estate("json"));
    assert_eq!(rows.len(), workloads(&report).len());
    let col = |name: &str| {
        WORKLOAD_COLUMNS
            .iter()
            .position(|c| *c == name)
            .unwrap_or(0)
    };
    let erp = rows
        .iter()
        .find(|r| &r[col("workload")] == "erp-app-01")
        .unwrap_or_else(|| panic!("erp-app-01"));
    let w = workloads(&report)
        .into_iter()
        .find(|w| w["name"] == "erp-app-01")
        .unwrap_or_default();
    assert_eq!(&erp[col("phase")], w["phase"].as_str().unwrap_or(""));
    assert_eq!(erp[col("score")].parse::<u64>().ok(), w["score"].as_u64());
    assert_eq!(
        &erp[col("disposition")],
        w["disposition"].as_str().unwrap_or("")
    );
    assert_eq!(erp[col("effort")].parse::<u64>().ok(), w["effort"].as_u64());
    assert_eq!(&erp[col("disconnect")], "true");
    assert_eq!(&erp[col("sizing_basis")], "utilisation");
    for dim in ["vcpu", "memory_gib", "storage_gib"] {
        let cell: f64 = erp[col(&format!("reclaimable_{dim}"))]
            .parse()
            .unwrap_or(f64::NAN);
        assert_eq!(
            Some(cell),
            w["rightsizing"]["reclaimable"][dim].as_f64(),
            "{dim}"
        );
    }
    assert_eq!(&erp[col("suppressed")], "1");
    assert!(erp[col("roadmap")].split(' ').any(|r| r == "VM001"));
    let wms = rows
        .iter()
        .find(|r| &r[col("workload")] == "wms-db-01")
        .unwrap_or_else(|| panic!("wms-db-01"));
    assert_eq!(&wms[col("cluster")], "prod");
    assert_eq!(&wms[col("datacenter")], "DC-Hamburg");
    assert!(wms[col("saving_per_month")].parse::<f64>().is_ok());
}

#[test]
fn csv_cells_a_spreadsheet_would_run_are_defused() {
    let dir = tempdir();
    let f = write(
        dir.path(),
        "vms.yaml",
        r#"apiVersion: fitscan/v1
kind: VirtualMachine
metadata: { name: "=HYPERLINK(\"http://evil.example\",\"open\")" }
spec: { platform: vsphere, os: Windows Server 2008, cpu: { vcpus: 4 }, memory: 8GB }
---
apiVersion: fitscan/v1
kind: VirtualMachine
metadata: { name: "@SUM(A1:A9)" }
spec: { platform: vsphere, os: Windows Server 2003, cpu: { vcpus: 2 }, memory: 4GB }
"#,
    );
    for format in ["csv", "csv-workloads"] {
        let (_, rows) = csv_records(&stdout_of(&[&f, "--format", format, "--no-config"]));
        assert!(!rows.is_empty());
        for r in &rows {
            for cell in r.iter() {
                assert!(
                    !cell.starts_with(['=', '+', '@']),
                    "{format}: a formula cell `{cell}`"
                );
            }
        }
        let text: Vec<String> = rows
            .iter()
            .flat_map(|r| r.iter().map(str::to_string))
            .collect();
        assert!(
            text.iter().any(|c| c.starts_with("'=HYPERLINK(")),
            "{format}"
        );
        assert!(text.iter().any(|c| c == "'@SUM(A1:A9)"), "{format}");
    }
}

// ---------------------------------------------------------------------------------------
// Excel

fn workbook(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    calamine::open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sheet(book: &mut Xlsx<std::io::BufReader<std::fs::File>>, name: &str) -> calamine::Range<Data> {
    book.worksheet_range(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"))
}

fn text_at(range: &calamine::Range<Data>, row: usize, col: usize) -> String {
    range
        .get((row, col))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

#[test]
fn xlsx_opens_with_every_sheet() {
    let dir = tempdir();
    let path = dir.path().join("estate.xlsx");
    let mut args = ESTATE.to_vec();
    let spec = format!("xlsx={}", path.display());
    args.extend(["--format", &spec]);
    assert_eq!(stdout_of(&args), "", "the workbook goes to its file");
    let report = json(&estate("json"));
    let n = workloads(&report).len();

    let mut book = workbook(&path);
    assert_eq!(
        book.sheet_names(),
        [
            "Summary",
            "Workloads",
            "Findings",
            "Right-sizing",
            "Components",
            "Migration readiness",
            "CNF readiness",
            "Rules"
        ]
    );
    let summary = sheet(&mut book, "Summary");
    assert_eq!(text_at(&summary, 0, 0), "Workload assessment");
    let labels: Vec<String> = (0..summary.height())
        .map(|r| text_at(&summary, r, 0))
        .collect();
    for label in [
        "Generation × phase",
        "Workloads by kind",
        "Effort: the plan",
        "Evidence to collect",
        "Right-sizing",
        "Top findings",
        "Assumptions",
        "Saving per month EUR",
    ] {
        assert!(labels.iter().any(|l| l == label), "Summary: {label}");
    }
    let row_of = |label: &str| labels.iter().position(|l| l == label).unwrap_or(0);
    assert_eq!(
        summary.get((row_of("Workloads"), 1)),
        Some(&Data::Float(n as f64)),
        "figures are numbers"
    );

    let wl = sheet(&mut book, "Workloads");
    assert_eq!(wl.height(), n + 1, "a header and a row per workload");
    assert_eq!(text_at(&wl, 0, 0), "Workload");
    let erp = (1..wl.height())
        .find(|r| text_at(&wl, *r, 0) == "erp-app-01")
        .unwrap_or_else(|| panic!("erp-app-01"));
    let w = workloads(&report)
        .into_iter()
        .find(|w| w["name"] == "erp-app-01")
        .unwrap_or_default();
    assert_eq!(text_at(&wl, erp, 3), w["phase"].as_str().unwrap_or(""));
    assert_eq!(
        wl.get((erp, 4)),
        w["score"].as_f64().map(Data::Float).as_ref()
    );
    assert_eq!(wl.get((erp, 6)), Some(&Data::Bool(true)), "disconnect");

    let findings = sheet(&mut book, "Findings");
    let count = |key: &str| -> usize {
        workloads(&report)
            .iter()
            .map(|w| w[key].as_array().map_or(0, Vec::len))
            .sum()
    };
    assert_eq!(
        findings.height(),
        1 + count("findings") + count("suppressed")
    );
    assert_eq!(text_at(&findings, 0, 10), "Message");

    let sizing = sheet(&mut book, "Right-sizing");
    let sized = workloads(&report)
        .iter()
        .filter(|w| !w["rightsizing"].is_null())
        .count();
    assert_eq!(sizing.height(), sized + 1);
    let components = sheet(&mut book, "Components");
    let parts: usize = workloads(&report)
        .iter()
        .map(|w| w["components"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(components.height(), parts + 1);
    let rules = sheet(&mut book, "Rules");
    assert!(rules.height() > 100, "every rule that ran");
}

#[test]
fn xlsx_text_that_looks_like_a_formula_stays_text() {
    let dir = tempdir();
    let f = write(
        dir.path(),
        "vms.yaml",
        r#"apiVersion: fitscan/v1
kind: VirtualMachine
metadata: { name: "=1+2" }
spec: { platform: vsphere, os: Ubuntu 24.04, cpu: { vcpus: 2 }, memory: 4GB }
"#,
    );
    let path = dir.path().join("out.xlsx");
    let spec = format!("xlsx={}", path.display());
    stdout_of(&[&f, "--format", &spec, "--no-config"]);
    let mut book = workbook(&path);
    let wl = sheet(&mut book, "Workloads");
    assert_eq!(wl.get((1, 0)), Some(&Data::String("=1+2".into())));
    let formulas = book
        .worksheet_formula("Workloads")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
}

#[test]
fn xlsx_goes_to_a_pipe_or_a_file_never_garbled() {
    // Standard output is a pipe here: the bytes are the workbook.
    let out = fitscan()
        .args([
            "scan",
            "samples/vms",
            "--fail-on",
            "never",
            "--format",
            "xlsx",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success());
    assert!(out.stdout.starts_with(b"PK\x03\x04"), "a zip archive");
    let dir = tempdir();
    let path = dir.path().join("r.xlsx");
    fitscan()
        .args([
            "scan",
            "samples/vms",
            "--fail-on",
            "never",
            "--format",
            "xlsx",
            "-o",
        ])
        .arg(&path)
        .assert()
        .success()
        .stdout("");
    let vms = json(&stdout_of(&["samples/vms", "--format", "json"]));
    let mut book = workbook(&path);
    assert_eq!(
        sheet(&mut book, "Workloads").height(),
        workloads(&vms).len() + 1
    );
}

// ---------------------------------------------------------------------------------------
// Every format

#[test]
fn reports_are_the_same_whatever_the_number_of_threads() {
    for format in ["html", "markdown", "csv", "csv-workloads"] {
        let run = |jobs: &str| stdout_of(&["samples/", "--format", format, "--jobs", jobs]);
        assert_eq!(run("1"), run("4"), "{format}");
    }
}

#[test]
fn an_empty_estate_still_renders() {
    let dir = tempdir();
    let d = dir.path().display().to_string();
    let html = stdout_of(&[&d, "--format", "html", "--no-config", "--allow-empty"]);
    assert!(html.contains("No workloads were found"));
    assert!(html.ends_with("</html>\n"));
    let md = stdout_of(&[&d, "--format", "markdown", "--no-config", "--allow-empty"]);
    assert!(md.contains("No workloads were found"));
    let (headers, rows) = csv_records(&stdout_of(&[
        &d,
        "--format",
        "csv",
        "--no-config",
        "--allow-empty",
    ]));
    assert_eq!((headers.len(), rows.len()), (FINDING_COLUMNS.len(), 0));
    let path = dir.path().join("empty.xlsx");
    let spec = format!("xlsx={}", path.display());
    stdout_of(&[&d, "--format", &spec, "--no-config", "--allow-empty"]);
    let mut book = workbook(&path);
    assert_eq!(sheet(&mut book, "Workloads").height(), 1);
}

#[test]
fn file_errors_are_in_every_report() {
    let dir = tempdir();
    let broken = write(
        dir.path(),
        "broken.yaml",
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: { name: x\nspec: [\n",
    );
    let html = stdout_of(&[&broken, "--format", "html", "--no-config"]);
    assert!(html.contains("Files that could not be assessed (1)"));
    assert!(html.contains("broken.yaml"));
    let md = stdout_of(&[&broken, "--format", "markdown", "--no-config"]);
    assert!(md.contains("### File errors"));
    let (_, rows) = csv_records(&stdout_of(&[&broken, "--format", "csv", "--no-config"]));
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][1], "parse-error");
    assert_eq!(&rows[0][2], "error");
}

#[test]
fn every_format_is_offered() {
    let out = fitscan()
        .args(["scan", "samples/vms", "--format", "pdf"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    for name in ["html", "markdown", "csv", "csv-workloads", "xlsx"] {
        assert!(err.contains(name), "{err}");
    }
}

// ---------------------------------------------------------------------------------------
// Snapshots of the text formats on a small sample (`cargo insta review` after a change).

fn small_report() -> fitscan::assessment::Report {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap_or_else(|e| panic!("{e}"));
    scan(
        &[
            PathBuf::from("samples/vms/telco-server.yaml"),
            PathBuf::from("samples/kubernetes/optimised/catalog.yaml"),
        ],
        &ScanOptions {
            // The lifecycle rules judge dates: the report is the one of a fixed day.
            as_of: fitscan::lifecycle::Date::parse("2026-12-07").ok(),
            ..ScanOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// The size of the rule set changes as rule packs grow; the snapshots are about the layout.
fn without_rule_count(report: &fitscan::assessment::Report, text: String) -> String {
    text.replace(
        &format!("· {} rules ·", report.assumptions.rules),
        "· N rules ·",
    )
}

#[test]
fn markdown_snapshot() {
    let report = small_report();
    let text = Format::Markdown.render(&report, &RenderOptions::default());
    insta::assert_snapshot!("small_markdown", without_rule_count(&report, text));
}

#[test]
fn markdown_summary_snapshot() {
    let report = small_report();
    let opts = RenderOptions {
        summary_only: true,
        scan_date: Some("2024-05-01T10:05:00Z".into()),
        ..RenderOptions::default()
    };
    let text = Format::Markdown.render(&report, &opts);
    insta::assert_snapshot!("small_markdown_summary", without_rule_count(&report, text));
}

#[test]
fn csv_snapshots() {
    let report = small_report();
    insta::assert_snapshot!(
        "small_csv",
        Format::Csv.render(&report, &RenderOptions::default())
    );
    insta::assert_snapshot!(
        "small_csv_workloads",
        Format::CsvWorkloads.render(&report, &RenderOptions::default())
    );
}

/// The section of each workload carries what `fitscan explain` says: the properties phase by
/// phase with the state of every check behind them, and the sizing worked out step by step.
#[test]
fn html_workload_sections_snapshot() {
    let report = small_report();
    let html = Format::Html.render(&report, &RenderOptions::default());
    let start = html
        .find("<section id=\"details\">")
        .unwrap_or_else(|| panic!("no workload sections"));
    let end = html[start..]
        .find("</section>")
        .map(|e| start + e + "</section>".len())
        .unwrap_or_else(|| panic!("workload sections not closed"));
    let part = &html[start..end];
    // Every fold has its summary first (a keyboard and a screen reader reach it).
    assert_eq!(
        part.matches("<details class=\"explain\">\n<summary>")
            .count(),
        part.matches("<details").count()
    );
    for w in &report.workloads {
        let e = fitscan::report::explain::explain(&report, w);
        let sizing = e
            .sizing
            .unwrap_or_else(|| panic!("{}: no sizing explained", w.name));
        // With parts sized on their own, each part is worked out and the workload is their
        // total over instances.
        let worked: Vec<_> = if sizing.components.is_empty() {
            sizing.dimensions.iter().collect()
        } else {
            sizing
                .components
                .iter()
                .flat_map(|c| &c.dimensions)
                .collect()
        };
        for d in worked {
            let worked = fitscan::report::html::Esc(&d.worked).to_string();
            assert!(part.contains(&worked), "{}: no `{worked}`", w.name);
        }
        for check in e
            .phases
            .iter()
            .flat_map(|p| &p.properties)
            .flat_map(|p| &p.checks)
        {
            assert!(
                part.contains(&format!("{}.md\">{}</a>", check.rule, check.rule)),
                "{}: check {} not shown",
                w.name,
                check.rule
            );
        }
    }
    // The VM's section (Kubernetes rules come and go with the CNF rules; the checks above
    // cover its section whatever they are).
    let vm = part
        .split("<article ")
        .find(|a| a.contains("cdr-collector-01"))
        .unwrap_or_else(|| panic!("no section for the VM"));
    insta::assert_snapshot!("small_html_vm_section", format!("<article {vm}"));
}

#[test]
fn anonymised_findings_keep_their_own_files_token() {
    // Findings of one workload in several files: a Kubernetes Ingress and budget beside the
    // Deployment, a Compose override and a file the project extends.
    let paths = [
        "rules/kubernetes/fixtures/split",
        "tests/fixtures/compose/shop",
    ];
    // `rule:line` and file of every finding, in report order (which anonymising keeps).
    let files = |report: &Value| -> Vec<(String, String)> {
        common::findings_of(report)
            .into_iter()
            .map(|f| {
                (
                    format!("{}:{}", f["rule"], f["line"]),
                    f["file"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let mut args = paths.to_vec();
    args.extend(["--no-config", "--format", "json"]);
    let plain = files(&json(&stdout_of(&args)));
    args.push("--anonymise");
    let text = stdout_of(&args);
    let anonymised = files(&json(&text));
    assert_eq!(plain.len(), anonymised.len());
    // The same file gives the same token and different files different tokens.
    let mut token_of: std::collections::BTreeMap<&str, &str> = Default::default();
    let mut file_of: std::collections::BTreeMap<&str, &str> = Default::default();
    for ((at, file), (same_at, token)) in plain.iter().zip(&anonymised) {
        assert_eq!(at, same_at);
        assert_eq!(*token_of.entry(file).or_insert(token), token, "{file}");
        assert_eq!(*file_of.entry(token).or_insert(file), file, "{token}");
    }
    assert!(token_of.len() >= 5, "{token_of:?}");
    for leak in [
        "ingress.yaml",
        "pdb.yaml",
        "compose.override.yaml",
        "common.yml",
    ] {
        assert!(!text.contains(leak), "keeps `{leak}`");
    }
}

#[test]
fn anonymised_reports_keep_no_name_host_or_path() {
    let sensitive = [
        "erp-app-01",
        "wms-app-01",
        "wms-db-01",
        "yard-cam-02",
        "freight-billing",
        "portal-web-02",
        "route-planner",
        "samples/estate",
        "DC-Hamburg",
        "esx-h0",
        "vcsa.logistics.example",
        "servers.yaml",
        ".fitscan.yaml",
    ];
    for format in ["json", "html", "markdown", "csv", "csv-workloads"] {
        let mut args = ESTATE.to_vec();
        args.extend(["--anonymise", "--format", format]);
        let out = stdout_of(&args);
        for s in sensitive {
            assert!(!out.contains(s), "{format} keeps `{s}`");
        }
    }
}

#[test]
fn the_right_sizing_table_adds_up_when_catalog_sizes_hold_more_than_needed() {
    // samples/estate fits workloads to a catalog: some entries bundle more vCPU or memory
    // than a workload has now (neither reclaimed nor missing), shown as their own row.
    let md = estate("markdown");
    let row = |label: &str| -> Vec<f64> {
        let line = md
            .lines()
            .find(|l| l.starts_with(&format!("| {label} |")))
            .unwrap_or_else(|| panic!("no {label} row in:\n{md}"));
        line.split('|')
            .skip(2)
            .filter_map(|c| c.trim().parse::<f64>().ok())
            .collect()
    };
    let (now, sized) = (row("Now"), row("Right-sized"));
    let reclaimable = row("**Reclaimable**");
    let surplus = row("Surplus of catalog sizes");
    assert_eq!(surplus, vec![8.0, 20.0, 0.0]);
    for i in 0..3 {
        assert!(
            (now[i] - reclaimable[i] + surplus[i] - sized[i]).abs() < 0.01,
            "dimension {i}: {now:?} - {reclaimable:?} + {surplus:?} != {sized:?}"
        );
    }
    let html = estate("html");
    assert!(
        html.contains("<tr><th scope=\"row\">Surplus of catalog sizes</th><td>8</td><td>20</td><td>0</td></tr>"),
        "the HTML report shows the same row"
    );
}

#[test]
fn the_effort_section_reads_as_a_plan_in_html_and_markdown() {
    for format in ["html", "markdown"] {
        let out = stdout_of(&["samples/vms", "--format", format]);
        let plan = out
            .find("Effort: the plan")
            .unwrap_or_else(|| panic!("{format}: no plan"));
        let evidence = out
            .find("Evidence to collect")
            .unwrap_or_else(|| panic!("{format}: no evidence to collect"));
        assert!(plan < evidence, "{format}: the plan, then the evidence");
        let section = &out[plan..evidence];
        // a row per disposition present, in the order a plan reads them, with person-days
        let order: Vec<usize> = [
            "retire",
            "retain",
            "rehost",
            "replatform",
            "refactor",
            "none",
        ]
        .iter()
        .map(|d| {
            section
                .find(&format!(">{d}<"))
                .or_else(|| section.find(&format!("| {d} |")))
                .unwrap_or_else(|| panic!("{format}: no {d} row"))
        })
        .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{format}: {order:?}");
        assert!(section.contains("Person-days"), "{format}");
        assert!(
            section.contains("lab-build-07"),
            "{format}: an example workload"
        );
        assert!(
            out[evidence..].contains("Assessment effort, apart from the work"),
            "{format}"
        );
    }
}
