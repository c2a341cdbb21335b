//! What ships: fitscan's own image passes its own gate (dogfooding), `--version` traces a
//! binary to its commit and rule pack, and the CI integrations say what their docs say.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::{fitscan, json};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

#[test]
fn fitscans_own_image_is_purpose_built() {
    let out = fitscan()
        .args(["scan", "Dockerfile", "--no-config", "--format", "json"])
        .args(["--fail-on", "warning"])
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    let report = json(&String::from_utf8_lossy(&out.stdout));
    let workloads = report["workloads"].as_array().cloned().unwrap_or_default();
    assert_eq!(workloads.len(), 1, "{report:#}");
    let w = &workloads[0];
    assert_eq!(w["kind"], "container-image", "{w:#}");
    assert_eq!(w["generation"], 3, "{w:#}");
    assert_eq!(w["phase"], "purpose-built", "{w:#}");
    let findings: Vec<(String, String)> = w["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["severity"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    // `HEALTHCHECK NONE` is the right answer for a command that runs to completion, and
    // DF021 reads it so; any finding is one to fix, not to accept.
    assert_eq!(findings, [], "{w:#}");
    assert!(report["errors"].as_array().is_none_or(Vec::is_empty));
    // The gate at warning passes: nothing at warning or above.
    assert_eq!(out.status.code(), Some(0), "{report:#}");
}

/// Rule files as build.rs counts them: `*.yaml` outside `fixtures/` and the lifecycle table
/// (`rules/lifecycle/`, data the rules read, not rules), not `*.test.yaml`.
fn rule_files(dir: &Path, in_fixtures: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            if name == "lifecycle" && !in_fixtures {
                continue;
            }
            rule_files(&p, in_fixtures || name == "fixtures", out);
        } else if !in_fixtures
            && !name.ends_with(".test.yaml")
            && !name.ends_with(".test.yml")
            && (name.ends_with(".yaml") || name.ends_with(".yml"))
        {
            out.push(p);
        }
    }
}

#[test]
fn version_names_the_commit_and_the_rule_pack() {
    let out = fitscan()
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    // fitscan 0.1.0 (commit 5d55eba1a2b3, 135 rules, pack 0123456789abcdef)
    let rest = text
        .strip_prefix(&format!("fitscan {} (commit ", env!("CARGO_PKG_VERSION")))
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("unexpected version line: {text}"));
    let (commit, pack) = rest
        .split_once(", ")
        .unwrap_or_else(|| panic!("unexpected version line: {text}"));
    let mut rules = Vec::new();
    rule_files(&Path::new(REPO).join("rules"), false, &mut rules);
    let (count, hash) = pack
        .split_once(" rules, pack ")
        .unwrap_or_else(|| panic!("unexpected rule pack: {text}"));
    assert_eq!(count, rules.len().to_string(), "{text}");
    assert!(
        hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "{text}"
    );
    // The commit is git's HEAD when the tests run in a checkout (build.rs watches HEAD and
    // its ref, so a new commit rebuilds), unless the build was told another one.
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(REPO)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match (head, std::env::var("FITSCAN_BUILD_COMMIT")) {
        (_, Ok(told)) if !told.trim().is_empty() => assert_eq!(commit, told.trim()),
        (Some(head), _) if Path::new(REPO).join(".git").exists() => assert_eq!(commit, head),
        _ => assert!(!commit.is_empty(), "{text}"),
    }
}

/// A YAML file of the repository as JSON.
fn yaml(rel: &str) -> Value {
    let text =
        std::fs::read_to_string(Path::new(REPO).join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn the_github_action_documents_every_input() {
    let action = yaml("action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    let docs = std::fs::read_to_string(Path::new(REPO).join("docs/ci-gate.md"))
        .unwrap_or_else(|e| panic!("docs/ci-gate.md: {e}"));
    let inputs = action["inputs"].as_object().cloned().unwrap_or_default();
    assert!(inputs.contains_key("paths") && inputs.contains_key("args"));
    for (name, input) in &inputs {
        let default = input["default"].as_str().unwrap_or_default();
        let row = if default.is_empty() {
            format!("| `{name}` | |")
        } else {
            format!("| `{name}` | `{default}` |")
        };
        assert!(docs.contains(&row), "docs/ci-gate.md lacks the row {row}");
    }
    // Inputs reach the shell as variables, never pasted into a script.
    for step in action["runs"]["steps"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let run = step["run"].as_str().unwrap_or_default();
        assert!(!run.contains("${{"), "an expression in a script: {run}");
    }
}

#[test]
fn the_gitlab_template_keeps_its_reports() {
    let t = yaml("ci/gitlab/fitscan.gitlab-ci.yml");
    let job = &t[".fitscan"];
    assert_eq!(job["artifacts"]["reports"]["junit"], "fitscan.xml");
    assert_eq!(t["fitscan"]["extends"], ".fitscan");
    let script = job["script"].to_string();
    for output in [
        "junit=fitscan.xml",
        "sarif=fitscan.sarif",
        "json=fitscan.json",
    ] {
        assert!(script.contains(output), "{script}");
    }
}

/// The patterns of Cargo.toml's `include` list, without their leading `/`.
fn package_include() -> Vec<String> {
    let manifest = std::fs::read_to_string(Path::new(REPO).join("Cargo.toml"))
        .unwrap_or_else(|e| panic!("Cargo.toml: {e}"));
    let start = manifest
        .find("include = [")
        .unwrap_or_else(|| panic!("no include list"));
    let list = &manifest[start..];
    let end = list.find(']').unwrap_or(list.len());
    list[..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(|p| p.trim_start_matches('/').to_string())
        .collect()
}

fn included(patterns: &[String], file: &str) -> bool {
    patterns.iter().any(|p| match p.split_once('*') {
        None => p == file,
        Some((prefix, "*")) => file.starts_with(prefix),
        Some((prefix, suffix)) => file
            .strip_prefix(prefix)
            .is_some_and(|rest| !rest.contains('/') && rest.ends_with(suffix)),
    })
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// A file the code embeds (`include_str!`, `include_bytes!`) but the package leaves out
/// builds here and breaks `cargo install` from crates.io; the image copies the same folders.
#[test]
fn the_package_and_the_image_hold_every_file_the_code_embeds() {
    let patterns = package_include();
    let dockerfile = std::fs::read_to_string(Path::new(REPO).join("Dockerfile"))
        .unwrap_or_else(|e| panic!("Dockerfile: {e}"));
    let copied: Vec<&str> = dockerfile
        .lines()
        .filter_map(|l| l.strip_prefix("COPY "))
        .filter(|l| !l.starts_with("--from"))
        .flat_map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words[..words.len().saturating_sub(1)].to_vec()
        })
        .collect();
    let root = Path::new(REPO);
    let mut files = vec![root.join("build.rs")];
    sources(&root.join("src"), &mut files);
    let mut embedded = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for macro_ in ["include_str!(\"", "include_bytes!(\""] {
            for (at, _) in text.match_indices(macro_) {
                let rel = text[at + macro_.len()..]
                    .split('"')
                    .next()
                    .unwrap_or_default();
                let dir = file.parent().unwrap_or(root);
                let mut path = PathBuf::new();
                for c in dir
                    .join(rel)
                    .strip_prefix(root)
                    .unwrap_or(Path::new(rel))
                    .components()
                {
                    match c {
                        std::path::Component::ParentDir => {
                            path.pop();
                        }
                        c => path.push(c),
                    }
                }
                let path = path.to_string_lossy().replace('\\', "/");
                embedded += 1;
                assert!(
                    included(&patterns, &path),
                    "{} embeds {path}, which Cargo.toml's include leaves out",
                    file.display()
                );
                // README.md is embedded by a unit test only, which the image does not build.
                if path != "README.md" {
                    assert!(
                        copied
                            .iter()
                            .any(|c| path == *c || path.starts_with(&format!("{c}/"))),
                        "{} embeds {path}, which the Dockerfile does not copy",
                        file.display()
                    );
                }
            }
        }
    }
    assert!(embedded > 0);
    // The image's version label is written out; it follows the crate's.
    let label = format!(
        "org.opencontainers.image.version=\"{}\"",
        env!("CARGO_PKG_VERSION")
    );
    assert!(dockerfile.contains(&label), "the Dockerfile lacks {label}");
    for needed in [
        "build.rs",
        "Cargo.lock",
        "rules/vm/VM001-oversized-cpu.yaml",
    ] {
        assert!(included(&patterns, needed), "{needed}");
    }
}
