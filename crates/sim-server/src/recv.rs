//! Typed selective receive: the oldest message that reads as a Rust type.

use crate::de::from_term;
use serde::de::DeserializeOwned;
use sim_core::{Cx, Timeout};

/// `receive` of the oldest message that [`from_term`] reads as `T`, or `None`
/// when `timeout` passes first. Messages of other shapes stay queued in order,
/// as with any selective receive. With an enum `T` this is a `receive` with one
/// clause per variant.
///
/// ```
/// use serde::Deserialize;
/// use sim_core::{Sim, Term, Timeout};
///
/// #[derive(Deserialize, Debug, PartialEq)]
/// #[serde(rename_all = "snake_case")]
/// enum Msg { Ping(i64), Stop }
///
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let me = cx.self_pid();
///     cx.send(me, Term::atom("noise")).await?;
///     cx.send(me, "{ping,7}".parse::<Term>().unwrap()).await?;
///     let got = sim_server::receive_as::<Msg>(&cx, Timeout::ms(10)).await;
///     cx.check(got == Some(Msg::Ping(7)), "the ping, past the noise")?;
///     cx.check(sim_server::receive_as::<Msg>(&cx, Timeout::ms(10)).await.is_none(), "no more")?;
///     cx.check(cx.mailbox() == vec![Term::atom("noise")], "noise left queued")?;
///     Ok(Term::atom("ok"))
/// }).unwrap();
/// sim.run().assert_ok();
/// ```
pub async fn receive_as<T: DeserializeOwned>(cx: &Cx, timeout: Timeout) -> Option<T> {
    let msg = cx
        .receive_timeout(|m| from_term::<T>(m).is_ok(), timeout)
        .await?;
    from_term(&msg).ok()
}

/// [`receive_as`] waiting as long as it takes.
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     cx.send(cx.self_pid(), Term::atom("x")).await?;
///     cx.send(cx.self_pid(), Term::Int(4)).await?;
///     let n: i64 = sim_server::recv_as(&cx).await;
///     cx.check(n == 4, "the integer")?;
///     Ok(Term::Int(n))
/// }).unwrap();
/// sim.run().assert_ok();
/// ```
pub async fn recv_as<T: DeserializeOwned>(cx: &Cx) -> T {
    loop {
        let msg = cx.receive(|m| from_term::<T>(m).is_ok()).await;
        if let Ok(v) = from_term(&msg) {
            return v;
        }
    }
}
