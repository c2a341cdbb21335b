use super::*;
use crate::model::Workload;
use crate::node::Node;

#[test]
fn a_panic_while_assessing_names_the_workload_and_its_file() {
    let w = Workload {
        name: "db-01".into(),
        file: Arc::from("estate/vms.yaml"),
        line: 12,
        ..ingest::vmspec::VmSpec::workload_from_doc(
            Node::map(12),
            "db-01".into(),
            &Arc::from("estate/vms.yaml"),
            &IngestContext::default(),
            &mut Vec::new(),
        )
    };
    let err = assess_guarded(w, |_| panic!("a bug")).err();
    assert_eq!(
        err,
        Some(ScanError {
            file: "estate/vms.yaml".into(),
            line: Some(12),
            message: "internal error while assessing `db-01` (a bug in fitscan, please report it with the file)".into(),
            rule: "input-error",
        })
    );
}
