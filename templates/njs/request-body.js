// request-transformer's body edits, as Kong's access.lua transform_body makes them. nginx sends
// `proxy_set_body $kongc_rqt_body` with `proxy_set_header Content-Length $kongc_rqt_length`; the
// location keeps the client's body in a file (client_body_in_file_only), read here. The route sets
// $kongc_rqt_conf to the key of its instance's edits in DATA.

/** Kong's client_body_buffer_size (8k): a larger body is in a file, which Kong reads as no body. */
var RQB_KONG_BUFFER = 8192;
/** ngx.decode_args reads at most 100 arguments. */
var RQB_MAX_ARGS = 100;
/** The edit of this request (njs runs each request in its own copy of the module). */
var rqbEdited = null;

/** The body the client sent, as bytes; null without one. */
function rqbOriginal(r) {
  var file = r.variables.request_body_file;
  if (file) return require('fs').readFileSync(file);
  var buffer = r.requestBuffer;
  return buffer === undefined ? null : buffer;
}

/** Kong's get_content_type: the first of these found in the lowercased header, else none. */
function rqbKind(contentType) {
  if (contentType === undefined) return null;
  var t = contentType.toLowerCase();
  if (t.indexOf('application/json') >= 0) return 'json';
  if (t.indexOf('multipart/form-data') >= 0) return 'multipart';
  if (t.indexOf('application/x-www-form-urlencoded') >= 0) return 'form';
  return null;
}

function rqbEdit(r) {
  if (rqbEdited !== null) return rqbEdited;
  var raw = rqbOriginal(r);
  var sent = r.headersIn['Content-Length'] !== undefined || r.headersIn['Transfer-Encoding'] !== undefined;
  rqbEdited = { body: raw === null ? '' : String.bytesFrom(raw), length: sent ? String(raw === null ? 0 : raw.length) : '' };
  var conf = DATA[r.variables.kongc_rqt_conf];
  var kind = rqbKind(r.headersIn['Content-Type']);
  if (!conf || kind === null) return rqbEdited;
  var body = raw !== null && raw.length <= RQB_KONG_BUFFER ? raw : Buffer.from('');
  var edited = null;
  if (kind === 'json') edited = rqbJson(conf, body);
  else if (kind === 'form') edited = rqbForm(conf, body);
  else edited = rqbMultipart(conf, body, r.headersIn['Content-Type']);
  if (edited !== null) {
    var bytes = typeof edited === 'string' ? Buffer.from(edited) : edited;
    rqbEdited = { body: String.bytesFrom(bytes), length: String(bytes.length) };
  }
  return rqbEdited;
}

/** transform_json_body: the edited JSON text, or null when Kong leaves the body alone. */
function rqbJson(conf, body) {
  var params = {};
  if (body.length > 0) {
    try {
      params = JSON.parse(body.toString());
    } catch (e) {
      return null;
    }
    // Kong's edits index a decoded array by name, which cjson then leaves out of the array it
    // writes: an array comes back re-encoded. A scalar fails in Kong (an error); it is left alone.
    if (Array.isArray(params)) return conf.remove.length || conf.add.length || conf.append.length ? kjsonEncode(params) : null;
    if (!kjsonIsObject(params)) return null;
  }
  var changed = false;
  var i, e, v;
  if (body.length > 0) {
    for (i = 0; i < conf.remove.length; i++) {
      kjsonDelete(params, conf.remove[i]);
      changed = true;
    }
    for (i = 0; i < conf.rename.length; i++) {
      e = conf.rename[i];
      v = kjsonGet(params, e[0]);
      if (e[0] !== e[1] && kjsonTruthy(v)) {
        kjsonDelete(params, e[0]);
        kjsonSet(params, e[1], v);
        changed = true;
      }
    }
    for (i = 0; i < conf.replace.length; i++) {
      e = conf.replace[i];
      if (kjsonTruthy(kjsonGet(params, e[0]))) {
        kjsonSet(params, e[0], e[1]);
        changed = true;
      }
    }
  }
  for (i = 0; i < conf.add.length; i++) {
    e = conf.add[i];
    if (!kjsonTruthy(kjsonGet(params, e[0]))) {
      kjsonSet(params, e[0], e[1]);
      changed = true;
    }
  }
  for (i = 0; i < conf.append.length; i++) {
    e = conf.append[i];
    kjsonSet(params, e[0], kjsonAppend(kjsonGet(params, e[0]), e[1]));
    changed = true;
  }
  return changed ? kjsonEncode(params) : null;
}

/** ngx.unescape_uri on one character per byte: %XX decoded, '+' a space. */
function rqbUnescape(s) {
  return s.replace(/\+/g, ' ').replace(/%([0-9A-Fa-f]{2})/g, function (m, hex) {
    return String.fromCharCode(parseInt(hex, 16));
  });
}

/** ngx.escape_uri of one character per byte: all but letters, digits and -._~ as %XX. */
function rqbEscape(s) {
  return s.replace(/[^A-Za-z0-9\-._~]/g, function (c) {
    var hex = c.charCodeAt(0).toString(16).toUpperCase();
    return '%' + (hex.length < 2 ? '0' : '') + hex;
  });
}

/** ngx.decode_args: names in order of first appearance; a name without '=' is true, a repeated one a list. */
function rqbDecodeArgs(text) {
  var args = { names: [], values: Object.create(null) };
  var pairs = text === '' ? [] : text.split('&');
  var count = 0;
  for (var i = 0; i < pairs.length && count < RQB_MAX_ARGS; i++) {
    if (pairs[i] === '') continue;
    var eq = pairs[i].indexOf('=');
    var name = rqbUnescape(eq < 0 ? pairs[i] : pairs[i].slice(0, eq));
    var value = eq < 0 ? true : rqbUnescape(pairs[i].slice(eq + 1));
    count++;
    if (name === '') continue;
    var old = args.values[name];
    if (old === undefined) {
      args.names.push(name);
      args.values[name] = value;
    } else if (Array.isArray(old)) old.push(value);
    else args.values[name] = [old, value];
  }
  return args;
}

function rqbArgSet(args, name, value) {
  if (args.values[name] === undefined) args.names.push(name);
  args.values[name] = value;
}

function rqbArgDelete(args, name) {
  if (args.values[name] === undefined) return;
  delete args.values[name];
  args.names.splice(args.names.indexOf(name), 1);
}

/** ngx.encode_args: true is the name alone, a list one argument per element. */
function rqbEncodeArgs(args) {
  var out = [];
  for (var i = 0; i < args.names.length; i++) {
    var name = args.names[i];
    var values = args.values[name];
    if (!Array.isArray(values)) values = [values];
    for (var j = 0; j < values.length; j++) out.push(values[j] === true ? rqbEscape(name) : rqbEscape(name) + '=' + rqbEscape(values[j]));
  }
  return out.join('&');
}

/** transform_url_encoded_body, on one character per byte (form arguments are bytes once decoded). */
function rqbForm(conf, body) {
  var text = '';
  for (var b = 0; b < body.length; b++) text += String.fromCharCode(body[b]);
  var args = rqbDecodeArgs(text);
  var bytes = function (entry) {
    return [kjsonBytes(entry[0]), kjsonBytes(entry[1])];
  };
  var changed = false;
  var i, e, v;
  if (body.length > 0) {
    for (i = 0; i < conf.remove.length; i++) {
      rqbArgDelete(args, kjsonBytes(conf.remove[i]));
      changed = true;
    }
    for (i = 0; i < conf.rename.length; i++) {
      e = bytes(conf.rename[i]);
      v = args.values[e[0]];
      if (e[0] !== e[1] && v !== undefined) {
        rqbArgDelete(args, e[0]);
        rqbArgSet(args, e[1], v);
        changed = true;
      }
    }
    for (i = 0; i < conf.replace.length; i++) {
      e = bytes(conf.replace[i]);
      if (args.values[e[0]] !== undefined) {
        rqbArgSet(args, e[0], e[1]);
        changed = true;
      }
    }
  }
  for (i = 0; i < conf.add.length; i++) {
    e = bytes(conf.add[i]);
    if (args.values[e[0]] === undefined) {
      rqbArgSet(args, e[0], e[1]);
      changed = true;
    }
  }
  for (i = 0; i < conf.append.length; i++) {
    e = bytes(conf.append[i]);
    v = args.values[e[0]];
    rqbArgSet(args, e[0], typeof v === 'string' ? [v, e[1]] : Array.isArray(v) ? v.concat([e[1]]) : [e[1]]);
    changed = true;
  }
  return changed ? rqbEncodeArgs(args) : null;
}

/** js_set $kongc_rqt_body: the body sent upstream. */
function requestBody(r) {
  return rqbEdit(r).body;
}

/** js_set $kongc_rqt_length: its Content-Length (empty, so no header, when the client sent no body). */
function requestBodyLength(r) {
  return rqbEdit(r).length;
}
