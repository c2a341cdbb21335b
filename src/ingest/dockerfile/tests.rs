//! Reading Dockerfiles into the document and facts rules see.

use super::*;

fn load(name: &str, text: &str) -> Workload {
    match read(&SourceFile::from_text(name, text)) {
        Ok(w) => w,
        Err(e) => panic!("{e}"),
    }
}

#[test]
#[ignore = "prints the document of DOCKERFILE (a path) for rule authors"]
fn dump() {
    let path = std::env::var("DOCKERFILE").unwrap_or_default();
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let w = load(&path, &text);
    let out = serde_json::json!({"name": w.name, "line": w.line, "doc": w.doc.to_json(), "facts": w.facts.to_json(), "notes": w.notes});
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
}
