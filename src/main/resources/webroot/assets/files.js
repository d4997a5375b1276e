// The files a run's program left under out/, from its exit frame: each one a download link (a Blob
// URL with a `download` name), raster images (PNG, JPEG, GIF, WebP) shown inline from a Blob URL,
// and text files (text/plain, text/csv, application/json) previewed as text. Names, media types and
// contents are the program's, so untrusted: they are set as text and attributes, never as HTML. An
// SVG is a download link only (it can carry script), and every Blob but an image's is typed
// application/octet-stream, so that no file of the program's opens as a document of the page's
// origin. The Blob URLs of a run are revoked when the next one starts.
'use strict';

// eslint-disable-next-line no-unused-vars
class OutputFiles {

  static IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
  static TEXTS = new Set(['text/plain', 'text/csv', 'application/json']);
  /** characters of a text file previewed; the download link has it all */
  static PREVIEW_CHARS = 64 * 1024;

  constructor(container) {
    this.container = container;
    // Blob URL -> its Blob, while the URL is valid
    this.blobs = new Map();
  }

  clear() {
    for (const url of this.blobs.keys()) {
      URL.revokeObjectURL(url);
    }
    this.blobs.clear();
    this.container.replaceChildren();
    this.container.hidden = true;
  }

  show(files, truncated) {
    this.clear();
    if (!Array.isArray(files) || !files.length) {
      if (truncated) {
        this.note('out/ held more than the files limit lets through: none fitted');
      }
      return;
    }
    for (const file of files) {
      try {
        this.container.appendChild(this.entry(file));
      } catch (e) {
        this.note(`a file could not be shown: ${e.message}`);
      }
    }
    if (truncated) {
      this.note('more files were left out: they passed the files limit (limits.outputFilesBytes)');
    }
    this.container.hidden = false;
  }

  note(text) {
    const p = document.createElement('p');
    p.className = 'files-note';
    p.textContent = text;
    this.container.appendChild(p);
    this.container.hidden = false;
  }

  entry(file) {
    const name = String(file.name || 'file');
    const mediaType = String(file.mediaType || 'application/octet-stream').toLowerCase();
    const bytes = OutputFiles.bytes(file);
    const image = OutputFiles.IMAGES.has(mediaType);
    const blob = new Blob([bytes], { type: image ? mediaType : 'application/octet-stream' });
    const url = URL.createObjectURL(blob);
    this.blobs.set(url, blob);

    const figure = document.createElement('figure');
    figure.className = 'out-file';
    figure.dataset.mediaType = mediaType;
    const caption = document.createElement('figcaption');
    const link = document.createElement('a');
    link.href = url;
    link.download = OutputFiles.safeName(name);
    link.textContent = name;
    link.title = `download ${name}`;
    caption.append(link, ` ${OutputFiles.size(bytes.length)}, ${mediaType}`);
    figure.appendChild(caption);
    if (image) {
      const img = document.createElement('img');
      img.src = url;
      img.alt = name;
      figure.appendChild(img);
    } else if (OutputFiles.TEXTS.has(mediaType)) {
      const pre = document.createElement('pre');
      pre.className = 'file-text';
      const text = new TextDecoder('utf-8').decode(bytes);
      pre.textContent = text.length > OutputFiles.PREVIEW_CHARS
        ? `${text.slice(0, OutputFiles.PREVIEW_CHARS)}\n[… the download link has all of it]` : text;
      figure.appendChild(pre);
    }
    return figure;
  }

  static base64(bytes) {
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  }

  static bytes(file) {
    const content = String(file.content || '');
    if (file.encoding === 'base64') {
      const binary = atob(content);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) {
        bytes[i] = binary.charCodeAt(i);
      }
      return bytes;
    }
    return new TextEncoder().encode(content);
  }

  // the name a download is saved under: the last part of the path, without control characters or
  // characters file systems refuse, never empty nor a dot name
  static safeName(name) {
    const base = name.split(/[/\\]/).pop()
      .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_')
      .replace(/^[.\s]+/, '')
      .slice(0, 200);
    return base || 'file';
  }

  static size(n) {
    return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`;
  }
}

/**
 * A stateful cell's rich outputs, from its `display` frames, in order: PNG and JPEG as `<img>` from
 * Blob URLs, SVG as `<img>` from a data: URL (an `<img>` runs no script); HTML in an `<iframe sandbox="">`
 * from `srcdoc`, so it runs no script and never in the page's origin; Markdown and text as text.
 */
class CellDisplays {

  static IMAGES = new Set(['image/png', 'image/jpeg']);

  constructor(container) {
    this.container = container;
    this.urls = [];
  }

  clear() {
    this.urls.forEach((url) => URL.revokeObjectURL(url));
    this.urls = [];
    this.container.replaceChildren();
    this.container.hidden = true;
  }

  /** Shows one `display` frame (or one entry of a result's `outputs`). */
  add(output) {
    const mediaType = String(output.mediaType || '').toLowerCase();
    const data = String(output.data || '');
    let el;
    if (mediaType === 'image/svg+xml') {
      // a data: URL, not a Blob URL: an SVG opened on its own ("open image in new tab") could run its
      // script in the page's origin from a Blob URL, never from a data: URL
      el = document.createElement('img');
      el.src = `data:image/svg+xml;base64,${OutputFiles.base64(new TextEncoder().encode(data))}`;
      el.alt = 'image/svg+xml output';
    } else if (CellDisplays.IMAGES.has(mediaType)) {
      const bytes = OutputFiles.bytes({ content: data, encoding: 'base64' });
      const url = URL.createObjectURL(new Blob([bytes], { type: mediaType }));
      this.urls.push(url);
      el = document.createElement('img');
      el.src = url;
      el.alt = `${mediaType} output`;
    } else if (mediaType === 'text/html') {
      el = document.createElement('iframe');
      el.setAttribute('sandbox', '');
      el.setAttribute('referrerpolicy', 'no-referrer');
      el.title = 'HTML output (sandboxed: no script, no same-origin access)';
      el.srcdoc = data;
    } else {
      el = document.createElement('pre');
      el.className = 'display-text';
      el.textContent = data.length > OutputFiles.PREVIEW_CHARS
        ? `${data.slice(0, OutputFiles.PREVIEW_CHARS)}\n[…]` : data;
    }
    el.classList.add('display-output');
    el.dataset.mediaType = mediaType;
    this.container.appendChild(el);
    this.container.hidden = false;
  }

  /** Notes that outputs were left out (`outputsTruncated`). */
  truncated() {
    const p = document.createElement('p');
    p.className = 'files-note';
    p.textContent = 'more outputs were left out: past 100 in a cell, or past the files limit (limits.outputFilesBytes)';
    this.container.appendChild(p);
    this.container.hidden = false;
  }
}
