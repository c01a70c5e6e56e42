//! Request id collections (OTP 25): `reqids_new/0`, `reqids_add/3`,
//! `reqids_size/1`, `reqids_to_list/1`, `send_request/4,6` with a label, and the
//! collection forms `receive_response/3`, `wait_response/3`,
//! `check_response/3` with their `Delete` flag.

use crate::exception::{ErpcError, Exception};
use crate::execute::Applied;
use crate::request::{send_applied, RequestId};
use crate::result::{abandon, decode, is_reply_to, reply_ref};
use crate::timeout::timeout_value;
use indexmap::IndexMap;
use sim_core::{Atom, Class, Cx, Exception as CoreException, NodeRef, Ref, Term, Timeout};
use std::fmt;
use std::future::Future;

/// Outstanding requests, each with a label (OTP's opaque
/// `request_id_collection()`).
///
/// It is a value: the operations take a collection and give back a new one,
/// as in OTP. Two collections are equal when they hold the same ids with the
/// same labels. As a term it is OTP's map `#{ReqId => [Res | Label]}`.
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim", "c@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let mut coll = sim_erpc::reqids_new();
///     for n in ["b@sim", "c@sim"] {
///         coll = sim_erpc::send_request_labelled(&cx, n, "erlang", "node", vec![], Term::atom(n), &coll).await;
///     }
///     let mut got = Vec::new();
///     while let sim_erpc::ReceiveResult::Response(r) =
///         sim_erpc::receive_response_coll(&cx, &coll, Timeout::Infinity, true).await?
///     {
///         cx.check(r.value == r.label, "each node answers its own name")?;
///         got.push(r.value);
///         coll = r.coll;
///     }
///     Ok(Term::Int(got.len() as i64))
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::Int(2)));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestIdCollection {
    /// Keyed by the spawn request's reference (what replies carry), as OTP.
    map: IndexMap<Ref, (Ref, Term)>,
}

impl RequestIdCollection {
    /// The number of ids (`reqids_size/1`).
    ///
    /// ```
    /// assert_eq!(sim_erpc::reqids_new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the collection holds no id.
    ///
    /// ```
    /// assert!(sim_erpc::reqids_new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// OTP's map `#{ReqId => [Res | Label]}` (the empty collection is `#{}`).
    ///
    /// ```
    /// assert_eq!(sim_erpc::reqids_new().to_term().to_string(), "#{}");
    /// ```
    pub fn to_term(&self) -> Term {
        Term::map(self.map.iter().map(|(req, (res, label))| {
            (
                Term::Ref(*req),
                Term::improper_list([Term::Ref(*res)], label.clone()),
            )
        }))
    }

    /// Reads a collection back from its map term; anything else is
    /// `{erpc, badarg}` (OTP's check on collection arguments).
    ///
    /// ```
    /// use sim_core::Term;
    /// use sim_erpc::{ErpcError, RequestIdCollection};
    /// let empty = RequestIdCollection::from_term(&Term::map(Vec::<(Term, Term)>::new())).unwrap();
    /// assert!(empty.is_empty());
    /// let e = RequestIdCollection::from_term(&Term::atom("not_a_map")).unwrap_err();
    /// assert_eq!(e.erpc_error(), Some(ErpcError::Badarg));
    /// ```
    pub fn from_term(t: &Term) -> Result<RequestIdCollection, Exception> {
        let Term::Map(m) = t else {
            return Err(Exception::badarg());
        };
        let mut map = IndexMap::new();
        for (k, v) in m {
            let Term::Ref(req) = k else {
                return Err(Exception::badarg());
            };
            let (res, label) = match v {
                Term::List(items) => match items.split_first() {
                    Some((Term::Ref(res), rest)) => (*res, Term::List(rest.to_vec())),
                    _ => return Err(Exception::badarg()),
                },
                Term::ImproperList(items, tail) => match items.split_first() {
                    Some((Term::Ref(res), rest)) => (
                        *res,
                        Term::improper_list(rest.to_vec(), tail.as_ref().clone()),
                    ),
                    _ => return Err(Exception::badarg()),
                },
                _ => return Err(Exception::badarg()),
            };
            map.insert(*req, (res, label));
        }
        Ok(RequestIdCollection { map })
    }

    /// The labels, in the order the ids were added.
    ///
    /// ```
    /// assert!(sim_erpc::reqids_new().labels().is_empty());
    /// ```
    pub fn labels(&self) -> Vec<Term> {
        self.map.values().map(|(_, l)| l.clone()).collect()
    }

    fn contains(&self, req: Ref) -> bool {
        self.map.contains_key(&req)
    }

    /// Every id of the collection, in the order they were added.
    fn ids(&self) -> impl Iterator<Item = RequestId> + '_ {
        self.map.iter().map(|(req, (res, _))| RequestId {
            res: *res,
            req: *req,
        })
    }

    /// The label of `req` and the collection after it (without it if `delete`).
    fn take(&self, req: Ref, delete: bool) -> Option<(Ref, Term, RequestIdCollection)> {
        let (res, label) = self.map.get(&req)?.clone();
        let mut rest = self.clone();
        if delete {
            rest.map.shift_remove(&req);
        }
        Some((res, label, rest))
    }
}

/// `erpc:reqids_new()`: an empty collection.
///
/// ```
/// assert_eq!(sim_erpc::reqids_size(&sim_erpc::reqids_new()), 0);
/// ```
pub fn reqids_new() -> RequestIdCollection {
    RequestIdCollection::default()
}

/// `erpc:reqids_add(RequestId, Label, Collection)`: a new collection that also
/// holds `id` with `label`; `{erpc, badarg}` if `id` is already in it.
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// use sim_erpc::ErpcError;
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let id = sim_erpc::send_request(&cx, "b@sim", "erlang", "node", vec![]).await;
///     let coll = sim_erpc::reqids_add(id, Term::atom("a"), &sim_erpc::reqids_new())?;
///     let twice = sim_erpc::reqids_add(id, Term::atom("b"), &coll);
///     cx.check(twice.unwrap_err().erpc_error() == Some(ErpcError::Badarg), "duplicate")?;
///     Ok(sim_erpc::receive_response(&cx, id, Timeout::Infinity).await?)
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::atom("b@sim")));
/// ```
pub fn reqids_add(
    id: RequestId,
    label: Term,
    coll: &RequestIdCollection,
) -> Result<RequestIdCollection, Exception> {
    if coll.contains(id.req) {
        return Err(Exception::badarg());
    }
    let mut new = coll.clone();
    new.map.insert(id.req, (id.res, label));
    Ok(new)
}

/// `erpc:reqids_size(Collection)`: how many ids it holds.
///
/// ```
/// assert_eq!(sim_erpc::reqids_size(&sim_erpc::reqids_new()), 0);
/// ```
pub fn reqids_size(coll: &RequestIdCollection) -> usize {
    coll.len()
}

/// `erpc:reqids_to_list(Collection)`: every `(RequestId, Label)` pair, in the
/// order they were added. The ids work with the single-id functions too.
///
/// ```
/// assert!(sim_erpc::reqids_to_list(&sim_erpc::reqids_new()).is_empty());
/// ```
pub fn reqids_to_list(coll: &RequestIdCollection) -> Vec<(RequestId, Term)> {
    coll.ids()
        .zip(coll.map.values())
        .map(|(id, (_, label))| (id, label.clone()))
        .collect()
}

/// `erpc:send_request(Node, Module, Function, Args, Label, Collection)`:
/// [`crate::send_request`], the id added to a copy of `coll` with `label`.
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let coll = sim_erpc::send_request_labelled(&cx, "b@sim", "erlang", "node", vec![],
///                                                Term::atom("b"), &sim_erpc::reqids_new()).await;
///     Ok(Term::Int(coll.len() as i64))
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::Int(1)));
/// ```
pub async fn send_request_labelled(
    cx: &Cx,
    node: impl Into<NodeRef>,
    module: impl Into<Atom>,
    function: impl Into<Atom>,
    args: Vec<Term>,
    label: Term,
    coll: &RequestIdCollection,
) -> RequestIdCollection {
    let what = Applied::mfa(module.into(), function.into(), args);
    let id = send_applied(cx, node.into(), what).await;
    add_fresh(id, label, coll)
}

/// `erpc:send_request(Node, Fun, Label, Collection)`: [`crate::send_request_fun`],
/// the id added to a copy of `coll` with `label`.
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let coll = sim_erpc::send_request_fun_labelled(&cx, "b@sim", |_c| async move { Ok(Term::Int(7)) },
///                                                    Term::atom("seven"), &sim_erpc::reqids_new()).await;
///     let got = sim_erpc::receive_response_coll(&cx, &coll, Timeout::Infinity, true).await?;
///     Ok(got.to_term())
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("{7,seven,#{}}".to_string()));
/// ```
pub async fn send_request_fun_labelled<F, Fut>(
    cx: &Cx,
    node: impl Into<NodeRef>,
    fun: F,
    label: Term,
    coll: &RequestIdCollection,
) -> RequestIdCollection
where
    F: FnOnce(Cx) -> Fut + 'static,
    Fut: Future<Output = Result<Term, CoreException>> + 'static,
{
    let id = send_applied(cx, node.into(), Applied::fun(fun)).await;
    add_fresh(id, label, coll)
}

/// Adds an id that was just made (so it cannot be in the collection yet).
fn add_fresh(id: RequestId, label: Term, coll: &RequestIdCollection) -> RequestIdCollection {
    let mut new = coll.clone();
    new.map.insert(id.req, (id.res, label));
    new
}

/// A response taken out of a collection: the value, its request's label, and
/// the collection after it (without the request when `delete` was `true`,
/// otherwise equal to the one given).
///
/// ```
/// use sim_core::Term;
/// let r = sim_erpc::Response { value: Term::Int(1), label: Term::atom("l"), coll: sim_erpc::reqids_new() };
/// assert_eq!(r.coll.len(), 0);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// What the applied function returned.
    pub value: Term,
    /// The label the request was added with.
    pub label: Term,
    /// The collection after this response.
    pub coll: RequestIdCollection,
}

/// What [`receive_response_coll`] returns (`receive_response/3`).
///
/// ```
/// use sim_erpc::ReceiveResult;
/// assert_eq!(ReceiveResult::NoRequest.to_term().to_string(), "no_request");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum ReceiveResult {
    /// `{Value, Label, NewCollection}`.
    Response(Response),
    /// The collection was empty: `no_request`.
    NoRequest,
}

impl ReceiveResult {
    /// `{Value, Label, NewCollection}` or `no_request`.
    ///
    /// ```
    /// use sim_core::Term;
    /// use sim_erpc::{ReceiveResult, Response};
    /// let r = ReceiveResult::Response(Response { value: Term::Int(1), label: Term::atom("l"), coll: sim_erpc::reqids_new() });
    /// assert_eq!(r.to_term().to_string(), "{1,l,#{}}");
    /// ```
    pub fn to_term(&self) -> Term {
        match self {
            ReceiveResult::Response(r) => {
                Term::tuple([r.value.clone(), r.label.clone(), r.coll.to_term()])
            }
            ReceiveResult::NoRequest => Term::atom("no_request"),
        }
    }
}

/// What [`wait_response_coll`] and [`check_response_coll`] return
/// (`wait_response/3`, `check_response/3`).
///
/// ```
/// use sim_erpc::PollResult;
/// assert_eq!(PollResult::NoResponse.to_term().to_string(), "no_response");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum PollResult {
    /// `{{response, Value}, Label, NewCollection}`.
    Response(Response),
    /// Nothing (yet) for any request of the collection: `no_response`.
    NoResponse,
    /// The collection was empty: `no_request`.
    NoRequest,
}

impl PollResult {
    /// `{{response, Value}, Label, NewCollection}`, `no_response` or
    /// `no_request`.
    ///
    /// ```
    /// use sim_core::Term;
    /// use sim_erpc::{PollResult, Response};
    /// let r = PollResult::Response(Response { value: Term::Int(1), label: Term::atom("l"), coll: sim_erpc::reqids_new() });
    /// assert_eq!(r.to_term().to_string(), "{{response,1},l,#{}}");
    /// ```
    pub fn to_term(&self) -> Term {
        match self {
            PollResult::Response(r) => Term::tuple([
                Term::tuple([Term::atom("response"), r.value.clone()]),
                r.label.clone(),
                r.coll.to_term(),
            ]),
            PollResult::NoResponse => Term::atom("no_response"),
            PollResult::NoRequest => Term::atom("no_request"),
        }
    }
}

/// An exception from a collection operation.
///
/// A failure of one request is raised, as OTP does, with its original class
/// and the reason `{Reason, Label, NewCollection}`; `{erpc, badarg}` and
/// `{erpc, timeout}` belong to no request and are raised as they are.
///
/// ```
/// use sim_core::Term;
/// use sim_erpc::{CollectionError, ErpcError, Exception, Exit};
/// let e = CollectionError {
///     exception: Exception::Exit(Exit::Exception(Term::atom("x"))),
///     request: Some(Box::new((Term::atom("l"), sim_erpc::reqids_new()))),
/// };
/// assert_eq!(e.to_string(), "{exit,{{exception,x},l,#{}}}");
/// let plain = CollectionError::from(Exception::erpc(ErpcError::Timeout));
/// assert_eq!(plain.to_string(), "{error,{erpc,timeout}}");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CollectionError {
    /// What the single-id function would have raised.
    pub exception: Exception,
    /// The failed request's label and the collection after it; `None` for
    /// `{erpc, badarg}` and `{erpc, timeout}`.
    pub request: Option<Box<(Term, RequestIdCollection)>>,
}

impl CollectionError {
    /// The class: the one of `exception`.
    ///
    /// ```
    /// use sim_core::Class;
    /// use sim_erpc::{CollectionError, ErpcError, Exception};
    /// assert_eq!(CollectionError::from(Exception::erpc(ErpcError::Badarg)).class(), Class::Error);
    /// ```
    pub fn class(&self) -> Class {
        self.exception.class()
    }

    /// The reason OTP raises: `{Reason, Label, NewCollection}`, or the plain
    /// reason when no request is named.
    ///
    /// ```
    /// use sim_core::Term;
    /// use sim_erpc::{CollectionError, Exception};
    /// let e = CollectionError { exception: Exception::Throw(Term::atom("t")), request: Some(Box::new((Term::atom("l"), sim_erpc::reqids_new()))) };
    /// assert_eq!(e.reason().to_string(), "{t,l,#{}}");
    /// ```
    pub fn reason(&self) -> Term {
        let reason = self.exception.reason();
        match self.request.as_deref() {
            Some((label, coll)) => Term::tuple([reason, label.clone(), coll.to_term()]),
            None => reason,
        }
    }

    /// `{Class, Reason}`.
    ///
    /// ```
    /// use sim_erpc::{CollectionError, ErpcError, Exception};
    /// let e = CollectionError::from(Exception::erpc(ErpcError::Badarg));
    /// assert_eq!(e.to_term().to_string(), "{error,{erpc,badarg}}");
    /// ```
    pub fn to_term(&self) -> Term {
        Term::tuple([Term::Atom(self.class().atom()), self.reason()])
    }
}

impl From<Exception> for CollectionError {
    fn from(exception: Exception) -> CollectionError {
        CollectionError {
            exception,
            request: None,
        }
    }
}

impl fmt::Display for CollectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_term())
    }
}

/// Re-raises in the caller with the same class and reason.
///
/// ```
/// use sim_erpc::{CollectionError, ErpcError, Exception};
/// let core: sim_core::Exception = CollectionError::from(Exception::erpc(ErpcError::Timeout)).into();
/// assert_eq!(core.to_string(), "error:{erpc,timeout}");
/// ```
impl From<CollectionError> for CoreException {
    fn from(e: CollectionError) -> CoreException {
        CoreException {
            class: e.class(),
            reason: e.reason(),
            stack: Vec::new(),
        }
    }
}

/// `collection_result/6`: the decoded reply of the request `req` of `coll`.
fn collection_result(
    msg: Term,
    req: Ref,
    coll: &RequestIdCollection,
    delete: bool,
) -> Result<Response, CollectionError> {
    let Some((res, label, rest)) = coll.take(req, delete) else {
        return Err(Exception::badarg().into());
    };
    match decode(msg, res) {
        Ok(value) => Ok(Response {
            value,
            label,
            coll: rest,
        }),
        Err(exception) => Err(CollectionError {
            exception,
            request: Some(Box::new((label, rest))),
        }),
    }
}

fn matcher(coll: &RequestIdCollection) -> impl FnMut(&Term) -> bool + '_ {
    move |m| reply_ref(m).is_some_and(|r| coll.contains(r))
}

/// `erpc:receive_response(Collection, Timeout, Delete)`: waits for the first
/// reply to arrive for any request of `coll`. `no_request` if `coll` is empty
/// (the timeout is still checked). On a timeout every request of `coll` is
/// abandoned and `{erpc, timeout}` raised.
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let c0 = sim_erpc::reqids_new();
///     let c1 = sim_erpc::send_request_labelled(&cx, "b@sim", "timer", "sleep", vec![Term::Int(20)], Term::atom("slow"), &c0).await;
///     let c2 = sim_erpc::send_request_labelled(&cx, "b@sim", "erlang", "node", vec![], Term::atom("fast"), &c1).await;
///     let first = sim_erpc::receive_response_coll(&cx, &c2, Timeout::ms(1000), false).await?;
///     Ok(first.to_term())
/// }).unwrap();
/// let out = sim.run().value(0).map(|v| v.to_string()).unwrap_or_default();
/// assert!(out.starts_with("{b@sim,fast,#{"), "{out}");
/// ```
pub async fn receive_response_coll(
    cx: &Cx,
    coll: &RequestIdCollection,
    timeout: Timeout,
    delete: bool,
) -> Result<ReceiveResult, CollectionError> {
    let timeout = timeout_value(cx, timeout)?;
    if coll.is_empty() {
        return Ok(ReceiveResult::NoRequest);
    }
    match cx.receive_timeout(matcher(coll), timeout).await {
        Some(msg) => {
            let req = reply_ref(&msg).ok_or_else(Exception::badarg)?;
            collection_result(msg, req, coll, delete).map(ReceiveResult::Response)
        }
        None => {
            for id in coll.ids() {
                if !abandon(cx, id.req, id.res).await {
                    // Its reply already arrived (or it was handled before):
                    // drop it, as OTP does.
                    let req = id.req;
                    cx.receive_timeout(move |m| is_reply_to(m, req), Timeout::Ms(0))
                        .await;
                }
            }
            Err(Exception::erpc(ErpcError::Timeout).into())
        }
    }
}

/// `erpc:wait_response(Collection, WaitTime, Delete)`: like
/// [`receive_response_coll`], but a timeout gives `no_response` and abandons
/// nothing, and a value is wrapped as `{response, Value}`.
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// use sim_erpc::PollResult;
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let c = sim_erpc::send_request_labelled(&cx, "b@sim", "timer", "sleep", vec![Term::Int(20)],
///                                             Term::atom("l"), &sim_erpc::reqids_new()).await;
///     let early = sim_erpc::wait_response_coll(&cx, &c, Timeout::ms(1), true).await?;
///     cx.check(early == PollResult::NoResponse, "no_response")?;
///     Ok(sim_erpc::wait_response_coll(&cx, &c, Timeout::Infinity, true).await?.to_term())
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("{{response,ok},l,#{}}".to_string()));
/// ```
pub async fn wait_response_coll(
    cx: &Cx,
    coll: &RequestIdCollection,
    timeout: Timeout,
    delete: bool,
) -> Result<PollResult, CollectionError> {
    let timeout = timeout_value(cx, timeout)?;
    if coll.is_empty() {
        return Ok(PollResult::NoRequest);
    }
    match cx.receive_timeout(matcher(coll), timeout).await {
        Some(msg) => {
            let req = reply_ref(&msg).ok_or_else(Exception::badarg)?;
            collection_result(msg, req, coll, delete).map(PollResult::Response)
        }
        None => Ok(PollResult::NoResponse),
    }
}

/// `erpc:check_response(Message, Collection, Delete)`: decodes `msg` if it is
/// the reply to a request of `coll` (`{response, Value}` wrapped), otherwise
/// `no_response`; `no_request` if `coll` is empty.
///
/// ```
/// use sim_core::{Sim, Term};
/// use sim_erpc::PollResult;
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let c = sim_erpc::send_request_labelled(&cx, "b@sim", "erlang", "node", vec![],
///                                             Term::atom("l"), &sim_erpc::reqids_new()).await;
///     let foreign = sim_erpc::check_response_coll(&Term::atom("unrelated"), &c, true)?;
///     cx.check(foreign == PollResult::NoResponse, "no_response")?;
///     let msg = cx.recv().await;
///     Ok(sim_erpc::check_response_coll(&msg, &c, true)?.to_term())
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("{{response,b@sim},l,#{}}".to_string()));
/// ```
pub fn check_response_coll(
    msg: &Term,
    coll: &RequestIdCollection,
    delete: bool,
) -> Result<PollResult, CollectionError> {
    if coll.is_empty() {
        return Ok(PollResult::NoRequest);
    }
    match reply_ref(msg) {
        Some(req) if coll.contains(req) => {
            collection_result(msg.clone(), req, coll, delete).map(PollResult::Response)
        }
        _ => Ok(PollResult::NoResponse),
    }
}
