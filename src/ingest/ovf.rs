//! OVF descriptors.
use super::{FileOutput, IngestContext, Input};
use crate::source::SourceFile;
pub struct Ovf;
impl Input for Ovf {
    fn name(&self) -> &'static str {
        "ovf"
    }
    fn wants_file_name(&self, _name: &str) -> bool {
        false
    }
    fn claims_file(&self, _file: &SourceFile) -> bool {
        false
    }
    fn ingest_file(&self, _file: &SourceFile, _ctx: &IngestContext, _out: &mut FileOutput) {}
}
