//! The rules of the operations a process asks for through its context, one
//! `impl World` block per topic. Each keeps the world's invariants itself; the
//! context only translates its typed arguments and hands the call over.
