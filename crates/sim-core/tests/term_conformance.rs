//! Terms printed by a real OTP 25 node parse and print back byte for byte.
//!
//! `tests/conformance/otp25.jsonl` (at the workspace root) holds one JSON
//! object per line whose `observed` and `mailbox_after` fields are
//! `io_lib:format("~p")` output captured from OTP 25.

use sim_core::Term;
use std::path::PathBuf;

fn corpus() -> (PathBuf, String) {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance/otp25.jsonl");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    (path, text)
}

#[test]
fn otp25_observations_round_trip_exactly() {
    let (path, text) = corpus();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let record: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{}:{}: bad JSON: {e}", path.display(), n + 1));
        let id = record["id"].as_str().unwrap_or("?");
        for field in ["observed", "mailbox_after"] {
            let Some(erl) = record[field].as_str() else {
                failures.push(format!("line {} ({id}): no string field `{field}`", n + 1));
                continue;
            };
            match erl.parse::<Term>() {
                Ok(term) => {
                    let printed = term.to_string();
                    if printed != erl {
                        failures.push(format!(
                            "line {} ({id}) {field}:\n  otp:  {erl}\n  ours: {printed}",
                            n + 1
                        ));
                    }
                    // The text also survives a JSON round trip of the term.
                    let json = serde_json::to_string(&term).unwrap_or_default();
                    match serde_json::from_str::<Term>(&json) {
                        Ok(back) if back == term => {}
                        other => failures.push(format!(
                            "line {} ({id}) {field}: JSON round trip gave {other:?}",
                            n + 1
                        )),
                    }
                }
                Err(e) => failures.push(format!("line {} ({id}) {field}: {e}\n  {erl}", n + 1)),
            }
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(checked, 400, "expected 200 records with two terms each");
}
