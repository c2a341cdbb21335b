//! ETSI NFV-SOL 001 VNF packages (TOSCA YAML).
//!
//! A package is a top-level VNFD that `imports` the VNF's type file and one or more
//! deployment-flavour files (each a `topology_template` with `substitution_mappings`,
//! VDUs and policies). Every TOSCA file is pushed as an object while files are read; `link`
//! then groups them into packages by their imports and makes one workload per VNF and
//! deployment flavour. A `TOSCA-Metadata/TOSCA.meta` names the entry definitions.
//!
//! Imports resolve relative to the importing file. The standard
//! `etsi_nfv_sol001_*_types.yaml` imports (by name or URL) are built into fitscan's
//! understanding of the node types and never read. A file named on the command line alone
//! has its imports read from disk (size-capped); a file found by walking has them read
//! only when they lie outside its folder (the walk reads the rest).
//!
//! The workload's own file is the top-level VNFD; the flavour, type and other imported
//! files follow it in the workload's line numbering (`model::SourceSpan`), so that every
//! finding points at the file and line where the offending node is defined.
//!
//! The reading is split by concern: [`files`] (what each file contributes, imports),
//! [`link`] (packages and flavours), [`types`] (node types), [`package`] (one workload's
//! files, the VNF node), [`vdu`] (VDUs, containers, storage, images), [`policies`].

mod files;
mod link;
mod package;
mod policies;
mod types;
mod util;
mod vdu;

#[cfg(test)]
mod tests;

use std::sync::LazyLock;

use regex::Regex;

use crate::node::Node;

pub use files::{ingest_document, ingest_meta};
pub use link::link;

/// Files read per package at most, so that an import loop or a huge tree cannot run away.
pub(super) const MAX_PACKAGE_FILES: usize = 256;
/// `derived_from` hops followed at most.
pub(super) const MAX_DERIVATION: usize = 32;

pub(super) static STANDARD_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|[/\\])etsi_nfv_sol00[16]_[a-z0-9_]*\.ya?ml$")
        .unwrap_or_else(|e| panic!("static regex: {e}"))
});

pub fn is_tosca(doc: &Node) -> bool {
    doc.get("tosca_definitions_version").is_some()
}
