import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { parseYamlSubset } from './yaml-subset.ts';
import { ConfigError } from './config-error.ts';

const cases: { name: string; yaml: string; value: unknown }[] = [
  { name: 'empty document', yaml: '', value: null },
  { name: 'only comments', yaml: '# a\n   # b\n\n', value: null },
  { name: 'flat mapping', yaml: 'a: 1\nb: two\n', value: { a: 1, b: 'two' } },
  {
    name: 'nested mappings',
    yaml: 'listen:\n  rtmp: 1935\n  http: 8080\nplay:\n  gop_cache: false\n',
    value: { listen: { rtmp: 1935, http: 8080 }, play: { gop_cache: false } },
  },
  { name: 'deeper nesting, dedent by two levels', yaml: 'a:\n  b:\n    c: 1\nd: 2', value: { a: { b: { c: 1 } }, d: 2 } },
  { name: 'integers and decimals', yaml: 'a: -12\nb: +3\nc: 0.5\nd: 1e3\ne: .25\nf: 007', value: { a: -12, b: 3, c: 0.5, d: 1000, e: 0.25, f: 7 } },
  { name: 'booleans and nulls', yaml: 'a: true\nb: False\nc: null\nd: ~\ne:', value: { a: true, b: false, c: null, d: null, e: null } },
  { name: 'YAML 1.2: yes/on/off stay strings', yaml: 'a: yes\nb: on\nc: off', value: { a: 'yes', b: 'on', c: 'off' } },
  { name: 'plain strings with spaces and colons', yaml: 'url: http://127.0.0.1:8085/api/v1/hooks\nt: a b  c', value: { url: 'http://127.0.0.1:8085/api/v1/hooks', t: 'a b  c' } },
  { name: 'comments after values', yaml: 'a: 1 # one\nb: x#y # hash inside a word stays', value: { a: 1, b: 'x#y' } },
  { name: 'double-quoted escapes', yaml: 'a: "x: \\"y\\" \\\\ \\n \\t \\u00e9 \\x41" # c', value: { a: 'x: "y" \\ \n \t é A' } },
  { name: 'single-quoted', yaml: "a: 'it''s # not a comment'", value: { a: "it's # not a comment" } },
  { name: 'quoted numbers stay strings', yaml: 'a: "1935"\nb: \'true\'', value: { a: '1935', b: 'true' } },
  { name: 'quoted keys', yaml: '"a b": 1\n\'c\': 2', value: { 'a b': 1, c: 2 } },
  { name: 'block sequence indented', yaml: 'on_publish:\n  - http://a/x\n  - "http://b/y"\n', value: { on_publish: ['http://a/x', 'http://b/y'] } },
  { name: 'block sequence at key indent', yaml: 'hooks:\n  on_play:\n  - http://a\n  - 2\n  timeout_ms: 5', value: { hooks: { on_play: ['http://a', 2], timeout_ms: 5 } } },
  { name: 'flow sequences', yaml: 'a: []\nb: [x, "y, z", 3, true]\nc: {}', value: { a: [], b: ['x', 'y, z', 3, true], c: {} } },
  { name: 'leading document marker, CRLF, BOM', yaml: '\uFEFF---\r\na: 1\r\n', value: { a: 1 } },
  { name: 'a __proto__ key stays a plain key', yaml: '__proto__: 1', value: JSON.parse('{"__proto__": 1}') },
  { name: 'top-level list', yaml: '- a\n- 1', value: ['a', 1] },
];

const errors: { name: string; yaml: string; message: string }[] = [
  { name: 'tab indentation', yaml: 'a:\n\tb: 1', message: 'config: node.yaml:2: tabs are not allowed' },
  { name: 'anchor', yaml: 'a: &x 1', message: 'node.yaml:1: anchors' },
  { name: 'alias', yaml: 'a: *x', message: 'node.yaml:1: aliases' },
  { name: 'tag', yaml: 'a: !!str 1', message: 'node.yaml:1: tags' },
  { name: 'block scalar', yaml: 'a: |\n  text', message: 'node.yaml:1: block scalars' },
  { name: 'flow mapping', yaml: 'a: {b: 1}', message: 'node.yaml:1: flow mappings' },
  { name: 'duplicate key', yaml: 'a: 1\nb: 2\na: 3', message: 'node.yaml:3: duplicate key "a"' },
  { name: 'over-indented line', yaml: 'a: 1\n  b: 2', message: 'node.yaml:2: unexpected indentation ("a" already has a value on line 1)' },
  { name: 'indentation inside a mapping', yaml: 'a:\n  b: 1\n    c: 2', message: 'node.yaml:3: unexpected indentation' },
  { name: 'no space after colon', yaml: 'a: 1\nb:2', message: 'node.yaml:2: expected "key: value" (a space is needed after ":")' },
  { name: 'line without colon', yaml: 'a: 1\nhello', message: 'node.yaml:2: expected "key: value"' },
  { name: 'colon inside a plain value', yaml: 'a: b: c', message: 'node.yaml:1: unexpected ":"' },
  { name: 'list of mappings', yaml: 'a:\n  - b: 1', message: 'node.yaml:2: lists of mappings' },
  { name: 'nested list', yaml: 'a:\n  - - 1', message: 'node.yaml:2: nested lists' },
  { name: 'block under a list item', yaml: 'a:\n  -\n    b: 1', message: 'node.yaml:3: only lists of single values' },
  { name: 'list item among keys', yaml: 'a: 1\n- b', message: 'node.yaml:2: a list item where "key: value" was expected' },
  { name: 'key among list items', yaml: 'a:\n  - 1\n  b: 2', message: 'node.yaml:3: expected a list item' },
  { name: 'unterminated quote', yaml: 'a: "abc', message: 'node.yaml:1: unterminated "quoted" string' },
  { name: 'text after a quoted value', yaml: "a: 'x' y", message: 'node.yaml:1: unexpected text after the value: "y"' },
  { name: 'unknown escape', yaml: 'a: "\\q"', message: 'node.yaml:1: unknown escape "\\q"' },
  { name: 'unterminated flow list', yaml: 'a: [1, 2', message: 'node.yaml:1: expected "," or "]"' },
  { name: 'nested flow list', yaml: 'a: [[1]]', message: 'node.yaml:1: nested collections' },
  { name: 'empty flow item', yaml: 'a: [1,,2]', message: 'node.yaml:1: expected a value in [...]' },
  { name: 'multi-line plain value', yaml: 'a:\n  one\n  two', message: 'node.yaml:3: multi-line values are not supported' },
  { name: 'second document', yaml: 'a: 1\n---\nb: 2', message: 'node.yaml:2: only one YAML document' },
  { name: 'directive', yaml: '%YAML 1.2\na: 1', message: 'node.yaml:1: YAML directives' },
  { name: 'huge integer', yaml: 'a: 123456789012345678901', message: 'node.yaml:1: integer 123456789012345678901 is out of range' },
  { name: 'nesting too deep', yaml: Array.from({ length: 40 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'), message: 'nesting deeper than 32' },
];

describe('parseYamlSubset', () => {
  it.each(cases)('parses $name', (c) => {
    expect(parseYamlSubset(c.yaml, 'node.yaml')).toStrictEqual(c.value);
  });

  it('keeps __proto__ as data, never as the prototype', () => {
    const v = parseYamlSubset('__proto__:\n  polluted: 1') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(errors)('rejects $name with the line number', (c) => {
    let err: unknown;
    try {
      parseYamlSubset(c.yaml, 'node.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('config_syntax');
    expect((err as ConfigError).message).toContain(c.message);
  });
});

// Round trip: config-shaped documents written as block YAML parse back to the same value.
const scalar = fc.oneof(
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 20 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
);
const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);
const leaf = fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }));
const doc = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('map')),
  map: fc.dictionary(key, tie('node'), { maxKeys: 5 }),
})).map;

function emitScalar(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function emit(value: Record<string, unknown>, indent: string): string {
  return Object.entries(value)
    .map(([k, v]) => {
      if (Array.isArray(v)) {
        return v.length === 0 ? `${indent}${k}: []\n` : `${indent}${k}:\n${v.map((x) => `${indent}  - ${emitScalar(x)}\n`).join('')}`;
      }
      if (v !== null && typeof v === 'object') {
        const inner = v as Record<string, unknown>;
        return Object.keys(inner).length === 0 ? `${indent}${k}: {}\n` : `${indent}${k}: # block\n${emit(inner, `${indent}  `)}`;
      }
      return `${indent}${k}: ${emitScalar(v)}\n`;
    })
    .join('');
}

describe('parseYamlSubset properties', () => {
  fcTest.prop([doc])('block YAML of a config-shaped document parses back to it', (d) => {
    const expected = JSON.parse(JSON.stringify(d)) as unknown;
    const text = emit(d, '');
    expect(parseYamlSubset(text)).toStrictEqual(Object.keys(d).length === 0 ? null : expected);
  });

  fcTest.prop([fc.string({ maxLength: 200 })])('arbitrary text either parses or throws a ConfigError', (text) => {
    try {
      parseYamlSubset(text);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
    }
  });

  fcTest.prop([fc.array(fc.constantFrom('a:', ' b: 1', '  - x', '- y', '"q": [1, 2]', '# c', '', '  ', 'k: "v', '\tz'), { maxLength: 12 })])(
    'line soup of YAML-ish fragments either parses or throws a ConfigError',
    (lines) => {
      try {
        parseYamlSubset(lines.join('\n'));
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
      }
    },
  );
});
