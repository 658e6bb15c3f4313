// JSON as Kong's lua-cjson writes it (cjson.safe.new(), LuaJIT): numbers with 14 significant digits
// ("%.14g"), '/' and DEL escaped, control characters as \u00xx. Objects keep their key order here;
// Kong's follows its Lua table, which is unordered.
var kjsonOwn = Object.prototype.hasOwnProperty;

/** The member `name` of a decoded object, or undefined (never an inherited property). */
function kjsonGet(object, name) {
  return kjsonOwn.call(object, name) ? object[name] : undefined;
}

/** Sets an own member (a name like `__proto__` stays a plain key). */
function kjsonSet(object, name, value) {
  Object.defineProperty(object, name, { value: value, writable: true, enumerable: true, configurable: true });
}

function kjsonDelete(object, name) {
  if (kjsonOwn.call(object, name)) delete object[name];
}

/** Lua's truth: everything but nil and false (JSON null is cjson.null, a true value). */
function kjsonTruthy(value) {
  return value !== undefined && value !== false;
}

/** A plain JSON object (what Kong's edits index by name), not an array or a scalar. */
function kjsonIsObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Kong's append_value: a string becomes a list of two, a table gets the value added, anything else becomes a list of one. */
function kjsonAppend(current, value) {
  if (typeof current === 'string') return [current, value];
  if (Array.isArray(current)) {
    current.push(value);
    return current;
  }
  if (kjsonIsObject(current)) {
    // table.insert on a Lua table with string keys only writes its index 1.
    if (Object.keys(current).length === 0) return [value];
    kjsonSet(current, '1', value);
    return current;
  }
  return [value];
}

function kjsonNumber(n) {
  if (n === 0) return 1 / n < 0 ? '-0' : '0';
  var m = /^(-?\d(?:\.\d+)?)e([+-]\d+)$/.exec(n.toExponential(13));
  var exp = parseInt(m[2], 10);
  var trim = function (s) {
    return s.indexOf('.') >= 0 ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
  };
  if (exp < -4 || exp >= 14) {
    var abs = Math.abs(exp);
    return trim(m[1]) + 'e' + (exp < 0 ? '-' : '+') + (abs < 10 ? '0' : '') + abs;
  }
  return trim(n.toFixed(13 - exp));
}

var KJSON_ESCAPES = { '"': '\\"', '\\': '\\\\', '/': '\\/', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };

function kjsonString(s) {
  return '"' + s.replace(/["\\\/\x00-\x1f\x7f]/g, function (c) {
    var e = KJSON_ESCAPES[c];
    if (e) return e;
    var hex = c.charCodeAt(0).toString(16);
    return '\\u00' + (hex.length < 2 ? '0' : '') + hex;
  }) + '"';
}

function kjsonEncode(value) {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return kjsonNumber(value);
  if (typeof value === 'string') return kjsonString(value);
  if (Array.isArray(value)) return '[' + value.map(kjsonEncode).join(',') + ']';
  var keys = Object.keys(value);
  var parts = [];
  for (var i = 0; i < keys.length; i++) parts.push(kjsonString(keys[i]) + ':' + kjsonEncode(value[keys[i]]));
  return '{' + parts.join(',') + '}';
}

/** A UTF-8 string as one character per byte (codes 0–255), as Lua sees strings. */
function kjsonBytes(s) {
  var b = Buffer.from(s);
  var out = '';
  for (var i = 0; i < b.length; i++) out += String.fromCharCode(b[i]);
  return out;
}
