//! The sizing rules at their thresholds, on both sides, with the numbers in their
//! messages, and `--percentile` on a time series (docs/sizing.md, "The method").
//!
//! Oversized (VM001-VM003, K8S030, VNF019, CMP022): the recommendation gives back at least
//! one step of the ladder and at least `--oversize-threshold` (25 %) of the current size.
//! Undersized (VM004, K8S031, VNF020, CMP022): a warning when demand plus headroom exceeds
//! the size, an error when demand alone does. Each case below sits on the last value that
//! fires (or the last that does not) and its neighbour; `--headroom 0` keeps the arithmetic
//! in the comments exact.

mod common;

use common::{fitscan, json, tempdir, write};
use serde_json::Value;

const METRICS_HEADER: &str = "name,cpu_p95_cores,memory_p95_gib,samples,period_days\n";

/// Scans `files` (repository paths, or `(name, text)` written to a temporary folder) with
/// `metrics` (a CSV body, after the summary header) and `flags`; the JSON report.
fn scan(files: &[&str], inline: &[(&str, &str)], metrics: Option<&str>, flags: &[&str]) -> Value {
    let dir = tempdir();
    let mut cmd = fitscan();
    cmd.args([
        "scan",
        "--no-config",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    cmd.args(flags);
    if let Some(rows) = metrics {
        let m = write(
            dir.path(),
            "metrics.csv",
            &format!("{METRICS_HEADER}{rows}"),
        );
        cmd.args(["--metrics", &m]);
    }
    cmd.args(files);
    for (name, text) in inline {
        cmd.arg(write(dir.path(), name, text));
    }
    let out = cmd.output().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(r["errors"], serde_json::json!([]), "{}", r["errors"]);
    r
}

/// `(severity, line, message)` of each finding of `rule`.
fn findings(r: &Value, rule: &str) -> Vec<(String, u64, String)> {
    r["workloads"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|w| w["findings"].as_array().into_iter().flatten())
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["severity"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn messages(r: &Value, rule: &str) -> Vec<String> {
    findings(r, rule).into_iter().map(|f| f.2).collect()
}

// ---------------------------------------------------------------------------------------
// VMs

/// A VM of 8 vCPU, 128 GiB and one 1,000 GiB disk with the given p95 CPU %, memory and
/// storage used.
fn vm(cpu_pct: f64, memory_gib: f64, used_gib: f64) -> String {
    format!(
        "apiVersion: fitscan/v1
kind: VirtualMachine
metadata: {{ name: edge }}
spec:
  platform: vsphere
  os: RHEL 9.4
  cpu: 8
  memory: 128GB
  disks: [ {{ size: 1000GB }} ]
  utilisation: {{ periodDays: 30, samples: 8640, cpu: {{ p95: {cpu_pct}% }}, memory: {{ p95: {memory_gib}GB }}, storage: {{ used: {used_gib}GB }} }}
"
    )
}

fn scan_vm(text: &str, flags: &[&str]) -> Value {
    scan(&[], &[("vm.yaml", text)], None, flags)
}

#[test]
fn vm001_to_vm003_fire_at_a_step_and_a_quarter_with_their_numbers() {
    // 75 % of 8 = 6 vCPU (one step, 25 %); 96 of 128 GiB (one step, 25 %); 736 of 1,000
    // GiB used is 736 recommended (16 GiB steps), 264 GiB (26.4 %) back.
    let r = scan_vm(&vm(75.0, 96.0, 736.0), &["--headroom", "0"]);
    assert_eq!(
        messages(&r, "VM001"),
        ["edge has 8 vCPU but its demand is 6 vCPU; 6 vCPU cover it with headroom (2 reclaimable)"]
    );
    assert_eq!(
        messages(&r, "VM002"),
        [
            "edge has 128 GiB of memory but uses 96 GiB; 96 GiB cover it with headroom (32 GiB reclaimable)"
        ]
    );
    assert_eq!(
        messages(&r, "VM003"),
        ["edge has 1000 GiB of disk but uses 736 GiB; 736 GiB are enough (264 GiB reclaimable)"]
    );
    // The remediation carries the recommendation too.
    let remediation = r["workloads"][0]["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == "VM001")
        .map(|f| f["remediation"].as_str().unwrap_or("").to_string());
    assert!(
        remediation.is_some_and(|t| t.starts_with("Reduce the VM to 6 vCPU")),
        "{}",
        r["workloads"][0]["findings"]
    );
}

#[test]
fn vm001_to_vm003_pass_just_past_the_threshold() {
    // 76 % of 8 = 6.08 -> 8 vCPU; 97 GiB -> 128 GiB; 737 GiB -> 752 GiB, 248 GiB (24.8 %).
    let r = scan_vm(&vm(76.0, 97.0, 737.0), &["--headroom", "0"]);
    for rule in ["VM001", "VM002", "VM003"] {
        assert_eq!(messages(&r, rule), Vec::<String>::new(), "{rule}");
    }
    assert_eq!(
        r["workloads"][0]["rightsizing"]["recommended"],
        serde_json::json!({"vcpu": 8.0, "memory_gib": 128.0, "storage_gib": 752.0})
    );
}

#[test]
fn the_oversize_threshold_moves_the_share_a_step_must_give_back() {
    // At 26 % the 25 % steps of CPU and memory no longer count; the disk's 26.4 % does.
    let r = scan_vm(
        &vm(75.0, 96.0, 736.0),
        &["--headroom", "0", "--oversize-threshold", "26"],
    );
    assert_eq!(messages(&r, "VM001"), Vec::<String>::new());
    assert_eq!(messages(&r, "VM002"), Vec::<String>::new());
    assert_eq!(messages(&r, "VM003").len(), 1);
    let r = scan_vm(
        &vm(75.0, 96.0, 736.0),
        &["--headroom", "0", "--oversize-threshold", "27"],
    );
    assert_eq!(messages(&r, "VM003"), Vec::<String>::new());
}

/// A VM of 4 vCPU, 8 GiB and 100 GiB (50 used) with the given p95 CPU % and memory.
fn small_vm(cpu_pct: f64, memory_gib: f64) -> String {
    format!(
        "apiVersion: fitscan/v1
kind: VirtualMachine
metadata: {{ name: tight }}
spec:
  platform: vsphere
  os: RHEL 9.4
  cpu: 4
  memory: 8GB
  disks: [ {{ size: 100GB }} ]
  utilisation: {{ periodDays: 30, samples: 8640, cpu: {{ p95: {cpu_pct}% }}, memory: {{ p95: {memory_gib}GB }}, storage: {{ used: 50GB }} }}
"
    )
}

#[test]
fn vm004_is_a_warning_past_demand_plus_headroom_and_an_error_past_demand() {
    // Default headroom 30 %: 76.9 % of 4 = 3.076 x 1.3 = 3.999 fits; 77 % = 4.004 does not.
    let fits = scan_vm(&small_vm(76.9, 6.0), &[]);
    assert_eq!(findings(&fits, "VM004"), []);
    let r = scan_vm(&small_vm(77.0, 6.0), &[]);
    assert_eq!(
        findings(&r, "VM004"),
        [(
            "warning".to_string(),
            7,
            "tight needs more than it has: recommended 6 vCPU / 8 GiB / 80 GiB against 4 vCPU / 8 GiB / 100 GiB now".to_string()
        )]
    );
    // Memory: 6.15 x 1.3 = 7.995 fits 8 GiB; 6.16 x 1.3 = 8.008 -> 12 GiB, a warning.
    assert_eq!(findings(&scan_vm(&small_vm(50.0, 6.15), &[]), "VM004"), []);
    let warn = findings(&scan_vm(&small_vm(50.0, 6.16), &[]), "VM004");
    assert_eq!(warn.len(), 1);
    assert_eq!(warn[0].0, "warning");
    assert!(
        warn[0]
            .2
            .contains("recommended 4 vCPU / 12 GiB / 80 GiB against 4 vCPU / 8 GiB")
    );
    // Demand equal to the size is a warning; above it, an error.
    assert_eq!(
        findings(&scan_vm(&small_vm(50.0, 8.0), &[]), "VM004")[0].0,
        "warning"
    );
    assert_eq!(
        findings(&scan_vm(&small_vm(50.0, 8.1), &[]), "VM004")[0].0,
        "error"
    );
}

// ---------------------------------------------------------------------------------------
// --percentile on a time series

/// A day of 10-minute windows, two samples each, for `batch-01`: CPU at 10 % in 80
/// windows, 30 % in 57 and 60 % in 7, spread through the day; memory at 4 GiB.
fn series() -> String {
    let mut levels: Vec<u32> = [vec![10; 80], vec![30; 57], vec![60; 7]].concat();
    // A fixed interleaving, so that the busy windows are not all at the end of the day.
    let mut spread = Vec::with_capacity(levels.len());
    while !levels.is_empty() {
        let i = (spread.len() * 37) % levels.len();
        spread.push(levels.remove(i));
    }
    let mut csv = String::from("timestamp,name,metric,value\n");
    for (window, cpu) in spread.iter().enumerate() {
        for half in 0..2 {
            let t = 1_714_521_600 + window * 600 + half * 300;
            csv.push_str(&format!(
                "{t},batch-01,cpu_pct,{cpu}\n{t},batch-01,memory_gib,4\n"
            ));
        }
    }
    csv
}

#[test]
fn the_percentile_chosen_changes_the_demand_and_the_recommendation() {
    let dir = tempdir();
    let metrics = write(dir.path(), "series.csv", &series());
    let vm = write(
        dir.path(),
        "batch.yaml",
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: { name: batch-01 }\nspec:\n  platform: vsphere\n  os: RHEL 9.4\n  cpu: 8\n  memory: 8GB\n",
    );
    let at = |p: &str| {
        let out = fitscan()
            .args([
                "scan",
                "--no-config",
                "--format",
                "json",
                "--fail-on",
                "never",
            ])
            .args(["--metrics", &metrics, "--percentile", p, &vm])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        json(&String::from_utf8_lossy(&out.stdout))
    };
    // p50 of the windows' peaks is 10 % (0.8 vCPU, x 1.3 -> 2); p95 30 % (2.4 -> 4); p99
    // 60 % (4.8 -> 6.24 -> 8, nothing to give back).
    for (p, demand, recommended, vm001) in [
        (
            "50",
            0.8,
            2.0,
            Some(
                "batch-01 has 8 vCPU but its demand is 0.8 vCPU; 2 vCPU cover it with headroom (6 reclaimable)",
            ),
        ),
        (
            "95",
            2.4,
            4.0,
            Some(
                "batch-01 has 8 vCPU but its demand is 2.4 vCPU; 4 vCPU cover it with headroom (4 reclaimable)",
            ),
        ),
        ("99", 4.8, 8.0, None),
    ] {
        let r = at(p);
        let rs = &r["workloads"][0]["rightsizing"];
        assert_eq!(
            rs["statistic"]["vcpu"],
            format!("p{p} of 10-minute peaks over 288 point(s) (metrics)"),
            "{rs}"
        );
        assert_eq!(rs["demand"]["vcpu"].as_f64(), Some(demand), "p{p}: {rs}");
        assert_eq!(
            rs["recommended"]["vcpu"].as_f64(),
            Some(recommended),
            "p{p}: {rs}"
        );
        assert_eq!(rs["confidence"], "high");
        assert_eq!(
            messages(&r, "VM001"),
            vm001.map(str::to_string).into_iter().collect::<Vec<_>>(),
            "p{p}"
        );
        assert_eq!(r["assumptions"]["percentile"].as_f64(), p.parse().ok());
    }
}

// ---------------------------------------------------------------------------------------
// Kubernetes containers (50 millicore and 64 MiB steps)

const API: &str = "rules/kubernetes/fixtures/usage/api.yaml";

/// Metrics for the `api` Deployment: `app` requests 2 CPU / 4 GiB, `proxy` 100m / 128 MiB.
fn api_metrics(app: (f64, f64), proxy: (f64, f64)) -> String {
    format!(
        "shop/api/app,{},{},8640,30\nshop/api/proxy,{},{},8640,30\n",
        app.0, app.1, proxy.0, proxy.1
    )
}

#[test]
fn k8s030_fires_at_a_quarter_of_the_request_and_not_below() {
    let quiet_proxy = (0.1, 0.125);
    // 1.5 of 2 CPU: 0.5 (25 %) back.
    let r = scan(
        &[API],
        &[],
        Some(&api_metrics((1.5, 3.5), quiet_proxy)),
        &["--headroom", "0"],
    );
    assert_eq!(
        findings(&r, "K8S030"),
        [(
            "warning".to_string(),
            15,
            "Container app of shop/api requests more than it uses at the chosen percentile plus headroom, by at least one step and a quarter of its request: the sizing of the server it came from, reserved on every node it lands on".to_string()
        )]
    );
    // 1.51 -> 1.55 CPU: 0.45 (22.5 %) back.
    let r = scan(
        &[API],
        &[],
        Some(&api_metrics((1.51, 3.5), quiet_proxy)),
        &["--headroom", "0"],
    );
    assert_eq!(findings(&r, "K8S030"), []);
    // Memory: 3 of 4 GiB is a quarter back; 3.01 -> 3.0625 is not.
    let r = scan(
        &[API],
        &[],
        Some(&api_metrics((1.9, 3.0), quiet_proxy)),
        &["--headroom", "0"],
    );
    assert_eq!(findings(&r, "K8S030").len(), 1);
    let r = scan(
        &[API],
        &[],
        Some(&api_metrics((1.9, 3.01), quiet_proxy)),
        &["--headroom", "0"],
    );
    assert_eq!(findings(&r, "K8S030"), []);
}

#[test]
fn k8s031_warns_past_headroom_and_errs_past_the_request() {
    let app = (1.51, 3.0); // 1.963 CPU and 3.9 GiB with headroom: inside 2 / 4 GiB
    let proxy_k8s031 = |cpu: f64| {
        let r = scan(&[API], &[], Some(&api_metrics(app, (cpu, 0.05))), &[]);
        findings(&r, "K8S031")
    };
    // 0.0769 x 1.3 = 0.09997 fits 100m; 0.077 x 1.3 = 0.1001 does not.
    assert_eq!(proxy_k8s031(0.0769), []);
    assert_eq!(
        proxy_k8s031(0.077),
        [(
            "warning".to_string(),
            20,
            "Container proxy of shop/api needs more than it requests at the chosen percentile plus headroom (warning): it competes for capacity the scheduler gave to others".to_string()
        )]
    );
    assert_eq!(proxy_k8s031(0.1)[0].0, "warning");
    let saturated = proxy_k8s031(0.11);
    assert_eq!(saturated[0].0, "error");
    assert!(saturated[0].2.contains("headroom (error)"), "{saturated:?}");
}

// ---------------------------------------------------------------------------------------
// VNF VDUs (the VM ladders): `oam` is 2 vCPU / 4 GiB, one instance

const VEPC: &str = "rules/vnf/fixtures/usage/vepc_vnfd.json";

fn oam(cpu: f64, memory: f64, flags: &[&str]) -> Vec<(String, u64, String)> {
    let rows = format!(
        "vepc-gw/default-df/gw,2.9,5.8,8640,30\nvepc-gw/default-df/oam,{cpu},{memory},8640,30\n"
    );
    let r = scan(&[VEPC], &[], Some(&rows), flags);
    let mut out = findings(&r, "VNF019");
    out.extend(findings(&r, "VNF020"));
    out.retain(|f| f.2.starts_with("VDU oam "));
    out
}

#[test]
fn vnf019_fires_at_a_step_and_a_quarter_of_the_flavour() {
    let no_headroom = ["--headroom", "0"];
    let message = "VDU oam of vepc-gw/default-df is given more vCPU or memory than it uses at the chosen percentile plus headroom, by at least one step of the ladder and a quarter of its flavour";
    // 1 of 2 vCPU back; at 1.01 the recommendation stays 2.
    assert_eq!(
        oam(1.0, 3.5, &no_headroom),
        [("warning".to_string(), 36, message.to_string())]
    );
    assert_eq!(oam(1.01, 3.5, &no_headroom), []);
    // 3 of 4 GiB is one step and 25 %; 3.01 rounds up to 4.
    assert_eq!(oam(1.5, 3.0, &no_headroom).len(), 1);
    assert_eq!(oam(1.5, 3.01, &no_headroom), []);
}

#[test]
fn vnf020_warns_past_headroom_and_errs_past_the_flavour() {
    // 1.53 x 1.3 = 1.989 fits 2 vCPU; 1.54 x 1.3 = 2.002 does not; 2.01 alone does not.
    assert_eq!(oam(1.53, 2.9, &[]), []);
    let warning = oam(1.54, 2.9, &[]);
    assert_eq!(
        warning,
        [(
            "warning".to_string(),
            36,
            "VDU oam of vepc-gw/default-df needs more than its flavour gives at the chosen percentile plus headroom (warning); a poll-mode VDU is never called undersized for its CPU".to_string()
        )]
    );
    assert_eq!(oam(2.0, 2.9, &[])[0].0, "warning");
    let error = oam(2.01, 2.9, &[]);
    assert_eq!(error[0].0, "error");
    assert!(error[0].2.contains("headroom (error)"));
}

// ---------------------------------------------------------------------------------------
// Compose services (container steps): `cache` is limited to 0.5 CPU / 256 MiB

const COMPOSE: &str = "rules/compose/fixtures/usage/compose.yaml";

/// CMP022 on the cache, and the cache's over- and undersized dimensions.
fn cache(cpu: f64, memory: f64, flags: &[&str]) -> (Vec<String>, Value, Value) {
    let rows = format!("shop/api,2.9,5.8,8640,30\nshop/cache,{cpu},{memory},8640,30\n");
    let r = scan(&[COMPOSE], &[], Some(&rows), flags);
    let w = r["workloads"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|w| w["name"] == "shop/cache")
        .cloned()
        .unwrap_or_else(|| panic!("no shop/cache: {r}"));
    let severities = w["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "CMP022")
        .map(|f| f["severity"].as_str().unwrap_or("").to_string())
        .collect();
    (
        severities,
        w["rightsizing"]["oversized"].clone(),
        w["rightsizing"]["undersized"].clone(),
    )
}

#[test]
fn cmp022_fires_at_a_quarter_of_the_limit_and_not_below() {
    let no_headroom = ["--headroom", "0"];
    // 0.35 of 0.5 CPU: 0.15 (30 %, three steps) back; 0.36 -> 0.4: 20 %.
    let (fired, oversized, _) = cache(0.35, 0.2, &no_headroom);
    assert_eq!(
        (fired, oversized),
        (vec!["warning".to_string()], serde_json::json!(["vcpu"]))
    );
    let (fired, oversized, _) = cache(0.36, 0.2, &no_headroom);
    assert_eq!((fired, oversized), (vec![], serde_json::json!([])));
    // 0.1875 of 0.25 GiB: one 64 MiB step, 25 %; 0.1876 rounds up to 0.25.
    let (fired, oversized, _) = cache(0.45, 0.1875, &no_headroom);
    assert_eq!(
        (fired, oversized),
        (
            vec!["warning".to_string()],
            serde_json::json!(["memory_gib"])
        )
    );
    let (fired, _, _) = cache(0.45, 0.1876, &no_headroom);
    assert_eq!(fired, Vec::<String>::new());
}

#[test]
fn cmp022_warns_past_headroom_and_errs_past_the_limit() {
    // 0.38 x 1.3 = 0.494 fits 0.5 CPU; 0.39 x 1.3 = 0.507 does not; 0.51 alone does not fit.
    let (fired, _, undersized) = cache(0.38, 0.18, &[]);
    assert_eq!((fired, undersized), (vec![], serde_json::json!({})));
    let (fired, _, undersized) = cache(0.39, 0.18, &[]);
    assert_eq!(
        (fired, undersized),
        (
            vec!["warning".to_string()],
            serde_json::json!({"vcpu": "warning"})
        )
    );
    // Usage equal to the limit is not saturation yet.
    let (fired, _, undersized) = cache(0.5, 0.18, &[]);
    assert_eq!(
        (fired, undersized),
        (
            vec!["warning".to_string()],
            serde_json::json!({"vcpu": "warning"})
        )
    );
    let (fired, _, undersized) = cache(0.51, 0.18, &[]);
    assert_eq!(
        (fired, undersized),
        (
            vec!["error".to_string()],
            serde_json::json!({"vcpu": "error"})
        )
    );
}
