//! The picture's structure on a small trace: lanes, folded calls, marks and
//! the highlighted chain.

use super::model::{build, Model};
use super::sequence_diagram_html;
use crate::{
    Exception, Ref, Sim, SpawnOpts, SpawnReply, Term, Time, Timeout, TraceMode, TraceRecord,
};
use std::cell::RefCell;
use std::rc::Rc;

const NODES: [&str; 3] = ["a@sim", "b@sim", "c@sim"];
const LABEL: &str = "kv:incr(visits)";

/// A call as erpc makes one: the caller notes the request, the applier labels
/// itself with it and exits with `{Res, return, V}`, the caller reads the
/// `'DOWN'`. The second applier is slow: its caller times out and retries.
fn traced() -> (Vec<TraceRecord>, Vec<Term>) {
    let mut sim = Sim::builder()
        .nodes(NODES)
        .trace(TraceMode::Full)
        .build()
        .expect("three nodes");
    sim.spawn("b@sim", |cx| async move {
        cx.register("kv", cx.self_pid()).await?;
        let mut n = 0;
        loop {
            let m = cx.recv().await;
            if let Some([Term::Pid(from)]) = m.as_tuple() {
                n += 1;
                cx.send(*from, Term::Int(n)).await?;
            }
        }
    })
    .expect("b@sim exists");
    sim.spawn("c@sim", |cx| async move {
        cx.send(cx.self_pid(), Term::atom("unrelated")).await?;
        Ok(cx.recv().await)
    })
    .expect("c@sim exists");
    let got = Rc::new(RefCell::new(Vec::new()));
    let seen = got.clone();
    sim.spawn("a@sim", move |cx| async move {
        let opts = SpawnOpts {
            link: false,
            monitor: true,
            reply: SpawnReply::ErrorOnly,
        };
        for slow in [false, true, false] {
            let res = cx.make_ref();
            cx.note("request", LABEL, Some(res));
            let req = cx
                .spawn_request("b@sim", move |c| applier(c, res, slow), opts)
                .await;
            let is_down =
                move |m: &Term| matches!(m.as_tuple(), Some([_, Term::Ref(r), ..]) if *r == req);
            match cx.receive_timeout(is_down, Timeout::ms(10)).await {
                Some(down) => {
                    if let Some([.., Term::Tuple(reason)]) = down.as_tuple() {
                        seen.borrow_mut().extend(reason.get(2).cloned());
                    }
                }
                None => {
                    cx.demonitor(req).await;
                    cx.note("timeout", "request abandoned", Some(res));
                }
            }
        }
        // Long enough for the abandoned applier to finish.
        cx.sleep(Time::ms(100)).await;
        cx.check(false, "the store disagrees")?;
        Ok(Term::atom("ok"))
    })
    .expect("a@sim exists");
    let trace = sim.run().trace;
    let got = got.borrow().clone();
    (trace, got)
}

async fn applier(cx: crate::Cx, res: Ref, slow: bool) -> Result<Term, Exception> {
    cx.label(LABEL, Some(res));
    if slow {
        cx.sleep(Time::ms(50)).await;
    }
    // Addressed by name, as `{kv, 'b@sim'} ! Msg`: the picture names the server.
    cx.send(("kv", "b@sim"), Term::tuple([Term::Pid(cx.self_pid())]))
        .await?;
    let v = cx.recv().await;
    Err(Exception::exit(Term::tuple([
        Term::Ref(res),
        Term::atom("return"),
        v,
    ])))
}

fn model() -> (Model, Vec<Term>) {
    let (trace, got) = traced();
    (build(&trace, "t"), got)
}

#[test]
fn one_lane_per_node_and_no_lane_per_applier() {
    let (m, _) = model();
    assert_eq!(m.nodes, NODES.map(String::from).to_vec());
    let folded: Vec<&str> = m
        .actors
        .iter()
        .filter(|a| a.folded)
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(folded, [LABEL; 3], "each applier folded into its call");
    assert!(
        m.actors.iter().any(|a| a.name.starts_with("kv <")),
        "the server is named by its registered name"
    );
}

#[test]
fn a_call_is_one_arrow_out_and_one_back_with_its_result() {
    let (m, got) = model();
    let calls: Vec<_> = m.arrows.iter().filter(|a| a.kind == "call").collect();
    assert_eq!(calls.len(), 3);
    assert!(calls.iter().all(|a| a.label == LABEL && a.to.is_some()));
    assert_eq!(
        calls.iter().map(|a| a.status).collect::<Vec<_>>(),
        ["", "timeout", "retry"]
    );
    let results: Vec<&str> = m
        .arrows
        .iter()
        .filter(|a| a.kind == "return" && a.status.is_empty())
        .map(|a| a.label.as_str())
        .collect();
    let want: Vec<String> = got.iter().map(Term::to_string).collect();
    assert_eq!(results, want, "the results the caller decoded");
    assert!(
        m.rows
            .iter()
            .any(|r| r.mark == "abandoned" && r.actor.is_some_and(|a| m.actors[a].name == LABEL)),
        "the slow applier's result is an abandoned reply"
    );
    assert!(m
        .rows
        .iter()
        .any(|r| r.mark == "timeout" && r.text.contains(LABEL)));
    assert_eq!((m.calls, m.timeouts, m.retries), (3, 1, 1));
}

#[test]
fn the_failures_causal_chain_is_highlighted_and_shown() {
    let (m, _) = model();
    let focus = m.focus.expect("a failure");
    assert_eq!(m.rows[focus].mark, "fail");
    assert!(m.rows[focus].chain && m.rows[focus].shown);
    for a in m.arrows.iter().filter(|a| a.kind == "call") {
        assert!(a.chain, "every call reached the caller before its check");
    }
    let c = m.nodes.iter().position(|n| n == "c@sim");
    let on_c: Vec<_> = m.rows.iter().filter(|r| r.node == c).collect();
    assert!(!on_c.is_empty());
    assert!(
        on_c.iter().all(|r| !r.chain && !r.shown),
        "c@sim is concurrent"
    );
}

#[test]
fn the_page_is_self_contained_and_embeds_the_model() {
    let (trace, _) = traced();
    let html = sequence_diagram_html(&trace, "t </script> & co");
    for banned in [
        "src=",
        "href=",
        "fetch(",
        "XMLHttpRequest",
        "import ",
        "@import",
    ] {
        assert!(!html.contains(banned), "{banned}");
    }
    let start = html.find("id=\"model\">").expect("model") + "id=\"model\">".len();
    let end = start + html[start..].find("</script>").expect("end");
    let json: serde_json::Value = serde_json::from_str(&html[start..end]).expect("JSON");
    assert_eq!(json["nodes"].as_array().map(Vec::len), Some(NODES.len()));
    assert_eq!(json["title"], "t </script> & co");
}

#[test]
fn a_sender_suspended_on_a_busy_connection_is_marked_until_resumed() {
    let mut sim = Sim::builder()
        .nodes(["a@sim", "b@sim"])
        .bandwidth(1_000_000)
        .dist_buf_busy_limit(1_000)
        .trace(TraceMode::Full)
        .build()
        .expect("two nodes");
    let sender = sim
        .spawn("a@sim", |cx| async move {
            cx.send(("sink", "b@sim"), Term::Binary(vec![0; 5_000]))
                .await?;
            Ok(Term::atom("ok"))
        })
        .expect("a@sim exists");
    let report = sim.run();
    report.assert_ok();
    let m = build(&report.trace, "t");
    let marked: Vec<(&str, &str)> = m
        .rows
        .iter()
        .filter(|r| r.mark == "busy" || r.mark == "resumed")
        .map(|r| (r.mark, r.text.as_str()))
        .collect();
    assert_eq!(
        marked,
        [
            ("busy", "suspended: busy_dist_port to b@sim"),
            ("resumed", "resumed")
        ]
    );
    let on = |mark: &str| {
        m.rows
            .iter()
            .find(|r| r.mark == mark)
            .and_then(|r| r.actor)
            .map(|a| m.actors[a].pid.clone())
    };
    assert_eq!(on("busy"), Some(sender.to_string()));
    assert_eq!(on("resumed"), Some(sender.to_string()));
}
