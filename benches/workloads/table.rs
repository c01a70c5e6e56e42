//! One row per figure: printed as a table and written as JSON under target/.

use std::fmt::Write as _;

pub struct Row {
    pub workload: &'static str,
    pub figure: f64,
    pub unit: &'static str,
    pub note: String,
}

#[derive(Default)]
pub struct Table {
    pub rows: Vec<Row>,
}

impl Table {
    pub fn add(
        &mut self,
        workload: &'static str,
        figure: f64,
        unit: &'static str,
        note: impl Into<String>,
    ) {
        let note = note.into();
        println!("{workload:<34} {figure:>14.1} {unit:<14} {note}");
        self.rows.push(Row {
            workload,
            figure,
            unit,
            note,
        });
    }

    pub fn json(&self) -> String {
        let mut s = String::from("[\n");
        for (i, r) in self.rows.iter().enumerate() {
            let _ = writeln!(
                s,
                "  {{\"workload\": {:?}, \"figure\": {:.3}, \"unit\": {:?}, \"note\": {:?}}}{}",
                r.workload,
                r.figure,
                r.unit,
                r.note,
                if i + 1 < self.rows.len() { "," } else { "" }
            );
        }
        s.push(']');
        s.push('\n');
        s
    }
}
