//! Groups `core_*`: links, trap_exit, monitors, exits, registry, receive, spawn.
//!
//! One function per scenario id, each the scenario's `erlang_code` in Rust. The
//! oracle's helpers are rebuilt at the bottom: `sub` (run a fun in a monitored
//! process: its value, or `{died, Reason}`), `down` (`{'DOWN', Pid, Reason}` of
//! one monitor), `dead_pid`, `lbl` (labels in place of pids and refs), `flush`
//! (`oracle:flush/1`) and `kill9` (the node dies at once).

use crate::harness::{elem, erl, flush, kill9, run, t, tagged, Observed};
use erpc_sim::prelude::*;
use std::future::Future;

type R = Result<Term, Exception>;
type Body = std::pin::Pin<Box<dyn Future<Output = R>>>;

pub fn all() -> Vec<(&'static str, fn() -> Observed)> {
    vec![
        ("cp01_link_exit_propagates", cp01),
        ("cp02_link_normal_not_propagated", cp02),
        ("cp03_link_unlink_return_values", cp03),
        ("cp05_link_dead_local_trapping", cp05),
        ("cp06_link_dead_remote_not_trapping", cp06),
        ("cp07_link_dead_remote_trapping", cp07),
        ("cp09_spawn_link_unknown_node_not_trapping", cp09),
        ("cp10_remote_link_process_exits", cp10),
        ("cp11_remote_link_node_killed", cp11),
        ("cp13_link_bidirectional", cp13),
        ("cp14_trap_exit_message", cp14),
        ("cp15_trap_normal_exit_message", cp15),
        ("cp16_exit_normal_ignored", cp16),
        ("cp18_exit_kill_untrappable", cp18),
        ("cp19_killed_reaches_links", cp19),
        ("cp20_killed_kills_linked_nontrapping", cp20),
        ("cp22_exit_reason_kill_via_link_nontrapping", cp22),
        ("cp23_exit_other_reason_trapping", cp23),
        ("cp24_exit_self_normal_trapping", cp24),
        ("cp26_exit_self_kill_trapping", cp26),
        ("cp27_exit_remote_kill", cp27),
        ("cp28_monitor_one_down", cp28),
        ("cp29_monitor_twice_two_downs", cp29),
        ("cp30_monitor_dead_local_noproc", cp30),
        ("cp32_monitor_pid_unknown_node", cp32),
        ("cp33_monitor_local_name", cp33),
        ("cp34_monitor_local_name_missing", cp34),
        ("cp36_monitor_remote_name_missing", cp36),
        ("cp37_monitor_name_unknown_node", cp37),
        ("cp38_demonitor_flush", cp38),
        ("cp40_demonitor_info", cp40),
        ("cp41_demonitor_before_exit", cp41),
        ("cp42_monitor_node_nodedown", cp42),
        ("cp44_monitor_node_false", cp44),
        ("cp45_remote_monitor_node_killed", cp45),
        ("cp46_monitor_self", cp46),
        ("cp47_exit_reasons_monitor", cp47),
        ("cp48_exit_reasons_link", cp48),
        ("cp49_exit_error_in_named_function", cp49),
        ("cp51_exit_remote_error", cp51),
        ("cp52_catch_exit_does_not_exit", cp52),
        ("cp53_register_basics", cp53),
        ("cp54_register_errors", cp54),
        ("cp55_send_unregistered_name", cp55),
        ("cp57_send_remote_name_delivered", cp57),
        ("cp58_name_freed_at_exit", cp58),
        ("cp59_send_to_dead_pid", cp59),
        ("cp60_selective_receive_order", cp60),
        ("cp61_receive_guard_first_match", cp61),
        ("cp62_receive_after_zero", cp62),
        ("cp64_message_then_exit_signal", cp64),
        ("cp65_messages_then_down_remote", cp65),
        ("cp66_message_then_link_exit", cp66),
        ("cp68_cancel_timer_before_expiry", cp68),
        ("cp69_start_timer_message", cp69),
        ("cp70_send_after_to_name", cp70),
        ("cp72_spawn_remote_pid", cp72),
        ("cp73_spawn_unknown_node", cp73),
        ("cp74_spawn_monitor_local", cp74),
        ("cp76_process_flag_results", cp76),
        ("cp77_is_process_alive", cp77),
        ("cp78_spawn_opt_link_monitor", cp78),
    ]
}

// ---- core_link ---------------------------------------------------------------

fn cp01() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let (_p, m) = cx
            .spawn_monitor(|c| async move {
                c.spawn_link(|_| async move { Err(exit("boom")) }).await?;
                c.sleep(Time::ms(5000)).await;
                Err(exit("survived"))
            })
            .await?;
        Ok(down(&cx, m).await)
    })
}

fn cp02() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let (_p, m) = cx
            .spawn_monitor(|c| async move {
                c.spawn_link(|_| async move { Ok(atom!("ok")) }).await?;
                c.sleep(Time::ms(300)).await;
                Err(exit("survived"))
            })
            .await?;
        Ok(down(&cx, m).await)
    })
}

fn cp03() -> Observed {
    run(|e| async move {
        sub(&e.cx, |c| async move {
            let p = c.spawn(wait_for("stop")).await?;
            let me = c.self_pid();
            let mut r = Vec::new();
            // `link/1` and `unlink/1` return `true` whenever they return.
            c.link(p).await?;
            r.push(tuple![atom!("link"), true]);
            c.link(p).await?;
            r.push(tuple![atom!("link_again"), true]);
            r.push(tuple![atom!("links"), info(&c, me, "links")?]);
            c.link(me).await?;
            r.push(tuple![atom!("link_self"), true]);
            c.unlink(p).await;
            r.push(tuple![atom!("unlink"), true]);
            c.unlink(p).await;
            r.push(tuple![atom!("unlink_again"), true]);
            r.push(tuple![atom!("links_after"), info(&c, me, "links")?]);
            c.send(p, atom!("stop")).await?;
            Ok(lbl(&Term::List(r), &[(p.into(), "P")]))
        })
        .await
    })
}

fn cp05() -> Observed {
    run(|e| async move {
        let dead = dead_pid(&e.cx).await?;
        sub(&e.cx, move |c| async move {
            c.trap_exit(true);
            let r = t(erl(&c, "link", args![dead]).await);
            let got = flush(&c, 300).await;
            Ok(lbl(&tuple![r, got], &[(dead.into(), "Dead")]))
        })
        .await
    })
}

fn cp06() -> Observed {
    run(|e| async move {
        let dead = dead_pid_on(&e.cx, e.n1).await?;
        sub(&e.cx, move |c| async move {
            let r = t(erl(&c, "link", args![dead]).await);
            c.sleep(Time::ms(500)).await;
            Ok(tuple![atom!("survived"), r])
        })
        .await
    })
}

fn cp07() -> Observed {
    run(|e| async move {
        let dead = dead_pid_on(&e.cx, e.n1).await?;
        sub(&e.cx, move |c| async move {
            c.trap_exit(true);
            let r = t(erl(&c, "link", args![dead]).await);
            let got = flush(&c, 500).await;
            Ok(lbl(&tuple![r, got], &[(dead.into(), "Dead")]))
        })
        .await
    })
}

fn cp09() -> Observed {
    run(|e| async move {
        let nx = e.nx;
        sub(&e.cx, move |c| async move {
            let p = c
                .spawn_link_on(nx, |_| async move { Ok(atom!("ok")) })
                .await?;
            c.sleep(Time::ms(500)).await;
            Ok(tuple![atom!("survived"), node_of(&c, p)])
        })
        .await
    })
}

fn cp10() -> Observed {
    run(|e| async move {
        let n1 = e.n1;
        sub(&e.cx, move |c| async move {
            c.trap_exit(true);
            let p = c
                .spawn_link_on(n1, |c| async move {
                    c.receive(|m| m.is_atom("go")).await;
                    Err(exit("boom"))
                })
                .await?;
            c.send(p, atom!("go")).await?;
            Ok(lbl(&flush(&c, 500).await, &[(p.into(), "P")]))
        })
        .await
    })
}

fn cp11() -> Observed {
    run(|e| async move {
        let tn = e.t;
        sub(&e.cx, move |c| async move {
            c.trap_exit(true);
            let (p, _) = c
                .spawn_apply_on(
                    tn,
                    "timer",
                    "sleep",
                    args![atom!("infinity")],
                    SpawnOpts {
                        link: true,
                        ..SpawnOpts::default()
                    },
                )
                .await?;
            let m = c.monitor(p).await;
            kill9(&c, tn).await?;
            let got = lbl(&flush(&c, 2000).await, &[(p.into(), "P"), (m.into(), "M")]);
            Ok(sorted(got))
        })
        .await
    })
}

fn cp13() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let me = cx.self_pid();
        let parent = cx
            .spawn(move |c| async move {
                let ch = c.spawn_link(forever).await?;
                c.send(me, tuple![atom!("child"), ch]).await?;
                c.receive(|m| m.is_atom("die")).await;
                Err(exit("boom"))
            })
            .await?;
        let msg = cx.receive(|m| tagged(m, "child")).await;
        let ch = pid_at(&msg, 1);
        let m = cx.monitor(ch).await;
        cx.send(parent, atom!("die")).await?;
        Ok(lbl(&down(&cx, m).await, &[(ch.into(), "C")]))
    })
}

// ---- core_trap ---------------------------------------------------------------

fn cp14() -> Observed {
    run(|e| async move {
        sub(&e.cx, |c| async move {
            c.trap_exit(true);
            let p = c.spawn_link(|_| async move { Err(exit("boom")) }).await?;
            Ok(lbl(&flush(&c, 300).await, &[(p.into(), "Child")]))
        })
        .await
    })
}

fn cp15() -> Observed {
    run(|e| async move {
        sub(&e.cx, |c| async move {
            c.trap_exit(true);
            let p = c.spawn_link(|_| async move { Ok(atom!("ok")) }).await?;
            Ok(lbl(&flush(&c, 300).await, &[(p.into(), "Child")]))
        })
        .await
    })
}

fn cp16() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let p = cx.spawn(wait_for("stop")).await?;
        cx.exit(p, atom!("normal")).await;
        cx.sleep(Time::ms(200)).await;
        let alive = cx.is_process_alive(p).await?;
        cx.send(p, atom!("stop")).await?;
        Ok(tuple![atom!("alive"), alive])
    })
}

fn cp18() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let me = cx.self_pid();
        let (p, m) = cx
            .spawn_monitor(move |c| async move {
                c.trap_exit(true);
                c.send(me, atom!("ready")).await?;
                c.sleep(Time::ms(5000)).await;
                Err(exit("survived"))
            })
            .await?;
        cx.receive(|m| m.is_atom("ready")).await;
        cx.exit(p, atom!("kill")).await;
        Ok(down(&cx, m).await)
    })
}

fn cp19() -> Observed {
    run(|e| async move {
        sub(&e.cx, |c| async move {
            c.trap_exit(true);
            let p = c.spawn_link(forever).await?;
            c.exit(p, atom!("kill")).await;
            Ok(lbl(&flush(&c, 300).await, &[(p.into(), "P")]))
        })
        .await
    })
}

fn cp20() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let me = cx.self_pid();
        let victim = cx.spawn(forever).await?;
        let (_p, m) = cx
            .spawn_monitor(move |c| async move {
                c.link(victim).await?;
                c.send(me, atom!("linked")).await?;
                c.sleep(Time::ms(5000)).await;
                Err(exit("survived"))
            })
            .await?;
        cx.receive(|m| m.is_atom("linked")).await;
        cx.exit(victim, atom!("kill")).await;
        Ok(down(&cx, m).await)
    })
}

fn cp22() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let me = cx.self_pid();
        let (l, ml) = cx
            .spawn_monitor(move |c| async move {
                let p = c
                    .spawn_link(|c| async move {
                        c.receive(|m| m.is_atom("go")).await;
                        Err(exit("kill"))
                    })
                    .await?;
                c.send(me, tuple![atom!("p"), p]).await?;
                c.sleep(Time::ms(5000)).await;
                Err(exit("survived"))
            })
            .await?;
        let msg = cx.receive(|m| tagged(m, "p")).await;
        let p = pid_at(&msg, 1);
        let mp = cx.monitor(p).await;
        cx.send(p, atom!("go")).await?;
        let exiting = lbl(&down(&cx, mp).await, &[(p.into(), "P")]);
        let linked = lbl(&down(&cx, ml).await, &[(l.into(), "L")]);
        Ok(tuple![
            tuple![atom!("exiting"), exiting],
            tuple![atom!("linked"), linked]
        ])
    })
}

fn cp23() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let me = cx.self_pid();
        let p = cx
            .spawn(move |c| async move {
                c.trap_exit(true);
                c.send(me, atom!("ready")).await?;
                let got = flush(&c, 300).await;
                c.send(me, tuple![atom!("got"), got]).await?;
                Ok(atom!("ok"))
            })
            .await?;
        cx.receive(|m| m.is_atom("ready")).await;
        cx.exit(p, atom!("boom")).await;
        Ok(
            match cx
                .receive_timeout(|m| tagged(m, "got"), Timeout::ms(5000))
                .await
            {
                Some(g) => lbl(&elem(&g, 1), &[(me.into(), "Sender")]),
                None => atom!("none"),
            },
        )
    })
}

fn cp24() -> Observed {
    run(|e| async move {
        sub(&e.cx, |c| async move {
            c.trap_exit(true);
            let me = c.self_pid();
            let r = erl(&c, "exit", args![me, atom!("normal")]).await?;
            let got = flush(&c, 200).await;
            Ok(lbl(&tuple![r, got], &[(me.into(), "Self")]))
        })
        .await
    })
}

fn cp26() -> Observed {
    run(|e| async move {
        sub(&e.cx, |c| async move {
            c.trap_exit(true);
            c.exit(c.self_pid(), atom!("kill")).await;
            c.sleep(Time::ms(300)).await;
            Ok(atom!("survived"))
        })
        .await
    })
}

fn cp27() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let me = cx.self_pid();
        let (p, m) = cx
            .spawn_monitor_on(e.n1, move |c| async move {
                c.trap_exit(true);
                c.send(me, tuple![atom!("ready"), c.self_pid()]).await?;
                c.sleep(Time::ms(5000)).await;
                Err(exit("survived"))
            })
            .await?;
        cx.receive(move |m| *m == tuple![atom!("ready"), p]).await;
        cx.exit(p, atom!("kill")).await;
        Ok(down(&cx, m).await)
    })
}

// ---- core_monitor ------------------------------------------------------------

fn cp28() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let p = cx.spawn(exit_on_go("boom")).await?;
        let m = cx.monitor(p).await;
        cx.send(p, atom!("go")).await?;
        Ok(lbl(
            &flush(&cx, 300).await,
            &[(p.into(), "P"), (m.into(), "M")],
        ))
    })
}

fn cp29() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let p = cx.spawn(exit_on_go("boom")).await?;
        let m1 = cx.monitor(p).await;
        let m2 = cx.monitor(p).await;
        cx.send(p, atom!("go")).await?;
        let got = lbl(
            &flush(&cx, 300).await,
            &[(p.into(), "P"), (m1.into(), "M1"), (m2.into(), "M2")],
        );
        Ok(tuple![m1 != m2, sorted(got)])
    })
}

fn cp30() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let dead = dead_pid(&cx).await?;
        let m = cx.monitor(dead).await;
        Ok(lbl(
            &flush(&cx, 100).await,
            &[(dead.into(), "Dead"), (m.into(), "M")],
        ))
    })
}

fn cp32() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        // `ghost_pid(NX)`: Rust's `Pid` names its node by index, so a pid of a
        // node nobody runs is one whose index no node of the simulation has;
        // `node(P)` is then the name the scenario gave that node, NX.
        let p = Pid::new(1_000, 1, 1);
        let m = cx.monitor(p).await;
        Ok(tuple![
            e.nx,
            lbl(&flush(&cx, 500).await, &[(p.into(), "P"), (m.into(), "M")])
        ])
    })
}

fn cp33() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let p = cx.spawn(exit_on_go("boom")).await?;
        cx.register("cp33_name", p).await?;
        let m = cx.monitor_name("cp33_name", cx.node()).await;
        cx.send(p, atom!("go")).await?;
        Ok(lbl(
            &flush(&cx, 300).await,
            &[(p.into(), "P"), (m.into(), "M")],
        ))
    })
}

fn cp34() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let m = cx.monitor_name("cp34_no_such_name", cx.node()).await;
        Ok(lbl(&flush(&cx, 100).await, &[(m.into(), "M")]))
    })
}

fn cp36() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let m = cx.monitor_name("oracle_reg", e.n3).await;
        Ok(lbl(&flush(&cx, 500).await, &[(m.into(), "M")]))
    })
}

fn cp37() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let m = cx.monitor_name("some_name", e.nx).await;
        Ok(lbl(&flush(&cx, 500).await, &[(m.into(), "M")]))
    })
}

fn cp38() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let p = cx.spawn(|_| async move { Ok(atom!("ok")) }).await?;
        let m = cx.monitor(p).await;
        cx.sleep(Time::ms(200)).await;
        let r = erl(&cx, "demonitor", args![m, list![atom!("flush")]]).await?;
        Ok(tuple![r, flush(&cx, 100).await])
    })
}

fn cp40() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let p = cx.spawn(wait_for("go")).await?;
        let m1 = cx.monitor(p).await;
        let info = || list![atom!("info")];
        let active = erl(&cx, "demonitor", args![m1, info()]).await?;
        let m2 = cx.monitor(p).await;
        cx.send(p, atom!("go")).await?;
        cx.sleep(Time::ms(200)).await;
        let fired = erl(&cx, "demonitor", args![m2, info()]).await?;
        let queued = lbl(&flush(&cx, 0).await, &[(p.into(), "P"), (m2.into(), "M2")]);
        let dead = dead_pid(&cx).await?;
        let m3 = cx.monitor(dead).await;
        cx.sleep(Time::ms(100)).await;
        let flush_info = erl(
            &cx,
            "demonitor",
            args![m3, list![atom!("flush"), atom!("info")]],
        )
        .await?;
        let after = flush(&cx, 100).await;
        let again = erl(&cx, "demonitor", args![m1, info()]).await?;
        Ok(tuple![
            tuple![atom!("active"), active],
            tuple![atom!("after_down"), fired, queued],
            tuple![atom!("flush_info"), flush_info, after],
            tuple![atom!("demonitor_again"), again]
        ])
    })
}

fn cp41() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let p = cx.spawn(exit_on_go("boom")).await?;
        let m = cx.monitor(p).await;
        let r = erl(&cx, "demonitor", args![m]).await?;
        cx.send(p, atom!("go")).await?;
        Ok(tuple![r, flush(&cx, 300).await])
    })
}

fn cp42() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let r1 = cx.monitor_node(e.t, true).await;
        let r2 = cx.monitor_node(e.t, true).await;
        kill9(&cx, e.t).await?;
        Ok(tuple![r1, r2, flush(&cx, 2000).await])
    })
}

fn cp44() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let r1 = cx.monitor_node(e.t, true).await;
        let r2 = cx.monitor_node(e.t, false).await;
        kill9(&cx, e.t).await?;
        Ok(tuple![r1, r2, flush(&cx, 1500).await])
    })
}

fn cp45() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let (p, m) = cx
            .spawn_apply_on(
                e.t,
                "timer",
                "sleep",
                args![atom!("infinity")],
                SpawnOpts {
                    monitor: true,
                    ..SpawnOpts::default()
                },
            )
            .await?;
        kill9(&cx, e.t).await?;
        let mut pairs = vec![(p.into(), "P")];
        pairs.extend(m.map(|m| (m.into(), "M")));
        Ok(lbl(&flush(&cx, 2000).await, &pairs))
    })
}

fn cp46() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let m = cx.monitor(cx.self_pid()).await;
        let got = flush(&cx, 100).await;
        let info = erl(&cx, "demonitor", args![m, list![atom!("info")]]).await?;
        // `is_reference(M)`: `Cx::monitor` returns a `Ref`.
        Ok(tuple![true, got, info])
    })
}

// ---- core_exit ---------------------------------------------------------------

/// The funs of cp47 and cp48, by tag.
fn ends_with(tag: &'static str) -> impl FnOnce(Cx) -> std::future::Ready<R> {
    move |_| {
        std::future::ready(match tag {
            "return" => Ok(atom!("ok")),
            "exit_normal" => Err(exit("normal")),
            "exit_term" => Err(Exception::exit(tuple![atom!("shutdown"), atom!("x")])),
            "error_term" => Err(fun_error(atom!("oops"))),
            "throw" => Err(Exception::throw(atom!("v")).with_frame(fun_frame())),
            "badarith" => {
                let divisor = 0; // erlang:phash2(x, 1)
                1i64.checked_div(divisor)
                    .map(Term::Int)
                    .ok_or_else(|| Exception::bif_error("badarith", "erlang", "div", 2))
            }
            // list_to_atom(get(cp47_undef)): `undefined` is not a list.
            "bif_badarg" => Err(Exception::badarg("list_to_atom", 1)),
            // lists:nth(0, []): no clause of lists:nth/2 matches.
            "function_clause" => Err(Exception::error(atom!("function_clause"))
                .with_frame(Frame::new("lists", "nth", 2))),
            other => unreachable!("no fun {other}"),
        })
    }
}

fn cp47() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let tags = [
            "return",
            "exit_normal",
            "exit_term",
            "error_term",
            "throw",
            "badarith",
            "bif_badarg",
            "function_clause",
        ];
        let mut out = Vec::new();
        for tag in tags {
            let (_, m) = cx.spawn_monitor(ends_with(tag)).await?;
            out.push(tuple![atom!(tag), down(&cx, m).await]);
        }
        Ok(Term::List(out))
    })
}

fn cp48() -> Observed {
    run(|e| async move {
        sub(&e.cx, |c| async move {
            c.trap_exit(true);
            let mut out = Vec::new();
            for tag in ["return", "exit_term", "error_term", "throw"] {
                let p = c.spawn_link(ends_with(tag)).await?;
                let got = c
                    .receive_timeout(
                        move |m| {
                            matches!(m.as_tuple(),
                                Some([x, q, _]) if x.is_atom("EXIT") && *q == Term::Pid(p))
                        },
                        Timeout::ms(5000),
                    )
                    .await;
                out.push(tuple![
                    atom!(tag),
                    got.map_or(atom!("none"), |m| elem(&m, 2))
                ]);
            }
            Ok(Term::List(out))
        })
        .await
    })
}

fn cp49() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let (_, m) = cx
            .spawn_apply(
                "oracle_fns",
                "deep_error",
                args![atom!("boom")],
                SpawnOpts {
                    monitor: true,
                    ..SpawnOpts::default()
                },
            )
            .await?;
        Ok(down(&cx, m.expect("monitored")).await)
    })
}

fn cp51() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let n1 = e.n1;
        let spawn = |f: &'static str, a: Term| {
            let cx = cx.clone();
            async move {
                let (_, m) = cx
                    .spawn_apply_on(
                        n1,
                        "erlang",
                        f,
                        vec![a],
                        SpawnOpts {
                            monitor: true,
                            ..SpawnOpts::default()
                        },
                    )
                    .await?;
                Ok::<_, Exception>(m.expect("monitored"))
            }
        };
        let m1 = spawn("error", atom!("oops")).await?;
        let m2 = spawn("throw", atom!("v")).await?;
        let m3 = spawn("exit", tuple![atom!("shutdown"), atom!("x")]).await?;
        Ok(list![
            tuple![atom!("error"), down(&cx, m1).await],
            tuple![atom!("throw"), down(&cx, m2).await],
            tuple![atom!("exit"), down(&cx, m3).await]
        ])
    })
}

fn cp52() -> Observed {
    run(|e| async move {
        let caught = sub(&e.cx, |_c| async move {
            // try exit(foo) catch exit:R -> {caught, R} end
            let a = match Err::<Term, _>(exit("foo")) {
                Err(x) if x.class == Class::Exit => tuple![atom!("caught"), x.reason],
                other => other?,
            };
            let b = catch(Err(exit("bar")));
            let c = catch(Err(Exception::throw(atom!("baz"))));
            let d = catch(Err(fun_error(atom!("qux"))));
            Ok(tuple![atom!("survived"), a, b, c, d])
        })
        .await?;
        let signal = sub(&e.cx, |c| async move {
            c.exit(c.self_pid(), atom!("gone")).await;
            c.sleep(Time::ms(300)).await;
            Ok(atom!("survived"))
        })
        .await?;
        Ok(tuple![caught, signal])
    })
}

// ---- core_registry -----------------------------------------------------------

fn cp53() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let p = cx.spawn(wait_for("stop")).await?;
        let registered = erl(&cx, "register", args![atom!("cp53_name"), p]).await?;
        let r = list![
            tuple![atom!("register"), registered],
            tuple![atom!("whereis"), cx.whereis("cp53_name").await == Some(p)],
            tuple![
                atom!("listed"),
                cx.registered().contains(&Atom::new("cp53_name"))
            ],
            tuple![atom!("info"), info(&cx, p, "registered_name")?],
            tuple![
                atom!("unregister"),
                erl(&cx, "unregister", args![atom!("cp53_name")]).await?
            ],
            tuple![atom!("whereis_after"), whereis(&cx, "cp53_name").await],
            tuple![atom!("info_after"), info(&cx, p, "registered_name")?]
        ];
        cx.send(p, atom!("stop")).await?;
        Ok(r)
    })
}

fn cp54() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let p = cx.spawn(wait_for("stop")).await?;
        let q = cx.spawn(wait_for("stop")).await?;
        cx.register("cp54_name", p).await?;
        let reg = |name: &str, p: Pid| erl(&cx, "register", args![Term::atom(name), p]);
        let duplicate = t(reg("cp54_name", q).await);
        let second = t(reg("cp54_other", p).await);
        let dead = dead_pid(&cx).await?;
        let dead = t(reg("cp54_dead", dead).await);
        let undefined = t(reg("undefined", q).await);
        let remote = dead_pid_on(&cx, e.n1).await?;
        let remote = t(reg("cp54_remote", remote).await);
        let unregister = t(erl(&cx, "unregister", args![atom!("cp54_never")]).await);
        let r = list![
            tuple![atom!("duplicate_name"), duplicate],
            tuple![atom!("second_name_same_pid"), second],
            tuple![atom!("dead_pid"), dead],
            tuple![atom!("name_undefined"), undefined],
            tuple![atom!("remote_pid"), remote],
            tuple![atom!("unregister_unknown"), unregister],
            tuple![atom!("whereis_unknown"), whereis(&cx, "cp54_never").await]
        ];
        let _ = cx.unregister("cp54_name").await;
        cx.send(p, atom!("stop")).await?;
        cx.send(q, atom!("stop")).await?;
        Ok(r)
    })
}

fn cp55() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let hello = || atom!("hello");
        let name = "cp55_no_such_name";
        let bang = t(cx.send(name, hello()).await.map(|()| hello()));
        let tuple_local = t(cx
            .send((Atom::new(name), cx.node()), hello())
            .await
            .map(|()| hello()));
        let erlang_send = t(cx
            .apply(
                Atom::new("erlang"),
                Atom::new("send"),
                args![atom!(name), hello()],
            )
            .await);
        Ok(list![
            tuple![atom!("atom"), bang],
            tuple![atom!("tuple_local_node"), tuple_local],
            tuple![atom!("erlang_send"), erlang_send]
        ])
    })
}

fn cp57() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let msg = tuple![atom!("fwd"), cx.self_pid(), atom!("hi")];
        cx.send((Atom::new("oracle_reg"), e.n1), msg).await?;
        Ok(cx
            .receive_timeout(|_| true, Timeout::ms(3000))
            .await
            .unwrap_or(atom!("none")))
    })
}

fn cp58() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let p = cx.spawn(exit_on_go("boom")).await?;
        cx.register("cp58_name", p).await?;
        let m = cx.monitor(p).await;
        cx.send(p, atom!("go")).await?;
        let d = down(&cx, m).await;
        let q = cx.spawn(wait_for("stop")).await?;
        let r = tuple![
            lbl(&d, &[(p.into(), "P")]),
            whereis(&cx, "cp58_name").await,
            t(erl(&cx, "register", args![atom!("cp58_name"), q]).await),
            cx.whereis("cp58_name").await == Some(q)
        ];
        let _ = cx.unregister("cp58_name").await;
        cx.send(q, atom!("stop")).await?;
        Ok(r)
    })
}

fn cp59() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let local = dead_pid(&cx).await?;
        let a = t(cx
            .send(local, atom!("hello"))
            .await
            .map(|()| atom!("hello")));
        let remote = dead_pid_on(&cx, e.n1).await?;
        let b = t(cx
            .send(remote, atom!("hello"))
            .await
            .map(|()| atom!("hello")));
        Ok(tuple![a, b, flush(&cx, 200).await])
    })
}

// ---- core_receive ------------------------------------------------------------

fn cp60() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let me = cx.self_pid();
        for (tag, n) in [("a", 1), ("b", 1), ("a", 2), ("b", 2), ("c", 1)] {
            cx.send(me, tuple![atom!(tag), n]).await?;
        }
        let first = cx.receive(|m| tagged(m, "b")).await;
        let second = cx.receive(|m| tagged(m, "c")).await;
        Ok(tuple![first, second, flush(&cx, 0).await])
    })
}

fn cp61() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let me = cx.self_pid();
        for (tag, n) in [("x", 5), ("y", 1), ("x", 1)] {
            cx.send(me, tuple![atom!(tag), n]).await?;
        }
        // receive {x, N} when N < 3 -> {x_small, N}; {y, N} -> {y, N} end
        let got = cx
            .receive(|m| match m.as_tuple() {
                Some([x, Term::Int(n)]) if x.is_atom("x") => *n < 3,
                Some([y, _]) => y.is_atom("y"),
                _ => false,
            })
            .await;
        let got = match got.as_tuple() {
            Some([x, n]) if x.is_atom("x") => tuple![atom!("x_small"), n.clone()],
            _ => got,
        };
        Ok(tuple![got, flush(&cx, 0).await])
    })
}

fn cp62() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let me = cx.self_pid();
        let now = Timeout::ms(0);
        let a = match cx.receive_timeout(|_| true, now).await {
            Some(x) => tuple![atom!("got"), x],
            None => atom!("timeout"),
        };
        cx.send(me, atom!("other")).await?;
        let wanted = |m: &Term| m.is_atom("wanted");
        let b = cx
            .receive_timeout(wanted, now)
            .await
            .unwrap_or(atom!("timeout"));
        cx.send(me, atom!("wanted")).await?;
        let c = cx
            .receive_timeout(wanted, now)
            .await
            .unwrap_or(atom!("timeout"));
        Ok(tuple![a, b, c, flush(&cx, 0).await])
    })
}

fn cp64() -> Observed {
    run(|e| async move {
        sub(&e.cx, |c| async move {
            c.trap_exit(true);
            let me = c.self_pid();
            let s = c
                .spawn(move |c| async move {
                    c.send(me, atom!("m1")).await?;
                    c.send(me, atom!("m2")).await?;
                    c.exit(me, atom!("boom")).await;
                    Ok(atom!("true"))
                })
                .await?;
            c.sleep(Time::ms(200)).await;
            Ok(lbl(&flush(&c, 0).await, &[(s.into(), "S")]))
        })
        .await
    })
}

fn cp65() -> Observed {
    run(|e| async move {
        let n1 = e.n1;
        sub(&e.cx, move |c| async move {
            c.trap_exit(true);
            let me = c.self_pid();
            let p = c
                .spawn_link_on(n1, move |c| async move {
                    c.receive(|m| m.is_atom("go")).await;
                    c.send(me, atom!("m1")).await?;
                    c.send(me, atom!("m2")).await?;
                    Err(exit("boom"))
                })
                .await?;
            let m = c.monitor(p).await;
            c.send(p, atom!("go")).await?;
            let msgs = lbl(&flush(&c, 500).await, &[(p.into(), "P"), (m.into(), "M")]);
            let msgs = msgs.as_list().unwrap_or_default();
            let (head, tail) = msgs.split_at(msgs.len().min(2));
            Ok(tuple![
                Term::List(head.to_vec()),
                sorted(Term::List(tail.to_vec()))
            ])
        })
        .await
    })
}

fn cp66() -> Observed {
    run(|e| async move {
        sub(&e.cx, |c| async move {
            c.trap_exit(true);
            let me = c.self_pid();
            let p = c
                .spawn_link(move |c| async move {
                    c.send(me, atom!("hello")).await?;
                    Err(exit("done"))
                })
                .await?;
            Ok(lbl(&flush(&c, 300).await, &[(p.into(), "Child")]))
        })
        .await
    })
}

fn cp68() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let r = cx.send_after(400, cx.self_pid(), atom!("tick")).await?;
        let c = cx.cancel_timer(r).await;
        let left = matches!(c, Some(ms) if ms > 0 && ms <= 400);
        let again = ms_or_false(cx.cancel_timer(r).await);
        let read = ms_or_false(cx.read_timer(r));
        Ok(tuple![left, again, read, flush(&cx, 700).await])
    })
}

fn cp69() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let r = cx.start_timer(100, cx.self_pid(), atom!("ping")).await?;
        let got = cx
            .receive_timeout(
                |m| {
                    matches!(m.as_tuple(),
                        Some([t, _, p]) if t.is_atom("timeout") && p.is_atom("ping"))
                },
                Timeout::ms(3000),
            )
            .await;
        Ok(match got {
            Some(m) => tuple![atom!("timeout"), elem(&m, 1) == Term::Ref(r), atom!("ping")],
            None => atom!("none"),
        })
    })
}

fn cp70() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let r1 = cx.send_after(200, "cp70_name", atom!("to_name")).await?;
        cx.register("cp70_name", cx.self_pid()).await?;
        let r2 = cx
            .send_after(100, "cp70_missing_name", atom!("lost"))
            .await?;
        let got = flush(&cx, 500).await;
        cx.unregister("cp70_name").await?;
        Ok(tuple![
            got,
            ms_or_false(cx.cancel_timer(r1).await),
            ms_or_false(cx.cancel_timer(r2).await)
        ])
    })
}

// ---- core_spawn --------------------------------------------------------------

fn cp72() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let me = cx.self_pid();
        let p = cx
            .spawn_on(e.n1, move |c| async move {
                c.send(me, tuple![atom!("hello"), c.node()]).await?;
                Ok(atom!("ok"))
            })
            .await?;
        let got = cx
            .receive_timeout(|_| true, Timeout::ms(3000))
            .await
            .unwrap_or(atom!("none"));
        // `is_pid(P)`: `Cx::spawn_on` returns a `Pid`.
        Ok(tuple![node_of(&cx, p), true, got])
    })
}

fn cp73() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let t0 = cx.monotonic_ms();
        let p = cx
            .spawn_on(e.nx, |_| async move { Ok(atom!("ok")) })
            .await?;
        let fast = cx.monotonic_ms() - t0 < 2000;
        cx.sleep(Time::ms(300)).await;
        let m = cx.monitor(p).await;
        let d = lbl(&down(&cx, m).await, &[(p.into(), "P")]);
        // `is_pid(P)`: `Cx::spawn_on` returns a `Pid`.
        Ok(tuple![
            true,
            node_of(&cx, p),
            tuple![atom!("fast"), fast],
            d
        ])
    })
}

fn cp74() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let (p, m) = cx
            .spawn_monitor(|_| async move { Err(exit("bye")) })
            .await?;
        let got = cx
            .receive_timeout(|d| tagged(d, "DOWN"), Timeout::ms(3000))
            .await;
        Ok(match got {
            Some(d) => tuple![
                elem(&d, 1) == Term::Ref(m),
                elem(&d, 3) == Term::Pid(p),
                elem(&d, 4)
            ],
            None => atom!("none"),
        })
    })
}

fn cp76() -> Observed {
    run(|e| async move {
        sub(&e.cx, |c| async move {
            Ok(list![
                tuple![atom!("trap_exit_1"), c.process_flag("trap_exit", true)?],
                tuple![atom!("trap_exit_2"), c.process_flag("trap_exit", false)?],
                tuple![
                    atom!("priority"),
                    c.process_flag("priority", atom!("high"))?
                ],
                tuple![
                    atom!("priority_back"),
                    c.process_flag("priority", atom!("normal"))?
                ],
                tuple![atom!("bad_flag"), t(c.process_flag("no_such_flag", true))],
                tuple![
                    atom!("bad_value"),
                    t(c.process_flag("trap_exit", atom!("maybe")))
                ]
            ])
        })
        .await
    })
}

fn cp77() -> Observed {
    run(|e| async move {
        let cx = e.cx;
        let p = cx.spawn(wait_for("stop")).await?;
        let alive = cx.is_process_alive(p).await?;
        let me = cx.is_process_alive(cx.self_pid()).await?;
        let dead = dead_pid(&cx).await?;
        let dead = cx.is_process_alive(dead).await?;
        let remote = dead_pid_on(&cx, e.n1).await?;
        let remote = t(cx.is_process_alive(remote).await.map(Term::from));
        cx.send(p, atom!("stop")).await?;
        Ok(list![
            tuple![atom!("alive"), alive],
            tuple![atom!("self"), me],
            tuple![atom!("dead"), dead],
            tuple![atom!("remote"), remote]
        ])
    })
}

fn cp78() -> Observed {
    run(|e| async move {
        sub(&e.cx, |c| async move {
            c.trap_exit(true);
            let (p, m) = c
                .spawn_with(
                    c.node_id(),
                    SpawnOpts {
                        link: true,
                        monitor: true,
                        ..SpawnOpts::default()
                    },
                    |_| async move { Err(exit("bye")) },
                )
                .await?;
            let mut pairs = vec![(p.into(), "P")];
            pairs.extend(m.map(|m| (m.into(), "M")));
            Ok(sorted(lbl(&flush(&c, 300).await, &pairs)))
        })
        .await
    })
}

// ---- the oracle's helpers ----------------------------------------------------

fn exit(reason: &str) -> Exception {
    Exception::exit(Term::atom(reason))
}

/// The frame of an anonymous fun of the scenario module.
fn fun_frame() -> Frame {
    Frame::new("oracle_core_scenarios", "<fun>", 0)
}

/// `erlang:error(Reason)` raised inside an anonymous fun.
fn fun_error(reason: Term) -> Exception {
    Exception::error(reason).with_frame(fun_frame())
}

/// `catch Expr`.
fn catch(r: R) -> Term {
    match r {
        Ok(v) => v,
        Err(e) => match e.class {
            Class::Throw => e.reason,
            Class::Exit => tuple![atom!("EXIT"), e.reason],
            Class::Error => tuple![atom!("EXIT"), e.exit_reason()],
        },
    }
}

/// `fun() -> receive Msg -> ok end end`.
fn wait_for(msg: &'static str) -> impl FnOnce(Cx) -> Body {
    move |c| {
        Box::pin(async move {
            c.receive(move |m| m.is_atom(msg)).await;
            Ok(atom!("ok"))
        })
    }
}

/// `fun() -> receive go -> exit(Reason) end end`.
fn exit_on_go(
    reason: &'static str,
) -> impl FnOnce(Cx) -> std::pin::Pin<Box<dyn Future<Output = R>>> {
    move |c| {
        Box::pin(async move {
            c.receive(|m| m.is_atom("go")).await;
            Err(exit(reason))
        })
    }
}

/// `fun() -> receive after infinity -> ok end end`.
async fn forever(c: Cx) -> R {
    c.sleep(Time::MAX).await;
    Ok(atom!("ok"))
}

fn pid_at(m: &Term, i: usize) -> Pid {
    elem(m, i).as_pid().expect("a pid in the message")
}

/// `node(P)`.
/// `node(P)`.
fn node_of(cx: &Cx, p: Pid) -> Term {
    Term::Atom(cx.node_name(p.node()))
}

/// `process_info(P, Item)` (`undefined` for a dead pid).
fn info(cx: &Cx, p: Pid, item: &str) -> R {
    Ok(cx.process_info(p, item)?.unwrap_or(atom!("undefined")))
}

/// `whereis(Name)`: a pid or `undefined`.
async fn whereis(cx: &Cx, name: &str) -> Term {
    cx.whereis(name).await.map_or(atom!("undefined"), Term::Pid)
}

/// `read_timer`/`cancel_timer`: milliseconds left or `false`.
fn ms_or_false(left: Option<u64>) -> Term {
    left.map_or(Term::from(false), |ms| Term::Int(ms as i64))
}

/// `lists:sort/1`.
fn sorted(t: Term) -> Term {
    let mut items = t.as_list().map(<[Term]>::to_vec).unwrap_or_default();
    items.sort();
    Term::List(items)
}

/// `lbl(T, Pairs)`: every occurrence of a key replaced by its label.
fn lbl(t: &Term, pairs: &[(Term, &str)]) -> Term {
    if let Some((_, l)) = pairs.iter().find(|(k, _)| k == t) {
        return Term::atom(l);
    }
    match t {
        Term::Tuple(items) => Term::Tuple(items.iter().map(|x| lbl(x, pairs)).collect()),
        Term::List(items) => Term::List(items.iter().map(|x| lbl(x, pairs)).collect()),
        _ => t.clone(),
    }
}

/// The `'DOWN'` message of monitor `m`.
async fn down_msg(cx: &Cx, m: Ref) -> Term {
    cx.receive(move |d| {
        matches!(d.as_tuple(), Some([t, r, ..]) if t.is_atom("DOWN") && *r == Term::Ref(m))
    })
        .await
}

/// `down(M)`: `{'DOWN', Pid, Reason}`.
async fn down(cx: &Cx, m: Ref) -> Term {
    let d = down_msg(cx, m).await;
    tuple![atom!("DOWN"), elem(&d, 3), elem(&d, 4)]
}

/// `sub(F)`: runs `F` in a new monitored process; its value, or `{died, Reason}`.
async fn sub<F, Fut>(cx: &Cx, f: F) -> R
where
    F: FnOnce(Cx) -> Fut + 'static,
    Fut: Future<Output = R> + 'static,
{
    let (_, m) = cx
        .spawn_monitor(move |c| async move {
            let v = f(c).await?;
            Err(Exception::exit(tuple![atom!("sub_result"), v]))
        })
        .await?;
    let reason = elem(&down_msg(cx, m).await, 4);
    Ok(match reason.as_tuple() {
        Some([tag, v]) if tag.is_atom("sub_result") => v.clone(),
        _ => tuple![atom!("died"), reason],
    })
}

/// `dead_pid()`: the pid of a local process that has exited.
async fn dead_pid(cx: &Cx) -> Result<Pid, Exception> {
    let (p, m) = cx.spawn_monitor(|_| async move { Ok(atom!("ok")) }).await?;
    down_msg(cx, m).await;
    Ok(p)
}

/// `dead_pid(Node)`: the pid of a process on `node` that has exited.
async fn dead_pid_on(cx: &Cx, node: Atom) -> Result<Pid, Exception> {
    let (p, m) = cx
        .spawn_monitor_on(node, |_| async move { Ok(atom!("ok")) })
        .await?;
    down_msg(cx, m).await;
    Ok(p)
}
