// index.html: one self-contained page (inline CSS and script, screenshots as data: URIs, no request
// leaves the file). It shows hostile XML from targets, so every interpolation goes through the
// `html` template below, which escapes unless a value is already trusted markup; a Content-Security-
// Policy that allows only our own script (by hash) is the second line of defence.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvidenceMessage, Finding, PositiveControl, Role, RunResult, ScenarioResult, SignatureEvidence, Verdict } from '../shared/result-model.ts';
import type { RunDiff, ScenarioRef, VerdictChange } from './diff.ts';
import { describeDiff } from './diff.ts';
import {
  countVerdicts,
  decisiveFinding,
  describeVariant,
  failedFindings,
  formatDuration,
  formatTimestamp,
  groupScenarios,
  runDurationMs,
  shortAlgorithm,
  stripInvalidXmlChars,
  truncate,
  VERDICT_LABEL,
} from './format.ts';

export const HTML_REPORT_FILE = 'index.html';

export interface HtmlOptions {
  /** Comparison with a baseline run, shown near the top. */
  diff?: RunDiff;
  /** Longest raw wire value shown per message; the rest is cut with a note (results.json keeps it). */
  maxRawChars?: number;
  /** Longest XML shown per message or finding. */
  maxXmlChars?: number;
  /** Screenshots larger than this (base64 characters) are left out with a note. */
  maxScreenshotChars?: number;
  /**
   * Budget for all screenshots of passing scenarios together (base64 characters). Screenshots of
   * scenarios that need attention are always kept; passing ones fill the budget in order.
   */
  maxPassScreenshotsChars?: number;
}

const DEFAULTS = { maxRawChars: 32_000, maxXmlChars: 100_000, maxScreenshotChars: 3_000_000, maxPassScreenshotsChars: 8_000_000 };

type Limits = Required<Omit<HtmlOptions, 'diff'>> & { screenshots: Set<ScenarioResult> };

/** Which screenshots go into the page: all that explain a problem, then passes while the budget lasts. */
function screenshotsToEmbed(scenarios: readonly ScenarioResult[], budget: number): Set<ScenarioResult> {
  const chosen = new Set<ScenarioResult>();
  let used = 0;
  for (const s of scenarios) if (s.screenshot && s.verdict !== 'pass') chosen.add(s);
  for (const s of scenarios) {
    if (!s.screenshot || s.verdict !== 'pass') continue;
    if (used + s.screenshot.length > budget) continue;
    used += s.screenshot.length;
    chosen.add(s);
  }
  return chosen;
}

// ---------------------------------------------------------------- escaping by construction

class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Html | string | number | boolean | null | undefined | Part[];

export function escapeHtml(value: string): string {
  return stripInvalidXmlChars(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function renderPart(v: Part): string {
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(renderPart).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(String(v));
}

/** Template tag: every interpolated value is escaped unless it is Html made by this module. */
function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0];
  values.forEach((v, i) => {
    out += renderPart(v) + strings[i + 1];
  });
  return new Html(out);
}

/** Only for constants written in this file. */
const trusted = (markup: string) => new Html(markup);

// ---------------------------------------------------------------- small formatters

const VERDICTS_SHOWN: Verdict[] = ['pass', 'fail', 'warning', 'review', 'error', 'not-applicable'];

const VERDICT_TEXT: Record<Verdict, string> = {
  pass: 'passed',
  fail: 'failed',
  warning: 'warnings',
  review: 'to review',
  error: 'errors',
  'not-applicable': 'not applicable',
};

/** `1 error` but `2 errors`: the word after a count. */
function verdictCount(v: Verdict, n: number): string {
  if (n === 1 && v === 'warning') return 'warning';
  if (n === 1 && v === 'error') return 'error';
  return VERDICT_TEXT[v];
}

const ROLE_TEXT: Record<Role, string> = { idp: 'IdP', sp: 'SP' };

const when = formatTimestamp;

function timeOfDay(iso: string): string {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t).toISOString().slice(11, 23) : iso;
}

function badge(v: Verdict): Html {
  return html`<span class="badge v-${v}">${VERDICT_LABEL[v]}</span>`;
}

/** A value cut to `max` characters, with a note saying so. */
function clipped(value: string, max: number, what: string): { text: string; note?: string } {
  if (value.length <= max) return { text: value };
  return {
    text: value.slice(0, max),
    note: `${what} cut at ${max.toLocaleString('en-US')} of ${value.length.toLocaleString('en-US')} characters; results.json holds all of it.`,
  };
}

/**
 * Light XML colouring. Runs on already-escaped text in a single pass, so each match becomes one
 * span and nothing the target wrote can open or close markup. Every repetition is bounded, so a
 * hostile document (unclosed comments, endless names) cannot make this quadratic.
 */
const XML_TOKEN = /(&lt;!--[\s\S]{0,4000}?--&gt;)|(&lt;\/?)([\w:.-]{1,200})|(?<=\s)([\w:.-]{1,200})=(&quot;[^\n]{0,4000}?&quot;)/g;

function highlightXml(escaped: string): string {
  return escaped.replace(
    XML_TOKEN,
    (m, comment: string | undefined, open: string | undefined, tag: string | undefined, name: string | undefined, value: string | undefined) => {
      if (comment) return `<span class="x-c">${comment}</span>`;
      if (open !== undefined && tag) return `${open}<span class="x-t">${tag}</span>`;
      if (name && value) return `<span class="x-a">${name}</span>=<span class="x-v">${value}</span>`;
      return m;
    },
  );
}

function xmlBlock(xml: string, max: number, what: string): Html {
  const { text, note } = clipped(xml, max, what);
  return html`<pre class="xml">${trusted(highlightXml(escapeHtml(text)))}</pre>${note ? html`<p class="note">${note}</p>` : ''}`;
}

function anchorIds(scenarios: readonly ScenarioResult[]): Map<ScenarioResult, string> {
  const ids = new Map<ScenarioResult, string>();
  const used = new Set<string>();
  for (const s of scenarios) {
    const base = `s-${(s.target ? `${s.target}-` : '') + s.id}`.replace(/[^A-Za-z0-9_-]/g, '_');
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    ids.set(s, id);
  }
  return ids;
}

function bar(counts: Record<Verdict, number>, total: number): Html {
  if (total === 0) return html`<div class="bar empty"></div>`;
  const segments = VERDICTS_SHOWN.filter((v) => counts[v] > 0).map(
    (v) => html`<span class="v-${v}" style="width:${((counts[v] / total) * 100).toFixed(2)}%" title="${counts[v]} ${verdictCount(v, counts[v])}"></span>`,
  );
  return html`<div class="bar" role="img" aria-label="${VERDICTS_SHOWN.filter((v) => counts[v]).map((v) => `${counts[v]} ${verdictCount(v, counts[v])}`).join(', ')}">${segments}</div>`;
}

// ---------------------------------------------------------------- page sections

function header(result: RunResult): Html {
  const counts = countVerdicts(result.scenarios);
  const bad = counts.fail + counts.error > 0;
  const targets = result.targets.map(
    (t) => html`<li><span class="role">${ROLE_TEXT[t.role]}</span> <strong>${t.name}</strong>${t.entityId ? html` <code>${t.entityId}</code>` : ''}</li>`,
  );
  const totals = VERDICTS_SHOWN.map(
    (v) => html`<a class="total v-${v}${counts[v] ? '' : ' zero'}" href="#scenarios" data-only="${v}" title="Show only ${VERDICT_TEXT[v]}"><b>${counts[v]}</b><span>${verdictCount(v, counts[v])}</span></a>`,
  );
  const selection = result.selection
    ? [result.selection.role ? `role ${result.selection.role}` : '', result.selection.grep ? `grep “${result.selection.grep}”` : ''].filter(Boolean).join(', ')
    : '';
  return html`<header class="top">
<div class="wrap">
<div class="headline">
<h1>samlconf <span>conformance report</span></h1>
<span class="status ${bad ? 'bad' : 'good'}">${bad ? 'Failed' : 'Passed'}</span>
<span class="version muted">samlconf ${result.tool.version} · result schema v${result.schemaVersion}</span>
</div>
<div class="facts-row">
<dl class="run">
<div><dt>Targets</dt><dd><ul class="targets">${targets.length ? targets : html`<li>none recorded</li>`}</ul></dd></div>
<div><dt>Started</dt><dd>${when(result.startedAt)}</dd></div>
<div><dt>Finished</dt><dd>${when(result.finishedAt)}</dd></div>
<div><dt>Duration</dt><dd>${formatDuration(runDurationMs(result))}</dd></div>
${selection ? html`<div><dt>Selection</dt><dd>${selection}</dd></div>` : ''}
</dl>
</div>
<nav class="totals" aria-label="Totals">${totals}</nav>
</div>
</header>`;
}

function summary(result: RunResult): Html {
  const rows = groupScenarios(result.scenarios).map((g) => {
    const c = countVerdicts(g.scenarios);
    const cells = VERDICTS_SHOWN.map((v) => html`<td class="num${c[v] ? ` c-${v}` : ' nil'}">${c[v] || '·'}</td>`);
    return html`<tr><td><span class="role">${ROLE_TEXT[g.role]}</span></td><td><a href="#g-${g.role}-${g.group.replace(/[^A-Za-z0-9_-]/g, '_')}${g.target !== undefined ? `-${g.target.replace(/[^A-Za-z0-9_-]/g, '_')}` : ''}">${g.group}</a>${g.target !== undefined ? html` <span class="muted">${g.target}</span>` : ''}</td><td class="barcell">${bar(c, g.scenarios.length)}</td>${cells}<td class="num">${g.scenarios.length}</td></tr>`;
  });
  const all = countVerdicts(result.scenarios);
  const head = VERDICTS_SHOWN.map((v) => html`<th class="num"><span class="dot v-${v}"></span>${VERDICT_LABEL[v]}</th>`);
  return html`<section class="card summary" aria-labelledby="h-summary">
<h2 id="h-summary">Summary by role and group</h2>
<div class="scroll"><table>
<thead><tr><th>Role</th><th>Group</th><th class="barcell">Outcome</th>${head}<th class="num">total</th></tr></thead>
<tbody>${rows}</tbody>
<tfoot><tr><td></td><td>all</td><td class="barcell">${bar(all, result.scenarios.length)}</td>${VERDICTS_SHOWN.map((v) => html`<td class="num${all[v] ? ` c-${v}` : ' nil'}">${all[v] || '·'}</td>`)}<td class="num">${result.scenarios.length}</td></tr></tfoot>
</table></div>
</section>`;
}

function diffSection(diff: RunDiff, anchors: Map<string, string>): Html {
  const link = (id: string, target: string | undefined) => {
    const a = anchors.get(`${target ?? ''}\u0000${id}`);
    return a ? html`<a href="#${a}"><code>${id}</code></a>` : html`<code>${id}</code>`;
  };
  const change = (c: VerdictChange) =>
    html`<li>${link(c.id, c.target)} ${badge(c.before)} → ${badge(c.after)}${c.reason ? html` <span class="muted">${c.reason}</span>` : ''}</li>`;
  const ref = (r: ScenarioRef, linked: boolean) => html`<li>${linked ? link(r.id, r.target) : html`<code>${r.id}</code>`} ${badge(r.verdict)}</li>`;
  const list = (title: string, cls: string, items: Html[]) =>
    items.length ? html`<div class="dl ${cls}"><h3>${title} <span class="count">${items.length}</span></h3><ul>${items}</ul></div>` : '';
  return html`<section class="card diff" aria-labelledby="h-diff">
<h2 id="h-diff">Compared with the baseline</h2>
<p>${describeDiff(diff)}.</p>
${list('Regressions', 'regressions', diff.regressions.map(change))}
${list('Fixes', 'fixes', diff.fixes.map(change))}
${list('Other verdict changes', 'changed', diff.changed.map(change))}
${list('New scenarios', 'new', diff.newScenarios.map((r) => ref(r, true)))}
${list('No longer run', 'removed', diff.removed.map((r) => ref(r, false)))}
</section>`;
}

/** The decisive check as expected/observed, or the reason. */
function why(s: ScenarioResult): Html {
  const f = s.verdict === 'fail' || s.verdict === 'warning' ? decisiveFinding(s) : undefined;
  if (!f) return html`${truncate(s.reason ?? '', 400)}`;
  return html`<code>${f.check}</code>${f.requirement ? html` <code class="req">${f.requirement}</code>` : ''} <span class="k">expected</span> ${truncate(f.expected, 200)} <span class="k">observed</span> <strong>${truncate(f.observed, 200)}</strong>`;
}

/** Everything that is not a plain pass or n/a, worst first, one line each, linked to its section. */
function attention(result: RunResult, anchors: Map<ScenarioResult, string>): Html {
  const rank: Verdict[] = ['fail', 'error', 'warning', 'review'];
  const items = result.scenarios
    .filter((s) => rank.includes(s.verdict))
    .sort((a, b) => rank.indexOf(a.verdict) - rank.indexOf(b.verdict));
  if (items.length === 0) return html``;
  const rows = items.map(
    (s) =>
      html`<tr><td>${badge(s.verdict)}</td><td><a href="#${anchors.get(s)!}" class="sid">${s.id}</a></td><td class="why">${why(s)}</td></tr>`,
  );
  return html`<section class="card attention" aria-labelledby="h-attention">
<h2 id="h-attention">Needs attention <span class="muted">${items.length} of ${result.scenarios.length} scenarios</span></h2>
<div class="scroll"><table><tbody>${rows}</tbody></table></div>
</section>`;
}

function filters(result: RunResult): Html {
  const counts = countVerdicts(result.scenarios);
  const roles = [...new Set(result.scenarios.map((s) => s.role))];
  return html`<div class="filters" id="filters" hidden>
<div class="verdict-filter" role="group" aria-label="Verdicts">${VERDICTS_SHOWN.map(
    (v) => html`<button type="button" class="chip v-${v}" data-verdict="${v}" aria-pressed="true">${VERDICT_LABEL[v]} <b>${counts[v]}</b></button>`,
  )}</div>
<label class="sel">Role <select id="f-role"><option value="">all</option>${roles.map((r) => html`<option value="${r}">${ROLE_TEXT[r]}</option>`)}</select></label>
<input id="f-text" type="search" placeholder="Search id, title, requirement, check…" aria-label="Search scenarios">
<span class="spacer"></span>
<span class="f-tools"><span id="f-count" class="muted"></span><button type="button" id="f-open" class="link">expand all</button><button type="button" id="f-close" class="link">collapse all</button></span>
</div>`;
}

/** Why a refusal counts (or does not): the same flow without the fault, and what the target did with it. */
function positiveControl(c: PositiveControl): Html {
  const outcome = c.outcome === 'succeeded' ? 'got through, so the refusal counts' : c.outcome === 'refused' ? 'was refused too, so the refusal proves nothing' : 'could not be judged';
  const how = c.inFlow ? "held in the scenario's own flow" : `${c.shape}${c.shared ? ', shared with another scenario of this run' : ''}`;
  return html`<p class="control c-${c.outcome}"><strong>Positive control</strong> (${how}): ${outcome}. <span class="muted">${c.observed}</span></p>`;
}

function findingsTable(s: ScenarioResult, opts: Limits): Html {
  if (s.findings.length === 0) return html`<p class="muted">No checks were recorded${s.verdict === 'error' ? ': the scenario broke before it could check anything' : ''}.</p>`;
  const rows = s.findings.map((f: Finding) => {
    // A failed `info` finding is a request for a person to look (verdict `review`), not a fault.
    const state = f.ok ? 'ok' : f.severity === 'must' ? 'bad' : f.severity === 'info' ? 'look' : 'soft';
    const icon = { ok: '✓', bad: '✗', soft: '!', look: '?' }[state];
    const extra =
      f.detail || f.xml
        ? html`<tr class="more ${state}"><td></td><td colspan="5">${f.detail ? html`<p class="detail">${f.detail}</p>` : ''}${
            f.xml
              ? f.ok
                ? html`<details class="sub"><summary>XML looked at</summary>${xmlBlock(f.xml, opts.maxXmlChars, 'XML')}</details>`
                : html`<div class="offending"><span class="label">Offending XML</span>${xmlBlock(f.xml, opts.maxXmlChars, 'XML')}</div>`
              : ''
          }</td></tr>`
        : '';
    return html`<tr class="${state}"><td class="icon" aria-label="${{ ok: 'ok', bad: 'failed', soft: 'not met', look: 'to review' }[state]}">${icon}</td><td data-label="Check"><code>${f.check}</code></td><td data-label="Requirement">${f.requirement ? html`<code class="req">${f.requirement}</code>` : html`<span class="muted">—</span>`}</td><td data-label="Severity"><span class="sev sev-${f.severity}">${f.severity.toUpperCase()}</span></td><td data-label="Expected" class="val">${f.expected}</td><td data-label="Observed" class="val">${f.observed}</td></tr>${extra}`;
  });
  return html`<div class="scroll"><table class="findings">
<colgroup><col class="c-icon"><col class="c-check"><col class="c-req"><col class="c-sev"><col><col></colgroup>
<thead><tr><th></th><th>Check</th><th>Requirement</th><th>Severity</th><th>Expected</th><th>Observed</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

const BINDING_TEXT: Record<NonNullable<EvidenceMessage['binding']>, string> = {
  redirect: 'HTTP-Redirect',
  post: 'HTTP-POST',
  artifact: 'HTTP-Artifact',
  soap: 'SOAP',
};

function signatureItem(sig: SignatureEvidence): Html {
  const what = sig.kind === 'xml' ? 'XML signature' : 'Redirect query signature';
  const bits = [shortAlgorithm(sig.algorithm), sig.covers ? `covers ${sig.covers}` : undefined].filter(Boolean).join(' · ');
  return html`<li class="${sig.valid ? 'ok' : 'bad'}">${sig.valid ? '✓' : '✗'} ${what} ${sig.valid ? 'valid' : 'invalid'}${bits ? html` <span class="muted">· ${bits}</span>` : ''}${sig.reason ? html` — ${sig.reason}` : ''}</li>`;
}

function message(m: EvidenceMessage, opts: Limits): Html {
  const arrow = m.direction === 'sent' ? '→' : '←';
  const decoded = m.pretty ?? m.xml;
  const raw = clipped(m.raw, opts.maxRawChars, 'Raw value');
  const lines = decoded ? decoded.split('\n').length : 0;
  return html`<li class="msg ${m.direction}">
<div class="msg-head"><span class="seq">${m.seq}</span><span class="dir" title="${m.direction === 'sent' ? 'sent by the harness to the target' : 'received by the harness from the target'}">${arrow} ${m.direction}</span><strong>${m.kind}</strong>${m.binding ? html`<span class="pill">${BINDING_TEXT[m.binding] ?? m.binding}</span>` : ''}<span class="muted">via ${m.via}</span><span class="muted time">${timeOfDay(m.at)}</span></div>
${m.url ? html`<div class="url"><code>${m.url}</code></div>` : ''}
${m.signatures?.length ? html`<ul class="sigs">${m.signatures.map(signatureItem)}</ul>` : ''}
${m.relayState !== undefined ? html`<div class="kv"><span class="k">RelayState</span> <code>${m.relayState}</code></div>` : ''}
${m.note ? html`<div class="kv"><span class="k">Note</span> ${m.note}</div>` : ''}
${decoded ? html`<details class="sub"><summary>Decoded XML <span class="muted">${lines} lines</span></summary>${xmlBlock(decoded, opts.maxXmlChars, 'Decoded XML')}</details>` : ''}
<details class="sub"><summary>Raw, as on the wire <span class="muted">${m.raw.length.toLocaleString('en-US')} characters</span></summary><pre class="raw">${raw.text}</pre>${raw.note ? html`<p class="note">${raw.note}</p>` : ''}</details>
</li>`;
}

function screenshot(s: ScenarioResult, max: number, embed: boolean): Html {
  if (!s.screenshot) return html``;
  if (!embed) return html`<p class="note">The screenshot is left out to keep this page small; results.json holds it.</p>`;
  const b64 = s.screenshot.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return html`<p class="note">The screenshot is not valid base64 and is left out.</p>`;
  if (b64.length > max) return html`<p class="note">The screenshot (${b64.length.toLocaleString('en-US')} characters) is too large for this page and is left out; results.json holds it.</p>`;
  return html`<h4>Where the browser ended</h4><figure class="shot"><img alt="Browser page at the end of ${s.id}" src="data:image/png;base64,${b64}">${s.finalUrl ? html`<figcaption><code>${s.finalUrl}</code></figcaption>` : ''}</figure>`;
}

function searchText(s: ScenarioResult): string {
  return [s.id, s.title, s.group, s.target, s.reason, ...s.refs, ...s.findings.flatMap((f) => [f.check, f.requirement])]
    .filter(Boolean)
    .join(' ')
    .toLowerCase()
    .slice(0, 4000);
}

function scenario(s: ScenarioResult, anchor: string, opts: Limits): Html {
  const open = s.verdict === 'fail' || s.verdict === 'error';
  const failed = failedFindings(s).length;
  const facts: Html[] = [
    html`<div><dt>Family</dt><dd><code>${s.family}</code></dd></div>`,
    s.variant ? html`<div><dt>Variant</dt><dd><code>${describeVariant(s.variant)}</code></dd></div>` : html``,
    s.target ? html`<div><dt>Target</dt><dd>${s.target}</dd></div>` : html``,
    html`<div><dt>Requirements</dt><dd>${s.refs.length ? s.refs.map((r) => html`<code class="req">${r}</code> `) : html`<span class="muted">none cited</span>`}</dd></div>`,
    html`<div><dt>Started</dt><dd>${when(s.startedAt)}</dd></div>`,
    html`<div><dt>Duration</dt><dd>${formatDuration(s.durationMs)}</dd></div>`,
  ];
  return html`<details class="scn v-${s.verdict}" id="${anchor}" data-verdict="${s.verdict}" data-role="${s.role}" data-text="${searchText(s)}"${open ? trusted(' open') : ''}>
<summary>${badge(s.verdict)}<span class="sid">${s.id}</span><span class="stitle">${s.title}</span><span class="sdur">${formatDuration(s.durationMs)}</span></summary>
<div class="sbody">
${s.reason ? html`<p class="reason r-${s.verdict}">${s.reason}</p>` : ''}
<dl class="facts">${facts}</dl>
${s.positiveControl ? positiveControl(s.positiveControl) : ''}
<h4>Checks${s.findings.length ? html` <span class="muted">${s.findings.length} recorded${failed ? `, ${failed} not met` : ''}</span>` : ''}</h4>
${findingsTable(s, opts)}
${s.evidence.length ? html`<h4>Messages <span class="muted">${s.evidence.length}, in order</span></h4><ol class="messages">${[...s.evidence].sort((a, b) => a.seq - b.seq).map((m) => message(m, opts))}</ol>` : ''}
${screenshot(s, opts.maxScreenshotChars, opts.screenshots.has(s))}
${!s.screenshot && s.finalUrl ? html`<div class="kv"><span class="k">Final URL</span> <code>${s.finalUrl}</code></div>` : ''}
</div>
</details>`;
}

function scenarioList(result: RunResult, anchors: Map<ScenarioResult, string>, opts: Limits): Html {
  const groups = groupScenarios(result.scenarios).map((g) => {
    const c = countVerdicts(g.scenarios);
    const gid = `g-${g.role}-${g.group.replace(/[^A-Za-z0-9_-]/g, '_')}${g.target !== undefined ? `-${g.target.replace(/[^A-Za-z0-9_-]/g, '_')}` : ''}`;
    const tally = VERDICTS_SHOWN.filter((v) => c[v]).map((v) => html`<span class="tally c-${v}">${c[v]} ${VERDICT_LABEL[v]}</span>`);
    return html`<section class="group" id="${gid}" data-role="${g.role}">
<h3><span class="role">${ROLE_TEXT[g.role]}</span> ${g.group}${g.target !== undefined ? html` <span class="muted">${g.target}</span>` : ''} <span class="tallies">${tally}</span></h3>
${g.scenarios.map((s) => scenario(s, anchors.get(s)!, opts))}
</section>`;
  });
  return html`<section class="scenarios" id="scenarios" aria-labelledby="h-scenarios">
<h2 id="h-scenarios">Scenarios</h2>
${filters(result)}
${result.scenarios.length ? groups : html`<p class="muted">This run holds no scenarios.</p>`}
</section>`;
}

// ---------------------------------------------------------------- style and behaviour

const STYLE = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#eef1f4;--bg:#f6f8fa;--card:#fff;--mono:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;
--pass:#1a7f37;--pass-bg:#dcf5e3;--fail:#cf222e;--fail-bg:#ffebe9;--warning:#9a6700;--warning-bg:#fff5c2;--error:#8250df;--error-bg:#f3ebff;--review:#0969da;--review-bg:#ddf4ff;--na:#6e7781;--na-bg:#eaeef2}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif}
.wrap{max-width:1240px;margin:0 auto;padding:0 24px}
code,pre{font-family:var(--mono);font-size:12.5px}
code{background:var(--soft);border-radius:4px;padding:1px 5px;overflow-wrap:anywhere}
a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}
.muted{color:var(--muted);font-weight:400}
h2{font-size:18px;margin:0 0 12px}
h3{font-size:15px;margin:0}
h4{font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:18px 0 8px}
h4 .muted{text-transform:none;letter-spacing:0;font-size:13px}
.top{background:var(--card);border-bottom:1px solid var(--line);padding:20px 0 18px}
.headline{display:flex;align-items:center;gap:14px;flex-wrap:wrap}
h1{font-size:22px;margin:0;letter-spacing:-.01em}h1 span{font-weight:400;color:var(--muted)}
.status{font-weight:600;font-size:13px;padding:3px 12px;border-radius:999px;text-transform:uppercase;letter-spacing:.05em}
.status.bad{background:var(--fail-bg);color:var(--fail);border:1px solid #ffcecb}
.version{margin-left:auto;font-size:13px}
.status.good{background:var(--pass-bg);color:var(--pass);border:1px solid #aceebb}
dl.run{display:flex;flex-wrap:wrap;gap:6px 32px;margin:14px 0 0}
dl.run dt,dl.facts dt{font-size:11.5px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
dl.run dd,dl.facts dd{margin:0}
ul.targets{list-style:none;margin:0;padding:0}
.role{display:inline-block;font-size:11px;font-weight:600;letter-spacing:.04em;color:#fff;background:#57606a;border-radius:4px;padding:0 6px;vertical-align:1px}
.totals{display:flex;flex-wrap:wrap;gap:10px;margin-top:16px}
.total{display:flex;align-items:baseline;gap:7px;padding:7px 14px;border-radius:8px;border:1px solid transparent;color:var(--fg);min-width:112px}
.total:hover{text-decoration:none;filter:brightness(.97)}
.total b{font-size:20px;line-height:1}
.total span{font-size:13px;color:var(--muted)}
.total.zero{opacity:.55}
.total.v-pass{background:var(--pass-bg)}.total.v-pass b{color:var(--pass)}
.total.v-fail{background:var(--fail-bg)}.total.v-fail b{color:var(--fail)}
.total.v-warning{background:var(--warning-bg)}.total.v-warning b{color:var(--warning)}
.total.v-error{background:var(--error-bg)}.total.v-error b{color:var(--error)}
.total.v-review{background:var(--review-bg)}.total.v-review b{color:var(--review)}
.total.v-not-applicable{background:var(--na-bg)}.total.v-not-applicable b{color:var(--na)}
main.wrap{padding-top:22px;padding-bottom:40px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 20px;margin-bottom:20px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th{font-size:12px;text-align:left;color:var(--muted);font-weight:600;padding:6px 8px;border-bottom:1px solid var(--line);white-space:nowrap}
td{padding:6px 8px;border-bottom:1px solid var(--soft);vertical-align:top}
.summary td{padding:4px 8px}
.summary td{vertical-align:middle}
.summary tfoot td{border-bottom:0;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;width:1%;white-space:nowrap}
td.nil{color:#b1bac4}
.c-pass{color:var(--pass);font-weight:600}.c-fail{color:var(--fail);font-weight:600}.c-warning{color:var(--warning);font-weight:600}
.c-error{color:var(--error);font-weight:600}.c-review{color:var(--review);font-weight:600}.c-not-applicable{color:var(--na);font-weight:600}
.barcell{width:34%;min-width:160px}
.bar{display:flex;height:10px;border-radius:5px;overflow:hidden;background:var(--soft)}
.bar span{display:block;height:100%}
.bar .v-pass,.dot.v-pass{background:var(--pass)}.bar .v-fail,.dot.v-fail{background:var(--fail)}.bar .v-warning,.dot.v-warning{background:#d4a72c}
.bar .v-error,.dot.v-error{background:var(--error)}.bar .v-review,.dot.v-review{background:var(--review)}.bar .v-not-applicable,.dot.v-not-applicable{background:#afb8c1}
.dot{display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:5px;vertical-align:1px}
.attention td{padding:7px 8px 7px 0;vertical-align:baseline}
.attention tr:last-child td{border-bottom:0}
.attention td:first-child{width:1%}
.attention .sid{font-size:12.5px;white-space:nowrap}
.attention .why{font-size:13.5px;overflow-wrap:anywhere}
.attention .why .k{color:var(--muted);font-size:12px}
.attention .why code{font-size:12px}
h2 .muted{font-size:13px;font-weight:400;margin-left:6px}
.diff ul{margin:6px 0 12px;padding-left:0;list-style:none}.diff li{margin:3px 0}
.diff h3 .count{font-weight:400;color:var(--muted)}
.diff .regressions h3{color:var(--fail)}.diff .fixes h3{color:var(--pass)}
.scenarios>h2{margin-top:8px}
.filters{position:sticky;top:0;z-index:5;display:flex;flex-wrap:wrap;align-items:center;gap:10px;background:rgba(246,248,250,.96);backdrop-filter:blur(4px);padding:10px 0;margin-bottom:8px;border-bottom:1px solid var(--line)}
.filters[hidden]{display:none}
.verdict-filter{display:flex;flex-wrap:wrap;gap:6px}
.chip{font:inherit;font-size:13px;border:1px solid var(--line);background:var(--card);border-radius:999px;padding:2px 11px;cursor:pointer;color:var(--muted)}
.chip b{font-weight:600;margin-left:2px}
.chip[aria-pressed="true"].v-pass{background:var(--pass-bg);border-color:#aceebb;color:var(--pass)}
.chip[aria-pressed="true"].v-fail{background:var(--fail-bg);border-color:#ffcecb;color:var(--fail)}
.chip[aria-pressed="true"].v-warning{background:var(--warning-bg);border-color:#f0d97a;color:var(--warning)}
.chip[aria-pressed="true"].v-error{background:var(--error-bg);border-color:#d8c5ff;color:var(--error)}
.chip[aria-pressed="true"].v-review{background:var(--review-bg);border-color:#a8d8ff;color:var(--review)}
.chip[aria-pressed="true"].v-not-applicable{background:var(--na-bg);border-color:#c9d1d9;color:#57606a}
.chip[aria-pressed="false"]{text-decoration:line-through;opacity:.7}
.sel{font-size:13px;color:var(--muted)}
select,input[type=search]{font:inherit;font-size:13px;border:1px solid var(--line);border-radius:6px;padding:4px 8px;background:var(--card);color:var(--fg)}
input[type=search]{width:min(320px,100%)}
.spacer{flex:1}
.f-tools{display:flex;align-items:center;gap:6px;white-space:nowrap;font-size:13px}
button.link{font:inherit;font-size:13px;background:none;border:0;color:#0969da;cursor:pointer;padding:2px 4px}
.group{margin:18px 0 8px}
.group>h3{display:flex;align-items:center;gap:8px;flex-wrap:wrap;margin:0 0 8px;font-size:15px}
.tallies{display:flex;gap:10px;font-size:12.5px;margin-left:auto}
.tally{font-weight:600}
details.scn{scroll-margin-top:64px;background:var(--card);border:1px solid var(--line);border-left:4px solid var(--na);border-radius:8px;margin:0 0 8px}
details.scn.v-pass{border-left-color:var(--pass)}details.scn.v-fail{border-left-color:var(--fail)}details.scn.v-warning{border-left-color:#d4a72c}
details.scn.v-error{border-left-color:var(--error)}details.scn.v-review{border-left-color:var(--review)}details.scn.v-not-applicable{border-left-color:#afb8c1}
details.scn>summary{display:flex;align-items:baseline;gap:10px;padding:9px 14px;cursor:pointer;list-style:none}
details.scn>summary::-webkit-details-marker{display:none}
details.scn>summary::before{content:"▸";color:var(--muted);font-size:12px;width:10px;flex:none}
details.scn[open]>summary::before{content:"▾"}
details.scn[open]>summary{border-bottom:1px solid var(--soft)}
.sid{font-family:var(--mono);font-size:13px;font-weight:600;overflow-wrap:anywhere}
.stitle{color:var(--muted);flex:1;min-width:0}
.sdur{color:var(--muted);font-size:12.5px;white-space:nowrap;font-variant-numeric:tabular-nums}
.badge{display:inline-block;flex:none;min-width:62px;text-align:center;font-size:11.5px;font-weight:700;letter-spacing:.04em;text-transform:uppercase;border-radius:4px;padding:1px 6px}
.badge.v-pass{background:var(--pass-bg);color:var(--pass)}.badge.v-fail{background:var(--fail);color:#fff}.badge.v-warning{background:var(--warning-bg);color:var(--warning)}
.badge.v-error{background:var(--error);color:#fff}.badge.v-review{background:var(--review-bg);color:var(--review)}.badge.v-not-applicable{background:var(--na-bg);color:var(--na)}
.sbody{padding:4px 18px 16px 38px}
.control{margin:8px 0;padding:6px 12px;border-left:3px solid var(--line)}.control.c-succeeded{border-color:var(--pass)}.control.c-refused,.control.c-error{border-color:var(--warning)}
.reason{margin:12px 0;padding:8px 12px;border-radius:6px;background:var(--soft)}
.reason.r-fail{background:var(--fail-bg)}.reason.r-error{background:var(--error-bg)}.reason.r-warning{background:var(--warning-bg)}.reason.r-review{background:var(--review-bg)}
dl.facts{display:flex;flex-wrap:wrap;gap:6px 28px;margin:10px 0 0;font-size:13.5px}
code.req{background:#ddf4ff;color:#0550ae}
table.findings{font-size:13.5px;table-layout:fixed;min-width:720px}
table.findings col.c-icon{width:28px}table.findings col.c-check{width:19%}table.findings col.c-req{width:14%}table.findings col.c-sev{width:76px}
table.findings td{overflow-wrap:anywhere}
table.findings td.icon{width:18px;font-weight:700;text-align:center}
table.findings tr.ok td.icon{color:var(--pass)}
table.findings tr.bad>td{background:var(--fail-bg)}table.findings tr.bad td.icon{color:var(--fail)}
table.findings tr.soft>td{background:var(--warning-bg)}table.findings tr.soft td.icon{color:var(--warning)}
table.findings tr.look>td{background:var(--review-bg)}table.findings tr.look td.icon{color:var(--review)}
table.findings tr.more>td{border-top:0}
table.findings td.val{overflow-wrap:anywhere;min-width:140px}
table.findings tr.bad td[data-label="Observed"],table.findings tr.soft td[data-label="Observed"],table.findings tr.look td[data-label="Observed"]{font-weight:600}
.sev{font-size:11px;font-weight:700;letter-spacing:.04em;color:var(--muted)}
.sev-must{color:#953800}
.detail{margin:0 0 6px}
.offending .label{display:block;font-size:11.5px;text-transform:uppercase;letter-spacing:.05em;color:var(--fail);margin-bottom:4px}
pre{margin:0;padding:10px 12px;background:#f6f8fa;border:1px solid var(--line);border-radius:6px;overflow:auto;max-height:420px;white-space:pre;line-height:1.45;tab-size:2}
pre.raw{white-space:pre-wrap;word-break:break-all}
.x-t{color:#116329}.x-a{color:#0550ae}.x-v{color:#0a3069}.x-c{color:#cf222e;background:#ffebe9;font-style:italic}
.note{font-size:12.5px;color:var(--muted);margin:4px 0 0;font-style:italic}
details.sub{margin:4px 0}
.msg details.sub{display:inline-block;margin:4px 18px 0 0;vertical-align:top}
.msg details.sub[open]{display:block}
details.sub>summary{cursor:pointer;font-size:13px;color:#0969da}
details.sub[open]>summary{margin-bottom:6px}
ol.messages{list-style:none;margin:0;padding:0}
.msg{border:1px solid var(--line);border-radius:8px;padding:10px 12px;margin:0 0 8px;background:#fcfdfd}
.msg.received{background:#fbfcff}
.msg-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 10px;font-size:13.5px}
.seq{display:inline-flex;align-items:center;justify-content:center;min-width:22px;height:22px;border-radius:50%;background:var(--soft);font-size:12px;font-weight:700}
.dir{font-size:12px;font-weight:600;text-transform:uppercase;letter-spacing:.04em}
.msg.sent .dir{color:#953800}.msg.received .dir{color:#0550ae}
.pill{font-size:12px;border:1px solid var(--line);border-radius:999px;padding:0 8px;background:var(--card)}
.time{margin-left:auto;font-variant-numeric:tabular-nums;font-size:12.5px}
.url{margin:5px 0 0;font-size:13px}
ul.sigs{list-style:none;margin:4px 0;padding:0;font-size:13px}
ul.sigs li.ok{color:var(--pass)}ul.sigs li.bad{color:var(--fail);font-weight:600}
.kv{font-size:13px;margin:3px 0}.kv .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
figure.shot{margin:0}
figure.shot img{display:block;max-width:min(100%,640px);height:auto;border:1px solid var(--line);border-radius:6px;box-shadow:0 1px 3px rgba(31,35,40,.08)}
figure.shot figcaption{font-size:12.5px;margin-top:6px}
footer{color:var(--muted);font-size:12.5px;padding:0 0 40px}
@media (max-width:760px){
.wrap{padding:0 12px}
.sbody{padding:4px 12px 14px}
.tallies{margin-left:0}
details.scn>summary{flex-wrap:wrap}
.stitle{flex-basis:100%}
.barcell{min-width:90px}
table.findings,table.findings tbody{display:block;table-layout:auto}
table.findings thead,table.findings colgroup{display:none}
.filters{position:static}
table.findings tr{display:block;border-bottom:1px solid var(--line)}
table.findings td{display:block;border:0;padding:3px 8px}
table.findings td[data-label]::before{content:attr(data-label);display:block;font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
table.findings td.icon{display:none}
table.findings{min-width:0}
table.findings tr.more>td:first-child{display:none}
.attention tr{display:flex;flex-wrap:wrap;gap:0 8px;border-bottom:1px solid var(--soft)}
.attention td{border:0;padding:5px 0}
.attention td.why{flex-basis:100%;padding-top:0}
.attention .sid{white-space:normal;overflow-wrap:anywhere}
.version{margin-left:0}
.time{margin-left:0}
}
@media print{.filters{display:none}details.scn{break-inside:avoid}}
`;

// Kept free of anything run-specific so its hash (in the CSP) is a constant of this file.
const SCRIPT = `
(() => {
  const bar = document.getElementById('filters');
  if (!bar) return;
  bar.hidden = false;
  const scenarios = [...document.querySelectorAll('details.scn')];
  const groups = [...document.querySelectorAll('section.group')];
  const buttons = [...bar.querySelectorAll('button[data-verdict]')];
  const role = document.getElementById('f-role');
  const text = document.getElementById('f-text');
  const count = document.getElementById('f-count');
  const apply = () => {
    const on = new Set(buttons.filter((b) => b.getAttribute('aria-pressed') === 'true').map((b) => b.dataset.verdict));
    const r = role.value;
    const t = text.value.trim().toLowerCase();
    let shown = 0;
    for (const s of scenarios) {
      const ok = on.has(s.dataset.verdict) && (!r || s.dataset.role === r) && (!t || s.dataset.text.includes(t));
      s.hidden = !ok;
      if (ok) shown++;
    }
    for (const g of groups) g.hidden = !g.querySelector('details.scn:not([hidden])');
    count.textContent = shown + ' of ' + scenarios.length + ' shown';
  };
  for (const b of buttons) {
    b.addEventListener('click', () => {
      b.setAttribute('aria-pressed', b.getAttribute('aria-pressed') === 'true' ? 'false' : 'true');
      apply();
    });
  }
  for (const a of document.querySelectorAll('a[data-only]')) {
    a.addEventListener('click', () => {
      for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.verdict === a.dataset.only));
      role.value = '';
      text.value = '';
      apply();
      for (const s of scenarios) if (!s.hidden) s.open = true;
    });
  }
  role.addEventListener('change', apply);
  text.addEventListener('input', apply);
  document.getElementById('f-open').addEventListener('click', () => { for (const s of scenarios) if (!s.hidden) s.open = true; });
  document.getElementById('f-close').addEventListener('click', () => { for (const s of scenarios) s.open = false; });
  const reveal = () => {
    const id = decodeURIComponent(location.hash.slice(1));
    const el = id ? document.getElementById(id) : null;
    if (!el || !el.matches('details.scn')) return;
    el.hidden = false;
    el.open = true;
    const g = el.closest('section.group');
    if (g) g.hidden = false;
    el.scrollIntoView({ block: 'start' });
  };
  window.addEventListener('hashchange', reveal);
  apply();
  reveal();
})();
`;

const SCRIPT_HASH = createHash('sha256').update(SCRIPT, 'utf8').digest('base64');

/** Nothing may load from anywhere: no network, no other script than ours, images only inline. */
const CSP = `default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'; base-uri 'none'; form-action 'none'`;

// ---------------------------------------------------------------- entry points

export function renderHtml(result: RunResult, options: HtmlOptions = {}): string {
  const maxPassScreenshotsChars = options.maxPassScreenshotsChars ?? DEFAULTS.maxPassScreenshotsChars;
  const opts: Limits = {
    maxRawChars: options.maxRawChars ?? DEFAULTS.maxRawChars,
    maxXmlChars: options.maxXmlChars ?? DEFAULTS.maxXmlChars,
    maxScreenshotChars: options.maxScreenshotChars ?? DEFAULTS.maxScreenshotChars,
    maxPassScreenshotsChars,
    screenshots: screenshotsToEmbed(result.scenarios, maxPassScreenshotsChars),
  };
  const anchors = anchorIds(result.scenarios);
  const byKey = new Map([...anchors].map(([s, a]) => [`${s.target ?? ''}\u0000${s.id}`, a]));
  const counts = countVerdicts(result.scenarios);
  const bad = counts.fail + counts.error > 0;
  const title = `samlconf report: ${bad ? 'failed' : 'passed'}, ${result.targets.map((t) => t.name).join(', ') || 'no target'}, ${when(result.startedAt)}`;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="samlconf ${result.tool.version}">
<title>${title}</title>
<style>${trusted(STYLE)}</style>
</head>
<body>
${header(result)}
<main class="wrap">
${attention(result, anchors)}
${options.diff ? diffSection(options.diff, byKey) : ''}
${summary(result)}
${scenarioList(result, anchors, opts)}
</main>
<footer class="wrap">Generated by samlconf ${result.tool.version} from results.json (schema version ${result.schemaVersion}). Verdicts: pass, fail (a MUST is not met), warning (a SHOULD is not met), review (a person must look), error (nothing was proven), n/a (does not apply to this target).</footer>
<script>${trusted(SCRIPT)}</script>
</body>
</html>
`;
  return page.value;
}

export async function writeHtmlReport(result: RunResult, dir: string, options: HtmlOptions = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, HTML_REPORT_FILE);
  await writeFile(file, renderHtml(result, options), 'utf8');
  return file;
}
