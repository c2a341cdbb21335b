#![no_main]
//! OVF descriptors (XML, entities never expanded).

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let _ = common::ingest_named("appliance.ovf", data);
});
