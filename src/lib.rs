//! erpc-sim facade.
