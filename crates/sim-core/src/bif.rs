//! The built-in code every node starts with: module `erlang` (the process BIFs
//! applied with terms: spawning, links, monitors, exit signals, registration,
//! timers and pids, plus the BIFs remote calls commonly use) and module `timer`,
//! each checking its arguments and answering as OTP 25 does (`true`, a reference,
//! `badarg`).
//!
//! sim-core has no fun terms, so no term is a fun: the fun forms of the spawn
//! BIFs (`spawn/1,2`, `spawn_link/1,2`, `spawn_monitor/1,2`, `spawn_opt/2,3`)
//! raise the `badarg` OTP raises for a non-fun; a closure is spawned through
//! the typed [`Cx::spawn`] family instead.

use crate::code::{CodeTable, Module};
use crate::cx::{Cx, Target};
use crate::exception::{Exception, Frame, FrameArgs};
use crate::id::Pid;
use crate::signal::{SpawnOpts, SpawnReply};
use crate::term::{Atom, Term};

fn arg(args: &[Term], i: usize) -> Term {
    args.get(i).cloned().unwrap_or(Term::List(Vec::new()))
}

fn truth() -> Term {
    Term::from(true)
}

/// `Args` of an MFA: a proper list, else `None`.
fn arg_list(t: Term) -> Option<Vec<Term>> {
    t.into_list().ok()
}

/// The options of `spawn_opt` OTP accepts (`link`, `monitor` and the tuning
/// tuples, which the simulator ignores): whether `link` and `monitor` were
/// given, or `None` for anything else.
fn spawn_options(t: &Term) -> Option<SpawnOpts> {
    let Term::List(opts) = t else { return None };
    let (mut link, mut monitor) = (false, false);
    for o in opts {
        match o {
            Term::Atom(a) if a.as_str() == "link" => link = true,
            Term::Atom(a) if a.as_str() == "monitor" => monitor = true,
            Term::Tuple(kv) => match (kv.as_slice(), kv.first().and_then(Term::as_atom)) {
                ([_, v], Some(k)) if tuning_option(k.as_str(), v) => {}
                ([_, Term::List(_)], Some(k)) if k.as_str() == "monitor" => monitor = true,
                _ => return None,
            },
            _ => return None,
        }
    }
    Some(SpawnOpts {
        link,
        monitor,
        ..SpawnOpts::default()
    })
}

fn tuning_option(key: &str, v: &Term) -> bool {
    let atom_in = |allowed: &[&str]| matches!(v, Term::Atom(a) if allowed.contains(&a.as_str()));
    match key {
        "priority" => atom_in(&["low", "normal", "high", "max"]),
        "message_queue_data" => atom_in(&["off_heap", "on_heap"]),
        "fullsweep_after" | "min_heap_size" | "min_bin_vheap_size" => {
            matches!(v, Term::Int(n) if *n >= 0)
        }
        "max_heap_size" => matches!(v, Term::Int(n) if *n >= 0) || matches!(v, Term::Map(_)),
        "async_dist" => matches!(v, Term::Atom(a) if matches!(a.as_str(), "true" | "false")),
        _ => false,
    }
}

/// What a spawn BIF returns: the pid, or `{Pid, Ref}` with a monitor.
fn spawned(pid: Pid, monitor: Option<crate::id::Ref>) -> Term {
    match monitor {
        Some(r) => Term::Tuple(vec![Term::Pid(pid), Term::Ref(r)]),
        None => Term::Pid(pid),
    }
}

/// `spawn_link` and `spawn_monitor` as spawn options.
const LINK: SpawnOpts = SpawnOpts {
    link: true,
    monitor: false,
    reply: SpawnReply::Yes,
};
const MONITOR: SpawnOpts = SpawnOpts {
    link: false,
    monitor: true,
    reply: SpawnReply::Yes,
};

/// Spawns `M:F(Args)` (on `node`, if given) after OTP's checks: atoms, a
/// proper list; anything else is `badarg` from `bif/arity`.
async fn spawn_mfa(
    cx: &Cx,
    node: Option<Term>,
    mfa: (Term, Term, Term),
    opts: SpawnOpts,
    bif: (&str, u32),
) -> Result<Term, Exception> {
    let bad = || Exception::badarg(bif.0, bif.1);
    let node = match node {
        None => None,
        Some(Term::Atom(n)) => Some(n),
        Some(_) => return Err(bad()),
    };
    let (Term::Atom(m), Term::Atom(f)) = (&mfa.0, &mfa.1) else {
        return Err(bad());
    };
    let args = arg_list(mfa.2).ok_or_else(bad)?;
    let (pid, r) = match node {
        None => cx.spawn_apply(*m, *f, args, opts).await?,
        Some(n) => cx.spawn_apply_on(n, *m, *f, args, opts).await?,
    };
    Ok(spawned(pid, r))
}

/// `badarg` for a spawn BIF handed something other than a fun (every term).
async fn not_a_fun(bif: &'static str, arity: u32) -> Result<Term, Exception> {
    Err(Exception::badarg(bif, arity))
}

/// The `demonitor/2` options: `(flush, info)`, or `None` if not a proper list
/// of `flush` and `info`.
fn demonitor_options(t: &Term) -> Option<(bool, bool)> {
    let Term::List(opts) = t else { return None };
    let (mut flush, mut info) = (false, false);
    for o in opts {
        match o.as_atom().map(Atom::as_str) {
            Some("flush") => flush = true,
            Some("info") => info = true,
            _ => return None,
        }
    }
    Some((flush, info))
}

/// `demonitor(Ref, Opts)`: `true`, or with `info` whether the monitor was
/// still active (OTP 25).
async fn demonitor(cx: &Cx, r: &Term, opts: (bool, bool), arity: u32) -> Result<Term, Exception> {
    let Term::Ref(r) = r else {
        return Err(Exception::badarg("demonitor", arity));
    };
    let (flush, info) = opts;
    let active = if flush {
        cx.demonitor_flush(*r).await
    } else {
        cx.demonitor(*r).await
    };
    Ok(Term::from(!info || active))
}

/// The `cancel_timer/2` options: `(async, info)`, defaults `false`, `true`.
fn cancel_options(t: &Term) -> Option<(bool, bool)> {
    let Term::List(opts) = t else { return None };
    let (mut asynchronous, mut info) = (false, true);
    for o in opts {
        let Some([Term::Atom(k), Term::Atom(v)]) = o.as_tuple() else {
            return None;
        };
        let v = match v.as_str() {
            "true" => true,
            "false" => false,
            _ => return None,
        };
        match k.as_str() {
            "async" => asynchronous = v,
            "info" => info = v,
            _ => return None,
        }
    }
    Some((asynchronous, info))
}

/// Milliseconds left, or `false`.
pub(crate) fn ms_or_false(left: Option<u64>) -> Term {
    match left {
        Some(ms) => Term::Int(i64::try_from(ms).unwrap_or(i64::MAX)),
        None => Term::from(false),
    }
}

/// `list_to_pid/1`: `"<A.B.C>"` for a node the simulation knows.
fn list_to_pid(cx: &Cx, t: &Term) -> Result<Term, Exception> {
    let bad = || Exception::badarg("list_to_pid", 1);
    let Term::List(chars) = t else {
        return Err(bad());
    };
    let text: Option<String> = chars
        .iter()
        .map(|c| match c {
            Term::Int(i) => u32::try_from(*i).ok().and_then(char::from_u32),
            _ => None,
        })
        .collect();
    let pid: Pid = text.ok_or_else(bad)?.parse().map_err(|_| bad())?;
    // OTP refuses a node number that names no node it knows.
    if cx.node_known(pid.node()) {
        Ok(Term::Pid(pid))
    } else {
        Err(bad())
    }
}

/// Adds the process BIFs to module `erlang`.
pub(crate) fn process_bifs(m: Module) -> Module {
    let m = spawn_bifs(m);
    m.function("link", 1, |cx, a| async move {
        match arg(&a, 0) {
            Term::Pid(p) => cx.link(p).await.map(|()| truth()),
            _ => Err(Exception::badarg("link", 1)),
        }
    })
    .function("unlink", 1, |cx, a| async move {
        match arg(&a, 0) {
            Term::Pid(p) => {
                cx.unlink(p).await;
                Ok(truth())
            }
            _ => Err(Exception::badarg("unlink", 1)),
        }
    })
    .function("exit", 2, |cx, a| async move {
        match arg(&a, 0) {
            Term::Pid(p) => {
                cx.exit(p, arg(&a, 1)).await;
                Ok(truth())
            }
            _ => Err(Exception::badarg("exit", 2)),
        }
    })
    .function("monitor", 2, |cx, a| async move {
        let bad = || Exception::badarg("monitor", 2);
        if !arg(&a, 0).is_atom("process") {
            return Err(bad());
        }
        let r = match &arg(&a, 1) {
            Term::Pid(p) => cx.monitor(*p).await,
            Term::Atom(name) => cx.monitor_name(*name, cx.node()).await,
            Term::Tuple(t) => match t.as_slice() {
                [Term::Atom(name), Term::Atom(node)] => cx.monitor_name(*name, *node).await,
                _ => return Err(bad()),
            },
            _ => return Err(bad()),
        };
        Ok(Term::Ref(r))
    })
    .function("demonitor", 1, |cx, a| async move {
        demonitor(&cx, &arg(&a, 0), (false, false), 1).await
    })
    .function("demonitor", 2, |cx, a| async move {
        let opts = demonitor_options(&arg(&a, 1)).ok_or(Exception::badarg("demonitor", 2))?;
        demonitor(&cx, &arg(&a, 0), opts, 2).await
    })
    .function("register", 2, |cx, a| async move {
        match (arg(&a, 0), arg(&a, 1)) {
            (Term::Atom(n), Term::Pid(p)) => cx.register(n, p).await.map(|()| truth()),
            _ => Err(Exception::badarg("register", 2)),
        }
    })
    .function("unregister", 1, |cx, a| async move {
        match arg(&a, 0) {
            Term::Atom(n) => cx.unregister(n).await.map(|()| truth()),
            _ => Err(Exception::badarg("unregister", 1)),
        }
    })
    .function("cancel_timer", 1, |cx, a| async move {
        match arg(&a, 0) {
            Term::Ref(r) => Ok(ms_or_false(cx.cancel_timer(r).await)),
            _ => Err(Exception::badarg("cancel_timer", 1)),
        }
    })
    .function("cancel_timer", 2, |cx, a| async move {
        let bad = || Exception::badarg("cancel_timer", 2);
        let (Term::Ref(r), Some((asynchronous, info))) = (arg(&a, 0), cancel_options(&arg(&a, 1)))
        else {
            return Err(bad());
        };
        let left = ms_or_false(cx.cancel_timer(r).await);
        match (asynchronous, info) {
            (false, true) => Ok(left),
            (true, true) => {
                // The answer comes as `{cancel_timer, Ref, Result}` (OTP).
                let msg = Term::Tuple(vec![Term::atom("cancel_timer"), Term::Ref(r), left]);
                cx.send(cx.self_pid(), msg).await?;
                Ok(Term::atom("ok"))
            }
            (_, false) => Ok(Term::atom("ok")),
        }
    })
    .function("node", 1, |cx, a| async move {
        match arg(&a, 0) {
            Term::Pid(p) => Ok(Term::Atom(cx.node_name(p.node()))),
            Term::Ref(r) => Ok(Term::Atom(cx.node_name(r.node()))),
            _ => Err(Exception::badarg("node", 1)),
        }
    })
    .function("list_to_pid", 1, |cx, a| async move {
        list_to_pid(&cx, &arg(&a, 0))
    })
    .function("pid_to_list", 1, |_, a| async move {
        match arg(&a, 0) {
            Term::Pid(p) => Ok(Term::string(&p.to_string())),
            _ => Err(Exception::badarg("pid_to_list", 1)),
        }
    })
}

/// `spawn`, `spawn_link`, `spawn_monitor` and `spawn_opt` in every arity.
fn spawn_bifs(m: Module) -> Module {
    let m = m
        .function("spawn", 1, |_, _| not_a_fun("spawn", 1))
        .function("spawn", 2, |_, _| not_a_fun("spawn", 2))
        .function("spawn_link", 1, |_, _| not_a_fun("spawn_link", 1))
        .function("spawn_link", 2, |_, _| not_a_fun("spawn_link", 2))
        .function("spawn_monitor", 1, |_, _| not_a_fun("spawn_monitor", 1))
        .function("spawn_monitor", 2, |_, _| not_a_fun("spawn_monitor", 2))
        .function("spawn_opt", 2, |_, _| not_a_fun("spawn_opt", 2))
        .function("spawn_opt", 3, |_, _| not_a_fun("spawn_opt", 3));
    let mfa = |a: &[Term], from: usize| (arg(a, from), arg(a, from + 1), arg(a, from + 2));
    m.function("spawn", 3, move |cx, a| async move {
        spawn_mfa(&cx, None, mfa(&a, 0), SpawnOpts::default(), ("spawn", 3)).await
    })
    .function("spawn", 4, move |cx, a| async move {
        let node = Some(arg(&a, 0));
        spawn_mfa(&cx, node, mfa(&a, 1), SpawnOpts::default(), ("spawn", 4)).await
    })
    .function("spawn_link", 3, move |cx, a| async move {
        spawn_mfa(&cx, None, mfa(&a, 0), LINK, ("spawn_link", 3)).await
    })
    .function("spawn_link", 4, move |cx, a| async move {
        let node = Some(arg(&a, 0));
        spawn_mfa(&cx, node, mfa(&a, 1), LINK, ("spawn_link", 4)).await
    })
    .function("spawn_monitor", 3, move |cx, a| async move {
        spawn_mfa(&cx, None, mfa(&a, 0), MONITOR, ("spawn_monitor", 3)).await
    })
    .function("spawn_monitor", 4, move |cx, a| async move {
        let node = Some(arg(&a, 0));
        spawn_mfa(&cx, node, mfa(&a, 1), MONITOR, ("spawn_monitor", 4)).await
    })
    .function("spawn_opt", 4, move |cx, a| async move {
        let opts = spawn_options(&arg(&a, 3)).ok_or(Exception::badarg("spawn_opt", 4))?;
        spawn_mfa(&cx, None, mfa(&a, 0), opts, ("spawn_opt", 4)).await
    })
    .function("spawn_opt", 5, move |cx, a| async move {
        let opts = spawn_options(&arg(&a, 4)).ok_or(Exception::badarg("spawn_opt", 5))?;
        let node = Some(arg(&a, 0));
        spawn_mfa(&cx, node, mfa(&a, 1), opts, ("spawn_opt", 5)).await
    })
}

/// The code every node starts with: modules `erlang` and `timer`.
pub(crate) fn builtin_code() -> CodeTable {
    // Built once per thread and copied: a simulation is built per run, and
    // an exhaustive exploration makes many short runs.
    thread_local! {
        static BUILTIN: CodeTable = {
            let mut t = CodeTable::default();
            t.load(erlang_module());
            t.load(timer_module());
            t
        };
    }
    BUILTIN.with(CodeTable::clone)
}

/// The built-in functions of module `erlang` that remote calls commonly use,
/// the BIFs whose arguments Rust's types cannot get wrong through `Cx`
/// (`send/2`, `process_flag/2`, the timer BIFs), and the process BIFs of
/// [`crate::bif`]: applied with terms they raise OTP's `badarg`.
fn erlang_module() -> Module {
    process_bifs(Module::new("erlang"))
        .function("node", 0, |cx, _| async move { Ok(Term::Atom(cx.node())) })
        .function("group_leader", 0, |cx, _| async move {
            Ok(Term::Pid(cx.group_leader()))
        })
        .function("halt", 0, |cx, _| async move {
            cx.halt().await;
            Ok(Term::Atom(Atom::new("ok")))
        })
        .function(
            "self",
            0,
            |cx, _| async move { Ok(Term::Pid(cx.self_pid())) },
        )
        .function("error", 1, |_, a| async move {
            Err(Exception::error(arg(&a, 0)).with_frame(Frame::new("erlang", "error", 1)))
        })
        .function("error", 2, |_, a| async move {
            let reason = arg(&a, 0);
            let args = arg(&a, 1).into_list().unwrap_or_default();
            Err(Exception::error(reason).with_frame(Frame {
                module: Atom::new("erlang"),
                function: Atom::new("error"),
                args: FrameArgs::Args(args),
            }))
        })
        .function(
            "exit",
            1,
            |_, a| async move { Err(Exception::exit(arg(&a, 0))) },
        )
        .function("throw", 1, |_, a| async move {
            Err(Exception::throw(arg(&a, 0)))
        })
        .function("/", 2, |_, a| async move {
            let num = |t: &Term| match t {
                Term::Int(i) => Some(*i as f64),
                Term::Float(f) => Some(*f),
                _ => None,
            };
            match (num(&arg(&a, 0)), num(&arg(&a, 1))) {
                // A quotient too large for a float is `badarith` too (OTP:
                // `1.0e308 / 1.0e-308`), never an infinite term.
                (Some(x), Some(y)) if y != 0.0 => Term::float(x / y)
                    .map_err(|_| Exception::bif_error("badarith", "erlang", "/", 2)),
                _ => Err(Exception::bif_error("badarith", "erlang", "/", 2)),
            }
        })
        .function("apply", 3, |cx, a| async move {
            match (arg(&a, 0), arg(&a, 1), arg(&a, 2).into_list()) {
                (Term::Atom(m), Term::Atom(f), Ok(args)) => cx.apply(m, f, args).await,
                _ => Err(Exception::badarg("apply", 3)),
            }
        })
        .function("is_process_alive", 1, |cx, a| async move {
            match arg(&a, 0) {
                Term::Pid(p) => Ok(Term::from(cx.is_process_alive(p).await?)),
                _ => Err(Exception::badarg("is_process_alive", 1)),
            }
        })
        .function("send", 2, |cx, a| async move {
            // `erlang:send(Dest, Msg)`, the same as `Dest ! Msg`: returns `Msg`.
            let to = match &arg(&a, 0) {
                Term::Pid(p) => Target::Pid(*p),
                Term::Atom(n) => Target::Name(*n),
                Term::Tuple(t) => match t.as_slice() {
                    [Term::Atom(n), Term::Atom(node)] => Target::Remote(*n, *node),
                    _ => return Err(Exception::badarg("send", 2)),
                },
                _ => return Err(Exception::badarg("send", 2)),
            };
            let msg = arg(&a, 1);
            cx.send(to, msg.clone()).await?;
            Ok(msg)
        })
        .function("process_flag", 2, |cx, a| async move {
            match arg(&a, 0) {
                Term::Atom(flag) => cx.process_flag(flag, arg(&a, 1)),
                _ => Err(Exception::badarg("process_flag", 2)),
            }
        })
        .function("send_after", 3, |cx, a| async move {
            let (ms, to) = timer_args(&a, "send_after")?;
            Ok(Term::Ref(cx.send_after(ms, to, arg(&a, 2)).await?))
        })
        .function("start_timer", 3, |cx, a| async move {
            let (ms, to) = timer_args(&a, "start_timer")?;
            Ok(Term::Ref(cx.start_timer(ms, to, arg(&a, 2)).await?))
        })
        .function("read_timer", 1, |cx, a| async move {
            match arg(&a, 0) {
                Term::Ref(r) => Ok(ms_or_false(cx.read_timer(r))),
                _ => Err(Exception::badarg("read_timer", 1)),
            }
        })
        .function("whereis", 1, |cx, a| async move {
            match arg(&a, 0) {
                Term::Atom(n) => Ok(cx
                    .whereis(n)
                    .await
                    .map(Term::Pid)
                    .unwrap_or(Term::Atom(Atom::new("undefined")))),
                _ => Err(Exception::badarg("whereis", 1)),
            }
        })
        .function("+", 2, |_, a| async move {
            arith("+", &a, i64::checked_add, |x, y| x + y)
        })
        .function("-", 2, |_, a| async move {
            arith("-", &a, i64::checked_sub, |x, y| x - y)
        })
        .function("atom_to_list", 1, |_, a| async move {
            match arg(&a, 0) {
                Term::Atom(n) => Ok(Term::string(n.as_str())),
                _ => Err(Exception::badarg("atom_to_list", 1)),
            }
        })
        .function("list_to_atom", 1, |_, a| async move {
            // A list of character codes, else badarg; a name past the atom
            // limits is system_limit, as on OTP 25.
            let name: Option<String> = arg(&a, 0).as_list().and_then(|codes| {
                codes
                    .iter()
                    .map(|c| {
                        c.as_int()
                            .and_then(|c| u32::try_from(c).ok())
                            .and_then(char::from_u32)
                    })
                    .collect()
            });
            match name.map(|n| Atom::try_new(&n)) {
                Some(Ok(atom)) => Ok(Term::Atom(atom)),
                Some(Err(_)) => Err(Exception::bif_error(
                    "system_limit",
                    "erlang",
                    "list_to_atom",
                    1,
                )),
                None => Err(Exception::badarg("list_to_atom", 1)),
            }
        })
}

/// `erlang:'+'/2` and `'-'/2`: integers stay integers, a float makes the
/// result a float; anything else (or an integer overflow) is `badarith`.
fn arith(
    op: &str,
    a: &[Term],
    int: fn(i64, i64) -> Option<i64>,
    float: fn(f64, f64) -> f64,
) -> Result<Term, Exception> {
    let badarith = || Exception::bif_error("badarith", "erlang", op, 2);
    let num = |t: &Term| match t {
        Term::Int(i) => Some(*i as f64),
        Term::Float(f) => Some(*f),
        _ => None,
    };
    match (arg(a, 0), arg(a, 1)) {
        (Term::Int(x), Term::Int(y)) => int(x, y).map(Term::Int).ok_or_else(badarith),
        (x, y) => match (num(&x), num(&y)) {
            (Some(x), Some(y)) => Term::float(float(x, y)).map_err(|_| badarith()),
            _ => Err(badarith()),
        },
    }
}

/// The `Time` and `Dest` of `send_after/3` and `start_timer/3`: a
/// non-negative integer and a pid or atom, else `badarg` (OTP).
fn timer_args(a: &[Term], bif: &str) -> Result<(u64, Target), Exception> {
    let ms = match arg(a, 0) {
        Term::Int(ms) => u64::try_from(ms).map_err(|_| Exception::badarg(bif, 3))?,
        _ => return Err(Exception::badarg(bif, 3)),
    };
    let to = match arg(a, 1) {
        Term::Pid(p) => Target::Pid(p),
        Term::Atom(n) => Target::Name(n),
        _ => return Err(Exception::badarg(bif, 3)),
    };
    Ok((ms, to))
}

/// `timer:sleep/1`.
fn timer_module() -> Module {
    Module::new("timer").function("sleep", 1, |cx, a| async move {
        match arg(&a, 0) {
            Term::Int(ms) if ms >= 0 => {
                cx.sleep(crate::time::Time::ms(ms as u64)).await;
                Ok(Term::Atom(Atom::new("ok")))
            }
            Term::Atom(a) if a.as_str() == "infinity" => {
                cx.sleep(crate::time::Time::MAX).await;
                Ok(Term::Atom(Atom::new("ok")))
            }
            _ => Err(Exception::error(Term::Atom(Atom::new("function_clause")))
                .with_frame(Frame::new("timer", "sleep", 1))),
        }
    })
}
