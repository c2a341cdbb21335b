//! Compose projects as `docker compose` runs them: a base file with its override file,
//! `extends` in the same file and from another, `include`, and the project's `.env`. Every
//! finding points at the file and line where the offending value is written.
//!
//! The fixture (`tests/fixtures/compose/shop/`):
//! - `compose.yaml` includes `infra/compose.yaml`; `web` extends `hardened` of `common.yml`
//!   (a name Compose never loads by itself) and is privileged; `api` extends `web`;
//! - `compose.override.yaml` clears `web`'s privilege, replaces its ports (`!override`),
//!   resets `api`'s health check (`!reset`), adds a capability and a `worker` on the host
//!   network;
//! - `.env` sets the image tags (`API_TAG='latest'`); `infra/.env` the cache's.

use std::path::{Path, PathBuf};

use fitscan::assessment::{Report, WorkloadReport};
use fitscan::scan::baseline::Baseline;
use fitscan::{ScanOptions, scan};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/compose/shop")
}

fn shop() -> Report {
    scan(&[fixture()], &ScanOptions::default()).unwrap_or_else(|e| panic!("scan: {e}"))
}

fn workload<'a>(report: &'a Report, name: &str) -> &'a WorkloadReport {
    report
        .workloads
        .iter()
        .find(|w| w.name == name)
        .unwrap_or_else(|| panic!("no workload {name}: {:?}", names(report)))
}

fn names(report: &Report) -> Vec<&str> {
    let mut n: Vec<&str> = report.workloads.iter().map(|w| w.name.as_str()).collect();
    n.sort_unstable();
    n
}

/// `file:line` of each finding of `rule`, the file relative to the fixture.
fn at(w: &WorkloadReport, rule: &str) -> Vec<String> {
    let root = fixture().display().to_string();
    w.findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| {
            let file = f.file.strip_prefix(&root).unwrap_or(&f.file);
            format!("{}:{}", file.trim_start_matches('/'), f.line)
        })
        .collect()
}

#[test]
fn a_project_is_its_files_merged_and_each_file_is_assessed_once() {
    let report = shop();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // The override and the included file are not projects of their own; the included
    // service belongs to the including project; `common.yml` only lends a base.
    assert_eq!(
        names(&report),
        vec!["shop/api", "shop/cache", "shop/web", "shop/worker"]
    );
    let root = fixture().display().to_string();
    let place = |w: &WorkloadReport| {
        format!(
            "{}:{}",
            w.file.strip_prefix(&root).unwrap_or(&w.file),
            w.line
        )
    };
    assert_eq!(place(workload(&report, "shop/web")), "/compose.yaml:5");
    assert_eq!(
        place(workload(&report, "shop/worker")),
        "/compose.override.yaml:11",
        "a service only the override defines is reported there"
    );
    assert_eq!(
        place(workload(&report, "shop/cache")),
        "/infra/compose.yaml:2"
    );
}

#[test]
fn the_override_fixes_findings_of_the_base() {
    let report = shop();
    let web = workload(&report, "shop/web");
    // `privileged: true` in the base, `false` in the override.
    assert!(at(web, "CMP002").is_empty(), "{:?}", web.findings);
    // `8080:80` on every interface in the base, replaced by `!override`.
    assert!(at(web, "CMP021").is_empty(), "{:?}", web.findings);
    // The health check and limits come from the extended service in `common.yml`.
    assert!(at(web, "CMP001").is_empty());
    assert!(at(web, "CMP005").is_empty());
    // The override's label suppresses a finding about the base.
    assert!(at(web, "CMP015").is_empty());
    let suppressed: Vec<(&str, Option<&str>)> = web
        .suppressed
        .iter()
        .map(|s| (s.rule.as_str(), s.reason.as_deref()))
        .collect();
    assert_eq!(
        suppressed,
        vec![("CMP015", Some("two replicas in production, one here"))]
    );
    assert!(
        web.suppressed[0]
            .by
            .file
            .ends_with("shop/compose.override.yaml")
            && web.suppressed[0].by.line == 7,
        "{:?}",
        web.suppressed[0].by
    );
}

#[test]
fn the_override_introduces_findings_at_its_own_lines() {
    let report = shop();
    let worker = workload(&report, "shop/worker");
    assert_eq!(at(worker, "CMP003"), vec!["compose.override.yaml:13"]);
    let api = workload(&report, "shop/api");
    assert_eq!(
        at(api, "CMP012"),
        vec!["common.yml:6", "compose.override.yaml:9"],
        "capabilities append: the extended file's and the override's"
    );
    // `healthcheck: !reset null` removes the health check `api` inherits from `web`.
    assert_eq!(at(api, "CMP001"), vec!["compose.yaml:13"]);
}

#[test]
fn extends_is_applied_per_file_before_the_override() {
    let report = shop();
    let api = workload(&report, "shop/api");
    // `api` extends `web` as the base file writes it: privileged, on every interface. The
    // override changes `web`, not what `api` inherited (as `docker compose config` shows).
    assert_eq!(at(api, "CMP002"), vec!["compose.yaml:10"]);
    assert_eq!(at(api, "CMP021"), vec!["compose.yaml:12"]);
    // `api`'s own label suppresses its single-replica finding.
    assert!(at(api, "CMP015").is_empty());
    // Both carry the capability written in the extended file.
    assert_eq!(
        at(workload(&report, "shop/web"), "CMP012"),
        vec!["common.yml:6"]
    );
}

#[test]
fn dotenv_values_are_interpolated_and_said_where_they_come_from() {
    let report = shop();
    let api = workload(&report, "shop/api");
    // `API_TAG='latest'` in `.env` overrides the default `1.0` written in the file.
    assert_eq!(at(api, "CMP008"), vec!["compose.yaml:15"]);
    let note = api
        .notes
        .iter()
        .find(|n| n.starts_with("Compose variables"))
        .unwrap_or_else(|| panic!("{:?}", api.notes));
    assert!(
        note.contains("shop/.env: API_TAG, WEB_TAG") && note.contains("the shell"),
        "{note}"
    );
    // The included project's `.env` sets the cache's tag (the includer's would win).
    let cache = workload(&report, "shop/cache");
    assert_eq!(at(cache, "CMP008"), vec!["infra/compose.yaml:3"]);
    assert!(
        cache
            .notes
            .iter()
            .any(|n| n.contains("infra/.env: REDIS_TAG")),
        "{:?}",
        cache.notes
    );
    assert_eq!(at(cache, "CMP021"), vec!["infra/compose.yaml:5"]);
    // `WEB_TAG=2.1.0`: a pinned tag.
    assert!(at(workload(&report, "shop/web"), "CMP008").is_empty());
}

#[test]
fn a_baseline_holds_findings_in_every_file_of_the_project() {
    let first = shop();
    let cwd = Path::new(env!("CARGO_MANIFEST_DIR"));
    let baseline = Baseline::of(&first, &cwd.join("baseline.json"), cwd);
    let mut again = shop();
    let applied = baseline.apply(&mut again, cwd);
    let total: usize = first.workloads.iter().map(|w| w.findings.len()).sum();
    assert_eq!((applied.baselined, applied.stale), (total, 0));
    // Fingerprints tell the findings apart across the project's files.
    let mut prints: Vec<&str> = first
        .workloads
        .iter()
        .flat_map(|w| w.findings.iter().map(|f| f.fingerprint.as_str()))
        .collect();
    prints.sort_unstable();
    prints.dedup();
    assert_eq!(prints.len(), total);
}

#[test]
fn only_the_base_named_is_scanned_as_docker_compose_f_would() {
    // `docker compose -f compose.yaml` does not load the override: naming the base alone
    // assesses it alone (its include and extends are still followed).
    let report = scan(&[fixture().join("compose.yaml")], &ScanOptions::default())
        .unwrap_or_else(|e| panic!("scan: {e}"));
    assert_eq!(names(&report), vec!["shop/api", "shop/cache", "shop/web"]);
    assert_eq!(
        at(workload(&report, "shop/web"), "CMP002"),
        vec!["compose.yaml:10"]
    );
}

#[test]
fn docker_compose_names_pair_with_their_override_and_include_only_files_are_projects() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(p, text).unwrap_or_else(|e| panic!("{e}"));
    };
    write(
        "legacy/docker-compose.yml",
        "services:\n  app:\n    image: app:1\n    privileged: true\n",
    );
    write(
        "legacy/docker-compose.override.yml",
        "services:\n  app:\n    privileged: false\n",
    );
    // `.env` may name the project, as `COMPOSE_PROJECT_NAME` in the shell would.
    write("legacy/.env", "COMPOSE_PROJECT_NAME=Billing_2\n");
    // A root file that only includes (Compose 2.20+), the included file with a long name.
    write(
        "root/compose.yaml",
        "include:\n  - path: [services/db.compose.yaml]\n",
    );
    write(
        "root/services/db.compose.yaml",
        "services:\n  db:\n    image: postgres:16\n",
    );
    // An include whose path comes from `.env`: still part of the including project only.
    write("vars/.env", "SVC_DIR=svc\n");
    write(
        "vars/compose.yaml",
        "include:\n  - ${SVC_DIR}/compose.yaml\n",
    );
    write(
        "vars/svc/compose.yaml",
        "services:\n  api:\n    image: api:1.0\n",
    );
    let report = scan(&[dir.path().to_path_buf()], &ScanOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(names(&report), vec!["billing_2/app", "root/db", "vars/api"]);
    assert!(at(workload(&report, "billing_2/app"), "CMP002").is_empty());
}

#[test]
fn a_dotenv_the_repository_ignores_is_not_read_unless_no_ignore() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let write = |name: &str, text: &str| {
        std::fs::write(dir.path().join(name), text).unwrap_or_else(|e| panic!("{e}"));
    };
    write(
        "compose.yaml",
        "services:\n  web:\n    image: nginx:${TAG:-1.27}\n",
    );
    // One developer's `.env`, kept out of the repository.
    write(".env", "TAG=latest\n");
    write(".gitignore", ".env\n");
    let run = |no_ignore: bool| {
        let opts = ScanOptions {
            no_ignore,
            ..ScanOptions::default()
        };
        let report = scan(&[dir.path().to_path_buf()], &opts).unwrap_or_else(|e| panic!("{e}"));
        let web = report
            .workloads
            .iter()
            .find(|w| w.name.ends_with("/web"))
            .cloned()
            .unwrap_or_else(|| panic!("no web: {:?}", report.errors));
        (at(&web, "CMP008").len(), web.notes.join(" "))
    };
    let (moving, notes) = run(false);
    assert_eq!(moving, 0, "the default written in the file: 1.27");
    assert!(
        notes.contains("defaults written in the file taken for TAG"),
        "{notes}"
    );
    let (moving, notes) = run(true);
    assert_eq!(moving, 1, "--no-ignore reads it: latest");
    assert!(notes.contains(".env: TAG"), "{notes}");
}
