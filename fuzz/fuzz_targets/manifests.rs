#![no_main]
//! YAML inputs: VM specs, Kubernetes manifests, Compose files and VNF descriptors, read and
//! joined (`link`) as a scan does.

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    for name in ["input.yaml", "docker-compose.yml", "vnfd.json"] {
        let out = common::ingest_named(name, data);
        let mut workloads = out.workloads;
        let mut errors = out.errors;
        // Nothing on disk is read for a file another names (a Compose include).
        let ctx = fitscan::ingest::IngestContext {
            roots: Some(Vec::new()),
            ..fitscan::ingest::IngestContext::default()
        };
        fitscan::ingest::link(&mut workloads, out.objects, &mut errors, &ctx);
        for e in &errors {
            assert!(!e.message.contains("internal error"), "{e}");
        }
    }
});
