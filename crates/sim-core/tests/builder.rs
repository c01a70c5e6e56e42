//! The builder's input rules: node names.

use sim_core::{Sim, SimError};

/// Names real OTP 25 accepted as a node name (`net_kernel:start/1` or
/// `erl -sname` returned or started the node).
const OTP_ACCEPTS: &[&str] = &[
    "a@localhost",
    "a-_9Z@h!~",
    "A@H",
    "1a@h",
    "a@h.example.com",
    "a@loc\u{7f}al",
    "a@loc\u{85}al",
    "a@loc\u{e9}al",
    "a@\u{ff}",
];

/// Names real OTP 25 refused (`Invalid node name!`, `invalid node name`,
/// `invalid hostname`, or no host part).
const OTP_REFUSES: &[&str] = &[
    "a b@localhost",
    " a@localhost",
    "a\0@b",
    "a.b@h",
    "a+b@h",
    "\u{e9}@h",
    "a@b@c",
    "a@b c",
    "a@h\t",
    "a@h\r",
    "a@loc\u{100}al",
    "a@",
    "@b",
    "a",
];

#[test]
fn node_names_follow_otp_rules() {
    for &name in OTP_ACCEPTS {
        let built = Sim::builder().nodes([name]).build();
        assert!(built.is_ok(), "{name:?}: {:?}", built.err());
    }
    for &name in OTP_REFUSES {
        let err = Sim::builder().node(name).build().unwrap_err();
        assert_eq!(err, SimError::InvalidNodeName(name.to_string()), "{name:?}");
        // The error shows the name escaped, so an invisible character is seen.
        assert!(err.to_string().contains(&format!("{name:?}")), "{err}");
    }
}

#[test]
fn a_trailing_newline_is_not_a_node_name() {
    // OTP 25 lets `a@localhost\n` through (PCRE's `$` matches before a final
    // newline), an accident of its pattern `^[!-ÿ]*$` rather than its rule.
    let err = Sim::builder().nodes(["a@b\n"]).build().unwrap_err();
    assert_eq!(err, SimError::InvalidNodeName("a@b\n".into()));
}

#[test]
fn a_node_name_is_at_most_255_characters() {
    let host = "h".repeat(253);
    assert!(Sim::builder().nodes([format!("a@{host}")]).build().is_ok());
    let long = format!("ab@{host}");
    assert_eq!(
        Sim::builder().nodes([long.as_str()]).build().unwrap_err(),
        SimError::InvalidNodeName(long)
    );
}
