//! The future a process runs: a process body or a module function, boxed. A leaf:
//! every stage of the data flow names it, and it names none of them.

use crate::exception::Exception;
use crate::term::Term;
use std::future::Future;
use std::pin::Pin;

/// A boxed process body or function future.
///
/// ```
/// use sim_core::{BoxFuture, Term};
/// let f: BoxFuture = Box::pin(async { Ok(Term::atom("done")) });
/// # drop(f);
/// ```
pub type BoxFuture = Pin<Box<dyn Future<Output = Result<Term, Exception>>>>;
