//! Estates as consultants receive them: RVTools workbooks and CSV exports, Azure Migrate
//! imports, OVF descriptors, utilisation metrics, size catalogs, anonymised reports.

use serde_json::Value;

mod common;
use common::tempdir;
use common::{fitscan, write};

fn run(args: &[&str]) -> (Value, String, Option<i32>) {
    let out = fitscan()
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

fn json_of(args: &[&str]) -> Value {
    run(args).0
}

fn workload<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["workloads"]
        .as_array()
        .and_then(|ws| ws.iter().find(|w| w["name"] == name))
        .unwrap_or_else(|| panic!("no workload {name} in {report}"))
}

fn rules_of(w: &Value) -> Vec<(String, u64)> {
    w["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

const DISPLAY_VINFO: &str = "\
VM,Powerstate,Template,SRM Placeholder,CPUs,Memory,NICs,Disks,Total disk capacity MiB,Provisioned MiB,In Use MiB,OS according to the configuration file,OS according to the VMware Tools,HW version,Datacenter,Cluster,Host
app01,poweredOn,False,False,8,32768,2,2,204800,237568,135168,Microsoft Windows Server 2019 (64-bit),Microsoft Windows Server 2019 (64-bit),vmx-19,DC1,prod,esx01
db01,poweredOff,False,False,4,16384,1,1,102400,102400,51200,CentOS 7 (64-bit),,vmx-13,DC1,prod,esx02
tmpl01,poweredOff,True,False,2,4096,1,1,40960,40960,10240,Red Hat Enterprise Linux 9 (64-bit),,vmx-19,DC1,prod,esx01
";

#[test]
fn an_rvtools_workbook_is_read_sheet_by_sheet_with_rows_as_lines() {
    use rust_xlsxwriter::Workbook;
    let dir = tempdir();
    let path = dir.path().join("RVTools_export_all.xlsx");
    let mut wb = Workbook::new();
    let sheets: [(&str, Vec<Vec<&str>>); 4] = [
        (
            "vInfo",
            vec![
                vec![
                    "VM",
                    "Powerstate",
                    "Template",
                    "SRM Placeholder",
                    "CPUs",
                    "Memory",
                    "Disks",
                    "Total disk capacity MiB",
                    "Provisioned MiB",
                    "In Use MiB",
                    "OS according to the configuration file",
                    "Datacenter",
                    "Cluster",
                    "Host",
                    "VM UUID",
                ],
                vec![
                    "erp-app",
                    "poweredOn",
                    "False",
                    "False",
                    "8",
                    "65536",
                    "2",
                    "409600",
                    "475136",
                    "262144",
                    "Microsoft Windows Server 2012 (64-bit)",
                    "DC1",
                    "prod",
                    "esx01",
                    "42-01",
                ],
                vec![
                    "tmpl-w2022",
                    "poweredOff",
                    "True",
                    "False",
                    "2",
                    "8192",
                    "1",
                    "61440",
                    "61440",
                    "20480",
                    "Microsoft Windows Server 2022 (64-bit)",
                    "DC1",
                    "prod",
                    "esx01",
                    "42-02",
                ],
                vec![
                    "erp-dr",
                    "poweredOff",
                    "False",
                    "True",
                    "8",
                    "65536",
                    "2",
                    "409600",
                    "409600",
                    "0",
                    "Microsoft Windows Server 2012 (64-bit)",
                    "DC2",
                    "dr",
                    "esx21",
                    "42-03",
                ],
                vec![
                    "erp-batch",
                    "poweredOff",
                    "False",
                    "False",
                    "4",
                    "16384",
                    "1",
                    "102400",
                    "102400",
                    "51200",
                    "Red Hat Enterprise Linux 9 (64-bit)",
                    "DC1",
                    "prod",
                    "esx02",
                    "42-04",
                ],
            ],
        ),
        (
            "vCPU",
            vec![
                vec![
                    "VM",
                    "Powerstate",
                    "Template",
                    "CPUs",
                    "Sockets",
                    "Cores p/s",
                    "VM UUID",
                ],
                vec!["erp-app", "poweredOn", "False", "8", "2", "4", "42-01"],
            ],
        ),
        (
            "vPartition",
            vec![
                vec!["VM", "Disk", "Capacity MiB", "Consumed MiB", "VM UUID"],
                vec!["erp-app", "C:\\", "102400", "51200", "42-01"],
                vec!["erp-app", "E:\\", "307200", "102400", "42-01"],
            ],
        ),
        (
            "vSnapshot",
            vec![
                vec!["VM", "Name", "Date / time", "Size MiB (vmsn)", "VM UUID"],
                vec![
                    "erp-app",
                    "pre-upgrade",
                    "2022/11/03 21:00:00",
                    "14",
                    "42-01",
                ],
            ],
        ),
    ];
    for (name, rows) in &sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap_or_else(|e| panic!("{e}"));
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                // Numbers as Excel numbers, as RVTools writes them.
                match cell.parse::<f64>() {
                    Ok(n) if !cell.contains('-') => ws.write_number(r, c, n),
                    _ => ws.write_string(r, c, *cell),
                }
                .unwrap_or_else(|e| panic!("{e}"));
            }
        }
    }
    wb.save(&path).unwrap_or_else(|e| panic!("save: {e}"));
    let path = path.display().to_string();
    let r = json_of(&["scan", &path, "--format", "json", "--headroom", "0"]);
    assert_eq!(r["errors"], Value::Array(vec![]), "{}", r["errors"]);
    assert_eq!(r["summary"]["workloads"], 2);
    assert_eq!(r["summary"]["skipped"]["template"], 1);
    assert_eq!(r["summary"]["skipped"]["srm-placeholder"], 1);
    assert_eq!(r["summary"]["powered_off"], 1);
    let app = workload(&r, "erp-app");
    assert_eq!(app["line"], 2, "the Excel row is the line");
    let rs = &app["rightsizing"];
    assert_eq!(rs["current"]["vcpu"], 8.0);
    assert_eq!(rs["current"]["memory_gib"], 64.0);
    assert_eq!(rs["current"]["storage_gib"], 400.0);
    // vPartition Consumed MiB: 50 + 100 GiB used, to the next 16 GiB with no headroom
    assert_eq!(rs["demand"]["storage_gib"], 150.0);
    assert_eq!(rs["recommended"]["storage_gib"], 160.0);
    assert_eq!(app["labels"]["cluster"], "prod");
    let rules = rules_of(app);
    assert!(rules.contains(&("VM012".to_string(), 2)), "{rules:?}");
    assert!(rules.contains(&("VM018".to_string(), 2)), "{rules:?}");
    let batch = workload(&r, "erp-batch");
    assert_eq!(batch["line"], 5);
    assert_eq!(batch["labels"]["power_state"], "poweredOff");
    assert!(
        batch["notes"]
            .as_array()
            .is_some_and(|n| n.iter().any(|n| n == "powered off"))
    );
    assert!(rules_of(batch).contains(&("VM015".to_string(), 5)));
    // the snapshot sheet exists and does not list erp-batch: no snapshots, VM018 passes
    assert!(!rules_of(batch).iter().any(|(r, _)| r == "VM018"));
}

#[test]
fn both_header_styles_and_both_delimiters_read_the_same_numbers() {
    let dir = tempdir();
    let display = write(dir.path(), "a/RVTools_tabvInfo.csv", DISPLAY_VINFO);
    let internal = write(
        dir.path(),
        "b/inventory.csv",
        "vInfoVMName;vInfoPowerstate;vInfoTemplate;vInfoSRMPlaceHolder;vInfoCPUs;vInfoMemory;vInfoNICs;vInfoNumVirtualDisks;vInfoTotalDiskCapacityMiB;vInfoProvisioned;vInfoInUse;vInfoOS;vInfoOSTools;vInfoHWVersion;vInfoDataCenter;vInfoCluster;vInfoHost\n\
app01;poweredOn;False;False;8;32768;2;2;204 800;237 568;135 168;Microsoft Windows Server 2019 (64-bit);;19;DC1;prod;esx01\n\
db01;poweredOff;False;False;4;16384;1;1;102400;102400;51200;CentOS 7 (64-bit);;13;DC1;prod;esx02\n",
    );
    let a = json_of(&["scan", &display, "--format", "json", "--headroom", "0"]);
    let b = json_of(&["scan", &internal, "--format", "json", "--headroom", "0"]);
    for r in [&a, &b] {
        assert_eq!(r["summary"]["errors"], 0, "{}", r["errors"]);
        let app = workload(r, "app01");
        let rs = &app["rightsizing"];
        assert_eq!(rs["current"]["vcpu"], 8.0);
        assert_eq!(rs["current"]["memory_gib"], 32.0);
        assert_eq!(rs["current"]["storage_gib"], 200.0);
        // In Use 132 GiB less the 32 GiB beyond the disks (swap and logs): 100 GiB used
        assert_eq!(rs["demand"]["storage_gib"], 100.0);
        assert_eq!(rs["recommended"]["storage_gib"], 112.0);
        assert_eq!(rs["reclaimable"]["storage_gib"], 88.0);
        let db = workload(r, "db01");
        assert_eq!(db["rightsizing"]["current"]["memory_gib"], 16.0);
        assert!(rules_of(db).contains(&("VM012".to_string(), 3)));
        assert!(rules_of(db).contains(&("VM017".to_string(), 3)));
    }
    assert_eq!(a["summary"]["skipped"]["template"], 1);
}

#[test]
fn azure_migrate_utilisation_is_demand_of_low_confidence() {
    let r = json_of(&[
        "scan",
        "samples/inventories/azure-migrate-import.csv",
        "--format",
        "json",
        "--headroom",
        "0",
    ]);
    assert_eq!(r["summary"]["errors"], 0, "{}", r["errors"]);
    let app = workload(&r, "crm-app-01");
    assert_eq!(app["line"], 2);
    let rs = &app["rightsizing"];
    assert_eq!(rs["basis"], "utilisation");
    assert_eq!(rs["confidence"], "low");
    assert_eq!(rs["current"]["vcpu"], 8.0);
    assert_eq!(rs["current"]["memory_gib"], 32.0);
    // Disk 1 and 2: 127 + 512 GB, and GB are GiB in inventories
    assert_eq!(rs["current"]["storage_gib"], 639.0);
    // 18 % of 8 cores, 42 % of 32 GiB
    assert_eq!(rs["demand"]["vcpu"], 1.44);
    assert_eq!(rs["demand"]["memory_gib"], 13.44);
    assert_eq!(rs["recommended"]["vcpu"], 2.0);
    assert_eq!(rs["recommended"]["memory_gib"], 16.0);
    let db = workload(&r, "crm-db-01");
    assert!(rules_of(db).contains(&("VM012".to_string(), 3)));
}

#[test]
fn two_ovf_descriptors_one_a_vapp_one_with_deployment_options() {
    let dir = tempdir();
    let second = write(
        dir.path(),
        "probe.ovf",
        r#"<?xml version="1.0"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
  <DiskSection><Disk ovf:diskId="d1" ovf:capacity="21474836480" ovf:capacityAllocationUnits="byte"/></DiskSection>
  <DeploymentOptionSection>
    <Configuration ovf:id="small" ovf:default="true"/>
    <Configuration ovf:id="large"/>
  </DeploymentOptionSection>
  <VirtualSystem ovf:id="probe">
    <OperatingSystemSection ovf:id="94"><Description>Ubuntu 24.04 LTS</Description></OperatingSystemSection>
    <VirtualHardwareSection>
      <Item ovf:configuration="small"><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity></Item>
      <Item ovf:configuration="large"><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>8</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>MegaBytes</rasd:AllocationUnits><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>3072</rasd:VirtualQuantity></Item>
      <Item><rasd:HostResource>ovf:/disk/d1</rasd:HostResource><rasd:ResourceType>17</rasd:ResourceType></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
"#,
    );
    let r = json_of(&[
        "scan",
        "samples/inventories/appliance.ovf",
        &second,
        "--format",
        "json",
    ]);
    assert_eq!(r["summary"]["errors"], 0, "{}", r["errors"]);
    let app = workload(&r, "mediation-app");
    assert_eq!(app["line"], 25);
    assert_eq!(app["labels"]["vapp"], "mediation");
    let cur = &app["rightsizing"]["current"];
    assert_eq!(
        (
            cur["vcpu"].clone(),
            cur["memory_gib"].clone(),
            cur["storage_gib"].clone()
        ),
        (Value::from(8.0), Value::from(32.0), Value::from(60.0))
    );
    assert!(
        rules_of(app).contains(&("VM012".to_string(), 28)),
        "{:?}",
        rules_of(app)
    );
    assert!(rules_of(app).contains(&("VM017".to_string(), 25)));
    let db = workload(&r, "mediation-db");
    // 60 GiB system disk (61440 MiB) and the 500 GiB data disk from the property default
    assert_eq!(db["rightsizing"]["current"]["storage_gib"], 560.0);
    assert_eq!(db["rightsizing"]["current"]["memory_gib"], 128.0);
    let probe = workload(&r, "probe");
    let cur = &probe["rightsizing"]["current"];
    assert_eq!(cur["vcpu"], 2.0, "the default deployment option is sized");
    assert_eq!(cur["memory_gib"], 3.0);
    assert_eq!(cur["storage_gib"], 20.0);
}

#[test]
fn broken_rows_are_errors_naming_file_and_row_and_the_rest_is_assessed() {
    let dir = tempdir();
    let file = write(
        dir.path(),
        "RVTools_tabvInfo.csv",
        "VM,Powerstate,CPUs,Memory,Provisioned MiB,In Use MiB\n\
good-1,poweredOn,2,4096,40960,20480\n\
text-in-number,poweredOn,two,4096,40960,20480\n\
missing-cells,poweredOn,2\n\
\"unterminated,poweredOn,2,4096,40960,20480\n\
good-2,poweredOn,4,8192,81920,40960\n",
    );
    let (r, _, code) = run(&["scan", &file, "--format", "json"]);
    assert_eq!(code, Some(1), "file errors count as errors for --fail-on");
    let names: Vec<&str> = r["workloads"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|w| w["name"].as_str())
        .collect();
    assert_eq!(names, vec!["good-1", "text-in-number", "good-2"]);
    let errors: Vec<(u64, String)> = r["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            assert_eq!(e["file"], Value::from(file.clone()));
            (
                e["line"].as_u64().unwrap_or(0),
                e["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(errors[0].0, 3);
    assert!(
        errors[0]
            .1
            .contains("VM `text-in-number`: CPUs: `two` is not a number")
    );
    assert_eq!(errors[1].0, 4);
    assert!(
        errors[1].1.contains("1 cell") || errors[1].1.contains("3 cell(s)"),
        "{}",
        errors[1].1
    );
    assert_eq!(errors[2].0, 5);
    assert!(errors[2].1.contains("unterminated quote"));
    // the row with a bad number keeps what it has
    let t = workload(&r, "text-in-number");
    assert_eq!(t["rightsizing"]["current"]["memory_gib"], 4.0);
    assert_eq!(t["rightsizing"]["current"]["vcpu"], Value::Null);
}

#[test]
fn metrics_join_by_name_and_series_use_the_azure_method() {
    let dir = tempdir();
    let inv = write(dir.path(), "RVTools_tabvInfo.csv", DISPLAY_VINFO);
    // Two days of 5-minute CPU points for app01: the peak of each 10-minute window is
    // 50 % except in 5 % of the windows, where it is 90 %.
    let mut series = String::from("timestamp,name,metric,value\n");
    let start = 1_714_521_600i64; // 2024-05-01T00:00:00Z
    for i in 0..576i64 {
        let t = start + i * 300;
        let window = i / 2;
        let v = if i % 2 == 1 {
            10.0
        } else if window % 24 == 0 {
            90.0
        } else {
            50.0
        };
        series.push_str(&format!("{t},APP01,cpu_pct,{v}\n"));
        series.push_str(&format!("{t},app01,memory_gib,12\n"));
    }
    series.push_str("2024-05-01T00:00:00Z,nobody-knows-me,cpu_pct,5\n");
    let series = write(dir.path(), "metrics/series.csv", &series);
    let summary = write(
        dir.path(),
        "metrics/summary.csv",
        "name,cpu_p95_cores,memory_p95_gib,samples,period_days\ndb01,0.5,2,1000,7\n",
    );
    let (r, _, _) = run(&[
        "scan",
        &inv,
        "--metrics",
        &series,
        "--metrics",
        &summary,
        "--format",
        "json",
        "--headroom",
        "0",
        "--fail-on",
        "never",
    ]);
    let app = workload(&r, "app01");
    let rs = &app["rightsizing"];
    // 288 windows, 12 at 90 %: the 95th percentile of the window peaks (the 274th of 288)
    // is 50 %, 4 vCPU
    assert_eq!(rs["demand"]["vcpu"], 4.0);
    assert_eq!(rs["demand"]["memory_gib"], 12.0);
    assert_eq!(rs["recommended"]["memory_gib"], 12.0);
    assert_eq!(rs["confidence"], "high");
    assert_eq!(rs["data_points"], 1.0);
    assert_eq!(rs["period_days"], 2.0);
    let db = workload(&r, "db01");
    // 1000 of 2016 expected points over 7 days: 50 %, three stars, medium
    assert_eq!(db["rightsizing"]["confidence"], "medium");
    assert_eq!(db["rightsizing"]["rating"], 3);
    assert_eq!(db["rightsizing"]["demand"]["vcpu"], 0.5);
    let unmatched = r["unmatched_metrics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(unmatched.len(), 1);
    assert_eq!(unmatched[0]["name"], "nobody-knows-me");
    assert_eq!(unmatched[0]["line"], 1154);
    assert_eq!(r["summary"]["unmatched_metrics"], 1);
    assert_eq!(
        r["assumptions"]["metrics"].as_array().map(Vec::len),
        Some(2)
    );
    let table = fitscan()
        .args(["scan", &inv, "--metrics", &series, "--fail-on", "never"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("Metrics matching no workload: 1 row(s): nobody-knows-me"),
        "{text}"
    );
}

#[test]
fn a_catalog_gives_the_cheapest_size_and_the_monthly_saving() {
    let r = json_of(&[
        "scan",
        "samples/inventories/RVTools_tabvInfo.csv",
        "samples/inventories/RVTools_tabvPartition.csv",
        "--metrics",
        "samples/inventories/metrics.csv",
        "--catalog",
        "samples/inventories/sizes.yaml",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    let app = workload(&r, "billing-app-01");
    // 22 % of 8 vCPU and 9.5 GiB, plus 30 %: 2.29 vCPU and 12.35 GiB -> gp-4-16
    assert_eq!(app["catalog"]["entry"], "gp-4-16");
    assert_eq!(app["catalog"]["current_entry"], "gp-8-32");
    assert_eq!(app["catalog"]["saving_per_month"], 140.16);
    assert_eq!(app["rightsizing"]["recommended"]["vcpu"], 4.0);
    assert_eq!(app["rightsizing"]["recommended"]["memory_gib"], 16.0);
    let cost = &r["summary"]["cost"];
    assert_eq!(cost["currency"], "EUR");
    assert_eq!(cost["priced_workloads"], 5);
    let now = cost["current_per_month"].as_f64().unwrap_or(0.0);
    let after = cost["recommended_per_month"].as_f64().unwrap_or(0.0);
    assert!((cost["saving_per_month"].as_f64().unwrap_or(0.0) - (now - after)).abs() < 0.01);
    assert_eq!(r["assumptions"]["catalog"]["entries"], 9);
    assert_eq!(r["assumptions"]["catalog"]["priced"], true);
}

#[test]
fn bad_metrics_and_catalogs_are_configuration_errors() {
    let dir = tempdir();
    let out = fitscan()
        .args(["scan", "samples/inventories", "--metrics", "no/such.csv"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such.csv: no such metrics file"));
    let bad = write(
        dir.path(),
        "sizes.yaml",
        "sizes:\n  - { name: a, vcpu: 2, memory_gib: 8 }\n  - { name: b, vcpu: two, memory_gib: 8 }\n",
    );
    let out = fitscan()
        .args(["scan", "samples/inventories", "--catalog", &bad])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sizes.yaml:3: entry `b`: vcpu"), "{err}");
}

#[test]
fn anonymise_replaces_names_hosts_clusters_and_paths_everywhere() {
    let args = [
        "scan",
        "samples/inventories",
        "--metrics",
        "samples/inventories/metrics.csv",
        "--anonymise",
        "--fail-on",
        "never",
    ];
    let secrets = [
        "billing-app-01",
        "billing-db-01",
        "mediation-app",
        "mediation-db",
        "\"mediation\"",
        "crm-app-01",
        "esx-a01",
        "prod-a",
        "DC-North",
        "vcenter01",
        "samples/inventories",
        "corp.example",
    ];
    let mut outputs = Vec::new();
    for format in ["json", "table"] {
        let mut a = args.to_vec();
        a.extend(["--format", format]);
        let out = fitscan()
            .args(&a)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        for s in secrets {
            assert!(!text.contains(s), "{format} output leaks `{s}`:\n{text}");
        }
        outputs.push(text);
    }
    let r: Value = serde_json::from_str(&outputs[0]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r["assumptions"]["anonymised"], true);
    let names: Vec<&str> = r["workloads"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|w| w["name"].as_str())
        .collect();
    assert!(names.iter().all(|n| n.starts_with("vm-")), "{names:?}");
    // stable across runs, and different with a key
    let again = json_of(&[args.as_slice(), &["--format", "json"]].concat());
    assert_eq!(again["workloads"][0]["name"], r["workloads"][0]["name"]);
    let keyed = json_of(
        &[
            args.as_slice(),
            &["--format", "json", "--anonymise-key", "s3cret"],
        ]
        .concat(),
    );
    assert_ne!(keyed["workloads"][0]["name"], r["workloads"][0]["name"]);
    // The numbers are a plain run's: only names change. The summary is compared whole,
    // but for the names of its groups; each workload by its figures, in the same order (by
    // file and line, which anonymising keeps).
    let plain_args: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| *a != "--anonymise")
        .collect();
    let plain = json_of(&[plain_args.as_slice(), &["--format", "json"]].concat());
    assert_ne!(plain["assumptions"]["anonymised"], true);
    let without_group_names = |summary: &Value| {
        let mut s = summary.clone();
        if let Some(groups) = s["groups"].as_object_mut() {
            for by in groups.values_mut() {
                let mut values: Vec<String> = by
                    .as_object()
                    .into_iter()
                    .flat_map(|m| m.values())
                    .map(Value::to_string)
                    .collect();
                values.sort();
                *by = Value::from(values);
            }
        }
        s
    };
    assert_eq!(
        without_group_names(&r["summary"]),
        without_group_names(&plain["summary"])
    );
    let figures = |report: &Value| -> Vec<Value> {
        report["workloads"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|w| {
                let rules: Vec<&Value> = w["findings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|f| &f["rule"])
                    .collect();
                serde_json::json!({
                    "line": w["line"], "phase": w["phase"], "score": w["score"],
                    "generation": w["generation"], "disposition": w["disposition"],
                    "effort": w["effort"], "confidence": w["confidence"],
                    "current": w["rightsizing"]["current"],
                    "recommended": w["rightsizing"]["recommended"],
                    "reclaimable": w["rightsizing"]["reclaimable"],
                    "rules": rules,
                })
            })
            .collect()
    };
    let (anonymised, plain_figures) = (figures(&r), figures(&plain));
    assert_eq!(anonymised.len(), 10);
    assert_eq!(anonymised, plain_figures);
    assert!(
        anonymised
            .iter()
            .any(|f| f["reclaimable"]["vcpu"].as_f64() > Some(0.0)),
        "the sizing is compared, not absent"
    );
    assert_eq!(
        r["summary"]["groups"]["cluster"]
            .as_object()
            .map(|m| m.len()),
        Some(3)
    );
}

#[test]
fn no_progress_bar_when_standard_error_is_not_a_terminal() {
    let out = fitscan()
        .args(["scan", "samples/inventories", "--fail-on", "never"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn metrics_and_catalogs_found_by_walking_are_not_inputs() {
    let r = json_of(&["scan", "samples/", "--format", "json", "--fail-on", "never"]);
    assert_eq!(r["summary"]["errors"], 0, "{}", r["errors"]);
}

#[test]
fn the_largest_file_size_limit_does_not_overflow() {
    let r = json_of(&[
        "scan",
        "samples/inventories/RVTools_tabvInfo.csv",
        "--max-file-size",
        "18446744073709551615",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(r["summary"]["workloads"], 5);
}
