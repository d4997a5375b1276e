// ANSI SGR colours in program output, turned into styled spans. Output is only ever inserted as text
// (textContent), never as HTML: an escape sequence changes a span's classes, nothing else. Other
// control sequences (cursor moves, titles) are dropped. A sequence split across two frames is kept
// until the rest arrives.
'use strict';

// eslint-disable-next-line no-unused-vars
class AnsiRenderer {
  constructor() {
    this.reset();
    this.pending = '';
  }

  reset() {
    this.fg = null; // 30-37, 90-97, or {rgb}
    this.bg = null;
    this.bold = false;
    this.dim = false;
    this.italic = false;
    this.underline = false;
    this.inverse = false;
  }

  /**
   * @return the runs of {text, classes, fg, bg} of this chunk, in order
   */
  feed(chunk) {
    let text = this.pending + chunk;
    this.pending = '';
    const runs = [];
    let start = 0;
    let i = 0;
    while (i < text.length) {
      if (text.charCodeAt(i) !== 0x1b) {
        i++;
        continue;
      }
      if (i > start) {
        runs.push(this.run(text.slice(start, i)));
      }
      const end = this.sequenceEnd(text, i);
      if (end < 0) {
        // incomplete: wait for the next chunk (bounded: a stray ESC is dropped after 64 characters)
        if (text.length - i < 64) {
          this.pending = text.slice(i);
          return runs;
        }
        start = i = i + 1;
        continue;
      }
      const seq = text.slice(i, end);
      if (seq.startsWith('\x1b[') && seq.endsWith('m')) {
        this.sgr(seq.slice(2, -1));
      }
      start = i = end;
    }
    if (start < text.length) {
      runs.push(this.run(text.slice(start)));
    }
    return runs;
  }

  // the index after the escape sequence starting at i, or -1 when it is not complete yet
  sequenceEnd(text, i) {
    if (i + 1 >= text.length) {
      return -1;
    }
    const kind = text[i + 1];
    if (kind === '[') {
      for (let j = i + 2; j < text.length; j++) {
        const c = text.charCodeAt(j);
        if (c >= 0x40 && c <= 0x7e) {
          return j + 1;
        }
      }
      return -1;
    }
    if (kind === ']') {
      // OSC: ends with BEL or ESC \
      for (let j = i + 2; j < text.length; j++) {
        if (text[j] === '\x07') {
          return j + 1;
        }
        if (text[j] === '\x1b' && text[j + 1] === '\\') {
          return j + 2;
        }
      }
      return -1;
    }
    return i + 2;
  }

  sgr(params) {
    const codes = params === '' ? [0] : params.split(';').map((p) => (p === '' ? 0 : Number(p)));
    for (let k = 0; k < codes.length; k++) {
      const c = codes[k];
      if (c === 0) {
        this.reset();
      } else if (c === 1) {
        this.bold = true;
      } else if (c === 2) {
        this.dim = true;
      } else if (c === 3) {
        this.italic = true;
      } else if (c === 4) {
        this.underline = true;
      } else if (c === 7) {
        this.inverse = true;
      } else if (c === 22) {
        this.bold = false;
        this.dim = false;
      } else if (c === 23) {
        this.italic = false;
      } else if (c === 24) {
        this.underline = false;
      } else if (c === 27) {
        this.inverse = false;
      } else if ((c >= 30 && c <= 37) || (c >= 90 && c <= 97)) {
        this.fg = c;
      } else if (c === 39) {
        this.fg = null;
      } else if ((c >= 40 && c <= 47) || (c >= 100 && c <= 107)) {
        this.bg = c;
      } else if (c === 49) {
        this.bg = null;
      } else if (c === 38 || c === 48) {
        const colour = AnsiRenderer.extended(codes, k);
        k = colour.next;
        if (colour.rgb) {
          if (c === 38) {
            this.fg = colour.rgb;
          } else {
            this.bg = colour.rgb;
          }
        }
      }
    }
  }

  // 38;5;n (256 colours) or 38;2;r;g;b: an rgb() string (only ever numbers), and the last index used
  static extended(codes, k) {
    if (codes[k + 1] === 5 && Number.isInteger(codes[k + 2])) {
      return { rgb: AnsiRenderer.palette(codes[k + 2]), next: k + 2 };
    }
    if (codes[k + 1] === 2 && codes.length > k + 4) {
      const [r, g, b] = codes.slice(k + 2, k + 5).map((v) => Math.max(0, Math.min(255, v | 0)));
      return { rgb: `rgb(${r}, ${g}, ${b})`, next: k + 4 };
    }
    return { rgb: null, next: codes.length };
  }

  static palette(n) {
    const v = Math.max(0, Math.min(255, n | 0));
    if (v < 16) {
      const base = [[0, 0, 0], [205, 49, 49], [13, 188, 121], [229, 229, 16], [36, 114, 200], [188, 63, 188],
        [17, 168, 205], [229, 229, 229], [102, 102, 102], [241, 76, 76], [35, 209, 139], [245, 245, 67],
        [59, 142, 234], [214, 112, 214], [41, 184, 219], [255, 255, 255]][v];
      return `rgb(${base.join(', ')})`;
    }
    if (v < 232) {
      const i = v - 16;
      const level = (x) => (x === 0 ? 0 : 55 + x * 40);
      return `rgb(${level(Math.floor(i / 36))}, ${level(Math.floor(i / 6) % 6)}, ${level(i % 6)})`;
    }
    const grey = 8 + (v - 232) * 10;
    return `rgb(${grey}, ${grey}, ${grey})`;
  }

  run(text) {
    const classes = [];
    let fg = this.fg;
    let bg = this.bg;
    if (this.inverse) {
      [fg, bg] = [bg === null ? 37 : (typeof bg === 'number' ? bg - 10 : bg), fg === null ? 40 : (typeof fg === 'number' ? fg + 10 : fg)];
    }
    if (typeof fg === 'number') {
      classes.push(`ansi-fg-${fg}`);
    }
    if (typeof bg === 'number') {
      classes.push(`ansi-bg-${bg}`);
    }
    if (this.bold) {
      classes.push('ansi-bold');
    }
    if (this.dim) {
      classes.push('ansi-dim');
    }
    if (this.italic) {
      classes.push('ansi-italic');
    }
    if (this.underline) {
      classes.push('ansi-underline');
    }
    return {
      text, classes, fg: typeof fg === 'string' ? fg : null, bg: typeof bg === 'string' ? bg : null,
    };
  }
}
