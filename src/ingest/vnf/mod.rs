//! NFV VNF descriptors, kind `vnf`, rule pack `vnf`: generation 2 when the VDUs are
//! virtual machines, 3 when they are containers (`model::VnfModel::platform`), with the CNF
//! readiness of every VM-based VDU ([`readiness`]):
//!
//! - ETSI NFV-SOL 001 packages (TOSCA YAML: a top-level VNFD importing its type and
//!   deployment-flavour files, optionally named by `TOSCA-Metadata/TOSCA.meta`), joined
//!   across files in `link` ([`sol001`]);
//! - ETSI NFV-SOL 006 / OSM descriptors (`vnfd:` YAML or JSON), one file each ([`sol006`]);
//! - SOL004 CSAR archives (`.csar`, or a `.zip` holding `TOSCA-Metadata/TOSCA.meta`), read
//!   in memory entry by entry as their unzipped folder would be ([`csar`]).
//!
//! Both are read into one [`model::VnfModel`] per VNF and deployment flavour, so that one
//! rule pack serves them. The workload is named `VNF/flavour` (the product name, else the
//! descriptor id); each VDU is a component named by its id, so utilisation metrics join
//! on `VNF/flavour/VDU`.

pub mod csar;
pub mod detect;
pub mod model;
pub mod readiness;
pub mod sol001;
pub mod sol006;

use super::{FileOutput, IngestContext, Input, Object};
use crate::model::{ScanError, Workload};
use crate::node::Node;
use crate::source::SourceFile;

/// Objects this input pushes for `link` (must equal [`Input::name`]).
pub const OBJECT_INPUT: &str = "vnf";

pub struct Vnf;

impl Input for Vnf {
    fn name(&self) -> &'static str {
        OBJECT_INPUT
    }

    fn facts(&self) -> &'static [crate::model::FactGroup] {
        model::FACTS
    }

    fn wants_file_name(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case("TOSCA.meta")
    }

    fn claims_file(&self, file: &SourceFile) -> bool {
        self.wants_file_name(&file.file_name())
    }

    fn ingest_file(&self, file: &SourceFile, ctx: &IngestContext, out: &mut FileOutput) {
        sol001::ingest_meta(file, ctx, out);
    }

    fn yaml_markers(&self) -> &'static [&'static str] {
        &["tosca_definitions_version", "vnfd"]
    }

    fn claims_document(&self, doc: &Node, _file: &SourceFile) -> bool {
        sol001::is_tosca(doc) || sol006::is_sol006(doc)
    }

    fn ingest_document(
        &self,
        doc: Node,
        file: &SourceFile,
        ctx: &IngestContext,
        out: &mut FileOutput,
    ) {
        if sol001::is_tosca(&doc) {
            sol001::ingest_document(doc, file, ctx, out);
        } else {
            sol006::ingest_document(doc, file, out);
        }
    }

    fn link(
        &self,
        workloads: &mut Vec<Workload>,
        objects: Vec<Object>,
        errors: &mut Vec<ScanError>,
        _ctx: &IngestContext,
    ) -> Vec<crate::model::Skipped> {
        sol001::link(workloads, objects, errors)
    }
}
