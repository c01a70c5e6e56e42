//! What an exploration is called, which seeds it runs (shards), where its
//! files go and what it prints.

use sim_core::{ExploreError, Explorer, Sim, SimBuilder, Term};

/// Fails on every seed divisible by 5 (the data seed decides).
fn fails_on_fives(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        cx.check(cx.random(5) != 0, "drew a zero")?;
        Ok(Term::atom("ok"))
    })
    .expect("a@sim");
    sim
}

fn lowest_failing(range: std::ops::Range<u64>, pred: impl Fn(u64) -> bool) -> Option<u64> {
    let ex = Explorer::new("probe")
        .threads(1)
        .write_files(false)
        .quiet(true);
    range.filter(|&s| pred(s)).find(|&s| {
        let r = ex.clone().seeds(s..s + 1).shrink(false).run(fails_on_fives);
        r.failure.is_some()
    })
}

#[test]
fn an_exploration_for_a_test_is_named_after_the_test() {
    let name = Explorer::for_test().name().to_string();
    assert!(
        name.ends_with("an_exploration_for_a_test_is_named_after_the_test"),
        "{name}"
    );
    assert_eq!(Explorer::default().name(), name);
    // Another thread, unnamed: the fixed fallback.
    let other = std::thread::spawn(|| Explorer::for_test().name().to_string())
        .join()
        .expect("joins");
    assert_eq!(other, "explore");
}

#[test]
fn each_shard_runs_its_seeds_and_reports_its_own_lowest_failure() {
    let dir = std::env::temp_dir().join(format!("erpc-sim-shards-{}", std::process::id()));
    let n = 3;
    for k in 0..n {
        let ex = Explorer::new("sharded")
            .seeds(0..60)
            .shard(k, n)
            .threads(2)
            .out_dir(&dir)
            .quiet(true);
        let r = ex.run(fails_on_fives);
        assert_eq!(r.shard, Some((k, n)));
        let want = lowest_failing(0..60, |s| s % n == k).expect("a failing seed per shard");
        let f = r.failure.expect("each shard fails");
        assert_eq!(f.seed, want, "shard {k}");
        assert_eq!(f.seed % n, k, "seed s belongs to shard s mod n");
        assert_eq!(
            r.runs,
            (want - k) / n + 1,
            "shard {k} ran its seeds up to {want}"
        );
        let path = f.replay_path.expect("written");
        let file = path.file_name().and_then(|s| s.to_str()).unwrap_or("");
        assert!(
            file.starts_with(&format!("sharded-shard{k}of{n}-seed{want}")),
            "{file}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_shard_that_does_not_exist_is_an_error() {
    for (k, n) in [(3, 3), (0, 0), (7, 2)] {
        let err = Explorer::new("bad")
            .shard(k, n)
            .quiet(true)
            .try_run(fails_on_fives)
            .expect_err("no such shard");
        assert!(
            matches!(err, ExploreError::BadShard { index, count } if (index, count) == (k, n)),
            "{err}"
        );
    }
}

#[test]
fn shards_together_run_every_seed_once() {
    let runs: u64 = (0..4)
        .map(|k| {
            Explorer::new("all")
                .seeds(3..50)
                .shard(k, 4)
                .quiet(true)
                .run(|b| {
                    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
                    sim.spawn("a@sim", |_| async move { Ok(Term::Int(1)) })
                        .expect("a@sim");
                    sim
                })
                .runs
        })
        .sum();
    assert_eq!(runs, 47);
}

#[test]
fn written_paths_are_absolute_even_for_a_relative_out_dir() {
    let rel = format!("target/erpc-sim-relative-{}", std::process::id());
    let r = Explorer::new("relative")
        .seeds(0..30)
        .threads(1)
        .out_dir(&rel)
        .quiet(true)
        .run(fails_on_fives);
    let f = r.failure.expect("fails");
    let _ = std::fs::remove_dir_all(&rel);
    for p in [&f.replay_path, &f.trace_path, &f.picture_path] {
        let p = p.as_ref().expect("written");
        assert!(p.is_absolute(), "{}", p.display());
    }
}

#[test]
fn a_printed_report_is_not_repeated_by_assert_ok() {
    let r = Explorer::new("printed_once")
        .seeds(0..30)
        .threads(1)
        .write_files(false)
        .quiet(true)
        .run(fails_on_fives);
    let full = r.to_string();
    let panic_text = |e: &sim_core::Exploration| {
        let e = e.clone();
        let p = std::panic::catch_unwind(move || e.assert_ok()).expect_err("fails");
        p.downcast_ref::<String>().cloned().unwrap_or_default()
    };
    assert_eq!(panic_text(&r), full, "not printed: the whole report");
    let mut printed = r.clone();
    printed.printed = true;
    let short = panic_text(&printed);
    assert!(
        short.contains("printed above") && !short.contains("last events"),
        "{short}"
    );
    assert!(short.lines().count() <= 2, "{short}");
}
