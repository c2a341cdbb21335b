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
        fitscan::ingest::link(&mut workloads, out.objects, &mut errors);
        for e in &errors {
            assert!(!e.message.contains("internal error"), "{e}");
        }
    }
});
