//! Printing terms as OTP 25's `io_lib:format("~p", [T])` does, on one line.
//!
//! The rules, each as `io_lib`/`io_lib_pretty` apply them with the default
//! `latin1` printable range:
//!
//! - Elements are separated by `,` with no spaces: `{a,[1,2]}`; maps print as
//!   `#{k => v,k2 => v2}` in map-key order (every integer key before every
//!   float key, otherwise term order).
//! - Atoms print bare when they start with a lowercase letter (`a`-`z` or
//!   Latin-1 `ß`-`ÿ` except `÷`), continue with letters (Latin-1 included),
//!   digits, `_` or `@`, and are not reserved words (`and`, `end`, `receive`,
//!   ...); otherwise they are quoted: `'EXIT'`, `''`, `'hello world'`, `'end'`.
//! - Inside quotes, `\` and the quote character are escaped, Latin-1 printable
//!   characters print as they are, control characters use `\n \r \t \v \b \f
//!   \e \d` or three octal digits (`\001`), and characters above 255 print as
//!   `\x{1F600}`.
//! - A proper, non-empty list whose elements are all printable Latin-1 codes
//!   (32-126, 160-255, `\n \r \t \v \b \f \e`) prints as a string `"abc"`;
//!   other lists as `[1,2,3]`, `[a|b]`, `[a,b|c]`.
//! - Binaries print as `<<"abc">>` when every byte is printable in that sense,
//!   else as `<<1,2,3>>`; the empty binary is `<<>>`.
//! - Integers print in decimal (`-1`). Floats print in OTP's shortest
//!   round-trip form (`float_to_list(F, [short])`): the fewest digits that
//!   read back to the same float, in fixed notation unless scientific notation
//!   is strictly shorter or the magnitude is at least 2^53: `1.0`, `0.1`,
//!   `100.0`, `1.0e3`, `0.0001`, `1.0e-5`, `1.0e16`.
//! - Pids and refs print as `<0.83.0>` and `#Ref<0.1.2.3>`.
//!
//! Known differences from a real node: maps with more than 32 keys print in
//! map-key order, where OTP prints them in its internal hash order. A
//! non-finite float is not a valid [`Term`] (Erlang has none); should one be
//! built anyway it prints as `#Float<inf>`, `#Float<-inf>` or `#Float<NaN>`,
//! which the parser refuses with [`ParseError::NonFiniteFloat`](super::ParseError)
//! rather than reading back as something else (`inf` would be an atom).

use super::cells::{canon, Cell, Cells};
use super::order::map_key_order;
use super::Term;
use smallvec::SmallVec;
use std::fmt::{self, Write};

/// Erlang's reserved words, which print quoted as atoms.
const RESERVED_WORDS: [&str; 27] = [
    "after", "and", "andalso", "band", "begin", "bnot", "bor", "bsl", "bsr", "bxor", "case",
    "catch", "cond", "div", "end", "fun", "if", "let", "not", "of", "or", "orelse", "receive",
    "rem", "try", "when", "xor",
];

/// Whether `c` may start an unquoted atom.
pub(crate) fn is_atom_start(c: char) -> bool {
    c.is_ascii_lowercase() || (('ß'..='ÿ').contains(&c) && c != '÷')
}

/// Whether `c` may continue an unquoted atom.
pub(crate) fn is_atom_char(c: char) -> bool {
    is_atom_start(c)
        || c.is_ascii_alphanumeric()
        || c == '_'
        || c == '@'
        || (('À'..='Þ').contains(&c) && c != '×')
}

/// Whether the atom named `name` must be quoted to read back as itself.
///
/// ```
/// use sim_core::term::print::atom_needs_quotes;
/// assert!(!atom_needs_quotes("ok"));
/// assert!(atom_needs_quotes("EXIT"));
/// assert!(atom_needs_quotes("end"));
/// assert!(atom_needs_quotes(""));
/// ```
pub fn atom_needs_quotes(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if is_atom_start(c) => !chars.all(is_atom_char) || RESERVED_WORDS.contains(&name),
        _ => true,
    }
}

/// Whether `io_lib` counts the code `c` as a printable Latin-1 character.
fn is_printable(c: i64) -> bool {
    matches!(c, 32..=126 | 160..=255 | 8..=13 | 27)
}

/// Writes the character `c` as it appears between `quote`s.
fn write_char_escaped(out: &mut dyn Write, c: u32, quote: char) -> fmt::Result {
    let named = match c {
        _ if c == u32::from(quote) => return write!(out, "\\{quote}"),
        0x5C => "\\\\",
        0x20..=0x7E | 0xA0..=0xFF => {
            return match char::from_u32(c) {
                Some(ch) => out.write_char(ch),
                None => Ok(()),
            }
        }
        0x100.. => return write!(out, "\\x{{{c:X}}}"),
        0x0A => "\\n",
        0x0D => "\\r",
        0x09 => "\\t",
        0x0B => "\\v",
        0x08 => "\\b",
        0x0C => "\\f",
        0x1B => "\\e",
        0x7F => "\\d",
        _ => return write!(out, "\\{:03o}", c),
    };
    out.write_str(named)
}

fn write_atom(out: &mut dyn Write, name: &str) -> fmt::Result {
    if !atom_needs_quotes(name) {
        return out.write_str(name);
    }
    out.write_char('\'')?;
    for c in name.chars() {
        write_char_escaped(out, u32::from(c), '\'')?;
    }
    out.write_char('\'')
}

/// The codes of `t` if it is a non-empty proper list of printable characters.
fn printable_codes(t: &Term) -> Option<Vec<u32>> {
    let mut codes = Vec::new();
    let mut cells = Cells::new(t);
    loop {
        match cells.next_cell() {
            Cell::Head(h) => match canon(h) {
                // Printable codes are at most 255, so the cast is exact.
                Term::Int(c) if is_printable(*c) => codes.push(*c as u32),
                _ => return None,
            },
            Cell::Nil => return (!codes.is_empty()).then_some(codes),
            Cell::Tail(_) => return None,
        }
    }
}

fn write_binary(out: &mut dyn Write, bytes: &[u8]) -> fmt::Result {
    out.write_str("<<")?;
    if !bytes.is_empty() && bytes.iter().all(|b| is_printable(i64::from(*b))) {
        out.write_char('"')?;
        for b in bytes {
            write_char_escaped(out, u32::from(*b), '"')?;
        }
        out.write_char('"')?;
    } else {
        for (i, b) in bytes.iter().enumerate() {
            if i > 0 {
                out.write_char(',')?;
            }
            write!(out, "{b}")?;
        }
    }
    out.write_str(">>")
}

/// A part of a term still to print, kept on an explicit stack so that no
/// depth of nesting can overflow the call stack.
enum Show<'a> {
    /// A whole term.
    Term(&'a Term),
    /// Literal text (a closing bracket, `" => "`).
    Text(&'static str),
    /// The rest of a tuple's elements; `true` before the first.
    Elems(std::slice::Iter<'a, Term>, bool),
    /// The rest of a map's entries in map-key order; `true` before the first.
    Entries(std::vec::IntoIter<(&'a Term, &'a Term)>, bool),
    /// The rest of a list's cells; `true` before the first.
    Cells(Cells<'a>, bool),
}

fn write_term(out: &mut dyn Write, t: &Term) -> fmt::Result {
    // Inline room for a few levels: printing a shallow term allocates nothing.
    let mut stack: SmallVec<[Show<'_>; 8]> = SmallVec::new();
    stack.push(Show::Term(t));
    while let Some(show) = stack.pop() {
        match show {
            Show::Term(t) => write_one(out, t, &mut stack)?,
            Show::Text(s) => out.write_str(s)?,
            Show::Elems(mut rest, first) => {
                if let Some(e) = rest.next() {
                    if !first {
                        out.write_char(',')?;
                    }
                    stack.push(Show::Elems(rest, false));
                    stack.push(Show::Term(e));
                }
            }
            Show::Entries(mut rest, first) => {
                if let Some((k, v)) = rest.next() {
                    if !first {
                        out.write_char(',')?;
                    }
                    stack.push(Show::Entries(rest, false));
                    stack.push(Show::Term(v));
                    stack.push(Show::Text(" => "));
                    stack.push(Show::Term(k));
                }
            }
            Show::Cells(mut cells, first) => match cells.next_cell() {
                Cell::Head(h) => {
                    if !first {
                        out.write_char(',')?;
                    }
                    stack.push(Show::Cells(cells, false));
                    stack.push(Show::Term(h));
                }
                Cell::Nil => out.write_char(']')?,
                Cell::Tail(tail) => {
                    out.write_char('|')?;
                    stack.push(Show::Text("]"));
                    stack.push(Show::Term(tail));
                }
            },
        }
    }
    Ok(())
}

/// Writes a scalar, or the opening of a container and pushes its contents.
fn write_one<'a>(
    out: &mut dyn Write,
    t: &'a Term,
    stack: &mut SmallVec<[Show<'a>; 8]>,
) -> fmt::Result {
    match canon(t) {
        Term::Int(i) => write!(out, "{i}"),
        Term::Float(f) => write_float(out, *f),
        Term::Atom(a) => write_atom(out, a.as_str()),
        Term::Ref(r) => write!(out, "{r}"),
        Term::Pid(p) => write!(out, "{p}"),
        Term::Tuple(v) => {
            stack.push(Show::Text("}"));
            stack.push(Show::Elems(v.iter(), true));
            out.write_char('{')
        }
        Term::Map(m) => {
            stack.push(Show::Text("}"));
            stack.push(Show::Entries(map_key_order(m).into_iter(), true));
            out.write_str("#{")
        }
        Term::Binary(b) => write_binary(out, b),
        list @ (Term::List(_) | Term::ImproperList(..)) => {
            if let Some(codes) = printable_codes(list) {
                out.write_char('"')?;
                for c in codes {
                    write_char_escaped(out, c, '"')?;
                }
                return out.write_char('"');
            }
            stack.push(Show::Cells(Cells::new(list), true));
            out.write_char('[')
        }
    }
}

/// Writes `f` as OTP's `float_to_list(F, [short])` does.
///
/// OTP (`erts/emulator/ryu/d2s.c`, `to_chars`) takes Ryu's shortest digits
/// `D` (`olength` of them) and exponent `E` (value `D * 10^E`) and prints in
/// fixed notation when `lower <= E <= upper`, scientific otherwise, where
/// `(lower, upper)` is `(-4, 2)` for one digit, `(-(olength + 2), 2)` when the
/// scientific exponent is at least 10, else `(-(olength + 2), 1)`; values of
/// at least 2^53 are always scientific. Rust's `{:e}` gives the same shortest
/// digits.
fn write_float(out: &mut dyn Write, f: f64) -> fmt::Result {
    if !f.is_finite() {
        return write!(out, "#Float<{f}>");
    }
    if f == 0.0 {
        return out.write_str(if f.is_sign_negative() { "-0.0" } else { "0.0" });
    }
    let sci = format!("{:e}", f.abs());
    let Some((mantissa, exponent)) = sci.split_once('e') else {
        return write!(out, "{f}");
    };
    let Ok(sci_exp) = exponent.parse::<i32>() else {
        return write!(out, "{f}");
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let olength = digits.len() as i32; // at most 17
    let exp = sci_exp - (olength - 1);
    let (lower, upper) = if olength == 1 {
        (-4, 2)
    } else if sci_exp >= 10 {
        (-(olength + 2), 2)
    } else {
        (-(olength + 2), 1)
    };
    let mut fixed = lower <= exp && exp <= upper;
    if fixed && exp >= 0 {
        // `exp` is at most 2 here and `digits` at most 17 long, so no overflow.
        let value = digits
            .parse::<u128>()
            .unwrap_or(u128::MAX)
            .saturating_mul(10u128.pow(exp.unsigned_abs()));
        fixed = value < 1u128 << 53;
    }
    if f < 0.0 {
        out.write_char('-')?;
    }
    if !fixed {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        return write!(out, "{first}.{rest}e{sci_exp}");
    }
    if exp >= 0 {
        out.write_str(&digits)?;
        for _ in 0..exp {
            out.write_char('0')?;
        }
        return out.write_str(".0");
    }
    let whole = olength + exp;
    if whole > 0 {
        let (int_part, frac) = digits.split_at(whole.unsigned_abs() as usize);
        write!(out, "{int_part}.{frac}")
    } else {
        out.write_str("0.")?;
        for _ in 0..-whole {
            out.write_char('0')?;
        }
        out.write_str(&digits)
    }
}

/// `f` as OTP's `float_to_list(F, [short])` prints it (the `~p` form).
///
/// ```
/// use sim_core::term::print::format_float;
/// assert_eq!(format_float(1.0), "1.0");
/// assert_eq!(format_float(1.0e3), "1.0e3");
/// assert_eq!(format_float(0.0001), "0.0001");
/// assert_eq!(format_float(-1.5e-7), "-1.5e-7");
/// ```
pub fn format_float(f: f64) -> String {
    let mut s = String::new();
    // Writing to a String cannot fail.
    let _ = write_float(&mut s, f);
    s
}

/// Prints as `io_lib:format("~p", [T])` on one line (see the [module
/// docs](self) for the rules).
///
/// ```
/// use sim_core::{atom, tuple, list, Term};
/// let t = tuple![atom!("badrpc"), tuple![atom!("EXIT"), list![1, 2]]];
/// assert_eq!(t.to_string(), "{badrpc,{'EXIT',[1,2]}}");
/// ```
impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_term(f, self)
    }
}

/// The same Erlang text as [`Display`](fmt::Display): readable in assertion
/// messages, and, unlike a derived `Debug`, safe at any depth.
///
/// ```
/// use sim_core::{atom, tuple};
/// assert_eq!(format!("{:?}", tuple![atom!("ok"), 1]), "{ok,1}");
/// ```
impl fmt::Debug for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_term(f, self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{Pid, Ref};

    fn p(t: Term) -> String {
        t.to_string()
    }

    fn a(name: &str) -> Term {
        Term::atom(name)
    }

    #[test]
    fn nested_one_line() {
        let undef = Term::tuple([a("m"), a("f"), Term::nil(), Term::nil()]);
        let t = Term::tuple([
            a("badrpc"),
            Term::tuple([a("EXIT"), Term::tuple([a("undef"), Term::list([undef])])]),
        ]);
        assert_eq!(p(t), "{badrpc,{'EXIT',{undef,[{m,f,[],[]}]}}}");
        assert_eq!(p(Term::tuple(Vec::<Term>::new())), "{}");
    }

    #[test]
    fn atom_quoting() {
        for (name, shown) in [
            ("ok", "ok"),
            ("EXIT", "'EXIT'"),
            ("DOWN", "'DOWN'"),
            ("<self>", "'<self>'"),
            ("N0", "'N0'"),
            ("hello world", "'hello world'"),
            ("", "''"),
            ("and", "'and'"),
            ("receive", "'receive'"),
            ("end", "'end'"),
            ("fun", "'fun'"),
            ("andalso", "'andalso'"),
            ("maybe", "maybe"),
            ("a@host_1", "a@host_1"),
            ("_x", "'_x'"),
            ("1a", "'1a'"),
            ("aB9", "aB9"),
            ("/", "'/'"),
            ("ß", "ß"),
            ("éÀ", "éÀ"),
            ("÷", "'÷'"),
            ("a×", "'a×'"),
            ("Éa", "'Éa'"),
            ("don't", "'don\\'t'"),
            ("say \"hi\"", "'say \"hi\"'"),
            ("back\\slash", "'back\\\\slash'"),
            ("tab\tnl\n", "'tab\\tnl\\n'"),
            ("\u{1}\u{7f}\u{1b}\u{80}", "'\\001\\d\\e\\200'"),
            ("\u{1F600}", "'\\x{1F600}'"),
            ("ĳ", "'\\x{133}'"),
        ] {
            assert_eq!(p(a(name)), shown, "atom {name:?}");
        }
    }

    #[test]
    fn strings_versus_lists() {
        assert_eq!(p(Term::string("abc")), "\"abc\"");
        assert_eq!(p(Term::string("x")), "\"x\"");
        assert_eq!(p(Term::string("a\"b\\c'")), "\"a\\\"b\\\\c'\"");
        assert_eq!(
            p(Term::string("l1\n\t\u{b}\u{8}\u{c}\r\u{1b}")),
            "\"l1\\n\\t\\v\\b\\f\\r\\e\""
        );
        assert_eq!(p(Term::string("café ÿ\u{a0}")), "\"café ÿ\u{a0}\"");
        assert_eq!(p(Term::list([1, 2, 3])), "[1,2,3]");
        assert_eq!(p(Term::list([97, 0])), "[97,0]");
        assert_eq!(p(Term::list([97, 127])), "[97,127]");
        assert_eq!(p(Term::list([97, 256])), "[97,256]");
        assert_eq!(p(Term::list([159])), "[159]");
        assert_eq!(p(Term::list([160])), "\"\u{a0}\"");
        assert_eq!(p(Term::nil()), "[]");
        assert_eq!(
            p(Term::list([Term::Int(3), Term::string("x"), a("t")])),
            "[3,\"x\",t]"
        );
        // An improper list is never a string.
        assert_eq!(p(Term::improper_list([97], Term::Int(98))), "[97|98]");
        // A float element is not a character.
        assert_eq!(p(Term::list([97.0])), "[97.0]");
    }

    #[test]
    fn improper_lists() {
        assert_eq!(p(Term::improper_list([a("a")], a("b"))), "[a|b]");
        assert_eq!(p(Term::improper_list([a("a"), a("b")], a("c"))), "[a,b|c]");
        assert_eq!(
            p(Term::improper_list([1], Term::binary(b"x"))),
            "[1|<<\"x\">>]"
        );
        assert_eq!(p(Term::improper_list([1], Term::tuple([2]))), "[1|{2}]");
    }

    #[test]
    fn binaries() {
        assert_eq!(p(Term::binary(b"")), "<<>>");
        assert_eq!(p(Term::binary(b"abc")), "<<\"abc\">>");
        assert_eq!(p(Term::binary(b"a\"b\n")), "<<\"a\\\"b\\n\">>");
        assert_eq!(p(Term::binary(&[1, 2, 3])), "<<1,2,3>>");
        assert_eq!(p(Term::binary(b"ab\x00")), "<<97,98,0>>");
        assert_eq!(p(Term::binary(&[0xe9])), "<<\"é\">>");
        assert_eq!(p(Term::binary(&[0xff, 0x7f])), "<<255,127>>");
    }

    #[test]
    fn numbers() {
        assert_eq!(p(Term::Int(-1)), "-1");
        assert_eq!(p(Term::Int(i64::MIN)), "-9223372036854775808");
        assert_eq!(p(Term::list([-9, -8])), "[-9,-8]");
        for (f, s) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (-2.5, "-2.5"),
            (100.0, "100.0"),
            (120.0, "120.0"),
            (1000.0, "1.0e3"),
            (1200.0, "1.2e3"),
            (12345.0, "12345.0"),
            (123456.789, "123456.789"),
            (1.0e10, "1.0e10"),
            (1234567890123.0, "1234567890123.0"),
            (1.0e15, "1.0e15"),
            (1.0e16, "1.0e16"),
            (9007199254740991.0, "9007199254740991.0"),
            (9007199254740992.0, "9.007199254740992e15"),
            (0.001, "0.001"),
            (0.0001, "0.0001"),
            (1.0e-5, "1.0e-5"),
            (0.0012, "0.0012"),
            (0.00012, "1.2e-4"),
            (1.5e-7, "1.5e-7"),
            (6.02214, "6.02214"),
            (1.0 / 3.0, "0.3333333333333333"),
            (5e-324, "5.0e-324"),
            (f64::MAX, "1.7976931348623157e308"),
            (2.5e-308, "2.5e-308"),
            (1.0e100, "1.0e100"),
            (123.0e100, "1.23e102"),
        ] {
            assert_eq!(p(Term::Float(f)), s, "float {f:e}");
        }
    }

    #[test]
    fn maps() {
        assert_eq!(p(Term::map(Vec::<(Term, Term)>::new())), "#{}");
        assert_eq!(p(Term::map([(a("b"), 2), (a("a"), 1)])), "#{a => 1,b => 2}");
        assert_eq!(
            p(Term::map([
                (Term::Float(1.0), a("f")),
                (Term::Int(2), a("i"))
            ])),
            "#{2 => i,1.0 => f}"
        );
        assert_eq!(
            p(Term::map([(
                Term::tuple([1]),
                Term::map([(a("k"), Term::nil())])
            )])),
            "#{{1} => #{k => []}}"
        );
    }

    #[test]
    fn ids() {
        assert_eq!(p(Term::from(Pid::new(0, 83, 0))), "<0.83.0>");
        assert_eq!(p(Term::from(Ref::new(0, [1, 2, 3]))), "#Ref<0.1.2.3>");
    }
}
