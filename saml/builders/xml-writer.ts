// String-level XML writing for the builders. Builders emit text (not DOM) so that a test can ask
// for exactly the bytes it wants, including malformed ones; this file keeps the escaping in one place.
import { escapeXml } from '../xml.ts';

/** `undefined` means "use the default", `null` means "leave it out". */
export type Opt<T> = T | null | undefined;

export function resolve<T>(value: Opt<T>, fallback: T | undefined): T | undefined {
  if (value === null) return undefined;
  return value === undefined ? fallback : value;
}

/** Text content: markup escaped, and CR kept as a reference so the parser does not fold it into LF. */
export function escapeText(value: string): string {
  return escapeXml(value).replace(/\r/g, '&#13;');
}

/** Attribute values: also TAB/LF/CR as references, which attribute-value normalisation would turn into spaces. */
export function escapeAttr(value: string): string {
  return escapeXml(value).replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

export type AttrValue = string | number | boolean | undefined;

/** Attributes in the given order; undefined ones are dropped. Returns '' or ' a="v" b="w"'. */
export function attrs(pairs: Array<[string, AttrValue]>): string {
  let out = '';
  for (const [name, value] of pairs) {
    if (value === undefined) continue;
    out += ` ${name}="${escapeAttr(String(value))}"`;
  }
  return out;
}

/** An element whose content is already XML (children). Empty content gives a self-closing tag. */
export function element(name: string, attributes: Array<[string, AttrValue]>, content = ''): string {
  const a = attrs(attributes);
  return content === '' ? `<${name}${a}/>` : `<${name}${a}>${content}</${name}>`;
}

/** An element holding escaped text. An empty string still gives an open/close pair. */
export function textElement(name: string, attributes: Array<[string, AttrValue]>, value: string): string {
  return `<${name}${attrs(attributes)}>${escapeText(value)}</${name}>`;
}
