//! Workshop mode and a new user's first hour: `explain`, `diff`, `scan --watch`, standard
//! input, completions and the man page, VM spec typos, the table at a terminal's width,
//! and the line per file written.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command as Process, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{fitscan, write};
use predicates::prelude::*;
use serde_json::Value;

fn stdout_of(args: &[&str]) -> String {
    let out = fitscan()
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json_of(args: &[&str]) -> Value {
    let text = stdout_of(args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

// ---------------------------------------------------------------------------------------
// explain

#[test]
fn explain_a_vm_says_every_property_the_evidence_the_roadmap_and_the_sizing() {
    let text = stdout_of(&[
        "explain",
        "cdr-collector-01",
        "samples/vms/telco-server.yaml",
    ]);
    for expected in [
        "Phase: unchanged, held below optimised by right-sized, configured-from-outside, data-separable, health-observable",
        "optimised (not reached)",
        "[x] right-sized fails",
        "VM001 CPU oversized for measured demand: fail at samples/vms/telco-server.yaml:14",
        "[?] health-observable unknown",
        "Evidence to collect",
        "Roadmap to purpose-built",
        "  2. purpose-built",
        "also recommended (advice: never moves the phase)",
        "percentile p95, headroom 30%, vm ladder",
        "demand 4 vCPU [p95 (given)] x 1.3 (headroom 30%) = 5.2 -> next allowed size 6",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

#[test]
fn explain_in_json_works_the_sizing_out_per_dimension() {
    let v = json_of(&[
        "explain",
        "vm:cdr-collector-01",
        "samples/vms/telco-server.yaml",
        "--headroom",
        "0",
        "--format",
        "json",
    ]);
    let e = &v[0];
    assert_eq!(e["phase"], "unchanged");
    assert_eq!(e["phases"][0]["phase"], "optimised");
    assert_eq!(e["phases"][0]["properties"][0]["property"], "right-sized");
    assert_eq!(e["phases"][0]["properties"][0]["state"], "fails");
    let dims = e["sizing"]["dimensions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let rec: Vec<(String, f64)> = dims
        .iter()
        .map(|d| {
            (
                d["dimension"].as_str().unwrap_or("").to_string(),
                d["recommended"].as_f64().unwrap_or(-1.0),
            )
        })
        .collect();
    // The seed example: 4 vCPU, 32 GiB, 1024 GiB with --headroom 0.
    assert_eq!(
        rec,
        vec![
            ("vcpu".to_string(), 4.0),
            ("memory_gib".to_string(), 32.0),
            ("storage_gib".to_string(), 1024.0)
        ]
    );
    assert_eq!(dims[0]["statistic"], "p95 (given)");
    assert_eq!(e["roadmap"]["phases"][1]["phase"], "purpose-built");
}

#[test]
fn explain_a_dockerfile_a_deployment_and_a_vnf() {
    let text = stdout_of(&["explain", "samples/containers/*", "samples/containers"]);
    assert!(text.contains("[x] configured-from-outside fails"), "{text}");
    assert!(text.contains("Sizing\n  no size or demand known"), "{text}");

    let text = stdout_of(&["explain", "catalog/catalog", "samples/kubernetes"]);
    assert!(
        text.contains("Phase: optimised, held below purpose-built by heals-itself"),
        "{text}"
    );
    assert!(text.contains("container ladder"), "{text}");
    assert!(text.contains("catalog (x2, per instance)"), "{text}");

    let v = json_of(&[
        "explain",
        "vnf:legacy-ims/default-df",
        "samples/vnf",
        "-f",
        "json",
    ]);
    assert_eq!(v[0]["kind"], "vnf");
    assert_eq!(v[0]["phase"], "unchanged");
    assert!(
        v[0]["sizing"]["components"]
            .as_array()
            .is_some_and(|c| !c.is_empty()),
        "{v}"
    );
}

#[test]
fn explain_of_nothing_matching_is_a_usage_error_with_a_hint() {
    fitscan()
        .args([
            "explain",
            "cdr-colector-01",
            "samples/vms/telco-server.yaml",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "no workload matches `cdr-colector-01` (did you mean `cdr-collector-01`?)",
        ));
}

// ---------------------------------------------------------------------------------------
// diff

const VM: &str = "\
apiVersion: fitscan/v1
kind: VirtualMachine
metadata: {name: app-01}
spec:
  platform: vsphere
  os: RHEL 9
  cpu: {vcpus: 8}
  memory: 32GB
  disks: [{size: 100GB}]
  utilisation: {periodDays: 30, samples: 8640, cpu: {p95: 70%}, memory: {p95: 24GB}, storage: {used: 70GB}}
  app: {config: baked, state: none, backup: app-consistent, ha: cluster, scaling: horizontal, encryption: everywhere, monitoring: application}
---
apiVersion: fitscan/v1
kind: VirtualMachine
metadata: {name: old-02}
spec: {platform: vsphere, os: RHEL 9, cpu: {vcpus: 2}, memory: 4GB}
";

#[test]
fn diff_shows_a_phase_change_new_and_fixed_findings_and_a_removed_workload() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let vms = write(dir.path(), "vms.yaml", VM);
    let old = dir.path().join("old.json");
    fitscan()
        .args(["scan", &vms, "--fail-on", "never", "--format"])
        .arg(format!("json={}", old.display()))
        .assert()
        .success()
        .stderr(predicates::str::contains("wrote ").and(predicates::str::contains("(json, ")));
    // Configuration moved out (VM006 fixed), encryption dropped (VM011 new), old-02 gone.
    let changed = VM
        .replace("config: baked", "config: env")
        .replace("encryption: everywhere", "encryption: none");
    let changed = &changed[..changed.find("---").unwrap_or(changed.len())];
    std::fs::write(&vms, changed).unwrap_or_else(|e| panic!("{e}"));
    let new = dir.path().join("new.json");
    fitscan()
        .args(["scan", &vms, "--fail-on", "never", "--format"])
        .arg(format!("json={}", new.display()))
        .assert()
        .success();
    let (o, n) = (old.display().to_string(), new.display().to_string());

    let d = json_of(&["diff", &o, &n, "--format", "json"]);
    let change = &d["changed"][0];
    assert_eq!(change["name"], "app-01");
    assert_eq!(change["phase"]["old"], "unchanged", "{d}");
    assert_eq!(change["phase"]["new"], "optimised", "{d}");
    assert_eq!(
        change["properties"]["configured-from-outside"]["new"],
        "holds"
    );
    let rules = |key: &str| -> Vec<String> {
        d[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["workload"] == "app-01")
            .map(|f| f["rule"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert!(
        rules("findings_fixed").contains(&"VM006".to_string()),
        "{d}"
    );
    assert!(rules("findings_new").contains(&"VM011".to_string()), "{d}");
    assert_eq!(d["removed"][0]["name"], "old-02");
    assert_eq!(d["totals"]["old"]["workloads"], 2);
    assert_eq!(d["totals"]["new"]["workloads"], 1);

    let table = stdout_of(&["diff", &o, &n]);
    assert!(
        table.contains("app-01: phase unchanged -> optimised"),
        "{table}"
    );
    assert!(table.contains("Removed\n  old-02"), "{table}");
    let md = stdout_of(&["diff", &o, &n, "--format", "markdown"]);
    assert!(md.contains("| app-01 | unchanged → optimised |"), "{md}");
}

#[test]
fn diff_reads_a_report_of_an_older_fitscan_and_refuses_what_is_not_a_report() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let old = write(
        dir.path(),
        "old.json",
        r#"{"schema_version": 1, "workloads": [{"id": "vm:a", "name": "a", "kind": "vm", "phase": "unchanged", "score": 34, "findings": []}]}"#,
    );
    let new = write(
        dir.path(),
        "new.json",
        r#"{"schema_version": 1, "workloads": [{"id": "vm:a", "name": "a", "kind": "vm", "phase": "unchanged", "score": 42, "properties": {"right-sized": "holds"}, "findings": []}]}"#,
    );
    let text = stdout_of(&["diff", &old, &new]);
    assert!(text.contains("a: score 34 -> 42"), "{text}");
    let bad = write(dir.path(), "bad.json", "[1, 2]");
    fitscan()
        .args(["diff", &old, &bad])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "bad.json: not a fitscan JSON report",
        ));
}

// ---------------------------------------------------------------------------------------
// standard input, completions, man page

#[test]
fn a_stream_of_documents_on_standard_input_is_scanned() {
    let mut stream = String::new();
    for f in [
        "deployment.yaml",
        "hpa.yaml",
        "pdb.yaml",
        "networkpolicy.yaml",
    ] {
        let p = format!(
            "{}/samples/kubernetes/purpose-built/{f}",
            env!("CARGO_MANIFEST_DIR")
        );
        stream.push_str(&std::fs::read_to_string(p).unwrap_or_default());
        stream.push_str("\n---\n");
    }
    let out = fitscan()
        .args(["scan", "-", "--format", "json"])
        .write_stdin(stream)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["workloads"][0]["file"], "<stdin>");
    assert_eq!(v["workloads"][0]["phase"], "purpose-built", "{v}");

    // JSON documents one after another (`kubectl get -o json` twice).
    let two = "{\"apiVersion\":\"fitscan/v1\",\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"a\"},\"spec\":{\"cpu\":2}}\n{\"apiVersion\":\"fitscan/v1\",\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"b\"},\"spec\":{\"cpu\":4}}\n";
    let out = fitscan()
        .args(["scan", "-", "--format", "json", "--fail-on", "never"])
        .write_stdin(two)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = v["workloads"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|w| w["name"].as_str())
        .collect();
    assert_eq!(names, vec!["a", "b"]);
    assert_eq!(v["workloads"][1]["line"], 2);
}

#[test]
fn completions_and_the_man_page() {
    for (shell, marker) in [
        ("bash", "_fitscan()"),
        ("zsh", "#compdef fitscan"),
        ("fish", "complete -c fitscan"),
    ] {
        let text = stdout_of(&["completions", shell]);
        assert!(text.contains(marker), "{shell}: {text}");
        assert!(text.contains("explain"), "{shell}");
    }
    fitscan().args(["completions", "tcsh"]).assert().code(2);
    let man = stdout_of(&["man"]);
    assert!(man.starts_with(".ie"), "{man}");
    assert!(man.contains(".TH fitscan 1"), "{man}");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    fitscan()
        .args(["man", "--dir"])
        .arg(dir.path())
        .assert()
        .success();
    assert!(dir.path().join("fitscan-explain.1").is_file());
}

// ---------------------------------------------------------------------------------------
// VM spec typos

#[test]
fn vm_spec_typos_are_warnings_with_a_did_you_mean_in_every_format() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let vm = write(
        dir.path(),
        "vm.yaml",
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: {name: db}\nspec:\n  cpu: {vcpus: 4}\n  memmory: 8GB\n  ap: { config: external }\n  costCentre: C-12\n",
    );
    let v = json_of(&["scan", &vm, "--format", "json"]);
    let typos: Vec<(String, u64)> = common::findings_of(&v)
        .iter()
        .filter(|f| f["rule"] == "unknown-field")
        .map(|f| {
            (
                f["message"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        typos.len(),
        2,
        "costCentre is a field of the user's: {typos:?}"
    );
    assert!(
        typos[0].0.contains("did you mean `spec.memory`?"),
        "{typos:?}"
    );
    assert_eq!(typos[0].1, 6);
    assert!(typos[1].0.contains("did you mean `spec.app`?"), "{typos:?}");
    for format in ["table", "sarif", "junit", "markdown", "csv"] {
        let text = stdout_of(&["scan", &vm, "--format", format]);
        assert!(text.contains("unknown-field"), "{format}: {text}");
        assert!(text.contains("spec.memory"), "{format}: {text}");
    }
}

// ---------------------------------------------------------------------------------------
// the table at a terminal's width

#[test]
fn the_table_at_80_and_120_columns() {
    for columns in ["80", "120"] {
        let out = fitscan()
            .args([
                "scan",
                "samples/vms/telco-server.yaml",
                "samples/containers",
                "--fail-on",
                "never",
                // The lifecycle rules judge dates: the table of a fixed day.
                "--as-of",
                "2026-12-07",
            ])
            .env("COLUMNS", columns)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let width: usize = columns.parse().unwrap_or(0);
        for line in text.lines() {
            assert!(
                unicode_width::UnicodeWidthStr::width(line) <= width,
                "{columns} columns: {line:?}"
            );
        }
        assert!(
            text.lines()
                .last()
                .is_some_and(|l| l.contains("writes the whole report."))
                || text.contains("`--format html=report.html`"),
            "{text}"
        );
        // The workloads, the summary and the next step (the findings above them follow the
        // rules' texts, which other tests pin).
        let from = text
            .find("\n┌")
            .or_else(|| text.find("\nWorkloads ("))
            .map_or(0, |i| i + 1);
        insta::assert_snapshot!(format!("table_{columns}_columns"), &text[from..]);
    }
}

// ---------------------------------------------------------------------------------------
// --watch

/// Lines of the child's standard output, as they come.
fn lines_of(child: &mut std::process::Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    if let Some(out) = child.stdout.take() {
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                match line {
                    Ok(l) => {
                        if tx.send(l).is_err() {
                            break;
                        }
                    }
                    Err(_) => break,
                }
            }
        });
    }
    rx
}

/// Waits (at most until `deadline`) for a line containing `text`; the lines seen.
fn wait_for(
    rx: &mpsc::Receiver<String>,
    text: &str,
    deadline: Instant,
) -> Result<Vec<String>, Vec<String>> {
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(seen);
        }
        match rx.recv_timeout(left) {
            Ok(line) => {
                let found = line.contains(text);
                seen.push(line);
                if found {
                    return Ok(seen);
                }
            }
            Err(_) => return Err(seen),
        }
    }
}

#[test]
fn watch_redraws_when_an_input_changes_and_marks_what_moved() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let vms = write(dir.path(), "vms.yaml", VM);
    let mut child = Process::new(env!("CARGO_BIN_EXE_fitscan"))
        .args(["scan", "--watch", "--no-config"])
        .arg(dir.path())
        .env("COLUMNS", "120")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let rx = lines_of(&mut child);
    let deadline = Instant::now() + Duration::from_secs(60);
    let first = wait_for(&rx, "watching", deadline);
    let edited = first.is_ok() && {
        // The watcher is registered before the first draw ends; a moment for the OS.
        std::thread::sleep(Duration::from_millis(300));
        std::fs::write(&vms, VM.replace("config: baked", "config: env")).is_ok()
    };
    let second = if edited {
        wait_for(&rx, "Since the last run", deadline)
    } else {
        Err(Vec::new())
    };
    let rest = if second.is_ok() {
        wait_for(&rx, "watching", deadline)
    } else {
        Err(Vec::new())
    };
    let _ = child.kill();
    let _ = child.wait();
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    let first = first.unwrap_or_else(|seen| panic!("no first draw: {seen:?}\n{stderr}"));
    assert!(first.iter().any(|l| l.contains("app-01")), "{first:?}");
    let second =
        second.unwrap_or_else(|seen| panic!("no redraw after the edit: {seen:?}\n{stderr}"));
    let moved = second.last().cloned().unwrap_or_default();
    assert!(moved.contains("1 workload(s) changed"), "{moved}");
    let rest = rest.unwrap_or_else(|seen| panic!("redraw cut short: {seen:?}\n{stderr}"));
    assert!(
        rest.iter()
            .any(|l| l.contains("* app-01: phase unchanged -> purpose-built")),
        "{rest:?}"
    );
    assert!(
        second.iter().any(|l| l.contains("│ * app-01")),
        "{second:?}"
    );
}

// ---------------------------------------------------------------------------------------
// README claims

#[test]
fn the_config_schema_id_names_a_file_of_the_repository_that_holds_it() {
    let printed: Value =
        serde_json::from_str(&stdout_of(&["config", "schema"])).unwrap_or_else(|e| panic!("{e}"));
    let id = printed["$id"].as_str().unwrap_or("");
    let rel = id
        .split("/blob/main/")
        .nth(1)
        .unwrap_or_else(|| panic!("$id {id} names no file of the repository"));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let kept: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_default())
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (refresh with `fitscan config schema > {rel}`)",
                path.display()
            )
        });
    assert_eq!(
        kept, printed,
        "refresh with `fitscan config schema > {rel}`"
    );
}

#[test]
fn the_readme_points_at_files_inside_the_repository_and_says_what_fitscan_writes() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap_or_default();
    assert!(
        !readme.contains("../shared/spec") && !readme.contains("PRODUCT.md"),
        "the README points outside the repository"
    );
    assert!(
        !readme.contains("\"fitscan/v1\"]"),
        "SARIF fingerprints are fitscan/v2"
    );
    assert!(readme.contains("partialFingerprints[\"fitscan/v2\"]"));
    assert!(!readme.contains("rev: v0.1.0"), "no such tag");
    // Every relative Markdown link resolves.
    for (i, _) in readme.match_indices("](") {
        let rest = &readme[i + 2..];
        let target = &rest[..rest.find(')').unwrap_or(0)];
        if target.starts_with("http") || target.starts_with('#') || target.is_empty() {
            continue;
        }
        let file = target.split('#').next().unwrap_or(target);
        assert!(
            root.join(file).exists(),
            "README links to {target}, which does not exist"
        );
    }
    let sarif = stdout_of(&["scan", "samples/vms/telco-server.yaml", "--format", "sarif"]);
    let v: Value = serde_json::from_str(&sarif).unwrap_or_else(|e| panic!("{e}"));
    let result = &v["runs"][0]["results"][0];
    assert!(
        result["message"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("\nFix: "))
    );
    assert!(result["partialFingerprints"]["fitscan/v2"].is_string());
}
