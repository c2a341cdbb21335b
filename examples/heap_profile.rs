//! The live heap of a scan, stage by stage (a development aid for the estate benchmark in
//! README.md; `/usr/bin/time -v` gives the resident size a user sees):
//!
//! ```sh
//! cargo run --release --example heap_profile -- /tmp/rvtools-50k/RVTools_tabvInfo.csv
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts the bytes the program has asked for and not yet given back.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; only counters change.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on as it is.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn mb(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: heap_profile FILE");
        std::process::exit(2);
    };
    let opts = fitscan::ScanOptions {
        max_file_size: u64::MAX,
        ..fitscan::ScanOptions::default()
    };
    let start = std::time::Instant::now();
    let report = match fitscan::scan(&[std::path::PathBuf::from(&path)], &opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let n = report.workloads.len().max(1);
    let live = LIVE.load(Ordering::Relaxed);
    println!(
        "{} workloads in {:.2?}: report {} ({} bytes per workload), peak heap {}",
        report.workloads.len(),
        start.elapsed(),
        mb(live),
        live / n,
        mb(PEAK.load(Ordering::Relaxed))
    );
}
