//! The committed docs generated from the rules must match the rules: `docs/rules/` (one page
//! per rule, `fitscan rules docs docs/rules`) and the list of facts in
//! `docs/writing-rules.md` (`fitscan rules facts --format markdown`).
//!
//! `FITSCAN_UPDATE_DOCS=1 cargo test --test rule_docs` rewrites both instead of failing.

use std::collections::BTreeMap;
use std::path::Path;

use fitscan::authoring::{docs, facts};
use fitscan::rules::loader;

fn update() -> bool {
    let update = std::env::var_os("FITSCAN_UPDATE_DOCS").is_some_and(|v| v == "1");
    // Rewriting passes without comparing: never where the comparison is the point.
    assert!(
        !(update && std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")),
        "FITSCAN_UPDATE_DOCS=1 under CI would rewrite the docs instead of checking them"
    );
    update
}

fn markdown_files(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".md"))
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().to_string(),
                        std::fs::read_to_string(e.path()).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn committed_rule_pages_match_the_rules() {
    let rules = loader::load(true, &[]).unwrap_or_else(|e| panic!("{e}"));
    let committed_dir = Path::new("docs/rules");
    if update() {
        docs::write(committed_dir, &rules, &[]).unwrap_or_else(|e| panic!("{e}"));
        return;
    }
    // Regenerated into a folder of its own, exactly as the command writes it.
    let fresh_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    docs::write(fresh_dir.path(), &rules, &[]).unwrap_or_else(|e| panic!("{e}"));
    let fresh = markdown_files(fresh_dir.path());
    let committed = markdown_files(committed_dir);
    let mut drift = Vec::new();
    for (name, text) in &fresh {
        match committed.get(name) {
            None => drift.push(format!("{name} is missing")),
            Some(c) if c != text => drift.push(format!("{name} differs")),
            Some(_) => {}
        }
    }
    for name in committed.keys().filter(|n| !fresh.contains_key(*n)) {
        drift.push(format!("{name} documents no rule"));
    }
    assert!(
        drift.is_empty(),
        "docs/rules/ is out of date with the rules ({}); run `cargo run -- rules docs docs/rules` and commit the result",
        drift.join(", ")
    );
    assert!(fresh.len() > 100, "a page per rule and the index");
}

const BEGIN: &str = "<!-- facts:begin";
const END: &str = "<!-- facts:end -->";

#[test]
fn the_guide_lists_the_facts_the_inputs_declare() {
    let path = Path::new("docs/writing-rules.md");
    let guide = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}"));
    let (Some(begin), Some(end)) = (guide.find(BEGIN), guide.find(END)) else {
        panic!("docs/writing-rules.md has no `{BEGIN} ... {END}` section");
    };
    let body_start = guide[begin..]
        .find("-->\n")
        .map_or(begin, |p| begin + p + 4);
    let heading = "### The facts each input kind provides\n\n";
    let expected = format!("{heading}{}", facts::markdown(None));
    let current = &guide[body_start..end];
    if current == expected {
        return;
    }
    if update() {
        let rewritten = format!("{}{expected}{}", &guide[..body_start], &guide[end..]);
        std::fs::write(path, rewritten).unwrap_or_else(|e| panic!("{e}"));
        return;
    }
    panic!(
        "the list of facts in docs/writing-rules.md is out of date with the declarations: \
         run `FITSCAN_UPDATE_DOCS=1 cargo test --test rule_docs` (or paste the output of \
         `cargo run -- rules facts --format markdown` between the facts markers) and commit it"
    );
}

#[test]
fn every_help_uri_of_sarif_names_a_committed_page() {
    use fitscan::report::sarif::{BUILTIN_RULES, INFORMATION_URI, RULE_DOCS_BASE};
    // The base is the repository's docs/rules/ folder on its default branch.
    assert_eq!(
        RULE_DOCS_BASE,
        format!("{INFORMATION_URI}/blob/main/docs/rules/")
    );
    let rules = loader::load(true, &[]).unwrap_or_else(|e| panic!("{e}"));
    let ids = rules
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .chain(BUILTIN_RULES.iter().map(|b| b.0));
    for id in ids {
        let page = Path::new("docs/rules").join(format!("{id}.md"));
        assert!(page.is_file(), "{} is missing", page.display());
    }
}

/// `docs/phases.md` is generated from the rules (`fitscan rules phases`), and every property
/// is judged on every kind, or the page says why not.
#[test]
fn the_phases_page_matches_the_rules_and_leaves_no_gap() {
    let rules = loader::load(true, &[]).unwrap_or_else(|e| panic!("{e}"));
    let fresh = docs::phases(&rules);
    let path = Path::new("docs/phases.md");
    if update() {
        std::fs::write(path, &fresh).unwrap_or_else(|e| panic!("{e}"));
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == fresh,
        "docs/phases.md is out of date with the rules; run `cargo run -- rules phases > docs/phases.md` and commit the result"
    );
    let gaps = docs::phase_gaps(&rules);
    assert!(
        gaps.is_empty(),
        "properties no rule evidences and docs::NOT_JUDGED does not explain: {gaps:?}"
    );
}
