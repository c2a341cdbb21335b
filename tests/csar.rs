//! VNF packages delivered as CSAR archives (ETSI NFV-SOL 004): a package zipped gives what
//! the same package unzipped gives (workloads, findings, lines, phases, sizing), with every
//! location inside the archive written `ARCHIVE!/ENTRY`, in every output format.

mod common;
use common::{json, tempdir};

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::copy_folder;
use common::csar::{zip_entries, zip_folder};
use fitscan::{ScanOptions, scan};
use serde_json::Value;
use tempfile::TempDir;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn write(path: &Path, bytes: &[u8]) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
    }
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn report_json(paths: &[PathBuf]) -> String {
    let report = scan(paths, &ScanOptions::default()).unwrap_or_else(|e| panic!("scan: {e}"));
    serde_json::to_string_pretty(&report).unwrap_or_else(|e| panic!("json: {e}"))
}

/// The cloud fixture laid out as an SOL004 "option 2" package: its top-level VNFD alone at
/// the root (imports pointing into `Definitions/`), a manifest beside it, no TOSCA.meta.
fn option_two_package(dir: &Path) {
    let fixture = Path::new(REPO).join("rules/vnf/fixtures/cloud/Definitions");
    let top = read(&fixture.join("cloud_top.yaml"));
    let top = [
        "cloud_types.yaml",
        "cloud_df_small.yaml",
        "cloud_df_large.yaml",
    ]
    .iter()
    .fold(top, |t, f| {
        t.replace(&format!("- {f}"), &format!("- Definitions/{f}"))
    });
    write(&dir.join("cloud_top.yaml"), top.as_bytes());
    write(
        &dir.join("cloud_top.mf"),
        b"metadata:\n  vnf_product_name: Cloud UPF\n  vnf_provider_id: Example Networks\n",
    );
    for f in [
        "cloud_types.yaml",
        "cloud_df_small.yaml",
        "cloud_df_large.yaml",
    ] {
        write(
            &dir.join("Definitions").join(f),
            read(&fixture.join(f)).as_bytes(),
        );
    }
}

#[test]
fn a_zipped_package_gives_the_same_report_as_its_folder() {
    let dir = tempdir();
    let folders = dir.path().join("folders");
    let archives = dir.path().join("archives");
    copy_folder(
        &Path::new(REPO).join("rules/vnf/fixtures/appliance"),
        &folders.join("appliance"),
    );
    copy_folder(
        &Path::new(REPO).join("samples/vnf/cloud-smf"),
        &folders.join("cloud-smf"),
    );
    option_two_package(&folders.join("cloud-upf"));
    for (package, archive) in [
        ("appliance", "appliance.csar"),
        ("cloud-smf", "cloud-smf.zip"),
        ("cloud-upf", "cloud-upf.csar"),
    ] {
        write(&archives.join(archive), &zip_folder(&folders.join(package)));
        let unzipped = report_json(&[folders.join(package)]);
        let zipped = report_json(&[archives.join(archive)]);
        // The only difference is where the package lies: `DIR/` became `ARCHIVE!/`.
        let expected = unzipped
            .replace(
                &format!("{}/", folders.join(package).display()),
                &format!("{}!/", archives.join(archive).display()),
            )
            .replace(
                &format!("\"{}\"", folders.join(package).display()),
                &format!("\"{}\"", archives.join(archive).display()),
            );
        // Fingerprints hash the file's path, as when a package folder moves.
        let lines = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| !l.contains("\"fingerprint\":"))
                .map(str::to_string)
                .collect()
        };
        let (zipped_lines, expected_lines) = (lines(&zipped), lines(&expected));
        let first_difference = zipped_lines
            .iter()
            .zip(&expected_lines)
            .find(|(z, e)| z != e);
        assert_eq!(first_difference, None, "{package}");
        assert_eq!(zipped_lines.len(), expected_lines.len(), "{package}");
        let report: Value = serde_json::from_str(&zipped).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            report["summary"]["workloads"].as_u64() >= Some(1)
                && report["errors"] == serde_json::json!([]),
            "{package}: {report}"
        );
    }
    // The folder of archives, walked, gives the packages of the folder of folders.
    let walked: Value = serde_json::from_str(&report_json(std::slice::from_ref(&archives)))
        .unwrap_or_else(|e| panic!("{e}"));
    let unzipped: Value = serde_json::from_str(&report_json(std::slice::from_ref(&folders)))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(walked["summary"], unzipped["summary"]);
    assert_eq!(walked["summary"]["workloads"], 4, "{walked}");
}

fn fitscan_in(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("fitscan").unwrap_or_else(|e| panic!("binary: {e}"));
    cmd.current_dir(dir);
    cmd
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = fitscan_in(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn array(value: &Value) -> Vec<Value> {
    value.as_array().cloned().unwrap_or_default()
}

/// `packages/appliance.csar` under a fresh folder.
fn appliance_archive() -> TempDir {
    let dir = tempdir();
    let package = Path::new(REPO).join("rules/vnf/fixtures/appliance");
    write(
        &dir.path().join("packages/appliance.csar"),
        &zip_folder(&package),
    );
    dir
}

const DF: &str = "packages/appliance.csar!/Definitions/appliance_df.yaml";

#[test]
fn findings_inside_an_archive_name_the_entry_and_line_in_every_format() {
    let dir = appliance_archive();
    let (code, stdout, stderr) = run(
        dir.path(),
        &[
            "scan",
            "packages",
            "--fail-on",
            "never",
            "--format",
            "json",
            "--format",
            "table=table.txt",
            "--format",
            "sarif=out.sarif",
            "--format",
            "junit=out.xml",
            "--format",
            "html=out.html",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let report = json(&stdout);
    let findings = array(&report["workloads"][0]["findings"]);
    let vnf009 = findings
        .iter()
        .find(|f| f["rule"] == "VNF009")
        .unwrap_or_else(|| panic!("no VNF009: {findings:?}"));
    assert_eq!((&vnf009["file"], &vnf009["line"]), (&DF.into(), &28.into()));
    assert_eq!(
        report["workloads"][0]["file"],
        "packages/appliance.csar!/Definitions/appliance_top.yaml"
    );

    let table = read(&dir.path().join("table.txt"));
    assert!(table.contains(&format!("{DF}:28")), "{table}");
    let html = read(&dir.path().join("out.html"));
    assert!(
        html.contains("packages/<wbr>appliance.csar!/<wbr>Definitions/<wbr>appliance_df.yaml:28"),
        "{html}"
    );
    let junit = read(&dir.path().join("out.xml"));
    assert!(
        junit.contains("file=\"packages/appliance.csar!/Definitions/appliance_top.yaml\""),
        "{junit}"
    );
    let sarif = json(&read(&dir.path().join("out.sarif")));
    let results = array(&sarif["runs"][0]["results"]);
    let location = results
        .iter()
        .find(|r| r["ruleId"] == "VNF009")
        .map(|r| r["locations"][0]["physicalLocation"].clone())
        .unwrap_or_else(|| panic!("no VNF009 in {sarif}"));
    // `!` is percent-encoded in a URI path segment; the URI decodes to the report's path.
    assert_eq!(
        location,
        serde_json::json!({
            "artifactLocation": {
                "uri": "packages/appliance.csar%21/Definitions/appliance_df.yaml",
                "uriBaseId": "%SRCROOT%"
            },
            "region": { "startLine": 28 }
        })
    );
}

#[test]
fn baselines_and_suppressions_work_inside_archives() {
    let dir = appliance_archive();
    let (code, _, stderr) = run(
        dir.path(),
        &["scan", "packages", "--write-baseline", "baseline.json"],
    );
    assert_eq!(code, 0, "{stderr}");
    let baseline = json(&read(&dir.path().join("baseline.json")));
    let files: Vec<&str> = baseline["findings"]
        .as_array()
        .map(|fs| fs.iter().filter_map(|f| f["file"].as_str()).collect())
        .unwrap_or_default();
    assert!(files.contains(&DF), "{baseline}");
    let (code, stdout, stderr) = run(
        dir.path(),
        &[
            "scan",
            "packages",
            "--baseline",
            "baseline.json",
            "--fail-on",
            "info",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "every finding is baselined: {stderr}");
    assert_eq!(json(&stdout)["summary"]["baselined"], files.len());

    // An inline suppression in an entry, and a per-path ignore naming an entry.
    let package = Path::new(REPO).join("rules/vnf/fixtures/appliance");
    let df = read(&package.join("Definitions/appliance_df.yaml")).replacen(
        "        sw_image_data:\n",
        "        # fitscan ignore=VNF004: the vendor signs the package instead\n        sw_image_data:\n",
        1,
    );
    let entries: Vec<(String, Vec<u8>)> = [
        "TOSCA-Metadata/TOSCA.meta",
        "Definitions/appliance_top.yaml",
        "Definitions/appliance_types.yaml",
    ]
    .iter()
    .map(|n| (n.to_string(), read(&package.join(n)).into_bytes()))
    .chain([("Definitions/appliance_df.yaml".to_string(), df.into_bytes())])
    .collect();
    let entries: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    write(
        &dir.path().join("packages/appliance.csar"),
        &zip_entries(&entries),
    );
    write(
        &dir.path().join(".fitscan.yaml"),
        b"per-path-ignores:\n  - path: packages/appliance.csar\n    rules: [VNF018]\n    reason: accepted for the pilot\n",
    );
    let (_, stdout, stderr) = run(
        dir.path(),
        &["scan", "packages", "--fail-on", "never", "--format", "json"],
    );
    let report = json(&stdout);
    let suppressed: Vec<(String, String)> = report["workloads"][0]["suppressed"]
        .as_array()
        .map(|s| {
            s.iter()
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap_or_default().to_string(),
                        f["file"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        suppressed,
        vec![
            ("VNF004".to_string(), DF.to_string()),
            ("VNF018".to_string(), DF.to_string()),
            ("VNF018".to_string(), DF.to_string()),
        ],
        "{stderr}{report}"
    );
}

#[test]
fn a_per_path_ignore_naming_an_entry_covers_the_findings_in_that_entry() {
    let dir = appliance_archive();
    // The workload is reported at the top-level entry; the findings are in the imported
    // deployment flavour, which a pattern names as a file in the archive-as-folder.
    write(
        &dir.path().join(".fitscan.yaml"),
        b"\
per-path-ignores:
  - path: packages/appliance.csar/Definitions/appliance_df.yaml
    rules: [VNF018]
  - path: packages/*.csar/Definitions/appliance_top.yaml
    rules: [VNF004]
",
    );
    let (_, stdout, stderr) = run(
        dir.path(),
        &["scan", "packages", "--fail-on", "never", "--format", "json"],
    );
    let report = json(&stdout);
    let of = |key: &str| -> Vec<String> {
        report["workloads"][0][key]
            .as_array()
            .map(|s| s.iter().map(common::rule_at).collect())
            .unwrap_or_default()
    };
    // VNF004 is found in the deployment flavour too: a pattern naming the entry the
    // workload is reported at covers its findings in every entry.
    assert_eq!(
        of("suppressed"),
        vec![
            format!("VNF004 {DF}:29"),
            format!("VNF018 {DF}:41"),
            format!("VNF018 {DF}:52"),
        ],
        "{stderr}"
    );
    assert_eq!(report["unused_suppressions"], serde_json::json!([]));
}

#[test]
fn zips_are_read_when_named_or_when_they_hold_a_package() {
    let dir = tempdir();
    let package = zip_folder(&Path::new(REPO).join("rules/vnf/fixtures/appliance"));
    write(&dir.path().join("vendor/sbc.zip"), &package);
    // Another vendor's tool writes the metadata folder in lower case.
    let mut lower = package.clone();
    common::csar::replace(&mut lower, b"TOSCA-Metadata/", b"tosca-metadata/");
    write(&dir.path().join("vendor/upper/LOWER.ZIP"), &lower);
    write(
        &dir.path().join("vendor/release-notes.zip"),
        &zip_entries(&[
            ("notes.txt", b"fixed in 7.2\n"),
            ("data/counters.yaml", b"a: 1\n"),
        ]),
    );
    // Walked: the package zip is read, the other zip is passed over silently.
    let (_, stdout, _) = run(
        dir.path(),
        &["scan", "vendor", "--fail-on", "never", "--format", "json"],
    );
    let report = json(&stdout);
    assert_eq!(report["errors"], serde_json::json!([]));
    let files: Vec<&str> = report["workloads"]
        .as_array()
        .map(|ws| ws.iter().filter_map(|w| w["file"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        files,
        [
            "vendor/sbc.zip!/Definitions/appliance_top.yaml",
            "vendor/upper/LOWER.ZIP!/Definitions/appliance_top.yaml"
        ]
    );
    // Named: read as a package, and an error saying what was expected.
    let (_, stdout, _) = run(
        dir.path(),
        &[
            "scan",
            "vendor/release-notes.zip",
            "--fail-on",
            "never",
            "--format",
            "json",
        ],
    );
    let report = json(&stdout);
    assert_eq!(
        report["errors"][0]["file"], "vendor/release-notes.zip",
        "{report}"
    );
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("not an SOL004 VNF package: expected TOSCA-Metadata/TOSCA.meta or one YAML file at the archive's root")),
        "{report}"
    );
}
