//! Embeds the default rules (`rules/<target>/<ID>-<name>.yaml`, each with its test cases)
//! into the binary, so that `fitscan` needs no files besides itself, and their fixtures
//! (`rules/**/fixtures/**`, binary fixtures included; `*.test.yaml` files of a pack too), so
//! that `fitscan rules test` and the examples of `fitscan rules show` work from an installed
//! binary too. Other files (`rules/<target>/README.md`) are for readers only. The lifecycle
//! table (`rules/lifecycle/*.yaml`) is data the rules read through facts, not rules: it is
//! embedded on its own (`LIFECYCLE_FILES`).
//!
//! Also records, for `fitscan --version`, the commit the build is made from
//! (`FITSCAN_COMMIT`) and the rule pack's version (`FITSCAN_RULES`), so that a report can be
//! traced to what produced it.

use std::fmt::Write;
use std::path::{Path, PathBuf};

// The crate's own YAML reader, so that the patterns analysed here are the texts a scan reads
// (an inline module with a path, so that the modules' own children resolve as in the crate).
#[allow(dead_code)]
#[path = "src"]
mod src {
    pub mod node;
    pub mod node_binary;
    pub mod yaml;
}
#[path = "build/required_literals.rs"]
mod required_literals;
use src::{node, node_binary, yaml};

/// Every regular expression of a rule or table file: the values of `matches` and
/// `not_matches` (rules), `os` and `tag` (the lifecycle table), wherever they sit.
fn patterns_in(node: &node::Node, keys: &[&str], out: &mut Vec<String>) {
    match &node.value {
        node::Value::Map(entries) => {
            for e in entries {
                if keys.contains(&e.key.as_str()) {
                    match &e.value.value {
                        node::Value::Str(s) => out.push(s.clone()),
                        node::Value::Seq(items) => {
                            out.extend(items.iter().filter_map(|i| i.as_str().map(str::to_string)))
                        }
                        _ => {}
                    }
                }
                patterns_in(&e.value, keys, out);
            }
        }
        node::Value::Seq(items) => items.iter().for_each(|i| patterns_in(i, keys, out)),
        _ => {}
    }
}

/// `PATTERN_LITERALS`: each embedded pattern (sorted, for a binary search) with the literals
/// one of which any ASCII text it matches contains (`build/required_literals.rs`).
fn pattern_literals(files: &[(&PathBuf, &[&str])]) -> String {
    let mut patterns = Vec::new();
    for (f, keys) in files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        // A file that does not parse is the loader's to report, with its line.
        for doc in yaml::parse_documents(&text).unwrap_or_default() {
            patterns_in(&doc, keys, &mut patterns);
        }
    }
    patterns.sort();
    patterns.dedup();
    let mut code = String::from("pub static PATTERN_LITERALS: &[(&str, &[&str])] = &[\n");
    for p in &patterns {
        if let Some(literals) = required_literals::required(p) {
            let _ = writeln!(code, "    ({p:?}, &{literals:?}),");
        }
    }
    code.push_str("];\n");
    code
}

/// Rule files (`*.yaml` outside `fixtures/`, not `*.test.yaml`), and test files and
/// fixtures.
#[derive(Default)]
struct Tree {
    rules: Vec<PathBuf>,
    tests: Vec<PathBuf>,
}

fn is_test(name: &str) -> bool {
    name.ends_with(".test.yaml") || name.ends_with(".test.yml")
}

fn collect(dir: &Path, in_fixtures: bool, out: &mut Tree) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            if name == "lifecycle" && !in_fixtures {
                continue;
            }
            collect(&path, in_fixtures || name == "fixtures", out);
        } else if in_fixtures || is_test(&name) {
            out.tests.push(path);
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            out.rules.push(path);
        }
    }
}

fn relative(root: &Path, f: &Path) -> String {
    f.strip_prefix(root)
        .unwrap_or(f)
        .to_string_lossy()
        .replace('\\', "/")
}

/// FNV-1a, 64 bits: the rule pack's version needs a stable fingerprint of a few hundred
/// kilobytes of text, not a cryptographic one, and a build script should not pull in a
/// hashing crate for it.
fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The rule pack's version: how many rule files are embedded and a hash of their paths and
/// contents (line endings normalised, so that a Windows checkout gives the same). A count
/// alone misses an edited rule, a hash alone does not tell a reader whether rules were
/// added; test files and fixtures are left out since they do not change what a scan finds.
/// The data the rules read (the lifecycle table, the migration targets) is hashed too: a
/// changed end-of-support date or disk limit changes verdicts as much as a changed rule.
fn rule_pack(root: &Path, rules: &[PathBuf], data: &[PathBuf]) -> String {
    let mut hash = 0xcbf2_9ce4_8422_2325;
    for f in rules.iter().chain(data) {
        hash = fnv1a(hash, relative(root, f).as_bytes());
        hash = fnv1a(hash, &[0]);
        let text = std::fs::read(f).unwrap_or_default();
        let text = String::from_utf8_lossy(&text).replace("\r\n", "\n");
        hash = fnv1a(hash, text.as_bytes());
        hash = fnv1a(hash, &[0]);
    }
    format!("{} rules, pack {hash:016x}", rules.len())
}

/// A single-rule file as a scan reads it: the `tests:` section (about half of the default
/// rules' text; `fitscan rules test` reads the files as written) blanked out line by line,
/// so that every line of the rule keeps its number. A top-level key, or a document marker,
/// ends the section; comments and a sequence written at the key's own indentation
/// (`tests:` then `- name:`) belong to it.
fn without_tests(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut skipping = false;
    for line in text.split_inclusive('\n') {
        let marker = line.starts_with("---") || line.starts_with("...");
        if marker {
            skipping = false;
        } else if !line.trim_end().is_empty() && !line.starts_with([' ', '\t', '#', '-']) {
            skipping = line
                .strip_prefix("tests")
                .is_some_and(|rest| rest.trim_start().starts_with(':'));
        }
        if skipping {
            if line.ends_with('\n') {
                out.push('\n');
            }
        } else {
            out.push_str(line);
        }
    }
    out
}

/// One element of a `&[Option<&[u8]>]` of parsed files: `text` parsed and stored at `bin`
/// (`node_binary`), or `None` where it does not parse, so that the crate reads the text and
/// reports the mistake with its line.
fn parsed_entry(text: &str, bin: &Path) -> String {
    match yaml::parse_documents(text) {
        Ok(docs) => {
            write_file(bin, &node_binary::encode(&docs));
            format!(
                "    Some(include_bytes!({:?})),\n",
                bin.display().to_string()
            )
        }
        Err(_) => "    None,\n".to_string(),
    }
}

fn write_file(path: &Path, bytes: &[u8]) {
    if let Err(e) = std::fs::write(path, bytes) {
        panic!("cannot write {}: {e}", path.display());
    }
}

/// Runs git in the crate's folder; None when git is missing or fails.
fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// A path git printed, relative to the crate's folder unless absolute.
fn git_path(root: &Path, path: &str) -> PathBuf {
    let p = PathBuf::from(path);
    if p.is_absolute() { p } else { root.join(p) }
}

/// Digits of the commit shown: enough to be unique in any repository of this size, and the
/// same whichever way the commit was found.
const COMMIT_DIGITS: usize = 12;

/// The commit the build is made from: `FITSCAN_BUILD_COMMIT` when set (a container build,
/// whose context has no `.git`), else git's HEAD when this crate is a git checkout, else the
/// commit `cargo package` recorded in `.cargo_vcs_info.json` (a build from crates.io), else
/// "unknown".
fn commit(root: &Path) -> String {
    println!("cargo:rerun-if-env-changed=FITSCAN_BUILD_COMMIT");
    if let Ok(c) = std::env::var("FITSCAN_BUILD_COMMIT") {
        let c = c.trim();
        if !c.is_empty() {
            return c.chars().take(40).collect();
        }
    }
    // Only a checkout of this crate: a package unpacked inside another repository (a home
    // folder kept in git) must not report that repository's commit.
    if root.join(".git").exists()
        && let Some(head) = git(
            root,
            &["rev-parse", &format!("--short={COMMIT_DIGITS}"), "HEAD"],
        )
    {
        // A new commit moves HEAD's ref, a checkout HEAD itself. Only existing paths are
        // watched: cargo reruns a script whose watched path is missing on every build.
        let mut watched = Vec::new();
        if let Some(p) = git(root, &["rev-parse", "--git-path", "HEAD"]) {
            watched.push(git_path(root, &p));
        }
        if let Some(r) = git(root, &["symbolic-ref", "-q", "HEAD"])
            && let Some(p) = git(root, &["rev-parse", "--git-path", &r])
        {
            let p = git_path(root, &p);
            // A packed ref has no file of its own until the next commit writes one: its
            // folder tells when it appears.
            if !p.exists()
                && let Some(parent) = p.parent()
            {
                watched.push(parent.to_path_buf());
            }
            watched.push(p);
        }
        if let Some(p) = git(root, &["rev-parse", "--git-path", "packed-refs"]) {
            watched.push(git_path(root, &p));
        }
        for p in watched.iter().filter(|p| p.exists()) {
            println!("cargo:rerun-if-changed={}", p.display());
        }
        return head;
    }
    let vcs = root.join(".cargo_vcs_info.json");
    if let Ok(text) = std::fs::read_to_string(&vcs) {
        println!("cargo:rerun-if-changed={}", vcs.display());
        // `"sha1": "<40 hex digits>"`; a build script has no JSON parser at hand.
        if let Some(at) = text.find("\"sha1\"") {
            let hex: String = text[at + 6..]
                .chars()
                .skip_while(|c| !c.is_ascii_hexdigit())
                .take_while(char::is_ascii_hexdigit)
                .take(COMMIT_DIGITS)
                .collect();
            if !hex.is_empty() {
                return hex;
            }
        }
    }
    "unknown".to_string()
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let rules_dir = root.join("rules");
    println!("cargo:rerun-if-changed=rules");
    let mut tree = Tree::default();
    collect(&rules_dir, false, &mut tree);
    tree.rules.sort();
    tree.tests.sort();
    let mut code = String::from("pub static RULE_FILES: &[(&str, &str)] = &[\n");
    for f in &tree.rules {
        println!("cargo:rerun-if-changed={}", f.display());
        let _ = writeln!(
            code,
            "    ({:?}, include_str!({:?})),",
            relative(&root, f),
            f.display().to_string()
        );
    }
    code.push_str("];\n\n");
    // The same files as a scan reads them (`RULE_FILES[i]` is `RULE_SCAN_TEXTS[i]` with its
    // tests blanked out).
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    // And parsed (`node_binary`), where they parse: a file that does not is read from its
    // text, so that the loader reports its mistake.
    let mut nodes = String::from("pub static RULE_SCAN_NODES: &[Option<&[u8]>] = &[\n");
    code.push_str("pub static RULE_SCAN_TEXTS: &[&str] = &[\n");
    for (i, f) in tree.rules.iter().enumerate() {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let scan_text = without_tests(&text);
        let scan = out_dir.join(format!("rule-scan-{i}.yaml"));
        write_file(&scan, scan_text.as_bytes());
        let _ = writeln!(code, "    include_str!({:?}),", scan.display().to_string());
        nodes.push_str(&parsed_entry(
            &scan_text,
            &out_dir.join(format!("rule-scan-{i}.bin")),
        ));
    }
    code.push_str("];\n\n");
    nodes.push_str("];\n\n");
    code.push_str(&nodes);
    println!("cargo:rustc-env=FITSCAN_COMMIT={}", commit(&root));
    code.push_str("pub static RULE_TEST_FILES: &[(&str, &[u8])] = &[\n");
    for f in &tree.tests {
        println!("cargo:rerun-if-changed={}", f.display());
        let _ = writeln!(
            code,
            "    ({:?}, include_bytes!({:?})),",
            relative(&root, f),
            f.display().to_string()
        );
    }
    code.push_str("];\n");
    // The lifecycle table, beside the rules but not rules.
    let mut tables: Vec<PathBuf> = std::fs::read_dir(rules_dir.join("lifecycle"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                .collect()
        })
        .unwrap_or_default();
    tables.sort();
    let mut lifecycle = String::from("pub static LIFECYCLE_FILES: &[(&str, &str)] = &[\n");
    let mut lifecycle_nodes = String::from("pub static LIFECYCLE_NODES: &[Option<&[u8]>] = &[\n");
    for (i, f) in tables.iter().enumerate() {
        println!("cargo:rerun-if-changed={}", f.display());
        let _ = writeln!(
            lifecycle,
            "    ({:?}, include_str!({:?})),",
            relative(&root, f),
            f.display().to_string()
        );
        let text = std::fs::read_to_string(f).unwrap_or_default();
        lifecycle_nodes.push_str(&parsed_entry(
            &text,
            &out_dir.join(format!("lifecycle-{i}.bin")),
        ));
    }
    lifecycle.push_str("];\n");
    lifecycle_nodes.push_str("];\n");
    lifecycle.push_str(&lifecycle_nodes);
    // The migration targets (`src/readiness` embeds them itself) count in the pack's version.
    let mut data = tables.clone();
    let mut targets: Vec<PathBuf> = std::fs::read_dir(root.join("targets"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
                .collect()
        })
        .unwrap_or_default();
    targets.sort();
    println!("cargo:rerun-if-changed=targets");
    for f in &targets {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let target_files = targets.clone();
    data.extend(targets);
    println!(
        "cargo:rustc-env=FITSCAN_RULES={}",
        rule_pack(&root, &tree.rules, &data)
    );
    // Folders too: a fixture added to an existing folder must rebuild the binary.
    let mut dirs = vec![rules_dir];
    while let Some(dir) = dirs.pop() {
        println!("cargo:rerun-if-changed={}", dir.display());
        if let Ok(entries) = std::fs::read_dir(&dir) {
            dirs.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
        }
    }
    let rule_keys: &[&str] = &["matches", "not_matches"];
    let table_keys: &[&str] = &["os", "tag"];
    let pattern_files: Vec<(&PathBuf, &[&str])> = tree
        .rules
        .iter()
        .map(|f| (f, rule_keys))
        .chain(tables.iter().map(|f| (f, table_keys)))
        .chain(target_files.iter().map(|f| (f, rule_keys)))
        .collect();
    let literals = pattern_literals(&pattern_files);
    for (name, text) in [
        ("embedded_rules.rs", code),
        ("embedded_lifecycle.rs", lifecycle),
        ("pattern_literals.rs", literals),
    ] {
        write_file(&out_dir.join(name), text.as_bytes());
    }
}
