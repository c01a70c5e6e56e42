//! `is_process_alive` and `process_info`: what a process may read of another
//! on its node.

use crate::exception::Exception;
use crate::id::Pid;
use crate::sched::footprint::{Obj, Op};
use crate::signal::MonTarget;
use crate::term::Term;
use crate::world::{Status, Wait, World};

impl World {
    /// `is_process_alive(Pid)` asked on node `me`: `error:badarg` for a pid
    /// of another node, as in OTP.
    pub(crate) fn is_process_alive(&self, me: Pid, pid: Pid) -> Result<bool, Exception> {
        if pid.node() != me.node() {
            return Err(Exception::badarg("is_process_alive", 1));
        }
        self.note_pid(pid, Obj::Life, Op::Read);
        Ok(self.key_of(pid).is_some())
    }

    /// `process_info(Pid, Item)` asked by `me`: `Ok(None)` for a dead pid;
    /// `error:badarg` for a pid of another node or an unknown item.
    pub(crate) fn process_info(
        &self,
        me: Pid,
        pid: Pid,
        item: &str,
    ) -> Result<Option<Term>, Exception> {
        if pid.node() != me.node() {
            return Err(Exception::badarg("process_info", 2));
        }
        // Any part of another process: taken as reading everything.
        self.note(Obj::All, Op::Read);
        let Some(k) = self.key_of(pid) else {
            return Ok(None);
        };
        let p = &self.procs[k];
        let pids = |v: Vec<Pid>| Term::List(v.into_iter().map(Term::Pid).collect());
        let value = match item {
            "links" => pids(p.links.to_vec()),
            "monitored_by" => pids(p.mon_in.iter().map(|m| m.watcher).collect()),
            "monitors" => Term::List(
                p.mon_out
                    .iter()
                    .map(|m| match m.target {
                        MonTarget::Pid(t) => Term::Tuple(vec![Term::atom("process"), Term::Pid(t)]),
                        MonTarget::Name(n, node) => Term::Tuple(vec![
                            Term::atom("process"),
                            Term::Tuple(vec![Term::Atom(n), Term::Atom(self.node_name(node))]),
                        ]),
                    })
                    .collect(),
            ),
            "trap_exit" => Term::from(p.trap_exit),
            // OTP's names; a process asking about itself is running.
            "status" => Term::atom(match p.status {
                Status::Running => "running",
                Status::Runnable => "runnable",
                Status::Waiting(Wait::BusyDist) => "suspended",
                Status::Waiting(_) => "waiting",
            }),
            "priority" => Term::atom(p.priority.name()),
            "registered_name" => match p.name {
                Some(n) => Term::Atom(n),
                // OTP answers `[]`, not a tuple, for an unregistered process.
                None => return Ok(Some(Term::List(Vec::new()))),
            },
            "message_queue_len" => Term::Int(p.mailbox.len() as i64),
            "messages" => Term::List(p.mailbox.snapshot(&self.arena)),
            _ => return Err(Exception::badarg("process_info", 2)),
        };
        Ok(Some(Term::Tuple(vec![Term::atom(item), value])))
    }
}
