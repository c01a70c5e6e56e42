//! Reading recorded histories: Jepsen's etcd logs and EDN key-value
//! histories (the formats of Porcupine's public test data).
//!
//! Each line is one event; its line number (from 1) is its virtual time in
//! microseconds. An operation still open at the end stays pending, which the
//! checker treats as unknown.

use std::collections::BTreeMap;

use sim_core::Time;

use crate::history::{History, HistoryError, OpId};
use crate::models::{CasOp, KvOp, Ret};

/// A line the reader cannot make sense of.
///
/// ```
/// let err = sim_history::jepsen::parse_kv("{:process 0, :type :ok, :f :get, :key \"a\", :value \"\"}").unwrap_err();
/// assert_eq!(err.line, 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// The line number, from 1.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

/// An etcd register history: values are `None` for `nil`.
pub type EtcdHistory = History<CasOp<Option<i64>>, Ret<Option<i64>>>;

/// A key-value history with string keys and values.
pub type KvHistory = History<KvOp<String>, Ret<String>>;

fn err(line: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        message: message.into(),
    }
}

/// Pairs completions with the pending invocation of their process.
struct Open(BTreeMap<u64, OpId>);

impl Open {
    fn take(&mut self, line: usize, process: u64) -> Result<OpId, ParseError> {
        self.0.remove(&process).ok_or_else(|| {
            err(
                line,
                format!("completion for process {process}, which has no pending operation"),
            )
        })
    }
}

fn lift(line: usize, r: Result<(), HistoryError>) -> Result<(), ParseError> {
    r.map_err(|e| err(line, e.to_string()))
}

fn int(line: usize, s: &str) -> Result<i64, ParseError> {
    s.parse()
        .map_err(|_| err(line, format!("not an integer: {s:?}")))
}

/// Reads a Jepsen etcd log (`INFO  jepsen.util - <process> <type> <f> <value>`
/// lines; other lines are skipped). `:invoke`/`:ok` of `:read`, `:write` and
/// `:cas`; a `:fail` of a `:cas` is the compare failing (it returned false); a
/// `:fail` of anything else did not happen; `:info` is unknown.
///
/// ```
/// use sim_history::{check, jepsen, CasRegister, Verdict};
/// let log = "INFO  jepsen.util - 0\t:invoke\t:write\t1\n\
///            INFO  jepsen.util - 0\t:info\t:write\t:timed-out\n\
///            INFO  jepsen.util - 1\t:invoke\t:read\tnil\n\
///            INFO  jepsen.util - 1\t:ok\t:read\t1\n";
/// let h = jepsen::parse_etcd(log).unwrap();
/// assert_eq!(check(&CasRegister::new(None), &h), Verdict::Linearizable);
/// ```
pub fn parse_etcd(text: &str) -> Result<EtcdHistory, ParseError> {
    let mut h = History::new();
    let mut open = Open(BTreeMap::new());
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let at = Time::us(line as u64);
        let Some(rest) = raw.trim_start().strip_prefix("INFO") else {
            continue;
        };
        let Some((_, rest)) = rest.split_once("jepsen.util - ") else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let Some(process) = fields.first().and_then(|p| p.parse::<u64>().ok()) else {
            continue;
        };
        let (Some(&kind), Some(&f)) = (fields.get(1), fields.get(2)) else {
            return Err(err(line, "expected a type and a function"));
        };
        let value = fields[3..].join(" ");
        let value = value.as_str();
        let nil_or_int = |s: &str| {
            if s == "nil" {
                Ok(None)
            } else {
                int(line, s).map(Some)
            }
        };
        let pair = |s: &str| -> Result<(i64, i64), ParseError> {
            let inner = s.strip_prefix('[').and_then(|s| s.strip_suffix(']'));
            let parts: Vec<&str> = inner
                .map(|s| s.split_whitespace().collect())
                .unwrap_or_default();
            match parts.as_slice() {
                [a, b] => Ok((int(line, a)?, int(line, b)?)),
                _ => Err(err(line, format!("expected [from to], found {s:?}"))),
            }
        };
        match (kind, f) {
            (":invoke", _) => {
                let input = match f {
                    ":read" => CasOp::Read,
                    ":write" => CasOp::Write(Some(int(line, value)?)),
                    ":cas" => {
                        let (a, b) = pair(value)?;
                        CasOp::Cas(Some(a), Some(b))
                    }
                    _ => return Err(err(line, format!("unknown function {f}"))),
                };
                let id = h
                    .invoke(process, input, at)
                    .map_err(|e| err(line, e.to_string()))?;
                open.0.insert(process, id);
            }
            (":ok", ":read") => {
                let id = open.take(line, process)?;
                lift(line, h.ok(id, Ret::Value(nil_or_int(value)?), at))?;
            }
            (":ok", ":write") => lift(line, h.ok(open.take(line, process)?, Ret::Ok, at))?,
            (":ok", ":cas") => lift(line, h.ok(open.take(line, process)?, Ret::Bool(true), at))?,
            (":fail", ":cas") => lift(line, h.ok(open.take(line, process)?, Ret::Bool(false), at))?,
            (":fail", _) => lift(line, h.fail(open.take(line, process)?, Ret::Ok, at))?,
            (":info", _) => lift(line, h.info(open.take(line, process)?, at))?,
            _ => return Err(err(line, format!("unknown event {kind} {f}"))),
        }
    }
    Ok(h)
}

/// An EDN scalar of a history map.
#[derive(Debug, PartialEq)]
enum Scalar {
    Int(i64),
    Keyword(String),
    Str(String),
    Nil,
}

/// Parses one flat EDN map of scalars: `{:a 1, :b :c, :d "e", :f nil}`.
fn edn_map(line: usize, s: &str) -> Result<BTreeMap<String, Scalar>, ParseError> {
    let body = s
        .trim()
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .ok_or_else(|| err(line, "expected an EDN map {...}"))?;
    let mut chars = body.chars().peekable();
    let mut map = BTreeMap::new();
    let word = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
        let mut w = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == ',' {
                break;
            }
            w.push(c);
            chars.next();
        }
        w
    };
    loop {
        while chars.peek().is_some_and(|&c| c.is_whitespace() || c == ',') {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(map);
        }
        let key = word(&mut chars);
        let Some(key) = key.strip_prefix(':').map(str::to_owned) else {
            return Err(err(line, format!("expected a keyword, found {key:?}")));
        };
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let value = if chars.peek() == Some(&'"') {
            chars.next();
            let mut v = String::new();
            loop {
                match chars.next() {
                    None => return Err(err(line, "unterminated string")),
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some('n') => v.push('\n'),
                        Some('t') => v.push('\t'),
                        Some(c) => v.push(c),
                        None => return Err(err(line, "unterminated string")),
                    },
                    Some(c) => v.push(c),
                }
            }
            Scalar::Str(v)
        } else {
            let w = word(&mut chars);
            if w == "nil" {
                Scalar::Nil
            } else if let Some(k) = w.strip_prefix(':') {
                Scalar::Keyword(k.to_owned())
            } else {
                Scalar::Int(int(line, &w)?)
            }
        };
        map.insert(key, value);
    }
}

/// Reads an EDN key-value history, one map a line:
/// `{:process 0, :type :invoke, :f :append, :key "k", :value "x"}`; `:f` is
/// `:get` (its `:ok` carries the value read), `:put` or `:append`.
///
/// ```
/// use sim_history::{check, jepsen, KvMap, Verdict};
/// let text = r#"{:process 0, :type :invoke, :f :put, :key "a", :value "1"}
/// {:process 0, :type :ok, :f :put, :key "a", :value "1"}
/// {:process 1, :type :invoke, :f :get, :key "a", :value nil}
/// {:process 1, :type :ok, :f :get, :key "a", :value ""}"#;
/// let h = jepsen::parse_kv(text).unwrap();
/// assert!(matches!(check(&KvMap::new(), &h), Verdict::Violation(_)));
/// ```
pub fn parse_kv(text: &str) -> Result<KvHistory, ParseError> {
    let mut h = History::new();
    let mut open = Open(BTreeMap::new());
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let at = Time::us(line as u64);
        let map = edn_map(line, raw)?;
        let process = match map.get("process") {
            Some(Scalar::Int(p)) => {
                u64::try_from(*p).map_err(|_| err(line, "negative :process"))?
            }
            _ => return Err(err(line, "missing integer :process")),
        };
        let field = |name: &str| match map.get(name) {
            Some(Scalar::Keyword(k)) => Ok(k.as_str()),
            _ => Err(err(line, format!("missing keyword :{name}"))),
        };
        let string = |name: &str| match map.get(name) {
            Some(Scalar::Str(s)) => Ok(s.clone()),
            _ => Err(err(line, format!("missing string :{name}"))),
        };
        let (kind, f) = (field("type")?, field("f")?);
        match kind {
            "invoke" => {
                let key = string("key")?;
                let input = match f {
                    "get" => KvOp::Get(key),
                    "put" => KvOp::Put(key, string("value")?),
                    "append" => KvOp::Append(key, string("value")?),
                    _ => return Err(err(line, format!("unknown function :{f}"))),
                };
                let id = h
                    .invoke(process, input, at)
                    .map_err(|e| err(line, e.to_string()))?;
                open.0.insert(process, id);
            }
            "ok" => {
                let id = open.take(line, process)?;
                let out = if f == "get" {
                    Ret::Value(string("value")?)
                } else {
                    Ret::Ok
                };
                lift(line, h.ok(id, out, at))?;
            }
            "fail" => lift(line, h.fail(open.take(line, process)?, Ret::Ok, at))?,
            "info" => lift(line, h.info(open.take(line, process)?, at))?,
            _ => return Err(err(line, format!("unknown :type :{kind}"))),
        }
    }
    Ok(h)
}
