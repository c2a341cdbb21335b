#![no_main]
//! The whole scan of one file: the first byte picks what the file is named (and so which
//! reader takes it), the rest is its content; it is read, joined, assessed with the default
//! rules, right-sized, and rendered in every format.

use std::sync::LazyLock;

use fitscan::report::{Format, RenderOptions};
use fitscan::rules::RuleSet;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

const NAMES: &[&str] = &[
    "Dockerfile",
    "vm.yaml",
    "deployment.yaml",
    "docker-compose.yml",
    "vnfd.yaml",
    "RVTools_tabvInfo.csv",
    "azure-migrate.csv",
    "appliance.ovf",
    "RVTools_export_all.xlsx",
    "inventory.json",
    "package.csar",
];

static RULES: LazyLock<RuleSet> = LazyLock::new(|| {
    fitscan::rules::loader::load(true, &[]).unwrap_or_else(|e| panic!("default rules: {e}"))
});

fuzz_target!(|data: &[u8]| {
    common::allow_caught_panics();
    let Some((&pick, content)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let file = common::file(name, content);
    let report = fitscan::assess_sources(&[file], &RULES, &fitscan::ScanOptions::default());
    for e in &report.errors {
        assert!(!e.message.contains("internal error"), "{e}");
    }
    // Default options, so that a field added to RenderOptions does not break the target.
    let opts = RenderOptions::default();
    for (_, format) in Format::ALL {
        let _ = format.render(&report, &opts);
    }
});
