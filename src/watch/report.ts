// `ci-medic report`: one self-contained HTML page from a transcript (JSON lines) and, when there is one, the
// session's recording: the turns, commands, policy decisions, costs and changes beside a player of the recording.
// Every value from the transcript is HTML-escaped; the page loads nothing from anywhere (it opens offline).
import { asset, scriptSafe } from './assets.js';

type Event = Record<string, unknown> & { type: string };

export interface ReportInput {
  transcript: string;
  /** The recording's text (asciicast v2), already checked. */
  cast?: string;
  /** A unified diff of the change, when the caller has one. */
  diff?: string;
  title?: string;
}

const escapeHtml = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const money = (value: unknown): string => (typeof value === 'number' ? `$${value.toFixed(4)}` : '');
const seconds = (ms: unknown): string => (typeof ms === 'number' ? `${(ms / 1000).toFixed(1)}s` : '');

/** The transcript's events; a line that is not JSON is reported, not fatal (a crash may cut the last one). */
export function parseTranscript(text: string): { events: Event[]; badLines: number[] } {
  const events: Event[] = [];
  const badLines: number[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const value = JSON.parse(line) as unknown;
      if (value && typeof value === 'object' && typeof (value as Event).type === 'string') events.push(value as Event);
      else badLines.push(i + 1);
    } catch {
      badLines.push(i + 1);
    }
  });
  return { events, badLines };
}

function commandOf(input: unknown): string {
  if (input && typeof input === 'object' && 'command' in input) return String((input as { command: unknown }).command);
  return JSON.stringify(input);
}

function row(kind: string, cells: string, extra = ''): string {
  return `<li class="ev ${kind}"${extra}>${cells}</li>`;
}

function renderEvent(e: Event): string {
  switch (e.type) {
    case 'start':
      return row(
        'start',
        `<b>Check</b> <code>${escapeHtml(e.check)}</code> · model <code>${escapeHtml(e.model)}</code>`,
      );
    case 'check':
      return row(
        'check',
        `<b>Check${e.phase ? ` (${escapeHtml(e.phase)})` : ''}</b> <code>${escapeHtml(e.command)}</code> → exit ${escapeHtml(e.exitCode ?? 'none')} in ${seconds(e.durationMs)}${e.excerpt ? `<pre>${escapeHtml(e.excerpt)}</pre>` : ''}`,
      );
    case 'model-response':
      return row(
        'turn',
        `<h3>Turn ${escapeHtml(e.turn)}</h3><span class="cost">${money(e.costUsd)} (total ${money(e.cumulativeCostUsd)})</span>${e.text ? `<p class="say">${escapeHtml(e.text)}</p>` : ''}`,
      );
    case 'tool-call':
      return row(
        'tool',
        `<b>${escapeHtml(e.name)}</b> <code>${escapeHtml(e.name === 'bash' ? commandOf(e.input) : JSON.stringify(e.input))}</code>`,
      );
    case 'policy':
      return row(
        e.allowed ? 'allowed' : 'denied',
        `<b>Policy: ${e.allowed ? 'allowed' : 'denied'}</b> <code>${escapeHtml(e.command)}</code> — ${escapeHtml(e.reason)}${e.rule ? ` <i>(${escapeHtml(e.rule)})</i>` : ''}`,
      );
    case 'command-result': {
      const how = e.timedOut ? 'timed out' : e.interrupted ? 'interrupted' : `exit ${escapeHtml(e.exitCode ?? 'none')}`;
      return row(
        'result',
        `<b>Ran</b> <code>${escapeHtml(e.command)}</code> → ${how} in ${seconds(e.durationMs)}, ${escapeHtml(e.outputChars)} characters`,
      );
    }
    case 'tamper':
      return row('denied', `<b>Tamper guard</b> ${escapeHtml(JSON.stringify(e.violations))}`);
    case 'budget':
      return row('denied', `<b>Budget (${escapeHtml(e.which)})</b> ${escapeHtml(e.detail)}`);
    case 'error':
      return row('denied', `<b>Error</b> ${escapeHtml(e.message)}`);
    case 'end':
      return row('end', `<b>Result: ${escapeHtml(e.result)}</b> — ${escapeHtml(e.reason)}`);
    default:
      return '';
  }
}

function summaryOf(events: Event[]): string {
  const end = events.find((e) => e.type === 'end');
  const start = events.find((e) => e.type === 'start');
  if (!end) return `<p class="summary">The transcript has no end event: the run was cut short or is still going.</p>`;
  const tokens = (end.tokens ?? {}) as Record<string, number>;
  const cells: Array<[string, string]> = [
    ['Result', escapeHtml(end.result)],
    ['Check', `<code>${escapeHtml(start?.check)}</code>`],
    ['Turns', escapeHtml(end.turns)],
    ['Cost', money(end.costUsd)],
    ['Time', seconds(end.durationMs)],
    ['Tokens in / out', `${escapeHtml(tokens.input)} / ${escapeHtml(tokens.output)}`],
    ['Changed files', escapeHtml(((end.changedFiles as string[] | undefined) ?? []).join(', ') || '(none)')],
  ];
  return `<table class="summary">${cells.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`;
}

/** The change: the diff when given, else what the model's write and edit tool calls asked for. */
function changesOf(events: Event[], diff?: string): string {
  if (diff) return `<pre class="diff">${escapeHtml(diff)}</pre>`;
  const edits = events.filter((e) => e.type === 'tool-call' && e.name !== 'bash' && /write|edit/.test(String(e.name)));
  if (!edits.length) return '<p>No file changes were recorded.</p>';
  return edits.map((e) => `<pre class="diff">${escapeHtml(JSON.stringify(e.input, null, 2))}</pre>`).join('');
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1f2328;background:#fff}
header{padding:12px 20px;border-bottom:1px solid #d0d7de}h1{font-size:18px;margin:0}
main{display:flex;gap:16px;padding:16px;align-items:flex-start}
#timeline{flex:1 1 45%;min-width:320px;max-height:calc(100vh - 90px);overflow:auto}
#screen{flex:1 1 55%;min-width:360px;position:sticky;top:8px}
ul{list-style:none;padding:0;margin:0}.ev{padding:6px 8px;border-left:3px solid #d0d7de;margin:4px 0}
.turn{border-color:#0969da}.denied{border-color:#cf222e;background:#fff5f5}.allowed{border-color:#1a7f37}
.end{border-color:#8250df;font-size:15px}.cost{color:#57606a;margin-left:8px}h3{display:inline;margin:0;font-size:15px}
code,pre{font-family:ui-monospace,monospace;font-size:12px}pre{white-space:pre-wrap;background:#f6f8fa;padding:6px;overflow:auto;max-height:360px}
table.summary{border-collapse:collapse;margin:8px 0}table.summary th{text-align:left;padding:2px 10px 2px 0;color:#57606a}
#markers button{margin:2px;font-size:12px}`;

export function renderReport(input: ReportInput): string {
  const { events, badLines } = parseTranscript(input.transcript);
  const title = input.title ?? 'ci-medic repair report';
  const timeline = events.map(renderEvent).filter(Boolean).join('\n');
  const warn = badLines.length
    ? `<p class="ev denied">${badLines.length} transcript line(s) were not valid JSON and are left out (lines ${badLines.slice(0, 10).join(', ')}).</p>`
    : '';
  const player = input.cast
    ? `<div id="player"></div><div id="markers"></div>
<script type="application/json" id="cast-data">${JSON.stringify(input.cast).replace(/</g, '\\u003c')}</script>
<script>${scriptSafe(asset('playerJs'))}</script>
<script>
(function () {
  var cast = JSON.parse(document.getElementById('cast-data').textContent);
  var player = AsciinemaPlayer.create({ data: cast }, document.getElementById('player'), { idleTimeLimit: 2, fit: 'width', terminalFontSize: '12px' });
  var box = document.getElementById('markers');
  var n = 0;
  cast.split('\\n').forEach(function (line) {
    if (!line || line[0] !== '[') return;
    var e; try { e = JSON.parse(line); } catch (x) { return; }
    if (e[1] !== 'm') return;
    var b = document.createElement('button'); var i = n++;
    b.textContent = e[2]; b.onclick = function () { player.seek({ marker: i }); };
    box.appendChild(b);
  });
  window.castPlayer = player;
})();
</script>`
    : '<p>No recording was given (use --cast FILE.cast).</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval'; style-src 'unsafe-inline'; img-src data:; font-src data:; worker-src blob:">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${input.cast ? `<style>${asset('playerCss')}</style>` : ''}
</head><body>
<header><h1>${escapeHtml(title)}</h1>${summaryOf(events)}</header>
<main>
<section id="timeline"><h2>What happened</h2>${warn}<ul>${timeline}</ul><h2>Changes</h2>${changesOf(events, input.diff)}</section>
<section id="screen"><h2>The agent's terminal</h2>${player}</section>
</main>
</body></html>
`;
}
