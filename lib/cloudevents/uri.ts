/**
 * RFC 3986 syntax checks for the CloudEvents `URI-reference` (source) and `URI` (dataschema) types
 * (CloudEvents spec, Type System). Only ASCII is allowed: an IRI has to be percent-encoded first.
 */

// RFC 3986 Appendix B: splits any string into scheme, authority, path, query, fragment.
const PARTS = /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/;

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
// pchar = unreserved / pct-encoded / sub-delims / ":" / "@" (3.3), plus "/" between segments.
const PCHAR = String.raw`[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2}`;
const PATH = new RegExp(`^(?:${PCHAR}|/)*$`);
// query and fragment also allow "?" (3.4, 3.5).
const QUERY = new RegExp(`^(?:${PCHAR}|[/?])*$`);
// authority = [ userinfo "@" ] host [ ":" port ] (3.2); reg-name and userinfo share pchar minus "@".
const USERINFO = String.raw`(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|%[0-9A-Fa-f]{2})*`;
const REG_NAME = String.raw`(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*`;
// IP-literal (3.2.2), checked for its character set only, not for a well-formed IPv6 address.
const IP_LITERAL = String.raw`\[(?:[0-9A-Fa-f:.]+|v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+)\]`;
const AUTHORITY = new RegExp(`^(?:${USERINFO}@)?(?:${IP_LITERAL}|${REG_NAME})(?::[0-9]*)?$`);

type UriParts = { scheme?: string; authority?: string; path: string; query?: string; fragment?: string };

function parseUri(value: string): UriParts | undefined {
  const match = PARTS.exec(value);
  if (!match) return undefined;
  const [, scheme, authority, path = "", query, fragment] = match;
  // A relative-ref's first segment may not contain ":" (path-noscheme, 4.2), so "1a:b" is not a
  // relative reference with a funny path: it is an invalid scheme.
  if (scheme !== undefined && !SCHEME.test(scheme)) return undefined;
  if (authority !== undefined && !AUTHORITY.test(authority)) return undefined;
  if (!PATH.test(path)) return undefined;
  if (query !== undefined && !QUERY.test(query)) return undefined;
  if (fragment !== undefined && !QUERY.test(fragment)) return undefined;
  return { scheme, authority, path, query, fragment };
}

/** RFC 3986 4.1 `URI-reference`: an absolute URI or a relative reference such as `/a/b` or `#x`. */
export function isUriReference(value: string): boolean {
  return parseUri(value) !== undefined;
}

/** RFC 3986 4.3 `absolute-URI`: a scheme is required and a fragment is not allowed. */
export function isAbsoluteUri(value: string): boolean {
  const parts = parseUri(value);
  return parts?.scheme !== undefined && parts.fragment === undefined;
}
