//! Sequence diagrams of a trace: one lane per process grouped by node, signals
//! as arrows from send to delivery, spawn requests linked to the `'DOWN'`
//! that answers them (the erpc request/response pair), faults and connection
//! losses as shaded bands, the failing event highlighted. Self-contained HTML
//! with inline SVG: no script, no external resource.

use crate::signal::SignalKind;
use crate::term::Term;
use crate::trace::{TraceEvent, TraceRecord};
use indexmap::IndexMap;
use std::fmt::Write;

const LANE_W: usize = 120;
const ROW_H: usize = 18;
const TOP: usize = 70;
const LEFT: usize = 170;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn short(t: &Term) -> String {
    let s = t.to_string();
    if s.chars().count() > 40 {
        let cut: String = s.chars().take(37).collect();
        format!("{cut}...")
    } else {
        s
    }
}

fn kind_color(k: SignalKind) -> &'static str {
    match k {
        SignalKind::Message => "#1f6feb",
        SignalKind::Exit => "#cf222e",
        SignalKind::Down => "#bf8700",
        SignalKind::SpawnRequest | SignalKind::SpawnReply => "#8250df",
        _ => "#57606a",
    }
}

/// Renders `records` (a full trace) as an HTML page with an SVG sequence
/// diagram.
///
/// ```
/// use sim_core::{Sim, Term, TraceMode, sequence_diagram_html};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).trace(TraceMode::Full).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let p = cx.spawn_on("b@sim", |c| async move { c.recv().await; Ok(Term::atom("done")) }).await?;
///     cx.send(p, Term::atom("hi")).await?;
///     Ok(Term::atom("ok"))
/// }).unwrap();
/// let report = sim.run();
/// let html = sequence_diagram_html(&report.trace, "demo");
/// assert!(html.contains("<svg") && html.contains("b@sim"));
/// ```
pub fn sequence_diagram_html(records: &[TraceRecord], title: &str) -> String {
    // Lanes: processes in spawn order, grouped by node in first-seen order.
    // A pid seen before its spawn was recorded gets a lane on a node named by
    // index until a spawn event names it.
    let mut node_names: IndexMap<u32, String> = IndexMap::new();
    for r in records {
        if let TraceEvent::Spawn { pid, node, .. } = &r.event {
            node_names
                .entry(pid.node().0)
                .or_insert_with(|| Term::Atom(*node).to_string());
        }
    }
    let mut by_node: IndexMap<u32, Vec<String>> = IndexMap::new();
    let mut see = |p: &crate::id::Pid| {
        // The runtime's own pseudo-pid (index 0) gets no lane.
        if p.index() == 0 && p.serial() == 0 {
            return;
        }
        let lanes = by_node.entry(p.node().0).or_default();
        let s = p.to_string();
        if !lanes.contains(&s) {
            lanes.push(s);
        }
    };
    for r in records {
        match &r.event {
            TraceEvent::Spawn { pid, .. }
            | TraceEvent::Receive { pid, .. }
            | TraceEvent::Exit { pid, .. } => see(pid),
            TraceEvent::Send { from, to, .. } => {
                see(from);
                if let crate::trace::TraceDest::Pid(p) = to {
                    see(p);
                }
            }
            _ => {}
        }
    }
    by_node.sort_keys();
    let nodes: IndexMap<String, Vec<String>> = by_node
        .into_iter()
        .map(|(i, pids)| {
            let name = node_names
                .get(&i)
                .cloned()
                .unwrap_or_else(|| format!("node {i}"));
            (name, pids)
        })
        .collect();
    let mut lane: IndexMap<String, usize> = IndexMap::new();
    for pids in nodes.values() {
        for p in pids {
            let n = lane.len();
            lane.insert(p.clone(), n);
        }
    }
    let x_of = |pid: &str| lane.get(pid).map(|i| LEFT + i * LANE_W + LANE_W / 2);
    let rows = records.len();
    let width = LEFT + lane.len().max(1) * LANE_W + 40;
    let height = TOP + rows * ROW_H + 40;
    let y_of = |i: usize| TOP + i * ROW_H + ROW_H / 2;

    let mut sends: IndexMap<u64, (usize, String, SignalKind, String, Option<String>)> =
        IndexMap::new();
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="monospace" font-size="11">"#
    );
    let _ = writeln!(
        svg,
        r#"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="context-stroke"/></marker></defs>"#
    );
    // Fault bands: from a partition/crash event to the next heal/restart.
    let mut open: Option<(usize, String)> = None;
    for (i, r) in records.iter().enumerate() {
        if let TraceEvent::Fault { what } = &r.event {
            let ends = what.starts_with("heal") || what.starts_with("restart");
            if ends {
                if let Some((start, label)) = open.take() {
                    band(&mut svg, start, i, width, &label);
                }
            } else if open.is_none() {
                open = Some((i, what.clone()));
            }
        }
    }
    if let Some((start, label)) = open.take() {
        band(&mut svg, start, rows.saturating_sub(1), width, &label);
    }
    // Node headers and lifelines.
    let mut col = 0;
    for (node, pids) in &nodes {
        let x0 = LEFT + col * LANE_W;
        let w = pids.len() * LANE_W;
        let _ = writeln!(
            svg,
            r##"<rect x="{x0}" y="8" width="{w}" height="22" fill="#eaeef2" stroke="#8c959f"/><text x="{}" y="23" text-anchor="middle" font-weight="bold">{}</text>"##,
            x0 + w / 2,
            esc(node)
        );
        for p in pids {
            let x = x0 + (lane[p] - col) * LANE_W + LANE_W / 2;
            let _ = writeln!(
                svg,
                r##"<text x="{x}" y="50" text-anchor="middle">{}</text><line x1="{x}" y1="56" x2="{x}" y2="{}" stroke="#d0d7de" stroke-dasharray="3,3"/>"##,
                esc(p),
                height - 20
            );
        }
        col += pids.len();
    }
    // Events.
    let mut spawn_reqs: IndexMap<String, usize> = IndexMap::new();
    for (i, r) in records.iter().enumerate() {
        let y = y_of(i);
        let _ = writeln!(
            svg,
            r##"<text x="4" y="{}" fill="#57606a">{:>5} {}</text>"##,
            y + 4,
            r.step,
            esc(&r.time.to_string())
        );
        match &r.event {
            TraceEvent::Send {
                id,
                from,
                to,
                kind,
                payload,
            } => {
                let label = payload
                    .as_ref()
                    .map(short)
                    .unwrap_or_else(|| format!("{kind:?}"));
                sends.insert(
                    *id,
                    (i, from.to_string(), *kind, label, Some(to.to_string())),
                );
                if *kind == SignalKind::SpawnRequest {
                    spawn_reqs.insert(from.to_string(), i);
                }
                if let Some(x) = x_of(&from.to_string()) {
                    let _ = writeln!(
                        svg,
                        r#"<circle cx="{x}" cy="{y}" r="3" fill="{}"/>"#,
                        kind_color(*kind)
                    );
                }
            }
            TraceEvent::Deliver { id, to: reached } => {
                if let Some((si, from, kind, label, to)) = sends.get(id) {
                    let reached = reached.map(|p| p.to_string());
                    let (x1, x2) = (
                        x_of(from),
                        reached.as_deref().or(to.as_deref()).and_then(x_of),
                    );
                    if let (Some(x1), Some(x2)) = (x1, x2) {
                        let y1 = y_of(*si);
                        let dash = if *kind == SignalKind::Message {
                            ""
                        } else {
                            r#" stroke-dasharray="5,3""#
                        };
                        let _ = writeln!(
                            svg,
                            r#"<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y}" stroke="{}" stroke-width="1.5" marker-end="url(#arrow)"{dash}><title>{}</title></line>"#,
                            kind_color(*kind),
                            esc(label)
                        );
                        let _ = writeln!(
                            svg,
                            r#"<text x="{}" y="{}" fill="{}" font-size="10">{}</text>"#,
                            (x1 + x2) / 2 + 3,
                            (y1 + y) / 2 - 2,
                            kind_color(*kind),
                            esc(label)
                        );
                        // Link a DOWN back to the spawn request that asked for it.
                        if *kind == SignalKind::Down {
                            if let Some(to) = reached.as_ref().or(to.as_ref()) {
                                if let Some(&req) = spawn_reqs.get(to) {
                                    let _ = writeln!(
                                        svg,
                                        r##"<path d="M {x2} {} C {} {} {} {y} {x2} {y}" fill="none" stroke="#8250df" stroke-width="1" stroke-dasharray="2,2"><title>request/response</title></path>"##,
                                        y_of(req),
                                        x2 + 40,
                                        y_of(req),
                                        x2 + 40
                                    );
                                }
                            }
                        }
                    }
                }
            }
            TraceEvent::Drop { id, cause } => {
                if let Some((_, from, _, label, _)) = sends.get(id) {
                    if let Some(x) = x_of(from) {
                        let _ = writeln!(
                            svg,
                            r##"<text x="{}" y="{}" fill="#cf222e">✗ dropped {} ({})</text>"##,
                            x + 6,
                            y + 4,
                            esc(label),
                            esc(cause)
                        );
                    }
                }
            }
            TraceEvent::Hold { id } => {
                if let Some((_, from, _, _, _)) = sends.get(id) {
                    if let Some(x) = x_of(from) {
                        let _ = writeln!(
                            svg,
                            r##"<text x="{}" y="{}" fill="#bf8700">held until heal</text>"##,
                            x + 6,
                            y + 4
                        );
                    }
                }
            }
            TraceEvent::Receive { pid, msg } => {
                if let Some(x) = x_of(&pid.to_string()) {
                    let _ = writeln!(
                        svg,
                        r##"<rect x="{}" y="{}" width="6" height="6" fill="#1a7f37"><title>receive {}</title></rect>"##,
                        x - 3,
                        y - 3,
                        esc(&short(msg))
                    );
                }
            }
            TraceEvent::Exit { pid, reason } => {
                if let Some(x) = x_of(&pid.to_string()) {
                    let _ = writeln!(
                        svg,
                        r##"<text x="{}" y="{}" fill="#cf222e">✕ {}</text>"##,
                        x - 4,
                        y + 4,
                        esc(&short(reason))
                    );
                }
            }
            TraceEvent::Fault { what } => {
                let _ = writeln!(
                    svg,
                    r##"<text x="{LEFT}" y="{}" fill="#9a6700" font-weight="bold">⚡ {}</text>"##,
                    y + 4,
                    esc(what)
                );
            }
            TraceEvent::ConnectionDown { a, b, cause } => {
                let _ = writeln!(
                    svg,
                    r##"<line x1="{LEFT}" y1="{y}" x2="{}" y2="{y}" stroke="#cf222e" stroke-dasharray="6,3"/><text x="{}" y="{}" fill="#cf222e">connection {} - {} down ({})</text>"##,
                    width - 20,
                    LEFT + 4,
                    y - 3,
                    esc(&Term::Atom(*a).to_string()),
                    esc(&Term::Atom(*b).to_string()),
                    esc(cause)
                );
            }
            TraceEvent::CheckFailed { pid, message } => {
                let x = x_of(&pid.to_string()).unwrap_or(LEFT);
                let _ = writeln!(
                    svg,
                    r##"<rect x="{}" y="{}" width="{}" height="{ROW_H}" fill="#ffebe9" stroke="#cf222e" stroke-width="2"/><text x="{}" y="{}" fill="#a40e26" font-weight="bold">check failed: {}</text>"##,
                    LEFT - 4,
                    y - ROW_H / 2,
                    width - LEFT - 16,
                    x + 6,
                    y + 4,
                    esc(message)
                );
            }
            TraceEvent::Spawn { pid, parent, .. } => {
                if let (Some(x), Some(p)) = (x_of(&pid.to_string()), parent) {
                    if let Some(px) = x_of(&p.to_string()) {
                        let _ = writeln!(
                            svg,
                            r##"<line x1="{px}" y1="{y}" x2="{x}" y2="{y}" stroke="#8c959f" stroke-dasharray="1,2"/><text x="{}" y="{}" fill="#57606a" font-size="10">spawn</text>"##,
                            x.min(px) + 4,
                            y - 3
                        );
                    }
                }
            }
            TraceEvent::Advance { .. } | TraceEvent::Release { .. } => {}
        }
    }
    svg.push_str("</svg>\n");
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:sans-serif;margin:16px}} .legend span{{margin-right:14px}}</style></head>\
         <body><h2>{t}</h2><p class=\"legend\"><span style=\"color:#1f6feb\">━ message</span>\
         <span style=\"color:#cf222e\">┅ exit</span><span style=\"color:#bf8700\">┅ DOWN</span>\
         <span style=\"color:#8250df\">┅ spawn request/reply, ⋯ request/response link</span>\
         <span style=\"color:#9a6700\">▒ fault in force</span></p>\n{svg}</body></html>\n",
        t = esc(title)
    )
}

fn band(svg: &mut String, start: usize, end: usize, width: usize, label: &str) {
    let y0 = TOP + start * ROW_H;
    let h = (end.saturating_sub(start) + 1) * ROW_H;
    let _ = writeln!(
        svg,
        r##"<rect x="{LEFT}" y="{y0}" width="{}" height="{h}" fill="#fff8c5" opacity="0.7"><title>{}</title></rect>"##,
        width - LEFT - 20,
        esc(label)
    );
}
