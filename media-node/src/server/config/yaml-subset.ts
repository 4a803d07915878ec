import { ConfigError } from './config-error.ts';

/**
 * A small, strict parser for the part of YAML 1.2 a node config needs (there
 * is no YAML dependency in the node, on purpose). Supported:
 *
 * - block mappings nested by indentation (spaces only): `key: value`, `key:`
 *   followed by a more indented block; keys plain or quoted;
 * - simple block sequences of scalars (`- value`), also at the same indent as
 *   their key (`key:\n- a`), and one-line flow sequences of scalars (`[a, b]`,
 *   `[]`) plus the empty mapping `{}`;
 * - scalars: plain or quoted strings (`"..."` with JSON-like escapes,
 *   `'...'` with `''`), integers, decimals, `true`/`false`, `null`/`~`/empty
 *   (YAML 1.2 core schema: `yes`, `on`, `off` stay strings);
 * - `#` comments, blank lines, one leading `---`.
 *
 * Everything else (anchors, aliases, tags, block scalars `|`/`>`, multi-line
 * scalars, flow mappings, lists of mappings, nested lists, several documents,
 * tabs in indentation, duplicate keys) is rejected with a ConfigError that
 * names the line, so a config never means something other than it reads.
 */
export function parseYamlSubset(text: string, source = 'config'): unknown {
  return new Parser(splitLines(text, source), source).document();
}

/** Deepest nesting accepted; node configs are 3-4 levels deep, this only bounds recursion. */
export const MAX_YAML_DEPTH = 32;

interface Line {
  /** 1-based line number in the file, for messages. */
  readonly no: number;
  readonly indent: number;
  /** The line without its indentation and trailing whitespace; never empty or a whole-line comment. */
  readonly text: string;
}

function fail(source: string, line: number, message: string): never {
  throw new ConfigError('config_syntax', [`config: ${source}:${line}: ${message}`]);
}

function splitLines(text: string, source: string): Line[] {
  const raw = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const lines: Line[] = [];
  raw.forEach((full, i) => {
    const no = i + 1;
    const indent = full.length - full.replace(/^ +/, '').length;
    const rest = full.slice(indent).trimEnd();
    if (rest === '' || rest.startsWith('#')) return;
    if (rest.startsWith('\t')) fail(source, no, 'tabs are not allowed in indentation; use spaces');
    if (rest === '---' && lines.length === 0) return;
    if (rest === '---' || rest === '...') fail(source, no, 'only one YAML document per file is supported');
    if (rest.startsWith('%')) fail(source, no, 'YAML directives (%) are not supported');
    lines.push({ no, indent, text: rest });
  });
  return lines;
}

/** Characters that start YAML syntax this subset does not implement. */
const UNSUPPORTED_START: Readonly<Record<string, string>> = {
  '&': 'anchors (&) are not supported',
  '*': 'aliases (*) are not supported',
  '!': 'tags (!) are not supported',
  '|': 'block scalars (|) are not supported; put the value on one line, quoted',
  '>': 'block scalars (>) are not supported; put the value on one line, quoted',
  '@': 'a plain value cannot start with "@"; quote it',
  '`': 'a plain value cannot start with "`"; quote it',
  '?': 'complex keys (?) are not supported',
};

function isSeqItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

/** A value part that holds nothing but maybe a comment. */
function isEmptyValue(rest: string): boolean {
  return rest === '' || rest.startsWith('#');
}

class Parser {
  private readonly lines: readonly Line[];
  private readonly source: string;
  private pos = 0;

  constructor(lines: readonly Line[], source: string) {
    this.lines = lines;
    this.source = source;
  }

  document(): unknown {
    const first = this.lines[0];
    if (first === undefined) return null;
    const value = this.block(first.indent, 0);
    const left = this.lines[this.pos];
    if (left !== undefined) this.error(left, 'unexpected indentation');
    return value;
  }

  private error(line: Line, message: string): never {
    return fail(this.source, line.no, message);
  }

  /** The node that starts at the current line, whose indentation is `indent`. */
  private block(indent: number, depth: number): unknown {
    const line = this.lines[this.pos];
    if (depth > MAX_YAML_DEPTH) this.error(line, `nesting deeper than ${MAX_YAML_DEPTH} levels`);
    if (isSeqItem(line.text)) return this.sequence(indent, depth, false);
    if (this.entry(line) !== null) return this.mapping(indent, depth);
    this.pos++;
    const next = this.lines[this.pos];
    if (next !== undefined && next.indent >= indent) {
      this.error(next, 'multi-line values are not supported; put the value on one line, quoted');
    }
    return this.inline(line.text, line);
  }

  private mapping(indent: number, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    for (let line = this.lines[this.pos]; line !== undefined && line.indent >= indent; line = this.lines[this.pos]) {
      if (line.indent > indent) this.error(line, 'unexpected indentation');
      const entry = this.entry(line);
      if (entry === null) {
        if (isSeqItem(line.text)) this.error(line, 'a list item where "key: value" was expected');
        const hint = /:\S/.test(line.text) ? ' (a space is needed after ":")' : '';
        this.error(line, `expected "key: value"${hint}`);
      }
      if (seen.has(entry.key)) this.error(line, `duplicate key "${entry.key}"`);
      seen.add(entry.key);
      this.pos++;
      const next = this.lines[this.pos];
      let value: unknown;
      if (!isEmptyValue(entry.rest)) {
        value = this.inline(entry.rest, line);
        if (next !== undefined && next.indent > indent) {
          this.error(next, `unexpected indentation ("${entry.key}" already has a value on line ${line.no})`);
        }
      } else if (next !== undefined && next.indent > indent) {
        value = this.block(next.indent, depth + 1);
      } else if (next !== undefined && next.indent === indent && isSeqItem(next.text)) {
        value = this.sequence(indent, depth + 1, true);
      } else {
        value = null;
      }
      // defineProperty, not assignment: a key named "__proto__" must stay a plain key.
      Object.defineProperty(out, entry.key, { value, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  /** `compact`: the list sits at its key's indentation and ends at the first line that is not an item. */
  private sequence(indent: number, depth: number, compact: boolean): unknown[] {
    const out: unknown[] = [];
    for (let line = this.lines[this.pos]; line !== undefined && line.indent >= indent; line = this.lines[this.pos]) {
      if (line.indent > indent) this.error(line, 'unexpected indentation');
      if (!isSeqItem(line.text)) {
        if (compact) break;
        this.error(line, 'expected a list item ("- value")');
      }
      const rest = line.text.slice(1).trimStart();
      this.pos++;
      const next = this.lines[this.pos];
      if (isEmptyValue(rest)) {
        if (next !== undefined && next.indent > indent) this.error(next, 'only lists of single values are supported ("- value")');
        out.push(null);
        continue;
      }
      if (isSeqItem(rest)) this.error(line, 'nested lists are not supported');
      if (this.entry({ ...line, text: rest }) !== null) this.error(line, 'lists of mappings are not supported');
      out.push(this.inline(rest, line));
      if (next !== undefined && next.indent > indent) this.error(next, 'unexpected indentation');
    }
    return out;
  }

  /** Splits `key: rest` (plain or quoted key); null when the line is not a mapping entry. */
  private entry(line: Line): { key: string; rest: string } | null {
    const text = line.text;
    if (text.startsWith('"') || text.startsWith("'")) {
      const q = this.quoted(text, line);
      const after = text.slice(q.end);
      const m = /^\s*:(?:\s+(.*))?$/.exec(after);
      return m === null ? null : { key: q.value, rest: m[1] ?? '' };
    }
    const m = /^([^\s#:[\]{},][^#]*?)\s*:(?:\s+(.*))?$/.exec(text);
    if (m === null || isSeqItem(text) || UNSUPPORTED_START[m[1][0]] !== undefined) return null;
    return { key: m[1], rest: m[2] ?? '' };
  }

  /** A value written on the line itself: scalar, quoted string, `[a, b]` or `{}`. */
  private inline(text: string, line: Line): unknown {
    const first = text[0];
    if (first === '"' || first === "'") {
      const q = this.quoted(text, line);
      this.expectEnd(text.slice(q.end), line);
      return q.value;
    }
    if (first === '[') return this.flowSequence(text, line);
    if (first === '{') {
      const m = /^\{\s*\}(.*)$/.exec(text);
      if (m === null) this.error(line, 'flow mappings ({...}) are not supported; use an indented block');
      this.expectEnd(m[1], line);
      return {};
    }
    const unsupported = UNSUPPORTED_START[first];
    if (unsupported !== undefined) this.error(line, unsupported);
    const plain = text.replace(/(^|\s)#.*$/, '').trimEnd();
    return this.plain(plain, line);
  }

  private plain(s: string, line: Line): unknown {
    if (/:(\s|$)/.test(s)) this.error(line, `unexpected ":" in the value "${s}"; quote the value`);
    if (s === '' || s === '~' || s === 'null' || s === 'Null' || s === 'NULL') return null;
    if (s === 'true' || s === 'True' || s === 'TRUE') return true;
    if (s === 'false' || s === 'False' || s === 'FALSE') return false;
    if (/^[-+]?[0-9]+$/.test(s)) {
      const n = Number(s);
      if (!Number.isSafeInteger(n)) this.error(line, `integer ${s} is out of range`);
      return n;
    }
    if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(s)) {
      const n = Number(s);
      if (!Number.isFinite(n)) this.error(line, `number ${s} is out of range`);
      return n;
    }
    return s;
  }

  private flowSequence(text: string, line: Line): unknown[] {
    const out: unknown[] = [];
    let i = 1;
    const skipSpace = (): void => {
      while (text[i] === ' ' || text[i] === '\t') i++;
    };
    skipSpace();
    if (text[i] === ']') {
      this.expectEnd(text.slice(i + 1), line);
      return out;
    }
    for (;;) {
      skipSpace();
      const c = text[i];
      if (c === '"' || c === "'") {
        const q = this.quoted(text.slice(i), line);
        out.push(q.value);
        i += q.end;
      } else if (c === '[' || c === '{') {
        this.error(line, 'nested collections inside [...] are not supported');
      } else {
        const m = /^[^,\]]*/.exec(text.slice(i));
        const item = (m === null ? '' : m[0]).trim();
        if (item === '' || item.includes('#')) this.error(line, 'expected a value in [...]');
        if (UNSUPPORTED_START[item[0]] !== undefined) this.error(line, UNSUPPORTED_START[item[0]]);
        out.push(this.plain(item, line));
        i += m === null ? 0 : m[0].length;
      }
      skipSpace();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') break;
      this.error(line, 'expected "," or "]" in [...] (lists must end on the same line)');
    }
    this.expectEnd(text.slice(i + 1), line);
    return out;
  }

  /** After a complete value only spaces and a comment may follow. */
  private expectEnd(rest: string, line: Line): void {
    if (rest.trim() !== '' && !/^\s+#/.test(rest)) this.error(line, `unexpected text after the value: "${rest.trim()}"`);
  }

  /** A quoted scalar at the start of `text`; `end` is the index after the closing quote. */
  private quoted(text: string, line: Line): { value: string; end: number } {
    const quote = text[0];
    let out = '';
    for (let i = 1; i < text.length; i++) {
      const c = text[i];
      if (quote === "'") {
        if (c !== "'") {
          out += c;
        } else if (text[i + 1] === "'") {
          out += "'";
          i++;
        } else {
          return { value: out, end: i + 1 };
        }
        continue;
      }
      if (c === '"') return { value: out, end: i + 1 };
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = text[++i];
      const simple = ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        continue;
      }
      const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      const digits = text.slice(i + 1, i + 1 + width);
      if (width === 0 || !/^[0-9a-fA-F]+$/.test(digits) || digits.length !== width) {
        this.error(line, `unknown escape "\\${e ?? ''}" in a double-quoted string`);
      }
      const code = parseInt(digits, 16);
      if (code > 0x10ffff) this.error(line, `escape "\\${e}${digits}" is not a Unicode code point`);
      out += String.fromCodePoint(code);
      i += width;
    }
    return this.error(line, `unterminated ${quote}quoted${quote} string (quoted strings must end on the same line)`);
  }
}

/** YAML 1.2 5.7 escape sequences (the single-character ones). */
const ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};
