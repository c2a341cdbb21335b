use std::path::{Path, PathBuf};

use super::files::{ImportTarget, imports};
use super::types::{NodeKind, TypeIndex};
use crate::ingest::{normalise, shift};
use crate::node::Node;
use crate::yaml;

fn doc(text: &str) -> Node {
    yaml::parse_documents(text)
        .unwrap_or_default()
        .pop()
        .unwrap_or_else(Node::null)
}

#[test]
fn every_import_form_resolves_relative_to_the_importing_file() {
    let d = doc("imports:
  - etsi_nfv_sol001_common_types.yaml
  - https://forge.etsi.org/rep/nfv/SOL001/raw/v4.3.1/etsi_nfv_sol001_vnfd_types.yaml
  - types.yaml
  - { file: ../common/df.yaml }
  - named: flavours/big.yaml
  - other: { file: x.yaml, repository: vendor_repo }
  - https://example.com/extra.yaml
  - /etc/hosts
");
    let got = imports(
        &d,
        Path::new("pkg/Definitions/top.yaml"),
        "pkg/Definitions/top.yaml",
        None,
    );
    let kinds: Vec<String> = got
        .iter()
        .map(|i| match &i.target {
            ImportTarget::Standard => "standard".to_string(),
            ImportTarget::Remote => "remote".to_string(),
            ImportTarget::Absolute => "absolute".to_string(),
            ImportTarget::OutsideArchive => "outside".to_string(),
            ImportTarget::Local { display, .. } => display.clone(),
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            "standard",
            "standard",
            "pkg/Definitions/types.yaml",
            "pkg/common/df.yaml",
            "pkg/Definitions/flavours/big.yaml",
            "remote",
            "remote",
            "absolute"
        ]
    );
    assert_eq!(got[3].line, 5);
}

#[test]
fn paths_normalise_without_touching_the_disk() {
    assert_eq!(
        normalise(Path::new("a/./b/../c.yaml")),
        PathBuf::from("a/c.yaml")
    );
    assert_eq!(
        normalise(Path::new("../x/../../y")),
        PathBuf::from("../../y")
    );
}

#[test]
fn shifted_lines_keep_derived_values_unlocated() {
    let mut d = doc("a:\n  b: 1\n");
    d.insert("derived", Node::int(1, 0));
    shift(&mut d, 10);
    assert_eq!(d.at("a.b").map(|n| n.line), Some(12));
    assert_eq!(d.get("derived").map(|n| n.line), Some(0));
}

#[test]
fn derived_types_are_followed_and_loops_stop() {
    let d = doc("node_types:
  my.Vdu: { derived_from: vendor.Vdu }
  vendor.Vdu: { derived_from: tosca.nodes.nfv.Vdu.Compute }
  loop.A: { derived_from: loop.B }
  loop.B: { derived_from: loop.A }
");
    let types = TypeIndex::new(std::iter::once(&d));
    assert_eq!(types.kind("my.Vdu"), NodeKind::Vdu);
    assert_eq!(types.kind("loop.A"), NodeKind::Other);
    assert!(types.derives("my.Vdu", "tosca.nodes.nfv.Vdu.Compute"));
}

#[test]
fn files_that_are_part_of_no_vnf_come_back_from_link_with_their_reason() {
    let header = "tosca_definitions_version: tosca_simple_yaml_1_3\n";
    let types = format!("{header}node_types:\n  ex.Vnf:\n    derived_from: tosca.nodes.nfv.VNF\n");
    let top = format!(
        "{header}imports: [types.yaml]\ntopology_template:\n  node_templates:\n    vnf: {{type: ex.Vnf}}\n"
    );
    let ctx = crate::ingest::IngestContext::default();
    let mut objects = Vec::new();
    for (name, text) in [
        ("pkg/types.yaml", &types),
        ("pkg/top.yaml", &top),
        ("other/lonely_types.yaml", &types),
    ] {
        let mut file = crate::source::SourceFile::from_text(name, text);
        file.explicit = false;
        let out = crate::ingest::ingest(&file, &ctx);
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        objects.extend(out.objects);
    }
    let (mut workloads, mut errors) = (Vec::new(), Vec::new());
    let skips: Vec<String> = super::link(&mut workloads, objects, &mut errors)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(workloads.is_empty() && errors.is_empty(), "{errors:?}");
    assert_eq!(
        skips,
        vec![
            "other/lonely_types.yaml: a VNF types/import file no descriptor in the scan imports (it defines TOSCA types only)",
            "pkg/top.yaml: a TOSCA file no descriptor in the scan imports, with no VNF deployment flavour (no tosca.nodes.nfv.Vdu.Compute node templates in it or its imports)",
            "pkg/types.yaml: a VNF types/import file imported only by TOSCA files that define no VNF deployment flavour",
        ]
    );
}
