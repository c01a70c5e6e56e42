//! Parsing terms from the Erlang syntax that [`print`](super::print) writes.
//!
//! Accepted: integers with an optional sign (`-1`, `+7`; overflowing `i64` is
//! an error, never a wrap), floats (`1.5`, `-2.0e-7`; a digit is required on
//! both sides of the dot), character literals (`$a`, `$\n`), bare and quoted
//! atoms (`ok`, `'EXIT'`), strings (`"abc"` is a list of integers), tuples,
//! proper and improper lists (`[a,b|c]`), maps (`#{K => V}`; a repeated key
//! keeps the later value, as in Erlang), binaries (`<<"abc">>`,
//! `<<1,2,3>>`, mixed `<<"a",0>>`), pids (`<0.83.0>`) and refs
//! (`#Ref<0.1.2.3>`), with whitespace allowed between tokens. Escapes in
//! quoted atoms, strings and characters are Erlang's: `\n \r \t \v \b \f \e
//! \d \s`, octal `\NNN`, `\xHH`, `\x{H...}`, `\^C` control characters, and any
//! other escaped character standing for itself. Reserved words are accepted as
//! bare atoms.
//!
//! Errors carry the byte offset where parsing failed. Nesting is limited to
//! [`MAX_DEPTH`] containers so that no input can overflow the stack, and no
//! input makes the parser panic.

use super::print::{is_atom_char, is_atom_start};
use super::{Atom, AtomError, Term, MAX_ATOMS, MAX_ATOM_CHARS};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The deepest nesting of tuples, lists and maps the parser accepts.
///
/// ```
/// use sim_core::term::MAX_DEPTH;
/// let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
/// assert!(ok.parse::<sim_core::Term>().is_ok());
/// let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
/// assert!(deep.parse::<sim_core::Term>().is_err());
/// ```
pub const MAX_DEPTH: usize = 512;

/// What the parser found where it expected something else.
///
/// ```
/// use sim_core::term::Found;
/// assert_eq!(Found::Char(']').to_string(), "`]`");
/// assert_eq!(Found::End.to_string(), "end of input");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// This character.
    Char(char),
    /// The end of the input.
    End,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::Char(c) => write!(f, "`{}`", c.escape_debug()),
            Found::End => f.write_str("end of input"),
        }
    }
}

/// Why a string is not a term, and at which byte offset.
///
/// ```
/// use sim_core::{ParseError, Term};
/// let e = "{a,b]".parse::<Term>().unwrap_err();
/// assert_eq!(e.offset(), 4);
/// assert_eq!(e.to_string(), "at byte 4: expected `,` or `}`, found `]`");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Something other than the expected token.
    #[error("at byte {offset}: expected {expected}, found {found}")]
    Unexpected {
        /// Byte offset of the unexpected character (or the input length).
        offset: usize,
        /// What would have been accepted there.
        expected: &'static str,
        /// What was there instead.
        found: Found,
    },
    /// An integer outside the `i64` range (or a pid/ref number outside `u32`).
    #[error("at byte {offset}: integer out of range")]
    IntegerOverflow {
        /// Byte offset where the number starts.
        offset: usize,
    },
    /// A float too large to represent.
    #[error("at byte {offset}: float out of range")]
    FloatOverflow {
        /// Byte offset where the number starts.
        offset: usize,
    },
    /// A binary segment that is not a byte.
    #[error("at byte {offset}: {value} is not a byte (0..=255)")]
    ByteOutOfRange {
        /// Byte offset where the segment starts.
        offset: usize,
        /// The offending value.
        value: i64,
    },
    /// An escape naming no Unicode scalar value.
    #[error("at byte {offset}: escape does not name a character")]
    InvalidChar {
        /// Byte offset of the backslash.
        offset: usize,
    },
    /// An atom longer than [`MAX_ATOM_CHARS`] characters.
    #[error("at byte {offset}: atom longer than {MAX_ATOM_CHARS} characters")]
    AtomTooLong {
        /// Byte offset where the atom starts.
        offset: usize,
    },
    /// A new atom while the atom table holds [`MAX_ATOMS`] atoms.
    #[error("at byte {offset}: the atom table is full ({MAX_ATOMS} atoms)")]
    AtomTableFull {
        /// Byte offset where the atom starts.
        offset: usize,
    },
    /// A non-finite float as the printer writes one (`#Float<inf>`): Erlang
    /// has no NaN or infinity, so it is not a term.
    #[error("at byte {offset}: Erlang has no NaN or infinite float")]
    NonFiniteFloat {
        /// Byte offset of the `#`.
        offset: usize,
    },
    /// Containers nested deeper than [`MAX_DEPTH`].
    #[error("at byte {offset}: terms nested deeper than {MAX_DEPTH}")]
    TooDeep {
        /// Byte offset of the container that is one too deep.
        offset: usize,
    },
}

impl ParseError {
    /// The byte offset in the input where parsing failed.
    ///
    /// ```
    /// use sim_core::Term;
    /// assert_eq!("{a,}".parse::<Term>().unwrap_err().offset(), 3);
    /// ```
    pub fn offset(&self) -> usize {
        match self {
            ParseError::Unexpected { offset, .. }
            | ParseError::IntegerOverflow { offset }
            | ParseError::FloatOverflow { offset }
            | ParseError::ByteOutOfRange { offset, .. }
            | ParseError::InvalidChar { offset }
            | ParseError::AtomTooLong { offset }
            | ParseError::AtomTableFull { offset }
            | ParseError::NonFiniteFloat { offset }
            | ParseError::TooDeep { offset } => *offset,
        }
    }
}

/// Parses one term, surrounded by optional whitespace.
///
/// ```
/// use sim_core::Term;
/// let t: Term = " {ok, [1, 2 | tail], #{k => <<\"v\">>}} ".parse().unwrap();
/// assert_eq!(t.to_string(), "{ok,[1,2|tail],#{k => <<\"v\">>}}");
/// assert!("{ok".parse::<Term>().is_err());
/// ```
impl FromStr for Term {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Term, ParseError> {
        let mut p = Parser { src: s, pos: 0 };
        let t = p.term(0)?;
        p.skip_ws();
        if p.pos < s.len() {
            return Err(p.unexpected("end of input"));
        }
        Ok(t)
    }
}

/// The atom `name` found at byte `offset`.
fn atom_at(name: &str, offset: usize) -> Result<Term, ParseError> {
    match Atom::try_new(name) {
        Ok(atom) => Ok(Term::Atom(atom)),
        Err(AtomError::TooLong { .. }) => Err(ParseError::AtomTooLong { offset }),
        Err(AtomError::TableFull) => Err(ParseError::AtomTableFull { offset }),
    }
}

struct Parser<'a> {
    src: &'a str,
    /// Always on a character boundary.
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.src.get(self.pos..).and_then(|s| s.chars().next())
    }

    fn rest(&self) -> &str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn bump(&mut self, c: char) {
        self.pos += c.len_utf8();
    }

    /// Consumes `token` if the input continues with it.
    fn eat(&mut self, token: &str) -> bool {
        let found = self.rest().starts_with(token);
        if found {
            self.pos += token.len();
        }
        found
    }

    fn expect(&mut self, token: &str, expected: &'static str) -> Result<(), ParseError> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(self.unexpected(expected))
        }
    }

    fn unexpected(&self, expected: &'static str) -> ParseError {
        ParseError::Unexpected {
            offset: self.pos,
            expected,
            found: self.peek().map_or(Found::End, Found::Char),
        }
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if !matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}') {
                break;
            }
            self.bump(c);
        }
    }

    fn term(&mut self, depth: usize) -> Result<Term, ParseError> {
        self.skip_ws();
        let start = self.pos;
        let rest = self.rest();
        let container = rest.starts_with('{') || rest.starts_with('[') || rest.starts_with("#{");
        if container && depth >= MAX_DEPTH {
            return Err(ParseError::TooDeep { offset: start });
        }
        match self.peek() {
            None => Err(self.unexpected("a term")),
            Some('{') => {
                self.bump('{');
                let elems = self.sequence('}', "`,` or `}`", depth)?;
                Ok(Term::Tuple(elems))
            }
            Some('[') => self.list(depth),
            Some('#') if self.rest().starts_with("#{") => self.map(depth),
            Some('#') if self.rest().starts_with("#Ref<") => self.reference(),
            Some('#') if self.rest().starts_with("#Float<") => {
                Err(ParseError::NonFiniteFloat { offset: start })
            }
            Some('<') if self.rest().starts_with("<<") => self.binary(),
            Some('<') => self.pid(),
            Some('\'') => self.quoted_atom(),
            Some('"') => {
                let codes = self.quoted('"', "`\"`")?;
                Ok(Term::List(
                    codes.into_iter().map(|c| Term::Int(i64::from(c))).collect(),
                ))
            }
            Some('$') => self.char_literal().map(|c| Term::Int(i64::from(c))),
            Some(c) if c.is_ascii_digit() || c == '-' || c == '+' => self.number(),
            Some(c) if is_atom_start(c) => self.bare_atom(),
            Some(_) => Err(self.unexpected("a term")),
        }
    }

    /// Comma-separated terms up to `close` (the opener already consumed).
    fn sequence(
        &mut self,
        close: char,
        expected: &'static str,
        depth: usize,
    ) -> Result<Vec<Term>, ParseError> {
        let mut elems = Vec::new();
        self.skip_ws();
        if self.peek() == Some(close) {
            self.bump(close);
            return Ok(elems);
        }
        loop {
            elems.push(self.term(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(',') => self.bump(','),
                Some(c) if c == close => {
                    self.bump(c);
                    return Ok(elems);
                }
                _ => return Err(self.unexpected(expected)),
            }
        }
    }

    fn list(&mut self, depth: usize) -> Result<Term, ParseError> {
        self.bump('[');
        self.skip_ws();
        if self.eat("]") {
            return Ok(Term::nil());
        }
        // `[a|[b|[c]]]` is the one list `[a,b,c]`: a tail that opens a list goes
        // on filling this one, so nested tails cost neither copies nor depth
        // (building each level and appending it to the outer one is quadratic).
        // `open` counts the brackets still to close.
        let mut elems = Vec::new();
        let mut open = 1usize;
        loop {
            elems.push(self.term(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(',') => self.bump(','),
                Some(']') => {
                    self.bump(']');
                    return self.close_lists(open - 1, Term::List(elems));
                }
                Some('|') => {
                    self.bump('|');
                    self.skip_ws();
                    if self.eat("[") {
                        self.skip_ws();
                        if self.eat("]") {
                            return self.close_lists(open, Term::List(elems));
                        }
                        open += 1;
                        continue;
                    }
                    let tail = self.term(depth + 1)?;
                    self.skip_ws();
                    self.expect("]", "`]`")?;
                    return self.close_lists(open - 1, Term::improper_list(elems, tail));
                }
                _ => return Err(self.unexpected("`,`, `|` or `]`")),
            }
        }
    }

    /// Consumes the `n` closing brackets of tails that continued a list.
    fn close_lists(&mut self, n: usize, list: Term) -> Result<Term, ParseError> {
        for _ in 0..n {
            self.skip_ws();
            self.expect("]", "`]`")?;
        }
        Ok(list)
    }

    fn map(&mut self, depth: usize) -> Result<Term, ParseError> {
        self.pos += "#{".len();
        let mut map = BTreeMap::new();
        self.skip_ws();
        if self.eat("}") {
            return Ok(Term::Map(map));
        }
        loop {
            let key = self.term(depth + 1)?;
            self.skip_ws();
            self.expect("=>", "`=>`")?;
            let value = self.term(depth + 1)?;
            map.insert(key, value);
            self.skip_ws();
            match self.peek() {
                Some(',') => self.bump(','),
                Some('}') => {
                    self.bump('}');
                    return Ok(Term::Map(map));
                }
                _ => return Err(self.unexpected("`,` or `}`")),
            }
        }
    }

    fn binary(&mut self) -> Result<Term, ParseError> {
        self.pos += "<<".len();
        let mut bytes = Vec::new();
        self.skip_ws();
        if self.eat(">>") {
            return Ok(Term::Binary(bytes));
        }
        loop {
            self.skip_ws();
            let start = self.pos;
            match self.peek() {
                Some('"') => {
                    for code in self.quoted('"', "`\"`")? {
                        let byte = u8::try_from(code).map_err(|_| ParseError::ByteOutOfRange {
                            offset: start,
                            value: i64::from(code),
                        })?;
                        bytes.push(byte);
                    }
                }
                Some(c) if c.is_ascii_digit() || c == '-' || c == '+' || c == '$' => {
                    let value = match c {
                        '$' => i64::from(self.char_literal()?),
                        _ => match self.number()? {
                            Term::Int(v) => v,
                            _ => {
                                self.pos = start;
                                return Err(self.unexpected("an integer byte"));
                            }
                        },
                    };
                    let byte = u8::try_from(value).map_err(|_| ParseError::ByteOutOfRange {
                        offset: start,
                        value,
                    })?;
                    bytes.push(byte);
                }
                _ => return Err(self.unexpected("a byte or a string")),
            }
            self.skip_ws();
            if self.eat(",") {
                continue;
            }
            self.expect(">>", "`,` or `>>`")?;
            return Ok(Term::Binary(bytes));
        }
    }

    fn pid(&mut self) -> Result<Term, ParseError> {
        self.bump('<');
        let node = self.u32_field()?;
        self.expect(".", "`.`")?;
        let index = self.u32_field()?;
        self.expect(".", "`.`")?;
        let serial = self.u32_field()?;
        self.expect(">", "`>`")?;
        Ok(Term::Pid(crate::id::Pid::new(node, index, serial)))
    }

    fn reference(&mut self) -> Result<Term, ParseError> {
        self.pos += "#Ref<".len();
        let node = self.u32_field()?;
        let mut words = [0u32; 3];
        for w in &mut words {
            self.expect(".", "`.`")?;
            *w = self.u32_field()?;
        }
        self.expect(">", "`>`")?;
        Ok(Term::Ref(crate::id::Ref::new(node, words)))
    }

    /// Consumes ASCII digits, returning them (possibly empty).
    fn digits(&mut self) -> &str {
        let start = self.pos;
        let len = self.rest().bytes().take_while(u8::is_ascii_digit).count();
        self.pos += len;
        self.src.get(start..self.pos).unwrap_or("")
    }

    fn u32_field(&mut self) -> Result<u32, ParseError> {
        let start = self.pos;
        let digits = self.digits();
        if digits.is_empty() {
            return Err(self.unexpected("a digit"));
        }
        digits
            .parse::<u32>()
            .map_err(|_| ParseError::IntegerOverflow { offset: start })
    }

    fn number(&mut self) -> Result<Term, ParseError> {
        let start = self.pos;
        let negative = match self.peek() {
            Some('-') => {
                self.bump('-');
                true
            }
            Some('+') => {
                self.bump('+');
                false
            }
            _ => false,
        };
        let int_start = self.pos;
        if self.digits().is_empty() {
            return Err(self.unexpected("a digit"));
        }
        let int_end = self.pos;
        if self.peek() != Some('.') {
            return self
                .src
                .get(int_start..int_end)
                .unwrap_or("")
                .bytes()
                .try_fold(0i64, |acc, d| {
                    let d = i64::from(d - b'0');
                    let acc = acc.checked_mul(10)?;
                    // Accumulate negatively so that i64::MIN fits.
                    if negative {
                        acc.checked_sub(d)
                    } else {
                        acc.checked_add(d)
                    }
                })
                .map(Term::Int)
                .ok_or(ParseError::IntegerOverflow { offset: start });
        }
        self.bump('.');
        if self.digits().is_empty() {
            return Err(self.unexpected("a digit"));
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some('-' | '+')) {
                self.pos += 1;
            }
            if self.digits().is_empty() {
                return Err(self.unexpected("a digit"));
            }
        }
        let text = self.src.get(start..self.pos).unwrap_or("");
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Term::Float(f)),
            _ => Err(ParseError::FloatOverflow { offset: start }),
        }
    }

    fn bare_atom(&mut self) -> Result<Term, ParseError> {
        let start = self.pos;
        let mut count = 0;
        while let Some(c) = self.peek() {
            if !is_atom_char(c) {
                break;
            }
            self.bump(c);
            count += 1;
        }
        if count > MAX_ATOM_CHARS {
            return Err(ParseError::AtomTooLong { offset: start });
        }
        atom_at(self.src.get(start..self.pos).unwrap_or(""), start)
    }

    fn quoted_atom(&mut self) -> Result<Term, ParseError> {
        let start = self.pos;
        let codes = self.quoted('\'', "`'`")?;
        if codes.len() > MAX_ATOM_CHARS {
            return Err(ParseError::AtomTooLong { offset: start });
        }
        // `quoted` only yields Unicode scalar values.
        let name: String = codes.into_iter().filter_map(char::from_u32).collect();
        atom_at(&name, start)
    }

    /// The character codes between `quote`s (the opening one at `pos`).
    fn quoted(&mut self, quote: char, expected: &'static str) -> Result<Vec<u32>, ParseError> {
        self.bump(quote);
        let mut codes = Vec::new();
        loop {
            match self.peek() {
                None => return Err(self.unexpected(expected)),
                Some(c) if c == quote => {
                    self.bump(c);
                    return Ok(codes);
                }
                Some('\\') => codes.push(self.escape()?),
                Some(c) => {
                    self.bump(c);
                    codes.push(u32::from(c));
                }
            }
        }
    }

    /// `$c` or `$\escape`.
    fn char_literal(&mut self) -> Result<u32, ParseError> {
        self.bump('$');
        match self.peek() {
            None => Err(self.unexpected("a character")),
            Some('\\') => self.escape(),
            Some(c) => {
                self.bump(c);
                Ok(u32::from(c))
            }
        }
    }

    /// An escape sequence starting at the backslash under `pos`.
    fn escape(&mut self) -> Result<u32, ParseError> {
        let start = self.pos;
        self.bump('\\');
        let Some(c) = self.peek() else {
            return Err(self.unexpected("an escape sequence"));
        };
        self.bump(c);
        let code = match c {
            'n' => 10,
            'r' => 13,
            't' => 9,
            'v' => 11,
            'b' => 8,
            'f' => 12,
            'e' => 27,
            'd' => 127,
            's' => 32,
            '0'..='7' => {
                let mut code = u32::from(c) - u32::from('0');
                for _ in 0..2 {
                    match self.peek() {
                        Some(d @ '0'..='7') => {
                            self.bump(d);
                            code = code * 8 + (u32::from(d) - u32::from('0'));
                        }
                        _ => break,
                    }
                }
                code
            }
            'x' if self.eat("{") => {
                let mut code: u32 = 0;
                let mut any = false;
                while let Some(d) = self.peek().and_then(|d| d.to_digit(16)) {
                    self.pos += 1;
                    any = true;
                    code = code.saturating_mul(16).saturating_add(d);
                }
                if !any {
                    return Err(self.unexpected("a hex digit"));
                }
                self.expect("}", "a hex digit or `}`")?;
                code
            }
            'x' => {
                let mut code = 0;
                for _ in 0..2 {
                    match self.peek().and_then(|d| d.to_digit(16)) {
                        Some(d) => {
                            self.pos += 1;
                            code = code * 16 + d;
                        }
                        None => return Err(self.unexpected("a hex digit")),
                    }
                }
                code
            }
            '^' => match self.peek() {
                Some('?') => {
                    self.bump('?');
                    127
                }
                Some(k @ '@'..='_' | k @ 'a'..='z') => {
                    self.bump(k);
                    u32::from(k) & 0x1f
                }
                _ => return Err(self.unexpected("a control character letter")),
            },
            other => u32::from(other),
        };
        match char::from_u32(code) {
            Some(_) => Ok(code),
            None => Err(ParseError::InvalidChar { offset: start }),
        }
    }
}

#[cfg(test)]
mod tests;
