// jwt: Kong's jwt plugin (kong/plugins/jwt handler.lua and jwt_parser.lua) at request time.
//
// DATA["jwt-instance-<instance>"]: one instance's config; the location names the instance in
// $kongc_jwt_use. DATA["jwt-credentials"]["k:<key>"]: a jwt_secret by its key (consumer id,
// algorithm, secret or public key as SPKI DER in base64); the "k:" prefix keeps keys away from
// names objects inherit.
//
// jwtBegin (a js_set the location reads first) decides; the other handlers read its verdict.
// Signatures are checked with WebCrypto (njs's createHmac has no SHA-384 or SHA-512), which answers
// through promises: njs settles them (the key and signature are at hand) before jwtBegin's call
// returns, so the verdict is final when the next variable is read.
// Module variables live as long as the request (each request runs in its own copy of the VM).

var JWT_VERDICT = null;

/** Algorithms Kong's parser knows (alg_verify): another "alg" is a bad token. */
var JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA'];

/** Bytes an ES or PS signature must have (jwt_parser.lua asserts it: a Lua error, so 500). */
var JWT_SIGNATURE_BYTES = { ES256: 64, ES384: 96, ES512: 132, PS256: 256, PS384: 256, PS512: 256 };

/** What Lua finds when it indexes a string: the string library's functions. */
var JWT_STRING_METHODS = ['byte', 'char', 'dump', 'find', 'format', 'gmatch', 'gsub', 'len', 'lower', 'match', 'rep', 'reverse', 'sub', 'upper'];

function jwtOwn(object, key) {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** JSON text as Lua's cjson writes a string (it escapes '/'). */
function jwtJsonString(s) {
  return '"' + s.replace(/["\\\/\x00-\x1f\x7f]/g, function (c) {
    var named = { '"': '\\"', '\\': '\\\\', '/': '\\/', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] || '\\u' + ('000' + c.charCodeAt(0).toString(16)).slice(-4);
  }) + '"';
}

/**
 * base64url as Kong decodes it (ngx.base64 decode_base64url): the text up to the first '=' must be
 * of the URL alphabet, and not one character past a multiple of four; null otherwise.
 */
function jwtBase64(s) {
  var end = s.indexOf('=');
  var body = end < 0 ? s : s.slice(0, end);
  if (!/^[A-Za-z0-9_-]*$/.test(body) || body.length % 4 === 1) return null;
  return Buffer.from(body, 'base64url');
}

/**
 * Lua's view of decoded JSON: `index(value, key)` is what `value[key]` gives, or throws where Lua
 * raises an error (indexing a number, a boolean or JSON null): Kong then answers 500.
 */
function jwtIndex(value, key) {
  if (typeof value === 'string') {
    if (JWT_STRING_METHODS.indexOf(key) >= 0) throw new Error('a string method');
    return undefined;
  }
  if (value === null || typeof value !== 'object') throw new Error('not a table');
  if (Array.isArray(value)) return undefined;
  return jwtOwn(value, key) ? value[key] : undefined;
}

/** ngx.req.get_uri_args (Kong's kong.request.get_query, 100 arguments): the values of one name; a name without '=' is true. */
function jwtQueryValues(args, name) {
  var out = [];
  var count = 0;
  var parts = args.split('&');
  for (var i = 0; i < parts.length && count < 100; i++) {
    var part = parts[i];
    var eq = part.indexOf('=');
    var key = jwtUnescape(eq < 0 ? part : part.slice(0, eq));
    if (key === '') continue;
    count++;
    if (key === name) out.push(eq < 0 ? true : jwtUnescape(part.slice(eq + 1)));
  }
  return out;
}

/** ngx.unescape_uri: '+' is a space, %XX a byte; anything else as it is. */
function jwtUnescape(s) {
  if (!/[%+]/.test(s)) return s;
  var bytes = [];
  for (var i = 0; i < s.length; i++) {
    var c = s.charAt(i);
    if (c === '+') bytes.push(32);
    else if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(s.substr(i + 1, 2))) {
      bytes.push(parseInt(s.substr(i + 1, 2), 16));
      i += 2;
    } else {
      var b = Buffer.from(c);
      for (var j = 0; j < b.length; j++) bytes.push(b[j]);
    }
  }
  return Buffer.from(bytes).toString();
}

/** retrieve_tokens: every distinct token from the query, the cookies, then the headers. */
function jwtTokens(r, conf) {
  var seen = {};
  var tokens = [];
  var add = function (t) {
    var k = (t === true ? 'b:' : 's:') + t;
    if (!jwtOwn(seen, k)) {
      seen[k] = true;
      tokens.push(t);
    }
  };
  var args = r.variables.args || '';
  conf.uri_param_names.forEach(function (name) {
    jwtQueryValues(args, name).forEach(function (t) {
      if (t !== '') add(t);
    });
  });
  conf.cookie_names.forEach(function (name) {
    var cookie = r.variables['cookie_' + name];
    if (cookie) add(cookie);
  });
  var raw = r.rawHeadersIn;
  conf.header_names.forEach(function (name) {
    // Kong's header table (ngx.req.get_headers: the first 100 lines) finds a name in any case,
    // '_' as '-'; a repeated header: its first line.
    var wanted = name.toLowerCase().replace(/_/g, '-');
    for (var i = 0; i < raw.length && i < 100; i++) {
      if (raw[i][0].toLowerCase() !== wanted) continue;
      var m = /[ \t\n\x0b\f\r]*[Bb]earer[ \t\n\x0b\f\r]+([^\n]+)/.exec(raw[i][1]);
      if (m) add(m[1]);
      break;
    }
  });
  return tokens;
}

/** jwt_parser.lua decode_token: the parts, or a reason ("Bad token; <reason>"). */
function jwtDecode(token) {
  var a = token.indexOf('.');
  var b = a < 0 ? -1 : token.indexOf('.', a + 1);
  if (b < 0) return { bad: 'invalid JSON' };
  var header64 = token.slice(0, a);
  var claims64 = token.slice(a + 1, b);
  var signature64 = token.slice(b + 1);
  var header;
  var claims;
  try {
    var h = jwtBase64(header64);
    var c = jwtBase64(claims64);
    if (h === null || c === null) return { bad: 'invalid JSON' };
    header = JSON.parse(h.toString());
    claims = JSON.parse(c.toString());
  } catch (e) {
    return { bad: 'invalid JSON' };
  }
  var alg = jwtIndex(header, 'alg');
  if (typeof alg !== 'string' || JWT_ALGORITHMS.indexOf(alg) < 0) return { bad: 'invalid alg' };
  if (claims === false) return { bad: 'invalid claims' };
  var signature = jwtBase64(signature64);
  if (signature === null) return { bad: 'invalid signature' };
  return { header: header, claims: claims, alg: alg, signed: header64 + '.' + claims64, signature: signature };
}

function jwtFail(conf, message, errors) {
  var body = errors
    ? '{' + errors.map(function (e) { return jwtJsonString(e[0]) + ':' + jwtJsonString(e[1]); }).join(',') + '}'
    : '{"message":' + jwtJsonString(message) + '}';
  var base = conf.realm === null ? 'Bearer' : 'Bearer realm="' + conf.realm + '"';
  var challenge = message === 'Unauthorized' ? base : conf.realm === null ? 'Bearer error="invalid_token"' : base + ', error="invalid_token"';
  return { status: 'fail', body: body, challenge: challenge };
}

/** The registered claims (exp, nbf), then maximum_expiration; null when they hold. */
function jwtClaimErrors(conf, claims) {
  var now = Math.floor(Date.now() / 1000);
  var errors = [];
  conf.claims_to_verify.forEach(function (name) {
    var value = jwtIndex(claims, name);
    if (typeof value !== 'number') errors.push([name, 'must be a number']);
    else if (name === 'exp' && value <= now) errors.push([name, 'token expired']);
    else if (name === 'nbf' && value > now) errors.push([name, 'token not valid yet']);
  });
  if (errors.length) return errors;
  if (conf.maximum_expiration > 0) {
    var exp = jwtIndex(claims, 'exp');
    if (exp === undefined || exp - now > conf.maximum_expiration) return [['exp', 'exceeds maximum allowed expiration']];
  }
  return null;
}

/** WebCrypto's names for an algorithm with a public key (SPKI). */
function jwtWebCrypto(alg, curve) {
  var hash = 'SHA-' + alg.slice(2);
  if (alg.charAt(0) === 'R') return { format: 'spki', key: { name: 'RSASSA-PKCS1-v1_5', hash: hash }, verify: { name: 'RSASSA-PKCS1-v1_5' } };
  if (alg.charAt(0) === 'P') return { format: 'spki', key: { name: 'RSA-PSS', hash: hash }, verify: { name: 'RSA-PSS', saltLength: Number(alg.slice(2)) / 8 } };
  return { format: 'spki', key: { name: 'ECDSA', namedCurve: curve }, verify: { name: 'ECDSA', hash: hash } };
}

/** do_authentication; `settle` gets the verdict (once the signature is checked, from a promise). */
function jwtAuthenticate(r, conf, settle) {
  var tokens = jwtTokens(r, conf);
  if (tokens.length === 0) return settle(jwtFail(conf, 'Unauthorized'));
  if (tokens.length > 1) return settle(jwtFail(conf, 'Multiple tokens provided'));
  if (typeof tokens[0] !== 'string') return settle(jwtFail(conf, 'Unrecognizable token'));
  var jwt = jwtDecode(tokens[0]);
  if (jwt.bad) return settle(jwtFail(conf, 'Bad token; ' + jwt.bad));
  var claimName = conf.key_claim_name;
  var key = jwtIndex(jwt.claims, claimName);
  if (key === undefined || key === false) key = jwtIndex(jwt.header, claimName);
  if (key === undefined || key === false) return settle(jwtFail(conf, "No mandatory '" + claimName + "' in claims"));
  if (key === '') return settle(jwtFail(conf, "Invalid '" + claimName + "' in claims"));
  // Kong looks a key that is not a string up in its database, which refuses it: a Lua error.
  if (typeof key !== 'string') throw new Error('key of a wrong type');
  var credentials = DATA['jwt-credentials'];
  if (!jwtOwn(credentials, 'k:' + key)) return settle(jwtFail(conf, "No credentials found for given '" + claimName + "'"));
  var cred = credentials['k:' + key];
  if (jwt.alg !== cred.algorithm) return settle(jwtFail(conf, 'Invalid algorithm'));
  var done = function (valid) {
    if (!valid) return settle(jwtFail(conf, 'Invalid signature'));
    var errors = jwtClaimErrors(conf, jwt.claims);
    if (errors) return settle(jwtFail(conf, null, errors));
    settle({ status: 'ok', consumer: cred.consumer, credential: key });
  };
  var names;
  var keyData;
  if (cred.algorithm.slice(0, 2) === 'HS') {
    keyData = conf.secret_is_base64 ? jwtBase64(cred.secret) : Buffer.from(cred.secret);
    if (keyData === null) return settle(jwtFail(conf, 'Invalid key/secret'));
    names = { format: 'raw', key: { name: 'HMAC', hash: 'SHA-' + cred.algorithm.slice(2) }, verify: 'HMAC' };
  } else {
    if (cred.spki === null) return settle(jwtFail(conf, 'Invalid key/secret'));
    var bytes = JWT_SIGNATURE_BYTES[cred.algorithm];
    if (bytes !== undefined && jwt.signature.length !== bytes) throw new Error('signature of ' + jwt.signature.length + ' bytes for ' + cred.algorithm);
    keyData = Buffer.from(cred.spki, 'base64');
    names = jwtWebCrypto(cred.algorithm, cred.curve);
  }
  crypto.subtle
    .importKey(names.format, keyData, names.key, false, ['verify'])
    .then(function (k) {
      return crypto.subtle.verify(names.verify, k, jwt.signature, Buffer.from(jwt.signed));
    })
    .then(done)
    .catch(function (e) {
      r.error('jwt: ' + e.message);
      settle({ status: 'error' });
    });
}

/** Decides for the instance the location names in $kongc_jwt_use; returns "". */
function jwtBegin(r) {
  JWT_VERDICT = { status: 'error' };
  try {
    var conf = DATA['jwt-instance-' + r.variables.kongc_jwt_use];
    if (!conf.run_on_preflight && r.method === 'OPTIONS') JWT_VERDICT = { status: 'skip' };
    // With anonymous, Kong's plugin does nothing when an earlier one authenticated (logical OR).
    else if (conf.anonymous && r.variables[DATA['jwt-credential-variable']]) JWT_VERDICT = { status: 'skip' };
    else
      jwtAuthenticate(r, conf, function (verdict) {
        JWT_VERDICT = verdict;
      });
  } catch (e) {
    // Where Kong's Lua raises an error (and logs it), answering 500.
    r.error('jwt: ' + e.message);
    JWT_VERDICT = { status: 'error' };
  }
  return '';
}

/** ok, skip, fail (401, or the anonymous consumer) or error (500). */
function jwtStatus(r) {
  return JWT_VERDICT ? JWT_VERDICT.status : 'error';
}

function jwtConsumer(r) {
  return (JWT_VERDICT && JWT_VERDICT.consumer) || '';
}

function jwtCredential(r) {
  return (JWT_VERDICT && JWT_VERDICT.credential) || '';
}

function jwtBody(r) {
  return (JWT_VERDICT && JWT_VERDICT.body) || '';
}

function jwtChallenge(r) {
  return (JWT_VERDICT && JWT_VERDICT.challenge) || '';
}
