// execgate's page: a code editor (CodeMirror), runs a script over the interactive WebSocket (v1/ws)
// and shows its frames live, ANSI colours included, and the gateway's counters (v1/stats). Output is
// inserted as text, never as HTML. Every URL is relative to the page, so that it works wherever the
// API is mounted (an application may serve it under a prefix of its own). A share link carries the
// runtime, version, script and stdin in the URL's fragment: the server never sees nor stores them.
'use strict';

/* global CodeMirror, AnsiRenderer, SAMPLES, OutputFiles */

const $ = (id) => document.getElementById(id);
const ui = {
  runtime: $('runtime'), version: $('version'), script: $('script'), input: $('input'), run: $('run'),
  cancel: $('cancel'), share: $('share'), shareBar: $('share-bar'), shareLink: $('share-link'),
  shareNote: $('share-note'), status: $('status'), duration: $('duration'), output: $('output'),
  stdinForm: $('stdin-form'), stdin: $('stdin'), send: $('send'), eof: $('eof'), key: $('key'),
  keyLabel: $('key-label'), files: $('files'),
};
const outputFiles = new OutputFiles(ui.files);
let socket = null;
let starting = false;
// name -> [{version, file}], newest first, as /v1/runtimes lists them
const runtimes = new Map();
let defaultRuntime = null;

// ---- the editor ----------------------------------------------------------------------------------

const editor = CodeMirror.fromTextArea(ui.script, {
  lineNumbers: true,
  indentUnit: 4,
  tabSize: 4,
  indentWithTabs: false,
  matchBrackets: true,
  autofocus: true,
  extraKeys: {
    'Ctrl-Enter': () => run(),
    'Cmd-Enter': () => run(),
    // Tab indents (a selection, or inserts spaces to the next stop), and never leaves the editor
    Tab: (cm) => {
      if (cm.somethingSelected()) {
        cm.indentSelection('add');
      } else {
        cm.execCommand('insertSoftTab');
      }
    },
    'Shift-Tab': (cm) => cm.indentSelection('subtract'),
  },
});

function modeFor(name, file) {
  if (SAMPLES[name]) {
    return SAMPLES[name].mode;
  }
  const ext = (file || '').split('.').pop();
  return {
    sh: 'text/x-sh', py: 'text/x-python', js: 'text/javascript', mjs: 'text/javascript', c: 'text/x-csrc',
    h: 'text/x-csrc', cpp: 'text/x-c++src', cc: 'text/x-c++src', cxx: 'text/x-c++src',
  }[ext] || null;
}

function sampleFor(name) {
  return SAMPLES[name] ? SAMPLES[name].code : '';
}

// the editor holds no program of the user's own: empty, or some runtime's untouched sample
function editorIsSample() {
  const text = editor.getValue();
  return text.trim() === '' || Object.values(SAMPLES).some((s) => s.code === text);
}

// ---- output --------------------------------------------------------------------------------------

const renderers = { stdout: new AnsiRenderer(), stderr: new AnsiRenderer() };

function setStatus(status) {
  ui.status.textContent = status;
  ui.status.dataset.status = status;
}

function appendSpan(text, className, fg, bg) {
  const last = ui.output.lastChild;
  if (last && last.className === className && !fg && !bg && !last.style.color && !last.style.backgroundColor) {
    last.textContent += text;
    return;
  }
  const span = document.createElement('span');
  span.className = className;
  span.textContent = text;
  if (fg) {
    span.style.color = fg;
  }
  if (bg) {
    span.style.backgroundColor = bg;
  }
  ui.output.appendChild(span);
}

function append(text, cls) {
  const atBottom = ui.output.scrollTop + ui.output.clientHeight >= ui.output.scrollHeight - 4;
  if (cls === 'stdout' || cls === 'stderr') {
    for (const run of renderers[cls].feed(text)) {
      appendSpan(run.text, [cls, ...run.classes].join(' '), run.fg, run.bg);
    }
  } else {
    appendSpan(text, cls);
  }
  if (atBottom) {
    ui.output.scrollTop = ui.output.scrollHeight;
  }
}

function running(on) {
  ui.run.disabled = on;
  ui.cancel.disabled = !on;
  ui.stdin.disabled = !on;
  ui.send.disabled = !on;
  ui.eof.disabled = !on;
  if (on) {
    ui.stdin.focus();
  }
}

// ---- keys and tokens -----------------------------------------------------------------------------

// With API keys configured the page asks for one (kept for this tab only), sends it as a bearer
// header, and opens the WebSocket with a short-lived token (a browser cannot set its headers). The
// token is kept until shortly before it expires: a key may hold only so many at once.
let token = null;

function apiKey() {
  return ui.key.value || sessionStorage.getItem('execgate-key') || '';
}

function authHeaders() {
  const key = apiKey();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

async function socketToken() {
  if (!apiKey()) {
    return '';
  }
  if (token && token.until > Date.now()) {
    return token.value;
  }
  const res = await fetch('v1/tokens', { method: 'POST', headers: authHeaders() });
  if (!res.ok) {
    throw new Error(`the API key was refused (${res.status})`);
  }
  const body = await res.json();
  token = { value: body.token, until: Date.now() + Math.max(0, body.expiresInSeconds - 30) * 1000 };
  return token.value;
}

ui.key.addEventListener('change', () => {
  sessionStorage.setItem('execgate-key', ui.key.value);
  token = null;
  if (!runtimes.size) {
    loadRuntimes();
  }
  startStats();
});

// ---- runtimes and versions -----------------------------------------------------------------------

function compareVersions(a, b) {
  const pa = String(a).split(/[.+-]/);
  const pb = String(b).split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] === undefined ? -1 : (/^\d+$/.test(pa[i]) ? Number(pa[i]) : pa[i]);
    const y = pb[i] === undefined ? -1 : (/^\d+$/.test(pb[i]) ? Number(pb[i]) : pb[i]);
    if (x !== y) {
      return (typeof x === typeof y ? x > y : typeof x === 'number') ? 1 : -1;
    }
  }
  return 0;
}

function fillVersions(name, wanted) {
  ui.version.replaceChildren();
  for (const v of runtimes.get(name) || []) {
    const option = document.createElement('option');
    option.value = v.version || '';
    option.textContent = v.version || 'default';
    option.selected = wanted != null && v.version === wanted;
    ui.version.appendChild(option);
  }
  ui.version.disabled = ui.version.options.length < 2;
}

function selectRuntime(name, version) {
  ui.runtime.value = name;
  fillVersions(name, version);
  const entries = runtimes.get(name) || [];
  editor.setOption('mode', modeFor(name, entries.length ? entries[0].file : null));
}

ui.runtime.addEventListener('change', () => {
  const sample = editorIsSample();
  selectRuntime(ui.runtime.value, null);
  if (sample) {
    editor.setValue(sampleFor(ui.runtime.value));
  }
});

async function loadRuntimes() {
  try {
    const res = await fetch('v1/runtimes', { headers: authHeaders() });
    if (res.status === 401) {
      ui.keyLabel.hidden = false;
      append('this gateway needs an API key: enter it above\n', 'info');
      return;
    }
    const body = await res.json();
    runtimes.clear();
    for (const rt of body.runtimes) {
      if (!runtimes.has(rt.name)) {
        runtimes.set(rt.name, []);
      }
      runtimes.get(rt.name).push({ version: rt.version, file: rt.file });
    }
    ui.runtime.replaceChildren();
    for (const [name, versions] of runtimes) {
      versions.sort((a, b) => compareVersions(b.version, a.version));
      const option = document.createElement('option');
      option.value = name;
      option.textContent = name;
      ui.runtime.appendChild(option);
    }
    defaultRuntime = runtimes.has(body.default) ? body.default : runtimes.keys().next().value;
    if (!restoreShared()) {
      selectRuntime(defaultRuntime, null);
      if (editorIsSample()) {
        editor.setValue(sampleFor(defaultRuntime));
      }
    }
  } catch (e) {
    append(`cannot load runtimes: ${e}\n`, 'info');
  }
}

// ---- share links ---------------------------------------------------------------------------------

function shareUrl() {
  const params = new URLSearchParams();
  params.set('runtime', ui.runtime.value);
  if (ui.version.value) {
    params.set('version', ui.version.value);
  }
  params.set('script', editor.getValue());
  if (ui.input.value) {
    params.set('stdin', ui.input.value);
  }
  const url = new URL(location.href);
  url.hash = params.toString();
  return url.href;
}

// restores what a share link's fragment holds; false when it holds nothing
function restoreShared() {
  if (!location.hash || location.hash.length < 2 || !runtimes.size) {
    return false;
  }
  const params = new URLSearchParams(location.hash.slice(1));
  if (!params.has('script') && !params.has('runtime')) {
    return false;
  }
  const name = runtimes.has(params.get('runtime')) ? params.get('runtime') : defaultRuntime;
  const version = params.get('version');
  selectRuntime(name, version);
  if (version && ui.version.value !== version) {
    append(`this gateway has no ${name} ${version}; the newest ${name} is selected\n`, 'info');
  }
  editor.setValue(params.get('script') || '');
  ui.input.value = params.get('stdin') || '';
  return true;
}

ui.share.addEventListener('click', () => {
  const url = shareUrl();
  history.replaceState(null, '', url);
  ui.shareLink.value = url;
  ui.shareBar.hidden = false;
  ui.shareLink.select();
  ui.shareNote.textContent = '';
  if (navigator.clipboard) {
    navigator.clipboard.writeText(url).then(() => {
      ui.shareNote.textContent = 'copied';
    }, () => {
      ui.shareNote.textContent = 'copy it from the field';
    });
  }
});

window.addEventListener('hashchange', () => {
  if (!socket) {
    restoreShared();
  }
});

// ---- a run ---------------------------------------------------------------------------------------

function onFrame(frame, ws) {
  switch (frame.type) {
    case 'accepted':
      append(`execution ${frame.id}\n`, 'info');
      if (ws.pendingStdin) {
        ws.send(JSON.stringify({ type: 'stdin', data: ws.pendingStdin }));
        ws.pendingStdin = '';
      }
      break;
    case 'status':
      setStatus(frame.status);
      break;
    case 'stdout':
    case 'stderr':
      append(frame.data, frame.type);
      break;
    case 'truncated':
      append(`\n[${frame.stream} truncated after ${frame.bytes} bytes]\n`, 'info');
      break;
    case 'error':
      append(`\n[error ${frame.code}: ${frame.message}]\n`, 'info');
      break;
    case 'exit':
      setStatus(frame.status);
      ui.duration.textContent = frame.durationMs != null ? `${frame.durationMs} ms` : '';
      append(`\n[${frame.status}${frame.exitCode != null ? `, exit code ${frame.exitCode}` : ''}`
        + `${frame.signal ? `, ${frame.signal}` : ''}${frame.message ? `: ${frame.message}` : ''}]\n`, 'info');
      outputFiles.show(frame.files, frame.outputFilesTruncated);
      break;
    default:
      break;
  }
}

async function run() {
  if (socket || starting) {
    return;
  }
  starting = true;
  ui.output.textContent = '';
  ui.duration.textContent = '';
  outputFiles.clear();
  renderers.stdout = new AnsiRenderer();
  renderers.stderr = new AnsiRenderer();
  setStatus('connecting');
  running(true);
  let wsToken;
  try {
    wsToken = await socketToken();
  } catch (e) {
    append(`${e.message}\n`, 'info');
    setStatus('idle');
    running(false);
    return;
  } finally {
    starting = false;
  }
  const url = new URL('v1/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = wsToken ? `?token=${encodeURIComponent(wsToken)}` : '';
  url.hash = '';
  const ws = new WebSocket(url.href);
  socket = ws;
  const message = { type: 'run', language: ui.runtime.value, script: editor.getValue() };
  if (ui.version.value) {
    message.version = ui.version.value;
  }
  ws.pendingStdin = ui.input.value;
  ws.onopen = () => ws.send(JSON.stringify(message));
  ws.onmessage = (event) => onFrame(JSON.parse(event.data), ws);
  ws.onclose = (event) => {
    if (event.code !== 1000) {
      append(`\n[connection closed: ${event.code} ${event.reason}]\n`, 'info');
      if (!ui.status.dataset.status || ['connecting', 'queued', 'pulling', 'starting', 'running']
        .includes(ui.status.dataset.status)) {
        setStatus('disconnected');
      }
    }
    socket = null;
    running(false);
    if (stats.timer !== null) {
      startStats();
    }
  };
}

// ---- the live counters ---------------------------------------------------------------------------

// This gateway node's running, queued and ended executions and warm containers. They are an
// operator's view: with keys, only an admin key reads them; for any other the panel hides. One poller
// at most: each (re)start ends the previous one (its timer cleared, its request aborted, and a reply
// still on its way ignored), and a refused key stops polling until another key is entered.
const stats = { timer: null, generation: 0, controller: null };

function stopStats() {
  stats.generation++;
  clearTimeout(stats.timer);
  stats.timer = null;
  if (stats.controller) {
    stats.controller.abort();
    stats.controller = null;
  }
}

function startStats() {
  stopStats();
  pollStats(stats.generation);
}

async function pollStats(generation) {
  const more = await loadStats(generation);
  if (more && generation === stats.generation) {
    stats.timer = setTimeout(() => pollStats(generation), 2000);
  }
}

// false when polling should stop (refused key, or a newer poller took over)
async function loadStats(generation) {
  const controller = new AbortController();
  stats.controller = controller;
  try {
    const res = await fetch('v1/stats', { headers: authHeaders(), signal: controller.signal });
    if (generation !== stats.generation) {
      return false;
    }
    if (res.status === 401 || res.status === 403) {
      // no key yet or a wrong one (polling resumes when one is entered), or not an admin key
      $('stats').hidden = res.status === 403;
      return false;
    }
    if (!res.ok) {
      return true;
    }
    $('stats').hidden = false;
    const s = await res.json();
    const ended = s.executions || {};
    const other = Object.entries(ended).filter(([status]) => status !== 'succeeded' && status !== 'failed')
      .reduce((sum, [, n]) => sum + n, 0);
    const values = {
      running: s.running, queued: s.queued, capacity: s.capacity, succeeded: ended.succeeded || 0,
      failed: ended.failed || 0, other, rejected: s.rejected, pool: s.pool ? s.pool.ready : 0,
    };
    for (const el of document.querySelectorAll('#stats [data-stat]')) {
      el.textContent = String(values[el.dataset.stat]);
    }
    return generation === stats.generation;
  } catch (e) {
    // aborted by a newer poller, or a network error: the next refresh tries again
    return generation === stats.generation;
  } finally {
    if (stats.controller === controller) {
      stats.controller = null;
    }
  }
}

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify(message));
  }
}

ui.run.addEventListener('click', run);
ui.cancel.addEventListener('click', () => send({ type: 'cancel' }));
ui.eof.addEventListener('click', () => send({ type: 'stdin_close' }));
ui.stdinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const line = ui.stdin.value;
  ui.stdin.value = '';
  append(`${line}\n`, 'stdin');
  send({ type: 'stdin', data: `${line}\n` });
});
loadRuntimes();
startStats();
