// Hostile strings for the security tests: a matrix of payloads per field type, injection attempts
// that try to add `location /kongc-injected { return 200 "x"; }`, an add_header or a return, and
// fast-check arbitraries that mix them with random unicode and nginx's special characters.
import fc from 'fast-check';

/** What an injection would add; the served check asks for this path and looks for this header. */
export const INJECTED_PATH = '/kongc-injected';
export const INJECTED_HEADER = 'x-kongc-injected';

const LOCATION = 'location /kongc-injected { return 200 "x"; }';
const ADD_HEADER = 'add_header X-Kongc-Injected 1 always;';
const RETURN = 'return 200 "x";';

/** Ways to leave a token, a string, a comment or a block, each followed by an injected directive. */
export const INJECTIONS: string[] = [
  `x"; ${LOCATION} #`,
  `x'; ${LOCATION} #`,
  `x; ${LOCATION}`,
  `x\n${LOCATION}\n`,
  `x\r\n${LOCATION}\r\n`,
  `x\n}\n${LOCATION}\nserver { location /y {`,
  `x" { } ${LOCATION} #`,
  `/x"; } ${LOCATION} location /z { #`,
  `/x; } ${LOCATION} location /z {`,
  `x\\"; ${ADD_HEADER} #`,
  `x\\\\"; ${ADD_HEADER} #`,
  `x"; ${ADD_HEADER} #`,
  `x'; ${RETURN} #`,
  `x\n${RETURN}\n`,
  `x\\n${RETURN}`,
  `x";${RETURN}"`,
  `x\u2028${LOCATION}`,
  `x\u0000${LOCATION}`,
  `$host"; ${ADD_HEADER} #`,
  `\${x}; ${RETURN}`,
  `#"; ${LOCATION}`,
  `~ .*" { return 200 "x"; } #`,
  `=/kongc-injected`,
  `^~/kongc-injected`,
  `@kongc-injected`,
  `/kongc-injected`,
  `~/kongc-injected`,
  `*.kongc-injected.test`,
  `kongc-injected.test`,
  `127.0.0.1:80;server 127.0.0.1:81`,
  `127.0.0.1:80 backup`,
];

/** The injection payload matrix: every payload, for every field type. */
export const MATRIX: string[] = [
  // names
  'a;b', 'a b', 'a}', 'a{', 'x\ny', 'x\r\nlocation / {', '#x', 'x#y', '$host', '${x}', '"x', "'x", 'x\\', '..', 'ü',
  '\u202e', '\u2028', 'x'.repeat(10_000), '\0', '', 'localhost',
  // hosts
  '~^.*$', '*.*.x', '.example.com', 'example.com;', 'a.com b.com', 'a.com\n', '"a.com"', 'xn--', 'xn--zz--', 'EXAMPLE.com',
  'a'.repeat(200) + '.com', 'exämple.com', '_', '$http_host',
  // prefix paths
  '~ .*', '=/x', '^~/x', '@x', '/a";root /;#', '/a\n}', '/a{', '/a;', '/a#', '/$uri', '/%0d%0a', '/../', '//x', '/a\\\\',
  '/' + 'p'.repeat(5000), '/a\0',
  // regex paths
  '~/(?<host>.*)', '~/(.*)', '~/a{2,3}', '~/"', '~/\\"; }', '~/(?P<x>)', '~/(a+)+$', '~^/$', '~/a\\', '(?<host>.*)', '(.*)',
  '{2,3}', '\\"; }', '(?P<x>)', '(a+)+$', '^/$', 'a\\',
  // header names / values
  'X-A: b', 'X A', 'X\n', 'Host', 'Connection', 'a\r\nSet-Cookie: x', '\n', '%0d%0a', '$http_authorization', '"', '\\"', '\\',
  "';", '#', '{', 'v'.repeat(5000),
  // targets
  '10.0.0.1:80 backup', '1.2.3.4:80;server evil:80', 'unix:/var/run/docker.sock', '[::1]:0', 'host:99999', '$host:80',
  '169.254.169.254', 'kongc_up_x', 'unix:80',
  // URLs
  'http://a/b c', 'http://a/$request_uri', 'javascript:alert(1)', 'http://a/\n', 'http://a@b', 'http://a:80;', 'unix:', 'http://[::1]:80/x"y',
  // numbers
  '10; root /', '-1', '1e9', '0x10', '10 s',
];

export const ALL_PAYLOADS: string[] = [...MATRIX, ...INJECTIONS];

const SPECIAL = [';', '{', '}', '"', "'", '\\', '#', '$', '\r', '\n', '\0', ' ', '\t', '~', '=', '^', '@', '*', '/', ':', '%', '.', '\u2028', '\u202e', '\x7f', '\x1b'];

/** One hostile string: from the matrix, an injection, or random characters heavy in nginx specials. */
export function hostileString(): fc.Arbitrary<string> {
  const special = fc.constantFrom(...SPECIAL);
  const mixed = fc.array(fc.oneof({ weight: 3, arbitrary: special }, { weight: 3, arbitrary: fc.constantFrom('a', 'b', 'x', '1', '-', '_') }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 3 }) }, { weight: 1, arbitrary: fc.constantFrom(...INJECTIONS) }), { maxLength: 12 }).map((xs) => xs.join(''));
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...ALL_PAYLOADS) },
    { weight: 3, arbitrary: mixed },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('', '/', '~/', '*.', 'a.', 'http://a/', '127.0.0.1:'), mixed, fc.constantFrom('', '.test', '/', ':80')).map(([a, b, c]) => a + b + c) },
  );
}

/** The seed of a property run: KONGC_SEED to replay a failure, else a fresh one (printed on failure). */
export function seed(): number {
  const env = process.env.KONGC_SEED;
  return env !== undefined && env !== '' ? Number(env) : (Date.now() ^ (process.pid << 8)) >>> 0;
}
