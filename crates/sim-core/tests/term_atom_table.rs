//! The atom table's limit. Its own test binary (so its own process): filling
//! the process-wide table would starve every other test of new atoms.

use sim_core::term::{AtomError, ParseError, MAX_ATOMS};
use sim_core::{Atom, Exception, Term};

#[test]
fn the_atom_table_stops_at_the_beams_default_limit() {
    let existing = Atom::new("interned_before_the_table_filled");
    // Intern new names until the table refuses one; it must refuse within
    // MAX_ATOMS names, since it started with some atoms in it already.
    let mut added = 0usize;
    let refused = loop {
        match Atom::try_new(&format!("fill_{added}")) {
            Ok(_) => added += 1,
            Err(e) => break e,
        }
        assert!(
            added <= MAX_ATOMS,
            "the table took more than {MAX_ATOMS} atoms"
        );
    };
    assert_eq!(refused, AtomError::TableFull);
    assert!(
        added > MAX_ATOMS - 100,
        "refused after only {added} new atoms"
    );
    // Full: known names still intern, new ones are refused everywhere.
    assert_eq!(
        Atom::try_new("interned_before_the_table_filled"),
        Ok(existing)
    );
    assert_eq!(Atom::try_new("fill_0").map(Atom::as_str), Ok("fill_0"));
    assert_eq!(Atom::try_new("one_more"), Err(AtomError::TableFull));
    assert_eq!(
        "{ok,one_more}".parse::<Term>(),
        Err(ParseError::AtomTableFull { offset: 4 })
    );
    assert!(serde_json::from_str::<Term>(r#"{"atom":"one_more"}"#).is_err());
    let e: Exception = AtomError::TableFull.into();
    assert_eq!(e.to_string(), "error:system_limit");
    assert!(std::panic::catch_unwind(|| Atom::new("one_more")).is_err());
}
