// execgate's page: runs a script over the interactive WebSocket (v1/ws) and shows its frames live,
// and the gateway's counters (v1/stats). Plain ES2020, no dependencies; output is inserted as text,
// never as HTML. Every URL is relative to the page, so that it works wherever the API is mounted
// (an application may serve it under a prefix of its own).
'use strict';

const $ = (id) => document.getElementById(id);
const ui = {
  runtime: $('runtime'), script: $('script'), run: $('run'), cancel: $('cancel'), status: $('status'),
  duration: $('duration'), output: $('output'), stdinForm: $('stdin-form'), stdin: $('stdin'),
  send: $('send'), eof: $('eof'), key: $('key'), keyLabel: $('key-label'),
};
let socket = null;
let starting = false;

function setStatus(status) {
  ui.status.textContent = status;
  ui.status.dataset.status = status;
}

function append(text, cls) {
  const atBottom = ui.output.scrollTop + ui.output.clientHeight >= ui.output.scrollHeight - 4;
  const last = ui.output.lastChild;
  if (last && last.className === cls) {
    last.textContent += text;
  } else {
    const span = document.createElement('span');
    span.className = cls;
    span.textContent = text;
    ui.output.appendChild(span);
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
  if (!ui.runtime.options.length) {
    loadRuntimes();
  }
  startStats();
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
    for (const rt of body.runtimes) {
      const option = document.createElement('option');
      option.value = rt.name;
      option.textContent = rt.version ? `${rt.name} ${rt.version}` : rt.name;
      option.selected = rt.name === body.default;
      ui.runtime.appendChild(option);
    }
  } catch (e) {
    append(`cannot load runtimes: ${e}\n`, 'info');
  }
}

function onFrame(frame) {
  switch (frame.type) {
    case 'accepted':
      append(`execution ${frame.id}\n`, 'info');
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
  setStatus('connecting');
  running(true);
  let token;
  try {
    token = await socketToken();
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
  url.search = token ? `?token=${encodeURIComponent(token)}` : '';
  const ws = new WebSocket(url.href);
  socket = ws;
  ws.onopen = () => ws.send(JSON.stringify({ type: 'run', language: ui.runtime.value, script: ui.script.value }));
  ws.onmessage = (event) => onFrame(JSON.parse(event.data));
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
    if (statsTimer !== null) {
      loadStats();
    }
  };
}

// The live counters: this gateway node's running, queued and ended executions and warm containers.
// They are an operator's view: with keys, only an admin key reads them; for any other the panel hides.
let statsTimer = null;

function startStats() {
  if (statsTimer === null) {
    statsTimer = setInterval(loadStats, 2000);
    loadStats();
  }
}

function stopStats() {
  clearInterval(statsTimer);
  statsTimer = null;
}

async function loadStats() {
  try {
    const res = await fetch('v1/stats', { headers: authHeaders() });
    if (res.status === 401 || res.status === 403) {
      // no key yet (polling resumes when one is entered), or not an admin key
      stopStats();
      $('stats').hidden = res.status === 403;
      return;
    }
    if (!res.ok) {
      return;
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
  } catch (e) {
    // the next refresh tries again
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
ui.script.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    run();
  }
});
loadRuntimes();
startStats();
