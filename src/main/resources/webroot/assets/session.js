// The page's session mode: a session (POST v1/sessions) for the runtime and version picked, then
// notebook-like cells, each with its own editor, run one after another in that session over the
// interactive WebSocket (v1/ws, {"type":"run","session":…}) so that their output is live; for python,
// optionally stateful ("stateful": true: one interpreter keeps variables between cells); the files
// each run left under out/ (images inline) and a stateful cell's display outputs (plots inline,
// HTML only in a sandboxed iframe) under the cell; and a panel of the session's working
// directory: list, upload (a raw PUT), download (a Blob URL with a `download` name), delete. File
// names, output and error messages come from the server or the program, so untrusted: they are set
// as text, never as HTML. Loaded after app.js, whose editor setup, key, token and frame rendering
// helpers it uses.
'use strict';

/* global CodeMirror, AnsiRenderer, OutputFiles, CellDisplays, authHeaders, socketToken, modeFor, runtimes, ui */

// eslint-disable-next-line no-unused-vars
class SessionMode {

  constructor() {
    const $ = (id) => document.getElementById(id);
    this.el = {
      toggle: $('session-toggle'), oneShot: $('one-shot'), view: $('session-view'), start: $('session-start'),
      end: $('session-end'), info: $('session-info'), message: $('session-message'), cells: $('cells'),
      addCell: $('add-cell'), upload: $('upload'), fileList: $('file-list'), refresh: $('files-refresh'),
      fileNote: $('file-note'), stateful: $('session-stateful'), statefulLabel: $('session-stateful-label'),
    };
    this.on = false;
    /** the session's JSON (id, expiresAt, language, version), null when there is none */
    this.session = null;
    this.cells = [];
    // runs wait for the one before them: one execution at a time in a session
    this.queue = Promise.resolve();
    this.pending = 0;
    // Blob URLs of downloads -> their Blob, while valid
    this.downloads = new Map();
    this.el.toggle.addEventListener('click', () => this.toggle());
    this.el.start.addEventListener('click', () => this.start());
    this.el.end.addEventListener('click', () => this.end());
    this.el.addCell.addEventListener('click', () => this.addCell('').editor.focus());
    this.el.refresh.addEventListener('click', () => this.listFiles());
    this.el.upload.addEventListener('change', () => this.uploadChosen());
    ui.runtime.addEventListener('change', () => this.render());
  }

  /** Whether the runtime picked can keep an interpreter between cells (the gateway's rule: python only). */
  static canBeStateful(language) {
    return language === 'python';
  }

  toggle() {
    this.on = !this.on;
    this.el.toggle.setAttribute('aria-pressed', String(this.on));
    this.el.toggle.textContent = this.on ? 'One-shot mode' : 'Session mode';
    this.el.oneShot.hidden = this.on;
    this.el.view.hidden = !this.on;
    for (const id of ['run', 'cancel', 'share', 'status', 'duration']) {
      document.getElementById(id).hidden = this.on;
    }
    if (this.on && !this.cells.length) {
      this.addCell('');
    }
    this.cells.forEach((c) => c.editor.refresh());
    this.render();
  }

  base() {
    return `v1/sessions/${encodeURIComponent(this.session.id)}`;
  }

  static filePath(name) {
    return name.split('/').map(encodeURIComponent).join('/');
  }

  // ---- the session ----------------------------------------------------------------------------

  async start() {
    this.el.start.disabled = true;
    this.say('');
    const body = { language: ui.runtime.value };
    if (ui.version.value) {
      body.version = ui.version.value;
    }
    if (SessionMode.canBeStateful(body.language) && this.el.stateful.checked) {
      body.stateful = true;
    }
    try {
      const res = await fetch('v1/sessions', {
        method: 'POST', headers: { ...authHeaders(), 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      if (res.status !== 201) {
        this.say(`no session: ${await SessionMode.error(res)}`);
        return;
      }
      this.session = await res.json();
      this.queue = Promise.resolve();
      const entries = runtimes.get(body.language) || [];
      const mode = modeFor(body.language, entries.length ? entries[0].file : null);
      this.cells.forEach((c) => c.editor.setOption('mode', mode));
      this.cells.forEach((c) => SessionMode.clearCell(c));
      this.clearDownloads();
      this.listFiles();
    } catch (e) {
      this.say(`no session: ${e.message}`);
    } finally {
      this.render();
    }
  }

  async end() {
    if (!this.session) {
      return;
    }
    const id = this.session.id;
    try {
      const res = await fetch(this.base(), { method: 'DELETE', headers: authHeaders() });
      if (res.status === 204 || res.status === 404 || res.status === 410) {
        this.ended(`session ${id} ended: its sandbox and files are gone.`);
      } else {
        this.say(`could not end session ${id}: ${await SessionMode.error(res)}`);
      }
    } catch (e) {
      this.say(`could not end session ${id}: ${e.message}`);
    }
  }

  /** The session is gone: say why, and offer a new one. */
  ended(text) {
    this.session = null;
    this.pending = 0;
    this.el.fileList.replaceChildren();
    this.fileNote('');
    this.say(`${text} Start a new session to go on.`);
    this.render();
  }

  /**
   * Handles an answer that says the session is gone (410 with its reason, or 404).
   *
   * @return whether it was one
   */
  async gone(res) {
    if (res.status !== 404 && res.status !== 410) {
      return false;
    }
    const message = await SessionMode.error(res);
    if (res.status === 410) {
      this.ended(`${message}.`);
    } else {
      this.ended(`the gateway does not know this session (${message}): it ended a while ago or the gateway restarted.`);
    }
    return true;
  }

  /** Reads the session again: its expiry moves with each use, and it may have ended meanwhile. */
  async refreshInfo() {
    if (!this.session) {
      return;
    }
    try {
      const res = await fetch(this.base(), { headers: authHeaders() });
      if (await this.gone(res)) {
        return;
      }
      if (res.ok && this.session) {
        this.session = await res.json();
        this.render();
      }
    } catch (e) {
      // a network error: the next call tells
    }
  }

  static async error(res) {
    try {
      const body = await res.json();
      if (body && body.error && body.error.message) {
        return `${res.status} ${body.error.code}: ${body.error.message}`;
      }
    } catch (e) {
      // not our JSON
    }
    return `${res.status} ${res.statusText}`;
  }

  say(text) {
    this.el.message.textContent = text;
    this.el.message.hidden = !text;
  }

  render() {
    const s = this.session;
    this.el.start.disabled = !!s;
    this.el.start.textContent = 'Start session';
    this.el.end.disabled = !s;
    this.el.upload.disabled = !s;
    this.el.refresh.disabled = !s;
    // the choice is made when the session starts: hidden for other runtimes, fixed while one runs
    this.el.statefulLabel.hidden = !SessionMode.canBeStateful(ui.runtime.value);
    this.el.stateful.disabled = !!s;
    this.el.info.textContent = s
      ? `session ${s.id} (${s.language}${s.version ? ` ${s.version}` : ''}${s.stateful === true ? ', stateful' : ''}), `
        + `expires ${new Date(s.expiresAt).toLocaleTimeString()}`
      : 'no session';
    this.el.info.dataset.stateful = s && s.stateful === true ? 'true' : 'false';
    this.el.info.dataset.session = s ? s.id : '';
    for (const cell of this.cells) {
      cell.run.disabled = !s;
    }
  }

  // ---- cells ----------------------------------------------------------------------------------

  addCell(code) {
    const root = document.createElement('div');
    root.className = 'cell';
    const bar = document.createElement('div');
    bar.className = 'cell-bar';
    const run = document.createElement('button');
    run.type = 'button';
    run.className = 'cell-run';
    run.textContent = 'Run';
    run.title = 'Run in the session (Ctrl+Enter, ⌘+Enter on a Mac)';
    const status = document.createElement('span');
    status.className = 'status cell-status';
    status.dataset.status = 'idle';
    status.textContent = 'idle';
    bar.append(run, status);
    const area = document.createElement('textarea');
    const output = document.createElement('pre');
    output.className = 'cell-output';
    output.hidden = true;
    const notice = document.createElement('p');
    notice.className = 'cell-notice';
    notice.setAttribute('role', 'status');
    notice.hidden = true;
    const displays = document.createElement('div');
    displays.className = 'cell-displays';
    displays.hidden = true;
    const files = document.createElement('div');
    files.className = 'cell-files';
    files.hidden = true;
    root.append(bar, area, output, notice, displays, files);
    this.el.cells.appendChild(root);
    const cell = {
      root, run, status, output, notice, displays: new CellDisplays(displays), files: new OutputFiles(files),
      renderers: null, editor: null,
    };
    const entries = runtimes.get(ui.runtime.value) || [];
    cell.editor = CodeMirror.fromTextArea(area, {
      lineNumbers: true, indentUnit: 4, tabSize: 4, indentWithTabs: false, matchBrackets: true,
      viewportMargin: Infinity, mode: modeFor(ui.runtime.value, entries.length ? entries[0].file : null),
      extraKeys: {
        'Ctrl-Enter': () => this.runCell(cell),
        'Cmd-Enter': () => this.runCell(cell),
        Tab: (cm) => (cm.somethingSelected() ? cm.indentSelection('add') : cm.execCommand('insertSoftTab')),
        'Shift-Tab': (cm) => cm.indentSelection('subtract'),
      },
    });
    cell.editor.setValue(code);
    run.addEventListener('click', () => this.runCell(cell));
    this.cells.push(cell);
    this.render();
    return cell;
  }

  static clearCell(cell) {
    cell.output.replaceChildren();
    cell.output.hidden = true;
    SessionMode.notice(cell, '');
    cell.displays.clear();
    cell.files.clear();
    SessionMode.setStatus(cell, 'idle');
  }

  /** A notice under the cell (the server's words, as text). */
  static notice(cell, text) {
    cell.notice.textContent = text;
    cell.notice.hidden = !text;
  }

  static setStatus(cell, status) {
    cell.status.textContent = status;
    cell.status.dataset.status = status;
  }

  static append(cell, text, cls) {
    cell.output.hidden = false;
    if (cls === 'stdout' || cls === 'stderr') {
      for (const run of cell.renderers[cls].feed(text)) {
        const span = document.createElement('span');
        span.className = [cls, ...run.classes].join(' ');
        span.textContent = run.text;
        if (run.fg) {
          span.style.color = run.fg;
        }
        if (run.bg) {
          span.style.backgroundColor = run.bg;
        }
        cell.output.appendChild(span);
      }
    } else {
      const span = document.createElement('span');
      span.className = cls;
      span.textContent = text;
      cell.output.appendChild(span);
    }
  }

  /** Queues the cell's script: it runs once every run queued before it has ended. */
  runCell(cell) {
    if (!this.session) {
      this.say('start a session first');
      return;
    }
    const session = this.session;
    const script = cell.editor.getValue();
    SessionMode.clearCell(cell);
    SessionMode.setStatus(cell, 'waiting');
    this.pending++;
    this.queue = this.queue.then(() => (this.session === session ? this.execute(cell, script)
      : SessionMode.setStatus(cell, 'idle')))
      .catch((e) => SessionMode.append(cell, `\n[${e.message}]\n`, 'info'))
      .finally(() => {
        this.pending = Math.max(0, this.pending - 1);
        this.listFiles();
        this.refreshInfo();
      });
  }

  /** Runs one cell over its own socket; completes when the socket has closed. */
  async execute(cell, script) {
    cell.renderers = { stdout: new AnsiRenderer(), stderr: new AnsiRenderer() };
    SessionMode.setStatus(cell, 'connecting');
    const wsToken = await socketToken();
    const url = new URL('v1/ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = wsToken ? `?token=${encodeURIComponent(wsToken)}` : '';
    url.hash = '';
    const sessionId = this.session.id;
    await new Promise((resolve) => {
      const ws = new WebSocket(url.href);
      let gone = null;
      ws.onopen = () => ws.send(JSON.stringify({ type: 'run', session: sessionId, script, queue: true }));
      ws.onmessage = (event) => {
        const frame = JSON.parse(event.data);
        switch (frame.type) {
          case 'status':
            SessionMode.setStatus(cell, frame.status);
            if (frame.code === 'interpreter_restarted') {
              SessionMode.notice(cell, `The interpreter was restarted: variables and imports are gone`
                + `${frame.message ? ` (${frame.message})` : ''}.`);
            }
            break;
          case 'stdout':
          case 'stderr':
            SessionMode.append(cell, frame.data, frame.type);
            break;
          case 'truncated':
            SessionMode.append(cell, `\n[${frame.stream} truncated after ${frame.bytes} bytes]\n`, 'info');
            break;
          case 'display':
            cell.displays.add(frame);
            break;
          case 'error':
            SessionMode.setStatus(cell, 'error');
            SessionMode.append(cell, `[error ${frame.code}: ${frame.message}]\n`, 'info');
            if (frame.code === 'session_ended' || frame.code === 'not_found') {
              gone = frame;
            }
            ws.close(1000);
            break;
          case 'exit':
            SessionMode.setStatus(cell, frame.status);
            SessionMode.append(cell, `[${frame.status}${frame.exitCode != null ? `, exit code ${frame.exitCode}` : ''}`
              + `${frame.durationMs != null ? `, ${frame.durationMs} ms` : ''}`
              + `${frame.message ? `: ${frame.message}` : ''}]\n`, 'info');
            if (frame.outputsTruncated) {
              cell.displays.truncated();
            }
            cell.files.show(frame.files, frame.outputFilesTruncated);
            break;
          default:
            break;
        }
      };
      ws.onclose = (event) => {
        if (event.code !== 1000 && !['succeeded', 'failed', 'timeout', 'cancelled', 'oom_killed', 'output_limit', 'error']
          .includes(cell.status.dataset.status)) {
          SessionMode.setStatus(cell, 'disconnected');
          SessionMode.append(cell, `[connection closed: ${event.code} ${event.reason}]\n`, 'info');
        }
        if (gone && this.session && this.session.id === sessionId) {
          // ask the session itself: 410 carries why it ended
          fetch(this.base(), { headers: authHeaders() }).then((res) => this.gone(res)).then(resolve, resolve);
        } else {
          resolve();
        }
      };
    });
  }

  // ---- files ----------------------------------------------------------------------------------

  async listFiles() {
    if (!this.session) {
      return;
    }
    try {
      const res = await fetch(`${this.base()}/files`, { headers: authHeaders() });
      if (await this.gone(res)) {
        return;
      }
      if (res.status === 409) {
        // a run holds the sandbox: the list is read again when it ends
        return;
      }
      if (!res.ok) {
        this.fileNote(`cannot list the files: ${await SessionMode.error(res)}`);
        return;
      }
      const body = await res.json();
      this.showFiles(Array.isArray(body.files) ? body.files : []);
    } catch (e) {
      this.fileNote(`cannot list the files: ${e.message}`);
    }
  }

  fileNote(text) {
    this.el.fileNote.textContent = text;
  }

  showFiles(files) {
    this.fileNote(files.length ? '' : 'the working directory is empty');
    const rows = [];
    for (const f of files.sort((a, b) => String(a.name).localeCompare(String(b.name)))) {
      const name = String(f.name);
      const row = document.createElement('li');
      row.className = 'session-file';
      row.dataset.type = String(f.type);
      const label = document.createElement('span');
      label.className = 'file-name';
      label.textContent = f.type === 'directory' ? `${name}/` : name;
      const size = document.createElement('span');
      size.className = 'file-size';
      size.textContent = f.type === 'file' ? OutputFiles.size(Number(f.size)) : String(f.type);
      row.append(label, size);
      if (f.type === 'file') {
        row.appendChild(SessionMode.button('Download', `download ${name}`, 'file-download', () => this.download(name)));
      }
      if (f.type !== 'directory') {
        row.appendChild(SessionMode.button('Delete', `delete ${name}`, 'file-delete', () => this.deleteFile(name)));
      }
      rows.push(row);
    }
    this.el.fileList.replaceChildren(...rows);
  }

  static button(text, title, className, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = className;
    b.textContent = text;
    b.title = title;
    b.addEventListener('click', onClick);
    return b;
  }

  async uploadChosen() {
    const chosen = Array.from(this.el.upload.files || []);
    this.el.upload.value = '';
    for (const file of chosen) {
      await this.upload(file.name, file);
    }
    await this.listFiles();
  }

  async upload(name, blob) {
    if (!this.session) {
      return;
    }
    try {
      // the body is the file's bytes as they are; the server ignores the content type
      const res = await fetch(`${this.base()}/files/${SessionMode.filePath(name)}`, {
        method: 'PUT', headers: { ...authHeaders(), 'content-type': 'application/octet-stream' }, body: blob,
      });
      if (!(await this.gone(res)) && !res.ok) {
        this.fileNote(`${name} was not uploaded: ${await SessionMode.error(res)}`);
      }
    } catch (e) {
      this.fileNote(`${name} was not uploaded: ${e.message}`);
    }
  }

  async download(name) {
    try {
      const res = await fetch(`${this.base()}/files/${SessionMode.filePath(name)}`, { headers: authHeaders() });
      if (await this.gone(res)) {
        return;
      }
      if (!res.ok) {
        this.fileNote(`${name} was not downloaded: ${await SessionMode.error(res)}`);
        return;
      }
      // typed octet-stream, so that no file of the program's opens as a document of the page's origin
      const blob = new Blob([await res.arrayBuffer()], { type: 'application/octet-stream' });
      const url = URL.createObjectURL(blob);
      this.downloads.set(url, blob);
      this.lastDownload = url;
      const link = document.createElement('a');
      link.href = url;
      link.download = OutputFiles.safeName(name);
      link.hidden = true;
      document.body.appendChild(link);
      link.click();
      link.remove();
    } catch (e) {
      this.fileNote(`${name} was not downloaded: ${e.message}`);
    }
  }

  clearDownloads() {
    for (const url of this.downloads.keys()) {
      URL.revokeObjectURL(url);
    }
    this.downloads.clear();
  }

  async deleteFile(name) {
    try {
      const res = await fetch(`${this.base()}/files/${SessionMode.filePath(name)}`, {
        method: 'DELETE', headers: authHeaders(),
      });
      if (await this.gone(res)) {
        return;
      }
      if (!res.ok) {
        this.fileNote(`${name} was not deleted: ${await SessionMode.error(res)}`);
      }
    } catch (e) {
      this.fileNote(`${name} was not deleted: ${e.message}`);
    }
    await this.listFiles();
  }
}

// eslint-disable-next-line no-unused-vars
const sessionMode = new SessionMode();
