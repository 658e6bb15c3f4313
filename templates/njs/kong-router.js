// Kong's router at request time where stock nginx cannot follow it (README "Path normalization").
//
// The upstream path: Kong normalizes the request path (kong/tools/uri.lua normalize: escapes of
// reserved characters kept with upper-case hex, every other escape decoded, dot segments removed,
// slashes merged), builds the upstream path from it (kong/router/utils.lua get_upstream_uri_v0)
// and escapes that (uri.lua escape). nginx's $uri is fully decoded, so a route location hands
// requests with a reserved escape to kongUpstreamUri, with the route's rule in
// $kongc_upstream_rule: "1" or "0" (strip_path), the service path, and after a newline the prefix
// Kong matched (absent for a route without paths, which strips nothing).
//
// The path is handled as text of ASCII characters: a byte of 0x80 or more stays, or becomes, an
// upper-case %XX, which is what Kong's escape makes of it on the way out; a route prefix reaches
// this code spelled the same way, so lengths agree.

var KONG_RESERVED = "!*'();:@&=+$,/?%#[]";

function kongHex(code) {
  return '%' + (code < 16 ? '0' : '') + code.toString(16).toUpperCase();
}

/** The request target's path as ASCII text (bytes 0x80 and above as %XX), without an absolute-form scheme and authority. */
function kongRawPath(raw) {
  var s = '';
  for (var i = 0; i < raw.length; i++) {
    var b = raw[i];
    if (b === 63 /* ? */) break;
    s += b < 0x80 ? String.fromCharCode(b) : kongHex(b);
  }
  var absolute = /^[A-Za-z][A-Za-z0-9+.\-]*:\/\/[^\/?]*/.exec(s);
  return absolute ? s.slice(absolute[0].length) || '/' : s;
}

/** kong/tools/uri.lua normalize(uri, true). */
function kongNormalize(uri) {
  if (uri === '' || uri === '/') return uri;
  if (uri.indexOf('%') >= 0) {
    uri = uri.replace(/%([0-9A-Fa-f]{2})/g, function (m, hex) {
      var code = parseInt(hex, 16);
      if (code >= 0x80) return m.toUpperCase();
      var c = String.fromCharCode(code);
      return KONG_RESERVED.indexOf(c) >= 0 ? m.toUpperCase() : c;
    });
  }
  if (uri.indexOf('.') < 0 && uri.indexOf('//') < 0) return uri;
  var out = [];
  while (uri.length > 0) {
    if (uri === '/.') uri = '/';
    else if (uri === '/..') {
      uri = '/';
      out.pop();
    } else if (uri === '.' || uri === '..') uri = '';
    else if (uri.slice(0, 3) === '../') uri = uri.slice(3);
    else if (uri.slice(0, 2) === './') uri = uri.slice(2);
    else if (uri.slice(0, 3) === '/./') uri = uri.slice(2);
    else if (uri.slice(0, 4) === '/../') {
      uri = uri.slice(3);
      out.pop();
    } else if (uri.slice(0, 2) === '//') uri = uri.slice(1);
    else {
      var i = uri.indexOf('/', 1);
      if (i >= 0) {
        out.push(uri.slice(0, i));
        uri = uri.slice(i);
      } else {
        out.push(uri);
        uri = '';
      }
    }
  }
  return out.join('');
}

/** kong/router/utils.lua sanitize_uri_postfix. */
function kongSanitizePostfix(postfix) {
  if (postfix === '') return postfix;
  if (postfix === '.' || postfix === '..') return '';
  if (postfix.slice(0, 2) === './') return postfix.slice(2);
  if (postfix.slice(0, 3) === '../') return postfix.slice(3);
  return postfix;
}

/** kong/router/utils.lua get_upstream_uri_v0. */
function kongUpstreamPathV0(strip, postfix, reqUri, base) {
  var last = reqUri.charAt(reqUri.length - 1);
  if (base.charAt(base.length - 1) === '/') {
    if (strip) {
      if (postfix === '') {
        if (base === '/') return '/';
        if (last === '/') return base;
        return base.slice(0, -1);
      }
      if (postfix.charAt(0) === '/') return base.slice(0, -1) + postfix;
      return base + postfix;
    }
    return base + reqUri.slice(1);
  }
  if (strip) {
    if (postfix === '') return reqUri.length > 1 && last === '/' ? base + '/' : base;
    if (postfix.charAt(0) === '/') return base + postfix;
    return base + '/' + postfix;
  }
  if (reqUri === '/') return base;
  return base + reqUri;
}

/** kong/tools/uri.lua escape: what is left outside its safe set, percent-encoded. */
function kongEscape(uri) {
  return uri.replace(/[^!#$&'()*+,\/:;=?@\[\]A-Za-z0-9\-_.~%]/g, function (c) {
    return kongHex(c.charCodeAt(0));
  });
}

/** Kong's upstream path for a normalized request path and a route rule ("1/svc\n/prefix"). */
function kongUpstreamPath(normalized, rule) {
  var nl = rule.indexOf('\n');
  var strip = rule.charAt(0) === '1';
  var base = nl < 0 ? rule.slice(1) : rule.slice(1, nl);
  var prefix = strip && nl >= 0 ? rule.slice(nl + 1) : '/';
  var postfix = kongSanitizePostfix(normalized.slice(prefix.length));
  return kongEscape(kongUpstreamPathV0(strip, postfix, normalized, base || '/'));
}

/** js_set: Kong's normalized request path. */
function kongNormalizedPath(r) {
  return kongNormalize(kongRawPath(r.rawVariables.request_uri));
}

/** js_set: the path Kong sends upstream, and '?' when the request has a query (nginx appends $args). */
function kongUpstreamUri(r) {
  var path = kongUpstreamPath(kongNormalizedPath(r), r.variables.kongc_upstream_rule || '0/');
  return r.variables.request_uri.indexOf('?') >= 0 ? path + '?' : path;
}

// Repeated request header lines: Kong tests every line of a header (ngx.req.get_headers gives
// them all); nginx's $http_<name> holds the first. kongHeaderLines.<name> (js_set) gives every
// line of the header the route names, joined by "\r", which no header line can contain; the
// route's regex then matches within one line (lower.ts). DATA.headerLines lists the names, in
// nginx's variable spelling ('-' as '_', lower case).

function kongLinesOf(name) {
  return function (r) {
    var lines = [];
    var raw = r.rawHeadersIn;
    for (var i = 0; i < raw.length; i++) {
      if (raw[i][0].toLowerCase().replace(/-/g, '_') === name) lines.push(raw[i][1]);
    }
    return lines.join('\r');
  };
}

var kongHeaderLines = {};
(DATA.headerLines || []).forEach(function (name) {
  kongHeaderLines[name] = kongLinesOf(name);
});
