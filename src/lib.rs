//! fitscan: assesses an estate of workloads and says, for each, which platform generation
//! it runs on, which phase of its evolution there it is in, what to change to reach the
//! next phase, and how to right-size it.
//!
//! The layers, top to bottom (imports point down only; `tests/layers.rs` enforces it):
//! - cli: `main.rs`, [`config`], [`watch`], [`progress`];
//! - outputs: [`report`] (one module per format, and the `explain` and `diff` views),
//!   [`authoring`] (`rules test/show/docs/facts`);
//! - pipeline: [`scan`] (discover, read and ingest, link, size, assess, policy, baseline,
//!   gate);
//! - the report's shape: [`assessment`];
//! - stages: [`classify`], [`rules`] (the engine), [`lifecycle`], [`sizing`], [`ingest`];
//! - vocabulary: [`model`], [`node`], [`node_binary`], [`units`], [`source`], [`yaml`], [`pattern`].
//!
//! [`scan`] is the one entry point.

pub mod assessment;
pub mod authoring;
pub mod classify;
pub mod clusters;
pub mod config;
pub mod ingest;
pub mod json_once;
pub mod json_pretty;
pub mod lifecycle;
pub mod model;
pub mod node;
pub mod node_binary;
pub mod pattern;
pub mod progress;
pub mod readiness;
pub mod report;
pub mod rules;
pub mod scan;
pub mod sizing;
pub mod source;
pub mod units;
pub mod watch;
pub mod yaml;

pub use scan::{
    DEFAULT_MAX_FILE_SIZE, Error, Gate, MAX_JOBS, Progress, ProgressHook, ScanOptions,
    assess_sources, gate, scan,
};
