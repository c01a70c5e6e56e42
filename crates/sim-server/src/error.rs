//! Why a Rust value cannot become a term, or a term a Rust value.

use sim_core::{atom, tuple, Exception, Term};
use std::fmt;

/// A failed conversion between a Rust value and a [`Term`]. Never a panic:
/// a term of the wrong shape is reported with the term itself.
///
/// ```
/// use sim_core::Term;
/// use sim_server::{from_term, Error};
/// let err = from_term::<u8>(&Term::Int(300)).unwrap_err();
/// assert_eq!(err, Error::IntegerRange { value: "300".into(), ty: "u8" });
/// assert_eq!(err.to_string(), "integer 300 does not fit in u8");
/// ```
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Error {
    /// An integer outside the range of the Rust type (or, to a term, of `i64`).
    #[error("integer {value} does not fit in {ty}")]
    IntegerRange {
        /// The integer, in decimal.
        value: String,
        /// The type it should fit in.
        ty: &'static str,
    },
    /// A NaN or infinite float: Erlang has neither.
    #[error("float {0} is not finite (Erlang has no NaN or infinity)")]
    NonFiniteFloat(f64),
    /// An atom name longer than Erlang allows.
    #[error("atom name of {0} characters is longer than 255")]
    AtomTooLong(usize),
    /// The term does not have the shape the Rust type reads.
    #[error("expected {expected}, found {found}")]
    Mismatch {
        /// What the Rust type reads, in words.
        expected: &'static str,
        /// The term found instead.
        found: Term,
    },
    /// A message from a type's own `Serialize` or `Deserialize` (a missing
    /// field, an unknown variant, a wrong length).
    #[error("{0}")]
    Custom(String),
}

impl Error {
    pub(crate) fn mismatch(expected: &'static str, found: &Term) -> Error {
        Error::Mismatch {
            expected,
            found: found.clone(),
        }
    }
}

impl serde::ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Error {
        Error::Custom(msg.to_string())
    }
}

impl serde::de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Error {
        Error::Custom(msg.to_string())
    }
}

/// In a process body, `?` on a conversion raises `error:{badterm, Message}`
/// (the message a binary), as a failed match on a message would crash an
/// Erlang process.
///
/// ```
/// use sim_core::{Class, Exception, Term};
/// let e: Exception = sim_server::from_term::<bool>(&Term::Int(1)).unwrap_err().into();
/// assert_eq!(e.class, Class::Error);
/// assert_eq!(e.reason.to_string(), "{badterm,<<\"expected the atom true or false, found 1\">>}");
/// ```
impl From<Error> for Exception {
    fn from(e: Error) -> Exception {
        Exception::error(tuple![
            atom!("badterm"),
            Term::binary(e.to_string().as_bytes())
        ])
    }
}
