//! sim-rpc's tests against the public API: `behaviour` (one test per rule, in the
//! style of OTP's `rpc_SUITE`) and `otp_edges` (behaviours outside the recorded
//! corpus, checked against `rpc.erl`). Every test runs its caller on `a@sim`, and
//! every node runs `rex`; each ends with the caller's mailbox empty.

mod behaviour;
mod node_lists;
mod otp_edges;

/// The caller's node.
pub const A: &str = "a@sim";
/// A second node.
pub const B: &str = "b@sim";
/// A third node.
pub const C: &str = "c@sim";
/// A name no node has.
pub const NOBODY: &str = "nobody@sim";
