//! Exhaustive exploration with DPOR: it explores one interleaving per
//! equivalence class, and reaches every final state full DFS reaches.

use sim_core::{
    Cx, Dfs, Exception, ExitPolicy, Explorer, LocalSignals, Matcher, Pid, RunReport, Sim,
    SimBuilder, Term, Time, Timeout,
};

fn quiet(name: &str) -> Explorer {
    Explorer::new(name)
        .quiet(true)
        .write_files(false)
        .threads(1)
}

/// Every complete schedule of `program` by plain DFS, with the window the
/// exhaustive exploration uses, as final states.
fn dfs_states(program: &dyn Fn(SimBuilder) -> Sim) -> (u64, Vec<String>) {
    let mut out = Vec::new();
    let mut prefix = Vec::new();
    let mut n = 0;
    loop {
        let d = Dfs::new(100_000).restart(prefix);
        let r = program(Sim::builder().strategy(d.clone()).run_window(Time::MAX)).run();
        n += 1;
        out.push(state(&r));
        assert!(n < 2_000_000, "too many schedules");
        match d.next_prefix() {
            Some(p) => prefix = p,
            None => break,
        }
    }
    out.sort();
    out.dedup();
    (n, out)
}

/// What a run ended with: its outcome and every foreground result.
fn state(r: &RunReport) -> String {
    let results: Vec<String> = r
        .results
        .iter()
        .map(|(_, v)| match v {
            Some(Ok(t)) => format!("ok {t}"),
            Some(Err(e)) => format!("exit {e}"),
            None => "running".to_string(),
        })
        .collect();
    format!("{} | {}", r.outcome.kind(), results.join(", "))
}

fn dpor_states(
    name: &str,
    program: &(dyn Fn(SimBuilder) -> Sim + Sync),
    optimal: bool,
) -> (u64, u64, Vec<String>) {
    let mut out = Vec::new();
    let r = quiet(name)
        .keep_going(true)
        .optimal_dpor(optimal)
        .exhaustive_each(program, |rep| out.push(state(rep)));
    assert!(r.complete, "{r}");
    out.sort();
    out.dedup();
    (r.interleavings, r.blocked, out)
}

/// What `compare` counted for one program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Counts {
    /// Interleavings with source-DPOR and sleep sets.
    source: u64,
    /// Interleavings with optimal DPOR (wakeup trees), the default.
    optimal: u64,
    /// Sleep-set blocked runs with optimal DPOR.
    optimal_blocked: u64,
    /// Schedules of plain DFS.
    dfs: u64,
}

/// Explores `program` with both algorithms and with plain DFS: the final
/// states must be DFS's.
fn compare(name: &str, program: &(dyn Fn(SimBuilder) -> Sim + Sync)) -> Counts {
    let (n_dfs, dfs) = dfs_states(program);
    let (n_dpor, blocked, dpor) = dpor_states(name, program, false);
    let (n_opt, blocked_opt, opt) = dpor_states(name, program, true);
    println!(
        "{name}: dpor {n_dpor} interleavings ({blocked} blocked), optimal {n_opt} ({blocked_opt} blocked), \
         dfs {n_dfs} schedules; {} final states",
        dfs.len()
    );
    assert_eq!(dpor, dfs, "{name}: the final states differ");
    assert_eq!(opt, dfs, "{name}: optimal DPOR's final states differ");
    assert!(n_dpor <= n_dfs && n_opt <= n_dfs, "{name}");
    Counts {
        source: n_dpor,
        optimal: n_opt,
        optimal_blocked: blocked_opt,
        dfs: n_dfs,
    }
}

/// Two processes of 4 steps each: 3 sends to themselves, then the return.
fn independent(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    for _ in 0..2 {
        sim.spawn("a@sim", |cx| async move {
            let me = cx.self_pid();
            for i in 0..3 {
                cx.send(me, Term::Int(i)).await?;
            }
            Ok(Term::atom("ok"))
        })
        .expect("spawn");
    }
    sim
}

#[test]
fn independent_processes_are_one_interleaving() {
    let r = quiet("independent").exhaustive(independent);
    let dfs = quiet("independent-dfs").explore_dfs(Dfs::new(10_000), 100_000, independent);
    println!(
        "two independent 4-step processes: dpor {} interleavings, dfs {} schedules",
        r.interleavings, dfs.runs
    );
    assert!(r.complete && r.failure.is_none(), "{r}");
    assert_eq!(r.interleavings, 1);
    assert_eq!(r.blocked, 0);
    assert!(dfs.exhausted);
    assert_eq!(dfs.runs, 70);
}

/// Two senders race into one mailbox, read by a receive of any message.
fn mailbox_race(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        let me = cx.self_pid();
        for i in 0..2 {
            cx.spawn(move |c| async move {
                c.send(me, Term::Int(i)).await?;
                Ok(Term::Int(i))
            })
            .await?;
        }
        let a = cx.recv().await;
        let b = cx.recv().await;
        Ok(Term::List(vec![a, b]))
    })
    .expect("spawn");
    sim
}

#[test]
fn soundness_mailbox_race() {
    let c = compare("mailbox race", &mailbox_race);
    assert_eq!((c.source, c.optimal, c.optimal_blocked), (2, 2, 0));
}

/// A receive with a timeout against a send: both outcomes.
fn send_vs_after(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        let me = cx.self_pid();
        cx.spawn(move |c| async move {
            c.send(me, Term::atom("msg")).await?;
            Ok(Term::atom("sent"))
        })
        .await?;
        let got = cx
            .receive_matching_timeout(&Matcher::any(), Timeout::ms(10))
            .await;
        Ok(got.unwrap_or(Term::atom("timeout")))
    })
    .expect("spawn");
    sim
}

#[test]
fn soundness_send_vs_receive_after() {
    let (_, dpor) = {
        let (n, b, s) = dpor_states("send vs after", &send_vs_after, false);
        ((n, b), s)
    };
    assert!(dpor.iter().any(|s| s.contains("ok msg")), "{dpor:?}");
    assert!(dpor.iter().any(|s| s.contains("ok timeout")), "{dpor:?}");
    compare("send vs after", &send_vs_after);
}

/// Without a pid in it: the shape of a term a result reports.
fn shape(t: &Term) -> Term {
    match t {
        Term::Pid(_) => Term::atom("pid"),
        Term::Ref(_) => Term::atom("ref"),
        Term::Tuple(v) => Term::Tuple(v.iter().map(shape).collect()),
        Term::List(v) => Term::List(v.iter().map(shape).collect()),
        other => other.clone(),
    }
}

/// Two processes race to register one name; the root reports who holds it.
fn registry_race(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    for tag in ["x", "y"] {
        sim.spawn("a@sim", move |cx| async move {
            let won = cx.register("lock", cx.self_pid()).await.is_ok();
            let holder = cx.whereis("lock").await == Some(cx.self_pid());
            Ok(Term::tuple([
                Term::atom(tag),
                Term::from(won),
                Term::from(holder),
            ]))
        })
        .expect("spawn");
    }
    sim
}

/// A child exits while its parent links to it: an exit signal, or `noproc`
/// (trapped either way).
fn link_vs_exit(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        cx.trap_exit(true);
        let child = cx
            .spawn(|c| async move {
                c.sleep(Time::ms(1)).await;
                Err(sim_core::Exception::exit(Term::atom("boom")))
            })
            .await?;
        let linked = cx.link(child).await.is_ok();
        let m = cx.receive_timeout(|_| true, Timeout::ms(5)).await;
        Ok(Term::tuple([
            Term::from(linked),
            shape(&m.unwrap_or(Term::atom("none"))),
        ]))
    })
    .expect("spawn");
    sim
}

/// A `'DOWN'` and a plain message race to a monitoring process.
fn monitor_vs_message(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        let me = cx.self_pid();
        let (_, _) = cx
            .spawn_monitor(|_| async move { Ok(Term::atom("done")) })
            .await?;
        cx.spawn(move |c| async move {
            c.send(me, Term::atom("hello")).await?;
            Ok(Term::atom("sent"))
        })
        .await?;
        let a = cx.recv().await;
        let b = cx.recv().await;
        Ok(Term::List(vec![shape(&a), shape(&b)]))
    })
    .expect("spawn");
    sim
}

/// An exit signal races a process turning `trap_exit` on.
fn trap_race(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        let target = cx
            .spawn(|c| async move {
                c.trap_exit(true);
                c.sleep(Time::ms(1)).await;
                let m = c.receive_timeout(|_| true, Timeout::ms(0)).await;
                Ok(shape(&m.unwrap_or(Term::atom("nothing"))))
            })
            .await?;
        let r = cx.monitor(target).await;
        cx.exit(target, Term::atom("stop")).await;
        let down = cx
            .receive(move |m| matches!(m, Term::Tuple(v) if v.get(1) == Some(&Term::Ref(r))))
            .await;
        Ok(shape(&down))
    })
    .expect("spawn");
    sim
}

/// Two nodes send to a collector on a third: both arrival orders.
fn cross_node(b: SimBuilder) -> Sim {
    let mut sim = b
        .nodes(["a@sim", "b@sim", "c@sim"])
        .build()
        .expect("three nodes");
    sim.spawn("c@sim", |cx| async move {
        cx.register("col", cx.self_pid()).await?;
        let a = cx.recv().await;
        let b = cx.recv().await;
        Ok(Term::List(vec![a, b]))
    })
    .expect("collector");
    for (node, tag) in [("a@sim", "a"), ("b@sim", "b")] {
        sim.spawn(node, move |cx| async move {
            cx.send(("col", "c@sim"), Term::atom(tag)).await?;
            Ok(Term::atom("ok"))
        })
        .expect("sender");
    }
    sim
}

/// A spawn chain: each generation spawns the next; all report to the root.
fn spawn_chain(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        let root = cx.self_pid();
        cx.spawn(move |c| async move {
            c.spawn(move |d| async move {
                d.send(root, Term::Int(2)).await?;
                Ok(Term::Int(2))
            })
            .await?;
            c.send(root, Term::Int(1)).await?;
            Ok(Term::Int(1))
        })
        .await?;
        cx.send(root, Term::Int(0)).await?;
        let mut got = Vec::new();
        for _ in 0..3 {
            got.push(cx.recv().await);
        }
        Ok(Term::List(got))
    })
    .expect("spawn");
    sim
}

/// Selective receive with a matcher: the order of the integers matters, the
/// atom's place does not.
fn selective(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        let me = cx.self_pid();
        for m in [Term::Int(1), Term::Int(2), Term::atom("noise")] {
            cx.spawn(move |c| async move {
                c.send(me, m).await?;
                Ok(Term::atom("ok"))
            })
            .await?;
        }
        let ints = Matcher::new(|t| matches!(t, Term::Int(_)));
        let a = cx.receive_matching(&ints).await;
        let b = cx.receive_matching(&ints).await;
        let c = cx.receive_matching(&Matcher::any()).await;
        Ok(Term::List(vec![a, b, c]))
    })
    .expect("spawn");
    sim
}

/// A kill races a process's steps: how far it got.
fn kill_race(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        let me = cx.self_pid();
        let (victim, r) = cx
            .spawn_monitor(move |c| async move {
                for i in 0..2 {
                    c.send(me, Term::Int(i)).await?;
                }
                Ok(Term::atom("done"))
            })
            .await?;
        cx.exit(victim, Term::atom("kill")).await;
        let down = cx
            .receive(move |m| matches!(m, Term::Tuple(v) if v.get(1) == Some(&Term::Ref(r))))
            .await;
        let rest = cx.flush();
        Ok(Term::tuple([shape(&down), Term::List(rest)]))
    })
    .expect("spawn");
    sim
}

/// Read-modify-write on a counter process by two clients: a lost update.
fn counter(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        let me = cx.self_pid();
        for _ in 0..2 {
            cx.spawn(move |c| async move {
                c.send(
                    me,
                    Term::tuple([Term::atom("get"), Term::Pid(c.self_pid())]),
                )
                .await?;
                let v = c.recv().await;
                let Term::Int(n) = v else {
                    return Ok(Term::atom("bad"));
                };
                c.send(me, Term::tuple([Term::atom("put"), Term::Int(n + 1)]))
                    .await?;
                Ok(Term::atom("ok"))
            })
            .await?;
        }
        let mut n = 0;
        let mut puts = 0;
        while puts < 2 {
            let m = cx.recv().await;
            match m.as_tuple() {
                Some([t, Term::Pid(from)]) if t.is_atom("get") => {
                    cx.send(*from, Term::Int(n)).await?;
                }
                Some([_, Term::Int(v)]) => {
                    n = *v;
                    puts += 1;
                }
                _ => {}
            }
        }
        Ok(Term::Int(n))
    })
    .expect("spawn");
    sim
}

/// A send to a registered name races the registration.
fn name_vs_register(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        cx.spawn(|c| async move {
            let sent = c.send("srv", Term::atom("ping")).await.is_ok();
            Ok(Term::from(sent))
        })
        .await?;
        cx.register("srv", cx.self_pid()).await?;
        let got = cx.receive_timeout(|_| true, Timeout::ms(1)).await;
        Ok(got.unwrap_or(Term::atom("none")))
    })
    .expect("spawn");
    sim
}

/// Appends that only some receives can tell apart: equal messages, and a
/// message queued while a receive took one its pattern alone accepts.
fn queued_order(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        let me = cx.self_pid();
        for ms in [vec!["b"], vec!["b"], vec!["a", "c"]] {
            cx.spawn(move |c| async move {
                for m in ms {
                    c.send(me, Term::atom(m)).await?;
                }
                Ok(Term::atom("ok"))
            })
            .await?;
        }
        let a = cx.receive_matching(&Matcher::new(|t| t.is_atom("a"))).await;
        let mut got = vec![a];
        for _ in 0..3 {
            got.push(cx.recv().await);
        }
        Ok(Term::List(got))
    })
    .expect("spawn");
    sim
}

/// A peer's `'EXIT'` or `'DOWN'` by kind and reason only: which pid a peer
/// got depends on the order of spawns and exits, which DPOR does not tell
/// apart.
fn kind(m: Option<Term>) -> Term {
    match m.as_ref().and_then(Term::as_tuple) {
        Some([tag, .., reason]) => Term::List(vec![tag.clone(), reason.clone()]),
        _ => Term::atom("none"),
    }
}

/// Links and monitors to two peers that exit on their own: each peer's
/// signals touch only what is held about that peer.
fn peer_links(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        cx.trap_exit(true);
        let p1 = cx.spawn(|_| async move { Ok(Term::atom("ok")) }).await?;
        let p2 = cx.spawn(|_| async move { Ok(Term::atom("ok")) }).await?;
        cx.link(p1).await?;
        let r = cx.monitor(p2).await;
        let _ = r;
        let first = cx.recv().await;
        let second = cx.recv().await;
        Ok(Term::List(vec![kind(Some(first)), kind(Some(second))]))
    })
    .expect("spawn");
    sim
}

/// A demonitor races the exit of the monitored peer; a link to another
/// peer races that peer's exit.
fn peer_demonitor(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        cx.trap_exit(true);
        let p1 = cx.spawn(|_| async move { Ok(Term::atom("ok")) }).await?;
        let p2 = cx.spawn(|_| async move { Ok(Term::atom("ok")) }).await?;
        let r = cx.monitor(p2).await;
        cx.link(p1).await?;
        let up = cx.demonitor(r).await;
        let exit = Matcher::new(|m| matches!(m.as_tuple(), Some([t, ..]) if t.is_atom("EXIT")));
        let got = cx.receive_matching(&exit).await;
        let reason = got.as_tuple().and_then(|t| t.last().cloned());
        Ok(Term::List(vec![
            Term::from(up),
            reason.unwrap_or(Term::atom("none")),
        ]))
    })
    .expect("spawn");
    sim
}

/// Children spawned linked and monitored exit on their own, while a third
/// child links to the first: only signals about one peer are ordered.
fn spawned_peers(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        cx.trap_exit(true);
        let a = cx
            .spawn_link(|_| async move { Ok(Term::atom("ok")) })
            .await?;
        cx.spawn_monitor(|_| async move { Ok(Term::atom("ok")) })
            .await?;
        cx.spawn(move |c| async move {
            c.link(a).await?;
            Ok(Term::atom("ok"))
        })
        .await?;
        let kind = |m: Term| match m.as_tuple() {
            Some([tag, .., reason]) => Term::List(vec![tag.clone(), reason.clone()]),
            _ => Term::atom("none"),
        };
        let first = cx.recv().await;
        let second = cx.recv().await;
        Ok(Term::List(vec![kind(first), kind(second)]))
    })
    .expect("spawn");
    sim
}

/// A trapping process gets an `exit(P, die)` it never reads (an `'EXIT'`
/// message, or dropped once it has exited) while it sends to a child whose
/// receive `after 0` races that send, and reports what the child got
/// (Concuerror's `messed_deliveries`, with a monitor to see the child).
fn unread_signals(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        let p = cx.self_pid();
        cx.trap_exit(true);
        let (q, r) = cx
            .spawn_monitor(|c| async move {
                let got = c.receive_timeout(|_| true, Timeout::ms(0)).await;
                Err(Exception::exit(Term::from(got.is_some())))
            })
            .await?;
        cx.spawn(move |c| async move {
            c.exit(p, Term::atom("die")).await;
            Ok(Term::atom("true"))
        })
        .await?;
        cx.send(q, Term::atom("ok")).await?;
        let down = cx
            .receive(move |m| matches!(m, Term::Tuple(v) if v.get(1) == Some(&Term::Ref(r))))
            .await;
        Ok(kind(Some(down)))
    })
    .expect("spawn");
    sim
}

/// Concuerror's `messages_2`: B takes `special` at once or, after an
/// `after 0`, waits for it and then takes any message, which must be `a`
/// (sent by the root) and not `c` (sent by C). The appends of `a` and `c`
/// are told apart only by that later receive, which a run where B takes
/// `special` at once never makes.
fn special_first(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        let (b, r) = cx
            .spawn_monitor(|c| async move {
                let special = Matcher::new(|m| m.is_atom("special"));
                let at_once = c.receive_matching_timeout(&special, Timeout::ms(0)).await;
                if at_once.is_some() {
                    c.receive_matching(&Matcher::new(|m| m.is_atom("a"))).await;
                    c.receive_matching(&Matcher::new(|m| m.is_atom("c"))).await;
                    return Err(Exception::exit(Term::atom("at once")));
                }
                c.receive_matching(&special).await;
                let r = c.recv().await;
                c.recv().await;
                // Its exit reason tells the root what it got.
                Err(Exception::exit(Term::tuple([Term::atom("later"), r])))
            })
            .await?;
        cx.spawn(move |c| async move {
            c.send(b, Term::atom("c")).await?;
            Ok(Term::atom("c"))
        })
        .await?;
        cx.send(b, Term::atom("a")).await?;
        cx.send(b, Term::atom("special")).await?;
        let down = cx
            .receive(move |m| matches!(m, Term::Tuple(v) if v.get(1) == Some(&Term::Ref(r))))
            .await;
        Ok(down
            .as_tuple()
            .and_then(|t| t.last().cloned())
            .unwrap_or(Term::atom("none")))
    })
    .expect("spawn");
    sim
}

/// Two workers ask a server for work, get a number each and send back a
/// result the server collects with a selective receive; the results wake
/// the server's receive for requests, which does not take them (a cut-down
/// `workers_2` of Concuerror's suite).
fn workers(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        let server = cx.self_pid();
        for _ in 0..2 {
            cx.spawn(move |c| async move {
                c.send(
                    server,
                    Term::tuple([Term::atom("work"), Term::Pid(c.self_pid())]),
                )
                .await?;
                let n = c.recv().await;
                let Term::Int(n) = n else {
                    return Ok(Term::atom("bad"));
                };
                c.send(server, Term::tuple([Term::atom("res"), Term::Int(n + 10)]))
                    .await?;
                Ok(Term::Int(n))
            })
            .await?;
        }
        let is = |tag: &'static str| {
            Matcher::new(move |m| matches!(m.as_tuple(), Some([t, _]) if t.is_atom(tag)))
        };
        for n in 1..=2 {
            let m = cx.receive_matching(&is("work")).await;
            if let Some([_, Term::Pid(w)]) = m.as_tuple() {
                cx.send(*w, Term::Int(n)).await?;
            }
        }
        let a = cx.receive_matching(&is("res")).await;
        let b = cx.receive_matching(&is("res")).await;
        Ok(Term::List(vec![a, b]))
    })
    .expect("spawn");
    sim
}

#[test]
fn soundness_on_small_programs() {
    type Program = fn(SimBuilder) -> Sim;
    // The counts of each program with source-DPOR, and with optimal DPOR
    // and its sleep-set blocked runs, pinned (they must not grow
    // unnoticed). Optimal DPOR's blocked runs here are runs that try an
    // actor left enabled at the end (or killed) before the step that ended
    // the run, whose step is known only once it runs. Local exit signals,
    // links and monitors are events of their own (`LocalSignals::Async`,
    // the default), so the programs with exits and links have more classes
    // than with instant delivery.
    let programs: [(&str, Program, u64, u64, u64); 17] = [
        ("registry race", registry_race, 10, 10, 0),
        ("link vs exit", link_vs_exit, 83, 84, 18),
        ("monitor vs message", monitor_vs_message, 2, 2, 0),
        ("trap_exit race", trap_race, 14, 14, 4),
        ("cross-node order", cross_node, 12, 12, 0),
        ("spawn chain", spawn_chain, 6, 6, 0),
        ("selective receive", selective, 3, 3, 0),
        ("kill race", kill_race, 5, 5, 1),
        ("lost update", counter, 4, 4, 0),
        ("send to a name vs register", name_vs_register, 3, 3, 1),
        ("queued order", queued_order, 6, 5, 0),
        ("peer links", peer_links, 36, 36, 0),
        ("peer demonitor", peer_demonitor, 225, 228, 36),
        ("spawned peers", spawned_peers, 87, 96, 40),
        (
            "signals a trapping target never reads",
            unread_signals,
            6,
            6,
            0,
        ),
        ("special first", special_first, 3, 3, 0),
        ("workers", workers, 4, 4, 0),
    ];
    let mut bad = Vec::new();
    for (name, p, source, optimal, blocked) in programs {
        let c = compare(name, &p);
        if (c.source, c.optimal, c.optimal_blocked) != (source, optimal, blocked) {
            bad.push(format!(
                "{name}: source {}, optimal {} ({} blocked), dfs {}",
                c.source, c.optimal, c.optimal_blocked, c.dfs
            ));
        }
    }
    assert!(bad.is_empty(), "{bad:?}");
}

#[test]
fn a_failing_interleaving_replays_from_its_file() {
    let program = |b: SimBuilder| {
        let mut sim = b.nodes(["a@sim"]).build().expect("one node");
        sim.spawn("a@sim", |cx| async move {
            let me = cx.self_pid();
            for i in 0..2 {
                cx.spawn(move |c| async move {
                    c.send(me, Term::Int(i)).await?;
                    Ok(Term::Int(i))
                })
                .await?;
            }
            let first = cx.recv().await;
            cx.recv().await;
            cx.check(first == Term::Int(0), "the first child wins")?;
            Ok(first)
        })
        .expect("spawn");
        sim
    };
    let dir = std::env::temp_dir().join(format!("erpc-sim-dpor-{}", std::process::id()));
    let ex = Explorer::new("dpor-replay").quiet(true).out_dir(&dir);
    let r = ex.exhaustive(program);
    let f = r.failure.as_ref().expect("child 1 can win");
    assert_eq!(
        (r.interleavings, r.failing, r.complete),
        (2, 1, false),
        "{r}"
    );
    assert!(r.to_string().contains("FAILED"), "{r}");
    let path = f.replay_path.clone().expect("a replay file");
    let again = Explorer::new("dpor-replay")
        .replay_file(&path, program)
        .expect("readable");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(again.divergence.is_none(), "{:?}", again.divergence);
    assert_eq!(again.outcome, f.report.outcome);
}

#[test]
fn keep_going_counts_every_failing_interleaving() {
    let r = quiet("keep-going").keep_going(true).exhaustive(|b| {
        let mut sim = b.nodes(["a@sim"]).build().expect("one node");
        sim.spawn("a@sim", |cx| async move {
            let me = cx.self_pid();
            for i in 0..3 {
                cx.spawn(move |c| async move {
                    c.send(me, Term::Int(i)).await?;
                    Ok(Term::Int(i))
                })
                .await?;
            }
            let first = cx.recv().await;
            cx.recv().await;
            cx.recv().await;
            cx.check(first == Term::Int(0), "the first child wins")?;
            Ok(first)
        })
        .expect("spawn");
        sim
    });
    // Each of the three children can be first; two of those fail.
    assert!(r.complete, "{r}");
    let total: u64 = r.outcomes.iter().map(|(_, n)| n).sum();
    assert_eq!(total, r.interleavings);
    assert_eq!(r.outcomes.len(), 2, "{:?}", r.outcomes);
    assert!(r.failing >= 2 && r.failing < r.interleavings, "{r}");
    assert!(r.failure.is_some());
    let said = format!("{} of {} interleavings fail", r.failing, r.interleavings);
    assert!(r.to_string().contains(&said), "{r}");
}

#[test]
fn bounds_are_reported() {
    let r = quiet("bounded")
        .max_interleavings(1)
        .exhaustive(mailbox_race);
    assert!(!r.complete);
    assert_eq!(r.bound_hit.as_deref(), Some("max_interleavings(1)"));
    assert!(r.to_string().contains("incomplete"), "{r}");
    let r = quiet("preemptions")
        .preemption_bound(0)
        .exhaustive(peer_demonitor);
    assert!(!r.complete, "{r}");
    assert_eq!(r.bound_hit.as_deref(), Some("preemption_bound(0)"));
}

/// Three processes on two shared names (registered names as variables):
/// `p` writes `x`; `q` writes `y`; `r` reads `y` and then, if it was
/// unset, `x`. Source sets alone can explore a run here whose every
/// enabled event is asleep (such runs are counted apart); wakeup trees
/// cannot.
fn three_on_names(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    for name in ["x", "y"] {
        sim.spawn("a@sim", move |cx| async move {
            cx.register(name, cx.self_pid()).await?;
            cx.receive_timeout(|_| true, Timeout::ms(0)).await;
            Ok(Term::atom(name))
        })
        .expect("writer");
    }
    sim.spawn("a@sim", |cx| async move {
        let y = cx.whereis("y").await.is_some();
        let x = if y {
            false
        } else {
            cx.whereis("x").await.is_some()
        };
        Ok(Term::tuple([Term::from(y), Term::from(x)]))
    })
    .expect("reader");
    sim
}

/// A link and a monitor to two peers that exit on their own, a demonitor,
/// then a receive `after 0`.
fn peers_then_after_zero(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        cx.trap_exit(true);
        let p1 = cx.spawn(|_| async move { Ok(Term::atom("ok")) }).await?;
        let p2 = cx.spawn(|_| async move { Ok(Term::atom("ok")) }).await?;
        cx.link(p1).await?;
        let r = cx.monitor(p2).await;
        let first = cx.recv().await;
        let up = cx.demonitor(r).await;
        let second = cx.receive_timeout(|_| true, Timeout::ms(0)).await;
        Ok(Term::List(vec![
            kind(Some(first)),
            Term::from(up),
            kind(second),
        ]))
    })
    .expect("spawn");
    sim
}

#[test]
fn blocked_runs_are_counted_apart() {
    let c = compare("three on names", &three_on_names);
    let (n, dfs) = (c.source, c.dfs);
    let r = quiet("three on names, optimal DPOR").exhaustive(three_on_names);
    let src = quiet("three on names")
        .optimal_dpor(false)
        .exhaustive(three_on_names);
    println!(
        "three on names: optimal DPOR {} interleavings, {} blocked; source-DPOR {}, {} blocked; dfs {dfs}",
        r.interleavings, r.blocked, src.interleavings, src.blocked
    );
    assert_eq!(src.interleavings, n);
    // Optimal DPOR's wakeup trees leave no run blocked here; source-DPOR
    // with sleep sets explores the same classes and runs into blocked
    // runs, counted apart and said in the summary.
    assert_eq!((r.interleavings, r.blocked), (7, 0), "{r}");
    assert_eq!((src.interleavings, src.blocked), (7, 2), "{src}");
    assert!(
        src.to_string()
            .contains("all checked (2 sleep-set blocked runs)"),
        "{src}"
    );
    assert!(!r.to_string().contains("blocked"), "{r}");
}

#[test]
fn soundness_peers_then_after_zero() {
    compare("peers then after 0", &peers_then_after_zero);
}

/// A child that could send before its parent's `receive after 0`, but the
/// run ends with the parent: the child, left runnable, never steps in the
/// explored run, so no race names it; it must still be tried first.
fn left_runnable(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        let me = cx.self_pid();
        cx.spawn(move |c| async move {
            c.send(me, Term::atom("hi")).await?;
            Ok(Term::atom("ok"))
        })
        .await?;
        let got = cx.receive_timeout(|_| true, Timeout::ms(0)).await;
        Ok(Term::from(got.is_some()))
    })
    .expect("spawn");
    sim
}

/// A parent exits while its linked child runs; a foreground sleeper ends
/// the run, possibly before the child has run or the signals between the
/// two were delivered: the run's last step can cut off steps no race names.
fn sleeper_ends_the_run(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        cx.spawn_link(|_| async { Err(Exception::exit(Term::atom("r1"))) })
            .await?;
        Err::<Term, _>(Exception::exit(Term::atom("r0")))
    })
    .expect("spawn");
    sim.spawn("a@sim", |cx| async move {
        cx.sleep(Time::secs(1)).await;
        Ok(Term::atom("ok"))
    })
    .expect("spawn");
    sim
}

#[test]
fn soundness_a_run_ended_before_pending_signals() {
    compare("sleeper ends the run", &|b: SimBuilder| {
        sleeper_ends_the_run(b.exit_policy(ExitPolicy::Allow))
    });
}

#[test]
fn soundness_a_process_left_runnable_at_the_end() {
    let c = compare("left runnable", &left_runnable);
    // The child left runnable is tried before the parent's last step; what
    // it would do there is not known until it runs, so that run, blocked
    // once the child has sent, is the one optimal DPOR cannot avoid.
    assert_eq!(
        (c.source, c.optimal, c.optimal_blocked, c.dfs),
        (2, 2, 1, 5)
    );
}

/// One of two linked processes: traps exits or not, links to `peer` (if
/// given), and exits with `reason`; one that traps first takes any message
/// at once (`after 0`) and, if it got one, exits with it instead.
async fn linked_exiter(
    c: Cx,
    reason: &'static str,
    trap: bool,
    peer: Option<Pid>,
) -> Result<Term, Exception> {
    if trap {
        c.trap_exit(true);
    }
    if let Some(q) = peer {
        let _ = c.link(q).await;
    }
    if trap {
        if let Some(m) = c.receive_timeout(|_| true, Timeout::ms(0)).await {
            return Err(Exception::exit(kind(Some(m))));
        }
    }
    if reason == "normal" {
        return Ok(Term::atom("done"));
    }
    Err(Exception::exit(Term::atom(reason)))
}

/// Two processes linked to each other exit in either order, with local
/// signals instant (each exit's signal reaches the other as it dies, and
/// cuts its link): the root reports how each ended, from its `'DOWN'`.
/// Whether the first exit kills the second, or becomes an `'EXIT'` the
/// second takes, shows; the order of two exits that cannot tell does not.
fn linked_exits(b: SimBuilder, p: (&'static str, bool), q: (&'static str, bool)) -> Sim {
    let mut sim = b
        .local_signals(LocalSignals::Instant)
        .nodes(["a@sim"])
        .build()
        .expect("one node");
    sim.spawn("a@sim", move |cx| async move {
        let (qp, qr) = cx
            .spawn_monitor(move |c| linked_exiter(c, q.0, q.1, None))
            .await?;
        let (_, pr) = cx
            .spawn_monitor(move |c| linked_exiter(c, p.0, p.1, Some(qp)))
            .await?;
        let mut reasons = Vec::new();
        for r in [pr, qr] {
            // A pattern the race analysis can ask: the two `'DOWN'`s are
            // not told apart, so only the exits themselves order the runs.
            let its = Matcher::new(
                move |m| matches!(m, Term::Tuple(v) if v.get(1) == Some(&Term::Ref(r))),
            );
            let down = cx.receive_matching(&its).await;
            reasons.push(kind(Some(down)));
        }
        Ok(Term::List(reasons))
    })
    .expect("spawn");
    sim
}

#[test]
fn soundness_linked_exits_cut_each_others_links() {
    type Ends = ((&'static str, bool), (&'static str, bool));
    // (p, q): their exit reasons and whether they trap exits; the counts
    // of each with source-DPOR and with optimal DPOR, pinned.
    let cases: [(Ends, (u64, u64)); 9] = [
        // One exit's `foo` kills the other, or the other has exited first
        // (`normal`, cutting the link: the `foo` exit signals no one).
        ((("normal", false), ("foo", false)), (3, 3)),
        ((("foo", false), ("normal", false)), (3, 3)),
        ((("bar", false), ("foo", false)), (3, 3)),
        // A linked `kill` kills a process that does not trap exits.
        ((("kill", false), ("bar", false)), (3, 3)),
        // A trapping one may take the other's `'EXIT'` in its `after 0`.
        ((("normal", true), ("foo", false)), (3, 3)),
        ((("normal", false), ("foo", true)), (5, 5)),
        ((("foo", false), ("normal", true)), (4, 4)),
        ((("normal", false), ("bar", true)), (5, 5)),
        ((("normal", true), ("normal", true)), (5, 5)),
    ];
    let mut bad = Vec::new();
    for ((p, q), want) in cases {
        let name = format!("linked exits {p:?} {q:?}");
        let c = compare(&name, &move |b| linked_exits(b, p, q));
        if (c.source, c.optimal) != want {
            bad.push(format!(
                "{name}: source {}, optimal {} (dfs {})",
                c.source, c.optimal, c.dfs
            ));
        }
    }
    assert!(bad.is_empty(), "{bad:?}");
}

/// A victim that blocks in a receive (a step that shows nothing), is woken
/// by a message it does not take (with `noise`: another such step), then
/// takes `go` and reports it, while a killer kills it: the report is sent
/// or not, and the kill lands on a blocked or a running victim.
fn kill_a_blocked_victim(b: SimBuilder, noise: bool) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", move |cx| async move {
        let me = cx.self_pid();
        let (v, r) = cx
            .spawn_monitor(move |c| async move {
                let go = Matcher::new(|m| m.is_atom("go"));
                c.receive_matching(&go).await;
                c.send(me, Term::atom("got")).await?;
                c.receive_matching(&go).await;
                Ok(Term::atom("done"))
            })
            .await?;
        cx.spawn(move |c| async move {
            if noise {
                c.send(v, Term::atom("noise")).await?;
            }
            c.send(v, Term::atom("go")).await?;
            Ok(Term::atom("sent"))
        })
        .await?;
        cx.spawn(move |c| async move {
            c.exit(v, Term::atom("kill")).await;
            Ok(Term::atom("killed"))
        })
        .await?;
        let its =
            Matcher::new(move |m| matches!(m, Term::Tuple(t) if t.get(1) == Some(&Term::Ref(r))));
        let down = cx.receive_matching(&its).await;
        let got = cx
            .receive_matching_timeout(&Matcher::new(|m| m.is_atom("got")), Timeout::ms(0))
            .await;
        Ok(Term::List(vec![
            kind(Some(down)),
            Term::from(got.is_some()),
        ]))
    })
    .expect("spawn");
    sim
}

#[test]
fn soundness_a_kill_and_steps_that_show_nothing() {
    let n = compare("kill a blocked victim", &|b: SimBuilder| {
        kill_a_blocked_victim(b, false)
    });
    let i = compare("kill a blocked victim, instant", &|b: SimBuilder| {
        kill_a_blocked_victim(b.local_signals(LocalSignals::Instant), true)
    });
    assert_eq!(
        ((n.source, n.optimal), (i.source, i.optimal)),
        ((2, 2), (3, 3))
    );
}

/// A receive `after 100` for `hope`, which an Erlang timer sends at 50 ms:
/// the receive's timer may fire after `hope` woke the receiver but before
/// it runs, and the receive takes `hope` anyway (one class with the run in
/// which it runs first).
fn lapsed_timer(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", move |cx| async move {
        let me = cx.self_pid();
        cx.send_after(50, me, Term::atom("hope")).await?;
        let hope = cx
            .receive_matching_timeout(&Matcher::new(|m| m.is_atom("hope")), Timeout::ms(100))
            .await;
        Ok(Term::from(hope.is_some()))
    })
    .expect("spawn");
    sim
}

#[test]
fn soundness_a_timer_that_fires_after_its_receiver_was_woken() {
    let n = compare("lapsed timer", &lapsed_timer);
    let i = compare("lapsed timer, instant", &|b: SimBuilder| {
        lapsed_timer(b.local_signals(LocalSignals::Instant))
    });
    assert_eq!(
        ((n.source, n.optimal), (i.source, i.optimal)),
        ((2, 2), (2, 2))
    );
}

/// A process that its timer wakes at 50 ms notes what it has, then waits
/// `after 40` for `x`, which its other timer sends at 120 ms: `x` is there
/// already if its timer fired before the process ran on (the timer the
/// process then arms, at 90 ms, would have fired first).
fn timers_then_flush(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", timers_then_flush_body).expect("spawn");
    sim
}

async fn timers_then_flush_body(c: Cx) -> Result<Term, Exception> {
    let me = c.self_pid();
    c.send_after(50, me, Term::atom("tick")).await?;
    c.send_after(120, me, Term::atom("x")).await?;
    c.receive_matching(&Matcher::new(|m| m.is_atom("tick")))
        .await;
    let had = c.flush();
    let x = c
        .receive_matching_timeout(&Matcher::new(|m| m.is_atom("x")), Timeout::ms(40))
        .await;
    Ok(Term::tuple([Term::List(had), Term::from(x.is_some())]))
}

/// [`lapsed_timer`] beside [`timers_then_flush`]: `x` comes during the
/// latter's wait only if the receiver's timer, firing after `hope` woke the
/// receiver, moved time to 100 ms first.
fn lapsed_timer_beside_a_peer(b: SimBuilder) -> Sim {
    let mut sim = lapsed_timer(b);
    sim.spawn("a@sim", timers_then_flush_body).expect("spawn");
    sim
}

#[test]
fn soundness_a_timer_firing_before_its_process_runs_on() {
    let n = compare("timers then flush", &timers_then_flush);
    let p = compare("lapsed timer beside a peer", &lapsed_timer_beside_a_peer);
    assert_eq!(
        ((n.source, n.optimal), (p.source, p.optimal)),
        ((6, 6), (723, 723))
    );
}
