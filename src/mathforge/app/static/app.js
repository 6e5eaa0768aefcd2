// mathforge solver page: submit a job, follow its Server-Sent Events, render samples with KaTeX.
"use strict";

const $ = (sel) => document.querySelector(sel);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

const MATH_DELIMITERS = [
  { left: "$$", right: "$$", display: true },
  { left: "\\[", right: "\\]", display: true },
  { left: "\\(", right: "\\)", display: false },
  { left: "$", right: "$", display: false },
];
const KATEX_OPTIONS = { throwOnError: false, strict: "ignore" };

const ui = {
  job: null, // current job id
  source: null, // its EventSource
  k: 0,
  samples: [], // {text, phase, final}
  dirty: new Set(),
  ended: true,
  started: 0,
};

function renderMath(node) {
  if (window.renderMathInElement) {
    window.renderMathInElement(node, { ...KATEX_OPTIONS, delimiters: MATH_DELIMITERS });
  }
}

function texInto(node, tex) {
  if (window.katex) {
    window.katex.render(tex, node, KATEX_OPTIONS);
  } else {
    node.textContent = tex;
  }
}

// ---------------------------------------------------------------- status and banner

function setStatus(text, running) {
  const s = $("#status");
  s.textContent = text;
  s.classList.toggle("running", !!running);
}

function showBanner(text, info) {
  const b = $("#banner");
  b.textContent = text;
  b.classList.toggle("info", !!info);
  b.hidden = !text;
}

async function loadStatus() {
  let st;
  try {
    const r = await fetch("api/status");
    st = await r.json();
  } catch (err) {
    showBanner("The server cannot be reached: " + err);
    setTimeout(loadStatus, 2000);
    return;
  }
  $("#model").textContent = `${st.model} · mathforge ${st.version}`;
  $("#k").max = st.settings.max_samples;
  if (st.state === "error") {
    showBanner("The model could not be loaded: " + st.error);
    $("#solve").disabled = true;
    return;
  }
  $("#solve").disabled = !ui.ended;
  if (st.state === "loading") {
    showBanner("Loading the model… you can already submit a problem; it starts when the model is ready.", true);
    setTimeout(loadStatus, 1000);
  } else if ($("#banner").classList.contains("info")) {
    showBanner("");
  }
}

// ---------------------------------------------------------------- sample rendering

// Split a transcript into prose, ```python code, ```output and other fenced blocks (an unclosed fence,
// still being generated, runs to the end).
function parseBlocks(text) {
  const out = [];
  const re = /```([A-Za-z0-9_+-]*)[ \t]*\n([\s\S]*?)(?:```|$)/g;
  let last = 0;
  let m;
  while ((m = re.exec(text)) !== null) {
    if (m.index > last) out.push({ kind: "prose", text: text.slice(last, m.index) });
    const lang = m[1].toLowerCase();
    const kind = lang === "output" ? "output" : lang === "python" || lang === "py" ? "code" : "block";
    out.push({ kind, text: m[2] });
    last = re.lastIndex;
    if (last >= text.length) break;
  }
  if (last < text.length) out.push({ kind: "prose", text: text.slice(last) });
  return out;
}

function sampleCard(i) {
  let card = document.querySelector(`.sample[data-index="${i}"]`);
  if (!card) {
    card = el("article", "sample");
    card.dataset.index = i;
    const h = el("h3");
    h.append(el("span", "title", `sample ${i + 1}/${ui.k}`), el("span", "phase", "waiting"));
    card.append(h, el("div", "body"), el("div", "foot"));
    card.querySelector(".foot").hidden = true;
    $("#samples").append(card);
  }
  return card;
}

function renderSample(i) {
  const s = ui.samples[i];
  const card = sampleCard(i);
  const body = card.querySelector(".body");
  body.replaceChildren();
  const blocks = parseBlocks(s.text || "");
  const cells = (s.final && s.final.cells) || [];
  let cellNo = 0;
  for (let b = 0; b < blocks.length; b++) {
    const block = blocks[b];
    if (block.kind === "prose") {
      const t = block.text.replace(/^\n+|\s+$/g, "");
      if (!t) continue;
      const div = el("div", "prose", t);
      renderMath(div);
      body.append(div);
    } else if (block.kind === "code" || block.kind === "output") {
      const cell = el("div", "cell");
      let output = null;
      if (block.kind === "code") {
        cellNo += 1;
        cell.dataset.cell = cellNo;
        cell.append(el("div", "label", `In [${cellNo}]`), el("pre", "code", block.text.replace(/\n$/, "")));
        let j = b + 1;
        while (j < blocks.length && blocks[j].kind === "prose" && !blocks[j].text.trim()) j++;
        if (j < blocks.length && blocks[j].kind === "output") {
          output = blocks[j].text;
          b = j;
        } else if (s.phase === "code" && j >= blocks.length) {
          cell.append(el("div", "running", "running in the sandbox…"));
        }
      } else {
        output = block.text;
      }
      if (output !== null) {
        const info = cells[cellNo - 1];
        const pre = el("pre", "output", output.replace(/\n$/, ""));
        if (info && info.status !== "ok") pre.classList.add("error");
        cell.append(el("div", "label", `Out [${cellNo || "?"}]`), pre);
      }
      body.append(cell);
    } else {
      body.append(el("pre", "block", block.text));
    }
  }
  const phase = card.querySelector(".phase");
  phase.textContent =
    { generating: "generating…", code: "running code…", generated: "generated", done: "" }[s.phase] || s.phase || "";
  const foot = card.querySelector(".foot");
  if (s.final) {
    foot.hidden = false;
    foot.replaceChildren();
    foot.append("answer: ");
    if (s.final.answer) {
      const a = el("span", "answer");
      texInto(a, s.final.answer);
      foot.append(a);
    } else {
      foot.append(el("span", "muted", "none found"));
    }
    if (s.final.verdict) foot.append(verdictBadge(s.final.verdict));
    if (s.final.error) foot.append(el("div", "error", s.final.error));
    else if (s.final.finish === "length") foot.append(el("div", "muted", "stopped at the token limit"));
  }
}

function scheduleRender(i) {
  ui.dirty.add(i);
  if (ui.dirty.size === 1) {
    requestAnimationFrame(() => {
      for (const j of ui.dirty) renderSample(j);
      ui.dirty.clear();
    });
  }
}

function verdictBadge(v) {
  const span = el("span", "verdict-wrap");
  const badge = el("span", `verdict ${v.verdict}`, v.verdict);
  span.append(badge);
  if (v.reason) span.append(el("span", "reason", v.reason));
  return span;
}

// ---------------------------------------------------------------- result

function showResult(res) {
  res.samples.forEach((s, i) => {
    ui.samples[i] = { text: s.text, phase: "done", final: s };
    renderSample(i);
  });
  const fin = $("#final");
  fin.replaceChildren();
  const label = { maj: "majority answer: ", sctir: "SC-TIR answer: ", genselect: "GenSelect answer: ", verify: "verified answer: " };
  fin.append(el("span", "", res.samples.length > 1 ? label[res.chosen_by] || `${res.chosen_by} answer: ` : "answer: "));
  const a = el("span", "answer");
  if (res.answer) texInto(a, res.answer);
  else a.textContent = "none found";
  fin.append(a);
  if (res.samples.length > 1 && res.answer) fin.append(el("span", "muted", ` (${Math.round(100 * res.share)}% of samples)`));
  if (res.samples.length > 1 && res.why) fin.append(el("div", "muted why", `chosen by ${res.chosen_by}: ${res.why}`));
  if (res.verdict) {
    const ref = el("span", "muted", " · reference ");
    const r = el("span", "ref");
    texInto(r, res.reference);
    fin.append(verdictBadge(res.verdict), ref, r);
  }
  fin.hidden = false;
  const table = $("#votes");
  const tbody = table.querySelector("tbody");
  tbody.replaceChildren();
  if (res.samples.length > 1) {
    res.votes.forEach((v, n) => {
      const tr = el("tr");
      tr.dataset.answer = v.answer;
      tr.dataset.share = v.share;
      if (n === 0) tr.classList.add("majority");
      const ans = el("td", "answer");
      texInto(ans, v.answer);
      const cv = el("td", "verdict-col");
      if (v.verdict) cv.append(verdictBadge({ verdict: v.verdict.verdict }));
      tr.append(ans, el("td", "num", String(v.count)), el("td", "num share", `${Math.round(100 * v.share)}%`), cv);
      tbody.append(tr);
    });
    const none = res.samples.filter((s) => !s.answer).length;
    if (none) {
      const tr = el("tr", "none");
      tr.append(el("td", "muted", "no answer"), el("td", "num", String(none)),
        el("td", "num share", `${Math.round((100 * none) / res.samples.length)}%`), el("td", "verdict-col"));
      tbody.append(tr);
    }
    table.classList.toggle("checked", !!res.reference);
    table.hidden = false;
  }
}

// ---------------------------------------------------------------- job lifecycle

function onEvent(ev) {
  switch (ev.type) {
    case "status":
      setStatus(ev.message, true);
      break;
    case "sample": {
      ui.samples[ev.index] = { text: ev.text, phase: ev.phase };
      scheduleRender(ev.index);
      const what = { generating: "generating", code: "running code", generated: "generated" }[ev.phase] || ev.phase;
      setStatus(`sample ${ev.index + 1}/${ui.k}: ${what}…`, true);
      break;
    }
    case "result":
      showResult(ev);
      break;
    case "error":
      showBanner(ev.message);
      break;
    case "end":
      endJob(ev.state, ev.message);
      break;
    default:
      break;
  }
}

function endJob(state, message) {
  ui.ended = true;
  if (ui.source) ui.source.close();
  ui.source = null;
  const secs = ((performance.now() - ui.started) / 1000).toFixed(1);
  const text = { done: `done in ${secs} s`, cancelled: "cancelled", error: "failed" }[state] || state;
  setStatus(text, false);
  $("#status").dataset.state = state;
  $("#solve").disabled = false;
  $("#cancel").disabled = true;
  if (state !== "done") {
    for (let i = 0; i < ui.k; i++) {
      const s = ui.samples[i] || (ui.samples[i] = { text: "", phase: "" });
      if (!s.final) {
        s.phase = s.text ? (state === "cancelled" ? "cancelled" : "stopped") : "not started";
        renderSample(i);
      }
    }
  }
}

async function solve(event) {
  event.preventDefault();
  const question = $("#question").value;
  if (!question.trim()) {
    showBanner("Write a problem first.");
    return;
  }
  const mode = document.querySelector('input[name="mode"]:checked').value;
  const k = parseInt($("#k").value, 10) || 1;
  const select = $("#select").value;
  const reference = $("#check").checked ? $("#reference").value.trim() : null;
  if ($("#check").checked && !reference) {
    showBanner("Give the reference answer to check against, or untick the box.");
    return;
  }
  showBanner("");
  $("#solve").disabled = true;
  let data;
  try {
    const r = await fetch("api/jobs", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question, mode, k, reference, select }),
    });
    data = await r.json();
    if (!r.ok) throw new Error(data.error || `HTTP ${r.status}`);
  } catch (err) {
    showBanner(String(err.message || err));
    $("#solve").disabled = false;
    return;
  }
  ui.job = data.id;
  ui.k = k;
  ui.samples = [];
  ui.ended = false;
  ui.started = performance.now();
  $("#samples").replaceChildren();
  $("#final").hidden = true;
  $("#votes").hidden = true;
  $("#status").dataset.state = "running";
  for (let i = 0; i < k; i++) sampleCard(i);
  $("#cancel").disabled = false;
  setStatus("queued", true);
  const es = new EventSource(`api/jobs/${data.id}/events`);
  ui.source = es;
  es.onmessage = (e) => onEvent(JSON.parse(e.data));
  es.onerror = () => {
    if (!ui.ended) {
      es.close();
      showBanner("Lost the connection to the server.");
      endJob("error");
    }
  };
}

async function cancel() {
  if (!ui.job || ui.ended) return;
  $("#cancel").disabled = true;
  setStatus("cancelling…", true);
  try {
    await fetch(`api/jobs/${ui.job}/cancel`, { method: "POST" });
  } catch (err) {
    showBanner("Cancel failed: " + err);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("#form").addEventListener("submit", solve);
  $("#cancel").addEventListener("click", cancel);
  $("#check").addEventListener("change", () => {
    $("#reference").disabled = !$("#check").checked;
    if ($("#check").checked) $("#reference").focus();
  });
  loadStatus();
});
