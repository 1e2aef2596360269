/** Strict XML well-formedness for the JUnit files the CLI writes (no parser dependency). */
import assert from 'node:assert/strict';

/** A strict well-formedness check for the XML renderJUnit produces (no parser dependency). */
export function assertWellFormedXml(xml: string): void {
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/);
  const body = xml.replace(/^<\?xml[^>]*\?>\n/, '');
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z][\w-]*)((?:\s+[\w-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|apos);[^"<&]*)*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < body.length && (m = token.exec(body))) {
    at = token.lastIndex;
    if (m[5] !== undefined) {
      // Text: no raw `<`, and `&` only as one of the five entities.
      assert.doesNotMatch(m[5].replace(/&(amp|lt|gt|quot|apos);/g, ''), /[&<]/, 'bad character data');
      continue;
    }
    const [, close, name, , selfClose] = m;
    if (close) assert.equal(stack.pop(), name, `mismatched </${name}>`);
    else if (!selfClose) stack.push(name!);
  }
  assert.equal(at, body.length, `not well-formed at ${at}: ${body.slice(at, at + 60)}`);
  assert.deepEqual(stack, [], 'unclosed elements');
}
