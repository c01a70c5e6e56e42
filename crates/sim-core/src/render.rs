//! Sequence diagrams of a trace, built to stay readable for long failures:
//! one lane per node; a call made by spawn request (an erpc call) drawn as
//! one arrow out, labelled with what it applies, and one arrow back with its
//! result, its applier folded away; timeouts, abandoned replies and retries
//! marked; the causal past of the failure highlighted and, by default, only
//! the window around the failure shown, the rest collapsed. One
//! self-contained HTML file: the model as embedded JSON, drawn by an inline
//! script (zoom, filters by node and process, a real-time axis); no network.

mod causal;
mod model;
#[cfg(test)]
mod tests;

use crate::trace::TraceRecord;
use model::{Model, Row};
use std::fmt::Write;

const SCRIPT: &str = include_str!("render/page.js");

const STYLE: &str = "body{font-family:sans-serif;margin:12px}\
#bar{position:sticky;top:0;background:#f6f8fa;border:1px solid #d0d7de;padding:6px;z-index:1;font-size:13px}\
#bar label{margin-right:10px}#bar p{margin:4px 0}\
#lanes{position:relative;height:16px;font:bold 12px monospace}#lanes span{position:absolute;width:120px;text-align:center}\
.legend span{margin-right:12px}\
.lane rect{fill:#eaeef2;stroke:#8c959f}.lane text{font-weight:bold;font-size:12px}\
.lane line{stroke:#d0d7de;stroke-dasharray:3,3}\
.band{fill:#fff8c5;opacity:.7}\
.row{opacity:.45}.row.chain{opacity:1}.row text{fill:#24292f}.row .gut{fill:#57606a}\
.row circle{fill:#8c959f}.row.chain circle{fill:#0969da}\
.m-fail text{fill:#a40e26;font-weight:bold}.failbar{fill:#ffebe9;stroke:#cf222e;stroke-width:2}\
.m-fault,.m-conn,.m-timeout,.m-abandoned,.m-retry,.m-fail{opacity:1}\
.m-fault text{fill:#9a6700;font-weight:bold}.m-conn text{fill:#cf222e}.conn{stroke:#cf222e;stroke-dasharray:6,3}\
.m-timeout text{fill:#bc4c00;font-weight:bold}.m-abandoned text{fill:#6e7781;font-style:italic}\
.m-retry text{fill:#8250df;font-weight:bold}.m-drop text{fill:#cf222e}.m-crash text{fill:#cf222e}\
.arrow path{fill:none;stroke:#8c959f;stroke-width:1.2}\
.arrow text{font-size:10px;fill:#57606a;paint-order:stroke;stroke:#fff;stroke-width:3px}\
.arrow{opacity:.5}.arrow.chain{opacity:1}.arrow.chain path{stroke-width:2}\
.k-message path{stroke:#1f6feb}.k-message text{fill:#1f6feb}\
.k-call path,.k-cast path{stroke:#8250df}.k-call text,.k-cast text{fill:#6639ba;font-weight:bold}\
.k-return path{stroke:#1a7f37}.k-return text{fill:#1a7f37;font-weight:bold}\
.k-exit path{stroke:#cf222e;stroke-dasharray:5,3}.k-down path,.k-spawn path,.k-signal path{stroke-dasharray:5,3}\
.s-timeout path{stroke:#bc4c00}.s-timeout text{fill:#bc4c00}\
.s-abandoned path{stroke:#8c959f;stroke-dasharray:2,3}.s-abandoned text{fill:#6e7781;font-style:italic}\
.s-dropped path{stroke:#cf222e;stroke-dasharray:2,2}\
.stub path{stroke-dasharray:2,2}\
.gap rect{fill:#f6f8fa;stroke:#d0d7de;cursor:pointer}.gap text{fill:#57606a;font-style:italic;cursor:pointer}\
details{margin:8px 0}ol{font-family:monospace;font-size:12px}";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Renders `records` (a full trace) as one self-contained HTML page: a
/// sequence diagram with a lane per node, calls folded into one arrow out and
/// one back, and the causal chain of the failure highlighted.
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
/// assert!(html.contains("<script") && html.contains("b@sim"));
/// ```
pub fn sequence_diagram_html(records: &[TraceRecord], title: &str) -> String {
    let m = model::build(records, title);
    page(&m)
}

fn page(m: &Model) -> String {
    // `</` inside a script element would end it; `<\/` is the same JSON.
    let json = match serde_json::to_string(m) {
        Ok(j) => j.replace("</", "<\\/"),
        Err(e) => {
            return format!(
                "<!DOCTYPE html><p>cannot draw this trace: {}</p>",
                esc(&e.to_string())
            )
        }
    };
    let chain = m.rows.iter().filter(|r| r.chain).count();
    let folded = m.actors.iter().filter(|a| a.folded).count();
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{t}</title><style>{STYLE}</style></head><body>\
         <h2>{t}</h2>\n<p id=\"summary\">{events} events on {nodes} nodes · {actors} processes, {folded} of them \
         folded into the {calls} calls they serve · {timeouts} timed out · {retries} retries · causal chain of the \
         failure: {chain} events</p>\n",
        t = esc(&m.title),
        events = records_len(m),
        nodes = m.nodes.len(),
        actors = m.actors.len(),
        calls = m.calls,
        timeouts = m.timeouts,
        retries = m.retries,
    );
    html.push_str(
        "<div id=\"bar\">show: <label><input type=\"radio\" name=\"view\" value=\"window\" checked> window \
         around the failure</label><label><input type=\"radio\" name=\"view\" value=\"chain\"> causal chain</label>\
         <label><input type=\"radio\" name=\"view\" value=\"all\"> everything</label> | \
         <label><input type=\"checkbox\" id=\"fold\" checked> fold calls</label>\
         <label><input type=\"checkbox\" id=\"time\"> real-time axis</label> | zoom \
         <button id=\"zout\">−</button> <span id=\"zoomv\">100%</span> <button id=\"zin\">+</button> \
         <button id=\"tofail\">go to failure</button><br>nodes: <span id=\"nodes\"></span> process: \
         <input id=\"proc\" list=\"actors\" placeholder=\"name or pid\"><datalist id=\"actors\"></datalist>\
         <p class=\"legend\"><span style=\"color:#8250df\">━ call</span><span style=\"color:#1a7f37\">━ result</span>\
         <span style=\"color:#1f6feb\">━ message</span><span style=\"color:#cf222e\">┅ exit</span>\
         <span style=\"color:#bc4c00\">◷ timeout</span><span style=\"color:#6e7781\">↯ abandoned reply</span>\
         <span style=\"color:#8250df\">↻ retry</span><span style=\"background:#fff8c5\">fault in force</span> \
         bold: causal past of the failure; faded: the rest</p><div id=\"lanes\"></div></div>\n",
    );
    html.push_str("<div id=\"diagram\"></div>\n");
    chain_list(&mut html, m);
    let _ = write!(
        html,
        "<script type=\"application/json\" id=\"model\">{json}</script>\n<script>{SCRIPT}</script>\n</body></html>\n"
    );
    html
}

fn records_len(m: &Model) -> usize {
    m.rows.last().map_or(0, |r| r.rec + 1)
}

/// The failure's causal chain as text, readable without the script.
fn chain_list(html: &mut String, m: &Model) {
    let line = |r: &Row| {
        let who = r
            .actor
            .and_then(|a| m.actors.get(a))
            .map(|a| format!("{}: ", a.name))
            .unwrap_or_default();
        let node = r
            .node
            .and_then(|n| m.nodes.get(n))
            .map_or("", String::as_str);
        format!("{} {} {node} {who}{}", r.step, r.t, r.text)
    };
    let key: Vec<&Row> = m.rows.iter().filter(|r| r.chain && r.shown).collect();
    let _ = write!(
        html,
        "<details id=\"chain\"><summary>the failure's causal chain as text ({} of its events: step, µs, node, \
         process, event)</summary><ol>",
        key.len()
    );
    for r in key {
        let _ = write!(html, "<li>{}</li>", esc(&line(r)));
    }
    html.push_str("</ol></details>\n");
}
