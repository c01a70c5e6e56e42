//! Misuse never panics: it is silent or raises what OTP raises.

use crate::{run_on_a, value, A, B};
use erpc_sim::core::{SimError, SpawnOpts};
use erpc_sim::prelude::*;

#[test]
fn sending_to_dead_pid_is_silent() {
    let r = run_on_a(0, |cx| async move {
        let (local, _) = cx.spawn_monitor(|_| async move { Ok(atom!("ok")) }).await?;
        let (remote, _) = cx
            .spawn_monitor_on(B, |_| async move { Ok(atom!("ok")) })
            .await?;
        cx.recv().await;
        cx.recv().await;
        cx.send(local, atom!("hello")).await?;
        cx.send(remote, atom!("hello")).await?;
        // A pid of a node the simulation does not have.
        cx.send(Pid::new(99, 1, 1), atom!("hello")).await?;
        // A name nobody has on a node, and a node nobody runs.
        cx.send(("nobody", B), atom!("hello")).await?;
        cx.send(("nobody", "nx@sim"), atom!("hello")).await?;
        Ok(Term::from(
            cx.receive_timeout(|_| true, Timeout::ms(100))
                .await
                .is_none(),
        ))
    });
    assert_eq!(value(&r), Term::from(true));
}

#[test]
fn unregistering_twice_is_badarg() {
    let r = run_on_a(0, |cx| async move {
        cx.register("me", cx.self_pid()).await?;
        cx.unregister("me").await?;
        let e = cx.unregister("me").await.expect_err("second unregister");
        Ok(e.class_reason())
    });
    assert_eq!(value(&r).to_string(), "{error,badarg}");
}

#[test]
fn registering_taken_name_is_badarg() {
    let r = run_on_a(0, |cx| async move {
        let other = cx.spawn(crate::forever).await?;
        cx.register("taken", other).await?;
        let taken = cx
            .register("taken", cx.self_pid())
            .await
            .expect_err("taken");
        // ... and so are a second name for one pid, and the name `undefined`.
        let second = cx.register("again", other).await.expect_err("named");
        let undefined = cx
            .register("undefined", cx.self_pid())
            .await
            .expect_err("undefined");
        cx.exit(other, atom!("kill")).await;
        Ok(list![
            taken.class_reason(),
            second.class_reason(),
            undefined.class_reason()
        ])
    });
    assert_eq!(
        value(&r).to_string(),
        "[{error,badarg},{error,badarg},{error,badarg}]"
    );
}

#[test]
fn spawning_on_unknown_node() {
    let mut sim = Sim::builder().nodes([A, B]).build().unwrap();
    // From the test: a typed error.
    let err = sim
        .spawn("nx@sim", |_| async move { Ok(atom!("ok")) })
        .unwrap_err();
    assert_eq!(err, SimError::UnknownNode("nx@sim".into()));
    // From a process: OTP's answers, never a panic.
    sim.spawn(A, |cx| async move {
        let standin = cx
            .spawn_on("nx@sim", |_| async move { Ok(atom!("ok")) })
            .await?;
        cx.check(standin.node() == cx.node_id(), "a local stand-in")?;
        let r = cx
            .spawn_request(
                "nx@sim",
                |_| async move { Ok(atom!("ok")) },
                SpawnOpts::default(),
            )
            .await;
        let reply = cx.recv().await;
        let want = tuple![
            atom!("spawn_reply"),
            r,
            atom!("error"),
            atom!("noconnection")
        ];
        cx.check(reply == want, format!("{reply}"))?;
        let (_, m) = cx
            .spawn_apply_on(
                "nx@sim",
                "erlang",
                "node",
                vec![],
                SpawnOpts {
                    monitor: true,
                    ..SpawnOpts::default()
                },
            )
            .await?;
        let d = cx.recv().await;
        cx.check(
            d.as_tuple()
                .is_some_and(|t| t[1] == Term::Ref(m.unwrap()) && t[4].is_atom("noconnection")),
            format!("{d}"),
        )?;
        Ok(atom!("ok"))
    })
    .unwrap();
    sim.run().assert_ok();
}
