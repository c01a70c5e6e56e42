//! Where the crates meet: a builder whose nodes run what an OTP node runs by
//! default.

use sim_core::{Sim, SimBuilder};
use sim_rpc::RpcExt;

/// The way to build a simulation: `Sim::builder()` with the services every OTP
/// node starts: rpc's `rex` server
/// on every node (for `rpc::block_call`, `sbcast`, `server_call` and rpc's
/// fallback to nodes without erpc). Partitions need no wiring: the first fault
/// applied installs the partition network over whatever network the builder
/// chose. (`sim_rpc::RpcExt::with_rpc` does the same for code that uses
/// the crates without this facade.)
///
/// ```
/// use erpc_sim::prelude::*;
/// let mut sim = erpc_sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let v = rpc::block_call(&cx, "b@sim", "erlang", "node", args![], Timeout::ms(100)).await?;
///     cx.check(v == atom!("b@sim"), "applied inside b's rex")?;
///     Ok(v)
/// }).unwrap();
/// sim.run().assert_ok();
/// ```
pub fn builder() -> SimBuilder {
    Sim::builder().with_rpc()
}
