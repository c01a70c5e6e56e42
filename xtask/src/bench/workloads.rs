//! `target/bench/workloads.json`: the workload figures, with instruction counts.
//!
//! The wall-clock figures come from the `workloads` bench's own run (the
//! `workload-figures.tsv` it writes). The instruction counts come from running
//! the bench binary under callgrind, one workload at a time, at two sizes:
//! `(Ir(large) - Ir(small)) / (large - small)` is the cost of one more
//! operation, with the set-up (the process, the allocator, building the
//! simulation) cancelled out. Instruction counts do not depend on the machine's
//! load, so they compare across runs where nanoseconds on a shared machine do
//! not.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, output};

/// One workload as the instruction count runs it: the bench binary's id, the
/// unit of one operation, and the two sizes (operations) it is run at.
struct Spec {
    id: &'static str,
    unit: &'static str,
    small: u64,
    large: u64,
}

/// Every workload, in the file's order. Sizes keep each callgrind run to a
/// few seconds; W7's million queued messages are set-up and cancel.
const SPECS: &[Spec] = &[
    spec("w1", "msg", 20_000, 120_000),
    spec("w2", "spawn", 5_000, 30_000),
    spec("w3", "hop", 20_000, 120_000),
    spec("w4", "call", 2_000, 12_000),
    spec("w5", "call", 2_000, 12_000),
    spec("w6", "process", 5_000, 30_000),
    spec("w7", "call", 2_000, 12_000),
    spec("w8", "schedule", 10, 60),
];

const fn spec(id: &'static str, unit: &'static str, small: u64, large: u64) -> Spec {
    Spec {
        id,
        unit,
        small,
        large,
    }
}

/// The entry that is a plain value rather than a cost per operation.
const SCHEDULE_BYTES: &str = "schedule_bytes_per_step";

/// One entry of `workloads.json`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub(crate) id: String,
    pub(crate) ns_per_op: Option<f64>,
    pub(crate) ir_per_op: Option<f64>,
    pub(crate) unit: String,
    /// Further figures of this workload (`bytes_per_op`, `ratio`, `value`).
    pub(crate) extra: Vec<(String, Option<f64>)>,
}

/// A figure line of the bench binary: `id\tfield\tvalue\tunit`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Figure {
    pub(crate) id: String,
    pub(crate) field: String,
    pub(crate) value: f64,
    pub(crate) unit: String,
}

/// Parses the bench binary's figure lines; other lines are skipped.
pub(crate) fn parse_figures(text: &str) -> Vec<Figure> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.split('\t');
            let (id, field, value, unit) =
                (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() {
                return None;
            }
            Some(Figure {
                id: id.to_owned(),
                field: field.to_owned(),
                value: value.parse().ok()?,
                unit: unit.to_owned(),
            })
        })
        .collect()
}

/// Instructions per operation between two runs `(size, Ir)`: the set-up both
/// runs share cancels.
pub(crate) fn differential(small: (u64, u64), large: (u64, u64)) -> Result<f64, String> {
    let ((s0, ir0), (s1, ir1)) = (small, large);
    if s1 <= s0 {
        return Err(format!(
            "sizes must grow: {s0} then {s1} operations give no difference"
        ));
    }
    if ir1 < ir0 {
        return Err(format!(
            "{s1} operations took fewer instructions ({ir1}) than {s0} ({ir0})"
        ));
    }
    Ok((ir1 - ir0) as f64 / (s1 - s0) as f64)
}

/// The total instruction count of a callgrind output file: its `totals:` line,
/// or the `summary:` line of older versions.
pub(crate) fn callgrind_total(text: &str) -> Option<u64> {
    let line = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
    };
    line("totals:").or_else(|| line("summary:"))
}

/// The path of the bench target `name` in cargo's `--message-format=json` lines.
pub(crate) fn executable(json_lines: &str, name: &str) -> Option<PathBuf> {
    let target = format!("\"name\":\"{name}\"");
    json_lines
        .lines()
        .filter(|l| l.contains("\"reason\":\"compiler-artifact\"") && l.contains(&target))
        .find_map(|l| {
            let rest = l.split("\"executable\":\"").nth(1)?;
            let path = rest.split('"').next()?;
            Some(PathBuf::from(path.replace("\\\\", "\\")))
        })
}

fn number(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => {
            let s = format!("{x:.3}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            s.to_owned()
        }
        _ => "null".to_owned(),
    }
}

fn string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `{"workloads": [...]}`, one entry per line.
pub(crate) fn to_json(entries: &[Entry]) -> String {
    let mut s = String::from("{\"workloads\": [\n");
    for (i, e) in entries.iter().enumerate() {
        let _ = write!(
            s,
            "  {{\"id\": {}, \"ns_per_op\": {}, \"ir_per_op\": {}, \"unit\": {}",
            string(&e.id),
            number(e.ns_per_op),
            number(e.ir_per_op),
            string(&e.unit)
        );
        for (k, v) in &e.extra {
            let _ = write!(s, ", {}: {}", string(k), number(*v));
        }
        s.push('}');
        if i + 1 < entries.len() {
            s.push(',');
        }
        s.push('\n');
    }
    s.push_str("]}\n");
    s
}

/// The entries from the wall-clock figures (none with `--instructions`) and the
/// instruction counts per workload id (`None`: not measured).
pub(crate) fn entries(figures: &[Figure], ir: &[(&str, Option<f64>)]) -> Vec<Entry> {
    let get = |id: &str, field: &str| {
        figures
            .iter()
            .find(|f| f.id == id && f.field == field)
            .map(|f| f.value)
    };
    let ir_of = |id: &str| ir.iter().find(|(i, _)| *i == id).and_then(|(_, v)| *v);
    let mut out: Vec<Entry> = SPECS
        .iter()
        .map(|s| {
            let mut extra = Vec::new();
            if s.id == "w6" {
                extra.push(("bytes_per_op".to_owned(), get("w6", "bytes_per_op")));
            }
            if s.id == "w7" {
                extra.push(("ratio".to_owned(), get("w7", "ratio")));
                let ratio = match (ir_of("w7"), ir_of("w5")) {
                    (Some(full), Some(empty)) if empty > 0.0 => Some(full / empty),
                    _ => None,
                };
                extra.push(("ir_ratio".to_owned(), ratio));
            }
            Entry {
                id: s.id.to_owned(),
                ns_per_op: get(s.id, "ns_per_op"),
                ir_per_op: ir_of(s.id),
                unit: s.unit.to_owned(),
                extra,
            }
        })
        .collect();
    out.push(Entry {
        id: SCHEDULE_BYTES.to_owned(),
        ns_per_op: None,
        ir_per_op: None,
        unit: "byte/step".to_owned(),
        extra: ["value", "bytes", "heap_bytes", "messages"]
            .into_iter()
            .map(|field| (field.to_owned(), get(SCHEDULE_BYTES, field)))
            .collect(),
    });
    out
}

/// Whether `program` is an executable file on `PATH`.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Runs `bin id --size n` under callgrind; its total instructions and the
/// figure lines it printed.
fn callgrind(bin: &Path, out_dir: &Path, id: &str, n: u64) -> Result<(u64, Vec<Figure>), String> {
    let out_file = out_dir.join(format!("callgrind.{id}.{n}.out"));
    let shown = format!(
        "valgrind --tool=callgrind {} {id} --size {n}",
        bin.display()
    );
    let out = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg(bin)
        .args([id, "--size", &n.to_string()])
        .output()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`{shown}` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = fs::read_to_string(&out_file)
        .map_err(|e| format!("cannot read {}: {e}", out_file.display()))?;
    let total = callgrind_total(&text)
        .ok_or_else(|| format!("no totals line in {}", out_file.display()))?;
    Ok((total, parse_figures(&String::from_utf8_lossy(&out.stdout))))
}

/// Builds the bench binary and counts instructions per operation of every
/// workload; `None` for all when valgrind is not on `PATH`. Figure lines the
/// runs print (bytes, schedule size: deterministic, so valid under callgrind)
/// are added to `figures` where the wall-clock run did not give them.
fn instructions(
    out_dir: &Path,
    figures: &mut Vec<Figure>,
) -> Result<Vec<(&'static str, Option<f64>)>, String> {
    if !on_path("valgrind") {
        println!("bench: valgrind is not on PATH; ir_per_op stays null");
        return Ok(SPECS.iter().map(|s| (s.id, None)).collect());
    }
    let json = output(cargo().args([
        "bench",
        "-p",
        "erpc-sim",
        "--bench",
        "workloads",
        "--no-run",
        "--message-format=json",
    ]))?;
    let bin = executable(&json, "workloads")
        .ok_or("cargo named no executable for the `workloads` bench")?;
    let mut ir = Vec::new();
    for s in SPECS {
        let (ir0, _) = callgrind(&bin, out_dir, s.id, s.small)?;
        let (ir1, printed) = callgrind(&bin, out_dir, s.id, s.large)?;
        let per_op = differential((s.small, ir0), (s.large, ir1))?;
        println!("bench: {} {per_op:>12.1} Ir/{}", s.id, s.unit);
        for f in printed {
            let known = figures.iter().any(|g| g.id == f.id && g.field == f.field);
            if f.field != "ns_per_op" && !known {
                figures.push(f);
            }
        }
        ir.push((s.id, Some(per_op)));
    }
    Ok(ir)
}

/// Writes `dir/workloads.json`: the wall-clock figures of the bench's last run
/// unless `instructions_only`, and the instruction counts.
pub(crate) fn write(dir: &Path, instructions_only: bool) -> Result<PathBuf, String> {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let tsv = dir.join("workload-figures.tsv");
    let mut figures = if instructions_only {
        Vec::new()
    } else {
        let text = fs::read_to_string(&tsv)
            .map_err(|e| format!("cannot read {} (the bench's figures): {e}", tsv.display()))?;
        parse_figures(&text)
    };
    let ir = instructions(dir, &mut figures)?;
    let path = dir.join("workloads.json");
    fs::write(&path, to_json(&entries(&figures, &ir)))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differential_cancels_the_shared_set_up() {
        // 1,000 Ir of set-up plus 7 Ir per operation.
        let run = |n: u64| (n, 1_000 + 7 * n);
        assert_eq!(differential(run(10), run(110)), Ok(7.0));
        assert_eq!(differential((2, 100), (6, 102)), Ok(0.5));
    }

    #[test]
    fn differential_refuses_sizes_that_do_not_grow_or_counts_that_shrink() {
        assert!(differential((10, 5), (10, 9)).is_err());
        assert!(differential((20, 5), (10, 9)).is_err());
        assert!(differential((10, 9), (20, 5)).is_err());
    }

    #[test]
    fn reads_the_totals_line_then_the_summary_line() {
        let text = "events: Ir\nsummary: 41768293\nfn=main\n1 2\ntotals: 41768293\n";
        assert_eq!(callgrind_total(text), Some(41_768_293));
        assert_eq!(callgrind_total("events: Ir\nsummary: 12\n"), Some(12));
        assert_eq!(callgrind_total("events: Ir\n"), None);
    }

    #[test]
    fn parses_figure_lines_and_skips_the_rest() {
        let text = "w1\tns_per_op\t512.5\tmsg\nwrote x\nw6\tbytes_per_op\tnope\tprocess\n";
        assert_eq!(
            parse_figures(text),
            vec![Figure {
                id: "w1".into(),
                field: "ns_per_op".into(),
                value: 512.5,
                unit: "msg".into(),
            }]
        );
    }

    #[test]
    fn finds_the_bench_executable_in_cargo_messages() {
        let json = concat!(
            r#"{"reason":"compiler-artifact","target":{"name":"sim_core"},"executable":null}"#,
            "\n",
            r#"{"reason":"compiler-artifact","target":{"kind":["bench"],"name":"workloads"},"#,
            r#""executable":"/t/release/deps/workloads-1a"}"#,
            "\n",
            r#"{"reason":"build-finished","success":true}"#,
        );
        assert_eq!(
            executable(json, "workloads"),
            Some(PathBuf::from("/t/release/deps/workloads-1a"))
        );
        assert_eq!(executable(json, "erpc"), None);
    }

    #[test]
    fn writes_every_workload_in_order_with_nulls_for_what_is_missing() {
        let figures = parse_figures(
            "w1\tns_per_op\t100.25\tmsg\nw6\tbytes_per_op\t900\tprocess\n\
             w7\tratio\t1.5\tcall\nschedule_bytes_per_step\tvalue\t0.334\tbyte/step\n\
             schedule_bytes_per_step\tbytes\t5000001\tbyte\n\
             schedule_bytes_per_step\tmessages\t10000000\tmsg\n",
        );
        let ir = [
            ("w1", Some(2066.9)),
            ("w5", Some(100.0)),
            ("w7", Some(110.0)),
        ];
        let json = to_json(&entries(&figures, &ir));
        let lines: Vec<&str> = json.lines().collect();
        assert_eq!(lines.len(), 11, "{json}");
        assert_eq!(lines[0], "{\"workloads\": [");
        assert_eq!(
            lines[1],
            "  {\"id\": \"w1\", \"ns_per_op\": 100.25, \"ir_per_op\": 2066.9, \"unit\": \"msg\"},"
        );
        assert_eq!(
            lines[2],
            "  {\"id\": \"w2\", \"ns_per_op\": null, \"ir_per_op\": null, \"unit\": \"spawn\"},"
        );
        assert!(lines[6].ends_with("\"unit\": \"process\", \"bytes_per_op\": 900},"));
        assert!(lines[7].ends_with("\"ratio\": 1.5, \"ir_ratio\": 1.1},"));
        assert_eq!(
            lines[9],
            "  {\"id\": \"schedule_bytes_per_step\", \"ns_per_op\": null, \"ir_per_op\": null, \
             \"unit\": \"byte/step\", \"value\": 0.334, \"bytes\": 5000001, \
             \"heap_bytes\": null, \"messages\": 10000000}"
        );
        assert_eq!(lines[10], "]}");
        let ids: Vec<&str> = SPECS.iter().map(|s| s.id).collect();
        assert_eq!(ids, ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"]);
    }

    #[test]
    fn json_strings_are_escaped_and_non_finite_numbers_are_null() {
        let e = Entry {
            id: "a\"b\\c\n".into(),
            ns_per_op: Some(f64::NAN),
            ir_per_op: Some(f64::INFINITY),
            unit: "u".into(),
            extra: vec![],
        };
        assert_eq!(
            to_json(&[e]),
            "{\"workloads\": [\n  {\"id\": \"a\\\"b\\\\c\\u000a\", \"ns_per_op\": null, \
             \"ir_per_op\": null, \"unit\": \"u\"}\n]}\n"
        );
    }
}
