#![no_main]
//! A Compose project's `.env` and the interpolation it feeds: any text gives variables or an
//! error with a line, and interpolating any text with them never panics.

use fitscan::ingest::compose::{dotenv, interpolate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The same text as a `.env` and as a value written in a Compose file.
    let env = match dotenv::parse(&text, ".env") {
        Ok(env) => env,
        Err(e) => {
            assert!(e.line >= 1 && !e.message.is_empty());
            return;
        }
    };
    let mut seen = interpolate::Provenance::default();
    let (out, _) = interpolate::interpolate_with(&text, &env, &mut seen);
    if !text.contains('$') {
        assert_eq!(out, text);
    }
});
