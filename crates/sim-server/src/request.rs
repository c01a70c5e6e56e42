//! The server side: what a message to a gen_server-style process is
//! ([`Request`]), taking the next one ([`next`]), and a loop that answers
//! calls with what a handler returns ([`serve`]).

use crate::call::{reply, Caller};
use sim_core::{Cx, Exception, Term};
use std::future::Future;

/// A message as a gen_server sorts it: a call to answer, a cast, or anything
/// else (`handle_info`).
///
/// ```
/// use sim_core::Term;
/// use sim_server::Request;
/// let cast: Term = "{'$gen_cast',hello}".parse().unwrap();
/// assert_eq!(Request::from_message(cast), Request::Cast(Term::atom("hello")));
/// assert_eq!(Request::from_message(Term::Int(1)), Request::Info(Term::Int(1)));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// `{'$gen_call', From, Req}`: answer with [`reply`].
    Call {
        /// The request.
        req: Term,
        /// Who to answer.
        from: Caller,
    },
    /// `{'$gen_cast', Req}`.
    Cast(Term),
    /// Any other message.
    Info(Term),
}

impl Request {
    /// Sorts one message.
    ///
    /// ```
    /// use sim_core::Term;
    /// use sim_server::Request;
    /// let m: Term = "{'$gen_call',{<0.1.0>,t},ping}".parse().unwrap();
    /// assert!(matches!(Request::from_message(m), Request::Call { req, .. } if req == Term::atom("ping")));
    /// ```
    pub fn from_message(msg: Term) -> Request {
        if let Some([tag, from, req]) = msg.as_tuple() {
            if tag.is_atom("$gen_call") {
                if let Some(from) = Caller::from_term(from) {
                    return Request::Call {
                        req: req.clone(),
                        from,
                    };
                }
            }
        }
        if let Some([tag, req]) = msg.as_tuple() {
            if tag.is_atom("$gen_cast") {
                return Request::Cast(req.clone());
            }
        }
        Request::Info(msg)
    }

    /// The request or message itself, whichever kind it is.
    ///
    /// ```
    /// use sim_core::Term;
    /// assert_eq!(sim_server::Request::Info(Term::Int(3)).body(), &Term::Int(3));
    /// ```
    pub fn body(&self) -> &Term {
        match self {
            Request::Call { req, .. } => req,
            Request::Cast(req) | Request::Info(req) => req,
        }
    }
}

/// Takes the oldest message, waiting as long as it takes, sorted as a
/// [`Request`].
///
/// ```
/// use sim_core::{Sim, Term};
/// use sim_server::Request;
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     sim_server::cast(&cx, cx.self_pid(), Term::Int(1)).await;
///     let r = sim_server::next(&cx).await;
///     cx.check(r == Request::Cast(Term::Int(1)), "a cast")?;
///     Ok(Term::atom("ok"))
/// }).unwrap();
/// sim.run().assert_ok();
/// ```
pub async fn next(cx: &Cx) -> Request {
    Request::from_message(cx.recv().await)
}

/// A server loop: takes each message in arrival order and hands it, with the
/// state, to `handle`, which returns the new state and, for a call, the reply
/// (`None` leaves the call unanswered, to [`reply`] to later). An `Err` from
/// `handle` ends the server with that exception, as a crash in a callback
/// ends a gen_server; `Err(Exception::exit(Term::atom("normal")))` stops it.
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// use sim_server::Request;
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// sim.spawn_background("a@sim", |cx| async move {
///     cx.register("counter", cx.self_pid()).await?;
///     sim_server::serve(&cx, 0_i64, |_cx, n, req| async move {
///         match req {
///             Request::Cast(by) => Ok((n + by.as_int().unwrap_or(0), None)),
///             Request::Call { .. } => Ok((n, Some(Term::Int(n)))),
///             Request::Info(_) => Ok((n, None)),
///         }
///     }).await
/// }).unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     cx.sleep(sim_core::Time::ms(1)).await;
///     sim_server::cast(&cx, "counter", Term::Int(5)).await;
///     let n = sim_server::call(&cx, "counter", Term::atom("get"), Timeout::ms(100)).await?;
///     cx.check(n == Term::Int(5), "cast, then call, in order")?;
///     Ok(n)
/// }).unwrap();
/// sim.run().assert_ok();
/// ```
pub async fn serve<S, F, Fut>(cx: &Cx, mut state: S, mut handle: F) -> Result<Term, Exception>
where
    F: FnMut(Cx, S, Request) -> Fut,
    Fut: Future<Output = Result<(S, Option<Term>), Exception>>,
{
    loop {
        let request = next(cx).await;
        let from = match &request {
            Request::Call { from, .. } => Some(from.clone()),
            _ => None,
        };
        let (next_state, answer) = handle(cx.clone(), state, request).await?;
        state = next_state;
        if let (Some(from), Some(answer)) = (from, answer) {
            reply(cx, &from, answer).await;
        }
    }
}
