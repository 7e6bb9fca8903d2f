import { describe, expect, it } from 'vitest';
import { looksLikeApikey, parseProcessingPath, parseTaskSegment } from '../../src-shared/filestack/url-parser.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const H = '5aYkEQJSQCmYShsoCnZN';

function fails(path: string): string {
  const r = parseProcessingPath(path);
  if (r.ok) throw new Error(`${path} parsed`);
  return r.message;
}

describe('processing paths that must be refused, each with its reason', () => {
  const cases: [string, RegExp][] = [
    [`/resize=width:"100/${H}`, /Unbalanced quotes/],
    [`/resize=width:"1""0"/${H}`, /Badly quoted value/],
    [`/resize=width:[1,2/${H}`, /Unbalanced quotes or brackets/],
    [`/resize=width:[1,2]x/${H}`, /Badly bracketed value/],
    [`/resize=[1,2]/${H}`, /has a list where parameters were expected/],
    [`/resize=,width:1/${H}`, /parameter without a key/],
    [`/9bad=1/${H}`, /Invalid task name/],
    [`/resize=width:1//${H}`, /empty segment/],
    [`/resize=width:1/[${H},]`, /Badly formed multi-file source/],
    [`/resize=width:1/[]`, /Badly formed multi-file source/],
    [`/resize=width:1/b64://${b64(`b64://${H}`)}`, /Nested b64/],
    [`/resize=width:1/b64://%FF%FE`, /not valid base64/],
    [`/resize=width:1/not a handle!`, /Unrecognised source/],
    [`/b64/${b64('{not json')}/${H}`, /not valid JSON/],
    [`/b64/${b64('{"name":"resize"}')}/${H}`, /must be a JSON array/],
    [`/b64/${b64('[1]')}/${H}`, /must be an object/],
    [`/b64/${b64('[{"name":"9x"}]')}/${H}`, /no valid name/],
    [`/b64/${b64('[{"name":"resize","params":[1]}]')}/${H}`, /invalid params/],
    [`/b64/${b64('[{"name":"resize","params":{"w":{"a":1}}}]')}/${H}`, /unsupported type/],
    [`/security=p:a,s:b/security=p:a,s:c/${H}`, /two different security tasks/],
    [`/security=p:a/${H}`, /needs a policy \(p\) and a signature \(s\)/],
  ];
  for (const [path, reason] of cases) {
    it(`${path} → ${reason.source}`, () => {
      expect(fails(path)).toMatch(reason);
    });
  }
});

describe('processing path edge cases that parse', () => {
  it('workflow, alias, b64 sources and Go-style b64 chains', () => {
    const wf = parseProcessingPath('/resize=width:1/wf://store/x');
    expect(wf.ok && wf.sources).toEqual([{ kind: 'workflow', path: 'store/x' }]);
    const alias = parseProcessingPath('/resize=width:1/src://s3/folder/a.png');
    expect(alias.ok && alias.sources).toEqual([{ kind: 'alias', alias: 's3', path: 'folder/a.png' }]);
    const viaB64 = parseProcessingPath(`/resize=width:1/b64://${b64(H)}`);
    expect(viaB64.ok && { sources: viaB64.sources, encoding: viaB64.encoding }).toEqual({ sources: [{ kind: 'handle', handle: H }], encoding: 'b64' });
    const go = parseProcessingPath(`/b64/${b64('[{"Name":"resize","Params":{"width":10}},{"name":"flip"}]')}/${H}`);
    expect(go.ok && { steps: go.steps, encoding: go.encoding }).toEqual({ steps: [{ name: 'resize', params: { width: 10 } }, { name: 'flip' }], encoding: 'b64' });
    // The same security task twice is one.
    const twice = parseProcessingPath(`/security=p:a,s:1/security=p:a,s:1/${H}`);
    expect(twice.ok && twice.security).toEqual({ policy: 'a', signature: '1' });
  });

  it('values: empty lists, quoted text, numbers without leading zeros, booleans', () => {
    expect(parseTaskSegment('t=a:[],b:"x,y",c:007,d:-1.25,e:true,f:0')).toEqual({ name: 't', params: { a: [], b: 'x,y', c: '007', d: -1.25, e: true, f: 0 } });
    expect(parseTaskSegment('t=a:1.')).toEqual({ name: 't', params: { a: '1.' } });
    expect(parseTaskSegment('t="v"')).toEqual({ name: 't', value: 'v' });
    expect(parseTaskSegment('t=x:1,y')).toEqual({ name: 't', params: { x: '1,y' } });
    expect(parseTaskSegment('t=url:https://a/b:c')).toEqual({ name: 't', params: { url: 'https://a/b:c' } });
    expect(() => parseTaskSegment('=x')).toThrow('Invalid task name "".');
  });

  it('the apikey heuristic: 16–64 letters and digits with a capital or digit, and not a task name', () => {
    expect(looksLikeApikey('AhTgLagciQByzXpFGRI0Az')).toBe(true);
    expect(looksLikeApikey('abcdefghijklmnop')).toBe(false); // no capital or digit
    expect(looksLikeApikey('ABCDEFGHIJKLMNO')).toBe(false); // 15 characters
    expect(looksLikeApikey('A'.repeat(65))).toBe(false);
    expect(looksLikeApikey('xAhTgLagciQByzXpFGRI0Az!')).toBe(false);
    expect(looksLikeApikey('-AhTgLagciQByzXpFGRI0Az')).toBe(false);
  });
});
