//! A seeded fuzzer for the term parser and printer.
//!
//! Each case is one of: a random term, printed and parsed back; that text
//! mutated (bytes cut, repeated, swapped for term punctuation or non-ASCII
//! characters, truncated); or random characters. The invariants:
//!
//! - nothing panics, and no input hangs (each case is bounded in size);
//! - a printed term parses back equal, and prints back identically;
//! - whatever parses, prints to text that parses back to the same term;
//! - an error carries a byte offset inside the input, on a character boundary.
//!
//! CI runs ten thousand cases (a few seconds in a debug build). For a long
//! run set `ERPC_SIM_FUZZ_CASES` (e.g. `ERPC_SIM_FUZZ_CASES=1000000`), and
//! `ERPC_SIM_FUZZ_SEED` to start from another seed; a failure names the seed
//! and case that reproduce it.

use sim_core::term::MAX_DEPTH;
use sim_core::{Pid, Ref, Term};

const DEFAULT_CASES: u64 = 10_000;

/// SplitMix64: a tiny deterministic generator, so a case is a pure function
/// of its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

const ATOM_NAMES: &[&str] = &[
    "ok",
    "EXIT",
    "",
    "end",
    "maybe",
    "a b",
    "don't",
    "é",
    "ß_x@1",
    "\u{1F600}",
    "\\",
    "\n",
    "_x",
    "1a",
    "÷",
];

const CHARS: &[char] = &[
    'a',
    'Z',
    '0',
    '9',
    ' ',
    '\n',
    '\t',
    '\'',
    '"',
    '\\',
    '$',
    'é',
    'ÿ',
    '\u{0}',
    '\u{7f}',
    '\u{a0}',
    '\u{100}',
    '\u{1F600}',
    '\u{10FFFF}',
];

fn random_string(rng: &mut Rng, max: usize) -> String {
    (0..rng.below(max + 1)).map(|_| *rng.pick(CHARS)).collect()
}

fn random_float(rng: &mut Rng) -> f64 {
    match rng.below(3) {
        0 => *rng.pick(&[0.0, -0.0, 1.0, 0.1, 1.0e3, 1.0e16, 1.0e-5, 5e-324, f64::MAX]),
        1 => (rng.below(2001) as f64 - 1000.0) / 8.0,
        _ => {
            let f = f64::from_bits(rng.next());
            if f.is_finite() {
                f
            } else {
                1.5
            }
        }
    }
}

fn random_leaf(rng: &mut Rng) -> Term {
    match rng.below(10) {
        0 => Term::Int(rng.next() as i64),
        1 => Term::Int(rng.below(600) as i64 - 300),
        2 => Term::Float(random_float(rng)),
        3 => Term::atom(rng.pick::<&str>(ATOM_NAMES)),
        4 => Term::atom(&random_string(rng, 6)),
        5 => Term::from(Pid::new(
            rng.below(4) as u32,
            rng.next() as u32,
            rng.next() as u32,
        )),
        6 => Term::from(Ref::new(
            rng.next() as u32,
            [rng.next() as u32, rng.next() as u32, rng.next() as u32],
        )),
        7 => Term::Binary((0..rng.below(6)).map(|_| rng.next() as u8).collect()),
        8 => Term::string(&random_string(rng, 6)),
        _ => Term::nil(),
    }
}

fn random_term(rng: &mut Rng, depth: usize) -> Term {
    if depth == 0 || rng.below(3) == 0 {
        return random_leaf(rng);
    }
    let n = rng.below(4);
    let elems =
        |rng: &mut Rng| -> Vec<Term> { (0..n).map(|_| random_term(rng, depth - 1)).collect() };
    match rng.below(4) {
        0 => Term::Tuple(elems(rng)),
        1 => Term::List(elems(rng)),
        2 => {
            let tail = random_term(rng, depth - 1);
            Term::improper_list(elems(rng), tail)
        }
        _ => Term::map((0..n).map(|_| (random_term(rng, depth - 1), random_term(rng, depth - 1)))),
    }
}

/// A term: usually small and varied, now and then nested to the parser's limit.
fn case_term(rng: &mut Rng) -> Term {
    if rng.below(100) == 0 {
        // One level short of the limit: the leaf may be `[]`, a level too.
        let depth = MAX_DEPTH - 1 - rng.below(8);
        let leaf = random_leaf(rng);
        return (0..depth).fold(leaf, |t, i| match i % 3 {
            0 => Term::Tuple(vec![t]),
            1 => Term::List(vec![Term::Int(1), t]),
            _ => Term::map([(Term::Int(0), t)]),
        });
    }
    random_term(rng, 5)
}

const PUNCTUATION: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    "#{",
    "=>",
    ",",
    "|",
    "<<",
    ">>",
    "<",
    ">",
    ".",
    "'",
    "\"",
    "$",
    "\\",
    "-",
    "+",
    "e",
    "#Ref<",
    "#Float<",
    "\\x{",
    " ",
    "9999999999999999999999",
    "1.0e999",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..=rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(6) {
            0 if !chars.is_empty() => {
                let end = (at + rng.below(8)).min(chars.len());
                chars.drain(at.min(end)..end);
            }
            1 => {
                let token: Vec<char> = rng.pick(PUNCTUATION).chars().collect();
                chars.splice(at..at, token);
            }
            2 => chars.insert(at, *rng.pick(CHARS)),
            3 if !chars.is_empty() => {
                let start = at.min(chars.len() - 1);
                let end = (start + 1 + rng.below(12)).min(chars.len());
                let copy: Vec<char> = chars[start..end].to_vec();
                chars.splice(start..start, copy);
            }
            4 => chars.truncate(at),
            _ if at < chars.len() => chars[at] = *rng.pick(CHARS),
            _ => {}
        }
    }
    chars.into_iter().collect()
}

/// The invariants for any input; `Err` says which broke.
fn check_input(input: &str) -> Result<(), String> {
    match input.parse::<Term>() {
        Ok(t) => {
            let printed = t.to_string();
            match printed.parse::<Term>() {
                Ok(back) if back == t && back.to_string() == printed => Ok(()),
                other => Err(format!(
                    "parsed as {printed}, which reads back as {other:?}"
                )),
            }
        }
        Err(e) => {
            let at = e.offset();
            if at <= input.len() && input.is_char_boundary(at) {
                Ok(())
            } else {
                Err(format!(
                    "error offset {at} outside the input or a character: {e}"
                ))
            }
        }
    }
}

fn check_term(t: &Term) -> Result<String, String> {
    let printed = t.to_string();
    match printed.parse::<Term>() {
        Ok(back) if &back == t && back.to_string() == printed => Ok(printed),
        other => Err(format!("{printed} reads back as {other:?}")),
    }
}

fn run_case(seed: u64) -> Result<(), (String, String)> {
    let mut rng = Rng(seed);
    let term = case_term(&mut rng);
    let printed = check_term(&term).map_err(|why| (term.to_string(), why))?;
    for _ in 0..3 {
        let input = match rng.below(5) {
            0 => random_string(&mut rng, 24),
            _ => mutate(&mut rng, &printed),
        };
        check_input(&input).map_err(|why| (input, why))?;
    }
    Ok(())
}

#[test]
fn the_parser_and_printer_survive_random_and_mutated_input() {
    let cases = env_u64("ERPC_SIM_FUZZ_CASES", DEFAULT_CASES);
    let first = env_u64("ERPC_SIM_FUZZ_SEED", 0);
    for seed in first..first.saturating_add(cases) {
        let outcome = std::panic::catch_unwind(|| run_case(seed));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err((input, why))) => {
                panic!("ERPC_SIM_FUZZ_SEED={seed} ERPC_SIM_FUZZ_CASES=1: {why}\ninput: {input:?}")
            }
            Err(_) => panic!("ERPC_SIM_FUZZ_SEED={seed} ERPC_SIM_FUZZ_CASES=1: panicked"),
        }
    }
}

#[test]
fn the_fuzzer_is_deterministic_and_mutates() {
    // The same seed gives the same case; mutation changes the text.
    let text = |seed| case_term(&mut Rng(seed)).to_string();
    assert_eq!(text(7), text(7));
    let printed = "{ok,[1,2|t],#{a => <<\"b\">>}}";
    let mut rng = Rng(1);
    let changed = (0..20)
        .filter(|_| mutate(&mut rng, printed) != printed)
        .count();
    assert!(
        changed > 10,
        "only {changed} of 20 mutations changed the text"
    );
}
