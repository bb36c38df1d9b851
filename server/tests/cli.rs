//! The real `annals` binary on real files: exit codes, reports and figures.

use std::process::{Command, Output};

// The shared corpus of other tools' files, found as the formats crate's tests find it: the tests
// that read it say "skipped" on stderr and end when it is not there.
#[path = "../../formats/tests/common/corpus.rs"]
mod corpus;

/// A corpus file's path as an argument, or the end of the test (skipped, saying so).
macro_rules! corpus_path {
    ($relative:expr) => {
        match corpus::path($relative) {
            Some(path) => path.to_str().expect("a UTF-8 corpus path").to_owned(),
            None => return,
        }
    };
}

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
    assert!(stdout(&o).contains("ok: annals-json format, 93 records accepted, 0 rejected"), "{}", stdout(&o));
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
fn a_sqlite_file_and_a_postgresql_url_together_are_refused() {
    // Which store was meant is unknowable; the command must not pick one silently.
    for command in [&["export", "--stream", "r"][..], &["stats", "--stream", "r"], &["serve", "--no-seed"]] {
        let mut args = command.to_vec();
        args.extend(["--db", "some.db", "--store", "postgres://annals@127.0.0.1:1/none"]);
        let o = annals(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("--store") && err.contains("--db"), "{args:?}: {err}");
    }
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
    assert!(text.contains("51 events, 40 documents signed, 6 disputed"), "{text}");
    assert!(text.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["2024", "4", "1", "1", "5", "1", "3", "1", "8", "39"]), "{text}");
    let json = annals(&["stats", "--json", "data/azerbaijan-belarus.json"]);
    let view: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(view["by_kind"]["Visit"], 17);
    assert_eq!(view["actors"]["person"], 15);
}

#[test]
fn validate_reads_csv_and_timelinejs_files() {
    let o = annals(&["validate", "data/examples/events.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let text = stdout(&o);
    assert!(text.contains("ok: csv format, 9 records accepted, 0 rejected"), "{text}");
    assert!(
        text.contains("data/examples/events.csv:4: note: record 3, visitor: actor \"alexander-lukashenko\""),
        "{text}"
    );
    let o = annals(&["validate", "--json", "data/examples/events.csv"]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
    assert_eq!(report["notes"].as_array().map(Vec::len), Some(3), "three actors registered on the fly");
    assert_eq!(report["notes"][0]["field"], "visitor");
    assert_eq!(report["diagnostics"].as_array().map(Vec::len), Some(0));
    let eras = corpus_path!("timelinejs/eras.json");
    let o = annals(&["validate", "--json", &eras]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
    assert_eq!(report["format"], "timelinejs-json");
    assert_eq!(report["accepted"], 23, "20 slides and 3 eras");
    // Forced to read a TimelineJS file as CSV, it says what it expected.
    let o = annals(&["validate", "--format", "csv", &eras]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("is neither a TimelineJS sheet"), "{}", stdout(&o));
}

#[test]
fn validate_reads_gdelt_plover_and_historyatstate_files() {
    let gdelt = corpus_path!("gdelt/20150218230000.export.CSV");
    let plover = corpus_path!("plover/PLOVER_GSR_CAMEO.json");
    let visits = corpus_path!("historyatstate/visits-2020.xml");
    let travels = corpus_path!("historyatstate/secretary-travels-clinton.xml");
    // GDELT 2.0: every row accepted; merged visit rows and rows that cannot be visits are notes.
    let o = annals(&["validate", "--json", &gdelt]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
    assert_eq!(report["format"], "gdelt");
    assert_eq!((report["rejected"].as_u64(), report["diagnostics"].as_array().map(Vec::len)), (Some(0), Some(0)));
    assert_eq!(report["notes"].as_array().map(Vec::len), Some(2));
    // PLOVER gold records: two refused records (exit 1) and the placeholder-date note.
    let o = annals(&["validate", &plover]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let text = stdout(&o);
    assert!(text.contains("note: date: every record is dated 2000-01-01"), "{text}");
    assert!(text.contains(":116: error: record 8, target: found \"diplomatic\""), "{text}");
    // HistoryAtState, detected by the root element and forced by name.
    for args in
        [&["validate", "--json", &visits][..], &["validate", "--json", "--format", "historyatstate-xml", &travels][..]]
    {
        let o = annals(args);
        assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
        assert_eq!((report["format"].as_str(), report["rejected"].as_u64()), (Some("historyatstate-xml"), Some(0)));
    }
}

/// The store commands on a real SQLite file in a temporary directory.
mod store_commands {
    use super::*;

    fn annals_in(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
        use std::io::Write;
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut child = Command::new(env!("CARGO_BIN_EXE_annals"))
            .args(args)
            .env("ANNALS_DB", dir.join("annals.db"))
            .current_dir(root)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run annals");
        if let Some(text) = stdin {
            child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("write stdin");
        }
        drop(child.stdin.take());
        child.wait_with_output().expect("wait")
    }

    fn export_lines(dir: &std::path::Path, stream: &str) -> Vec<serde_json::Value> {
        let o = annals_in(dir, &["export", "--stream", stream], None);
        String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).expect("envelope")).collect()
    }

    #[test]
    fn import_is_all_or_nothing_unless_asked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let refused = annals_in(dir.path(), &["import", "data/examples/invalid.ndjson", "--stream", "mine"], None);
        assert_eq!(refused.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&refused.stderr).contains("nothing was imported"));
        assert_eq!(
            annals_in(dir.path(), &["export", "--stream", "mine"], None).status.code(),
            Some(1),
            "nothing written"
        );
        let kept = annals_in(
            dir.path(),
            &["import", "data/examples/invalid.ndjson", "--stream", "mine", "--keep-valid"],
            None,
        );
        assert_eq!(kept.status.code(), Some(1), "rejected records still make it exit 1");
        assert_eq!(export_lines(dir.path(), "mine").len(), 3);
    }

    #[test]
    fn import_export_and_append_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let o = annals_in(dir.path(), &["import", "data/azerbaijan-belarus.json", "--stream", "az-by"], None);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        let again = annals_in(dir.path(), &["import", "data/azerbaijan-belarus.json", "--stream", "az-by"], None);
        assert_eq!(again.status.code(), Some(0));
        assert!(stdout(&again).contains("already there"), "{}", stdout(&again));
        let lines = export_lines(dir.path(), "az-by");
        assert_eq!(lines.len(), 93);
        assert_eq!(lines[0]["position"], 1);
        // A new event naming actors the stream already holds, from stdin, at the right version.
        let call = r#"{"id":"2025-call","type":"Call","payload":{"occurred":"2025","title":"A call","actors":[{"actor":"aliyev"},{"actor":"lukashenko"}],"sources":[{"publisher":"P","title":"T"}]}}"#;
        let stale = annals_in(dir.path(), &["append", "--stream", "az-by", "--expected-version", "92"], Some(call));
        assert_eq!(stale.status.code(), Some(1));
        let ok = annals_in(dir.path(), &["append", "--stream", "az-by", "--expected-version", "93"], Some(call));
        assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
        assert!(stdout(&ok).contains("appended at position 94"), "{}", stdout(&ok));
        // The document export reads back as a clean file of the same records.
        let doc = annals_in(dir.path(), &["export", "--stream", "az-by", "--format", "annals-json"], None);
        let path = dir.path().join("export.json");
        std::fs::write(&path, &doc.stdout).expect("write");
        let check = annals_in(dir.path(), &["validate", path.to_str().expect("utf-8 path")], None);
        assert!(stdout(&check).contains("94 records accepted, 0 rejected"), "{}", stdout(&check));
        let stats = annals_in(dir.path(), &["stats", "--stream", "az-by", "--json"], None);
        let view: serde_json::Value = serde_json::from_slice(&stats.stdout).expect("stats json");
        assert_eq!(view["events"], 52, "the default record plus the appended call");
        assert_eq!(annals_in(dir.path(), &["stats", "--stream", "nobody"], None).status.code(), Some(2));
        assert_eq!(annals_in(dir.path(), &["stats"], None).status.code(), Some(2), "a FILE or --stream is required");
        let bad = annals_in(dir.path(), &["append", "--stream", "az-by"], Some("{\"id\": 1}"));
        assert_eq!(bad.status.code(), Some(1));
        assert_eq!(export_lines(dir.path(), "az-by").len(), 94, "a refused append writes nothing");
    }

    #[test]
    fn export_writes_every_format_from_the_current_record() {
        let eras = corpus_path!("timelinejs/eras.json");
        let dir = tempfile::tempdir().expect("tempdir");
        let o = annals_in(dir.path(), &["import", &eras, "--stream", "eras"], None);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        // The ids of slides without a unique_id are derived, the same every time: importing
        // the file again is idempotent.
        let again = annals_in(dir.path(), &["import", &eras, "--stream", "eras"], None);
        assert_eq!(again.status.code(), Some(0), "{}", String::from_utf8_lossy(&again.stderr));
        assert!(stdout(&again).contains("already there: 23 records"), "{}", stdout(&again));
        let export = |format: &str| annals_in(dir.path(), &["export", "--stream", "eras", "--format", format], None);
        // TimelineJS back out: the slides and the eras where they were.
        let tl = export("timelinejs-json");
        assert_eq!(tl.status.code(), Some(0));
        let json: serde_json::Value = serde_json::from_slice(&tl.stdout).expect("timelinejs json");
        assert_eq!(json["events"].as_array().map(Vec::len), Some(20));
        assert_eq!(json["eras"].as_array().map(Vec::len), Some(3));
        // The CSV template and TimelineJS JSON read back clean.
        for (format, name) in [("csv", "eras.csv"), ("timelinejs-json", "eras-again.json")] {
            let out = export(format);
            let path = dir.path().join(name);
            std::fs::write(&path, &out.stdout).expect("write");
            let check = annals_in(dir.path(), &["validate", path.to_str().expect("utf-8 path")], None);
            assert!(stdout(&check).contains("23 records accepted, 0 rejected"), "{format}: {}", stdout(&check));
        }
        let ics = export("ics");
        assert_eq!(ics.status.code(), Some(0));
        let text = stdout(&ics);
        assert_eq!(text.matches("BEGIN:VEVENT\r\n").count(), 23);
        assert!(text.contains("UID:0602-last-great-roman-persian-war@eras\r\n"), "{text}");
        // No place in a TimelineJS file has coordinates: every event is left out, and said so.
        let geo = export("geojson");
        assert_eq!(geo.status.code(), Some(0));
        let json: serde_json::Value = serde_json::from_slice(&geo.stdout).expect("geojson");
        assert_eq!(json["features"].as_array().map(Vec::len), Some(0));
        assert_eq!(json["left_out"], 23);
        assert!(String::from_utf8_lossy(&geo.stderr).contains("23 events left out"));
        assert_eq!(export("xml").status.code(), Some(2));
    }

    #[test]
    fn export_in_a_language_writes_its_titles() {
        let dir = tempfile::tempdir().expect("tempdir");
        let o = annals_in(dir.path(), &["import", "data/azerbaijan-belarus.json", "--stream", "az-by"], None);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        let export = |args: &[&str]| {
            let mut all = vec!["export", "--stream", "az-by"];
            all.extend_from_slice(args);
            annals_in(dir.path(), &all, None)
        };
        let tl = export(&["--format", "timelinejs-json", "--lang", "az"]);
        assert_eq!(tl.status.code(), Some(0), "{}", String::from_utf8_lossy(&tl.stderr));
        assert!(stdout(&tl).contains("\"headline\": \"Aleksandr Lukaşenkonun Azərbaycana dövlət səfəri\""));
        let ics = stdout(&export(&["--format", "ics", "--lang", "ru-BY"])).replace("\r\n ", "");
        assert!(ics.contains("SUMMARY;LANGUAGE=ru:Установлены дипломатические отношения\r\n"), "{ics}");
        let csv = stdout(&export(&["--format", "csv", "--lang", "ru"]));
        assert!(csv.lines().next().is_some_and(|h| h.contains(",title@ru,") && !h.contains("@az")));
        let bad = export(&["--format", "ics", "--lang", "russian"]);
        assert_eq!(bad.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&bad.stderr).contains("\"russian\" is not a known language tag"));
    }
}

/// A reader that stops reading (`annals stats FILE | head -1`) ends every command quietly,
/// as it ends `cat` or `grep`: no panic, no message, status 141 (128 + SIGPIPE).
mod closed_pipe {
    use std::process::{Command, Output, Stdio};

    /// Runs annals (database `db`) with standard output a pipe whose reading end is closed
    /// before annals starts, so its first write to it fails (closing it only after the spawn
    /// raced with a fast command, which could write before the close).
    fn with_stdout_closed(db: &std::path::Path, args: &[&str]) -> Output {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        Command::new(env!("CARGO_BIN_EXE_annals"))
            .args(args)
            .env("ANNALS_DB", db)
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .expect("run annals")
    }

    #[test]
    fn every_command_that_writes_to_stdout_stops_quietly_with_141() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("annals.db");
        let record = "data/azerbaijan-belarus.json";
        let one = dir.path().join("one.json");
        std::fs::write(
            &one,
            r#"{"id":"actor:arm","type":"ActorRegistered","payload":{"actor":"arm","kind":"country","names":{"en":"Armenia"},"iso3":"ARM"}}"#,
        )
        .expect("write");
        let one = one.to_str().expect("utf-8 path");
        let commands: [&[&str]; 8] = [
            &["stats", record],
            &["stats", "--json", record],
            &["validate", record],
            &["validate", "--json", record],
            &["import", record, "--stream", "r"],
            &["export", "--stream", "r"],
            &["stats", "--stream", "r"],
            &["append", one, "--stream", "r"],
        ];
        for args in commands {
            let o = with_stdout_closed(&db, args);
            let stderr = String::from_utf8_lossy(&o.stderr);
            let said: Vec<&str> = stderr.lines().filter(|l| !l.contains(" importing ")).collect();
            assert_eq!(o.status.code(), Some(141), "annals {}: {:?}, stderr: {stderr}", args.join(" "), o.status);
            assert!(said.is_empty(), "annals {} said: {stderr}", args.join(" "));
        }
    }
}

/// `annals serve` writes its log without colour codes when standard error is not a terminal.
#[test]
#[cfg(unix)]
fn the_serve_log_has_no_colour_codes_in_a_file() {
    let dir = tempfile::tempdir().expect("dir");
    let log = dir.path().join("serve.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(["serve", "--addr", "127.0.0.1:0", "--db", "annals.db", "--token", "t", "--no-seed"])
        .current_dir(dir.path())
        .env_remove("NO_COLOR")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("start annals serve");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let text = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("serving") || std::time::Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(text.contains("serving"), "the log says where it serves: {text}");
    assert!(text.contains("INFO"), "{text}");
    assert!(!text.contains("\x1b["), "colour codes in a log file: {text:?}");
}
