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

/// `rules::eval::fires` is `eval`'s verdict without the located values: held equal for the
/// condition and the `applies` of every default rule, on every workload of `samples/` (read
/// and sized as a scan does before its rules run).
#[test]
fn fires_agrees_with_eval_on_every_default_rule_and_sample() {
    use crate::rules::eval::{eval, fires};
    use crate::rules::path::Roots;
    fn files_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                files_under(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let rules = match crate::rules::loader::load(true, &[]) {
        Ok(r) => r,
        Err(e) => panic!("the embedded rules load: {e}"),
    };
    let mut files = Vec::new();
    files_under(std::path::Path::new("samples"), &mut files);
    files.sort();
    let mut checked = 0;
    for path in files {
        // Workbooks and archives are not text: their workloads are VM rows and descriptors
        // the text files have too.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let file = SourceFile::from_text(&path.display().to_string(), &text);
        for mut w in ingest::ingest(&file, &IngestContext::default()).workloads {
            ingest::common_facts::insert(&mut w);
            let _ = crate::sizing::size(&mut w, &Default::default(), None);
            let roots = Roots {
                doc: &w.doc,
                facts: &w.facts,
            };
            for rule in rules.rules.iter().filter(|r| r.target == w.target) {
                for cond in std::iter::once(&rule.when).chain(rule.applies.as_ref()) {
                    assert_eq!(
                        fires(cond, roots, None),
                        eval(cond, roots, None).0,
                        "{} on {} ({})",
                        rule.id,
                        w.name,
                        path.display()
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 2_000, "only {checked} conditions were checked");
}
