//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test crate uses its part

pub mod csar;

use std::path::Path;

/// Copies the folder `from` to `to`.
pub fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("mkdir: {e}"));
    let entries = std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_folder(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap_or_else(|e| panic!("copy: {e}"));
        }
    }
}
