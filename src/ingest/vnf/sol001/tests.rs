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
