#![no_main]
//! The YAML reader: any text gives documents or an error with a line, within the budgets; and
//! where the common-subset reader takes a text, the full parser reads the same trees.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match fitscan::yaml::parse_documents(&text) {
        Err(e) => assert!(!e.message.is_empty()),
        Ok(documents) => match fitscan::yaml::parse_documents_fully(&text) {
            Ok(full) => assert_eq!(documents, full, "{text:?}"),
            Err(e) => panic!("read {text:?}, which the full parser refuses: {e:?}"),
        },
    }
});
