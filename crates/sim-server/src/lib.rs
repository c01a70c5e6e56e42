//! sim-server: gen_server-style calls and typed messages for processes of an
//! erpc-sim simulation.
//!
//! - [`call`], [`cast`], [`reply`]: OTP 25's `gen_server:call/3`, `cast/2` and
//!   `reply/2`, with the same messages and the same exits (see [`call`]);
//!   [`call_as`] takes and returns Rust types.
//! - [`Request`], [`next`], [`serve`]: the server side, a message sorted into
//!   call, cast or info, and a loop over a handler.
//! - [`to_term`], [`from_term`]: serde conversion between Rust values and
//!   [`Term`](sim_core::Term), so messages can be typed structs and enums.
//! - [`receive_as`], [`recv_as`]: selective receive of the oldest message that
//!   reads as a Rust type.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use sim_core::{Sim, Term, Timeout};
//! use sim_server::Request;
//!
//! #[derive(Serialize, Deserialize)]
//! #[serde(rename_all = "snake_case")]
//! enum Kv { Put { key: String, value: i64 }, Get(String) }
//!
//! let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
//! sim.spawn_background("b@sim", |cx| async move {
//!     cx.register("kv", cx.self_pid()).await?;
//!     let mut store = std::collections::BTreeMap::new();
//!     loop {
//!         if let Request::Call { req, from } = sim_server::next(&cx).await {
//!             let answer = match sim_server::from_term(&req)? {
//!                 Kv::Put { key, value } => sim_server::to_term(&store.insert(key, value))?,
//!                 Kv::Get(key) => sim_server::to_term(&store.get(&key))?,
//!             };
//!             sim_server::reply(&cx, &from, answer).await;
//!         }
//!     }
//! }).unwrap();
//! sim.spawn("a@sim", |cx| async move {
//!     cx.sleep(sim_core::Time::ms(1)).await;
//!     let kv = ("kv", "b@sim");
//!     let put = Kv::Put { key: "x".into(), value: 1 };
//!     let old: Option<i64> = sim_server::call_as(&cx, kv, &put, Timeout::ms(100)).await?;
//!     let now: Option<i64> = sim_server::call_as(&cx, kv, &Kv::Get("x".into()), Timeout::ms(100)).await?;
//!     cx.check(old.is_none() && now == Some(1), "put, then get")?;
//!     Ok(Term::atom("ok"))
//! }).unwrap();
//! sim.run().assert_ok();
//! ```
//!
//! ## How Rust values map to terms
//!
//! | Rust (serde data model) | term |
//! | --- | --- |
//! | `bool` | `true`, `false` |
//! | integers | integer; beyond `i64` (and out of the type's range when read) an [`Error::IntegerRange`] |
//! | `f32`, `f64` | float; NaN and infinities are [`Error::NonFiniteFloat`] |
//! | `char` | its code point, an integer |
//! | `String`, `&str` | UTF-8 binary `<<"...">>` |
//! | bytes (`serde_bytes`) | binary |
//! | `Option<T>` | `undefined` or the value itself |
//! | `()` | `ok` |
//! | unit struct `Stop` | atom `'Stop'` |
//! | newtype struct `Id(T)` | the value itself |
//! | tuple, tuple struct | tuple |
//! | `Vec<T>`, sequences | proper list |
//! | maps | map (keys any term) |
//! | struct `S { a, b }` | map with atom keys `#{a => .., b => ..}` |
//! | unit variant `E::A` | atom `'A'` |
//! | newtype variant `E::A(x)` | `{'A', X}` |
//! | tuple variant `E::A(x, y)` | `{'A', X, Y}` |
//! | struct variant `E::A { f }` | `{'A', #{f => ..}}` |
//! | [`Term`](sim_core::Term), [`Pid`](sim_core::Pid), [`Ref`](sim_core::Ref) | the term, pid or reference itself |
//! | [`Atom`](sim_core::Atom) | a binary of its name (read back from an atom or a binary) |
//!
//! Names are used as written: `#[serde(rename_all = "snake_case")]` on an enum
//! gives the atoms Erlang code uses (`ping`, `{put, ...}`). For an atom-valued
//! field use a unit-variant enum or a `Term`. `None` and `Some(None)` both map
//! to `undefined`, so a nested `Option` does not round-trip; neither does an
//! enum with a unit variant named `undefined` inside an `Option`. Reading is
//! strict: a list is not a tuple, an integer is not a float, a sequence of the
//! wrong length or a map without a required key is an error naming what was
//! found. Unknown map keys are ignored unless the type denies them.
//!
//! Modules (private; everything is re-exported here): `error` ([`Error`]),
//! `ser` and `de` (the serde mapping), `call` (the client side), `request`
//! (the server side), `recv` (typed receive).
#![forbid(unsafe_code)]
#![deny(missing_docs, missing_debug_implementations)]

mod call;
mod de;
mod error;
mod recv;
mod request;
mod ser;

pub use call::{call, call_as, cast, reply, Caller};
pub use de::from_term;
pub use error::Error;
pub use recv::{receive_as, recv_as};
pub use request::{next, serve, Request};
pub use ser::to_term;
