// The dashboard page: static HTML, its stylesheet and its script (served from the server's own origin; the CSP
// allows nothing else). The script lists the sessions every second and shows one in xterm.js (DOM renderer and
// screen-reader mode: the text is in the DOM).

export const PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ci-medic watch</title>
<link rel="stylesheet" href="/xterm.css"><link rel="stylesheet" href="/app.css">
<script src="/xterm.js" defer></script><script src="/app.js" defer></script>
</head><body>
<header><h1>ci-medic watch</h1><span id="mode"></span></header>
<main>
<section id="list"><h2>Sessions</h2>
<table id="sessions"><thead><tr><th>Name</th><th>State</th><th>Running now</th><th>PID</th><th>Directory</th><th>Created</th></tr></thead><tbody></tbody></table>
<p id="empty" hidden>No ci-medic sessions are running on this machine.</p></section>
<section id="view" hidden>
<h2 id="view-title"></h2>
<div class="bar"><a id="download" href="#">Download the scrollback</a> <span id="status"></span></div>
<div id="terminal"></div>
<h3>Transcript so far</h3><ol id="transcript"></ol>
</section>
</main></body></html>
`;

export const PAGE_CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f8fa;color:#1f2328}
header{background:#24292f;color:#fff;padding:8px 16px;display:flex;gap:16px;align-items:baseline}h1{font-size:18px;margin:0}
main{padding:12px 16px}table{border-collapse:collapse;background:#fff;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #d0d7de;font-size:13px}tr.session{cursor:pointer}
tr.session:hover,tr.selected{background:#ddf4ff}.state-busy{color:#9a6700;font-weight:600}.state-dead{color:#cf222e}
.state-idle{color:#1a7f37}code{font-family:ui-monospace,monospace}#terminal{background:#000;padding:4px;margin:8px 0}
#transcript{font-size:13px;max-height:320px;overflow:auto;background:#fff;padding:8px 8px 8px 32px}
.denied{color:#cf222e}.bar{display:flex;gap:16px}#status{color:#57606a}
`;

export const PAGE_JS = `'use strict';
(function () {
  var params = new URLSearchParams(location.search);
  var inputToken = params.get('input') || '';
  var selected = null, socket = null, term = null;
  var $ = function (id) { return document.getElementById(id); };
  // The token came in the address once; the cookie carries it now: keep it out of the history and screenshots.
  if (params.has('token') || params.has('input')) {
    params.delete('token'); params.delete('input');
    history.replaceState(null, '', location.pathname + (params.toString() ? '?' + params : ''));
  }
  function cell(text, cls) { var td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; return td; }
  function refresh() {
    fetch('/api/sessions', { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (list) {
      var body = document.querySelector('#sessions tbody');
      body.textContent = '';
      $('empty').hidden = list.sessions.length > 0;
      $('mode').textContent = list.allowInput ? 'input allowed for holders of the input token' : 'read-only';
      list.sessions.forEach(function (s) {
        var tr = document.createElement('tr');
        tr.className = 'session' + (s.name === selected ? ' selected' : '');
        tr.dataset.name = s.name;
        tr.appendChild(cell(s.name));
        tr.appendChild(cell(s.state, 'state-' + s.state));
        tr.appendChild(cell(s.command || ''));
        tr.appendChild(cell(String(s.pid)));
        tr.appendChild(cell(s.cwd));
        tr.appendChild(cell(new Date(s.created).toLocaleString()));
        tr.onclick = function () { open(s.name); };
        body.appendChild(tr);
      });
      if (selected) loadTranscript(selected);
    }).catch(function () { $('mode').textContent = 'disconnected'; });
  }
  function loadTranscript(name) {
    fetch('/api/sessions/' + encodeURIComponent(name) + '/transcript', { credentials: 'same-origin' })
      .then(function (r) { return r.json(); }).then(function (t) {
        var ol = $('transcript');
        ol.textContent = '';
        t.events.forEach(function (e) {
          var text = null, cls = '';
          if (e.type === 'model-response') text = 'turn ' + e.turn + ' ($' + Number(e.cumulativeCostUsd || 0).toFixed(4) + '): ' + (e.text || '');
          else if (e.type === 'policy') { text = (e.allowed ? 'allowed: ' : 'denied: ') + e.command + (e.allowed ? '' : ' (' + e.reason + ')'); cls = e.allowed ? '' : 'denied'; }
          else if (e.type === 'command-result') text = 'exit ' + e.exitCode + ' after ' + (e.durationMs / 1000).toFixed(1) + 's: ' + e.command;
          else if (e.type === 'check') text = 'check ' + (e.phase || '') + ': exit ' + e.exitCode;
          else if (e.type === 'end') text = 'result: ' + e.result + ' (' + e.reason + ')';
          if (text === null) return;
          var li = document.createElement('li'); li.textContent = text; li.className = cls; ol.appendChild(li);
        });
        if (!t.events.length) ol.textContent = 'No repair transcript for this session.';
      }).catch(function () {});
  }
  function open(name) {
    selected = name;
    if (socket) socket.close();
    $('view').hidden = false;
    $('view-title').textContent = name;
    $('download').href = '/api/sessions/' + encodeURIComponent(name) + '/scrollback';
    if (!term) {
      term = new Terminal({ cols: 200, rows: 50, screenReaderMode: true, scrollback: 5000, convertEol: false, fontSize: 12 });
      term.open($('terminal'));
      term.onData(function (data) {
        if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type: 'input', data: data }));
      });
    }
    term.reset();
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws?session=' + encodeURIComponent(name) + (inputToken ? '&input=' + encodeURIComponent(inputToken) : '');
    socket = new WebSocket(url);
    socket.onmessage = function (m) {
      var msg = JSON.parse(m.data);
      if (msg.type === 'output') term.write(msg.data);
      else if (msg.type === 'reset') { term.reset(); term.write(msg.data); }
      else if (msg.type === 'notice') $('status').textContent = msg.text;
    };
    socket.onclose = function () { $('status').textContent = 'stream closed'; };
    refresh();
  }
  window.ciMedicWatch = { open: open };
  refresh();
  setInterval(refresh, 1000);
  if (params.get('session')) open(params.get('session'));
})();
`;
