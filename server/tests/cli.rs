//! The real `annals` binary on real files: exit codes, reports and figures.

use std::process::{Command, Output};

fn annals(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("run annals")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn validate_accepts_the_default_record() {
    let o = annals(&["validate", "data/azerbaijan-belarus.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("ok: annals-json format, 79 record(s) accepted, 0 rejected"), "{}", stdout(&o));
}

#[test]
fn validate_reports_every_problem_with_line_and_field() {
    let o = annals(&["validate", "data/examples/invalid.ndjson"]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    let errors: Vec<&str> = text.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(errors.len(), 5, "{text}");
    assert!(
        errors[0].starts_with("data/examples/invalid.ndjson:7: error: record 4, payload.sources:"),
        "{}",
        errors[0]
    );
    assert!(
        errors[2].contains(":11: error: record 6, payload.occurred: day 30 does not exist in 2024-02"),
        "{}",
        errors[2]
    );
}

#[test]
fn validate_json_has_the_documented_shape() {
    let o = annals(&["validate", "--json", "data/examples/invalid.ndjson"]);
    assert_eq!(o.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
    assert_eq!(report["format"], "annals-ndjson");
    assert_eq!(report["accepted"], 3);
    assert_eq!(report["rejected"], 5);
    let first = &report["diagnostics"][0];
    assert_eq!((first["line"].as_u64(), first["record"].as_u64()), (Some(7), Some(4)));
    assert_eq!(first["field"], "payload.sources");
    assert!(first["message"].as_str().is_some_and(|m| m.contains("at least one source")));
}

#[test]
fn unreadable_files_and_bad_arguments_exit_2() {
    let o = annals(&["validate", "data/no-such-file.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("data/no-such-file.json: cannot read the file"));
    assert_eq!(annals(&["validate", "--format", "xml", "data/azerbaijan-belarus.json"]).status.code(), Some(2));
    assert_eq!(annals(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn forcing_the_wrong_format_reports_instead_of_crashing() {
    let o = annals(&["validate", "--format", "annals-ndjson", "data/azerbaijan-belarus.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("rejected"));
}

#[test]
fn stats_prints_the_figures_of_the_default_record() {
    let o = annals(&["stats", "data/azerbaijan-belarus.json"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(text.contains("42 events, 29 documents signed, 2 disputed"), "{text}");
    assert!(text.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["2024", "4", "1", "1", "5", "1", "3", "1", "9", "29"]), "{text}");
    let json = annals(&["stats", "--json", "data/azerbaijan-belarus.json"]);
    let view: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(view["by_kind"]["Visit"], 12);
    assert_eq!(view["actors"]["person"], 14);
}
