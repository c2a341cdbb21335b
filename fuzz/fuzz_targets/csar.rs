#![no_main]
//! CSAR archives (VNF packages as zip files): the archive reader and its limits, every entry
//! it reads ingested as in a folder, the SOL001 joins, and the assessment.

use std::sync::LazyLock;

use fitscan::rules::RuleSet;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

static RULES: LazyLock<RuleSet> = LazyLock::new(|| {
    fitscan::rules::loader::load(true, &[]).unwrap_or_else(|e| panic!("default rules: {e}"))
});

fuzz_target!(|data: &[u8]| {
    let file = common::file("package.csar", data);
    let report = fitscan::assess_sources(&[file], &RULES, &fitscan::ScanOptions::default());
    for e in &report.errors {
        assert!(!e.message.contains("internal error"), "{e}");
    }
});
