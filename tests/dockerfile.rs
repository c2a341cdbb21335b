//! Dockerfiles through the command line: the two samples, suppression comments, names,
//! detection and bad files, as a user meets them.

use std::path::Path;

use serde_json::Value;

mod common;
use common::fitscan;
use common::tempdir;

fn run_json(args: &[&str], dir: Option<&Path>) -> (Value, i32) {
    let mut cmd = fitscan();
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let out = cmd
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (json, out.status.code().unwrap_or(-1))
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
    }
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("write: {e}"));
}

/// (rule, line) of every finding of a workload.
fn findings(w: &Value) -> Vec<(String, u64)> {
    w["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn workload<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["workloads"]
        .as_array()
        .and_then(|ws| ws.iter().find(|w| w["name"] == name))
        .unwrap_or_else(|| panic!("no workload {name} in {r}"))
}

#[test]
fn a_supervisord_and_sshd_image_on_a_full_os_is_unchanged() {
    let (r, code) = run_json(&["scan", "samples/containers/legacy-server"], None);
    assert_eq!(code, 1, "error findings fail the default gate");
    let w = workload(&r, "samples/containers/legacy-server");
    assert_eq!(w["kind"], "container-image");
    assert_eq!(w["generation"], 3);
    assert_eq!(w["phase"], "unchanged");
    assert_eq!(w["disconnect"], true);
    // a supervisor image reaches optimised only by code changes: one process per container
    assert_eq!(w["disposition"], "refactor");
    let reason = w["disposition_reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("reaching optimised needs code changes: DF001 (A process supervisor"),
        "{reason}"
    );
    assert!(
        w["effort"].as_u64().is_some_and(|e| e >= 8),
        "{}",
        w["effort"]
    );
    assert_eq!(w["file"], "samples/containers/legacy-server/Dockerfile");
    assert_eq!(w["line"], 4, "the final FROM");
    let got = findings(w);
    for expected in [
        ("DF001", 7),  // supervisor installed
        ("DF001", 17), // its configuration copied in
        ("DF001", 24), // and it is the command
        ("DF002", 7),  // openssh-server
        ("DF002", 22), // EXPOSE 22
        ("DF003", 7),  // cronie
        ("DF003", 18), // /etc/cron.d
        ("DF006", 12), // ENV DB_PASSWORD
        ("DF010", 24), // shell-form CMD
        ("DF012", 4),  // no USER
        ("DF013", 4),  // centos:7
        ("DF015", 15), // httpd.conf into /etc
        ("DF016", 21), // VOLUME
    ] {
        assert!(
            got.contains(&(expected.0.to_string(), expected.1)),
            "{expected:?} not in {got:?}"
        );
    }
    let first_step = &w["roadmap"][0];
    // the roadmap runs property by property: configured-from-outside (sshd) before
    // health-observable (the supervisor), each heaviest first
    assert_eq!(first_step["rule"], "DF002", "{first_step}");
    assert_eq!(first_step["property"], "configured-from-outside");
    let properties: Vec<&str> = w["roadmap"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["property"].as_str())
        .collect();
    let first_health = properties.iter().position(|p| *p == "health-observable");
    let last_config = properties
        .iter()
        .rposition(|p| *p == "configured-from-outside");
    assert!(first_health > last_config, "{properties:?}");
    let message = w["findings"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["rule"] == "DF006"))
        .and_then(|f| f["message"].as_str())
        .unwrap_or("");
    assert!(message.contains("ENV DB_PASSWORD"), "{message}");
    assert!(
        !message.contains("Portal2019"),
        "a secret's value is never printed"
    );
}

#[test]
fn a_multi_stage_distroless_non_root_image_is_purpose_built() {
    let (r, code) = run_json(
        &[
            "scan",
            "samples/containers/purpose-built",
            "--min-phase",
            "purpose-built",
        ],
        None,
    );
    assert_eq!(code, 0);
    let w = workload(&r, "order-api");
    assert_eq!(w["phase"], "purpose-built");
    assert_eq!(w["score"], 100);
    assert_eq!(w["confidence"], 1.0);
    // purpose-built: nothing to do, and no effort
    assert_eq!(w["disposition"], "none");
    assert_eq!(
        w["disposition_reason"],
        "purpose-built: every defining property holds, nothing to do"
    );
    assert_eq!(w["effort"], 0);
    assert_eq!(w["effort_to_purpose_built"], 0);
    assert_eq!(findings(w), Vec::<(String, u64)>::new());
    assert_eq!(w["evidence_needed"], serde_json::json!([]));
}

#[test]
fn ignore_comments_suppress_exactly_the_instruction_below() {
    let dir = tempdir();
    write(
        dir.path(),
        "api/Dockerfile",
        "FROM debian:12-slim\n\
         # fitscan ignore=DF002: bastion image, tracked in SEC-7\n\
         RUN apt-get update && apt-get install -y openssh-server && rm -rf /var/lib/apt/lists/*\n\
         # fitscan ignore=DF010\n\
         EXPOSE 22\n\
         USER 10001\n\
         CMD /usr/sbin/sshd -D\n",
    );
    let (r, _) = run_json(&["scan", "."], Some(dir.path()));
    let w = workload(&r, "api");
    let got = findings(w);
    assert!(!got.contains(&("DF002".to_string(), 3)), "{got:?}");
    assert!(
        got.contains(&("DF002".to_string(), 5)),
        "EXPOSE 22 is not covered: {got:?}"
    );
    assert!(got.contains(&("DF002".to_string(), 7)), "{got:?}");
    assert!(
        got.contains(&("DF010".to_string(), 7)),
        "the ignore sits above EXPOSE: {got:?}"
    );
    let suppressed = w["suppressed"].as_array().cloned().unwrap_or_default();
    assert_eq!(suppressed.len(), 1, "{suppressed:?}");
    assert_eq!(suppressed[0]["rule"], "DF002");
    assert_eq!(suppressed[0]["line"], 3);
    assert_eq!(suppressed[0]["reason"], "bastion image, tracked in SEC-7");
    assert_eq!(r["summary"]["suppressed"], 1);
}

#[test]
fn names_come_from_the_directory_or_a_label() {
    let dir = tempdir();
    write(dir.path(), "Dockerfile", "FROM alpine:3.20\nUSER 1000\n");
    write(
        dir.path(),
        "src/frontend/Dockerfile",
        "FROM nginx:1.27-alpine\n",
    );
    write(dir.path(), "db/Dockerfile.xe", "FROM oraclelinux:8-slim\n");
    write(
        dir.path(),
        "svc/Containerfile",
        "FROM alpine:3.20\nLABEL org.opencontainers.image.title=\"billing-api\"\n",
    );
    let (r, _) = run_json(&["scan", "."], Some(dir.path()));
    let mut names: Vec<String> = r["workloads"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|w| w["name"].as_str().unwrap_or("").to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            "Dockerfile",
            "billing-api",
            "db/Dockerfile.xe",
            "src/frontend"
        ]
    );
}

#[test]
fn detection_by_name_when_walking_and_by_content_when_named() {
    let dir = tempdir();
    write(dir.path(), "a/Dockerfile_19c", "FROM oraclelinux:8-slim\n");
    write(dir.path(), "b/web.dockerfile", "FROM nginx:1.27\n");
    write(dir.path(), "c/Dockerfile.template", "FROM {{ base }}\n");
    write(dir.path(), "d/Dockerfile.dockerignore", "node_modules\n");
    write(dir.path(), "e/app.docker", "FROM alpine:3.20\n");
    let (r, _) = run_json(&["scan", "."], Some(dir.path()));
    let mut files: Vec<String> = r["workloads"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|w| w["file"].as_str().unwrap_or("").to_string())
        .collect();
    files.sort();
    assert_eq!(files, vec!["a/Dockerfile_19c", "b/web.dockerfile"]);
    assert_eq!(r["errors"], serde_json::json!([]));

    // Named on the command line, a file under another name is read by its content...
    let (r, _) = run_json(&["scan", "e/app.docker"], Some(dir.path()));
    assert_eq!(r["workloads"][0]["kind"], "container-image");
    assert_eq!(r["workloads"][0]["name"], "e/app.docker");
    // ...but a YAML file is never taken for a Dockerfile.
    write(dir.path(), "f/from.yaml", "FROM: alpine\n");
    let (r, code) = run_json(&["scan", "f/from.yaml"], Some(dir.path()));
    assert_eq!(code, 1);
    assert_eq!(r["summary"]["workloads"], 0);
    let message = r["errors"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("not a recognised input"), "{message}");
}

#[test]
fn bad_dockerfiles_are_errors_with_file_and_line_and_the_scan_goes_on() {
    let dir = tempdir();
    write(dir.path(), "empty/Dockerfile", "");
    write(
        dir.path(),
        "typo/Dockerfile",
        "FROM alpine:3.20\nRUN echo ok\nCOPYY a /b\n",
    );
    write(
        dir.path(),
        "heredoc/Dockerfile",
        "FROM alpine:3.20\nRUN python3 <<EOF\nprint('never closed')\n",
    );
    write(
        dir.path(),
        "good/Dockerfile",
        "FROM alpine:3.20\nUSER 1000\n",
    );
    let (r, code) = run_json(&["scan", "."], Some(dir.path()));
    assert_eq!(code, 1, "file errors count as error findings");
    assert_eq!(r["summary"]["workloads"], 1);
    assert_eq!(r["workloads"][0]["name"], "good");
    let errors: Vec<(String, u64, String)> = r["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap_or("").to_string(),
                e["line"].as_u64().unwrap_or(0),
                e["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!((errors[0].0.as_str(), errors[0].1), ("empty/Dockerfile", 1));
    assert_eq!(
        (errors[1].0.as_str(), errors[1].1),
        ("heredoc/Dockerfile", 2)
    );
    assert!(errors[1].2.contains("never closed"), "{}", errors[1].2);
    assert_eq!((errors[2].0.as_str(), errors[2].1), ("typo/Dockerfile", 3));
    assert!(errors[2].2.contains("COPYY"), "{}", errors[2].2);
}

#[test]
fn rules_list_shows_the_dockerfile_pack() {
    let out = fitscan()
        .args([
            "rules",
            "list",
            "--target",
            "dockerfile",
            "--format",
            "json",
        ])
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    let rules: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    let ids: Vec<&str> = rules
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ids.len(), 26, "{ids:?}");
    assert!(ids.iter().all(|id| id.starts_with("DF")));
}
