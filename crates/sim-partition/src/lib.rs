//! sim-partition.
