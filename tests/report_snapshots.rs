//! Snapshots of every report format for the seed server, so that a change to an output is
//! a reviewed change (`cargo insta review`, or INSTA_UPDATE=always to rewrite).

use std::path::PathBuf;

use fitscan::model::Severity;
use fitscan::report::{Format, RenderOptions};
use fitscan::sizing::rightsize::SizingOptions;
use fitscan::{ScanOptions, scan};

fn seed_report() -> fitscan::assessment::Report {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap_or_else(|e| panic!("{e}"));
    // The VM rules only: the seed server's report, not the number of rules other packs hold.
    let opts = ScanOptions {
        sizing: SizingOptions {
            headroom: 0.0,
            percentile: 95.0,
            ..SizingOptions::default()
        },
        rules: vec![PathBuf::from("rules/vm")],
        no_default_rules: true,
        // The lifecycle rules judge dates: the report is the one of a fixed day.
        as_of: fitscan::lifecycle::Date::parse("2026-12-07").ok(),
        ..ScanOptions::default()
    };
    scan(&[PathBuf::from("samples/vms/telco-server.yaml")], &opts).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn json_report() {
    let report = seed_report();
    insta::assert_snapshot!(
        "seed_json",
        Format::Json.render(&report, &RenderOptions::default())
    );
}

#[test]
fn table_report() {
    let report = seed_report();
    insta::assert_snapshot!(
        "seed_table",
        Format::Table.render(&report, &RenderOptions::default())
    );
}

#[test]
fn sarif_report() {
    let report = seed_report();
    insta::assert_snapshot!(
        "seed_sarif",
        Format::Sarif.render(&report, &RenderOptions::default())
    );
}

#[test]
fn junit_report() {
    let report = seed_report();
    let gate = RenderOptions {
        fail_on: Some(Severity::Error),
        ..RenderOptions::default()
    };
    insta::assert_snapshot!("seed_junit", Format::Junit.render(&report, &gate));
}
