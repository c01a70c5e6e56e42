//! The rules of histories and of the checker, one test each (listed in
//! `docs/semantics.md`).

use sim_core::Time;
use sim_history::{
    check, jepsen, CasOp, CasRegister, Checker, Counter, CounterOp, History, HistoryError, KvMap,
    KvOp, Queue, QueueOp, Register, RegisterOp, Ret, Set, SetOp, Verdict,
};

type Reg = History<RegisterOp<i64>, Ret<i64>>;

fn t(us: u64) -> Time {
    Time::us(us)
}

/// write(1) by p0 [invoked, outcome], then a read by p1 returning `read`.
fn unknown_write_then_read(read: i64) -> Reg {
    let mut h = Reg::new();
    let w = h.invoke(0, RegisterOp::Write(1), t(1)).unwrap();
    h.info(w, t(2)).unwrap();
    let r = h.invoke(1, RegisterOp::Read, t(3)).unwrap();
    h.ok(r, Ret::Value(read), t(4)).unwrap();
    h
}

#[test]
fn info_operation_may_take_effect_after_its_invocation_or_never() {
    let model = Register::new(0);
    assert_eq!(
        check(&model, &unknown_write_then_read(1)),
        Verdict::Linearizable
    );
    assert_eq!(
        check(&model, &unknown_write_then_read(0)),
        Verdict::Linearizable
    );
    assert!(matches!(
        check(&model, &unknown_write_then_read(2)),
        Verdict::Violation(_)
    ));
    // ... but not before its invocation.
    let mut h = Reg::new();
    let r = h.invoke(1, RegisterOp::Read, t(1)).unwrap();
    h.ok(r, Ret::Value(1), t(2)).unwrap();
    let w = h.invoke(0, RegisterOp::Write(1), t(3)).unwrap();
    h.info(w, t(4)).unwrap();
    assert!(matches!(check(&model, &h), Verdict::Violation(_)));
}

#[test]
fn unknown_write_is_visible_to_reads_long_after_it_timed_out() {
    let mut h = unknown_write_then_read(0);
    let r = h.invoke(1, RegisterOp::Read, t(10)).unwrap();
    h.ok(r, Ret::Value(1), t(11)).unwrap();
    assert_eq!(check(&Register::new(0), &h), Verdict::Linearizable);
}

#[test]
fn failed_operation_never_happened() {
    let mut h = Reg::new();
    let w = h.invoke(0, RegisterOp::Write(1), t(1)).unwrap();
    h.fail(w, Ret::Ok, t(2)).unwrap();
    let r = h.invoke(1, RegisterOp::Read, t(3)).unwrap();
    h.ok(r, Ret::Value(1), t(4)).unwrap();
    assert!(matches!(
        check(&Register::new(0), &h),
        Verdict::Violation(_)
    ));
}

#[test]
fn pending_operation_at_the_end_counts_as_unknown() {
    let mut h = Reg::new();
    h.invoke(0, RegisterOp::Write(1), t(1)).unwrap();
    let r = h.invoke(1, RegisterOp::Read, t(2)).unwrap();
    h.ok(r, Ret::Value(1), t(3)).unwrap();
    assert_eq!(check(&Register::new(0), &h), Verdict::Linearizable);
}

#[test]
fn operation_completed_before_another_is_invoked_precedes_it() {
    let mut h = Reg::new();
    let w = h.invoke(0, RegisterOp::Write(1), t(1)).unwrap();
    h.ok(w, Ret::Ok, t(2)).unwrap();
    let r = h.invoke(1, RegisterOp::Read, t(3)).unwrap();
    h.ok(r, Ret::Value(0), t(4)).unwrap();
    assert!(matches!(
        check(&Register::new(0), &h),
        Verdict::Violation(_)
    ));
    // Overlapping, either order is allowed.
    let mut h = Reg::new();
    let w = h.invoke(0, RegisterOp::Write(1), t(1)).unwrap();
    let r = h.invoke(1, RegisterOp::Read, t(2)).unwrap();
    h.ok(r, Ret::Value(0), t(3)).unwrap();
    h.ok(w, Ret::Ok, t(4)).unwrap();
    assert_eq!(check(&Register::new(0), &h), Verdict::Linearizable);
}

#[test]
fn keyed_model_is_checked_key_by_key() {
    type Kv = History<KvOp<&'static str>, Ret<String>>;
    let mut h = Kv::new();
    let a = h.invoke(0, KvOp::Put("a", "1".into()), t(1)).unwrap();
    h.ok(a, Ret::Ok, t(2)).unwrap();
    let b = h.invoke(1, KvOp::Append("b", "x".into()), t(3)).unwrap();
    h.ok(b, Ret::Ok, t(4)).unwrap();
    let g = h.invoke(0, KvOp::Get("a"), t(5)).unwrap();
    h.ok(g, Ret::Value("1".into()), t(6)).unwrap();
    let g = h.invoke(1, KvOp::Get("b"), t(7)).unwrap();
    h.ok(g, Ret::Value("xx".into()), t(8)).unwrap();
    let Verdict::Violation(v) = check(&KvMap::new(), &h) else {
        panic!("b was appended once")
    };
    assert_eq!(v.partition.as_deref(), Some("\"b\""));
    assert!(v.ops.iter().all(|o| o.description.contains("\"b\"")), "{v}");
}

#[test]
fn step_budget_answers_unknown_and_reproducibly() {
    let mut h = Reg::new();
    for p in 0..12 {
        let w = h.invoke(p, RegisterOp::Write(p as i64), t(1)).unwrap();
        h.info(w, t(2)).unwrap();
    }
    let r = h.invoke(99, RegisterOp::Read, t(3)).unwrap();
    h.ok(r, Ret::Value(-1), t(4)).unwrap();
    let small = Checker::new().steps(50);
    let first = small.check(&Register::new(0), &h);
    assert!(matches!(first, Verdict::Unknown(_)), "{first}");
    assert_eq!(small.check(&Register::new(0), &h), first);
    assert!(matches!(
        check(&Register::new(0), &h),
        Verdict::Violation(_)
    ));
}

#[test]
fn violation_is_narrowed_to_the_conflicting_operations() {
    let mut h = Reg::new();
    // Noise: a writer and reader that agree.
    for i in 0..5 {
        let w = h.invoke(0, RegisterOp::Write(i), t(10 * i as u64)).unwrap();
        h.ok(w, Ret::Ok, t(10 * i as u64 + 1)).unwrap();
        let r = h.invoke(1, RegisterOp::Read, t(10 * i as u64 + 2)).unwrap();
        h.ok(r, Ret::Value(i), t(10 * i as u64 + 3)).unwrap();
    }
    // The conflict: 4 was overwritten by 7, then a read sees 4 again.
    let w = h.invoke(0, RegisterOp::Write(7), t(100)).unwrap();
    h.ok(w, Ret::Ok, t(101)).unwrap();
    let r = h.invoke(1, RegisterOp::Read, t(102)).unwrap();
    h.ok(r, Ret::Value(4), t(103)).unwrap();
    let last = r;
    for i in 0..3 {
        let w = h
            .invoke(0, RegisterOp::Write(20 + i), t(200 + i as u64))
            .unwrap();
        h.ok(w, Ret::Ok, t(201 + i as u64)).unwrap();
    }
    let Verdict::Violation(v) = check(&Register::new(0), &h) else {
        panic!()
    };
    assert_eq!(v.last, last);
    assert_eq!(v.prefix_events, 24, "{v}");
    let shown: Vec<&str> = v.ops.iter().map(|o| o.description.as_str()).collect();
    // write(4) stays: were its ack unknown, it could land after write(7).
    assert_eq!(
        shown,
        ["write(4) -> ok", "write(7) -> ok", "read() -> 4"],
        "{v}"
    );
    assert!(v.narrowed);
}

#[test]
fn recorder_refuses_a_second_completion_and_a_busy_process() {
    let mut h = Reg::new();
    let w = h.invoke(0, RegisterOp::Write(1), t(1)).unwrap();
    assert_eq!(
        h.invoke(0, RegisterOp::Read, t(2)),
        Err(HistoryError::ProcessBusy {
            process: 0,
            pending: w
        })
    );
    h.info(w, t(3)).unwrap();
    assert!(matches!(
        h.ok(w, Ret::Ok, t(4)),
        Err(HistoryError::AlreadyCompleted { .. })
    ));
    assert!(matches!(
        h.ok(sim_history::OpId(9), Ret::Ok, t(4)),
        Err(HistoryError::UnknownOp(_))
    ));
    // After an unknown outcome the process may go on.
    assert!(h.invoke(0, RegisterOp::Read, t(5)).is_ok());
}

#[test]
fn edn_export_reads_back_as_the_same_history() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/kv/c10-bad.txt"
    ))
    .unwrap();
    let h = jepsen::parse_kv(&text).unwrap();
    let again = jepsen::parse_kv(&h.to_edn()).unwrap();
    assert_eq!(again.ops().len(), h.ops().len());
    for (a, b) in h.ops().iter().zip(again.ops()) {
        assert_eq!(
            (a.process, &a.input, &a.status, a.call, a.ret),
            (b.process, &b.input, &b.status, b.call, b.ret)
        );
    }
    assert_eq!(check(&KvMap::new(), &again).word(), "false");
}

#[test]
fn jsonl_export_has_one_event_a_line() {
    let h = unknown_write_then_read(1);
    let text = h.to_jsonl().unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    let kinds: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["invoke", "info", "invoke", "ok"]);
    assert_eq!(lines[3]["value"], serde_json::json!({"Value": 1}));
}

#[test]
fn etcd_failed_cas_is_a_compare_that_returned_false() {
    let log = "INFO  jepsen.util - 0\t:invoke\t:cas\t[1 2]\n\
               INFO  jepsen.util - 0\t:fail\t:cas\t[1 2]\n";
    let h = jepsen::parse_etcd(log).unwrap();
    assert_eq!(h.ops()[0].status, sim_history::Status::Ok(Ret::Bool(false)));
    assert_eq!(check(&CasRegister::new(None), &h), Verdict::Linearizable);
    let log = "INFO  jepsen.util - 0\t:invoke\t:cas\t[nil 2]\n";
    assert!(jepsen::parse_etcd(log).is_err());
}

#[test]
fn malformed_lines_are_errors_with_their_line_number() {
    let err = jepsen::parse_kv("\n{:process 0, :type :invoke, :f :get, :key \"a\"").unwrap_err();
    assert_eq!(err.line, 2);
    let err = jepsen::parse_etcd("INFO  jepsen.util - 3\t:ok\t:read\t1\n").unwrap_err();
    assert!(err.message.contains("no pending operation"), "{err}");
    // Chatter is skipped.
    assert!(
        jepsen::parse_etcd("INFO  jepsen.core - start\nnot a line\n")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn built_in_models_accept_what_they_specify() {
    let mut h = History::new();
    let e = h.invoke(0, QueueOp::Enqueue(1), t(1)).unwrap();
    h.ok(e, Ret::Ok, t(2)).unwrap();
    let d = h.invoke(1, QueueOp::Dequeue, t(3)).unwrap();
    h.ok(d, Ret::Value(1), t(4)).unwrap();
    let d = h.invoke(1, QueueOp::Dequeue, t(5)).unwrap();
    h.ok(d, Ret::Empty, t(6)).unwrap();
    assert_eq!(check(&Queue::new(), &h), Verdict::Linearizable);

    let mut h = History::new();
    for v in [2, 1] {
        let a = h.invoke(v, SetOp::Add(v), t(v)).unwrap();
        h.ok(a, Ret::Ok, t(v + 10)).unwrap();
    }
    let r = h.invoke(5, SetOp::Read, t(20)).unwrap();
    h.ok(r, Ret::Values(vec![1, 2, 2]), t(21)).unwrap();
    assert_eq!(check(&Set::new(), &h), Verdict::Linearizable);

    let mut h = History::new();
    let a = h.invoke(0, CounterOp::Add(3), t(1)).unwrap();
    h.ok(a, Ret::Ok, t(2)).unwrap();
    let r = h.invoke(0, CounterOp::Read, t(3)).unwrap();
    h.ok(r, Ret::Value(4), t(4)).unwrap();
    assert!(matches!(check(&Counter, &h), Verdict::Violation(_)));

    let mut h = History::new();
    let c = h.invoke(0, CasOp::Cas(0, 1), t(1)).unwrap();
    h.ok(c, Ret::Bool(false), t(2)).unwrap();
    assert!(matches!(
        check(&CasRegister::new(0), &h),
        Verdict::Violation(_)
    ));
}
