//! Outcomes other than the recorded one that the default strategy may reach,
//! each with the race that produces it on a real OTP system. The recording
//! is one run of OTP; a different interleaving of the same scenario may print
//! something else, and each entry here says why Erlang allows it.

use crate::harness::Observed;

/// `(scenario id, observed, mailbox after, the race)`.
const ALLOWED: &[(&str, &str, &str, &str)] = &[
    (
        "cp13_link_bidirectional",
        "{'DOWN','C',noproc}",
        "[]",
        "The monitor request (from the test process) and the parent's exit signal \
     (sent after the parent got `die`) reach C from two different senders. The \
     Reference Manual (Processes, Signals) promises order only between one \
     sender and one receiver, so C may handle the exit first; the monitor then \
     finds it gone and answers `noproc`.",
    ),
    (
        "cp20_killed_kills_linked_nontrapping",
        "{'DOWN','<pid@N0>',noproc}",
        "[]",
        "P's link request to the victim and the test's `kill` (sent after P's \
         `linked` message arrived) reach the victim from two different senders, \
         which the Reference Manual does not order. If the kill comes first, the \
         victim is gone when the link request arrives, so P gets the `noproc` exit \
         signal a link to a dead process gives, and dies with that reason.",
    ),
];

/// The race that explains `o` for scenario `id`, if one is listed.
pub fn other_outcome(id: &str, o: &Observed) -> Option<&'static str> {
    ALLOWED
        .iter()
        .find(|(i, obs, mb, _)| *i == id && *obs == o.observed && *mb == o.mailbox_after)
        .map(|(.., why)| *why)
}
