//! The caller-side half of erpc, as OTP's `result/4` and `call_abandon/1`:
//! recognise the reply messages of a request (`{spawn_reply, Req, error, R}`
//! and `{'DOWN', Req, process, Pid, Reason}`), decode them into an outcome, and
//! abandon a request on timeout.

use crate::exception::{ErpcError, Error, Exception, Exit};
use sim_core::{Cx, Frame, Ref, Term, Timeout};

/// The request a reply message answers, if `msg` is one. A spawn refusal
/// counts only with a reason sim-core gives (`noconnection`, `notsup`,
/// `system_limit`); any other such message is foreign.
pub(crate) fn reply_ref(msg: &Term) -> Option<Ref> {
    let Term::Tuple(t) = msg else {
        return None;
    };
    match t.as_slice() {
        [tag, Term::Ref(r), kind, reason]
            if tag.is_atom("spawn_reply")
                && kind.is_atom("error")
                && ErpcError::from_term(reason).is_some() =>
        {
            Some(*r)
        }
        [tag, Term::Ref(r), kind, _, _] if tag.is_atom("DOWN") && kind.is_atom("process") => {
            Some(*r)
        }
        _ => None,
    }
}

/// Whether `msg` is the reply to request `req`.
pub(crate) fn is_reply_to(msg: &Term, req: Ref) -> bool {
    reply_ref(msg) == Some(req)
}

/// Decodes a reply message (see [`reply_ref`]) of a request whose applier
/// tags its result with `res`. The message is taken: the value moves out of
/// it rather than being copied.
pub(crate) fn decode(msg: Term, res: Ref) -> Result<Term, Exception> {
    let mut msg = msg;
    match &mut msg {
        Term::Tuple(t) if t.len() == 5 => decode_down(std::mem::take(&mut t[4]), res),
        Term::Tuple(t) if t.len() == 4 => match ErpcError::from_term(&t[3]) {
            Some(e) => Err(Exception::erpc(e)),
            None => Err(Exception::erpc(ErpcError::Badarg)),
        },
        // Only reply messages reach here.
        _ => Err(Exception::erpc(ErpcError::Badarg)),
    }
}

/// The `'DOWN'` reason: one of the applier's four tagged exits, `noconnection`,
/// or the reason of an exit signal that killed it.
fn decode_down(reason: Term, res: Ref) -> Result<Term, Exception> {
    let mut reason = reason;
    if let Term::Tuple(t) = &mut reason {
        if matches!(t.first(), Some(Term::Ref(r)) if *r == res) {
            match &mut t[1..] {
                [tag, v] if tag.is_atom("return") => return Ok(std::mem::take(v)),
                [tag, v] if tag.is_atom("throw") => {
                    return Err(Exception::Throw(std::mem::take(v)))
                }
                [tag, r] if tag.is_atom("exit") => {
                    return Err(Exception::Exit(Exit::Exception(std::mem::take(r))))
                }
                [tag, r, Term::List(stack)] if tag.is_atom("error") => {
                    return Err(Exception::Error(Error::Exception {
                        reason: std::mem::take(r),
                        stack: stack.iter().filter_map(Frame::from_term).collect(),
                    }))
                }
                [tag, Term::Tuple(e)] if tag.is_atom("error") && e.len() == 2 => {
                    if let (true, Some(err)) = (e[0].is_atom("erpc"), ErpcError::from_term(&e[1])) {
                        return Err(Exception::erpc(err));
                    }
                }
                _ => {}
            }
        }
    }
    if reason.is_atom("noconnection") {
        return Err(Exception::erpc(ErpcError::Noconnection));
    }
    Err(Exception::Exit(Exit::Signal(reason)))
}

/// `call_abandon/1`: `true` if the request was still outstanding (nothing will
/// ever arrive for it now), `false` if its reply already arrived or the id is
/// unknown. An abandoned request is noted in the trace under `res`, the key
/// its applier labels itself with.
pub(crate) async fn abandon(cx: &Cx, req: Ref, res: Ref) -> bool {
    let abandoned = cx.spawn_request_abandon(req) || cx.demonitor(req).await;
    if abandoned {
        cx.note("timeout", "erpc timeout: request abandoned", Some(res));
    }
    abandoned
}

/// `result(timeout, ...)`: abandon; if the reply had already arrived, return it
/// instead of the timeout; if there is nothing at all, the id was stale.
pub(crate) async fn timed_out(cx: &Cx, req: Ref, res: Ref) -> Result<Term, Exception> {
    if abandon(cx, req, res).await {
        return Err(Exception::erpc(ErpcError::Timeout));
    }
    match cx
        .receive_timeout(move |m| is_reply_to(m, req), Timeout::Ms(0))
        .await
    {
        Some(msg) => decode(msg, res),
        None => Err(Exception::erpc(ErpcError::Badarg)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: u64) -> Ref {
        Ref::from_counter(0, n)
    }

    fn down(req: Ref, reason: Term) -> Term {
        Term::tuple([
            Term::atom("DOWN"),
            Term::Ref(req),
            Term::atom("process"),
            Term::atom("pid"),
            reason,
        ])
    }

    #[test]
    fn down_reasons_decode_like_otp_result_4() {
        let (req, res) = (r(1), r(2));
        let tagged = |tag: &str, v: Term| Term::tuple([Term::Ref(res), Term::atom(tag), v]);
        let x = Term::atom("x");
        let cases = [
            (tagged("return", x.clone()), "{ok,x}"),
            (tagged("throw", x.clone()), "{throw,x}"),
            (tagged("exit", x.clone()), "{exit,{exception,x}}"),
            (
                Term::tuple([
                    Term::Ref(res),
                    Term::atom("error"),
                    x.clone(),
                    Term::List(vec![Frame::new("m", "f", 0).to_term()]),
                ]),
                "{error,{exception,x,[{m,f,0,[]}]}}",
            ),
            (Term::atom("noconnection"), "{error,{erpc,noconnection}}"),
            (Term::atom("killed"), "{exit,{signal,killed}}"),
            // Tagged with another request's reference: just an exit reason.
            (
                Term::tuple([Term::Ref(r(9)), Term::atom("return"), x.clone()]),
                "{exit,{signal,{#Ref<0.0.0.9>,return,x}}}",
            ),
        ];
        for (reason, want) in cases {
            let got = match decode(down(req, reason), res) {
                Ok(v) => Term::tuple([Term::atom("ok"), v]),
                Err(e) => e.to_term(),
            };
            assert_eq!(got.to_string(), want);
        }
    }

    #[test]
    fn spawn_reply_errors_become_erpc_errors() {
        let msg = Term::tuple([
            Term::atom("spawn_reply"),
            Term::Ref(r(1)),
            Term::atom("error"),
            Term::atom("notsup"),
        ]);
        assert!(is_reply_to(&msg, r(1)));
        assert!(!is_reply_to(&msg, r(2)));
        assert_eq!(decode(msg, r(2)), Err(Exception::erpc(ErpcError::Notsup)));
    }

    #[test]
    fn foreign_messages_are_not_replies() {
        let spawn_reply = |kind: &str, reason: Term| {
            Term::tuple([
                Term::atom("spawn_reply"),
                Term::Ref(r(1)),
                Term::atom(kind),
                reason,
            ])
        };
        for m in [
            spawn_reply("ok", Term::Int(1)),
            spawn_reply("error", Term::atom("not_a_refusal")),
            Term::atom("x"),
            Term::tuple([
                Term::atom("DOWN"),
                Term::Ref(r(1)),
                Term::atom("port"),
                Term::Int(1),
                Term::Int(1),
            ]),
        ] {
            assert_eq!(reply_ref(&m), None);
        }
    }
}
