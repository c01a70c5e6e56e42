//! A failure's files: its replay file, its trace (JSON Lines) and its
//! picture, named after the exploration, the shard and the seeds.

use super::{paths, Explorer, Failure};
use crate::trace::trace_to_jsonl;

impl Explorer {
    pub(super) fn write_artifacts(&self, failure: &mut Failure, shard: Option<(u64, u64)>) {
        let mut stem = paths::file_stem(&self.name);
        if let Some((k, n)) = shard {
            stem.push_str(&format!("-shard{k}of{n}"));
        }
        stem.push_str(&format!("-seed{}", failure.seed));
        if failure.seed != failure.schedule_seed {
            stem.push_str(&format!("-schedule{}", failure.schedule_seed));
        }
        let dir = match &self.out_dir {
            Some(d) => paths::absolute(d),
            None => paths::default_out_dir(),
        };
        let replay_path = dir.join(format!("{stem}.json"));
        match failure.replay.write(&replay_path) {
            Ok(()) => failure.replay_path = Some(replay_path),
            Err(e) => eprintln!("erpc-sim: {e}"),
        }
        match trace_to_jsonl(&failure.report.trace) {
            Ok(text) => {
                let p = dir.join(format!("{stem}.trace.jsonl"));
                match std::fs::write(&p, text) {
                    Ok(()) => failure.trace_path = Some(p),
                    Err(e) => eprintln!("erpc-sim: trace not written to {}: {e}", p.display()),
                }
            }
            // The replay file still reproduces the run; say why there is no trace.
            Err(e) => eprintln!("erpc-sim: trace not written: {e}"),
        }
        let title = format!(
            "{} (seed {}): {}",
            self.name, failure.seed, failure.report.outcome
        );
        let html = crate::render::sequence_diagram_html(&failure.report.trace, &title);
        let p = dir.join(format!("{stem}.html"));
        if std::fs::write(&p, html).is_ok() {
            failure.picture_path = Some(p);
        }
    }
}
