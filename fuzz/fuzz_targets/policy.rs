#![no_main]
//! What users write to steer a scan: rule files, `.fitscan.yaml` and size catalogs.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = fitscan::rules::loader::parse_rule_file("rules.yaml", &text, false);
    let _ = fitscan::config::parse(&text, ".fitscan.yaml", std::path::Path::new("/"));
    let _ = fitscan::sizing::catalog::parse("catalog.yaml", &text);
});
