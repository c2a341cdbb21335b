#![no_main]
//! RVTools workbooks: zip archives with sheets, as calamine reads them.

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::allow_caught_panics();
    let _ = common::ingest_named("RVTools_export_all.xlsx", data);
});
