//! sim-erpc.
