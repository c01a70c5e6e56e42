//! The environment variables that steer an exploration from the command line
//! (replay a file, rerun one seed, change the iteration count, run one shard),
//! read once per exploration and parsed by functions that tests call directly.

use super::error::ExploreError;

/// The environment variable that reruns one seed of an exploration:
/// `ERPC_SIM_SEED=17 cargo test my_test` runs only seed 17 (the run's data
/// seed, or its schedule seed under [`crate::Explorer::data_seed`]).
pub const SEED_ENV: &str = "ERPC_SIM_SEED";

/// The environment variable that overrides an exploration's iteration count:
/// `ERPC_SIM_ITERATIONS=100000` runs seeds `start..start + 100000`.
pub const ITERATIONS_ENV: &str = "ERPC_SIM_ITERATIONS";

/// The environment variable that runs one shard of an exploration's seeds:
/// `ERPC_SIM_SHARD=k/n` (see [`crate::Explorer::shard`]).
pub const SHARD_ENV: &str = "ERPC_SIM_SHARD";

/// The raw values of the variables, as the process environment has them
/// (an empty value counts as unset).
#[derive(Clone, Debug, Default)]
pub(crate) struct Env {
    pub(crate) replay: Option<String>,
    pub(crate) seed: Option<String>,
    pub(crate) iterations: Option<String>,
    pub(crate) shard: Option<String>,
}

impl Env {
    pub(crate) fn from_process() -> Env {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Env {
            replay: var(super::REPLAY_ENV),
            seed: var(SEED_ENV),
            iterations: var(ITERATIONS_ENV),
            shard: var(SHARD_ENV),
        }
    }
}

fn bad(var: &'static str, value: &str, expected: &'static str) -> ExploreError {
    ExploreError::BadEnv {
        var,
        value: value.to_string(),
        expected,
    }
}

/// Parses an [`SEED_ENV`] value: a seed (a `u64`).
pub(crate) fn parse_seed(value: &str) -> Result<u64, ExploreError> {
    value
        .trim()
        .parse()
        .map_err(|_| bad(SEED_ENV, value, "a seed, an integer from 0 to 2^64-1"))
}

/// Parses an [`ITERATIONS_ENV`] value: a count of at least 1.
pub(crate) fn parse_iterations(value: &str) -> Result<u64, ExploreError> {
    match value.trim().parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(bad(
            ITERATIONS_ENV,
            value,
            "an iteration count, an integer of at least 1",
        )),
    }
}

/// Checks a shard: `count >= 1` and `index < count`.
pub(crate) fn check_shard(index: u64, count: u64) -> Result<(u64, u64), ExploreError> {
    if count == 0 || index >= count {
        return Err(ExploreError::BadShard { index, count });
    }
    Ok((index, count))
}

/// Parses a [`SHARD_ENV`] value: `k/n` with `0 <= k < n`.
pub(crate) fn parse_shard(value: &str) -> Result<(u64, u64), ExploreError> {
    let expected = "k/n: shard k of n, with 0 <= k < n (e.g. 0/4)";
    let (k, n) = value
        .trim()
        .split_once('/')
        .ok_or_else(|| bad(SHARD_ENV, value, expected))?;
    let k = k
        .trim()
        .parse()
        .map_err(|_| bad(SHARD_ENV, value, expected))?;
    let n = n
        .trim()
        .parse()
        .map_err(|_| bad(SHARD_ENV, value, expected))?;
    check_shard(k, n).map_err(|_| bad(SHARD_ENV, value, expected))
}

/// The seeds of `seeds` that belong to shard `k` of `n` (`s mod n == k`):
/// the first one and how many there are.
pub(crate) fn shard_seeds(seeds: &std::ops::Range<u64>, (k, n): (u64, u64)) -> (u64, u64) {
    let r = seeds.start % n;
    let offset = if k >= r { k - r } else { n - r + k };
    match seeds.start.checked_add(offset) {
        Some(first) if first < seeds.end => (first, (seeds.end - 1 - first) / n + 1),
        _ => (seeds.end, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Sim, SimBuilder};
    use crate::term::Term;
    use crate::Explorer;

    /// Fails exactly on data seed 7.
    fn seven(b: SimBuilder) -> Sim {
        let mut sim = b.nodes(["a@sim"]).build().expect("one node");
        let seed = sim.seed();
        sim.spawn("a@sim", move |cx| async move {
            cx.check(seed != 7, "seed 7")?;
            Ok(Term::Int(1))
        })
        .expect("a@sim");
        sim
    }

    fn quiet() -> Explorer {
        Explorer::new("env")
            .threads(1)
            .write_files(false)
            .quiet(true)
    }

    fn with(f: impl FnOnce(&mut Env)) -> Env {
        let mut env = Env::default();
        f(&mut env);
        env
    }

    #[test]
    fn the_environment_reruns_a_seed_resizes_and_shards_an_exploration() {
        let ex = quiet().iterations(5);
        let seed = ex
            .try_run_env(&with(|e| e.seed = Some("7".into())), &seven)
            .expect("a valid seed");
        assert_eq!(seed.runs, 1);
        assert_eq!(
            seed.failure.map(|f| f.seed),
            Some(7),
            "seed 7 only, outside 0..5"
        );
        let more = ex
            .try_run_env(&with(|e| e.iterations = Some("12".into())), &seven)
            .expect("a valid count");
        assert_eq!((more.runs, more.failure.map(|f| f.seed)), (8, Some(7)));
        // The variable wins over the builder's shard.
        let shard = quiet()
            .iterations(30)
            .shard(0, 3)
            .try_run_env(&with(|e| e.shard = Some("1/3".into())), &seven)
            .expect("a valid shard");
        assert_eq!(shard.shard, Some((1, 3)));
        assert_eq!((shard.runs, shard.failure.map(|f| f.seed)), (3, Some(7)));
        for bad in [
            with(|e| e.seed = Some("seven".into())),
            with(|e| e.iterations = Some("0".into())),
            with(|e| e.shard = Some("3/3".into())),
        ] {
            let err = ex.try_run_env(&bad, &seven).expect_err("refused");
            assert!(matches!(err, ExploreError::BadEnv { .. }), "{err}");
        }
    }

    #[test]
    fn seeds_and_iterations_parse_or_say_what_they_expect() {
        assert_eq!(parse_seed("17").unwrap(), 17);
        assert_eq!(parse_seed(" 18446744073709551615 ").unwrap(), u64::MAX);
        for bad in ["", "-1", "x", "1.5", "18446744073709551616"] {
            let e = parse_seed(bad).unwrap_err();
            assert!(e.to_string().contains(SEED_ENV), "{e}");
        }
        assert_eq!(parse_iterations("100000").unwrap(), 100_000);
        for bad in ["0", "", "ten", "-3"] {
            let e = parse_iterations(bad).unwrap_err();
            assert!(
                matches!(
                    e,
                    ExploreError::BadEnv {
                        var: ITERATIONS_ENV,
                        ..
                    }
                ),
                "{e}"
            );
        }
    }

    #[test]
    fn a_shard_is_k_of_n_with_k_below_n() {
        assert_eq!(parse_shard("0/4").unwrap(), (0, 4));
        assert_eq!(parse_shard(" 3 / 4 ").unwrap(), (3, 4));
        for bad in ["4/4", "1/0", "0", "a/b", "1/2/3", "-1/2", ""] {
            let e = parse_shard(bad).unwrap_err();
            assert!(
                matches!(e, ExploreError::BadEnv { var: SHARD_ENV, .. }),
                "{bad}: {e}"
            );
        }
        assert!(matches!(
            check_shard(2, 2),
            Err(ExploreError::BadShard { index: 2, count: 2 })
        ));
    }

    #[test]
    fn shards_split_the_seed_range_by_seed_mod_n() {
        let range = 5..23;
        let mut seen = Vec::new();
        for k in 0..4 {
            let (first, count) = shard_seeds(&range, (k, 4));
            let mine: Vec<u64> = (0..count).map(|i| first + i * 4).collect();
            assert!(mine.iter().all(|s| s % 4 == k && range.contains(s)));
            seen.extend(mine);
        }
        seen.sort_unstable();
        assert_eq!(
            seen,
            range.collect::<Vec<_>>(),
            "every seed in exactly one shard"
        );
        assert_eq!(shard_seeds(&(0..2), (3, 4)), (2, 0), "an empty shard");
        let top = u64::MAX - 3..u64::MAX;
        let (first, count) = shard_seeds(&top, (0, 2));
        assert_eq!((first, count), (u64::MAX - 3, 2));
    }
}
