#![no_main]
//! Dockerfiles: instructions, continuation lines, heredocs, escape directives, comments.

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let _ = common::ingest_named("Dockerfile", data);
});
