//! Robustness probes: terms. Deep terms through a simulation and an
//! exploration, deep and malformed text through the parser, atoms past the
//! BEAM's limits, non-finite floats.

use crate::Probe;
use erpc_sim::core::term::{ParseError, MAX_ATOM_CHARS, MAX_DEPTH};
use erpc_sim::prelude::*;

/// The probes of this group.
pub fn probes() -> Vec<Probe> {
    vec![
        (
            "a_million_deep_message_is_sent_compared_printed_and_dropped",
            a_million_deep_message_is_sent_compared_printed_and_dropped,
        ),
        (
            "deep_messages_run_on_explorer_workers",
            deep_messages_run_on_explorer_workers,
        ),
        (
            "a_deep_exit_reason_still_gives_a_failure_report",
            a_deep_exit_reason_still_gives_a_failure_report,
        ),
        (
            "million_deep_text_is_refused_at_the_depth_limit",
            million_deep_text_is_refused_at_the_depth_limit,
        ),
        (
            "a_million_nested_list_tails_parse_as_one_list",
            a_million_nested_list_tails_parse_as_one_list,
        ),
        (
            "serde_refuses_terms_deeper_than_the_depth_limit",
            serde_refuses_terms_deeper_than_the_depth_limit,
        ),
        (
            "atom_names_over_255_characters_are_system_limit",
            atom_names_over_255_characters_are_system_limit,
        ),
        (
            "a_too_long_atom_in_a_process_is_a_crash_not_an_abort",
            a_too_long_atom_in_a_process_is_a_crash_not_an_abort,
        ),
        (
            "non_finite_floats_are_refused_where_terms_are_made",
            non_finite_floats_are_refused_where_terms_are_made,
        ),
        (
            "malformed_text_gets_an_error_with_an_offset",
            malformed_text_gets_an_error_with_an_offset,
        ),
    ]
}

const MILLION: usize = 1_000_000;

/// `{{...{leaf}...}}` with every other level a one-element list, `depth`
/// levels, built bottom-up.
fn deep(depth: usize, leaf: Term) -> Term {
    (0..depth).fold(leaf, |t, i| {
        if i % 2 == 0 {
            Term::Tuple(vec![t])
        } else {
            Term::List(vec![t])
        }
    })
}

fn ensure(ok: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(what())
    }
}

/// A program: `b` receives a deep message from `a`, compares it with its own
/// copy, prints it and returns its printed length.
fn deep_exchange(builder: SimBuilder, depth: usize) -> Sim {
    let mut sim = match builder.nodes(["a@sim", "b@sim"]).build() {
        Ok(sim) => sim,
        Err(e) => panic!("nodes: {e}"),
    };
    let receiver = sim.spawn("b@sim", move |cx| async move {
        let msg = cx.recv().await;
        cx.check(msg == deep(depth, Term::atom("leaf")), "equal")?;
        cx.check(msg < deep(depth, Term::atom("zzz")), "ordered")?;
        let text = msg.to_string();
        Term::try_from(text.len()).map_err(|_| Exception::error(Term::atom("size")))
    });
    let Ok(receiver) = receiver else {
        panic!("spawn the receiver");
    };
    let sender = sim.spawn("a@sim", move |cx| async move {
        cx.send(receiver, deep(depth, Term::atom("leaf"))).await?;
        Ok(Term::atom("sent"))
    });
    if sender.is_err() {
        panic!("spawn the sender");
    }
    sim
}

fn a_million_deep_message_is_sent_compared_printed_and_dropped() -> Result<(), String> {
    let report = deep_exchange(Sim::builder().trace(TraceMode::Full), MILLION).run();
    ensure(report.outcome.is_ok(), || format!("{}", report.outcome))?;
    // `{` or `[` and its closer per level, and the atom.
    let printed = Term::Int(2 * MILLION as i64 + "leaf".len() as i64);
    ensure(
        report
            .results
            .iter()
            .any(|(_, r)| r.as_ref() == Some(&Ok(printed.clone()))),
        || "the receiver did not print the whole message".into(),
    )?;
    // The full trace holds the message; its JSON export refuses it, clearly.
    let jsonl = erpc_sim::core::trace_to_jsonl(&report.trace);
    ensure(
        jsonl
            .as_ref()
            .is_err_and(|e| e.to_string().contains("nested deeper")),
        || "the trace export wrote a term deeper than MAX_DEPTH".into(),
    )
}

fn deep_messages_run_on_explorer_workers() -> Result<(), String> {
    // Worker threads have the default 2 MiB stack, which 20,000 levels of a
    // recursive clone or drop used to overflow.
    let run = Explorer::new("deep-messages")
        .iterations(2)
        .threads(2)
        .quiet(true)
        .write_files(false)
        .run(|b| deep_exchange(b, 200_000));
    ensure(run.failure.is_none(), || {
        format!("{:?}", run.failure.map(|f| f.outcome))
    })
}

fn a_deep_exit_reason_still_gives_a_failure_report() -> Result<(), String> {
    let run = Explorer::new("deep-reason")
        .iterations(1)
        .threads(1)
        .quiet(true)
        .shrink(false)
        .write_files(false)
        .run(|b| {
            let mut sim = match b.nodes(["a@sim"]).build() {
                Ok(sim) => sim,
                Err(e) => panic!("nodes: {e}"),
            };
            let spawned = sim.spawn("a@sim", |cx| async move {
                let reason = deep(100_000, Term::atom("why"));
                cx.check(false, format!("{:.20}", reason.to_string()))?;
                Err(Exception::exit(reason))
            });
            if spawned.is_err() {
                panic!("spawn");
            }
            sim
        });
    let failure = run.failure.ok_or("the failing run was not reported")?;
    ensure(failure.outcome.to_string().contains("{[{[{["), || {
        format!("unexpected outcome {}", failure.outcome)
    })
}

fn million_deep_text_is_refused_at_the_depth_limit() -> Result<(), String> {
    for (open, close) in [("[", "]"), ("{", "}"), ("#{a => ", "}")] {
        let text = open.repeat(MILLION) + "1" + &close.repeat(MILLION);
        match text.parse::<Term>() {
            Err(ParseError::TooDeep { offset }) if offset == MAX_DEPTH * open.len() => {}
            other => return Err(format!("{open}: {:.80}", format!("{other:?}"))),
        }
    }
    Ok(())
}

fn a_million_nested_list_tails_parse_as_one_list() -> Result<(), String> {
    let text = "[1,2|".repeat(MILLION / 2) + "[]" + &"]".repeat(MILLION / 2);
    let t: Term = text.parse().map_err(|e: ParseError| e.to_string())?;
    ensure(t.as_list().map(<[Term]>::len) == Some(MILLION), || {
        "not one flat list".into()
    })?;
    ensure(t.to_string().len() == 2 * MILLION + 1, || {
        "printed length".into()
    })
}

fn serde_refuses_terms_deeper_than_the_depth_limit() -> Result<(), String> {
    let t = deep(MILLION, Term::Int(0));
    match serde_json::to_string(&t) {
        Err(e) if e.to_string().contains("nested deeper") => {}
        other => return Err(format!("{:.80}", format!("{other:?}"))),
    }
    // What the reader meets is refused too (serde_json's recursion limit).
    let json = "{\"tuple\":[".repeat(10_000) + &"]}".repeat(10_000);
    ensure(serde_json::from_str::<Term>(&json).is_err(), || {
        "serde read 10,000 levels".into()
    })
}

fn atom_names_over_255_characters_are_system_limit() -> Result<(), String> {
    // OTP 25: list_to_atom/1 of 256 characters is system_limit, in characters
    // (256 times `é`) as in bytes, while 255 emoji make an atom.
    let long = "é".repeat(MAX_ATOM_CHARS + 1);
    ensure(
        matches!(
            Atom::try_new(&long),
            Err(erpc_sim::core::AtomError::TooLong { chars: 256 })
        ),
        || "try_new took a 256-character name".into(),
    )?;
    ensure(
        Atom::try_new(&"\u{1F600}".repeat(MAX_ATOM_CHARS)).is_ok(),
        || "try_new refused 255 characters".into(),
    )?;
    ensure(
        matches!(
            format!("'{long}'").parse::<Term>(),
            Err(ParseError::AtomTooLong { offset: 0 })
        ),
        || "the parser took a 256-character atom".into(),
    )?;
    let json = format!("{{\"atom\":\"{long}\"}}");
    ensure(serde_json::from_str::<Term>(&json).is_err(), || {
        "serde took a 256-character atom".into()
    })?;
    // In a process body, `?` raises error:system_limit, and so does
    // erlang:list_to_atom/1 (OTP 25), while 255 characters make an atom.
    let mut sim = Sim::builder()
        .nodes(["a@sim"])
        .build()
        .map_err(|e| e.to_string())?;
    sim.spawn("a@sim", |cx| async move {
        let apply = |n: usize| {
            let cx = cx.clone();
            async move {
                let name = Term::string(&"a".repeat(n));
                cx.apply(Atom::new("erlang"), Atom::new("list_to_atom"), vec![name])
                    .await
            }
        };
        let ok = apply(MAX_ATOM_CHARS).await?;
        cx.check(ok.as_atom().is_some(), "255 characters make an atom")?;
        match apply(MAX_ATOM_CHARS + 1).await {
            Err(e) if e.reason.is_atom("system_limit") => Ok(Term::atom("system_limit")),
            other => Ok(Term::atom(&format!("{:.100}", format!("{other:?}")))),
        }
    })
    .map_err(|e| e.to_string())?;
    let report = sim.run();
    ensure(
        report
            .results
            .iter()
            .any(|(_, r)| r.as_ref() == Some(&Ok(Term::atom("system_limit")))),
        || format!("list_to_atom: {:?}", report.results),
    )?;
    // In a process body, `?` raises error:system_limit.
    let mut sim = Sim::builder()
        .nodes(["a@sim"])
        .build()
        .map_err(|e| e.to_string())?;
    sim.spawn("a@sim", move |_| async move {
        let atom = Atom::try_new(&long)?;
        Ok(Term::Atom(atom))
    })
    .map_err(|e| e.to_string())?;
    let report = sim.run();
    ensure(
        report.results.iter().any(
            |(_, r)| matches!(r, Some(Err(reason)) if reason.to_string().contains("system_limit")),
        ),
        || format!("{:?}", report.results),
    )
}

fn a_too_long_atom_in_a_process_is_a_crash_not_an_abort() -> Result<(), String> {
    let mut sim = Sim::builder()
        .nodes(["a@sim"])
        .build()
        .map_err(|e| e.to_string())?;
    sim.spawn("a@sim", |_| async move {
        Ok(Term::Atom(Atom::new(&"x".repeat(300))))
    })
    .map_err(|e| e.to_string())?;
    let report = sim.run();
    ensure(
        matches!(&report.outcome, Outcome::Panicked { message, .. } if message.contains("system_limit")),
        || format!("{}", report.outcome),
    )
}

fn non_finite_floats_are_refused_where_terms_are_made() -> Result<(), String> {
    for f in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        ensure(Term::float(f).is_err(), || format!("Term::float({f})"))?;
        // Built by hand anyway, it neither prints as something that reads
        // back as another term nor serializes.
        let printed = Term::Float(f).to_string();
        ensure(
            matches!(
                printed.parse::<Term>(),
                Err(ParseError::NonFiniteFloat { .. })
            ),
            || format!("{printed} read back"),
        )?;
        ensure(serde_json::to_string(&Term::Float(f)).is_err(), || {
            format!("serde wrote {f}")
        })?;
    }
    ensure(
        matches!(
            "1.0e999".parse::<Term>(),
            Err(ParseError::FloatOverflow { offset: 0 })
        ),
        || "1.0e999 parsed".into(),
    )?;
    // erlang:'/' whose quotient overflows is badarith, as on OTP 25.
    let mut sim = Sim::builder()
        .nodes(["a@sim"])
        .build()
        .map_err(|e| e.to_string())?;
    sim.spawn("a@sim", |cx| async move {
        let args = vec![Term::Float(1.0e308), Term::Float(1.0e-308)];
        match cx.apply(Atom::new("erlang"), Atom::new("/"), args).await {
            Err(e) if e.reason.is_atom("badarith") => Ok(Term::atom("badarith")),
            other => Ok(Term::atom(&format!("{:.100}", format!("{other:?}")))),
        }
    })
    .map_err(|e| e.to_string())?;
    let report = sim.run();
    ensure(
        report
            .results
            .iter()
            .any(|(_, r)| r.as_ref() == Some(&Ok(Term::atom("badarith")))),
        || format!("{:?}", report.results),
    )
}

fn malformed_text_gets_an_error_with_an_offset() -> Result<(), String> {
    for (text, offset) in [
        ("[1|[2|[3]]", 10),
        ("{a,", 3),
        ("'\\x{110000}'", 1),
        ("<<256>>", 2),
        ("#Float<inf>", 0),
    ] {
        match text.parse::<Term>() {
            Err(e) if e.offset() == offset => {}
            other => return Err(format!("{text}: {other:?}")),
        }
    }
    Ok(())
}
