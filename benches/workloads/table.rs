//! One row per figure: printed as a table and written as JSON under target/;
//! the figures `xtask` reads, as tab-separated lines.

use std::fmt::Write as _;

pub struct Row {
    pub workload: &'static str,
    pub figure: f64,
    pub unit: &'static str,
    pub note: String,
}

/// One figure `xtask` merges into `workloads.json`: workload id, field
/// (`ns_per_op`, `bytes_per_op`, `ratio`, `value`), value, unit of one op.
pub struct Figure {
    pub id: &'static str,
    pub field: &'static str,
    pub value: f64,
    pub unit: &'static str,
}

#[derive(Default)]
pub struct Table {
    pub rows: Vec<Row>,
    pub figures: Vec<Figure>,
    quiet: bool,
}

impl Table {
    /// A table that prints no rows as they come (the `--size` mode).
    pub fn quiet() -> Table {
        Table {
            quiet: true,
            ..Table::default()
        }
    }

    pub fn add(
        &mut self,
        workload: &'static str,
        figure: f64,
        unit: &'static str,
        note: impl Into<String>,
    ) {
        let note = note.into();
        if !self.quiet {
            println!("{workload:<34} {figure:>14.1} {unit:<14} {note}");
        }
        self.rows.push(Row {
            workload,
            figure,
            unit,
            note,
        });
    }

    /// Records a figure for `xtask`.
    pub fn fig(&mut self, id: &'static str, field: &'static str, value: f64, unit: &'static str) {
        self.figures.push(Figure {
            id,
            field,
            value,
            unit,
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

    /// The figures, one `id\tfield\tvalue\tunit` line each.
    pub fn tsv(&self) -> String {
        let mut s = String::new();
        for f in &self.figures {
            let _ = writeln!(s, "{}\t{}\t{:.4}\t{}", f.id, f.field, f.value, f.unit);
        }
        s
    }
}
