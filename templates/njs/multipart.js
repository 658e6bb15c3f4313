// Kong's lua-multipart (0.5.x) as request-transformer uses it: decode, get, set_simple, delete and
// tostring, each with its quirks (a replaced part loses its filename and type; delete of a repeated
// name removes by stale positions). Strings are one character per byte.

/** `;%s*boundary=(%S+)` in the Content-Type, its quotes taken off; null without one. */
function mpBoundary(contentType) {
  var m = /;[ \t\n\v\f\r]*boundary=([^ \t\n\v\f\r]+)/.exec(contentType);
  if (!m) return null;
  var b = m[1];
  var first = b.charAt(0);
  if ((first === '"' || first === "'") && b.length > 1 && b.charAt(b.length - 1) === first) b = b.slice(1, -1);
  return b === '' ? null : b;
}

/** `%S:%s*%S` somewhere in the line. */
function mpIsHeader(line) {
  return /[^ \t\n\v\f\r]:[ \t\n\v\f\r]*[^ \t\n\v\f\r]/.test(line);
}

/** table.concat of a Lua list whose last entries may have been set to nil. */
function mpConcat(values) {
  var out = '';
  for (var i = 0; i < values.length && values[i] !== null; i++) out += values[i];
  return out;
}

/** lua-multipart's decode: parts (1-based, as Lua) and, per name, the positions of its parts. */
function mpDecode(body, boundary) {
  var result = { data: [null], indexes: Object.create(null) };
  if (boundary === null) return result;
  var name = null;
  var index = 1;
  var headers = [];
  var values = [];
  var processing = false;
  var position = 0;
  var done = false;
  var finish = function () {
    result.data[index] = { name: name, headers: headers, value: mpConcat(values) };
  };
  do {
    var s = body.slice(position).search(/[\r\n]/);
    var line;
    if (s >= 0) {
      s += position;
      line = body.slice(position, s);
      position = s + 1;
    } else {
      line = body.slice(position);
      done = true;
    }
    if (line === '') {
      if (s >= 0 && processing) values.push(body.charAt(s));
    } else if (line.slice(0, 2) === '--' && line.slice(2, boundary.length + 2) === boundary) {
      processing = false;
      if (name !== null) {
        if (values[values.length - 1] === '\n') values[values.length - 1] = null;
        if (values[values.length - 2] === '\r') values[values.length - 2] = null;
        finish();
        if (result.indexes[name] === undefined) result.indexes[name] = [];
        result.indexes[name].push(index);
        headers = [];
        values = [];
        name = null;
        index++;
      }
    } else if (!processing && (line.slice(0, 19).toLowerCase() === 'content-disposition' || mpIsHeader(line))) {
      if (line.slice(0, 19).toLowerCase() === 'content-disposition') {
        var segments = line.split(';');
        for (var i = 0; i < segments.length; i++) {
          if (segments[i] === '' || mpIsHeader(segments[i])) continue;
          var m = /^[ \t\n\v\f\r]*[Nn][Aa][Mm][Ee]=[ \t\n\v\f\r]*([^=]*)/.exec(segments[i]);
          if (m) {
            var value = m[1].replace(/[ \t\n\v\f\r]*$/, '');
            name = value.slice(1, value.length - 1);
          }
        }
      }
      headers.push(line);
      if (s >= 0 && body.slice(s, s + 4) === '\r\n\r\n') {
        processing = true;
        position = s + 4;
      }
    } else {
      processing = true;
      values.push(line);
      if (s >= 0) values.push(body.charAt(s));
    }
  } while (!done);
  if (name !== null) {
    finish();
    result.indexes[name] = [index];
  }
  return result;
}

function mpGet(parts, name) {
  var index = parts.indexes[name];
  if (index === undefined) return null;
  return parts.data[index[0]] || null;
}

function mpSetSimple(parts, name, value) {
  var part = { name: name, value: value, headers: ['Content-Disposition: form-data; name="' + name + '"'] };
  if (parts.indexes[name] !== undefined) {
    parts.data[parts.indexes[name][0]] = part;
    return;
  }
  var max = 0;
  for (var key in parts.indexes) {
    for (var i = 0; i < parts.indexes[key].length; i++) max = Math.max(max, parts.indexes[key][i]);
  }
  parts.indexes[name] = [max + 1];
  parts.data[max + 1] = part;
}

/** The length Lua's # gives a list without holes: up to the first nil. */
function mpLength(data) {
  var n = 0;
  while (data[n + 1]) n++;
  return n;
}

function mpDelete(parts, name) {
  var indexes = parts.indexes[name];
  if (indexes === undefined) return;
  for (var i = 0; i < indexes.length; i++) {
    // table.remove(data, index): later parts move down; outside the list nothing happens.
    var n = mpLength(parts.data);
    if (indexes[i] >= 1 && indexes[i] <= n) {
      for (var k = indexes[i]; k < n; k++) parts.data[k] = parts.data[k + 1];
      parts.data[n] = undefined;
    }
  }
  delete parts.indexes[name];
  for (var key in parts.indexes) {
    parts.indexes[key] = parts.indexes[key].map(function (val) {
      var below = 0;
      for (var j = 0; j < indexes.length; j++) if (val > indexes[j]) below++;
      return val - below;
    });
  }
}

function mpEncode(parts, boundary) {
  var out = '';
  for (var i = 1; parts.data[i]; i++) {
    var part = parts.data[i];
    out += '--' + boundary + '\r\n';
    for (var h = 0; h < part.headers.length; h++) out += part.headers[h] + '\r\n';
    out += '\r\n' + part.value + '\r\n';
  }
  return out === '' ? '' : out + '--' + boundary + '--\r\n';
}

/** transform_multipart_body: rename, remove, replace, add (Kong has no append here); null when unchanged. */
function rqbMultipart(conf, body, contentType) {
  var text = '';
  for (var b = 0; b < body.length; b++) text += String.fromCharCode(body[b]);
  var boundary = mpBoundary(contentType);
  var parts = mpDecode(text, boundary);
  var changed = false;
  var i, e, part;
  if (body.length > 0) {
    for (i = 0; i < conf.rename.length; i++) {
      e = [kjsonBytes(conf.rename[i][0]), kjsonBytes(conf.rename[i][1])];
      part = mpGet(parts, e[0]);
      if (part && e[0] !== e[1]) {
        mpSetSimple(parts, e[1], part.value);
        mpDelete(parts, e[0]);
        changed = true;
      }
    }
    for (i = 0; i < conf.remove.length; i++) {
      mpDelete(parts, kjsonBytes(conf.remove[i]));
      changed = true;
    }
    for (i = 0; i < conf.replace.length; i++) {
      e = [kjsonBytes(conf.replace[i][0]), kjsonBytes(conf.replace[i][1])];
      if (mpGet(parts, e[0])) {
        mpDelete(parts, e[0]);
        mpSetSimple(parts, e[0], e[1]);
        changed = true;
      }
    }
  }
  for (i = 0; i < conf.add.length; i++) {
    e = [kjsonBytes(conf.add[i][0]), kjsonBytes(conf.add[i][1])];
    if (!mpGet(parts, e[0])) {
      mpSetSimple(parts, e[0], e[1]);
      changed = true;
    }
  }
  if (!changed) return null;
  // Without a boundary in the Content-Type, lua-multipart writes one of its own (a table address).
  var out = mpEncode(parts, boundary === null ? '0x' + Math.floor(Math.random() * 0xffffffffffff).toString(16) : boundary);
  var codes = [];
  for (var c = 0; c < out.length; c++) codes.push(out.charCodeAt(c));
  return Buffer.from(codes);
}
