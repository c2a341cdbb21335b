#![no_main]
//! The YAML reader: any text gives documents or an error with a line, within the budgets.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = fitscan::yaml::parse_documents(&text) {
        assert!(!e.message.is_empty());
    }
});
