//! sim-rpc.
