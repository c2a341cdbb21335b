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

/// A vInfo CSV that no other file of the scan can join is assessed batch by batch while it
/// is read: its reports and errors are those of the same rows waiting for the joins (as
/// `assess_sources` reads them), and with a tab of its export beside it, it is joined.
#[test]
fn an_inventory_assessed_as_read_reports_what_it_did_waiting() {
    let dir = std::env::temp_dir().join(format!("fitscan-early-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("{}: {e}", dir.display());
    }
    let mut info = String::from(
        "VM,Powerstate,Template,CPUs,Memory,Provisioned MiB,In Use MiB,OS according to the configuration file,VM UUID\n",
    );
    let oses = [
        "Red Hat Enterprise Linux 6 (64-bit)",
        "Microsoft Windows Server 2019 (64-bit)",
    ];
    for i in 0..600 {
        let cpus = if i % 50 == 7 {
            "many".to_string()
        } else {
            (2 + i % 6).to_string()
        };
        let template = if i % 90 == 3 { "True" } else { "False" };
        let power = if i % 11 == 0 {
            "poweredOff"
        } else {
            "poweredOn"
        };
        info.push_str(&format!(
            "vm{i:04},{power},{template},{cpus},{},{},{},{},uuid-{i}\n",
            4096 * (1 + i % 4),
            40960 + i,
            10240 + i,
            oses[i % 2]
        ));
    }
    let partition = "VM,Disk,Capacity MiB,Consumed MiB,VM UUID\nvm0001,C:\\,40960,40000,uuid-1\n";
    let info_path = dir.join("RVTools_tabvInfo.csv");
    let partition_path = dir.join("RVTools_tabvPartition.csv");
    let opts = ScanOptions::default();
    let rules = match crate::rules::loader::load(true, &[]) {
        Ok(r) => r,
        Err(e) => panic!("the embedded rules load: {e}"),
    };
    let json = |r: &Report| {
        (
            serde_json::to_string(&r.workloads).unwrap_or_default(),
            r.errors.clone(),
        )
    };
    for tabs in [
        vec![(&info_path, info.as_str())],
        vec![(&info_path, info.as_str()), (&partition_path, partition)],
    ] {
        let _ = std::fs::remove_file(&partition_path);
        for (path, text) in &tabs {
            if let Err(e) = std::fs::write(path, text) {
                panic!("{}: {e}", path.display());
            }
        }
        let scanned = match scan(std::slice::from_ref(&dir), &opts) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        let sources: Vec<SourceFile> = tabs
            .iter()
            .map(|(path, text)| SourceFile::from_text(&path.display().to_string(), text))
            .collect();
        let waited = assess_sources(&sources, &rules, &opts);
        assert_eq!(scanned.workloads.len(), 600 - 7);
        assert_eq!(json(&scanned), json(&waited), "{} file(s)", tabs.len());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
