#![no_main]
//! Utilisation metrics (`--metrics`): summary rows and long time series. They are read from
//! a path, so each input is written to a temporary file first.

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

static DIR: LazyLock<std::path::PathBuf> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("fitscan-fuzz-metrics-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
});

fuzz_target!(|data: &[u8]| {
    let path = DIR.join("metrics.csv");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let _ = fitscan::sizing::metrics::load(&[path], 95.0);
});
