// response-transformer's JSON edits, as Kong's body_transformer.lua makes them: the route sets
// $kongc_rst_json to the key of its instance's edits in DATA; the header filter drops
// Content-Length of a JSON response (the body changes), the body filter holds the body until its
// end and edits it when it parses as JSON.

/** The chunks of this response while it is held; null when it passes unchanged (one request per module copy). */
var rsjChunks = null;

/** Kong's is_json_body: some comma-separated media type is application/json or application/*+json. */
function rsjIsJson(contentType) {
  if (contentType === undefined) return false;
  var token = "[^\\x00-\\x20\\x7f()<>@,;:\\\\\"/\\[\\]?={}]+";
  var param = '[ \\t]*;[ \\t]*' + token + '=(?:' + token + '|"(?:[^"\\\\\\x00-\\x1f\\x7f]|\\\\[\\x00-\\x7f])*")';
  var mediaType = new RegExp('^(' + token + ')/(' + token + ')(?:' + param + ')*$');
  var parts = contentType.split(',');
  for (var i = 0; i < parts.length; i++) {
    var m = mediaType.exec(parts[i].replace(/^\s+|\s+$/g, ''));
    if (!m || m[1].toLowerCase() !== 'application') continue;
    var subtype = m[2].toLowerCase();
    if (subtype === 'json' || /\+json$/.test(subtype)) return true;
  }
  return false;
}

/** LuaJIT's tonumber on a string: decimal or hexadecimal, spaces around allowed; undefined otherwise. */
function rsjToNumber(s) {
  var t = s.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');
  var n;
  if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(t)) n = (t.charAt(0) === '-' ? -1 : 1) * parseInt(t.replace(/^[+-]?0[xX]/, ''), 16);
  else if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(t)) n = Number(t);
  return n !== undefined && isFinite(n) ? n : undefined;
}

/** Kong's json_value: the value cjson-escaped without its quotes (\" and \/ undone), cast by json_types. */
function rsjValue(value, type) {
  var v = value === null ? 'null' : kjsonString(value).slice(1, -1).replace(/\\"/g, '"');
  v = v.replace(/\\\//g, '/');
  if (type === 'number') return rsjToNumber(v);
  if (type === 'boolean') return v === 'true';
  return v;
}

/** transform_json_body: the edited text, or null when the body is not a JSON object (Kong leaves it). */
function rsjEdit(conf, text) {
  var body;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return null;
  }
  if (Array.isArray(body)) return kjsonEncode(body);
  if (!kjsonIsObject(body)) return null;
  var i, e, v;
  for (i = 0; i < conf.remove.length; i++) kjsonDelete(body, conf.remove[i]);
  for (i = 0; i < conf.rename.length; i++) {
    e = conf.rename[i];
    v = kjsonGet(body, e[0]);
    if (v !== undefined && e[1] !== null) {
      kjsonSet(body, e[1], v);
      kjsonDelete(body, e[0]);
    }
  }
  for (i = 0; i < conf.replace.length; i++) {
    e = conf.replace[i];
    v = rsjValue(e[1], e[2]);
    if (kjsonTruthy(kjsonGet(body, e[0])) && v !== undefined) kjsonSet(body, e[0], v);
  }
  for (i = 0; i < conf.add.length; i++) {
    e = conf.add[i];
    v = rsjValue(e[1], e[2]);
    if (!kjsonTruthy(kjsonGet(body, e[0])) && v !== undefined) kjsonSet(body, e[0], v);
  }
  for (i = 0; i < conf.append.length; i++) {
    e = conf.append[i];
    v = rsjValue(e[1], e[2]);
    if (v !== undefined) kjsonSet(body, e[0], kjsonAppend(kjsonGet(body, e[0]), v));
  }
  return kjsonEncode(body);
}

/** js_header_filter: a JSON response on a route with JSON edits loses its Content-Length and is held. */
function responseJsonHeaders(r) {
  if (!DATA[r.variables.kongc_rst_json] || !rsjIsJson(r.headersOut['Content-Type'])) return;
  delete r.headersOut['Content-Length'];
  rsjChunks = [];
}

/** js_body_filter (buffer_type=buffer): a held body is edited at its last chunk; any other passes as it comes. */
function responseJsonBody(r, data, flags) {
  if (rsjChunks === null) {
    r.sendBuffer(data, flags);
    return;
  }
  rsjChunks.push(data);
  if (!flags.last) return;
  var body = Buffer.concat(rsjChunks);
  rsjChunks = null;
  var edited = rsjEdit(DATA[r.variables.kongc_rst_json], body.toString());
  r.sendBuffer(edited === null ? body : edited, { last: true });
}
